import { InputError } from "../../environments/errors.js";
import type { Environment } from "../../environments/index.js";
import type { GlobalOutputs } from "../../global/contract.js";
import type { Engine } from "../engine/port.js";
import { currentGlobalOutputs } from "../stacks/global-stack.js";
import { parseImageRef } from "./image-ref.js";
import { imageRegistryFor } from "./select-registry.js";
import type { ImageRegistry } from "./registry-port.js";

/**
 * Refuses an image the environment's stamps could not pull, before anything is recorded: a stamp's
 * web app pulls with its managed identity from its environment's registry only
 * (stamp/compute.ts: acrUseManagedIdentityCreds), so an image elsewhere, or a tag never pushed
 * there, would only show up as a container that never starts, minutes into a release.
 */
export async function requireImageInRegistry(
  env: Environment,
  global: Pick<GlobalOutputs, "registryName" | "registryLoginServer">,
  image: string,
  registry: ImageRegistry,
): Promise<{ digest: string }> {
  const ref = parseImageRef(image);
  const build = `build it with "contoso image build --env ${env.name} --release <id>"`;
  if (ref.registry !== global.registryLoginServer) {
    throw new InputError(`image ${image} is not in ${env.name}'s registry ${global.registryLoginServer} (its stamps pull only from there): ${build}`);
  }
  await registry.checkPrerequisites();
  const found = await registry.find(global.registryName, ref);
  if (!found) {
    throw new InputError(`image ${image} is not in ${env.name}'s registry: ${global.registryLoginServer} has no ${ref.repository}${ref.reference.startsWith("sha256:") ? "@" : ":"}${ref.reference}; ${build}`);
  }
  return found;
}

/**
 * The check as commands run it: against the deployed global stack's registry, with the registry
 * that goes with the engine. Returns false when the global stack is not deployed (no registry to
 * ask): the caller refuses that case with its own message.
 */
export async function requireImageForEnvironment(engine: Engine, env: Environment, image: string): Promise<boolean> {
  const global = await currentGlobalOutputs(engine, env);
  if (!global) return false;
  await requireImageInRegistry(env, global, image, await imageRegistryFor(engine));
  return true;
}
