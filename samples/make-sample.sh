#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generates a recording of a (synthetic) live sale with deliberate
# violations, and the catalog it is to be checked against.
#
#   samples/make-sample.sh [-o OUT.mp4] [-c OUT-catalog.json] [-s WxH]
#                          [-t SEGMENT_SECONDS] [-n CYCLES] [-g GOP_SECONDS]
#                          [-p X264_PRESET] [-S stream|plain] [-b BUILD_DIR]
#
# Defaults: samples/sample-sale.mp4, samples/sample-sale.catalog.json,
# 1280x720, 10 s segments, 1 cycle (60 s), 2 s GOP, H.264 (x264) in MP4
# (-S stream at a live stream's bitrate: 1.5 Mb/s at 720p, 3.5 at 1080p).
#
# -S stream (the default) draws it as a platform records a live sale, with
# tests/realistic's generator (BUILD_DIR/tests/realistic/gc-realistic-gen,
# built by `meson setup build && ninja -C build`; BUILD_DIR defaults to
# build/, GC_REALISTIC_GEN names another): a blurred set panned slowly, a
# host, sensor noise, the platform's chrome (streamer, viewer count, live
# badge, scrolling chat, hearts), price cards that slide in and out with
# the reference price struck through, captions in several fonts, and a
# 广告 label.  It also writes OUT.truth.json: every text on screen and when
# (a file of that name that is not such a truth file is left alone: the
# script stops first).
# Segments are then at least 5 s long, so that each violation stays on
# screen 4 s between the cards' animations.  -p is ignored (veryfast).
#
# -S plain is the old test pattern: textoverlay text on moving SMPTE bars
# (the reference price written 原价 ¥…, as textoverlay cannot strike
# through).  It is quick to make at any length, and easy to read: use it
# for throughput, never for accuracy.
#
# One cycle is six segments over the products of samples/catalog-cn.json
# (the catalog written has that file's products, with its schedule scaled
# to the segment length and repeated per cycle):
#
#   seg  product  on screen                               expected verdict
#   0    A1001    保温杯 ¥99, struck ¥129, 广告 label       clean
#   1    A1001    到手价 ¥89, struck 原价 ¥199, 已售10万+,  price.mismatch,
#                 no label                                 price.reference_inflated,
#                                                          claim.sales_inflated,
#                                                          disclosure.missing
#   2    B2002    五常大米 ¥59.9, 全网最低价                 claim.absolute_term
#   3    B2002    ¥59.9, 根治糖尿病                          claim.medical
#   4    C3003    保湿面霜 ¥168, struck ¥198                 clean
#   5    C3003    ¥168, 已售5000件                           claim.sales_inflated
set -euo pipefail
# The same clip every time: libx264 reads heap memory it never wrote, so
# glibc's MALLOC_PERTURB_ (which `meson test` sets to a random value per
# run) changed the encoding, and with it what a scan of the clip read.
unset MALLOC_PERTURB_

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/sample-sale.mp4"
catalog=""
size=1280x720
seg=10
cycles=1
gop=2
preset=veryfast
style=stream
build=$root/build

usage () { echo "make-sample: $*; see $0 -h" >&2; exit 2; }
while getopts "o:c:s:t:n:g:p:S:b:h" opt; do
  case $opt in
    o) out=$OPTARG ;;
    c) catalog=$OPTARG ;;
    s) size=$OPTARG ;;
    t) seg=$OPTARG ;;
    n) cycles=$OPTARG ;;
    g) gop=$OPTARG ;;
    p) preset=$OPTARG ;;
    S) style=$OPTARG ;;
    b) build=$OPTARG ;;
    h) sed -n '3,45p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
