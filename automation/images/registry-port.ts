import type { ImageRef } from "./image-ref.js";

/**
 * Where images are built and looked up: Azure Container Registry through the Azure CLI (ACR
 * Tasks builds in the cloud, no local Docker), or the offline registry of the offline world.
 * Which one follows the engine: the offline engine's environments have offline registries.
 */
export interface ImageBuildRequest {
  /** The environment's registry, from its global stack's outputs. */
  registryName: string;
  loginServer: string;
  repository: string;
  tag: string;
  /** ACR Tasks dedicated agent pool (in the registry's virtual network) to run the build on. */
  agentPool?: string;
  signal?: AbortSignal;
}

export interface BuiltImage {
  /** `<login server>/<repository>:<tag>`: what `release start --image` takes. */
  image: string;
  digest: string;
  registry: string;
  repository: string;
  tag: string;
}

/** Copies an image from one environment's registry into another's (same digest: built once). */
export interface ImageImportRequest {
  source: { registryId: string; registryName: string; loginServer: string };
  target: { registryName: string; loginServer: string };
  repository: string;
  tag: string;
  signal?: AbortSignal;
}

export interface ImageRegistry {
  readonly kind: "acr" | "offline";
  /** One line for the log: how images are built. */
  readonly description: string;
  /** Fails fast with a PrerequisiteError (one line) when the tools or credentials are missing. */
  checkPrerequisites(): Promise<void>;
  build(request: ImageBuildRequest): Promise<BuiltImage>;
  /** Imports an image the source registry holds; the target's digest equals the source's. */
  import(request: ImageImportRequest): Promise<BuiltImage>;
  /** The image's digest when the registry holds it, undefined when it does not. */
  find(registryName: string, ref: ImageRef): Promise<{ digest: string } | undefined>;
}
