import { expect } from "chai";
import { AzureRefusal } from "../../../../automation/offline/azure-model/subscription.js";
import { workspaceSchema } from "../../../../automation/offline/azure-model/log-schema.js";
import { freshSubscription, res, SUB } from "./world.js";

/**
 * Log queries are checked, as Azure checks them when a rule or function is saved, against the
 * schema the target workspace really has: what its diagnostic settings and Application Insights
 * components send it, with AzureDiagnostics' service columns only once the service has written.
 */
describe("offline Azure model: log queries against the workspace's real schema", function () {
  let world: Awaited<ReturnType<typeof freshSubscription>>;
  beforeEach(async () => (world = await freshSubscription()));
  afterEach(async () => world.cleanup());

  const workspaceId = `/subscriptions/${SUB}/resourceGroups/rg-g/providers/Microsoft.OperationalInsights/workspaces/log-g`;
  const profileId = `/subscriptions/${SUB}/resourceGroups/rg-g/providers/Microsoft.Cdn/profiles/afd-g`;
  const cosmosId = `/subscriptions/${SUB}/resourceGroups/rg-g/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-g`;
  const workspace = res("operationalinsights:Workspace", "log", { resourceGroupName: "rg-g", workspaceName: "log-g" });
  const profile = res("cdn:Profile", "afd", { resourceGroupName: "rg-g", profileName: "afd-g" });
  const frontDoorLogs = res("monitor:DiagnosticSetting", "diag-afd", {
    name: "diag-afd",
    resourceUri: profileId,
    workspaceId,
    logs: [{ category: "FrontDoorHealthProbeLog", enabled: true }],
    metrics: [],
  });
  const rule = (query: string) =>
    res("monitor:ScheduledQueryRule", "rule", { resourceGroupName: "rg-g", ruleName: "rule", scopes: [workspaceId], criteria: { allOf: [{ query }] } });
  const fn = (alias: string, query: string, name = alias) =>
    res("operationalinsights:SavedSearch", name, { resourceGroupName: "rg-g", workspaceName: "log-g", savedSearchId: name.toLowerCase(), functionAlias: alias, functionParameters: "lookback:timespan = 15m", query });

  async function refusal(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (err) {
      expect(err).to.be.instanceOf(AzureRefusal);
      return (err as Error).message;
    }
    throw new Error("expected the query to be refused");
  }

  it("refuses an alert naming a Front Door column before Front Door has written to the workspace", async function () {
    await world.azure.apply("g", [workspace, profile, frontDoorLogs]);
    const message = await refusal(world.azure.apply("alerts", [rule("AzureDiagnostics | where originName_s != '' | count")]));
    expect(message).to.include("BadRequest").and.include("originName_s");
  });

  it("accepts the same alert once Front Door has written (its columns now exist)", async function () {
    await world.azure.apply("g", [workspace, profile, frontDoorLogs]);
    await world.azure.markWritten(profileId);
    await world.azure.apply("alerts", [rule("AzureDiagnostics | where originName_s != '' | count")]);
  });

  it("accepts column_ifexists before the column exists", async function () {
    await world.azure.apply("g", [workspace, profile, frontDoorLogs]);
    await world.azure.apply("alerts", [rule(`AzureDiagnostics | where tostring(column_ifexists("originName_s", "")) != '' | count`)]);
  });

  it("refuses a table nothing sends to the workspace", async function () {
    await world.azure.apply("g", [workspace, profile, frontDoorLogs]);
    expect(await refusal(world.azure.apply("alerts", [rule("CDBDataPlaneRequests | count")])) ).to.include("CDBDataPlaneRequests");
  });

  it("a Cosmos DB setting with Dedicated feeds CDBDataPlaneRequests; without it, AzureDiagnostics", async function () {
    const cosmosLogs = (dedicated: boolean) =>
      res("monitor:DiagnosticSetting", "diag-cosmos", {
        name: "diag-cosmos",
        resourceUri: cosmosId,
        workspaceId,
        ...(dedicated ? { logAnalyticsDestinationType: "Dedicated" } : {}),
        logs: [{ category: "DataPlaneRequests", enabled: true }],
      });
    const cosmos = res("cosmosdb:DatabaseAccount", "cosmos", { resourceGroupName: "rg-g", accountName: "cosmos-g" });
    const all = (d: boolean) => [workspace, cosmos, cosmosLogs(d)].map((r) => ({ type: r.type, name: r.name, id: "", stack: "g", inputs: r.inputs }));
    expect(Object.keys(workspaceSchema(all(true), workspaceId).tables)).to.deep.equal(["CDBDataPlaneRequests"]);
    expect(Object.keys(workspaceSchema(all(false), workspaceId).tables)).to.deep.equal(["AzureDiagnostics"]);
  });

  it("a workspace-based Application Insights component feeds the App* tables", async function () {
    const appi = res("applicationinsights:Component", "appi", { resourceGroupName: "rg-g", resourceName: "appi-g", workspaceResourceId: workspaceId, kind: "web" });
    await world.azure.apply("g", [workspace, appi]);
    await world.azure.apply("alerts", [rule("AppRequests | summarize count() by Success")]);
    expect(await refusal(world.azure.apply("alerts", [rule("AppRequests | summarize count() by NoSuchColumn")]))).to.include("NoSuchColumn");
  });

  it("checks saved functions, and a query may call a function saved in the same workspace", async function () {
    const appi = res("applicationinsights:Component", "appi", { resourceGroupName: "rg-g", resourceName: "appi-g", workspaceResourceId: workspaceId, kind: "web" });
    await world.azure.apply("g", [workspace, appi, fn("Failures", "AppRequests | where TimeGenerated > ago(lookback) | where not(Success)")]);
    await world.azure.apply("alerts", [rule("Failures(15m) | count")]);
    expect(await refusal(world.azure.apply("more", [fn("Broken", "AppRequests | where Sucess", "broken")]))).to.include("saved function Broken").and.include("Sucess");
  });

  it("checks workbook panels that query the workspace, with the workbook's parameters substituted", async function () {
    const serializedData = (query: string) =>
      JSON.stringify({
        items: [
          { type: 9, name: "parameters", content: { parameters: [{ name: "Lookback", value: "15m" }] } },
          { type: 3, name: "panel", content: { query, queryType: 0, resourceType: "microsoft.operationalinsights/workspaces", crossComponentResources: [workspaceId] } },
        ],
      });
    const workbook = (query: string) =>
      res("applicationinsights:Workbook", "wb", { resourceGroupName: "rg-g", resourceName: "7aa7cce9-e233-5c2f-a8d7-26764eafd2f3", serializedData: serializedData(query) });
    await world.azure.apply("g", [workspace, profile, frontDoorLogs]);
    await world.azure.apply("wb", [workbook("AzureDiagnostics | where TimeGenerated > ago({Lookback}) | count")]);
    expect(await refusal(world.azure.apply("wb", [workbook("AzureDiagnostics | project POP_s")]))).to.include("workbook panel panel").and.include("POP_s");
  });

  it("refuses a rule on a workspace that does not exist", async function () {
    expect(await refusal(world.azure.apply("alerts", [rule("print 1")]))).to.include("does not exist");
  });
});