[ $OPTIND -gt $# ] || usage "unexpected argument ${!OPTIND}"
[ -n "$catalog" ] || catalog="${out%.*}.catalog.json"
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || usage "-s $size: give WIDTHxHEIGHT, e.g. 1280x720"
[[ $seg =~ ^[0-9]+$ ]] && [ "$seg" -ge 1 ] || usage "-t $seg: give whole seconds"
[[ $cycles =~ ^[0-9]+$ ]] && [ "$cycles" -ge 1 ] || usage "-n $cycles: give a whole number of cycles"
[[ $gop =~ ^[0-9]+$ ]] && [ "$gop" -ge 1 ] || usage "-g $gop: give whole seconds"
case $style in
  stream)
    [ "$seg" -ge 5 ] || usage "-t $seg: -S stream needs segments of 5 s or more (-S plain takes shorter)"
    case $build in /*) ;; *) build=$PWD/$build ;; esac
    gen=${GC_REALISTIC_GEN:-$build/tests/realistic/gc-realistic-gen}
    [ -x "$gen" ] || usage "$gen not found: build it (meson setup build && ninja -C build; it needs cairo and pangocairo, which tools/setup installs), or use -S plain"
    truth="${out%.*}.truth.json"
    if [ -e "$truth" ] && ! grep -q '"gst-compliance-realistic-truth/1"' "$truth"; then
      usage "$truth exists and is not a truth file this script wrote: move it, or give another -o"
    fi
    ;;
  plain) ;;
  *) usage "-S $style: give stream or plain" ;;
esac
width=${size%x*}
height=${size#*x}
fps=30
total=$((seg * 6 * cycles))
frames=$((total * fps))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The catalog: catalog-cn.json's products, its schedule scaled and repeated.
python3 - "$here/catalog-cn.json" "$work/catalog.json" "$seg" "$cycles" <<'EOF'
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

if [ "$style" = stream ]; then
  # The clip for tests/realistic's generator: the six segments as price
  # cards, captions and the label, with the violations each must give (the
  # generator refuses a clip whose truth does not give exactly these).
  python3 - "$work/catalog.json" "$work/set.json" "$seg" "$cycles" "$width" \
      "$height" "$gop" <<'EOF'
import json, sys
cat_path, dst = sys.argv[1], sys.argv[2]
seg, cycles, w, h, gop = (int(a) for a in sys.argv[3:8])
cat = json.load(open(cat_path, encoding="utf-8"))
RED, GREY = "#e4393c", "#a8a8a8"

def price(value, keyword):
    parts = ([{"text": keyword + " ", "scale": 0.42}] if keyword else [])
    text = f"{value:g}"
    return {"parts": parts + [{"text": "¥", "scale": 0.6}, {"text": text}],
            "kind": "price", "value": value, "currency": "CNY", "size": 72,
            "color": RED, "font": "Noto Sans CJK SC Bold"}

def struck(text, value):
    return {"text": text, "kind": "reference", "value": value,
            "currency": "CNY", "size": 26, "color": GREY, "strike": RED,
            "inline": True}

def name(text):
    return {"text": text, "role": "name", "size": 26, "color": "#333333"}

# seg: (sku, name, price, keyword, reference, caption, caption font, style,
#       caption colour, label, violations: (rule, on the card or caption))
segments = [
    ("A1001", "保温杯 500ml", 99, "到手价", ("¥129", 129), "限时秒杀",
     "Noto Sans CJK SC Bold", "outline", "#ffffff", True, []),
    ("A1001", "保温杯 500ml", 89, "到手价", ("原价 ¥199", 199), "已售10万+",
     "Noto Serif CJK SC Bold", "shadow", "#ffd400", False,
     [("price.mismatch", "card"), ("price.reference_inflated", "card"),
      ("claim.sales_inflated", "caption"), ("disclosure.missing", "segment")]),
    ("B2002", "五常大米 5kg", 59.9, "到手价", None, "全网最低价",
     "AR PL UKai CN", "plate-red", "#ffffff", False,
     [("claim.absolute_term", "caption")]),
    ("B2002", "五常大米 5kg", 59.9, None, None, "根治糖尿病",
     "WenQuanYi Zen Hei", "outline-shadow", "#ffffff", False,
     [("claim.medical", "caption")]),
    ("C3003", "保湿面霜", 168, "到手价", ("¥198", 198), "补水保湿",
     "AR PL UMing CN", "outline", "#ffffff", False, []),
    ("C3003", "保湿面霜", 168, "直播价", None, "已售5000件",
     "Noto Serif CJK SC Bold", "plate-dark", "#ffffff", False,
     [("claim.sales_inflated", "caption")]),
]
panels = ["white", "cream", "pink", "white", "gold", "cream"]
items, violations = [], []
for c in range(cycles):
    for i, (sku, nm, value, kw, ref, cap, font, cstyle, ccol, label,
            viol) in enumerate(segments):
        b = (c * 6 + i) * seg
        shown = [b + 0.5 if b > 0 else 0, b + seg - 0.5]
        lines = [name(nm), price(value, kw)]
        if ref:
            lines.append(struck(*ref))
        items.append({"type": "card", "t": shown, "at": [0.97, 0.24],
                      "anchor": "tr", "panel": panels[i], "lines": lines})
        items.append({"type": "card", "t": shown, "at": [0.012, 0.655],
                      "anchor": "bl", "panel": "white", "thumb": "#3a7bd5",
                      "pad": 8, "radius": 10, "enter": "slide-left",
                      "exit": "slide-left",
                      "lines": [{"text": nm.split()[0], "size": 16,
                                 "color": "#333333", "role": "name"},
                                {"text": f"¥{value:g}", "kind": "price",
                                 "value": value, "currency": "CNY",
                                 "size": 20, "color": RED},
                                {"text": "去抢购", "size": 16,
                                 "color": "#ffffff", "badge": "#ff2d55",
                                 "inline": True, "role": "button"}]})
        items.append({"type": "caption", "t": shown, "text": cap,
                      "font": font, "size": 54, "style": cstyle,
                      "color": ccol, "at": [0.56, 0.72]})
        if label:
            items.append({"type": "label", "t": [b, b + seg], "text": "广告",
                          "corner": "tr", "size": 20, "style": "plate-dark"})
        for rule, where in viol:
            t = [b, b + seg] if where == "segment" else shown
            violations.append({"rule": rule, "sku": sku, "t": t})

clip = {
    "name": "sale", "region": "cn", "size": f"{w}x{h}",
    "bitrate": max(300, w * h // 600), "gop": gop, "bframes": 2,
    "duration": 6 * seg * cycles, "seed": 2026, "noise": 4.5,
    "scene": "warm-studio", "streamer": "小美的好物分享",
    "viewers": [32000, 40], "catalog": cat, "items": items,
    "violations": violations,
}
json.dump({"schema": "gst-compliance-realistic-set/1",
           "note": "samples/make-sample.sh", "clips": [clip]},
          open(dst, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
EOF
  echo "make-sample: writing $out (${total} s, ${size}, GOP ${gop} s, a live" \
    "sale's look) and $catalog" >&2
  "$gen" --set "$work/set.json" --clip sale -o "$work" >&2
  mv "$work/sale.mp4" "$out"
  mv "$work/sale.catalog.json" "$catalog"
  mv "$work/sale.truth.json" "$truth"
  echo "make-sample: done" >&2
  exit 0
fi

# -S plain
# textoverlay scales its font with the frame (auto-resize, on by default),
# so constant point sizes keep the layout the same at any size (sizing by
# the height as well would grow the text with its square and overlap the
# lines at 1080p).
font=45
small=32

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

ov () {  # name halign valign xpos ypos size
  echo "textoverlay name=$1 font-desc=\"Noto Sans CJK SC Bold $6\"" \
    "shaded-background=true halignment=$2 valignment=$3 xpos=$4 ypos=$5" \
    "wait-text=true"
}

# The same pixels on every run, however busy the machine: each frame
# waits for its subtitle (wait-text=true; with false a late subtitle
# thread left frames without their text), and x264 encodes on one thread
# (its frame threads' rate control varies with timing).
echo "make-sample: writing $out (${total} s, ${size}, GOP ${gop} s, test pattern) and $catalog" >&2
cp "$work/catalog.json" "$catalog"
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
