import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { leakedAfterGrace, leakedSince, snapshot } from "./open-handles.js";

/** The leak check the root hooks run after every test file: it must see, and name, what a test leaves open. */
describe("open-handle check (tests/setup/open-handles.ts)", function () {
  it("names a server left listening, and sees nothing once it is closed", async () => {
    const before = snapshot();
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const leaked = leakedSince(before);
    server.close();
    expect(leaked.join("; ")).to.contain("TCPServerWrap").and.contain(`a server listening on 127.0.0.1:${port}`);
    expect(await leakedAfterGrace(before, 1_000)).to.deep.equal([]);
  });

  it("names a ref'd timer by its callback, and ignores an unref'd one", async () => {
    const before = snapshot();
    const unrefd = setTimeout(() => undefined, 60_000).unref();
    expect(leakedSince(before)).to.deep.equal([]);
    const timer = setTimeout(function pollTheWorld() {}, 60_000);
    const leaked = leakedSince(before);
    clearTimeout(timer);
    clearTimeout(unrefd);
    expect(leaked.join("; ")).to.contain("a 60000 ms timer (pollTheWorld)");
    expect(leakedSince(before)).to.deep.equal([]);
  });

  it("names a child process still running", async () => {
    const before = snapshot();
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    const leaked = leakedSince(before);
    child.kill();
    await once(child, "close");
    expect(leaked.join("; ")).to.contain(`child process ${child.pid}`);
    expect(await leakedAfterGrace(before, 1_000)).to.deep.equal([]);
  });
});
