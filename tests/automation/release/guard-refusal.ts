import { expect } from "chai";
import { InvariantError } from "../../../automation/release/invariants.js";
import type { Action, World } from "../../../automation/release/model.js";
import { guard } from "../../../automation/release/reconciler.js";

/** The guard's refusal of `action` in world `w` (an InvariantError's message); fails the test when the guard lets it through. */
export function refused(action: Action, w: World): string {
  try {
    guard(action, w);
  } catch (err) {
    expect(err).to.be.instanceOf(InvariantError);
    return (err as Error).message;
  }
  throw new Error(`the guard let ${action.kind} through`);
}
