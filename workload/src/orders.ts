import type { ServiceBusSender } from "@azure/service-bus";
import { randomUUID } from "node:crypto";
import type { Catalog, Product } from "./catalog.js";
import { isProductId } from "./catalog.js";

/**
 * Orders are accepted, not processed, by the API: a validated order goes onto the Service Bus
 * `orders` queue (the stamp's broker for writes) and the API answers 202. The message id is the
 * order id, so the queue's duplicate detection drops a retried send of the same order.
 */
export interface OrderRequest {
  customerId: string;
  lines: { productId: string; quantity: number }[];
}

export interface AcceptedOrder {
  orderId: string;
  customerId: string;
  lines: { productId: string; quantity: number; priceCents: number }[];
  totalCents: number;
  currency: string;
  acceptedAt: string;
  release: string;
  region: string;
}

const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_LINES = 50;

/** The order, or the reason it is refused (a 400 for the client). */
export function parseOrder(body: unknown): OrderRequest | { error: string } {
  if (typeof body !== "object" || body === null) return { error: "the body must be a JSON object" };
  const { customerId, lines } = body as { customerId?: unknown; lines?: unknown };
  if (typeof customerId !== "string" || !CUSTOMER_ID.test(customerId)) return { error: "customerId must be 1-64 letters, digits, '-' or '_'" };
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > MAX_LINES) return { error: `lines must be a list of 1-${MAX_LINES} order lines` };
  const parsed: OrderRequest["lines"] = [];
  for (const [i, line] of lines.entries()) {
    const { productId, quantity } = (line ?? {}) as { productId?: unknown; quantity?: unknown };
    if (typeof productId !== "string" || !isProductId(productId)) return { error: `lines[${i}].productId must be a product id` };
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > 99) return { error: `lines[${i}].quantity must be a whole number from 1 to 99` };
    parsed.push({ productId, quantity });
  }
  return { customerId, lines: parsed };
}

export class Orders {
  constructor(
    private readonly catalog: Catalog,
    private readonly sender: Pick<ServiceBusSender, "sendMessages">,
    private readonly stamp: { release: string; region: string },
  ) {}

  /** Prices every line from the catalogue and sends the order; `unknown` names a product that does not exist. */
  async accept(order: OrderRequest): Promise<{ accepted: AcceptedOrder } | { unknown: string }> {
    const products: Product[] = [];
    for (const line of order.lines) {
      const read = await this.catalog.get(line.productId);
      if (!read) return { unknown: line.productId };
      products.push(read.product);
    }
    const currency = products[0]!.currency;
    const accepted: AcceptedOrder = {
      orderId: randomUUID(),
      customerId: order.customerId,
      lines: order.lines.map((l, i) => ({ ...l, priceCents: products[i]!.priceCents })),
      totalCents: order.lines.reduce((sum, l, i) => sum + l.quantity * products[i]!.priceCents, 0),
      currency,
      acceptedAt: new Date().toISOString(),
      ...this.stamp,
    };
    await this.sender.sendMessages({
      messageId: accepted.orderId,
      body: accepted,
      contentType: "application/json",
      subject: "order-accepted",
      applicationProperties: { customerId: accepted.customerId, release: accepted.release },
    });
    return { accepted };
  }
}
