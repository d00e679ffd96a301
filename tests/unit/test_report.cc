/* SPDX-License-Identifier: LGPL-2.1-or-later */
// Unit tests of the replay report (gst-plugin/core/gc-report.c).
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include <glib/gstdio.h>
#include "gc-report.h"
}

namespace {

GcViolation *
make_violation (const char *rule, guint64 id, double t0, double t1)
{
  GcViolation *v = gc_violation_new (rule);
  v->severity = g_strdup ("error");
  v->sku = g_strdup ("A1001");
  v->observed = g_strdup ("¥89.00");
  v->declared = g_strdup ("¥99.00");
  v->legal_ref = g_strdup ("<ref & \"quote\">");
  v->t_start = t0;
  v->t_end = t1;
  v->id = id;
  return v;
}

JsonObject *
root_object (JsonNode *n)
{
  return json_node_get_object (n);
}

}  // namespace

TEST (Report, MergesReadingsWithinGap)
{
  g_autoptr (GcReport) r = gc_report_new ("in.mp4");
  gc_report_set_merge_gap (r, 2.0);
  GcBox box = { 10, 20, 100, 30 };
  gc_report_add_text (r, 1.0, "到手价 ¥89", &box, 0.8);
  gc_report_add_text (r, 2.0, "到手价 ¥89", &box, 0.9);
  gc_report_add_text (r, 4.0, "到手价 ¥89", &box, 0.7);   // within gap
  gc_report_add_text (r, 9.0, "到手价 ¥89", &box, 0.7);   // new appearance
  gc_report_add_text (r, 3.0, "  ", &box, 0.7);           // ignored
  EXPECT_EQ (gc_report_n_texts (r), 2u);

  g_autoptr (JsonNode) n = gc_report_to_json (r);
  JsonArray *texts = json_object_get_array_member (root_object (n), "texts");
  ASSERT_EQ (json_array_get_length (texts), 2u);
  JsonObject *t = json_array_get_object_element (texts, 0);
  EXPECT_STREQ (json_object_get_string_member (t, "text"), "到手价 ¥89");
  EXPECT_DOUBLE_EQ (json_object_get_double_member (t, "t_start"), 1.0);
  EXPECT_DOUBLE_EQ (json_object_get_double_member (t, "t_end"), 4.0);
  EXPECT_DOUBLE_EQ (json_object_get_double_member (t, "confidence"), 0.9);
  JsonArray *bbox = json_object_get_array_member (t, "bbox");
  ASSERT_EQ (json_array_get_length (bbox), 4u);
  EXPECT_EQ (json_array_get_int_element (bbox, 2), 100);
}

TEST (Report, OneViolationPerOccurrence)
{
  g_autoptr (GcReport) r = gc_report_new ("in.mp4");
  GcViolation *a = make_violation ("price.mismatch", 1, 3.0, 3.0);
  gc_report_add_violation_event (r, a, TRUE);
  a->t_end = 6.0;
  a->evidence = g_strdup ("evidence/000003000-1.png");
  gc_report_add_violation_event (r, a, FALSE);
  GcViolation *b = make_violation ("claim.medical", 2, 1.0, 2.0);
  gc_report_add_violation_event (r, b, FALSE);   // end without start
  EXPECT_EQ (gc_report_n_violations (r), 2u);

  g_autofree gchar *summary = gc_report_violation_summary (r);
  EXPECT_STREQ (summary, "claim.medical×1 price.mismatch×1");

  g_autoptr (JsonNode) n = gc_report_to_json (r);
  JsonObject *o = root_object (n);
  EXPECT_STREQ (json_object_get_string_member (o, "schema"),
      "gst-compliance-report/1");
  JsonArray *vs = json_object_get_array_member (o, "violations");
  ASSERT_EQ (json_array_get_length (vs), 2u);
  // Sorted by start time.
  JsonObject *v0 = json_array_get_object_element (vs, 0);
  JsonObject *v1 = json_array_get_object_element (vs, 1);
  EXPECT_STREQ (json_object_get_string_member (v0, "rule"), "claim.medical");
  EXPECT_STREQ (json_object_get_string_member (v1, "rule"), "price.mismatch");
  EXPECT_DOUBLE_EQ (json_object_get_double_member (v1, "t_end"), 6.0);
  // The image named does not exist: nothing refers to it.
  EXPECT_TRUE (json_object_get_null_member (v1, "evidence"));
  gc_violation_unref (a);
  gc_violation_unref (b);
}

