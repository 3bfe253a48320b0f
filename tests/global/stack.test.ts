import { expect } from "chai";
import { TAG } from "../../environments/stacks.js";
import type { RecordedResource } from "../../automation/offline/mock-runner.js";
import { GLOBAL_STACK_TYPE } from "../../global/global-stack.js";
import { blueOrigins, env, FACTS, origin, runGlobal, TYPES } from "./fixtures.js";

/** Azure resources of a run: neither the Pulumi stack, nor components, nor provider-less helpers such as random suffixes. */
function azureResources(resources: RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.type.startsWith("azure-native:"));
}

/** Types whose Azure resources take tags (Front Door's sub-resources, Cosmos' SQL resources and diagnostic settings do not carry their own). */
const TAGGED = [
  TYPES.resourceGroup, TYPES.profile, TYPES.endpoint, TYPES.waf, TYPES.cosmos, TYPES.registry,
  TYPES.replication, TYPES.workspace, TYPES.actionGroup, TYPES.storageAccount,
];

/** Resources scoped by an account, profile or registry (their names repeat by design; their ids do not). */
const CHILD_TYPES = new Set<string>([
  TYPES.originGroup, TYPES.origin, TYPES.route, TYPES.securityPolicy, TYPES.cosmosDatabase, TYPES.cosmosContainer, TYPES.replication,
  // Saved KQL functions of the health model: same alias in every environment, inside each one's own workspace.
  "azure-native:operationalinsights:SavedSearch",
]);

describe("global stack: component, tags, outputs and isolation", () => {
  it("is one contoso:global:GlobalStack component with its own resource group holding every resource", async () => {
    const prod = env("prod");
    const run = await runGlobal(prod, blueOrigins(prod));
    expect(run.ofType(GLOBAL_STACK_TYPE)).to.have.length(1);
    expect(GLOBAL_STACK_TYPE).to.equal("contoso:global:GlobalStack");
    const rg = run.one(TYPES.resourceGroup);
    expect(rg.inputs).to.include({ resourceGroupName: "rg-shoes-global-prod", location: "westeurope" });
    expect(run.outputs.resourceGroupName).to.equal("rg-shoes-global-prod");
    for (const r of azureResources(run.resources)) {
      if (r.inputs["resourceGroupName"] !== undefined) expect(r.inputs["resourceGroupName"], `${r.type} ${r.name}`).to.equal("rg-shoes-global-prod");
    }
    expect(run.outputs.env).to.equal("prod");
    expect(run.outputs.frontDoorProfileName).to.equal("afd-shoes-prod");
  });

  for (const name of ["prod", "dev"]) {
    it(`${name}: tags every taggable resource with the environment's tags and the stack facts, never the release`, async () => {
      const environment = env(name);
      const expiresAt = name === "dev" ? "2025-03-01T16:00:00.000Z" : undefined;
      const run = await runGlobal(environment, blueOrigins(environment), { facts: { ...FACTS, ...(expiresAt ? { expiresAt } : {}) } });
      const expected: Record<string, string> = {
        ...environment.tags,
        [TAG.env]: name,
        [TAG.kind]: "global",
        [TAG.region]: "global",
        [TAG.owner]: FACTS.owner,
        [TAG.createdAt]: FACTS.createdAt,
        ...(expiresAt ? { [TAG.expiresAt]: expiresAt } : {}),
      };
      const tagged = azureResources(run.resources).filter((r) => TAGGED.includes(r.type as (typeof TAGGED)[number]));
      expect(new Set(tagged.map((r) => r.type)).size).to.equal(name === "prod" ? TAGGED.length : TAGGED.length - 1);
      for (const r of tagged) {
        expect(r.inputs["tags"], `${r.type} ${r.name}`).to.deep.equal(expected);
        expect(r.inputs["tags"]).not.to.have.property(TAG.release);
      }
    });
  }

  it("leaves every resource untouched when only the live release changes", async () => {
    const prod = env("prod");
    const list = [origin(prod, "westeurope", "r7"), origin(prod, "northeurope", "r7")];
    const [a, b] = [await runGlobal(prod, list, { liveRelease: "r6" }), await runGlobal(prod, list, { liveRelease: "r7" })];
    const inputs = (rs: RecordedResource[]) => azureResources(rs).map((r) => [r.type, r.name, r.inputs]);
    expect(inputs(b.resources)).to.deep.equal(inputs(a.resources));
    expect([a.outputs.liveRelease, b.outputs.liveRelease]).to.deep.equal(["r6", "r7"]);
  });

  for (const devName of ["dev", "dev-alice"]) {
    it(`${devName} shares no resource with prod: no Azure id, no top-level name, no output id in common`, async () => {
      const prod = env("prod");
      const dev = env(devName);
      const [p, d] = [await runGlobal(prod, blueOrigins(prod)), await runGlobal(dev, blueOrigins(dev))];
      const ids = (rs: RecordedResource[]) => new Set(azureResources(rs).map((r) => r.id));
      const names = (rs: RecordedResource[]) => new Set(azureResources(rs).filter((r) => !CHILD_TYPES.has(r.type)).map((r) => String(r.outputs["name"])));
      const common = <T>(x: Set<T>, y: Set<T>) => [...x].filter((v) => y.has(v));
      expect(common(ids(p.resources), ids(d.resources))).to.deep.equal([]);
      expect(common(names(p.resources), names(d.resources))).to.deep.equal([]);
      const values = (o: object) => new Set(Object.values(o).filter((v): v is string => typeof v === "string" && v.length > 8));
      expect(common(values(p.outputs), values(d.outputs))).to.deep.equal([]);
      // The addresses stamps connect to differ too: each environment has its own endpoint, account and registry.
      expect(d.outputs.cosmosEndpoint).not.to.equal(p.outputs.cosmosEndpoint);
      expect(d.outputs.registryLoginServer).not.to.equal(p.outputs.registryLoginServer);
      expect(d.outputs.frontDoorId).not.to.equal(p.outputs.frontDoorId);
      expect(d.outputs.killSwitchBlobEndpoint).not.to.equal(p.outputs.killSwitchBlobEndpoint);
    });
  }
});
