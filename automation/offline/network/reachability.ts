import { BlockList, isIP } from "node:net";
import type { PlannedResource } from "../../engine/port.js";
import { parseArmId, vnetKey, vnetKeyOf } from "./arm-id.js";

/**
 * Network reachability of data planes in the offline world: who may call a storage account, Key
 * Vault, Cosmos DB account or Service Bus namespace, derived only from the inputs the stacks
 * recorded (type, name, inputs), the way Azure decides it:
 *
 * 1. A caller inside a virtual network that has an approved private endpoint to the resource
 *    reaches it, whatever its public network settings: traffic over a private endpoint is not
 *    subject to the public endpoint's firewall ("You don't need a firewall rule to allow traffic
 *    from a VNet that has a private endpoint", learn.microsoft.com/azure/storage/common/storage-private-endpoints;
 *    the same holds for Key Vault, learn.microsoft.com/azure/key-vault/general/private-link-service,
 *    and Cosmos DB, learn.microsoft.com/azure/cosmos-db/how-to-configure-private-endpoints).
 *    Only automatically approved connections (`privateLinkServiceConnections`) count; a manual one
 *    stays Pending until the resource's owner approves it.
 * 2. Otherwise the call comes in over the public endpoint. `publicNetworkAccess: Disabled` refuses
 *    every such call (learn.microsoft.com/azure/storage/common/storage-network-security?tabs=azure-portal#change-the-default-network-access-rule:
 *    "Disabled: block all traffic ... except through private endpoints").
 * 3. With public access enabled, the firewall decides: default action Allow lets every address in;
 *    Deny lets in only an address in the IP rules or a subnet in the virtual-network rules
 *    (learn.microsoft.com/azure/storage/common/storage-network-security). Cosmos DB has no default
 *    action: its firewall is on once it has IP rules or the virtual-network filter is enabled
 *    (learn.microsoft.com/azure/cosmos-db/how-to-configure-firewall).
 *
 * These rules are for the DATA plane only. Management-plane calls (Azure Resource Manager,
 * management.azure.com) are never subject to a resource's network rules: "Azure Storage firewall
 * rules only apply to data plane operations. Control plane operations aren't subject to the
 * restrictions specified in firewall rules" (learn.microsoft.com/azure/storage/common/storage-network-security-limitations).
 *
 * What Azure answers when it refuses (the wording the offline world repeats):
 * - Storage: 403 `AuthorizationFailure`, "This request is not authorized to perform this operation."
 *   (the error Storage Explorer and the SDKs show for a firewall refusal, e.g. github.com/microsoft/AzureStorageExplorer/issues/8504).
 * - Key Vault: 403 `ForbiddenByFirewall`, "Client address is not authorized and caller is not a trusted service."
 *   (learn.microsoft.com/azure/key-vault/general/network-security, troubleshooting).
 * - Cosmos DB: 403, "Request originated from IP <ip> through public internet. This is blocked by your
 *   Cosmos DB account firewall settings." (learn.microsoft.com/azure/cosmos-db/how-to-configure-firewall#troubleshoot-issues-with-an-ip-access-control-policy).
 */

/** Where a call comes from: the internet (the machine running `contoso`, a pipeline runner), or a virtual network. */
export type NetworkCaller =
  | { from: "internet"; address: string }
  /** `vnet` is `<resource group>/<vnet name>` (arm-id.ts vnetKey). */
  | { from: "vnet"; vnet: string };

export type DataPlaneKind = "storage" | "keyvault" | "cosmos" | "servicebus";

export interface DataPlaneSettings {
  kind: DataPlaneKind;
  name: string;
  resourceGroup: string;
  publicNetworkAccess: "Enabled" | "Disabled";
  /** The public endpoint's firewall when nothing else matches. */
  defaultAction: "Allow" | "Deny";
  /** Addresses or CIDRs allowed through the public endpoint's firewall. */
  ipRules: string[];
  /** Virtual networks (vnet keys) with a subnet in a virtual-network rule (service endpoint). */
  vnetRules: string[];
  /** Virtual networks (vnet keys) with an approved private endpoint to this resource. */
  privateEndpointVnets: string[];
}

export type Reachability =
  | { allowed: true; via: "private-endpoint" | "public-endpoint" }
  | { allowed: false; status: 403; code: string; message: string };

const RESOURCE_TYPES: Record<string, { kind: DataPlaneKind; armType: string; nameInput: string }> = {
  "azure-native:storage:StorageAccount": { kind: "storage", armType: "microsoft.storage/storageaccounts", nameInput: "accountName" },
  "azure-native:keyvault:Vault": { kind: "keyvault", armType: "microsoft.keyvault/vaults", nameInput: "vaultName" },
  "azure-native:documentdb:DatabaseAccount": { kind: "cosmos", armType: "microsoft.documentdb/databaseaccounts", nameInput: "accountName" },
  "azure-native:servicebus:Namespace": { kind: "servicebus", armType: "microsoft.servicebus/namespaces", nameInput: "namespaceName" },
};

