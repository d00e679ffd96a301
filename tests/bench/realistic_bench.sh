#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Accuracy and speed of gst-compliance-scan on the realistic live-shopping
# set (tests/realistic/README.md), one command.
#
#   tests/bench/realistic_bench.sh [BUILD_DIR] [--quick] [--variant K] [-- SCAN_ARGS...]
#
# BUILD_DIR defaults to build/.  Makes the set with tests/realistic/make-set.sh
# (cached in $REALISTIC_SET, default ~/.cache/gst-compliance-realistic; clips
# already there and up to date are kept, the generation is not measured),
# then scores the scan on every clip with tests/bench/realistic_score.py:
# exact price recall, caption recall, violation recall and precision, false
# violations on the compliant clips, and speed (x real time).  SCAN_ARGS go
# to gst-compliance-scan, e.g. `-- --engine ppocr --interval 2000`.
# --quick makes and scores only the quick subset (two 20 s clips).
# --variant K scores the held-out copy K of the set instead (make-set.sh
# --variant: every clip re-seeded, noise and bitrate changed; cached in
# $REALISTIC_SET, default ~/.cache/gst-compliance-realistic-vK).  Keep the
# reports and scan logs with REALISTIC_KEEP=DIR.  The load average is printed
# before and after: other work on the machine shows there.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
quick=()
variant=()
scan_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=(--quick); shift ;;
    --variant) variant=(--variant "${2:-}"); shift 2 || { echo "bench: --variant needs a number" >&2; exit 2; } ;;
    --) shift; scan_args=("$@"); break ;;
    -h|--help) sed -n '3,20p' "$0"; exit 0 ;;
    -*) echo "bench: unknown option $1 (scan options go after --)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
case $build in /*) ;; *) build=$PWD/$build ;; esac
set_dir=${REALISTIC_SET:-$HOME/.cache/gst-compliance-realistic${variant[1]:+-v${variant[1]}}}
scan=$build/tools/gst-compliance-scan
gen=$build/tests/realistic/gc-realistic-gen

# Check everything before spending minutes on generating recordings.
missing=0
if [ ! -x "$scan" ]; then
  echo "bench: $scan not found: build first (meson setup $build && ninja -C $build)" >&2
  missing=1
fi
if [ ! -x "$gen" ]; then
  echo "bench: $gen not found: build first (meson setup $build && ninja -C $build);" \
    "it needs cairo, pangocairo and gstreamer-app (tools/setup)" >&2
  missing=1
fi
if ! command -v python3 >/dev/null; then
  echo "bench: python3 missing: install it (apt-get install python3)" >&2
  missing=1
fi
if ! command -v gst-inspect-1.0 >/dev/null; then
  echo "bench: gst-inspect-1.0 missing: install gstreamer1.0-tools (tools/setup)" >&2
  missing=1
else
  for el in x264enc avdec_h264 mp4mux qtdemux; do
    gst-inspect-1.0 "$el" >/dev/null 2>&1 || {
      echo "bench: GStreamer element $el missing: install gstreamer1.0-plugins-good," \
        "-bad, -ugly and gstreamer1.0-libav (tools/setup)" >&2
      missing=1
    }
  done
fi
if ! command -v tesseract >/dev/null \
    || ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
  echo "bench: tesseract with chi_sim missing: install tesseract-ocr tesseract-ocr-chi-sim" >&2
  missing=1
fi
[ $missing = 0 ] || exit 2

echo "bench: making the set in $set_dir (once; not measured)"
"$root/tests/realistic/make-set.sh" -o "$set_dir" -b "$build" "${quick[@]}" "${variant[@]}"

keep=()
[ -n "${REALISTIC_KEEP:-}" ] && keep=(--keep "$REALISTIC_KEEP")
exec python3 "$root/tests/bench/realistic_score.py" --build "$build" --set "$set_dir" \
  "${quick[@]}" "${keep[@]}" "${scan_args[@]}"
