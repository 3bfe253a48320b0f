import { expect } from "chai";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cachedVerdict } from "../../../../automation/offline/azure-model/kusto-verdict-cache.js";
import { semanticErrors } from "../../../../automation/offline/azure-model/kusto.js";

/**
 * The Kusto verdict cache may make a verdict faster, never different: it is keyed by every input,
 * survives between processes (files), and anything wrong with it falls back to the library.
 */
describe("offline Azure model: the Kusto verdict cache", function () {
  let dir: string;
  const saved = process.env.CONTOSO_KUSTO_CACHE;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "contoso-kusto-cache-"));
    process.env.CONTOSO_KUSTO_CACHE = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CONTOSO_KUSTO_CACHE;
    else process.env.CONTOSO_KUSTO_CACHE = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = () => readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".json"));

  it("computes a verdict once per distinct input, and a different input is never answered from another's entry", () => {
    let computed = 0;
    const verdict = (inputs: unknown, answer: string) =>
      cachedVerdict("semantic", inputs, () => {
        computed++;
        return answer;
      });
    expect(verdict(["T | take 1", { T: "(a: int)" }], "first")).to.equal("first");
    expect(verdict(["T | take 1", { T: "(a: int)" }], "second")).to.equal("first");
    expect(computed).to.equal(1);
    // The same text against another schema, or another kind of verdict, is its own entry.
    expect(verdict(["T | take 1", { T: "(b: int)" }], "third")).to.equal("third");
    expect(cachedVerdict("syntax", ["T | take 1", { T: "(a: int)" }], () => "fourth")).to.equal("fourth");
    expect(computed).to.equal(2);
    expect(entries()).to.have.length(3);
  });

  it("asks the library again when an entry is damaged, and when the cache is off", () => {
    cachedVerdict("semantic", ["q"], () => "stored");
    const [entry] = entries();
    writeFileSync(path.join(dir, String(entry)), "{ half-writ");
    expect(cachedVerdict("semantic", ["q"], () => "recomputed")).to.equal("recomputed");
    process.env.CONTOSO_KUSTO_CACHE = "off";
    expect(cachedVerdict("semantic", ["q"], () => "uncached")).to.equal("uncached");
  });

  it("still answers when the cache folder cannot be written", () => {
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "");
    process.env.CONTOSO_KUSTO_CACHE = file;
    expect(cachedVerdict("semantic", ["q"], () => "answered")).to.equal("answered");
  });

  it("gives the library's own verdict, cached or not, for a valid and an invalid query", () => {
    const tables = { AppRequests: "(TimeGenerated: datetime, Success: bool)" };
    const bad = "AppRequests | where NoSuchColumn > 1";
    const good = "AppRequests | summarize count() by Success";
    process.env.CONTOSO_KUSTO_CACHE = "off";
    const direct = { bad: semanticErrors(bad, tables), good: semanticErrors(good, tables) };
    expect(direct.bad.map((d) => d.code)).to.include("KS142");
    expect(direct.good).to.deep.equal([]);
    process.env.CONTOSO_KUSTO_CACHE = dir;
    for (let round = 0; round < 2; round++) {
      expect(semanticErrors(bad, tables)).to.deep.equal(direct.bad);
      expect(semanticErrors(good, tables)).to.deep.equal(direct.good);
    }
    expect(entries()).to.have.length(2);
  });
});