/** Every data plane and private endpoint of the offline subscription, from the stacks' recorded resources. */
export class NetworkModel {
  private readonly planes = new Map<string, DataPlaneSettings>();

  constructor(stacks: ReadonlyArray<{ resources: readonly PlannedResource[] }>) {
    const resources = stacks.flatMap((s) => s.resources);
    for (const r of resources) {
      const spec = RESOURCE_TYPES[r.type];
      const name = spec ? r.inputs[spec.nameInput] : undefined;
      if (!spec || typeof name !== "string") continue;
      this.planes.set(`${spec.armType}/${name.toLowerCase()}`, settingsOf(spec.kind, name, r.inputs));
    }
    // A subnet ID names its vnet (`.../virtualNetworks/<vnet>/subnets/<subnet>`); when an ID does
    // not (an engine that shortens child IDs), the recorded Subnet resource says which vnet holds it.
    const subnets = new Map<string, string>();
    for (const r of resources) {
      if (r.type !== "azure-native:network:Subnet") continue;
      const { subnetName, virtualNetworkName, resourceGroupName } = r.inputs as Record<string, unknown>;
      if (typeof subnetName === "string" && typeof virtualNetworkName === "string" && typeof resourceGroupName === "string") {
        subnets.set(`${resourceGroupName}/${subnetName}`.toLowerCase(), vnetKey(resourceGroupName, virtualNetworkName));
      }
    }
    const vnetOfSubnet = (id: unknown): string | undefined => {
      const direct = vnetKeyOf(id);
      if (direct || typeof id !== "string") return direct;
      const m = /\/resourcegroups\/([^/]+)\/.*\/([^/]+)$/i.exec(id);
      return m ? subnets.get(`${m[1]}/${m[2]}`.toLowerCase()) : undefined;
    };
    for (const r of resources) {
      if (r.type !== "azure-native:network:PrivateEndpoint") continue;
      const vnet = vnetOfSubnet((r.inputs["subnet"] as { id?: unknown } | undefined)?.id);
      const connections = r.inputs["privateLinkServiceConnections"];
      if (!vnet || !Array.isArray(connections)) continue;
      for (const c of connections as Array<{ privateLinkServiceId?: unknown }>) {
        const target = parseArmId(c.privateLinkServiceId);
        const plane = target ? this.planes.get(`${target.type}/${target.name}`) : undefined;
        if (plane && !plane.privateEndpointVnets.includes(vnet)) plane.privateEndpointVnets.push(vnet);
      }
    }
  }

  /** The settings of one data plane, by kind and Azure name; undefined when no stack deployed it. */
  find(kind: DataPlaneKind, name: string): DataPlaneSettings | undefined {
    return [...this.planes.values()].find((p) => p.kind === kind && p.name.toLowerCase() === name.toLowerCase());
  }

  /** Whether `caller` reaches the data plane of `kind`/`name`; a resource no stack deployed is not found (DNS). */
  reach(kind: DataPlaneKind, name: string, caller: NetworkCaller): Reachability | { allowed: false; status: 404; code: "NotFound"; message: string } {
    const plane = this.find(kind, name);
    if (!plane) return { allowed: false, status: 404, code: "NotFound", message: `no ${kind} resource named ${name} exists in the offline subscription` };
    return reach(plane, caller);
  }
}

