#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The one-command demo: installs what is missing, builds, generates the
# sample sale recording (60 s, deliberate violations) and scans it.
#   samples/demo.sh [BUILD_DIR]        (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=$root/samples/out

"$root/tools/setup"
[ -f "$build/build.ninja" ] || meson setup "$build" "$root"
ninja -C "$build"

sample=$root/samples/sample-sale.mp4
catalog=$root/samples/sample-sale.catalog.json
[ -f "$sample" ] && [ -f "$catalog" ] || "$root/samples/make-sample.sh" -o "$sample" -c "$catalog" -b "$build"

# Run from the build tree: the plugin, the OCR engine and the rule packs
# are found there without installing anything.
export GST_PLUGIN_PATH=$build/gst-plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}
export GST_COMPLIANCE_MODELS_DIR=$root/models
ocr_lib=$build/gst-plugin/ocr/libgstcompliance-ocr.so
[ -f "$ocr_lib" ] && export GST_COMPLIANCE_OCR_LIBRARY=$ocr_lib
export OMP_THREAD_LIMIT=1

mkdir -p "$out"
rm -rf "$out/evidence"
status=0
"$build/tools/gst-compliance-scan" --catalog "$catalog" \
  --report "$out/report.json" --html "$out/report.html" \
  --evidence "$out/evidence" --annotated "$out/annotated.mp4" \
  "$sample" || status=$?

if [ "$status" -ge 2 ]; then
  echo "demo: the scan failed (exit $status)" >&2
  exit "$status"
fi
cat <<EOT

demo: scanned $sample against $catalog (exit $status: 1 = violations found, as intended)
  report JSON:     $out/report.json
  HTML report:     $out/report.html
  evidence:        $out/evidence/
  annotated video: $out/annotated.mp4
EOT
