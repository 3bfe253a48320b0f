import type { ServiceBusSender } from "@azure/service-bus";
import type { HealthCheck } from "../types.js";
import { stepFailed } from "./failure.js";

/** Application property that marks a health message; consumers complete such messages without processing them. */
export const HEALTH_MESSAGE_PROPERTY = "contoso-health";

export interface ServiceBusCheckOptions {
  /** A sender for the queue or topic the stamp writes to (or a dedicated health queue). */
  sender: Pick<ServiceBusSender, "sendMessages">;
  /** Who sent it (stamp and instance), for anyone reading a dead-letter queue. */
  source: string;
  /** Health messages expire quickly so an idle consumer never finds a backlog of them. Default 60 s. */
  timeToLiveMs?: number;
}

/** Message broker send: one small marked message per round. */
export function serviceBusCheck(options: ServiceBusCheckOptions): HealthCheck {
  const ttl = options.timeToLiveMs ?? 60_000;
  return {
    name: "servicebus",
    async run(signal) {
      try {
        await options.sender.sendMessages(
          {
            body: { kind: "contoso-health", source: options.source, sentAt: new Date().toISOString() },
            contentType: "application/json",
            subject: "contoso-health",
            applicationProperties: { [HEALTH_MESSAGE_PROPERTY]: true },
            timeToLive: ttl,
          },
          { abortSignal: signal },
        );
      } catch (err) {
        throw stepFailed("send failed", err);
      }
    },
  };
}
