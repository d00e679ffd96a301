#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes the realistic live-shopping test set (README.md here): for each clip
# of tests/realistic/set.json, NAME.mp4, NAME.catalog.json and
# NAME.truth.json in DIR.
#
#   tests/realistic/make-set.sh [-o DIR] [-b BUILD_DIR] [--quick] [--variant K]
#
# DIR defaults to ~/.cache/gst-compliance-realistic, BUILD_DIR to build/
# (the generator is BUILD_DIR/tests/realistic/gc-realistic-gen; set
# GC_REALISTIC_GEN to use another).  --quick makes only the quick subset
# (two 20 s clips).  --variant K (1, 2, ...) makes a held-out copy of the
# set: the same clips and truth, every clip re-seeded (another set, pan,
# chat, noise and placement jitter), its noise and bitrate changed (odd K:
# noise x1.2; even K: noise x0.9, bitrate x0.85), into DIR (default
# ~/.cache/gst-compliance-realistic-vK) with its definition as DIR/set.json:
# what the engine was tuned on is not what it is judged on.  A clip
# already in DIR is kept when its key (a hash of the generator binary,
# the clip's definition and its rule pack, written next to it as
# NAME.key) is unchanged; otherwise it is made again.  Each
# clip's truth is checked against the rule engine as it is made (see
# gen-realistic.c).  Prints what it made and what it kept; exit 0 when all
# clips are there and up to date, 1 when making one failed, 2 on a usage
# or setup error.
set -euo pipefail
# The same clip every time: libx264 reads heap memory it never wrote, so
# glibc's MALLOC_PERTURB_ (which `meson test` sets to a random value per
# run) changed the encoding, and with it what a scan of the clip read.
unset MALLOC_PERTURB_

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$HOME/.cache/gst-compliance-realistic
build=$root/build
out_set=0
quick=0
variant=0
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; out_set=1; shift 2 ;;
    -b) build=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --variant)
      variant=${2:-}
      case $variant in ''|*[!0-9]*|0) echo "make-set: --variant takes a number from 1, not '$variant'" >&2; exit 2 ;; esac
      shift 2 ;;
    -h|--help) sed -n '3,24p' "$0"; exit 0 ;;
    *) echo "make-set: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $build in /*) ;; *) build=$PWD/$build ;; esac
gen=${GC_REALISTIC_GEN:-$build/tests/realistic/gc-realistic-gen}
set_file=$here/set.json

if [ ! -x "$gen" ]; then
  echo "make-set: $gen not found: build it (meson setup $build && ninja -C $build;" \
    "it needs cairo, pangocairo and gstreamer-app: tools/setup installs them)" >&2
  exit 2
fi
missing=0
for el in appsrc videoconvert x264enc h264parse mp4mux; do
  if ! gst-inspect-1.0 "$el" >/dev/null 2>&1; then
    echo "make-set: GStreamer element $el missing: install gstreamer1.0-plugins-base," \
      "-good, -bad and -ugly (tools/setup)" >&2
    missing=1
  fi
done
for font in "Noto Sans CJK SC" "Noto Serif CJK SC" "AR PL UKai CN" "AR PL UMing CN" \
    "WenQuanYi Zen Hei" "DejaVu Sans" "DejaVu Serif"; do
  if ! fc-list : family | tr ',' '\n' | grep -qx "$font"; then
    echo "make-set: font \"$font\" missing: install fonts-noto-cjk fonts-noto-cjk-extra" \
      "fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei fonts-dejavu-core (tools/setup)" >&2
    missing=1
  fi
done
[ $missing = 0 ] || exit 2

[ $variant -gt 0 ] && [ $out_set = 0 ] && out=$HOME/.cache/gst-compliance-realistic-v$variant
mkdir -p "$out"
# One maker at a time per directory.
exec 9>"$out/.make-set.lock"
flock 9

if [ $variant -gt 0 ]; then
  # The held-out copy's definition, written only when it changed (its
  # clips' keys depend on it).
  python3 - "$set_file" "$variant" "$out/set.json" <<'PY' || exit 2
import json, os, sys
src, k, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(src, encoding="utf-8"))
for c in s["clips"]:
    c["seed"] = c["seed"] * (6 * k + 1) + 1234 - 457 * (k - 1)
    c["noise"] = round(c.get("noise", 4) * (1.2 if k % 2 else 0.9), 1)
    if k % 2 == 0:
        c["bitrate"] = int(c["bitrate"] * 0.85)
s["note"] = "Held-out variant %d of tests/realistic/set.json (make-set.sh --variant %d). " % (k, k) + s.get("note", "")
text = json.dumps(s, ensure_ascii=False, indent=1) + "\n"
if not os.path.exists(dst) or open(dst, encoding="utf-8").read() != text:
    tmp = dst + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, dst)
PY
  set_file=$out/set.json
fi

args=(--set "$set_file" --list)
[ $quick = 1 ] && args+=(--quick)
mapfile -t names < <("$gen" "${args[@]}")
made=0
kept=0
failed=0
t_all=$(date +%s.%N)
for name in "${names[@]}"; do
  key=$("$gen" --set "$set_file" --key "$name")
  if [ -f "$out/$name.mp4" ] && [ -f "$out/$name.catalog.json" ] \
      && [ -f "$out/$name.truth.json" ] && [ -f "$out/$name.key" ] \
      && [ "$(cat "$out/$name.key")" = "$key" ]; then
    echo "make-set: $name: up to date"
    kept=$((kept + 1))
    continue
  fi
  rm -f "$out/$name.key"
  t0=$(date +%s.%N)
  if "$gen" --set "$set_file" --clip "$name" -o "$out"; then
    echo "$key" > "$out/$name.key"
    t1=$(date +%s.%N)
    echo "make-set: $name: made in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$t1") s"
    made=$((made + 1))
  else
    echo "make-set: $name: FAILED" >&2
    failed=$((failed + 1))
  fi
done
t_end=$(date +%s.%N)
total=$(python3 - "$out" "${names[@]}" <<'PY'
import json, os, sys
d = sys.argv[1]
s = 0.0
for n in sys.argv[2:]:
    p = os.path.join(d, n + ".truth.json")
    if os.path.exists(p):
        s += json.load(open(p, encoding="utf-8"))["duration_s"]
print(f"{s:.0f} s ({s / 60:.1f} min)")
PY
)
echo "make-set: ${#names[@]} clips in $out: $made made, $kept up to date, $failed failed;" \
  "$total of video; $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$t_all" "$t_end") s"
[ $failed = 0 ] || exit 1
