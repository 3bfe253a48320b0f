import { expect } from "chai";
import { loadEnvironment } from "../../environments/index.js";
import { releasePlanOf } from "../../automation/release/decide.js";

/**
 * Issue 17: after promotion prod keeps blue for an hour and staging for half an hour (`release
 * undo` within that window); personal dev environments keep nothing. The release decision reads
 * the value from the definition, so what is configured is what a release does.
 */
describe("blueRetention of the environment definitions", () => {
  it("prod 1 h, staging 30 min, dev none; the release plan carries it", () => {
    const retention = (name: string) => releasePlanOf(loadEnvironment(name)).blueRetentionMs;
    expect([retention("prod"), retention("staging"), retention("dev")]).to.deep.equal([3_600_000, 1_800_000, 0]);
    expect(loadEnvironment("prod", { release: { blueRetention: "2h" } }).release.blueRetention).to.equal(7_200_000);
  });
});
