import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { register as globalGroup } from "./global.js";
import { register as previewCommand } from "./preview.js";
import { register as releaseGroup } from "./release.js";
import { register as healthCommand } from "./health.js";
import { register as rehearseCommand } from "./rehearse.js";
import { register as stacksGroup } from "./stacks.js";
import { register as stampGroup } from "./stamp.js";
import { register as envGroup } from "./env.js";
import { register as reapCommand } from "./reap.js";
import { register as dashboardCommand } from "./dashboard.js";
import { register as imageGroup } from "./image.js";

/**
 * The command groups, in help order. A new group (release, env, reap, health) is a file beside
 * these exporting `register(program, ctx)` and one line here. Registering must not import any
 * Pulumi program: commands load programs (and @pulumi/azure-native) only when they run one.
 */
export const commandGroups: ((program: Command, ctx: CliContext) => void)[] = [globalGroup, stampGroup, stacksGroup, previewCommand, imageGroup, releaseGroup, healthCommand, rehearseCommand, envGroup, reapCommand, dashboardCommand];
