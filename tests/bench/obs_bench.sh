#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The OBS filter's cost on OBS's render thread at 1080p30, with and without
# it in the same run, and the CPU its worker threads use.  Headless: Xvfb
# and Mesa's llvmpipe (on a desktop with a GPU the rendering itself is
# cheaper; the filter's part on the render thread is CPU work either way).
#
#   tests/bench/obs_bench.sh [BUILD_DIR] [SECONDS_PER_PHASE] [INTERVAL_MS]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
seconds=${2:-20}
interval=${3:-1000}
exe=$build/tests/bench/obs_bench
[ -x "$exe" ] || { echo "obs_bench: $exe not built (needs libobs-dev: tools/setup)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "obs_bench: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
export GST_COMPLIANCE_MODELS_DIR=$here/models
export GST_COMPLIANCE_OCR_LIBRARY=$build/gst-plugin/ocr/libgstcompliance-ocr.so
# One sponsored product, so the label is drawn in every frame; the camera
# shows ¥89.00 and ¥99.00 by turns against its ¥99.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/catalog.json" <<'JSON'
{"schema": "gst-compliance-catalog/1", "jurisdiction": "CN", "currency": "CNY",
 "products": [{"sku": "A1001", "name": "保温杯", "aliases": ["保温杯 500ml"],
   "price": 99.0, "category": "general", "sponsored": true, "sponsor": "Brand X"}]}
JSON
# OBS logs to stdout: its lines go to a file, the figures to the terminal.
xvfb-run -a -s '-screen 0 1920x1080x24' "$exe" \
  "$build/obs-compliance/obs-compliance.so" "$here/obs-compliance/data" \
  "$tmp/catalog.json" "$seconds" "$interval" > "$tmp/out.txt" 2>&1 \
  || { tail -20 "$tmp/out.txt" >&2; exit 1; }
grep -vE '^(info|debug|warning|error):|^[[:space:]]' "$tmp/out.txt"
