/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* claim.audience_inflated (issue 17): a viewer, like or follower figure on
 * screen is judged against the figure the platform attested for that time
 * (the 2021 live-marketing measures art. 18; UCPD annex I 23c; 16 CFR
 * 465.8), with the pack's tolerance; without an attested figure the rule
 * is silent.  Figures come from gc_rules_add_attested() or a JSON-lines
 * metrics file; a bad file is refused naming its line and field. */
#include <gtest/gtest.h>
#include <glib/gstdio.h>

#include <cmath>
#include <string>
#include <vector>

#include "pack-table.h"

namespace {

struct Figure
{
  double t;
  const char *kind;
  double value;
};

struct Row
{
  const char *name;
  const char *pack;
  const char *line;             /* on screen at 0..5 s */
  std::vector<Figure> attested;
  const char *declared;         /* expected verdict's declared, or NULL */
};

const Row rows[] = {
  {"viewers within the count", "cn", "3.2万人在看", {{0, "viewers", 31650}},
   nullptr},
  {"viewers within the tolerance (10%)", "cn", "3.2万人在看",
   {{0, "viewers", 29500}}, nullptr},
  {"viewers inflated", "cn", "10万人在看", {{0, "viewers", 31650}},
   "attested 31650 viewers at 0.0 s"},
  {"the last figure at or before the frame", "cn", "10万人在看",
   {{0, "viewers", 100000}, {2, "viewers", 20000}},
   "attested 20000 viewers at 2.0 s"},
  {"a figure attested later does not count yet", "cn", "3.2万人在看",
   {{30, "viewers", 100}}, nullptr},
  {"likes inflated", "cn", "10万+点赞", {{0, "likes", 12000}},
   "attested 12000 likes at 0.0 s"},
  {"likes within", "cn", "10万+点赞", {{0, "likes", 98000}}, nullptr},
  {"followers inflated", "cn", "粉丝 120万", {{0, "followers", 8800}},
   "attested 8800 followers at 0.0 s"},
  {"another kind attested: nothing to compare", "cn", "10万人在看",
   {{0, "likes", 10}}, nullptr},
  {"nothing attested: silent", "cn", "10万人在看", {}, nullptr},
  {"EU: watching", "eu", "2.4K watching", {{0, "viewers", 900}},
   "attested 900 viewers at 0.0 s"},
  {"US: likes within", "us", "5K likes", {{0, "likes", 5000}}, nullptr},
  {"US: followers inflated", "us", "1,234 followers",
   {{0, "followers", 1000}}, "attested 1000 followers at 0.0 s"},
  {"a sales figure is not an audience", "cn", "已售10万+",
   {{0, "viewers", 10}}, nullptr},
};

class Audience : public ::testing::TestWithParam<Row> {};

TEST_P (Audience, JudgedAgainstTheAttestedFigure)
{
  const Row &r = GetParam ();
  gc_test::PackRun run (gc_test::one_product_catalog (r.pack, "保温杯",
          R"("category": "general")"), r.pack, r.name);
  ASSERT_TRUE (run.ok ());
  for (const Figure &f : r.attested)
    ASSERT_TRUE (gc_rules_add_attested (run.rules, f.t, f.kind, f.value));
  EXPECT_EQ (gc_rules_audience_attested (run.rules), !r.attested.empty ());
  GcLine line = {r.line, {20, 20, 200, 30}, 0.9, FALSE};
  for (int t = 0; t <= 5; t++)
    gc_rules_push_frame (run.rules, t, &line, 1, run.events);
  gc_rules_finish (run.rules, run.events);

  std::vector<const GcViolation *> got;
  for (guint i = 0; i < run.events->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (run.events, i);
    if (e->type == GC_EVENT_END
        && g_strcmp0 (e->violation->rule, GC_RULE_CLAIM_AUDIENCE_INFLATED) == 0)
      got.push_back (e->violation);
  }
  if (r.declared == nullptr) {
    EXPECT_TRUE (got.empty ()) << r.name << ": " << got[0]->declared;
    return;
  }
  ASSERT_EQ (got.size (), 1u) << r.name;
  EXPECT_STREQ (got[0]->declared, r.declared) << r.name;
  /* What was read, as folded for matching ("2.4k watching"). */
  EXPECT_EQ (g_ascii_strcasecmp (got[0]->observed, r.line), 0)
      << r.name << ": " << got[0]->observed;
}

INSTANTIATE_TEST_SUITE_P (Table, Audience, ::testing::ValuesIn (rows),
    [](const ::testing::TestParamInfo<Row> &info) {
      return "row" + std::to_string (info.index);
    });

TEST (AudienceAttested, BadFiguresAreRefused)
{
  gc_test::PackRun run (gc_test::one_product_catalog ("cn", "保温杯",
          R"("category": "general")"), "cn", "bad figures");
  ASSERT_TRUE (run.ok ());
  EXPECT_FALSE (gc_rules_add_attested (run.rules, 0, "views", 10));
  EXPECT_FALSE (gc_rules_add_attested (run.rules, 0, "viewers", -1));
  EXPECT_FALSE (gc_rules_add_attested (run.rules, 0, "viewers", NAN));
  EXPECT_FALSE (gc_rules_add_attested (run.rules, INFINITY, "likes", 1));
  EXPECT_FALSE (gc_rules_audience_attested (run.rules));
}

class MetricsFile : public ::testing::Test
{
protected:
  std::string dir, path;
  void SetUp () override
  {
    gchar *d = g_dir_make_tmp ("gc-metrics-XXXXXX", nullptr);
    dir = d;
    g_free (d);
    path = dir + "/metrics.jsonl";
  }
  void TearDown () override
  {
    g_unlink (path.c_str ());
    g_rmdir (dir.c_str ());
  }
  /* The message loading @text gives, "" when it loads. */
  std::string load (const std::string &text, GcRules *into = nullptr)
  {
    EXPECT_TRUE (g_file_set_contents (path.c_str (), text.c_str (),
            text.size (), nullptr));
    gc_test::PackRun run (gc_test::one_product_catalog ("cn", "保温杯",
            R"("category": "general")"), "cn", "metrics");
    GError *err = nullptr;
    gboolean ok = gc_rules_load_metrics (into ? into : run.rules,
        path.c_str (), &err);
    if (ok) {
      EXPECT_EQ (err, nullptr);
      return "";
    }
    EXPECT_FALSE (into && gc_rules_audience_attested (into))
        << "nothing kept from a bad file";
    std::string msg = err ? err->message : "(no error)";
    g_clear_error (&err);
    return msg;
  }
};

TEST_F (MetricsFile, ReadLineByLine)
{
  gc_test::PackRun run (gc_test::one_product_catalog ("cn", "保温杯",
          R"("category": "general")"), "cn", "metrics");
  ASSERT_TRUE (run.ok ());
  EXPECT_EQ (load ("{\"t\": 0, \"viewers\": 31650, \"likes\": 120000}\n"
          "\n  {\"t\": 10.5, \"viewers\": 20000, \"source\": \"platform\"}\n"
          "{\"t\": 10.5, \"followers\": 8800}", run.rules), "");
  EXPECT_TRUE (gc_rules_audience_attested (run.rules));
  /* 3.2万 at 12 s against 20000 (from 10.5 s): inflated. */
  GcLine line = {"3.2万人在看", {20, 20, 200, 30}, 0.9, FALSE};
  for (int t = 11; t <= 14; t++)
    gc_rules_push_frame (run.rules, t, &line, 1, run.events);
  gc_rules_finish (run.rules, run.events);
  guint n = 0;
  for (guint i = 0; i < run.events->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (run.events, i);
    if (e->type == GC_EVENT_END) {
      EXPECT_STREQ (e->violation->rule, GC_RULE_CLAIM_AUDIENCE_INFLATED);
      EXPECT_STREQ (e->violation->declared, "attested 20000 viewers at 10.5 s");
      n++;
    }
  }
  EXPECT_EQ (n, 1u);
}

TEST_F (MetricsFile, ErrorsNameTheLineAndField)
{
  gc_test::PackRun run (gc_test::one_product_catalog ("cn", "保温杯",
          R"("category": "general")"), "cn", "metrics");
  ASSERT_TRUE (run.ok ());
  const struct
  {
    const char *text, *message;
  } cases[] = {
    {"{\"t\": 0, \"viewers\": 1}\n{\"t\": 1, \"likes\": -3}\n",
     ":2: field \"likes\": expected a count >= 0"},
    {"{\"t\": 0, \"viewers\": \"many\"}\n",
     ":1: field \"viewers\": expected a count >= 0"},
    {"{\"t\": 5, \"viewers\": 1}\n{\"t\": 1, \"viewers\": 2}\n",
     ":2: field \"t\": 1 is before the line above"},
    {"{\"t\": -1, \"viewers\": 1}\n", ":1: field \"t\": -1 is not a time"},
    {"{\"t\": \"0\", \"viewers\": 1}\n",
     ":1: field \"t\": expected a number of seconds"},
    {"{\"viewers\": 1}\n", ":1: field \"t\": missing (required)"},
    {"{\"t\": 0}\n", ":1: no figure (expected \"viewers\", \"likes\" or "
     "\"followers\")"},
    {"[1, 2]\n", ":1: expected one JSON object a line"},
    {"{\"t\": 0, \"viewers\": 1\n", ":1: expected one JSON object a line"},
    {"", ": no attested figure in it"},
  };
  for (const auto &c : cases) {
    std::string msg = load (c.text, run.rules);
    EXPECT_NE (msg.find (path + c.message), std::string::npos)
        << "got: " << msg;
  }
  /* Binary data (a NUL) is not a metrics file. */
  static const char with_nul[] = "{\"t\": 0,\0 \"viewers\": 1}\n";
  std::string nul (with_nul, sizeof with_nul - 1);
  ASSERT_TRUE (g_file_set_contents (path.c_str (), nul.data (), nul.size (),
          nullptr));
  GError *err = nullptr;
  EXPECT_FALSE (gc_rules_load_metrics (run.rules, path.c_str (), &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (std::string (err->message).find ("binary data"),
      std::string::npos) << err->message;
  g_clear_error (&err);
  EXPECT_FALSE (gc_rules_load_metrics (run.rules, "/nonexistent/m.jsonl",
          &err));
  ASSERT_NE (err, nullptr);
  EXPECT_NE (std::string (err->message).find ("/nonexistent/m.jsonl: cannot "
          "read"), std::string::npos) << err->message;
  g_clear_error (&err);
  EXPECT_FALSE (gc_rules_audience_attested (run.rules));
}

}  // namespace
