import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";

/**
 * The environment's global Log Analytics workspace (Front Door, Cosmos and registry logs land
 * here; stamps' Application Insights are workspace-based on it too, so one query sees the whole
 * environment) and the action group every alert of the environment notifies.
 */

export interface MonitoringArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface Monitoring {
  workspace: operationalinsights.Workspace;
  actionGroup: monitor.ActionGroup;
}

/** Azure shows an action group's short name in e-mails and SMS; it may have at most 12 characters. */
export function actionGroupShortName(envName: string): string {
  return `shoes-${envName}`.slice(0, 12).replace(/-+$/, "");
}

export function monitoring(args: MonitoringArgs, parent: pulumi.Resource): Monitoring {
  const { env } = args;
  const workspace = new operationalinsights.Workspace(
    "log-analytics",
    {
      resourceGroupName: args.resourceGroupName,
      workspaceName: resourceName("logAnalytics", { env: env.name, purpose: "global" }),
      location: env.regions[0],
      sku: { name: "PerGB2018" },
      retentionInDays: env.monitoring.logRetentionDays,
      features: { enableLogAccessUsingOnlyResourcePermissions: true },
      tags: args.tags,
    },
    { parent },
  );

  const actionGroup = new monitor.ActionGroup(
    "action-group",
    {
      resourceGroupName: args.resourceGroupName,
      actionGroupName: resourceName("actionGroup", { env: env.name, purpose: "oncall" }),
      location: "Global",
      groupShortName: actionGroupShortName(env.name),
      enabled: true,
      emailReceivers: env.monitoring.alertEmails.map((emailAddress, i) => ({
        name: `email-${i + 1}`,
        emailAddress,
        useCommonAlertSchema: true,
      })),
      tags: args.tags,
    },
    { parent },
  );
  return { workspace, actionGroup };
}
