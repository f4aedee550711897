import { IConstruct } from 'constructs';
import type { ClusterLifecycleEvent } from './event-hook';
import { credentialInString } from '../util/credentials';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkKnownProps, checkProps } from '../util/props';

/** Options of `HookAction.job()`. */
export interface HookJobOptions {
  /** Container image, pinned by tag or digest. */
  readonly image: string;
  /** Entrypoint. @default - the image's */
  readonly command?: string[];
  /** Arguments. Strings may use Sveltos templates, e.g. `{{ .Resource.metadata.name }}`. @default - none */
  readonly args?: string[];
  /** Extra environment variables (templates allowed). @default - none */
  readonly env?: { [name: string]: string };
  /** Service account the Job runs as. @default - the namespace's default */
  readonly serviceAccountName?: string;
  /** Retries before the Job fails. @default 3 */
  readonly backoffLimit?: number;
}

/** A Secret key, e.g. the token a webhook is called with. */
export interface HookSecretKey {
  /** Secret name (in the hook's namespace). */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** Every property of `HookWebhookOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const HOOK_WEBHOOK_OPTIONS_KEYS: readonly string[] = ['url', 'backoffLimit', 'bearerTokenSecret', 'image', 'serviceAccountName'];

/** Options of `HookAction.webhook()`. */
export interface HookWebhookOptions {
  /** The URL called with a JSON body `{ event, cluster: { name, namespace, labels } }`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <value>`. @default - no authorization header */
  readonly bearerTokenSecret?: HookSecretKey;
  /** Image with `curl` and `sh`. @default 'curlimages/curl:8.11.1' */
  readonly image?: string;
  /** Service account the Job runs as. @default - the namespace's default */
  readonly serviceAccountName?: string;
  /** Retries before the Job fails (a failed call is retried with backoff). @default 6 */
  readonly backoffLimit?: number;
}

/** What a hook does when its event happens. */
export abstract class HookAction {
  /**
   * Runs a Job per event on the under cluster. It gets `KMETAL_EVENT`, `KMETAL_CLUSTER_NAME` and
   * `KMETAL_CLUSTER_NAMESPACE` in its environment.
   */
  public static job(options: HookJobOptions): HookAction {
    return new JobAction(options);
  }

  /**
   * Calls a webhook per event (a Job running curl, retried by the Job's backoff), e.g. a billing
   * or audit endpoint.
   */
  public static webhook(options: HookWebhookOptions): HookAction {
    return new WebhookAction(options);
  }

  /**
   * Creates these objects per event on the under cluster. They are Sveltos templates: strings may
   * use `{{ .Resource.metadata.name }}` (the Cluster object of the event), `{{ .Cluster... }}` (the
   * cluster the event was seen in: the under cluster) and Sprig functions.
   */
  public static resources(manifests: Array<{ [key: string]: any }>): HookAction {
    return new ResourcesAction(manifests);
  }

  /** The objects to create per event (Sveltos templates). @internal */
  public abstract _manifests(scope: IConstruct, ctx: HookContext): any[];
}

/** What an action needs to know about its hook. @internal */
export interface HookContext {
  readonly hookName: string;
  readonly namespace: string;
  readonly event: ClusterLifecycleEvent;
}


/** The per-event object name: `<hook>-<hash of the cluster's namespace/name>` (a Sprig template). */
function instanceName(ctx: HookContext): string {
  // Backquoted Go string: a double quote could be escaped by the YAML writer, and Sveltos runs the
  // template over the YAML text, where an escaped quote is a template syntax error.
  return `${ctx.hookName}-{{ printf \`%s/%s\` .Resource.metadata.namespace .Resource.metadata.name | sha256sum | trunc 10 }}`;
}


function eventEnv(ctx: HookContext): Array<{ name: string; value: string }> {
  return [
    { name: 'KMETAL_EVENT', value: ctx.event },
    { name: 'KMETAL_CLUSTER_NAME', value: '{{ .Resource.metadata.name }}' },
    { name: 'KMETAL_CLUSTER_NAMESPACE', value: '{{ .Resource.metadata.namespace }}' },
  ];
}

function checkImage(scope: IConstruct, field: string, image: string): void {
  if (typeof image !== 'string' || !/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new KmetalValidationError(scope, field, `${showValue(image)} is not an image reference`, 'write registry/repository:tag');
  }
  const last = image.split('/').pop()!;
  if (!image.includes('@sha256:') && (!last.includes(':') || last.endsWith(':latest'))) {
    throw new KmetalValidationError(scope, field, `${showValue(image)} is not pinned`, 'pin a tag or a digest: a hook must run the same code on every event');
  }
}

interface JobSpec {
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env: Array<{ name: string; value?: string; valueFrom?: any }>;
  readonly serviceAccountName?: string;
  readonly backoffLimit: number;
}

function job(ctx: HookContext, spec: JobSpec): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: instanceName(ctx),
      namespace: ctx.namespace,
      labels: { 'kmetal.io/event-hook': ctx.hookName, 'kmetal.io/tenant-cluster': '{{ .Resource.metadata.name }}' },
    },
    spec: {
      backoffLimit: spec.backoffLimit,
      template: {
        metadata: { labels: { 'kmetal.io/event-hook': ctx.hookName } },
        spec: {
          restartPolicy: 'Never',
          ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
          containers: [{
            name: 'hook',
            image: spec.image,
            ...(spec.command ? { command: spec.command } : {}),
            ...(spec.args ? { args: spec.args } : {}),
            env: spec.env,
            securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          }],
        },
      },
    },
  };
}

