/**
 * Fault injection for the offline engine and the offline stamps (DESIGN.md, "Engines"): an engine
 * operation fails, a stamp turns unhealthy, the process dies mid-release. A plan is read from
 * `<stateDir>/faults.json` (so a test or an operator can change it while a release runs) and from
 * the CONTOSO_OFFLINE_FAULTS environment variable (JSON), which wins.
 */
export interface OperationFault {
  /** Stack name, or a prefix ending in `*` (e.g. `prod-*-r43`: `*` matches any run of characters). */
  stack: string;
  operation: "up" | "preview" | "destroy" | "remove";
  /** Fail this many times, then succeed (omitted: always fail). Counted in the state folder. */
  times?: number;
  message?: string;
}

export interface StampFault {
  /** Stamp stack name or pattern with `*`. */
  stack: string;
  /** Which dependency check fails (default `cosmos`). */
  component?: string;
  status?: "Unhealthy" | "Degraded";
  /** Healthy for this long after the stamp's first probe, then failing (a stamp that breaks during bake). */
  afterMs?: number;
}

export interface CrashFault {
  /** Driver checkpoint name (e.g. `after:deploy-green`, `before:shift-weights`); the process kills itself there. */
  at: string;
  /** Which occurrence of that checkpoint (1-based, default 1). */
  occurrence?: number;
}

export interface FaultPlan {
  operations?: OperationFault[];
  stamps?: StampFault[];
  crash?: CrashFault;
}

export function matchesPattern(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(name);
}
