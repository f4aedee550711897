import * as YAML from 'yaml';
import { AddonSyncMode, ClusterLifecycleEvent, ClusterSelector, EventHook, HookAction } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart } from '../support/platform';

function expectThrows(fn: () => unknown, path: string, field: string, text: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KmetalValidationError);
  const v = error as KmetalValidationError;
  expect(v.constructPath).toBe(path);
  expect(v.field).toBe(field);
  expect(v.message).toMatch(text);
  expect(v.message).toContain('Fix:');
}

describe('EventHook: a billing webhook on cluster creation', () => {
  const { chart } = newChart();
  new EventHook(chart, 'billing-start', {
    event: ClusterLifecycleEvent.CREATED,
    clusters: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }),
    action: HookAction.webhook({ url: 'https://billing.example.com/hooks/cluster', bearerTokenSecret: { name: 'billing-token', key: 'token' } }),
  });
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(objects.map((o) => o.kind)).toEqual(['EventSource', 'ConfigMap', 'EventTrigger']);
    expect(conformanceErrors(objects)).toBe('');
  });

  test('the EventSource matches provisioned tenant Cluster objects of the selected clusters', () => {
    const es = findObject(objects, 'EventSource', 'billing-start');
    expect(es.apiVersion).toBe('lib.projectsveltos.io/v1beta1');
    expect(es.spec.collectResources).toBe(true);
    expect(es.spec.resourceSelectors).toEqual([{
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      kind: 'Cluster',
      namespace: '',
      selector: { matchLabels: { 'kmetal.io/tier': 'gold' } },
      evaluateCEL: [{ name: 'cluster-provisioned', rule: expect.stringContaining('resource.status.phase == "Provisioned"') }],
    }]);
  });

  test('the EventTrigger watches the under cluster and instantiates the action once per cluster', () => {
    const et = findObject(objects, 'EventTrigger', 'billing-start');
    expect(et.spec).toEqual({
      eventSourceName: 'billing-start',
      sourceClusterSelector: { matchLabels: { 'kmetal.io/cluster-role': 'management' } },
      oneForEvent: true,
      syncMode: 'Continuous',
      policyRefs: [{ kind: 'ConfigMap', name: 'billing-start-action', namespace: 'projectsveltos' }],
    });
  });

  test('the action is a templated Job calling the webhook with the cluster identity', () => {
    const cm = findObject(objects, 'ConfigMap', 'billing-start-action');
    expect(cm.metadata.annotations).toEqual({ 'projectsveltos.io/instantiate': 'ok' });
    const text: string = cm.data['action.yaml'];
    // Sveltos instantiates the text: the template expressions must be there verbatim.
    expect(text).toContain('name: billing-start-{{ printf `%s/%s` .Resource.metadata.namespace .Resource.metadata.name | sha256sum | trunc 10 }}');
    const job = YAML.parse(text);
    expect(job.kind).toBe('Job');
    expect(job.metadata.namespace).toBe('projectsveltos');
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe('curlimages/curl:8.11.1');
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'KMETAL_EVENT', value: 'created' },
      { name: 'KMETAL_CLUSTER_NAME', value: '{{ .Resource.metadata.name }}' },
      { name: 'KMETAL_WEBHOOK_URL', value: 'https://billing.example.com/hooks/cluster' },
      { name: 'KMETAL_WEBHOOK_TOKEN', valueFrom: { secretKeyRef: { name: 'billing-token', key: 'token' } } },
    ]));
    expect(container.command[2]).toContain('Authorization: Bearer ${KMETAL_WEBHOOK_TOKEN}');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });
});

