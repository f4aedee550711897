import { Chart } from 'cdk8s';
import { ConformanceChecker, type ConformanceCheckerProps } from './conformance-checker';
import { FindingSeverity, type ConformanceFinding } from './finding';
import { formatFindings } from './format-findings';

const checkers = new Map<string, ConformanceChecker>();

function checkerFor(props: ConformanceCheckerProps | undefined): ConformanceChecker {
  if (!props) return ConformanceChecker.default();
  const key = JSON.stringify([props.bundleDir ?? '', props.defaultNamespace ?? null]);
  let checker = checkers.get(key);
  if (!checker) {
    checker = new ConformanceChecker(props);
    checkers.set(key, checker);
  }
  return checker;
}

function validateAnything(checker: ConformanceChecker, target: any): ConformanceFinding[] {
  if (Chart.isChart(target)) return checker.validateChart(target);
  if (typeof target === 'object' && target !== null && Array.isArray(target.charts) && target.node) return checker.validateApp(target);
  if (Array.isArray(target)) return checker.validateObjects(target);
  if (typeof target === 'string') return checker.validateYaml(target);
  return checker.validateObject(target);
}

/**
 * Throws an `Error` listing every error-severity finding, for tests:
 * `expect(() => expectConformant(chart)).not.toThrow()`. Needs no test framework.
 *
 * @param target a cdk8s `Chart` or `App`, an array of objects, one object, or YAML text
 * @param props checker options (e.g. `{ defaultNamespace: 'default' }`); default: the shipped bundle, no default namespace
 */
export function expectConformant(target: any, props?: ConformanceCheckerProps): void {
  const errors = validateAnything(checkerFor(props), target).filter((f) => f.severity === FindingSeverity.ERROR);
  if (errors.length > 0) {
    throw new Error(`${errors.length} conformance error${errors.length === 1 ? '' : 's'}:\n${formatFindings(errors)}`);
  }
}
