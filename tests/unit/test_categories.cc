/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The categories that carry duties (issue 17): required statements
 * (disclosure.statement_missing: CN health food 本品不能代替药物, OTC drugs
 * and medical devices their notices, after the pack's grace period),
 * prescription drugs as prohibited (CN and EU, not US), and who may make
 * medical claims.  Each row is a run of analysed frames, one a second,
 * read through the facts parser and the rule engine of one shipped pack,
 * with every violation expected: its rule, first and last frame, and
 * "declared". */
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pack-table.h"

namespace {

const char *const kHealthFood = "本品不能代替药物";
const char *const kOtc = "请按药品说明书或者在药师指导下购买和使用";
const char *const kDevice = "请仔细阅读产品说明书或者在医务人员的指导下购买和使用";

struct Shown
{
  const char *text;
  int from, to;                 /* seconds, inclusive */
};

struct Expect
{
  const char *rule;
  int t_start, t_end;
  const char *declared;
};

struct Row
{
  const char *name;
  const char *pack;
  const char *product;          /* JSON members after "price" */
  std::vector<Shown> shown;
  std::vector<Expect> expect;
};

/* Frames at 0..20 s.  The CN pack's grace is 10 s and a condition must hold
 * on 2 frames: a statement missing from the start fires on the frame at
 * 10 s. */
const int kLast = 20;

const Row rows[] = {
  {"health food with its statement", "cn", R"("category": "health_food")",
   {{kHealthFood, 0, kLast}}, {}},
  {"health food without it", "cn", R"("category": "health_food")", {},
   {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 10, kLast,
     "category health_food: \"本品不能代替药物\""}}},
  {"the approval number is named", "cn",
   R"("category": "health_food", "ad_approval": "国食健广审(文)第2026110001号")",
   {}, {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 10, kLast,
     "category health_food: \"本品不能代替药物\", ad approval "
     "国食健广审(文)第2026110001号"}}},
  {"statement in time (5 s)", "cn", R"("category": "health_food")",
   {{kHealthFood, 5, kLast}}, {}},
  {"statement just in time (9 s)", "cn", R"("category": "health_food")",
   {{kHealthFood, 9, kLast}}, {}},
  {"statement late (15 s)", "cn", R"("category": "health_food")",
   {{kHealthFood, 15, kLast}},
   {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 10, 14,
     "category health_food: \"本品不能代替药物\""}}},
  {"statement taken down at 6 s", "cn", R"("category": "health_food")",
   {{kHealthFood, 0, 5}},
   {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 16, kLast,
     "category health_food: \"本品不能代替药物\""}}},
  {"statement inside a longer line", "cn", R"("category": "health_food")",
   {{"温馨提示：本品不能代替药物！", 0, kLast}}, {}},
  {"OTC drug with its notice", "cn", R"("category": "otc_drug")",
   {{kOtc, 0, kLast}}, {}},
  {"OTC drug with another category's statement", "cn",
   R"("category": "otc_drug")", {{kHealthFood, 0, kLast}},
   {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 10, kLast,
     "category otc_drug: \"请按药品说明书或者在药师指导下购买和使用\""}}},
  {"medical device with its notice", "cn", R"("category": "medical_device")",
   {{kDevice, 0, kLast}}, {}},
  {"medical device without it", "cn", R"("category": "medical_device")", {},
   {{GC_RULE_DISCLOSURE_STATEMENT_MISSING, 10, kLast,
     "category medical_device: \"请仔细阅读产品说明书或者在医务人员的指导下购买和使用\""}}},
  {"general goods owe nothing", "cn", R"("category": "general")", {}, {}},
  {"food owes nothing", "cn", R"("category": "food")", {}, {}},
  {"drug (no statement listed) owes nothing", "cn", R"("category": "drug")",
   {}, {}},
  {"EU: no statement by category", "eu", R"("category": "health_food")", {},
   {}},
  {"US: no statement by category", "us", R"("category": "otc_drug")", {}, {}},

  {"CN: prescription drug offered", "cn", R"("category": "rx_drug")",
   {{kOtc, 0, kLast}},
   {{GC_RULE_PRODUCT_PROHIBITED, 0, kLast, "category rx_drug"}}},
  {"EU: prescription drug offered", "eu", R"("category": "rx_drug")", {},
   {{GC_RULE_PRODUCT_PROHIBITED, 0, kLast, "category rx_drug"}}},
  {"US: prescription drug ads are allowed", "us", R"("category": "rx_drug")",
   {}, {}},
  {"CN: prohibited goods", "cn", R"("category": "prohibited")", {},
   {{GC_RULE_PRODUCT_PROHIBITED, 0, kLast, "category prohibited"}}},
  {"EU: prohibited goods", "eu", R"("category": "prohibited")", {},
   {{GC_RULE_PRODUCT_PROHIBITED, 0, kLast, "category prohibited"}}},
  {"US: prohibited goods", "us", R"("category": "prohibited")", {},
   {{GC_RULE_PRODUCT_PROHIBITED, 0, kLast, "category prohibited"}}},

  {"an OTC drug may state what it treats", "cn", R"("category": "otc_drug")",
   {{kOtc, 0, kLast}, {"治愈感冒", 0, kLast}}, {}},
  {"a medical device may too", "cn", R"("category": "medical_device")",
   {{kDevice, 0, kLast}, {"消炎", 0, kLast}}, {}},
  {"health food may not", "cn", R"("category": "health_food")",
   {{kHealthFood, 0, kLast}, {"治愈失眠", 3, 8}},
   {{GC_RULE_CLAIM_MEDICAL, 3, 8, "category health_food"}}},
  {"nor cosmetics", "cn", R"("category": "cosmetics")",
   {{"消炎", 3, 8}}, {{GC_RULE_CLAIM_MEDICAL, 3, 8, "category cosmetics"}}},
};