describe('EventHook, other events and actions', () => {
  test('deletion and health hooks match the right Cluster states', () => {
    const { chart } = newChart();
    new EventHook(chart, 'billing-stop', { event: ClusterLifecycleEvent.DELETED, action: HookAction.job({ image: 'registry.example.com/billing:v2', args: ['stop'] }) });
    new EventHook(chart, 'page', { event: ClusterLifecycleEvent.UNHEALTHY, action: HookAction.job({ image: 'registry.example.com/pager:v1', env: { TEAM: 'platform' } }) });
    const objects = chart.toJson();
    expect(conformanceErrors(objects)).toBe('');
    const stop = findObject(objects, 'EventSource', 'billing-stop').spec.resourceSelectors[0];
    expect(stop.selector).toEqual({ matchExpressions: [{ key: 'kmetal.io/tenant-cluster', operator: 'Exists' }] });
    expect(stop.evaluateCEL[0].rule).toBe('has(resource.metadata.deletionTimestamp)');
    const page = findObject(objects, 'EventSource', 'page').spec.resourceSelectors[0];
    expect(page.evaluateCEL[0].rule).toContain('c.type == "Available" && c.status == "False"');
    const job = YAML.parse(findObject(objects, 'ConfigMap', 'page-action').data['action.yaml']);
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'TEAM', value: 'platform' });
  });

  test('a resource template action deploys the given objects', () => {
    const { chart } = newChart();
    new EventHook(chart, 'audit', {
      event: ClusterLifecycleEvent.CREATED,
      syncMode: AddonSyncMode.ONE_TIME,
      namespace: 'kmetal-hooks',
      managementClusterLabels: { 'sveltos.example.com/mgmt': 'true' },
      action: HookAction.resources([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audit-{{ .Resource.metadata.name }}', namespace: 'kmetal-hooks' }, data: { cluster: '{{ .Resource.metadata.name }}' } }]),
    });
    const objects = chart.toJson();
    expect(conformanceErrors(objects)).toBe('');
    const et = findObject(objects, 'EventTrigger', 'audit');
    expect(et.spec.syncMode).toBe('OneTime');
    expect(et.spec.sourceClusterSelector).toEqual({ matchLabels: { 'sveltos.example.com/mgmt': 'true' } });
    const cm = findObject(objects, 'ConfigMap', 'audit-action');
    expect(cm.metadata.namespace).toBe('kmetal-hooks');
    expect(YAML.parse(cm.data['action.yaml']).metadata.name).toBe('audit-{{ .Resource.metadata.name }}');
  });

  test('two hooks of one name are refused (EventSource and EventTrigger are cluster-scoped)', () => {
    const { chart } = newChart();
    const action = HookAction.job({ image: 'registry.example.com/billing:v2' });
    new EventHook(chart, 'billing', { event: ClusterLifecycleEvent.CREATED, action });
    expectThrows(() => new EventHook(chart, 'other', { name: 'billing', event: ClusterLifecycleEvent.DELETED, action }), 'test/other', 'name', /already declared by test\/billing/);
  });

  test('bad input is refused with the construct path, field and fix', () => {
    const { chart } = newChart();
    expectThrows(() => new EventHook(chart, 'a', { event: ClusterLifecycleEvent.CREATED, action: HookAction.job({ image: 'registry.example.com/billing' }) }), 'test/a', 'action.image', /not pinned/);
    expectThrows(() => new EventHook(chart, 'b', { event: ClusterLifecycleEvent.CREATED, action: HookAction.webhook({ url: 'https://user:pw@billing.example.com' }) }), 'test/b', 'action.url', /credentials/);
    expectThrows(() => new EventHook(chart, 'c', { event: 'born' as any, action: HookAction.resources([]) }), 'test/c', 'event', /not a lifecycle event/);
    expectThrows(
      () => new EventHook(chart, 'd', { event: ClusterLifecycleEvent.CREATED, action: HookAction.resources([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: '{{ printf "it\'s %s" .Resource.metadata.name }}' } }]) }),
      'test/d', 'action', /does not survive YAML quoting/,
    );
    expectThrows(() => new EventHook(chart, 'a-name-that-is-far-too-long-for-a-hook-really', { event: ClusterLifecycleEvent.CREATED, action: HookAction.resources([]) }), 'test/a-name-that-is-far-too-long-for-a-hook-really', 'name', /leaves 40/);
  });
});
