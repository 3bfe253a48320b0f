import { readdir } from "node:fs/promises";
import * as path from "node:path";
import { z } from "zod";
import { readJsonIfExists, writeJsonAtomic } from "./state-files.js";

/**
 * The offline world's container registries: what an `az acr build` pushed, kept per registry
 * login server (the global stack's `registryLoginServer` output), so an image built into dev's
 * registry is not in prod's (DESIGN.md: environments never share a registry).
 *
 *   <stateDir>/registries/<login server>/<repository>/<tag>.json   { digest, pushedAt, source }
 *
 * One file per tag, written atomically: a push replaces the tag's manifest in one step, as a
 * registry's tag update does, and two builds of different tags never read-modify-write one file.
 * Looking a manifest up by digest (`repo@sha256:...`) finds any tag that carries it.
 */

const LOGIN_SERVER = /^[a-z0-9][a-z0-9.-]*(?::\d{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

const manifestSchema = z.object({
  repository: z.string(),
  tag: z.string(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  pushedAt: z.string(),
  source: z.string(),
});
export type OfflineManifest = z.infer<typeof manifestSchema>;

function repositoryDir(stateDir: string, loginServer: string, repository: string): string {
  // The patterns keep every part a plain path segment (no "..", no absolute path).
  if (!LOGIN_SERVER.test(loginServer)) throw new Error(`offline registry: "${loginServer}" is not a registry login server`);
  if (!REPOSITORY.test(repository)) throw new Error(`offline registry: "${repository}" is not a repository name`);
  return path.join(stateDir, "registries", loginServer.replace(":", "_"), ...repository.split("/"));
}

function tagFile(stateDir: string, loginServer: string, repository: string, tag: string): string {
  if (!TAG.test(tag)) throw new Error(`offline registry: "${tag}" is not a tag`);
  return path.join(repositoryDir(stateDir, loginServer, repository), `${tag}.json`);
}

/** Records a pushed image (a new tag, or the tag moved to a new digest). */
export async function pushOfflineImage(stateDir: string, loginServer: string, manifest: OfflineManifest): Promise<void> {
  await writeJsonAtomic(tagFile(stateDir, loginServer, manifest.repository, manifest.tag), manifestSchema.parse(manifest));
}

/** The manifest a tag or digest names in that registry, or undefined when the registry has no such image. */
export async function findOfflineImage(stateDir: string, loginServer: string, repository: string, reference: string): Promise<OfflineManifest | undefined> {
  if (reference.startsWith("sha256:")) {
    let tags: string[];
    try {
      tags = (await readdir(repositoryDir(stateDir, loginServer, repository))).filter((f) => f.endsWith(".json"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    for (const file of tags) {
      const found = await findOfflineImage(stateDir, loginServer, repository, file.slice(0, -".json".length));
      if (found?.digest === reference) return found;
    }
    return undefined;
  }
  const raw = await readJsonIfExists(tagFile(stateDir, loginServer, repository, reference));
  if (raw === undefined) return undefined;
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`offline registry: ${tagFile(stateDir, loginServer, repository, reference)} is not a manifest record; delete it and build again`);
  return parsed.data;
}
