#!/usr/bin/env node
// Launcher for `npx contoso`: registers tsx so the TypeScript sources run without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../automation/cli/main.ts");
process.exitCode = await main();
