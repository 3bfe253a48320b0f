/**
 * The reference health service of a stamp (DESIGN.md, "Health contract"). Embed it:
 *
 *   const service = new HealthService({ release, region, checks: [redisCheck({...}), ...], intervalMs: 10_000, checkTimeoutMs: 3_000 }).start();
 *   http.createServer((req, res) => handleHealthRequest(service, req, res) || app(req, res));
 *
 * or run it beside the API with `stamp/health/main.ts`.
 */
export { HealthService, type HealthServiceOptions } from "./service.js";
export { handleHealthRequest, startHealthServer, stampHeaders, LIVENESS_PATH, STAMP_HEALTH_PATH, type HealthServer } from "./http.js";
export { rollUp, canServe } from "./roll-up.js";
export { cosmosCheck, type CosmosCheckOptions } from "./checks/cosmos.js";
export { serviceBusCheck, HEALTH_MESSAGE_PROPERTY, type ServiceBusCheckOptions } from "./checks/service-bus.js";
export { keyVaultCheck } from "./checks/key-vault.js";
export { SecretCache, keyVaultSecretFetcher, type SecretCacheOptions, type SecretCacheState, type FetchedSecret } from "./checks/secret-cache.js";
export { redisCheck, type RedisCheckOptions, type RedisRoundTripClient } from "./checks/redis.js";
export { killSwitchCheck, type KillSwitchCheckOptions } from "./checks/kill-switch.js";
export * from "./types.js";
