// The Kusto language service wrapper moved into the offline Azure model, which validates queries
// at deployment as Azure does; the tests use the very same one.
export * from "../../../automation/offline/azure-model/kusto.js";
