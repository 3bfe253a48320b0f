import { createRequire } from "node:module";

/**
 * Pulumi's runtime wraps every promise it tracks (each resource registration, each RPC) in
 * `debuggablePromise` (@pulumi/pulumi/runtime/debuggable.js), which stores `new Error().stack` on
 * it. That trace is read in one place only: the promise-leak report, and only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set (`debugPromiseLeaks`); otherwise the report prints a count and
 * no trace. Capturing and formatting it took about 12 % of the CPU of an offline release (CPU
 * profile of `contoso rehearse`: `defaultPrepareStackTrace` and `debuggablePromise` were its two
 * hottest functions after GC).
 *
 * Under the offline engine's mocks the trace is skipped: `debuggablePromise` runs with
 * `Error.stackTraceLimit = 0`, so the stored trace is just "Error". Everything else it does (the
 * leak bookkeeping, the `promise` field on a rejection) is unchanged, and so is every other error's
 * stack, including the one Pulumi pre-allocates so a failed registration points at the program.
 * With PULUMI_DEBUG_PROMISE_LEAKS set nothing is patched. The Pulumi engine never loads this: its
 * programs run under the real CLI, whose traces stay as Pulumi makes them.
 *
 * Pulumi's compiled modules call it as `debuggable_1.debuggablePromise(...)`, a property read on
 * the module's exports at each call, so replacing the export reaches every caller.
 */

type DebuggableModule = {
  debugPromiseLeaks: boolean;
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};

const UNTRACED = Symbol.for("contoso.untracedDebuggablePromise");

/** Makes Pulumi's `debuggablePromise` skip its stack trace in this process (idempotent); returns whether it is skipped. */
export function skipPromiseTraces(): boolean {
  const debuggable = createRequire(import.meta.url)("@pulumi/pulumi/runtime/debuggable.js") as DebuggableModule;
  if (debuggable.debugPromiseLeaks) return false;
  const current = debuggable.debuggablePromise as DebuggableModule["debuggablePromise"] & { [UNTRACED]?: true };
  if (current[UNTRACED]) return true;
  const untraced = Object.assign(
    function debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return current(p, ctx);
      } finally {
        Error.stackTraceLimit = limit;
      }
    },
    { [UNTRACED]: true as const },
  );
  debuggable.debuggablePromise = untraced;
  return true;
}
