import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO } from "../cli-harness.js";
import { cliEntryArgs } from "../../setup/cli-build.js";
import { envFor, image, runCli, runStreaming, worldWithR1, type JsonEvent } from "../release/e2e/release-harness.js";

/**
 * `contoso dashboard` in a real headless Chromium (Debian's package, driven by playwright-core; no
 * browser download): the page loads, shows the traffic split, and changes live (server-sent events,
 * no reload) when a release moves: r1 at 100 %, then r2 paused at 50 %, then r2 at 100 % once promoted.
 */
const CHROMIUM = process.env["CONTOSO_CHROMIUM"] ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

describe("contoso dashboard in a headless browser", function () {
  this.timeout(300_000);
  let dashboard: ChildProcess | undefined;
  let browser: Browser | undefined;

  before(function () {
    // Like the Redis tests' redis-server: provision Debian's chromium, or fail saying how.
    const provisioned = spawnSync("sh", [path.join(REPO, "scripts", "provision-chromium.sh")], { encoding: "utf8", env: { ...process.env, CONTOSO_CHROMIUM: CHROMIUM } });
    if (provisioned.status !== 0) {
      throw new Error(`chromium is needed at ${CHROMIUM}: ${provisioned.stderr.trim() || "scripts/provision-chromium.sh failed"} (apt-get install chromium, or set CONTOSO_CHROMIUM)`);
    }
  });

  after(async () => {
    await browser?.close();
    if (dashboard && dashboard.exitCode === null) {
      const exited = new Promise((r) => dashboard!.once("exit", r));
      dashboard.kill("SIGTERM");
      await exited;
    }
  });

  /** The split the page shows: "<region> <release>=<percent>" for every bar segment. */
  const splitShown = (page: Page) =>
    page.$$eval('section[data-env="prod"] .split span', (spans) =>
      spans.map((s) => `${s.parentElement!.getAttribute("data-region")} ${s.getAttribute("data-release")}=${s.getAttribute("data-percent")}`).sort(),
    );
  const expectSplit = async (page: Page, want: string[]) => {
    // A page expression (runs in the browser): the split shown equals the one wanted.
    await page.waitForFunction(
      `JSON.stringify([...document.querySelectorAll('section[data-env="prod"] .split span')]
        .map((s) => s.parentElement.getAttribute("data-region") + " " + s.getAttribute("data-release") + "=" + s.getAttribute("data-percent"))
        .sort()) === ${JSON.stringify(JSON.stringify([...want].sort()))}`,
      undefined,
      { timeout: 120_000 },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; the page shows ${JSON.stringify(await splitShown(page))}`);
    });
  };
  const regions = ["westeurope", "northeurope", "swedencentral"];

  it("loads, shows the split and each stamp's health, and follows a release live", async () => {
    const dir = await worldWithR1("dashboard");
    const env = envFor(dir);
    dashboard = spawn(process.execPath, [...cliEntryArgs(), "--offline", "dashboard", "--env", "prod"], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: dashboard!.stdout! }).on("line", (line) => {
        const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
        if (m) resolve(m[1]!);
      });
      dashboard!.once("exit", (code) => reject(new Error(`the dashboard exited ${code}`)));
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.title()).to.equal("Contoso Shoes releases");
    await expectSplit(page, regions.map((r) => `${r} r1=100`));
    await page.waitForSelector('tr[data-stamp="prod-weu-r1"][data-health="Healthy"] td[data-component="cosmos"]');
    expect(await page.textContent('section[data-env="prod"] .phase')).to.equal("idle");

    let paused = false;
    const run = await runStreaming(["release", "start", "--env", "prod", "--release", "r2", "--image", image("r2")], env, async (e: JsonEvent) => {
      if (e.type !== "action" || e.action?.kind !== "pause" || paused) return;
      paused = true;
      // Paused at 50 %: the same page, without a reload, shows both releases in every region.
      await expectSplit(page, regions.flatMap((r) => [`${r} r1=50`, `${r} r2=50`]));
      await page.waitForSelector('section[data-env="prod"][data-phase="paused (waiting for release promote)"]', { timeout: 60_000 });
      const promoted = await runCli(["release", "promote", "--env", "prod"], env);
      expect(promoted.code, promoted.stderr).to.equal(0);
    });
    expect(paused).to.equal(true);
    expect(run.code, run.stderr).to.equal(0);
    await expectSplit(page, regions.map((r) => `${r} r2=100`));
    await page.waitForSelector('section[data-env="prod"][data-live="r2"][data-phase="idle"]', { timeout: 60_000 });
    const timeline = await page.$$eval('section[data-env="prod"] ol.timeline li', (lis) => lis.map((li) => li.textContent ?? ""));
    expect(timeline.some((t) => t.includes("paused (waiting for release promote) r2 50%")), timeline.join(" / ")).to.equal(true);
  });
});
