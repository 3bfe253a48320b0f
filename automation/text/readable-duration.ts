import prettyMilliseconds from "pretty-ms";

// Kept out of environments/duration.ts: that module is part of the shop API's image (the health
// service reads its durations), and the image carries production dependencies only, not the CLI's.

/**
 * A duration for people reading a table or a message, to the two largest units: "6d 23h", "1h 30m",
 * "45s" (pretty-ms). Not meant to be typed back: use formatDuration for values a flag accepts.
 */
export function readableDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return prettyMilliseconds(ms, { unitCount: 2, secondsDecimalDigits: 0 });
}
