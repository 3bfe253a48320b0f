#!/usr/bin/env node
// `npm test`: provision what the tests need, then the type-check and the test files side by side.
//
// 1. redis-server: the Redis health-check tests run against a real one. When it is missing and this
//    runs as root where apt-get exists (CI, a fresh container of our kind), install it; otherwise
//    say the one command to run. The Redis tests themselves fail (never skip) without it.
// 2. `tsc --noEmit` (about 6 s of CPU) and mocha (parallel test files, see .mocharc.json) start at
//    once; the run fails when either fails, and tsc's findings are printed after mocha's report.
import { spawn } from "node:child_process";
import { provisionRedis } from "./provision-redis.mjs";

function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, opts);
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.on("error", (err) => resolve({ code: 1, out: `${cmd}: ${err.message}\n` }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

provisionRedis();
const started = Date.now();
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
// tsc's output is held back so it does not interleave with mocha's report.
const typecheck = run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"], { stdio: ["ignore", "pipe", "pipe"] });
const tests = run(bin("mocha"), ["tests/**/*.test.ts", ...process.argv.slice(2)], { stdio: "inherit" });
const [tsc, mocha] = await Promise.all([typecheck, tests]);
if (tsc.code !== 0) process.stdout.write(`\ntype-check failed (tsc --noEmit -p tsconfig.json):\n${tsc.out}`);
else process.stdout.write(`\ntype-check passed (tsc --noEmit -p tsconfig.json)\n`);
process.stdout.write(`npm test: ${((Date.now() - started) / 1000).toFixed(0)} s for the type-check and the tests\n`);
process.exitCode = tsc.code !== 0 || mocha.code !== 0 ? 1 : 0;
