#!/bin/sh
# Provisions Debian's headless-capable Chromium for the dashboard's browser test
# (tests/automation/dashboard/dashboard.browser.test.ts drives it with playwright-core; no browser
# download from the Playwright CDN). Idempotent: does nothing when /usr/bin/chromium exists.
# Usable by .ci/run or `npm test` beside the redis-server provisioning.
set -eu
CHROMIUM="${CONTOSO_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is missing: run 'sudo apt-get update && sudo apt-get install -y chromium' (or set CONTOSO_CHROMIUM)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
test -x "$CHROMIUM"
