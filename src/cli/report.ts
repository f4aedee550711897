import type { CliIo } from './io';
import { FindingSeverity, type ConformanceFinding, type FindingSource } from '../conformance/finding';
import { formatFindings } from '../conformance/format-findings';
import type { FluxTreeModel, TreeObject } from './tree/flux-tree-reader';

/** A finding of a `kmetal` command: the conformance checker's shape, plus the layer of the object. */
export interface CliFinding extends ConformanceFinding {
  /** Name of the tree layer (Flux Kustomization) the object belongs to. */
  readonly layer?: string;
}

/** Identity of the object a finding is about. */
export interface FindingSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly file?: string;
  readonly documentIndex?: number;
  readonly layer?: string;
}

/** The subject of a tree object, with the namespace it is applied to. */
export function subjectOf(object: TreeObject, namespace: string | undefined = object.namespace): FindingSubject {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
    namespace,
    file: object.file,
    documentIndex: object.documentIndex,
    layer: object.layer.name,
  };
}

/** Makes a finding. */
export function newFinding(severity: FindingSeverity, code: string, subject: FindingSubject, path: string, message: string): CliFinding {
  return {
    severity,
    code,
    apiVersion: subject.apiVersion,
    kind: subject.kind,
    name: subject.name,
    ...(subject.namespace !== undefined ? { namespace: subject.namespace } : {}),
    path,
    message,
    ...(subject.file !== undefined ? { source: sourceOf(subject.file, subject.documentIndex) } : {}),
    ...(subject.layer !== undefined ? { layer: subject.layer } : {}),
  };
}

function sourceOf(file: string, documentIndex: number | undefined): FindingSource {
  return { file, ...(documentIndex !== undefined ? { documentIndex } : {}) };
}

/** The structural problems of a tree (missing folders, dependsOn cycles) as findings about no object. */
export function treeProblemFindings(tree: FluxTreeModel, prefix = ''): CliFinding[] {
  return tree.problems.map((p) => ({
    severity: p.severity === 'error' ? FindingSeverity.ERROR : FindingSeverity.WARNING,
    code: p.code,
    apiVersion: '',
    kind: '',
    name: '',
    path: '',
    message: `${prefix}${p.message}`,
    ...(p.file !== undefined ? { source: { file: p.file } } : {}),
  }));
}

/** Counts per severity. */
export function countSeverities(findings: readonly ConformanceFinding[]): { errors: number; warnings: number; infos: number } {
  return {
    errors: findings.filter((f) => f.severity === FindingSeverity.ERROR).length,
    warnings: findings.filter((f) => f.severity === FindingSeverity.WARNING).length,
    infos: findings.filter((f) => f.severity === FindingSeverity.INFO).length,
  };
}

/**
 * Writes findings one per line, in the conformance checker's format
 * (`ERROR <apiVersion> <kind> <ns>/<name> <path>: <message> [code] (file#doc)`); findings about no
 * object (tree structure, app-wide policy rules) leave the object out. Nothing when there are none.
 */
export function writeFindings(io: CliIo, findings: readonly ConformanceFinding[]): void {
  for (const f of findings) {
    if (f.apiVersion || f.kind || f.name) {
      io.stdout(`${formatFindings([f])}\n`);
    } else {
      const source = f.source ? ` (${f.source.file ?? '<input>'}${f.source.documentIndex !== undefined ? `#${f.source.documentIndex}` : ''})` : '';
      io.stdout(`${f.severity.toUpperCase()} ${f.path ? `${f.path}: ` : ''}${f.message} [${f.code}]${source}\n`);
    }
  }
}

/** Writes a `--json` document. */
export function writeJson(io: CliIo, doc: unknown): void {
  io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
}

/** `Cluster tenant-acme/acme`. */
export function objectLabel(o: { kind: string; name: string; namespace?: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** `3 errors, 1 warning`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
