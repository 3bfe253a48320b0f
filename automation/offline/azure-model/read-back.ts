import { armTypeOfId, supportsDedicated } from "./diagnostic-categories.js";

/**
 * What Azure returns for a resource is not always what was sent: properties it ignores come back
 * empty. The offline engine stores a resource as Azure reads it back (as `pulumi up --refresh`
 * would), so a program that sends what Azure ignores shows a change on every update, as it does on
 * every refresh in Azure.
 *
 * Diagnostic settings: `logAnalyticsDestinationType` is kept only for resource types that write
 * resource-specific tables (diagnostic-categories.ts); for the others Azure stores none ("Azure
 * Monitor, diagnostic settings: Resource-specific … not all services support it"), and the
 * setting's read-back has no destination type.
 */
export function readBack(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type === "azure-native:monitor:DiagnosticSetting" || type === "azure-native:insights:DiagnosticSetting") {
    const uri = inputs["resourceUri"];
    if (inputs["logAnalyticsDestinationType"] !== undefined && typeof uri === "string" && !supportsDedicated(armTypeOfId(uri))) {
      const { logAnalyticsDestinationType: _ignored, ...rest } = inputs;
      return rest;
    }
  }
  return inputs;
}
