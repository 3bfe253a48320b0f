import { InputError } from "../../environments/errors.js";

/**
 * Checks for the free-form inputs of stamp commands, so a typo fails with one line before any
 * stack is touched rather than as an Azure error ten minutes into a deployment.
 */

// registry[:port]/path[:tag][@sha256:digest], lower-case path components as the OCI distribution spec requires.
const IMAGE =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function validateImage(image: string): string {
  if (image.length > 512 || !IMAGE.test(image) || !/[:@]/.test(image.slice(image.lastIndexOf("/") + 1))) {
    throw new InputError(
      `image "${image}" must be a container image reference with a tag or digest (e.g. crshoesprod1a2b3.azurecr.io/shop-api:r42)`,
    );
  }
  return image;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function validateCidrs(cidrs: string[]): string[] {
  for (const cidr of cidrs) {
    const m = CIDR.exec(cidr);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
      throw new InputError(`probe allow-list entry "${cidr}" must be an IPv4 CIDR (e.g. 203.0.113.0/24)`);
    }
  }
  return cidrs;
}
