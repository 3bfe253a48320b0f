import { expect } from "chai";
import { summarizePersonalEnvs } from "../../../automation/environments/env-list.js";
import { envExpiry } from "../../../automation/environments/expiry.js";
import { resolveOwner } from "../../../automation/environments/owner.js";
import { personalEnvName } from "../../../automation/environments/personal-name.js";
import { extendedExpiry, parseNow, parseTtl } from "../../../automation/environments/ttl.js";
import { trafficFromOutputs } from "../../../automation/reaper/traffic.js";
import { InputError } from "../../../environments/errors.js";
import { TAG } from "../../../environments/stacks.js";

const HOUR = 3_600_000;
const limits = { default: 8 * HOUR, max: 7 * 24 * HOUR };

describe("personal environments: names, owners, TTLs", () => {
  it("makes dev-<name> from a short name, and accepts the full name", () => {
    expect(personalEnvName("alice")).to.equal("dev-alice");
    expect(personalEnvName("dev-pr123")).to.equal("dev-pr123");
    for (const bad of ["Alice", "al-ice", "9lives", "", "abcdefghi", "dev-", "a_b"]) {
      expect(() => personalEnvName(bad), bad).to.throw(InputError, /must be 1-8 lower-case letters and digits/);
    }
  });

  it("owner: --owner, else CONTOSO_OWNER, else the pipeline identity, else the login", () => {
    expect(resolveOwner("bob", { GITHUB_ACTOR: "octocat" })).to.equal("bob");
    expect(resolveOwner(undefined, { CONTOSO_OWNER: "carol", GITHUB_ACTOR: "octocat" })).to.equal("carol");
    expect(resolveOwner(undefined, { GITHUB_ACTOR: "octocat", USER: "me" })).to.equal("octocat");
    expect(resolveOwner(undefined, { BUILD_REQUESTEDFOREMAIL: "dana@contoso.com", USER: "me" })).to.equal("dana@contoso.com");
    expect(resolveOwner(undefined, { USER: "me" })).to.equal("me");
    expect(() => resolveOwner("bad owner!", {})).to.throw(InputError, /--owner "bad owner!"/);
  });

  it("TTL: the definition's default, at most its maximum, never zero or negative", () => {
    expect(parseTtl(undefined, limits)).to.equal(8 * HOUR);
    expect(parseTtl("1h30m", limits)).to.equal(1.5 * HOUR);
    expect(parseTtl("7d", limits)).to.equal(7 * 24 * HOUR);
    expect(() => parseTtl("8d", limits)).to.throw(InputError, /--ttl 8d exceeds the maximum time-to-live of personal environments \(7d\)/);
    expect(() => parseTtl("0s", limits)).to.throw(InputError, /greater than zero/);
    expect(() => parseTtl("-1h", limits)).to.throw(InputError, /must not be negative/);
    expect(() => parseTtl("soon", limits)).to.throw(InputError, /must be a duration/);
  });

  it("extend: now + ttl, capped at created-at + max; refused past the maximum lifetime", () => {
    const created = new Date("2030-01-01T00:00:00Z");
    const now = new Date("2030-01-02T00:00:00Z");
    expect(extendedExpiry(created, now, 8 * HOUR, limits, "dev-a")).to.deep.equal({ expiresAt: new Date("2030-01-02T08:00:00Z"), capped: false });
    const late = new Date("2030-01-07T20:00:00Z");
    expect(extendedExpiry(created, late, 8 * HOUR, limits, "dev-a")).to.deep.equal({ expiresAt: new Date("2030-01-08T00:00:00Z"), capped: true });
    expect(() => extendedExpiry(created, new Date("2030-01-08T00:00:00Z"), HOUR, limits, "dev-a")).to.throw(InputError, /reached its maximum lifetime of 7d/);
  });

  it("--now must be an ISO date and time", () => {
    expect(parseNow("2030-01-01T00:00:00Z").toISOString()).to.equal("2030-01-01T00:00:00.000Z");
    for (const bad of ["tomorrow", "2030-01-01", "1700000000"]) expect(() => parseNow(bad), bad).to.throw(InputError, /--now/);
  });
});

