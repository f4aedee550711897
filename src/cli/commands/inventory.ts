import * as fs from 'fs';
import * as path from 'path';
import { CliFatalError, ExitCode } from '../errors';
import { buildInventory } from '../inventory/build-inventory';
import type { CliIo } from '../io';
import { failureLine, describeRequest } from '../kube/api-status';
import { openClusterSession, type ClusterOptions } from '../kube/cluster-session';
import { listObjects } from '../kube/list-objects';
import type { SecretScrubber } from '../redact';
import { plural } from '../report';

/** Options of `kmetal inventory`. */
export interface InventoryOptions extends ClusterOptions {
  /** `-o`: the file to write; standard output when absent. */
  readonly output?: string;
  /** `--namespace`: read BareMetalHosts of this namespace only. */
  readonly namespace?: string;
}

const BMH_API_VERSION = 'metal3.io/v1alpha1';

/**
 * `kmetal inventory`: reads BareMetalHosts (state, BMC address, boot MAC, inspected hardware) and
 * the GPU capacity of nodes into an inventory file BareMetalPool loads. Reads only; never reads
 * Secrets.
 */
export async function runInventory(options: InventoryOptions, io: CliIo, scrubber: SecretScrubber): Promise<number> {
  const session = await openClusterSession(options, io, scrubber);
  try {
    const bmh = await session.discovery.resource(BMH_API_VERSION, 'BareMetalHost');
    if ('status' in bmh) {
      throw new CliFatalError(`${session.target.server} (context "${session.target.contextName}"): ${bmh.message}; is the Metal3 baremetal-operator installed on this cluster?`);
    }
    const hosts = await listObjects(session.conn, bmh, { namespace: options.namespace });
    if ('failure' in hosts) throw new CliFatalError(`${session.target.server} (context "${session.target.contextName}"): ${failureLine(hosts.failure, hosts.describe)}`);

    let nodes: any[] = [];
    const nodeResource = await session.discovery.resource('v1', 'Node');
    if ('status' in nodeResource) {
      io.stderr(`kmetal: warning: ${nodeResource.message}: no GPU capacity in the inventory\n`);
    } else {
      const listed = await listObjects(session.conn, nodeResource);
      if ('failure' in listed) {
        io.stderr(`kmetal: warning: ${failureLine(listed.failure, listed.describe)}: no GPU capacity in the inventory (the user may not ${describeRequest(listed.describe)})\n`);
      } else {
        nodes = listed.items;
      }
    }

    const built = buildInventory(hosts.items, nodes, {
      server: session.target.server,
      context: session.target.contextName,
      readAt: new Date().toISOString(),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    });
    // Scrubbed like everything printed, although nothing read here carries kubeconfig secrets.
    const text = scrubber.scrub(`${JSON.stringify(built.file, null, 2)}\n`);
    if (options.output !== undefined) {
      const file = path.resolve(io.cwd, options.output);
      try {
        fs.writeFileSync(file, text);
      } catch (e) {
        throw new CliFatalError(`cannot write ${options.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    } else {
      io.stdout(text);
    }
    for (const note of built.notes) io.stderr(`kmetal: note: ${note}\n`);
    for (const s of built.file.hostStatus.filter((h) => !h.loadable)) io.stderr(`kmetal: host ${s.namespace}/${s.name} (${s.state}) is not in "hosts": ${s.notLoadableReason}\n`);
    const f = built.file;
    io.stderr(`inventory: ${plural(f.hostStatus.length, 'BareMetalHost')} read, ${f.hosts.length} loadable by BareMetalPool, ${plural(f.nodes.length, 'node')} with GPUs${options.output !== undefined ? ` → ${options.output}` : ''}\n`);
    return ExitCode.OK;
  } finally {
    session.close();
  }
}
