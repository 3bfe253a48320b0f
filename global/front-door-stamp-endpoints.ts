import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import type { OriginSpec } from "./contract.js";

/**
 * One Front Door endpoint per stamp in the origin list: the way the release gate (and `contoso
 * health`, and operators) reach a stamp's health contract, and the only way, since the web app
 * accepts only this profile's Front Door (stamp/access-restrictions.ts) and the pipeline runner's
 * address is not known in advance.
 *
 * Each stamp endpoint has its own origin group with the stamp as its single origin, always enabled,
 * and one route matching `/health/*` only: it carries no shopper traffic (shoppers use the
 * environment's endpoint, whose origin group holds the weighted origins), and it does not expose
 * the API of a stamp that has not passed its gate. Requests through it come from Front Door's
 * backend addresses with this profile's X-Azure-FDID, so the web app's access restriction allows
 * them legitimately. The WAF's security policy covers these endpoints too (front-door.ts).
 *
 * A green stamp is added to the origin list DISABLED before its gate (the "expose" step of a
 * release): its stamp endpoint appears, it gets no shopper traffic, and the gate probes it there.
 *
 * Health probes are off for these single-origin groups: Front Door routes to the only origin
 * anyway, and probing it would double the probe traffic on the stamp for nothing
 * (learn.microsoft.com/azure/frontdoor/health-probes: "If you have a single origin in your origin
 * group, you can choose to disable health probes").
 */

export interface StampEndpointsArgs {
  env: Environment;
  origins: readonly OriginSpec[];
  resourceGroupName: pulumi.Input<string>;
  profileName: pulumi.Input<string>;
  suffix: pulumi.Input<string>;
}

export interface StampEndpoint {
  stamp: string;
  endpoint: cdn.AFDEndpoint;
  originGroup: cdn.AFDOriginGroup;
  origin: cdn.AFDOrigin;
  route: cdn.Route;
}

/** The path patterns a stamp endpoint forwards: the health contract and nothing else. */
export const STAMP_ENDPOINT_PATTERNS = ["/health/*"];

/** Pulumi logical names, derived from the stamp's stack name so they stay stable while the stamp exists. */
export function stampEndpointLogicalName(stamp: string): string {
  return `stamp-endpoint-${stamp}`;
}

export function stampEndpoints(args: StampEndpointsArgs, parent: pulumi.Resource): StampEndpoint[] {
  const { env } = args;
  return args.origins.map((spec) => {
    const base = stampEndpointLogicalName(spec.stamp);
    const endpoint = new cdn.AFDEndpoint(
      base,
      {
        resourceGroupName: args.resourceGroupName,
        profileName: args.profileName,
        endpointName: pulumi.output(args.suffix).apply((suffix) => resourceName("frontDoorEndpoint", { env: env.name, region: spec.region, release: spec.release, suffix })),
        location: "global",
        enabledState: "Enabled",
      },
      { parent },
    );
    const originGroup = new cdn.AFDOriginGroup(
      `${base}-group`,
      {
        resourceGroupName: args.resourceGroupName,
        profileName: args.profileName,
        originGroupName: resourceName("frontDoorOriginGroup", { env: env.name, purpose: "stamp", region: spec.region, release: spec.release }),
        loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
        sessionAffinityState: "Disabled",
      },
      { parent },
    );
    const origin = new cdn.AFDOrigin(
      `${base}-origin`,
      {
        resourceGroupName: args.resourceGroupName,
        profileName: args.profileName,
        originGroupName: originGroup.name,
        originName: resourceName("frontDoorOrigin", { env: env.name, purpose: "stamp", region: spec.region, release: spec.release }),
        hostName: spec.hostName,
        originHostHeader: spec.hostName,
        httpPort: 80,
        httpsPort: 443,
        priority: 1,
        weight: 1000,
        enabledState: "Enabled",
        enforceCertificateNameCheck: true,
      },
      { parent },
    );
    const route = new cdn.Route(
      `${base}-route`,
      {
        resourceGroupName: args.resourceGroupName,
        profileName: args.profileName,
        endpointName: endpoint.name,
        routeName: resourceName("frontDoorRoute", { env: env.name, purpose: "stamp", region: spec.region, release: spec.release }),
        originGroup: { id: originGroup.id },
        patternsToMatch: STAMP_ENDPOINT_PATTERNS,
        supportedProtocols: ["Https"],
        httpsRedirect: "Disabled",
        forwardingProtocol: "HttpsOnly",
        linkToDefaultDomain: "Enabled",
        enabledState: "Enabled",
      },
      { parent, dependsOn: [origin] },
    );
    return { stamp: spec.stamp, endpoint, originGroup, origin, route };
  });
}
