import { Discovery } from './discovery';
import { KubeConnection } from './kube-connection';
import { loadKubeTarget, type KubeTarget } from './kubeconfig';
import type { CliIo } from '../io';
import type { SecretScrubber } from '../redact';

/** The options every cluster command takes. */
export interface ClusterOptions {
  /** `--kubeconfig`. */
  readonly kubeconfig?: string;
  /** `--context`. */
  readonly context?: string;
  /** `--request-timeout`, in seconds. */
  readonly requestTimeoutSeconds: number;
}

/** A connection to the selected cluster, its served APIs read. */
export interface ClusterSession {
  readonly target: KubeTarget;
  readonly conn: KubeConnection;
  readonly discovery: Discovery;
  /** Releases the connection. */
  close(): void;
}

/** Selects the cluster, connects and reads what it serves (`GET /api`, `GET /apis`). */
export async function openClusterSession(options: ClusterOptions, io: CliIo, scrubber: SecretScrubber): Promise<ClusterSession> {
  const target = await loadKubeTarget(options, io, scrubber);
  const conn = await KubeConnection.open(target, { timeoutMs: options.requestTimeoutSeconds * 1000 }, scrubber);
  try {
    const discovery = await Discovery.start(conn);
    return { target, conn, discovery, close: () => conn.close() };
  } catch (e) {
    conn.close();
    throw e;
  }
}
