import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import { globalStackName, validateRelease } from "../../../environments/stacks.js";
import { SHOP_REPOSITORY } from "../../images/image-ref.js";
import { imageRegistryFor } from "../../images/select-registry.js";
import { currentGlobalOutputs } from "../../stacks/global-stack.js";
import type { CliContext } from "../context.js";

/**
 * `contoso image build --env <env> --release <id>`: builds the shop API image (workload/) in the
 * environment's own registry with ACR Tasks, tagged with the release, and prints its reference
 * for `release start --image` / `env up --image`. Offline, the image goes into the offline
 * registry of that environment. Builds do not take the environment's release lock: pushing a new
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
      const global = await currentGlobalOutputs(engine, env);
      if (!global) {
        throw new InputError(`the global stack ${globalStackName(env.name)} is not deployed, so ${env.name} has no registry yet: run "contoso global up --env ${env.name}" first`);
      }
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
}
