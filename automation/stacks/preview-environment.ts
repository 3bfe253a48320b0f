import type { Environment } from "../../environments/index.js";
import type { GlobalOutputs } from "../../global/contract.js";
import type { Engine, OperationOptions, PlannedResource } from "../engine/port.js";
import { globalOutputsSchema } from "./global-outputs.js";
import { currentGlobalOutputs, globalStack } from "./global-stack.js";
import { stampStack, validateStampRequest } from "./stamp-stack.js";

/**
 * Everything an environment would create: its global stack and one stamp per region for a
 * release. Stamps are wired to the deployed global stack when there is one; on an empty state the
 * global program's previewed outputs stand in, so a preview works before anything is deployed.
 */

export interface StackPreview {
  name: string;
  kind: "global" | "stamp";
  resources: PlannedResource[];
}

export async function previewEnvironment(engine: Engine, env: Environment, release: string, options: OperationOptions = {}): Promise<StackPreview[]> {
  for (const region of env.regions) validateStampRequest(env, { region, release });
  const deployed = await currentGlobalOutputs(engine, env);
  const global = await globalStack(engine, env);
  const globalPreview = await engine.preview(global, options);
  const globalOutputs = deployed ?? (await previewedOutputs(global.stack, global.program, globalPreview.outputs));
  const stamps = await Promise.all(
    env.regions.map(async (region) => {
      const spec = await stampStack(engine, env, { region, release }, globalOutputs);
      const preview = await engine.preview(spec, options);
      return { name: spec.stack, kind: "stamp" as const, resources: preview.resources };
    }),
  );
  return [{ name: global.stack, kind: "global", resources: globalPreview.resources }, ...stamps];
}

/** The engine's previewed outputs, or (Pulumi engine: unknown until deployed) the program run under the mock Azure model. */
async function previewedOutputs(stack: string, program: () => Promise<Record<string, unknown>>, fromEngine?: Record<string, unknown>): Promise<GlobalOutputs> {
  const engineOutputs = fromEngine ? globalOutputsSchema.safeParse(fromEngine) : undefined;
  if (engineOutputs?.success) return engineOutputs.data;
  const { runUnderMocks } = await import("../offline/mock-runner.js");
  const run = await runUnderMocks(program, { project: "contoso-shoes", stack });
  return globalOutputsSchema.parse(JSON.parse(JSON.stringify(run.outputs)));
}
