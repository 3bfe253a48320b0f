import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import type { OriginSpec } from "./contract.js";

/**
 * The origins (one per stamp) and the route that sends customers to them, ordered around what
 * Front Door refuses:
 * - a route needs an origin group with an enabled origin, so the route exists only while the list
 *   has origins (the list is validated to have an enabled one then) and depends on every origin:
 *   it is created after them, and deleted before the last of them when the list becomes empty;
 * - the group must never be left without an enabled origin during a switch, so origins that are
 *   being disabled depend on the enabled ones: Pulumi creates or enables the new serving set first,
 *   then disables the old one, and deletes removed origins only after both.
 * Each origin's logical name is derived from its stamp's stack name, so a new weight or enabled
 * state is an in-place update, and dropping a stamp from the list deletes exactly its origin.
 */

export interface OriginsAndRouteArgs {
  env: Environment;
  origins: readonly OriginSpec[];
  resourceGroupName: pulumi.Input<string>;
  profileName: pulumi.Input<string>;
  originGroup: cdn.AFDOriginGroup;
  endpoint: cdn.AFDEndpoint;
}

export interface OriginsAndRoute {
  /** Keyed by stamp stack name. */
  origins: Map<string, cdn.AFDOrigin>;
  /** Absent while the environment has no stamps. */
  route?: cdn.Route;
}

/** The Pulumi logical name of a stamp's origin: stable for as long as the stamp exists. */
export function originLogicalName(stamp: string): string {
  return `origin-${stamp}`;
}

export const ROUTE_LOGICAL_NAME = "route-api";

export function originsAndRoute(args: OriginsAndRouteArgs, parent: pulumi.Resource): OriginsAndRoute {
  const { env } = args;
  const makeOrigin = (spec: OriginSpec, dependsOn: pulumi.Resource[]) =>
    new cdn.AFDOrigin(
      originLogicalName(spec.stamp),
      {
        resourceGroupName: args.resourceGroupName,
        profileName: args.profileName,
        originGroupName: args.originGroup.name,
        originName: resourceName("frontDoorOrigin", { env: env.name, region: spec.region, release: spec.release }),
        hostName: spec.hostName,
        // App Service routes by host header; the stamp's own host name is the one it answers to.
        originHostHeader: spec.hostName,
        httpPort: 80,
        httpsPort: 443,
        priority: spec.priority,
        weight: spec.weight,
        enabledState: spec.enabled ? "Enabled" : "Disabled",
        enforceCertificateNameCheck: true,
      },
      { parent, dependsOn },
    );

  const origins = new Map<string, cdn.AFDOrigin>();
  const enabled: cdn.AFDOrigin[] = [];
  for (const spec of args.origins.filter((o) => o.enabled)) {
    const origin = makeOrigin(spec, []);
    origins.set(spec.stamp, origin);
    enabled.push(origin);
  }
  for (const spec of args.origins.filter((o) => !o.enabled)) origins.set(spec.stamp, makeOrigin(spec, enabled));

  if (enabled.length === 0) return { origins };

  const route = new cdn.Route(
    ROUTE_LOGICAL_NAME,
    {
      resourceGroupName: args.resourceGroupName,
      profileName: args.profileName,
      endpointName: args.endpoint.name,
      routeName: resourceName("frontDoorRoute", { env: env.name, purpose: "api" }),
      originGroup: { id: args.originGroup.id },
      patternsToMatch: ["/*"],
      // HTTP is accepted only to be redirected; Front Door talks to the stamps over HTTPS only.
      supportedProtocols: ["Http", "Https"],
      httpsRedirect: "Enabled",
      forwardingProtocol: "HttpsOnly",
      linkToDefaultDomain: "Enabled",
      enabledState: "Enabled",
    },
    { parent, dependsOn: [...origins.values()] },
  );
  return { origins, route };
}
