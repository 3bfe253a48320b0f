import { expect } from "chai";
import { HEALTH_CONTAINER } from "../../global/cosmos-containers.js";
import { APP_SETTING, HEALTH_TUNING_SETTING, LOCAL_SETTING } from "../../stamp/app-settings.js";
import { EXTERNAL_SECRETS } from "../../stamp/key-vault.js";
import { HEALTH_QUEUE } from "../../stamp/messaging.js";
import { HEALTH_ENV, loadHealthConfig } from "../../stamp/health/config.js";
import { prop } from "../harness/pulumi.js";
import { stampArgs, stampRun, T } from "./fixtures.js";

type Setting = { name: string; value: string };

/** Runs the health service's configuration loader over `env` and records every variable it looks at. */
function readsOf(env: Record<string, string>): { read: Set<string>; load: () => ReturnType<typeof loadHealthConfig> } {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key as string];
    },
  });
  return { read, load: () => loadHealthConfig(watched) };
}

/** Settings the health service may read that a stamp deliberately leaves unset (defaults, local emulators, the platform's own). */
const OPTIONAL = new Set<string>([...Object.values(HEALTH_TUNING_SETTING), ...Object.values(LOCAL_SETTING), "PORT"]);

describe("stamp health: every setting the health service needs is set on the web app", function () {
  this.timeout(60_000);

  it("names each setting once, in stamp/app-settings.ts", function () {
    const names = [...Object.values(APP_SETTING), ...Object.values(HEALTH_TUNING_SETTING), ...Object.values(LOCAL_SETTING)];
    expect(new Set(names).size, "a name spelled twice").to.equal(names.length);
    // The health service invents no name of its own.
    for (const name of Object.values(HEALTH_ENV)) expect(names, name).to.include(name);
  });

  for (const envName of ["prod", "dev"] as const) {
    it(`${envName}: the web app's settings start the health service with all five checks against Azure`, async function () {
      const run = await stampRun(envName);
      const args = stampArgs(envName);
      const settings = Object.fromEntries((prop(run.one(T.webApp), "siteConfig.appSettings") as Setting[]).map((s) => [s.name, s.value]));

      // The keys the configuration reads (with every check enabled) against the keys the program sets.
      const { read, load } = readsOf(settings);
      const config = load();
      const required = [...read].filter((k) => !OPTIONAL.has(k));
      expect(required.length, "the scan must see the dependency settings").to.be.at.least(12);
      const unset = required.filter((k) => settings[k] === undefined || settings[k] === "");
      expect(unset, "read by stamp/health/config.ts but not set by the stamp").to.deep.equal([]);

      // Nothing for local emulators reaches Azure: Redis is Entra ID over TLS, the switch a blob URL.
      for (const local of Object.values(LOCAL_SETTING)) expect(settings, local).to.not.have.property(local);
      expect(config.redis).to.deep.equal({ host: run.one(T.redis).outputs["hostName"], port: 10000, tls: true });
      expect(config.serviceBus).to.deep.equal({ fullyQualifiedNamespace: `${run.one(T.namespace).outputs["name"]}.servicebus.windows.net`, queue: HEALTH_QUEUE.name });
      expect(config.cosmos).to.deep.equal({
        endpoint: args.global.cosmosEndpoint,
        database: args.global.cosmosDatabaseName,
        container: HEALTH_CONTAINER.name,
        partitionKeyPath: HEALTH_CONTAINER.partitionKey,
      });
      expect(config.keyVault?.secretName).to.be.oneOf(EXTERNAL_SECRETS.map((s) => s.name));
      expect(config.killSwitch).to.deep.equal({ drainUrl: `${args.global.killSwitchBlobEndpoint.replace(/\/+$/, "")}/drain-${envName}-weu-r42` });
      expect(config).to.include({ release: "r42", region: "westeurope" });
    });
  }
});
