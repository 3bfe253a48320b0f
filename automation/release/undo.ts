import { InputError } from "../../environments/errors.js";
import { globalStackName } from "../../environments/stacks.js";
import type { ObservedStamp, World } from "./model.js";
import { windowOpen } from "./retention-tag.js";

/**
 * Whether `release undo` may put the retained blue back, decided on what was observed (pure: the
 * clock is an argument). Argo Rollouts' `undo` rolls back to the previous revision; here the
 * previous release's stamps must still exist, which is what the undo window guarantees: after
 * promotion they stay deployed, origins disabled, for the environment's `blueRetention`, then the
 * reaper removes them. Anything that says they may not be whole refuses the undo (one line, exit 2,
 * nothing changed): going back is then a new release of the old version.
 */
export interface UndoPlan {
  /** The retained release that serves again. */
  retained: string;
  /** The live release being undone (its stamps are removed afterwards). */
  undone: string;
  /** The retained stamps, whose health is checked through their stamp endpoints before any change. */
  stamps: ObservedStamp[];
  until: string;
}

export function planUndo(world: World, now: Date): UndoPlan {
  const env = world.env;
  const refuse = (why: string): never => {
    throw new InputError(`cannot undo in ${env}: ${why}; nothing was changed`);
  };
  if (!world.global.exists) refuse(`its global stack ${globalStackName(env)} is not deployed`);
  if (world.intent) {
    refuse(`release ${world.intent.release} is in progress (${world.intent.mode}): let it end, or run "contoso release abort --env ${env}"`);
  }
  const live = world.global.liveRelease;
  const retention = world.retention ?? null;
  if (!retention) refuse(`no previous release is retained (live release ${live ?? "none"}; the environment's blueRetention keeps one after each promotion)`);
  const r = retention!;
  if (r.from !== live) refuse(`the retained release ${r.release} was kept when ${r.from} went live, but ${live ?? "nothing"} is live now`);
  if (!windowOpen(r, now)) {
    refuse(`the undo window of ${r.release} ended at ${r.until} (now ${now.toISOString()}); release ${r.release} again instead`);
  }
  const origins = world.global.origins.filter((o) => o.release === r.release);
  if (origins.length === 0) refuse(`the Front Door origins of ${r.release} are gone; release ${r.release} again instead`);
  const enabled = origins.filter((o) => o.enabled);
  if (enabled.length > 0) refuse(`${enabled.map((o) => o.stamp).join(", ")} of the retained release ${r.release} already takes traffic: look at the origins with "contoso release status --env ${env}"`);
  const stamps = origins.map((o) => {
    const stamp = world.stamps.find((s) => s.stack === o.stamp);
    if (!stamp || !stamp.deployed) return refuse(`the retained stamp ${o.stamp} no longer exists; release ${r.release} again instead`);
    if (stamp.hostName !== o.hostName) return refuse(`the retained stamp ${o.stamp} serves ${stamp.hostName ?? "nothing"}, not its origin's ${o.hostName}; release ${r.release} again instead`);
    if (!stamp.probeHostName) return refuse(`the retained stamp ${o.stamp} has no Front Door stamp endpoint to check its health through`);
    return stamp;
  });
  // Never fewer serving regions than before the undo.
  const back = new Set(origins.map((o) => o.region));
  const lost = [...new Set(world.global.origins.filter((o) => o.enabled).map((o) => o.region))].filter((region) => !back.has(region)).sort();
  if (lost.length > 0) refuse(`${r.release} has no stamp in ${lost.join(", ")}, where ${live ?? "the live release"} serves: an undo would serve from fewer regions`);
  return { retained: r.release, undone: live!, stamps, until: r.until };
}
