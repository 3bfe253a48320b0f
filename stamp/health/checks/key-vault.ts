import type { HealthCheck } from "../types.js";
import type { SecretCache } from "./secret-cache.js";

/**
 * Key Vault: the secret is available from the local cache. This check reads the cache only, never
 * Key Vault: Healthy while refreshes succeed, Degraded while they fail but the cached value is
 * still valid (the stamp keeps serving), Unhealthy once the value has expired or was never loaded.
 */
export function keyVaultCheck(cache: Pick<SecretCache, "name" | "value" | "state">): HealthCheck {
  return {
    name: "keyvault",
    async run() {
      const state = cache.state();
      const failing = state.lastError !== undefined ? `Key Vault refresh failing since ${state.failingSince?.toISOString()}: ${state.lastError}` : undefined;
      if (!state.loaded) {
        throw new Error(`secret "${cache.name}" has never been loaded from Key Vault${failing ? ` (${failing})` : " (first refresh still running)"}`);
      }
      if (cache.value() === undefined) {
        throw new Error(`cached secret "${cache.name}" expired at ${state.validUntil?.toISOString()}${failing ? `; ${failing}` : ""}`);
      }
      if (failing) {
        return { status: "Degraded", detail: `${failing}; serving the cached secret until ${state.validUntil?.toISOString()}` };
      }
    },
  };
}
