import { InputError, loadEnvironment, type Environment, type EnvironmentOverrides } from "../../environments/index.js";
import { findRegion } from "../../environments/regions.js";
import { TAG, validateRelease } from "../../environments/stacks.js";
import type { GlobalOutputs, OriginSpec } from "../../global/contract.js";
import type { Engine, UpResult } from "../engine/port.js";
import type { GateTarget } from "../release/health-gate.js";
import { intentFromTags } from "../release/intent-tags.js";
import { awaitStampEndpoints, gateAndRecord, gateSettings } from "../release/ports.js";
import { openReleaseSession, parseTimeScale } from "../release/session.js";
import type { HeldLock } from "../lock/held-lock.js";
import { acquireEnvironmentLock } from "../lock/environment-lock.js";
import { currentGlobalOutputs, globalStack } from "../stacks/global-stack.js";
import { validateImage } from "../stacks/inputs.js";
import { defaultImage, stampStack } from "../stacks/stamp-stack.js";
import { requireImageInRegistry } from "../images/require-image.js";
import { imageRegistryFor } from "../images/select-registry.js";
import { dateTag } from "./expiry.js";
import { resolveOwner } from "./owner.js";
import { personalEnvName } from "./personal-name.js";
import { valuesOrThrow, type TaskRunner } from "./tasks.js";
import { parseTtl, ttlLimits } from "./ttl.js";

/**
 * `env up`: a personal environment `dev-<name>` from the dev template, with its own global stack
 * and one stamp (nothing shared with prod or staging), tagged with its owner, creation time and
 * expiry. Three steps, each observable and safe to repeat: the global stack (Front Door, Cosmos DB,
 * registry: the stamp reads its inputs from these outputs), the stamp, then the global stack again
 * with the stamp as its only enabled origin and its release live. Running it again on an existing
 * environment updates it in place and keeps its owner, creation time and expiry.
 */

export interface EnvUpRequest {
  name: string;
  owner?: string;
  ttl?: string;
  region?: string;
  image?: string;
  release?: string;
  /** Only the global stack (Front Door, registry...): a new environment's registry exists before its first image is built. */
  globalOnly?: boolean;
}

export interface ValidatedEnvUp {
  env: string;
  /** Only when --owner was given; otherwise an existing environment keeps its owner. */
  owner?: string;
  defaultOwner: string;
  ttlMs: number;
  ttlGiven: boolean;
  region?: string;
  image?: string;
  release?: string;
  globalOnly?: boolean;
}

export const FIRST_RELEASE = "r1";

/** Every check that needs no stack: a bad input is an InputError before anything is touched. */
export function validateEnvUp(request: EnvUpRequest, processEnv: NodeJS.ProcessEnv = process.env): ValidatedEnvUp {
  const env = personalEnvName(request.name);
  const template = loadEnvironment(env);
  const ttlMs = parseTtl(request.ttl, ttlLimits(template));
  const validated: ValidatedEnvUp = { env, defaultOwner: resolveOwner(undefined, processEnv), ttlMs, ttlGiven: request.ttl !== undefined };
  if (request.owner !== undefined) validated.owner = resolveOwner(request.owner, processEnv);
  if (request.region !== undefined) {
    const region = findRegion(request.region);
    if (!region) throw new InputError(`--region "${request.region}" is not a known Azure region (e.g. westeurope or weu)`);
    validated.region = region.name;
  }
  if (request.release !== undefined) validated.release = validateRelease(request.release);
  if (request.image !== undefined) validated.image = validateImage(request.image);
  if (request.globalOnly) {
    if (request.image !== undefined || request.release !== undefined) throw new InputError("--global-only deploys no stamp: drop --image and --release");
    validated.globalOnly = true;
  }
  return validated;
}

export interface EnvUpResult {
  env: string;
  owner: string;
  region: string;
  release: string;
  url: string;
  createdAt: string;
  expiresAt: string;
  stacks: string[];
  /** False when the environment existed: its expiry was kept (see `env extend`). */
  created: boolean;
  /** The environment's registry login server: where `contoso image build` puts its images. */
  registry: string;
}

export interface EnvUpDeps {
  run: TaskRunner;
  log: (line: string) => void;
  now?: Date;
}

export async function envUp(engine: Engine, request: ValidatedEnvUp, deps: EnvUpDeps): Promise<EnvUpResult> {
  // Refused before anything is recorded, the lock included; checked again under the lock below.
  const template = loadEnvironment(request.env);
  const deployed = await currentGlobalOutputs(engine, template);
  await requireStampImage(engine, template, request, deployed, deployed?.liveRelease ?? request.release ?? FIRST_RELEASE);
  const lock = await acquireEnvironmentLock(engine, request.env, { purpose: "env up", onWarning: deps.log });
  try {
    return await bringUp(engine, request, deps, lock);
  } finally {
    await lock.release();
  }
}

