import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { BlobLeaseClient, ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { PrerequisiteError } from "../../../automation/engine/port.js";
import { checkpointWhileHeld } from "../../../automation/lock/held-lock.js";
import { reconcile, type ReconcilerEvent } from "../../../automation/release/reconciler.js";
import { acquireEnvironmentLock, EnvironmentBusyError, LockLostError, type HeldLock } from "../../../automation/lock/environment-lock.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteBlob, type LocalAzurite } from "../../stamp/health/local-servers.js";
import { GREEN, SimulatedWorld } from "../release/simulated-world.js";
import type { Engine } from "../../../automation/engine/port.js";
import { envDown } from "../../../automation/environments/env-down.js";
import { runDirectly, type TaskRunner } from "../../../automation/environments/tasks.js";
import { TAG } from "../../../environments/stacks.js";

/**
 * The shared release lock against a real blob service (Azurite, started here, with its well-known
 * development account), reached exactly as a CI runner reaches Azure: CONTOSO_RELEASE_LOCK and the
 * AZURE_STORAGE_* variables, whatever engine runs.
 */

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "hold-environment-lock.ts");
const CONTAINER = "release-locks";
/** Any engine: CONTOSO_RELEASE_LOCK decides, so the offline engine's state folder is never used. */
const ENGINE = { kind: "offline" as const, stateDir: "/nonexistent" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectRejects<E extends Error>(work: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await work;
  } catch (err) {
    expect(err, (err as Error).message).to.be.instanceOf(type);
    expect((err as Error).message, "one line").not.to.include("\n");
    return err as E;
  }
  throw new Error(`expected a ${type.name}, but it resolved`);
}

