import { NAME_RULES, WORKLOAD } from "../../environments/naming.js";
import { findRegion, type RegionInfo } from "../../environments/regions.js";

/**
 * How the health model tells, from a log row, which stamp it is about. Logs carry no resource tags,
 * so the model reads the stamp from names the project already gives:
 * - stamp resources live in the stamp's resource group, `rg-shoes-<env>-<region-short>-<release>`
 *   (`resourceName("resourceGroup", {env, region, release})`), visible in every row's `_ResourceId`;
 * - Front Door origins are named after their stamp, ending in `-<region-short>-<release>`;
 * - Cosmos DB is shared by a whole region, so its rows carry the region's display name.
 * A stamp is then named like its stack, `<env>-<region-short>-<release>`, so an operator can go from
 * a red light to the stack (and to `contoso health`) without translation.
 */

/** The `let` that every function starts with: the environment's regions, by short code and display name. */
export function regionTableLet(regions: readonly RegionInfo[]): string {
  const rows = regions.map((r) => `"${r.short}", "${r.name}", "${r.displayName}"`).join(",\n    ");
  return `let envRegions = datatable(RegionShort: string, Region: string, RegionDisplayName: string) [\n    ${rows}\n];`;
}

export function regionsOf(names: readonly string[]): RegionInfo[] {
  return names.map((name) => {
    const region = findRegion(name);
    if (!region) throw new Error(`unknown Azure region "${name}"`);
    return region;
  });
}

/** RE2 pattern of a stamp resource group of this environment; group 1 is the region short code, group 2 the release. */
export function stampResourceGroupPattern(envName: string): string {
  const abbr = NAME_RULES.resourceGroup.abbr;
  // The workload is optional because naming drops it when a name would be too long.
  return `^${abbr}-(?:${WORKLOAD}-)?${escapeRegex(envName)}-([a-z0-9]+)-([a-z][a-z0-9]*)$`;
}

/** KQL lines that add Region, RegionShort, Release and Stamp from a resource id column, keeping only this environment's stamps. */
export function stampFromResourceId(envName: string, column = "_ResourceId"): string {
  const pattern = stampResourceGroupPattern(envName);
  return [
    `| extend StampGroup = tolower(extract(@"(?i)/resourcegroups/([^/]+)", 1, tostring(${column})))`,
    `| extend RegionShort = extract(@"${pattern}", 1, StampGroup), Release = extract(@"${pattern}", 2, StampGroup)`,
    `| lookup kind=inner envRegions on RegionShort`,
    `| extend Stamp = strcat("${envName}-", RegionShort, "-", Release)`,
  ].join("\n");
}

/** KQL lines that add Region, RegionShort, Release and Stamp from a Front Door origin name. */
export function stampFromOriginName(envName: string, column: string): string {
  const tail = "([a-z0-9]+)-([a-z][a-z0-9]*)$";
  return [
    `| extend OriginName = tolower(tostring(${column}))`,
    `| extend RegionShort = extract(@"${tail}", 1, OriginName), Release = extract(@"${tail}", 2, OriginName)`,
    `| lookup kind=inner envRegions on RegionShort`,
    `| extend Stamp = strcat("${envName}-", RegionShort, "-", Release)`,
  ].join("\n");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
