// A stand-in `pulumi` CLI for tests, put on PATH only by tests (tests/automation/engine/fake-pulumi/pulumi).
//
// It answers the commands the Automation API's LocalWorkspace sends (node_modules/@pulumi/pulumi/automation:
// localWorkspace.js, stack.js, interface/index.js, cmd.js), keeping state in a self-managed ("DIY")
// backend folder laid out as pulumi/pulumi pkg/backend/diy does:
//   <backend>/.pulumi/stacks/<project>/<stack>.json          checkpoint (store.go StackBasePath + ".json")
//   <backend>/.pulumi/stacks/<project>/<stack>.pulumi-tags   {"version":1,"tags":{...}} (stack_tags.go)
//   <backend>/.pulumi/locks/organization/<project>/<stack>/<uuid>.json  {pid,username,hostname,timestamp} (lock.go)
// Error texts and exit codes follow pulumi/pulumi: errors go to stderr as "error: <message>" and exit
// with cmdutil.ExitCodeError = 1 (sdk/go/common/util/cmdutil/exit.go).
//
// `up` runs the inline program for real: LocalWorkspace starts a LanguageRuntime gRPC server in the
// driver and passes `--client=127.0.0.1:<port>` (automation/stack.js); this fake starts a
// ResourceMonitor and an Engine gRPC server, calls LanguageRuntime.Run with their addresses, and
// answers each RegisterResource with what the offline engine's Azure model computes
// (automation/offline/azure-mocks.ts). Engine events are streamed to `--event-log tcp://...`
// (EventsService, used by CLIs newer than 3.205, automation/stack.js setupEventLog).
//
// NOT simulated: providers and Azure itself (no resource is created anywhere, no diff: every `up`
// registers every resource again), previews, the secrets provider (secrets are kept in plain text),
// history paging beyond "newest first".
//
// Control (env FAKE_PULUMI_CONTROL = path of a JSON file, read on every call):
//   crashAtCall: n     the n-th CLI call (counted across processes) dies: SIGKILLs the driver (its
//                      parent) and itself before doing anything, as a crash between two CLI calls
//   crashMidwayAt: n   the n-th call, if it is an `up`, dies after its first resource registration,
//                      leaving the pending operation and its lock file behind
//   slowMs: n          every call waits n ms first
//   sigintGraceMs: n   an `up` that gets SIGINT keeps running n ms (in-flight operations) before it stops
//   upHoldMs: n        every `up` waits n ms after registering its resources (to be caught mid-flight)
// FAKE_PULUMI_VERSION sets what `pulumi version` prints (default v3.211.0).
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../../..");
const require = createRequire(path.join(repo, "package.json"));

const argv = process.argv.slice(2).filter((a) => a !== "--non-interactive");
const env = process.env;
const PROJECT = "contoso-shoes";

// ---- output helpers ------------------------------------------------------------------------------
function fail(message, code = 1) {
  // cmdutil: "error: " + message on stderr, exit 1 (sdk/go/common/util/cmdutil/exit.go ExitCodeError).
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}
const out = (text) => process.stdout.write(text);
const flag = (name) => {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
};
const has = (name) => argv.includes(name);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the backend ---------------------------------------------------------------------------------
function backendRoot() {
  const url = env.PULUMI_BACKEND_URL;
  if (!url || !url.startsWith("file://")) fail("the fake pulumi CLI only models file:// backends (PULUMI_BACKEND_URL)");
  return fileURLToPath(url);
}
const root = process.argv[2] === "version" ? "" : backendRoot();
const stacksDir = path.join(root, ".pulumi", "stacks", PROJECT);
const locksDir = (stack) => path.join(root, ".pulumi", "locks", "organization", PROJECT, stack);
const checkpointPath = (stack) => path.join(stacksDir, `${stack}.json`);
const tagsPath = (stack) => path.join(stacksDir, `${stack}.pulumi-tags`);
const historyPath = (stack) => path.join(root, ".pulumi", "history", PROJECT, stack, "history.json");

function writeAtomic(file, text) {
  // The DIY backend writes each blob whole (gocloud.dev blob WriteAll); a temp file and a rename model that.
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return undefined;
    throw err;
  }
};

