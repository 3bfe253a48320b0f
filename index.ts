/**
 * The Pulumi program for `pulumi` CLI users (`pulumi up -s prod-global`, `pulumi up -s prod-weu-r42`).
 * It picks the global or the stamp program from the stack name. The `contoso` driver does not use
 * this file: it runs the same programs inline through the Automation API and passes their inputs
 * directly, derived each run from the environment definitions and the global stack's outputs.
 *
 * Config read here (all optional except `image` for stamps):
 *   contoso-shoes:origins   JSON list of origins for the global stack: REQUIRED for a global stack.
 *                           Use the driver for releases; this exists for operators repairing a stack
 *                           by hand. Unset, the update is refused: an origin list left out would
 *                           remove every live origin and the route (an outage). `[]` says "none"
 *                           (a first deployment). The program cannot read its own stack's current
 *                           outputs (a StackReference names another stack), so it cannot keep them
 *                           itself; `contoso global up` does (it reads them under the environment's lock).
 *   contoso-shoes:image     container image of a stamp's release.
 *   contoso-shoes:owner     owner tag (default: $USER).
 *   contoso-shoes:createdAt created-at tag (ISO time). Set it once per stack: without it every
 *                           `pulumi up` stamps a new time on every resource's tags.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadEnvironment } from "./environments/index.js";
import { globalStackName, parseStackName } from "./environments/stacks.js";
import type { GlobalOutputs, OriginSpec } from "./global/contract.js";
import { globalProgram } from "./global/program.js";
import type { StampGlobalInputs } from "./stamp/contract.js";
import { stampProgram } from "./stamp/program.js";

export default async function main(): Promise<Record<string, unknown>> {
  const stackName = pulumi.getStack();
  const parsed = parseStackName(stackName);
  const env = loadEnvironment(parsed.env);
  const config = new pulumi.Config();
  const createdAt = config.get("createdAt");
  if (createdAt === undefined) {
    pulumi.log.warn("contoso-shoes:createdAt is not set: resource tags get the current time (pulumi config set createdAt <ISO time> keeps them stable)");
  } else if (Number.isNaN(Date.parse(createdAt))) {
    throw new Error(`contoso-shoes:createdAt "${createdAt}" is not an ISO time (e.g. 2026-11-21T10:00:00Z)`);
  }
  const facts = { owner: config.get("owner") ?? process.env["USER"] ?? "unknown", createdAt: createdAt ?? new Date().toISOString() };

  if (parsed.kind === "global") {
    const origins = config.getObject<OriginSpec[]>("origins");
    if (origins === undefined) {
      throw new Error(
        `contoso-shoes:origins is not set: this update would remove every Front Door origin of ${stackName} (an outage). ` +
          `Use "contoso global up --env ${parsed.env}" (it keeps the live origins), or set the live ones (contoso global outputs --env ${parsed.env}: origins), or [] for a first deployment`,
      );
    }
    const liveRelease = origins.find((o) => o.enabled)?.release ?? null;
    return (await globalProgram({ env, origins, liveRelease, facts })()) as unknown as Record<string, unknown>;
  }

  const globalRef = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${globalStackName(parsed.env)}`);
  const keys: (keyof StampGlobalInputs)[] = [
    "resourceGroupName", "frontDoorId", "cosmosAccountId", "cosmosAccountName", "cosmosEndpoint", "cosmosDatabaseName",
    "registryId", "registryLoginServer", "logAnalyticsWorkspaceId", "actionGroupId",
    "killSwitchStorageAccountId", "killSwitchStorageAccountName", "killSwitchBlobEndpoint",
  ];
  const values = await Promise.all(keys.map((k) => globalRef.getOutputDetails(k)));
  const global = Object.fromEntries(keys.map((k, i) => [k, values[i]?.value])) as Pick<GlobalOutputs, (typeof keys)[number]>;
  const missing = keys.filter((k) => typeof global[k] !== "string");
  if (missing.length > 0) {
    throw new Error(`the global stack ${globalStackName(parsed.env)} has no outputs ${missing.join(", ")}: deploy it first`);
  }
  return (await stampProgram({
    env,
    region: parsed.region,
    release: parsed.release,
    image: config.require("image"),
    global,
    probeAllowList: config.getObject<string[]>("probeAllowList") ?? [],
    facts,
  })()) as unknown as Record<string, unknown>;
}
