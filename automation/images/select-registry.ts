import type { Engine } from "../engine/port.js";
import { servesOnLoopback } from "../engine/loopback.js";
import type { ImageRegistry } from "./registry-port.js";

/**
 * The registry that goes with an engine: an offline environment's images are in the offline
 * registry; so are those of a Pulumi engine whose stamps the loopback fabric serves
 * (CONTOSO_LOOPBACK_STAMPS=1, tests only): its stamps "pull" from there (release/endpoints.ts).
 */
export async function imageRegistryFor(engine: Engine): Promise<ImageRegistry> {
  if (servesOnLoopback(engine)) {
    const { OfflineImageRegistry } = await import("./offline-image-registry.js");
    return new OfflineImageRegistry(engine.stateDir);
  }
  const { AcrImageRegistry } = await import("./acr-image-registry.js");
  return new AcrImageRegistry();
}
