import type { EnvironmentInput } from "./schema.js";
import { prod } from "./prod.js";

/**
 * Staging mirrors production (same regions, SKUs, isolation and release steps) so load, chaos,
 * UAT and security tests see what production will see. It has its own resources: nothing is shared.
 * It differs only in what makes it cheaper to run without changing behaviour: shorter bakes,
 * shorter log retention.
 */
export const staging: EnvironmentInput = {
  ...prod,
  name: "staging",
  description: "Staging: a mirror of production for load, chaos, UAT and security testing",
  class: "preproduction",
  release: { ...prod.release, bakeTime: "5m", blueRetention: "30m" },
  monitoring: { ...prod.monitoring, logRetentionDays: 30, alertEmails: ["sre-staging@contoso-shoes.example"] },
  tags: { "contoso:cost-center": "shop-staging", "contoso:criticality": "high" },
};
