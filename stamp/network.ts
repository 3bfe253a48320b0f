import * as network from "@pulumi/azure-native/network/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's virtual network. Stamps are never peered with each other, so every stamp of an
 * environment reuses the environment's address space. Two subnets:
 * - `apps`: App Service regional VNet integration (delegated to Microsoft.Web/serverFarms). A /24
 *   leaves room for the plan's maximum instances plus the same again during a platform upgrade.
 * - `endpoints`: private endpoints of the data services, behind an NSG that only admits the
 *   integration subnet on the ports the app uses.
 */

/** Ports the app reaches data services on through private endpoints: HTTPS (Cosmos, Key Vault,
 *  Service Bus over AMQP-WebSockets), AMQP (Service Bus) and Azure Managed Redis. */
export const PRIVATE_ENDPOINT_PORTS = ["443", "5671", "5672", "10000"];

export interface StampSubnetPlan {
  integration: string;
  endpoints: string;
}

/** Splits `10.x.y.0/16|20|22` into the two /24 subnets (the schema guarantees the shape). */
export function planSubnets(addressSpace: string): StampSubnetPlan {
  const match = /^10\.(\d{1,3})\.(\d{1,3})\.0\/(16|20|22)$/.exec(addressSpace);
  if (!match) throw new Error(`address space "${addressSpace}" is not a 10.x.y.0/16, /20 or /22 range`);
  const [b, c] = [Number(match[1]), Number(match[2])];
  return { integration: `10.${b}.${c}.0/24`, endpoints: `10.${b}.${c + 1}.0/24` };
}

export interface StampNetwork {
  vnet: network.VirtualNetwork;
  integrationSubnet: network.Subnet;
  endpointSubnet: network.Subnet;
  endpointNsg: network.NetworkSecurityGroup;
}

export function createNetwork(ctx: StampContext): StampNetwork {
  const plan = planSubnets(ctx.env.network.addressSpace);
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };

  const vnet = new network.VirtualNetwork(
    "vnet",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      virtualNetworkName: stampName(ctx, "virtualNetwork"),
      addressSpace: { addressPrefixes: [ctx.env.network.addressSpace] },
      tags: ctx.tags,
    },
    // Subnets are their own resources below; without this the vnet would try to remove them on update.
    { ...opts, ignoreChanges: ["subnets"] },
  );

  const endpointNsg = new network.NetworkSecurityGroup(
    "nsg-endpoints",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      networkSecurityGroupName: stampName(ctx, "networkSecurityGroup", { purpose: "pep" }),
      securityRules: [
        {
          name: "allow-apps-to-endpoints",
          priority: 100,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          sourceAddressPrefix: plan.integration,
          sourcePortRange: "*",
          destinationAddressPrefix: plan.endpoints,
          destinationPortRanges: PRIVATE_ENDPOINT_PORTS,
        },
        {
          name: "deny-other-vnet-inbound",
          priority: 4000,
          direction: "Inbound",
          access: "Deny",
          protocol: "*",
          sourceAddressPrefix: "VirtualNetwork",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "*",
        },
      ],
      tags: ctx.tags,
    },
    opts,
  );

  const integrationSubnet = new network.Subnet(
    "snet-apps",
    {
      resourceGroupName: ctx.resourceGroupName,
      virtualNetworkName: vnet.name,
      subnetName: stampName(ctx, "subnet", { purpose: "apps" }),
      addressPrefix: plan.integration,
      delegations: [{ name: "app-service", serviceName: "Microsoft.Web/serverFarms" }],
    },
    opts,
  );

  const endpointSubnet = new network.Subnet(
    "snet-endpoints",
    {
      resourceGroupName: ctx.resourceGroupName,
      virtualNetworkName: vnet.name,
      subnetName: stampName(ctx, "subnet", { purpose: "pep" }),
      addressPrefix: plan.endpoints,
      networkSecurityGroup: { id: endpointNsg.id },
      // Lets the NSG above apply to private endpoint traffic (it is ignored otherwise).
      privateEndpointNetworkPolicies: "Enabled",
    },
    // Azure rejects concurrent changes to subnets of one vnet ("AnotherOperationInProgress").
    { ...opts, dependsOn: [integrationSubnet] },
  );

  return { vnet, integrationSubnet, endpointSubnet, endpointNsg };
}
