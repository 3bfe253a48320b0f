import * as pulumi from "@pulumi/pulumi";
import { currentRunStore } from "../engine/program-isolation.js";
import { mockAzureCall, mockAzureResource } from "./azure-mocks.js";
import { skipPromiseTraces } from "./promise-traces.js";

// Pulumi's runtime keeps its settings in an AsyncLocalStorage store (the Automation API relies on
// it to run inline programs side by side). Running each program inside its own store is what lets
// the offline engine evaluate several stacks at once in one process.
import * as runtimeStateModule from "@pulumi/pulumi/runtime/state.js";
import * as runtimeStack from "@pulumi/pulumi/runtime/stack.js";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings.js";
import * as rpc from "@pulumi/pulumi/runtime/rpc.js";

// `withLocalStorage` is marked @internal, so its declaration is stripped from the published types.
const runtimeState = runtimeStateModule as unknown as { withLocalStorage<T>(callback: () => Promise<T>): Promise<T> };

/** One resource the program registered, as the engine saw it. */
export interface RecordedResource {
  /** Pulumi type token, e.g. `azure-native:web:WebApp`. */
  type: string;
  /** Logical (Pulumi) name. */
  name: string;
  /** Inputs as the program passed them, fully resolved. */
  inputs: Record<string, unknown>;
  /** Inputs plus what Azure would compute. */
  outputs: Record<string, unknown>;
  id: string;
  /** Whether it is a custom (cloud) resource rather than a component. */
  custom: boolean;
}

export interface MockRunResult<T> {
  outputs: T;
  resources: RecordedResource[];
}

export interface MockRunOptions {
  project: string;
  stack: string;
  /** Called as each resource registers (progress for the offline engine). */
  onResource?: (resource: RecordedResource) => void;
  /** Stack configuration the program reads (e.g. `azure-native:location`), set in this run's own store only. */
  config?: Record<string, string>;
  /** Outputs of other stacks, by fully qualified name, for programs that read a `StackReference`. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

/**
 * Runs an inline Pulumi program under Pulumi's own mocks, in an isolated runtime store, and returns
 * its stack outputs and every resource it registered (type, logical name, inputs, computed outputs).
 */
export async function runUnderMocks<T>(program: () => Promise<T>, options: MockRunOptions): Promise<MockRunResult<T>> {
  skipPromiseTraces();
  const resources: RecordedResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.type === "pulumi:pulumi:StackReference") {
        const name = String(args.inputs["name"] ?? args.name);
        return { id: name, state: { name, outputs: options.stackOutputs?.[name] ?? {}, secretOutputNames: [] } };
      }
      const { id, state } = mockAzureResource(args, options.stack);
      const recorded: RecordedResource = {
        type: args.type,
        name: args.name,
        inputs: args.inputs as Record<string, unknown>,
        outputs: state,
        id,
        custom: args.custom ?? true,
      };
      resources.push(recorded);
      options.onResource?.(recorded);
      return { id, state };
    },
    call(args) {
      return mockAzureCall(args);
    },
  };
  const outputs = await runtimeState.withLocalStorage(async () => {
    // A rejection nobody awaits inside this program (an Output's apply) fails this run, as Pulumi's
    // language host fails the run it came from (automation/server.js); Node runs the listener in the
    // rejected promise's async context, so the store tells whose it is (engine/program-isolation.ts).
    const owner = currentRunStore();
    const stray: unknown[] = [];
    const listener = (reason: unknown) => {
      if (currentRunStore() === owner) stray.push(reason);
    };
    process.on("unhandledRejection", listener);
    try {
      await pulumi.runtime.setMocks(mocks, options.project, options.stack, false, "organization");
      if (options.config) pulumi.runtime.setAllConfig(options.config);
      let returned: unknown;
      const result = (await runtimeStack.runInPulumiStack(async () => (returned = await program()))) as T;
      // Wait for every outstanding registration, so `resources` is complete when we return.
      await runtimeSettings.disconnect();
      // Unhandled rejections are reported once the microtask queue drains: let them arrive.
      await new Promise((r) => setImmediate(r));
      if (stray.length > 0) throw stray[0];
      return markSecretOutputs(result, returned);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });
  return { outputs: outputs as T, resources };
}

/**
 * The stack's outputs with each secret one marked as Pulumi marks secrets in serialized state, so
 * the engine can keep it out of its records (a stack output is secret when its Output is: Pulumi
 * then stores it encrypted and prints `[secret]`).
 */
async function markSecretOutputs<T>(resolved: T, returned: unknown): Promise<T> {
  if (!resolved || typeof resolved !== "object" || !returned || typeof returned !== "object") return resolved;
  const out: Record<string, unknown> = { ...(resolved as Record<string, unknown>) };
  for (const [key, value] of Object.entries(returned as Record<string, unknown>)) {
    // `isSecret` is how Output tracks secretness (a promise on every Output instance).
    const secret = pulumi.Output.isInstance(value) ? await (value as unknown as { isSecret: Promise<boolean> }).isSecret : false;
    if (secret && key in out) out[key] = { [rpc.specialSigKey]: rpc.specialSecretSig, value: out[key] };
  }
  return out as T;
}
