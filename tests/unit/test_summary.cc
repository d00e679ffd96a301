/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gc-summary: scan reports merged into one summary (issue 16). */
#include <gtest/gtest.h>

#include <string>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

extern "C" {
#include "gc-error.h"
#include "gc-summary.h"
}

namespace {

class Summary : public ::testing::Test
{
protected:
  gchar *dir = nullptr;

  void SetUp () override { dir = g_dir_make_tmp ("gc-summary-XXXXXX", nullptr); }
  void TearDown () override
  {
    g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    ASSERT_EQ (system (cmd), 0);
    g_free (dir);
  }
  std::string path (const char *name)
  {
    g_autofree gchar *p = g_build_filename (dir, name, nullptr);
    return p;
  }
  std::string put (const char *name, const std::string &text)
  {
    std::string p = path (name);
    g_autofree gchar *d = g_path_get_dirname (p.c_str ());
    g_mkdir_with_parents (d, 0755);
    EXPECT_TRUE (g_file_set_contents (p.c_str (), text.c_str (), -1, nullptr));
    return p;
  }
  /* A report of @input with @rules violated; @extra members appended. */
  static std::string report (const char *input,
      std::initializer_list<const char *> rules, const char *extra = "")
  {
    std::string v;
    for (const char *r : rules)
      v += std::string (v.empty () ? "" : ", ") + R"({"rule": ")" + r
          + R"(", "observed": "x"})";
    return std::string (R"({"schema": "gst-compliance-report/1", "input": ")")
        + input + R"(", "duration_s": 3, "texts": [], "violations": [)" + v
        + R"(], "stats": {}, "complete": true, "coverage": {"method": "ocr",
        "checked": true})" + extra + "}";
  }
  static JsonObject *load (JsonParser *parser, const std::string &p)
  {
    EXPECT_TRUE (json_parser_load_from_file (parser, p.c_str (), nullptr));
    return json_node_get_object (json_parser_get_root (parser));
  }
};

TEST_F (Summary, TotalsStatusesAndEveryReportWhole)
{
  put ("out/a.json", report ("a.mp4", {"price.mismatch", "claim.medical"}));
  put ("out/a.html", "<html/>");
  put ("out/b.json", report ("b.mp4", {}));
  put ("out/c.json", report ("c.mp4", {"price.mismatch"},
          R"(, "error": "truncated")"));
  put ("out/d.json", std::string (report ("d.mp4", {})).replace (
          report ("d.mp4", {}).find ("\"checked\": true"), 15,
          "\"checked\": false"));
  std::string out = path ("out/summary.json");
  g_autoptr (GcSummary) s = gc_summary_new (out.c_str ());
  g_autoptr (GError) err = NULL;
  ASSERT_TRUE (gc_summary_add (s, path ("out").c_str (), &err))
      << err->message;
  EXPECT_EQ (gc_summary_n_reports (s), 4u);
  EXPECT_EQ (gc_summary_count (s, "violations"), 1u);
  EXPECT_EQ (gc_summary_count (s, "clean"), 1u);
  EXPECT_EQ (gc_summary_count (s, "incomplete"), 1u) << "an error wins";
  EXPECT_EQ (gc_summary_count (s, "not_checked"), 1u);
  ASSERT_TRUE (gc_summary_write_json (s, &err)) << err->message;

  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = load (parser, out);
  EXPECT_STREQ (json_object_get_string_member (o, "schema"),
      GC_SUMMARY_SCHEMA);
  EXPECT_EQ (json_object_get_int_member (o, "recordings"), 4);
  EXPECT_EQ (json_object_get_int_member (o, "violations"), 3);
  JsonObject *by = json_object_get_object_member (o, "by_rule");
  EXPECT_EQ (json_object_get_size (by), 2u);
  EXPECT_EQ (json_object_get_int_member (by, "price.mismatch"), 2);
  EXPECT_EQ (json_object_get_int_member (by, "claim.medical"), 1);
  JsonArray *reports = json_object_get_array_member (o, "reports");
  ASSERT_EQ (json_array_get_length (reports), 4u);
  JsonObject *a = json_array_get_object_element (reports, 0);
  EXPECT_STREQ (json_object_get_string_member (a, "file"), "a.json")
      << "relative to the summary";
  EXPECT_STREQ (json_object_get_string_member (a, "html"), "a.html");
  EXPECT_FALSE (json_object_has_member (json_array_get_object_element (reports,
              1), "html"));
  /* The report itself, whole. */
  g_autoptr (JsonParser) ap = json_parser_new ();
  JsonObject *orig = load (ap, path ("out/a.json"));
  JsonNode *orig_node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (orig_node, orig);
  EXPECT_TRUE (json_node_equal (json_object_get_member (a, "report"),
          orig_node));
  json_node_unref (orig_node);

  /* Again, with the summary beside the reports: it is skipped. */
  g_autoptr (GcSummary) again = gc_summary_new (out.c_str ());
  ASSERT_TRUE (gc_summary_add (again, path ("out").c_str (), &err));
  EXPECT_EQ (gc_summary_n_reports (again), 4u);
}

