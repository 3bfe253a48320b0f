import { createHash } from "node:crypto";

/**
 * A name-based GUID (RFC 4122 §4.3, version 5: SHA-1 of a namespace and a name), the same
 * construction as ARM templates' and Bicep's `guid()`: the same parts always give the same GUID,
 * different parts give different ones. Used where Azure wants a GUID as a resource's name and the
 * provider does not generate one (issue 12, defect 1): unlike a random UUID kept in the state, it
 * survives a lost state (a re-run computes the same id and finds its own assignment) and needs no
 * extra resource.
 */

/** This project's namespace (itself a v5 GUID of "contoso-shoes" under the RFC 4122 URL namespace). */
const CONTOSO_NAMESPACE = "0c1f9f5e-3a7d-5b8e-9c4b-6f2d1e0a7b35";

export function deterministicGuid(...parts: string[]): string {
  const namespace = Buffer.from(CONTOSO_NAMESPACE.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(namespace).update(parts.join("|"), "utf8").digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
