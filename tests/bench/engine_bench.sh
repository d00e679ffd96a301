#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The two readers side by side on the realistic set (tests/realistic): for
# a 1080p and a 720p clip, gst-compliance-scan with --engine ppocr and with
# --engine tesseract (the baseline), at the default --interval and at
# --interval 2000, each run $ENGINE_BENCH_REPEAT times (default 3), median:
#   wall s, x real time, ms per analysed frame (wall / frames analysed),
#   peak resident memory (/usr/bin/time -v), and ppocr against tesseract.
# "ppocr-pub" is ppocr with the models as published, without the folded
# copies tools/ppocr-fuse writes (a models directory holding only links
# to the published ones): the folded models' gain, in the same run.
#
#   tests/bench/engine_bench.sh [BUILD_DIR]
#
# The clips come from tests/realistic/make-set.sh (made once and cached in
# $REALISTIC_SET, default ~/.cache/gst-compliance-realistic; not measured).
# The load average is printed before and after: the machines are shared.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
set_dir=${REALISTIC_SET:-$HOME/.cache/gst-compliance-realistic}
repeat=${ENGINE_BENCH_REPEAT:-3}
scan=$build/tools/gst-compliance-scan
clips=(cn-price-1080p cn-compliant-720p)

[ -x "$scan" ] || { echo "bench: $scan not found: build first (meson setup $build && ninja -C $build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing: apt-get install time" >&2; exit 2; }
need=()
for c in "${clips[@]}"; do [ -f "$set_dir/$c.mp4" ] || need+=("$c"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: making the realistic set in $set_dir (once)"
  REALISTIC_SET=$set_dir "$root/tests/realistic/make-set.sh" -o "$set_dir" -b "$build" >/dev/null
fi

export GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-$build/gst-plugin}
export GST_COMPLIANCE_OCR_LIBRARY=${GST_COMPLIANCE_OCR_LIBRARY:-$build/gst-plugin/ocr/libgstcompliance-ocr.so}
export GST_COMPLIANCE_MODELS_DIR=${GST_COMPLIANCE_MODELS_DIR:-$root/models}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=${GST_COMPLIANCE_PPOCR_MODELS:-$root/deps/ppocr/models}
mkdir "$work/published"
for f in ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ppocr_keys_v1.txt; do
  ln -s "$models/$f" "$work/published/$f"
done
engines=(tesseract ppocr-pub ppocr)
[ -f "$models/ch_PP-OCRv4_det_infer.fused.onnx" ] \
  || { echo "bench: no folded models in $models (tools/setup writes them): ppocr-pub left out"; engines=(tesseract ppocr); }

echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %-9s %8s %8s %8s %9s %8s\n' clip engine interval "wall s" "x real" "ms/frame" "peak MB"
declare -A wall_of
for c in "${clips[@]}"; do
  dur=$(gst-discoverer-1.0 "$set_dir/$c.mp4" | sed -n 's/.*Duration: \([0-9]*\):\([0-9]*\):\([0-9.]*\).*/\1 \2 \3/p' | awk '{print $1*3600+$2*60+$3}')
  for interval in 1000 2000; do
    for engine in "${engines[@]}"; do
      walls=()
      mem=0
      frames=0
      for _ in $(seq "$repeat"); do
        pp_models=$models
        [ "$engine" = ppocr-pub ] && pp_models=$work/published
        GST_COMPLIANCE_PPOCR_MODELS=$pp_models \
        /usr/bin/time -v -o "$work/time" "$scan" --catalog "$set_dir/$c.catalog.json" \
          --report "$work/r.json" --engine "${engine%-pub}" --interval "$interval" \
          "$set_dir/$c.mp4" >/dev/null 2>"$work/log" || [ $? = 1 ] \
          || { echo "bench: scan failed:"; cat "$work/log"; exit 2; }
        walls+=("$(python3 -c "import json;print(json.load(open('$work/r.json'))['stats']['wall_s'])")")
        frames=$(python3 -c "import json;print(json.load(open('$work/r.json'))['stats']['frames_analysed'])")
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
        [ "$kb" -gt "$mem" ] && mem=$kb
      done
      median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
      wall_of[$c.$interval.$engine]=$median
      awk -v c="$c" -v e="$engine" -v i="$interval" -v w="$median" -v d="$dur" \
          -v f="$frames" -v m="$mem" 'BEGIN {printf "%-20s %-9s %8d %8.1f %8.1f %9.0f %8.0f\n",
          c, e, i, w, d / w, 1000 * w / (f > 0 ? f : 1), m / 1024}'
    done
    awk -v c="$c" -v i="$interval" -v p="${wall_of[$c.$interval.ppocr]}" \
        -v t="${wall_of[$c.$interval.tesseract]}" \
        'BEGIN {printf "%-20s ppocr takes %.1fx the time of tesseract at --interval %d\n", c, p / t, i}'
    if [ -n "${wall_of[$c.$interval.ppocr-pub]:-}" ]; then
      awk -v c="$c" -v i="$interval" -v p="${wall_of[$c.$interval.ppocr]}" \
          -v u="${wall_of[$c.$interval.ppocr-pub]}" \
          'BEGIN {printf "%-20s the folded models read %.2fx as fast as the published at --interval %d\n", c, u / p, i}'
    fi
  done
done
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
