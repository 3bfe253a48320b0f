import { readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { commandGroups } from "./commands/index.js";
import { escapeControl } from "./escape-control.js";
import { refuseRepeatedOptions } from "./single-value-options.js";
import { createContext, type ContextIo } from "./context.js";
import { EXIT_INTERRUPTED, exitCodeOf, oneLine } from "./exit-codes.js";
import { InterruptedError } from "../release/interruption.js";
import { addExamples } from "./examples.js";
import { REPO_ROOT } from "../offline/state-dir.js";

/** The package's version (package.json), for `contoso --version`. */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * `contoso`: the driver's command line. Exit codes (exit-codes.ts): 0 success, 1 an operation
 * failed, 2 bad input or a missing prerequisite (one line, nothing written), 3 rolled back,
 * 4 the environment is locked by another run, 5 interrupted by SIGINT/SIGTERM (resume it).
 */

export function buildProgram(io: ContextIo): Command {
  const ctx = createContext(io);
  const program = new Command("contoso")
    .description("Contoso Shoes release system: global stacks, deployment stamps and blue/green releases on Azure")
    .option("--offline", "use the offline engine (Pulumi mocks, state in .contoso/offline); the default when no cloud is configured")
    .option("--engine <kind>", "pulumi or offline (default: pulumi when Azure or a Pulumi backend is configured)")
    .option("--json", "machine-readable result on stdout (progress stays on stderr)")
    .version(cliVersion(), "-V, --version", "print the version of contoso")
    // Every subcommand's help lists --json, --offline and --engine too: they work after any command.
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander quotes what the user typed (an unknown option or command): escaped like our own lines.
      writeErr: (text) => io.stderr.write(text.split("\n").map(escapeControl).join("\n")),
    });
  for (const register of commandGroups) register(program, ctx);
  refuseRepeatedOptions(program);
  addExamples(program);
  return program;
}

/**
 * A rejection nobody awaited: typically from inside a stack program's asynchronous callbacks (an
 * Output's apply). It is reported in one line and never ends the process: the operation it belongs
 * to fails on its own (Pulumi's language host counts it against the running inline program,
 * @pulumi/pulumi automation/server.js newUncaughtHandler), while the other stacks' operations of a
 * parallel deploy run to their end and release their locks instead of being cut off mid-update.
 */
export function onStrayRejection(reason: unknown): void {
  process.stderr.write(`warning: a stack program left a failed promise unhandled: ${oneLine(reason)}\n`);
}

export async function main(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(`${signal}: interrupting: the current wait stops, nothing is recorded as passed, the lock is released (again to quit at once)\n`);
    controller.abort(new InterruptedError(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const onUnhandled = onStrayRejection;
  process.on("unhandledRejection", onUnhandled);
  const io: ContextIo = { env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its one line (or the help text).
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : 2;
    }
    // Interrupted: whatever the cancelled operation threw, this is an interruption to resume, not a failure.
    if (controller.signal.aborted && !isInputOrBusy(err)) {
      process.stderr.write(`${oneLine(controller.signal.reason)}: nothing more was recorded: run the command again to continue (a release: "contoso release resume", or "release abort")\n`);
      return EXIT_INTERRUPTED;
    }
    // A notice (e.g. env down --missing-ok: nothing to destroy) has an exit code of its own but is no error.
    const notice = (err as { notice?: unknown } | null)?.notice === true;
    process.stderr.write(`${notice ? "" : "error: "}${oneLine(err)}\n`);
    return exitCodeOf(err);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("unhandledRejection", onUnhandled);
  }
}

function isInputOrBusy(err: unknown): boolean {
  const code = exitCodeOf(err);
  return code === 2 || code === 4;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main();
}
