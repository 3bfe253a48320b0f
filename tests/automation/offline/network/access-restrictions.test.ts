import { expect } from "chai";
import { evaluateAccess, webAppAccess, type IncomingRequestSource } from "../../../../automation/offline/network/access-restrictions.js";
import { accessRestrictions } from "../../../../stamp/access-restrictions.js";

/**
 * App Service access restrictions as the offline stamps apply them
 * (automation/offline/network/access-restrictions.ts), on the rules the stamp program really
 * deploys (stamp/access-restrictions.ts): each rule on its own.
 */

const FDID = "6f1a3c2e-0b7d-4e55-9a1c-2d3e4f5a6b7c";
const OTHER_FDID = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";
const FRONT_DOOR = (fdid?: string): IncomingRequestSource => ({
  address: "147.243.0.1",
  serviceTags: ["AzureFrontDoor.Backend"],
  headers: fdid === undefined ? {} : { "x-azure-fdid": fdid },
});
const RUNNER = (headers: Record<string, string> = {}): IncomingRequestSource => ({ address: "203.0.113.10", serviceTags: [], headers });

/** The web app as the stamp program records it, with the given probe allow-list. */
const app = (allow: string[]) =>
  webAppAccess([
    {
      type: "azure-native:web:WebApp",
      name: "app",
      inputs: { publicNetworkAccess: "Enabled", siteConfig: { ipSecurityRestrictions: JSON.parse(JSON.stringify(accessRestrictions(FDID, allow))), ipSecurityRestrictionsDefaultAction: "Deny" } },
    },
  ])!;

describe("offline network model: App Service access restrictions", () => {
  it("no X-Azure-FDID header, even from Front Door's addresses: 403", () => {
    expect(evaluateAccess(app([]), FRONT_DOOR())).to.deep.include({ allowed: false, status: 403 });
  });

  it("another profile's FDID (another environment's Front Door): 403", () => {
    expect(evaluateAccess(app([]), FRONT_DOOR(OTHER_FDID))).to.deep.include({ allowed: false, status: 403 });
  });

  it("this profile's FDID from Front Door's backend addresses: allowed by the front-door rule (header compared case-insensitively)", () => {
    expect(evaluateAccess(app([]), FRONT_DOOR(FDID))).to.deep.equal({ allowed: true, rule: "front-door" });
    expect(evaluateAccess(app([]), FRONT_DOOR(FDID.toUpperCase()))).to.deep.equal({ allowed: true, rule: "front-door" });
  });

  it("this profile's FDID forged by a direct caller: 403, the address is not in the service tag", () => {
    const denied = evaluateAccess(app([]), RUNNER({ "x-azure-fdid": FDID }));
    expect(denied).to.deep.include({ allowed: false, status: 403 });
  });

  it("an allow-listed address: allowed; any other address: 403 (default deny)", () => {
    expect(evaluateAccess(app(["203.0.113.0/28"]), RUNNER())).to.deep.equal({ allowed: true, rule: "release-probe-1" });
    const denied = evaluateAccess(app(["198.51.100.0/24"]), RUNNER());
    expect(denied).to.deep.equal({ allowed: false, status: 403, reason: "no access restriction rule allows 203.0.113.10 without an X-Azure-FDID header (unmatched rule action: Deny)" });
  });

  it("rules decide in ascending priority: a Deny above an Allow wins; no rules at all allows everyone", () => {
    const access = { publicNetworkAccess: "Enabled" as const, defaultAction: undefined, rules: [
      { name: "allow-runner", priority: 200, action: "Allow" as const, tag: "Default" as const, ipAddress: "203.0.113.0/24" },
      { name: "deny-runner", priority: 100, action: "Deny" as const, tag: "Default" as const, ipAddress: "203.0.113.10/32" },
    ] };
    expect(evaluateAccess(access, RUNNER())).to.deep.include({ allowed: false, reason: "denied by access restriction rule deny-runner" });
    expect(evaluateAccess({ publicNetworkAccess: "Enabled", defaultAction: undefined, rules: [] }, RUNNER())).to.deep.equal({ allowed: true });
    // With rules and no unmatched-rule action, the list ends with an implicit deny.
    expect(evaluateAccess({ ...access, rules: access.rules.slice(0, 1) }, { ...RUNNER(), address: "198.51.100.1" }).allowed).to.equal(false);
  });

  it("public network access disabled: 403 for everyone", () => {
    expect(evaluateAccess({ ...app([]), publicNetworkAccess: "Disabled" }, FRONT_DOOR(FDID))).to.deep.include({ allowed: false, status: 403 });
  });
});
