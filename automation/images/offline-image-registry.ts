import { access } from "node:fs/promises";
import * as path from "node:path";
import { findOfflineImage, pushOfflineImage } from "../offline/offline-registry.js";
import { BUILD_CONTEXT_ROOT, contextDigest, DOCKERFILE } from "./build-context.js";
import type { BuiltImage, ImageBuildRequest, ImageImportRequest, ImageRegistry } from "./registry-port.js";
import type { ImageRef } from "./image-ref.js";

/**
 * `image build` on the offline engine: no Docker and no ACR, so the "build" checks that the
 * Dockerfile is there, digests the build context and pushes that manifest record into the
 * environment's offline registry (automation/offline/offline-registry.ts). The workload's real
 * build (tsc, production dependencies only) is what tests/workload exercises.
 */
export class OfflineImageRegistry implements ImageRegistry {
  readonly kind = "offline" as const;
  readonly description = "offline registry (build context digested, nothing pushed to Azure)";

  constructor(
    private readonly stateDir: string,
    private readonly contextRoot: string = BUILD_CONTEXT_ROOT,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async checkPrerequisites(): Promise<void> {}

  async build(request: ImageBuildRequest): Promise<BuiltImage> {
    request.signal?.throwIfAborted();
    const dockerfile = path.join(this.contextRoot, DOCKERFILE);
    await access(dockerfile).catch(() => {
      throw new Error(`build of ${request.repository}:${request.tag} failed: ${DOCKERFILE} is missing from the build context`);
    });
    const digest = await contextDigest(this.contextRoot);
    request.signal?.throwIfAborted();
    await pushOfflineImage(this.stateDir, request.loginServer, {
      repository: request.repository,
      tag: request.tag,
      digest,
      pushedAt: this.now().toISOString(),
      source: `${DOCKERFILE} (offline build)`,
    });
    return { image: `${request.loginServer}/${request.repository}:${request.tag}`, digest, registry: request.loginServer, repository: request.repository, tag: request.tag };
  }

  async import(request: ImageImportRequest): Promise<BuiltImage> {
    request.signal?.throwIfAborted();
    const source = await findOfflineImage(this.stateDir, request.source.loginServer, request.repository, request.tag);
    if (!source) throw new Error(`import of ${request.repository}:${request.tag} failed: ${request.source.loginServer} has no such image`);
    await pushOfflineImage(this.stateDir, request.target.loginServer, { ...source, pushedAt: this.now().toISOString(), source: `imported from ${request.source.loginServer}` });
    return { image: `${request.target.loginServer}/${request.repository}:${request.tag}`, digest: source.digest, registry: request.target.loginServer, repository: request.repository, tag: request.tag };
  }

  async find(_registryName: string, ref: ImageRef): Promise<{ digest: string } | undefined> {
    const found = await findOfflineImage(this.stateDir, ref.registry, ref.repository, ref.reference);
    return found ? { digest: found.digest } : undefined;
  }
}
