#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Uninstalled use, as the README shows it (issue 18): from the build tree,
# with none of GST_COMPLIANCE_OCR_LIBRARY, GST_COMPLIANCE_MODELS_DIR or
# GST_COMPLIANCE_PPOCR_MODELS set,
#   1. gst-launch-1.0 with GST_PLUGIN_PATH=build/gst-plugin runs
#      complianceocr ! compliancecheck on the shipped sample: the OCR engine
#      library and the "cn" rule pack are found, a price is read and a
#      violation raised;
#   2. build/tools/gst-compliance-scan, without GST_PLUGIN_PATH either,
#      scans the sample and reports its violations.
# Arguments: BUILD_DIR SOURCE_DIR.
set -euo pipefail
build=$1
src=$2
unset GST_COMPLIANCE_OCR_LIBRARY GST_COMPLIANCE_MODELS_DIR GST_COMPLIANCE_PPOCR_MODELS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sample=$work/sale.mp4
catalog=$work/sale.catalog.json
fail() { echo "FAIL: $*" >&2; exit 1; }

# The sample recording is generated (a fresh clone has none): the demo's
# layout, 3 s per segment, as the plain test pattern (this test is about
# finding the plugin, engine and packs in the build tree, not accuracy;
# tests/tools/test_scan.py scans the stream-like sale).  make-sample.sh
# runs the system's gst-launch-1.0 with the system's plugins only (a
# sanitizer-built plugin cannot load into it) and a registry of its own.
env -u GST_PLUGIN_PATH -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS \
  -u UBSAN_OPTIONS GST_REGISTRY="$work/system-registry.bin" \
  "$src/samples/make-sample.sh" -S plain -o "$sample" -c "$catalog" -s 960x540 -t 3 \
  >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "make-sample.sh failed"; }

# gst-launch-1.0 is the system's: a sanitizer-built plugin needs the
# runtime loaded first, and gst-launch's own allocations are not ours.
launch_env=()
if [ -n "${GST_COMPLIANCE_SCAN_SANITIZED:-}" ]; then
  lib=$(gcc -print-file-name=libasan.so)
  launch_env=(LD_PRELOAD="$lib" ASAN_OPTIONS=detect_leaks=0)
fi

env "${launch_env[@]}" GST_PLUGIN_PATH="$build/gst-plugin" \
  GST_REGISTRY="$work/registry.bin" \
  gst-launch-1.0 -m filesrc location="$sample" ! decodebin ! videoconvert \
  ! complianceocr mode=replay interval=1000 engine=tesseract \
  ! compliancecheck catalog="$catalog" rules=cn ! fakesink \
  >"$work/launch.log" 2>&1 || { cat "$work/launch.log"; fail "gst-launch-1.0 failed"; }
grep -q 'Cannot load the OCR engine\|no packs found' "$work/launch.log" \
  && { cat "$work/launch.log"; fail "an installed path was looked up"; }
grep -q 'compliance-text' "$work/launch.log" \
  || { cat "$work/launch.log"; fail "no compliance-text message: nothing was read"; }
# Strings in -m output are octal-escaped: the product name's "500ml".
grep -q '500ml' "$work/launch.log" \
  || { cat "$work/launch.log"; fail "the sample's product line was not read"; }
grep -q 'compliance-violation' "$work/launch.log" \
  || { cat "$work/launch.log"; fail "no violation raised on the sample"; }
echo "ok: gst-launch-1.0 from the build tree"

rc=0
env -u GST_PLUGIN_PATH GST_REGISTRY="$work/registry2.bin" \
  "$build/tools/gst-compliance-scan" --catalog "$catalog" \
  --report "$work/report.json" --engine tesseract --interval 1000 \
  "$sample" >"$work/scan.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$work/scan.log"; fail "scan exit status $rc, expected 1 (violations)"; }
python3 - "$work/report.json" <<'PY' || fail "report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["complete"], "scan incomplete"
assert r["violations"], "no violations in the report"
assert any("到手价" in t["text"] for t in r["texts"]), "price line not read"
PY
echo "ok: gst-compliance-scan from the build tree, no GST_PLUGIN_PATH"
