import { expect } from "chai";
import { formatDuration, parseDuration, tryParseDuration } from "../../environments/duration.js";
import { readableDuration } from "../../automation/text/readable-duration.js";

describe("durations", () => {
  it("parses single and combined units", () => {
    expect(parseDuration("250ms")).to.equal(250);
    expect(parseDuration("30s")).to.equal(30_000);
    expect(parseDuration("1h30m")).to.equal(5_400_000);
    expect(parseDuration("7d")).to.equal(604_800_000);
    expect(parseDuration("0.5s")).to.equal(500);
  });
  it("refuses negatives, bare numbers and unknown units", () => {
    expect(tryParseDuration("-5m")).to.have.property("error").that.matches(/negative/);
    expect(tryParseDuration("15")).to.have.property("error");
    expect(tryParseDuration("3w")).to.have.property("error");
    expect(() => parseDuration("", "--ttl")).to.throw(/--ttl must be a duration/);
  });
  it("formats back to the shortest form", () => {
    expect(formatDuration(5_400_000)).to.equal("1h30m");
    expect(formatDuration(400)).to.equal("400ms");
    expect(formatDuration(0)).to.equal("0ms");
  });

  it("readableDuration shows the two largest units for people", () => {
    expect(readableDuration(6 * 86_400_000 + 23 * 3_600_000 + 55 * 60_000 + 56_000)).to.equal("6d 23h");
    expect(readableDuration(5_400_000)).to.equal("1h 30m");
    expect(readableDuration(45_000)).to.equal("45s");
    expect(readableDuration(400)).to.equal("400ms");
  });
});
