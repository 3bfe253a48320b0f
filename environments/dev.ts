import type { EnvironmentInput } from "./schema.js";

/**
 * The template of personal, ephemeral environments (`dev-<name>`): one region, the cheapest SKUs
 * that still run the whole workload (so the same programs and health contract are exercised), no
 * private endpoints, a time-to-live, and its own global stack: nothing is shared with prod or staging.
 */
export const dev: EnvironmentInput = {
  name: "dev",
  description: "Development template for personal ephemeral environments",
  class: "development",
  protected: false,
  ephemeral: true,
  regions: ["westeurope"],
  frontDoor: { sku: "Standard_AzureFrontDoor", wafMode: "Prevention", rateLimitPerMinute: 600, originResponseTimeoutSeconds: 30 },
  originHealthProbe: { path: "/health/stamp", intervalSeconds: 60, sampleSize: 4, successfulSamplesRequired: 2, additionalLatencyMs: 50 },
  healthGate: { interval: "5s", sampleSize: 3, successesRequired: 2, probeTimeout: "3s", deadline: "2m" },
  release: { steps: [100], bakeTime: "1m", edgePropagationTimeout: "25m", blueRetention: "0s" },
  appService: { skuName: "B1", zoneRedundant: false, minInstances: 1, maxInstances: 2, cpuScaleOutPercent: 80, httpQueueScaleOut: 100 },
  cosmos: { zoneRedundant: false, multiRegionWrites: false, backupTier: "Continuous7Days", serverless: true },
  registry: { sku: "Basic", zoneRedundant: false },
  serviceBus: { sku: "Standard", capacity: 1, zoneRedundant: false },
  redis: { sku: "Balanced_B0", highAvailability: false },
  keyVault: { purgeProtection: false, softDeleteRetentionDays: 7 },
  network: { isolation: false, addressSpace: "10.60.0.0/22" },
  monitoring: {
    logRetentionDays: 30,
    alertEmails: ["dev-team@contoso-shoes.example"],
    availabilityTestLocations: ["emea-nl-ams-azr"],
  },
  healthModel: {
    failureRatePercent: { yellow: 5, red: 20 },
    latencyP95Ms: { yellow: 1500, red: 4000 },
    dependencyFailurePercent: { yellow: 5, red: 20 },
    queueBacklog: { yellow: 100, red: 1000 },
    keyVaultErrors: { yellow: 5, red: 50 },
    healthScore: { yellow: 80, red: 50 },
    // The environment-wide score must see every stamp's API, Key Vault and Service Bus signals.
    environmentWideTelemetry: true,
  },
  ttl: { default: "8h", max: "7d" },
  tags: { "contoso:cost-center": "shop-dev", "contoso:criticality": "low" },
};
