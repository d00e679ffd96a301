#!/usr/bin/env python3
"""End-to-end tests of gst-compliance-scan (issue 6).

Recordings are generated here with gst-launch-1.0 (samples/make-sample.sh
for the sale, plain videotestsrc clips for the rest), small and short so
the suite stays well under two minutes on two cores.  The report is
checked against models/report.schema.json with the small validator below
(jsonschema is not installed in CI)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SRC = os.environ.get("GST_COMPLIANCE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
SCAN = os.environ.get("GST_COMPLIANCE_SCAN", "gst-compliance-scan")
with open(os.path.join(SRC, "models", "report.schema.json"),
          encoding="utf-8") as _f:
    SCHEMA = json.load(_f)
RULES = {"price.mismatch", "price.reference_inflated", "claim.absolute_term",
         "claim.medical", "claim.sales_inflated", "disclosure.missing",
         "product.undeclared", "product.prohibited"}


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


def gst_launch(*args):
    subprocess.run(["gst-launch-1.0", "-q", "-e"] + list(args), check=True,
                   stdout=subprocess.DEVNULL, timeout=120)


class Scan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="test-scan-")
        d = cls.dir
        # The sale: 6 segments of 3 s, deliberate violations (see the
        # table in samples/make-sample.sh), and its catalog.
        cls.sale = os.path.join(d, "sale.mp4")
        cls.sale_catalog = os.path.join(d, "sale.catalog.json")
        subprocess.run([os.path.join(SRC, "samples", "make-sample.sh"),
                        "-o", cls.sale, "-c", cls.sale_catalog,
                        "-s", "960x540", "-t", "3"], check=True, timeout=120,
                       stderr=subprocess.DEVNULL)
        # A clip with nothing on screen, and a catalog whose product needs
        # no disclosure: nothing to report.
        cls.clean = os.path.join(d, "clean.mp4")
        gst_launch("videotestsrc", "num-buffers=90", "pattern=smpte",
                   "!", "video/x-raw,width=320,height=240,framerate=30/1",
                   "!", "x264enc", "speed-preset=ultrafast", "key-int-max=30",
                   "!", "mp4mux", "!", "filesink", f"location={cls.clean}")
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

    def scan(self, *args, catalog=None, report=None):
        report = report or self.path("report.json")
        if os.path.isfile(report):
            os.unlink(report)
        cmd = [SCAN, "--report", report]
        if catalog is not False:
            cmd += ["--catalog", catalog or self.sale_catalog]
        p = subprocess.run(cmd + list(args), capture_output=True, text=True,
                           timeout=120)
        return p.returncode, p.stderr, report

    def load(self, report):
        r = json.loads(read(report, "r"))
        validate(r, SCHEMA)
        return r

    def assertSummary(self, err):
        self.assertRegex(err, r"scanned [0-9.]+ s in [0-9.]+ s \([0-9.]+x\), "
                         r"[0-9]+ violations?")

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
        self.assertAlmostEqual(r["duration_s"], 18.0, delta=0.1)
        self.assertTrue(r["complete"])
        self.assertEqual(r["source"], "ocr")
        st = r["stats"]
        self.assertEqual(st["frames_analysed"], 18)       # one a second
        self.assertLess(st["frames_decoded"], 18 * 30)    # skipped some
        self.assertGreaterEqual(st["frames_decoded"], 18)
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
        # Deliberate violations of segment 1 (0-based, 3-6 s): the ad label
        # is gone and the price is wrong.
        rules = {v["rule"] for v in r["violations"]}
        self.assertIn("disclosure.missing", rules)
        self.assertIn("price.mismatch", rules)
        for v in r["violations"]:
            self.assertIn(v["rule"], RULES)
            self.assertLessEqual(v["t_start"], v["t_end"])
            self.assertTrue(v["evidence"])
            self.assertTrue(os.path.isfile(os.path.join(self.dir, v["evidence"])),
                            v["evidence"])
        pms = [v for v in r["violations"] if v["rule"] == "price.mismatch"
               and v["observed"] == "¥89.00"]
        self.assertTrue(pms, r["violations"])
        pm = pms[0]
        self.assertEqual(pm["sku"], "A1001")
        self.assertEqual(pm["declared"], "¥99.00")
        self.assertGreaterEqual(pm["t_start"], 3.0)
        self.assertLessEqual(pm["t_end"], 6.5)
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

    def test_clean_exit_0(self):
        rc, err, rep = self.scan(self.clean, catalog=self.clean_catalog)
        self.assertEqual(rc, 0, err)
        self.assertSummary(err)
        r = self.load(rep)
        self.assertEqual(r["violations"], [])
        self.assertAlmostEqual(r["duration_s"], 3.0, delta=0.1)
        # GOP 1 s <= interval 1 s: keyframes only.
        self.assertLessEqual(r["stats"]["frames_decoded"], 35)

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
        p = subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={out}",
                            "!", "qtdemux", "!", "h264parse", "!", "avdec_h264",
                            "!", "fakesink"], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_from_sei_without_sei(self):
        rc, err, rep = self.scan("--from-sei", self.clean, catalog=False)
        self.assertEqual(rc, 0, err)
        r = self.load(rep)
        self.assertEqual(r["source"], "sei")
        self.assertEqual(r["violations"], [])

    # ---- errors -----------------------------------------------------------

    def assertError(self, rc, err, *words):
        self.assertEqual(rc, 2, err)
        for w in words:
            self.assertIn(w, err)

    def test_missing_file(self):
        rc, err, _ = self.scan(self.path("nope.mp4"))
        self.assertError(rc, err, "nope.mp4", "no such file")

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
        gst_launch("filesrc", f"location={self.sale}", "!", "qtdemux", "!",
                   "h264parse", "!", "mp4mux", "faststart=true", "!",
                   "filesink", f"location={full}")
        f = self.path("trunc-fs.mp4")
        data = read(full)
        write(f, data[:len(data) * 6 // 10])
        rc, err, rep = self.scan(f)
        self.assertError(rc, err, "trunc-fs.mp4", "truncated")
        r = self.load(rep)
        self.assertFalse(r["complete"])
        self.assertLess(r["scanned_s"], 15.0)
        self.assertGreater(r["scanned_s"], 5.0)
        self.assertRegex(err, r"stopped at [0-9.]+ s")

    def test_corrupt_middle(self):
        f = self.path("corrupt.mp4")
        data = bytearray(read(self.sale))
        n = len(data)
        rnd = bytes((i * 7919 + 13) % 251 for i in range(n // 3))
        data[n // 3:n // 3 + len(rnd)] = rnd
        write(f, bytes(data))
        rc, err, rep = self.scan(f)
        # Never hangs and always writes a valid report.  Damage is reported
        # (exit 2) when the decoder drops frames; libav conceals some
        # garbage without telling, so a scan of such a file can end 0/1.
        # Known limitation, see issue 6's note.
        self.load(rep)
        self.assertIn(rc, (0, 1, 2), err)
        if rc == 2:
            self.assertIn("corrupt.mp4", err)
            self.assertIn("corrupt", err)

    def test_bad_catalog(self):
        f = self.path("bad.json")
        write(f, '{"schema": "gst-compliance-catalog/1", '
              '"products": [{"sku": 1}]}')
        rc, err, _ = self.scan(self.clean, catalog=f)
        self.assertError(rc, err, "bad catalog", "bad.json", "sku")

    def test_unknown_rules(self):
        rc, err, _ = self.scan("--rules", "xx", self.clean)
        self.assertError(rc, err, "xx", "cn", "eu", "us")

    def test_unwritable_report(self):
        rc, err, _ = self.scan(self.clean, report="/nonexistent-dir/r.json")
        self.assertError(rc, err, "--report", "/nonexistent-dir/r.json")
        rc, err, _ = self.scan(self.clean, report=self.dir)
        self.assertError(rc, err, "--report", "is a directory")


if __name__ == "__main__":
    unittest.main(verbosity=2)
