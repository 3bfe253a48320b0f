import { expect } from "chai";
import { loadEnvironment } from "../../environments/index.js";
import type { RecordedResource } from "../../automation/offline/mock-runner.js";
import { prop } from "../harness/pulumi.js";
import { fakeGlobalInputs, runStamp, stampArgs, stampRun, T } from "./fixtures.js";

/**
 * Which stamp resource types Azure Monitor diagnostic settings apply to, and with what (Azure
 * Monitor's "supported logs/metrics" reference). Kept here, apart from the code, so that the test
 * checks the stamp against the platform rather than against itself.
 */
const SUPPORTS_DIAGNOSTICS: Record<string, { logs: boolean; metrics: boolean }> = {
  [T.plan]: { logs: false, metrics: true },
  [T.webApp]: { logs: true, metrics: true },
  [T.vault]: { logs: true, metrics: true },
  [T.namespace]: { logs: true, metrics: true },
  [T.redis]: { logs: false, metrics: true },
  [T.redisDb]: { logs: true, metrics: false },
  [T.vnet]: { logs: true, metrics: true },
  [T.nsg]: { logs: true, metrics: false },
  [T.workspace]: { logs: true, metrics: true },
  [T.autoscale]: { logs: true, metrics: true },
  [T.privateEndpoint]: { logs: false, metrics: true },
};

/** Types without diagnostic settings of their own (or whose telemetry already lands elsewhere). */
const NO_DIAGNOSTICS = new Set<string>([
  T.resourceGroup,
  T.subnet, // covered by the vnet's setting
  T.queue, // covered by the namespace's setting (entity-level logs carry the queue name)
  T.secret, // covered by the vault's audit log
  T.identity,
  T.roleAssignment, // Azure Activity log
  T.cosmosRoleAssignment,
  T.redisAccess,
  T.privateZone, // no exportable metrics
  T.vnetLink,
  T.zoneGroup,
  T.appInsights, // workspace-based: its telemetry is already in the regional workspace (its copy to the global one is checked below)
  T.diagnostic,
  "azure-native:web:WebAppFtpAllowed",
  "azure-native:web:WebAppScmAllowed",
  "azure-native:operationalinsights:SavedSearch", // a KQL function inside the workspace
  "azure-native:monitor:ScheduledQueryRule", // alert rules have no diagnostic settings; their firings are in the Activity log
]);

