import { loadFaultPlan } from "./fault-plan.js";
import { offlineStateDir } from "./state-dir.js";

/**
 * Crash injection for the release driver (DESIGN.md: "the process dies mid-release"). The driver
 * calls `checkpoint("after:deploy-green")` between steps; when the fault plan's `crash` names that
 * checkpoint and this is the chosen occurrence, the process kills itself with SIGKILL: no cleanup,
 * no finally blocks, no lock release, exactly like a lost VM. Occurrences are counted per process,
 * so the resumed run (a new process) passes the same checkpoint.
 */

const seen = new Map<string, number>();

export async function checkpoint(name: string, stateDir: string = offlineStateDir()): Promise<void> {
  const count = (seen.get(name) ?? 0) + 1;
  seen.set(name, count);
  const plan = await loadFaultPlan(stateDir);
  if (plan.crash && plan.crash.at === name && (plan.crash.occurrence ?? 1) === count) {
    process.stderr.write(`fault injection: crashing at checkpoint ${name} (occurrence ${count})\n`);
    process.kill(process.pid, "SIGKILL");
  }
}
