import { createRequire } from "node:module";
import { cachedVerdict } from "./kusto-verdict-cache.js";

/**
 * The official Kusto language service (`@kusto/language-service-next`, a Bridge.NET build of
 * Kusto.Language) loaded in Node, so the offline Azure model (and the tests) judge our KQL with the
 * same parser and semantic analyser Azure Monitor uses when a rule, function or workbook is saved.
 * `bridge.js` installs the `Bridge` runtime on the global object; the Kusto assembly then registers
 * `Kusto.Language` beside it.
 */

const require = createRequire(import.meta.url);

export interface KustoDiagnostic {
  severity: string;
  code: string;
  message: string;
  start: number;
  length: number;
  /** The text around the problem, for a readable failure. */
  excerpt: string;
}

/** A column list such as `(TimeGenerated: datetime, Success: bool)`. */
export type TableSchemas = Record<string, string>;

export interface FunctionDeclaration {
  name: string;
  /** Parameter list in KQL syntax, e.g. `(lookback: timespan = 15m)`. */
  parameters: string;
  body: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let language: Any;

function kusto(): Any {
  if (!language) {
    require("@kusto/language-service-next/bridge.js");
    require("@kusto/language-service-next/Kusto.Language.Bridge.js");
    language = (globalThis as Any).Kusto.Language;
    if (!language?.KustoCode?.Parse) throw new Error("@kusto/language-service-next did not register Kusto.Language");
  }
  return language;
}

function diagnosticsOf(code: Any, text: string): KustoDiagnostic[] {
  const list = code.GetDiagnostics();
  const out: KustoDiagnostic[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    const from = Math.max(0, d.Start - 40);
    out.push({
      severity: String(d.Severity),
      code: String(d.Code),
      message: String(d.Message),
      start: d.Start,
      length: d.Length,
      excerpt: `${text.slice(from, d.Start)}⟦${text.slice(d.Start, d.Start + Math.max(d.Length, 1))}⟧${text.slice(d.Start + Math.max(d.Length, 1), d.Start + 40)}`,
    });
  }
  return out;
}

/** Syntax errors of a query (no knowledge of tables or functions needed). */
export function syntaxErrors(text: string): KustoDiagnostic[] {
  return cachedVerdict("syntax", [text], () => {
    const K = kusto();
    return diagnosticsOf(K.KustoCode.Parse(text), text).filter((d) => d.severity === "Error");
  });
}

/**
 * Semantic errors of a query against a database that declares the given tables (with the columns
 * our queries use) and functions: unknown columns, wrong types, unknown functions, bad arguments.
 */
export function semanticErrors(text: string, tables: TableSchemas, functions: FunctionDeclaration[] = []): KustoDiagnostic[] {
  return cachedVerdict("semantic", [text, tables, functions], () => {
    const K = kusto();
    return diagnosticsOf(K.KustoCode.ParseAndAnalyze(text, globalsFor(tables, functions)), text).filter((d) => d.severity === "Error");
  });
}

/**
 * The tables a query reads, as the language service resolves its names (so a table named in a
 * string, a comment or a column is not counted, and one reached through `union` or `lookup` is).
 * Tables the database does not declare cannot be resolved: declare every table the queries may read.
 */
export function referencedTables(text: string, tables: TableSchemas, functions: FunctionDeclaration[] = []): string[] {
  return cachedVerdict("tables", [text, tables, functions], () => {
    const K = kusto();
    const code = K.KustoCode.ParseAndAnalyze(text, globalsFor(tables, functions));
    const found = new Set<string>();
    code.Syntax.WalkElements((element: Any) => {
      const symbol = element.ReferencedSymbol;
      if (symbol && symbol instanceof K.Symbols.TableSymbol) found.add(String(symbol.Name));
    });
    return [...found].sort();
  });
}

// A GlobalState caches what it learns about function bodies, so reusing one per schema keeps the
// analysis of many queries against the same functions fast.
const globalsCache = new Map<string, Any>();

function globalsFor(tables: TableSchemas, functions: FunctionDeclaration[]): Any {
  const key = JSON.stringify([tables, functions]);
  let globals = globalsCache.get(key);
  if (!globals) {
    const K = kusto();
    const S = K.Symbols;
    const members: Any[] = [
      ...Object.entries(tables).map(([name, schema]) => new S.TableSymbol.$ctor7(name, schema, null)),
      ...functions.map((f) => new S.FunctionSymbol.$ctor16(f.name, f.parameters, `{\n${f.body}\n}`, null)),
    ];
    globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor("workspace", members));
    globalsCache.set(key, globals);
  }
  return globals;
}

export function describe(diagnostics: KustoDiagnostic[]): string {
  return diagnostics.map((d) => `${d.code} ${d.message} at ${d.start}: ${d.excerpt}`).join("\n");
}
