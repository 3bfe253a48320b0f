import { expect } from "chai";
import { AcrImageRegistry, type Runner } from "../../../automation/images/acr-image-registry.js";
import { PrerequisiteError } from "../../../automation/engine/port.js";
import type { PrerequisiteProbe } from "../../../automation/engine/prerequisites.js";

/** The real path's commands, with the `az` CLI replaced by a recorder: what would run, and how its answers are read. */
const probeWith = (azOnPath: boolean): PrerequisiteProbe => ({
  env: { PATH: "/usr/bin" },
  isExecutable: (file) => azOnPath && file === "/usr/bin/az",
  readText: () => undefined,
  run: () => Promise.reject(new Error("unused")),
});

function recorder(answer: (args: string[]) => string | Error) {
  const calls: string[][] = [];
  const run: Runner = async (_command, args) => {
    calls.push(args);
    const a = answer(args);
    if (a instanceof Error) throw a;
    return { stdout: a };
  };
  return { calls, run };
}

describe("ACR image registry (the real path, az CLI faked)", function () {
  it("without the az CLI: one line, a prerequisite error (exit 2), nothing run", async () => {
    const { calls, run } = recorder(() => "");
    const err = await new AcrImageRegistry(probeWith(false), run, "/repo").checkPrerequisites().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PrerequisiteError);
    expect((err as Error).message).to.match(/^the Azure CLI \(az\) is not installed, and ACR Tasks builds go through it: install it from https:\/\/learn\.microsoft\.com\/cli\/azure\/install-azure-cli, or use --offline$/);
    expect(calls).to.deep.equal([]);
  });

  it("with az but no login: one line naming az login", async () => {
    const { run } = recorder(() => Object.assign(new Error("exit 1"), { stderr: "Please run 'az login' to setup account." }));
    const err = await new AcrImageRegistry(probeWith(true), run, "/repo").checkPrerequisites().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PrerequisiteError);
    expect((err as Error).message).to.match(/^the Azure CLI is not logged in: run "az login"/);
  });

  it("builds with az acr build in the registry (Dockerfile, tag, agent pool, context) and reads the digest from the run", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const { calls, run } = recorder((args) =>
      args[1] === "build" ? JSON.stringify({ runId: "ca1", status: "Succeeded", outputImages: [{ registry: "crshoesprod1a2b3.azurecr.io", repository: "shop-api", tag: "r9", digest }] }) : "",
    );
    const acr = new AcrImageRegistry(probeWith(true), run, "/repo");
    await acr.checkPrerequisites();
    const built = await acr.build({ registryName: "crshoesprod1a2b3", loginServer: "crshoesprod1a2b3.azurecr.io", repository: "shop-api", tag: "r9", agentPool: "vnet-pool" });
    expect(built).to.deep.equal({ image: "crshoesprod1a2b3.azurecr.io/shop-api:r9", digest, registry: "crshoesprod1a2b3.azurecr.io", repository: "shop-api", tag: "r9" });
    expect(calls[1]).to.deep.equal(["acr", "build", "--registry", "crshoesprod1a2b3", "--image", "shop-api:r9", "--file", "workload/Dockerfile", "--no-logs", "--output", "json", "--agent-pool", "vnet-pool", "/repo"]);
  });

  it("a failed ACR run is an error naming the run and how to read its log", async () => {
    const { run } = recorder((args) => (args[1] === "build" ? JSON.stringify({ runId: "ca2", status: "Failed", outputImages: [] }) : ""));
    const acr = new AcrImageRegistry(probeWith(true), run, "/repo");
    await acr.checkPrerequisites();
    const err = await acr.build({ registryName: "cr1", loginServer: "cr1.azurecr.io", repository: "shop-api", tag: "r9" }).catch((e: unknown) => e as Error);
    expect((err as Error).message).to.equal("ACR run ca2 in cr1 ended Failed: see az acr task logs --registry cr1 --run-id ca2");
  });

  it("finds an image's digest with az acr repository show; a missing tag is undefined, any other failure an error", async () => {
    const { run } = recorder((args) => {
      if (args[0] === "account") return "";
      const image = args[args.indexOf("--image") + 1];
      if (image === "shop-api:r9") return JSON.stringify({ digest: `sha256:${"b".repeat(64)}` });
      if (image === "shop-api:r10") return Object.assign(new Error("exit 1"), { stderr: "ERROR: shop-api:r10 not found in registry: MANIFEST_UNKNOWN" });
      return Object.assign(new Error("exit 1"), { stderr: "ERROR: 403 Forbidden: client IP not allowed" });
    });
    const acr = new AcrImageRegistry(probeWith(true), run, "/repo");
    await acr.checkPrerequisites();
    const ref = (reference: string) => ({ registry: "cr1.azurecr.io", repository: "shop-api", reference });
    expect(await acr.find("cr1", ref("r9"))).to.deep.equal({ digest: `sha256:${"b".repeat(64)}` });
    expect(await acr.find("cr1", ref("r10"))).to.equal(undefined);
    const err = await acr.find("cr1", ref("r11")).catch((e: unknown) => e as Error);
    expect((err as Error).message).to.equal("could not look up shop-api:r11 in cr1: ERROR: 403 Forbidden: client IP not allowed");
  });

  it("imports from the source registry by resource id (a control-plane copy), then reads the digest in the target", async () => {
    const { calls, run } = recorder((args) => (args[1] === "repository" ? JSON.stringify({ digest: `sha256:${"c".repeat(64)}` }) : ""));
    const acr = new AcrImageRegistry(probeWith(true), run, "/repo");
    await acr.checkPrerequisites();
    const source = { registryId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/crstaging", registryName: "crstaging", loginServer: "crstaging.azurecr.io" };
    const imported = await acr.import({ source, target: { registryName: "crprod", loginServer: "crprod.azurecr.io" }, repository: "shop-api", tag: "r9" });
    expect(imported.image).to.equal("crprod.azurecr.io/shop-api:r9");
    expect(calls[1]).to.deep.equal(["acr", "import", "--name", "crprod", "--source", "shop-api:r9", "--image", "shop-api:r9", "--registry", source.registryId, "--output", "none"]);
  });
});
