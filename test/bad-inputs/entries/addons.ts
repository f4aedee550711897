// Bad inputs of add-ons and hooks: AddonProfile, EventHook, and the Flux tree (GitOpsUnit).
import { App, ApiObject } from 'cdk8s';
import { AddonProfile, AddonProfileProps, ClusterLifecycleEvent, ClusterSelector, EventHook, GitOpsUnit, HookAction } from '../../../src';
import { BadInput, base } from '../fixture';

const CILIUM = { repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' };

/** The base platform with tenants acme (tier gold) and globex (tier standard), and one add-on profile. */
function profile(app: App, props: AddonProfileProps): AddonProfile {
  const { platform } = base(app);
  platform.addTenantCluster('acme', { version: 'v1.33.2', labels: { 'kmetal.io/tier': 'gold' } });
  platform.addTenantCluster('globex', { version: 'v1.33.2', labels: { 'kmetal.io/tier': 'standard' } });
  return new AddonProfile(platform.configs, 'cni', props);
}

export const ADDON_ENTRIES: BadInput[] = [
  {
    id: 'addon-mandatory-as-text',
    construct: 'AddonProfile',
    title: 'a yes/no prop given as text (JavaScript, or values read from a file)',
    declare: (app) => profile(app, { helmCharts: [CILIUM], mandatory: 'yes' as any }),
    path: 'platform-configs/cni',
    field: 'mandatory',
    message: /a string \(not shown\) is not true or false/,
    fix: /give true or false/,
  },
  {
    id: 'addon-unpinned-chart',
    construct: 'AddonProfile',
    title: 'a Helm chart without a pinned version',
    declare: (app) => profile(app, { helmCharts: [{ ...CILIUM, version: 'latest' }] }),
    path: 'platform-configs/cni',
    field: 'helmCharts[0].version',
    message: /"latest" is not a pinned chart version \(ranges and "latest" float\)/,
    fix: /one exact release such as "1\.2\.3"/,
  },
  {
    id: 'addon-repository-credentials',
    construct: 'AddonProfile',
    title: 'a chart repository URL with a password in it',
    declare: (app) => profile(app, { helmCharts: [{ ...CILIUM, repositoryUrl: 'https://ci:hunter2-token@charts.example.com/stable' }] }),
    path: 'platform-configs/cni',
    field: 'helmCharts[0].repositoryUrl',
    message: /the repository URL carries credentials/,
    fix: /remove the "user:password@" part/,
    secret: 'hunter2-token',
  },
  {
    id: 'addon-mandatory-misses',
    construct: 'AddonProfile',
    title: 'a mandatory add-on that misses clusters',
    declare: (app) => profile(app, { mandatory: true, clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }), helmCharts: [CILIUM] }),
    path: 'platform-configs/cni',
    field: 'clusterSelector',
    message: /the mandatory profile misses 1 of the 2 declared clusters \(globex\)/,
    fix: /ClusterSelector\.allTenantClusters\(\)/,
  },
  {
    id: 'addon-release-conflict',
    construct: 'AddonProfile',
    title: 'two profiles installing one release into the same clusters',
    declare: (app) => {
      const first = profile(app, { helmCharts: [CILIUM] });
      new AddonProfile(first.node.scope!, 'cni-gold', { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }), helmCharts: [CILIUM] });
    },
    path: 'platform-configs/cni-gold',
    field: 'helmCharts',
    message: /release kube-system\/cilium is also installed by profile cni \(platform-configs\/cni\) into 1 of the same clusters \(acme\)/,
    fix: /install each release from one profile, or make the selectors disjoint/,
  },
  {
    id: 'addon-empty',
    construct: 'AddonProfile',
    title: 'a profile that deploys nothing',
    declare: (app) => profile(app, {}),
    path: 'platform-configs/cni',
    field: 'helmCharts',
    message: /the profile deploys nothing/,
    fix: /add a Helm chart, manifests or a cdk8s chart, or remove the profile/,
  },
  {
    id: 'addon-dependency-cycle',
    construct: 'AddonProfile',
    title: 'profiles that wait for each other',
    declare: (app) => {
      const cni = profile(app, { helmCharts: [CILIUM] });
      const policies = new AddonProfile(cni.node.scope!, 'policies', { helmCharts: [{ repositoryUrl: 'https://kyverno.github.io/kyverno', chart: 'kyverno', version: '3.5.2' }], dependsOn: [cni] });
      cni.addDependency(policies);
    },
    path: 'platform-configs/policies',
    field: 'dependsOn',
    message: /the profiles depend on each other in a cycle \(cni -> policies -> cni\)/,
    fix: /remove one of the dependencies/,
  },
  {
    id: 'hook-url-credentials',
    construct: 'EventHook',
    title: 'a webhook URL with a password in it',
    declare: (app) => new EventHook(base(app).platform.configs, 'billing', {
      event: ClusterLifecycleEvent.CREATED,
      action: HookAction.webhook({ url: 'https://billing:hunter2-token@billing.example.com/hooks/cluster' }),
    }),
    path: 'platform-configs/billing',
    field: 'action.url',
    message: /the URL carries credentials/,
    fix: /bearerTokenSecret/,
    secret: 'hunter2-token',
  },
  {
    id: 'hook-name-twice',
    construct: 'EventHook',
    title: 'two hooks with one name',
    declare: (app) => {
      const configs = base(app).platform.configs;
      const action = HookAction.webhook({ url: 'https://billing.example.com/hooks/cluster' });
      new EventHook(configs, 'billing', { event: ClusterLifecycleEvent.CREATED, action });
      new EventHook(configs, 'billing-deleted', { name: 'billing', event: ClusterLifecycleEvent.DELETED, action });
    },
    path: 'platform-configs/billing-deleted',
    field: 'name',
    message: /an EventSource and EventTrigger named "billing" are already declared by platform-configs\/billing/,
    fix: /give the hook another name/,
  },
  {
    id: 'unit-path-absolute',
    construct: 'GitOpsUnit',
    title: 'a unit folder given as an absolute path',
    declare: (app) => new GitOpsUnit(app, 'monitoring', { path: '/platform/monitoring' }),
    path: 'monitoring',
    field: 'path',
    message: /"\/platform\/monitoring" is absolute; it must be relative to the app folder/,
    fix: /drop the leading "\/": "platform\/monitoring"/,
  },
  {
    id: 'unit-unknown-prop',
    construct: 'GitOpsUnit',
    title: 'a misspelt unit prop (from JavaScript or another jsii language), which would apply the unit without waiting for what it needs',
    declare: (app) => new GitOpsUnit(app, 'monitoring', { path: 'platform/monitoring', dependson: [base(app).platform.configs] } as any),
    path: 'monitoring',
    field: 'dependson',
    message: /"dependson" is not a property of GitOpsUnitProps, so its value would be ignored/,
    fix: /did you mean "dependsOn"\?/,
  },
  {
    id: 'object-twice',
    construct: 'FluxTree',
    title: 'one object declared twice for one cluster',
    declare: (app) => {
      const { platform } = base(app);
      for (const id of ['settings', 'settings-copy']) {
        new ApiObject(platform.configs, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-settings', namespace: 'kube-system' } });
      }
    },
    path: 'platform-configs/settings-copy',
    field: 'metadata.name',
    message: /ConfigMap "platform-settings" in namespace "kube-system" \(API group core\) is defined twice for cluster "under"/,
    fix: /give one of them another name or namespace, or remove the duplicate/,
  },
  {
    id: 'addon-unknown-prop',
    construct: 'AddonProfile',
    title: 'a misspelt add-on profile prop',
    declare: (app) => profile(app, { helmChart: [CILIUM] } as any),
    path: 'platform-configs/cni',
    field: 'helmChart',
    message: /"helmChart" is not a property of AddonProfileProps/,
    fix: /did you mean "helmCharts"\?/,
  },
  {
    id: 'addon-values-credential',
    construct: 'AddonProfile',
    title: 'a Helm value named like a password, with a value',
    declare: (app) => profile(app, { helmCharts: [{ ...CILIUM, values: { hubble: { ui: { adminPassword: 'hunter2-grafana' } } } }] }),
    path: 'platform-configs/cni',
    field: 'helmCharts[0].values.hubble.ui.adminPassword',
    message: /1 credential value\(s\) would be written to git in clear: helmCharts\[0\]\.values\.hubble\.ui\.adminPassword \(a credential-like field\)/,
    fix: /put them in a Secret created outside it \(ExternalSecret, SOPS\) and reference it/,
    secret: 'hunter2-grafana',
  },
  {
    id: 'addon-http-repository',
    construct: 'AddonProfile',
    title: 'a chart repository over plain http',
    declare: (app) => profile(app, { helmCharts: [{ ...CILIUM, repositoryUrl: 'http://charts.example.com' }] }),
    path: 'platform-configs/cni',
    field: 'helmCharts[0].repositoryUrl',
    message: /is served over plain http, so anyone on the path can change the charts every selected cluster installs/,
    fix: /serve the repository over https:\/\/ or mirror the chart to an oci:\/\/ registry/,
  },
  {
    id: 'addon-content-secret',
    construct: 'AddonProfile',
    title: 'a Secret with values in the content shipped to tenant clusters',
    declare: (app) => profile(app, { helmCharts: [CILIUM] }).addManifests('pull', [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, stringData: { token: 'hunter2-pull' } }], { secret: true }),
    path: 'platform-configs/cni',
    field: 'content.pull[0]',
    message: /Secret pull carries 1 value\(s\) \(keys: token\), which would be written to git in clear/,
    fix: /ship an ExternalSecret \(or a SOPS-encrypted Secret\)/,
    secret: 'hunter2-pull',
  },
  {
    id: 'hook-url-query-token',
    construct: 'EventHook',
    title: 'a webhook URL with a token in its query',
    declare: (app) => new EventHook(base(app).platform.configs, 'billing', { event: ClusterLifecycleEvent.CREATED, action: HookAction.webhook({ url: 'https://billing.example.com/hook?api_key=hunter2-key' }) }),
    path: 'platform-configs/billing',
    field: 'action.url',
    message: /the URL carries credentials \(user information, or a token in its query\)/,
    fix: /put the token in a Secret and pass bearerTokenSecret/,
    secret: 'hunter2-key',
  },
  {
    id: 'hook-bearer-over-http',
    construct: 'EventHook',
    title: 'a webhook that sends its bearer token over plain http',
    declare: (app) => new EventHook(base(app).platform.configs, 'billing', {
      event: ClusterLifecycleEvent.CREATED,
      action: HookAction.webhook({ url: 'http://billing.example.com/hook', bearerTokenSecret: { name: 'billing-token', key: 'token' } }),
    }),
    path: 'platform-configs/billing',
    field: 'action.url',
    message: /is plain http, so the bearer token crosses the network in clear on every event/,
    fix: /call the webhook over https:\/\//,
  },
];
