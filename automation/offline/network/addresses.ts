import { isIP } from "node:net";

/**
 * The public addresses of the offline world's callers. Every request really comes over loopback;
 * these are the addresses Azure would see.
 *
 * - The machine running `contoso` (a laptop, a hosted pipeline runner) is outside every private
 *   network, with a public address nobody knows in advance. Offline it is `203.0.113.10`
 *   (TEST-NET-3, RFC 5737: documentation-only, so it never matches a real allow-list by accident),
 *   or CONTOSO_OFFLINE_RUNNER_ADDRESS to rehearse an allow-listed runner.
 * - Front Door reaches origins from its backend ranges, published as the `AzureFrontDoor.Backend`
 *   service tag (learn.microsoft.com/azure/frontdoor/origin-security#public-ip-address-based-origins);
 *   one address of that range stands for all of them.
 */
export const DEFAULT_RUNNER_ADDRESS = "203.0.113.10";
export const FRONT_DOOR_BACKEND_ADDRESS = "147.243.0.1";
export const FRONT_DOOR_BACKEND_TAG = "AzureFrontDoor.Backend";

export function runnerAddress(env: NodeJS.ProcessEnv = process.env): string {
  const value = env["CONTOSO_OFFLINE_RUNNER_ADDRESS"]?.trim();
  if (!value) return DEFAULT_RUNNER_ADDRESS;
  if (isIP(value) === 0) throw new Error(`CONTOSO_OFFLINE_RUNNER_ADDRESS "${value}" is not an IP address (e.g. 203.0.113.10)`);
  return value;
}
