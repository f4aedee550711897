import { FindingSeverity, type ConformanceFinding, type FindingSource } from './finding';

/** The fields every finding about one object shares. */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly source?: FindingSource;
}

/**
 * Collects the findings about one object, stamping each with the object's identity. Internal.
 */
export class FindingCollector {
  /** The findings so far, in the order they were found. */
  public readonly findings: ConformanceFinding[] = [];

  constructor(private readonly identity: ObjectIdentity) {}

  /** The object's kind, for messages. */
  public get kindLabel(): string {
    return this.identity.kind || 'the object';
  }

  /** Records an error: a strict API server rejects the object, or silently drops part of it. */
  public error(code: string, path: string, message: string): void {
    this.add(FindingSeverity.ERROR, code, path, message);
  }

  /** Records a warning. */
  public warning(code: string, path: string, message: string): void {
    this.add(FindingSeverity.WARNING, code, path, message);
  }

  /** Records a note on what was not checked. */
  public info(code: string, path: string, message: string): void {
    this.add(FindingSeverity.INFO, code, path, message);
  }

  private add(severity: FindingSeverity, code: string, path: string, message: string): void {
    const { apiVersion, kind, name, namespace, source } = this.identity;
    this.findings.push({
      severity,
      code,
      apiVersion,
      kind,
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      path,
      message,
      ...(source !== undefined ? { source } : {}),
    });
  }
}
