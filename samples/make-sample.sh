#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generates a recording of a (synthetic) live sale with deliberate
# violations, and the catalog it is to be checked against.
#
#   samples/make-sample.sh [-o OUT.mp4] [-c OUT-catalog.json] [-s WxH]
#                          [-t SEGMENT_SECONDS] [-n CYCLES] [-g GOP_SECONDS]
#                          [-p X264_PRESET]
#
# Defaults: samples/sample-sale.mp4, samples/sample-sale.catalog.json,
# 1280x720, 10 s segments, 1 cycle (60 s), 2 s GOP, H.264 (x264) in MP4.
#
# One cycle is six segments over the products of samples/catalog-cn.json
# (the catalog written has that file's products, with its schedule scaled
# to the segment length and repeated per cycle):
#
#   seg  product  on screen                               expected verdict
#   0    A1001    保温杯 ¥99, 原价 ¥129, 广告 label        clean
#   1    A1001    到手价 ¥89, 原价 ¥199, 已售10万+, no label price.mismatch,
#                                                          price.reference_inflated,
#                                                          claim.sales_inflated,
#                                                          disclosure.missing
#   2    B2002    五常大米 ¥59.9, 全网最低价                 claim.absolute_term
#   3    B2002    ¥59.9, 根治糖尿病                          claim.medical
#   4    C3003    保湿面霜 ¥168, 原价 ¥198                   clean
#   5    C3003    ¥168, 已售5000件                           claim.sales_inflated
#
# The struck "original" price is written as 原价 ¥…: textoverlay cannot
# strike through (subparse drops <s>), and the facts parser takes the
# keyword as the reference-price cue.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="$here/sample-sale.mp4"
catalog=""
size=1280x720
seg=10
cycles=1
gop=2
preset=veryfast

while getopts "o:c:s:t:n:g:p:h" opt; do
  case $opt in
    o) out=$OPTARG ;;
    c) catalog=$OPTARG ;;
    s) size=$OPTARG ;;
    t) seg=$OPTARG ;;
    n) cycles=$OPTARG ;;
    g) gop=$OPTARG ;;
    p) preset=$OPTARG ;;
    h) sed -n '3,31p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
[ -n "$catalog" ] || catalog="${out%.*}.catalog.json"
width=${size%x*}
height=${size#*x}
fps=30
total=$((seg * 6 * cycles))
frames=$((total * fps))
# textoverlay scales its font with the frame (auto-resize, on by default),
# so constant point sizes keep the layout the same at any size (sizing by
# the height as well would grow the text with its square and overlap the
# lines at 1080p).
font=45
small=32

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One SRT per on-screen layer; segment texts per layer, "" = nothing shown.
declare -A layer
layer[name]='保温杯 500ml|保温杯 500ml|五常大米 5kg|五常大米 5kg|保湿面霜|保湿面霜'
layer[price]='到手价 ¥99|到手价 ¥89|到手价 ¥59.9|¥59.9|到手价 ¥168|到手价 ¥168'
layer[ref]='原价 ¥129|原价 ¥199|||原价 ¥198|'
layer[claim]='限时秒杀|已售10万+|全网最低价|根治糖尿病|补水保湿|已售5000件'
layer[label]='广告|||||'

srt_time () {
  local s=$1
  printf '%02d:%02d:%02d,000' $((s / 3600)) $(((s / 60) % 60)) $((s % 60))
}

for name in name price ref claim label; do
  IFS='|' read -r -a texts <<< "${layer[$name]}|"
  n=1
  : > "$work/$name.srt"
  for ((c = 0; c < cycles; c++)); do
    for ((i = 0; i < 6; i++)); do
      t=${texts[$i]:-}
      [ -n "$t" ] || continue
      start=$(((c * 6 + i) * seg))
      printf '%d\n%s --> %s\n%s\n\n' "$n" "$(srt_time $start)" \
        "$(srt_time $((start + seg)))" "$t" >> "$work/$name.srt"
      n=$((n + 1))
    done
  done
done

# The catalog: catalog-cn.json's products, its schedule scaled and repeated.
python3 - "$here/catalog-cn.json" "$catalog" "$seg" "$cycles" <<'EOF'
import json, sys
src, dst, seg, cycles = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
cat = json.load(open(src, encoding="utf-8"))
sched = []
for c in range(cycles):
    base = c * 6 * seg
    for i, sku in enumerate(["A1001", "B2002", "C3003"]):
        sched.append({"sku": sku, "start": base + 2 * i * seg,
                      "end": base + 2 * (i + 1) * seg})
cat["schedule"] = sched
with open(dst, "w", encoding="utf-8") as f:
    json.dump(cat, f, ensure_ascii=False, indent=2)
    f.write("\n")
EOF

ov () {  # name halign valign xpos ypos size
  echo "textoverlay name=$1 font-desc=\"Noto Sans CJK SC Bold $6\"" \
    "shaded-background=true halignment=$2 valignment=$3 xpos=$4 ypos=$5" \
    "wait-text=true"
}

# The same pixels on every run, however busy the machine: each frame
# waits for its subtitle (wait-text=true; with false a late subtitle
# thread left frames without their text), and x264 encodes on one thread
# (its frame threads' rate control varies with timing).
echo "make-sample: writing $out (${total} s, ${size}, GOP ${gop} s) and $catalog" >&2
eval gst-launch-1.0 -q -e \
  videotestsrc num-buffers=$frames pattern=smpte horizontal-speed=2 \
  ! "video/x-raw,width=$width,height=$height,framerate=$fps/1" \
  ! $(ov name position position 0.05 0.08 $small) \
  ! $(ov price position position 0.35 0.40 $font) \
  ! $(ov ref position position 0.35 0.55 $small) \
  ! $(ov claim position position 0.30 0.78 $font) \
  ! $(ov label position position 0.82 0.06 $small) \
  ! videoconvert ! x264enc threads=1 speed-preset=$preset key-int-max=$((gop * fps)) \
    bitrate=$((width * height * 3 / 1000)) \
  ! video/x-h264,profile=high ! mp4mux ! filesink location="\"$out\"" \
  filesrc location="$work/name.srt" ! subparse ! name.text_sink \
  filesrc location="$work/price.srt" ! subparse ! price.text_sink \
  filesrc location="$work/ref.srt" ! subparse ! ref.text_sink \
  filesrc location="$work/claim.srt" ! subparse ! claim.text_sink \
  filesrc location="$work/label.srt" ! subparse ! label.text_sink
echo "make-sample: done" >&2
