import { InvalidArgumentError, type Command } from "commander";

/**
 * Commander keeps the last of a repeated option (`--env staging --env prod` releases prod): for a
 * destructive tool that is a typo turned into an action. Every option that takes one value and has
 * no parser of its own (the repeatable ones, `--region` or `--probe-allow`, collect theirs) becomes
 * an error when given twice. Each process parses one command line, so a flag per option suffices.
 */
export function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    const takesValue = option.required || option.optional;
    if (!takesValue || option.variadic || option.parseArg) continue;
    let given: string | undefined;
    option.argParser((value: string) => {
      if (given !== undefined) throw new InvalidArgumentError(`${option.long ?? option.flags} was given more than once ("${given}", then "${value}"): give it once`);
      given = value;
      return value;
    });
  }
  for (const sub of command.commands) refuseRepeatedOptions(sub);
}
