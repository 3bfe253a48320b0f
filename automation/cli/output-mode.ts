/**
 * How a command shows progress: `tty` (parallel stacks side by side, redrawn in place), `plain`
 * (one line per event: CI logs, pipes) or `json` (the result as one JSON document on stdout,
 * progress as plain lines on stderr, so pipelines can parse stdout).
 */
export type OutputMode = "tty" | "plain" | "json";

export function outputMode(options: { json: boolean; isTTY: boolean; env: NodeJS.ProcessEnv }): OutputMode {
  if (options.json) return "json";
  const ci = options.env["CI"];
  if (!options.isTTY || (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0")) return "plain";
  return "tty";
}
