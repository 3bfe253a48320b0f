import * as path from "node:path";
import { StackLockedError } from "../../engine/port.js";
import { acquireStackLock } from "../../lock/file-lock.js";
import { readJsonIfExists, writeJsonAtomic } from "../state-files.js";
import { globalNameOf } from "./global-names.js";
import type { ModelResource } from "./model-resource.js";
import { azureNameOf } from "./naming.js";
import { validateQueries } from "./query-validation.js";
import { canonicalType, resourceTypeInfo } from "./resource-types.js";
import { idKey, resourceIdOf } from "./resource-id.js";
import { ruleViolations } from "./rules.js";
import { maskSecrets } from "./secrets.js";

/**
 * ONE Azure subscription shared by every stack of the offline world, kept on disk beside the stacks
 * (<stateDir>/azure/subscription.json) so that separate `contoso` processes see the same Azure:
 * every resource by its Azure resource ID and the stack that manages it, every globally unique DNS
 * name taken, and which resources have written logs. A stack's update is judged against all of it
 * under one lock, and either applies whole or is refused with Azure's error.
 */

export const MOCK_SUBSCRIPTION = "00000000-0000-4000-8000-00000000c0de";
export const MOCK_TENANT = "00000000-0000-4000-8000-0000000a2ad0";

export interface SubscriptionState {
  resources: ModelResource[];
  /** DNS host → the resource that holds it. */
  globalNames: Record<string, { stack: string; id: string }>;
  /** ARM ids (lower case) of resources that have written resource logs. */
  written: string[];
}

/** One resource a program registered, as the engine hands it over. */
export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Azure refused the update; the message is Azure's (or azure-native's) for the first problem. */
export class AzureRefusal extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : problems[0]);
  }
}

const LOCK_NAME = "subscription";
/**
 * How long to wait for another holder. The lock is held only for reads, cheap checks and one file
 * write (never through a program run or a query analysis), and a dead holder's lock is recovered at
 * once, so a wait this long means a live process is stuck.
 */
const LOCK_WAIT_MS = 10 * 60_000;

export class AzureSubscription {
  readonly file: string;

  constructor(readonly stateDir: string) {
    this.file = path.join(stateDir, "azure", "subscription.json");
  }

  async read(): Promise<SubscriptionState> {
    const loaded = (await readJsonIfExists(this.file)) as SubscriptionState | undefined;
    return loaded ?? { resources: [], globalNames: {}, written: [] };
  }

  /** The Azure resources a program's registrations stand for (its azure-native custom resources). */
  static modelResources(stack: string, registered: readonly RegisteredResource[]): ModelResource[] {
    return registered
      .filter((r) => r.type.startsWith("azure-native:"))
      .map((r) => {
        const type = canonicalType(r.type);
        const inputs = maskSecrets(r.inputs);
        return { type, name: r.name, stack, inputs, id: resourceIdOf({ type, name: r.name, inputs: r.inputs }, stack, MOCK_SUBSCRIPTION) };
      });
  }

