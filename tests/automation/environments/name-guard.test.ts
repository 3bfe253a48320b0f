import { expect } from "chai";
import { checkDownOwner, checkNewName, defaultPersonalName, editDistance } from "../../../automation/environments/name-guard.js";

describe("personal environment name guards", () => {
  it("derives the default name from the owner's login", () => {
    expect(defaultPersonalName("alice")).to.equal("dev-alice");
    expect(defaultPersonalName("Alice.Smith@contoso.com")).to.equal("dev-alicesmi");
    expect(defaultPersonalName("42bob")).to.equal("dev-bob");
    expect(() => defaultPersonalName("1234")).to.throw(/pass --name/);
  });

  it("counts a swap of two neighbouring letters as one edit", () => {
    expect(editDistance("dev-alice", "dev-alcie")).to.equal(1);
    expect(editDistance("dev-alice", "dev-alic")).to.equal(1);
    expect(editDistance("dev-alice", "dev-alicex")).to.equal(1);
    expect(editDistance("dev-alice", "dev-alixe")).to.equal(1);
    expect(editDistance("dev-alice", "dev-bob")).to.equal(5);
    expect(editDistance("dev-alice", "dev-alice")).to.equal(0);
  });

  it("asks for --new when a new name is one edit from an environment of the same owner", () => {
    const existing = [{ env: "dev-alice", owner: "alice" }, { env: "dev-bob", owner: "bob" }];
    expect(() => checkNewName("dev-alcie", "alice", existing, false)).to.throw(/dev-alcie does not exist, but alice has dev-alice, one letter away: .* add --new/);
    expect(() => checkNewName("dev-alcie", "alice", existing, true)).not.to.throw();
    // Updating the existing one, another owner's near name, or a name two edits away are fine.
    expect(() => checkNewName("dev-alice", "alice", existing, false)).not.to.throw();
    expect(() => checkNewName("dev-bon", "alice", existing, false)).not.to.throw();
    expect(() => checkNewName("dev-alxxe", "alice", existing, false)).not.to.throw();
  });

  it("env down of someone else's environment needs --confirm with its full name", () => {
    expect(() => checkDownOwner("dev-bob", "bob", "alice", undefined)).to.throw(/dev-bob belongs to bob, not alice: to destroy it anyway, add --confirm dev-bob/);
    expect(() => checkDownOwner("dev-bob", "bob", "alice", "bob")).to.throw(/--confirm "bob" does not match the environment dev-bob/);
    expect(() => checkDownOwner("dev-bob", "bob", "alice", "dev-bob")).not.to.throw();
    expect(() => checkDownOwner("dev-alice", "alice", "alice", undefined)).not.to.throw();
  });
});