describe("personal environments: expiry and listing", () => {
  const now = new Date("2030-01-01T12:00:00Z");
  const tags = (env: string, kind: string, created: string, expires?: string, extra: Record<string, string> = {}) => ({
    [TAG.env]: env,
    [TAG.kind]: kind,
    [TAG.owner]: "alice",
    [TAG.createdAt]: created,
    ...(expires ? { [TAG.expiresAt]: expires } : {}),
    ...extra,
  });

  it("the environment's expiry is its global stack's; without one, the latest of its stamps'", () => {
    const global = { name: "dev-a-global", tags: tags("dev-a", "global", "2030-01-01T00:00:00Z", "2030-01-01T10:00:00Z") };
    const stamp = { name: "dev-a-weu-r1", tags: tags("dev-a", "stamp", "2030-01-01T01:00:00Z", "2030-01-01T11:00:00Z") };
    expect(envExpiry("dev-a", [global, stamp])?.toISOString()).to.equal("2030-01-01T10:00:00.000Z");
    expect(envExpiry("dev-a", [stamp])?.toISOString()).to.equal("2030-01-01T11:00:00.000Z");
    expect(envExpiry("dev-a", [{ name: "dev-a-global", tags: {} }])).to.equal(undefined);
  });

  it("summarises each personal environment: owner, age, expiry, stacks, status, URL", () => {
    const stacks = [
      { name: "dev-a-global", tags: tags("dev-a", "global", "2030-01-01T00:00:00Z", "2030-01-01T20:00:00Z") },
      { name: "dev-a-weu-r1", tags: tags("dev-a", "stamp", "2030-01-01T00:05:00Z", "2030-01-01T20:00:00Z") },
      { name: "dev-b-global", tags: tags("dev-b", "global", "2030-01-01T00:00:00Z", "2030-01-01T08:00:00Z") },
      { name: "prod-global", tags: tags("prod", "global", "2029-01-01T00:00:00Z") },
    ];
    const globals = {
      "dev-a": {
        outputs: {
          frontDoorEndpointHostName: "fde-a.z01.azurefd.net",
          liveRelease: "r1",
          origins: [{ stamp: "dev-a-weu-r1", enabled: true, weight: 1000 }],
        },
      },
      "dev-b": { outputs: {} },
    };
    const rows = summarizePersonalEnvs(stacks, globals, now);
    expect(rows.map((r) => r.env)).to.deep.equal(["dev-a", "dev-b"]);
    expect(rows[0]).to.deep.include({ owner: "alice", ageMs: 12 * HOUR, expiresInMs: 8 * HOUR, status: "serving r1", url: "https://fde-a.z01.azurefd.net" });
    expect(rows[0]!.stacks).to.deep.equal(["dev-a-global", "dev-a-weu-r1"]);
    expect(rows[1]).to.deep.include({ status: "expired", expiresInMs: -4 * HOUR, url: null });
  });

  it("reads traffic from global outputs: none when never deployed, unreadable when origins are missing", () => {
    expect(trafficFromOutputs(undefined)).to.deep.equal({ origins: [], liveRelease: null });
    expect(trafficFromOutputs({})).to.deep.equal({ origins: [], liveRelease: null });
    expect(trafficFromOutputs({ frontDoorEndpointHostName: "x" })).to.equal("unreadable");
    expect(trafficFromOutputs({ origins: [{ stamp: "dev-a-weu-r1", enabled: false, weight: 0, hostName: "h" }], liveRelease: "r1" })).to.deep.equal({
      origins: [{ stamp: "dev-a-weu-r1", enabled: false, weight: 0 }],
      liveRelease: "r1",
    });
  });
});
