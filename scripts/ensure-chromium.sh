#!/bin/sh
# Make sure a Chromium is on this machine for the browser tests (test/report-browser.test.ts):
# Debian's `chromium` package, driven by puppeteer-core (which downloads no browser of its own).
# Does nothing when /usr/bin/chromium (or $CHROMIUM) exists; otherwise, as root on Debian,
# installs it with apt-get; otherwise says what to run and fails.
#
#   sh scripts/ensure-chromium.sh          # npm test runs this first (pretest)
#   sh scripts/ensure-chromium.sh --help
set -eu
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
for b in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$b" ] && [ -x "$b" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests (apt-get)" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  exit 0
fi
echo "error: the browser tests need Chromium: run 'apt-get update && apt-get install -y chromium' as root (or set CHROMIUM=/path/to/chrome)" >&2
exit 2
