import * as path from 'path';
import { IConstruct } from 'constructs';

// The library's own code (lib/ when installed, src/ when run from its sources).
const LIBRARY_DIR = path.resolve(__dirname, '..');

// The validation error constructed last (see toJsonOf()).
let latest: KmetalValidationError | undefined;

/**
 * The error every construct of this library throws for bad input.
 *
 * The message always names the construct path, the field, the offending value and the fix, so a
 * typo in a platform program reads like a compiler error, not like a stack trace from deep inside.
 *
 * jsii cannot model subclasses of `Error`, so the class is hidden from the jsii assembly (other
 * languages see a plain error whose message has the same shape); TypeScript users can import it
 * and use `instanceof`, or call `isKmetalValidationError()`.
 */
export class KmetalValidationError extends Error {
  /**
   * The construct path of the construct whose input is wrong (`<app>` for the root), or `<Type>`
   * for input to something that is not a construct (a policy pack, a rule, guardrails).
   */
  public readonly constructPath: string;
  /** The property (or dotted property path) that holds the bad value. */
  public readonly field: string;
  /** How to fix it. */
  public readonly fix: string;

  /**
   * @param scope the construct whose input is wrong, or the name of the type that is not a
   * construct (written as `<Type>`)
   */
  constructor(scope: IConstruct | string, field: string, problem: string, fix: string) {
    const where = typeof scope === 'string' ? `<${scope}>` : scope.node.path || '<app>';
    super(`[${where}] ${field}: ${problem}. Fix: ${fix}`);
    this.name = 'KmetalValidationError';
    this.constructPath = where;
    this.field = field;
    this.fix = fix;
    Object.setPrototypeOf(this, KmetalValidationError.prototype);
    // Bad input is the user's, not a bug of the library: the frames that matter are the user's own
    // (where their program declared the construct). Node prints `stack` for an uncaught error, so it
    // keeps only those; KMETAL_DEBUG=1 keeps every frame.
    if (!process.env.KMETAL_DEBUG && typeof this.stack === 'string') this.stack = withUserFrames(this.stack);
    latest = this;
  }
}

/** A stack without the frames of this library, of node_modules and of Node's internals. */
function withUserFrames(stack: string): string {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  if (firstFrame < 0) return stack;
  const user = lines.slice(firstFrame).filter((l) => {
    const location = /\(([^()]+):\d+:\d+\)$/.exec(l)?.[1] ?? /^\s+at ([^ ]+):\d+:\d+$/.exec(l)?.[1];
    if (!location || location.startsWith('node:')) return false;
    return !location.startsWith(LIBRARY_DIR + path.sep) && !location.split(path.sep).includes('node_modules');
  });
  return [...lines.slice(0, firstFrame), ...user].join('\n');
}

/**
 * `obj.toJson()`, except that a KmetalValidationError thrown while a lazy value resolves reaches
 * the caller as it is: cdk8s wraps every error of `toJson()` in a plain `Error("Failed serializing
 * construct at path ...: <error>")`, which would hide the library's error type (and its construct
 * path, field and fix) from callers and from `isKmetalValidationError()`.
 */
export function toJsonOf(obj: { toJson(): any }): any {
  const before = latest;
  try {
    return obj.toJson();
  } catch (e) {
    const cause = latest;
    if (cause && cause !== before && e instanceof Error && e.message.endsWith(`: ${cause.name}: ${cause.message}`)) throw cause;
    throw e;
  }
}

/** Renders a user value for an error message (strings quoted, objects as JSON, long values cut). */
export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (typeof value === 'number') {
    // JSON would show NaN and Infinity as null.
    text = String(value);
  } else if (value === undefined) {
    text = 'undefined';
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Tells whether an error is one of this library's input-validation errors (works across copies of
 * the package, where `instanceof` would not).
 */
export function isKmetalValidationError(error: any): boolean {
  return !!error && typeof error === 'object' && error.name === 'KmetalValidationError' && typeof error.constructPath === 'string';
}
