import { expect } from "chai";
import { formatEvent } from "../../../automation/release/report.js";

/** The lines a log shows for the undo window (README: a new release says "dropping the undo window of rN"). */
describe("release log lines of the undo window", () => {
  it("says when a window is dropped, kept, and when an undo removes the undone release", () => {
    const origin = { stamp: "prod-weu-r2", region: "weu", release: "r2", hostName: "a.example", weight: 1000, enabled: true, priority: 1 };
    expect(formatEvent({ type: "action", action: { kind: "drop-retained", release: "r1", origins: [origin], liveRelease: "r2" } })).to.equal("▸ dropping the undo window of r1: its disabled origins removed");
    expect(formatEvent({ type: "retained", release: "r1", until: "2026-12-02T15:00:00.000Z" })).to.equal('  ✓ r1 kept without traffic until 2026-12-02T15:00:00.000Z: "contoso release undo" brings it back until then');
    expect(formatEvent({ type: "action", action: { kind: "promote", origins: [origin, { ...origin, stamp: "prod-weu-r1", release: "r1", enabled: false }], liveRelease: "r2" } }))
      .to.equal("▸ promote r2: prod-weu-r2=1000 prod-weu-r1=off (blue origins kept disabled for release undo)");
    expect(formatEvent({ type: "action", action: { kind: "destroy-stamps", stacks: ["prod-weu-r2"], why: "undone" } })).to.equal("▸ destroy undone stamps prod-weu-r2");
    expect(formatEvent({ type: "action", action: { kind: "finish", outcome: "undone" } })).to.equal("■ undone");
  });
});
