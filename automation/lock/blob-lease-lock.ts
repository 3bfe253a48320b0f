import * as os from "node:os";
import type { BlobLeaseClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { PrerequisiteError } from "../engine/port.js";
import { describeHolder, type LockHolder, type LockPurpose } from "./file-lock.js";
import type { HeldLock } from "./held-lock.js";
import { busyMessage, EnvironmentBusyError, LockLostError } from "./lock-errors.js";

/**
 * The environment lock shared by every runner of a team: a lease on a blob in the storage account that
 * holds the Pulumi state. Azure grants a blob lease to exactly one client; it lasts 15-60 s and the
 * holder renews it while it works, so a holder that dies stops renewing and its lease simply
 * expires. The holder (pid, host, CI run, start) is written into the blob's metadata under the
 * lease and cleared on release, so a busy lock names its holder and the next acquirer can tell that
 * the previous one never released (`recoveredFrom`).
 *
 * A lease can also end under a live holder (broken from outside, or not renewed in time because the
 * network failed): the lock is then LOST, `lost` fires and `assertHeld()` throws, and the release
 * stops before its next action. The holder declares the loss a safety margin BEFORE the lease
 * could expire, so it never believes it holds a lease someone else may already have.
 */

export interface BlobLeaseLockOptions {
  container: ContainerClient;
  /** Blob name inside the container, e.g. `.contoso/locks/release-dev`. */
  blobName: string;
  /** The environment, named in messages. */
  envName: string;
  purpose: LockPurpose;
  /** Lease duration in whole seconds, 15-60 (Azure's bounds); default 60. */
  leaseSeconds?: number;
  /** How often the lease is renewed; default a quarter of its duration, so three renewals can fail before it expires. */
  renewEveryMs?: number;
  /** Where the CI run id comes from (GITHUB_RUN_ID, BUILD_BUILDID). */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_LEASE_SECONDS = 60;

export async function acquireBlobLeaseLock(options: BlobLeaseLockOptions): Promise<HeldLock> {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 15 || leaseSeconds > 60) {
    throw new RangeError(`a blob lease lasts 15 to 60 whole seconds, not ${leaseSeconds}`);
  }
  const durationMs = leaseSeconds * 1000;
  const renewEveryMs = options.renewEveryMs ?? durationMs / 4;
  const blob = options.container.getBlockBlobClient(options.blobName);
  const where = blob.url.split("?")[0]!;
  const env = options.env ?? process.env;

  await createIfMissing(blob, options);
  const lease = blob.getBlobLeaseClient();
  const sentAt = Date.now();
  try {
    await lease.acquireLease(leaseSeconds);
  } catch (err) {
    if (statusOf(err) !== 409) throw storageProblem(err, options, "acquire a lease on");
    const holder = holderFromMetadata((await blob.getProperties()).metadata ?? {});
    throw new EnvironmentBusyError(
      busyMessage(options.envName, `${holder ? describeHolder(holder) : "a run that is just starting"}, lease on ${where}`),
    );
  }

  const runId = env["GITHUB_RUN_ID"]?.trim() || env["BUILD_BUILDID"]?.trim();
  const me: LockHolder = { pid: process.pid, host: os.hostname(), operation: options.purpose, startedAt: new Date().toISOString(), ...(runId ? { runId } : {}) };
  let recoveredFrom: LockHolder | undefined;
  try {
    // Metadata still naming a holder means that holder never released: its lease expired (it died, or lost the lease).
    recoveredFrom = holderFromMetadata((await blob.getProperties()).metadata ?? {});
    await blob.setMetadata(holderToMetadata(me), { conditions: { leaseId: lease.leaseId } });
  } catch (err) {
    await lease.releaseLease().catch(() => undefined);
    throw storageProblem(err, options, "record the holder on");
  }

  const renewal = keepRenewing(lease, { durationMs, renewEveryMs, sentAt, where, envName: options.envName });
  let released = false;
  const assertHeld = () => {
    if (renewal.lost.aborted) throw renewal.lost.reason as LockLostError;
  };
  return {
    where,
    lost: renewal.lost,
    assertHeld,
    // Asking Azure before an action finds a broken lease at once, not at the next scheduled renewal.
    // A network error alone does not stop the action: the lease is still ours until the watchdog says otherwise.
    confirmHeld: async () => {
      assertHeld();
      await renewal.renewNow();
      assertHeld();
    },
    ...(recoveredFrom ? { recoveredFrom } : {}),
    async release() {
      if (released) return;
      released = true;
      renewal.stop();
      // A lost lease is someone else's now (or nobody's): its metadata is not ours to clear.
      if (renewal.lost.aborted) return;
      // Clear the holder, then let go. If either call fails the lease still expires within
      // leaseSeconds, and the next holder reports us as recovered, which is then the truth; a
      // failure here must not hide the outcome of the release itself.
      try {
        await blob.setMetadata({}, { conditions: { leaseId: lease.leaseId } });
        await lease.releaseLease();
      } catch {
        return;
      }
    },
  };
}

interface Renewal {
  lost: AbortSignal;
  /** Renews at once (joining a renewal in flight); resolves when Azure answered or the attempt failed. */
  renewNow(): Promise<void>;
  stop(): void;
}

/**
 * Renews the lease every `renewEveryMs` until stopped. The lease is lost when Azure says it is no
 * longer ours (409/412: broken, released, or another lease id), or when no renewal succeeded in
 * time: a watchdog fires a margin before the last confirmed lease would expire. Timers are unref'd:
 * holding a lock is no reason to keep a finished process alive (its lease expires on its own).
 */
function keepRenewing(lease: BlobLeaseClient, o: { durationMs: number; renewEveryMs: number; sentAt: number; where: string; envName: string }): Renewal {
  const controller = new AbortController();
  // Aborts a renewal still in flight (the SDK's retry back-off included) once renewing has stopped.
  const halt = new AbortController();
  const marginMs = Math.min(2000, o.durationMs / 10);
  let stopped = false;
  let lastError: string | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;

  const stop = () => {
    stopped = true;
    clearTimeout(renewTimer);
    clearTimeout(watchdog);
    halt.abort();
  };
  const lose = (reason: string) => {
    if (stopped) return;
    stop();
    controller.abort(
      new LockLostError(`lost the lock of ${o.envName}: ${reason}; stopped before the next action so two runs never change Front Door at once`),
    );
  };
  // The lease was granted no earlier than the request left: counting from there is conservative.
  const confirmedUntil = (sentAt: number) => {
    clearTimeout(watchdog);
    const late = () => `could not renew the lease on ${o.where} before it expired${lastError ? ` (last error: ${lastError})` : ""}`;
    watchdog = setTimeout(() => lose(late()), Math.max(0, sentAt + o.durationMs - marginMs - Date.now()));
    watchdog.unref();
  };
  const schedule = (ms: number) => {
    clearTimeout(renewTimer);
    renewTimer = setTimeout(() => void renewOnce(), ms);
    renewTimer.unref();
  };
  // One renewal at a time: a timer firing while renewNow() waits joins the same request.
  let inFlight: Promise<void> | undefined;
  const renewOnce = (): Promise<void> => {
    inFlight ??= renew().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const renew = async () => {
    if (stopped) return;
    const sentAt = Date.now();
    try {
      // A hung request must not hold up the next attempt.
      await lease.renewLease({ abortSignal: AbortSignal.any([AbortSignal.timeout(Math.max(1000, o.renewEveryMs)), halt.signal]) });
      if (stopped) return;
      lastError = undefined;
      confirmedUntil(sentAt);
      schedule(o.renewEveryMs);
    } catch (err) {
      if (stopped) return;
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) {
        lose(`the lease on ${o.where} was broken, released or taken over (${codeOf(err) ?? `HTTP ${status}`})`);
        return;
      }
      lastError = err instanceof Error ? err.message.split("\n")[0] : String(err);
      schedule(Math.min(o.renewEveryMs, 1000));
    }
  };

  confirmedUntil(o.sentAt);
  schedule(o.renewEveryMs);
  return { lost: controller.signal, stop, renewNow: renewOnce };
}

/** The lock blob exists once per environment; creating it races harmlessly (409/412: someone else did). */
async function createIfMissing(blob: BlockBlobClient, options: BlobLeaseLockOptions): Promise<void> {
  try {
    await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } });
  } catch (err) {
    const status = statusOf(err);
    if (status === 409 || status === 412) return;
    throw storageProblem(err, options, "create");
  }
}

