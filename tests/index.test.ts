import { expect } from "chai";
import main from "../index.js";
import { fakeGlobalInputs } from "./stamp/fixtures.js";
import { runProgram } from "./harness/pulumi.js";

/** `index.ts`, the program `pulumi up` runs: it picks the program from the stack name. */
describe("index.ts (the pulumi CLI's program)", () => {
  const config = { "contoso-shoes:createdAt": "2026-11-01T00:00:00Z", "contoso-shoes:owner": "ops" };

  it("runs the global program for <env>-global, with the origins it is given ([] for a first deployment)", async () => {
    const run = await runProgram(main, "prod-global", { config: { ...config, "contoso-shoes:origins": "[]" } });
    expect(run.ofType("contoso:global:GlobalStack")).to.have.length(1);
    expect(run.ofType("contoso:stamp:Stamp")).to.have.length(0);
    expect(run.outputs["origins"]).to.deep.equal([]);
    expect(run.one("azure-native:resources:ResourceGroup").inputs["tags"]).to.include({ "contoso:owner": "ops", "contoso:created-at": "2026-11-01T00:00:00Z" });
  });

  it("refuses a global update without origins config in one line: it would remove every live origin (issue 13)", async () => {
    let error: unknown;
    try {
      await runProgram(main, "prod-global", { config });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/contoso-shoes:origins is not set: this update would remove every Front Door origin of prod-global \(an outage\)\. Use "contoso global up --env prod"/);
    expect(String((error as Error).message)).not.to.include("\n");
  });

  it("deploys exactly the origins it is given: the live list is never shrunk by omission", async () => {
    const origins = [
      { stamp: "prod-weu-r1", region: "westeurope", release: "r1", hostName: "app-shoes-prod-weu-r1-aaaaa.azurewebsites.net", weight: 1000, enabled: true, priority: 1 },
      { stamp: "prod-neu-r1", region: "northeurope", release: "r1", hostName: "app-shoes-prod-neu-r1-bbbbb.azurewebsites.net", weight: 1000, enabled: true, priority: 1 },
    ];
    const run = await runProgram(main, "prod-global", { config: { ...config, "contoso-shoes:origins": JSON.stringify(origins) } });
    expect(run.outputs["origins"]).to.deep.equal(origins);
    expect(run.ofType("azure-native:cdn:AFDOrigin")).to.have.length(2);
  });

  it("runs the stamp program for <env>-<region-short>-<release>, wired to the global stack's outputs", async () => {
    const global = fakeGlobalInputs("prod");
    const run = await runProgram(main, "prod-neu-r7", {
      config: { ...config, "contoso-shoes:image": "crshoesprod.azurecr.io/shop-api:r7" },
      stackOutputs: { "organization/contoso-shoes/prod-global": global as unknown as Record<string, unknown> },
    });
    expect(run.ofType("contoso:stamp:Stamp")).to.have.length(1);
    expect(run.outputs).to.include({ region: "northeurope", release: "r7" });
    expect(run.one("azure-native:web:WebApp").inputs["siteConfig"]).to.have.property("linuxFxVersion", "DOCKER|crshoesprod.azurecr.io/shop-api:r7");
  });

  it("refuses a stack name it would never make, and a stamp whose global stack is missing", async () => {
    let error: unknown;
    try {
      await runProgram(main, "production", { config });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/stack "production" is neither <env>-global nor/);
    error = undefined;
    try {
      await runProgram(main, "prod-weu-r7", { config: { ...config, "contoso-shoes:image": "x.azurecr.io/a:b" } });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/the global stack prod-global has no outputs .*: deploy it first/);
  });
});