/** `org/project/stack`, `project/stack` and `stack` all name the same stack on a DIY backend (diy/store.go ParseReference). */
function bareName(name) {
  const parts = name.split("/");
  if (parts.length === 3 && parts[1] !== PROJECT) fail(`no stack named '${name}' found`);
  return parts[parts.length - 1];
}
const stackArg = () => {
  const s = flag("--stack") ?? flag("-s");
  if (!s) fail("no stack selected; please use `pulumi stack select` to choose one");
  return bareName(s);
};
function loadStack(stack) {
  const cp = readJson(checkpointPath(stack));
  // backenderr.StackNotFoundError: "no stack named '%s' found" (pkg/backend/backenderr/backenderr.go).
  if (!cp) fail(`no stack named '${stack}' found`);
  return cp;
}
const deploymentOf = (cp) => cp.checkpoint.latest ?? { manifest: {}, resources: [] };
function saveDeployment(stack, deployment) {
  writeAtomic(checkpointPath(stack), JSON.stringify({ version: 3, checkpoint: { stack: `organization/${PROJECT}/${stack}`, latest: deployment } }));
}
const readTags = (stack) => readJson(tagsPath(stack))?.tags ?? {};
const stackOutputsOf = (deployment) => deployment.resources?.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {};
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

// ---- locks (pkg/backend/diy/lock.go) -------------------------------------------------------------
function otherLocks(stack, mine) {
  let files = [];
  try {
    files = fs.readdirSync(locksDir(stack)).filter((f) => f.endsWith(".json") && f !== mine);
  } catch {
    return [];
  }
  return files;
}
function lockedError(stack, files) {
  // checkForLock: the exact wording the Automation API matches ("the stack is currently locked by", errors.js).
  let text = `the stack is currently locked by ${files.length} lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.`;
  for (const f of files) {
    const l = readJson(path.join(locksDir(stack), f)) ?? {};
    text += `\n  ${pathToFileURL(path.join(locksDir(stack), f)).href}: created by ${l.username}@${l.hostname} (pid ${l.pid}) at ${l.timestamp}`;
  }
  return text;
}
function lock(stack) {
  const others = otherLocks(stack);
  if (others.length > 0) fail(lockedError(stack, others));
  const id = `${randomUUID()}.json`;
  const content = { pid: process.pid, username: os.userInfo().username, hostname: os.hostname(), timestamp: new Date().toISOString() };
  writeAtomic(path.join(locksDir(stack), id), JSON.stringify(content));
  // Lock() checks again after writing and backs off if someone else wrote meanwhile.
  const after = otherLocks(stack, id);
  if (after.length > 0) {
    fs.rmSync(path.join(locksDir(stack), id), { force: true });
    fail(lockedError(stack, after));
  }
  return () => fs.rmSync(path.join(locksDir(stack), id), { force: true });
}

