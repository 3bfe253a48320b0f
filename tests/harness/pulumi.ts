import { runUnderMocks, type RecordedResource } from "../../automation/offline/mock-runner.js";

/**
 * Runs a Pulumi program under Pulumi's mocks (with the same Azure model the offline engine uses)
 * and gives tests the registered resources to assert on.
 */
export interface ProgramRun<T> {
  outputs: T;
  resources: RecordedResource[];
  /** Every resource of a type token, e.g. `azure-native:web:WebApp`. */
  ofType(type: string): RecordedResource[];
  /** The single resource of a type (optionally with a logical name); throws when there is not exactly one. */
  one(type: string, name?: string): RecordedResource;
}

export async function runProgram<T>(
  program: () => Promise<T>,
  stack = "test-stack",
  more: { config?: Record<string, string>; stackOutputs?: Record<string, Record<string, unknown>> } = {},
): Promise<ProgramRun<T>> {
  const { outputs, resources } = await runUnderMocks(program, { project: "contoso-shoes", stack, ...more });
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    outputs,
    resources,
    ofType,
    one(type, name) {
      const found = ofType(type).filter((r) => name === undefined || r.name === name);
      if (found.length !== 1) {
        const names = ofType(type).map((r) => r.name).join(", ") || "none";
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (have: ${names})`);
      }
      return found[0]!;
    },
  };
}

/** Reads a nested property by dotted path (`properties.enableRbacAuthorization`). */
export function prop(resource: RecordedResource, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], resource.inputs);
}
