import * as pulumi from "@pulumi/pulumi";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import { FUNCTION_CATEGORY } from "./model.js";
import type { HealthFunction } from "./queries.js";

/**
 * Saves health functions in a workspace as saved searches with a function alias. A function that
 * calls another is created after it, so a query that names an alias never sees it missing.
 */
export interface SaveFunctionsArgs {
  /** Resource group of the workspace; the part's other resources (workbook, alert rules) go there too. */
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The workspace a part of the health model lives in (the environment's global one, or a stamp's), and whom its alerts notify. */
export interface HealthModelWorkspace extends SaveFunctionsArgs {
  /** ARM id of the workspace: the scope of the log alert rules, the workbook's source. */
  workspaceId: pulumi.Input<string>;
  /** Action group every alert of the part notifies. */
  actionGroupId: pulumi.Input<string>;
}

export function saveHealthFunctions(
  functions: HealthFunction[],
  args: SaveFunctionsArgs,
  parent: pulumi.Resource,
): Map<string, operationalinsights.SavedSearch> {
  const saved = new Map<string, operationalinsights.SavedSearch>();
  const tags = Object.entries(args.tags).map(([name, value]) => ({ name, value }));
  for (const fn of functions) {
    const calls = [...saved.entries()].filter(([alias]) => fn.body.includes(`${alias}(`)).map(([, resource]) => resource);
    saved.set(
      fn.alias,
      new operationalinsights.SavedSearch(
        fn.alias.toLowerCase(),
        {
          resourceGroupName: args.resourceGroupName,
          workspaceName: args.workspaceName,
          // A stable id per alias, so a redeploy updates the function rather than adding a second one.
          savedSearchId: fn.alias.toLowerCase(),
          category: FUNCTION_CATEGORY,
          displayName: fn.displayName,
          functionAlias: fn.alias,
          functionParameters: fn.parameters,
          query: fn.body,
          version: 2,
          tags,
        },
        { parent, dependsOn: calls },
      ),
    );
  }
  return saved;
}
