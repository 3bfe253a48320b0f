import { expect } from "chai";
import { renderTable } from "../../../automation/text/table.js";

describe("renderTable", () => {
  const headers = ["STACK", "RELEASE", "WEIGHT"];
  const rows = [
    ["prod-weu-r1", "r1", "1000"],
    ["prod-swedencentral-with-a-long-name-r12", "r12", "500"],
  ];

  it("aligns every column after a long cell (as wide as the content without a width)", () => {
    const lines = renderTable(headers, rows).split("\n");
    expect(lines).to.have.length(3);
    const at = lines[0]!.indexOf("RELEASE");
    expect(at).to.equal("prod-swedencentral-with-a-long-name-r12".length + 2);
    for (const line of lines.slice(1)) expect(line.slice(at).split(/\s+/)[0]).to.match(/^r\d+$/);
  });

  it("fits a terminal's width by wrapping the widest column, keeping the others aligned", () => {
    const lines = renderTable(headers, rows, { width: 40 }).split("\n");
    for (const line of lines) expect(line.length).to.be.at.most(40);
    const at = lines[0]!.indexOf("RELEASE");
    const releases = lines.map((l) => l.slice(at, at + 7).trim()).filter((c) => c !== "");
    expect(releases).to.deep.equal(["RELEASE", "r1", "r12"]);
    expect(lines.join("")).to.contain("prod-swedencentral");
  });

  it("escapes control characters in cells", () => {
    expect(renderTable(["A"], [["x\u001b[31my\nz"]])).to.contain("x\\x1b[31my\\x0az");
  });
});
