#!/usr/bin/env bash
# Installs the packed library (dist-packages/js/*.tgz, written by `npx projen build`) into a fresh
# folder with what README tells a cdk8s user to install, runs consumer.js (plain JavaScript) and
# every complete program of README.md (`npx kmetal synth main.ts`, as README runs them) against it,
# and checks each written tree with the package's own `kmetal check`. Proves the published package
# works as an npm import (lib/, imports/schemas/, bundled dependencies are in the tarball) and that
# README's snippets work as written.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tarball="$(ls "$here"/../../dist-packages/js/*.tgz | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{ "name": "kmetal-consumer", "version": "1.0.0", "private": true }' > package.json
npm install --no-audit --no-fund --loglevel=error cdk8s@2 constructs@10 cdk8s-plus-28 "$tarball"
npm install --no-audit --no-fund --loglevel=error --save-dev typescript@~6.0
node "$here/consumer.js"
npx --no-install kmetal check dist/consumer

node "$here/readme-programs.js" "$here/../../README.md" "$work" | while read -r dir app; do
  echo "-- README program $(basename "$dir") (app $app): npx kmetal synth main.ts"
  (cd "$dir" && npx --no-install kmetal synth main.ts && npx --no-install kmetal check "dist/$app")
done
echo "package smoke test: ok"
