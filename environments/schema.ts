import { z } from "zod";
import { tryParseDuration } from "./duration.js";
import { findRegion, suggestRegions } from "./regions.js";

/**
 * The shape of an environment definition. Definitions are written with human durations ("5m");
 * parsing turns every duration into milliseconds, so the rest of the code never parses again.
 * Limits here are Azure's and Pulumi's own, checked before anything runs.
 */

/** Environment names end up in stack names and in 24-character Azure names, so they are short. */
export const ENV_NAME_MAX = 12;
export const envNameSchema = z
  .string()
  .max(ENV_NAME_MAX, `must be at most ${ENV_NAME_MAX} characters`)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)?$/, "must be lower-case letters and digits, starting with a letter, with at most one '-' (e.g. prod, dev-alice)");

const duration = (what: string) =>
  z.string().transform((text, ctx) => {
    const parsed = tryParseDuration(text);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: `${what} ${parsed.error}` });
      return z.NEVER;
    }
    return parsed.ms;
  });

const positiveDuration = (what: string) =>
  duration(what).refine((ms) => ms > 0, { message: `${what} must be greater than zero` });

const regionName = z.string().superRefine((value, ctx) => {
  const region = findRegion(value);
  if (!region || region.name !== value) {
    ctx.addIssue({ code: "custom", message: `unknown Azure region "${value}" (known: ${suggestRegions(value)}, ...)` });
  }
});

const int = (min: number, max: number) => z.number().int(`must be a whole number`).min(min).max(max);

const thresholdPair = z
  .object({ yellow: z.number().nonnegative(), red: z.number().nonnegative() })
  .refine((t) => t.red >= t.yellow, { message: "red threshold must be at or above the yellow threshold" });

const releaseSteps = z
  .array(int(1, 100))
  .min(1, "needs at least one step")
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! <= steps[i - 1]!) {
        ctx.addIssue({ code: "custom", message: `steps must strictly increase (got ${steps.join(", ")})` });
        return;
      }
    }
    if (steps[steps.length - 1] !== 100) {
      ctx.addIssue({ code: "custom", message: `steps must end at 100 percent (got ${steps.join(", ")})` });
    }
  });

/**
 * A step list may hold "pause": the release stops there, holding its weights and watching green's
 * health, until `contoso release promote` (Argo Rollouts' `pause: {}` step and `kubectl argo
 * rollouts promote`, https://argo-rollouts.readthedocs.io/en/stable/features/canary/#pause-duration).
 * Parsed into the percent steps and `pauseBefore`, the indices of the steps a pause precedes.
 */
const PAUSE = "pause";
const releaseStepList = z
  .array(z.union([int(1, 100), z.literal(PAUSE)]))
  .superRefine((items, ctx) => {
    items.forEach((item, i) => {
      if (item !== PAUSE) return;
      if (i === items.length - 1) ctx.addIssue({ code: "custom", message: "a pause must come before a step (nothing is left to approve after the last one)" });
      else if (items[i + 1] === PAUSE) ctx.addIssue({ code: "custom", message: "two pauses in a row: one is enough" });
    });
    // The percent steps themselves follow the same rules as a list without pauses.
    const checked = releaseSteps.safeParse(items.filter((item): item is number => item !== PAUSE));
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
  })
  .transform((items) => {
    const steps: number[] = [];
    const pauseBefore: number[] = [];
    for (const item of items) {
      if (item === PAUSE) pauseBefore.push(steps.length);
      else steps.push(item);
    }
    return { steps, pauseBefore };
  });

