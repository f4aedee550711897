/**
 * Tenant self-service load time: 1,000 request files (50 teams × 20 clusters) written to a temporary
 * folder, then loaded by the compiled library three times in this process; prints the best and
 * median of each phase. Run after `npx projen compile` (it measures lib/, what users run):
 *
 *   npx ts-node --prefer-ts-exts --transpile-only bench/selfservice-load.ts [files]
 *
 * Phases: "parse + schema" is reading, YAML parsing with positions and the schema check of every
 * file; "load" is `TenantRequests.load()` as a whole (that, the platform-offer checks, and declaring
 * every cluster, VPC, governance and add-on profile with the constructs' own checks and the
 * boundaries' validation). Synthesis is not included (see bench/synth-benchmark.ts for that).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  ControlPlaneVipPool, MachineImage, NetworkPlanes, PlatformBoundaries, PlatformUnderCluster, TenantClusterClass, TenantRequests,
} from '../lib';
import { parseRequestFile, RequestSchemaChecker } from '../lib/selfservice/request-file';

const total = Number(process.argv[2] ?? 1000);
const perTeam = 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-requests-'));
for (let i = 0; i < total; i++) {
  const team = `team${String(Math.floor(i / perTeam)).padStart(3, '0')}`;
  fs.mkdirSync(path.join(dir, team), { recursive: true });
  const name = `c${String(i % perTeam).padStart(2, '0')}`;
  fs.writeFileSync(path.join(dir, team, `${name}.yaml`), [
    '# yaml-language-server: $schema=https://unpkg.com/cdk8s-kmetal/schemas/tenant-request.schema.json',
    'apiVersion: kmetal.io/v1alpha1',
    'kind: TenantClusterRequest',
    `name: ${name}`,
    `size: ${i % 3 === 0 ? 'large' : 'small'}`,
    `kubernetesVersion: ${i % 2 ? 'v1.33' : 'v1.34'}`,
    'nodePools:',
    '  - name: general',
    '    nodeClass: standard',
    `    replicas: ${2 + (i % 3)}`,
    ...(i % 10 === 0 ? ['  - name: gpu', '    nodeClass: gpu', '    replicas: 1', '    gpusPerNode: 1'] : []),
    ...(i % 4 === 0 ? ['addons: [monitoring]'] : []),
    'owners:',
    '  - kind: Group',
    `    name: ${team}-devs`,
    '',
  ].join('\n'));
}

function platform(): { platform: PlatformUnderCluster; options: any } {
  const app = new App();
  const image = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.34.1');
  const p = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: image,
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    permittedPciDevices: [{ resourceName: 'nvidia.com/A100', pciVendorSelector: '10DE:20B5' }],
  });
  const planes = new NetworkPlanes(p.configs, 'planes', {
    publicPlane: { nic: 'eno2', cidr: '198.18.0.0/20', gatewayNodes: ['metal-01'] },
    managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
    tenantCidrs: ['10.0.0.0/8'],
  });
  p.controlPlaneVipPool = new ControlPlaneVipPool(p.configs, 'tenant-api', { addresses: ['198.18.8.0/21'], planes, interfaces: ['eno2'] });
  const clusterClass = new TenantClusterClass(p.clusterTemplates, 'golden', { defaultVersion: 'v1.34.1', defaultImage: image });
  new PlatformBoundaries(app, 'boundaries', { maxReplicasPerPool: 10, maxGpusPerCluster: 4 });
  return {
    platform: p,
    options: {
      clusterClass,
      kubernetesReleases: ['v1.33.2', 'v1.34.1'],
      sizes: [{ name: 'small' }, { name: 'large', controlPlaneReplicas: 3 }],
      nodeClasses: [{ name: 'standard', cpuCores: 4, memoryGiB: 16 }, { name: 'gpu', cpuCores: 16, memoryGiB: 128, gpuDeviceName: 'nvidia.com/A100' }],
      addonCatalog: [{ name: 'monitoring', helmCharts: [{ repositoryUrl: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '77.0.0' }] }],
      vpc: { planes },
    },
  };
}

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'tenant-request.schema.json'), 'utf8'));
const files: string[] = [];
for (const team of fs.readdirSync(dir).sort()) for (const f of fs.readdirSync(path.join(dir, team)).sort()) files.push(`${team}/${f}`);
const parse: number[] = [];
const load: number[] = [];
for (let run = 0; run < 3; run++) {
  const checker = new RequestSchemaChecker(schema);
  parse.push(seconds(() => {
    for (const f of files) {
      const parsed = parseRequestFile(f, fs.readFileSync(path.join(dir, f), 'utf8'));
      if (checker.check(parsed).length) throw new Error(`bench request ${f} is invalid`);
    }
  }));
  const { platform: p, options } = platform();
  load.push(seconds(() => {
    const r = TenantRequests.load(p, dir, options);
    if (r.requests.length !== total) throw new Error('not every request loaded');
  }));
}
fs.rmSync(dir, { recursive: true, force: true });
const stat = (xs: number[]) => ({ best: Math.min(...xs).toFixed(3), median: [...xs].sort((a, b) => a - b)[1].toFixed(3) });
console.log(JSON.stringify({ files: total, node: process.version, parseAndSchemaSeconds: stat(parse), loadSeconds: stat(load) }));
