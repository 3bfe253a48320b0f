import type { FunctionDeclaration, TableSchemas } from "./kusto.js";
import type { HealthFunction } from "../../../global/health-model/index.js";
import { functionBodyAsQuery } from "../../../automation/offline/azure-model/query-validation.js";

/**
 * The Log Analytics tables the health model reads, with the columns (and Azure's types for them)
 * that its queries use, so the semantic analysis can catch a misspelt column or a type mismatch.
 * Types follow the Azure Monitor table reference (AzureDiagnostics columns carry their type suffix).
 */
export const LOG_TABLES: TableSchemas = {
  AppRequests:
    "(TimeGenerated: datetime, Name: string, Success: bool, ResultCode: string, DurationMs: real, AppRoleName: string, AppRoleInstance: string, _ResourceId: string)",
  AppDependencies:
    "(TimeGenerated: datetime, Name: string, Target: string, DependencyType: string, Success: bool, ResultCode: string, DurationMs: real, _ResourceId: string)",
  AzureMetrics:
    "(TimeGenerated: datetime, ResourceProvider: string, ResourceGroup: string, Resource: string, MetricName: string, Total: real, Count: real, Maximum: real, Minimum: real, Average: real, _ResourceId: string)",
  AzureDiagnostics:
    "(TimeGenerated: datetime, ResourceProvider: string, ResourceGroup: string, Resource: string, Category: string, OperationName: string, ResultType: string, httpStatusCode_d: real, originName_s: string, POP_s: string, httpStatusCode_s: string, regionName_s: string, statusCode_s: string, _ResourceId: string)",
  AZKVAuditLogs:
    "(TimeGenerated: datetime, OperationName: string, ResultType: string, ResultSignature: string, HttpStatusCode: int, CallerIpAddress: string, _ResourceId: string)",
  CDBDataPlaneRequests:
    "(TimeGenerated: datetime, AccountName: string, RegionName: string, OperationName: string, StatusCode: int, DatabaseName: string, CollectionName: string, _ResourceId: string)",
};

/** Saved functions as the analyser declares them: name, parameter list and body. */
export function declarations(functions: HealthFunction[]): FunctionDeclaration[] {
  return functions.map((f) => ({ name: f.alias, parameters: `(${f.parameters})`, body: f.body }));
}

/** A function body as a stand-alone query, as the offline Azure model checks it: its parameters become `let`s with their defaults. */
export function asQuery(fn: HealthFunction): string {
  return functionBodyAsQuery(fn.parameters, fn.body);
}
