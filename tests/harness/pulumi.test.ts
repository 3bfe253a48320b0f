import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as web from "@pulumi/azure-native/web/index.js";
import * as cdn from "@pulumi/azure-native/cdn/index.js";
import { runProgram } from "./pulumi.js";

describe("Pulumi mock harness", () => {
  it("records type, logical name and inputs, and computes Azure-like outputs", async () => {
    const run = await runProgram(async () => {
      const rg = new resources.ResourceGroup("rg", { resourceGroupName: "rg-shoes-test", location: "westeurope" });
      const app = new web.WebApp("app", { resourceGroupName: rg.name, name: "app-shoes-test", httpsOnly: true });
      const profile = new cdn.Profile("afd", { resourceGroupName: rg.name, profileName: "afd-shoes-test", location: "global", sku: { name: "Premium_AzureFrontDoor" } });
      return { host: app.defaultHostName, fdid: profile.frontDoorId, rgId: rg.id };
    });
    const app = run.one("azure-native:web:WebApp");
    expect(app.name).to.equal("app");
    expect(app.inputs).to.include({ name: "app-shoes-test", httpsOnly: true, resourceGroupName: "rg-shoes-test" });
    expect(run.outputs.host).to.equal("app-shoes-test.azurewebsites.net");
    expect(run.outputs.fdid).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run.outputs.rgId).to.match(/^\/subscriptions\/[0-9a-f-]+\/resourceGroups\/rg-shoes-test$/);
    expect(() => run.one("azure-native:web:AppServicePlan")).to.throw(/found 0/);
  });

  it("isolates programs that run at the same time", async () => {
    const program = (name: string) => async () => {
      const rg = new resources.ResourceGroup("rg", { resourceGroupName: name });
      return { name: rg.name, stack: pulumi.getStack() };
    };
    const [a, b] = await Promise.all([runProgram(program("rg-a"), "stack-a"), runProgram(program("rg-b"), "stack-b")]);
    expect(a.outputs).to.deep.equal({ name: "rg-a", stack: "stack-a" });
    expect(b.outputs).to.deep.equal({ name: "rg-b", stack: "stack-b" });
    expect(a.ofType("azure-native:resources:ResourceGroup")).to.have.length(1);
  });
});
