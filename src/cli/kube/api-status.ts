/** What a request was for, in Kubernetes terms: which verb on which resource (for error messages). */
export interface RequestDescription {
  /** `get`, `list` or `patch`. */
  readonly verb: string;
  /** Resource with its group, as RBAC names it: `clusters.cluster.x-k8s.io`, `namespaces`, `/api` for discovery. */
  readonly resource: string;
  /** Namespace of the object or collection. */
  readonly namespace?: string;
  /** Name of the object. */
  readonly name?: string;
}

/** A cause of a rejection: which field and why (`Status.details.causes`). */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** The parts of a Kubernetes `Status` the commands use. */
export interface ApiStatus {
  /** HTTP status code. */
  readonly code: number;
  /** Machine-readable reason: `NotFound`, `Invalid`, `Forbidden`, ... */
  readonly reason?: string;
  /** The server's message, on one line. */
  readonly message: string;
  /** The object or kind the status is about (`details.kind` is the resource, e.g. `namespaces`). */
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string };
  /** Field-level causes (422 Invalid, some 400s). */
  readonly causes: StatusCause[];
}

const REASON_TEXT: { [code: number]: string } = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Invalid',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Reads a failure response: a `Status` object when the server sent one, else what the body says. */
export function parseStatus(httpStatus: number, body: unknown, text: string): ApiStatus {
  const b = typeof body === 'object' && body !== null ? body as any : undefined;
  const isStatus = b?.kind === 'Status';
  const causes: StatusCause[] = Array.isArray(b?.details?.causes)
    ? b.details.causes.map((c: any) => ({ reason: str(c?.reason), message: oneLine(str(c?.message) ?? ''), field: str(c?.field) }))
    : [];
  return {
    code: httpStatus,
    reason: isStatus ? str(b.reason) : undefined,
    message: oneLine(str(b?.message) ?? (isStatus ? '' : text.slice(0, 300))) || statusText(httpStatus),
    details: isStatus && typeof b.details === 'object' && b.details !== null
      ? { name: str(b.details.name), group: str(b.details.group), kind: str(b.details.kind) }
      : undefined,
    causes,
  };
}

/** `403 Forbidden`. */
export function statusText(code: number): string {
  return `${code} ${REASON_TEXT[code] ?? 'HTTP error'}`;
}

/** `patch clusters.cluster.x-k8s.io "acme" in namespace tenant-acme`. */
export function describeRequest(d: RequestDescription): string {
  const name = d.name !== undefined ? ` "${d.name}"` : '';
  const ns = d.namespace !== undefined ? ` in namespace ${d.namespace}` : d.verb === 'list' && d.resource !== '/api' ? ' in all namespaces' : '';
  return `${d.verb} ${d.resource}${name}${ns}`;
}

/** One line for a failed request: status, what was refused, and the server's message. */
export function failureLine(status: ApiStatus, d: RequestDescription): string {
  switch (status.code) {
    case 403:
      return `forbidden (${statusText(403)}): not allowed to ${describeRequest(d)}: ${status.message}`;
    case 404:
      return `${statusText(404)} on ${describeRequest(d)}: ${status.message}`;
    default:
      return `${statusText(status.code)} on ${describeRequest(d)}: ${status.message}`;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Server messages (webhook errors especially) may span lines; a finding is one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
