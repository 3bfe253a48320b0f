import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { InputError } from "../../environments/errors.js";

/**
 * `contoso rehearse` starts from a fresh state folder, so it wipes the one it is given. It wipes
 * only a folder it made itself: one holding its marker file. A folder that does not exist or is
 * empty is made one; any other folder (a checkout, a home folder, `.`) is refused and left alone,
 * and so is any folder that holds the current directory or the repository.
 */

export const REHEARSAL_MARKER = ".contoso-rehearsal";
const MARKER_TEXT = "made by contoso rehearse: this whole folder is wiped by the next rehearsal\n";

/**
 * Throws an InputError unless `dir` may be wiped and used for a rehearsal; returns its absolute path.
 * `ownDir` (the default, `.contoso/rehearsal`) is ours by construction, marker or not (rehearsals
 * before the marker existed made it too).
 */
export function checkRehearsalDir(dir: string, protectedDirs: string[], ownDir?: string): string {
  const abs = path.resolve(dir);
  for (const keep of protectedDirs.map((p) => path.resolve(p))) {
    if (keep === abs || keep.startsWith(`${abs}${path.sep}`) || abs === path.parse(abs).root) {
      throw new InputError(`--state-dir "${dir}" holds ${keep === abs ? "" : "the folder "}${keep}: a rehearsal wipes its folder, so give it a folder of its own (e.g. .contoso/rehearsal)`);
    }
  }
  if (!existsSync(abs)) return abs;
  if (!statSync(abs).isDirectory()) throw new InputError(`--state-dir "${dir}" is not a folder: give a new or empty folder, or one an earlier rehearsal made`);
  if (readdirSync(abs).length === 0 || (ownDir !== undefined && path.resolve(ownDir) === abs)) return abs;
  if (!existsSync(path.join(abs, REHEARSAL_MARKER)) || readFileSync(path.join(abs, REHEARSAL_MARKER), "utf8") !== MARKER_TEXT) {
    throw new InputError(
      `--state-dir "${dir}" is not a rehearsal folder (no ${REHEARSAL_MARKER} marker from contoso rehearse in it), so it was left alone: give a new or empty folder, or one an earlier rehearsal made`,
    );
  }
  return abs;
}

/** Wipes a folder `checkRehearsalDir` accepted and marks it as the rehearsal's. */
export async function freshRehearsalDir(dir: string, protectedDirs: string[], ownDir?: string): Promise<string> {
  const abs = checkRehearsalDir(dir, protectedDirs, ownDir);
  await rm(abs, { recursive: true, force: true });
  await mkdir(abs, { recursive: true });
  await writeFile(path.join(abs, REHEARSAL_MARKER), MARKER_TEXT);
  return abs;
}
