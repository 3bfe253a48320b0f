import type { Container } from "@azure/cosmos";
import type { HealthCheck } from "../types.js";
import { stepFailed } from "./failure.js";

export interface CosmosCheckOptions {
  /** A container of the stamp's database whose `defaultTtl` is set (`-1` is enough), so `ttl` on the document applies. */
  container: Pick<Container, "items" | "item">;
  /**
   * The health document's id; one per instance (e.g. `health-<region>-<release>-<instance>`), so
   * every round overwrites the same document instead of creating new ones.
   */
  documentId: string;
  /** The container's partition key path, one level (`/id`, `/pk`); the document's key value is its id. Default `/id`. */
  partitionKeyPath?: string;
  /** How long the document outlives the last write, so instances that go away leave nothing behind. Default 300 s. */
  ttlSeconds?: number;
}

/**
 * Cosmos DB read and write: upserts a short-lived document, then reads it back by id and partition
 * key (a point read; the same client's session makes the write visible to the read).
 */
export function cosmosCheck(options: CosmosCheckOptions): HealthCheck {
  const path = options.partitionKeyPath ?? "/id";
  if (!/^\/[A-Za-z_][\w-]*$/.test(path)) {
    throw new RangeError(`cosmosCheck: partitionKeyPath must be a single-level path such as /id or /pk (got "${path}")`);
  }
  const keyField = path.slice(1);
  const ttl = options.ttlSeconds ?? 300;
  const id = options.documentId;
  return {
    name: "cosmos",
    async run(signal) {
      const document = { id, [keyField]: id, ttl, kind: "contoso-health", writtenAt: new Date().toISOString() };
      try {
        await options.container.items.upsert(document, { abortSignal: signal });
      } catch (err) {
        throw stepFailed("write failed", err);
      }
      let read: { id?: string } | undefined;
      try {
        ({ resource: read } = await options.container.item(id, id).read<{ id: string }>({ abortSignal: signal }));
      } catch (err) {
        throw stepFailed("read failed", err);
      }
      if (read?.id !== id) throw new Error(`read failed: document "${id}" was not found right after it was written`);
    },
  };
}
