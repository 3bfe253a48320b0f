import { formatDuration } from "../../environments/duration.js";
import { renderTable } from "../text/table.js";
import type { ReapReport } from "./reap.js";

/** The reaper's report as a table: what was found, what was done, and why each stack was kept or removed. */

const RESULT_LABEL: Record<string, string> = {
  destroyed: "destroyed",
  failed: "FAILED",
  skipped: "skipped",
  kept: "kept",
  "would-destroy": "would destroy",
};

export function reapTable(report: ReapReport, width?: number): string {
  const header = `reap at ${report.now}${report.dryRun ? " (dry run: nothing changed)" : ""}, grace ${formatDuration(report.graceMs)}${report.env ? `, environment ${report.env}` : ""}`;
  if (report.stacks.length === 0) return `${header}\nno stacks found`;
  const rows = report.stacks.map((s) => [s.stack, s.env ?? "?", s.kind, RESULT_LABEL[s.result] ?? s.result, s.detail ? `${s.reason}; ${s.detail}` : s.reason]);
  return [header, renderTable(["STACK", "ENV", "KIND", "RESULT", "WHY"], rows, { width }), summaryLine(report)].join("\n");
}

export function summaryLine(report: ReapReport): string {
  const s = report.summary;
  const parts = [`${s.found} found`];
  if (report.dryRun) parts.push(`${s.wouldDestroy} would be destroyed`);
  else parts.push(`${s.destroyed} destroyed`);
  parts.push(`${s.kept} kept`);
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  return parts.join(", ");
}
