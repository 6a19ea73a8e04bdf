#!/usr/bin/env bash
# Copies the front-end assets installed from the npm registry (package-lock.json)
# into build/static, where Django's staticfiles finds them. Never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
rm -rf build/static/vendor
mkdir -p build/static/vendor/uswds build/static/vendor/htmx build/static/vendor/axe-core
cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
      node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img \
      build/static/vendor/uswds/
cp node_modules/htmx.org/dist/htmx.min.js build/static/vendor/htmx/
# axe-core is for the browser tests and `make screenshots` only; no page loads it.
cp node_modules/axe-core/axe.min.js build/static/vendor/axe-core/
echo "assets built into build/static/vendor"
