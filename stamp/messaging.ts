import * as servicebus from "@pulumi/azure-native/servicebus/index.js";
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../environments/index.js";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's message broker. Writes (orders) go through the `orders` queue, so an order is
 * accepted and kept when a downstream dependency (Cosmos DB, the payment provider) fails, and is
 * processed when it recovers. Entra ID only: shared access keys are disabled.
 *
 * The queue is the one thing in a stamp that holds data for a while: the release driver drains a
 * stamp (Front Door weight 0) and waits for `orders` to be empty before destroying it; the
 * namespace and queue names are stamp outputs for that reason.
 */

/** Timings of the `orders` queue (ISO 8601 durations, as Service Bus takes them). */
export const ORDERS_QUEUE = {
  name: "orders",
  /** Long enough for one Cosmos write plus the payment provider's POST with its retries. */
  lockDuration: "PT1M",
  /** A poison order lands in the dead-letter queue after this many failed deliveries. */
  maxDeliveryCount: 10,
  /** Orders carry their order id as MessageId: a client retry within this window is not a second order. */
  duplicateDetectionHistoryTimeWindow: "PT10M",
  /** An order nobody could process in a week is dead-lettered for a human, never silently dropped. */
  defaultMessageTimeToLive: "P7D",
  maxSizeInMegabytes: 5120,
} as const;

/** Health probes send a marked message here (never into `orders`); it expires unread. */
export const HEALTH_QUEUE = {
  name: "health",
  defaultMessageTimeToLive: "PT5M",
  maxSizeInMegabytes: 1024,
} as const;

export interface StampMessaging {
  namespace: servicebus.Namespace;
  ordersQueue: servicebus.Queue;
  healthQueue: servicebus.Queue;
  /** `<namespace>.servicebus.windows.net`, what the SDK connects to with a token credential. */
  fqdn: pulumi.Output<string>;
}

export function createMessaging(ctx: StampContext, suffix: pulumi.Output<string>): StampMessaging {
  const { sku, capacity, zoneRedundant } = ctx.env.serviceBus;
  const isolated = ctx.env.network.isolation;
  if (isolated && sku !== "Premium") {
    // Only Premium namespaces accept private endpoints; a Standard one would have to stay public.
    throw new InputError(`environment "${ctx.env.name}": network.isolation needs serviceBus.sku Premium (private endpoints), got ${sku}`);
  }
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const premium = sku === "Premium";

  const namespace = new servicebus.Namespace(
    "sb",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      namespaceName: suffix.apply((s) => stampName(ctx, "serviceBusNamespace", { suffix: s })),
      sku: { name: sku, tier: sku, ...(premium ? { capacity } : {}) },
      ...(premium ? { premiumMessagingPartitions: 1, zoneRedundant } : {}),
      disableLocalAuth: true,
      minimumTlsVersion: "1.2",
      publicNetworkAccess: isolated ? "Disabled" : "Enabled",
      tags: ctx.tags,
    },
    opts,
  );

  const ordersQueue = new servicebus.Queue(
    "sbq-orders",
    {
      resourceGroupName: ctx.resourceGroupName,
      namespaceName: namespace.name,
      queueName: ORDERS_QUEUE.name,
      lockDuration: ORDERS_QUEUE.lockDuration,
      maxDeliveryCount: ORDERS_QUEUE.maxDeliveryCount,
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: ORDERS_QUEUE.duplicateDetectionHistoryTimeWindow,
      deadLetteringOnMessageExpiration: true,
      defaultMessageTimeToLive: ORDERS_QUEUE.defaultMessageTimeToLive,
      maxSizeInMegabytes: ORDERS_QUEUE.maxSizeInMegabytes,
      requiresSession: false,
      enableBatchedOperations: true,
    },
    opts,
  );

  const healthQueue = new servicebus.Queue(
    "sbq-health",
    {
      resourceGroupName: ctx.resourceGroupName,
      namespaceName: namespace.name,
      queueName: HEALTH_QUEUE.name,
      defaultMessageTimeToLive: HEALTH_QUEUE.defaultMessageTimeToLive,
      deadLetteringOnMessageExpiration: false,
      maxSizeInMegabytes: HEALTH_QUEUE.maxSizeInMegabytes,
    },
    opts,
  );

  const fqdn = namespace.name.apply((n) => `${n}.servicebus.windows.net`);
  return { namespace, ordersQueue, healthQueue, fqdn };
}
