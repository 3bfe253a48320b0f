import { InputError } from "../../environments/index.js";
import { PERSONAL_NAME_MAX, personalEnvName } from "./personal-name.js";

/**
 * The guards around a personal environment's name: a default from the owner (so `env up` needs no
 * `--name`), a typo caught before it creates a second environment (`env up --name alcie` beside
 * `dev-alice` asks for `--new`), and `env down` of someone else's environment only with
 * `--confirm <env>`. Pure functions: the command gathers the facts (owner, existing environments).
 */

/** `alice@contoso.com` → `alice`, `Jean.Dupont` → `jeandupo`: the owner's login as a personal name. */
export function defaultPersonalName(owner: string): string {
  const login = owner.split("@")[0]!.toLowerCase().replace(/[^a-z0-9]/g, "");
  const name = login.replace(/^[0-9]+/, "").slice(0, PERSONAL_NAME_MAX);
  if (name === "") {
    throw new InputError(`cannot make an environment name from the owner "${owner}": pass --name <name> (e.g. --name alice)`);
  }
  return personalEnvName(name);
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "alcie" is one edit from
 * "alice", as a typist sees it, where plain Levenshtein counts two.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

export interface ExistingEnv {
  env: string;
  owner: string | null;
}

/**
 * Refuses a new environment whose name is one edit away from an existing one of the same owner,
 * unless `--new` says it is meant: a typo would otherwise silently create (and pay for) a second one.
 */
export function checkNewName(env: string, owner: string, existing: ExistingEnv[], confirmedNew: boolean): void {
  if (confirmedNew || existing.some((e) => e.env === env)) return;
  const near = existing.filter((e) => e.owner === owner && editDistance(e.env, env) === 1).map((e) => e.env);
  if (near.length > 0) {
    throw new InputError(
      `${env} does not exist, but ${owner} has ${near.join(", ")}, one letter away: to update it, use --name ${near[0]!.replace(/^dev-/, "")}; to create ${env} beside it, add --new`,
    );
  }
}

/** `env down` of an environment someone else owns needs `--confirm <env>` (the full name). */
export function checkDownOwner(env: string, envOwner: string | null, actor: string, confirm: string | undefined): void {
  if (envOwner === null || envOwner === actor) {
    if (confirm !== undefined && confirm !== env) throw new InputError(`--confirm "${confirm}" does not match the environment ${env}`);
    return;
  }
  if (confirm !== env) {
    throw new InputError(
      confirm === undefined
        ? `${env} belongs to ${envOwner}, not ${actor}: to destroy it anyway, add --confirm ${env}`
        : `--confirm "${confirm}" does not match the environment ${env} (owned by ${envOwner}): to destroy it, add --confirm ${env}`,
    );
  }
}
