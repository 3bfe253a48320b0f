import { z } from "zod";

/**
 * What the reaper needs from a global stack's outputs: which stamps Front Door has as origins and
 * which release is live. Parsed leniently (only these fields), but never guessed: outputs that do
 * not say which origins exist make the reaper keep every stamp of that environment.
 */

export interface TrafficOrigin {
  stamp: string;
  enabled: boolean;
  weight: number;
}

export interface Traffic {
  origins: TrafficOrigin[];
  liveRelease: string | null;
}

/** `unreadable`: outputs exist but do not say which origins are deployed. */
export type TrafficView = Traffic | "unreadable";

const trafficSchema = z.object({
  origins: z.array(z.object({ stamp: z.string(), enabled: z.boolean(), weight: z.number() })),
  liveRelease: z.string().nullable().optional(),
});

/** No outputs at all (never deployed, or destroyed): nothing is served. */
export function trafficFromOutputs(outputs: Record<string, unknown> | undefined): TrafficView {
  if (outputs === undefined || Object.keys(outputs).length === 0) return { origins: [], liveRelease: null };
  const parsed = trafficSchema.safeParse(outputs);
  if (!parsed.success) return "unreadable";
  return {
    origins: parsed.data.origins.map((o) => ({ stamp: o.stamp, enabled: o.enabled, weight: o.weight })),
    liveRelease: parsed.data.liveRelease ?? null,
  };
}
