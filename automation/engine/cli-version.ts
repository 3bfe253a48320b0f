import { PULUMI_INSTALL_HINT } from "./prerequisites.js";

/**
 * The oldest `pulumi` CLI this driver runs against: 3.211.0, the release that gave self-managed
 * ("DIY") backends stack tags (pulumi/pulumi CHANGELOG.md, "## 3.211.0 (2025-12-11)": "[backend/diy]
 * Add stack tags support for DIY backends (S3, Postgres, file-based, etc.)"). The release record,
 * the gate verdicts and the reaper's facts are stack tags, and an older CLI would lose them.
 */
export const MIN_PULUMI_VERSION = "3.211.0";

function parts(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** A one-line problem when `version` is older than MIN_PULUMI_VERSION (or unreadable); undefined when it will do. */
export function checkCliVersion(version: string | undefined, command: string): string | undefined {
  const need = parts(MIN_PULUMI_VERSION)!;
  const have = version === undefined ? undefined : parts(version);
  const upgrade = `this driver needs pulumi ${MIN_PULUMI_VERSION} or later (stack tags on self-managed backends): upgrade it from ${PULUMI_INSTALL_HINT}`;
  if (!have) return `the pulumi CLI at ${command} did not say its version; ${upgrade}`;
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) return `the pulumi CLI at ${command} is version ${have.join(".")}; ${upgrade}`;
  }
  return undefined;
}
