import { InputError, type Environment } from "../environments/index.js";
import { parseStackName } from "../environments/stacks.js";
import type { OriginSpec } from "./contract.js";

/**
 * Checks the driver's list of Front Door origins before anything is deployed. Front Door itself
 * would refuse some of these lists only halfway through an update (a weight of 0, a route whose
 * origin group has no enabled origin), leaving the stack between two configurations; refusing the
 * list up front keeps every update whole.
 */

/** Front Door's limits for an origin's weight and priority. */
export const ORIGIN_WEIGHT = { min: 1, max: 1000 } as const;
export const ORIGIN_PRIORITY = { min: 1, max: 5 } as const;
/** Endpoints per Front Door profile, by SKU. */
export const FRONT_DOOR_ENDPOINT_LIMIT = { Standard_AzureFrontDoor: 10, Premium_AzureFrontDoor: 25 } as const;

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Returns the list unchanged when it is deployable; throws an InputError with one line otherwise. */
export function validateOrigins(env: Environment, origins: readonly OriginSpec[]): OriginSpec[] {
  if (!Array.isArray(origins)) throw new InputError("origins must be a list (use [] for an environment without stamps)");
  const seenStamps = new Set<string>();
  const seenHosts = new Set<string>();
  origins.forEach((origin, i) => {
    const where = `origins[${i}]${typeof origin?.stamp === "string" ? ` (${origin.stamp})` : ""}`;
    const fail = (problem: string): never => {
      throw new InputError(`${where}: ${problem}`);
    };
    if (typeof origin !== "object" || origin === null) fail("must be an object with stamp, region, release, hostName, weight, enabled, priority");
    checkStamp(env, origin, fail);
    if (typeof origin.hostName !== "string" || !HOST_NAME.test(origin.hostName)) {
      fail(`hostName "${String(origin.hostName)}" is not a lower-case DNS host name (e.g. app-shoes-prod-weu-r42-ab12c.azurewebsites.net)`);
    }
    if (!Number.isInteger(origin.weight) || origin.weight < ORIGIN_WEIGHT.min || origin.weight > ORIGIN_WEIGHT.max) {
      fail(`weight ${String(origin.weight)} must be a whole number from ${ORIGIN_WEIGHT.min} to ${ORIGIN_WEIGHT.max} (disable the origin instead of weight 0)`);
    }
    if (!Number.isInteger(origin.priority) || origin.priority < ORIGIN_PRIORITY.min || origin.priority > ORIGIN_PRIORITY.max) {
      fail(`priority ${String(origin.priority)} must be a whole number from ${ORIGIN_PRIORITY.min} to ${ORIGIN_PRIORITY.max}`);
    }
    if (typeof origin.enabled !== "boolean") fail(`enabled must be true or false`);
    if (seenStamps.has(origin.stamp)) fail(`stamp ${origin.stamp} is listed twice; each stamp has exactly one origin`);
    if (seenHosts.has(origin.hostName)) fail(`hostName ${origin.hostName} is listed twice; each stamp has its own web app`);
    seenStamps.add(origin.stamp);
    seenHosts.add(origin.hostName);
  });
  // Every origin also gets its stamp endpoint (front-door-stamp-endpoints.ts), beside the
  // environment's own: Front Door allows 10 endpoints per Standard profile and 25 per Premium one
  // (learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-front-door-standard-and-premium-tier-service-limits).
  const maxEndpoints = FRONT_DOOR_ENDPOINT_LIMIT[env.frontDoor.sku];
  if (origins.length + 1 > maxEndpoints) {
    throw new InputError(
      `origins: ${origins.length} stamps need ${origins.length + 1} Front Door endpoints (one each, plus the environment's), more than the ${maxEndpoints} a ${env.frontDoor.sku} profile allows`,
    );
  }
  // A list whose origins are all disabled is deployable: green stamps exposed for their gate before
  // an environment's first release. The shopper route exists only while an origin is enabled
  // (front-door-origins.ts); the release invariants keep a serving environment from losing its last one.
  return [...origins];
}

/** The stamp, region and release must name one stamp stack of this environment. */
function checkStamp(env: Environment, origin: OriginSpec, fail: (problem: string) => never): void {
  if (typeof origin.stamp !== "string") fail("stamp must be the stamp's stack name (e.g. prod-weu-r42)");
  let parsed;
  try {
    parsed = parseStackName(origin.stamp);
  } catch {
    return fail(`stamp "${origin.stamp}" is not a stamp stack name <env>-<region-short>-<release> (e.g. ${env.name}-weu-r42)`);
  }
  if (parsed.kind !== "stamp") return fail(`stamp "${origin.stamp}" is a global stack, not a stamp`);
  if (parsed.env !== env.name) fail(`stamp ${origin.stamp} belongs to environment ${parsed.env}, not ${env.name}`);
  if (!env.regions.includes(origin.region)) fail(`region "${origin.region}" is not a region of ${env.name} (${env.regions.join(", ")})`);
  if (parsed.region !== origin.region) fail(`region ${origin.region} does not match the stamp's region ${parsed.region}`);
  if (parsed.release !== origin.release) fail(`release ${origin.release} does not match the stamp's release ${parsed.release}`);
}