export const environmentSchema = z
  .object({
    name: envNameSchema,
    description: z.string().min(1),
    /** Which family of environments this belongs to; a registry or any other resource is never shared across classes. */
    class: z.enum(["production", "preproduction", "development"]),
    /** Protected environments are never reaped and need --confirm for destructive commands. */
    protected: z.boolean(),
    /** Ephemeral environments have a time-to-live and an owner. */
    ephemeral: z.boolean(),
    owner: z.string().regex(/^[a-z0-9][a-z0-9._@-]{0,62}$/i, "must be a user or pipeline identity (letters, digits, . _ @ -)").optional(),
    regions: z
      .array(regionName)
      .min(1, "needs at least one region")
      .max(8, "at most 8 regions")
      .refine((r) => new Set(r).size === r.length, { message: "regions must not repeat" }),
    frontDoor: z.object({
      sku: z.enum(["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"]),
      wafMode: z.enum(["Prevention", "Detection"]),
      rateLimitPerMinute: int(10, 1_000_000),
      originResponseTimeoutSeconds: int(16, 240),
    }),
    /** Front Door's own origin health probes (the origin group). */
    originHealthProbe: z
      .object({
        path: z.string().regex(/^\/[\w\-/.]*$/, "must be an absolute URL path"),
        intervalSeconds: int(5, 255),
        sampleSize: int(1, 255),
        successfulSamplesRequired: int(1, 255),
        additionalLatencyMs: int(0, 1000),
      })
      .refine((p) => p.successfulSamplesRequired <= p.sampleSize, {
        message: "successfulSamplesRequired must not exceed sampleSize",
      }),
    /** The release driver's gate on a green stamp: k successes of the last n probes. */
    healthGate: z
      .object({
        interval: positiveDuration("interval"),
        sampleSize: int(1, 100),
        successesRequired: int(1, 100),
        probeTimeout: positiveDuration("probeTimeout"),
        deadline: positiveDuration("deadline"),
      })
      .refine((g) => g.successesRequired <= g.sampleSize, { message: "successesRequired must not exceed sampleSize" })
      .refine((g) => g.probeTimeout <= g.interval, { message: "probeTimeout must not exceed interval" })
      .refine((g) => g.deadline >= g.interval * g.sampleSize, {
        message: "deadline must leave room for sampleSize probes (deadline >= interval x sampleSize)",
      }),
    release: z.object({
      /** Percent of traffic on green after each step, strictly increasing, ending at 100; "pause" waits for `release promote`. */
      steps: releaseStepList,
      /** How long each step is watched before the next. */
      bakeTime: duration("bakeTime"),
      /** How long to wait for Front Door edges to serve a new configuration. */
      edgePropagationTimeout: duration("edgePropagationTimeout"),
      /** How long an old release's stamps survive after promotion (0: destroyed straight away). */
      blueRetention: duration("blueRetention"),
    })
    // Consumers read the percent steps and, beside them, the indices of the steps a pause precedes.
    .transform(({ steps, ...rest }) => ({ ...rest, steps: steps.steps, pauseBefore: steps.pauseBefore })),
    appService: z.object({
      skuName: z.enum(["B1", "B2", "S1", "P0v3", "P1v3", "P2v3", "P3v3", "P1mv3", "P2mv3"]),
      zoneRedundant: z.boolean(),
      minInstances: int(1, 30),
      maxInstances: int(1, 30),
      cpuScaleOutPercent: int(10, 95),
      httpQueueScaleOut: int(1, 10_000),
    }),
    cosmos: z.object({
      zoneRedundant: z.boolean(),
      multiRegionWrites: z.boolean(),
      backupTier: z.enum(["Continuous7Days", "Continuous30Days"]),
      serverless: z.boolean(),
    }),
    registry: z.object({
      sku: z.enum(["Basic", "Standard", "Premium"]),
      zoneRedundant: z.boolean(),
    }),
    serviceBus: z.object({
      sku: z.enum(["Standard", "Premium"]),
      capacity: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8), z.literal(16)]),
      zoneRedundant: z.boolean(),
    }),
    redis: z.object({
      /** Azure Managed Redis (redisenterprise) SKU. */
      sku: z.enum(["Balanced_B0", "Balanced_B1", "Balanced_B3", "Balanced_B5", "MemoryOptimized_M10", "ComputeOptimized_X3"]),
      highAvailability: z.boolean(),
    }),
    keyVault: z.object({
      purgeProtection: z.boolean(),
      softDeleteRetentionDays: int(7, 90),
    }),
    network: z.object({
      /** Private endpoints and no public network access on data services. */
      isolation: z.boolean(),
      /** Each stamp's virtual network (stamps are never peered, so every stamp may use the same range). */
      addressSpace: z.string().regex(/^10\.\d{1,3}\.\d{1,3}\.0\/(16|20|22)$/, "must be a 10.x.y.0/16, /20 or /22 range"),
    }),
    monitoring: z.object({
      logRetentionDays: int(30, 730),
      alertEmails: z.array(z.email()).min(1),
      availabilityTestLocations: z.array(z.string().min(1)).min(1),
    }),
    /** Yellow/red thresholds of the health model (KQL functions, workbook, alerts). */
    healthModel: z.object({
      failureRatePercent: thresholdPair,
      latencyP95Ms: thresholdPair,
      dependencyFailurePercent: thresholdPair,
      queueBacklog: thresholdPair,
      keyVaultErrors: thresholdPair,
      /** Stamp health score 0..100; below `yellow` is degraded, below `red` unhealthy. */
      healthScore: z
        .object({ yellow: int(0, 100), red: int(0, 100) })
        .refine((t) => t.red <= t.yellow, { message: "healthScore.red must be at or below healthScore.yellow" }),
      /**
       * Whether each stamp also sends the global workspace what the environment-wide functions read
       * (stamp/environment-telemetry.ts). Off, the environment score sees Front Door and Cosmos DB only.
       */
      environmentWideTelemetry: z.boolean({ error: "must be true or false" }),
    }),
    /** Time-to-live of ephemeral environments; null for persistent ones. */
    ttl: z
      .object({ default: positiveDuration("ttl.default"), max: positiveDuration("ttl.max") })
      .refine((t) => t.default <= t.max, { message: "ttl.default must not exceed ttl.max" })
      .nullable(),
    tags: z
      .record(z.string(), z.string().max(256, "tag values must be at most 256 characters"))
      // Checked here rather than as the record's key schema: zod reports a bad key only as "Invalid
      // key in record", and the user needs to know which key and why.
      .superRefine((tags, ctx) => {
        for (const name of Object.keys(tags)) {
          if (!/^[^<>%&\\?/]{1,512}$/.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "tag names must be 1-512 characters without < > % & \\ ? /" });
        }
      }),
  })
  .superRefine((env, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (env.appService.minInstances > env.appService.maxInstances) {
      fail(["appService", "minInstances"], "must not exceed maxInstances");
    }
    if (env.appService.zoneRedundant) {
      if (!/v3$/.test(env.appService.skuName)) fail(["appService", "skuName"], "zone redundancy needs a Premium v3 plan");
      if (env.appService.minInstances < 3) fail(["appService", "minInstances"], "a zone-redundant plan needs at least 3 instances");
    }
    const wantsZones = env.appService.zoneRedundant || env.cosmos.zoneRedundant || env.registry.zoneRedundant || env.serviceBus.zoneRedundant;
    if (wantsZones) {
      env.regions.forEach((name, i) => {
        const region = findRegion(name);
        if (region && !region.availabilityZones) fail(["regions", i], `${name} has no availability zones, but the environment asks for zone redundancy`);
      });
    }
    if (env.class === "production") {
      if (env.regions.length < 2) fail(["regions"], "production needs at least 2 regions to survive a regional outage");
      if (!/v3$/.test(env.appService.skuName)) fail(["appService", "skuName"], "production needs a Premium v3 plan (older plans are retiring)");
    }
    if (env.regions.length > 1 && env.registry.sku !== "Premium") {
      fail(["registry", "sku"], "geo-replication to every region needs the Premium registry");
    }
    if (env.serviceBus.zoneRedundant && env.serviceBus.sku !== "Premium") {
      fail(["serviceBus", "sku"], "zone redundancy needs Service Bus Premium");
    }
    if (env.cosmos.serverless && env.regions.length > 1) {
      fail(["cosmos", "serverless"], "serverless Cosmos DB supports a single region only");
    }
    if (env.ephemeral && env.ttl === null) fail(["ttl"], "an ephemeral environment needs a time-to-live");
    if (env.ephemeral && env.protected) fail(["protected"], "an ephemeral environment cannot be protected");
  });

/** What a definition file is written as (durations as text). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment (durations in milliseconds). */
export type Environment = z.output<typeof environmentSchema>;
