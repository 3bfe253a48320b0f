import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";

/**
 * The environment's container registry: its own per environment, so a dev push can never reach a
 * production pull (the seed's criticism of a shared registry). It lives in the home region and is
 * replicated to every other region, so each stamp pulls its image from its own region and keeps
 * pulling through a home-region outage. Stamps pull with managed identities: no admin user.
 */

export interface RegistryArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  suffix: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface Registry {
  registry: containerregistry.Registry;
  /** Keyed by region. */
  replications: Map<string, containerregistry.Replication>;
}

export function registry(args: RegistryArgs, parent: pulumi.Resource): Registry {
  const { env } = args;
  const [home, ...others] = env.regions;
  const premium = env.registry.sku === "Premium";
  const zoneRedundancy = env.registry.zoneRedundant ? "Enabled" : "Disabled";

  const registry = new containerregistry.Registry(
    "registry",
    {
      resourceGroupName: args.resourceGroupName,
      registryName: pulumi.output(args.suffix).apply((suffix) => resourceName("containerRegistry", { env: env.name, suffix })),
      location: home,
      sku: { name: env.registry.sku },
      adminUserEnabled: false,
      anonymousPullEnabled: false,
      zoneRedundancy,
      // Regional data endpoints let pulls go to the replica's region (Premium only).
      ...(premium ? { dataEndpointEnabled: true } : {}),
      networkRuleBypassOptions: "AzureServices",
      tags: args.tags,
    },
    { parent },
  );

  const replications = new Map<string, containerregistry.Replication>();
  for (const region of others) {
    replications.set(
      region,
      new containerregistry.Replication(
        `registry-replica-${region}`,
        {
          resourceGroupName: args.resourceGroupName,
          registryName: registry.name,
          // Replication names are alphanumeric; the region name is, and says what it is.
          replicationName: region,
          location: region,
          zoneRedundancy,
          regionEndpointEnabled: true,
          tags: args.tags,
        },
        { parent },
      ),
    );
  }
  return { registry, replications };
}
