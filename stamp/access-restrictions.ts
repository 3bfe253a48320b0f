import { isIP } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import type * as types from "@pulumi/azure-native/types/input.js";
import { InputError } from "../environments/index.js";

/**
 * Who may reach a stamp's web app directly: Front Door (its backend service tag, and only this
 * environment's profile, told apart by the `X-Azure-FDID` header Front Door adds) and the release
 * driver's probes from an explicit allow-list of CIDRs. Everything else is denied, so a stamp's
 * `*.azurewebsites.net` host cannot be used to bypass the WAF.
 */
export const FRONT_DOOR_SERVICE_TAG = "AzureFrontDoor.Backend";
export const FRONT_DOOR_ID_HEADER = "x-azure-fdid";

/** App Service evaluates rules by ascending priority; probes come after Front Door. */
const FRONT_DOOR_PRIORITY = 100;
const PROBE_PRIORITY_BASE = 200;
/** App Service allows at most 512 access restriction rules per site. */
const MAX_RULES = 512;

/** Checks one allow-list entry: an IPv4 or IPv6 address with a prefix length. */
export function validateCidr(cidr: string): string {
  const [address, prefix, ...rest] = cidr.trim().split("/");
  const family = isIP(address ?? "");
  const bits = Number(prefix);
  const maxBits = family === 6 ? 128 : 32;
  if (rest.length > 0 || family === 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix) || bits > maxBits) {
    throw new InputError(`probe allow-list entry "${cidr}" is not a CIDR (e.g. 203.0.113.10/32 or 2001:db8::/64)`);
  }
  return `${address}/${bits}`;
}

export function accessRestrictions(
  frontDoorId: pulumi.Input<string>,
  probeAllowList: readonly string[],
): types.web.IpSecurityRestrictionArgs[] {
  const cidrs = [...new Set(probeAllowList.map(validateCidr))];
  if (cidrs.length + 1 > MAX_RULES) throw new InputError(`probe allow-list has ${cidrs.length} entries; App Service allows ${MAX_RULES - 1}`);
  return [
    {
      name: "front-door",
      description: "This environment's Front Door profile only",
      priority: FRONT_DOOR_PRIORITY,
      action: "Allow",
      tag: "ServiceTag",
      ipAddress: FRONT_DOOR_SERVICE_TAG,
      headers: { [FRONT_DOOR_ID_HEADER]: [frontDoorId] },
    },
    ...cidrs.map((cidr, i) => ({
      name: `release-probe-${i + 1}`,
      description: "Release driver health probes",
      priority: PROBE_PRIORITY_BASE + i,
      action: "Allow",
      tag: "Default",
      ipAddress: cidr,
    })),
  ];
}
