import type { AsyncLocalStorage } from "node:async_hooks";

/**
 * Keeps one inline program's stray failure out of the other programs running beside it.
 *
 * The Automation API runs each inline program in the driver process, inside its own
 * AsyncLocalStorage store (@pulumi/pulumi runtime/state.js withLocalStorage, on
 * `global.asyncLocalStorage`), and while a program runs its LanguageServer listens on the whole
 * process for `unhandledRejection` and `uncaughtException` (automation/server.js, run() and
 * newUncaughtHandler): each run counts every such error as its own and fails with "One or more
 * errors occurred". With several stacks deployed in parallel, one program's stray rejection then
 * failed every update in flight.
 *
 * Node runs an `unhandledRejection` listener in the async context of the rejected promise, so the
 * store active at that moment tells which program the promise came from. This wraps every
 * `unhandledRejection`/`uncaughtException` listener registered inside a program run (that is,
 * Pulumi's per-run handlers) so it only hears errors from its own run, or from outside any run
 * (those still reach every run, as before). Listeners registered outside a run are untouched.
 */

const EVENTS = new Set<string | symbol>(["unhandledRejection", "uncaughtException"]);
let installed = false;

/** The Pulumi run store active now; undefined outside any run. */
export function currentRunStore(): unknown {
  return (globalThis as { asyncLocalStorage?: AsyncLocalStorage<unknown> }).asyncLocalStorage?.getStore();
}

type Listener = (...args: unknown[]) => void;
type Add = (event: string | symbol, listener: Listener) => NodeJS.Process;

export function isolateProgramFailures(): void {
  if (installed) return;
  installed = true;
  // Per event: Pulumi registers one handler function for both events.
  const wrappers = new Map<string | symbol, WeakMap<Listener, Listener>>([...EVENTS].map((e) => [e, new WeakMap()]));
  const wrapAdd = (original: Add): Add =>
    function (this: NodeJS.Process, event, listener) {
      const owner = EVENTS.has(event) ? currentRunStore() : undefined;
      if (owner === undefined) return original.call(this, event, listener);
      const scoped: Listener & { listener?: Listener } = (...args) => {
        const origin = currentRunStore();
        if (origin !== undefined && origin !== owner) return;
        listener(...args);
      };
      // EventEmitter removes by `listener` or by its `.listener` (how `once` wrappers are found):
      // `off(original)` then finds this wrapper, a fired `once` removes it through `wrappers`.
      scoped.listener = (listener as { listener?: Listener }).listener ?? listener;
      wrappers.get(event)!.set(listener, scoped);
      return original.call(this, event, scoped);
    };
  const wrapRemove = (original: Add): Add =>
    function (this: NodeJS.Process, event, listener) {
      return original.call(this, event, wrappers.get(event)?.get(listener) ?? listener);
    };
  // `once` and `prependOnceListener` register through `on` and `prependListener` (node:events).
  const p = process as unknown as Record<"on" | "addListener" | "prependListener" | "off" | "removeListener", Add>;
  p.on = wrapAdd(p.on);
  p.addListener = wrapAdd(p.addListener);
  p.prependListener = wrapAdd(p.prependListener);
  p.off = wrapRemove(p.off);
  p.removeListener = wrapRemove(p.removeListener);
}
