import { expect } from "chai";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { NetworkModel } from "../../automation/offline/network/reachability.js";
import { OfflineEngine } from "../../automation/offline/offline-engine.js";
import { stampEndpoints, type StampEndpoints } from "../../automation/release/endpoints.js";
import { probeOnce } from "../../automation/release/probe.js";
import { armDrainMarkers, drainMarkerName, KillSwitchError, type BlobContainersClient } from "../../automation/stacks/kill-switch.js";
import { cleanEnv, runCli, tempDir, type CliRun } from "./cli-harness.js";

/**
 * The kill switch (automation/stacks/kill-switch.ts): a drain marker container created and deleted
 * through Azure Resource Manager, read by the stamp over its private endpoint.
 */

const ACCOUNT = "/subscriptions/0000/resourceGroups/rg-shoes-prod-global/providers/Microsoft.Storage/storageAccounts/stshoeskillprodk3x9q";
const TARGET = { stack: "prod-weu-r42", accountId: ACCOUNT, container: "drain-prod-weu-r42" };

/** A stub of ARM's Blob Containers API that records calls, holding containers in a set. */
function arm(initial: string[] = [], fail?: { status: number; on: "get" | "create" | "delete" }) {
  const containers = new Set(initial);
  const calls: string[] = [];
  const error = (status: number) => Object.assign(new Error(status === 404 ? "The specified container does not exist." : "AuthorizationFailed\nmore"), { statusCode: status });
  const client: BlobContainersClient = {
    async get(rg, account, name) {
      calls.push(`get ${rg}/${account}/${name}`);
      if (fail?.on === "get") throw error(fail.status);
      if (!containers.has(name)) throw error(404);
      return { name };
    },
    async create(rg, account, name, body) {
      calls.push(`create ${rg}/${account}/${name} ${JSON.stringify(body)}`);
      if (fail?.on === "create") throw error(fail.status);
      containers.add(name);
      return { name };
    },
    async delete(rg, account, name) {
      calls.push(`delete ${rg}/${account}/${name}`);
      if (fail?.on === "delete") throw error(fail.status);
      containers.delete(name);
    },
  };
  const subscriptions: string[] = [];
  return { containers, calls, subscriptions, factory: async (sub: string) => (subscriptions.push(sub), client) };
}

