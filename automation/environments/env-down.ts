import { InputError } from "../../environments/index.js";
import type { Engine, OperationOptions } from "../engine/port.js";
import { acquireEnvironmentLock } from "../lock/environment-lock.js";
import { destroyStack } from "../stacks/destroy-stack.js";
import { isGlobal, stacksOf } from "./env-stacks.js";
import { valuesOrThrow, type TaskRunner } from "./tasks.js";

/**
 * `env down`: destroys a personal environment's stamps (side by side), then its global stack, and
 * removes each stack once it is empty. A stamp that fails to go keeps the global stack in place
 * (it still holds the stamp's Front Door origin and the data it used); running `env down` again
 * finishes the job. Takes the environment's release lock, so no release or `env up` runs meanwhile.
 */

export interface EnvDownResult {
  env: string;
  destroyed: string[];
}

export async function envDown(engine: Engine, env: string, deps: { run: TaskRunner; log: (line: string) => void }): Promise<EnvDownResult> {
  const lock = await acquireEnvironmentLock(engine, env, { purpose: "env down", onWarning: deps.log });
  try {
    const stacks = await stacksOf(engine, env);
    if (stacks.length === 0) throw new InputError(`${env} has no stacks: nothing to destroy (see contoso env ls)`);
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
