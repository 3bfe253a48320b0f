import { createHash } from "node:crypto";
import { InputError } from "./errors.js";
import { regionShort } from "./regions.js";

/**
 * Azure resource names: Cloud Adoption Framework abbreviations, laid out as
 * `<abbr>-<workload>-<env>[-<region>][-<release>][-<suffix>]`, then fitted to each service's
 * length and character rules. Where a name is too long, the workload is dropped first, then the
 * longest part is shortened with a hash of itself, so two different inputs never fit to one name.
 */

export const WORKLOAD = "shoes";

interface NameRule {
  /** CAF abbreviation. */
  readonly abbr: string;
  readonly min: number;
  readonly max: number;
  /** Whether hyphens may separate the parts; services that forbid them get the parts run together. */
  readonly hyphens: boolean;
  /** Whether Azure wants the name globally unique (a DNS name): such names take a random suffix. */
  readonly globallyUnique: boolean;
}

export const NAME_RULES = {
  resourceGroup: { abbr: "rg", min: 1, max: 90, hyphens: true, globallyUnique: false },
  virtualNetwork: { abbr: "vnet", min: 2, max: 64, hyphens: true, globallyUnique: false },
  subnet: { abbr: "snet", min: 1, max: 80, hyphens: true, globallyUnique: false },
  networkSecurityGroup: { abbr: "nsg", min: 1, max: 80, hyphens: true, globallyUnique: false },
  appServicePlan: { abbr: "asp", min: 1, max: 60, hyphens: true, globallyUnique: false },
  webApp: { abbr: "app", min: 2, max: 60, hyphens: true, globallyUnique: true },
  autoscale: { abbr: "as", min: 1, max: 260, hyphens: true, globallyUnique: false },
  keyVault: { abbr: "kv", min: 3, max: 24, hyphens: true, globallyUnique: true },
  cosmosAccount: { abbr: "cosmos", min: 3, max: 44, hyphens: true, globallyUnique: true },
  containerRegistry: { abbr: "cr", min: 5, max: 50, hyphens: false, globallyUnique: true },
  frontDoorProfile: { abbr: "afd", min: 1, max: 90, hyphens: true, globallyUnique: false },
  frontDoorEndpoint: { abbr: "fde", min: 1, max: 46, hyphens: true, globallyUnique: true },
  frontDoorOriginGroup: { abbr: "og", min: 1, max: 90, hyphens: true, globallyUnique: false },
  frontDoorOrigin: { abbr: "origin", min: 1, max: 90, hyphens: true, globallyUnique: false },
  frontDoorRoute: { abbr: "route", min: 1, max: 90, hyphens: true, globallyUnique: false },
  frontDoorSecurityPolicy: { abbr: "sp", min: 1, max: 90, hyphens: true, globallyUnique: false },
  wafPolicy: { abbr: "waf", min: 1, max: 128, hyphens: false, globallyUnique: false },
  serviceBusNamespace: { abbr: "sbns", min: 6, max: 50, hyphens: true, globallyUnique: true },
  serviceBusQueue: { abbr: "sbq", min: 1, max: 260, hyphens: true, globallyUnique: false },
  managedRedis: { abbr: "amr", min: 1, max: 60, hyphens: true, globallyUnique: true },
  logAnalytics: { abbr: "log", min: 4, max: 63, hyphens: true, globallyUnique: false },
  applicationInsights: { abbr: "appi", min: 1, max: 255, hyphens: true, globallyUnique: false },
  storageAccount: { abbr: "st", min: 3, max: 24, hyphens: false, globallyUnique: true },
  managedIdentity: { abbr: "id", min: 3, max: 128, hyphens: true, globallyUnique: false },
  privateEndpoint: { abbr: "pep", min: 1, max: 64, hyphens: true, globallyUnique: false },
  actionGroup: { abbr: "ag", min: 1, max: 260, hyphens: true, globallyUnique: false },
  alertRule: { abbr: "alert", min: 1, max: 260, hyphens: true, globallyUnique: false },
  diagnosticSetting: { abbr: "diag", min: 1, max: 260, hyphens: true, globallyUnique: false },
  workbook: { abbr: "wb", min: 1, max: 260, hyphens: true, globallyUnique: false },
  webTest: { abbr: "webt", min: 1, max: 260, hyphens: true, globallyUnique: false },
} as const satisfies Record<string, NameRule>;