for (const envName of ["prod", "dev"] as const) {
  describe(`stamp diagnostic settings (${envName})`, function () {
    this.timeout(60_000);

    it("classifies every Azure resource type the stamp creates", async () => {
      const run = await stampRun(envName);
      const azureTypes = new Set(run.resources.filter((r) => r.custom && r.type.startsWith("azure-native:")).map((r) => r.type));
      const unclassified = [...azureTypes].filter((t) => !(t in SUPPORTS_DIAGNOSTICS) && !NO_DIAGNOSTICS.has(t));
      expect(unclassified, "add new types to SUPPORTS_DIAGNOSTICS or NO_DIAGNOSTICS").to.deep.equal([]);
    });

    it("sends every resource that supports it, logs and metrics, to the stamp's workspace, once", async () => {
      const run = await stampRun(envName);
      const workspace = run.one(T.workspace);
      const settings = run.ofType(T.diagnostic);
      const covered = run.resources.filter((r) => r.type in SUPPORTS_DIAGNOSTICS);
      expect(covered.length).to.be.at.least(envName === "prod" ? 14 : 9);
      const regional = settings.filter((s) => s.inputs["workspaceId"] === workspace.id);
      for (const resource of covered) {
        const mine = regional.filter((s) => s.inputs["resourceUri"] === resource.id);
        expect(mine, `${resource.type} ${resource.name}`).to.have.length(1);
        const setting = mine[0]!;
        expect(setting.inputs["workspaceId"]).to.equal(workspace.id);
        const want = SUPPORTS_DIAGNOSTICS[resource.type]!;
        const logs = (prop(setting, "logs") as Record<string, unknown>[]) ?? [];
        const metrics = (prop(setting, "metrics") as Record<string, unknown>[]) ?? [];
        expect(logs, `${resource.type} logs`).to.deep.equal(want.logs ? [{ categoryGroup: "allLogs", enabled: true }] : []);
        expect(metrics, `${resource.type} metrics`).to.deep.equal(want.metrics ? [{ category: "AllMetrics", enabled: true }] : []);
      }
      // ...and no regional setting points at something that is not a stamp resource.
      const ids = new Set(covered.map((r) => r.id));
      for (const s of regional) expect(ids.has(s.inputs["resourceUri"] as string), s.name).to.equal(true);
    });

    it("sends the global workspace only what the environment-wide health functions read", async () => {
      const run = await stampRun(envName);
      const globalWorkspaceId = fakeGlobalInputs(envName).logAnalyticsWorkspaceId;
      const copies = run.ofType(T.diagnostic).filter((s) => s.inputs["workspaceId"] === globalWorkspaceId);
      // What Azure calls the categories behind the tables the functions query (AppRequests,
      // AppDependencies, AZKVAuditLogs, AzureMetrics of Service Bus): written out here, not taken
      // from the code, so a changed category in the code has to be changed here too.
      const expected = new Map<string, { logs: unknown[]; metrics: unknown[] }>([
        [run.one(T.appInsights).id, { logs: [{ category: "AppRequests", enabled: true }, { category: "AppDependencies", enabled: true }], metrics: [] }],
        [run.one(T.vault).id, { logs: [{ category: "AuditEvent", enabled: true }], metrics: [] }],
        [run.one(T.namespace).id, { logs: [], metrics: [{ category: "AllMetrics", enabled: true }] }],
      ]);
      expect(copies.map((s) => s.inputs["resourceUri"])).to.have.members([...expected.keys()]);
      for (const copy of copies) {
        const want = expected.get(copy.inputs["resourceUri"] as string)!;
        expect(prop(copy, "logs") ?? [], `${copy.name} logs`).to.deep.equal(want.logs);
        expect(prop(copy, "metrics") ?? [], `${copy.name} metrics`).to.deep.equal(want.metrics);
        // Resource-specific tables: Key Vault's audit log must land in AZKVAuditLogs, as the functions
        // read it; a metrics-only copy has no destination type (Azure stores none for it).
        expect(copy.inputs["logAnalyticsDestinationType"], copy.name).to.equal(want.logs.length > 0 ? "Dedicated" : undefined);
      }
    });

    it("names each copy apart from the resource's regional setting and stays within Azure's five settings per resource", async () => {
      const run = await stampRun(envName);
      const settings = run.ofType(T.diagnostic);
      const byResource = new Map<string, RecordedResource[]>();
      for (const s of settings) byResource.set(s.inputs["resourceUri"] as string, [...(byResource.get(s.inputs["resourceUri"] as string) ?? []), s]);
      for (const [resource, mine] of byResource) {
        expect(mine.length, resource).to.be.at.most(5);
        const names = mine.map((s) => String(s.inputs["name"]));
        expect(new Set(names).size, names.join(", ")).to.equal(names.length);
      }
      const globalWorkspaceId = fakeGlobalInputs(envName).logAnalyticsWorkspaceId;
      for (const copy of settings.filter((s) => s.inputs["workspaceId"] === globalWorkspaceId)) {
        expect(String(copy.inputs["name"])).to.match(/^diag-(shoes-)?[a-z]+-global-/);
      }
    });
  });
}

describe("stamp diagnostic settings with environment-wide telemetry off", function () {
  this.timeout(60_000);

  it("sends nothing to the global workspace and keeps every regional setting", async () => {
    const on = await stampRun("dev");
    const env = loadEnvironment("dev", { healthModel: { environmentWideTelemetry: false } });
    const off = await runStamp(stampArgs("dev", { env }));
    const globalWorkspaceId = fakeGlobalInputs("dev").logAnalyticsWorkspaceId;
    const toGlobal = (settings: RecordedResource[]) => settings.filter((s) => s.inputs["workspaceId"] === globalWorkspaceId);
    expect(toGlobal(on.ofType(T.diagnostic)), "on: the copies exist").to.have.length(3);
    expect(toGlobal(off.ofType(T.diagnostic)), "off: no copy").to.deep.equal([]);
    const names = (settings: RecordedResource[]) => settings.filter((s) => s.inputs["workspaceId"] !== globalWorkspaceId).map((s) => s.name).sort();
    expect(names(off.ofType(T.diagnostic))).to.deep.equal(names(on.ofType(T.diagnostic)));
  });
});
