import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environments/index.js";
import { resourceName, type ResourceKind } from "../environments/naming.js";

/** What every part of a stamp needs to know: where it lives, how to name and tag it, its parent. */
export interface StampContext {
  env: Environment;
  region: string;
  release: string;
  tags: Record<string, string>;
  resourceGroupName: pulumi.Input<string>;
  /** The Stamp component, parent of every resource. */
  parent: pulumi.Resource;
}

/** A stamp-scoped Azure name: `<abbr>-shoes-<env>-<region>-<release>[-suffix]`. */
export function stampName(ctx: Pick<StampContext, "env" | "region" | "release">, kind: ResourceKind, extra: { purpose?: string; suffix?: string } = {}): string {
  return resourceName(kind, { env: ctx.env.name, region: ctx.region, release: ctx.release, ...extra });
}
