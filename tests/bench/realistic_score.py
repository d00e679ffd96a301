#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Scores gst-compliance-scan on the realistic live-shopping set.

    tests/bench/realistic_score.py [--build BUILD_DIR] [--set DIR] [--quick]
        [--clips NAME,NAME] [--keep DIR] [--slack S] [SCAN_ARGS...]

For each clip of the set (made by tests/realistic/make-set.sh: NAME.mp4,
NAME.catalog.json, NAME.truth.json in DIR, default
~/.cache/gst-compliance-realistic) it runs

    BUILD/tools/gst-compliance-scan --catalog NAME.catalog.json
        --report R.json [SCAN_ARGS...] NAME.mp4

timing the wall clock, and compares the report with the truth file.
Arguments it does not know itself (--engine ppocr, --interval 2000,
--threads 1, ...) go to the scan; when the scan refuses --engine (older
builds have no such option) the clip is scanned again without it and the
output says so.

Per clip and in total it prints:
  prices     exact price recall: a truth price (current or reference,
             struck or not) counts as read when a report text whose time
             span overlaps the price's contains exactly that value as a
             price of the right currency: right after a currency sign
             (¥ ￥ $ €, spaces allowed) or right before 元 or €; full-width
             forms are folded, "19,99" is 19.99 and "1,299" is 1299 (a
             comma before exactly three digits is a thousands separator
             except in euros), 59.90 is 59.9;
  captions   caption recall: a truth caption (product names, claims,
             stickers, buttons) counts when a report text overlapping it
             equals it once white space is removed and full-width and
             half-width forms and punctuation are folded;
  labels     the same for the ad labels (information: disclosure depends
             on them);
  viol R     violation recall: a truth violation is found when a reported
             violation of the same rule overlaps it in time (each truth
             violation and each report violation matched at most once);
  viol P     violation precision: matched reported violations / reported;
  false      violations reported on compliant clips (whose truth has
             none), all of them false;
  speed      clip seconds / wall seconds of the scan (x real time).
Overlaps allow --slack seconds (default 0.5) at either end.  The details
under each clip list what was missed and what was reported wrongly.

Python 3 standard library only.  Exit 0 whatever the scores (it is a
benchmark, not a test); 2 when the set or the tool cannot be found.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from decimal import Decimal, InvalidOperation

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

CURRENCY_SIGNS = {"¥": "CNY", "$": "USD", "€": "EUR", "元": "CNY"}
NUM = r"\d+(?:[.,]\d+)*"
PRICE_BEFORE = re.compile(r"([¥$€])\s*(" + NUM + r")(?![\d])")
PRICE_AFTER = re.compile(r"(?<![\d.,])(" + NUM + r")\s*(元|€)")

# Punctuation NFKC leaves alone but that a reader may give in either form.
PUNCT = str.maketrans({
    "。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'",
    "—": "-", "–": "-", "−": "-", "…": "...", "·": ".", "・": ".",
    "～": "~", "〜": "~", "「": '"', "」": '"', "『": '"', "』": '"',
    "【": "[", "】": "]", "《": "<", "》": ">",
})


def fold(text):
    """NFKC (full-width to half-width, ￥ to ¥), punctuation folded."""
    return unicodedata.normalize("NFKC", text).translate(PUNCT)


def caption_key(text):
    return re.sub(r"\s+", "", fold(text))


def number_value(digits, currency):
    """The amount a price's digits stand for, or None."""
    s = digits
    if "," in s and "." in s:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        s = s.replace("," if dec == "." else ".", "")
        s = s.replace(",", ".")
    elif "," in s:
        groups = s.split(",")
        thousands = currency != "EUR" and all(len(g) == 3 for g in groups[1:])
        if len(groups) > 2 and all(len(g) == 3 for g in groups[1:]):
            thousands = True
        s = s.replace(",", "") if thousands else (
            "".join(groups[:-1]) + "." + groups[-1])
    elif "." in s:
        groups = s.split(".")
        if len(groups) > 2 or (currency == "EUR" and len(groups[-1]) == 3):
            s = s.replace(".", "") if all(len(g) == 3 for g in groups[1:]) else None
    if s is None:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def prices_in(text):
    """{(currency, Decimal)} read as prices in one report text."""
    t = fold(text)
    out = set()
    for m in PRICE_BEFORE.finditer(t):
        cur = CURRENCY_SIGNS[m.group(1)]
        v = number_value(m.group(2), cur)
        if v is not None:
            out.add((cur, v))
    for m in PRICE_AFTER.finditer(t):
        cur = CURRENCY_SIGNS[m.group(2)]
        v = number_value(m.group(1), cur)
        if v is not None:
            out.add((cur, v))
    return out


