#!/usr/bin/env bash
# Benchmark of gst-compliance-scan (issue 6), one command, prints ratios.
#
#   tests/bench/scan_bench.sh [BUILD_DIR] [MINUTES...]   (default: build-scan, 5 20)
#
# On generated 1080p30 H.264 recordings with a 2 s GOP (samples/make-sample.sh,
# cached in $SCAN_BENCH_CACHE, default ~/.cache/gst-compliance-bench) it
# measures, for the first length:
#   scan      gst-compliance-scan --interval 2000 (keyframes only)
#   decode    uridecodebin ! fakesink sync=false (decoding every frame)
#   naive     one frame per second to PNG with gst-launch (ffmpeg is not
#             installed here) plus the tesseract CLI on each PNG
# and price recall of scan and naive (share of the distinct prices shown that
# were read), and for every length the scan's peak resident memory (VmHWM,
# from /usr/bin/time -v).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-scan}
shift || true
lengths=("$@")
[ ${#lengths[@]} -gt 0 ] || lengths=(5 20)
cache=${SCAN_BENCH_CACHE:-$HOME/.cache/gst-compliance-bench}
mkdir -p "$cache"
export GST_PLUGIN_PATH=$build/gst-plugin
export GST_COMPLIANCE_MODELS_DIR=$root/models
export GST_COMPLIANCE_OCR_LIBRARY=$build/gst-plugin/ocr/libgstcompliance-ocr.so
export OMP_THREAD_LIMIT=1
scan=$build/tools/gst-compliance-scan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now () { date +%s.%N; }
ratio () { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.1f}' if b else 'inf')" "$@"; }

# Prices the sample shows (one cycle of samples/make-sample.sh).
prices='99 89 129 199 59.9 168 198'
recall () {  # recall FILE-WITH-TEXT -> share of $prices found
  python3 - "$1" $prices <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
found = set(re.findall(r"\d+(?:\.\d+)?", text))
norm = {p.rstrip("0").rstrip(".") if "." in p else p for p in found}
want = sys.argv[2:]
hit = [p for p in want if p in norm]
print(f"{len(hit)}/{len(want)}")
PY
}

declare -A peak
first=1
for m in "${lengths[@]}"; do
  video=$cache/sale-1080p-${m}min.mp4
  if [ ! -f "$video" ]; then
    echo "bench: generating $video (once)..." >&2
    "$root/samples/make-sample.sh" -o "$video" -c "$cache/sale-${m}min.catalog.json" \
      -s 1920x1080 -t 10 -n $((m)) -g 2 -p ultrafast
  fi
  catalog=$cache/sale-${m}min.catalog.json
  t0=$(now)
  /usr/bin/time -v -o "$work/time-$m" "$scan" --interval 2000 --catalog "$catalog" \
    --report "$work/report-$m.json" "$video" 2>"$work/scan-$m.log" || [ $? -eq 1 ]
  t1=$(now)
  scan_s=$(python3 -c "print($t1 - $t0)")
  peak[$m]=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time-$m")
  dur=$(python3 -c "import json; print(json.load(open('$work/report-$m.json'))['duration_s'])")
  echo "bench: ${m} min input: scan ${scan_s} s, $(ratio "$dur" "$scan_s")x real time, peak RSS ${peak[$m]} kB"
  if [ $first = 1 ]; then
    first=0
    python3 -c "import json; print('\n'.join(t['text'] for t in json.load(open('$work/report-$m.json'))['texts']))" > "$work/scan-texts"
    t0=$(now)
    gst-launch-1.0 -q uridecodebin uri="file://$video" ! fakesink sync=false
    t1=$(now)
    decode_s=$(python3 -c "print($t1 - $t0)")
    t0=$(now)
    mkdir -p "$work/png"
    gst-launch-1.0 -q uridecodebin uri="file://$video" ! videoconvert ! videorate \
      ! video/x-raw,framerate=1/1 ! pngenc ! multifilesink location="$work/png/%05d.png"
    : > "$work/naive-texts"
    for f in "$work"/png/*.png; do
      OMP_THREAD_LIMIT=1 tesseract "$f" - -l chi_sim+eng 2>/dev/null >> "$work/naive-texts" || true
    done
    t1=$(now)
    naive_s=$(python3 -c "print($t1 - $t0)")
    echo "bench: decode every frame ${decode_s} s; naive (1 fps PNG + tesseract CLI) ${naive_s} s"
    echo "bench: scan is $(ratio "$decode_s" "$scan_s")x faster than decoding every frame (target > 1)"
    echo "bench: scan is $(ratio "$naive_s" "$scan_s")x faster than the naive way (target >= 20)"
    echo "bench: price recall: scan $(recall "$work/scan-texts"), naive $(recall "$work/naive-texts")"
  fi
done
if [ ${#lengths[@]} -ge 2 ]; then
  a=${peak[${lengths[0]}]}; b=${peak[${lengths[-1]}]}
  echo "bench: peak RSS ${lengths[-1]} min / ${lengths[0]} min = $(ratio "$b" "$a") (target <= 1.10)"
fi