TEST_F (Summary, LinksOutsideItsDirectoryStayAbsolute)
{
  std::string r = put ("elsewhere/r.json", report ("r.mp4", {}));
  g_autoptr (GcSummary) s = gc_summary_new (path ("out/summary.json").c_str ());
  g_mkdir_with_parents (path ("out").c_str (), 0755);
  g_autoptr (GError) err = NULL;
  ASSERT_TRUE (gc_summary_add (s, r.c_str (), &err));
  ASSERT_TRUE (gc_summary_write_json (s, &err));
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = load (parser, path ("out/summary.json"));
  g_autofree gchar *canon = g_canonicalize_filename (r.c_str (), nullptr);
  EXPECT_STREQ (json_object_get_string_member (json_array_get_object_element (
              json_object_get_array_member (o, "reports"), 0), "file"), canon);
}

TEST_F (Summary, WhatIsNoReportIsNamedAndNothingAdded)
{
  std::string good = put ("good.json", report ("g.mp4", {}));
  std::string other = put ("other.json", R"({"schema": "gst-compliance-catalog/1"})");
  std::string broken = put ("broken.json", "{\"schema\": ");
  std::string array = put ("array.json", "[]");
  std::string noviol = put ("noviol.json",
      R"({"schema": "gst-compliance-report/1", "violations": 3})");
  g_autoptr (GcSummary) s = gc_summary_new (path ("summary.json").c_str ());
  struct
  {
    std::string file;
    const char *msg;
  } cases[] = {
    {other, "not a scan report: its \"schema\" is \"gst-compliance-catalog/1\""},
    {broken, "broken.json: "},
    {array, "the top level is not an object"},
    {noviol, "field \"violations\": expected an array"},
    {path ("missing.json"), "missing.json"},
  };
  for (const auto &c : cases) {
    g_autoptr (GError) err = NULL;
    EXPECT_FALSE (gc_summary_add (s, c.file.c_str (), &err)) << c.file;
    ASSERT_NE (err, nullptr);
    EXPECT_NE (strstr (err->message, c.msg), nullptr) << err->message;
    EXPECT_NE (strstr (err->message, c.file.c_str ()), nullptr)
        << "names the file: " << err->message;
  }
  EXPECT_EQ (gc_summary_n_reports (s), 0u);
  g_autoptr (GError) err = NULL;
  ASSERT_TRUE (gc_summary_add (s, good.c_str (), &err));
  EXPECT_FALSE (gc_summary_add (s, good.c_str (), &err));
  EXPECT_NE (strstr (err->message, "given twice"), nullptr);
  g_clear_error (&err);
  /* A directory of no report, and one with a bad file: nothing added. */
  g_mkdir_with_parents (path ("empty").c_str (), 0755);
  EXPECT_FALSE (gc_summary_add (s, path ("empty").c_str (), &err));
  EXPECT_NE (strstr (err->message, "no scan report"), nullptr);
  g_clear_error (&err);
  put ("mixed/a.json", report ("a.mp4", {}));
  put ("mixed/z.json", "not json");
  EXPECT_FALSE (gc_summary_add (s, path ("mixed").c_str (), &err));
  EXPECT_EQ (gc_summary_n_reports (s), 1u) << "the directory's a.json undone";
}

