import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { SUFFIX_LENGTH } from "./naming.js";

/**
 * A random suffix for names Azure wants globally unique (Cosmos, registry, Key Vault, web app...).
 * It is generated once and kept in the stack's state, so names are stable across updates; a new
 * stack (a new release's stamp) gets a new one, which also avoids clashing with soft-deleted Key Vaults.
 */
export function uniqueSuffix(name: string, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
  return new random.RandomString(
    name,
    { length: SUFFIX_LENGTH, lower: true, upper: false, numeric: true, special: false },
    opts,
  ).result;
}
