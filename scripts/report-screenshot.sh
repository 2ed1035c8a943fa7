#!/bin/sh
# Renders `haresnet report` for a fixture record and screenshots the page with headless
# Chromium into docs/report.png (the picture the README shows).
#
#   scripts/report-screenshot.sh [RECORD] [WEIGHTS]
#
# RECORD defaults to fixtures/records/201_0420_0540 (atrial fibrillation and flutter),
# WEIGHTS to the embedded `all` set. HARESNET names the binary to run (default: built
# and run through cargo); CHROMIUM the browser (default: chromium).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
record=${1:-$root/fixtures/records/201_0420_0540}
weights=${2:-all}
chromium=${CHROMIUM:-chromium}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ -n "${HARESNET:-}" ]; then
    "$HARESNET" report "$record" --weights "$weights" --out "$tmp"
else
    (cd "$root" && cargo run --quiet --release --features cli --bin haresnet -- \
        report "$record" --weights "$weights" --out "$tmp")
fi
page=$(ls "$tmp"/*.html)
# A fresh profile and no background traffic: the page itself fetches nothing.
"$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$tmp/profile" \
    --screenshot="$root/docs/report.png" --window-size=1400,1800 \
    "file://$page"
echo "$root/docs/report.png"
