import type { Engine } from "../engine/port.js";
import type { ImageRegistry } from "./registry-port.js";

/** The registry that goes with an engine: an offline environment's images are in the offline registry. */
export async function imageRegistryFor(engine: Engine): Promise<ImageRegistry> {
  if (engine.kind === "offline") {
    const { OfflineImageRegistry } = await import("./offline-image-registry.js");
    return new OfflineImageRegistry(engine.stateDir);
  }
  const { AcrImageRegistry } = await import("./acr-image-registry.js");
  return new AcrImageRegistry();
}
