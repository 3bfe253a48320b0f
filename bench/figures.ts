/**
 * The benchmark's figures: each a value with its target (issue 9's, or a budget the benchmark sets
 * where the issue names none, or none at all for what is only reported), and the table they print as.
 */

export type Unit = "ratio" | "ms" | "MB";

export interface Target {
  /** The value must be at most this. */
  max: number;
  /** Where the target comes from. */
  source: "issue 9" | "issue 17" | "bench budget";
}

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: Unit;
  target: Target | null;
  /** null: reported only, no target. */
  pass: boolean | null;
  /** What was divided by what, in the units measured. */
  detail: string;
}

export function figure(id: string, label: string, value: number, unit: Unit, target: Target | null, detail: string): Figure {
  return { id, label, value, unit, target, pass: target === null ? null : value <= target.max, detail };
}

export function ratio(numerator: number, denominator: number): number {
  if (!(denominator > 0)) throw new RangeError(`cannot divide by ${denominator}`);
  return numerator / denominator;
}

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case "ratio":
      return value.toFixed(3);
    case "ms":
      return `${Math.round(value)} ms`;
    case "MB":
      return `${Math.round(value)} MB`;
  }
}

function formatTarget(f: Figure): string {
  if (!f.target) return "(report)";
  const limit = formatValue(f.target.max, f.unit);
  return f.target.source === "bench budget" ? `<= ${limit} (budget)` : `<= ${limit}`;
}

function verdict(f: Figure): string {
  return f.pass === null ? "-" : f.pass ? "PASS" : "FAIL";
}

/** A plain-text table (fits a CI log), one row per figure. */
export function formatTable(figures: Figure[]): string {
  const rows = [["Figure", "Value", "Target", "Result"], ...figures.map((f) => [f.label, formatValue(f.value, f.unit), formatTarget(f), verdict(f)])];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: string[]) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n");
}
