import { InputError } from "../../environments/index.js";
import type { Engine, OperationOptions } from "../engine/port.js";
import { acquireEnvironmentLock } from "../lock/environment-lock.js";
import { destroyStack } from "../stacks/destroy-stack.js";
import { TAG } from "../../environments/stacks.js";
import { isGlobal, stacksOf } from "./env-stacks.js";
import { checkDownOwner } from "./name-guard.js";
import { valuesOrThrow, type TaskRunner } from "./tasks.js";

/**
 * `env down`: destroys a personal environment's stamps (side by side), then its global stack, and
 * removes each stack once it is empty. A stamp that fails to go keeps the global stack in place
 * (it still holds the stamp's Front Door origin and the data it used); running `env down` again
 * finishes the job. Takes the environment's release lock, so no release or `env up` runs meanwhile.
 */

/** `env down --missing-ok` exits with this when the environment had no stacks: not a failure, not a bad input either. */
export const EXIT_NOTHING_TO_DESTROY = 6;

/**
 * The environment has no stacks. Without --missing-ok a bad input (exit 2, a typo in the name looks
 * the same); with it, a code of its own, so a teardown can tell "already gone" from a missing CLI,
 * missing credentials or a bad name, which all exit 2.
 */
export class NothingToDestroyError extends InputError {
  constructor(readonly env: string) {
    super(`${env} has no stacks: nothing to destroy (see contoso env ls)`);
  }
}

export interface EnvDownResult {
  env: string;
  destroyed: string[];
}

/** Who runs `env down`, and the `--confirm` they gave: someone else's environment needs `--confirm <env>`. */
export interface EnvDownActor {
  actor: string;
  confirm?: string | undefined;
}

export async function envDown(
  engine: Engine,
  env: string,
  deps: { run: TaskRunner; log: (line: string) => void },
  who?: EnvDownActor,
): Promise<EnvDownResult> {
  const lock = await acquireEnvironmentLock(engine, env, { purpose: "env down", onWarning: deps.log });
  try {
    const stacks = await stacksOf(engine, env);
    if (stacks.length === 0) throw new NothingToDestroyError(env);
    if (who) {
      const owner = (stacks.find((s) => isGlobal(s)) ?? stacks[0])!.tags[TAG.owner] ?? null;
      checkDownOwner(env, owner, who.actor, who.confirm);
    }
    const stamps = stacks.filter((s) => !isGlobal(s)).map((s) => s.name);
    const globals = stacks.filter((s) => isGlobal(s)).map((s) => s.name);
    const task = (stack: string) => ({ stack, verb: "destroy", run: (o: OperationOptions) => destroyStack(engine, stack, o) });
    // Each batch starts only while the lock is still ours (a blob lease can be lost under us).
    if (stamps.length > 0) {
      await lock.confirmHeld();
      valuesOrThrow(await deps.run(stamps.map(task)), deps.log);
    }
    if (globals.length > 0) {
      await lock.confirmHeld();
      valuesOrThrow(await deps.run(globals.map(task)), deps.log);
    }
    return { env, destroyed: [...stamps, ...globals] };
  } finally {
    await lock.release();
  }
}
