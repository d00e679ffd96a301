/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* price.raised_before_discount as SAMR order 56 art. 17 (2) reads (issue
 * 17): a compared price the seller raised inside the reference window (7
 * days before the stream in the CN pack) and that is above every price of
 * the 30 days before that window (their sales, or with none the offered
 * prices in effect).  Each row is one line on screen for 4 analysed
 * frames, read through the facts parser and the rule engine of one shipped
 * pack, with every violation expected and its "declared". */
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pack-table.h"

namespace {

struct Expect
{
  const char *rule;
  const char *declared;
};

struct Row
{
  const char *name;
  const char *pack;
  std::string product;          /* JSON members after "price" */
  const char *line;
  gboolean struck;
  std::vector<Expect> expect;
};

/* Without transactions the CN pack also bounds a compared price by the
 * offered prices of the window (price.reference_inflated): where the
 * window held a lower offer, that rule fires too, as listed.  Violations
 * are compared sorted by rule id. */

/* Stream on 2026-11-29: the window is 2026-11-22..2026-11-28 and the
 * look-back 2026-10-23..2026-11-21. */
const std::string kRaised = R"("price_history": [{"date": "2026-10-01",
    "price": 99}, {"date": "2026-11-25", "price": 129}])";

const Row rows[] = {
  {"raised in the window, sold at the raised price", "cn",
   kRaised + R"(, "transactions": [{"date": "2026-11-01", "price": 99},
      {"date": "2026-11-15", "price": 95}, {"date": "2026-11-26", "price": 129}])",
   "原价 ¥129", TRUE,
   {{GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT, "raised to ¥129.00 on 2026-11-25; "
     "at most ¥99.00 2026-10-23..2026-11-21 (2 transactions)"}}},
  {"raised in the window, no sales: the offers", "cn",
   kRaised + R"(, "reference_price": 129)", "原价 ¥129", TRUE,
   {{GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT, "raised to ¥129.00 on 2026-11-25; "
     "at most ¥99.00 2026-10-23..2026-11-21 (1 offered price)"},
    {GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"a price below the raised one, above the look-back", "cn",
   kRaised + R"(, "reference_price": 129)", "原价 ¥119", TRUE,
   {{GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT, "raised to ¥129.00 on 2026-11-25; "
     "at most ¥99.00 2026-10-23..2026-11-21 (1 offered price)"},
    {GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"back to a price sold at in the look-back", "cn",
   kRaised + R"(, "transactions": [{"date": "2026-11-01", "price": 129},
      {"date": "2026-11-26", "price": 129}])", "原价 ¥129", TRUE, {}},
  {"the look-back's offers at that price", "cn",
   R"("price_history": [{"date": "2026-10-01", "price": 129},
      {"date": "2026-11-10", "price": 99}, {"date": "2026-11-25", "price": 129}],
      "reference_price": 129)", "原价 ¥129", TRUE, {{GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"no raise: the same price all along", "cn",
   R"("price_history": [{"date": "2026-10-01", "price": 129}],
      "reference_price": 129)", "原价 ¥129", TRUE, {}},
  {"raised before the window", "cn",
   R"("price_history": [{"date": "2026-10-01", "price": 99},
      {"date": "2026-11-15", "price": 129}], "reference_price": 129)",
   "原价 ¥129", TRUE, {}},
  {"raised on the stream day: not inside the window", "cn",
   R"("price_history": [{"date": "2026-10-01", "price": 99},
      {"date": "2026-11-29", "price": 129}], "reference_price": 129)",
   "原价 ¥129", TRUE, {{GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"history begins in the window: nothing to compare", "cn",
   R"("price_history": [{"date": "2026-11-23", "price": 99},
      {"date": "2026-11-25", "price": 129}], "reference_price": 129)",
   "原价 ¥129", TRUE, {{GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"a lowered price is not a raise", "cn",
   R"("price_history": [{"date": "2026-10-01", "price": 149},
      {"date": "2026-11-25", "price": 129}], "reference_price": 129)",
   "原价 ¥129", TRUE, {}},
  {"shown above the raised price: inflated, not this rule", "cn",
   kRaised + R"(, "reference_price": 129)", "原价 ¥159", TRUE,
   {{GC_RULE_PRICE_REFERENCE_INFLATED, "¥99.00 (lowest offered 2026-11-22..2026-11-28)"}}},
  {"the current price is not a compared price", "cn",
   kRaised + R"(, "reference_price": 129)", "到手价 ¥79", FALSE, {}},
  {"an MSRP line is judged by the MSRP", "cn",
   kRaised + R"(, "msrp": 129)", "厂商建议零售价 ¥129", FALSE, {}},
  {"EU: off (the 30-day lowest already bounds it)", "eu",
   R"("price_history": [{"date": "2026-10-01", "price": 99},
      {"date": "2026-11-25", "price": 129}])", "€129.00", TRUE,
   {{GC_RULE_PRICE_REFERENCE_INFLATED,
     "€99.00 (lowest offered 2026-10-30..2026-11-28)"}}},
  {"US: off (the former-price rule judges it)", "us",
   R"("price_history": [{"date": "2026-10-01", "price": 99},
      {"date": "2026-11-25", "price": 129}])", "Was $129.00", FALSE,
   {{GC_RULE_PRICE_REFERENCE_INFLATED,
     "$99.00 (offered 55 of the days 2026-08-31..2026-11-28; 28 needed)"}}},
};

class Raise : public ::testing::TestWithParam<Row> {};

TEST_P (Raise, EveryViolationWithItsFigures)
{
  const Row &r = GetParam ();
  gc_test::PackRun run (gc_test::dated_catalog (r.pack, r.product), r.pack,
      r.name);
  ASSERT_TRUE (run.ok ());
  run.show_line (r.line, r.struck);

  std::vector<const GcViolation *> ended;
  for (guint i = 0; i < run.events->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (run.events, i);
    /* Not sponsored: disclosure.missing is not under test here. */
    if (e->type == GC_EVENT_END
        && g_strcmp0 (e->violation->rule, GC_RULE_DISCLOSURE_MISSING) != 0)
      ended.push_back (e->violation);
  }
  std::sort (ended.begin (), ended.end (), [](const GcViolation *a,
          const GcViolation *b) { return g_strcmp0 (a->rule, b->rule) < 0; });
  ASSERT_EQ (ended.size (), r.expect.size ()) << r.name << ": first "
      << (ended.empty () ? "none" : std::string (ended[0]->rule) + " "
          + (ended[0]->declared ? ended[0]->declared : ""));
  for (size_t i = 0; i < ended.size (); i++) {
    EXPECT_STREQ (ended[i]->rule, r.expect[i].rule) << r.name;
    EXPECT_STREQ (ended[i]->declared, r.expect[i].declared) << r.name;
  }
}

INSTANTIATE_TEST_SUITE_P (Table, Raise, ::testing::ValuesIn (rows),
    [](const ::testing::TestParamInfo<Row> &info) {
      return "row" + std::to_string (info.index);
    });

}  // namespace
