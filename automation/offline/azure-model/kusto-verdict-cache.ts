import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

/**
 * The Kusto language service's verdicts, kept on disk between processes.
 *
 * Why: loading Kusto.Language (a Bridge.NET build of the C# library) and analysing our health
 * functions costs 2.5–4 s of CPU in every CLI process that deploys a stack offline: over half of a
 * `global up` or `stamp up`. The verdict is a pure function of its inputs (the query text, the
 * tables and functions it is analysed against, and the library's version), so a content-addressed
 * cache changes no answer: the key is a SHA-256 of all of them, and a new version of the library
 * starts a new cache. A process that finds every verdict cached never loads the library at all.
 *
 * Where: `node_modules/.cache/contoso-kusto/` beside the library (the usual home of tool caches,
 * ignored by git and removed with `node_modules`). Entries are written whole (a temporary file
 * renamed into place), so a reader in another process sees an entry whole or not at all. Anything
 * that goes wrong with the cache (read-only folder, a damaged entry) falls back to asking the
 * library: the cache can make a verdict faster, never different.
 *
 * `CONTOSO_KUSTO_CACHE=off` turns it off; `CONTOSO_KUSTO_CACHE=<folder>` keeps it elsewhere.
 */

const require = createRequire(import.meta.url);
const FORMAT = 1;

interface CacheLocation {
  dir: string;
  version: string;
}

let library: { dir: string; version: string } | null | undefined;

/** The library's version, and the default cache folder beside it (null when it cannot be found). */
function libraryLocation(): { dir: string; version: string } | null {
  if (library !== undefined) return library;
  try {
    const manifest = require.resolve("@kusto/language-service-next/package.json");
    const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
    // …/node_modules/@kusto/language-service-next/package.json → …/node_modules/.cache/contoso-kusto
    library = { dir: path.join(path.dirname(manifest), "..", "..", ".cache", "contoso-kusto"), version };
  } catch {
    library = null;
  }
  return library;
}

/** `CONTOSO_KUSTO_CACHE`: unset for the default folder, `off`, or a folder of one's own. */
function cacheLocation(): CacheLocation | null {
  const setting = process.env.CONTOSO_KUSTO_CACHE;
  if (setting === "off") return null;
  const lib = libraryLocation();
  if (!lib) return null;
  return { dir: setting ? path.resolve(setting) : lib.dir, version: lib.version };
}

/** The verdict of `compute` for these inputs: from the cache when it holds one, else computed and kept. */
export function cachedVerdict<T>(kind: string, inputs: unknown, compute: () => T): T {
  const where = cacheLocation();
  if (!where) return compute();
  const key = createHash("sha256").update(JSON.stringify([FORMAT, where.version, kind, inputs])).digest("hex");
  const file = path.join(where.dir, key.slice(0, 2), `${key}.json`);
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { verdict: T }).verdict;
  } catch {
    // Absent or unreadable: ask the library.
  }
  const verdict = compute();
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify({ verdict }));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the verdict stands, uncached.
    }
  }
  return verdict;
}
