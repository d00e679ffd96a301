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
   "原价 ¥129", TRUE, "¥109.00 (lowest of 2 transactions 2026-11-22..2026-11-28: "
   "2026-11-24 ¥119.00, 2026-11-27 ¥109.00)"},
  {"at the lowest transaction", "cn",
   R"("transactions": [{"date": "2026-11-24", "price": 119},
      {"date": "2026-11-27", "price": 109}])",
   "原价 ¥109", TRUE, nullptr},
  {"window's first day counts", "cn",
   R"("transactions": [{"date": "2026-11-22", "price": 99},
      {"date": "2026-11-28", "price": 129}])",
   "原价 ¥129", TRUE, "¥99.00 (lowest of 2 transactions 2026-11-22..2026-11-28: "
   "2026-11-22 ¥99.00, 2026-11-28 ¥129.00)"},
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
   "原价 ¥199", TRUE, "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28: "
   "2026-11-25 ¥109.00)"},
  {"without transactions: reference_price as before", "cn",
   R"("reference_price": 129)", "原价 ¥129", TRUE, nullptr},
  {"without transactions: reference_price exceeded", "cn",
   R"("reference_price": 129)", "原价 ¥159", TRUE, "¥129.00 (reference_price)"},
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
   "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28: "
   "2026-11-25 ¥109.00)"},
  {"建议零售价 counts as the MSRP label", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "建议零售价 ¥299", FALSE, nullptr},
  {"an MSRP does not back an unlabelled compared price", "cn",
   R"("msrp": 299, "transactions": [{"date": "2026-11-25", "price": 109}])",
   "原价 ¥299", TRUE, "¥109.00 (lowest of 1 transaction 2026-11-22..2026-11-28: "
   "2026-11-25 ¥109.00)"},
  {"EU: offered prices, not transactions", "eu",
   R"("transactions": [{"date": "2026-11-25", "price": 9},
      {"date": "2026-11-26", "price": 9}],
      "price_history": [{"date": "2026-10-01", "price": 129}])",
   "€129.00", TRUE, nullptr},
  {"EU: above the 30-day lowest", "eu",
   R"("price_history": [{"date": "2026-10-01", "price": 129},
      {"date": "2026-11-15", "price": 109}])",
   "€129.00", TRUE, "€109.00 (lowest offered 2026-10-30..2026-11-28)"},
  {"EU: UVP labelled and declared", "eu",
   R"("msrp": 149, "price_history": [{"date": "2026-10-01", "price": 109}])",
   "UVP €149.00", FALSE, nullptr},
  {"EU: UVP labelled, above it", "eu",
   R"("msrp": 149, "price_history": [{"date": "2026-10-01", "price": 109}])",
   "UVP €199.00", FALSE, "€149.00 (MSRP)"},
  {"US: above the offered price", "us",
   R"("transactions": [{"date": "2026-11-25", "price": 200}],
      "price_history": [{"date": "2026-08-01", "price": 129}])",
   "Was $139.00", FALSE, "$129.00 (offered 90 of the days 2026-08-31..2026-11-28; 28 needed)"},
  {"US: offered prices over 90 days", "us",
   R"("transactions": [{"date": "2026-11-25", "price": 9}],
      "price_history": [{"date": "2026-08-01", "price": 129}])",
   "Was $129.00", FALSE, nullptr},
  {"US: MSRP labelled and declared", "us",
   R"("msrp": 149, "reference_price": 109)", "MSRP $149.00", FALSE, nullptr},
  {"US: MSRP labelled, above it", "us",
   R"("msrp": 149, "reference_price": 109)", "MSRP $199.00", FALSE,
   "$149.00 (MSRP)"},
  {"twelve sales: ten listed, the rest counted", "cn",
   R"("transactions": [{"date": "2026-11-22", "price": 101},
      {"date": "2026-11-22", "price": 102}, {"date": "2026-11-23", "price": 103},
      {"date": "2026-11-23", "price": 104}, {"date": "2026-11-24", "price": 105},
      {"date": "2026-11-24", "price": 106}, {"date": "2026-11-25", "price": 107},
      {"date": "2026-11-25", "price": 108}, {"date": "2026-11-26", "price": 109},
      {"date": "2026-11-26", "price": 110}, {"date": "2026-11-27", "price": 99},
      {"date": "2026-11-28", "price": 112}, {"date": "2026-11-29", "price": 50}])",
   "原价 ¥129", TRUE, "¥99.00 (lowest of 12 transactions 2026-11-22..2026-11-28: "
   "2026-11-22 ¥101.00, 2026-11-22 ¥102.00, 2026-11-23 ¥103.00, "
   "2026-11-23 ¥104.00, 2026-11-24 ¥105.00, 2026-11-24 ¥106.00, "
   "2026-11-25 ¥107.00, 2026-11-25 ¥108.00, 2026-11-26 ¥109.00, "
   "2026-11-26 ¥110.00 and 2 more)"},
  /* Art. 16 para. 2: a line that states the compared price's day is
   * judged by that day, whatever the window. */
  {"stated day: at that day's highest sale", "cn",
   R"("transactions": [{"date": "2026-11-20", "price": 109},
      {"date": "2026-11-20", "price": 119}, {"date": "2026-11-25", "price": 99}])",
   "11月20日成交价 ¥119", FALSE, nullptr},
  {"stated day: above that day's sales", "cn",
   R"("transactions": [{"date": "2026-11-20", "price": 109},
      {"date": "2026-11-20", "price": 119}, {"date": "2026-11-25", "price": 99}])",
   "11月20日成交价 ¥129", FALSE, "¥119.00 (highest of 2 transactions on 2026-11-20)"},
  {"stated day: no sale that day", "cn",
   R"("transactions": [{"date": "2026-11-20", "price": 119}])",
   "11月21日成交价 ¥119", FALSE, "no transaction or offered price on 2026-11-21"},
  {"stated day outside the window", "cn",
   R"("transactions": [{"date": "2026-07-01", "price": 199},
      {"date": "2026-11-25", "price": 99}])",
   "7月1日成交价 ¥199", FALSE, nullptr},
  {"the same price without the day: the window", "cn",
   R"("transactions": [{"date": "2026-07-01", "price": 199},
      {"date": "2026-11-25", "price": 99}])",
   "原价 ¥199", FALSE, "¥99.00 (lowest of 1 transaction 2026-11-22..2026-11-28: "
   "2026-11-25 ¥99.00)"},
  {"a later day of the year is last year's", "cn",
   R"("transactions": [{"date": "2026-12-05", "price": 199}])",
   "12月5日成交价 ¥199", FALSE, "no transaction or offered price on 2025-12-05"},
  {"stated day, offered prices only", "cn",
   R"("price_history": [{"date": "2026-11-01", "price": 139},
      {"date": "2026-11-20", "price": 99}])",
   "11月1日原价 ¥139", TRUE, nullptr},
  {"stated day, above that day's offer", "cn",
   R"("price_history": [{"date": "2026-11-01", "price": 139},
      {"date": "2026-11-20", "price": 99}])",
   "11月1日原价 ¥149", TRUE, "¥139.00 (offered on 2026-11-01)"},
  {"EU: stated day, offered that day", "eu",
   R"("price_history": [{"date": "2026-09-15", "price": 119},
      {"date": "2026-11-20", "price": 89}])",
   "9/20 原价 €119", FALSE, nullptr},
  /* EU Omnibus art. 6a: the lowest of the 30 days; US 16 CFR 233.1: the
   * highest offered on 28 of the 90 days. */
  {"EU: a month at the higher price does not count", "eu",
   R"("price_history": [{"date": "2026-08-01", "price": 149},
      {"date": "2026-11-10", "price": 129}])",
   "€149.00", TRUE, "€129.00 (lowest offered 2026-10-30..2026-11-28)"},
  {"US: offered 71 days, a former price", "us",
   R"("price_history": [{"date": "2026-08-01", "price": 149},
      {"date": "2026-11-10", "price": 129}])",
   "Was $149.00", FALSE, nullptr},
  {"US: above the former price", "us",
   R"("price_history": [{"date": "2026-08-01", "price": 149},
      {"date": "2026-11-10", "price": 129}])",
   "Was $159.00", FALSE, "$149.00 (offered 71 of the days 2026-08-31..2026-11-28; 28 needed)"},
  {"US: offered 14 days only, no former price", "us",
   R"("price_history": [{"date": "2026-08-01", "price": 99},
      {"date": "2026-11-15", "price": 149}])",
   "Was $149.00", FALSE, "$99.00 (offered 76 of the days 2026-08-31..2026-11-28; 28 needed)"},
  {"US: no price offered 28 days, the lowest", "us",
   R"("price_history": [{"date": "2026-08-25", "price": 100},
      {"date": "2026-09-20", "price": 120}, {"date": "2026-10-10", "price": 110},
      {"date": "2026-10-30", "price": 130}, {"date": "2026-11-19", "price": 140}])",
   "Was $130.00", FALSE, "$100.00 (lowest offered 2026-08-31..2026-11-28; no price offered 28 days)"},
  {"US: two stretches at one price add up (20 + 14 days)", "us",
   R"("price_history": [{"date": "2026-08-25", "price": 129},
      {"date": "2026-09-20", "price": 99}, {"date": "2026-10-20", "price": 129},
      {"date": "2026-11-03", "price": 99}])",
   "Was $129.00", FALSE, nullptr},
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
