// Tenant self-service through git: the platform team declares the platform and what tenants may
// choose (platform.ts); tenant teams request clusters with files in tenants/<team>/<name>.yaml, in
// pull requests. TenantRequests.load() checks every request against the schema and the platform's
// boundaries and declares its cluster. Written as a Flux tree into dist/self-service/.
import * as path from 'path';
import { App } from 'cdk8s';
import { selfServicePlatform } from './platform';
import { ConformanceChecker, FluxTree, TenantRequests } from '../../src';

const app = new App();
const { platform, options } = selfServicePlatform(app);
const requests = TenantRequests.load(platform, path.join(__dirname, 'tenants'), options);

const outdir = process.env.KMETAL_OUTDIR ?? 'dist';
const result = FluxTree.synth(app, { outdir, appName: 'self-service', conformance: ConformanceChecker.default() });
console.log(`${requests.requests.length} requests (${requests.requests.map((r) => r.file).join(', ')}); ${FluxTree.formatSummary(result)}`);
