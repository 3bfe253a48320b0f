import { expect } from "chai";
import { InputError } from "../../../environments/errors.js";
import {
  gateFromTags,
  intentFromTags,
  intentToTags,
  MAX_TAG_VALUE,
  PROMOTE_TAG,
  promotionToTag,
  RELEASE_RECORD_TAG,
  ReleaseRecordError,
} from "../../../automation/release/intent-tags.js";
import type { ReleaseIntent } from "../../../automation/release/model.js";

const intent: ReleaseIntent = {
  release: "r42",
  image: "crshoesprod1a2b3.azurecr.io/shop-api:r42",
  mode: "rollback",
  blueRelease: "r41",
  keepFailed: true,
  startedAt: "2026-12-02T10:43:55.000Z",
  reason: "dev-weu-r42: 3 of the last 5 probes failed",
};

describe("release record (one versioned tag on the global stack)", () => {
  it("is one tag that reads back whole, for every mode and a first release without blue", () => {
    for (const mode of ["rollout", "rollback", "abort"] as const) {
      for (const blueRelease of ["r41", null]) {
        const written = intentToTags({ ...intent, mode, blueRelease });
        expect(Object.keys(written)).to.deep.equal([RELEASE_RECORD_TAG]);
        expect(intentFromTags(written)).to.deep.equal({ ...intent, mode, blueRelease });
      }
    }
    expect(intentToTags(null)).to.deep.equal({ [RELEASE_RECORD_TAG]: "none" });
    expect(intentFromTags(intentToTags(null))).to.equal(null);
    expect(intentFromTags({})).to.equal(null);
  });

  it("fits the 256 characters Pulumi allows a tag value: a long reason is shortened, the facts never", () => {
    const long = { ...intent, reason: "x".repeat(1000), image: `${"a".repeat(60)}.azurecr.io/shop-api@sha256:${"0".repeat(64)}` };
    const value = intentToTags(long)[RELEASE_RECORD_TAG]!;
    expect(Buffer.byteLength(value)).to.be.at.most(MAX_TAG_VALUE);
    const back = intentFromTags({ [RELEASE_RECORD_TAG]: value })!;
    expect(back.image).to.equal(long.image);
    expect(back.reason).to.match(/^x+…$/);
  });

  it("refuses, as bad input, an image reference too long for the record", () => {
    const err = (() => {
      try {
        intentToTags({ ...intent, image: `cr.azurecr.io/${"a".repeat(300)}:r42` });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).to.be.instanceOf(InputError);
    expect((err as Error).message).to.match(/^the release record of r42 would be \d+ characters, over the 256 a stack tag holds: use an image reference of at most \d+ characters$/);
  });

  it("holds the approval state the run writes (auto-promote, paused step) in the same schema-1 record; the promote request stays a tag of its own", () => {
    const rollout: ReleaseIntent = { ...intent, mode: "rollout", reason: undefined, autoPromote: true, pausedAt: 2 };
    delete (rollout as { reason?: string }).reason;
    const written = intentToTags(rollout);
    expect(Object.keys(written)).to.deep.equal([RELEASE_RECORD_TAG]);
    expect(JSON.parse(written[RELEASE_RECORD_TAG]!)).to.include({ v: 1, a: true, p: 2 });
    expect(intentFromTags(written)).to.deep.equal(rollout);
    // A record without them (an older writer) reads as no auto-promote and not paused.
    expect(intentFromTags(intentToTags(intent))).to.not.have.any.keys("autoPromote", "pausedAt", "promotion");
    // The request survives the run rewriting its record, and only counts for its own release.
    const tags = { ...written, ...promotionToTag("r42", { through: 3 }) };
    expect(Object.keys(promotionToTag("r42", { full: true }))).to.deep.equal([PROMOTE_TAG]);
    expect(intentFromTags({ ...tags, ...intentToTags({ ...rollout, pausedAt: 3 }) })?.promotion).to.deep.equal({ through: 3 });
    expect(intentFromTags({ ...tags, ...intentToTags({ ...rollout, release: "r43" }) })?.promotion).to.equal(undefined);
    // Bad values of the new fields block like any other.
    for (const bad of [{ a: "yes" }, { p: -1 }, { p: "2" }]) {
      expect(() => intentFromTags({ [RELEASE_RECORD_TAG]: JSON.stringify({ ...JSON.parse(written[RELEASE_RECORD_TAG]!), ...bad }) })).to.throw(ReleaseRecordError);
    }
  });

  it("keeps room in a rollout's record for the paused step it may add later", () => {
    const rollout: ReleaseIntent = { release: "r42", image: "", mode: "rollout", blueRelease: "r41", keepFailed: false, startedAt: intent.startedAt };
    const room = MAX_TAG_VALUE - Buffer.byteLength(intentToTags({ ...rollout, image: "x" })[RELEASE_RECORD_TAG]!) + 1;
    const image = `cr.azurecr.io/${"a".repeat(room - 8 - "cr.azurecr.io/".length)}`;
    // Fits now, with the paused step still to come, and still fits once paused.
    const start = intentToTags({ ...rollout, image })[RELEASE_RECORD_TAG]!;
    expect(Buffer.byteLength(intentToTags({ ...rollout, image, pausedAt: 999 })[RELEASE_RECORD_TAG]!)).to.be.at.most(MAX_TAG_VALUE);
    expect(Buffer.byteLength(start)).to.be.at.most(MAX_TAG_VALUE);
    expect(() => intentToTags({ ...rollout, image: image + "a" })).to.throw(InputError);
  });

  it("blocks on a record it cannot read whole, with a message, never a guess", () => {
    const whole = JSON.parse(intentToTags(intent)[RELEASE_RECORD_TAG]!) as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ['{"v":1,"r":"r42","i":"img:1","m":"rollout"', /unreadable: not JSON/],
      ["[1,2]", /unreadable: not a JSON object/],
      [JSON.stringify({ ...whole, v: undefined }), /unreadable: no schema version/],
      [JSON.stringify({ ...whole, b: undefined }), /unreadable: blue release missing/],
      [JSON.stringify({ ...whole, m: "sideways" }), /unreadable: unknown mode "sideways"/],
      [JSON.stringify({ ...whole, k: "yes" }), /unreadable: keep-failed missing/],
      [JSON.stringify({ ...whole, t: "yesterday" }), /unreadable: start time "yesterday" is not a date/],
      [JSON.stringify({ ...whole, i: "" }), /unreadable: image missing/],
      [JSON.stringify({ ...whole, v: 2 }), /has schema version 2, written by a newer contoso \(this one reads up to 1\): upgrade contoso/],
    ];
    for (const [value, message] of cases) {
      expect(() => intentFromTags({ [RELEASE_RECORD_TAG]: value }, "prod-global"), value).to.throw(ReleaseRecordError, message);
    }
    expect(() => intentFromTags({ [RELEASE_RECORD_TAG]: "garbage" }, "prod-global")).to.throw(/on prod-global \(tag contoso:release-record\).*nothing was changed/);
  });

  it("blocks on a release recorded by an older driver as separate tags (it cannot be proven whole), and ignores a cleared one", () => {
    // The crash the old format allowed: mode written, blue still "none" from the previous release's clearing.
    const halfWritten = {
      "contoso:release-target": "r2",
      "contoso:release-image": "cr.azurecr.io/shop-api:r2",
      "contoso:release-mode": "rollout",
      "contoso:release-blue": "none",
    };
    expect(() => intentFromTags(halfWritten, "prod-global")).to.throw(ReleaseRecordError, /recorded by an older contoso as separate tags/);
    expect(intentFromTags({ "contoso:release-target": "none", "contoso:release-mode": "none" })).to.equal(null);
  });

  it("reads gate verdicts; anything else is pending", () => {
    expect(gateFromTags({ "contoso:gate": "passed" })).to.equal("passed");
    expect(gateFromTags({ "contoso:gate": "failed" })).to.equal("failed");
    expect(gateFromTags({ "contoso:gate": "maybe" })).to.equal("pending");
  });
});
