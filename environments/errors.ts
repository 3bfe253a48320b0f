/**
 * An input the user can fix: a bad name, an unknown region, an invalid override.
 * The CLI maps it to exit code 2 and prints `message` as one line, before any stack is touched.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
  }
}

export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}
