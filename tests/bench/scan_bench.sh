#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of gst-compliance-scan (issue gst-compliance-scan), one command,
# prints ratios against the issue's targets.
#
#   tests/bench/scan_bench.sh [BUILD_DIR] [MINUTES...]   (default: build, 5 20)
#
# Needs ffmpeg (apt-get install ffmpeg) and tesseract with chi_sim (tools/setup).
# On generated 1080p30 H.264 recordings with a 2 s GOP (samples/make-sample.sh
# -S plain: the test pattern, quick to make at 5 and 20 minutes, and easy to
# read, so its figures are the tool's throughput, not what it does on a real
# stream: tests/bench/realistic_bench.sh measures that; cached in
# $SCAN_BENCH_CACHE, default ~/.cache/gst-compliance-bench; the generation
# is not measured) it measures, on the first length:
#   scan      gst-compliance-scan --interval 2000 (keyframes only), run
#             $SCAN_BENCH_REPEAT times (default 3), median reported
#   default   gst-compliance-scan with its default --interval, once
#   decode    gst-launch-1.0 uridecodebin ! fakesink sync=false (every frame)
#   naive     ffmpeg -i IN -vf fps=1 DIR/%05d.png, then the tesseract CLI
#             (-l chi_sim+eng, the user's environment, OMP_THREAD_LIMIT
#             not set) on each PNG, one after the other
# the price recall of scan and naive with one function (the distinct prices
# the sample shows, each found when a reading has exactly that value as a
# price: after ¥/￥ or before 元), and on every length the scan's peak resident
# memory (/usr/bin/time -v).  The load average (/proc/loadavg) is printed
# before and after each measured step: other work on the machine shows there.
# Skip the naive run (it takes long) with SCAN_BENCH_NAIVE=0; keep the work
# directory (reports, logs, texts read) with SCAN_BENCH_KEEP=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
shift || true
lengths=("$@")
[ ${#lengths[@]} -gt 0 ] || lengths=(5 20)
cache=${SCAN_BENCH_CACHE:-$HOME/.cache/gst-compliance-bench}
repeat=${SCAN_BENCH_REPEAT:-3}
run_naive=${SCAN_BENCH_NAIVE:-1}
scan=$build/tools/gst-compliance-scan

# Check everything before spending minutes on generating recordings.
missing=0
if [ ! -x "$scan" ]; then
  echo "bench: $scan not found: build first (meson setup $build && ninja -C $build)" >&2
  missing=1
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time missing: install it (apt-get install time)" >&2
  missing=1
fi
if [ "$run_naive" != 0 ]; then
  if ! command -v ffmpeg >/dev/null; then
    echo "bench: ffmpeg missing (the naive baseline): install ffmpeg (apt-get install ffmpeg)," \
      "or skip the naive run with SCAN_BENCH_NAIVE=0" >&2
    missing=1
  fi
  if ! command -v tesseract >/dev/null \
      || ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
    echo "bench: tesseract with chi_sim missing: install tesseract-ocr tesseract-ocr-chi-sim" >&2
    missing=1
  fi
fi
[ $missing = 0 ] || exit 2

mkdir -p "$cache"
export GST_PLUGIN_PATH=$build/gst-plugin
export GST_COMPLIANCE_MODELS_DIR=$root/models
export GST_COMPLIANCE_OCR_LIBRARY=$build/gst-plugin/ocr/libgstcompliance-ocr.so
# The scan is run as a user runs it: gst-compliance-scan sets
# OMP_THREAD_LIMIT=1 itself; the naive tesseract runs in the caller's environment too.
work=$(mktemp -d)
if [ -n "${SCAN_BENCH_KEEP:-}" ]; then
  echo "bench: keeping reports, logs and texts in $work"
else
  trap 'rm -rf "$work"' EXIT
fi

now () { date +%s.%N; }
load () { cut -d' ' -f1-3 /proc/loadavg; }
ratio () {  # ratio A B [DECIMALS]
  python3 -c "import sys; a, b = map(float, sys.argv[1:3]); print(f'{a / b:.{sys.argv[3]}f}' if b else 'inf')" "$1" "$2" "${3:-1}"
}
median () { python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
sub () { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.2f}')" "$@"; }

# The distinct prices the sample shows (samples/make-sample.sh header).
prices='99 129 89 199 59.9 168 198'
# recall FILE: one reading per line.  A price is a number right after ¥ or ￥
# (spaces allowed) or right before 元; it counts when its value equals a
# shown price exactly (59.90 is 59.9; 59 or 159 are not 59.9 or 59).
recall () {
  python3 - "$1" $prices <<'PY'
import re, sys
from decimal import Decimal
want = [Decimal(p) for p in sys.argv[2:]]
num = r"(\d+(?:\.\d+)?)(?![\d.]*\d)"
pat = re.compile(r"[¥￥]\s*" + num + r"|(?<![\d.])" + num + r"\s*元")
seen = set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    for m in pat.finditer(line):
        seen.add(Decimal(m.group(1) or m.group(2)))
hit = [w for w in want if w in seen]
miss = [str(w) for w in want if w not in seen]
print(f"{len(hit)}/{len(want)} = {len(hit) / len(want):.2f}"
      + (f" (missed {' '.join(miss)})" if miss else ""))
PY
}
# loose_recall FILE: for information only, the value as a bare number anywhere
# (shows prices read with a misread or lost currency sign, e.g. "Y89").
loose_recall () {
  python3 - "$1" $prices <<'PY'
import re, sys
from decimal import Decimal
want = [Decimal(p) for p in sys.argv[2:]]
seen = {Decimal(m.group(1)) for m in re.finditer(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.]*\d)",
        open(sys.argv[1], encoding="utf-8", errors="replace").read())}
print(f"{sum(w in seen for w in want)}/{len(want)}")
PY
}

# run_scan LABEL LOGTAG ARGS... : one timed scan; sets scan_s, scan_rss,
# scan_cpu.
run_scan () {
  local label=$1 tag=$2; shift 2
  echo "bench: [$label] load before $(load)"
  local t0 t1 rc=0
  t0=$(now)
  /usr/bin/time -v -o "$work/time-$tag" "$scan" "$@" \
    2>"$work/scan-$tag.log" || rc=$?
  t1=$(now)
  echo "bench: [$label] load after  $(load)"
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    echo "bench: [$label] gst-compliance-scan failed (exit $rc):" >&2
    cat "$work/scan-$tag.log" >&2
    exit 2
  fi
  scan_s=$(sub "$t1" "$t0")
  scan_rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time-$tag")
  # The tool's own warnings (e.g. about OMP_THREAD_LIMIT), once each.
  grep -h 'warning' "$work/scan-$tag.log" | while read -r w; do
    grep -qxF "$w" "$work/warned" 2>/dev/null || { echo "bench: [$label] $w"; echo "$w" >> "$work/warned"; }
  done || true
  scan_cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u+s}' "$work/time-$tag")
}

