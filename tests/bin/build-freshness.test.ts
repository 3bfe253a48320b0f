import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freshBuild } from "../../bin/build-freshness.js";

/** The launcher runs dist/ only while no source is newer than the build: an edit is never shadowed by a stale build. */
describe("bin/build-freshness", () => {
  let repo: string;
  const at = (file: string, seconds: number) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
    utimesSync(file, seconds, seconds);
  };
  beforeEach(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), "contoso-freshness-"));
    at(path.join(repo, "automation", "cli", "main.ts"), 1_000);
    at(path.join(repo, "environments", "prod.ts"), 1_000);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it("uses a build newer than every source", () => {
    at(path.join(repo, "dist", "build-info.json"), 2_000);
    expect(freshBuild(repo, {})).to.equal(true);
  });

  it("falls back to the sources when there is no finished build", () => {
    mkdirSync(path.join(repo, "dist", "automation"), { recursive: true });
    expect(freshBuild(repo, {})).to.equal(false);
  });

  it("falls back when a source deep in a folder changed after the build", () => {
    at(path.join(repo, "dist", "build-info.json"), 2_000);
    at(path.join(repo, "automation", "release", "deep", "decide.ts"), 3_000);
    expect(freshBuild(repo, {})).to.equal(false);
  });

  it("CONTOSO_NO_BUILD=1 forces the sources", () => {
    at(path.join(repo, "dist", "build-info.json"), 2_000);
    expect(freshBuild(repo, { CONTOSO_NO_BUILD: "1" })).to.equal(false);
  });
});
