/**
 * Reading Azure resource IDs the way ARM compares them: case-insensitively, by resource group,
 * provider type and name (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules:
 * resource names and types are case-insensitive). The offline network model links a private
 * endpoint to its target and a subnet to its virtual network through these IDs only.
 */

export interface ParsedArmId {
  resourceGroup: string;
  /** `microsoft.storage/storageaccounts`, lower-cased. */
  type: string;
  name: string;
}

/** The top-level resource an ID names (`.../providers/<ns>/<type>/<name>`), lower-cased; undefined when it names none. */
export function parseArmId(id: unknown): ParsedArmId | undefined {
  if (typeof id !== "string") return undefined;
  const m = /\/resourcegroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)/i.exec(id);
  if (!m) return undefined;
  return { resourceGroup: m[1]!.toLowerCase(), type: `${m[2]}/${m[3]}`.toLowerCase(), name: m[4]!.toLowerCase() };
}

/** `<resource group>/<vnet name>` of a subnet or vnet ID, lower-cased: how the model names a virtual network. */
export function vnetKeyOf(id: unknown): string | undefined {
  const parsed = parseArmId(id);
  return parsed?.type === "microsoft.network/virtualnetworks" ? `${parsed.resourceGroup}/${parsed.name}` : undefined;
}

export function vnetKey(resourceGroup: string, vnetName: string): string {
  return `${resourceGroup}/${vnetName}`.toLowerCase();
}