class Categories : public ::testing::TestWithParam<Row> {};

TEST_P (Categories, EveryViolationWithItsSpanAndFigures)
{
  const Row &r = GetParam ();
  gc_test::PackRun run (gc_test::one_product_catalog (r.pack, "样品",
          r.product), r.pack, r.name);
  ASSERT_TRUE (run.ok ());
  GcRules *rules = run.rules;
  GPtrArray *ev = run.events;

  for (int t = 0; t <= kLast; t++) {
    std::vector<GcLine> lines;
    int y = 100;
    for (const Shown &s : r.shown)
      if (t >= s.from && t <= s.to)
        lines.push_back (GcLine {s.text, {100, y += 60, 600, 40}, 0.9, FALSE});
    gc_rules_push_frame (rules, t, lines.data (), lines.size (), ev);
  }
  gc_rules_finish (rules, ev);

  std::vector<const GcViolation *> ended;
  for (guint i = 0; i < ev->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (ev, i);
    if (e->type == GC_EVENT_END)
      ended.push_back (e->violation);
  }
  ASSERT_EQ (ended.size (), r.expect.size ()) << r.name << ": first "
      << (ended.empty () ? "none" : ended[0]->rule);
  for (size_t i = 0; i < ended.size (); i++) {
    const Expect &x = r.expect[i];
    EXPECT_STREQ (ended[i]->rule, x.rule) << r.name;
    EXPECT_EQ (ended[i]->t_start, x.t_start) << r.name;
    EXPECT_EQ (ended[i]->t_end, x.t_end) << r.name;
    EXPECT_STREQ (ended[i]->declared, x.declared) << r.name;
  }
}

INSTANTIATE_TEST_SUITE_P (Table, Categories, ::testing::ValuesIn (rows),
    [](const ::testing::TestParamInfo<Row> &info) {
      return "row" + std::to_string (info.index);
    });

/* A product switched from one owing a statement to another restarts the
 * grace period: the second product's 10 s start at its own start. */
TEST (CategoriesSwitch, GraceRestartsForTheNextProduct)
{
  const char *json = R"({"schema": "gst-compliance-catalog/1",
    "jurisdiction": "CN", "currency": "CNY", "products": [
      {"sku": "H1", "name": "鱼油", "price": 99, "category": "health_food"},
      {"sku": "O1", "name": "感冒灵", "price": 29, "category": "otc_drug"}],
    "schedule": [{"sku": "H1", "start": 0, "end": 8},
      {"sku": "O1", "start": 8, "end": 100}]})";
  GError *err = nullptr;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_data (json, -1, "switch", &err);
  ASSERT_NE (catalog, nullptr) << err->message;
  g_autoptr (GcRulePack) pack = gc_rulepack_load ("cn", nullptr, &err);
  ASSERT_NE (pack, nullptr) << err->message;
  GcRules *rules = gc_rules_new (catalog, pack);
  GPtrArray *ev = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  for (int t = 0; t <= 20; t++)
    gc_rules_push_frame (rules, t, nullptr, 0, ev);
  gc_rules_finish (rules, ev);
  std::vector<std::string> got;
  for (guint i = 0; i < ev->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (ev, i);
    if (e->type == GC_EVENT_END)
      got.push_back (std::string (e->violation->sku) + " "
          + std::to_string ((int) e->violation->t_start));
  }
  /* H1 leaves at 8 s, before its grace ran out; O1's runs 8..18. */
  EXPECT_EQ (got, (std::vector<std::string> {"O1 18"}));
  g_ptr_array_unref (ev);
  gc_rules_free (rules);
}

}  // namespace
