import { expect } from "chai";
import type { Engine, StackSummary } from "../../../automation/engine/port.js";
import { InvariantError } from "../../../automation/release/invariants.js";
import { RETENTION_TAG, retentionToTags } from "../../../automation/release/retention-tag.js";
import { dropRetainedOrigins, forgetEndedRetention, releaseOfStamp } from "../../../automation/reaper/retained-origins.js";
import type { OriginSpec } from "../../../global/contract.js";

/**
 * automation/reaper/retained-origins.ts against a recording engine: what it refuses (it changes
 * Front Door in a protected environment), and when it clears the retention record.
 */

const origin = (stamp: string, release: string, enabled: boolean, region = "westeurope"): OriginSpec => ({
  stamp,
  region,
  release,
  hostName: `app-${stamp}.azurewebsites.net`,
  weight: 1000,
  enabled,
  priority: 1,
});

function globalOutputs(origins: OriginSpec[], liveRelease: string | null): Record<string, unknown> {
  const s = "x";
  return {
    env: "prod",
    resourceGroupName: s,
    frontDoorProfileId: s,
    frontDoorProfileName: s,
    frontDoorId: s,
    frontDoorEndpointHostName: s,
    origins,
    liveRelease,
    cosmosAccountId: s,
    cosmosAccountName: s,
    cosmosEndpoint: s,
    cosmosDatabaseName: s,
    registryId: s,
    registryName: s,
    registryLoginServer: s,
    logAnalyticsWorkspaceId: s,
    logAnalyticsCustomerId: s,
    actionGroupId: s,
    killSwitchStorageAccountId: s,
    killSwitchStorageAccountName: s,
    killSwitchBlobEndpoint: s,
  };
}

function recordingEngine(world: { outputs?: Record<string, unknown>; stacks?: StackSummary[] }) {
  const log: string[] = [];
  const engine = {
    kind: "offline",
    description: "recording",
    stateDir: "/nonexistent",
    async outputs() {
      return world.outputs;
    },
    async listStacks() {
      return world.stacks ?? [];
    },
    async up(plan: { stack: string }) {
      log.push(`up ${plan.stack}`);
      return { stack: plan.stack, outputs: {}, changes: {} };
    },
    async setTags(stack: string, tags: Record<string, string>) {
      log.push(`tags ${stack} ${JSON.stringify(tags)}`);
    },
  } as unknown as Engine;
  return { engine, log };
}

describe("reaper: a retained blue's origins and record (retained-origins.ts)", () => {
  const served = [origin("prod-weu-r2", "r2", true), origin("prod-neu-r2", "r2", true, "northeurope")];

  it("removes the retained release's disabled origins in one global update", async () => {
    const { engine, log } = recordingEngine({ outputs: globalOutputs([...served, origin("prod-weu-r1", "r1", false), origin("prod-neu-r1", "r1", false, "northeurope")], "r2") });
    expect(await dropRetainedOrigins(engine, "prod", "r1")).to.equal(2);
    expect(log).to.deep.equal(["up prod-global"]);
  });

  it("refuses, changing nothing, when an origin of that release is enabled or it is the live release", async () => {
    for (const [why, outputs] of [
      ["an enabled origin", globalOutputs([...served, origin("prod-weu-r1", "r1", true)], "r2")],
      ["the live release", globalOutputs([origin("prod-weu-r1", "r1", false)], "r1")],
    ] as const) {
      const { engine, log } = recordingEngine({ outputs: outputs });
      const err = await dropRetainedOrigins(engine, "prod", "r1").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, why).to.be.instanceOf(InvariantError);
      expect((err as Error).message, why).to.match(/^refusing a step that would break an invariant: retained stamps take no traffic \(release r1 serves traffic in prod: its origins stay\)$/);
      expect(log, why).to.deep.equal([]);
    }
  });

  it("updates nothing when no origin of that release is left, or there is no deployed global stack", async () => {
    for (const outputs of [globalOutputs(served, "r2"), undefined]) {
      const { engine, log } = recordingEngine(outputs ? { outputs } : {});
      expect(await dropRetainedOrigins(engine, "prod", "r1")).to.equal(0);
      expect(log).to.deep.equal([]);
    }
  });

  it("clears the record only when it names that release and none of its stamps is left", async () => {
    const global = (release: string): StackSummary => ({ name: "prod-global", tags: retentionToTags({ release, from: "r2", until: "2030-01-01T00:00:00.000Z" }) });
    const stamp = (name: string): StackSummary => ({ name, tags: {} });
    const cases: [string, StackSummary[], boolean][] = [
      ["nothing of r1 left", [global("r1"), stamp("prod-weu-r2")], true],
      ["a stamp of r1 left", [global("r1"), stamp("prod-weu-r2"), stamp("prod-neu-r1")], false],
      ["the record names another release", [global("r0"), stamp("prod-weu-r2")], false],
      ["a stamp of r1 in another environment does not count", [global("r1"), stamp("staging-weu-r1")], true],
    ];
    for (const [why, stacks, clears] of cases) {
      const { engine, log } = recordingEngine({ stacks });
      expect(await forgetEndedRetention(engine, "prod", "r1"), why).to.equal(clears);
      expect(log, why).to.deep.equal(clears ? [`tags prod-global ${JSON.stringify({ [RETENTION_TAG]: "none" })}`] : []);
    }
  });

  it("reads a stamp's release from its stack name, and nothing from any other name", () => {
    expect(releaseOfStamp("prod-weu-r1")).to.equal("r1");
    expect(releaseOfStamp("dev-alice-neu-r12")).to.equal("r12");
    expect(releaseOfStamp("prod-global")).to.equal(undefined);
    expect(releaseOfStamp("not a stack")).to.equal(undefined);
  });
});
