import { InputError } from "../../environments/errors.js";

/**
 * Stack names at the engine boundary. Pulumi names a stack `stack`, `project/stack` or
 * `org/project/stack` (pkg/backend/diy/store.go and httpstate ParseStackReference), and `stack ls`
 * answers qualified names on Pulumi Cloud or with --fully-qualify-stack-names. The driver keeps and
 * compares bare names, so every name entering or leaving the engine is made bare here.
 * A qualified name of another project is not ours: an error for a name given to the engine, skipped
 * (undefined) in a listing.
 */
export function bareStackName(name: string, project: string): string;
export function bareStackName(name: string, project: string, options: { otherProject: "skip" }): string | undefined;
export function bareStackName(name: string, project: string, options?: { otherProject: "skip" }): string | undefined {
  const parts = name.split("/");
  if (parts.length > 3 || parts.some((p) => p === "")) throw new InputError(`stack name "${name}" must be <stack>, <project>/<stack> or <org>/<project>/<stack>`);
  if (parts.length >= 2 && parts[parts.length - 2] !== project) {
    if (options?.otherProject === "skip") return undefined;
    throw new InputError(`stack "${name}" belongs to project "${parts[parts.length - 2]}", not ${project}`);
  }
  return parts[parts.length - 1]!;
}
