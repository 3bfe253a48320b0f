import { InputError, type Environment } from "../../environments/index.js";
import { findRegion } from "../../environments/regions.js";
import { globalStackName, stampStackName, validateRelease } from "../../environments/stacks.js";
import type { GlobalOutputs } from "../../global/contract.js";
import type { StampGlobalInputs } from "../../stamp/contract.js";
import type { Engine, StackProgram } from "../engine/port.js";
import { parseGlobalOutputs, stampGlobalInputs } from "./global-outputs.js";
import { validateImage, validateCidrs } from "./inputs.js";
import { currentUser, deriveFacts, existingTags } from "./stack-facts.js";

/**
 * The glue between an environment and a stamp: the stamp's stack name, its region as the provider
 * location, tags, and the global inputs READ from the environment's global stack outputs (never
 * remembered by the driver), so a stamp is always wired to what is actually deployed.
 */

export interface StampRequest {
  region: string;
  release: string;
  /** Container image; default `<registry login server>/shop-api:<release>`. */
  image?: string;
  probeAllowList?: string[];
  now?: Date;
  user?: string;
}

/** Checks a stamp request against the environment without touching any stack; returns the canonical region name. */
export function validateStampRequest(env: Environment, request: Pick<StampRequest, "region" | "release" | "image" | "probeAllowList">): string {
  const region = findRegion(request.region);
  if (!region) throw new InputError(`unknown Azure region "${request.region}" (the regions of ${env.name}: ${env.regions.join(", ")})`);
  if (!env.regions.includes(region.name)) {
    throw new InputError(`region ${region.name} is not a region of ${env.name} (its regions: ${env.regions.join(", ")})`);
  }
  validateRelease(request.release);
  if (request.image !== undefined) validateImage(request.image);
  if (request.probeAllowList) validateCidrs(request.probeAllowList);
  return region.name;
}

/** The global inputs of a stamp, read from the deployed global stack. */
export async function deployedGlobalInputs(engine: Engine, env: Environment): Promise<{ outputs: GlobalOutputs; inputs: StampGlobalInputs }> {
  const stack = globalStackName(env.name);
  const outputs = parseGlobalOutputs(stack, env.name, await engine.outputs(stack));
  return { outputs, inputs: stampGlobalInputs(outputs) };
}

export function defaultImage(loginServer: string, release: string): string {
  return `${loginServer}/shop-api:${release}`;
}

/**
 * Builds a stamp's StackProgram. `global` may be given (a preview computes it from the global
 * program when the environment has no global stack yet); otherwise it is read from the deployed
 * global stack, and a missing one is an InputError telling the user to deploy it first.
 */
export async function stampStack(
  engine: Engine,
  env: Environment,
  request: StampRequest,
  global?: Pick<GlobalOutputs, "registryLoginServer"> & StampGlobalInputs,
): Promise<StackProgram> {
  const region = validateStampRequest(env, request);
  const stack = stampStackName(env.name, region, request.release);
  const globalInputs = global ? pickInputs(global) : (await deployedGlobalInputs(engine, env)).inputs;
  const image = request.image ?? defaultImage(globalInputs.registryLoginServer, request.release);
  const previous = await existingTags(engine, env.name, stack);
  const { facts, tags } = deriveFacts(
    env,
    { kind: "stamp", region, release: request.release },
    previous,
    request.now ?? new Date(),
    request.user ?? currentUser(),
  );
  // Loaded here, not at start-up: the program pulls in @pulumi/azure-native.
  const { stampProgram } = await import("../../stamp/program.js");
  const program = stampProgram({
    env,
    region,
    release: request.release,
    image,
    global: globalInputs,
    probeAllowList: request.probeAllowList ?? [],
    facts,
  }) as unknown as () => Promise<Record<string, unknown>>;
  return { stack, program, config: { "azure-native:location": region }, tags };
}

function pickInputs(global: StampGlobalInputs): StampGlobalInputs {
  return stampGlobalInputs(global as GlobalOutputs);
}
