import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { Engine } from "../engine/port.js";
import { lockName } from "./environment-lock.js";
import { lockContainerClient } from "./lock-container-client.js";
import { releaseLockPlacement } from "./lock-location.js";

/**
 * How `release abort` reaches a release that another process runs: it cannot take the environment
 * lock (the release holds it), and writing the release record itself would race the holder (a lost
 * update). So it leaves a request beside the lock, naming the release it aborts; the holder reads
 * it at every probe interval and at every step, and turns the release back itself, under its lock.
 * A request for another release (one that ended before it was read) is ignored and cleared.
 */

export interface AbortRequest {
  /** The release to turn back: a request outlives nothing but that release. */
  release: string;
  keepFailed: boolean;
  requestedAt: string;
  /** Who asked (pid and host), for the holder's log line. */
  by: string;
}

export interface AbortMailbox {
  /** Where requests are left, for messages. */
  where: string;
  post(request: AbortRequest): Promise<void>;
  read(): Promise<AbortRequest | undefined>;
  clear(): Promise<void>;
}

export async function abortMailbox(engine: Pick<Engine, "kind" | "stateDir" | "backendUrl">, envName: string, env: NodeJS.ProcessEnv = process.env): Promise<AbortMailbox> {
  const { location } = releaseLockPlacement(engine, env);
  const name = `${lockName(envName)}.abort-request`;
  if (location.kind === "blob") {
    const blob = (await lockContainerClient(location, env)).getBlockBlobClient(`${location.blobPrefix}${name}`);
    return {
      where: blob.url.split("?")[0]!,
      async post(request) {
        const body = JSON.stringify(request);
        await blob.upload(body, Buffer.byteLength(body));
      },
      async read() {
        try {
          return parseRequest((await blob.downloadToBuffer()).toString("utf8"));
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return undefined;
          throw err;
        }
      },
      async clear() {
        await blob.deleteIfExists();
      },
    };
  }
  const file = path.join(location.dir, "locks", `${name}.json`);
  return {
    where: file,
    async post(request) {
      await mkdir(path.dirname(file), { recursive: true });
      // Written whole (temporary file, then rename), so the holder never reads half a request.
      await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(request));
      await rename(`${file}.${process.pid}.tmp`, file);
    },
    async read() {
      try {
        return parseRequest(await readFile(file, "utf8"));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async clear() {
      await rm(file, { force: true });
    },
  };
}

function parseRequest(text: string): AbortRequest | undefined {
  try {
    const v = JSON.parse(text) as Partial<AbortRequest>;
    if (typeof v.release !== "string") return undefined;
    return { release: v.release, keepFailed: v.keepFailed === true, requestedAt: String(v.requestedAt ?? ""), by: String(v.by ?? "another process") };
  } catch {
    return undefined;
  }
}
