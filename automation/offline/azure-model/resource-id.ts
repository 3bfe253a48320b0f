import { azureNameOf, type NamedResource } from "./naming.js";
import { resourceTypeInfo } from "./resource-types.js";

/**
 * The Azure resource ID of a resource: its REST path with the path parameters filled from its
 * inputs (Azure Resource Manager, "Resource ID format": /subscriptions/{s}/resourceGroups/{rg}/
 * providers/{namespace}/{type}/{name}[/{childType}/{childName}…]; extension resources hang under
 * the ARM id of the resource they extend: {scope}/providers/{namespace}/{type}/{name}).
 */

export class UnknownResourceTypeError extends Error {}

export function resourceIdOf(resource: NamedResource, stack: string, subscriptionId: string): string {
  const info = resourceTypeInfo(resource.type);
  if (!info) {
    throw new UnknownResourceTypeError(
      `the offline Azure model does not know ${resource.type}; describe its REST path in automation/offline/azure-model/resource-types.ts`,
    );
  }
  const name = azureNameOf(resource, stack);
  const path = info.path.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (key === info.nameInput) return name;
    const value = resource.inputs[key];
    if (typeof value !== "string" || value === "") {
      throw new Error(`${resource.type} ${resource.name}: missing required property '${key}'`);
    }
    return value;
  });
  switch (info.scope) {
    case "subscription":
      return `/subscriptions/${subscriptionId}/${path}`;
    case "extension": {
      const scope = resource.inputs[info.scopeInput!];
      if (typeof scope !== "string" || !scope.startsWith("/")) {
        throw new Error(`${resource.type} ${resource.name}: missing required property '${info.scopeInput}'`);
      }
      return `${scope.replace(/\/$/, "")}/providers/${info.namespace}/${path}`;
    }
    case "resourceGroup": {
      const group = resource.inputs["resourceGroupName"];
      if (typeof group !== "string" || group === "") {
        throw new Error(`${resource.type} ${resource.name}: missing required property 'resourceGroupName'`);
      }
      return `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${info.namespace}/${path}`;
    }
  }
}

/** ARM ids compare case-insensitively (ARM treats resource names and types case-insensitively). */
export function idKey(id: string): string {
  return id.toLowerCase();
}