async function bringUp(engine: Engine, request: ValidatedEnvUp, deps: EnvUpDeps, lock: Pick<HeldLock, "confirmHeld">): Promise<EnvUpResult> {
  const now = deps.now ?? new Date();
  const existing = await engine.listStacks({ tags: { [TAG.env]: request.env } });
  const existingGlobal = existing.find((s) => s.tags[TAG.kind] === "global");
  const existingStamp = existing.find((s) => s.tags[TAG.kind] === "stamp");
  const intent = existingGlobal ? intentFromTags(existingGlobal.tags) : null;
  if (intent) {
    throw new InputError(
      `release ${intent.release} of ${request.env} is unfinished (${intent.mode}): run "contoso release resume --env ${request.env}" or "contoso release abort --env ${request.env}" first`,
    );
  }
  const owner = request.owner ?? existingGlobal?.tags[TAG.owner] ?? request.defaultOwner;
  // An existing environment stays in its region unless asked otherwise.
  const region = request.region ?? existingStamp?.tags[TAG.region] ?? loadEnvironment(request.env).regions[0]!;
  const overrides: EnvironmentOverrides = { owner, regions: [region] };
  // The expiry a new environment gets is created-at + ttl.default (stacks/stack-facts.ts): the TTL asked for becomes the default.
  if (request.ttlGiven) overrides.ttl = { default: `${request.ttlMs}ms` };
  const env = loadEnvironment(request.env, overrides);

  const deployed = await currentGlobalOutputs(engine, env);
  const live = deployed?.liveRelease ?? null;
  if (live !== null && request.release !== undefined && request.release !== live) {
    throw new InputError(`${env.name} already serves release ${live}: move it to ${request.release} with contoso release start --env ${env.name} --release ${request.release}`);
  }
  const release = live ?? request.release ?? FIRST_RELEASE;
  await requireStampImage(engine, env, request, deployed, release);
  if (existingGlobal && request.ttlGiven) {
    deps.log(`${env.name} exists: its expiry stays ${existingGlobal.tags[TAG.expiresAt] ?? "unset"} (change it with contoso env extend --name ${env.name} --ttl ...)`);
  }

  // Every change starts only while the lock is still ours (a blob lease can be lost under us).
  const step = async (stack: string, verb: string, run: () => Promise<UpResult>) => {
    await lock.confirmHeld();
    return valuesOrThrow(await deps.run([{ stack, verb, run }]), deps.log)[0]!;
  };

  const globalPlan = await globalStack(engine, env, { now, user: owner });
  const globalUp = await step(globalPlan.stack, "up", () => engine.up(globalPlan));
  const registry = String(globalUp.outputs["registryLoginServer"]);
  if (request.globalOnly) {
    const current = globalOutputsOf(globalUp);
    const tags = (await engine.listStacks({ tags: { [TAG.env]: env.name } })).find((s) => s.name === globalPlan.stack)?.tags ?? {};
    return {
      env: env.name,
      owner,
      region,
      release: current.liveRelease ?? "none",
      url: `https://${String(globalUp.outputs["frontDoorEndpointHostName"])}`,
      createdAt: dateTag(tags, TAG.createdAt)?.toISOString() ?? now.toISOString(),
      expiresAt: dateTag(tags, TAG.expiresAt)?.toISOString() ?? "",
      stacks: [globalPlan.stack],
      created: existingGlobal === undefined,
      registry,
    };
  }

  const stampPlan = await stampStack(engine, env, { region, release, now, user: owner, ...(request.image ? { image: request.image } : {}) });
  const stampUp = await step(stampPlan.stack, "up", () => engine.up(stampPlan));
  const hostName = stampUp.outputs["webAppHostName"];
  if (typeof hostName !== "string") throw new Error(`${stampPlan.stack} has no webAppHostName output`);

  // A personal environment has one stamp: it takes all the traffic (Front Door weights are 1-1000).
  const origin: OriginSpec = { stamp: stampPlan.stack, region, release, hostName, weight: 1000, enabled: true, priority: 1 };
  const current = globalOutputsOf(globalUp);
  const unchanged = current.liveRelease === release && current.origins.length === 1 && sameOrigin(current.origins[0]!, origin);
  let frontDoorHost = String(globalUp.outputs["frontDoorEndpointHostName"]);
  if (!unchanged) {
    // The release invariant holds here too: no traffic to a stamp that has not passed its health gate.
    // Its web app admits only this environment's Front Door, so the gate reaches it through its own
    // stamp endpoint: first the stamp joins the origin list disabled (the endpoint appears, no traffic).
    let exposedUp = globalUp;
    if (!current.origins.some((o) => o.stamp === origin.stamp && o.hostName === origin.hostName)) {
      const exposed = await globalStack(engine, env, {
        origins: [...current.origins.filter((o) => o.stamp !== origin.stamp), { ...origin, enabled: false }],
        liveRelease: current.liveRelease,
        now,
        user: owner,
      });
      exposedUp = await step(exposed.stack, "expose", () => engine.up(exposed));
    }
    const probeHostName = stampEndpointOf(exposedUp, stampPlan.stack);
    await passHealthGate(engine, env, { stack: stampPlan.stack, hostName: probeHostName, release }, deps.log);
    const routed = await globalStack(engine, env, { origins: [origin], liveRelease: release, now, user: owner });
    const routedUp = await step(routed.stack, "route", () => engine.up(routed));
    frontDoorHost = String(routedUp.outputs["frontDoorEndpointHostName"]);
  }

  const tags = (await engine.listStacks({ tags: { [TAG.env]: env.name } })).find((s) => s.name === globalPlan.stack)?.tags ?? {};
  return {
    env: env.name,
    owner,
    region,
    release,
    url: `https://${frontDoorHost}`,
    createdAt: dateTag(tags, TAG.createdAt)?.toISOString() ?? now.toISOString(),
    expiresAt: dateTag(tags, TAG.expiresAt)?.toISOString() ?? "",
    stacks: [globalPlan.stack, stampPlan.stack],
    created: existingGlobal === undefined,
    registry,
  };
}

