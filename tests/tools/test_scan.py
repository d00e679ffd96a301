#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of gst-compliance-scan (issue 6).

Recordings are generated here (samples/make-sample.sh for the sale, drawn
as a live stream looks; plain videotestsrc clips for the rest), small and
short so the suite stays within a few minutes on two cores.  The report is
checked against models/report.schema.json with the small validator below
(jsonschema is not installed in CI)."""
import atexit
import hashlib
import json
import os
import random
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib
import xml.etree.ElementTree as ET

SRC = os.environ.get("GST_COMPLIANCE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
SCAN = os.environ.get("GST_COMPLIANCE_SCAN", "gst-compliance-scan")
SAMPLE_CATALOG = os.path.join(SRC, "samples", "catalog-cn.json")
# The build the scan comes from (samples/make-sample.sh runs its
# tests/realistic generator).
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(SCAN)))
with open(os.path.join(SRC, "models", "report.schema.json"),
          encoding="utf-8") as _f:
    SCHEMA = json.load(_f)
RULES = {"price.mismatch", "price.reference_inflated", "claim.absolute_term",
         "claim.medical", "claim.sales_inflated", "disclosure.missing",
         "product.undeclared", "product.prohibited",
         "disclosure.statement_missing", "price.raised_before_discount",
         "claim.audience_inflated", "gift.undisclosed", "gift.value_inflated"}
with open(os.path.join(SRC, "models", "summary.schema.json"),
          encoding="utf-8") as _f:
    SUMMARY_SCHEMA = json.load(_f)


def validate(node, schema, path="$", root=SCHEMA):
    """The subset of JSON Schema that report.schema.json uses."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = root["$defs"][ref[len("#/$defs/"):]]
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        pytypes = {"object": dict, "array": list, "string": str,
                   "boolean": bool, "null": type(None)}
        ok = False
        for t in types:
            if t == "integer":
                ok |= isinstance(node, int) and not isinstance(node, bool)
            elif t == "number":
                ok |= isinstance(node, (int, float)) and not isinstance(node, bool)
            else:
                ok |= isinstance(node, pytypes[t])
        if not ok:
            raise AssertionError(f"{path}: {node!r} is not {types}")
    if "const" in schema and node != schema["const"]:
        raise AssertionError(f"{path}: {node!r} != {schema['const']!r}")
    if "enum" in schema and node not in schema["enum"]:
        raise AssertionError(f"{path}: {node!r} not in {schema['enum']}")
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        if "minimum" in schema and node < schema["minimum"]:
            raise AssertionError(f"{path}: {node} < {schema['minimum']}")
        if "maximum" in schema and node > schema["maximum"]:
            raise AssertionError(f"{path}: {node} > {schema['maximum']}")
    if isinstance(node, str) and len(node) < schema.get("minLength", 0):
        raise AssertionError(f"{path}: too short")
    if isinstance(node, dict):
        for key in schema.get("required", []):
            if key not in node:
                raise AssertionError(f"{path}: missing {key}")
        for key, sub in schema.get("properties", {}).items():
            if key in node:
                validate(node[key], sub, f"{path}.{key}", root)
    if isinstance(node, list):
        if len(node) < schema.get("minItems", 0) or \
                len(node) > schema.get("maxItems", 1 << 30):
            raise AssertionError(f"{path}: {len(node)} items")
        for i, item in enumerate(node):
            if "items" in schema:
                validate(item, schema["items"], f"{path}[{i}]", root)


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


# The test environment points GST_PLUGIN_PATH at the freshly built plugin
# and GST_REGISTRY at a registry shared with the other tests.  The system's
# GStreamer programs that make and check the recordings (gst-launch-1.0,
# also inside samples/make-sample.sh) need neither: a
# sanitizer-built plugin cannot even load into them.  They run with the
# system's plugins only, a registry of their own and no sanitizer
# settings (as tests/ocr/gc-ocr-scene.c does); gst-compliance-scan itself
# keeps the test environment.
_SYSTEM_DIR = tempfile.mkdtemp(prefix="test-scan-system-")
atexit.register(shutil.rmtree, _SYSTEM_DIR, True)
# Nor MALLOC_PERTURB_, which meson test sets at random: libx264 reads heap
# memory it never wrote, so the recordings' encoding (and what the scan
# read of them: once a price taken as struck) changed from run to run.
SYSTEM_ENV = {k: v for k, v in os.environ.items()
              if k not in ("GST_PLUGIN_PATH", "GST_PLUGIN_PATH_1_0",
                           "GST_REGISTRY_1_0", "LD_PRELOAD", "ASAN_OPTIONS",
                           "LSAN_OPTIONS", "UBSAN_OPTIONS", "MALLOC_PERTURB_")}
SYSTEM_ENV["GST_REGISTRY"] = os.path.join(_SYSTEM_DIR, "registry.bin")

# Set by tests/tools/meson.build in AddressSanitizer/UBSan builds, where
# gst-compliance-scan runs several times slower.
SANITIZED = bool(os.environ.get("GST_COMPLIANCE_SCAN_SANITIZED"))
LSAN_TRACER_CRASH = "LeakSanitizer has encountered a fatal error"
SLOW = 3 if SANITIZED else 1


def system(*cmd, **kw):
    """Runs one of the system's GStreamer programs (see SYSTEM_ENV)."""
    kw.setdefault("timeout", 120)
    return subprocess.run(list(cmd), env=SYSTEM_ENV, **kw)


# samples/make-sample.sh runs the build's tests/realistic generator, which
# in a sanitizer build is instrumented: it keeps the test environment's
# sanitizer settings (the leak suppressions of the libraries it draws
# with), and the system's GStreamer otherwise.
MAKE_SAMPLE_ENV = dict(SYSTEM_ENV)
for _k in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
    if _k in os.environ:
        MAKE_SAMPLE_ENV[_k] = os.environ[_k]


def make_sample(*args, check=False, **kw):
    """Runs samples/make-sample.sh with @args; with @check, a failure
    raises with what it printed."""
    kw.setdefault("timeout", 120 * SLOW)
    if check:
        kw.pop("stderr", None)
        kw["capture_output"] = True
        kw["text"] = True
    p = subprocess.run([os.path.join(SRC, "samples", "make-sample.sh"),
                        *args], env=MAKE_SAMPLE_ENV, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"make-sample.sh {' '.join(args)}: exit "
                           f"{p.returncode}\n{p.stderr}")
    return p


def gst_launch(*args):
    system("gst-launch-1.0", "-q", "-e", *args, check=True,
           stdout=subprocess.DEVNULL)


# ---- damaged recordings ---------------------------------------------------

def mp4_box(data, path, start=0, end=None):
    """(payload start, end) of the first box at PATH (e.g. ["moov", "trak"])."""
    end = len(data) if end is None else end
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack(">I4s", data[off:off + 8])
        head = 8
        if size == 1:
            size = struct.unpack(">Q", data[off + 8:off + 16])[0]
            head = 16
        elif size == 0:
            size = end - off
        if size < head:
            break
        if kind.decode("latin-1") == path[0]:
            if len(path) == 1:
                return off + head, off + size
            return mp4_box(data, path[1:], off + head, off + size)
        off += size
    return None


def mp4_samples(data):
    """(offset, size) of each sample of the first track, in decode order."""
    stbl = mp4_box(data, ["moov", "trak", "mdia", "minf", "stbl"])

    def full_box(name):
        b = mp4_box(data, [name], *stbl)
        return data[b[0] + 4:b[1]]          # past version and flags
    stsz = full_box("stsz")
    count = struct.unpack(">I", stsz[4:8])[0]
    sizes = struct.unpack(f">{count}I", stsz[8:8 + 4 * count])
    stco = full_box("stco")
    n_chunks = struct.unpack(">I", stco[:4])[0]
    chunks = struct.unpack(f">{n_chunks}I", stco[4:4 + 4 * n_chunks])
    stsc = full_box("stsc")
    runs = [struct.unpack(">III", stsc[4 + 12 * i:16 + 12 * i])
            for i in range(struct.unpack(">I", stsc[:4])[0])]
    out, k = [], 0
    for c, off in enumerate(chunks):
        per = [r[1] for r in runs if r[0] <= c + 1][-1]
        for _ in range(per):
            out.append((off, sizes[k]))
            off += sizes[k]
            k += 1
    return out


CORRUPT_SEED = 6006
CORRUPT_SIZE = 4096


