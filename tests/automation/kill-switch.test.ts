import { BlobServiceClient, BlockBlobClient, StorageSharedKeyCredential, type BlockBlobUploadOptions } from "@azure/storage-blob";
import { expect } from "chai";
import { rmSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { TAG } from "../../environments/stacks.js";
import type { Engine, EngineKind, StackProgram, StackSummary, UpResult } from "../../automation/engine/port.js";
import { OfflineEngine } from "../../automation/offline/offline-engine.js";
import {
  ARMED,
  armerFor,
  armKillSwitch,
  blobArmer,
  KILL_SWITCH_TAG,
  killSwitchContent,
  KillSwitchError,
  simulatedArmer,
  type KillSwitchBlobFactory,
} from "../../automation/stacks/kill-switch.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteBlob, type LocalAzurite } from "../stamp/health/local-servers.js";
import { tempDir } from "./cli-harness.js";

const STACK = "prod-weu-r42";
const URL_ = `https://stshoeskillprodk3x9q.blob.core.windows.net/killswitch/${STACK}`;
const UP: UpResult = { stack: STACK, outputs: { stack: STACK, region: "westeurope", release: "r42", killSwitchBlobUrl: URL_ }, changes: { create: 40 } };

/** Only what arming touches: the stacks' tags. Any other call is a bug in the code under test. */
class TagEngine implements Engine {
  readonly description = "tags only";
  readonly stateDir = "/nonexistent";
  readonly tags = new Map<string, Record<string, string>>();
  constructor(readonly kind: EngineKind) {
    this.tags.set(STACK, { [TAG.env]: "prod", [TAG.kind]: "stamp" });
  }
  async listStacks(filter: { tags?: Record<string, string> } = {}): Promise<StackSummary[]> {
    const wanted = Object.entries(filter.tags ?? {});
    return [...this.tags].filter(([, t]) => wanted.every(([k, v]) => t[k] === v)).map(([name, tags]) => ({ name, tags: { ...tags } }));
  }
  async setTags(stack: string, tags: Record<string, string>): Promise<void> {
    this.tags.set(stack, { ...this.tags.get(stack), ...tags });
  }
  checkPrerequisites(): Promise<void> { throw new Error("not used"); }
  up(): Promise<UpResult> { throw new Error("not used"); }
  preview(): never { throw new Error("not used"); }
  destroy(): Promise<void> { throw new Error("not used"); }
  remove(): Promise<void> { throw new Error("not used"); }
  outputs(): Promise<undefined> { throw new Error("not used"); }
}

interface Upload {
  url: string;
  body: string;
  length: number;
  options: BlockBlobUploadOptions;
}

/** A stub of the kill-switch container: blobs by URL, If-None-Match honoured as Azure does (409 BlobAlreadyExists). */
function stubContainer(fail?: { statusCode: number; code: string; message: string }) {
  const blobs = new Map<string, string>();
  const uploads: Upload[] = [];
  const clientFor: KillSwitchBlobFactory = async (url) => ({
    async upload(body, length, options) {
      uploads.push({ url, body, length, options });
      if (fail) throw Object.assign(new Error(fail.message), { statusCode: fail.statusCode, code: fail.code });
      if (options.conditions?.ifNoneMatch === "*" && blobs.has(url)) {
        throw Object.assign(new Error("The specified blob already exists."), { statusCode: 409, code: "BlobAlreadyExists" });
      }
      blobs.set(url, body);
      return {};
    },
    async deleteIfExists() {
      if (fail) throw Object.assign(new Error(fail.message), { statusCode: fail.statusCode, code: fail.code });
      return { succeeded: blobs.delete(url) };
    },
  });
  return { blobs, uploads, clientFor };
}

describe("kill switch arming (automation/stacks/kill-switch.ts)", function () {
  this.timeout(30_000);

  describe("Pulumi engine: the blob written with Entra ID, once", () => {
    it("creates the blob once, never overwriting, then records contoso:kill-switch=armed", async () => {
      const engine = new TagEngine("pulumi");
      const azure = stubContainer();
      expect(await armKillSwitch(engine, "prod", UP, blobArmer(azure.clientFor))).to.equal("created");
      expect(azure.uploads).to.have.length(1);
      const [upload] = azure.uploads;
      expect(upload!.url).to.equal(URL_);
      expect(upload!.options.conditions).to.deep.equal({ ifNoneMatch: "*" });
      expect(upload!.options.metadata).to.deep.equal({ stamp: STACK, region: "westeurope", release: "r42" });
      expect(upload!.body).to.equal(killSwitchContent(STACK));
      expect(upload!.length).to.equal(Buffer.byteLength(upload!.body));
      expect(engine.tags.get(STACK)).to.include({ [KILL_SWITCH_TAG]: ARMED });
    });

    it("honours an operator's deletion: later ups of an armed stamp do not write the blob again", async () => {
      const engine = new TagEngine("pulumi");
      const azure = stubContainer();
      const armer = blobArmer(azure.clientFor);
      await armKillSwitch(engine, "prod", UP, armer);
      azure.blobs.delete(URL_); // the operator drains the stamp
      expect(await armKillSwitch(engine, "prod", UP, armer)).to.equal("already-armed");
      expect(await armKillSwitch(engine, "prod", UP, armer)).to.equal("already-armed");
      expect(azure.uploads).to.have.length(1);
      expect(azure.blobs.has(URL_)).to.equal(false);
    });

    it("treats a blob that already exists (409, or 412) as armed: a crash between the write and the tag re-arms cleanly", async () => {
      for (const statusCode of [409, 412]) {
        const engine = new TagEngine("pulumi");
        const azure = stubContainer({ statusCode, code: statusCode === 409 ? "BlobAlreadyExists" : "ConditionNotMet", message: "exists" });
        expect(await armKillSwitch(engine, "prod", UP, blobArmer(azure.clientFor)), String(statusCode)).to.equal("existed");
        expect(engine.tags.get(STACK)).to.include({ [KILL_SWITCH_TAG]: ARMED });
      }
    });

    it("a 403 is one line naming the role on the container and the network access the deploying identity needs; nothing recorded", async () => {
      const engine = new TagEngine("pulumi");
      const azure = stubContainer({ statusCode: 403, code: "AuthorizationPermissionMismatch", message: "This request is not authorized to perform this operation using this permission.\nRequestId:1" });
      let error: unknown;
      try {
        await armKillSwitch(engine, "prod", UP, blobArmer(azure.clientFor));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(KillSwitchError);
      const message = (error as KillSwitchError).message;
      expect(message).to.not.contain("\n");
      expect(message).to.contain("Storage Blob Data Contributor");
      expect(message).to.contain("container killswitch of storage account stshoeskillprodk3x9q");
      expect(message).to.contain("AuthorizationPermissionMismatch");
      expect(message).to.match(/network access/);
      expect((error as KillSwitchError).exitCode).to.equal(1);
      expect(engine.tags.get(STACK)).to.not.have.property(KILL_SWITCH_TAG);
    });

    it("any other failure leaves the stamp unarmed, so the next up tries again", async () => {
      const engine = new TagEngine("pulumi");
      const broken = stubContainer({ statusCode: 503, code: "ServerBusy", message: "The server is busy." });
      let error: unknown;
      await armKillSwitch(engine, "prod", UP, blobArmer(broken.clientFor)).catch((err: unknown) => (error = err));
      expect((error as Error).message).to.equal(`cannot arm the kill switch of ${STACK} (${URL_}): The server is busy.`);
      expect(engine.tags.get(STACK)).to.not.have.property(KILL_SWITCH_TAG);
      const healthy = stubContainer();
      expect(await armKillSwitch(engine, "prod", UP, blobArmer(healthy.clientFor))).to.equal("created");
    });

    it("refuses a stamp without a killSwitchBlobUrl output, before writing anything", async () => {
      const engine = new TagEngine("pulumi");
      const azure = stubContainer();
      const old = { stack: STACK, outputs: { stack: STACK } };
      await armKillSwitch(engine, "prod", old, blobArmer(azure.clientFor)).then(
        () => expect.fail("armed without a URL"),
        (err: unknown) => expect((err as Error).message).to.match(/has no killSwitchBlobUrl output/),
      );
      expect(azure.uploads).to.have.length(0);
    });

    it("disarming deletes the blob of a destroyed stamp; one already gone (an operator drained it) is 'absent'", async () => {
      const azure = stubContainer();
      azure.blobs.set(URL_, "switch");
      const armer = blobArmer(azure.clientFor);
      expect(await armer.disarm({ stack: STACK, blobUrl: URL_ })).to.equal("deleted");
      expect(azure.blobs.has(URL_)).to.equal(false);
      expect(await armer.disarm({ stack: STACK, blobUrl: URL_ })).to.equal("absent");
      expect(await simulatedArmer.disarm({ stack: STACK, blobUrl: URL_ })).to.equal("simulated");
    });

    it("a 403 on disarming is one line naming the role the identity needs to delete the blob", async () => {
      const azure = stubContainer({ statusCode: 403, code: "AuthorizationPermissionMismatch", message: "not authorized\nRequestId:1" });
      const err = await blobArmer(azure.clientFor).disarm({ stack: STACK, blobUrl: URL_ }).then(() => expect.fail("disarmed"), (e: unknown) => e as KillSwitchError);
      expect(err).to.be.instanceOf(KillSwitchError);
      expect(err.message).to.match(new RegExp(`^cannot remove the kill switch of ${STACK}: Azure refused to delete ${URL_.replace(/[.]/g, "\\.")} \\(403 AuthorizationPermissionMismatch\\)`));
      expect(err.message).to.contain("Storage Blob Data Contributor");
      expect(err.message).to.not.contain("\n");
    });

    it("picks the blob writer for the Pulumi engine and the simulation for the offline one", () => {
      expect(armerFor({ kind: "offline" })).to.equal(simulatedArmer);
      expect(armerFor({ kind: "pulumi" })).to.not.equal(simulatedArmer);
    });
  });

  describe("against a real blob service (Azurite)", () => {
    let azurite: LocalAzurite;
    before(async () => {
      azurite = await startAzuriteBlob();
    });
    after(async () => azurite?.stop());

    it("If-None-Match: * creates once and gets 'already exists' afterwards, leaving an operator's re-created blob untouched", async () => {
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("killswitch");
      await container.create();
      // Shared key only because Azurite's Entra ID mode needs HTTPS and a token; the request is the same one.
      const clientFor: KillSwitchBlobFactory = async (url) => new BlockBlobClient(url, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
      const armer = blobArmer(clientFor);
      const target = { stack: STACK, blobUrl: container.getBlockBlobClient(STACK).url, region: "westeurope", release: "r42" };
      expect(await armer.arm(target)).to.equal("created");
      const blob = container.getBlockBlobClient(STACK);
      const props = await blob.getProperties();
      expect(props.metadata).to.deep.equal({ stamp: STACK, region: "westeurope", release: "r42" });
      expect(props.contentType).to.equal("text/plain; charset=utf-8");

      await blob.delete();
      await blob.upload("re-created by hand\n", 19);
      expect(await armer.arm(target)).to.equal("existed");
      expect((await blob.downloadToBuffer()).toString()).to.equal("re-created by hand\n");

      // The stamp is destroyed: its switch goes with it, and a second delete finds nothing.
      expect(await armer.disarm(target)).to.equal("deleted");
      expect(await blob.exists()).to.equal(false);
      expect(await armer.disarm(target)).to.equal("absent");
    });
  });

  describe("offline engine: the tag only", () => {
    it("records contoso:kill-switch=armed on the stamp's stack and writes no blob", async () => {
      const stateDir = tempDir("kill-switch");
      try {
        const engine = new OfflineEngine({ stateDir, timeScale: 0.00001, env: {} });
        const spec: StackProgram = {
          stack: STACK,
          tags: { [TAG.env]: "prod", [TAG.kind]: "stamp" },
          program: async () => ({ stack: pulumi.getStack(), killSwitchBlobUrl: URL_ }),
        };
        const up = await engine.up(spec);
        expect(await armKillSwitch(engine, "prod", up)).to.equal("simulated");
        expect(await armKillSwitch(engine, "prod", await engine.up(spec))).to.equal("already-armed");
        const [summary] = await engine.listStacks({ tags: { [TAG.env]: "prod" } });
        expect(summary!.tags).to.include({ [KILL_SWITCH_TAG]: ARMED, [TAG.kind]: "stamp" });
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
});
