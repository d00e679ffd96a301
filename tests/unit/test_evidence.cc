/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Violation records and the append-only evidence log. */
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include <errno.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "gc-error.h"
#include "gc-evidence.h"
}

namespace {

GcViolation *
sample_violation ()
{
  GcViolation *v = gc_violation_new ("price.mismatch");
  v->severity = g_strdup ("error");
  v->sku = g_strdup ("A1001");
  v->observed = g_strdup ("¥89.00");
  v->declared = g_strdup ("¥99.00");
  v->legal_ref = g_strdup ("价格法 \"quoted\" <b>&");
  v->t_start = 12.0;
  v->t_end = 19.5000000001;
  v->t_confirmed = 12.5;
  v->box = {840, 900, 320, 60};
  v->id = 3;
  return v;
}

std::vector<std::string>
read_lines (const gchar *path)
{
  gchar *contents = nullptr;
  EXPECT_TRUE (g_file_get_contents (path, &contents, nullptr, nullptr));
  std::vector<std::string> out;
  gchar **lines = g_strsplit (contents ? contents : "", "\n", -1);
  for (gchar **l = lines; *l; l++)
    if (**l)
      out.emplace_back (*l);
  g_strfreev (lines);
  g_free (contents);
  return out;
}

JsonObject *
parse_object (JsonParser *p, const std::string &line)
{
  GError *err = nullptr;
  EXPECT_TRUE (json_parser_load_from_data (p, line.c_str (), -1, &err))
      << (err ? err->message : "");
  return json_node_get_object (json_parser_get_root (p));
}

class Evidence : public ::testing::Test
{
protected:
  gchar *dir = nullptr;
  void SetUp () override { dir = g_dir_make_tmp ("gc-evidence-XXXXXX", nullptr); }
  void TearDown () override
  {
    gchar *log = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
    g_unlink (log);
    g_free (log);
    gchar *sub = g_build_filename (dir, "a", "b", GC_EVIDENCE_LOG_NAME, nullptr);
    g_unlink (sub);
    gchar *b = g_path_get_dirname (sub);
    g_rmdir (b);
    gchar *a = g_path_get_dirname (b);
    g_rmdir (a);
    g_free (a);
    g_free (b);
    g_free (sub);
    g_rmdir (dir);
    g_free (dir);
  }
};

TEST (Record, HasEveryReportField)
{
  GcViolation *v = sample_violation ();
  v->evidence = g_strdup ("evidence/000012500-3.png");
  JsonNode *node = gc_violation_to_json (v);
  JsonObject *o = json_node_get_object (node);
  EXPECT_STREQ (json_object_get_string_member (o, "rule"), "price.mismatch");
  EXPECT_STREQ (json_object_get_string_member (o, "severity"), "error");
  EXPECT_STREQ (json_object_get_string_member (o, "sku"), "A1001");
  EXPECT_STREQ (json_object_get_string_member (o, "observed"), "¥89.00");
  EXPECT_STREQ (json_object_get_string_member (o, "declared"), "¥99.00");
  EXPECT_STREQ (json_object_get_string_member (o, "legal_ref"), "价格法 \"quoted\" <b>&");
  EXPECT_STREQ (json_object_get_string_member (o, "evidence"), "evidence/000012500-3.png");
  EXPECT_DOUBLE_EQ (json_object_get_double_member (o, "t_start"), 12.0);
  EXPECT_DOUBLE_EQ (json_object_get_double_member (o, "t_end"), 19.5);
  JsonArray *bbox = json_object_get_array_member (o, "bbox");
  ASSERT_EQ (json_array_get_length (bbox), 4u);
  EXPECT_EQ (json_array_get_int_element (bbox, 0), 840);
  EXPECT_EQ (json_array_get_int_element (bbox, 3), 60);
  json_node_unref (node);

  /* Missing values are null, not absent: other tools rely on the keys. */
  GcViolation *bare = gc_violation_new ("disclosure.missing");
  node = gc_violation_to_json (bare);
  o = json_node_get_object (node);
  EXPECT_TRUE (json_object_has_member (o, "sku"));
  EXPECT_TRUE (json_object_get_null_member (o, "sku"));
  EXPECT_TRUE (json_object_get_null_member (o, "evidence"));
  json_node_unref (node);
  gc_violation_unref (bare);
  gc_violation_unref (v);
}

TEST_F (Evidence, AppendsStartAndEndAndNeverTruncates)
{
  GError *err = nullptr;
  GcViolation *v = sample_violation ();
  GcEvent start = {GC_EVENT_START, v};
  GcEvent end = {GC_EVENT_END, v};

  GcEvidenceLog *log = gc_evidence_log_open (dir, &err);
  ASSERT_NE (log, nullptr) << err->message;
  EXPECT_STREQ (gc_evidence_log_dir (log), dir);
  ASSERT_TRUE (gc_evidence_log_append (log, &start, "run1", &err));
  /* Flushed as it happens: readable before the log is closed. */
  gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  EXPECT_EQ (read_lines (path).size (), 1u);
  ASSERT_TRUE (gc_evidence_log_append (log, &end, "run1", &err));
  gc_evidence_log_close (log);

  /* A restart appends. */
  log = gc_evidence_log_open (dir, &err);
  ASSERT_NE (log, nullptr);
  ASSERT_TRUE (gc_evidence_log_append (log, &start, "run2", &err));
  gc_evidence_log_close (log);

  auto lines = read_lines (path);
  ASSERT_EQ (lines.size (), 3u);
  JsonParser *p = json_parser_new ();
  JsonObject *o = parse_object (p, lines[0]);
  EXPECT_STREQ (json_object_get_string_member (o, "event"), "start");
  EXPECT_STREQ (json_object_get_string_member (o, "source"), "run1");
  EXPECT_STREQ (json_object_get_string_member (o, "rule"), "price.mismatch");
  EXPECT_TRUE (json_object_has_member (o, "wall"));
  o = parse_object (p, lines[1]);
  EXPECT_STREQ (json_object_get_string_member (o, "event"), "end");
  o = parse_object (p, lines[2]);
  EXPECT_STREQ (json_object_get_string_member (o, "source"), "run2");
  g_object_unref (p);
  g_free (path);
  gc_violation_unref (v);
}

TEST_F (Evidence, CreatesMissingDirectories)
{
  GError *err = nullptr;
  gchar *sub = g_build_filename (dir, "a", "b", nullptr);
  GcEvidenceLog *log = gc_evidence_log_open (sub, &err);
  ASSERT_NE (log, nullptr) << err->message;
  gc_evidence_log_close (log);
  EXPECT_TRUE (g_file_test (sub, G_FILE_TEST_IS_DIR));
  g_free (sub);
}

TEST_F (Evidence, UnusableDirectoryIsAClearError)
{
  /* A directory path below a regular file cannot be created, even as
   * root. */
  gchar *file = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  ASSERT_TRUE (g_file_set_contents (file, "", 0, nullptr));
  gchar *bad = g_build_filename (file, "sub", nullptr);
  GError *err = nullptr;
  EXPECT_EQ (gc_evidence_log_open (bad, &err), nullptr);
  ASSERT_NE (err, nullptr);
  EXPECT_TRUE (g_error_matches (err, GC_ERROR, GC_ERROR_IO));
  EXPECT_NE (strstr (err->message, bad), nullptr) << err->message;
  g_error_free (err);
  g_free (bad);
  g_free (file);
}

TEST_F (Evidence, DiskFullIsReportedNotFatal)
{
  /* The log is a link to /dev/full: opening works, every write fails with
   * ENOSPC, as on a full disk. */
  gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  ASSERT_EQ (symlink ("/dev/full", path), 0);
  GError *err = nullptr;
  GcEvidenceLog *log = gc_evidence_log_open (dir, &err);
  ASSERT_NE (log, nullptr) << err->message;
  GcViolation *v = sample_violation ();
  GcEvent start = {GC_EVENT_START, v};
  EXPECT_FALSE (gc_evidence_log_append (log, &start, "t", &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (strstr (err->message, path), nullptr) << err->message;
  EXPECT_NE (strstr (err->message, g_strerror (ENOSPC)), nullptr) << err->message;
  g_clear_error (&err);
  /* The log stays usable for the next attempt. */
  EXPECT_FALSE (gc_evidence_log_append (log, &start, "t", &err));
  g_clear_error (&err);
  gc_evidence_log_close (log);
  gc_violation_unref (v);
  g_free (path);
}

TEST (EvidenceImage, Name)
{
  GcViolation *v = sample_violation ();
  gchar *name = gc_evidence_image_name (v);
  EXPECT_STREQ (name, "000012500-3.png");
  g_free (name);
  v->t_confirmed = -1;
  name = gc_evidence_image_name (v);
  EXPECT_STREQ (name, "000000000-3.png");
  g_free (name);
  gc_violation_unref (v);
}

}  // namespace
