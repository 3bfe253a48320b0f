import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import type * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import type { Environment } from "../../environments/index.js";
import { resourceName } from "../../environments/naming.js";
import { stampStackName } from "../../environments/stacks.js";
import { ALERT_SEVERITY, SCORE_ALERT_WINDOW, SCORE_EVALUATION_FREQUENCY, scoreAlertCondition } from "./alerts.js";
import { healthFunctionAliases, healthFunctions, type HealthFunctionAliases } from "./queries.js";
import { saveHealthFunctions, type HealthModelWorkspace } from "./saved-functions.js";

/** The workspace the stamp's telemetry lands in, and the stamp. */
export interface StampHealthFunctionsArgs extends HealthModelWorkspace {
  env: Environment;
  /** The stamp's Azure region, e.g. westeurope. */
  region: string;
  release: string;
  /** Azure region of the workspace; defaults to the stamp's region. */
  location?: pulumi.Input<string>;
}

/**
 * One stamp's part of the health model: its component functions and its health score, saved in the
 * workspace the stamp reports to, and an alert when the score falls below the environment's red
 * threshold. Aliases name the stamp (`ContosoHealth_weu_r42_StampScore`), so blue and green (and
 * the environment-wide functions) can share one workspace without clashing.
 */
export class StampHealthFunctions extends pulumi.ComponentResource {
  readonly functionAliases: HealthFunctionAliases;
  readonly savedSearches: operationalinsights.SavedSearch[];
  readonly scoreAlertId: pulumi.Output<string>;

  constructor(name: string, args: StampHealthFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("contoso:health:StampHealthFunctions", name, {}, opts);
    const { env, region, release } = args;
    const scope = { kind: "stamp", region, release } as const;
    const stamp = stampStackName(env.name, region, release);
    const aliases = healthFunctionAliases(scope);
    this.functionAliases = aliases;

    const saved = saveHealthFunctions(healthFunctions(env, scope), args, this);
    this.savedSearches = [...saved.values()];

    const scoreAlert = new monitor.ScheduledQueryRule(
      `${name}-stamp-score`,
      {
        resourceGroupName: args.resourceGroupName,
        ruleName: resourceName("alertRule", { env: env.name, region, release, purpose: "health-score" }),
        displayName: `Health score of stamp ${stamp} below ${env.healthModel.healthScore.red}`,
        description: `Stamp ${stamp}: its weighted component health fell below the red threshold ${env.healthModel.healthScore.red}.`,
        location: args.location ?? region,
        kind: "LogAlert",
        severity: ALERT_SEVERITY,
        enabled: true,
        scopes: [args.workspaceId],
        evaluationFrequency: SCORE_EVALUATION_FREQUENCY,
        windowSize: SCORE_ALERT_WINDOW,
        criteria: { allOf: [scoreAlertCondition(env, aliases.stampScore, ["Stamp"])] },
        autoMitigate: true,
        actions: { actionGroups: [args.actionGroupId], customProperties: { stamp, region, release } },
        tags: args.tags,
      },
      // Azure validates the query when the rule is saved: the function must exist first.
      { parent: this, dependsOn: [saved.get(aliases.stampScore)!] },
    );

    this.scoreAlertId = scoreAlert.id;
    this.registerOutputs({ scoreAlertId: this.scoreAlertId });
  }
}
