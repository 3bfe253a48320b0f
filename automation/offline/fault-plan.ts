import * as path from "node:path";
import { z } from "zod";
import { InputError } from "../../environments/errors.js";
import type { Operation } from "../engine/port.js";
import { matchesPattern, type FaultPlan, type OperationFault } from "./faults.js";
import { readJsonIfExists, writeJsonAtomic } from "./state-files.js";

/**
 * Loads the fault plan (DESIGN.md, "Engines"; types in faults.ts) fresh for every operation, so a
 * test or an operator can change `<stateDir>/faults.json` while a release runs. The environment
 * variable CONTOSO_OFFLINE_FAULTS (JSON) wins over the file, section by section.
 */

const operation = z.enum(["up", "preview", "destroy", "remove"]);
const planSchema = z.object({
  operations: z
    .array(z.object({ stack: z.string().min(1), operation, times: z.number().int().min(0).optional(), message: z.string().optional() }))
    .optional(),
  stamps: z
    .array(
      z.object({
        stack: z.string().min(1),
        component: z.string().optional(),
        status: z.enum(["Unhealthy", "Degraded"]).optional(),
        afterMs: z.number().min(0).optional(),
      }),
    )
    .optional(),
  crash: z.object({ at: z.string().min(1), occurrence: z.number().int().min(1).optional() }).optional(),
});

export function faultPlanPath(stateDir: string): string {
  return path.join(stateDir, "faults.json");
}

function parsePlan(raw: unknown, where: string): FaultPlan {
  const result = planSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InputError(`fault plan in ${where}: ${issue.path.map(String).join(".") || "(plan)"}: ${issue.message}`);
  }
  return result.data as FaultPlan;
}

export async function loadFaultPlan(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<FaultPlan> {
  const fromFile = await readJsonIfExists(faultPlanPath(stateDir));
  const filePlan = fromFile === undefined ? {} : parsePlan(fromFile, faultPlanPath(stateDir));
  const rawEnv = env["CONTOSO_OFFLINE_FAULTS"];
  if (rawEnv === undefined || rawEnv.trim() === "") return filePlan;
  let parsedEnv: unknown;
  try {
    parsedEnv = JSON.parse(rawEnv);
  } catch (err) {
    throw new InputError(`CONTOSO_OFFLINE_FAULTS is not valid JSON: ${(err as Error).message}`);
  }
  return { ...filePlan, ...parsePlan(parsedEnv, "CONTOSO_OFFLINE_FAULTS") };
}

function countsPath(stateDir: string, stack: string): string {
  return path.join(stateDir, "fault-counts", `${stack}.json`);
}

/**
 * The fault this operation must fail with, if any. A fault with `times` fails that many times per
 * matching stack, then lets the operation through; the count lives in the state folder (one file
 * per stack, written under the stack's lock) so it survives the process a crash test kills.
 */
export async function takeOperationFault(stateDir: string, stack: string, op: Operation, plan: FaultPlan): Promise<OperationFault | undefined> {
  const candidates = (plan.operations ?? []).filter((f) => f.operation === op && matchesPattern(f.stack, stack));
  if (candidates.length === 0) return undefined;
  const file = countsPath(stateDir, stack);
  const counts = ((await readJsonIfExists(file)) ?? {}) as Record<string, number>;
  for (const fault of candidates) {
    if (fault.times === undefined) return fault;
    const key = `${fault.stack}|${fault.operation}`;
    const used = counts[key] ?? 0;
    if (used < fault.times) {
      counts[key] = used + 1;
      await writeJsonAtomic(file, counts);
      return fault;
    }
  }
  return undefined;
}
