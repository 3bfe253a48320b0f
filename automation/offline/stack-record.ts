import { z } from "zod";
import type { PlannedResource } from "../engine/port.js";

/**
 * What a stack file of the offline state must hold. A file that holds anything else (`null`, `{}`,
 * a half-edited document) cannot be trusted: writing over it would replace state we cannot read
 * (the origins of a global stack, say) with state we made up, so every command stops on it,
 * naming the file and what to do. The Pulumi backends refuse a corrupt checkpoint the same way
 * (`pulumi stack import` of a fixed one is the way out).
 */
export const stackRecordSchema = z.object({
  name: z.string().min(1),
  tags: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), z.unknown()),
  resources: z.array(z.object({ type: z.string(), name: z.string(), inputs: z.record(z.string(), z.unknown()) }).passthrough()),
  createdAt: z.string(),
  lastUpdate: z.string().optional(),
}).passthrough();

export interface OfflineStackRecord {
  name: string;
  tags: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: PlannedResource[];
  createdAt: string;
  lastUpdate?: string;
}

/** A stack file that is not a valid stack record: exit code 2, nothing written. */
export class UntrustedStateError extends Error {
  override readonly name = "UntrustedStateError";
  readonly exitCode = 2;
}

export function parseStackRecord(file: string, stack: string, value: unknown): OfflineStackRecord {
  const parsed = stackRecordSchema.safeParse(value);
  if (parsed.success && parsed.data.name === stack) return parsed.data as OfflineStackRecord;
  const what = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value !== "object" ? `a ${typeof value}` : parsed.success ? `the record of stack "${String((value as { name?: unknown }).name)}"` : `no valid stack record (${parsed.error.issues[0]?.path.join(".") || "document"}: ${parsed.error.issues[0]?.message ?? "invalid"})`;
  return untrusted(file, what);
}

function untrusted(file: string, what: string): never {
  throw new UntrustedStateError(
    `${file} holds ${what}, not a stack record: it cannot be trusted, so nothing was written; restore it from a backup (or, if the stack is gone, delete the file) and run the command again`,
  );
}
