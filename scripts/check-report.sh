#!/usr/bin/env bash
# Renders the order-items HTML report in a real headless browser (Debian's chromium, installed when missing: about
# 155 MB to download, 480 MB on disk, 25 s here) and fails when it does not render: chromium fails or logs a console
# error, the screenshot is missing or blank, or the rendered DOM lacks the report's heading, tables or charts.
#   scripts/check-report.sh [REPORT.html] [SCREENSHOT.png]
# Defaults: Examples/OrderItems/.data/report.html (what scripts/order-items.sh writes) and a PNG beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/system-packages.sh
require_packages chromium:/usr/bin/chromium

report="$(realpath "${1:-Examples/OrderItems/.data/report.html}")"
screenshot="$(realpath -m "${2:-${report%.html}.png}")"
[ -s "$report" ] || { echo "error: no report at $report" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A profile of its own, so a browser already running (or a crashed one's lock) does not interfere.
browser=(chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$work/profile"
    --enable-logging=stderr --v=0 --virtual-time-budget=2000)

rm -f "$screenshot"
timeout 120 "${browser[@]}" --window-size=1000,2600 --screenshot="$screenshot" "file://$report" \
    >"$work/screenshot.log" 2>&1 || { cat "$work/screenshot.log" >&2; echo "error: chromium failed" >&2; exit 1; }
timeout 120 "${browser[@]}" --dump-dom "file://$report" >"$work/dom.html" 2>"$work/dom.log" \
    || { cat "$work/dom.log" >&2; echo "error: chromium --dump-dom failed" >&2; exit 1; }

failures=()
# Console messages from the page (a script error, a resource that failed to load): the report has neither.
if grep -E "CONSOLE|Uncaught|Failed to load resource" "$work/screenshot.log" "$work/dom.log" >"$work/console.log"; then
    failures+=("the page logged to the console: $(head -3 "$work/console.log")")
fi
[ -s "$screenshot" ] || failures+=("no screenshot was written")
# A blank page compresses to a few kilobytes; a rendered report with text and charts is far larger.
[ "$(stat -c %s "$screenshot" 2>/dev/null || echo 0)" -gt 30000 ] || failures+=("the screenshot is (nearly) blank")
grep -q "<h1>Order items" "$work/dom.html" || failures+=("the heading is missing from the rendered DOM")
count() { grep -o "$1" "$work/dom.html" | wc -l || true; }
charts="$(count "<svg ")"
[ "$charts" -ge 2 ] || failures+=("$charts charts in the rendered DOM (at least 2 expected)")
# An SVG that failed to parse renders no shapes; each chart draws lines and rectangles.
[ "$(count "<rect ")" -ge 4 ] || failures+=("the charts drew no bars or bands")
grep -q "</table>" "$work/dom.html" || failures+=("no table in the rendered DOM")
if grep -qi "This page contains the following errors" "$work/dom.html"; then
    failures+=("the browser reported a parse error")
fi

if [ ${#failures[@]} -gt 0 ]; then
    printf 'error: %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "Report renders in $(chromium --version 2>/dev/null | head -1): $charts charts; screenshot $screenshot"
