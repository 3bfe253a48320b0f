import type { Command } from "commander";
import { InputError } from "../../environments/errors.js";
import { loadEnvironment, type Environment } from "../../environments/index.js";
import type { Engine } from "../engine/port.js";
import { withEnvironmentLock, type HeldLock } from "../lock/environment-lock.js";
import { chooseEngine, createEngine, engineLine, type EngineChoice } from "../engine/select.js";
import { outputMode, type OutputMode } from "./output-mode.js";

/**
 * What every command gets: the engine (chosen from the root flags and created on first use, after
 * the command has validated its input), the output mode, a logger on stderr and cancellation.
 * Command groups receive it in `register(program, ctx)`.
 */
export interface CliContext {
  /** The engine, prerequisites checked; prints the `engine: ...` line once. */
  engine(command: Command): Promise<Engine>;
  /** The engine choice without creating it (validates --offline/--engine). */
  engineChoice(command: Command): EngineChoice;
  mode(command: Command): OutputMode;
  /** One line to stderr (logs, progress in plain mode). */
  log(line: string): void;
  /** A JSON document or table to stdout: the command's result. */
  print(text: string): void;
  /** The terminal's width when stdout is one (tables fit it); undefined for a pipe or a file. */
  width(): number | undefined;
  /** Aborted on the first Ctrl-C (or SIGTERM): engines cancel their running operations. */
  readonly signal: AbortSignal;
  /** Loads and validates an environment (InputError on a bad or unknown name). */
  environment(name: string): Environment;
  /** Destructive commands on protected environments need `--confirm <env-name>`. */
  confirmDestructive(env: Environment, action: string, confirm: string | undefined): void;
  /**
   * Runs `work` holding the environment's lock for its whole read-decide-write (one writer per
   * environment); a second writer gets exit 4 naming the holder. `work` confirms the lock before each change.
   */
  locked<T>(engine: Engine, envName: string, purpose: string, work: (lock: HeldLock) => Promise<T>): Promise<T>;
}

export interface ContextIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  signal: AbortSignal;
}

export function createContext(io: ContextIo): CliContext {
  let engine: Promise<Engine> | undefined;
  const rootOptions = (command: Command) => command.optsWithGlobals() as { offline?: boolean; engine?: string; json?: boolean };
  const ctx: CliContext = {
    signal: io.signal,
    engineChoice(command) {
      return chooseEngine(rootOptions(command));
    },
    engine(command) {
      engine ??= (async () => {
        const choice = ctx.engineChoice(command);
        const created = await createEngine(choice, io.env);
        ctx.log(engineLine(created, choice));
        await created.checkPrerequisites();
        return created;
      })();
      return engine;
    },
    mode(command) {
      // A terminal that reports no width (a pseudo-terminal without a size) cannot hold redrawn columns.
      const terminal = io.stderr.isTTY === true && (io.stderr.columns ?? 0) >= 40;
      return outputMode({ json: rootOptions(command).json === true, isTTY: terminal, env: io.env });
    },
    log(line) {
      io.stderr.write(`${line}\n`);
    },
    width() {
      return io.stdout.isTTY === true && (io.stdout.columns ?? 0) > 0 ? io.stdout.columns : undefined;
    },
    print(text) {
      io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    environment(name) {
      return loadEnvironment(name);
    },
    locked(engine, envName, purpose, work) {
      return withEnvironmentLock(engine, envName, { purpose, env: io.env, onWarning: (l) => ctx.log(`warning: ${l}`), onRecovered: (l) => ctx.log(l) }, work);
    },
    confirmDestructive(env, action, confirm) {
      if (!env.protected) return;
      if (confirm !== env.name) {
        throw new InputError(
          confirm === undefined
            ? `${env.name} is a protected environment: to ${action}, add --confirm ${env.name}`
            : `--confirm "${confirm}" does not match the environment ${env.name}: to ${action}, add --confirm ${env.name}`,
        );
      }
    },
  };
  return ctx;
}
