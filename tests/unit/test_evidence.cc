/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Violation records and the append-only evidence log. */
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

extern "C" {
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
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

TEST_F (Evidence, ImageNamesCarryTheRunId)
{
  GError *err = nullptr;
  GcEvidenceLog *a = gc_evidence_log_open (dir, &err);
  GcEvidenceLog *b = gc_evidence_log_open (dir, &err);
  ASSERT_NE (a, nullptr);
  ASSERT_NE (b, nullptr);
  /* Two opens, even in one process and one second, are two runs. */
  EXPECT_STRNE (gc_evidence_log_run (a), gc_evidence_log_run (b));
  EXPECT_TRUE (g_regex_match_simple ("^[0-9]{8}T[0-9]{6}Z-[0-9]+-[0-9a-f]{4}$",
          gc_evidence_log_run (a), (GRegexCompileFlags) 0,
          (GRegexMatchFlags) 0)) << gc_evidence_log_run (a);

  GcViolation *v = sample_violation ();
  gchar *name = gc_evidence_image_name (a, v);
  std::string want = std::string (gc_evidence_log_run (a)) + "-000012500-3.png";
  EXPECT_EQ (want, name);
  g_free (name);
  v->t_confirmed = -1;
  name = gc_evidence_image_name (a, v);
  want = std::string (gc_evidence_log_run (a)) + "-000000000-3.png";
  EXPECT_EQ (want, name);
  g_free (name);
  gc_violation_unref (v);
  gc_evidence_log_close (a);
  gc_evidence_log_close (b);
}

TEST_F (Evidence, ImageIsReferredToOnlyOnceCommitted)
{
  GError *err = nullptr;
  GcEvidenceLog *log = gc_evidence_log_open (dir, &err);
  ASSERT_NE (log, nullptr);
  GcViolation *v = sample_violation ();
  v->evidence = g_strdup ("must-not-appear.png");
  GcEvent start = {GC_EVENT_START, v};
  ASSERT_TRUE (gc_evidence_log_append (log, &start, "src", &err));

  gchar *name = gc_evidence_image_name (log, v);
  gchar *tmp = gc_evidence_log_temp_path (log, name);
  gchar *final_path = g_build_filename (dir, name, nullptr);
  /* Hidden, in the same directory (so the rename is atomic). */
  gchar *tmp_dir = g_path_get_dirname (tmp);
  gchar *tmp_base = g_path_get_basename (tmp);
  EXPECT_STREQ (tmp_dir, dir);
  EXPECT_EQ (tmp_base[0], '.');
  ASSERT_TRUE (g_file_set_contents (tmp, "\x89PNG", 4, nullptr));
  gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  auto lines = read_lines (path);
  ASSERT_EQ (lines.size (), 1u);
  EXPECT_EQ (lines[0].find ("must-not-appear"), std::string::npos) << lines[0];
  EXPECT_FALSE (g_file_test (final_path, G_FILE_TEST_EXISTS));

  ASSERT_TRUE (gc_evidence_log_commit (log, name, v, "src", &err))
      << err->message;
  EXPECT_FALSE (g_file_test (tmp, G_FILE_TEST_EXISTS));
  EXPECT_TRUE (g_file_test (final_path, G_FILE_TEST_IS_REGULAR));
  lines = read_lines (path);
  ASSERT_EQ (lines.size (), 2u);
  JsonParser *p = json_parser_new ();
  JsonObject *o = parse_object (p, lines[1]);
  EXPECT_STREQ (json_object_get_string_member (o, "event"), "evidence");
  EXPECT_STREQ (json_object_get_string_member (o, "evidence"), name);
  EXPECT_STREQ (json_object_get_string_member (o, "run"),
      gc_evidence_log_run (log));
  EXPECT_EQ (json_object_get_int_member (o, "id"), 3);
  o = parse_object (p, lines[0]);
  EXPECT_TRUE (json_object_get_null_member (o, "evidence"));
  EXPECT_STREQ (json_object_get_string_member (o, "run"),
      gc_evidence_log_run (log));

  /* An image that was never completed (the writer failed, or was killed):
   * the commit fails, nothing refers to it and no temporary is left. */
  v->id = 4;
  gchar *name2 = gc_evidence_image_name (log, v);
  EXPECT_FALSE (gc_evidence_log_commit (log, name2, v, "src", &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (strstr (err->message, name2), nullptr) << err->message;
  g_clear_error (&err);
  EXPECT_EQ (read_lines (path).size (), 2u);

  g_object_unref (p);
  gc_evidence_log_close (log);
  g_unlink (final_path);
  g_free (name2);
  g_free (path);
  g_free (tmp_dir);
  g_free (tmp_base);
  g_free (final_path);
  g_free (tmp);
  g_free (name);
  gc_violation_unref (v);
}

TEST_F (Evidence, ConcurrentWritersNeverTearLines)
{
  /* Four logs on one directory (four pipelines), two threads each, lines
   * of 9,000+ characters: every line parses, every run is distinct. */
  constexpr int kLogs = 4, kThreads = 2, kLines = 40;
  GcEvidenceLog *logs[kLogs];
  GError *err = nullptr;
  for (auto &l : logs) {
    l = gc_evidence_log_open (dir, &err);
    ASSERT_NE (l, nullptr);
  }
  GcViolation *v = sample_violation ();
  std::string sponsor (3000, 'x');
  for (int i = 0; i < 1000; i++)
    sponsor += "赞助";
  g_free (v->observed);
  v->observed = g_strdup (sponsor.c_str ());
  struct Job { GcEvidenceLog *log; GcViolation *v; };
  std::vector<Job> jobs;
  for (int i = 0; i < kLogs * kThreads; i++)
    jobs.push_back ({logs[i % kLogs], v});
  std::vector<GThread *> threads;
  for (auto &j : jobs)
    threads.push_back (g_thread_new ("writer", [] (gpointer data) -> gpointer {
      Job *job = static_cast<Job *> (data);
      GcEvent ev = {GC_EVENT_START, job->v};
      for (int k = 0; k < kLines; k++)
        if (!gc_evidence_log_append (job->log, &ev, "w", nullptr))
          return GINT_TO_POINTER (1);
      return nullptr;
    }, &j));
  for (GThread *t : threads)
    EXPECT_EQ (g_thread_join (t), nullptr);
  for (auto &l : logs)
    gc_evidence_log_close (l);

  gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  auto lines = read_lines (path);
  ASSERT_EQ (lines.size (), (size_t) (kLogs * kThreads * kLines));
  JsonParser *p = json_parser_new ();
  std::set<std::string> runs;
  for (auto &line : lines) {
    ASSERT_GT (line.size (), 9000u);
    JsonObject *o = parse_object (p, line);
    ASSERT_NE (o, nullptr) << line.substr (0, 200);
    EXPECT_EQ (sponsor, json_object_get_string_member (o, "observed"));
    runs.insert (json_object_get_string_member (o, "run"));
  }
  EXPECT_EQ (runs.size (), (size_t) kLogs);
  g_object_unref (p);
  g_free (path);
  gc_violation_unref (v);
}

TEST_F (Evidence, AWriteCutShortLeavesNoTornLine)
{
  /* A file size limit stands in for a disk that fills in the middle of a
   * line: the write is partial, then fails.  What was written of the line
   * is cut back. */
  GError *err = nullptr;
  GcEvidenceLog *log = gc_evidence_log_open (dir, &err);
  ASSERT_NE (log, nullptr);
  GcViolation *v = sample_violation ();
  GcEvent start = {GC_EVENT_START, v};
  ASSERT_TRUE (gc_evidence_log_append (log, &start, "a", &err));
  gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, nullptr);
  GStatBuf st;
  ASSERT_EQ (g_stat (path, &st), 0);

  g_free (v->observed);
  v->observed = g_strdup (std::string (20000, 'y').c_str ());
  struct rlimit old_limit, small;
  ASSERT_EQ (getrlimit (RLIMIT_FSIZE, &old_limit), 0);
  small = old_limit;
  small.rlim_cur = st.st_size + 4096;
  void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
  ASSERT_EQ (setrlimit (RLIMIT_FSIZE, &small), 0);
  gboolean ok = gc_evidence_log_append (log, &start, "b", &err);
  setrlimit (RLIMIT_FSIZE, &old_limit);
  signal (SIGXFSZ, old_handler);
  EXPECT_FALSE (ok);
  ASSERT_NE (err, nullptr);
  EXPECT_NE (strstr (err->message, path), nullptr) << err->message;
  g_clear_error (&err);

  GStatBuf after;
  ASSERT_EQ (g_stat (path, &after), 0);
  EXPECT_EQ (after.st_size, st.st_size);
  /* And the log goes on. */
  ASSERT_TRUE (gc_evidence_log_append (log, &start, "c", &err));
  auto lines = read_lines (path);
  ASSERT_EQ (lines.size (), 2u);
  JsonParser *p = json_parser_new ();
  for (auto &line : lines)
    ASSERT_NE (parse_object (p, line), nullptr);
  g_object_unref (p);
  gc_evidence_log_close (log);
  g_free (path);
  gc_violation_unref (v);
}

}  // namespace
