import { InputError } from "../../environments/errors.js";
import { validateImage } from "../stacks/inputs.js";

/**
 * A container image reference split the way a registry addresses it: `<registry>/<repository>`
 * plus a tag or a digest (the OCI distribution spec's `/v2/<name>/manifests/<reference>`).
 */
export interface ImageRef {
  /** Login server, e.g. `crshoesprod1a2b3.azurecr.io`. */
  registry: string;
  /** Repository inside the registry, e.g. `shop-api`. */
  repository: string;
  /** Tag or `sha256:...` digest: what the manifest is looked up by. */
  reference: string;
}

/** The one repository the stamps run (stamp/compute.ts pulls `<registry>/shop-api:<release>`). */
export const SHOP_REPOSITORY = "shop-api";

/** Parses a validated reference; an image without a registry host is refused (a stamp pulls only from its environment's registry). */
export function parseImageRef(image: string): ImageRef {
  validateImage(image);
  const slash = image.indexOf("/");
  const host = slash > 0 ? image.slice(0, slash) : "";
  // Docker's rule: the first component is a registry host only when it has a dot or a port (or is localhost).
  if (!host || !(host.includes(".") || host.includes(":") || host === "localhost")) {
    throw new InputError(`image "${image}" names no registry: give the environment's registry, e.g. crshoesprod1a2b3.azurecr.io/${SHOP_REPOSITORY}:r42`);
  }
  const rest = image.slice(slash + 1);
  const at = rest.indexOf("@");
  if (at >= 0) return { registry: host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(":");
  return { registry: host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.reference.startsWith("sha256:") ? "@" : ":"}${ref.reference}`;
}
