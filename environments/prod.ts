import type { EnvironmentInput } from "./schema.js";

/** Production: three zone-redundant regions, active-active, isolated data plane, cautious releases. */
export const prod: EnvironmentInput = {
  name: "prod",
  description: "Production: the shop customers use",
  class: "production",
  protected: true,
  ephemeral: false,
  regions: ["westeurope", "northeurope", "swedencentral"],
  frontDoor: { sku: "Premium_AzureFrontDoor", wafMode: "Prevention", rateLimitPerMinute: 3000, originResponseTimeoutSeconds: 30 },
  originHealthProbe: { path: "/health/stamp", intervalSeconds: 30, sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyMs: 50 },
  healthGate: { interval: "10s", sampleSize: 6, successesRequired: 5, probeTimeout: "5s", deadline: "5m" },
  // A person approves the last step (`contoso release promote`), after the 50 % bake.
  release: { steps: [10, 50, "pause", 100], bakeTime: "15m", edgePropagationTimeout: "25m", blueRetention: "1h" },
  appService: { skuName: "P1v3", zoneRedundant: true, minInstances: 3, maxInstances: 12, cpuScaleOutPercent: 70, httpQueueScaleOut: 100 },
  cosmos: { zoneRedundant: true, multiRegionWrites: true, backupTier: "Continuous30Days", serverless: false },
  registry: { sku: "Premium", zoneRedundant: true },
  serviceBus: { sku: "Premium", capacity: 1, zoneRedundant: true },
  redis: { sku: "Balanced_B1", highAvailability: true },
  keyVault: { purgeProtection: true, softDeleteRetentionDays: 90 },
  network: { isolation: true, addressSpace: "10.40.0.0/20" },
  monitoring: {
    logRetentionDays: 90,
    alertEmails: ["sre-oncall@contoso-shoes.example"],
    availabilityTestLocations: ["emea-nl-ams-azr", "emea-gb-db3-azr", "emea-se-sto-edge", "us-va-ash-azr", "apac-sg-sin-azr"],
  },
  healthModel: {
    failureRatePercent: { yellow: 1, red: 5 },
    latencyP95Ms: { yellow: 800, red: 2000 },
    dependencyFailurePercent: { yellow: 2, red: 10 },
    queueBacklog: { yellow: 500, red: 5000 },
    keyVaultErrors: { yellow: 1, red: 10 },
    healthScore: { yellow: 90, red: 70 },
    // The environment-wide score must see every stamp's API, Key Vault and Service Bus signals.
    environmentWideTelemetry: true,
  },
  ttl: null,
  tags: { "contoso:cost-center": "shop-prod", "contoso:criticality": "mission-critical" },
};
