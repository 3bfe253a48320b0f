import { expect } from "chai";
import { cleanEnv, runCli, tempDir } from "../cli-harness.js";

/** `npm start`'s rehearsal as a log sees it: r2 pauses before 100 % and is promoted, r3 rolls back, and it says how to open the dashboard. */
describe("contoso rehearse (what npm start runs)", function () {
  this.timeout(300_000);

  it("passes, pausing r2 for an operator's promote, and ends with the dashboard command for its state", async () => {
    const stateDir = tempDir("rehearsal");
    const run = await runCli(["rehearse", "--state-dir", stateDir], cleanEnv({ CONTOSO_OFFLINE_TIME_SCALE: "0.0002" }));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.contain('⏸ paused at 50% before 100%, watching green health: approve with "contoso release promote"');
    expect(run.stderr).to.contain('an operator ran "contoso release promote --env prod": approved the pause before 100%');
    const lines = run.stdout.trim().split("\n");
    expect(lines.at(-2)).to.match(/^rehearsal passed in /);
    expect(lines.at(-1)).to.equal(`open the dashboard on its state: CONTOSO_STATE_DIR=${stateDir} npx contoso --offline dashboard --env prod`);
  });
});