/** Metadata keys: Azure requires C# identifiers and keeps them lowercase. */
function holderToMetadata(holder: LockHolder): Record<string, string> {
  return {
    holderpid: String(holder.pid),
    holderhost: holder.host,
    holderpurpose: holder.operation,
    holderstartedat: holder.startedAt,
    ...(holder.runId ? { holderrunid: holder.runId } : {}),
  };
}

export function holderFromMetadata(metadata: Record<string, string>): LockHolder | undefined {
  const pid = Number(metadata["holderpid"]);
  const host = metadata["holderhost"];
  if (!Number.isInteger(pid) || !host) return undefined;
  return {
    pid,
    host,
    operation: (metadata["holderpurpose"] ?? "release") as LockPurpose,
    startedAt: metadata["holderstartedat"] ?? "an unknown time",
    ...(metadata["holderrunid"] ? { runId: metadata["holderrunid"] } : {}),
  };
}

/** A storage failure outside the lock's own protocol, as one line saying what to fix. */
function storageProblem(err: unknown, options: BlobLeaseLockOptions, verb: string): Error {
  const status = statusOf(err);
  const what = `the release lock blob ${options.blobName} in ${options.container.url.split("?")[0]}`;
  if (status === 404) {
    return new PrerequisiteError(`cannot ${verb} ${what}: the container does not exist (create it, or point CONTOSO_RELEASE_LOCK at one that does)`);
  }
  if (status === 403 || status === 401) {
    return new PrerequisiteError(
      `cannot ${verb} ${what}: access denied (set AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or give your identity Storage Blob Data Contributor on the container)`,
    );
  }
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return new PrerequisiteError(`cannot ${verb} ${what}: ${message}`);
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown; details?: { errorCode?: unknown } } | null);
  const value = code?.details?.errorCode ?? code?.code;
  return typeof value === "string" ? value : undefined;
}
