// README "Release manifests" tells users which artifacts to push to `releaseManifestsRegistry`. Every
// artifact the reference platform's tree pulls from that registry (Flux OCIRepositories, Cluster API
// operator fetchConfig.oci) must be pushed there by README's commands, at the version the tree pulls:
// a version bump in the VersionMatrix that forgets README fails here.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

const REPO = path.resolve(__dirname, '..', '..');
const REGISTRY = 'registry.example.com/kmetal-manifests';

function yamlFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));
}

/** `<repository>:<tag>` of every artifact the tree pulls from the registry. */
function pulledArtifacts(tree: string): string[] {
  const out = new Set<string>();
  for (const file of yamlFiles(tree)) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o: any = doc.toJSON();
      if (o?.kind === 'OCIRepository' && String(o.spec?.url).startsWith(`oci://${REGISTRY}/`)) {
        out.add(`${o.spec.url.replace(/^oci:\/\//, '')}:${o.spec.ref?.tag}`);
      }
      const oci = o?.spec?.fetchConfig?.oci;
      if (typeof oci === 'string' && oci.startsWith(`${REGISTRY}/`)) out.add(oci);
    }
  }
  return [...out].sort();
}

/** `<repository>:<tag>` of every artifact README's shell blocks push (`flux push artifact`, `oras push`). */
function pushedArtifacts(readme: string): string[] {
  const out = new Set<string>();
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const vars = new Map<string, string>();
    for (const line of block.split('\n')) {
      const assign = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
      if (assign) vars.set(assign[1], assign[2]);
      const push = /(?:flux push artifact|oras push) (\S+)/.exec(line);
      if (push) out.add(push[1].replace(/^oci:\/\//, '').replace(/\$([A-Z_]+)/g, (_, v) => vars.get(v) ?? `$${v}`));
    }
  }
  return [...out].sort();
}

test('README pushes every artifact the reference platform pulls from releaseManifestsRegistry, at the pulled version', () => {
  const pulled = pulledArtifacts(path.join(REPO, 'dist', 'reference-platform'));
  // Guard against a parser that finds nothing: the platform pulls KubeVirt, CDI, the BMO and five providers.
  expect(pulled.length).toBeGreaterThanOrEqual(8);
  expect(pulled.filter((a) => /\/capi-[a-z0-9-]+:v/.test(a)).length).toBe(5);
  const pushed = pushedArtifacts(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));
  expect(pulled.filter((a) => !pushed.includes(a))).toEqual([]);
});
