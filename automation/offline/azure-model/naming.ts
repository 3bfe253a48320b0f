import { createHash } from "node:crypto";
import { resourceTypeInfo, type AutoName } from "./resource-types.js";

/**
 * Resource names exactly as azure-native chooses them (provider/pkg/provider/provider.go,
 * `getDefaultName`): the name input when the program gives one; otherwise, by the parameter's
 * auto-name kind, the logical name plus 8 hex characters (`random`), a GUID (`uuid`), or the logical
 * name itself (`copy`). Pulumi derives the random part from the resource's random seed (stable per
 * stack and resource); so do we, with a hash of the stack and the logical name.
 */

export function hashOf(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** A stable GUID (RFC 4122 version 4 layout) from the given parts. */
export function guidOf(...parts: string[]): string {
  const h = hashOf(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}

export interface NamedResource {
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  inputs: Record<string, unknown>;
}

export function autoNameOf(kind: AutoName, stack: string, resource: NamedResource): string {
  switch (kind) {
    case "random":
      return `${resource.name}${hashOf(stack, resource.type, resource.name).slice(0, 8)}`;
    case "uuid":
      return guidOf(stack, resource.type, resource.name);
    case "copy":
      return resource.name;
  }
}

/** The Azure name of a resource: its name input, or what azure-native would generate. */
export function azureNameOf(resource: NamedResource, stack: string): string {
  const info = resourceTypeInfo(resource.type);
  const key = info?.nameInput ?? "name";
  const explicit = resource.inputs[key];
  if (typeof explicit === "string" && explicit.length > 0) return explicit;
  return autoNameOf(info?.autoName ?? "random", stack, resource);
}
