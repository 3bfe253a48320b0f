/**
 * Real local servers for the health checks' tests: Debian's `redis-server` and the Azurite blob
 * emulator from node_modules, each on a free loopback port, started and stopped by the tests.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer, connect } from "node:net";
import { dirname, join } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** 60 s: Azurite's start takes seconds of CPU, far more on a loaded machine. A server that never listens is killed, not left behind. */
async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

export interface LocalRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (connections drop at once), as a crashed or unreachable cache would. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** Starts `redis-server` on a free loopback port with persistence off. Fails (never skips) when it is not installed. */
export async function startRedis(): Promise<LocalRedis> {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error) {
    throw new Error(
      `redis-server is not installed (${probe.error.message}); the Redis health tests need a real server: run \`apt-get update && apt-get install -y redis-server\``,
    );
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: LocalRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      await waitForPort(port, child, "redis-server");
    },
    stop: () => stopChild(child),
  };
  await redis.start();
  return redis;
}

export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's documented, well-known development account key (not a secret). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface LocalAzurite {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite's blob service in memory on a free loopback port. */
export async function startAzuriteBlob(): Promise<LocalAzurite> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve("azurite/package.json")), "dist/src/blob/main.js");
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [main, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--blobHost", "127.0.0.1", "--blobPort", String(port)],
    { stdio: "ignore" },
  );
  await waitForPort(port, child, "azurite-blob");
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    stop: () => stopChild(child),
  };
}
