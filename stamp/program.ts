import type * as pulumi from "@pulumi/pulumi";
import type { StampOutputs, StampProgramArgs } from "./contract.js";
import { Stamp } from "./stamp.js";

/** The stack outputs as the program hands them to Pulumi: values or Outputs of them. */
type StampOutputValues = { [K in keyof StampOutputs]: StampOutputs[K] | pulumi.Output<NonNullable<StampOutputs[K]>> };

/**
 * The stamp stack's inline program (`<env>-<region-short>-<release>`), used by `index.ts` for the
 * pulumi CLI and by the driver's engines. Its outputs are what the release driver reads back.
 */
export function stampProgram(args: StampProgramArgs): () => Promise<StampOutputs> {
  return async () => {
    const stamp = new Stamp("stamp", args);
    const outputs: StampOutputValues = {
      stack: stamp.stack,
      region: args.region,
      release: args.release,
      resourceGroupName: stamp.resourceGroupName,
      webAppName: stamp.webAppName,
      webAppHostName: stamp.webAppHostName,
      healthUrl: stamp.healthUrl,
      serviceBusNamespace: stamp.serviceBusNamespace,
      ordersQueue: stamp.ordersQueue,
      killSwitchDrainUrl: stamp.killSwitchDrainUrl,
      image: args.image,
    };
    // Pulumi resolves the Outputs of a program's result into the stack outputs (and leaves them
    // unknown during a preview instead of waiting forever), so the stack's outputs are StampOutputs.
    return outputs as unknown as StampOutputs;
  };
}
