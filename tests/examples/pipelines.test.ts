import { expect } from "chai";
import type { Command, Option } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { parseDocument } from "yaml";
import { buildProgram } from "../../automation/cli/main.js";
import { REPO } from "../automation/cli-harness.js";

/**
 * The example pipelines: valid YAML, scripts that stop at the first failing command, and every
 * `contoso` command and flag they call exists in the CLI (checked against the commander program
 * itself, so a renamed command or flag fails here, not in someone's pipeline).
 */
const DIR = path.join(REPO, "examples", "pipelines");
const files = readdirSync(DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yml")).sort();

/** Keys whose string values are shell scripts (GitHub `run`, Azure `script`, `bash`, `inlineScript`). */
const SCRIPT_KEYS = new Set(["run", "script", "bash", "inlineScript"]);

function scriptsOf(node: unknown, key = ""): string[] {
  if (typeof node === "string") return SCRIPT_KEYS.has(key) ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((n) => scriptsOf(n, key));
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => scriptsOf(v, k));
  return [];
}

/** The words of each `contoso ...` call in a script, up to the end of that command (a pipe, redirection, `)`, `;`, `&&`, `||`). */
export function contosoCalls(script: string): string[][] {
  const text = script.replace(/\\\n\s*/g, " ");
  const calls: string[][] = [];
  for (const match of text.matchAll(/(?:^|[\s(])(?:npx\s+)?contoso\s/g)) {
    const words: string[] = [];
    let i = match.index + match[0].length;
    let word = "";
    let quote: string | undefined;
    const flush = () => {
      if (word !== "") words.push(word);
      word = "";
    };
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
        else word += c;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        continue;
      }
      if (c === "\n" || c === "|" || c === ">" || c === ")" || c === ";" || c === "&" || c === "#") break;
      if (/\s/.test(c)) flush();
      else word += c;
    }
    flush();
    calls.push(words);
  }
  return calls;
}

function program(): Command {
  const sink = new PassThrough();
  return buildProgram({ env: {}, stdout: sink, stderr: sink, signal: new AbortController().signal });
}

function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

/** Checks one call against the CLI: a problem, or undefined when it exists with every flag. */
export function checkCall(root: Command, words: string[]): string | undefined {
  let command = root;
  const path: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("-")) {
      const [flag, inline] = word.split("=", 2) as [string, string | undefined];
      const option = findOption(command, flag);
      if (!option) return `contoso ${[...path, flag].join(" ")}: no such option`;
      if ((option.required || option.optional) && inline === undefined) i++;
      continue;
    }
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      command = sub;
      path.push(word);
      continue;
    }
    return `contoso ${[...path, word].join(" ")}: no such command (nor an argument: ${path.join(" ") || "contoso"} takes none)`;
  }
  if (command.commands.length > 0) return `contoso ${path.join(" ")}: a command group, not a command`;
  const missing = command.options.filter((o) => o.mandatory && !words.includes(o.long!)).map((o) => o.long);
  if (missing.length > 0) return `contoso ${path.join(" ")}: missing ${missing.join(", ")}`;
  return undefined;
}

