import { z } from "zod";
import { InputError } from "../../environments/errors.js";
import type { GlobalOutputs } from "../../global/contract.js";
import type { StampGlobalInputs } from "../../stamp/contract.js";

/**
 * The global stack's outputs as the rest of the driver reads them: parsed, never trusted blindly.
 * They are the observed truth about origins and the live release (DESIGN.md, "Blue/green release
 * as a reconciler") and what every stamp of the environment is wired to.
 */

const originSchema = z.object({
  stamp: z.string(),
  region: z.string(),
  release: z.string(),
  hostName: z.string(),
  weight: z.number(),
  enabled: z.boolean(),
  priority: z.number(),
});

export const globalOutputsSchema = z.object({
  env: z.string(),
  resourceGroupName: z.string(),
  frontDoorProfileId: z.string(),
  frontDoorProfileName: z.string(),
  frontDoorId: z.string(),
  frontDoorEndpointHostName: z.string(),
  stampEndpoints: z.array(z.object({ stamp: z.string(), hostName: z.string() })).optional(),
  origins: z.array(originSchema),
  liveRelease: z.string().nullable(),
  cosmosAccountId: z.string(),
  cosmosAccountName: z.string(),
  cosmosEndpoint: z.string(),
  cosmosDatabaseName: z.string(),
  registryId: z.string(),
  registryName: z.string(),
  registryLoginServer: z.string(),
  logAnalyticsWorkspaceId: z.string(),
  logAnalyticsCustomerId: z.string(),
  actionGroupId: z.string(),
  killSwitchStorageAccountId: z.string(),
  killSwitchStorageAccountName: z.string(),
  killSwitchBlobEndpoint: z.string(),
  // Optional: a global stack deployed before the workbook link existed still serves its stamps.
  healthWorkbookUrl: z.string().optional(),
}) satisfies z.ZodType<GlobalOutputs>;

/** Parses a global stack's outputs; a stack without (complete) outputs was never deployed, or failed. */
export function parseGlobalOutputs(stackName: string, env: string, raw: Record<string, unknown> | undefined): GlobalOutputs {
  if (raw === undefined || Object.keys(raw).length === 0) {
    throw new InputError(`the global stack ${stackName} is not deployed: deploy the global stack first: contoso global up --env ${env}`);
  }
  const parsed = globalOutputsSchema.safeParse(raw);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.map(String).join(".")).slice(0, 4).join(", ");
    throw new InputError(`the global stack ${stackName} has incomplete outputs (${missing}): run contoso global up --env ${env}`);
  }
  return parsed.data;
}

export const STAMP_GLOBAL_KEYS = [
  "resourceGroupName",
  "frontDoorId",
  "cosmosAccountId",
  "cosmosAccountName",
  "cosmosEndpoint",
  "cosmosDatabaseName",
  "registryId",
  "registryLoginServer",
  "logAnalyticsWorkspaceId",
  "actionGroupId",
  "killSwitchStorageAccountId",
  "killSwitchStorageAccountName",
  "killSwitchBlobEndpoint",
] as const satisfies readonly (keyof StampGlobalInputs)[];

export function stampGlobalInputs(outputs: GlobalOutputs): StampGlobalInputs {
  return Object.fromEntries(STAMP_GLOBAL_KEYS.map((k) => [k, outputs[k]])) as StampGlobalInputs;
}
