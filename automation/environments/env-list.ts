import { readableDuration } from "../text/readable-duration.js";
import { renderTable } from "../text/table.js";
import { isPersonalEnvironmentName } from "../../environments/index.js";
import { globalStackName, parseStackName, TAG } from "../../environments/stacks.js";
import type { Engine, StackSummary } from "../engine/port.js";
import { intentFromTags, ReleaseRecordError } from "../release/intent-tags.js";
import { trafficFromOutputs } from "../reaper/traffic.js";
import { envCreatedAt, envExpiry } from "./expiry.js";

/**
 * `env ls`: the personal environments, one row each, summarised from their stacks' tags and the
 * global stack's outputs. The summary is a pure function of what was read, so it is tested directly.
 */

export interface PersonalEnvRow {
  env: string;
  owner: string | null;
  createdAt: string | null;
  ageMs: number | null;
  expiresAt: string | null;
  /** Negative once expired. */
  expiresInMs: number | null;
  stacks: string[];
  status: string;
  url: string | null;
}

export interface GlobalReading {
  outputs: Record<string, unknown> | undefined;
}

function envOf(stack: StackSummary): string | undefined {
  try {
    return parseStackName(stack.name).env;
  } catch {
    return stack.tags[TAG.env];
  }
}

export function summarizePersonalEnvs(stacks: StackSummary[], globals: Record<string, GlobalReading>, now: Date): PersonalEnvRow[] {
  const byEnv = new Map<string, StackSummary[]>();
  for (const s of stacks) {
    const env = envOf(s);
    if (env === undefined || !isPersonalEnvironmentName(env)) continue;
    byEnv.set(env, [...(byEnv.get(env) ?? []), s]);
  }
  return [...byEnv.keys()].sort().map((env) => {
    const members = byEnv.get(env)!;
    const global = members.find((s) => s.name === globalStackName(env));
    const created = envCreatedAt(env, members);
    const expires = envExpiry(env, members);
    const outputs = globals[env]?.outputs;
    const host = outputs?.["frontDoorEndpointHostName"];
    return {
      env,
      owner: (global ?? members[0])?.tags[TAG.owner] ?? null,
      createdAt: created?.toISOString() ?? null,
      ageMs: created ? now.getTime() - created.getTime() : null,
      expiresAt: expires?.toISOString() ?? null,
      expiresInMs: expires ? expires.getTime() - now.getTime() : null,
      stacks: members.map((s) => s.name).sort(),
      status: status(global, outputs, expires, now),
      url: typeof host === "string" ? `https://${host}` : null,
    };
  });
}

function status(global: StackSummary | undefined, outputs: Record<string, unknown> | undefined, expires: Date | undefined, now: Date): string {
  if (expires && expires.getTime() <= now.getTime()) return "expired";
  if (!global) return "no global stack";
  let intent;
  try {
    intent = intentFromTags(global.tags, global.name);
  } catch (err) {
    if (err instanceof ReleaseRecordError) return "release record unreadable";
    throw err;
  }
  if (intent) return `releasing ${intent.release} (${intent.mode})`;
  if (outputs === undefined || Object.keys(outputs).length === 0) return "not deployed";
  const traffic = trafficFromOutputs(outputs);
  if (traffic === "unreadable") return "unknown";
  if (traffic.liveRelease !== null && traffic.origins.some((o) => o.enabled)) return `serving ${traffic.liveRelease}`;
  return "no traffic";
}

export async function listPersonalEnvs(engine: Engine, now: Date, owner?: string): Promise<PersonalEnvRow[]> {
  const stacks = await engine.listStacks();
  const envs = new Set(stacks.map(envOf).filter((e): e is string => e !== undefined && isPersonalEnvironmentName(e)));
  const globals: Record<string, GlobalReading> = {};
  const names = new Set(stacks.map((s) => s.name));
  await Promise.all(
    [...envs].map(async (env) => {
      const name = globalStackName(env);
      if (names.has(name)) globals[env] = { outputs: await engine.outputs(name) };
    }),
  );
  const rows = summarizePersonalEnvs(stacks, globals, now);
  return owner === undefined ? rows : rows.filter((r) => r.owner === owner);
}

export function envTable(rows: PersonalEnvRow[], width?: number): string {
  const relative = (ms: number | null) => (ms === null ? "" : ms >= 0 ? `in ${readableDuration(ms)}` : `${readableDuration(-ms)} ago`);
  const columns: [string, (r: PersonalEnvRow) => string][] = [
    ["ENV", (r) => r.env],
    ["OWNER", (r) => r.owner ?? ""],
    ["AGE", (r) => (r.ageMs === null ? "" : readableDuration(Math.max(0, r.ageMs)))],
    ["EXPIRES", (r) => (r.expiresAt === null ? "never" : `${r.expiresAt} (${relative(r.expiresInMs)})`)],
    ["STACKS", (r) => r.stacks.join(",")],
    ["STATUS", (r) => r.status],
    ["URL", (r) => r.url ?? ""],
  ];
  return renderTable(columns.map(([h]) => h), rows.map((r) => columns.map(([, get]) => get(r))), { width });
}
