import type { PlannedResource } from "../../engine/port.js";
import { addressMatches } from "./reachability.js";

/**
 * App Service access restrictions, applied by the offline stamps to every request they receive,
 * from the web app's recorded `siteConfig` (learn.microsoft.com/azure/app-service/overview-access-restrictions,
 * learn.microsoft.com/azure/app-service/app-service-ip-restrictions):
 * - rules are evaluated in ascending priority and the first rule that matches decides (Allow or Deny);
 * - a rule matches when the request's source matches (an IP address range; a service tag, i.e. the
 *   address ranges Azure publishes for that service, such as `AzureFrontDoor.Backend`) AND, when the
 *   rule has http headers, every header it names carries one of its values (header names and values
 *   compared case-insensitively; "if multiple headers are specified, all headers would need to have
 *   at least one match": the X-Azure-FDID filter that ties a rule to one Front Door profile);
 * - when no rule matches, the unmatched-rule action applies (`ipSecurityRestrictionsDefaultAction`);
 *   without it, a list with one or more rules ends with an implicit "deny all", and an empty list allows all;
 * - a denied request is answered by App Service's front ends with 403 Forbidden, before it reaches
 *   the app ("If the address isn't allowed access based on the rules in the list, the service
 *   replies with an HTTP 403 status code"), with App Service's "Error 403 - Forbidden" page.
 * `publicNetworkAccess: Disabled` closes the public endpoint altogether (403 as well).
 */

/** Where an HTTP request to a web app comes from. */
export interface IncomingRequestSource {
  /** The client address App Service sees (a Front Door edge's backend address, or the runner's public address). */
  address: string;
  /** Service tags whose published ranges hold `address` (Front Door's edges are in `AzureFrontDoor.Backend`). */
  serviceTags: readonly string[];
  /** Request headers, names lower-cased. */
  headers: Record<string, string | string[] | undefined>;
}

export interface AccessRule {
  name?: string;
  priority: number;
  action: "Allow" | "Deny";
  tag: "Default" | "ServiceTag" | "XffProxy";
  ipAddress?: string;
  headers?: Record<string, string[]>;
}

export interface WebAppAccess {
  publicNetworkAccess: "Enabled" | "Disabled";
  rules: AccessRule[];
  defaultAction: "Allow" | "Deny" | undefined;
}

export type AccessDecision = { allowed: true; rule?: string } | { allowed: false; status: 403; reason: string };

/** The page App Service's front ends return for a denied request. */
export const FORBIDDEN_PAGE =
  "<!DOCTYPE html><html><head><title>Web App - Unavailable</title></head><body><h1>Error 403 - Forbidden</h1>" +
  "<p>The web app you have attempted to reach has blocked your access.</p></body></html>";

/** The access settings of a web app, from its recorded inputs (azure-native:web:WebApp). */
export function webAppAccess(resources: readonly PlannedResource[]): WebAppAccess | undefined {
  const app = resources.find((r) => r.type === "azure-native:web:WebApp");
  if (!app) return undefined;
  const site = (app.inputs["siteConfig"] ?? {}) as { ipSecurityRestrictions?: unknown; ipSecurityRestrictionsDefaultAction?: unknown };
  const raw = Array.isArray(site.ipSecurityRestrictions) ? (site.ipSecurityRestrictions as Array<Record<string, unknown>>) : [];
  const rules: AccessRule[] = raw.map((r) => {
    const rule: AccessRule = {
      priority: typeof r["priority"] === "number" ? r["priority"] : 65000,
      action: r["action"] === "Deny" ? "Deny" : "Allow",
      tag: r["tag"] === "ServiceTag" ? "ServiceTag" : r["tag"] === "XffProxy" ? "XffProxy" : "Default",
    };
    if (typeof r["name"] === "string") rule.name = r["name"];
    if (typeof r["ipAddress"] === "string") rule.ipAddress = r["ipAddress"];
    if (r["headers"] && typeof r["headers"] === "object") {
      rule.headers = Object.fromEntries(
        Object.entries(r["headers"] as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.map(String) : [String(v)]]),
      );
    }
    return rule;
  });
  const def = site.ipSecurityRestrictionsDefaultAction;
  return {
    publicNetworkAccess: app.inputs["publicNetworkAccess"] === "Disabled" ? "Disabled" : "Enabled",
    rules,
    defaultAction: def === "Allow" || def === "Deny" ? def : undefined,
  };
}

/** App Service's decision for one request to the main site. */
export function evaluateAccess(access: WebAppAccess, source: IncomingRequestSource): AccessDecision {
  if (access.publicNetworkAccess === "Disabled") return { allowed: false, status: 403, reason: "the web app's public network access is disabled" };
  const ordered = [...access.rules].sort((a, b) => a.priority - b.priority);
  for (const rule of ordered) {
    if (!sourceMatches(rule, source) || !headersMatch(rule, source.headers)) continue;
    return rule.action === "Allow"
      ? { allowed: true, ...(rule.name ? { rule: rule.name } : {}) }
      : { allowed: false, status: 403, reason: `denied by access restriction rule ${rule.name ?? `priority ${rule.priority}`}` };
  }
  const fallback = access.defaultAction ?? (ordered.length > 0 ? "Deny" : "Allow");
  return fallback === "Allow"
    ? { allowed: true }
    : { allowed: false, status: 403, reason: `no access restriction rule allows ${source.address}${describeHeaders(source.headers)} (unmatched rule action: Deny)` };
}

function sourceMatches(rule: AccessRule, source: IncomingRequestSource): boolean {
  if (rule.ipAddress === undefined) return false;
  if (rule.tag === "ServiceTag") return rule.ipAddress.split(",").some((tag) => source.serviceTags.some((t) => t.toLowerCase() === tag.trim().toLowerCase()));
  if (rule.ipAddress.toLowerCase() === "any") return true;
  return addressMatches(source.address, rule.ipAddress.split(",").map((s) => s.trim()));
}

function headersMatch(rule: AccessRule, headers: IncomingRequestSource["headers"]): boolean {
  for (const [name, allowed] of Object.entries(rule.headers ?? {})) {
    const value = headers[name];
    const values = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => v.trim().toLowerCase());
    if (!allowed.some((a) => values.includes(a.toLowerCase()))) return false;
  }
  return true;
}

function describeHeaders(headers: IncomingRequestSource["headers"]): string {
  const fdid = headers["x-azure-fdid"];
  return fdid === undefined ? " without an X-Azure-FDID header" : ` with X-Azure-FDID ${String(fdid)}`;
}