// ---- control -------------------------------------------------------------------------------------
const control = env.FAKE_PULUMI_CONTROL ? (readJson(env.FAKE_PULUMI_CONTROL) ?? {}) : {};
/** This call's number across every process of the run: the first mkdir that succeeds is ours. */
function callNumber() {
  const dir = path.join(root, ".fake-pulumi", "calls");
  fs.mkdirSync(dir, { recursive: true });
  // Numbers are taken in order, so the first free one is at or after the count of those taken.
  for (let n = fs.readdirSync(dir).length + 1; ; n++) {
    try {
      fs.mkdirSync(path.join(dir, String(n)));
      fs.writeFileSync(path.join(dir, String(n), "argv.json"), JSON.stringify(argv));
      // When it started and ended, so tests can measure how many calls overlapped.
      fs.writeFileSync(path.join(dir, String(n), "start"), String(Date.now()));
      process.on("exit", () => fs.writeFileSync(path.join(dir, String(n), "end"), String(Date.now())));
      return n;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
  }
}
function die() {
  // A crash: the driver (our parent, through `exec` in ./pulumi) and this CLI vanish at once.
  try {
    process.kill(process.ppid, "SIGKILL");
  } catch {}
  process.kill(process.pid, "SIGKILL");
}

// ---- commands ------------------------------------------------------------------------------------
async function main() {
  const [c0, c1, c2] = argv;
  if (c0 === "version") {
    // pkg/cmd/pulumi/version: prints version.Version, e.g. "v3.211.0".
    out(`${env.FAKE_PULUMI_VERSION ?? "v3.211.0"}\n`);
    return;
  }
  const n = callNumber();
  if (control.slowMs) await sleep(control.slowMs);
  if (control.crashAtCall === n) die();
  const midway = control.crashMidwayAt === n;

  if (c0 === "whoami") return out(`${os.userInfo().username}\n`);
  if (c0 === "plugin" && c1 === "ls") return out("[]\n");
  if (c0 === "stack" && c1 === "init") {
    const stack = bareName(c2);
    // backenderr.StackAlreadyExistsError: "stack '%v' already exists".
    if (fs.existsSync(checkpointPath(stack))) fail(`stack '${stack}' already exists`);
    saveDeployment(stack, { manifest: { time: new Date().toISOString() }, resources: [] });
    // diy stack tags: pulumi:project and friends are system tags injected on read (stack_tags.go updateStackTagsFromMetadata).
    return out(`Created stack '${stack}'\n`);
  }
  if (c0 === "stack" && c1 === "select") {
    loadStack(stackArg());
    return;
  }
  if (c0 === "stack" && c1 === "ls") {
    // stack_list.go stackSummaryJSON: name, current, lastUpdate, updateInProgress, resourceCount, url (no tags).
    let files = [];
    try {
      files = fs.readdirSync(stacksDir).filter((f) => f.endsWith(".json"));
    } catch {}
    const list = files.sort().map((f) => {
      const name = f.slice(0, -5);
      const d = deploymentOf(readJson(path.join(stacksDir, f)));
      const hist = readJson(historyPath(name)) ?? [];
      return {
        name: env.FAKE_PULUMI_QUALIFIED_NAMES ? `organization/${PROJECT}/${name}` : name,
        current: false,
        ...(hist[0]?.endTime ? { lastUpdate: hist[0].endTime } : {}),
        updateInProgress: otherLocks(name).length > 0,
        resourceCount: (d.resources ?? []).length,
        url: pathToFileURL(checkpointPath(name)).href,
      };
    });
    return out(JSON.stringify(list, null, 4) + "\n");
  }
  if (c0 === "stack" && c1 === "rm") {
    const stack = bareName(argv.filter((a, i) => i > 1 && !a.startsWith("--"))[0]);
    const d = deploymentOf(loadStack(stack));
    if ((d.resources ?? []).length > 0 && !has("--force")) {
      // pkg/cmd/pulumi/stack/stack_remove.go
      fail(
        `'${stack}' still has resources; removal rejected. Possible actions:\n- Make sure that '${stack}' is the stack that you want to destroy\n- Run \`pulumi destroy\` to delete the resources, then run \`pulumi stack rm\`\n- Run \`pulumi stack rm --force\` to override this error`,
      );
    }
    fs.rmSync(checkpointPath(stack), { force: true });
    // diy: tag files go with their stack (CHANGELOG 3.211.0 "Automatic cleanup of tag files when stacks are deleted").
    fs.rmSync(tagsPath(stack), { force: true });
    fs.rmSync(path.dirname(historyPath(stack)), { recursive: true, force: true });
    return out(`Stack '${stack}' has been removed!\n`);
  }
  if (c0 === "stack" && c1 === "tag") {
    const stack = stackArg();
    loadStack(stack);
    const verb = argv[2];
    if (verb === "ls") return out(JSON.stringify({ "pulumi:project": PROJECT, ...readTags(stack) }, null, 4) + "\n");
    if (verb === "get") {
      const v = readTags(stack)[argv[3]];
      if (v === undefined) fail(`stack tag '${argv[3]}' not found for stack '${stack}'`);
      return out(`${v}\n`);
    }
    if (verb === "set") {
      const tags = readTags(stack);
      tags[argv[3]] = argv[4];
      // One blob write of the whole tags file (diy/stack_tags.go saveStackTags).
      writeAtomic(tagsPath(stack), JSON.stringify({ version: 1, tags }));
      return;
    }
    if (verb === "rm") {
      const tags = readTags(stack);
      delete tags[argv[3]];
      writeAtomic(tagsPath(stack), JSON.stringify({ version: 1, tags }));
      return;
    }
  }
  if (c0 === "config" && c1 === "set-all") {
    const stack = stackArg();
    const file = path.join(process.cwd(), `Pulumi.${stack}.yaml`);
    // Stack config lives in the work dir's Pulumi.<stack>.yaml; JSON is YAML, which keeps this fake small.
    const settings = readJson(file) ?? { config: {} };
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === "--plaintext" || argv[i] === "--secret") {
        const kv = argv[i + 1];
        const eq = kv.indexOf("=");
        let key = kv.slice(0, eq);
        if (!key.includes(":")) key = `${PROJECT}:${key}`;
        settings.config[key] = kv.slice(eq + 1);
      }
    }
    writeAtomic(file, JSON.stringify(settings));
    return;
  }
  if (c0 === "config" && c1 === "rm") {
    const stack = stackArg();
    const file = path.join(process.cwd(), `Pulumi.${stack}.yaml`);
    const settings = readJson(file) ?? { config: {} };
    delete settings.config[argv[2].includes(":") ? argv[2] : `${PROJECT}:${argv[2]}`];
    writeAtomic(file, JSON.stringify(settings));
    return;
  }
  if (c0 === "stack" && c1 === "output") {
    const stack = stackArg();
    const outputs = stackOutputsOf(deploymentOf(loadStack(stack)));
    const show = has("--show-secrets");
    // stack_output.go: secrets print as "[secret]" unless --show-secrets.
    const shown = Object.fromEntries(
      Object.entries(outputs).map(([k, v]) => [k, v && typeof v === "object" && v[SIG_KEY] === SECRET_SIG ? (show ? JSON.parse(v.plaintext) : "[secret]") : v]),
    );
    return out(JSON.stringify(shown, null, 4) + "\n");
  }
  if (c0 === "stack" && c1 === "history") {
    const stack = stackArg();
    loadStack(stack);
    const hist = readJson(historyPath(stack)) ?? [];
    const size = Number(flag("--page-size") ?? hist.length);
    return out(JSON.stringify(hist.slice(0, size), null, 4) + "\n");
  }
  if (c0 === "stack" && c1 === "export") {
    const stack = stackArg();
    // stack_export.go: {"version":3,"deployment":{...}} (apitype.UntypedDeployment).
    return out(JSON.stringify({ version: 3, deployment: deploymentOf(loadStack(stack)) }, null, 4) + "\n");
  }
  if (c0 === "stack" && c1 === "import") {
    const stack = stackArg();
    loadStack(stack);
    const unlock = lock(stack);
    try {
      const doc = JSON.parse(fs.readFileSync(flag("--file"), "utf8"));
      saveDeployment(stack, doc.deployment);
    } finally {
      unlock();
    }
    return out("Import complete.\n");
  }
  if (c0 === "cancel") {
    const stack = stackArg();
    loadStack(stack);
    // diy CancelCurrentUpdate deletes ALL lock files of the stack (pkg/backend/diy/backend.go), live or not.
    fs.rmSync(locksDir(stack), { recursive: true, force: true });
    return out(`The currently running update for '${stack}' has been canceled!\n`);
  }
  if (c0 === "up" || c0 === "destroy" || c0 === "refresh") return operation(c0, midway);
  fail(`unknown command "${argv.join(" ")}" for the fake pulumi`);
}