TEST_F (Summary, MissingReportsAndOutputsOverReports)
{
  put ("out/a.json", report ("a.mp4", {}));
  put ("out/a.html", "<html/>");
  g_autoptr (GError) err = NULL;
  /* The summary's path is a report in the directory: refused. */
  g_autoptr (GcSummary) over = gc_summary_new (path ("out/a.json").c_str ());
  EXPECT_FALSE (gc_summary_add (over, path ("out").c_str (), &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (strstr (err->message, "the summary would be written over it"),
      nullptr) << err->message;
  g_clear_error (&err);

  g_autoptr (GcSummary) s = gc_summary_new (path ("out/summary.json").c_str ());
  ASSERT_TRUE (gc_summary_add (s, path ("out").c_str (), &err));
  EXPECT_STREQ (gc_summary_input (s, 0), "a.mp4");
  EXPECT_TRUE (gc_summary_holds (s, path ("out/a.json").c_str ()));
  EXPECT_TRUE (gc_summary_holds (s, path ("out/a.html").c_str ()));
  EXPECT_FALSE (gc_summary_holds (s, path ("out/index.html").c_str ()));
  gc_summary_add_missing (s, "b.mp4", path ("out/b.json").c_str ());
  EXPECT_EQ (gc_summary_n_missing (s), 1u);
  ASSERT_TRUE (gc_summary_write_json (s, &err));
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = load (parser, path ("out/summary.json"));
  JsonArray *missing = json_object_get_array_member (o, "missing");
  ASSERT_EQ (json_array_get_length (missing), 1u);
  JsonObject *m = json_array_get_object_element (missing, 0);
  EXPECT_STREQ (json_object_get_string_member (m, "input"), "b.mp4");
  EXPECT_STREQ (json_object_get_string_member (m, "file"), "b.json");
  EXPECT_EQ (json_object_get_int_member (o, "recordings"), 1);
  ASSERT_TRUE (gc_summary_write_html (s, path ("out/index.html").c_str (),
          &err));
  g_autofree gchar *text = NULL;
  ASSERT_TRUE (g_file_get_contents (path ("out/index.html").c_str (), &text,
          nullptr, nullptr));
  EXPECT_NE (strstr (text, "1 missing"), nullptr);
  EXPECT_NE (strstr (text, "b.mp4"), nullptr);
}

TEST_F (Summary, HtmlIndexIsWellFormedAndEscaped)
{
  put ("out/x.json", report ("<b>&amp; \\\"x\\\".mp4", {"price.mismatch"}));
  put ("out/x.html", "<html/>");
  g_autoptr (GcSummary) s = gc_summary_new (path ("out/summary.json").c_str ());
  g_autoptr (GError) err = NULL;
  ASSERT_TRUE (gc_summary_add (s, path ("out/x.json").c_str (), &err));
  std::string page = path ("index.html");
  ASSERT_TRUE (gc_summary_write_html (s, page.c_str (), &err)) << err->message;
  g_autofree gchar *text = NULL;
  ASSERT_TRUE (g_file_get_contents (page.c_str (), &text, nullptr, nullptr));
  std::string h (text);
  EXPECT_NE (h.find ("&lt;b&gt;&amp;amp;"), std::string::npos) << h;
  EXPECT_EQ (h.find ("<b>"), std::string::npos);
  /* The page is beside out/: links go into it. */
  EXPECT_NE (h.find ("href=\"out/x.html\""), std::string::npos) << h;
  EXPECT_NE (h.find ("href=\"out/x.json\""), std::string::npos) << h;
  EXPECT_NE (h.find ("price.mismatch ×1"), std::string::npos);
  /* Onto a directory: refused, named. */
  EXPECT_FALSE (gc_summary_write_html (s, dir, &err));
  EXPECT_NE (strstr (err->message, dir), nullptr);
}

}  // namespace
