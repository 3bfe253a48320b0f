import * as pulumi from "@pulumi/pulumi";
import * as frontdoor from "@pulumi/azure-native/frontdoor/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";

/**
 * The Front Door WAF policy. Microsoft's managed rule sets (the default rule set against OWASP
 * attacks, and the bot manager) exist only on the Premium tier: a Standard profile (dev) gets the
 * same Prevention mode and rate limit, without managed rules, instead of a policy Azure refuses.
 */

/** Versions of the managed rule sets; DRS 2.x scores anomalies, so its action must be Block. */
export const MANAGED_RULE_SETS = [
  { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" },
  { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
] as const;

export const RATE_LIMIT_RULE_NAME = "ratelimitperclient";

export interface WafPolicyArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  tags: Record<string, string>;
}

export function wafPolicy(args: WafPolicyArgs, parent: pulumi.Resource): frontdoor.Policy {
  const { env } = args;
  const premium = env.frontDoor.sku === "Premium_AzureFrontDoor";
  return new frontdoor.Policy(
    "waf",
    {
      resourceGroupName: args.resourceGroupName,
      policyName: resourceName("wafPolicy", { env: env.name }),
      location: "Global",
      // The WAF tier must match the profile's tier, or the security policy cannot attach it.
      sku: { name: env.frontDoor.sku },
      policySettings: {
        enabledState: "Enabled",
        mode: env.frontDoor.wafMode,
        requestBodyCheck: "Enabled",
        customBlockResponseStatusCode: 403,
      },
      customRules: {
        rules: [
          {
            // One client (socket address) may send at most rateLimitPerMinute requests a minute;
            // the IP match covers every IPv4 and IPv6 address, so the rule applies to all traffic.
            name: RATE_LIMIT_RULE_NAME,
            priority: 100,
            enabledState: "Enabled",
            ruleType: "RateLimitRule",
            rateLimitDurationInMinutes: 1,
            rateLimitThreshold: env.frontDoor.rateLimitPerMinute,
            groupBy: [{ variableName: "SocketAddr" }],
            matchConditions: [{ matchVariable: "RemoteAddr", operator: "IPMatch", matchValue: ["0.0.0.0/0", "::/0"] }],
            action: "Block",
          },
        ],
      },
      managedRules: { managedRuleSets: premium ? MANAGED_RULE_SETS.map((set) => ({ ...set })) : [] },
      tags: args.tags,
    },
    { parent },
  );
}
