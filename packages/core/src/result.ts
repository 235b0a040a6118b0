/** The outcome of an operation whose failure is expected (bad user data, a conflict...). */
export type Result<T, E = import('./errors.ts').LabelKitError> = Ok<T> | Err<E>;
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });

/** Returns the value of a Result or throws its error (for callers that treat failure as exceptional). */
export function unwrap<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw result.error;
}

/** Closes a switch over a union: TypeScript fails the build when a member is not handled. */
export function exhaustiveSwitchError(value: never, what = 'value'): never {
  throw new TypeError(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
