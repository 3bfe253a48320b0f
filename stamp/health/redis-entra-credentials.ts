import type { AccessToken, TokenCredential } from "@azure/identity";
import type { RedisClientOptions } from "redis";

/**
 * Entra ID authentication to Azure Managed Redis without `@redis/entraid`: the user name is the
 * identity's object id and the password an access token for Redis. Tokens live about an hour, so
 * the provider streams a fresh one to the client before the current one expires (node-redis then
 * re-authenticates the open connection with AUTH, without reconnecting). A failed refresh is
 * retried until the current token expires; only then is the stream failed, and the health check's
 * next round reports the broken connection.
 */

/** The token audience of Azure Managed Redis (and Azure Cache for Redis). */
export const REDIS_ENTRA_SCOPE = "https://redis.azure.com/.default";

type CredentialsProvider = NonNullable<RedisClientOptions["credentialsProvider"]>;
type StreamingProvider = Extract<CredentialsProvider, { type: "streaming-credentials-provider" }>;

export interface RedisEntraOptions {
  /** Refresh when this much of the token's lifetime is left. Default 5 minutes. */
  refreshBeforeExpiryMs?: number;
  /** Delay between attempts after a failed refresh. Default 30 seconds. */
  retryDelayMs?: number;
  /** Told when a refresh fails (the client keeps the current token meanwhile). */
  onRefreshError?: (error: unknown) => void;
}

/** The `oid` claim of an Entra ID access token: the object id Redis access policies name. */
export function objectIdOf(token: string): string {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("the Entra ID access token is not a JWT");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: unknown };
  if (typeof claims.oid !== "string" || claims.oid.length === 0) throw new Error("the Entra ID access token has no oid claim");
  return claims.oid;
}

export function redisEntraCredentials(credential: TokenCredential, options: RedisEntraOptions = {}): StreamingProvider {
  const refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 5 * 60_000;
  const retryDelayMs = options.retryDelayMs ?? 30_000;
  const fetch = async (): Promise<{ auth: { username: string; password: string }; token: AccessToken }> => {
    const token = await credential.getToken(REDIS_ENTRA_SCOPE);
    if (!token) throw new Error(`no Entra ID token for ${REDIS_ENTRA_SCOPE}`);
    return { auth: { username: objectIdOf(token.token), password: token.token }, token };
  };

  return {
    type: "streaming-credentials-provider",
    async subscribe(listener) {
      const first = await fetch();
      let expiresAt = first.token.expiresOnTimestamp;
      let timer: NodeJS.Timeout | undefined;
      let disposed = false;
      const schedule = (delayMs: number) => {
        if (disposed) return;
        timer = setTimeout(() => void refresh(), Math.max(0, delayMs));
        // The refresh must not keep a stopping process alive.
        timer.unref();
      };
      const refresh = async () => {
        try {
          const next = await fetch();
          expiresAt = next.token.expiresOnTimestamp;
          if (disposed) return;
          listener.onNext(next.auth);
          schedule(expiresAt - Date.now() - refreshBeforeExpiryMs);
        } catch (err) {
          options.onRefreshError?.(err);
          if (Date.now() + retryDelayMs < expiresAt) schedule(retryDelayMs);
          else listener.onError(err instanceof Error ? err : new Error(String(err)));
        }
      };
      schedule(expiresAt - Date.now() - refreshBeforeExpiryMs);
      return [
        first.auth,
        {
          dispose() {
            disposed = true;
            if (timer) clearTimeout(timer);
          },
        },
      ];
    },
    onReAuthenticationError(error) {
      options.onRefreshError?.(error);
    },
  };
}
