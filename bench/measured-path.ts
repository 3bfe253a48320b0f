import { parseStackName } from "../environments/stacks.js";
import type { CriticalPath, PathPart } from "./critical-path.js";
import type { RecordedOperation } from "./recording-engine.js";
import type { TimedAction } from "./release-timing.js";

/**
 * A release's critical path from what its critical operations actually took in this run: the
 * slowest green stamp's own deployment, the gate and the bakes as the driver ran them, every update
 * of the global stack, and the slowest blue stamp's own teardown. Dividing wall time by this leaves
 * only what the driver added between and around those operations (observing, deciding, tags, edge
 * checks, sequencing), whatever the operations themselves cost in CPU on this machine.
 */
export function measuredCriticalPath(
  run: { actions: TimedAction[]; operations: RecordedOperation[] },
  releases: { green: string; blue: string },
): CriticalPath {
  const took = (op: RecordedOperation) => op.endMs - op.startMs;
  const stampOf = (stack: string) => {
    try {
      const parsed = parseStackName(stack);
      return parsed.kind === "stamp" ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  const ok = run.operations.filter((op) => op.ok);
  const greenUps = ok.filter((op) => op.operation === "up" && stampOf(op.stack)?.release === releases.green);
  const globalUps = ok.filter((op) => op.operation === "up" && !stampOf(op.stack));
  const blueTeardown = new Map<string, number>();
  for (const op of ok) {
    if ((op.operation === "destroy" || op.operation === "remove") && stampOf(op.stack)?.release === releases.blue) {
      blueTeardown.set(op.stack, (blueTeardown.get(op.stack) ?? 0) + took(op));
    }
  }
  const actionTime = (kind: TimedAction["kind"]) => run.actions.filter((a) => a.kind === kind).map((a) => a.durationMs ?? 0);

  const parts: PathPart[] = [
    { name: `slowest green stamp deployment (of ${greenUps.length})`, ms: Math.max(0, ...greenUps.map(took)) },
    ...actionTime("gate").map((ms) => ({ name: "health gate", ms })),
    ...globalUps.map((op, i) => ({ name: `global update ${i + 1} of ${globalUps.length}`, ms: took(op) })),
    ...actionTime("bake").map((ms, i) => ({ name: `bake ${i + 1}`, ms })),
    { name: `slowest blue stamp teardown (of ${blueTeardown.size})`, ms: Math.max(0, ...blueTeardown.values()) },
  ];
  return { parts, totalMs: parts.reduce((sum, p) => sum + p.ms, 0) };
}