async function lostWithin(lock: HeldLock, ms: number): Promise<void> {
  if (lock.lost.aborted) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lock did not report lost within ${ms} ms`)), ms);
    lock.lost.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("environment lock on a blob lease (real Azurite)", function () {
  this.timeout(120_000);
  let azurite: LocalAzurite;
  let env: NodeJS.ProcessEnv;
  let container: ContainerClient;
  const held: HeldLock[] = [];
  const take = async (envName: string, extra: { leaseSeconds?: number; env?: NodeJS.ProcessEnv } = {}) => {
    const lock = await acquireEnvironmentLock(ENGINE, envName, { env: { ...env, ...extra.env }, ...(extra.leaseSeconds ? { leaseSeconds: extra.leaseSeconds } : {}) });
    held.push(lock);
    return lock;
  };
  /** Breaks the lease from outside, as an operator (`az storage blob lease break`) or another tool would. */
  const breakFromOutside = async (envName: string) => {
    await new BlobLeaseClient(container.getBlobClient(`.contoso/locks/release-${envName}`)).breakLease(0);
  };

  before(async () => {
    azurite = await startAzuriteBlob();
    env = {
      CONTOSO_RELEASE_LOCK: `azblob://${CONTAINER}?storage_account=${AZURITE_ACCOUNT}`,
      AZURE_STORAGE_IS_LOCAL_EMULATOR: "true",
      AZURE_STORAGE_DOMAIN: `127.0.0.1:${azurite.port}`,
      AZURE_STORAGE_KEY: AZURITE_KEY,
    };
    container = new ContainerClient(`http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}/${CONTAINER}`, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    await container.create();
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((l) => l.release()));
  });
  after(async () => {
    await azurite?.stop();
  });

  it("a second acquirer gets EnvironmentBusyError naming the first holder (pid, host, CI run); release lets it in, with nothing to recover", async () => {
    const first = await take("dev", { env: { GITHUB_RUN_ID: "4711" } });
    expect(first.where).to.equal(`http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}/${CONTAINER}/.contoso/locks/release-dev`);
    expect(first.recoveredFrom).to.equal(undefined);
    const busy = await expectRejects(take("dev"), EnvironmentBusyError);
    expect(busy.exitCode).to.equal(4);
    expect(busy.message).to.match(new RegExp(`^another run is changing dev \\(pid ${process.pid} on .+ \\(release since .+, CI run 4711\\), lease on http://127\\.0\\.0\\.1:${azurite.port}/.*release-dev\\); wait for it`));

    // The holder is in the blob's metadata while held, and gone after release.
    expect((await container.getBlobClient(".contoso/locks/release-dev").getProperties()).metadata).to.include({ holderpid: String(process.pid), holderrunid: "4711" });
    await first.release();
    expect((await container.getBlobClient(".contoso/locks/release-dev").getProperties()).metadata).to.deep.equal({});
    const second = await take("dev");
    expect(second.recoveredFrom, "a clean release leaves nothing to recover").to.equal(undefined);
    expect(second.lost.aborted).to.equal(false);
  });

  it("environments do not share a lock", async () => {
    await take("dev");
    const staging = await take("staging");
    expect(staging.where).to.match(/release-staging$/);
  });

  it("renewal keeps a 15 s lease held for longer than 15 s", async () => {
    const lock = await take("renewed", { leaseSeconds: 15 });
    await sleep(17_000);
    expect(lock.lost.aborted, "still held").to.equal(false);
    expect(() => lock.assertHeld()).not.to.throw();
    await expectRejects(take("renewed"), EnvironmentBusyError);
  });

  it("a holder that dies without releasing: busy while its lease runs, then the next acquirer takes over and reports it as recovered", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, "dead", "15"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
      child.once("exit", (code) => reject(new Error(`the holder exited (${code}) before taking the lock: ${stderr}`)));
    });
    const heldAt = Date.now();
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;

    const busy = await expectRejects(take("dead"), EnvironmentBusyError);
    expect(busy.message, "names the dead holder").to.include(`pid ${child.pid} on`);

    let lock: HeldLock | undefined;
    while (!lock) {
      expect(Date.now() - heldAt, "the dead holder's lease expires within its 15 s (plus slack)").to.be.below(25_000);
      try {
        lock = await take("dead");
      } catch (err) {
        if (!(err instanceof EnvironmentBusyError)) throw err;
        await sleep(500);
      }
    }
    expect(Date.now() - heldAt, "not before the lease ran out").to.be.at.least(14_000);
    expect(lock.recoveredFrom?.pid).to.equal(child.pid);
    expect(lock.recoveredFrom?.operation).to.equal("release");
  });

  it("a lease broken from outside: the holder reports the lock lost, assertHeld throws one line, and the next acquirer reports the lost holder", async () => {
    const lock = await take("broken", { leaseSeconds: 15 });
    await breakFromOutside("broken");
    await lostWithin(lock, 6_000);
    const lost = lock.lost.reason as LockLostError;
    expect(lost).to.be.instanceOf(LockLostError);
    expect(lost.message).to.match(/^lost the lock of broken: the lease on .*release-broken was broken, released or taken over \(LeaseIsBrokenAndCannotBeRenewed\); stopped before the next action/);
    expect(() => lock.assertHeld()).to.throw(LockLostError);

    // A broken lease is free; the lost holder never cleared its name, so the next one reports it.
    const next = await take("broken");
    expect(next.recoveredFrom?.pid).to.equal(process.pid);
    // The lost holder's release must not clear the new holder's record or touch its lease.
    await lock.release();
    expect((await container.getBlobClient(".contoso/locks/release-broken").getProperties()).metadata).to.include({ holderpid: String(process.pid) });
    expect(next.lost.aborted).to.equal(false);
    await expectRejects(take("broken"), EnvironmentBusyError);
  });

  it("confirmHeld asks Azure: a lease broken a moment ago is found at once, not at the next renewal", async () => {
    const lock = await take("confirm"); // 60 s lease: the next scheduled renewal is 15 s away
    await lock.confirmHeld();
    await breakFromOutside("confirm");
    expect(lock.lost.aborted, "nothing has noticed yet").to.equal(false);
    const started = Date.now();
    const err = await expectRejects(lock.confirmHeld(), LockLostError);
    expect(Date.now() - started).to.be.below(2_000);
    expect(err.message).to.match(/^lost the lock of confirm: /);
    expect(lock.lost.aborted).to.equal(true);
  });

  it("a release run whose lease is broken mid-action stops before its next action: Front Door is not changed again", async () => {
    const lock = await take("run", { leaseSeconds: 15 });
    const world = new SimulatedWorld({ regions: ["weu", "neu"], steps: [10, 50, 100], firstRelease: false, greenHealth: ["healthy", "healthy"], operationFaults: [], crashes: [] });
    const sim = world.ports([]);
    const executed: string[] = [];
    const events: ReconcilerEvent[] = [];
    let originsAtLoss = "";
    const ports = {
      ...sim,
      emit: (e: ReconcilerEvent) => events.push(e),
      checkpoint: checkpointWhileHeld(lock, sim.checkpoint),
      execute: async (...args: Parameters<typeof sim.execute>) => {
        const [action] = args;
        executed.push(action.kind + ("percent" in action ? `:${action.percent}` : ""));
        const result = await sim.execute(...args);
        // The lease goes while the first weight shift is in flight (as when another runner or an operator breaks it).
        if (action.kind === "shift" && action.percent === 10) {
          await breakFromOutside("run");
          await lostWithin(lock, 6_000);
          originsAtLoss = JSON.stringify(world.origins);
        }
        return result;
      },
    };
    const err = await expectRejects(reconcile({ regions: ["weu", "neu"], steps: [10, 50, 100] }, ports), LockLostError);
    expect(err.message).to.match(/^lost the lock of run: /);
    expect(executed, "nothing ran after the action during which the lock was lost").to.deep.equal(["deploy-green", "gate", "shift:10"]);
    expect(JSON.stringify(world.origins), "Front Door origins stay as the lost run left them").to.equal(originsAtLoss);
    expect(world.origins.filter((o) => o.release === GREEN && o.enabled), "green stays at its first step").to.have.length(2);
    expect(world.liveRelease).not.to.equal(GREEN);
    expect(world.violations).to.deep.equal([]);
    expect(events.filter((e) => e.type === "action-failed"), "a lost lock is not retried like a failed operation").to.deep.equal([]);
  });

  it("env down whose lease is broken after the stamps: the global stack is not destroyed", async () => {
    const destroyed: string[] = [];
    const engine = {
      kind: "offline",
      stateDir: "/nonexistent",
      listStacks: async () => [
        { name: "dev-zed-weu-r1", tags: { [TAG.env]: "dev-zed" } },
        { name: "dev-zed-global", tags: { [TAG.env]: "dev-zed" } },
      ],
      destroy: async (stack: string) => void destroyed.push(stack),
      remove: async () => undefined,
      outputs: async () => undefined,
    } as unknown as Engine;
    const direct = runDirectly();
    let batches = 0;
    // envDown takes the lock from the process environment, as the CLI does.
    const saved = { ...process.env };
    Object.assign(process.env, env, { CONTOSO_RELEASE_LOCK: `azblob://${CONTAINER}?storage_account=${AZURITE_ACCOUNT}` });
    try {
      const run: TaskRunner = async (tasks) => {
        const outcomes = await direct(tasks);
        if (++batches === 1) {
          // The stamps are gone; now the lease is broken from outside, before the global stack's turn.
          await breakFromOutside("dev-zed");
        }
        return outcomes;
      };
      const err = await expectRejects(envDown(engine, "dev-zed", { run, log: () => undefined }), LockLostError);
      expect(err.message).to.match(/^lost the lock of dev-zed: /);
      expect(destroyed).to.deep.equal(["dev-zed-weu-r1"]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it("a holder that cannot reach storage declares the lock lost before its lease could expire", async () => {
    // Its own blob service, stopped under the holder: every renewal fails with a network error.
    const own = await startAzuriteBlob();
    try {
      const ownEnv = { ...env, AZURE_STORAGE_DOMAIN: `127.0.0.1:${own.port}` };
      await new ContainerClient(`http://127.0.0.1:${own.port}/${AZURITE_ACCOUNT}/${CONTAINER}`, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).create();
      const lock = await take("unreachable", { leaseSeconds: 15, env: ownEnv });
      const acquiredAt = Date.now();
      await own.stop();
      await lostWithin(lock, 16_000);
      const lostAfter = Date.now() - acquiredAt;
      expect(lostAfter, "only once renewals kept failing").to.be.at.least(10_000);
      expect(lostAfter, "before the 15 s lease could have passed to someone else").to.be.below(15_000);
      expect((lock.lost.reason as Error).message).to.match(/^lost the lock of unreachable: could not renew the lease on .*release-unreachable before it expired \(last error: .+\)/);
    } finally {
      await own.stop();
    }
  });

  it("a container that does not exist: one line saying what to fix, no lock", async () => {
    const err = await expectRejects(acquireEnvironmentLock(ENGINE, "dev", { env: { ...env, CONTOSO_RELEASE_LOCK: `azblob://missing-container?storage_account=${AZURITE_ACCOUNT}` } }), PrerequisiteError);
    expect(err.message).to.match(/the container does not exist \(create it, or point CONTOSO_RELEASE_LOCK at one that does\)/);
  });

  it("a wrong key: access denied, one line naming the settings", async () => {
    const err = await expectRejects(
      acquireEnvironmentLock(ENGINE, "dev", { env: { ...env, AZURE_STORAGE_KEY: Buffer.from("not the key").toString("base64") } }),
      PrerequisiteError,
    );
    expect(err.message).to.match(/access denied \(set AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN/);
  });
});
