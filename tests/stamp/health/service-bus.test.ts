import { ServiceBusError, type OperationOptionsBase, type ServiceBusMessage, type ServiceBusSender } from "@azure/service-bus";
import { expect } from "chai";
import { HEALTH_MESSAGE_PROPERTY, serviceBusCheck } from "../../../stamp/health/checks/service-bus.js";
import { HealthService } from "../../../stamp/health/service.js";

/**
 * A sender standing in for the SDK's AMQP link: it fails the way `ServiceBusSender.sendMessages`
 * fails (ServiceBusError codes for throttling and broken links, HTTP-status errors from the
 * WebSocket upgrade behind a proxy, a link that never settles).
 */
function stubSender(behaviour: () => "ok" | "hang" | Error) {
  const sent: { message: ServiceBusMessage; options: OperationOptionsBase | undefined }[] = [];
  const sender: Pick<ServiceBusSender, "sendMessages"> = {
    async sendMessages(messages, options) {
      const outcome = behaviour();
      if (outcome === "hang") {
        return new Promise<void>((_, reject) => options?.abortSignal?.addEventListener("abort", () => reject(new Error("The operation was aborted."))));
      }
      if (outcome instanceof Error) throw outcome;
      sent.push({ message: messages as ServiceBusMessage, options });
    },
  };
  return { sender, sent };
}

function serviceWith(sender: Pick<ServiceBusSender, "sendMessages">) {
  return new HealthService({
    release: "r42",
    region: "westeurope",
    checks: [serviceBusCheck({ sender, source: "westeurope-r42-i0", timeToLiveMs: 30_000 })],
    intervalMs: 300,
    checkTimeoutMs: 120,
  });
}

describe("stamp health: Service Bus send of a marked health message", function () {
  it("sends one short-lived message marked contoso-health, with the abort signal, and is Healthy", async function () {
    const { sender, sent } = stubSender(() => "ok");
    const health = await serviceWith(sender).runRound();
    expect(health.status).to.equal("Healthy");
    expect(sent).to.have.length(1);
    const { message, options } = sent[0]!;
    expect(message.applicationProperties).to.deep.equal({ [HEALTH_MESSAGE_PROPERTY]: true });
    expect(message.timeToLive).to.equal(30_000);
    expect(message.body).to.include({ kind: "contoso-health", source: "westeurope-r42-i0" });
    expect(options?.abortSignal).to.be.instanceOf(AbortSignal);
  });

  it("a busy namespace (throttled, ServiceBusy) is Unhealthy with the code", async function () {
    const busy = new ServiceBusError("The request was terminated because the namespace is being throttled.", "ServiceBusy");
    const health = await serviceWith(stubSender(() => busy).sender).runRound();
    expect(health.status).to.equal("Unhealthy");
    expect(health.components[0]?.error).to.equal("send failed: ServiceBusy: The request was terminated because the namespace is being throttled.");
  });

  it("HTTP 429 and 503 from the WebSocket transport are Unhealthy with the status code", async function () {
    for (const status of [429, 503]) {
      const refused = Object.assign(new Error(`Unexpected server response: ${status}`), { statusCode: status });
      const health = await serviceWith(stubSender(() => refused).sender).runRound();
      expect(health.components[0]?.error).to.equal(`send failed: ${status}: Unexpected server response: ${status}`);
    }
  });

  it("a send that never settles is Unhealthy at the per-check timeout", async function () {
    const service = serviceWith(stubSender(() => "hang").sender);
    const t0 = Date.now();
    const health = await service.runRound();
    expect(Date.now() - t0).to.be.within(110, 350);
    expect(health.components[0]).to.include({ status: "Unhealthy", error: "timed out after 120 ms" });
  });

  it("recovers on the next round once sends succeed again", async function () {
    let failing = true;
    const { sender, sent } = stubSender(() => (failing ? new ServiceBusError("link detached", "ServiceCommunicationProblem") : "ok"));
    const service = serviceWith(sender);
    expect((await service.runRound()).components[0]?.error).to.equal("send failed: ServiceCommunicationProblem: link detached");
    failing = false;
    expect((await service.runRound()).status).to.equal("Healthy");
    expect(sent).to.have.length(1);
  });
});
