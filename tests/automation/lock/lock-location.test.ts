import { expect } from "chai";
import { InputError } from "../../../environments/errors.js";
import { describeLocation, releaseLockPlacement } from "../../../automation/lock/lock-location.js";

/** Where the release lock lives, for every engine and backend, and the bad values that stop a command. */
describe("release lock location", () => {
  const offline = { kind: "offline" as const, stateDir: "/state/offline" };
  const pulumi = (backendUrl: string) => ({ kind: "pulumi" as const, stateDir: "/repo/.contoso/pulumi", backendUrl });
  const bad = (engine: Parameters<typeof releaseLockPlacement>[0], env: NodeJS.ProcessEnv, message: RegExp) => {
    let thrown: unknown;
    try {
      releaseLockPlacement(engine, env);
    } catch (err) {
      thrown = err;
    }
    expect(thrown, "an InputError").to.be.instanceOf(InputError);
    const text = (thrown as Error).message;
    expect(text).to.match(message);
    expect(text, "one line").not.to.include("\n");
  };

  describe("without CONTOSO_RELEASE_LOCK", () => {
    it("offline engine: the file lock in its state folder, no warning", () => {
      expect(releaseLockPlacement(offline, {})).to.deep.equal({ location: { kind: "file", dir: "/state/offline" }, source: "engine state" });
    });

    it("offline engine: ignores PULUMI_BACKEND_URL (its stacks are on this disk)", () => {
      const placement = releaseLockPlacement({ ...offline, backendUrl: "azblob://state" }, { PULUMI_BACKEND_URL: "azblob://state", AZURE_STORAGE_ACCOUNT: "acct1" });
      expect(placement.location).to.deep.equal({ kind: "file", dir: "/state/offline" });
    });

    it("file:// backend: the lock file inside the backend folder, shared by everyone using that folder", () => {
      const placement = releaseLockPlacement(pulumi("file:///mnt/shared/pulumi-state"), {});
      expect(placement).to.deep.equal({ location: { kind: "file", dir: "/mnt/shared/pulumi-state/.contoso" }, source: "Pulumi backend" });
      expect(describeLocation(placement.location)).to.equal("/mnt/shared/pulumi-state/.contoso/locks");
    });

    it("azblob:// backend: a blob lease in that container, account from AZURE_STORAGE_ACCOUNT, public cloud endpoint", () => {
      const placement = releaseLockPlacement(pulumi("azblob://pulumi-state"), { AZURE_STORAGE_ACCOUNT: "contosostate" });
      expect(placement).to.deep.equal({
        location: { kind: "blob", account: "contosostate", container: "pulumi-state", serviceUrl: "https://contosostate.blob.core.windows.net", blobPrefix: ".contoso/locks/" },
        source: "Pulumi backend",
      });
      expect(describeLocation(placement.location)).to.equal("https://contosostate.blob.core.windows.net/pulumi-state/.contoso/locks/");
    });

    it("azblob:// backend: storage_account in the URL wins over AZURE_STORAGE_ACCOUNT; AZURE_STORAGE_DOMAIN picks the cloud", () => {
      const placement = releaseLockPlacement(pulumi("azblob://state?storage_account=fromurl"), {
        AZURE_STORAGE_ACCOUNT: "fromenv",
        AZURE_STORAGE_DOMAIN: "core.chinacloudapi.cn",
      });
      expect(placement.location).to.include({ account: "fromurl", serviceUrl: "https://fromurl.blob.core.chinacloudapi.cn" });
    });

    it("azblob:// backend with a path: the locks sit under that prefix, beside that state", () => {
      const placement = releaseLockPlacement(pulumi("azblob://state/team-a/"), { AZURE_STORAGE_ACCOUNT: "acct1" });
      expect(placement.location).to.include({ container: "state", blobPrefix: "team-a/.contoso/locks/" });
    });

    it("azblob:// backend on a local emulator (Azurite): the account is the first path segment", () => {
      const placement = releaseLockPlacement(pulumi("azblob://state"), {
        AZURE_STORAGE_ACCOUNT: "devstoreaccount1",
        AZURE_STORAGE_IS_LOCAL_EMULATOR: "true",
        AZURE_STORAGE_DOMAIN: "127.0.0.1:10000",
      });
      expect(placement.location).to.include({ serviceUrl: "http://127.0.0.1:10000/devstoreaccount1" });
    });

    it("Pulumi Cloud: the file lock in the engine's state folder, and one warning line naming CONTOSO_RELEASE_LOCK", () => {
      const placement = releaseLockPlacement(pulumi("https://api.pulumi.com"), {});
      expect(placement.location).to.deep.equal({ kind: "file", dir: "/repo/.contoso/pulumi" });
      expect(placement.source).to.equal("engine state");
      expect(placement.warning).to.match(/per machine .*https:\/\/api\.pulumi\.com.*CONTOSO_RELEASE_LOCK=azblob:\/\//);
      expect(placement.warning).not.to.include("\n");
    });

    it("another self-managed backend (s3://): per machine as well, with the same warning", () => {
      expect(releaseLockPlacement(pulumi("s3://bucket"), {}).warning).to.match(/per machine .*CONTOSO_RELEASE_LOCK/);
    });
  });

  describe("CONTOSO_RELEASE_LOCK", () => {
    it("azblob:// overrides any backend, offline included", () => {
      for (const engine of [offline, pulumi("https://api.pulumi.com"), pulumi("file:///x")]) {
        const placement = releaseLockPlacement(engine, { CONTOSO_RELEASE_LOCK: "azblob://locks?storage_account=sharedlocks" });
        expect(placement.source).to.equal("CONTOSO_RELEASE_LOCK");
        expect(placement.warning, "no per-machine warning: the lock is shared").to.equal(undefined);
        expect(placement.location).to.deep.equal({
          kind: "blob", account: "sharedlocks", container: "locks", serviceUrl: "https://sharedlocks.blob.core.windows.net", blobPrefix: ".contoso/locks/",
        });
      }
    });

    it("azblob:// takes the account from AZURE_STORAGE_ACCOUNT when the URL names none", () => {
      expect(releaseLockPlacement(offline, { CONTOSO_RELEASE_LOCK: "azblob://locks", AZURE_STORAGE_ACCOUNT: "acct1" }).location).to.include({ account: "acct1" });
    });

    it("file:///abs/path: the file lock in that folder", () => {
      expect(releaseLockPlacement(pulumi("azblob://state"), { CONTOSO_RELEASE_LOCK: "file:///srv/locks" })).to.deep.equal({
        location: { kind: "file", dir: "/srv/locks" },
        source: "CONTOSO_RELEASE_LOCK",
      });
    });

    it("blank counts as unset", () => {
      expect(releaseLockPlacement(offline, { CONTOSO_RELEASE_LOCK: "  " }).source).to.equal("engine state");
    });
  });

  describe("bad values: one line, InputError", () => {
    it("an unknown scheme", () => bad(offline, { CONTOSO_RELEASE_LOCK: "s3://bucket" }, /CONTOSO_RELEASE_LOCK "s3:\/\/bucket" must be azblob:\/\/<container>.* or file:\/\/\/absolute\/folder/));
    it("a bare path", () => bad(offline, { CONTOSO_RELEASE_LOCK: "/srv/locks" }, /must be azblob:\/\/.*or file:\/\/\//));
    it("a relative file URL", () => bad(offline, { CONTOSO_RELEASE_LOCK: "file://locks" }, /must name an absolute folder|not a file URL/));
    it("azblob:// without an account", () =>
      bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://locks" }, /names no storage account: set AZURE_STORAGE_ACCOUNT or add \?storage_account=<account>/));
    it("the azblob backend without an account", () => bad(pulumi("azblob://state"), {}, /PULUMI_BACKEND_URL "azblob:\/\/state" names no storage account/));
    it("a container name Azure refuses", () => bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://My_Locks?storage_account=acct1" }, /container "My_Locks" must be 3-63 lowercase/));
    it("a too-short container", () => bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://ab?storage_account=acct1" }, /container "ab" must be 3-63/));
    it("a storage account Azure refuses", () => bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://locks?storage_account=Bad-Account" }, /storage account "Bad-Account" must be 3-24 lowercase/));
    it("an unknown protocol", () =>
      bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://locks?storage_account=acct1", AZURE_STORAGE_PROTOCOL: "ftp" }, /storage protocol "ftp" .* must be https or http/));
    it("a domain that is not a host", () =>
      bad(offline, { CONTOSO_RELEASE_LOCK: "azblob://locks?storage_account=acct1", AZURE_STORAGE_DOMAIN: "core windows/net" }, /storage domain "core windows\/net"/));
  });
});
