import type { RequestProblem } from './request-file';

/**
 * What `TenantRequests.load()` throws when request files break the format or the platform's
 * boundaries: one error for the whole folder, listing every problem of every file as
 * `file:line:column: field: problem. Fix: fix`, sorted by file and line.
 *
 * Like `KmetalValidationError`, it extends `Error` (which jsii cannot model), so it is not in the
 * jsii API: TypeScript users import it from `cdk8s-kmetal/lib/selfservice/tenant-request-error`.
 */
export class TenantRequestError extends Error {
  /** Every problem found, in file and line order. */
  public readonly problems: RequestProblem[];

  constructor(folder: string, problems: RequestProblem[]) {
    const sorted = [...problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
    const files = new Set(sorted.map((p) => p.file)).size;
    super([
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in ${files} tenant request file${files === 1 ? '' : 's'} under ${folder}:`,
      ...sorted.map(formatProblem),
    ].join('\n'));
    this.name = 'TenantRequestError';
    this.problems = sorted;
    Object.setPrototypeOf(this, TenantRequestError.prototype);
  }
}

/** `file:line:column: field: problem. Fix: fix`. @internal */
export function formatProblem(p: RequestProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field || '(document)'}: ${p.message}. Fix: ${p.fix}`;
}
