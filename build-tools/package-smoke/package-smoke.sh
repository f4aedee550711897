#!/usr/bin/env bash
# Installs the packed library (dist-packages/js/*.tgz, written by `npx projen build`) into a fresh
# folder next to the peer dependencies a cdk8s user has, runs consumer.js against it, and checks the
# written tree with the package's own `kmetal check`. Proves the published package works as an npm
# import: files the tarball must carry (lib/, imports/schemas/, bundled dependencies) are there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tarball="$(ls "$here"/../../dist-packages/js/*.tgz | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{ "name": "kmetal-consumer", "version": "1.0.0", "private": true }' > package.json
npm install --no-audit --no-fund --loglevel=error cdk8s@2 constructs@10 cdk8s-plus-28 "$tarball"
node "$here/consumer.js"
npx --no-install kmetal check dist/consumer
