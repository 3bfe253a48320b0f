import { expect } from "chai";
import { intentFromTags, intentToTags, MAX_TAG_VALUE, ReleaseRecordError } from "../../../automation/release/intent-tags.js";
import { RETENTION_TAG, retentionFromTags, retentionToTags, windowOpen } from "../../../automation/release/retention-tag.js";

/** The undo window's record (a companion tag of the release record) and the undo mode of the record itself. */
describe("blue retention record (contoso:blue-retention)", () => {
  const retention = { release: "r1", from: "r2", until: "2026-12-02T15:00:00.000Z" };

  it("round-trips, is cleared as none, and fits a tag value with the longest release ids", () => {
    const tags = retentionToTags(retention);
    expect(tags[RETENTION_TAG]).to.equal('{"v":1,"r":"r1","f":"r2","u":"2026-12-02T15:00:00.000Z"}');
    expect(retentionFromTags(tags)).to.deep.equal(retention);
    expect(retentionToTags(null)).to.deep.equal({ [RETENTION_TAG]: "none" });
    expect(retentionFromTags({ [RETENTION_TAG]: "none" })).to.equal(null);
    expect(retentionFromTags({})).to.equal(null);
    expect(Buffer.byteLength(retentionToTags({ release: "abcdefgh", from: "zbcdefgh", until: retention.until })[RETENTION_TAG]!)).to.be.below(MAX_TAG_VALUE);
  });

  it("refuses, naming the stack, a record it cannot read whole", () => {
    const cases: [string, RegExp][] = [
      ["{", /unreadable: not JSON/],
      ["[]", /not a JSON object/],
      [JSON.stringify({ r: "r1", f: "r2", u: retention.until }), /no schema version/],
      [JSON.stringify({ v: 2, r: "r1", f: "r2", u: retention.until }), /schema version 2, written by a newer contoso/],
      [JSON.stringify({ v: 1, f: "r2", u: retention.until }), /retained release missing/],
      [JSON.stringify({ v: 1, r: "r1", u: retention.until }), /promoted release missing/],
      [JSON.stringify({ v: 1, r: "r1", f: "r2", u: "soon" }), /end of the window "soon" is not a date/],
      [JSON.stringify({ v: 1, r: "r1", f: "r1", u: retention.until }), /cannot retain itself/],
    ];
    for (const [value, why] of cases) {
      expect(() => retentionFromTags({ [RETENTION_TAG]: value }, "prod-global"), value).to.throw(ReleaseRecordError, why).with.property("message").that.contains("prod-global");
    }
  });

  it("the window is open until, not at, its end", () => {
    const end = Date.parse(retention.until);
    expect([windowOpen(retention, new Date(end - 1)), windowOpen(retention, new Date(end)), windowOpen(retention, new Date(end + 1))]).to.deep.equal([true, false, false]);
  });

  it("an undo is a mode of the release record", () => {
    const undo = { release: "r2", image: "cr.example/shop-api:r1", mode: "undo" as const, blueRelease: "r1", keepFailed: false, startedAt: "2026-12-02T14:00:00.000Z" };
    expect(intentFromTags(intentToTags(undo))).to.deep.equal(undo);
  });
});
