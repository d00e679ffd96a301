#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real images through gst-compliance-scan: exact price and line recall.

    tests/bench/real_frames.py [BUILD_DIR] [--engine auto|ppocr|tesseract]...
                               [--frames DIR]

The images are ../shared/data/real-frames of the project's workspace (or
--frames DIR, or $GC_REAL_FRAMES): real listing images, a subtitle frame
and captions, with truth.json read by eye.  They belong to their owners and
are never copied into the project; without the folder this script says so
and exits 0 (a benchmark, not a test).

Each image becomes a 2-second H.264 clip (gst-launch: imagefreeze, x264
at a high bitrate, so that the clip is the image), which the scan reads
with its default options but --engine; the report's texts are compared
with the truth:
  price  read when some text of the image holds exactly its value as a
         number (2199, 19.9; "2,199" is 2199)
  line   read when some text holds it, whitespace and full-width forms
         aside
Prints per image what was missed, then recall per engine; with several
--engine options, each in turn (the first is the baseline of the ratio).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def numbers(text):
    out = set()
    for m in re.findall(r"\d[\d,]*(?:\.\d+)?", norm(text)):
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", m):
            m = m.replace(",", "")
        m = m.replace(",", ".")
        try:
            out.add(float(m))
        except ValueError:
            pass
    return out


def make_clip(image, clip):
    dec = "pngdec" if image.endswith(".png") else "jpegdec"
    # Even sizes for I420; a high bitrate so that the clip is the image.
    cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + image, "!", dec, "!",
           "videoconvert", "!", "videoscale", "!", "imagefreeze", "num-buffers=60", "!",
           "video/x-raw,framerate=30/1", "!", "videoconvert", "!", "video/x-raw,format=I420", "!",
           "x264enc", "bitrate=20000", "speed-preset=veryfast", "key-int-max=30", "!",
           "mp4mux", "!", "filesink", "location=" + clip]
    # x264 needs even dimensions: scale to the nearest even size first.
    probe = subprocess.run(["gst-discoverer-1.0", image], capture_output=True, text=True)
    m = re.search(r"Width: (\d+).*?Height: (\d+)", probe.stdout, re.S)
    if m:
        w, h = int(m.group(1)) & ~1, int(m.group(2)) & ~1
        i = cmd.index("imagefreeze")
        cmd[i:i] = ["video/x-raw,width=%d,height=%d" % (w, h), "!"]
    subprocess.run(cmd, check=True)


def main():
    args = sys.argv[1:]
    build = os.path.join(ROOT, "build")
    engines = []
    frames = os.environ.get("GC_REAL_FRAMES") or os.path.join(os.path.dirname(ROOT), "shared", "data", "real-frames")
    i = 0
    while i < len(args):
        if args[i] == "--engine":
            engines.append(args[i + 1])
            i += 2
        elif args[i] == "--frames":
            frames = args[i + 1]
            i += 2
        else:
            build = args[i]
            i += 1
    engines = engines or ["tesseract", "auto"]
    truth_path = os.path.join(frames, "truth.json")
    if not os.path.isfile(truth_path):
        print("real-frames: %s not found: nothing to evaluate (skipped)" % truth_path)
        return 0
    scan = os.path.join(build, "tools", "gst-compliance-scan")
    if not os.access(scan, os.X_OK):
        print("real-frames: %s not found: build first (meson setup build && ninja -C build)" % scan,
              file=sys.stderr)
        return 2
    truth = json.load(open(truth_path, encoding="utf-8"))
    catalog = os.path.join(ROOT, "samples", "catalog-cn.json")
    env = dict(os.environ)
    env.setdefault("GST_PLUGIN_PATH", os.path.join(build, "gst-plugin"))
    env.setdefault("GST_COMPLIANCE_OCR_LIBRARY", os.path.join(build, "gst-plugin", "ocr", "libgstcompliance-ocr.so"))
    env.setdefault("GST_COMPLIANCE_MODELS_DIR", os.path.join(ROOT, "models"))
    results = []
    with tempfile.TemporaryDirectory(prefix="gc-real-") as tmp:
        for e in truth:
            make_clip(os.path.join(frames, e["file"]), os.path.join(tmp, e["file"] + ".mp4"))
        for engine in engines:
            prices = [0, 0]
            lines = [0, 0]
            wall = 0.0
            for e in truth:
                clip = os.path.join(tmp, e["file"] + ".mp4")
                report = os.path.join(tmp, "%s-%s.json" % (e["file"], engine))
                t0 = time.monotonic()
                r = subprocess.run([scan, "--catalog", catalog, "--report", report,
                                    "--engine", engine, clip],
                                   capture_output=True, text=True, env=env)
                wall += time.monotonic() - t0
                if r.returncode not in (0, 1):
                    print("real-frames: scan of %s failed (%d): %s" % (e["file"], r.returncode,
                                                                     r.stderr.strip()))
                    return 2
                texts = [t["text"] for t in json.load(open(report, encoding="utf-8"))["texts"]]
                nums = set()
                for t in texts:
                    nums |= numbers(t)
                for p in e["prices"]:
                    prices[1] += 1
                    if float(p["value"]) in nums:
                        prices[0] += 1
                    else:
                        print("  %-9s %-8s missed price %s" % (engine, e["file"], p["text"]))
                for line in e["lines"]:
                    lines[1] += 1
                    if any(norm(line) in norm(t) for t in texts):
                        lines[0] += 1
                    else:
                        print("  %-9s %-8s missed line  %s" % (engine, e["file"], line))
            results.append((engine, prices, lines, wall))
    print("\nreal frames (%d images, %s)" % (len(truth), frames))
    print("%-10s %14s %14s %9s" % ("engine", "exact prices", "lines", "wall s"))
    for engine, p, l, wall in results:
        print("%-10s %5d/%-3d %4.2f %5d/%-3d %4.2f %9.1f" % (
            engine, p[0], p[1], p[0] / max(1, p[1]), l[0], l[1], l[0] / max(1, l[1]), wall))
    if len(results) > 1:
        base = results[0]
        for engine, p, l, wall in results[1:]:
            print("%s against %s: prices x%.2f, lines x%.2f" % (
                engine, base[0], (p[0] / max(1, base[1][0])), (l[0] / max(1, base[2][0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