TEST (Report, EvidencePathsAreRelativeToTheReportFile)
{
  g_autofree gchar *top = g_dir_make_tmp ("gc-report-ev-XXXXXX", nullptr);
  ASSERT_NE (top, nullptr);
  g_autofree gchar *ev = g_build_filename (top, "deep", "ev", nullptr);
  g_autofree gchar *out = g_build_filename (top, "reports", nullptr);
  ASSERT_EQ (g_mkdir_with_parents (ev, 0755), 0);
  ASSERT_EQ (g_mkdir_with_parents (out, 0755), 0);
  g_autofree gchar *png = g_build_filename (ev, "run-000003000-1.png", nullptr);
  ASSERT_TRUE (g_file_set_contents (png, "png", -1, nullptr));

  g_autoptr (GcReport) r = gc_report_new ("in.mp4");
  gc_report_set_evidence_dir (r, ev);
  GcViolation *a = make_violation ("price.mismatch", 1, 3.0, 6.0);
  a->evidence = g_strdup (png);
  gc_report_add_violation_event (r, a, FALSE);
  GcViolation *b = make_violation ("claim.medical", 2, 4.0, 5.0);
  b->evidence = g_build_filename (ev, "never-written.png", nullptr);
  gc_report_add_violation_event (r, b, FALSE);

  // In memory: absolute.
  {
    g_autoptr (JsonNode) n = gc_report_to_json (r);
    JsonArray *vs = json_object_get_array_member (root_object (n), "violations");
    EXPECT_STREQ (json_object_get_string_member
        (json_array_get_object_element (vs, 0), "evidence"), png);
    EXPECT_TRUE (json_object_get_null_member
        (json_array_get_object_element (vs, 1), "evidence"));
  }
  // In a file elsewhere: relative to the file's directory, and it resolves.
  g_autofree gchar *report = g_build_filename (out, "r.json", nullptr);
  g_autoptr (GError) err = nullptr;
  ASSERT_TRUE (gc_report_write_json (r, report, &err)) << err->message;
  g_autoptr (JsonParser) p = json_parser_new ();
  ASSERT_TRUE (json_parser_load_from_file (p, report, nullptr));
  JsonArray *vs = json_object_get_array_member
      (json_node_get_object (json_parser_get_root (p)), "violations");
  const gchar *rel = json_object_get_string_member
      (json_array_get_object_element (vs, 0), "evidence");
  EXPECT_STREQ (rel, "../deep/ev/run-000003000-1.png");
  g_autofree gchar *resolved = g_build_filename (out, rel, nullptr);
  EXPECT_TRUE (g_file_test (resolved, G_FILE_TEST_IS_REGULAR)) << resolved;
  EXPECT_TRUE (json_object_get_null_member
      (json_array_get_object_element (vs, 1), "evidence"));

  gc_violation_unref (a);
  gc_violation_unref (b);
  g_unlink (report);
  g_unlink (png);
  g_rmdir (ev);
  g_autofree gchar *deep = g_path_get_dirname (ev);
  g_rmdir (deep);
  g_rmdir (out);
  g_rmdir (top);
}

TEST (Report, HtmlIsolatesCatalogAndScreenText)
{
  /* A right-to-left override (U+202E) in a product name, a reading and a
   * violation's declared label: each stays inside its own isolate (<bdi>
   * in the page, FSI ... PDI in the SVG) and cannot reverse what follows. */
  const char *rlo = "\u202e";
  g_autoptr (GcReport) r = gc_report_new ("in.mp4");
  std::string name = std::string (rlo) + "Brand X";
  gc_report_add_product_span (r, "A1001", name.c_str (), 0.0, 5.0);
  GcBox box = {0, 0, 10, 10};
  gc_report_add_text (r, 1.0, name.c_str (), &box, 0.9);
  GcViolation *v = make_violation ("disclosure.missing", 1, 1.0, 3.0);
  g_free (v->declared);
  v->declared = g_strdup (name.c_str ());
  g_free (v->observed);
  v->observed = g_strdup (name.c_str ());
  gc_report_add_violation_event (r, v, FALSE);
  g_autofree gchar *html = gc_report_to_html (r);
  std::string page (html);
  std::string bdi = "<bdi>" + name + "</bdi>";
  std::string iso = "\u2068" + name + "\u2069";
  size_t bdis = 0, isos = 0, all = 0;
  for (size_t at = page.find (bdi); at != std::string::npos;
      at = page.find (bdi, at + 1))
    bdis++;
  for (size_t at = page.find (iso); at != std::string::npos;
      at = page.find (iso, at + 1))
    isos++;
  for (size_t at = page.find (rlo); at != std::string::npos;
      at = page.find (rlo, at + 1))
    all++;
  EXPECT_EQ (bdis, 3u) << "declared, observed, the reading";
  EXPECT_EQ (isos, 2u) << "the product's title, the violation's title";
  EXPECT_EQ (all, bdis + isos) << "an override outside an isolate";
  gc_violation_unref (v);
}

