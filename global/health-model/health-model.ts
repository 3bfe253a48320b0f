import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import type * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import type { Environment } from "../../environments/index.js";
import { resourceName } from "../../environments/naming.js";
import {
  ALERT_SEVERITY,
  AVAILABILITY_TEST_FREQUENCY_SECONDS,
  AVAILABILITY_TEST_TIMEOUT_SECONDS,
  SCORE_ALERT_WINDOW,
  SCORE_EVALUATION_FREQUENCY,
  availabilityTestRequest,
  failedLocationCount,
  originHealthThresholdPercent,
  scoreAlertCondition,
} from "./alerts.js";
import { healthFunctionAliases, healthFunctions, type HealthFunctionAliases } from "./queries.js";
import { saveHealthFunctions, type HealthModelWorkspace } from "./saved-functions.js";
import { serializeWorkbook } from "./workbook.js";

/** The environment's (global) Log Analytics workspace, and what the model watches besides it. */
export interface HealthModelArgs extends HealthModelWorkspace {
  env: Environment;
  /** Azure region of the workspace (workbook, Application Insights, log alert rules). */
  location: pulumi.Input<string>;
  /** ARM id of the Front Door profile (origin health metric alert and workbook panel). */
  frontDoorProfileId: pulumi.Input<string>;
  /** The Front Door endpoint's host name, e.g. `fde-shoes-prod-ab12c-xyz.z01.azurefd.net`. */
  frontDoorEndpointHostName: pulumi.Input<string>;
}

/**
 * The environment's health model in the global stack: the environment-wide KQL functions saved in
 * the global workspace, the operators' workbook, and the alerts (Front Door origin health,
 * environment health score, availability of the health contract from several locations).
 */
export class HealthModel extends pulumi.ComponentResource {
  /** Aliases of the saved functions (e.g. `environmentScore` for the release gate or ad-hoc queries). */
  readonly functionAliases: HealthFunctionAliases;
  readonly savedSearches: operationalinsights.SavedSearch[];
  readonly workbookId: pulumi.Output<string>;
  /** The workbook in the Azure portal: what `contoso global outputs` points an operator to. */
  readonly workbookPortalUrl: pulumi.Output<string>;
  readonly applicationInsightsId: pulumi.Output<string>;
  readonly availabilityTestId: pulumi.Output<string>;
  readonly alertRuleIds: pulumi.Output<string[]>;

  constructor(name: string, args: HealthModelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("contoso:health:HealthModel", name, {}, opts);
    const { env } = args;
    const scope = { kind: "environment" } as const;
    const aliases = healthFunctionAliases(scope);
    this.functionAliases = aliases;

    const saved = saveHealthFunctions(healthFunctions(env, scope), args, this);
    this.savedSearches = [...saved.values()];
    const environmentScore = saved.get(aliases.environmentScore!)!;

    const workbook = new applicationinsights.Workbook(
      `${name}-workbook`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceName: workbookGuid(env.name),
        kind: "shared",
        category: "workbook",
        displayName: `Contoso Shoes health model (${env.name})`,
        description: "Traffic lights per region, stamp and component, stamp and environment scores, each stamp's score over time, Front Door origin health and the traffic split per origin.",
        version: "Notebook/1.0",
        sourceId: args.workspaceId,
        serializedData: pulumi
          .all([args.workspaceId, args.frontDoorProfileId])
          .apply(([workspaceId, frontDoorProfileId]) => serializeWorkbook({ env, workspaceId, frontDoorProfileId, aliases })),
        tags: args.tags,
      },
      { parent: this, dependsOn: this.savedSearches },
    );

    const originHealth = new monitor.MetricAlert(
      `${name}-origin-health`,
      {
        resourceGroupName: args.resourceGroupName,
        ruleName: resourceName("alertRule", { env: env.name, purpose: "origin-health" }),
        description: `A Front Door origin's health probes succeed less than ${originHealthThresholdPercent(env)}% of the time (Front Door takes it out of rotation below ${env.originHealthProbe.successfulSamplesRequired} of ${env.originHealthProbe.sampleSize}).`,
        location: "global",
        severity: ALERT_SEVERITY,
        enabled: true,
        scopes: [args.frontDoorProfileId],
        evaluationFrequency: "PT1M",
        windowSize: "PT5M",
        autoMitigate: true,
        criteria: {
          odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
          allOf: [
            {
              criterionType: "StaticThresholdCriterion",
              name: "origin-health-percentage",
              metricNamespace: "Microsoft.Cdn/profiles",
              metricName: "OriginHealthPercentage",
              dimensions: [{ name: "Origin", operator: "Include", values: ["*"] }],
              operator: "LessThan",
              threshold: originHealthThresholdPercent(env),
              timeAggregation: "Average",
            },
          ],
        },
        actions: [{ actionGroupId: args.actionGroupId }],
        tags: args.tags,
      },
      { parent: this },
    );

