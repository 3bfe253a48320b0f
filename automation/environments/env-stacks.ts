import { parseStackName, TAG } from "../../environments/stacks.js";
import type { Engine, StackSummary } from "../engine/port.js";

/**
 * The stacks of one environment: those tagged with it, and those named for it (a stack whose
 * first `up` crashed before its tags were written is still found by its name).
 */
export function belongsTo(env: string, stack: Pick<StackSummary, "name" | "tags">): boolean {
  if (stack.tags[TAG.env] === env) return true;
  try {
    return parseStackName(stack.name).env === env;
  } catch {
    return false;
  }
}

export async function stacksOf(engine: Engine, env: string): Promise<StackSummary[]> {
  return (await engine.listStacks()).filter((s) => belongsTo(env, s));
}

export function isGlobal(stack: Pick<StackSummary, "name">): boolean {
  try {
    return parseStackName(stack.name).kind === "global";
  } catch {
    return false;
  }
}
