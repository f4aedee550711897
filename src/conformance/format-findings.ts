import type { ConformanceFinding } from './finding';

function where(finding: ConformanceFinding): string {
  const { source } = finding;
  if (!source) return '';
  const doc = source.documentIndex !== undefined ? `#${source.documentIndex}` : '';
  return ` (${source.file ?? '<input>'}${doc})`;
}

/**
 * Renders findings for people, one line each:
 * `ERROR cluster.x-k8s.io/v1beta2 ClusterClass default/quick-start spec.controlPlane.machineHealthCheck: unknown field ... [unknown-field] (file.yaml#3)`.
 */
export function formatFindings(findings: ConformanceFinding[]): string {
  return findings.map((f) => {
    const object = [f.apiVersion || '<no apiVersion>', f.kind || '<no kind>', f.namespace ? `${f.namespace}/${f.name || '<no name>'}` : f.name || '<no name>'].join(' ');
    const path = f.path ? `${f.path}: ` : '';
    return `${f.severity.toUpperCase()} ${object} ${path}${f.message} [${f.code}]${where(f)}`;
  }).join('\n');
}