export type ResourceKind = keyof typeof NAME_RULES;

export interface NameParts {
  env: string;
  /** Azure region name (e.g. westeurope); its short code goes into the name. */
  region?: string;
  release?: string;
  /** What the resource is for, when a stack has several of a kind (e.g. `orders`, `apps`). */
  purpose?: string;
  /** Random suffix for globally unique names (from `uniqueSuffix`). */
  suffix?: string;
}

/** Length of the random suffix that makes global names unique. */
export const SUFFIX_LENGTH = 5;

export function resourceName(kind: ResourceKind, parts: NameParts): string {
  const rule: NameRule = NAME_RULES[kind];
  if (rule.globallyUnique && !parts.suffix) {
    throw new Error(`${kind} names must be globally unique in Azure: pass a random suffix`);
  }
  const core = [parts.purpose, parts.env, parts.region ? regionShort(parts.region) : undefined, parts.release].filter(
    (p): p is string => Boolean(p),
  );
  const tail = parts.suffix ? [parts.suffix] : [];
  const sep = rule.hyphens ? "-" : "";
  const clean = (p: string) => (rule.hyphens ? p : p.replace(/-/g, "")).toLowerCase();

  const withWorkload = [rule.abbr, WORKLOAD, ...core, ...tail].map(clean);
  if (withWorkload.join(sep).length <= rule.max) return checkName(kind, withWorkload.join(sep));

  const shortened = [rule.abbr, ...core, ...tail].map(clean);
  // Shorten the longest non-fixed part (never the abbreviation or the suffix) until the name fits.
  const fixed = new Set<number>([0]);
  if (tail.length) fixed.add(shortened.length - 1);
  while (shortened.join(sep).length > rule.max) {
    const over = shortened.join(sep).length - rule.max;
    let longest = -1;
    shortened.forEach((p, i) => {
      if (!fixed.has(i) && p.length > 4 && (longest < 0 || p.length > shortened[longest]!.length)) longest = i;
    });
    if (longest < 0) throw new InputError(`cannot fit a ${kind} name for ${JSON.stringify(parts)} into ${rule.max} characters`);
    const part = shortened[longest]!;
    const keep = Math.max(1, part.length - over - 3);
    shortened[longest] = part.slice(0, keep).replace(/-+$/, "") + shortHash(part, 3);
  }
  return checkName(kind, shortened.join(sep));
}

/** Rejects what Azure would reject for this kind of resource. */
export function checkName(kind: ResourceKind, name: string): string {
  const rule: NameRule = NAME_RULES[kind];
  const problem = nameProblem(kind, rule, name);
  if (problem) throw new InputError(`${kind} name "${name}" ${problem}`);
  return name;
}

function nameProblem(kind: ResourceKind, rule: NameRule, name: string): string | undefined {
  if (name.length < rule.min || name.length > rule.max) return `must be ${rule.min}-${rule.max} characters long`;
  if (!rule.hyphens && !/^[a-z0-9]+$/.test(name)) return "may hold only lower-case letters and digits";
  if (rule.hyphens && !/^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$/.test(name)) {
    return "may hold only lower-case letters, digits and hyphens, and must start and end with a letter or digit";
  }
  if (kind === "keyVault" || kind === "serviceBusNamespace" || kind === "wafPolicy" || kind === "containerRegistry") {
    if (!/^[a-z]/.test(name)) return "must start with a letter";
  }
  if (kind === "keyVault" && name.includes("--")) return "must not contain consecutive hyphens";
  if (kind === "serviceBusNamespace" && /-sb$|-mgmt$/.test(name)) return "must not end with -sb or -mgmt";
  return undefined;
}

export function shortHash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("base64url").replace(/[^a-z0-9]/gi, "").toLowerCase().slice(0, length);
}
