import { expect } from "chai";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation/index.js";
import { chooseBackend, missingPassphrase } from "../../automation/engine/backend.js";
import { OperationError, PrerequisiteError, StackLockedError } from "../../automation/engine/port.js";
import { findAzureCredentials, findPulumiCli, type PrerequisiteProbe } from "../../automation/engine/prerequisites.js";
import { logicalName, mapPulumiError, PulumiEngine, tagsFromName } from "../../automation/engine/pulumi-engine.js";
import { chooseEngine } from "../../automation/engine/select.js";
import { tempDir } from "./cli-harness.js";

/** A fake machine: which files are executable, what text files hold, what `az` answers. */
function fakeProbe(env: NodeJS.ProcessEnv, executables: string[] = [], azAccount?: object, files: Record<string, string> = {}): PrerequisiteProbe {
  return {
    env,
    isExecutable: (file) => executables.includes(file),
    readText: (file) => files[file],
    run: async (command) => {
      if (command.endsWith("/az") && azAccount) return JSON.stringify(azAccount);
      throw new Error("Please run 'az login' to setup account.");
    },
  };
}

describe("Pulumi engine: prerequisites", () => {
  it("finds pulumi on PATH, or in $PULUMI_HOME/bin, and otherwise says how to install it", () => {
    expect(findPulumiCli(fakeProbe({ PATH: "/usr/bin:/opt/pulumi/bin" }, ["/opt/pulumi/bin/pulumi"]))).to.deep.equal({ found: true, command: "/opt/pulumi/bin/pulumi" });
    expect(findPulumiCli(fakeProbe({ PATH: "/usr/bin", PULUMI_HOME: "/p" }, ["/p/bin/pulumi"]))).to.deep.equal({ found: true, command: "/p/bin/pulumi", root: "/p" });
    const missing = findPulumiCli(fakeProbe({ PATH: "/usr/bin", HOME: "/home/u" }));
    expect(missing.found).to.equal(false);
    expect((missing as { problem: string }).problem).to.equal(
      "the pulumi CLI is not installed (not on PATH, not in /home/u/.pulumi/bin): install it from https://www.pulumi.com/docs/install/, or set PULUMI_HOME to the folder it is installed in, or use --offline",
    );
  });

  it("accepts a service principal, workload identity, managed identity or an Azure CLI login, and wants a subscription", async () => {
    const sp = { ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t", ARM_CLIENT_SECRET: "s", ARM_SUBSCRIPTION_ID: "sub" };
    expect(await findAzureCredentials(fakeProbe(sp))).to.include({ found: true, subscriptionId: "sub" });
    expect(await findAzureCredentials(fakeProbe({ ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t", ARM_USE_OIDC: "true", ARM_SUBSCRIPTION_ID: "s" }))).to.include({ found: true });
    expect(await findAzureCredentials(fakeProbe({ ARM_USE_MSI: "true" }))).to.deep.equal({
      found: false,
      problem: "Azure credentials found (managed identity (ARM_USE_MSI)) but no subscription: set ARM_SUBSCRIPTION_ID",
    });
    const az = await findAzureCredentials(fakeProbe({ PATH: "/bin" }, ["/bin/az"], { id: "sub-from-az" }));
    expect(az).to.deep.equal({ found: true, via: "Azure CLI login", subscriptionId: "sub-from-az" });
    const none = await findAzureCredentials(fakeProbe({ PATH: "/bin", ARM_CLIENT_ID: "c" }, ["/bin/az"]));
    expect(none.found).to.equal(false);
    expect((none as { problem: string }).problem).to.match(/^no Azure credentials: run `az login`, or set ARM_CLIENT_ID/);
  });

  it("checks everything before touching anything: no backend folder is created when a prerequisite is missing", async () => {
    const repoRoot = tempDir("repo");
    const cases: [NodeJS.ProcessEnv, string[], RegExp][] = [
      [{ PATH: "/bin" }, [], /pulumi CLI is not installed/],
      [{ PATH: "/bin" }, ["/bin/pulumi"], /encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE/],
      [{ PATH: "/bin", PULUMI_CONFIG_PASSPHRASE: "x" }, ["/bin/pulumi"], /no Azure credentials/],
    ];
    for (const [env, executables, message] of cases) {
      const engine = new PulumiEngine({ env, repoRoot, probe: fakeProbe(env, executables) });
      let error: unknown;
      await engine.up({ stack: "dev-a-global", program: async () => ({}) }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(PrerequisiteError).with.property("message").that.matches(message);
      expect((error as PrerequisiteError).exitCode).to.equal(2);
      expect(existsSync(path.join(repoRoot, ".pulumi-state"))).to.equal(false);
      expect(existsSync(path.join(repoRoot, ".contoso"))).to.equal(false);
    }
  });
});

describe("Pulumi engine: backend", () => {
  it("defaults to a file backend in the project folder with a passphrase secrets provider", () => {
    const choice = chooseBackend({}, "/repo");
    expect(choice).to.deep.equal({ url: "file:///repo/.pulumi-state", localPath: "/repo/.pulumi-state", source: "project folder", secretsProvider: "passphrase" });
    expect(missingPassphrase(choice, {})).to.match(/^the local Pulumi backend \(file:\/\/\/repo\/\.pulumi-state\) encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE/);
    expect(missingPassphrase(choice, { PULUMI_CONFIG_PASSPHRASE: "" })).to.equal(undefined);
  });

  it("honours PULUMI_BACKEND_URL (azblob for teams, Pulumi Cloud) and CONTOSO_SECRETS_PROVIDER", () => {
    expect(chooseBackend({ PULUMI_BACKEND_URL: "azblob://state" }, "/repo")).to.deep.equal({ url: "azblob://state", source: "PULUMI_BACKEND_URL", secretsProvider: "passphrase" });
    expect(chooseBackend({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "/repo")).to.deep.equal({ url: "https://api.pulumi.com", source: "PULUMI_BACKEND_URL" });
    const kv = chooseBackend({ PULUMI_BACKEND_URL: "azblob://state", CONTOSO_SECRETS_PROVIDER: "azurekeyvault://kv.vault.azure.net/keys/pulumi" }, "/repo");
    expect(kv.secretsProvider).to.equal("azurekeyvault://kv.vault.azure.net/keys/pulumi");
    expect(missingPassphrase(kv, {})).to.equal(undefined);
    expect(chooseBackend({ PULUMI_BACKEND_URL: "file://state" }, "/repo").localPath).to.equal("/repo/state");
  });
});

describe("Pulumi engine: errors and names", () => {
  it("maps a locked stack (DIY lock file or Pulumi Cloud 409) to StackLockedError naming the holder", () => {
    const diy = new ConcurrentUpdateError(
      "code: 255\n stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/organization/contoso-shoes/prod-global/1.json: created by alice@build-7 (pid 4242) at 2030-01-01T00:00:00Z\n",
    );
    const mapped = mapPulumiError("prod-global", "up", diy);
    expect(mapped).to.be.instanceOf(StackLockedError);
    expect(mapped.message).to.match(/^stack prod-global is locked by alice@build-7 \(pid 4242\) at 2030-01-01T00:00:00Z/);
    const cloud = mapPulumiError("prod-global", "up", new ConcurrentUpdateError("stderr: error: [409] Conflict: Another update is currently in progress."));
    expect(cloud.message).to.match(/locked by another update in Pulumi Cloud/);
  });

  it("keeps Pulumi's own error lines for failed operations, and maps a missing stack", () => {
    const failed = new CommandError("code: 255\n stdout: Updating...\n stderr: error: update failed\n    error: Code=\"Conflict\" Message=\"quota exceeded\"\n");
    const mapped = mapPulumiError("prod-weu-r1", "up", failed);
    expect(mapped).to.be.instanceOf(OperationError);
    expect(mapped.message).to.equal('up of prod-weu-r1 failed: update failed; Code="Conflict" Message="quota exceeded"');
    expect(mapPulumiError("x-global", "destroy", new StackNotFoundError("no stack named 'x-global' found")).message).to.equal("destroy of x-global failed: no such stack");
  });

  it("reads logical names from URNs and stack facts from names when a backend keeps no tags", () => {
    expect(logicalName("urn:pulumi:prod-global::contoso-shoes::contoso:global:GlobalStack$azure-native:cdn:Profile::frontdoor")).to.equal("frontdoor");
    expect(tagsFromName("organization/contoso-shoes/prod-weu-r42")).to.deep.equal({
      "contoso:env": "prod",
      "contoso:kind": "stamp",
      "contoso:region": "westeurope",
      "contoso:release": "r42",
    });
    expect(tagsFromName("not a stack")).to.deep.equal({});
  });
});

describe("engine selection", () => {
  const probe = (env: NodeJS.ProcessEnv, files: Record<string, string> = {}, executables: string[] = []) => fakeProbe(env, executables, undefined, files);
  it("is offline when no cloud is configured, and says why", () => {
    expect(chooseEngine({}, probe({ HOME: "/h" }))).to.deep.equal({ kind: "offline", reason: "no Azure credentials found" });
  });
  it("is pulumi when a backend, ARM_* credentials or an Azure CLI login is configured", () => {
    expect(chooseEngine({}, probe({ PULUMI_BACKEND_URL: "azblob://x" })).kind).to.equal("pulumi");
    expect(chooseEngine({}, probe({ ARM_CLIENT_ID: "c" }))).to.deep.equal({ kind: "pulumi", reason: "ARM_CLIENT_ID is set" });
    const loggedIn = probe({ HOME: "/h", PATH: "/bin" }, { "/h/.azure/azureProfile.json": '\uFEFF{"subscriptions":[{"id":"s"}]}' }, ["/bin/az"]);
    expect(chooseEngine({}, loggedIn)).to.deep.equal({ kind: "pulumi", reason: "an Azure CLI login was found" });
    const loggedOut = probe({ HOME: "/h", PATH: "/bin" }, { "/h/.azure/azureProfile.json": '{"subscriptions":[]}' }, ["/bin/az"]);
    expect(chooseEngine({}, loggedOut).kind).to.equal("offline");
  });
  it("follows --offline and --engine, and rejects contradictions and unknown engines", () => {
    expect(chooseEngine({ offline: true }, probe({ ARM_CLIENT_ID: "c" }))).to.deep.equal({ kind: "offline", reason: "--offline" });
    expect(chooseEngine({ engine: "pulumi" }, probe({}))).to.deep.equal({ kind: "pulumi", reason: "--engine pulumi" });
    expect(() => chooseEngine({ engine: "tf" }, probe({}))).to.throw(/--engine "tf" must be "pulumi" or "offline"/);
    expect(() => chooseEngine({ offline: true, engine: "pulumi" }, probe({}))).to.throw(/contradict/);
  });
});
