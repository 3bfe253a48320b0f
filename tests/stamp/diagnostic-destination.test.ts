import { expect } from "chai";
import { armTypeOfId, supportsDedicated } from "../../automation/offline/azure-model/diagnostic-categories.js";
import type { RecordedResource } from "../../automation/offline/mock-runner.js";
import { blueOrigins, env, runGlobal } from "../global/fixtures.js";
import { stampRun, T } from "./fixtures.js";

/**
 * Issue 12, defect 6: a diagnostic setting asks for resource-specific tables ("Dedicated") only on
 * resource types that write them (Azure Monitor "Supported logs"); on the others (Front Door
 * Standard/Premium, virtual networks, NSGs) and on metrics-only settings Azure stores no destination
 * type, so asking for one is a diff on every refresh.
 */
function misplaced(settings: RecordedResource[]): string[] {
  return settings
    .filter((s) => {
      const dedicated = s.inputs["logAnalyticsDestinationType"] === "Dedicated";
      const hasLogs = Array.isArray(s.inputs["logs"]) && (s.inputs["logs"] as unknown[]).length > 0;
      return dedicated && (!hasLogs || !supportsDedicated(armTypeOfId(String(s.inputs["resourceUri"]))));
    })
    .map((s) => `${s.name} (${armTypeOfId(String(s.inputs["resourceUri"]))})`);
}

describe("diagnostic settings: Dedicated only where the type has resource-specific tables (defect 6)", function () {
  this.timeout(300_000);

  for (const envName of ["prod", "staging", "dev"]) {
    it(`${envName} stamp`, async function () {
      const run = await stampRun(envName);
      const settings = run.ofType(T.diagnostic);
      expect(settings.length).to.be.greaterThan(5);
      expect(misplaced(settings)).to.deep.equal([]);
      // The types that do have them still get them (cheaper to query, the health model reads them).
      const kv = settings.find((s) => armTypeOfId(String(s.inputs["resourceUri"])) === "microsoft.keyvault/vaults");
      expect(kv?.inputs["logAnalyticsDestinationType"]).to.equal("Dedicated");
    });
  }

  it("prod global stack (Front Door writes AzureDiagnostics only)", async function () {
    const prod = env("prod");
    const run = await runGlobal(prod, blueOrigins(prod));
    const settings = run.ofType(T.diagnostic);
    expect(misplaced(settings)).to.deep.equal([]);
    const afd = settings.find((s) => armTypeOfId(String(s.inputs["resourceUri"])) === "microsoft.cdn/profiles");
    expect(afd, "Front Door setting").to.not.equal(undefined);
    expect(afd!.inputs).to.not.have.property("logAnalyticsDestinationType");
  });
});
