import * as pulumi from "@pulumi/pulumi";
import { loadEnvironment, type Environment } from "../../environments/index.js";
import { stampStackName } from "../../environments/stacks.js";
import type { GlobalOutputs, GlobalProgramArgs, OriginSpec } from "../../global/contract.js";
import { globalProgram } from "../../global/program.js";
import { runProgram, type ProgramRun } from "../harness/pulumi.js";

/** Shared set-up of the global stack's tests: environments, origin lists, program runs. */

export const FACTS = { owner: "release-pipeline", createdAt: "2025-03-01T08:00:00.000Z" };

export function env(name: string): Environment {
  return loadEnvironment(name);
}

/** An origin for a stamp of `environment` in `region` at `release`, as the driver would list it. */
export function origin(
  environment: Environment,
  region: string,
  release: string,
  weight = 100,
  enabled = true,
  priority = 1,
): OriginSpec {
  const stamp = stampStackName(environment.name, region, release);
  return { stamp, region, release, hostName: `app-shoes-${stamp}-x1y2z.azurewebsites.net`, weight, enabled, priority };
}

/** One origin per region of the environment, all enabled with equal weights. */
export function blueOrigins(environment: Environment, release = "r1"): OriginSpec[] {
  return environment.regions.map((region) => origin(environment, region, release));
}

export function programArgs(environment: Environment, origins: OriginSpec[], more: Partial<GlobalProgramArgs> = {}): GlobalProgramArgs {
  const liveRelease = origins.find((o) => o.enabled)?.release ?? null;
  return { env: environment, origins, liveRelease, facts: FACTS, ...more };
}

export function runGlobal(environment: Environment, origins: OriginSpec[], more: Partial<GlobalProgramArgs> = {}): Promise<ProgramRun<GlobalOutputs>> {
  return runProgram(globalProgram(programArgs(environment, origins, more)), `${environment.name}-global`);
}

export interface RunWithDependencies {
  run: ProgramRun<{ outputs: GlobalOutputs; dependsOn: [string, string[]][] }>;
  /** Logical names each resource was told to wait for (explicit dependsOn only). */
  dependsOn(name: string): string[];
}

/**
 * Runs the program while recording every resource's explicit `dependsOn` (Pulumi's mocks do not
 * see resource options, so a stack transformation reads them as resources register).
 */
export async function runGlobalWithDependencies(environment: Environment, origins: OriginSpec[]): Promise<RunWithDependencies> {
  const program = globalProgram(programArgs(environment, origins));
  const run = await runProgram(async () => {
    const recorded: { name: string; deps: pulumi.Resource[] }[] = [];
    pulumi.runtime.registerStackTransformation((args) => {
      const deps = args.opts.dependsOn;
      recorded.push({ name: args.name, deps: Array.isArray(deps) ? (deps as pulumi.Resource[]) : deps ? [deps as pulumi.Resource] : [] });
      return undefined;
    });
    const outputs = await program();
    const dependsOn = pulumi.all(
      recorded.map(({ name, deps }) =>
        pulumi.all(deps.map((d) => d.urn)).apply((urns) => [name, urns.map((urn) => urn.split("::").pop()!)] as [string, string[]]),
      ),
    );
    return { outputs, dependsOn } as unknown as { outputs: GlobalOutputs; dependsOn: [string, string[]][] };
  }, `${environment.name}-global`);
  const byName = new Map(run.outputs.dependsOn);
  return {
    run,
    dependsOn(name) {
      const deps = byName.get(name);
      if (!deps) throw new Error(`no resource named ${name} registered`);
      return deps;
    },
  };
}

export const TYPES = {
  resourceGroup: "azure-native:resources:ResourceGroup",
  profile: "azure-native:cdn:Profile",
  endpoint: "azure-native:cdn:AFDEndpoint",
  originGroup: "azure-native:cdn:AFDOriginGroup",
  origin: "azure-native:cdn:AFDOrigin",
  route: "azure-native:cdn:Route",
  securityPolicy: "azure-native:cdn:SecurityPolicy",
  waf: "azure-native:frontdoor:Policy",
  cosmos: "azure-native:cosmosdb:DatabaseAccount",
  cosmosDatabase: "azure-native:cosmosdb:SqlResourceSqlDatabase",
  cosmosContainer: "azure-native:cosmosdb:SqlResourceSqlContainer",
  registry: "azure-native:containerregistry:Registry",
  replication: "azure-native:containerregistry:Replication",
  workspace: "azure-native:operationalinsights:Workspace",
  actionGroup: "azure-native:monitor:ActionGroup",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  storageAccount: "azure-native:storage:StorageAccount",
  blobContainer: "azure-native:storage:BlobContainer",
} as const;
