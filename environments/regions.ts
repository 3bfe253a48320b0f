/**
 * The Azure regions an environment may use, with the short code that goes into stack and resource
 * names, and whether the region has availability zones (zone redundancy needs them).
 * Short codes follow the common CAF convention; they must be unique and free of '-' because
 * stamp stack names (`<env>-<short>-<release>`) are parsed from the right.
 */
export interface RegionInfo {
  readonly name: string;
  readonly short: string;
  readonly displayName: string;
  readonly availabilityZones: boolean;
}

const REGIONS: readonly RegionInfo[] = [
  { name: "westeurope", short: "weu", displayName: "West Europe", availabilityZones: true },
  { name: "northeurope", short: "neu", displayName: "North Europe", availabilityZones: true },
  { name: "swedencentral", short: "sdc", displayName: "Sweden Central", availabilityZones: true },
  { name: "germanywestcentral", short: "gwc", displayName: "Germany West Central", availabilityZones: true },
  { name: "francecentral", short: "frc", displayName: "France Central", availabilityZones: true },
  { name: "uksouth", short: "uks", displayName: "UK South", availabilityZones: true },
  { name: "ukwest", short: "ukw", displayName: "UK West", availabilityZones: false },
  { name: "eastus", short: "eus", displayName: "East US", availabilityZones: true },
  { name: "eastus2", short: "eus2", displayName: "East US 2", availabilityZones: true },
  { name: "centralus", short: "cus", displayName: "Central US", availabilityZones: true },
  { name: "westus2", short: "wus2", displayName: "West US 2", availabilityZones: true },
  { name: "westus3", short: "wus3", displayName: "West US 3", availabilityZones: true },
  { name: "southeastasia", short: "sea", displayName: "Southeast Asia", availabilityZones: true },
  { name: "australiaeast", short: "aue", displayName: "Australia East", availabilityZones: true },
  { name: "japaneast", short: "jpe", displayName: "Japan East", availabilityZones: true },
];

const BY_NAME = new Map(REGIONS.map((r) => [r.name, r]));
const BY_SHORT = new Map(REGIONS.map((r) => [r.short, r]));

export function knownRegions(): readonly RegionInfo[] {
  return REGIONS;
}

export function findRegion(nameOrShort: string): RegionInfo | undefined {
  const key = nameOrShort.trim().toLowerCase();
  return BY_NAME.get(key) ?? BY_SHORT.get(key);
}

export function regionShort(name: string): string {
  const region = BY_NAME.get(name);
  if (!region) throw new Error(`unknown Azure region "${name}"`);
  return region.short;
}

/** A hint for error messages: the closest few known names. */
export function suggestRegions(input: string): string {
  const lower = input.toLowerCase();
  const close = REGIONS.filter((r) => r.name.includes(lower.slice(0, 4)) || r.short === lower.slice(0, 3));
  return (close.length > 0 ? close : REGIONS.slice(0, 4)).map((r) => r.name).join(", ");
}
