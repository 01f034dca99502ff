import type { ErrorCode } from './bindings/ErrorCode';

/** An error meant for people: `message` is shown as is, `code` is stable for logic. */
export class UserError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Turns whatever a rejected invoke carried into a `UserError`. */
export function toUserError(e: unknown): UserError {
  if (e instanceof UserError) return e;
  if (isRecord(e) && typeof e.message === 'string') {
    const code = typeof e.code === 'string' ? (e.code as ErrorCode) : 'internal';
    return new UserError(code, e.message);
  }
  if (typeof e === 'string') return new UserError('internal', e);
  if (e instanceof Error) return new UserError('internal', e.message);
  return new UserError('internal', 'Something went wrong.');
}

/** The message to show for any caught error. */
export function errorMessage(e: unknown): string {
  return toUserError(e).message;
}
