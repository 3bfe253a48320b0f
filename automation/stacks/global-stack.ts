import type { Environment } from "../../environments/index.js";
import { globalStackName } from "../../environments/stacks.js";
import type { GlobalOutputs, OriginSpec } from "../../global/contract.js";
import type { Engine, StackProgram } from "../engine/port.js";
import { globalOutputsSchema } from "./global-outputs.js";
import { currentUser, deriveFacts, existingTags } from "./stack-facts.js";

/**
 * The glue between an environment and the global program: stack name, provider config (the
 * global resources live in the environment's first region), tags and program arguments, all
 * derived for this run.
 */

export interface GlobalStackRequest {
  /** Front Door origins to deploy. Omitted: keep the deployed ones (read from the stack's outputs). */
  origins?: OriginSpec[];
  /** The release that serves customers. Omitted: keep the deployed value. */
  liveRelease?: string | null;
  now?: Date;
  user?: string;
}

export interface GlobalStackPlan extends StackProgram {
  /** The deployed outputs before this run, when the stack had any. */
  current?: GlobalOutputs;
}

/** The deployed outputs, or undefined for a stack never (or not completely) deployed. */
export async function currentGlobalOutputs(engine: Engine, env: Environment): Promise<GlobalOutputs | undefined> {
  const raw = await engine.outputs(globalStackName(env.name));
  const parsed = raw === undefined ? undefined : globalOutputsSchema.safeParse(raw);
  return parsed?.success ? parsed.data : undefined;
}

export async function globalStack(engine: Engine, env: Environment, request: GlobalStackRequest = {}): Promise<GlobalStackPlan> {
  const stack = globalStackName(env.name);
  const current = await currentGlobalOutputs(engine, env);
  const origins = request.origins ?? current?.origins ?? [];
  const liveRelease = request.liveRelease !== undefined ? request.liveRelease : (current?.liveRelease ?? null);
  const previous = await existingTags(engine, env.name, stack);
  const { facts, tags } = deriveFacts(
    env,
    { kind: "global", region: "global", release: liveRelease ?? "none" },
    previous,
    request.now ?? new Date(),
    request.user ?? currentUser(),
  );
  // Loaded here, not at start-up: the program pulls in @pulumi/azure-native.
  const { globalProgram } = await import("../../global/program.js");
  const program = globalProgram({ env, origins, liveRelease, facts }) as unknown as () => Promise<Record<string, unknown>>;
  const plan: GlobalStackPlan = { stack, program, config: { "azure-native:location": env.regions[0]! }, tags };
  if (current) plan.current = current;
  return plan;
}