def corrupt(data, i, n, size=CORRUPT_SIZE):
    """DATA with SIZE bytes in the middle of region I of N of the mdat
    payload overwritten with pseudo-random bytes (a fixed seed per region),
    and the indexes of the frames hit (decode order)."""
    start, end = mp4_box(data, ["mdat"])
    off = start + (end - start - size) * (2 * i + 1) // (2 * n)
    junk = random.Random(CORRUPT_SEED + i).randbytes(size)
    hit = [k for k, (o, s) in enumerate(mp4_samples(data))
           if o < off + size and o + s > off]
    return data[:off] + junk + data[off + size:], hit


class Scan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="test-scan-")
        d = cls.dir
        # The sale: 6 segments of 5 s, deliberate violations (see the
        # table in samples/make-sample.sh), drawn as a platform records a
        # live sale (noise, a panning set, chat, cards sliding in), and
        # its catalog.
        cls.sale = os.path.join(d, "sale.mp4")
        cls.sale_catalog = os.path.join(d, "sale.catalog.json")
        make_sample("-o", cls.sale, "-c", cls.sale_catalog, "-b", BUILD,
                    "-s", "960x540", "-t", "5", check=True,
                    stderr=subprocess.DEVNULL)
        # The same sale as the plain test pattern, 3 s segments, for the
        # tests of what the tool writes (evidence, the annotated copy) with
        # the quick Tesseract reader, which misses the stream-like sale's
        # prices (its figures: tests/bench/realistic_bench.sh).
        cls.plain_sale = os.path.join(d, "plain-sale.mp4")
        cls.plain_catalog = os.path.join(d, "plain-sale.catalog.json")
        make_sample("-S", "plain", "-o", cls.plain_sale, "-c",
                    cls.plain_catalog, "-s", "960x540", "-t", "3",
                    check=True, stderr=subprocess.DEVNULL)
        # A clip with nothing on screen, and a catalog whose product needs
        # no disclosure: nothing to report.
        cls.clean = os.path.join(d, "clean.mp4")
        gst_launch("videotestsrc", "num-buffers=90", "pattern=smpte",
                   "!", "video/x-raw,width=320,height=240,framerate=30/1",
                   "!", "x264enc", "speed-preset=ultrafast", "key-int-max=30",
                   "!", "mp4mux", "!", "filesink", f"location={cls.clean}")
        # For the damage tests: 3 s of moving bars, 4:2:0 H.264 High (CABAC)
        # as cameras and OBS record it: every frame a keyframe (the scan
        # decodes them all even when it decodes keyframes only), and a 1 s
        # GOP with B-frames.
        cls.intra = os.path.join(d, "intra.mp4")
        cls.gop = os.path.join(d, "gop.mp4")
        for out, key in ((cls.intra, 1), (cls.gop, 30)):
            gst_launch("videotestsrc", "num-buffers=90", "pattern=smpte",
                       "horizontal-speed=3", "!", "video/x-raw,format=I420,"
                       "width=320,height=240,framerate=30/1", "!", "x264enc",
                       "speed-preset=veryfast", "bitrate=800",
                       f"key-int-max={key}", "!", "mp4mux", "!", "filesink",
                       f"location={out}")
        cat = json.loads(read(cls.sale_catalog, "r"))
        for p in cat["products"]:
            p["sponsored"] = False
        cat["schedule"] = [{"sku": "B2002", "start": 0.0, "end": 100.0}]
        cls.clean_catalog = os.path.join(d, "clean.catalog.json")
        write(cls.clean_catalog, json.dumps(cat, ensure_ascii=False))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def scan(self, *args, catalog=None, report=None, env=None):
        report = report or self.path("report.json")
        if os.path.isfile(report):
            os.unlink(report)
        cmd = [SCAN, "--report", report]
        if catalog is not False:
            cmd += ["--catalog", catalog or self.sale_catalog]
        if SANITIZED and "--threads" not in args:
            # Each Tesseract costs seconds to start under the sanitizers;
            # the threads are tested by test_threads_same_report and
            # tests/ocr.
            cmd += ["--threads", "1"]
        for _ in range(2):
            p = subprocess.run(cmd + list(args), capture_output=True,
                               text=True, timeout=120 * SLOW,
                               env=dict(os.environ, **(env or {})))
            # LeakSanitizer's own tracer sometimes crashes at exit, before
            # looking for leaks (google/sanitizers#1353: "Tracer caught
            # signal 11", seen once in this suite's CI): that run is
            # repeated once; a run with a sanitizer's report is not.
            if not (SANITIZED and LSAN_TRACER_CRASH in p.stderr
                    and "ERROR: " not in p.stderr
                    and "runtime error:" not in p.stderr):
                break
        # AddressSanitizer, LeakSanitizer and UBSan report here (and change
        # the exit status, but not every test can tell).
        self.assertNotRegex(p.stderr, r"Sanitizer|runtime error:")
        return p.returncode, p.stderr, report

    def load(self, report):
        r = json.loads(read(report, "r"))
        validate(r, SCHEMA)
        return r

    def assertSummary(self, err):
        self.assertRegex(err, r"scanned [0-9.]+ s in [0-9.]+ s \([0-9.]+x\), "
                         r"[0-9]+ violations?")

    # ---- batches (issue 16) -----------------------------------------------

    def batch(self, *args):
        cmd = [SCAN] + list(args)
        if SANITIZED and "--merge" not in args:
            cmd += ["--threads", "1"]
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=300 * SLOW)
        self.assertNotRegex(p.stderr, r"Sanitizer|runtime error:")
        return p.returncode, p.stderr

    def test_batch_list_task_and_merge(self):
        """A list scanned whole and by one --task gives the same report; the
        merge holds every report whole and the totals over them."""
        d = self.path("batch")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        # The batch's workings, not reading: the quick plain sale.
        shutil.copy(self.plain_sale, os.path.join(d, "sale.mp4"))
        shutil.copy(self.clean, os.path.join(d, "quiet.mp4"))
        shutil.copy(self.clean_catalog, os.path.join(d, "quiet.catalog.json"))
        # Relative paths are from the list's directory.
        lst = os.path.join(d, "list.txt")
        write(lst, "# the day's recordings\nsale.mp4\n\n"
              "quiet.mp4\tquiet.catalog.json\n")
        out = os.path.join(d, "out")
        rc, err = self.batch("--inputs", lst, "--report-dir", out,
                             "--catalog", self.plain_catalog)
        self.assertEqual(rc, 1, err)
        self.assertIn("[1/2]", err)
        self.assertIn("[2/2]", err)
        self.assertEqual(sorted(os.listdir(out)),
                         ["quiet.html", "quiet.json", "sale.html", "sale.json"])
        sale = self.load(os.path.join(out, "sale.json"))
        quiet = self.load(os.path.join(out, "quiet.json"))
        self.assertTrue(sale["violations"])
        self.assertEqual(quiet["violations"], [])
        self.assertTrue(quiet["catalog"].endswith("quiet.catalog.json"))

        # One task of an array: only its recording, the same verdicts.
        one = os.path.join(d, "one")
        rc, err = self.batch("--inputs", lst, "--report-dir", one, "--task",
                             "1", "--catalog", self.plain_catalog)
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(os.listdir(one)), ["quiet.html", "quiet.json"])
        self.assertEqual(self.load(os.path.join(one, "quiet.json"))["texts"],
                         quiet["texts"])

        summary = os.path.join(out, "summary.json")
        index = os.path.join(out, "index.html")
        for _ in range(2):  # again: the summary beside them is skipped
            rc, err = self.batch("--merge", out, "--report", summary,
                                 "--html", index)
            self.assertEqual(rc, 1, err)
            self.assertIn("merged 2 reports", err)
        m = json.loads(read(summary, "r"))
        validate(m, SUMMARY_SCHEMA, root=SUMMARY_SCHEMA)
        self.assertEqual(m["recordings"], 2)
        self.assertEqual(m["status"], {"clean": 1, "violations": 1,
                                       "not_checked": 0, "incomplete": 0})
        self.assertEqual([e["file"] for e in m["reports"]],
                         ["quiet.json", "sale.json"])
        self.assertEqual([e["html"] for e in m["reports"]],
                         ["quiet.html", "sale.html"])
        self.assertEqual(m["reports"][0]["report"], quiet)
        self.assertEqual(m["reports"][1]["report"], sale)
        by_rule = {}
        for v in sale["violations"]:
            by_rule[v["rule"]] = by_rule.get(v["rule"], 0) + 1
        self.assertEqual(m["by_rule"], by_rule)
        self.assertEqual(m["violations"], len(sale["violations"]))
        page = read(index, "r")
        ET.fromstring(page.split("\n", 1)[1])
        self.assertIn('href="sale.html"', page)
        self.assertIn('href="quiet.json"', page)
        self.assertEqual(m["missing"], [])

        # With the batch's list: every recording's report, of it.
        rc, err = self.batch("--merge", "--inputs", lst, out, "--report",
                             summary)
        self.assertEqual(rc, 1, err)
        # Outputs never replace a report or its page.
        before = read(os.path.join(out, "sale.json"))
        for args, msg in (
                (["--report", os.path.join(out, "sale.json")],
                 "the summary would be written over it"),
                (["--report", summary, "--html", os.path.join(out, "sale.html")],
                 "one of the reports or their pages")):
            rc, err = self.batch("--merge", out, *args)
            self.assertEqual(rc, 2, err)
            self.assertIn(msg, err)
        self.assertEqual(read(os.path.join(out, "sale.json")), before)
        # A report left from another batch is refused...
        shutil.copy(os.path.join(out, "sale.json"), os.path.join(out, "quiet.json"))
        rc, err = self.batch("--merge", "--inputs", lst, out, "--report",
                             summary)
        self.assertEqual(rc, 2, err)
        self.assertIn("quiet.json is the report of", err)
        # ...and a missing one is listed, never left out silently.
        os.unlink(os.path.join(out, "quiet.json"))
        rc, err = self.batch("--merge", "--inputs", lst, out, "--report",
                             summary)
        self.assertEqual(rc, 2, err)
        self.assertIn("no report", err)
        m = json.loads(read(summary, "r"))
        validate(m, SUMMARY_SCHEMA, root=SUMMARY_SCHEMA)
        self.assertEqual(m["recordings"], 1)
        self.assertEqual([x["file"] for x in m["missing"]], ["quiet.json"])

    def test_batch_refuses_what_would_collide_or_is_wrong(self):
        d = self.path("batch-bad")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "a"))
        os.makedirs(os.path.join(d, "b"))
        a = os.path.join(d, "a", "day.mp4")
        b = os.path.join(d, "b", "day.mp4")
        shutil.copy(self.clean, a)
        shutil.copy(self.clean, b)
        out = os.path.join(d, "out")
        cat = self.clean_catalog
        cases = [
            (["--catalog", cat, "--report-dir", out, a, b],
             "would both write day.json to --report-dir"),
            (["--catalog", cat, "--report", self.path("r.json"), a, self.sale],
             "give --report-dir DIR"),
            (["--catalog", cat, "--report-dir", out, "--report",
              self.path("r.json"), a], "--report names one file"),
            (["--catalog", cat, "--report-dir", out, "--task", "0", a],
             "--task 0: give the list it picks from with --inputs FILE"),
            (["--report-dir", out, a, self.sale], "no catalog"),
        ]
        lst = os.path.join(d, "list.txt")
        write(lst, f"{a}\n{self.sale}\n")
        cases.append((["--catalog", cat, "--inputs", lst, "--report-dir", out,
                       "--task", "2"], f"--task 2: {lst} lists 2 recordings "
                      "(tasks 0 to 1)"))
        bad = os.path.join(d, "bad.txt")
        write(bad, f"{a}\tx.json\ty\n")
        cases.append((["--catalog", cat, "--inputs", bad, "--report-dir", out],
                      f"--inputs {bad}: line 1: 3 tab-separated fields"))
        empty = os.path.join(d, "empty.txt")
        write(empty, "# nothing yet\n\n")
        cases.append((["--inputs", empty, "--report-dir", out],
                      "lists no recording"))
        for args, msg in cases:
            rc, err = self.batch(*args)
            self.assertEqual(rc, 2, f"{args}: {err}")
            self.assertIn(msg, err, args)
        self.assertFalse(os.path.exists(out), "nothing written on a refusal")

        # --merge: only reports; a wrong file is named, nothing is written.
        write(os.path.join(d, "notes.json"), '{"schema": "x"}')
        summary = os.path.join(d, "summary.json")
        rc, err = self.batch("--merge", d, "--report", summary)
        self.assertEqual(rc, 2, err)
        self.assertIn("notes.json: not a scan report: its \"schema\" is "
                      "\"x\"", err)
        self.assertFalse(os.path.exists(summary))
        rc, err = self.batch("--merge", self.path("nowhere"), "--report",
                             summary)
        self.assertEqual(rc, 2, err)
        self.assertIn("nowhere", err)
        rc, err = self.batch("--merge", "--report", summary)
        self.assertEqual(rc, 2, err)
        self.assertIn("give the reports", err)

    # ---- reports ----------------------------------------------------------

    def test_sale_report(self):
        ev = self.path("evidence")
        html = self.path("sale.html")
        rc, err, rep = self.scan("--evidence", ev, "--html", html, self.sale)
        r = self.load(rep)
        self.assertEqual(rc, 1, err)
        self.assertSummary(err)
        self.assertEqual(r["schema"], "gst-compliance-report/1")
        self.assertEqual(r["input"], self.sale)
        self.assertAlmostEqual(r["duration_s"], 30.0, delta=0.1)
        self.assertTrue(r["complete"])
        self.assertEqual(r["source"], "ocr")
        st = r["stats"]
        self.assertEqual(st["frames_analysed"], 30)       # one a second
        self.assertLess(st["frames_decoded"], 30 * 30)    # skipped some
        self.assertGreaterEqual(st["frames_decoded"], 30)
        self.assertGreater(st["wall_s"], 0)
        self.assertEqual([p["sku"] for p in r["products"]],
                         ["A1001", "B2002", "C3003"])
        # Each reading once per continuous appearance.
        self.assertTrue(r["texts"])
        seen = {}
        for t in r["texts"]:
            self.assertLessEqual(t["t_start"], t["t_end"])
            if t["text"] in seen:
                self.assertGreater(t["t_start"] - seen[t["text"]], 2.0,
                                   f"{t['text']} not merged")
            seen[t["text"]] = t["t_end"]
        # Exactly the deliberate violations (samples/make-sample.sh), each
        # within its 5 s segment: segment 1 (A1001, 5-10 s) the price, the
        # struck reference, the sales claim and the missing ad label;
        # segments 2 and 3 (B2002) an absolute term and a medical claim;
        # segment 5 (C3003) a sales claim.  Nothing in the compliant
        # segments 0 and 4, where the label stays up the whole time.
        segment = {("price.mismatch", "A1001"): 1,
                   ("price.reference_inflated", "A1001"): 1,
                   ("claim.sales_inflated", "A1001"): 1,
                   ("disclosure.missing", "A1001"): 1,
                   ("claim.absolute_term", "B2002"): 2,
                   ("claim.medical", "B2002"): 3,
                   ("claim.sales_inflated", "C3003"): 5}
        got = sorted((v["rule"], v["sku"]) for v in r["violations"])

        def around(v):
            return [(t["text"], t["t_start"], t["t_end"], t.get("struck"))
                    for t in r["texts"]
                    if t["t_start"] <= v["t_start"] + 1
                    and t["t_end"] >= v["t_start"] - 1]
        # An unexpected one comes with what was read around it (CI runs
        # saw price.reference_inflated for B2002 at 18 s, "¥59.90" taken as
        # struck, in the encoding MALLOC_PERTURB_=172 gave; see SYSTEM_ENV).
        extra = [(v, around(v)) for v in r["violations"]
                 if (v["rule"], v["sku"]) not in segment]
        self.assertEqual(got, sorted(segment), (r["violations"], extra))
        for v in r["violations"]:
            k = segment[(v["rule"], v["sku"])]
            # On failure, what was read around the violation's start too
            # (a CI run once saw disclosure.missing start at 4.0, the
            # label unread at 4 s, which no local run repeated).
            self.assertGreaterEqual(v["t_start"], 5.0 * k, (v, around(v)))
            self.assertLessEqual(v["t_end"], 5.0 * (k + 1), (v, around(v)))
        for v in r["violations"]:
            self.assertIn(v["rule"], RULES)
            self.assertLessEqual(v["t_start"], v["t_end"])
            # Relative to the report file (documented in PRODUCT.md).
            self.assertTrue(v["evidence"])
            self.assertFalse(os.path.isabs(v["evidence"]))
            self.assertTrue(os.path.isfile(os.path.join(
                os.path.dirname(rep), v["evidence"])), v["evidence"])
        pms = [v for v in r["violations"] if v["rule"] == "price.mismatch"
               and v["observed"] == "¥89.00"]
        self.assertTrue(pms, r["violations"])
        pm = pms[0]
        self.assertEqual(pm["sku"], "A1001")
        self.assertEqual(pm["declared"], "¥99.00")
        self.assertGreaterEqual(pm["t_start"], 5.0)
        self.assertLessEqual(pm["t_end"], 10.5)
        # One record per continuous occurrence.
        keys = [(v["rule"], v["observed"]) for v in r["violations"]]
        self.assertEqual(len(keys), len(set(keys)), keys)
        # Evidence log.
        self.assertTrue(os.path.isfile(os.path.join(ev, "evidence.jsonl")))

        # HTML: well formed, one embedded image per violation, escaped.
        tree = ET.parse(html)
        ns = {"h": "http://www.w3.org/1999/xhtml"}
        imgs = tree.findall(".//h:img", ns)
        self.assertEqual(len(imgs), len(r["violations"]))
        for img in imgs:
            self.assertTrue(img.get("src").startswith("data:image/png;base64,"))
        self.assertIsNotNone(tree.find(".//{http://www.w3.org/2000/svg}svg"))
        self.assertEqual(len(tree.findall(".//h:article", ns)),
                         len(r["violations"]))

    def check_png(self, path):
        """@path is a whole PNG: every chunk's CRC holds, it ends with IEND
        and its image data inflates."""
        data = read(path)
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n", path)
        i, idat, kinds = 8, b"", []
        while i < len(data):
            self.assertLessEqual(i + 12, len(data), f"{path}: cut short")
            n, kind = struct.unpack(">I4s", data[i:i + 8])
            body = data[i + 8:i + 8 + n]
            self.assertEqual(len(body), n, f"{path}: cut short")
            crc, = struct.unpack(">I", data[i + 8 + n:i + 12 + n])
            self.assertEqual(zlib.crc32(kind + body), crc, f"{path}: bad CRC")
            kinds.append(kind)
            if kind == b"IDAT":
                idat += body
            i += 12 + n
        self.assertEqual(kinds[-1], b"IEND", path)
        self.assertGreater(len(zlib.decompress(idat)), 0)

    def evidence_lines(self, ev):
        with open(os.path.join(ev, "evidence.jsonl"), encoding="utf-8") as f:
            return [json.loads(line) for line in f.read().splitlines()]

    def test_shared_evidence_directory(self):
        """Four scans into one evidence directory at once, with a 9,000
        character sponsor in every line: every line parses, every image is
        referred to exactly once, no two runs share a name, and each report
        points at its own images.  Then a scan killed mid-run: every image
        the log refers to is whole."""
        cat = json.loads(read(self.plain_catalog, "r"))
        sponsor = "Brand X " + "赞" * 4500 + "x" * 4500
        for p in cat["products"]:
            if p.get("sponsored"):
                p["sponsor"] = sponsor
        catalog = self.path("long-sponsor.catalog.json")
        write(catalog, json.dumps(cat, ensure_ascii=False))
        ev = self.path("shared-evidence")
        shutil.rmtree(ev, ignore_errors=True)
        procs, reports = [], []
        for k in range(4):
            d = self.path(f"shared-{k}")
            os.makedirs(d, exist_ok=True)
            rep = os.path.join(d, "report.json")
            reports.append(rep)
            procs.append(subprocess.Popen(
                [SCAN, "--report", rep, "--catalog", catalog, "--evidence", ev,
                 "--engine", "tesseract", "--threads", "1", self.plain_sale],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        for p in procs:
            _, err = p.communicate(timeout=300 * SLOW)
            self.assertEqual(p.returncode, 1, err)
            self.assertNotRegex(err, r"Sanitizer|runtime error:")
        lines = self.evidence_lines(ev)
        runs = {l["run"] for l in lines}
        self.assertEqual(len(runs), 4, runs)
        images = [l["evidence"] for l in lines if l["event"] == "evidence"]
        self.assertTrue(images)
        self.assertEqual(len(images), len(set(images)), "an image named twice")
        on_disk = sorted(n for n in os.listdir(ev) if n.endswith(".png"))
        self.assertEqual(sorted(images), on_disk)
        self.assertFalse([n for n in os.listdir(ev) if n.startswith(".")])
        self.assertTrue(any(sponsor in (l.get("declared") or "")
                            for l in lines), "the long sponsor is not logged")
        for l in lines:
            if l["event"] == "evidence":
                self.assertTrue(l["evidence"].startswith(l["run"] + "-"))
            else:
                self.assertIsNone(l["evidence"])
        seen = set()
        for rep in reports:
            r = self.load(rep)
            self.assertTrue(r["violations"])
            for v in r["violations"]:
                if v["evidence"] is None:
                    continue
                path = os.path.normpath(os.path.join(os.path.dirname(rep),
                                                     v["evidence"]))
                self.assertTrue(os.path.isfile(path), path)
                self.assertNotIn(path, seen)
                seen.add(path)
        self.assertEqual(len(seen), len(images))

        # SIGKILL while the scan runs: once the log shows a start, wait for
        # a moment of image writing, then kill.
        killed = self.path("killed-evidence")
        shutil.rmtree(killed, ignore_errors=True)
        p = subprocess.Popen([SCAN, "--report", self.path("killed.json"),
                              "--catalog", catalog, "--evidence", killed,
                              "--engine", "tesseract", "--threads", "1",
                              self.plain_sale], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        log = os.path.join(killed, "evidence.jsonl")
        for _ in range(600 * SLOW):
            if p.poll() is not None:
                break
            if os.path.isfile(log) and os.path.getsize(log) > 0:
                break
            time.sleep(0.1)
        time.sleep(0.05)
        p.kill()
        p.wait()
        self.assertFalse(os.path.exists(self.path("killed.json")),
                         "a report from a killed scan")
        for l in self.evidence_lines(killed):
            if l["event"] == "evidence":
                self.check_png(os.path.join(killed, l["evidence"]))

    def test_still_image_is_read_as_a_still(self):
        """A picture (png, jpeg) showing a violation: read as often as a
        violation needs confirming, so it is reported, not passed as clean
        and not left unchecked."""
        for enc, ext in (("pngenc", "png"), ("jpegenc quality=92", "jpg")):
            still = self.path(f"still.{ext}")
            gst_launch("videotestsrc", "num-buffers=1", "pattern=white", "!",
                       "video/x-raw,width=1280,height=720", "!", "textoverlay",
                       "text=到手价 ¥89 全网最低价",
                       "font-desc=Noto Sans CJK SC 40", "color=0xff000000",
                       "shaded-background=false", "!", "videoconvert", "!",
                       *enc.split(), "!", "filesink", f"location={still}")
            rc, err, rep = self.scan(still, catalog=SAMPLE_CATALOG)
            self.assertEqual(rc, 1, err)
            r = self.load(rep)
            self.assertTrue(r["still_image"])
            self.assertTrue(r["coverage"]["checked"], r["coverage"])
            self.assertEqual(r["stats"]["frames_analysed"], 2)
            rules = {v["rule"] for v in r["violations"]}
            self.assertIn("claim.absolute_term", rules, err)
            self.assertIn("price.mismatch", rules, err)

    def test_frame_sizes_outside_the_engines_range(self):
        """Portrait and DCI 4K are read as they are; a wider-than-4096 and a
        tiny video are scaled by the tool to a size the engine reads, with
        the same shape, and boxes are reported in the video's pixels."""
        cases = (("portrait", 2160, 3840, 100), ("dci", 4096, 2160, 100),
                 ("wide", 5000, 2000, 120), ("tiny", 48, 32, 0))
        for name, w, h, px in cases:
            video = self.path(f"size-{name}.mp4")
            text = (["!", "textoverlay", "text=到手价 ¥89 全网最低价",
                     f"font-desc=Noto Sans CJK SC {px}px", "auto-resize=false",
                     "color=0xff000000", "shaded-background=false",
                     "valignment=center", "halignment=center"] if px else [])
            gst_launch("videotestsrc", "num-buffers=60", "pattern=white", "!",
                       f"video/x-raw,width={w},height={h},framerate=30/1",
                       *text, "!", "videoconvert", "!", "x264enc",
                       "speed-preset=ultrafast", "!", "mp4mux", "!",
                       "filesink", f"location={video}")
            rc, err, rep = self.scan(video, catalog=SAMPLE_CATALOG)
            self.assertIn(rc, (0, 1), err)
            self.assertNotIn("scale the video", err)
            r = self.load(rep)
            self.assertTrue(r["complete"], err)
            self.assertTrue(r["coverage"]["checked"], err)
            if not px:
                continue
            self.assertIn("price.mismatch", {v["rule"] for v in r["violations"]},
                          err)
            price = [t for t in r["texts"] if "¥89" in t["text"]]
            self.assertTrue(price, r["texts"])
            x, y, bw, bh = price[0]["bbox"]
            # Centred in the video's own pixels.
            self.assertLess(abs(x + bw / 2 - w / 2), w * 0.05, price[0])
            self.assertLess(abs(y + bh / 2 - h / 2), h * 0.05, price[0])
            self.assertLessEqual(x + bw, w)
            if w > 4096:
                self.assertIn("analysed at 4096x1638", err)

    def test_make_sample_refuses_what_it_cannot_make(self):
        """samples/make-sample.sh: a wrong option is named and nothing is
        written; a file where the truth would go that is not one it wrote
        is left as it was."""
        out = self.path("ms.mp4")
        truth = self.path("ms.truth.json")
        write(truth, "my notes\n")
        cases = ((["-t", "3"], "-S stream needs segments of 5 s or more"),
                 (["-S", "fancy"], "-S fancy: give stream or plain"),
                 (["-s", "big"], "-s big: give WIDTHxHEIGHT"),
                 (["-n", "0"], "-n 0: give a whole number"),
                 (["-b", self.path("nobuild")], "gc-realistic-gen not found"),
                 ([], "ms.truth.json exists and is not a truth file"))
        for args, msg in cases:
            p = make_sample("-o", out, "-b", BUILD, *args,
                            capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(msg, p.stderr, args)
            self.assertFalse(os.path.exists(out), args)
        self.assertEqual(read(truth, "r"), "my notes\n")

    def test_clean_exit_0(self):
        rc, err, rep = self.scan(self.clean, catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        self.assertSummary(err)
        r = self.load(rep)
        self.assertEqual(r["violations"], [])
        self.assertAlmostEqual(r["duration_s"], 3.0, delta=0.1)
        # Without --metrics the audience rule could not be checked: said.
        self.assertEqual(r["rules_not_checked"],
                         [{"rule": "claim.audience_inflated",
                           "reason": "no attested audience figures "
                                     "(--metrics FILE)"}])
        # GOP 1 s <= interval 1 s: keyframes only.
        self.assertLessEqual(r["stats"]["frames_decoded"], 35)

    def test_keyframes_off_the_grid(self):
        # Two encodings joined: 0.6 s, then 1 s GOPs, so every keyframe
        # after the first is 0.6 s into its grid interval (the grid starts
        # at the first frame), as after a scene cut.  Each keyframe serves
        # the grid point 0.4 s after it: the samples stay one a second and
        # no delta frame but those of the first GOP (decoded while the GOP
        # is learnt) is decoded; sampling each grid point exactly decoded
        # 12 more frames a second.
        video = self.path("off-grid.mp4")
        enc = ("x264enc", "key-int-max=30", "option-string=scenecut=0",
               "speed-preset=veryfast", "!",
               "video/x-h264,stream-format=byte-stream", "!", "c.")
        caps = "video/x-raw,width=320,height=240,framerate=30/1"
        gst_launch("concat", "name=c", "!", "h264parse", "!", "mp4mux", "!",
                   "filesink", f"location={video}",
                   "videotestsrc", "num-buffers=18", "pattern=snow", "!",
                   caps, "!", *enc,
                   "videotestsrc", "num-buffers=105", "pattern=smpte", "!",
                   caps, "!", *enc)
        rc, err, rep = self.scan(video, catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        st = self.load(rep)["stats"]
        # Grid points 0-4 s: the first frame, then the keyframes at 0.6,
        # 1.6, 2.6 and 3.6 s.
        self.assertEqual(st["frames_analysed"], 5)
        self.assertLessEqual(st["frames_decoded"], 18 + 4)
        # With --interval 500 the grid points inside a GOP are decoded
        # exactly; the keyframe serves none ahead of time.
        rc, err, rep = self.scan("--interval", "500", video,
                                 catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        st = self.load(rep)["stats"]
        self.assertEqual(st["frames_analysed"], 9)
        self.assertGreater(st["frames_decoded"], 18 + 4 + 3 * 8)

    def test_html_without_evidence_dir(self):
        html = self.path("clean.html")
        rc, err, rep = self.scan("--html", html, self.clean,
                                 catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        ET.parse(html)

    def test_annotated_playable(self):
        out = self.path("annotated.mp4")
        rc, err, rep = self.scan("--annotated", out, self.clean,
                                 catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        r = self.load(rep)
        self.assertEqual(r["stats"]["frames_decoded"], 90)
        p = system("gst-launch-1.0", "-q", "filesrc", f"location={out}",
                   "!", "qtdemux", "!", "h264parse", "!", "avdec_h264",
                   "!", "fakesink", capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

    def gray_frames(self, video, w, h, name):
        """The frames of @video at 2 per second, 8-bit luma."""
        raw = self.path(name)
        gst_launch("filesrc", f"location={video}", "!", "decodebin", "!",
                   "videoconvert", "!", "videoscale", "!", "videorate", "!",
                   f"video/x-raw,format=GRAY8,width={w},height={h},"
                   "framerate=2/1", "!", "filesink", f"location={raw}")
        data = read(raw, "rb")
        os.unlink(raw)
        return [data[i:i + w * h] for i in range(0, len(data) - w * h + 1,
                                                 w * h)]

    @staticmethod
    def mad(a, b, w, box):
        """Mean absolute luma difference of frames @a and @b in @box."""
        x0, y0, x1, y1 = box
        total = sum(abs(a[y * w + x] - b[y * w + x])
                    for y in range(y0, y1) for x in range(x0, x1))
        return total / max(1, (x1 - x0) * (y1 - y0))

    def test_annotated_shows_what_was_shown(self):
        """--annotated (review) leaves the violating price line as it was,
        apart from its outline, and adds no label where the stream had
        none; --annotated-mode viewer covers the line and adds the label."""
        w, h = 960, 540
        outs = {}
        # Under the sanitizers an annotated scan takes minutes: review only
        # (viewer mode's masks and label are tested in
        # tests/elements/test_complianceoverlay.cc).
        modes = ("review",) if SANITIZED else ("review", "viewer")
        for mode in modes:
            out = self.path(f"annotated-{mode}.mp4")
            args = ["--annotated", out, "--engine", "tesseract",
                    self.plain_sale]
            if mode != "review":
                args = ["--annotated-mode", mode] + args
            rc, err, rep = self.scan(*args, report=self.path(f"{mode}.json"),
                                     catalog=self.plain_catalog)
            self.assertEqual(rc, 1, err)
            outs[mode] = (out, self.load(rep))
        r = outs["review"][1]
        pm = [v for v in r["violations"] if v["rule"] == "price.mismatch"
              and v["observed"] == "¥89.00"]
        self.assertTrue(pm, r["violations"])
        x, y, bw, bh = pm[0]["bbox"]
        # Inside the outline (a few pixels in from the box).
        inside = (x + 4, y + 4, x + bw - 4, y + bh - 4)
        self.assertGreater(inside[2] - inside[0], 10)
        # The label's corner (top-right): segment 1 shows no label.
        corner = (w * 3 // 4, 0, w, h // 6)
        # The picture changes once the verdict is confirmed (the report's
        # t_end; t_start goes back to the first sighting): half a second
        # later, at 2 frames a second.
        k = int(pm[0]["t_end"] * 2) + 1
        src = self.gray_frames(self.plain_sale, w, h, "src.raw")
        review = self.gray_frames(outs["review"][0], w, h, "review.raw")
        self.assertGreater(min(len(src), len(review)), k)
        # Re-encoding alone moves luma by a few levels (measured: 4.5 and
        # 0.1 in review, 78 and 62 in viewer).
        self.assertLess(self.mad(src[k], review[k], w, inside), 12,
                        "the line was covered in review")
        self.assertLess(self.mad(src[k], review[k], w, corner), 8,
                        "a label was added in review")
        if "viewer" in outs:
            viewer = self.gray_frames(outs["viewer"][0], w, h, "viewer.raw")
            self.assertGreater(len(viewer), k)
            self.assertGreater(self.mad(src[k], viewer[k], w, inside), 40,
                               "viewer mode did not mask the line")
            self.assertGreater(self.mad(src[k], viewer[k], w, corner), 20,
                               "viewer mode drew no label")

    def test_from_sei_without_sei(self):
        """A stream carrying no compliance SEI was never checked: exit 3,
        and the report and the HTML page say so, never "clean"."""
        html = self.path("nosei.html")
        rc, err, rep = self.scan("--from-sei", "--html", html, self.clean,
                                 catalog=False)
        self.assertEqual(rc, 3, err)
        self.assertIn("not checked", err)
        self.assertIn("no compliance SEI", err)
        r = self.load(rep)
        self.assertEqual(r["source"], "sei")
        self.assertEqual(r["violations"], [])
        self.assertEqual(r["coverage"]["method"], "sei")
        self.assertEqual(r["coverage"]["sei_access_units"], 0)
        self.assertFalse(r["coverage"]["checked"])
        page = read(html, "r")
        self.assertIn("Not checked", page)
        self.assertNotIn("No violation found", page)

    def test_too_few_frames_is_not_clean(self):
        """One analysed frame cannot confirm a violation: an --interval
        as long as the recording is exit 3, not a clean recording; the
        same recording at the default interval is checked."""
        rc, err, rep = self.scan("--interval", "60000", self.clean,
                                 catalog=self.clean_catalog)
        self.assertEqual(rc, 3, err)
        self.assertIn("--interval", err)
        r = self.load(rep)
        self.assertEqual(r["coverage"], {
            "method": "ocr", "frames_analysed": 1, "checked": False,
            "reason": r["coverage"]["reason"]})
        rc, err, rep = self.scan(self.clean, catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        r = self.load(rep)
        self.assertTrue(r["coverage"]["checked"])
        self.assertGreaterEqual(r["coverage"]["frames_analysed"], 2)

    # ---- errors -----------------------------------------------------------

    def assertError(self, rc, err, *words):
        self.assertEqual(rc, 2, err)
        for w in words:
            self.assertIn(w, err)

    def test_hostile_input_table(self):
        """What a hostile (or careless) user gives the tool, one row each:
        the exit status, words the message must hold, and every file of
        the user's as it was before (hashes), the recording, the catalog,
        a rules file, an earlier report, and links to them, whatever the
        row did.  Outputs naming an input or another output, however spelt
        (a link, sub/.., ./, a file:// URI), exit 2 before anything is
        written."""
        d = tempfile.mkdtemp(dir=self.dir)
        j = lambda *p: os.path.join(d, *p)
        shutil.copy(self.clean, j("rec.mp4"))
        shutil.copy(self.clean_catalog, j("cat.json"))
        shutil.copy(os.path.join(SRC, "models", "rules", "cn.json"),
                    j("rules.json"))
        os.symlink("rec.mp4", j("link.mp4"))
        os.symlink("link.mp4", j("link2.mp4"))
        os.symlink("cat.json", j("catlink.json"))
        write(j("r.json"), "{}")
        write(j("page.html"), "<p>old</p>")
        os.mkdir(j("sub"))
        write(j("text.mp4"), "this is not a video\n" * 50)
        write(j("empty.mp4"), "")
        write(j("cut.mp4"), read(self.clean)[:1024])
        os.mkfifo(j("fifo"))
        write(j("bad.json"), "{\n  \"schema\": \"gst-compliance-catalog/1\",\n  x\n}")
        write(j("schema.json"), '{"schema": "x", "products": []}')
        write(j("noprice.json"), '{"schema": "gst-compliance-catalog/1", '
              '"products": [{"sku": "A", "name": "x"}]}')
        write(j("huge.json"), '{"a": "' + "x" * (16 * 1024 * 1024) + '"}')
        write(j("badrules.json"), "{")
        uri = "file://" + j("rec.mp4")
        with __import__("socket").socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        # (r.json is the output of most rows: a failed scan writes the
        # report of what it scanned there, by design.)
        gst_launch("videotestsrc", "num-buffers=1", "pattern=white", "!",
                   "video/x-raw,width=960,height=540", "!", "textoverlay",
                   "text=到手价 ¥89 全网最低价", "font-desc=Noto Sans CJK SC 36",
                   "color=0xff000000", "shaded-background=false", "!",
                   "videoconvert", "!", "pngenc", "!", "filesink",
                   f"location={j('still.png')}")
        gst_launch("videotestsrc", "num-buffers=75", "!",
                   "video/x-raw,width=48,height=32,framerate=30/1", "!",
                   "videoconvert", "!", "x264enc", "speed-preset=ultrafast",
                   "!", "mp4mux", "!", "filesink", f"location={j('tiny.mp4')}")
        keep = [j(n) for n in ("rec.mp4", "cat.json", "rules.json",
                               "page.html", "text.mp4", "cut.mp4",
                               "bad.json")]

        def digest(f):
            return hashlib.sha256(read(f, "rb")).hexdigest()

        R, C, I = j("r.json"), j("cat.json"), j("rec.mp4")
        fast = ["--engine", "tesseract", "--threads", "1"]
        rows = [
            # (arguments, exit status, words in the message)
            # -- outputs onto inputs or onto each other
            (["--report", I, "--catalog", C, I], 2, ["--report", "INPUT"]),
            (["--report", j("link.mp4"), "--catalog", C, I], 2, ["same file"]),
            (["--report", j("link2.mp4"), "--catalog", C, I], 2,
             ["same file"]),
            (["--report", j("sub", "..", "rec.mp4"), "--catalog", C, I], 2,
             ["same file"]),
            (["--report", "./" + os.path.relpath(I), "--catalog", C, I], 2,
             ["same file"]),
            (["--report", I, "--catalog", C, uri], 2, ["same file", "INPUT"]),
            (["--report", R, "--annotated", I, "--catalog", C, I], 2,
             ["--annotated", "INPUT"]),
            (["--report", R, "--annotated", j("link.mp4"), "--catalog", C, I],
             2, ["--annotated"]),
            (["--report", C, "--catalog", C, I], 2, ["--report", "--catalog"]),
            (["--report", j("catlink.json"), "--catalog", C, I], 2,
             ["--catalog"]),
            (["--report", R, "--html", R, "--catalog", C, I], 2,
             ["--html", "--report", "one would be lost"]),
            (["--report", R, "--html", j("sub", "..", "r.json"), "--catalog",
              C, I], 2, ["one would be lost"]),
            (["--report", R, "--annotated", R, "--catalog", C, I], 2,
             ["--annotated"]),
            (["--report", j("rules.json"), "--rules", j("rules.json"),
              "--catalog", C, I], 2, ["--rules"]),
            (["--report", R, "--html", C, "--catalog", C, I], 2,
             ["--html", "--catalog"]),
            (["--report", R, "--html", I, "--catalog", C, I], 2,
             ["--html", "INPUT"]),
            (["--report", R, "--evidence", I, "--catalog", C, I], 2,
             ["--evidence"]),
            (["--report", j("nodir", "r.json"), "--catalog", C, I], 2,
             ["nodir", "does not exist"]),
            (["--report", j("sub"), "--catalog", C, I], 2,
             ["is a directory"]),
            # -- inputs that are not recordings
            (["--report", R, "--catalog", C, j("missing.mp4")], 2,
             ["missing.mp4", "no such file"]),
            (["--report", R, "--catalog", C, j("sub")], 2,
             ["not a regular file"]),
            (["--report", R, "--catalog", C, j("fifo")], 2,
             ["fifo", "not a regular file"]),
            (["--report", R, "--catalog", C, j("empty.mp4")], 2,
             ["empty.mp4", "not a media file"]),
            (["--report", R, "--catalog", C, j("text.mp4")], 2,
             ["text.mp4", "not a media file"]),
            (["--report", R, "--catalog", C] + fast + [j("cut.mp4")], 2,
             ["cut.mp4"]),
            (["--report", R, "--catalog", C, "foo://x"], 2,
             ["foo://x", 'no GStreamer source reads "foo" URIs']),
            (["--report", R, "--catalog", C, f"http://127.0.0.1:{port}/x.mp4"],
             2, ["network error", "refused"]),
            # -- catalogs and rule packs
            (["--report", R, "--catalog", j("nope.json"), I], 2,
             ["nope.json", "cannot open"]),
            (["--report", R, "--catalog", j("bad.json"), I], 2,
             ["bad.json:2:", "malformed JSON"]),
            (["--report", R, "--catalog", j("schema.json"), I], 2,
             ["schema.json", "schema"]),
            (["--report", R, "--catalog", j("noprice.json"), I], 2,
             ["noprice.json", "products[0]", "price"]),
            (["--report", R, "--catalog", j("huge.json"), I], 2,
             ["huge.json", "16 MiB"]),
            (["--report", R, "--catalog", j("sub"), I], 2,
             ["is a directory"]),
            (["--report", R, "--catalog", C, "--rules", "xx", I], 2,
             ["--rules xx", "known packs are cn, eu, us"]),
            (["--report", R, "--catalog", C, "--rules", j("badrules.json"),
              I], 2, ["badrules.json:1:"]),
            # -- options
            (["--report", R, "--catalog", C, "--interval", "0", I], 2,
             ["--interval 0", "1 to 60000"]),
            (["--report", R, "--catalog", C, "--interval", "-5", I], 2,
             ["--interval -5"]),
            (["--report", R, "--catalog", C, "--threads", "99", I], 2,
             ["--threads 99", "1 to 16"]),
            (["--report", R, "--catalog", C, "--engine", "bogus", I], 2,
             ["--engine bogus", "auto, ppocr or tesseract"]),
            (["--report", R, "--catalog", C, "--annotated", j("a.mp4"),
              "--annotated-mode", "bogus", I], 2, ["--annotated-mode bogus"]),
            (["--report", R, "--catalog", C], 2, ["give an INPUT (file path or URI), several, or --inputs FILE"]),
            (["--report", R, "--catalog", C, I, I], 2, ["2 recordings: give --report-dir DIR"]),
            (["--report", R, "--catalog", C, "--bogus", I], 2,
             ["--bogus"]),
            # -- not enough checked: never "clean"
            (["--report", j("out.json"), "--from-sei", I], 3,
             ["no compliance SEI"]),
            (["--report", j("out.json"), "--catalog", C, "--interval",
              "60000"] + fast + [I], 3, ["not checked", "--interval"]),
            # -- a clean run for contrast: exit 0, nothing touched
            (["--report", j("out.json"), "--catalog", C] + fast + [I], 0, []),
            # -- a picture, a tiny video, the help, a report to /dev/null
            (["--report", j("out.json"), "--catalog", SAMPLE_CATALOG] + fast
             + [j("still.png")], 1, []),
            (["--report", j("out.json"), "--catalog", C] + fast
             + [j("tiny.mp4")], 0, []),
            (["--help"], 0, ["Usage:", "] INPUT...\n"]),
            (["--report", "/dev/null", "--catalog", C] + fast + [I], 0, []),
        ]
        if os.geteuid() == 0:
            # A device node made here: written to, never replaced.
            os.mknod(j("null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            rows.append((["--report", j("null"), "--catalog", C] + fast + [I],
                         0, []))
        self.assertGreaterEqual(len(rows), 50)
        for args, status, words in rows:
            before = {f: digest(f) for f in keep}
            p = subprocess.run([SCAN] + args, capture_output=True, text=True,
                               timeout=120 * SLOW)
            self.assertEqual(p.returncode, status, f"{args}: {p.stderr}")
            for w in words:
                self.assertIn(w, p.stderr + p.stdout, args)
            self.assertNotIn("INPUT INPUT", p.stdout + p.stderr)
            self.assertNotIn("scale the video", p.stderr)
            self.assertNotRegex(p.stderr, r"Sanitizer|runtime error:|CRITICAL")
            for f, h in before.items():
                self.assertEqual(digest(f), h, f"{args}: {f} changed")
            for link, to in (("link.mp4", "rec.mp4"), ("link2.mp4", "link.mp4"),
                             ("catlink.json", "cat.json")):
                self.assertEqual(os.readlink(j(link)), to, args)
            self.assertTrue(stat.S_ISFIFO(os.stat(j("fifo")).st_mode))
            self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))
            if os.path.exists(j("null")):
                self.assertTrue(stat.S_ISCHR(os.stat(j("null")).st_mode))

    @unittest.skipUnless(os.geteuid() == 0, "mknod needs root")
    def test_report_onto_a_device_node_keeps_the_node(self):
        """--report onto a character device writes to it, never replaces
        it with a file (a report to /dev/null must not replace
        /dev/null)."""
        d = tempfile.mkdtemp(dir=self.dir)
        node = os.path.join(d, "null")
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        rc, err, _ = self.scan(self.clean, catalog=self.clean_catalog,
                               report=node)
        self.assertEqual(rc, 0, err)
        st = os.stat(node)
        self.assertTrue(stat.S_ISCHR(st.st_mode),
                        "the device node was replaced")
        self.assertEqual(os.major(st.st_rdev), 1)

    def test_missing_file(self):
        rc, err, _ = self.scan(self.path("nope.mp4"))
        self.assertError(rc, err, "nope.mp4", "no such file")

    def test_network_errors_named(self):
        """A URI whose server refuses the connection or whose host does not
        exist: exit 2 at once, said to be the network, with the reason."""
        import socket
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        for uri, why in ((f"http://127.0.0.1:{port}/x.mp4", "refused"),
                         (f"rtsp://127.0.0.1:{port}/x", "refused"),
                         ("http://no-such-host.invalid/x.mp4",
                          "no-such-host.invalid")):
            rc, err, rep = self.scan(uri)
            self.assertEqual(rc, 2, err)
            self.assertIn("network error", err)
            self.assertIn(why, err)
            self.assertNotIn("corrupt", err)

    def test_not_media(self):
        f = self.path("text.mp4")
        write(f, "this is not a video\n" * 50)
        rc, err, rep = self.scan(f)
        self.assertError(rc, err, "text.mp4", "not a media file")
        self.assertFalse(self.load(rep)["complete"])

    def test_audio_only(self):
        f = self.path("audio.mka")
        gst_launch("audiotestsrc", "num-buffers=50", "!", "audioconvert", "!",
                   "vorbisenc", "!", "matroskamux", "!", "filesink",
                   f"location={f}")
        rc, err, _ = self.scan(f)
        self.assertError(rc, err, "audio.mka", "no video stream")

    def test_truncated_index_at_end(self):
        f = self.path("trunc.mp4")
        data = read(self.clean)
        write(f, data[:len(data) // 2])
        rc, err, _ = self.scan(f, catalog=self.clean_catalog)
        self.assertError(rc, err, "trunc.mp4", "truncated or corrupt")

    def test_truncated_faststart(self):
        full = self.path("faststart.mp4")
        gst_launch("filesrc", f"location={self.plain_sale}", "!", "qtdemux",
                   "!", "h264parse", "!", "mp4mux", "faststart=true", "!",
                   "filesink", f"location={full}")
        f = self.path("trunc-fs.mp4")
        data = read(full)
        write(f, data[:len(data) * 6 // 10])
        rc, err, rep = self.scan(f, catalog=self.plain_catalog)
        self.assertError(rc, err, "trunc-fs.mp4", "truncated")
        r = self.load(rep)
        self.assertFalse(r["complete"])
        # 60% of the 18 s plain sale's bytes: about 11 s of it.
        self.assertLess(r["scanned_s"], 15.0)
        self.assertGreater(r["scanned_s"], 5.0)
        self.assertRegex(err, r"stopped at [0-9.]+ s")

    def test_corrupt_middle(self):
        # The middle third of the sale overwritten: never hangs, reports
        # the damage, scans the rest and writes the report.
        f = self.path("corrupt.mp4")
        data = bytearray(read(self.plain_sale))
        n = len(data)
        rnd = bytes((i * 7919 + 13) % 251 for i in range(n // 3))
        data[n // 3:n // 3 + len(rnd)] = rnd
        write(f, bytes(data))
        rc, err, rep = self.scan(f, catalog=self.plain_catalog)
        self.assertError(rc, err, "corrupt.mp4", "corrupt data near")
        r = self.load(rep)
        self.assertTrue(r["complete"])
        self.assertIn("corrupt data near", r["damage"])

    # Damage in the middle, at fixed places: region i of N of the media
    # data, 4 KB of pseudo-random bytes (corrupt()).  Each must be reported
    # when the frames hit are decoded: exit 2, the file and the time named,
    # the report of the whole file written.  Frames the scan skips before
    # the decoder are not checked beyond their NAL lengths (see the tool's
    # header); these tests make the scan decode every frame hit.
    CORRUPT_N = 6
    # Under the sanitizers every scan takes 20-40 s more (the OCR engine's
    # models load through instrumented allocations that record full
    # stacks): one of the six places per test there, to keep the whole
    # test within a few minutes.  The other places exercise the same code.
    INTRA_CASES = (1,) if SANITIZED else range(CORRUPT_N)
    GOP_CASES = (4,) if SANITIZED else range(CORRUPT_N)

    def assertDamageReported(self, name, hit, rc, err, rep):
        self.assertError(rc, err, name, "corrupt data near")
        t = float(re.search(rf"{re.escape(name)}: corrupt data near "
                            r"([0-9.]+) s", err).group(1))
        # The time of the first damaged frame, at most a second early: the
        # decoder reports damage while it holds several frames (its
        # threads, B-frame reordering).  Frames are 1/30 s, B-frames show
        # up to 3 frames later than they are decoded.
        self.assertGreaterEqual(t, hit[0] / 30 - 1.0, err)
        self.assertLessEqual(t, hit[-1] / 30 + 0.15, err)
        self.assertIn("scanned the rest to the end", err)
        r = self.load(rep)
        self.assertTrue(r["complete"])
        self.assertAlmostEqual(r["scanned_s"], 3.0, delta=0.1)
        self.assertTrue(r["damage"].startswith("corrupt data near"),
                        r["damage"])

    def test_corrupt_keyframes(self):
        # Every frame a keyframe: the default (sampled) scan decodes all.
        data = read(self.intra)
        for i in self.INTRA_CASES:
            with self.subTest(region=i):
                name = f"intra-{i}.mp4"
                damaged, hit = corrupt(data, i, self.CORRUPT_N)
                write(self.path(name), damaged)
                rc, err, rep = self.scan(self.path(name),
                                         catalog=self.clean_catalog)
                self.assertDamageReported(name, hit, rc, err, rep)

    def test_corrupt_all_frames_decoded(self):
        # P- and B-frames too: --annotated decodes every frame.
        data = read(self.gop)
        out = self.path("annotated-damaged.mp4")
        for i in self.GOP_CASES:
            with self.subTest(region=i):
                name = f"gop-{i}.mp4"
                damaged, hit = corrupt(data, i, self.CORRUPT_N)
                write(self.path(name), damaged)
                rc, err, rep = self.scan("--annotated", out, self.path(name),
                                         catalog=self.clean_catalog)
                self.assertDamageReported(name, hit, rc, err, rep)

    def test_corrupt_inside_one_frame(self):
        # 2 KB inside the slice data of one keyframe (of about 3.5 KB), its
        # NAL lengths intact: only the decoder can tell, and it patches the
        # picture over (libav's error concealment) as if nothing happened.
        # Smaller damage can decode as valid (if wrong) data without any
        # decoder noticing: H.264 carries no checksum.
        data = read(self.intra)
        k = 45
        off, size = mp4_samples(data)[k]
        off += size // 2 - 1024
        junk = random.Random(CORRUPT_SEED).randbytes(2048)
        write(self.path("slice.mp4"), data[:off] + junk + data[off + 2048:])
        rc, err, rep = self.scan(self.path("slice.mp4"),
                                 catalog=self.clean_catalog)
        self.assertDamageReported("slice.mp4", [k], rc, err, rep)
        self.assertIn("patched over by the decoder", err)

    def test_undamaged_clips_clean(self):
        # The damage checks see nothing in intact files, sampled or not.
        # Under the sanitizers (slow, see above) only the sampled scan of
        # the GOP clip: skipping frames before the decoder is what makes
        # libav complain about missing references on intact files.
        cases = [(self.gop,)]
        if not SANITIZED:
            cases += [(self.intra,), ("--annotated",
                                     self.path("annotated-clean.mp4"),
                                     self.gop)]
        for args in cases:
            with self.subTest(args=args):
                rc, err, rep = self.scan(*args, catalog=self.clean_catalog)
                self.assertEqual(rc, 0, err)
                self.assertNotIn("corrupt", err)
                self.assertNotIn("damage", self.load(rep))

    def test_sampling_keeps_references(self):
        # Frames are dropped before the decoder, B-frames are in the sale
        # (x264's default): a reference frame shown after a sample point is
        # decoded before it, and dropping it would hand the decoder a frame
        # it cannot rebuild (libav: "co located POCs unavailable").
        rc, err, rep = self.scan(self.sale, env={"GST_DEBUG": "libav:2"})
        self.assertEqual(rc, 1, err)
        self.assertNotRegex(err, r"ERROR|WARN", err)
        st = self.load(rep)["stats"]
        self.assertLess(st["frames_decoded"], 30 * 30)

    def test_threads_same_report(self):
        # Which thread read which line does not show in the report.
        reports = []
        for n in ("1", "2"):
            rep = self.path(f"threads-{n}.json")
            rc, err, rep = self.scan("--threads", n, self.sale, report=rep,
                                     env={"GST_DEBUG": "complianceocr:4"})
            self.assertEqual(rc, 1, err)
            # The option reached the element (the reports below would also
            # agree if it had not).
            self.assertIn(f"replay mode, 1 worker(s) of {n} thread(s)", err)
            r = self.load(rep)
            reports.append((r["texts"], r["violations"]))
        self.assertEqual(reports[0], reports[1])
        rc, err, _ = self.scan("--threads", "0", self.sale)
        self.assertError(rc, err, "--threads 0", "1 to 16")

    def test_bad_catalog(self):
        f = self.path("bad.json")
        write(f, '{"schema": "gst-compliance-catalog/1", '
              '"products": [{"sku": 1}]}')
        rc, err, _ = self.scan(self.clean, catalog=f)
        self.assertError(rc, err, "bad catalog", "bad.json", "sku")

    def test_bad_metrics(self):
        f = self.path("metrics.jsonl")
        for text, parts in (
                ('{"t": 0, "viewers": 100}\n{"t": 1, "likes": -3}\n',
                 ["metrics.jsonl:2", '"likes"', "count >= 0"]),
                ('{"t": 5, "viewers": 100}\n{"t": 1, "viewers": 90}\n',
                 ["metrics.jsonl:2", '"t"', "before the line above"]),
                ('{"viewers": 100}\n', ["metrics.jsonl:1", '"t"',
                                          "missing"]),
                ('{"t": 1}\n', ["metrics.jsonl:1", "no figure"]),
                ("viewers=100\n", ["metrics.jsonl:1", "JSON object"]),
                ("\n\n", ["metrics.jsonl", "no attested figure"])):
            write(f, text)
            rc, err, _ = self.scan("--metrics", f, self.clean,
                                   catalog=self.clean_catalog)
            self.assertError(rc, err, "--metrics", *parts)
        rc, err, _ = self.scan("--metrics", self.path("none.jsonl"),
                               self.clean, catalog=self.clean_catalog)
        self.assertError(rc, err, "--metrics", "none.jsonl", "cannot read")
        write(f, '{"t": 0, "viewers": 100}\n')
        rc, err, rep = self.scan("--metrics", f, self.clean,
                                 catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("rules_not_checked", self.load(rep))
        rc, err, _ = self.scan("--metrics", f, "--from-sei", self.clean)
        self.assertError(rc, err, "--metrics", "--from-sei")

    def test_unknown_rules(self):
        rc, err, _ = self.scan("--rules", "xx", self.clean)
        self.assertError(rc, err, "xx", "cn", "eu", "us")

    def test_unwritable_report(self):
        rc, err, _ = self.scan(self.clean, report="/nonexistent-dir/r.json")
        self.assertError(rc, err, "--report", "/nonexistent-dir/r.json")
        rc, err, _ = self.scan(self.clean, report=self.dir)
        self.assertError(rc, err, "--report", "is a directory")


def corruption_figure(n, scan):
    """Prints how many of N damaged copies of the sale recording (4 KB at
    region i of N of its media data, as the tests do) SCAN reports as
    corrupt, sampled (the default) and decoding every frame (--annotated).
    Not a test: a measurement, e.g.
      meson test -C build-scan scan --verbose -t 4 \\
          --test-args='--corruption-figure 24'
    (--scan PATH measures another build of the tool)."""
    d = tempfile.mkdtemp(prefix="scan-figure-")
    try:
        sale, cat = os.path.join(d, "sale.mp4"), os.path.join(d, "sale.json")
        make_sample("-o", sale, "-c", cat, "-b", BUILD, "-s", "960x540",
                    "-t", "5", check=True, stderr=subprocess.DEVNULL)
        data = read(sale)
        for mode in ([], ["--annotated", os.path.join(d, "out.mp4")]):
            found = 0
            for i in range(n):
                damaged, hit = corrupt(data, i, n)
                f = os.path.join(d, f"damaged-{i}.mp4")
                write(f, damaged)
                p = subprocess.run([scan, "--catalog", cat, "--report",
                                    os.path.join(d, "r.json")] + mode + [f],
                                   capture_output=True, text=True,
                                   timeout=300)
                seen = p.returncode == 2 and f in p.stderr
                found += seen
                lines = [l for l in p.stderr.splitlines() if f in l]
                print(f"{i:3d} frames {hit[0]}-{hit[-1]} (~{hit[0] / 30:.1f} s)"
                      f" exit {p.returncode}"
                      f" {lines[-1][len('gst-compliance-scan: '):][:100] if lines else ''}",
                      flush=True)
            print(f"{' '.join(mode[:1]) or 'sampled'}: {found}/{n} damaged "
                  "copies reported", flush=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--corruption-figure":
        args = sys.argv[2:]
        scan = SCAN
        if "--scan" in args:
            scan = args[args.index("--scan") + 1]
            del args[args.index("--scan"):args.index("--scan") + 2]
        corruption_figure(int(args[0]) if args else 24, scan)
        sys.exit(0)
    unittest.main(verbosity=2)