describe("offline Azure model: queries are checked when saved", function () {
  let world: Awaited<ReturnType<typeof freshSubscription>>;
  beforeEach(async () => (world = await freshSubscription()));
  afterEach(async () => world.cleanup());

  it("an unchanged rule is not checked again (no PUT), a changed one is", async function () {
    const workspaceId = `/subscriptions/${SUB}/resourceGroups/rg-g/providers/Microsoft.OperationalInsights/workspaces/log-g`;
    const workspace = res("operationalinsights:Workspace", "log", { resourceGroupName: "rg-g", workspaceName: "log-g" });
    const appi = res("applicationinsights:Component", "appi", { resourceGroupName: "rg-g", resourceName: "appi-g", workspaceResourceId: workspaceId });
    const rule = (query: string) => res("monitor:ScheduledQueryRule", "rule", { resourceGroupName: "rg-g", ruleName: "rule", scopes: [workspaceId], criteria: { allOf: [{ query }] } });
    await world.azure.apply("g", [workspace, appi, rule("AppRequests | count")]);
    // The table goes away (its only feed is removed) while the saved rule stays as it was: Azure does not re-check it.
    await world.azure.apply("g", [workspace, rule("AppRequests | count")]);
    let error: unknown;
    await world.azure.apply("g", [workspace, rule("AppRequests | count | extend x = 1")]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(AzureRefusal);
    expect((error as Error).message).to.include("AppRequests");
  });
});