describe("example pipelines", function () {
  const root = program();

  it("are all listed in examples/pipelines/README.md, and the README lists no file that is not there", () => {
    const readme = readFileSync(path.join(DIR, "README.md"), "utf8");
    const listed = [...readme.matchAll(/`((?:github|azure)\/[\w-]+\.yml)`/g)].map((m) => m[1]!).sort();
    expect([...new Set(listed)]).to.deep.equal(files);
  });

  for (const file of files) {
    describe(file, () => {
      const text = readFileSync(path.join(DIR, file), "utf8");
      const doc = parseDocument(text, { prettyErrors: true, strict: true, uniqueKeys: true });
      const scripts = () => scriptsOf(doc.toJS());

      it("is valid YAML (no errors, no warnings, no duplicate keys)", () => {
        expect(doc.errors.map(String)).to.deep.equal([]);
        expect(doc.warnings.map(String)).to.deep.equal([]);
        expect(doc.toJS()).to.be.an("object");
      });

      it("calls only contoso commands and flags that exist, with their required options", () => {
        const calls = scripts().flatMap(contosoCalls);
        expect(calls.length, "calls contoso").to.be.greaterThan(0);
        expect(calls.map((c) => checkCall(root, c)).filter(Boolean)).to.deep.equal([]);
      });

      it("runs every multi-line script with set -euo pipefail first, and GitHub steps in bash (-eo pipefail)", () => {
        for (const script of scripts().filter((s) => s.trim().includes("\n"))) {
          const first = script.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#"));
          expect(first, script).to.equal("set -euo pipefail");
        }
        const js = doc.toJS() as { jobs?: unknown; defaults?: { run?: { shell?: string } } };
        if (js.jobs && file.startsWith("github/")) expect(js.defaults?.run?.shell).to.equal("bash");
      });

      it("tells nothing to destroy from a failure: env down only with --missing-ok, its exit 6 handled", () => {
        const downs = scripts().flatMap(contosoCalls).filter((c) => c[0] === "env" && c[1] === "down");
        for (const call of downs) expect(call).to.include("--missing-ok");
        if (downs.length > 0) expect(scripts().join("\n")).to.match(/6\) echo .*nothing to destroy/);
        expect(text).not.to.match(/-eq 2/);
      });
    });
  }

  const callsIn = (file: string) => scriptsOf(parseDocument(readFileSync(path.join(DIR, file), "utf8")).toJS()).flatMap(contosoCalls).map((c) => c.filter((w) => w !== "--json").join(" "));

  it("the pull-request pipelines build the pull request's image and release it into dev-pr<number>", () => {
    for (const file of ["github/pr-environment.yml", "azure/pr-environment.yml"]) {
      const calls = callsIn(file);
      expect(calls.some((c) => /^image build --env dev-\$ENV_NAME --release \$RELEASE$/.test(c)), file).to.equal(true);
      expect(calls.some((c) => /^release start --env dev-\$ENV_NAME --release \$RELEASE --image \$(IMAGE|image)$/.test(c)), file).to.equal(true);
      expect(calls.some((c) => /^env up --name \$ENV_NAME --release \$RELEASE --image \$(IMAGE|image)$/.test(c)), file).to.equal(true);
    }
    // The number, never Azure Pipelines' internal pull request id, names the environment.
    expect(readFileSync(path.join(DIR, "github/pr-environment.yml"), "utf8")).to.contain("ENV_NAME: pr${{ github.event.pull_request.number }}");
    const azure = readFileSync(path.join(DIR, "azure/pr-environment.yml"), "utf8");
    expect(azure).to.contain('number="${SYSTEM_PULLREQUEST_PULLREQUESTNUMBER:-${SYSTEM_PULLREQUEST_PULLREQUESTID:-}}"');
    expect(azure).not.to.match(/pr\$\(System\.PullRequest\.PullRequestId\)/);
  });

  it("the release pipelines build once (staging's registry), release to staging, import the same image into prod, release to prod", () => {
    for (const file of ["github/release.yml", "azure/release.yml"]) {
      const calls = callsIn(file);
      const builds = calls.filter((c) => c.startsWith("image build"));
      expect(builds, file).to.deep.equal(["image build --env staging --release $RELEASE"]);
      const order = ["release start --env staging", "image import --env prod --from staging", "release start --env prod"].map((p) => calls.findIndex((c) => c.startsWith(p)));
      expect(order.every((i) => i >= 0), `${file}: ${calls.join(" / ")}`).to.equal(true);
      expect(order, file).to.deep.equal([...order].sort((a, b) => a - b));
    }
  });

  describe("the checker itself", () => {
    it("finds calls inside $(...), after pipes and across continuation lines", () => {
      expect(contosoCalls('x="$(npx contoso --json image build --env prod --release "$R" | jq -r .image)"\nnpx contoso env down \\\n  --name a --missing-ok || code=$?')).to.deep.equal([
        ["--json", "image", "build", "--env", "prod", "--release", "$R"],
        ["env", "down", "--name", "a", "--missing-ok"],
      ]);
    });
    it("refuses unknown commands, unknown flags, missing required options and groups", () => {
      expect(checkCall(root, ["env", "teardown"])).to.match(/no such command/);
      expect(checkCall(root, ["env", "down", "--name", "x", "--force"])).to.match(/--force: no such option/);
      expect(checkCall(root, ["release", "start", "--env", "prod", "--release", "r1"])).to.match(/missing --image/);
      expect(checkCall(root, ["image"])).to.match(/a command group/);
      expect(checkCall(root, ["--json", "image", "build", "--env", "prod", "--release", "r1"])).to.equal(undefined);
    });
  });
});