// ---- up / destroy / refresh --------------------------------------------------------------------
async function operation(kind, midway) {
  const grpc = require("@grpc/grpc-js");
  const stack = stackArg();
  const cp = loadStack(stack);
  const before = deploymentOf(cp);
  let cancelled = false;
  let stopping;
  // The real CLI traps SIGINT from the moment the command starts (pkg/cmd/pulumi cancellation
  // context), so a cancel that lands while the lock is being written never kills it half-way and
  // never leaves a partial lock behind. The handler goes in before anything touches the backend.
  process.on("SIGINT", () => {
    // The CLI's first SIGINT cancels gracefully: in-flight steps finish, the snapshot is saved, the lock released.
    if (cancelled) return;
    cancelled = true;
    process.stderr.write("^C received; cancelling the current operation\n");
    stopping = sleep(control.sigintGraceMs ?? 0);
  });
  const events = await eventStream(flag("--event-log"));
  const unlock = lock(stack);
  const started = Date.now();
  events.send({ preludeEvent: { config: {} } });
  const pending = [...(before.pending_operations ?? [])];
  if (pending.length > 0) {
    // pkg/engine/lifecycletest/testdata/output/TestUpdateShowsWarningWithPendingOperations: the update goes on with a warning.
    events.send({
      diagnosticEvent: {
        message: `Attempting to deploy or update resources with ${pending.length} pending operations from previous deployment.\n`,
        color: "raw",
        severity: "warning",
      },
    });
  }
  const deployment = { manifest: { time: new Date().toISOString() }, resources: [...(before.resources ?? [])], pending_operations: pending };
  const changes = {};
  let error;
  try {
    if (kind === "refresh") {
      // pkg/cmd/pulumi/operations/refresh.go: --clear-pending-creates "Clear all pending creates, dropping
      // them from the state"; without it a non-interactive refresh leaves pending creates alone (only an
      // interactive run offers to fix them). Other pending operations are settled by reading the
      // provider's state (modelled: the state as recorded).
      deployment.pending_operations = has("--clear-pending-creates") ? [] : deployment.pending_operations.filter((op) => op.type === "creating");
    } else if (kind === "destroy") {
      for (const r of [...deployment.resources].reverse()) {
        events.send({ resourcePreEvent: { metadata: { op: "delete", urn: r.urn, type: r.type, old: null, new: null } } });
        changes.delete = (changes.delete ?? 0) + 1;
      }
      deployment.resources = [];
      deployment.pending_operations = [];
    } else {
      const client = flag("--client");
      if (!client) throw new Error("the fake pulumi runs inline programs only (--client)");
      const result = await runProgram(grpc, client, stack, deployment, events, changes, () => {
        if (midway) {
          saveDeployment(stack, deployment);
          die();
        }
      });
      if (result) error = result;
    }
  } catch (err) {
    error = err.message ?? String(err);
  }
  if (stopping) await stopping;
  if (control.upHoldMs && kind === "up") await sleep(control.upHoldMs);
  if (stopping) await stopping;
  // A finished update keeps the pending CREATEs of the previous one and drops the others
  // (pkg/engine/lifecycletest/pulumi_test.go TestUpdateShowsWarningWithPendingOperations:
  // "Assert that CREATE pending operations are retained"): only a refresh clears them.
  if (!error && kind === "up") deployment.pending_operations = pending.filter((op) => op.type === "creating");
  saveDeployment(stack, deployment);
  const result = error ? "failed" : cancelled ? "failed" : "succeeded";
  const hist = readJson(historyPath(stack)) ?? [];
  // stack_history.go updateInfoJSON: version, kind, startTime, message, environment, config, result, endTime, resourceChanges.
  hist.unshift({
    version: hist.length + 1,
    kind: kind === "up" ? "update" : kind,
    startTime: new Date(started).toISOString(),
    message: "",
    environment: { "exec.kind": flag("--exec-kind") ?? "cli" },
    config: {},
    result,
    endTime: new Date().toISOString(),
    resourceChanges: changes,
  });
  writeAtomic(historyPath(stack), JSON.stringify(hist));
  events.send({ summaryEvent: { maybeCorrupt: false, durationSeconds: Math.round((Date.now() - started) / 1000), resourceChanges: changes, PolicyPacks: {} } });
  events.send({ cancelEvent: {} });
  await events.close();
  unlock();
  if (cancelled) fail(`${kind} canceled`);
  if (error) fail(error);
  process.exit(0);
}