TEST (Report, StatsAndExtras)
{
  g_autoptr (GcReport) r = gc_report_new ("file:///x.mp4");
  gc_report_set_duration (r, 612.4);
  gc_report_set_stats (r, 9.8, 610, 305);
  gc_report_set_string (r, "source", "ocr");
  gc_report_set_boolean (r, "complete", TRUE);
  gc_report_set_double (r, "scanned_s", 10.699999999);
  g_autoptr (JsonNode) n = gc_report_to_json (r);
  JsonObject *o = root_object (n);
  EXPECT_STREQ (json_object_get_string_member (o, "input"), "file:///x.mp4");
  EXPECT_DOUBLE_EQ (json_object_get_double_member (o, "duration_s"), 612.4);
  EXPECT_DOUBLE_EQ (json_object_get_double_member (o, "scanned_s"), 10.7);
  JsonObject *st = json_object_get_object_member (o, "stats");
  EXPECT_DOUBLE_EQ (json_object_get_double_member (st, "wall_s"), 9.8);
  EXPECT_EQ (json_object_get_int_member (st, "frames_decoded"), 610);
  EXPECT_EQ (json_object_get_int_member (st, "frames_analysed"), 305);
  EXPECT_TRUE (json_object_get_boolean_member (o, "complete"));
}

TEST (Report, HtmlEscapesEverything)
{
  g_autoptr (GcReport) r = gc_report_new ("a<b>&c.mp4");
  gc_report_set_duration (r, 30);
  GcBox box = { 0, 0, 1, 1 };
  gc_report_add_text (r, 1.0, "<script>alert(1)</script>", &box, 0.5);
  GcViolation *v = make_violation ("price.mismatch", 1, 3.0, 6.0);
  gc_report_add_violation_event (r, v, TRUE);
  gc_report_add_product_span (r, "A1001", "杯 <x>", 0, 20);
  g_autofree gchar *html = gc_report_to_html (r);
  std::string h (html);
  EXPECT_EQ (h.find ("<script>"), std::string::npos);
  EXPECT_NE (h.find ("&lt;script&gt;"), std::string::npos);
  EXPECT_NE (h.find ("a&lt;b&gt;&amp;c.mp4"), std::string::npos);
  EXPECT_NE (h.find ("&lt;ref &amp; &quot;quote&quot;&gt;"), std::string::npos);
  EXPECT_NE (h.find ("<svg"), std::string::npos);
  EXPECT_NE (h.find ("</html>"), std::string::npos);
  // Balanced sections and articles.
  auto count = [&h] (const char *s) {
    size_t n = 0;
    for (size_t p = h.find (s); p != std::string::npos; p = h.find (s, p + 1))
      n++;
    return n;
  };
  EXPECT_EQ (count ("<section"), count ("</section>"));
  EXPECT_EQ (count ("<article"), count ("</article>"));
  EXPECT_EQ (count ("<table"), count ("</table>"));
  EXPECT_EQ (count ("<tr>"), count ("</tr>"));
  gc_violation_unref (v);
}

TEST (Report, WritesFileAndNamesPathOnError)
{
  g_autoptr (GcReport) r = gc_report_new ("in.mp4");
  g_autoptr (GError) err = NULL;
  EXPECT_FALSE (gc_report_write_json (r, "/nonexistent-dir/r.json", &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (std::string (err->message).find ("/nonexistent-dir/r.json"),
      std::string::npos);
  g_autofree gchar *dir = g_dir_make_tmp ("test-report-XXXXXX", NULL);
  g_autofree gchar *path = g_build_filename (dir, "r.json", NULL);
  EXPECT_TRUE (gc_report_write_json (r, path, NULL));
  g_autoptr (JsonParser) p = json_parser_new ();
  EXPECT_TRUE (json_parser_load_from_file (p, path, NULL));
  g_unlink (path);
  g_rmdir (dir);
}
