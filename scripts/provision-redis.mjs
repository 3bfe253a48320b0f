#!/usr/bin/env node
// Makes sure a real redis-server is on the PATH for the Redis health-check tests (scripts/test.mjs
// calls it before the tests; `node scripts/provision-redis.mjs` runs it alone). Installs Debian's
// package when it can (root, apt-get present); otherwise prints the one command to run. It never
// makes the tests skip: without redis-server they fail with that same command.
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REDIS_INSTALL = "apt-get update && apt-get install -y redis-server";

function hasCommand(cmd, args = ["--version"]) {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return !r.error;
}

/** true when redis-server is (now) available. */
export function provisionRedis() {
  if (hasCommand("redis-server")) return true;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !hasCommand("apt-get", ["--version"])) {
    process.stderr.write(`npm test: redis-server is not installed and cannot be installed from here (needs root and apt-get); the Redis tests will fail until you run: ${REDIS_INSTALL}\n`);
    return false;
  }
  process.stderr.write(`npm test: redis-server is missing; installing it with apt-get (once per machine)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", "redis-server"]]) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (r.status !== 0) {
      process.stderr.write(`npm test: apt-get ${args[0]} failed (exit ${r.status}); the Redis tests will fail until you run: ${REDIS_INSTALL}\n`);
      return false;
    }
  }
  return hasCommand("redis-server");
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = provisionRedis() ? 0 : 1;
}
