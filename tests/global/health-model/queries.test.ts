import { expect } from "chai";
import { loadEnvironment, type Environment } from "../../../environments/index.js";
import { resourceName } from "../../../environments/naming.js";
import { stampStackName } from "../../../environments/stacks.js";
import {
  COMPONENTS,
  FUNCTION_CATEGORY,
  STATUS,
  healthFunctionAliases,
  healthFunctions,
  stampResourceGroupPattern,
  type HealthFunction,
  type HealthScope,
} from "../../../global/health-model/index.js";
import { describe as explain, resultColumns, semanticErrors, syntaxErrors } from "./kusto.js";
import { asQuery, declarations, LOG_TABLES } from "./log-tables.js";

const ENVIRONMENTS = ["prod", "staging", "dev", "dev-alice"];

function scopesOf(env: Environment): HealthScope[] {
  return [{ kind: "environment" }, ...env.regions.map((region) => ({ kind: "stamp", region, release: "r42" }) as const)];
}

function byAlias(functions: HealthFunction[], alias: string): HealthFunction {
  const fn = functions.find((f) => f.alias === alias);
  if (!fn) throw new Error(`no function ${alias} (have ${functions.map((f) => f.alias).join(", ")})`);
  return fn;
}

describe("health model KQL functions", function () {
  // Semantic analysis expands every nested function call: seconds, not milliseconds.
  this.timeout(120_000);
  for (const name of ENVIRONMENTS) {
    const env = loadEnvironment(name);
    for (const scope of scopesOf(env)) {
      const label = scope.kind === "environment" ? `${name} environment` : `${name} stamp ${scope.region}`;
      const functions = healthFunctions(env, scope);

      it(`${label}: every function parses with the Kusto language service`, () => {
        for (const fn of functions) {
          const errors = syntaxErrors(fn.body);
          expect(errors, `${fn.alias}:\n${explain(errors)}\n${fn.body}`).to.deep.equal([]);
        }
      });

      it(`${label}: every function passes semantic analysis against the tables and the other functions`, () => {
        const declared = declarations(functions);
        for (const fn of functions) {
          const errors = semanticErrors(asQuery(fn), LOG_TABLES, declared);
          expect(errors, `${fn.alias}:\n${explain(errors)}`).to.deep.equal([]);
        }
      });
    }
  }

  it("is checked by a parser that does reject broken KQL (the tests above can fail)", () => {
    const fn = healthFunctions(loadEnvironment("prod"), { kind: "environment" })[0]!;
    expect(syntaxErrors(fn.body.replace("| summarize", "| summarize by"))).to.not.be.empty;
    expect(syntaxErrors(`${fn.body}\n| where (Value > 1`)).to.not.be.empty;
    const misspelt = { ...fn, body: fn.body.replace("DurationMs", "DurationMS").replace("not(Success)", "not(Succes)") };
    expect(semanticErrors(asQuery(misspelt), LOG_TABLES)).to.not.be.empty;
  });

  it("composes: the roll-ups call the component functions by their saved alias", () => {
    const env = loadEnvironment("prod");
    const aliases = healthFunctionAliases({ kind: "environment" });
    const functions = healthFunctions(env, { kind: "environment" });
    const components = byAlias(functions, aliases.components).body;
    for (const alias of [aliases.apiFailures, aliases.apiLatency, aliases.dependencyFailures, aliases.queueBacklog, aliases.keyVaultErrors, aliases.frontDoorOrigins]) {
      expect(components).to.include(`${alias}(lookback, binSize)`);
    }
    expect(components).to.include(`${aliases.cosmosErrors}(lookback, binSize)`);
    expect(byAlias(functions, aliases.stampScoreOverTime).body).to.include(`${aliases.components}(lookback, binSize)`);
    expect(byAlias(functions, aliases.environmentScore!).body).to.include(`${aliases.stampScore}(lookback)`);
    // Dependency order: a function is listed (and so created) after every function it calls.
    functions.forEach((fn, i) => {
      for (const later of functions.slice(i + 1)) expect(fn.body, `${fn.alias} calls ${later.alias}`).to.not.include(`${later.alias}(`);
    });
  });

  it("writes the stamp score formula once: StampScore is StampScoreOverTime with one bin", () => {
    for (const name of ENVIRONMENTS) {
      const env = loadEnvironment(name);
      for (const scope of scopesOf(env)) {
        const aliases = healthFunctionAliases(scope);
        const functions = healthFunctions(env, scope);
        const point = byAlias(functions, aliases.stampScore).body;
        const overTime = byAlias(functions, aliases.stampScoreOverTime).body;
        // The point score is the over-time function called with binSize 0s (one bin over the whole
        // look-back), minus its time column: it holds no weights, penalties or thresholds of its own.
        expect(point).to.equal(`${aliases.stampScoreOverTime}(lookback, 0s)\n| project-away TimeGenerated`);
        expect(overTime).to.include(`${aliases.components}(lookback, binSize)`);
        expect(overTime).to.include("by TimeGenerated, Region, Stamp, Component").and.include("by TimeGenerated, Region, Stamp\n");
        // Every function that judges a signal bins its rows the same way.
        const judging = functions.filter((f) => f.body.includes("| extend Status = case(Value >= Red"));
        expect(judging.length).to.be.at.least(5);
        for (const fn of judging) {
          expect(fn.body, fn.alias).to.include("| extend Bin = iff(binSize > 0s, bin(TimeGenerated, binSize), now() - lookback)");
          expect(fn.body, fn.alias).to.include("| project TimeGenerated = Bin, Region, Stamp, Component");
        }
        // The score function can be called per bin, and its single-bin call is what alerts read.
        const declared = declarations(functions);
        for (const call of [`${aliases.stampScoreOverTime}(1h, 5m)`, `${aliases.stampScoreOverTime}(15m, 0s)`, `${aliases.stampScore}(15m)`]) {
          expect(semanticErrors(call, LOG_TABLES, declared), call).to.deep.equal([]);
        }
        expect(semanticErrors(`${aliases.stampScore}(15m) | project TimeGenerated`, LOG_TABLES, declared)).to.not.be.empty;
        // Per bin, the score has the point score's very columns (and types), plus the bin's start.
        const pointColumns = resultColumns(`${aliases.stampScore}(15m)`, LOG_TABLES, declared);
        const perBin = resultColumns(`${aliases.stampScoreOverTime}(1h, 5m)`, LOG_TABLES, declared);
        expect(pointColumns.map((c) => c.name)).to.deep.equal(["Region", "Stamp", "Score", "Status", "Yellow", "Red", "RedComponents", "YellowComponents"]);
        expect(perBin).to.deep.equal([{ name: "TimeGenerated", type: "datetime" }, ...pointColumns]);
        expect(pointColumns.find((c) => c.name === "Score")?.type).to.equal("real");
        expect(resultColumns(`${aliases.components}(1h, 5m)`, LOG_TABLES, declared)[0]).to.deep.equal({ name: "TimeGenerated", type: "datetime" });
      }
    }
  });

  it("gives every function a valid, unique alias and a look-back parameter", () => {
    for (const scope of scopesOf(loadEnvironment("prod"))) {
      const functions = healthFunctions(loadEnvironment("prod"), scope);
      const aliases = functions.map((f) => f.alias);
      expect(new Set(aliases).size).to.equal(aliases.length);
      for (const fn of functions) {
        expect(fn.alias).to.match(/^[A-Za-z_][A-Za-z0-9_]*$/);
        // The point roll-ups take a look-back; everything that judges per time bin also takes a bin size.
        const pointOnly = /_(StampScore|EnvironmentScore)$/.test(fn.alias);
        expect(fn.parameters, fn.alias).to.equal(pointOnly ? "lookback:timespan = 15m" : "lookback:timespan = 15m, binSize:timespan = 0s");
      }
    }
    expect(FUNCTION_CATEGORY).to.equal("ContosoHealthModel");
  });

  it("bakes each environment's thresholds into the queries (prod and dev differ)", () => {
    const prod = loadEnvironment("prod");
    const dev = loadEnvironment("dev");
    const at = (env: Environment, role: keyof ReturnType<typeof healthFunctionAliases>) =>
      byAlias(healthFunctions(env, { kind: "environment" }), healthFunctionAliases({ kind: "environment" })[role]!).body;
    const pair = (t: { yellow: number; red: number }) => `Yellow = real(${t.yellow}), Red = real(${t.red})`;
    for (const env of [prod, dev]) {
      const hm = env.healthModel;
      expect(at(env, "apiFailures")).to.include(pair(hm.failureRatePercent));
      expect(at(env, "apiLatency")).to.include(pair(hm.latencyP95Ms));
      expect(at(env, "dependencyFailures")).to.include(pair(hm.dependencyFailurePercent));
      expect(at(env, "cosmosErrors")).to.include(pair(hm.dependencyFailurePercent));
      expect(at(env, "queueBacklog")).to.include(pair(hm.queueBacklog));
      expect(at(env, "keyVaultErrors")).to.include(pair(hm.keyVaultErrors));
      expect(at(env, "stampScoreOverTime")).to.include(pair(hm.healthScore));
      expect(at(env, "environmentScore")).to.include(pair(hm.healthScore));
    }
    // Front Door's own rule: red when a POP would take the origin out of rotation.
    expect(at(prod, "frontDoorOrigins")).to.include("Yellow = real(1), Red = real(2)").and.include("bin(TimeGenerated, 120s)");
    expect(at(dev, "frontDoorOrigins")).to.include("Yellow = real(1), Red = real(3)").and.include("bin(TimeGenerated, 240s)");
    expect(at(prod, "stampScoreOverTime")).to.include("Red = real(70)");
    expect(at(dev, "stampScoreOverTime")).to.include("Red = real(50)");
    expect(at(prod, "apiFailures")).to.not.equal(at(dev, "apiFailures"));
    expect(at(prod, "apiLatency")).to.include("real(2000)").and.not.include("real(4000)");
    expect(at(dev, "apiLatency")).to.include("real(4000)");
  });

  it("reads the environment's own stamps only, and a stamp's functions only that stamp", () => {
    const prod = loadEnvironment("prod");
    const envBody = byAlias(healthFunctions(prod, { kind: "environment" }), "ContosoHealth_ApiFailures").body;
    for (const region of ["westeurope", "northeurope", "swedencentral"]) expect(envBody).to.include(`"${region}"`);
    expect(envBody).to.include(`strcat("prod-", RegionShort`);
    const stampFns = healthFunctions(prod, { kind: "stamp", region: "northeurope", release: "r42" });
    expect(stampFns.map((f) => f.alias)).to.include("ContosoHealth_neu_r42_StampScore");
    expect(stampFns.map((f) => f.alias)).to.not.include("ContosoHealth_neu_r42_EnvironmentScore");
    for (const fn of stampFns.filter((f) => !/Components|StampScore/.test(f.alias))) {
      expect(fn.body, fn.alias).to.include(`| where Stamp == "prod-neu-r42"`);
    }
    // Cosmos DB and Front Door never reach a stamp's regional workspace: judged in environment scope only.
    expect(stampFns.map((f) => f.alias)).to.not.include.members(["ContosoHealth_neu_r42_CosmosErrors", "ContosoHealth_neu_r42_FrontDoorOrigins"]);
  });

  it("recognises a stamp's resource group as the stamp naming makes it, and nothing else", () => {
    for (const name of ["prod", "dev-alice"]) {
      const env = loadEnvironment(name);
      const pattern = new RegExp(stampResourceGroupPattern(env.name));
      for (const region of env.regions) {
        const rg = resourceName("resourceGroup", { env: env.name, region, release: "r42" });
        const match = pattern.exec(rg);
        expect(match, rg).to.not.equal(null);
        expect(`${env.name}-${match![1]}-${match![2]}`).to.equal(stampStackName(env.name, region, "r42"));
      }
      expect(pattern.test(resourceName("resourceGroup", { env: env.name }))).to.equal(false);
    }
    // Another environment's stamps never count for this one.
    expect(new RegExp(stampResourceGroupPattern("dev")).test("rg-shoes-dev-alice-weu-r1")).to.equal(false);
  });

  it("weighs components so that a red API alone takes a prod stamp below its red threshold", () => {
    const total = COMPONENTS.reduce((sum, c) => sum + c.weight, 0);
    expect(total).to.equal(100);
    const api = COMPONENTS.find((c) => c.name === "api")!;
    expect(100 - api.weight).to.be.below(loadEnvironment("prod").healthModel.healthScore.red);
    // A single yellow anywhere never makes a stamp unhealthy.
    for (const c of COMPONENTS) expect(100 - c.weight / 2).to.be.at.least(loadEnvironment("prod").healthModel.healthScore.red);
    expect(STATUS).to.deep.equal({ green: 0, yellow: 1, red: 2 });
  });
});