declare -A peak
first=1
for m in "${lengths[@]}"; do
  video=$cache/sale-1080p-${m}min.mp4
  catalog=$cache/sale-${m}min.catalog.json
  # One generation at a time per length, whatever runs this concurrently.
  exec 9>"$cache/.gen-${m}min.lock"
  flock 9
  if [ ! -f "$video" ] || [ ! -f "$catalog" ]; then
    echo "bench: generating $video (once, not measured)..." >&2
    "$root/samples/make-sample.sh" -S plain -o "$video.part.mp4" -c "$catalog" \
      -s 1920x1080 -t 10 -n "$m" -g 2 -p ultrafast
    mv "$video.part.mp4" "$video"
  fi
  exec 9>&-
  n=1
  [ $first = 1 ] && n=$repeat
  times=()
  for ((i = 1; i <= n; i++)); do
    run_scan "scan ${m} min, --interval 2000, run $i/$n" "$m-$i" \
      --interval 2000 --catalog "$catalog" --report "$work/report-$m.json" "$video"
    times+=("$scan_s")
    echo "bench: [scan ${m} min, run $i/$n] wall ${scan_s} s, cpu ${scan_cpu} s, peak RSS ${scan_rss} kB"
    # Peak memory: the largest over the runs.
    if [ -z "${peak[$m]:-}" ] || [ "$scan_rss" -gt "${peak[$m]}" ]; then peak[$m]=$scan_rss; fi
  done
  scan_med=$(median "${times[@]}")
  dur=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['duration_s'])" "$work/report-$m.json")
  stats=$(python3 -c "import json, sys; s = json.load(open(sys.argv[1]))['stats']; print(', '.join(f'{k} {v}' for k, v in s.items()))" "$work/report-$m.json")
  echo "bench: ${m} min input (${dur} s): scan median ${scan_med} s of ${n} (${times[*]}), $(ratio "$dur" "$scan_med")x real time (target >= 50), peak RSS ${peak[$m]} kB"
  echo "bench:   report stats: $stats"

  if [ $first = 1 ]; then
    first=0
    python3 -c "import json, sys; print('\n'.join(t['text'] for t in json.load(open(sys.argv[1]))['texts']))" \
      "$work/report-$m.json" > "$work/scan-texts"

    run_scan "scan ${m} min, default --interval" "$m-default" \
      --catalog "$catalog" --report "$work/report-$m-default.json" "$video"
    dstats=$(python3 -c "import json, sys; s = json.load(open(sys.argv[1]))['stats']; print(', '.join(f'{k} {v}' for k, v in s.items()))" "$work/report-$m-default.json")
    python3 -c "import json, sys; print('\n'.join(t['text'] for t in json.load(open(sys.argv[1]))['texts']))" \
      "$work/report-$m-default.json" > "$work/scan-default-texts"
    echo "bench: ${m} min, default --interval: scan ${scan_s} s, $(ratio "$dur" "$scan_s")x real time, peak RSS ${scan_rss} kB, price recall $(recall "$work/scan-default-texts")"
    echo "bench:   report stats: $dstats"

    echo "bench: [decode every frame] load before $(load)"
    t0=$(now)
    gst-launch-1.0 -q uridecodebin uri="file://$video" ! fakesink sync=false
    t1=$(now)
    echo "bench: [decode every frame] load after  $(load)"
    decode_s=$(sub "$t1" "$t0")
    echo "bench: decode every frame (uridecodebin ! fakesink): ${decode_s} s"
    echo "bench: scan is $(ratio "$decode_s" "$scan_med")x faster than decoding every frame (target > 1)"

    if [ "$run_naive" != 0 ]; then
      mkdir -p "$work/png"
      : > "$work/naive-texts"
      echo "bench: [naive] load before $(load)"
      t0=$(now)
      ffmpeg -nostdin -loglevel error -i "$video" -vf fps=1 "$work/png/%05d.png"
      t1=$(now)
      for f in "$work"/png/*.png; do
        tesseract "$f" - -l chi_sim+eng 2>/dev/null >> "$work/naive-texts" || true
      done
      t2=$(now)
      echo "bench: [naive] load after  $(load)"
      naive_s=$(sub "$t2" "$t0")
      npng=$(find "$work/png" -name '*.png' | wc -l)
      echo "bench: naive (ffmpeg -vf fps=1 to PNG + tesseract CLI -l chi_sim+eng on each of ${npng}): ${naive_s} s (ffmpeg $(sub "$t1" "$t0") s, tesseract $(sub "$t2" "$t1") s)"
      echo "bench: scan is $(ratio "$naive_s" "$scan_med")x faster than the naive way (target >= 20)"
      echo "bench: price recall: scan $(recall "$work/scan-texts"), naive $(recall "$work/naive-texts") (target: scan >= naive)"
      echo "bench:   (information: value as a bare number anywhere, currency sign ignored: scan $(loose_recall "$work/scan-texts"), naive $(loose_recall "$work/naive-texts"))"
    else
      echo "bench: naive run skipped (SCAN_BENCH_NAIVE=0); price recall: scan $(recall "$work/scan-texts")"
    fi
  fi
done
if [ ${#lengths[@]} -ge 2 ]; then
  a=${peak[${lengths[0]}]}; b=${peak[${lengths[-1]}]}
  echo "bench: peak RSS ${lengths[-1]} min / ${lengths[0]} min = $(ratio "$b" "$a" 2) (${b} / ${a} kB, target <= 1.10)"
fi
