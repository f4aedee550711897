/** Help texts of `kmetal` and its subcommands. */

const READ_ONLY = 'kmetal never creates, changes or deletes anything in a cluster: verify sends server-side\ndry-run requests (dryRun=All, nothing is persisted); drift and inventory only read.';

const CLUSTER_OPTIONS = `  --kubeconfig FILE       kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config)
  --context NAME          context to use (default: the kubeconfig's current context)
  --request-timeout DUR   give up on a request after this long: 30, 30s, 2m (default 30s)`;

export const HELP: { [command: string]: string } = {
  '': `kmetal: checks a synthesized cdk8s-kmetal tree, and the cluster it is meant for

Usage: kmetal <command> [options]

Commands:
  synth <program>         runs the program that builds the app (main.ts through ts-node, or main.js)
                          and prints a failed synthesis as its findings, without stack traces
  check <dist-dir>        conformance (pinned CRD schemas and CEL rules), tree structure and
                          policy checks of a synthesized tree, or of every app of an outdir (dist);
                          no cluster needed
  plan <before> <after>   what applying a tree changes, per tenant cluster and platform component:
                          two tree folders, or a git ref and a folder (kmetal plan origin/main
                          dist/quickstart); no cluster needed
  verify <dist-dir>       server-side dry-run apply of every object, in Flux layer order
  drift <dist-dir>        what the cluster lacks, what differs from the tree, and orphans
  inventory               BareMetalHosts and node GPUs into an inventory file BareMetalPool loads

${READ_ONLY}

Exit codes: 0 nothing to report, 1 findings (errors, rejections, drift, changes), 2 the command could
not run (also a usage error, and kmetal without a command), 3 refused by policy (plan: a destructive
change not acknowledged, or a surge that does not fit). With --json, a command that could not run prints
{"command", "error": {"kind": "usage"|"fatal"|"internal", "message", "exitCode"}} on standard output
too, besides its line on standard error.
Run kmetal <command> --help for a command's options.
`,
  'synth': `Usage: kmetal synth <program> [--] [program arguments]

Runs the program that builds and synthesizes the app, as cdk8s synth runs an app: a TypeScript
program (.ts) through the ts-node of its project, a .js program with node; in the working directory,
with the arguments after the program. Its output is passed through. When the program fails on
findings (a KmetalValidationError: construct validations, policy, conformance, reconcile, the
output folder; or cdk8s's validation error) they are printed one per line under the check that
found them, without stack frames, and the exit code is 1; FluxTree.synth writes nothing then. Any
other error is one line and exit code 2 (KMETAL_DEBUG=1 prints its stack trace).
`,
  'check': `Usage: kmetal check <dist-dir> [--json] [--policy on|off]

Checks a tree written by FluxTree (dist/<app>): every Kustomization's path exists and dependsOn has
no cycle; every manifest conforms to the pinned CRD schemas and CEL rules (objects of a layer with
targetNamespace get that namespace, as Flux applies them); the shipped policy pack (kmetal-platform)
runs over the synthesized objects. Rules about the program's constructs (pool capacity, tenant
guardrails) need the program and run at synth. Findings the tree's own policy report
(report/policy-report.json) records as suppressed are reported with their reason, not as errors.
Needs no cluster. Given an outdir holding several apps (dist, each app a folder with
clusters/<cluster>/), checks each app as kmetal check dist/<app> does and reports per app, then
the total.

Options:
  --json                  print one JSON document (findings and summary; per app under "apps" for
                          an outdir) instead of text
  --policy on|off         run the policy pack (default on)

Exit code 1 when there is an error finding.
`,
  'plan': `Usage: kmetal plan <before> <after> [--markdown | --json] [--at TIME]

Compares two trees written by FluxTree (dist/<app>) and says what applying the after tree does,
per tenant cluster (tenants/<name>/, and objects labelled kmetal.io/tenant-cluster) and per
platform component (a HelmRelease, a release-manifest source, an infrastructure unit). Each change
is one or more of: destroyed (and whether the destructive-change guard refuses it), upgrades the
control plane (version from → to), rolls worker machines (how many VMs), reconfigures the control
plane, upgrades a component (chart or artifact version), created, changes in place, metadata only.
Kinds without a pinned schema are reported as such, never dropped.

A side that is not an existing folder is read as a git ref (git rev-parse --verify), at the path
the other side's folder has in the repository: kmetal plan origin/main dist/quickstart compares
the committed dist/quickstart of origin/main with the one on disk. Files identical in both trees
are skipped before parsing. Needs no cluster.

A destructive change (a stateful object deleted, an immutable field changed) counts as
acknowledged when the after tree's policy report (report/policy-report.json, written by
Policy.writeReportTo) records its acknowledgement; the id printed is what
DestructiveChangeGuard.acknowledge() takes.

Capacity during the change: the VMs the rolling pools create beyond their size (their maxSurge)
are compared with the VM hosts' free capacity in the after tree's fleet report (report/report.json,
written by FleetReport.writeAtSynth); a surge that does not fit refuses the plan. A rollout wave
whose machines roll is flagged when --at falls outside its maintenance window.

Options:
  --markdown              print a pull-request comment (tables, counts, collapsed details)
  --json                  print one JSON document (its shape: README, "Reviewing changes")
  --at TIME               when the change would be applied, for maintenance windows (ISO 8601 with
                          a zone, e.g. 2026-12-05T03:00Z; default now)

Exit code 0 no changes, 1 changes, 2 the command could not run, 3 refused by policy (a destructive
change not acknowledged, or a surge that does not fit).
`,
  'verify': `Usage: kmetal verify <dist-dir> [--kubeconfig FILE] [--context NAME] [--json]

Server-side dry-run apply of every object of the tree (PATCH, application/apply-patch+yaml,
dryRun=All, fieldManager=cdk8s-kmetal, force=true as Flux applies, fieldValidation=Strict), layer by
layer in the order Flux applies them (the topological order of the Kustomizations' dependsOn).
The cluster's admission (its CRD versions, webhooks, policies) judges each object; rejections are
reported with the fields the server names. An object whose kind (or namespace) an earlier layer of
the tree brings is reported as "arrives with layer X", not as a failure.

${READ_ONLY}

Options:
${CLUSTER_OPTIONS}
  --cluster NAME          which cluster of the tree (clusters/<name>); needed when it has several
  --fallback-namespace NS existing namespace to dry-run objects in while their own namespace only
                          arrives with the tree (default "default"; "none" to report them as not verified)
  --json                  print one JSON document instead of text
  --quiet                 no progress on standard error

Exit code 1 when an object is rejected or could not be checked.
`,
  'drift': `Usage: kmetal drift <dist-dir> [--kubeconfig FILE] [--context NAME] [--json]

Reads every object of the tree from the cluster and reports:
  missing   objects the cluster does not have;
  changed   fields the tree sets that the cluster has with another value (only fields the tree
            sets are compared: status, server-managed metadata and server defaults are not drift);
  orphans   objects of the tree's kinds labelled as this app's (app.kubernetes.io/managed-by=cdk8s-kmetal
            and kmetal.io/app=<app>, or Flux's kustomize.toolkit.fluxcd.io/name naming one of the
            tree's Kustomizations) that the tree no longer contains.
Values of Secrets and of fields named like credentials are never shown.

${READ_ONLY}

Options:
${CLUSTER_OPTIONS}
  --cluster NAME          which cluster of the tree (clusters/<name>); needed when it has several
  --orphans-dir DIR       also write the orphans there as manifests (no server fields, no Secret
                          values): the previousOutput of a DestructiveChangeGuard
  --json                  print one JSON document instead of text
  --quiet                 no progress on standard error

Exit code 1 when there is drift.
`,
  'inventory': `Usage: kmetal inventory [--kubeconfig FILE] [--context NAME] [-o inventory.json] [--namespace NS] [--json]

Reads Metal3 BareMetalHosts (provisioning state, BMC address, boot MAC, inspected CPU, memory,
NICs and disks) and the GPU capacity of nodes into a JSON inventory: its "hosts" load with
BareMetalPool.fromInventoryJson() or pool.addInventory(). BMC credentials stay a Secret name:
Secrets are never read.

${READ_ONLY}

Options:
${CLUSTER_OPTIONS}
  -o, --output FILE       write the inventory here (default: standard output)
  -n, --namespace NS      read BareMetalHosts of this namespace only (default: all namespaces)
  --json                  when the command cannot run, print the error as a JSON document on
                          standard output too (the inventory itself is always JSON)
`,
};
