import type { Environment } from "../../environments/index.js";

/**
 * The shape of the health model: which components a stamp is made of, which signal judges each
 * one, and how much each weighs in the stamp's health score. Thresholds come from the environment
 * (`env.healthModel`); weights are a property of the model itself, identical in every environment,
 * so a score means the same thing in dev and in prod.
 */

/** Traffic-light status every function returns: 0 green, 1 yellow, 2 red. */
export const STATUS = { green: 0, yellow: 1, red: 2 } as const;
export type Status = (typeof STATUS)[keyof typeof STATUS];

export type ComponentName = "api" | "dependencies" | "cosmos" | "servicebus" | "keyvault" | "frontdoor";

export interface ComponentInfo {
  name: ComponentName;
  /** Shown in the workbook. */
  label: string;
  /**
   * Share of the stamp's score (all weights add up to 100). A red component costs its full weight,
   * a yellow one half of it. The API and the Front Door view of the origin weigh most: a red API
   * alone takes a prod stamp (red threshold 70) below red.
   */
  weight: number;
  /** Regional components (Cosmos DB) are shared by every stamp of a region, not owned by one. */
  scope: "stamp" | "region";
  /**
   * Which workspace its telemetry reaches. `stamp`: written by the stamp's own resources, so it is in
   * the stamp's regional workspace (and copied to the global one, stamp-telemetry.ts). `global`:
   * Front Door and Cosmos DB belong to the global stack and report to the global workspace only, so
   * a stamp's own functions cannot judge them (issue 12, defect 2).
   */
  telemetry: "stamp" | "global";
}

export const COMPONENTS: readonly ComponentInfo[] = [
  { name: "api", label: "API (App Service)", weight: 35, scope: "stamp", telemetry: "stamp" },
  { name: "frontdoor", label: "Front Door origin", weight: 20, scope: "stamp", telemetry: "global" },
  { name: "cosmos", label: "Cosmos DB", weight: 15, scope: "region", telemetry: "global" },
  { name: "dependencies", label: "Dependencies", weight: 10, scope: "stamp", telemetry: "stamp" },
  { name: "servicebus", label: "Service Bus", weight: 10, scope: "stamp", telemetry: "stamp" },
  { name: "keyvault", label: "Key Vault", weight: 10, scope: "stamp", telemetry: "stamp" },
];

/**
 * The components a set of functions can judge: every one in the global workspace (the environment
 * scope); in a stamp's regional workspace only those whose telemetry the stamp itself writes there.
 * A score is computed over these, so its weights always add up over what is really there.
 */
export function componentsJudgedIn(scope: "environment" | "stamp"): readonly ComponentInfo[] {
  return scope === "environment" ? COMPONENTS : COMPONENTS.filter((c) => c.telemetry === "stamp");
}

/** How much of its weight a component loses per status. */
export const STATUS_PENALTY: Readonly<Record<Status, number>> = { 0: 0, 1: 0.5, 2: 1 };

/** Saved-search category of every function of the model (how operators find them in the portal). */
export const FUNCTION_CATEGORY = "ContosoHealthModel";

/** The window functions look back over when the caller gives none; score alerts evaluate the same window. */
export const LOOKBACK_MINUTES = 15;
/** The same window as a KQL timespan literal. */
export const DEFAULT_LOOKBACK = `${LOOKBACK_MINUTES}m`;
/** The same window as an ISO 8601 duration (alert rules). */
export const LOOKBACK_ISO = `PT${LOOKBACK_MINUTES}M`;

/** One signal, judged against an environment threshold pair (higher is worse). */
export interface Thresholds {
  yellow: number;
  red: number;
}

/** The environment's thresholds, by the signal they judge. */
export function signalThresholds(env: Environment) {
  const hm = env.healthModel;
  return {
    failureRatePercent: hm.failureRatePercent,
    latencyP95Ms: hm.latencyP95Ms,
    dependencyFailurePercent: hm.dependencyFailurePercent,
    queueBacklog: hm.queueBacklog,
    keyVaultErrors: hm.keyVaultErrors,
  } satisfies Record<string, Thresholds>;
}
