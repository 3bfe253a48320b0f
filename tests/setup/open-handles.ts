import * as net from "node:net";
import { ChildProcess } from "node:child_process";

/**
 * What keeps a test process alive: the resources Node counts as holding the event loop open
 * (`process.getActiveResourcesInfo()`: servers, sockets, child processes, ref'd timers, pending
 * file operations), described well enough to find the test that opened them.
 */

export interface OpenSnapshot {
  counts: Map<string, number>;
  handles: Set<unknown>;
}

interface ProcessWithHandles {
  _getActiveHandles?: () => unknown[];
}

function activeHandles(): unknown[] {
  // Undocumented but stable since Node 0.x; used only to describe what leaked, never to decide.
  return (process as unknown as ProcessWithHandles)._getActiveHandles?.() ?? [];
}

export function snapshot(): OpenSnapshot {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return { counts, handles: new Set(activeHandles()) };
}

function describe(handle: unknown): string | undefined {
  if (handle instanceof net.Server) {
    const a = handle.address();
    return `a server listening on ${typeof a === "string" ? a : a ? `${a.address}:${a.port}` : "(not bound)"}`;
  }
  if (handle instanceof net.Socket) {
    return `a socket ${handle.localAddress ?? "?"}:${handle.localPort ?? "?"} → ${handle.remoteAddress ?? "?"}:${handle.remotePort ?? "?"}`;
  }
  if (handle instanceof ChildProcess) return `child process ${handle.pid} (${handle.spawnargs.slice(0, 3).join(" ")})`;
  const timer = handle as { _idleTimeout?: number; _onTimeout?: { name?: string } };
  if (typeof timer._idleTimeout === "number") return `a ${timer._idleTimeout} ms timer (${timer._onTimeout?.name || "anonymous callback"})`;
  return undefined;
}

/** What is open now that was not open at `before`: empty when nothing leaked. */
export function leakedSince(before: OpenSnapshot): string[] {
  const now = snapshot();
  const grown: string[] = [];
  for (const [type, n] of now.counts) {
    const was = before.counts.get(type) ?? 0;
    if (n > was) grown.push(`${n - was} ${type}`);
  }
  if (grown.length === 0) return [];
  const described = activeHandles()
    .filter((h) => !before.handles.has(h))
    .map(describe)
    .filter((d): d is string => d !== undefined);
  return described.length > 0 ? [...grown, ...described] : grown;
}

/**
 * Waits for closes already under way (a server's close callback, a child's exit) to land, then
 * returns what is still open. The grace is for the event loop to run the callbacks of closes a
 * test already made, not for work: anything still open after it was left open.
 */
export async function leakedAfterGrace(before: OpenSnapshot, graceMs = 2_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const leaked = leakedSince(before);
    if (leaked.length === 0 || Date.now() >= deadline) return leaked;
    await new Promise((r) => setTimeout(r, 25).unref());
  }
}
