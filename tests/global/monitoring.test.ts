import { expect } from "chai";
import type { GlobalOutputs } from "../../global/contract.js";
import { prop, type ProgramRun } from "../harness/pulumi.js";
import { blueOrigins, env, runGlobal, TYPES } from "./fixtures.js";

describe("global stack: monitoring", () => {
  for (const name of ["prod", "dev"]) {
    describe(name, () => {
      const environment = env(name);
      let run: ProgramRun<GlobalOutputs>;
      before(async () => {
        run = await runGlobal(environment, blueOrigins(environment));
      });

      it("has a global Log Analytics workspace with the environment's retention", () => {
        const workspace = run.one(TYPES.workspace);
        expect(workspace.inputs).to.deep.include({ sku: { name: "PerGB2018" }, retentionInDays: environment.monitoring.logRetentionDays });
        expect(workspace.inputs["workspaceName"]).to.equal(`log-shoes-global-${name}`);
        expect(run.outputs.logAnalyticsWorkspaceId).to.equal(workspace.id);
        expect(run.outputs.logAnalyticsCustomerId).to.equal(workspace.outputs["customerId"]);
      });

      it("has an action group e-mailing the environment's on-call addresses", () => {
        const group = run.one(TYPES.actionGroup);
        expect(group.inputs["enabled"]).to.equal(true);
        expect((group.inputs["groupShortName"] as string).length).to.be.at.most(12);
        const emails = group.inputs["emailReceivers"] as { emailAddress: string; useCommonAlertSchema: boolean }[];
        expect(emails.map((e) => e.emailAddress)).to.deep.equal(environment.monitoring.alertEmails);
        expect(emails.every((e) => e.useCommonAlertSchema)).to.equal(true);
        expect(run.outputs.actionGroupId).to.equal(group.id);
      });

      it("sends every global resource's logs and metrics to the workspace", () => {
        const workspace = run.one(TYPES.workspace);
        const settings = run.ofType(TYPES.diagnosticSetting);
        const byTarget = new Map(settings.map((s) => [s.inputs["resourceUri"], s]));
        const logsOf = (id: string, metricCategory = "AllMetrics") => {
          const setting = byTarget.get(id);
          expect(setting, `a diagnostic setting for ${id}`).to.not.equal(undefined);
          expect(setting!.inputs["workspaceId"]).to.equal(workspace.id);
          expect(setting!.inputs["metrics"]).to.deep.equal([{ category: metricCategory, enabled: true }]);
          const logs = setting!.inputs["logs"] as { category: string; enabled: boolean }[];
          expect(logs.every((l) => l.enabled)).to.equal(true);
          return logs.map((l) => l.category);
        };
        expect(logsOf(run.one(TYPES.profile).id)).to.have.members(["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"]);
        expect(logsOf(run.one(TYPES.cosmos).id)).to.include.members(["DataPlaneRequests", "ControlPlaneRequests"]);
        expect(logsOf(run.one(TYPES.registry).id)).to.have.members(["ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"]);
        // The kill switches' blob service: who deleted or re-created a stamp's switch (storage names its metrics "Transaction").
        expect(logsOf(`${run.one(TYPES.storageAccount).id}/blobServices/default`, "Transaction")).to.have.members(["StorageWrite", "StorageDelete"]);
        expect(settings).to.have.length(4);
        // Front Door (Standard/Premium) writes AzureDiagnostics only; the others resource-specific tables.
        for (const s of settings) {
          const frontDoor = s.inputs["resourceUri"] === run.one(TYPES.profile).id;
          expect(prop(s, "logAnalyticsDestinationType"), s.name).to.equal(frontDoor ? undefined : "Dedicated");
        }
      });
    });
  }
});
