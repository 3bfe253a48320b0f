import { isGuid } from "./naming.js";
import type { ModelResource } from "./model-resource.js";

/**
 * What Azure refuses about one resource on its own, whoever else exists. Each rule names where it
 * comes from; the message is Azure's where we know it.
 */

export interface RuleViolation {
  resource: ModelResource;
  message: string;
}

type Rule = (r: ModelResource, name: string) => string | undefined;

const RULES: Record<string, Rule[]> = {
  "azure-native:authorization:RoleAssignment": [
    // Azure RBAC: "The role assignment name must be a GUID" (roleAssignmentName, format: uuid,
    // authorization RoleAssignmentsCalls.json); ARM answers InvalidRoleAssignmentId otherwise.
    (_r, name) => (isGuid(name) ? undefined : `InvalidRoleAssignmentId: The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`),
  ],
  "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": [
    // cosmos-db rbac.json, parameter roleAssignmentId: "The GUID for the Role Assignment." Cosmos DB
    // refuses anything else with 400 BadRequest.
    (_r, name) => (isGuid(name) ? undefined : `BadRequest: The provided role assignment ID '${name}' is not a valid GUID. The roleAssignmentId of a Cosmos DB SQL role assignment must be a GUID.`),
  ],
  "azure-native:applicationinsights:Workbook": [
    // applicationinsights workbooks_API.json: a workbook's resourceName is its GUID id.
    (_r, name) => (isGuid(name) ? undefined : `BadRequest: The workbook resource name '${name}' must be a GUID.`),
  ],
  "azure-native:cosmosdb:DatabaseAccount": [
    (r) => {
      // Continuous backup: APIs for NoSQL, MongoDB, Gremlin and Table; not Cassandra
      // (MicrosoftDocs/azure-databases-docs, articles/cosmos-db/continuous-backup-restore-introduction.md,
      // "Current limitations"). Multi-region write accounts ARE supported: the same page explains how
      // their restore works ("Understanding Multi-region write account restore": only hub-confirmed
      // writes are restored; custom conflict policies come back as last-writer-wins).
      const backup = r.inputs["backupPolicy"] as { type?: string; continuousModeProperties?: { tier?: string } } | undefined;
      if (backup?.type !== "Continuous") return undefined;
      if (capabilities(r).includes("EnableCassandra")) return "BadRequest: Continuous backup mode is not supported for API for Cassandra accounts.";
      const tier = backup.continuousModeProperties?.tier;
      if (tier !== undefined && tier !== "Continuous7Days" && tier !== "Continuous30Days") return `BadRequest: Continuous backup tier '${tier}' is not one of Continuous7Days, Continuous30Days.`;
      return undefined;
    },
    (r) => {
      // "Strong consistency is not supported in a multi-region write scenario" (Cosmos DB,
      // "Configure multi-region writes"; consistency levels).
      const level = (r.inputs["consistencyPolicy"] as { defaultConsistencyLevel?: string } | undefined)?.defaultConsistencyLevel;
      return r.inputs["enableMultipleWriteLocations"] === true && level === "Strong"
        ? "BadRequest: Strong consistency is not supported with multiple write locations."
        : undefined;
    },
    (r) => {
      // Serverless accounts run in one Azure region only (Cosmos DB, "Serverless": limitations).
      const locations = Array.isArray(r.inputs["locations"]) ? (r.inputs["locations"] as unknown[]).length : 1;
      return capabilities(r).includes("EnableServerless") && (locations > 1 || r.inputs["enableMultipleWriteLocations"] === true)
        ? "BadRequest: Serverless accounts support a single region only (no additional regions, no multi-region writes)."
        : undefined;
    },
  ],
};

function capabilities(r: ModelResource): string[] {
  const list = r.inputs["capabilities"];
  return Array.isArray(list) ? list.map((c) => String((c as { name?: unknown }).name ?? "")) : [];
}

export function ruleViolations(resources: readonly ModelResource[], nameOf: (r: ModelResource) => string): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const r of resources) {
    for (const rule of RULES[r.type] ?? []) {
      const message = rule(r, nameOf(r));
      if (message) out.push({ resource: r, message });
    }
  }
  return out;
}
