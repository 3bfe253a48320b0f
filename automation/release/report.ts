import type { OriginSpec } from "../../global/contract.js";
import type { Action } from "./model.js";
import type { ReleaseEvent } from "./run-release.js";

/**
 * Human lines for release events (a terminal or a CI log). Pipelines use `--json`, which prints the
 * events themselves, one JSON object per line.
 */
export function formatEvent(event: ReleaseEvent): string | undefined {
  switch (event.type) {
    case "action":
      return describeAction(event.action);
    case "action-failed":
      return `  ! ${event.action.kind} failed (attempt ${event.attempt}${event.willRetry ? ", retrying" : ""}): ${event.error}`;
    case "gate-verdict": {
      const v = event.verdict;
      return v.passed
        ? `  ✓ ${v.stack} healthy (${v.window.successes} of the last ${v.window.samples} probes)`
        : `  ✗ ${v.stack} unhealthy: ${v.reason ?? "failed"}`;
    }
    case "edge":
      return `  ✓ Front Door edge serves ${event.releasesSeen.join(" + ") || "nothing"}`;
    case "stamp-deployed":
      return `  ✓ ${event.stack} deployed`;
    case "stamp-destroyed":
      return `  ✓ ${event.stack} destroyed`;
    case "retained":
      return `  ✓ ${event.release} kept without traffic until ${event.until}: "contoso release undo" brings it back until then`;
    case "lock-recovered":
      return `  ! recovered the release lock left by ${event.from} (that process is gone)`;
    case "note":
      return `  ${event.message}`;
    case "warning":
      return `  ! ${event.message}`;
    case "action-done":
    case "observed":
    case "probe":
      return undefined;
  }
}

function describeAction(action: Extract<ReleaseEvent, { type: "action" }>["action"]): string {
  switch (action.kind) {
    case "deploy-green":
      return `▸ deploy green stamps in ${action.regions.join(", ")} (in parallel)`;
    case "expose":
      return `▸ expose green through Front Door for its gate (disabled origins, own endpoints): ${weights(action.origins)}`;
    case "gate":
      return `▸ health gate on ${action.stacks.join(", ")}`;
    case "shift":
      return `▸ shift ${action.percent}% of traffic to green: ${weights(action.origins)}`;
    case "bake":
      return `▸ bake at ${action.percent}% while watching green health`;
    case "pause":
      return `⏸ paused at ${action.percent}% before ${action.nextPercent}%, watching green health: approve with "contoso release promote"`;
    case "promote":
      return `▸ promote ${action.liveRelease}: ${weights(action.origins)} (${action.origins.some((o) => o.release !== action.liveRelease) ? "blue origins kept disabled for release undo" : "blue origins removed"})`;
    case "retain-blue":
      return `▸ keep ${action.release}'s stamps for release undo (origins disabled)`;
    case "drop-retained":
      return `▸ dropping the undo window of ${action.release}: its disabled origins removed`;
    case "forget-retention":
      return `▸ the undo window of ${action.release} is closed`;
    case "destroy-stamps":
      return `▸ destroy ${DESTROYED[action.why]} stamps ${action.stacks.join(", ")}`;
    case "begin-rollback":
      return `↩ roll back: ${action.reason}`;
    case "restore-blue":
      return `↩ blue back to full weight, green origins removed: ${weights(action.origins) || "no origins (first release)"}`;
    case "finish":
      return `■ ${action.outcome}`;
    case "blocked":
      return `■ blocked: ${action.reason}`;
  }
}

const DESTROYED: Record<Extract<Action, { kind: "destroy-stamps" }>["why"], string> = {
  blue: "blue",
  "failed-green": "failed green",
  "retained-blue": "retained blue",
  undone: "undone",
};

export function weights(origins: OriginSpec[]): string {
  return origins.map((o) => `${o.stamp}=${o.enabled ? o.weight : "off"}`).join(" ");
}
