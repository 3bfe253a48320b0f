import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import type { PlannedResource } from "./port.js";

/**
 * What a `file://` Pulumi backend says is deployed, read from its files without running the CLI.
 *
 * Only the loopback stamp fabric uses this (CONTOSO_LOOPBACK_STAMPS=1, engine/loopback.ts): it stands
 * in for Azure, which serves whatever was deployed whether or not a driver asks Pulumi about it. Going
 * through the engine instead would spawn a dozen `pulumi` processes at every fabric refresh, and those
 * calls (which no real release makes) would mix with the release's own CLI calls.
 *
 * The layout is the DIY backend's (pulumi/pulumi pkg/backend/diy/store.go, stack_tags.go):
 *   .pulumi/stacks/<project>/<stack>.json (or .json.gz with PULUMI_DIY_BACKEND_GZIP)
 *       {version: 3, checkpoint: {stack, latest: {manifest, resources: [{urn, custom, type, inputs, outputs, ...}]}}}
 *   .pulumi/stacks/<project>/<stack>.pulumi-tags   {version: 1, tags: {...}}
 * A checkpoint being replaced is written whole (gocloud.dev blob writes), so a read sees a whole file.
 */
export interface BackendStack {
  name: string;
  tags: Record<string, string>;
  /** The root stack resource's outputs (secret outputs stay in their encrypted envelope). */
  outputs: Record<string, unknown>;
  /** Custom resources, named as the offline engine names them (logical name = the URN's last part). */
  resources: PlannedResource[];
}

interface CheckpointResource {
  urn: string;
  type: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export async function readFileBackendStacks(backendDir: string, project: string): Promise<BackendStack[]> {
  const dir = path.join(backendDir, ".pulumi", "stacks", project);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const names = [...new Set(files.flatMap((f) => (f.endsWith(".json") ? [f.slice(0, -5)] : f.endsWith(".json.gz") ? [f.slice(0, -8)] : [])))];
  const stacks = await Promise.all(names.map((name) => readStack(dir, name)));
  return stacks.filter((s): s is BackendStack => s !== undefined);
}

async function readStack(dir: string, name: string): Promise<BackendStack | undefined> {
  const raw = (await readFile(path.join(dir, `${name}.json`)).catch(() => undefined)) ?? (await readFile(path.join(dir, `${name}.json.gz`)).then(gunzipSync, () => undefined));
  // Gone between the listing and the read (a `stack rm`): not deployed any more.
  if (!raw) return undefined;
  const checkpoint = JSON.parse(raw.toString("utf8")) as { checkpoint?: { latest?: { resources?: CheckpointResource[] } } };
  const resources = checkpoint.checkpoint?.latest?.resources ?? [];
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const tagsFile = await readFile(path.join(dir, `${name}.pulumi-tags`), "utf8").catch(() => undefined);
  const tags = tagsFile ? ((JSON.parse(tagsFile) as { tags?: Record<string, string> }).tags ?? {}) : {};
  return {
    name,
    tags,
    outputs: root?.outputs ?? {},
    resources: resources
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
      .map((r) => ({ type: r.type, name: r.urn.slice(r.urn.lastIndexOf("::") + 2), inputs: r.inputs ?? {} })),
  };
}