function settingsOf(kind: DataPlaneKind, name: string, inputs: Record<string, unknown>): DataPlaneSettings {
  const resourceGroup = String(inputs["resourceGroupName"] ?? "").toLowerCase();
  const base = { kind, name, resourceGroup, privateEndpointVnets: [] as string[] };
  const publicAccess = (value: unknown): "Enabled" | "Disabled" => (value === "Disabled" ? "Disabled" : "Enabled");
  switch (kind) {
    case "storage": {
      const rules = (inputs["networkRuleSet"] ?? {}) as { defaultAction?: unknown; ipRules?: Array<{ iPAddressOrRange?: unknown }>; virtualNetworkRules?: Array<{ virtualNetworkResourceId?: unknown }> };
      return {
        ...base,
        publicNetworkAccess: publicAccess(inputs["publicNetworkAccess"]),
        defaultAction: rules.defaultAction === "Deny" ? "Deny" : "Allow",
        ipRules: strings((rules.ipRules ?? []).map((r) => r.iPAddressOrRange)),
        vnetRules: strings((rules.virtualNetworkRules ?? []).map((r) => vnetKeyOf(r.virtualNetworkResourceId))),
      };
    }
    case "keyvault": {
      const props = (inputs["properties"] ?? {}) as { publicNetworkAccess?: unknown; networkAcls?: { defaultAction?: unknown; ipRules?: Array<{ value?: unknown }>; virtualNetworkRules?: Array<{ id?: unknown }> } };
      const acls = props.networkAcls ?? {};
      return {
        ...base,
        publicNetworkAccess: publicAccess(props.publicNetworkAccess),
        defaultAction: acls.defaultAction === "Deny" ? "Deny" : "Allow",
        ipRules: strings((acls.ipRules ?? []).map((r) => r.value)),
        vnetRules: strings((acls.virtualNetworkRules ?? []).map((r) => vnetKeyOf(r.id))),
      };
    }
    case "cosmos": {
      const ipRules = strings(((inputs["ipRules"] ?? []) as Array<{ ipAddressOrRange?: unknown }>).map((r) => r.ipAddressOrRange));
      const vnetFilter = inputs["isVirtualNetworkFilterEnabled"] === true;
      return {
        ...base,
        publicNetworkAccess: publicAccess(inputs["publicNetworkAccess"]),
        defaultAction: ipRules.length > 0 || vnetFilter ? "Deny" : "Allow",
        ipRules,
        vnetRules: strings(((inputs["virtualNetworkRules"] ?? []) as Array<{ id?: unknown }>).map((r) => vnetKeyOf(r.id))),
      };
    }
    case "servicebus":
      // Service Bus network rule sets are a separate resource; the namespace's own switch is publicNetworkAccess.
      return { ...base, publicNetworkAccess: publicAccess(inputs["publicNetworkAccess"]), defaultAction: "Allow", ipRules: [], vnetRules: [] };
  }
}

function strings(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === "string" && v !== "");
}

/** Azure's decision for one call (the rules at the top of this file). */
export function reach(plane: DataPlaneSettings, caller: NetworkCaller): Reachability {
  if (caller.from === "vnet" && plane.privateEndpointVnets.includes(caller.vnet.toLowerCase())) return { allowed: true, via: "private-endpoint" };
  if (plane.publicNetworkAccess === "Disabled") return refusal(plane, caller, "public network access is disabled");
  if (plane.defaultAction === "Allow") return { allowed: true, via: "public-endpoint" };
  if (caller.from === "vnet" && plane.vnetRules.includes(caller.vnet.toLowerCase())) return { allowed: true, via: "public-endpoint" };
  if (caller.from === "internet" && addressMatches(caller.address, plane.ipRules)) return { allowed: true, via: "public-endpoint" };
  return refusal(plane, caller, "the firewall denies by default and no rule allows the caller");
}

/** True when `address` is one of `rules` (an address or a CIDR), IPv4 or IPv6. */
export function addressMatches(address: string, rules: readonly string[]): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const rule of rules) {
    const [ip, bits] = rule.split("/");
    const ruleFamily = isIP(ip ?? "");
    if (ruleFamily === 0) continue;
    const type = ruleFamily === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(ip!, type);
    else list.addSubnet(ip!, Number(bits), type);
  }
  return list.check(address, family === 6 ? "ipv6" : "ipv4");
}

function refusal(plane: DataPlaneSettings, caller: NetworkCaller, why: string): Reachability {
  const who = caller.from === "internet" ? `address ${caller.address}` : `virtual network ${caller.vnet}`;
  const tail = ` (offline network model: ${plane.kind} ${plane.name}: ${why}; caller: ${who})`;
  switch (plane.kind) {
    case "storage":
      return { allowed: false, status: 403, code: "AuthorizationFailure", message: `This request is not authorized to perform this operation.${tail}` };
    case "keyvault":
      return { allowed: false, status: 403, code: "ForbiddenByFirewall", message: `Client address is not authorized and caller is not a trusted service.${tail}` };
    case "cosmos":
      return {
        allowed: false,
        status: 403,
        code: "Forbidden",
        message: `Request originated from ${caller.from === "internet" ? `IP ${caller.address}` : `virtual network ${caller.vnet}`} through public internet. This is blocked by your Cosmos DB account firewall settings.${tail}`,
      };
    case "servicebus":
      return { allowed: false, status: 403, code: "Forbidden", message: `Public network access is disabled for this namespace.${tail}` };
  }
}

/** The virtual network (vnet key) a stamp's web app sends its outbound calls into: its VNet integration. */
export function stampVnetOf(resources: readonly PlannedResource[]): string | undefined {
  const vnet = resources.find((r) => r.type === "azure-native:network:VirtualNetwork");
  const name = vnet?.inputs["virtualNetworkName"];
  const rg = vnet?.inputs["resourceGroupName"];
  return typeof name === "string" && typeof rg === "string" ? vnetKey(rg, name) : undefined;
}
