import type { Environment } from "../../environments/index.js";
import { DEFAULT_LOOKBACK, LOOKBACK_ISO } from "./model.js";

/**
 * What the health model's alert rules watch, as plain data (the components turn it into Azure
 * resources). Thresholds come from the environment, so prod pages earlier than dev.
 */

/** Severity of the model's alerts: 1 (error) for anything that means customers may be failing. */
export const ALERT_SEVERITY = 1;
/** How often the score rules run. */
export const SCORE_EVALUATION_FREQUENCY = "PT5M";

/** A log search alert condition on a score function: fires when a score drops below the red threshold. */
export interface ScoreAlertCondition {
  query: string;
  timeAggregation: "Minimum";
  metricMeasureColumn: "Score";
  operator: "LessThan";
  threshold: number;
  /** One alert per value of these columns (per stamp). */
  dimensions: { name: string; operator: "Include"; values: string[] }[];
  failingPeriods: { numberOfEvaluationPeriods: number; minFailingPeriodsToAlert: number };
}

export function scoreAlertCondition(env: Environment, scoreAlias: string, splitBy: string[]): ScoreAlertCondition {
  return {
    query: `${scoreAlias}(${DEFAULT_LOOKBACK})`,
    timeAggregation: "Minimum",
    metricMeasureColumn: "Score",
    operator: "LessThan",
    threshold: env.healthModel.healthScore.red,
    dimensions: splitBy.map((name) => ({ name, operator: "Include", values: ["*"] })),
    // Two bad evaluations in a row: one slow scrape must not page anyone.
    failingPeriods: { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 2 },
  };
}

export const SCORE_ALERT_WINDOW = LOOKBACK_ISO;

/**
 * Front Door marks an origin unhealthy when fewer than `successfulSamplesRequired` of the last
 * `sampleSize` probes succeed, so an origin whose probe success falls below that share is about to
 * be (or already is) taken out of rotation.
 */
export function originHealthThresholdPercent(env: Environment): number {
  const p = env.originHealthProbe;
  return Math.round((100 * p.successfulSamplesRequired) / p.sampleSize);
}

/**
 * How many test locations must fail together before the availability alert fires: two where there
 * are several (one location's network trouble is not an outage), otherwise every location.
 */
export function failedLocationCount(env: Environment): number {
  return Math.min(2, env.monitoring.availabilityTestLocations.length);
}

/** The standard web test's request and checks: the stamp health contract through Front Door. */
export function availabilityTestRequest(env: Environment, frontDoorEndpointHostName: string) {
  return {
    requestUrl: `https://${frontDoorEndpointHostName}${env.originHealthProbe.path}`,
    httpVerb: "GET",
    followRedirects: false,
    parseDependentRequests: false,
  };
}

export const AVAILABILITY_TEST_FREQUENCY_SECONDS = 300;
export const AVAILABILITY_TEST_TIMEOUT_SECONDS = 30;