  /**
   * Checks a stack's desired resources against the subscription and, when Azure would accept them
   * all, records them as the stack's (releasing whatever the stack no longer declares).
   */
  async apply(stack: string, registered: readonly RegisteredResource[]): Promise<void> {
    const mine = AzureSubscription.modelResources(stack, registered);
    const label = (r: ModelResource) => `${r.type.split(":").slice(1).join(":")} ${r.name}`;

    // Log queries first, outside the lock: the Kusto analysis is the slow part, and holding the one
    // subscription lock through it would stall every other stack's update. Azure checks a query
    // when the rule, function or workbook is created or updated (a PUT), against the workspace as it
    // is then; azure-native sends no PUT for a resource whose inputs did not change. A stack's own
    // resources change only under its own stack lock, so `changed` is the same inside the lock.
    const snapshot = await this.read();
    const before = new Map(snapshot.resources.filter((r) => r.stack === stack).map((r) => [idKey(r.id), JSON.stringify(r.inputs)]));
    const changed = mine.filter((r) => before.get(idKey(r.id)) !== JSON.stringify(r.inputs));
    const queryProblems = validateQueries(changed, [...snapshot.resources.filter((r) => r.stack !== stack), ...mine], new Set(snapshot.written)).map(
      (q) => `${label(q.resource)}: ${q.message}`,
    );

    await this.locked(async () => {
      const state = await this.read();
      const others = state.resources.filter((r) => r.stack !== stack);
      const problems: string[] = [];

      // azure-native's Create first reads the resource and refuses one that exists
      // (provider/pkg/provider/crud/crud.go, CanCreate: "cannot create already existing resource").
      const taken = new Map(others.map((r) => [idKey(r.id), r]));
      const seen = new Map<string, ModelResource>();
      for (const r of mine) {
        const key = idKey(r.id);
        const owner = taken.get(key) ?? seen.get(key);
        if (owner) problems.push(`${label(r)}: cannot create already existing resource '${r.id}' (managed by ${owner.stack === stack ? `${label(owner)} in this stack` : `stack ${owner.stack}`})`);
        seen.set(key, r);
      }

      const hosts: Record<string, { stack: string; id: string }> = Object.fromEntries(Object.entries(state.globalNames).filter(([, h]) => h.stack !== stack));
      for (const r of mine) {
        const kind = resourceTypeInfo(r.type)?.globalName;
        if (!kind) continue;
        const name = azureNameOf(r, stack);
        const global = globalNameOf(kind, name, r.inputs, { tenantId: MOCK_TENANT, subscriptionId: MOCK_SUBSCRIPTION, stack });
        const holder = hosts[global.host];
        if (holder && idKey(holder.id) !== idKey(r.id)) problems.push(`${label(r)}: ${global.conflictMessage}`);
        else hosts[global.host] = { stack, id: r.id };
      }

      for (const v of ruleViolations(mine, (r) => azureNameOf(r, stack))) problems.push(`${label(v.resource)}: ${v.message}`);
      problems.push(...queryProblems);
      if (problems.length > 0) throw new AzureRefusal(problems);

      // Deleted resources stop having written anything.
      const next = [...others, ...mine];
      const live = new Set(next.map((r) => idKey(r.id)));
      await writeJsonAtomic(this.file, { resources: next, globalNames: hosts, written: state.written.filter((id) => live.has(id)) } satisfies SubscriptionState);
    });
  }

  /** Deletes every resource of a stack (its destroy): their ids and global names become free. */
  async release(stack: string): Promise<void> {
    await this.locked(async () => {
      const state = await this.read();
      const resources = state.resources.filter((r) => r.stack !== stack);
      const live = new Set(resources.map((r) => idKey(r.id)));
      const globalNames = Object.fromEntries(Object.entries(state.globalNames).filter(([, h]) => h.stack !== stack));
      await writeJsonAtomic(this.file, { resources, globalNames, written: state.written.filter((id) => live.has(id)) } satisfies SubscriptionState);
    });
  }

  /**
   * Records that a resource has written resource logs: its service-specific AzureDiagnostics
   * columns exist from now on in the workspaces its diagnostic settings feed.
   */
  async markWritten(resourceId: string): Promise<void> {
    await this.locked(async () => {
      const state = await this.read();
      if (!state.resources.some((r) => idKey(r.id) === idKey(resourceId))) throw new Error(`no resource ${resourceId} in the offline subscription`);
      if (!state.written.includes(idKey(resourceId))) state.written.push(idKey(resourceId));
      await writeJsonAtomic(this.file, state);
    });
  }

  /** Runs `body` holding the subscription's lock, waiting for another holder (in this or another process). */
  private async locked<T>(body: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        // Its own folder (<state>/azure/locks/), apart from the stacks' locks.
        const lock = await acquireStackLock(path.join(this.stateDir, "azure"), LOCK_NAME, "up");
        try {
          return await body();
        } finally {
          await lock.release();
        }
      } catch (err) {
        if (!(err instanceof StackLockedError) || Date.now() - started > LOCK_WAIT_MS) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