/** Engine events to the Automation API's EventsService (automation/stack.js EventsServer), or nowhere. */
async function eventStream(target) {
  if (!target || !target.startsWith("tcp://")) {
    return { send() {}, async close() {} };
  }
  const grpc = require("@grpc/grpc-js");
  const eventsrpc = require("@pulumi/pulumi/proto/events_grpc_pb");
  const eventspb = require("@pulumi/pulumi/proto/events_pb");
  const client = new eventsrpc.EventsClient(target.slice("tcp://".length), grpc.credentials.createInsecure());
  let sequence = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const call = client.streamEvents(() => done());
  return {
    send(event) {
      const req = new eventspb.EventRequest();
      req.setEvent(JSON.stringify({ sequence: sequence++, timestamp: Math.floor(Date.now() / 1000), ...event }));
      call.write(req);
    },
    async close() {
      call.end();
      await Promise.race([finished, sleep(2000)]);
      client.close();
    },
  };
}

/**
 * Runs the inline program: a ResourceMonitor and an Engine server here, LanguageRuntime.Run there.
 * Returns an error message when the program failed.
 */
async function runProgram(grpc, clientAddr, stack, deployment, events, changes, afterFirstResource) {
  const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
  const respb = require("@pulumi/pulumi/proto/resource_pb");
  const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const enginepb = require("@pulumi/pulumi/proto/engine_pb");
  const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
  const langpb = require("@pulumi/pulumi/proto/language_pb");
  const providerpb = require("@pulumi/pulumi/proto/provider_pb");
  const structpb = require("google-protobuf/google/protobuf/struct_pb");
  const emptypb = require("google-protobuf/google/protobuf/empty_pb");
  const rpc = require("@pulumi/pulumi/runtime/rpc");
  // The offline engine's Azure model answers each registration (what Azure would compute).
  const { register } = require("tsx/cjs/api");
  register();
  const mocks = require(path.join(repo, "automation/offline/azure-mocks.ts"));

  const previous = new Map(deployment.resources.map((r) => [r.urn, r]));
  const inflight = new Map();
  const registered = [];
  let rootOutputs;
  let rootUrn;
  let first = true;
  const errors = [];
  const monitor = {
    supportsFeature(call, cb) {
      const res = new respb.SupportsFeatureResponse();
      // The engine supports these features; outputValues stays off as in Pulumi's own mocks (runtime/mocks.js).
      res.setHassupport(call.request.getId() !== "outputValues");
      cb(null, res);
    },
    async invoke(call, cb) {
      try {
        const result = mocks.mockAzureCall({ token: call.request.getTok(), inputs: rpc.deserializeProperties(call.request.getArgs()) });
        const res = new providerpb.InvokeResponse();
        res.setReturn(structpb.Struct.fromJavaScript(await rpc.serializeProperties("", result)));
        cb(null, res);
      } catch (err) {
        cb(err);
      }
    },
    async registerResource(call, cb) {
      try {
        const req = call.request;
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent();
        const qualified = parent && !parent.endsWith("::" + stack) && !parent.includes("pulumi:pulumi:Stack") ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
        const urn = `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
        const inputs = rpc.deserializeProperties(req.getObject());
        let id = "";
        let state = {};
        if (type === "pulumi:pulumi:Stack") {
          rootUrn = urn;
        } else if (req.getCustom()) {
          // A pending CREATE is in the state while the provider works (pkg/resource/deploy/snapshot: PendingOperations).
          const op = previous.has(urn) ? "updating" : "creating";
          inflight.set(urn, { resource: { urn, custom: true, type, inputs }, type: op });
          const r = mocks.mockAzureResource({ type, name, inputs, provider: req.getProvider(), custom: true }, stack);
          id = r.id;
          state = r.state;
        }
        const step = type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:") ? "same" : previous.has(urn) ? "same" : "create";
        events.send({ resourcePreEvent: { metadata: { op: step, urn, type, old: null, new: { urn, type, custom: req.getCustom(), inputs, outputs: {} } } } });
        changes[step] = (changes[step] ?? 0) + 1;
        registered.push(urn);
        const entry = { urn, custom: req.getCustom(), type, ...(id ? { id } : {}), inputs, outputs: state, ...(parent ? { parent } : {}) };
        const i = deployment.resources.findIndex((x) => x.urn === urn);
        if (i >= 0) deployment.resources[i] = entry;
        else deployment.resources.push(entry);
        if (req.getCustom() && type !== "pulumi:pulumi:Stack" && first) {
          first = false;
          // Killed while the provider works on it: the operation stays pending in the saved state.
          deployment.pending_operations = [...deployment.pending_operations, ...inflight.values()];
          afterFirstResource();
        }
        inflight.delete(urn);
        const res = new respb.RegisterResourceResponse();
        res.setUrn(urn);
        res.setId(id);
        res.setObject(structpb.Struct.fromJavaScript(await rpc.serializeProperties("", state)));
        cb(null, res);
      } catch (err) {
        cb(err);
      }
    },
    registerResourceOutputs(call, cb) {
      const req = call.request;
      if (req.getUrn() === rootUrn) rootOutputs = req.getOutputs();
      cb(null, new emptypb.Empty());
    },
    readResource(call, cb) {
      cb({ code: grpc.status.UNIMPLEMENTED, message: "readResource is not simulated by the fake pulumi" });
    },
    call(call, cb) {
      cb({ code: grpc.status.UNIMPLEMENTED, message: "call is not simulated by the fake pulumi" });
    },
    registerPackage(call, cb) {
      const res = new respb.RegisterPackageResponse();
      res.setRef(randomUUID());
      cb(null, res);
    },
  };
  let rootResource = "";
  const engine = {
    log(call, cb) {
      const req = call.request;
      const severity = ["debug", "info", "warning", "error"][req.getSeverity()] ?? "info";
      if (severity === "error") errors.push(req.getMessage());
      if (severity !== "debug") events.send({ diagnosticEvent: { urn: req.getUrn(), message: req.getMessage() + "\n", color: "raw", severity } });
      cb(null, new emptypb.Empty());
    },
    getRootResource(call, cb) {
      const res = new enginepb.GetRootResourceResponse();
      res.setUrn(rootResource);
      cb(null, res);
    },
    setRootResource(call, cb) {
      rootResource = call.request.getUrn();
      cb(null, new enginepb.SetRootResourceResponse());
    },
    startDebugging(call, cb) {
      cb(null, new emptypb.Empty());
    },
    requirePulumiVersion(call, cb) {
      cb(null, enginepb.RequirePulumiVersionResponse ? new enginepb.RequirePulumiVersionResponse() : new emptypb.Empty());
    },
  };
  const server = new grpc.Server();
  server.addService(resrpc.ResourceMonitorService, fillMissing(resrpc.ResourceMonitorService, monitor, grpc));
  server.addService(enginerpc.EngineService, fillMissing(enginerpc.EngineService, engine, grpc));
  const port = await new Promise((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const config = readJson(path.join(process.cwd(), `Pulumi.${stack}.yaml`))?.config ?? {};
  const client = new langrpc.LanguageRuntimeClient(clientAddr, grpc.credentials.createInsecure());
  const req = new langpb.RunRequest();
  req.setProject(PROJECT);
  req.setStack(stack);
  req.setPwd(process.cwd());
  req.setProgram(".");
  // automation/server.js LanguageServer.run takes the engine address from args[0].
  req.setArgsList([`127.0.0.1:${port}`]);
  for (const [k, v] of Object.entries(config)) req.getConfigMap().set(k, v);
  req.setDryrun(false);
  req.setParallel(16);
  req.setMonitorAddress(`127.0.0.1:${port}`);
  req.setOrganization("organization");
  let failure;
  try {
    const res = await new Promise((resolve, reject) => client.run(req, (e, r) => (e ? reject(e) : resolve(r))));
    if (res.getError()) failure = res.getError();
  } catch (err) {
    failure = err.details || err.message;
  } finally {
    client.close();
    server.forceShutdown();
  }
  if (!failure && errors.length > 0) failure = errors.join("; ");
  if (failure) return failure;
  // Resources the program no longer registers are deleted (the engine's delete steps).
  deployment.resources = deployment.resources.filter((r) => registered.includes(r.urn));
  const outputs = rootOutputs ? rpc.deserializeProperties(rootOutputs) : {};
  const stored = {};
  for (const [k, v] of Object.entries(outputs)) {
    stored[k] = rpc.isRpcSecret?.(v) ? { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(rpc.unwrapRpcSecret(v)) } : v;
  }
  const root = deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  if (root) root.outputs = stored;
  return undefined;
}

/** Unimplemented methods answer UNIMPLEMENTED, as a gRPC server without them would. */
function fillMissing(service, impl, grpc) {
  const full = {};
  for (const name of Object.keys(service)) {
    const key = service[name].originalName ?? name;
    full[key] = impl[key] ?? ((call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, message: `${name} is not simulated by the fake pulumi` }));
  }
  return full;
}

main().catch((err) => fail(err?.stack ?? String(err)));