describe("kill switch: drain markers through Azure Resource Manager", function () {
  this.timeout(300_000);

  describe("the Pulumi engine's client (ARM Blob Containers API)", () => {
    it("creates a private marker with metadata in the account's subscription and resource group; draining twice is draining", async () => {
      const a = arm();
      const markers = armDrainMarkers(a.factory);
      expect(await markers.create(TARGET, { stamp: TARGET.stack, drainedby: "alice" })).to.equal("created");
      expect(a.calls).to.deep.equal([
        "get rg-shoes-prod-global/stshoeskillprodk3x9q/drain-prod-weu-r42",
        `create rg-shoes-prod-global/stshoeskillprodk3x9q/drain-prod-weu-r42 {"publicAccess":"None","metadata":{"stamp":"prod-weu-r42","drainedby":"alice"}}`,
      ]);
      expect(a.subscriptions).to.include("0000");
      expect(await markers.create(TARGET, {})).to.equal("existed");
      expect(await markers.exists(TARGET)).to.equal(true);
    });

    it("deletes a marker; one already gone is 'absent'", async () => {
      const a = arm([TARGET.container]);
      const markers = armDrainMarkers(a.factory);
      expect(await markers.remove(TARGET)).to.equal("deleted");
      expect(a.containers.size).to.equal(0);
      expect(await markers.remove(TARGET)).to.equal("absent");
    });

    it("a 403 is one line naming the control-plane permission the identity needs", async () => {
      const markers = armDrainMarkers(arm([], { status: 403, on: "create" }).factory);
      const err = await markers.create(TARGET, {}).then(() => expect.fail("created"), (e: unknown) => e);
      expect(err).to.be.instanceOf(KillSwitchError);
      expect((err as Error).message).to.equal(
        `cannot create the drain marker drain-prod-weu-r42 of prod-weu-r42: Azure Resource Manager refused (403): the identity needs Microsoft.Storage/storageAccounts/blobServices/containers/write on ${ACCOUNT} (e.g. Storage Account Contributor)`,
      );
    });

    it("names markers after the stamp's stack, within a container name's rules", () => {
      expect(drainMarkerName("dev-alice-weu-r1")).to.equal("drain-dev-alice-weu-r1");
      expect(() => drainMarkerName("Prod-weu-r1")).to.throw(KillSwitchError, /no valid blob container name/);
      expect(() => drainMarkerName(`prod-weu-${"r".repeat(60)}`)).to.throw(KillSwitchError);
    });
  });

  describe("offline, in prod (isolated: the kill-switch account refuses public network access)", () => {
    const stateDir = tempDir("kill-switch");
    const env = cleanEnv({ CONTOSO_STATE_DIR: stateDir });
    const contoso = (...args: string[]) => runCli(["--offline", ...args], env);
    const ok = (run: CliRun, what: string) => expect(run.code, `${what}: ${run.stderr}`).to.equal(0);
    const engine = new OfflineEngine({ stateDir, timeScale: 0.00001, env: {} });
    const STAMP = "prod-weu-r1";
    let endpoints: StampEndpoints | undefined;
    let host = "";
    let account = "";

    /** The stamp's health as a direct probe from the (allow-listed) runner sees it. */
    const health = async () => {
      await endpoints!.refresh();
      // Two check rounds, so the verdict reflects the marker as it is now.
      await new Promise((r) => setTimeout(r, 700));
      return probeOnce(host, "/health/stamp", { resolve: endpoints!.resolve, timeoutMs: 5_000 });
    };

    before(async () => {
      ok(await contoso("global", "up", "--env", "prod"), "global up");
      // The runner's offline address is allow-listed, so this test can probe the stamp directly.
      ok(await contoso("stamp", "up", "--env", "prod", "--region", "weu", "--release", "r1", "--probe-allow", "203.0.113.10/32"), "stamp up");
      host = String((await engine.outputs(STAMP))!["webAppHostName"]);
      account = String((await engine.outputs("prod-global"))!["killSwitchStorageAccountName"]);
      endpoints = await stampEndpoints(engine, { env: "prod", checkIntervalMs: 250 });
    });
    after(async () => {
      await endpoints?.close();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it("the old way, a blob written from the runner, is refused by the account's network rules; the stamp reads it over its private endpoint", async () => {
      const stacks = await engine.listStacks();
      const model = new NetworkModel((await Promise.all(stacks.map((s) => engine.readRecord(s.name)))).filter((r) => r !== undefined));
      expect(model.reach("storage", account, { from: "internet", address: "203.0.113.10" })).to.deep.include({ allowed: false, status: 403, code: "AuthorizationFailure" });
      const vnet = (await engine.readRecord(STAMP))!.resources.find((r) => r.type === "azure-native:network:VirtualNetwork")!;
      const stampVnet = `${String(vnet.inputs["resourceGroupName"])}/${String(vnet.inputs["virtualNetworkName"])}`;
      expect(model.reach("storage", account, { from: "vnet", vnet: stampVnet })).to.deep.equal({ allowed: true, via: "private-endpoint" });
    });

    it("a new stamp serves with nothing armed: its kill switch reads 'no marker' over the private endpoint", async () => {
      const r = await health();
      expect(r.statusCode, r.error).to.equal(200);
      expect(r.components.find((c) => c.name === "killswitch")).to.include({ status: "Healthy" });
    });

    it("an operator drains it from the runner (control plane): the stamp reports Unhealthy; a redeploy does not undo it; undrain brings it back", async () => {
      const drained = await contoso("stamp", "drain", "--env", "prod", "--region", "weu", "--release", "r1");
      ok(drained, "stamp drain");
      expect(drained.stdout).to.contain(`${STAMP}: drained`);
      let r = await health();
      expect(r.statusCode).to.equal(503);
      expect(r.components.find((c) => c.name === "killswitch")?.error).to.match(/^drained: the kill switch drain marker drain-prod-weu-r1 exists/);

      ok(await contoso("stamp", "up", "--env", "prod", "--region", "weu", "--release", "r1", "--probe-allow", "203.0.113.10/32"), "stamp up again");
      r = await health();
      expect(r.statusCode, "still drained after a redeploy").to.equal(503);
      expect((await contoso("stamp", "drain", "--env", "prod", "--region", "weu", "--release", "r1")).stdout).to.contain("was already drained");

      const back = await contoso("stamp", "undrain", "--env", "prod", "--region", "weu", "--release", "r1");
      ok(back, "stamp undrain");
      expect(back.stdout).to.contain(`${STAMP}: back in rotation`);
      r = await health();
      expect(r.statusCode, r.error).to.equal(200);
    });

    it("destroying a drained stamp deletes its marker, so a later stamp of that name starts in rotation", async () => {
      ok(await contoso("stamp", "drain", "--env", "prod", "--region", "weu", "--release", "r1"), "stamp drain");
      const marker = path.join(stateDir, "control-plane", "containers");
      const files = () => (existsSync(marker) ? JSON.stringify(readdirRecursive(marker)) : "[]");
      expect(files()).to.contain("drain-prod-weu-r1.json");
      ok(await contoso("stamp", "destroy", "--env", "prod", "--region", "weu", "--release", "r1", "--confirm", "prod"), "stamp destroy");
      expect(files()).to.not.contain("drain-prod-weu-r1.json");
    });

    it("a drain of a stamp that does not exist is one line, exit 2", async () => {
      const run = await contoso("stamp", "drain", "--env", "prod", "--region", "neu", "--release", "r9");
      expect(run.code).to.equal(2);
      expect(run.errLines.at(-1)).to.match(/no such stamp: prod-neu-r9/);
    });
  });
});

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? readdirRecursive(full) : [full];
  });
}
