import { expect } from "chai";
import * as path from "node:path";
import { hashOf } from "../../automation/offline/azure-model/naming.js";
import { isGuid } from "../../automation/offline/azure-model/naming.js";
import { cleanEnv, runCli, tempDir } from "./cli-harness.js";

/**
 * Issue 12's done-when, as a user runs it: `contoso preview --env prod --json` shows every Cosmos DB
 * SQL role assignment with a GUID id, different in every stamp; every Application Insights component
 * with local auth disabled; and no secret value in plain text (defects 1, 5, 8).
 */
describe("contoso preview --env prod --json under the strict model", function () {
  this.timeout(600_000);

  it("GUID Cosmos role assignment ids per stamp, Entra-only App Insights, secrets as [secret]", async function () {
    const state = path.join(tempDir("preview-strict"), "state");
    const run = await runCli(["preview", "--env", "prod", "--json"], cleanEnv({ CONTOSO_STATE_DIR: state }));
    expect(run.code, run.stderr).to.equal(0);
    const { stacks } = JSON.parse(run.stdout) as { stacks: { name: string; resources: { type: string; name: string; inputs: Record<string, unknown> }[] }[] };
    const stamps = stacks.filter((s) => s.name !== "prod-global");
    expect(stamps.length).to.equal(3);

    const ids = stamps.map((s) => s.resources.find((r) => r.type === "azure-native:cosmosdb:SqlResourceSqlRoleAssignment")?.inputs["roleAssignmentId"]);
    for (const id of ids) expect(isGuid(id), String(id)).to.equal(true);
    expect(new Set(ids).size).to.equal(stamps.length);

    const components = stacks.flatMap((s) => s.resources.filter((r) => r.type === "azure-native:applicationinsights:Component"));
    expect(components.length).to.equal(4);
    for (const c of components) expect(c.inputs["disableLocalAuth"], c.name).to.equal(true);

    const secrets = stamps.flatMap((s) => s.resources.filter((r) => r.type === "azure-native:keyvault:Secret").map((r) => ({ stack: s.name, r })));
    expect(secrets.length).to.equal(6);
    for (const { stack, r } of secrets) {
      expect(r.inputs["properties"], r.name).to.equal("[secret]");
      // The offline random provider's password for this stack and resource (azure-mocks.ts): never printed.
      const password = hashOf(stack, r.name).replace(/[^a-z0-9]/g, "").slice(0, 48);
      expect(run.stdout).to.not.include(password);
    }
  });
});
