import type { SecretClient } from "@azure/keyvault-secrets";
import { describeError } from "../describe-error.js";

export interface FetchedSecret {
  value: string;
  /** The secret's own expiry in Key Vault, if it has one; the cache never serves past it. */
  expiresOn?: Date;
}

export interface SecretCacheOptions {
  /** Secret name, for messages. */
  name: string;
  fetch: (signal: AbortSignal) => Promise<FetchedSecret>;
  /** Time between refreshes while Key Vault answers. */
  refreshIntervalMs: number;
  /** Time between attempts while Key Vault fails. Default: the smaller of the refresh interval and 10 s. */
  retryIntervalMs?: number;
  /** How long a fetched value may be used without a successful refresh: the outage the stamp rides out. */
  validityMs: number;
  /** Abort a refresh after this long. Default 10 s. */
  fetchTimeoutMs?: number;
}

export interface SecretCacheState {
  name: string;
  loaded: boolean;
  /** When the value in the cache was fetched. */
  fetchedAt?: Date;
  /** Until when it may be served. */
  validUntil?: Date;
  /** The last refresh's error, if the last refresh failed. */
  lastError?: string;
  /** Since when refreshes have been failing. */
  failingSince?: Date;
}

/**
 * A secret read from Key Vault in the background and served from memory. Requests never wait on
 * Key Vault, and a Key Vault outage shorter than `validityMs` is invisible to users.
 */
export class SecretCache {
  readonly name: string;
  private readonly options: SecretCacheOptions;
  private current: { value: string; fetchedAt: number; validUntil: number } | undefined;
  private lastError: string | undefined;
  private failingSince: number | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(options: SecretCacheOptions) {
    if (!(options.refreshIntervalMs > 0) || !(options.validityMs > 0)) {
      throw new RangeError(`SecretCache(${options.name}): refreshIntervalMs and validityMs must be greater than zero`);
    }
    this.name = options.name;
    this.options = options;
  }

  /** Loads now, then keeps refreshing in the background. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.tick();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** The secret, or undefined when it was never loaded or its validity has run out. */
  value(): string | undefined {
    return this.current && Date.now() < this.current.validUntil ? this.current.value : undefined;
  }

  state(): SecretCacheState {
    return {
      name: this.name,
      loaded: this.current !== undefined,
      ...(this.current ? { fetchedAt: new Date(this.current.fetchedAt), validUntil: new Date(this.current.validUntil) } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.failingSince !== undefined ? { failingSince: new Date(this.failingSince) } : {}),
    };
  }

  /** Fetches now (joining a fetch in flight). Never throws: a failure is kept in `state()`. */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private tick(): void {
    void this.refresh().then(() => {
      if (!this.running) return;
      const retry = this.options.retryIntervalMs ?? Math.min(this.options.refreshIntervalMs, 10_000);
      this.timer = setTimeout(() => this.tick(), this.lastError === undefined ? this.options.refreshIntervalMs : retry);
      this.timer.unref();
    });
  }

  private async fetchOnce(): Promise<void> {
    const timeoutMs = this.options.fetchTimeoutMs ?? 10_000;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // Raced as well as signalled: a fetch that ignores its signal must not stall refreshes forever.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`Key Vault did not answer within ${timeoutMs} ms`);
        reject(err);
        controller.abort(err);
      }, timeoutMs);
    });
    try {
      const fetched = await Promise.race([this.options.fetch(controller.signal), timeout]);
      const fetchedAt = Date.now();
      const validUntil = Math.min(fetchedAt + this.options.validityMs, fetched.expiresOn?.getTime() ?? Number.POSITIVE_INFINITY);
      this.current = { value: fetched.value, fetchedAt, validUntil };
      this.lastError = undefined;
      this.failingSince = undefined;
    } catch (err) {
      this.lastError = describeError(err);
      this.failingSince ??= Date.now();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Fetches the latest version of a secret with the Key Vault SDK. */
export function keyVaultSecretFetcher(client: Pick<SecretClient, "getSecret">, name: string): (signal: AbortSignal) => Promise<FetchedSecret> {
  return async (signal) => {
    const secret = await client.getSecret(name, { abortSignal: signal });
    if (secret.value === undefined) throw new Error(`secret "${name}" has no value`);
    return { value: secret.value, ...(secret.properties.expiresOn ? { expiresOn: secret.properties.expiresOn } : {}) };
  };
}
