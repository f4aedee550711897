import { App, Chart } from 'cdk8s';
import { ConformanceChecker, FindingSeverity, formatFindings } from '../../src/conformance';

/** A fresh app and chart for one test. */
export function newChart(id = 'test'): { app: App; chart: Chart } {
  const app = new App();
  return { app, chart: new Chart(app, id) };
}

let checker: ConformanceChecker | undefined;

/** Every error finding of the real CRD schemas and CEL rules over the objects, formatted (empty when conformant). */
export function conformanceErrors(objects: any[]): string {
  checker ??= ConformanceChecker.default();
  const errors = checker.validateObjects(objects).filter((f) => f.severity === FindingSeverity.ERROR);
  return errors.length ? formatFindings(errors) : '';
}

/** The objects of a kind, in output order. */
export function ofKind(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of a kind and name. */
export function findObject(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found[0];
}
