import { execFile } from "node:child_process";
import { PrerequisiteError } from "../engine/port.js";
import { findOnPath, systemProbe, type PrerequisiteProbe } from "../engine/prerequisites.js";
import { BUILD_CONTEXT_ROOT, DOCKERFILE } from "./build-context.js";
import type { ImageRef } from "./image-ref.js";
import type { BuiltImage, ImageBuildRequest, ImageImportRequest, ImageRegistry } from "./registry-port.js";

/**
 * Images in Azure Container Registry, through the Azure CLI:
 *  - build: `az acr build` runs an ACR Tasks quick task: the CLI uploads the build context and the
 *    registry builds and pushes the image in the cloud, so no Docker engine runs here
 *    (https://learn.microsoft.com/azure/container-registry/container-registry-quickstart-task-cli).
 *    With `--agent-pool` the task runs on a dedicated agent pool deployed into the registry's
 *    virtual network, which reaches a registry whose public access is off through its private
 *    endpoint (https://learn.microsoft.com/azure/container-registry/tasks-agent-pools).
 *  - find: `az acr repository show --image <repo>:<tag>` reads the manifest's attributes (its
 *    digest); an unknown tag is an error whose text says it was not found.
 * Without the `az` CLI, or without a login, it fails before anything is uploaded, in one line.
 */

export const AZ_INSTALL_HINT = "https://learn.microsoft.com/cli/azure/install-azure-cli";

export type Runner = (command: string, args: string[], signal?: AbortSignal) => Promise<{ stdout: string }>;

const systemRunner: Runner = (command, args, signal) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, windowsHide: true, ...(signal ? { signal } : {}) }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr: String(stderr) }));
      else resolve({ stdout: String(stdout) });
    });
  });

export class AcrImageRegistry implements ImageRegistry {
  readonly kind = "acr" as const;
  readonly description = "Azure Container Registry (ACR Tasks builds in the cloud)";
  private az: string | undefined;

  constructor(
    private readonly probe: PrerequisiteProbe = systemProbe(),
    private readonly run: Runner = systemRunner,
    private readonly contextRoot: string = BUILD_CONTEXT_ROOT,
  ) {}

  async checkPrerequisites(): Promise<void> {
    const az = findOnPath("az", this.probe);
    if (!az) throw new PrerequisiteError(`the Azure CLI (az) is not installed, and ACR Tasks builds go through it: install it from ${AZ_INSTALL_HINT}, or use --offline`);
    try {
      await this.run(az, ["account", "show", "--output", "none"]);
    } catch {
      throw new PrerequisiteError('the Azure CLI is not logged in: run "az login" (in a pipeline: azure/login or the AzureCLI task), or use --offline');
    }
    this.az = az;
  }

  async build(request: ImageBuildRequest): Promise<BuiltImage> {
    const az = this.cli();
    const args = [
      "acr", "build",
      "--registry", request.registryName,
      "--image", `${request.repository}:${request.tag}`,
      "--file", DOCKERFILE,
      // The run's JSON (with outputImages and their digests) on stdout, not the build log.
      "--no-logs", "--output", "json",
      ...(request.agentPool ? ["--agent-pool", request.agentPool] : []),
      this.contextRoot,
    ];
    let stdout: string;
    try {
      ({ stdout } = await this.run(az, args, request.signal));
    } catch (err) {
      throw new Error(`az acr build of ${request.repository}:${request.tag} in ${request.registryName} failed: ${firstLine(err)}`);
    }
    const run = JSON.parse(stdout) as { status?: string; runId?: string; outputImages?: { repository?: string; tag?: string; digest?: string }[] };
    const pushed = run.outputImages?.find((i) => i.repository === request.repository && i.tag === request.tag);
    if (run.status !== "Succeeded" || !pushed?.digest) {
      throw new Error(`ACR run ${run.runId ?? "?"} in ${request.registryName} ended ${run.status ?? "without a status"}: see az acr task logs --registry ${request.registryName} --run-id ${run.runId ?? "<id>"}`);
    }
    return { image: `${request.loginServer}/${request.repository}:${request.tag}`, digest: pushed.digest, registry: request.loginServer, repository: request.repository, tag: request.tag };
  }

  /**
   * `az acr import`: the target registry copies the image from the source registry itself, a
   * control-plane operation (Microsoft.ContainerRegistry/registries/importImage) authorised by the
   * caller's Entra ID roles on both registries, so the target's public endpoint is not needed
   * ("If you have access to the target registry, you don't require the registry's public
   * endpoint": https://learn.microsoft.com/azure/container-registry/container-registry-import-images).
   * Copied by manifest, so the digest in prod is the digest tested in staging.
   */
  async import(request: ImageImportRequest): Promise<BuiltImage> {
    const az = this.cli();
    const image = `${request.repository}:${request.tag}`;
    try {
      await this.run(az, ["acr", "import", "--name", request.target.registryName, "--source", image, "--image", image, "--registry", request.source.registryId, "--output", "none"], request.signal);
    } catch (err) {
      throw new Error(`az acr import of ${image} from ${request.source.registryName} into ${request.target.registryName} failed: ${firstLine(err)}`);
    }
    const found = await this.find(request.target.registryName, { registry: request.target.loginServer, repository: request.repository, reference: request.tag });
    if (!found) throw new Error(`az acr import reported success but ${request.target.registryName} has no ${image}`);
    return { image: `${request.target.loginServer}/${image}`, digest: found.digest, registry: request.target.loginServer, repository: request.repository, tag: request.tag };
  }

  async find(registryName: string, ref: ImageRef): Promise<{ digest: string } | undefined> {
    const az = this.cli();
    const image = `${ref.repository}${ref.reference.startsWith("sha256:") ? "@" : ":"}${ref.reference}`;
    try {
      const { stdout } = await this.run(az, ["acr", "repository", "show", "--name", registryName, "--image", image, "--output", "json"]);
      const digest = (JSON.parse(stdout) as { digest?: string }).digest;
      return digest ? { digest } : undefined;
    } catch (err) {
      // The registry answers MANIFEST_UNKNOWN / NAME_UNKNOWN (404) for a tag or repository it lacks.
      if (/not found|MANIFEST_UNKNOWN|NAME_UNKNOWN|404/i.test(String((err as { stderr?: string }).stderr ?? ""))) return undefined;
      throw new Error(`could not look up ${image} in ${registryName}: ${firstLine(err)}`);
    }
  }

  private cli(): string {
    if (!this.az) throw new Error("AcrImageRegistry: checkPrerequisites() must run first");
    return this.az;
  }
}

function firstLine(err: unknown): string {
  const stderr = String((err as { stderr?: string }).stderr ?? "").trim();
  const text = stderr || (err instanceof Error ? err.message : String(err));
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error";
}
