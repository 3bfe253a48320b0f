import { expect } from "chai";
import { isGuid } from "../../automation/offline/azure-model/naming.js";
import { runStamp, stampArgs, T } from "./fixtures.js";

/**
 * Issue 12, defect 1: azure-native does not generate a Cosmos DB SQL role assignment id (its REST
 * parameter is no `format: uuid`), so the program must: a GUID, different in every stamp (blue and
 * green of one region included, or they would share one grant), the same on every update.
 */
describe("stamp: Cosmos DB SQL role assignment id (defect 1)", function () {
  this.timeout(300_000);

  async function idOf(region: string | undefined, release: string): Promise<unknown> {
    const args = stampArgs("prod", { release, ...(region ? { region } : {}) });
    const run = await runStamp(args);
    return run.one(T.cosmosRoleAssignment).inputs["roleAssignmentId"];
  }

  it("is a GUID, different per stamp, stable across runs", async function () {
    const blue = await idOf(undefined, "r42");
    const again = await idOf(undefined, "r42");
    const green = await idOf(undefined, "r43");
    const otherRegion = await idOf("northeurope", "r42");
    for (const id of [blue, green, otherRegion]) expect(isGuid(id), String(id)).to.equal(true);
    expect(again).to.equal(blue);
    expect(new Set([blue, green, otherRegion]).size).to.equal(3);
  });
});
