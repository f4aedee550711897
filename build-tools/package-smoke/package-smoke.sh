#!/usr/bin/env bash
# Installs the packed library (dist-packages/js/*.tgz, written by `npx projen build`) into a fresh
# folder with what README tells a cdk8s user to install, runs consumer.js (plain JavaScript) and
# every complete program of README.md (`npx kmetal synth main.ts`, as README runs them) against it,
# and checks each written tree with the package's own `kmetal check`. Proves the published package
# works as an npm import (lib/, imports/schemas/, bundled dependencies are in the tarball) and that
# README's snippets work as written. Also holds the installed size to its budget and checks that the
# cluster client stays out of a YAML-only install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tarball="$(ls "$here"/../../dist-packages/js/*.tgz | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{ "name": "kmetal-consumer", "version": "1.0.0", "private": true }' > package.json
npm install --no-audit --no-fund --loglevel=error cdk8s@2 constructs@10 cdk8s-plus-28 "$tarball"
npm install --no-audit --no-fund --loglevel=error --save-dev typescript@~6.0

# Size budget (issue #23): what a user who only synthesizes YAML installs. `du -sk` counts disk blocks, as a
# user's disk sees it. cdk8s-kmetal is measured with its bundled dependencies (its own node_modules).
budget_mb=40
packed_kb=$(( ($(wc -c < "$tarball") + 1023) / 1024 ))
installed_kb=$(du -sk node_modules/cdk8s-kmetal | cut -f1)
total_kb=$(du -sk node_modules | cut -f1)
awk -v p="$packed_kb" -v i="$installed_kb" -v t="$total_kb" -v b="$budget_mb" 'BEGIN {
  printf "size: packed %.1f MB, installed node_modules/cdk8s-kmetal %.1f MB (budget %d MB), node_modules in all %.1f MB\n", p / 1024, i / 1024, b, t / 1024
}'
if (( installed_kb > budget_mb * 1024 )); then
  echo "package smoke test: node_modules/cdk8s-kmetal is $(( installed_kb / 1024 )) MB installed, over the ${budget_mb} MB budget" >&2
  du -sk node_modules/cdk8s-kmetal/* node_modules/cdk8s-kmetal/node_modules/* 2>/dev/null | sort -rn | head -10 >&2
  exit 1
fi

# @kubernetes/client-node is not installed with the library (only verify|drift|inventory need it): importing the
# library must not load it (consumer.js below), and a command that needs it says how to install it, in one line.
if [[ -e node_modules/@kubernetes/client-node || -e node_modules/cdk8s-kmetal/node_modules/@kubernetes/client-node ]]; then
  echo "package smoke test: @kubernetes/client-node was installed with cdk8s-kmetal" >&2
  exit 1
fi
node "$here/consumer.js"
npx --no-install kmetal check dist/consumer
set +e
verify_err="$(npx --no-install kmetal verify dist/consumer --kubeconfig "$work/none" 2>&1 >/dev/null)"
verify_code=$?
set -e
echo "kmetal verify without @kubernetes/client-node (exit $verify_code): $verify_err"
if [[ $verify_code -ne 2 || "$verify_err" != *"npm install @kubernetes/client-node"* || $(printf '%s\n' "$verify_err" | wc -l) -ne 1 ]]; then
  echo "package smoke test: expected one line naming the fix and exit code 2" >&2
  exit 1
fi

node "$here/readme-programs.js" "$here/../../README.md" "$work" | while read -r dir app; do
  echo "-- README program $(basename "$dir") (app $app): npx kmetal synth main.ts"
  (cd "$dir" && npx --no-install kmetal synth main.ts && npx --no-install kmetal check "dist/$app")
done

# The fix the line names works: with client-node installed beside the library, verify gets past loading it
# (and stops at the kubeconfig this folder does not have).
npm install --no-audit --no-fund --loglevel=error @kubernetes/client-node@1
set +e
verify_err="$(npx --no-install kmetal verify dist/consumer --kubeconfig "$work/none" 2>&1 >/dev/null)"
verify_code=$?
set -e
echo "kmetal verify with @kubernetes/client-node (exit $verify_code): $verify_err"
if [[ $verify_code -ne 2 || "$verify_err" == *"client-node"* || "$verify_err" != *"$work/none"* ]]; then
  echo "package smoke test: expected verify to load client-node and fail on the missing kubeconfig" >&2
  exit 1
fi
echo "package smoke test: ok"
