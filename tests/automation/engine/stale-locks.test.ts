import { expect } from "chai";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { clearDeadLocks, describeLocks, lockDir, processAlive } from "../../../automation/engine/stale-locks.js";
import { bareStackName } from "../../../automation/engine/stack-names.js";
import { checkCliVersion } from "../../../automation/engine/cli-version.js";
import { tempDir } from "../cli-harness.js";

describe("Pulumi engine: stale stack locks of a file backend", () => {
  const write = (dir: string, name: string, content: unknown) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
    return path.join(dir, name);
  };
  const lock = (pid: number, hostname: string) => ({ pid, username: "ci", hostname, timestamp: "2026-01-01T00:00:00Z" });

  it("removes locks only when every one is from a dead process on this machine, and only those files", async () => {
    const backend = tempDir("locks");
    const dir = lockDir(backend, "contoso-shoes", "prod-global");
    const dead = write(dir, "a.json", lock(111, "here"));
    const other = write(path.join(dir, "..", "prod-weu-r1"), "b.json", lock(111, "here"));
    const result = await clearDeadLocks(backend, "contoso-shoes", "prod-global", "here", () => false);
    expect(result.allDead).to.equal(true);
    expect(existsSync(dead)).to.equal(false);
    expect(existsSync(other), "another stack's lock is not touched").to.equal(true);
  });

  it("leaves every lock alone when one holder lives, is elsewhere, or its lock cannot be read", async () => {
    for (const [content, state] of [
      [lock(222, "here"), "alive"],
      [lock(111, "build-agent-7"), "elsewhere"],
      ["{not json", "unreadable"],
      [{ username: "ci", hostname: "here" }, "unreadable"],
      [{ pid: -1, hostname: "here" }, "unreadable"],
    ] as const) {
      const backend = tempDir("locks");
      const dir = lockDir(backend, "contoso-shoes", "prod-global");
      const dead = write(dir, "a.json", lock(111, "here"));
      const suspect = write(dir, "b.json", content);
      const result = await clearDeadLocks(backend, "contoso-shoes", "prod-global", "here", (pid) => pid === 222);
      expect(result.allDead, JSON.stringify(content)).to.equal(false);
      expect(result.locks.map((l) => l.state)).to.deep.equal(["dead", state]);
      expect(existsSync(dead) && existsSync(suspect)).to.equal(true);
      expect(describeLocks(result.locks)).to.be.a("string").and.not.equal("");
    }
  });

  it("knows this process lives and a pid that cannot exist does not", () => {
    expect(processAlive(process.pid)).to.equal(true);
    expect(processAlive(2 ** 30)).to.equal(false);
  });
});

describe("Pulumi engine: stack names and the CLI version", () => {
  it("makes qualified names bare and refuses another project's or a malformed name", () => {
    expect(bareStackName("prod-global", "contoso-shoes")).to.equal("prod-global");
    expect(bareStackName("contoso-shoes/prod-global", "contoso-shoes")).to.equal("prod-global");
    expect(bareStackName("acme/contoso-shoes/prod-global", "contoso-shoes")).to.equal("prod-global");
    expect(bareStackName("acme/other/prod-global", "contoso-shoes", { otherProject: "skip" })).to.equal(undefined);
    expect(() => bareStackName("acme/other/prod-global", "contoso-shoes")).to.throw(/belongs to project "other", not contoso-shoes/);
    for (const bad of ["a/b/c/d", "/prod-global", "acme//prod-global", ""]) expect(() => bareStackName(bad, "contoso-shoes"), bad).to.throw(/stack name/);
  });

  it("accepts pulumi 3.211.0 and later, and names the version needed otherwise", () => {
    for (const ok of ["v3.211.0", "3.211.0", "v3.248.0", "v4.0.0", "v3.211.1-dev.0"]) expect(checkCliVersion(ok, "/bin/pulumi"), ok).to.equal(undefined);
    expect(checkCliVersion("v3.210.9", "/bin/pulumi")).to.equal(
      "the pulumi CLI at /bin/pulumi is version 3.210.9; this driver needs pulumi 3.211.0 or later (stack tags on self-managed backends): upgrade it from https://www.pulumi.com/docs/install/",
    );
    expect(checkCliVersion("v2.25.0", "/bin/pulumi")).to.match(/is version 2\.25\.0; this driver needs pulumi 3\.211\.0/);
    expect(checkCliVersion("garbage", "/bin/pulumi")).to.match(/did not say its version/);
    expect(checkCliVersion(undefined, "/bin/pulumi")).to.match(/did not say its version/);
  });
});
