// Loaded with `--import` before the measured command: at exit, writes the process's resource usage
// (peak resident memory, CPU) to CONTOSO_BENCH_USAGE_FILE, so the benchmark needs no external tool.
import { writeFileSync } from "node:fs";

const file = process.env.CONTOSO_BENCH_USAGE_FILE;
process.on("exit", () => {
  if (!file) return;
  const usage = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, userCpuUs: usage.userCPUTime, systemCpuUs: usage.systemCPUTime }));
});