def overlaps(a0, a1, b0, b1, slack):
    return a0 <= b1 + slack and b0 <= a1 + slack


def fmt_ratio(n, d):
    return f"{n}/{d}" if d else "-"


def pct(n, d):
    return f"{100.0 * n / d:.0f}%" if d else "-"


def run_scan(scan, clip_dir, name, extra, report, log):
    """Runs the scan; returns (rc, wall seconds, note)."""
    video = os.path.join(clip_dir, name + ".mp4")
    catalog = os.path.join(clip_dir, name + ".catalog.json")
    note = ""
    for attempt in range(2):
        cmd = [scan, "--catalog", catalog, "--report", report] + extra + [video]
        t0 = time.monotonic()
        with open(log, "w") as err:
            rc = subprocess.call(cmd, stdout=err, stderr=subprocess.STDOUT)
        wall = time.monotonic() - t0
        if rc == 2 and attempt == 0 and any(a == "--engine" or a.startswith("--engine=") for a in extra):
            with open(log, encoding="utf-8", errors="replace") as f:
                msg = f.read()
            if re.search(r"[Uu]nknown option.*--engine|--engine.*unknown", msg):
                dropped = []
                rest = []
                skip = False
                for a in extra:
                    if skip:
                        dropped.append(a)
                        skip = False
                    elif a == "--engine":
                        dropped.append(a)
                        skip = True
                    elif a.startswith("--engine="):
                        dropped.append(a)
                    else:
                        rest.append(a)
                extra = rest
                note = (f"this gst-compliance-scan has no --engine: scanned without "
                        f"'{' '.join(dropped)}'")
                continue
        return rc, wall, note
    return rc, wall, note


def score_clip(truth, report, slack):
    texts = report.get("texts", [])
    for t in texts:
        t["_prices"] = prices_in(t.get("text", ""))
        t["_key"] = caption_key(t.get("text", ""))
    res = {"prices": [0, 0], "captions": [0, 0], "labels": [0, 0],
           "missed_prices": [], "missed_captions": [], "missed_labels": []}

    for item in truth["texts"]:
        kind = item["kind"]
        t0, t1 = item["t_start"], item["t_end"]
        near = [t for t in texts if overlaps(t0, t1, t["t_start"], t["t_end"], slack)]
        if kind in ("price", "reference"):
            want = (item["currency"], Decimal(repr(item["value"])))
            ok = any(want in t["_prices"] for t in near)
            res["prices"][1] += 1
            res["prices"][0] += ok
            if not ok:
                res["missed_prices"].append(item)
        elif kind in ("caption", "label"):
            key = caption_key(item["text"])
            ok = any(t["_key"] == key for t in near)
            bucket = "captions" if kind == "caption" else "labels"
            res[bucket][1] += 1
            res[bucket][0] += ok
            if not ok:
                res["missed_" + bucket].append(item)

    # Violations: each report violation matched to at most one truth
    # violation of its rule that it overlaps (the largest overlap first).
    tv = truth["violations"]
    rv = sorted(report.get("violations", []), key=lambda v: (v["t_start"], v["t_end"]))
    used = [False] * len(tv)
    matched_r = [False] * len(rv)
    for j, v in enumerate(rv):
        best, best_ov = None, None
        for i, w in enumerate(tv):
            if used[i] or w["rule"] != v["rule"]:
                continue
            if not overlaps(w["t_start"], w["t_end"], v["t_start"], v["t_end"], slack):
                continue
            ov = min(w["t_end"], v["t_end"]) - max(w["t_start"], v["t_start"])
            if best is None or ov > best_ov:
                best, best_ov = i, ov
        if best is not None:
            used[best] = True
            matched_r[j] = True
    res["viol_found"] = sum(used)
    res["viol_truth"] = len(tv)
    res["viol_matched"] = sum(matched_r)
    res["viol_reported"] = len(rv)
    res["missed_viol"] = [w for i, w in enumerate(tv) if not used[i]]
    res["found_viol"] = [w for i, w in enumerate(tv) if used[i]]
    res["false_viol"] = [v for j, v in enumerate(rv) if not matched_r[j]]
    res["compliant"] = bool(truth.get("compliant", not tv))
    res["false_on_compliant"] = len(rv) if res["compliant"] else 0
    return res


def short(s, n=40):
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[:n - 1] + "…"


