import { expect } from "chai";
import { prop } from "../harness/pulumi.js";
import { stampRun, T } from "./fixtures.js";

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
  T.appInsights, // workspace-based: its telemetry is already in the workspace
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
      for (const resource of covered) {
        const mine = settings.filter((s) => s.inputs["resourceUri"] === resource.id);
        expect(mine, `${resource.type} ${resource.name}`).to.have.length(1);
        const setting = mine[0]!;
        expect(setting.inputs["workspaceId"]).to.equal(workspace.id);
        const want = SUPPORTS_DIAGNOSTICS[resource.type]!;
        const logs = (prop(setting, "logs") as Record<string, unknown>[]) ?? [];
        const metrics = (prop(setting, "metrics") as Record<string, unknown>[]) ?? [];
        expect(logs, `${resource.type} logs`).to.deep.equal(want.logs ? [{ categoryGroup: "allLogs", enabled: true }] : []);
        expect(metrics, `${resource.type} metrics`).to.deep.equal(want.metrics ? [{ category: "AllMetrics", enabled: true }] : []);
      }
      // ...and no setting points at something that is not a stamp resource.
      const ids = new Set(covered.map((r) => r.id));
      for (const s of settings) expect(ids.has(s.inputs["resourceUri"] as string), s.name).to.equal(true);
    });
  });
}
