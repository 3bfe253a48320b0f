import { expect } from "chai";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { InputError } from "../../../environments/errors.js";
import { checkRehearsalDir, freshRehearsalDir, REHEARSAL_MARKER } from "../../../automation/release/rehearsal-folder.js";
import { cleanEnv, REPO, runCli, tempDir } from "../cli-harness.js";

/** Issue 13: `contoso rehearse --state-dir X` wipes X only when it is a rehearsal folder it made. */
describe("rehearsal folder (automation/release/rehearsal-folder.ts)", function () {
  this.timeout(60_000);

  it("a new folder is made and marked; marked, it is wiped by the next rehearsal", async () => {
    const dir = path.join(tempDir("rehearse"), "state");
    await freshRehearsalDir(dir, [REPO]);
    expect(readdirSync(dir)).to.deep.equal([REHEARSAL_MARKER]);
    writeFileSync(path.join(dir, "stacks.json"), "{}");
    await freshRehearsalDir(dir, [REPO]);
    expect(readdirSync(dir)).to.deep.equal([REHEARSAL_MARKER]);
  });

  it("a folder with files and no marker is refused and left alone", async () => {
    const dir = tempDir("not-rehearsal");
    writeFileSync(path.join(dir, "precious.txt"), "keep me");
    let err: unknown;
    await freshRehearsalDir(dir, [REPO]).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(InputError);
    expect((err as Error).message).to.match(/is not a rehearsal folder \(no \.contoso-rehearsal marker from contoso rehearse in it\), so it was left alone/);
    expect(readdirSync(dir)).to.deep.equal(["precious.txt"]);
  });

  it("the checkout, or any folder holding it, is refused even with a marker in it", () => {
    const parent = tempDir("holder");
    const checkout = path.join(parent, "checkout");
    mkdirSync(checkout);
    writeFileSync(path.join(parent, REHEARSAL_MARKER), "made by contoso rehearse: this whole folder is wiped by the next rehearsal\n");
    expect(() => checkRehearsalDir(parent, [checkout])).to.throw(InputError, /holds the folder .*checkout: a rehearsal wipes its folder/);
    expect(() => checkRehearsalDir(checkout, [checkout])).to.throw(InputError);
    expect(() => checkRehearsalDir("/", [checkout])).to.throw(InputError);
  });

  it("contoso rehearse --state-dir . exits 2 with one line and deletes nothing of the checkout", async () => {
    const before = readdirSync(REPO).sort();
    const run = await runCli(["rehearse", "--state-dir", "."], cleanEnv());
    expect(run.code, run.stderr).to.equal(2);
    expect(run.errLines).to.deep.equal([`error: --state-dir "." holds ${REPO}: a rehearsal wipes its folder, so give it a folder of its own (e.g. .contoso/rehearsal)`]);
    expect(readdirSync(REPO).sort()).to.deep.equal(before);
    expect(existsSync(path.join(REPO, "package.json"))).to.equal(true);
  });
});
