import Table from "cli-table3";

/**
 * The one table layout of the CLI (stacks, environments, origins, stamps, health, reaper): plain
 * columns with no borders, so logs stay grep-able, laid out by cli-table3. On a terminal the table
 * is fitted to its width: the widest columns give up room first and their cells wrap, so a long
 * stack name never pushes the next column out of line. Without a width (a pipe, a file) nothing wraps.
 */
export interface TableOptions {
  /** Columns available (a terminal's width); undefined: as wide as the content. */
  width?: number | undefined;
}

const GAP = 2;
/** No column is squeezed below this (or its header's length, whichever is smaller). */
const MIN_COLUMN = 8;

export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => escapeControl(r[i] ?? "")));
  const natural = headers.map((_, i) => Math.max(...cells.map((r) => longestLine(r[i]!))));
  const widths = options.width === undefined ? natural : fit(natural, headers, options.width);
  const table = new Table({
    head: cells[0],
    // The gap is each cell's right padding, so a cell wraps at its column's width and never touches the next.
    colWidths: widths.map((w) => w + GAP),
    wordWrap: true,
    wrapOnWordBoundary: false,
    chars: {
      top: "", "top-mid": "", "top-left": "", "top-right": "",
      bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
      left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": GAP, compact: true },
  });
  table.push(...cells.slice(1));
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Shrinks the widest columns until the row (with gaps) fits `width`. */
function fit(natural: number[], headers: string[], width: number): number[] {
  const widths = [...natural];
  const floor = natural.map((w, i) => Math.min(w, Math.max(MIN_COLUMN, headers[i]!.length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > floor[i]! && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break; // every column at its floor: let the terminal wrap
    widths[widest]! -= 1;
  }
  return widths;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split("\n").map((l) => l.length));
}

/** Text from stacks and users is shown with control characters escaped (no terminal escapes, no forged lines). */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
