import type { Command } from "commander";

/**
 * Examples shown at the end of each command's help, keyed by the command's path. Kept in one
 * place (rather than in each command group's file) so adding one never touches a command.
 */
export const EXAMPLES: Record<string, string[]> = {
  "": [
    "contoso env up                                   # your own dev-<you> environment (8 h)",
    "contoso release start --env staging --release r43 --image crshoesstaging.azurecr.io/shop-api:r43",
    "contoso release status --env prod --watch        # follow a release, whoever runs it",
    "contoso rehearse                                 # the offline rehearsal npm start runs",
  ],
  "global up": ["contoso global up --env staging", "contoso --offline global up --env prod"],
  "global outputs": ["contoso global outputs --env prod --json"],
  "stamp up": ["contoso stamp up --env staging --region all --release r43"],
  "stacks ls": ["contoso stacks ls --env prod", "contoso stacks ls --kind stamp --owner alice --json"],
  preview: ["contoso preview --env prod --release r43 --json"],
  "release start": [
    "contoso release start --env prod --release r43 --image crshoesprod.azurecr.io/shop-api:r43",
    "contoso --json release start --env staging --release r43 --image crshoesstaging.azurecr.io/shop-api:r43 > events.jsonl",
  ],
  "release status": ["contoso release status --env prod", "contoso release status --env prod --watch", "contoso --json release status --env prod"],
  "release resume": ["contoso release resume --env prod"],
  "release undo": ["contoso release undo --env prod             # back to the previous release while it is retained"],
  "release abort": ["contoso release abort --env prod", "contoso release abort --env staging --keep-failed"],
  health: ["contoso health --env prod"],
  "env up": ["contoso env up                      # dev-<your login>", "contoso env up --name alice-pr12 --ttl 2h --new"],
  "env ls": ["contoso env ls", "contoso env ls --owner alice --json"],
  "env extend": ["contoso env extend --name alice --ttl 8h"],
  "env down": ["contoso env down                    # your own dev-<your login>", "contoso env down --name bob --confirm dev-bob"],
  reap: ["contoso reap --dry-run", "contoso reap --older-than 2h --concurrency 8"],
  rehearse: ["contoso rehearse"],
  dashboard: ["contoso dashboard                    # every environment, on http://127.0.0.1:<port>/", "contoso dashboard --env prod --port 8080"],
};

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Adds "Examples:" to the help of every command that has some (call after every group registered). */
export function addExamples(program: Command): void {
  const visit = (command: Command) => {
    const examples = EXAMPLES[pathOf(command)];
    if (examples) command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n`);
    command.commands.forEach(visit);
  };
  visit(program);
}
