import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import type { OriginSpec } from "./contract.js";
import { originsAndRoute } from "./front-door-origins.js";
import { stampEndpoints, type StampEndpoint } from "./front-door-stamp-endpoints.js";
import { wafPolicy } from "./waf-policy.js";

/**
 * Front Door: the profile, its endpoint, the origin group of the API stamps with Front Door's
 * own health probes, the origins and route (front-door-origins.ts), and the WAF policy attached to
 * the endpoint by a security policy. The security policy protects the endpoint's domain whether
 * or not a route exists yet, so an environment is never reachable without its WAF.
 */

export interface FrontDoorArgs {
  env: Environment;
  origins: readonly OriginSpec[];
  resourceGroupName: pulumi.Input<string>;
  /** Random suffix that makes the endpoint's host name globally unique. */
  suffix: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface FrontDoor {
  profile: cdn.Profile;
  endpoint: cdn.AFDEndpoint;
  originGroup: cdn.AFDOriginGroup;
  origins: Map<string, cdn.AFDOrigin>;
  route?: cdn.Route;
  /** One endpoint per stamp in the origin list, serving only its health contract (front-door-stamp-endpoints.ts). */
  stampEndpoints: StampEndpoint[];
  securityPolicy: cdn.SecurityPolicy;
}

export function frontDoor(args: FrontDoorArgs, parent: pulumi.Resource): FrontDoor {
  const { env } = args;
  const probe = env.originHealthProbe;

  const profile = new cdn.Profile(
    "frontdoor",
    {
      resourceGroupName: args.resourceGroupName,
      profileName: resourceName("frontDoorProfile", { env: env.name }),
      location: "global",
      sku: { name: env.frontDoor.sku },
      originResponseTimeoutSeconds: env.frontDoor.originResponseTimeoutSeconds,
      tags: args.tags,
    },
    { parent },
  );

  const endpoint = new cdn.AFDEndpoint(
    "frontdoor-endpoint",
    {
      resourceGroupName: args.resourceGroupName,
      profileName: profile.name,
      endpointName: pulumi.output(args.suffix).apply((suffix) => resourceName("frontDoorEndpoint", { env: env.name, suffix })),
      location: "global",
      enabledState: "Enabled",
      tags: args.tags,
    },
    { parent },
  );

  const originGroup = new cdn.AFDOriginGroup(
    "frontdoor-origin-group",
    {
      resourceGroupName: args.resourceGroupName,
      profileName: profile.name,
      originGroupName: resourceName("frontDoorOriginGroup", { env: env.name, purpose: "api" }),
      // HEAD keeps probes cheap; the stamp's health endpoint answers HEAD with the same status.
      healthProbeSettings: {
        probePath: probe.path,
        probeProtocol: "Https",
        probeRequestType: "HEAD",
        probeIntervalInSeconds: probe.intervalSeconds,
      },
      // Latency-based routing: weights only split traffic among the healthy origins within
      // additionalLatency of the fastest, so clients are served by the nearest healthy region.
      loadBalancingSettings: {
        sampleSize: probe.sampleSize,
        successfulSamplesRequired: probe.successfulSamplesRequired,
        additionalLatencyInMilliseconds: probe.additionalLatencyMs,
      },
      sessionAffinityState: "Disabled",
    },
    { parent },
  );

  const { origins, route } = originsAndRoute(
    { env, origins: args.origins, resourceGroupName: args.resourceGroupName, profileName: profile.name, originGroup, endpoint },
    parent,
  );

  const perStamp = stampEndpoints(
    { env, origins: args.origins, resourceGroupName: args.resourceGroupName, profileName: profile.name, suffix: args.suffix },
    parent,
  );

  const waf = wafPolicy({ env, resourceGroupName: args.resourceGroupName, tags: args.tags }, parent);
  const securityPolicy = new cdn.SecurityPolicy(
    "frontdoor-security-policy",
    {
      resourceGroupName: args.resourceGroupName,
      profileName: profile.name,
      securityPolicyName: resourceName("frontDoorSecurityPolicy", { env: env.name, purpose: "waf" }),
      parameters: {
        type: "WebApplicationFirewall",
        wafPolicy: { id: waf.id },
        // Every endpoint of the profile, the stamps' too: nothing reaches a stamp around the WAF.
        associations: [{ domains: [{ id: endpoint.id }, ...perStamp.map((s) => ({ id: s.endpoint.id }))], patternsToMatch: ["/*"] }],
      },
    },
    { parent },
  );

  return { profile, endpoint, originGroup, origins, ...(route ? { route } : {}), stampEndpoints: perStamp, securityPolicy };
}
