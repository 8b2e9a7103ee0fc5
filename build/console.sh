#!/usr/bin/env bash
# Builds the web console (console/: TypeScript, hls.js) into console/dist/, which the API embeds and
# serves at /admin. Packages come from npm at the versions in console/package-lock.json (installed
# again only when the lock file changes); nothing is fetched at run time. build/demo.sh and
# build/test.sh call this before they build the API.
set -euo pipefail
cd "$(dirname "$0")/../console"

command -v npm >/dev/null 2>&1 || { echo "console.sh: npm is missing (build/install-deps.sh installs it)" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
