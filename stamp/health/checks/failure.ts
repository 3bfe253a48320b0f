import { describeError } from "../describe-error.js";

/** An error naming the step of a check that failed, keeping the SDK's status or code in the message. */
export function stepFailed(step: string, err: unknown): Error {
  if (err instanceof Error && err.name === "TimeoutError") return err;
  return new Error(`${step}: ${describeError(err)}`, { cause: err });
}
