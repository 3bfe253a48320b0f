/**
 * One line for a failed dependency call, leading with what an operator searches for first: the
 * HTTP status (Cosmos DB, Storage, Key Vault: `statusCode`/numeric `code`) or the SDK's error code
 * (Service Bus: `ServiceBusy`; Node: `ECONNREFUSED`).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { statusCode?: unknown; code?: unknown; substatus?: unknown };
  const status = typeof e.statusCode === "number" ? e.statusCode : typeof e.code === "number" ? e.code : undefined;
  const code = typeof e.code === "string" && e.code.length > 0 ? e.code : undefined;
  const parts: string[] = [];
  if (status !== undefined) parts.push(`${status}${typeof e.substatus === "number" ? `/${e.substatus}` : ""}`);
  if (code !== undefined && !e.message.includes(code)) parts.push(code);
  // SDK messages can carry multi-line JSON bodies and activity ids; the first line is the useful one.
  const message = firstLine(e.message) || e.name;
  return parts.length > 0 ? `${parts.join(" ")}: ${message}` : message;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
