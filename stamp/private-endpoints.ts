import * as network from "@pulumi/azure-native/network/index.js";
import * as privatedns from "@pulumi/azure-native/privatedns/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampName, type StampContext } from "./context.js";
import type { StampNetwork } from "./network.js";

/**
 * Private endpoints for the data services, when the environment asks for isolation (their public
 * access is then disabled, so this is the only way in). Each service gets its private DNS zone,
 * linked to the stamp's vnet only (stamps are never peered, so each stamp resolves to its own
 * endpoints), and a zone group so Azure keeps the A records in step with the endpoint's IPs.
 */
export const PRIVATE_LINK_SERVICES = {
  cosmos: { zone: "privatelink.documents.azure.com", groupId: "Sql" },
  kv: { zone: "privatelink.vaultcore.azure.net", groupId: "vault" },
  sb: { zone: "privatelink.servicebus.windows.net", groupId: "namespace" },
  redis: { zone: "privatelink.redis.azure.net", groupId: "redisEnterprise" },
  // The environment's kill-switch storage account (global stack): each stamp reads its switch here.
  blob: { zone: "privatelink.blob.core.windows.net", groupId: "blob" },
} as const;

export type PrivateLinkService = keyof typeof PRIVATE_LINK_SERVICES;

export interface StampPrivateEndpoint {
  service: PrivateLinkService;
  endpoint: network.PrivateEndpoint;
  zone: privatedns.PrivateZone;
  link: privatedns.VirtualNetworkLink;
  zoneGroup: network.PrivateDnsZoneGroup;
}

export function createPrivateEndpoints(
  ctx: StampContext,
  net: StampNetwork,
  targets: Record<PrivateLinkService, pulumi.Input<string>>,
): StampPrivateEndpoint[] {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  return (Object.keys(PRIVATE_LINK_SERVICES) as PrivateLinkService[]).map((service) => {
    const { zone: zoneName, groupId } = PRIVATE_LINK_SERVICES[service];
    const endpointName = stampName(ctx, "privateEndpoint", { purpose: service });

    const zone = new privatedns.PrivateZone(
      `pdns-${service}`,
      { resourceGroupName: ctx.resourceGroupName, location: "global", privateZoneName: zoneName, tags: ctx.tags },
      opts,
    );
    const link = new privatedns.VirtualNetworkLink(
      `pdns-link-${service}`,
      {
        resourceGroupName: ctx.resourceGroupName,
        location: "global",
        privateZoneName: zone.name,
        virtualNetworkLinkName: net.vnet.name,
        virtualNetwork: { id: net.vnet.id },
        registrationEnabled: false,
        tags: ctx.tags,
      },
      opts,
    );
    const endpoint = new network.PrivateEndpoint(
      `pep-${service}`,
      {
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.region,
        privateEndpointName: endpointName,
        customNetworkInterfaceName: `${endpointName}-nic`,
        subnet: { id: net.endpointSubnet.id },
        privateLinkServiceConnections: [{ name: endpointName, privateLinkServiceId: targets[service], groupIds: [groupId] }],
        tags: ctx.tags,
      },
      opts,
    );
    const zoneGroup = new network.PrivateDnsZoneGroup(
      `pdns-group-${service}`,
      {
        resourceGroupName: ctx.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: zoneName.replace(/\./g, "-"), privateDnsZoneId: zone.id }],
      },
      { ...opts, dependsOn: [link] },
    );
    return { service, endpoint, zone, link, zoneGroup };
  });
}
