/**
 * Whether a Kubernetes label selector (`matchLabels` + `matchExpressions`, as in metav1.LabelSelector)
 * selects an object with `labels`. An absent selector selects nothing; `{}` selects everything
 * (metav1.LabelSelectorAsSelector: empty → Everything, nil → Nothing).
 */
export function matchesSelector(selector: any, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return false;
  if (typeof selector !== 'object') return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: string[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
