import { createHook } from "node:async_hooks";
import { ChildProcess } from "node:child_process";
import * as net from "node:net";

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

interface TimerLike {
  _idleTimeout?: number;
  _onTimeout?: ((...args: unknown[]) => void) | null;
  _destroyed?: boolean;
  hasRef?: () => boolean;
}

/**
 * Timers are not among the handles Node lists, so they are collected as they are created (the
 * Timeout objects themselves, weakly held: this keeps nothing alive and costs no stack capture).
 */
const timers = new Map<number, WeakRef<TimerLike>>();
createHook({
  init(asyncId, type, _trigger, resource) {
    if (type === "Timeout") timers.set(asyncId, new WeakRef(resource as TimerLike));
  },
  destroy(asyncId) {
    timers.delete(asyncId);
  },
}).enable();

/** Mocha's timer of the hook that runs the check (every runnable has one, even with no timeout). */
const isMochaRunnableTimer = (t: TimerLike) => String(t._onTimeout ?? "").includes("_timeoutError");

function liveTimers(): TimerLike[] {
  const live: TimerLike[] = [];
  for (const [id, ref] of timers) {
    const t = ref.deref();
    if (!t || t._destroyed) timers.delete(id);
    else if (t.hasRef?.() && (t._idleTimeout ?? -1) >= 0 && !isMochaRunnableTimer(t)) live.push(t);
  }
  return live;
}

function describeTimer(t: TimerLike): string {
  const fn = t._onTimeout;
  const name = fn?.name || String(fn ?? "").replace(/\s+/g, " ").slice(0, 100);
  return `a ${t._idleTimeout} ms timer (${name || "anonymous callback"})`;
}

export function snapshot(): OpenSnapshot {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  // Counted from the timers seen, so that mocha's own runnable timer does not count as a leak.
  counts.set("Timeout", liveTimers().length);
  return { counts, handles: new Set<unknown>([...activeHandles(), ...liveTimers()]) };
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
  const timer = handle as TimerLike;
  if (typeof timer._idleTimeout === "number") return describeTimer(timer);
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
  const described = [...activeHandles(), ...liveTimers()]
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

/**
 * Closes what `leakedSince(before)` found, so that one file's leak does not spill into the next
 * file its worker runs (a timed-out test's children would otherwise be reported there too).
 */
export function closeLeaked(before: OpenSnapshot): void {
  for (const handle of [...activeHandles(), ...liveTimers()]) {
    if (before.handles.has(handle)) continue;
    if (handle instanceof ChildProcess) handle.kill("SIGKILL");
    else if (handle instanceof net.Server) handle.close();
    else if (handle instanceof net.Socket) handle.destroy();
    else if (typeof (handle as TimerLike)._idleTimeout === "number") clearTimeout(handle as NodeJS.Timeout);
  }
}
