import { isInputError } from "../../environments/errors.js";

/**
 * The process around a long-running service, shared by the two entry points that start one: the
 * shop API with its health contract (workload/src/main.ts, the image's CMD) and the health service
 * alone (stamp/health/main.ts). It lives here, in stamp/health, because the image's build context
 * holds this folder (workload/Dockerfile, .dockerignore) and nothing of the CLI.
 *
 * - Bad configuration (an input error): its one line on stderr, exit code 2, nothing contacted.
 * - Any other failure to start: the error on stderr, exit code 1.
 * - SIGTERM (App Service stopping or replacing the instance) or SIGINT: `stop` closes what the
 *   service opened, in its order (stop accepting, finish, close the clients), then exit 0; a stop
 *   that fails exits 1 with its error.
 *
 * The signal handlers are installed before the service starts: a signal with no handler kills the
 * process at once (the default action), so one that came while the service was starting, or just
 * after it said it listens, would skip the clean stop. A signal during start-up stops the service
 * as soon as it has started.
 */
export function runService(start: () => Promise<() => Promise<void>>): void {
  let stop: (() => Promise<void>) | undefined;
  let stopRequested = false;
  const shutdown = () => {
    if (!stop) {
      stopRequested = true;
      return;
    }
    const closing = stop;
    stop = undefined;
    closing().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  start().then(
    (started) => {
      stop = started;
      if (stopRequested) shutdown();
    },
    (err: unknown) => {
      if (isInputError(err)) {
        console.error(err.message);
        process.exit(2);
      }
      console.error(err);
      process.exit(1);
    },
  );
}
