/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* price.reference_inflated as SAMR order 56 art. 16 reads (issue 17): the
 * compared price is bounded by the catalog's transactions in the CN pack
 * (the lowest in the 7 days before the stream, else the last before
 * them), by the MSRP when the line labels it so, and by offered prices in
 * the EU and US packs.  Each row is a whole line read through the facts
 * parser and the rule engine, with the rule's verdict and its "declared"
 * text (the figures an auditor checks). */
#include <gtest/gtest.h>

#include <string>

#include "pack-table.h"

namespace {

struct Row
{
  const char *name;
  const char *pack;             /* cn, eu, us */
  const char *product;          /* JSON members after "price" */
  const char *line;             /* what is on screen */
  gboolean struck;
  const char *declared;         /* expected verdict's declared, or NULL: silent */
};

/* Stream on 2026-11-29: the CN window is 2026-11-22..2026-11-28. */
const Row rows[] = {
  {"lowest transaction in the window", "cn",
   R"("transactions": [{"date": "2026-11-24", "price": 119},
      {"date": "2026-11-27", "price": 109}, {"date": "2026-11-10", "price": 89}])",
   "原价 ¥129", TRUE, "¥109.00 (lowest of 2 transactions 2026-11-22..2026-11-28)"},
  {"at the lowest transaction", "cn",
   R"("transactions": [{"date": "2026-11-24", "price": 119},
      {"date": "2026-11-27", "price": 109}])",
   "原价 ¥109", TRUE, nullptr},
  {"window's first day counts", "cn",
   R"("transactions": [{"date": "2026-11-22", "price": 99},
      {"date": "2026-11-28", "price": 129}])",
   "原价 ¥129", TRUE, "¥99.00 (lowest of 2 transactions 2026-11-22..2026-11-28)"},
  {"the stream day's sales do not count", "cn",
   R"("transactions": [{"date": "2026-11-29", "price": 59},
      {"date": "2026-11-28", "price": 129}])",
   "原价 ¥129", TRUE, nullptr},
  {"no sale in the window: the last before it", "cn",
   R"("transactions": [{"date": "2026-11-01", "price": 99},
      {"date": "2026-11-10", "price": 119}])",
   "原价 ¥129", TRUE, "¥119.00 (last transaction, 2026-11-10; none 2026-11-22..2026-11-28)"},
  {"the last transaction price shown", "cn",
   R"("transactions": [{"date": "2026-11-01", "price": 99},
      {"date": "2026-11-10", "price": 119}])",
   "原价 ¥119", TRUE, nullptr},
  {"last day with two sales: the lower", "cn",
   R"("transactions": [{"date": "2026-11-10", "price": 119},
      {"date": "2026-11-10", "price": 115}, {"date": "2026-11-02", "price": 90}])",
   "原价 ¥119", TRUE, "¥115.00 (last transaction, 2026-11-10; none 2026-11-22..2026-11-28)"},
  {"sales only from the stream day on: no basis", "cn",
   R"("transactions": [{"date": "2026-11-29", "price": 129},
      {"date": "2026-12-01", "price": 129}], "reference_price": 129)",
   "原价 ¥129", TRUE, "no transaction on or before 2026-11-28"},
  {"transactions outrank reference_price", "cn",
   R"("transactions": [{"date": "2026-11-25", "price": 109}],
      "reference_price": 199)",
   "原价 ¥199", TRUE, "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28)"},
  {"without transactions: reference_price as before", "cn",
   R"("reference_price": 129)", "原价 ¥129", TRUE, nullptr},
  {"without transactions: reference_price exceeded", "cn",
   R"("reference_price": 129)", "原价 ¥159", TRUE, "¥129.00"},
  {"nothing declared", "cn", R"("category": "general")", "原价 ¥159", TRUE,
   "no reference price declared"},
  {"MSRP labelled and declared", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "厂商建议零售价 ¥299", FALSE, nullptr},
  {"MSRP labelled, above the declared MSRP", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "厂商建议零售价 ¥399", FALSE, "¥299.00 (MSRP)"},
  {"MSRP labelled, none declared: the transactions", "cn",
   R"("transactions": [{"date": "2026-11-25", "price": 109}])",
   "厂商建议零售价 ¥299", FALSE,
   "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28)"},
  {"建议零售价 counts as the MSRP label", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "建议零售价 ¥299", FALSE, nullptr},
  {"an MSRP does not back an unlabelled compared price", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "原价 ¥299", TRUE, "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28)"},
  {"EU: offered prices, not transactions", "eu",
   R"("transactions": [{"date": "2026-11-25", "price": 9},
      {"date": "2026-11-26", "price": 9}],
      "price_history": [{"date": "2026-10-01", "price": 129}])",
   "€129.00", TRUE, nullptr},
  {"EU: above the 30-day lowest", "eu",
   R"("price_history": [{"date": "2026-10-01", "price": 129},
      {"date": "2026-11-15", "price": 109}])",
   "€129.00", TRUE, "€109.00"},
  {"EU: UVP labelled and declared", "eu",
   R"("msrp": 149, "price_history": [{"date": "2026-10-01", "price": 109}])",
   "UVP €149.00", FALSE, nullptr},
  {"EU: UVP labelled, above it", "eu",
   R"("msrp": 149, "price_history": [{"date": "2026-10-01", "price": 109}])",
   "UVP €199.00", FALSE, "€149.00 (MSRP)"},
  {"US: above the offered price", "us",
   R"("transactions": [{"date": "2026-11-25", "price": 200}],
      "price_history": [{"date": "2026-08-01", "price": 129}])",
   "Was $139.00", FALSE, "$129.00"},
  {"US: offered prices over 90 days", "us",
   R"("transactions": [{"date": "2026-11-25", "price": 9}],
      "price_history": [{"date": "2026-08-01", "price": 129}])",
   "Was $129.00", FALSE, nullptr},
  {"US: MSRP labelled and declared", "us",
   R"("msrp": 149, "reference_price": 109)", "MSRP $149.00", FALSE, nullptr},
  {"US: MSRP labelled, above it", "us",
   R"("msrp": 149, "reference_price": 109)", "MSRP $199.00", FALSE,
   "$149.00 (MSRP)"},
};

class Reference : public ::testing::TestWithParam<Row> {};

TEST_P (Reference, VerdictAndItsFigures)
{
  const Row &r = GetParam ();
  gc_test::PackRun run (gc_test::dated_catalog (r.pack, r.product), r.pack,
      r.name);
  ASSERT_TRUE (run.ok ());
  GPtrArray *ev = run.events;
  run.show_line (r.line, r.struck);

  const GcViolation *found = nullptr;
  guint other = 0;
  for (guint i = 0; i < ev->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (ev, i);
    if (g_strcmp0 (e->violation->rule, GC_RULE_PRICE_REFERENCE_INFLATED) == 0)
      found = e->violation;
    else if (g_strcmp0 (e->violation->rule, GC_RULE_DISCLOSURE_MISSING) != 0)
      other++;
  }
  if (r.declared == nullptr)
    EXPECT_EQ (found, nullptr) << r.name << ": raised, declared "
        << (found ? found->declared : "");
  else {
    ASSERT_NE (found, nullptr) << r.name << ": not raised";
    EXPECT_STREQ (found->declared, r.declared) << r.name;
  }
  EXPECT_EQ (other, 0u) << r.name << ": another rule fired";
}

INSTANTIATE_TEST_SUITE_P (Table, Reference, ::testing::ValuesIn (rows),
    [](const ::testing::TestParamInfo<Row> &info) {
      return "row" + std::to_string (info.index);
    });

}  // namespace
