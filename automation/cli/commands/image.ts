import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import { globalStackName, validateRelease } from "../../../environments/stacks.js";
import { SHOP_REPOSITORY } from "../../images/image-ref.js";
import { imageRegistryFor } from "../../images/select-registry.js";
import { currentGlobalOutputs } from "../../stacks/global-stack.js";
import type { Environment } from "../../../environments/index.js";
import type { GlobalOutputs } from "../../../global/contract.js";
import type { Engine } from "../../engine/port.js";
import type { CliContext } from "../context.js";

/**
 * `contoso image build --env <env> --release <id>`: builds the shop API image (workload/) in the
 * environment's own registry with ACR Tasks, tagged with the release, and prints its reference
 * for `release start --image` / `env up --image`. Offline, the image goes into the offline
 * registry of that environment. `contoso image import --env prod --from staging --release <id>`
 * copies the image staging tested into prod's registry (the same digest). Builds do not take the environment's release lock: pushing a new
 * tag changes no stack, and building r43 while r42 rolls out is the normal case.
 */

/** ACR agent pool names: 3-20 letters, digits and hyphens (Microsoft.ContainerRegistry agentPools). */
const AGENT_POOL = /^[a-zA-Z0-9-]{3,20}$/;

export function register(program: Command, ctx: CliContext): void {
  const group = program.command("image").description("the shop API's container image, built in an environment's own registry");

  group
    .command("build")
    .description("build workload/ with ACR Tasks (a cloud build: no local Docker) into the environment's registry; prints the image reference")
    .requiredOption("--env <name>", "environment (prod, staging, dev-<name>)")
    .requiredOption("--release <id>", "release id: the image's tag, e.g. r42")
    .option("--agent-pool <name>", "ACR Tasks dedicated agent pool in the registry's virtual network (for a registry closed to the internet)")
    .action(async (opts: { env: string; release: string; agentPool?: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      validateRelease(opts.release);
      if (opts.agentPool !== undefined && !AGENT_POOL.test(opts.agentPool)) {
        throw new InputError(`--agent-pool ${JSON.stringify(opts.agentPool)} must be 3-20 letters, digits or hyphens (an ACR Tasks agent pool name)`);
      }
      const engine = await ctx.engine(command);
      const global = await deployedRegistry(engine, env);
      const registry = await imageRegistryFor(engine);
      await registry.checkPrerequisites();
      ctx.log(`image: building ${SHOP_REPOSITORY}:${opts.release} in ${global.registryLoginServer} (${registry.description}${opts.agentPool ? `, agent pool ${opts.agentPool}` : ""})`);
      const built = await registry.build({
        registryName: global.registryName,
        loginServer: global.registryLoginServer,
        repository: SHOP_REPOSITORY,
        tag: opts.release,
        signal: ctx.signal,
        ...(opts.agentPool ? { agentPool: opts.agentPool } : {}),
      });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify({ env: env.name, release: opts.release, ...built }, null, 2));
      else {
        ctx.log(`image: pushed ${built.image} (${built.digest})`);
        // stdout holds the reference alone, so a pipeline can say ref=$(contoso image build ...).
        ctx.print(built.image);
      }
    });

  group
    .command("import")
    .description("copy a release's image, built and tested in one environment's registry, into another's (az acr import: the same digest, no rebuild, no public endpoint needed)")
    .requiredOption("--env <name>", "the environment whose registry receives the image, e.g. prod")
    .requiredOption("--from <name>", "the environment whose registry holds it, e.g. staging")
    .requiredOption("--release <id>", "release id: the image's tag")
    .action(async (opts: { env: string; from: string; release: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const from = ctx.environment(opts.from);
      validateRelease(opts.release);
      if (env.name === from.name) throw new InputError(`--from ${from.name} is the environment itself: import from another environment's registry`);
      const engine = await ctx.engine(command);
      const [source, target] = await Promise.all([deployedRegistry(engine, from), deployedRegistry(engine, env)]);
      const registry = await imageRegistryFor(engine);
      await registry.checkPrerequisites();
      const ref = (loginServer: string) => ({ registry: loginServer, repository: SHOP_REPOSITORY, reference: opts.release });
      const [inSource, inTarget] = await Promise.all([registry.find(source.registryName, ref(source.registryLoginServer)), registry.find(target.registryName, ref(target.registryLoginServer))]);
      if (!inSource) {
        throw new InputError(`${from.name}'s registry ${source.registryLoginServer} has no ${SHOP_REPOSITORY}:${opts.release}: build it there first with "contoso image build --env ${from.name} --release ${opts.release}"`);
      }
      let image = `${target.registryLoginServer}/${SHOP_REPOSITORY}:${opts.release}`;
      if (inTarget && inTarget.digest !== inSource.digest) {
        // A release tag names one build: never move it under a release that may be live.
        throw new InputError(`${env.name}'s registry already has ${SHOP_REPOSITORY}:${opts.release} with another digest (${inTarget.digest}, ${from.name} has ${inSource.digest}): use a new release id`);
      }
      if (inTarget) ctx.log(`image: ${image} is already in ${env.name}'s registry with the same digest`);
      else {
        ctx.log(`image: importing ${SHOP_REPOSITORY}:${opts.release} from ${source.registryLoginServer} into ${target.registryLoginServer} (${registry.description})`);
        image = (await registry.import({
          source: { registryId: source.registryId, registryName: source.registryName, loginServer: source.registryLoginServer },
          target: { registryName: target.registryName, loginServer: target.registryLoginServer },
          repository: SHOP_REPOSITORY,
          tag: opts.release,
          signal: ctx.signal,
        })).image;
      }
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify({ env: env.name, from: from.name, release: opts.release, image, digest: inSource.digest }, null, 2));
      else ctx.print(image);
    });
}

async function deployedRegistry(engine: Engine, env: Environment): Promise<Pick<GlobalOutputs, "registryId" | "registryName" | "registryLoginServer">> {
  const global = await currentGlobalOutputs(engine, env);
  if (!global) {
    throw new InputError(`the global stack ${globalStackName(env.name)} is not deployed, so ${env.name} has no registry yet: run "contoso global up --env ${env.name}" first`);
  }
  return global;
}