/**
 * The stamp's image must already be in the environment's registry: a stamp pulls only from there.
 * A new environment has no registry yet: `--global-only` creates it, then `contoso image build`.
 */
async function requireStampImage(engine: Engine, env: Environment, request: ValidatedEnvUp, deployed: GlobalOutputs | undefined, release: string): Promise<void> {
  if (request.globalOnly) return;
  if (!deployed) {
    throw new InputError(
      `${env.name} has no global stack yet, so its registry holds no image: run "contoso env up --name ${request.env.slice("dev-".length)} --global-only", then "contoso image build --env ${env.name} --release ${release}", then env up again`,
    );
  }
  await requireImageInRegistry(env, deployed, request.image ?? defaultImage(deployed.registryLoginServer, release), await imageRegistryFor(engine));
}

/** Gates the stamp with the environment's health gate (the release driver's) and records the verdict on its stack. */
async function passHealthGate(engine: Engine, env: Environment, target: GateTarget, log: (line: string) => void): Promise<void> {
  const session = await openReleaseSession(engine, env, { timeScale: parseTimeScale(undefined, engine), onEvent: () => {} });
  try {
    await session.ctx.afterStackChange?.();
    const settings = gateSettings(env, session.ctx.timing);
    const propagationMs = Math.max(settings.intervalMs * 20, Math.round(env.release.edgePropagationTimeout * session.ctx.timing.scale));
    await awaitStampEndpoints([target], { settings, resolve: session.ctx.resolve, path: env.originHealthProbe.path, timeoutMs: propagationMs });
    const [verdict] = await gateAndRecord(engine, [target], settings.deadlineMs, { settings, resolve: session.ctx.resolve, path: env.originHealthProbe.path });
    if (!verdict!.passed) {
      throw new Error(`${target.stack} failed its health gate, so Front Door was not pointed at it: ${verdict!.reason ?? "unhealthy"} (see contoso health --env ${env.name})`);
    }
    log(`${target.stack}: health gate passed (${verdict!.window.successes} of the last ${verdict!.window.samples} probes)`);
  } finally {
    await session.close();
  }
}

/** The host name of a stamp's own Front Door endpoint, from a global update's outputs. */
function stampEndpointOf(up: UpResult, stamp: string): string {
  const endpoints = Array.isArray(up.outputs["stampEndpoints"]) ? (up.outputs["stampEndpoints"] as Array<{ stamp: string; hostName: string }>) : [];
  const found = endpoints.find((e) => e.stamp === stamp);
  if (!found) throw new Error(`${up.stack} has no Front Door stamp endpoint for ${stamp}: the health gate cannot reach it`);
  return found.hostName;
}

function globalOutputsOf(up: UpResult): { origins: OriginSpec[]; liveRelease: string | null } {
  const origins = Array.isArray(up.outputs["origins"]) ? (up.outputs["origins"] as OriginSpec[]) : [];
  const live = up.outputs["liveRelease"];
  return { origins, liveRelease: typeof live === "string" ? live : null };
}

function sameOrigin(a: OriginSpec, b: OriginSpec): boolean {
  return a.stamp === b.stamp && a.hostName === b.hostName && a.weight === b.weight && a.enabled === b.enabled && a.priority === b.priority;
}