def main():
    ap = argparse.ArgumentParser(
        description="Score gst-compliance-scan on the realistic set (see the file's header).",
        allow_abbrev=False)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build directory holding tools/gst-compliance-scan (default: build)")
    ap.add_argument("--set", dest="set_dir",
                    default=os.path.join(os.path.expanduser("~"), ".cache", "gst-compliance-realistic"),
                    help="directory made by tests/realistic/make-set.sh")
    ap.add_argument("--quick", action="store_true", help="only the clips of the quick subset")
    ap.add_argument("--clips", default="", help="comma-separated clip names (default: all in --set)")
    ap.add_argument("--keep", default="", help="keep reports and scan logs in this directory")
    ap.add_argument("--slack", type=float, default=0.5,
                    help="seconds allowed at either end of a time overlap (default 0.5)")
    args, extra = ap.parse_known_args()

    build = os.path.abspath(args.build)
    scan = os.path.join(build, "tools", "gst-compliance-scan")
    if not os.access(scan, os.X_OK):
        print(f"score: {scan} not found: build first (meson setup {build} && ninja -C {build})",
              file=sys.stderr)
        return 2
    truths = sorted(glob.glob(os.path.join(args.set_dir, "*.truth.json")))
    if not truths:
        print(f"score: no clips in {args.set_dir}: make them with tests/realistic/make-set.sh "
              f"-o {args.set_dir}", file=sys.stderr)
        return 2
    wanted = [c for c in args.clips.split(",") if c]

    env = os.environ
    env.setdefault("GST_PLUGIN_PATH", os.path.join(build, "gst-plugin"))
    env.setdefault("GST_COMPLIANCE_MODELS_DIR", os.path.join(ROOT, "models"))
    ocr_lib = os.path.join(build, "gst-plugin", "ocr", "libgstcompliance-ocr.so")
    if os.path.exists(ocr_lib):
        env.setdefault("GST_COMPLIANCE_OCR_LIBRARY", ocr_lib)

    work = args.keep or tempfile.mkdtemp(prefix="realistic-score-")
    os.makedirs(work, exist_ok=True)

    clips = []
    for path in truths:
        with open(path, encoding="utf-8") as f:
            truth = json.load(f)
        name = truth["clip"]
        if wanted and name not in wanted:
            continue
        if args.quick and not truth.get("quick"):
            continue
        if not os.path.exists(os.path.join(args.set_dir, name + ".mp4")):
            print(f"score: {name}: no video in {args.set_dir}, skipped", file=sys.stderr)
            continue
        clips.append(truth)
    if not clips:
        print("score: no clip to score", file=sys.stderr)
        return 2

    print(f"score: {len(clips)} clips from {args.set_dir}, scan {scan}"
          + (f" {' '.join(extra)}" if extra else ""))
    print(f"score: load average before {open('/proc/loadavg').read().split()[0:3]}")
    hdr = (f"{'clip':<22} {'dur s':>6} {'wall s':>7} {'speed':>6}  {'prices':>11}  {'captions':>11}  "
           f"{'labels':>7}  {'viol R':>7}  {'viol P':>7}  {'false':>5}")
    print(hdr)
    print("-" * len(hdr))

    tot = {"dur": 0.0, "wall": 0.0, "p": [0, 0], "c": [0, 0], "l": [0, 0],
           "vf": 0, "vt": 0, "vm": 0, "vr": 0, "false": 0, "compliant": 0, "errors": 0}
    by_rule = {}
    notes = set()
    for truth in clips:
        name = truth["clip"]
        report_path = os.path.join(work, name + ".report.json")
        log_path = os.path.join(work, name + ".scan.log")
        if os.path.exists(report_path):
            os.unlink(report_path)
        rc, wall, note = run_scan(scan, args.set_dir, name, list(extra), report_path, log_path)
        if note:
            notes.add(note)
        report = None
        if os.path.exists(report_path):
            try:
                with open(report_path, encoding="utf-8") as f:
                    report = json.load(f)
            except ValueError:
                report = None
        if rc not in (0, 1) or report is None:
            tot["errors"] += 1
            with open(log_path, encoding="utf-8", errors="replace") as f:
                tail = f.read().strip().splitlines()[-3:]
            print(f"{name:<22} scan failed (exit {rc}): {' | '.join(tail)}")
            report = report or {"texts": [], "violations": []}
        dur = truth["duration_s"]
        r = score_clip(truth, report, args.slack)
        tot["dur"] += dur
        tot["wall"] += wall
        for k, kk in (("p", "prices"), ("c", "captions"), ("l", "labels")):
            tot[k][0] += r[kk][0]
            tot[k][1] += r[kk][1]
        tot["vf"] += r["viol_found"]
        tot["vt"] += r["viol_truth"]
        tot["vm"] += r["viol_matched"]
        tot["vr"] += r["viol_reported"]
        tot["false"] += r["false_on_compliant"]
        tot["compliant"] += r["compliant"]
        # per rule: [found, truth, false, reported]
        for w in truth["violations"]:
            by_rule.setdefault(w["rule"], [0, 0, 0, 0])[1] += 1
        for w in r["found_viol"]:
            by_rule[w["rule"]][0] += 1
        for v in report.get("violations", []):
            by_rule.setdefault(v["rule"], [0, 0, 0, 0])[3] += 1
        for v in r["false_viol"]:
            by_rule[v["rule"]][2] += 1

        print(f"{name:<22} {dur:>6.1f} {wall:>7.1f} {dur / wall if wall else 0:>5.1f}x  "
              f"{fmt_ratio(*r['prices']):>6} {pct(*r['prices']):>4}  "
              f"{fmt_ratio(*r['captions']):>6} {pct(*r['captions']):>4}  "
              f"{fmt_ratio(*r['labels']):>7}  "
              f"{fmt_ratio(r['viol_found'], r['viol_truth']):>7}  "
              f"{fmt_ratio(r['viol_matched'], r['viol_reported']):>7}  "
              f"{(str(r['false_on_compliant']) if r['compliant'] else '-'):>5}")
        for it in r["missed_prices"]:
            print(f"    missed {it['kind']} {it['currency']} {it['value']:g} \"{it['text']}\" "
                  f"{it['t_start']:g}-{it['t_end']:g} s")
        for it in r["missed_captions"] + r["missed_labels"]:
            print(f"    missed {it['kind']} \"{it['text']}\" {it['t_start']:g}-{it['t_end']:g} s")
        for w in r["missed_viol"]:
            print(f"    missed violation {w['rule']} ({w['sku']}) {w['t_start']:g}-{w['t_end']:g} s")
        for v in r["false_viol"]:
            print(f"    false violation {v['rule']} ({v.get('sku')}) {v['t_start']:g}-{v['t_end']:g} s, "
                  f"observed \"{short(str(v.get('observed')))}\"")

    print("-" * len(hdr))
    speed = tot["dur"] / tot["wall"] if tot["wall"] else 0
    print(f"{'TOTAL':<22} {tot['dur']:>6.1f} {tot['wall']:>7.1f} {speed:>5.1f}x  "
          f"{fmt_ratio(*tot['p']):>6} {pct(*tot['p']):>4}  "
          f"{fmt_ratio(*tot['c']):>6} {pct(*tot['c']):>4}  "
          f"{fmt_ratio(*tot['l']):>7}  "
          f"{fmt_ratio(tot['vf'], tot['vt']):>7}  "
          f"{fmt_ratio(tot['vm'], tot['vr']):>7}  "
          f"{tot['false']:>5}")
    print(f"score: price recall {fmt_ratio(*tot['p'])} ({pct(*tot['p'])}), "
          f"caption recall {fmt_ratio(*tot['c'])} ({pct(*tot['c'])}), "
          f"label recall {fmt_ratio(*tot['l'])} ({pct(*tot['l'])})")
    print(f"score: violations: recall {fmt_ratio(tot['vf'], tot['vt'])} ({pct(tot['vf'], tot['vt'])}), "
          f"precision {fmt_ratio(tot['vm'], tot['vr'])} ({pct(tot['vm'], tot['vr'])}); "
          f"{tot['false']} false on {tot['compliant']} compliant clips")
    for rule in sorted(by_rule):
        found, total, false, reported = by_rule[rule]
        print(f"score:   {rule:<26} found {fmt_ratio(found, total):>5}, reported {reported}, false {false}")
    print(f"score: speed {speed:.1f}x real time ({tot['dur']:.0f} s of video in {tot['wall']:.1f} s)")
    print(f"score: load average after {open('/proc/loadavg').read().split()[0:3]}")
    if tot["errors"]:
        print(f"score: {tot['errors']} scans failed (see above)")
    for n in sorted(notes):
        print(f"score: note: {n}")
    if args.keep:
        print(f"score: reports and logs kept in {work}")
    else:
        for f in glob.glob(os.path.join(work, "*")):
            os.unlink(f)
        os.rmdir(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
