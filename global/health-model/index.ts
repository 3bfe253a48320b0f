/**
 * The health model in Azure Monitor (issue 8): component -> stamp -> environment, as KQL functions
 * saved in Log Analytics, an operators' workbook and alert rules.
 * - `HealthModel` goes in the global stack (environment-wide functions, workbook, alerts, web test).
 * - `StampHealthFunctions` goes in each stamp stack (the stamp's functions and score alert).
 * - The pure builders (`healthFunctions`, `healthWorkbook`, ...) are what tests and tools read.
 */
export { HealthModel, type HealthModelArgs, workbookGuid } from "./health-model.js";
export { StampHealthFunctions, type StampHealthFunctionsArgs } from "./stamp-health-functions.js";
export { healthFunctions, healthFunctionAliases, type HealthFunction, type HealthFunctionAliases, type HealthScope } from "./queries.js";
export { healthWorkbook, serializeWorkbook, workbookQueries, substituteParameters, WORKBOOK_PARAMETERS } from "./workbook.js";
export { scoreAlertCondition, originHealthThresholdPercent, failedLocationCount, availabilityTestRequest } from "./alerts.js";
export { COMPONENTS, STATUS, FUNCTION_CATEGORY, DEFAULT_LOOKBACK } from "./model.js";
export { stampResourceGroupPattern } from "./stamp-key.js";
export { STAMP_TELEMETRY_FOR_ENVIRONMENT, type StampTelemetryCopy, type StampTelemetrySource } from "./stamp-telemetry.js";