function checkBackoff(scope: IConstruct, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) {
    throw new KmetalValidationError(scope, 'action.backoffLimit', `${showValue(v)} is not a number of retries`, 'give a whole number of at least 0');
  }
  return v;
}

class JobAction extends HookAction {
  constructor(private readonly options: HookJobOptions) {
    super();
  }

  public _manifests(scope: IConstruct, ctx: HookContext): any[] {
    const o = this.options;
    checkProps(scope, 'action', o, 'HookJobOptions');
    checkImage(scope, 'action.image', o.image);
    const env = eventEnv(ctx);
    for (const [name, value] of Object.entries(o.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || typeof value !== 'string') {
        throw new KmetalValidationError(scope, `action.env.${name}`, `${showValue(name)}=${showValue(value)} is not an environment variable`, 'use names of letters, digits and "_" and string values');
      }
      if (env.some((e) => e.name === name)) {
        throw new KmetalValidationError(scope, `action.env.${name}`, `${name} is set by the hook`, 'use another name');
      }
      env.push({ name, value });
    }
    const backoffLimit = checkBackoff(scope, o.backoffLimit, 3);
    return [job(ctx, { image: o.image, command: o.command, args: o.args, env, serviceAccountName: o.serviceAccountName, backoffLimit })];
  }
}

class WebhookAction extends HookAction {
  constructor(private readonly options: HookWebhookOptions) {
    super();
  }

  public _manifests(scope: IConstruct, ctx: HookContext): any[] {
    const o = this.options;
    checkKnownProps(scope, 'action', o, HOOK_WEBHOOK_OPTIONS_KEYS, 'HookWebhookOptions');
    if (typeof o.url !== 'string' || !/^https?:\/\/[^\s"'`$\\]+$/.test(o.url)) {
      throw new KmetalValidationError(scope, 'action.url', `${showValue(o.url)} is not an http(s) URL (quotes, "$" and "\\" are refused: it goes into a shell command)`, 'give e.g. "https://billing.example.com/hooks/cluster"');
    }
    if (/^https?:\/\/[^/]*@/.test(o.url) || credentialInString(o.url)) {
      throw new KmetalValidationError(scope, 'action.url', 'the URL carries credentials (user information, or a token in its query), which would be written to git in clear', 'put the token in a Secret and pass bearerTokenSecret');
    }
    if (o.url.startsWith('http://') && o.bearerTokenSecret) {
      throw new KmetalValidationError(scope, 'action.url', `${showValue(o.url)} is plain http, so the bearer token crosses the network in clear on every event`, 'call the webhook over https://');
    }
    const image = o.image ?? 'curlimages/curl:8.11.1';
    checkImage(scope, 'action.image', image);
    const env: Array<{ name: string; value?: string; valueFrom?: any }> = [
      ...eventEnv(ctx),
      { name: 'KMETAL_WEBHOOK_URL', value: o.url },
      // The labels of the Cluster object as JSON, for the receiver to tell tenants apart; base64 so
      // that the rendered JSON's quotes cannot break the YAML string it is rendered into.
      { name: 'KMETAL_CLUSTER_LABELS_B64', value: '{{ .Resource.metadata.labels | toJson | b64enc }}' },
    ];
    if (o.bearerTokenSecret) {
      validateDnsLabel(scope, 'action.bearerTokenSecret.name', o.bearerTokenSecret.name);
      if (typeof o.bearerTokenSecret.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(o.bearerTokenSecret.key)) {
        throw new KmetalValidationError(scope, 'action.bearerTokenSecret.key', `${showValue(o.bearerTokenSecret.key)} is not a Secret key`, 'give the key holding the token');
      }
      env.push({ name: 'KMETAL_WEBHOOK_TOKEN', valueFrom: { secretKeyRef: { name: o.bearerTokenSecret.name, key: o.bearerTokenSecret.key } } });
    }
    const auth = o.bearerTokenSecret ? ' -H "Authorization: Bearer ${KMETAL_WEBHOOK_TOKEN}"' : '';
    const script = [
      'set -eu',
      'labels=$(printf %s "$KMETAL_CLUSTER_LABELS_B64" | base64 -d)',
      'body=$(printf \'{"event":"%s","cluster":{"name":"%s","namespace":"%s","labels":%s}}\' "$KMETAL_EVENT" "$KMETAL_CLUSTER_NAME" "$KMETAL_CLUSTER_NAMESPACE" "$labels")',
      `curl --fail-with-body --silent --show-error --max-time 30 -X POST -H "Content-Type: application/json"${auth} --data "$body" "$KMETAL_WEBHOOK_URL"`,
    ].join('\n');
    return [job(ctx, { image, command: ['sh', '-c', script], env, serviceAccountName: o.serviceAccountName, backoffLimit: checkBackoff(scope, o.backoffLimit, 6) })];
  }
}

class ResourcesAction extends HookAction {
  constructor(private readonly manifests: Array<{ [key: string]: any }>) {
    super();
  }

  public _manifests(scope: IConstruct, _ctx: HookContext): any[] {
    if (!Array.isArray(this.manifests) || this.manifests.length === 0) {
      throw new KmetalValidationError(scope, 'action', 'no objects given', 'pass at least one object template');
    }
    this.manifests.forEach((m, i) => {
      if (!m || typeof m !== 'object' || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') {
        throw new KmetalValidationError(scope, `action[${i}]`, `${showValue(m)} is not a Kubernetes object`, 'give apiVersion, kind and metadata.name');
      }
    });
    return JSON.parse(JSON.stringify(this.manifests));
  }
}
