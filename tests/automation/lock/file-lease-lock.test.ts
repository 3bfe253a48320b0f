import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { acquireFileLease, FileLockBusyError } from "../../../automation/lock/file-lease-lock.js";
import { LockLostError } from "../../../automation/lock/lock-errors.js";
import { tempDir } from "../cli-harness.js";

/**
 * The environment lock in a folder (offline state, or a file:// backend shared by machines): a
 * lease that a holder renews and that anyone may take over once expired, wherever the holder ran.
 * Time is a modelled clock the test moves, never the machine's speed.
 */

function clock(start = Date.parse("2030-01-01T00:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection, but it resolved");
}

describe("file lease lock (automation/lock/file-lease-lock.ts)", () => {
  let file: string;
  beforeEach(() => {
    file = path.join(tempDir("file-lease"), "locks", "release-dev.lock");
  });

  it("a second acquirer is refused, naming the holder; once released the next one gets it with nothing to recover", async () => {
    const c = clock();
    const first = await acquireFileLease(file, { purpose: "release", now: c.now, leaseMs: 10_000 });
    const busy = await rejection(acquireFileLease(file, { purpose: "global up", now: c.now }));
    expect(busy).to.be.instanceOf(FileLockBusyError);
    expect((busy as FileLockBusyError).holder).to.match(new RegExp(`^pid ${process.pid} on ${os.hostname()} \\(release since 2030-01-01T00:00:00.000Z\\), lease until 2030-01-01T00:00:10.000Z$`));
    await first.release();
    expect(existsSync(path.dirname(file)), "the last lock released leaves no lock folder").to.equal(false);
    const second = await acquireFileLease(file, { purpose: "global up", now: c.now });
    expect(second.recoveredFrom).to.equal(undefined);
    await second.release();
  });

  it("a holder that died on another host is taken over once its lease expired, and reported; not before", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    const dead = { pid: 4242, host: "runner-on-another-host", operation: "release", startedAt: "2030-01-01T00:00:00.000Z", token: "t-dead", leaseMs: 60_000, expiresAt: new Date(c.now() + 60_000).toISOString() };
    writeFileSync(file, JSON.stringify(dead));
    const busy = await rejection(acquireFileLease(file, { purpose: "release", now: c.now }));
    expect((busy as FileLockBusyError).holder).to.include("runner-on-another-host");
    c.advance(60_001);
    const taken = await acquireFileLease(file, { purpose: "release", now: c.now });
    expect(taken.recoveredFrom).to.include({ pid: 4242, host: "runner-on-another-host" });
    expect(JSON.parse(readFileSync(file, "utf8")).pid).to.equal(process.pid);
    await taken.release();
  });

  it("a lock of another host without a lease (written by an older version) is never taken", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 4242, host: "runner-on-another-host", operation: "release", startedAt: "2020-01-01T00:00:00.000Z" }));
    c.advance(365 * 24 * 3600_000);
    expect(await rejection(acquireFileLease(file, { purpose: "release", now: c.now }))).to.be.instanceOf(FileLockBusyError);
  });

  it("a holder on this host whose process is gone is taken over at once, lease or not", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname(), operation: "release", startedAt: "2030-01-01T00:00:00.000Z", token: "x", leaseMs: 60_000, expiresAt: new Date(c.now() + 60_000).toISOString() }));
    const taken = await acquireFileLease(file, { purpose: "release", now: c.now });
    expect(taken.recoveredFrom?.pid).to.equal(2 ** 22 + 17);
    await taken.release();
  });

  it("renewal keeps the lock: a lease renewed before expiry is not taken over", async () => {
    const c = clock();
    const holder = await acquireFileLease(file, { purpose: "release", now: c.now, leaseMs: 1_000 });
    c.advance(900);
    await holder.confirmHeld(); // renews: now expires at 1 900
    c.advance(600); // 1 500: past the first expiry, within the renewed one
    expect(await rejection(acquireFileLease(file, { purpose: "release", now: c.now }))).to.be.instanceOf(FileLockBusyError);
    await holder.release();
  });

  it("a holder whose expired lease was taken over learns it at its next check: lost, and its release leaves the new holder's lock alone", async () => {
    const c = clock();
    const stalled = await acquireFileLease(file, { purpose: "release", now: c.now, leaseMs: 1_000 });
    c.advance(5_000); // it stalled longer than its lease
    const taker = await acquireFileLease(file, { purpose: "release", now: c.now });
    expect(taker.recoveredFrom?.pid).to.equal(process.pid);
    const lost = await rejection(stalled.confirmHeld());
    expect(lost).to.be.instanceOf(LockLostError);
    expect(stalled.lost.aborted).to.equal(true);
    expect(() => stalled.assertHeld()).to.throw(LockLostError);
    await stalled.release();
    expect(existsSync(file), "the taker's lock stays").to.equal(true);
    await taker.release();
  });

  it("a release while a renewal is in flight leaves no lock behind (the renewal's rewrite lands first, then the release removes it)", async () => {
    // Found by the every-call crash run under load: the timer's renewal had read the lock as ours
    // and was writing it back when the command released it, so the file reappeared after the
    // process exited and blocked other hosts' runners until its lease expired.
    const c = clock();
    let paused: (() => void) | undefined;
    let reached: () => void = () => undefined;
    const atWrite = new Promise<void>((resolve) => (reached = resolve));
    const holder = await acquireFileLease(file, {
      purpose: "release",
      now: c.now,
      leaseMs: 10_000,
      beforeRenewalWrite: () => {
        reached();
        return new Promise<void>((resolve) => (paused = resolve));
      },
    });
    const renewal = holder.confirmHeld();
    await atWrite;
    const release = holder.release();
    // Hold the renewal longer than a release would wait for a busy guard: the release must wait
    // for the renewal itself, not give up on the guard nor run ahead of the write.
    await new Promise((resolve) => setTimeout(resolve, 250));
    paused!();
    await Promise.all([renewal, release]);
    expect(existsSync(file), "no lock file after release").to.equal(false);
    expect(holder.lost.aborted, "a release is no lost lock").to.equal(false);
    const next = await acquireFileLease(file, { purpose: "global up", now: c.now });
    expect(next.recoveredFrom, "the next runner finds nothing to recover").to.equal(undefined);
    await next.release();
  });

  it("a release never removes a lock a runner is taking over: it checks and removes under the guard", async () => {
    const c = clock();
    const holder = await acquireFileLease(file, { purpose: "release", now: c.now, leaseMs: 1_000 });
    // A taker of this (expired) lease holds the guard while it replaces the file; this runner
    // releases meanwhile: it must wait for the guard, not remove the file the taker is replacing.
    writeFileSync(`${file}.guard`, JSON.stringify({ pid: process.pid, host: os.hostname() }));
    const release = holder.release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.parse(readFileSync(file, "utf8")).pid, "untouched while the guard is held").to.equal(process.pid);
    writeFileSync(file, JSON.stringify({ pid: 777, host: "runner-a", operation: "release", startedAt: "y", token: "fresh", leaseMs: 60_000, expiresAt: new Date(c.now() + 60_000).toISOString() }));
    rmSync(`${file}.guard`);
    await release;
    expect(JSON.parse(readFileSync(file, "utf8")).token, "the taker's lock stays").to.equal("fresh");
  });

  it("two runners racing for one expired lock: exactly one takes it over", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 4242, host: "gone-host", operation: "release", startedAt: "2030-01-01T00:00:00.000Z", token: "t", leaseMs: 1000, expiresAt: new Date(c.now() - 1).toISOString() }));
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([acquireFileLease(file, { purpose: "a", now: c.now }), acquireFileLease(file, { purpose: "b", now: c.now })]);
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won, `round ${round}`).to.have.length(1);
      expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).to.be.instanceOf(FileLockBusyError);
      // Leave an expired lock of another host for the next round.
      await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireFileLease>>>).value.release();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ pid: 4242, host: "gone-host", operation: "release", startedAt: "x", token: `t${round}`, leaseMs: 1000, expiresAt: new Date(c.now() - 1).toISOString() }));
    }
  });

  it("a lock another runner took over between this runner's look and its own takeover is left to that runner", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 4242, host: "gone-host", operation: "release", startedAt: "x", token: "stale", leaseMs: 1000, expiresAt: new Date(c.now() - 1).toISOString() }));
    // This runner's clock is read right after it judged the lock stale (its third reading): at that
    // moment another runner completes its own takeover, as it could on another host.
    let readings = 0;
    const now = () => {
      if (++readings === 3) {
        writeFileSync(file, JSON.stringify({ pid: 777, host: "runner-a", operation: "release", startedAt: "y", token: "fresh", leaseMs: 60_000, expiresAt: new Date(c.now() + 60_000).toISOString() }));
      }
      return c.now();
    };
    const busy = await rejection(acquireFileLease(file, { purpose: "release", now }));
    expect(busy).to.be.instanceOf(FileLockBusyError);
    expect((busy as FileLockBusyError).holder).to.include("runner-a");
    expect(JSON.parse(readFileSync(file, "utf8")).token, "runner-a's lock stays").to.equal("fresh");
  });

  it("a guard left by a runner killed while renewing does not block a takeover; a live runner's guard does", async () => {
    const c = clock();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 4242, host: "gone-host", operation: "release", startedAt: "x", token: "t", leaseMs: 1000, expiresAt: new Date(c.now() - 1).toISOString() }));
    writeFileSync(`${file}.guard`, JSON.stringify({ pid: process.pid, host: os.hostname() }));
    expect(await rejection(acquireFileLease(file, { purpose: "release", now: c.now }))).to.be.instanceOf(FileLockBusyError);
    writeFileSync(`${file}.guard`, JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname() }));
    const taken = await acquireFileLease(file, { purpose: "release", now: c.now });
    expect(taken.recoveredFrom?.host).to.equal("gone-host");
    expect(existsSync(`${file}.guard`)).to.equal(false);
    await taken.release();
  });

  it("an empty lock file (a holder killed before writing its name) is taken over only once abandoned", async () => {
    const c = clock(Date.now());
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
    expect(await rejection(acquireFileLease(file, { purpose: "release", now: c.now }))).to.be.instanceOf(FileLockBusyError);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const taken = await acquireFileLease(file, { purpose: "release", now: c.now });
    expect(taken.recoveredFrom?.host).to.equal("unknown");
    await taken.release();
  });
});
