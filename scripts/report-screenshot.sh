#!/bin/sh
# Renders `haresnet report` for a record and shows the page as a person sees it, in
# headless Chromium: a screenshot into docs/report.png (the picture the README shows) and,
# when PDF is set, the page printed to that PDF file on A4 paper (PAPER=letter for Letter)
# through the page's print stylesheet.
#
#   scripts/report-screenshot.sh [RECORD] [WEIGHTS]
#   PDF=201.pdf scripts/report-screenshot.sh path/to/mitdb/201
#
# RECORD defaults to fixtures/records/201_0420_0540 (atrial fibrillation and flutter),
# WEIGHTS to the embedded `all` set. HARESNET names the binary to run (default: built
# and run through cargo); CHROMIUM the browser (default: chromium; on Debian the packages
# chromium and, to look at the PDF's pages, poppler-utils); PNG the screenshot (default
# docs/report.png).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
record=${1:-$root/fixtures/records/201_0420_0540}
weights=${2:-all}
chromium=${CHROMIUM:-chromium}
png=${PNG:-$root/docs/report.png}
paper=${PAPER:-A4}
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
browse() {
    "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$tmp/profile" "$@" 2>"$tmp/chromium.log" || {
        cat "$tmp/chromium.log" >&2
        exit 1
    }
}
# The top of the page: the summary and the plots.
browse --screenshot="$png" --window-size=1280,1700 "file://$page"
echo "$png"
if [ -n "${PDF:-}" ]; then
    # The page leaves the paper size to the printer; here it is set, as a print dialog would.
    sed "s|</style>|@page{size:$paper}</style>|" "$page" >"$tmp/print.html"
    browse --no-pdf-header-footer --print-to-pdf="$PDF" "file://$tmp/print.html"
    echo "$PDF"
fi