    const condition = scoreAlertCondition(env, aliases.environmentScore!, []);
    const scoreAlert = new monitor.ScheduledQueryRule(
      `${name}-environment-score`,
      {
        resourceGroupName: args.resourceGroupName,
        ruleName: resourceName("alertRule", { env: env.name, purpose: "health-score" }),
        displayName: `Health score of ${env.name} below ${env.healthModel.healthScore.red}`,
        description: `The environment's health score (traffic-weighted over its stamps) fell below the red threshold ${env.healthModel.healthScore.red}.`,
        location: args.location,
        kind: "LogAlert",
        severity: ALERT_SEVERITY,
        enabled: true,
        scopes: [args.workspaceId],
        evaluationFrequency: SCORE_EVALUATION_FREQUENCY,
        windowSize: SCORE_ALERT_WINDOW,
        criteria: { allOf: [condition] },
        autoMitigate: true,
        actions: { actionGroups: [args.actionGroupId] },
        tags: args.tags,
      },
      // Azure validates the query when the rule is saved: the function must exist first.
      { parent: this, dependsOn: [environmentScore] },
    );

    const insights = new applicationinsights.Component(
      `${name}-availability-insights`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: resourceName("applicationInsights", { env: env.name, purpose: "availability" }),
        location: args.location,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: args.workspaceId,
        ingestionMode: "LogAnalytics",
        // Only Entra-authenticated telemetry (standard availability tests publish as the service).
        disableLocalAuth: true,
        tags: args.tags,
      },
      { parent: this },
    );

    const webTestName = resourceName("webTest", { env: env.name, purpose: "health-stamp" });
    const webTest = new applicationinsights.WebTest(
      `${name}-availability`,
      {
        resourceGroupName: args.resourceGroupName,
        webTestName,
        syntheticMonitorId: webTestName,
        location: args.location,
        kind: "standard",
        webTestKind: "standard",
        description: `GET ${env.originHealthProbe.path} through Front Door from ${env.monitoring.availabilityTestLocations.length} locations.`,
        enabled: true,
        frequency: AVAILABILITY_TEST_FREQUENCY_SECONDS,
        timeout: AVAILABILITY_TEST_TIMEOUT_SECONDS,
        retryEnabled: true,
        locations: env.monitoring.availabilityTestLocations.map((location) => ({ location })),
        request: pulumi.output(args.frontDoorEndpointHostName).apply((host) => availabilityTestRequest(env, host)),
        validationRules: { expectedHttpStatusCode: 200, sSLCheck: true, sSLCertRemainingLifetimeCheck: 7 },
        // Azure ties a web test to its Application Insights component by this tag.
        tags: insights.id.apply((id) => ({ ...args.tags, [`hidden-link:${id}`]: "Resource" })),
      },
      { parent: this },
    );

    const availability = new monitor.MetricAlert(
      `${name}-availability-alert`,
      {
        resourceGroupName: args.resourceGroupName,
        ruleName: resourceName("alertRule", { env: env.name, purpose: "availability" }),
        description: `${env.originHealthProbe.path} through Front Door fails from ${failedLocationCount(env)} or more test locations.`,
        location: "global",
        severity: ALERT_SEVERITY,
        enabled: true,
        scopes: [webTest.id, insights.id],
        evaluationFrequency: "PT1M",
        windowSize: "PT5M",
        autoMitigate: true,
        criteria: {
          odataType: "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
          webTestId: webTest.id,
          componentId: insights.id,
          failedLocationCount: failedLocationCount(env),
        },
        actions: [{ actionGroupId: args.actionGroupId }],
        tags: args.tags,
      },
      { parent: this },
    );

    this.workbookId = workbook.id;
    this.workbookPortalUrl = workbook.id.apply(workbookPortalUrl);
    this.applicationInsightsId = insights.id;
    this.availabilityTestId = webTest.id;
    this.alertRuleIds = pulumi.all([originHealth.id, scoreAlert.id, availability.id]);
    this.registerOutputs({
      workbookId: this.workbookId,
      applicationInsightsId: this.applicationInsightsId,
      availabilityTestId: this.availabilityTestId,
      alertRuleIds: this.alertRuleIds,
    });
  }
}

/**
 * The portal's deep link to a resource is `https://portal.azure.com/#resource` followed by its ARM id
 * (for a workbook, /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Insights/workbooks/<guid>,
 * the id the Workbooks REST API returns: learn.microsoft.com/rest/api/application-insights/workbooks/get).
 */
export function workbookPortalUrl(workbookId: string): string {
  return `https://portal.azure.com/#resource${workbookId}`;
}

/** Workbook resource names must be GUIDs; one stable GUID per environment keeps redeploys in place. */
export function workbookGuid(envName: string): string {
  const h = createHash("sha256").update(`contoso-health-workbook\u0000${envName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
