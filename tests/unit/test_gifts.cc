/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gifts (SAMR order 56 art. 18, issue 17) and what counts as an ad label
 * in each pack.  Each row is a whole line read through the facts parser
 * and the rule engine of a shipped pack, with the verdicts expected. */
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pack-table.h"

namespace {

struct Fired
{
  const char *rule;
  const char *observed;
  const char *declared;
};

struct Row
{
  const char *name;
  const char *pack;             /* cn, eu, us */
  const char *product;          /* JSON members after "price" (79) */
  const char *line;
  std::vector<Fired> expect;    /* gift.* verdicts, by rule id */
};

const char kCnGifts[] = R"("gifts": [{"name": "杯套", "quantity": 1, "price": 19},
    {"name": "杯刷", "quantity": 2}])";
const char kEnGifts[] = R"("gifts": [{"name": "Travel Pouch", "quantity": 1, "price": 15}])";

const Row rows[] = {
  {"named with its quantity", "cn", kCnGifts, "赠 杯套1个", {}},
  {"with its value", "cn", kCnGifts, "赠 杯套1个 价值¥19", {}},
  {"below its value", "cn", kCnGifts, "赠 杯套1个 价值10元", {}},
  {"value above its price", "cn", kCnGifts, "赠 杯套1个 价值¥39",
   {{GC_RULE_GIFT_VALUE_INFLATED, "¥39.00", "杯套: current price ¥19.00"}}},
  {"no quantity", "cn", kCnGifts, "送杯套 杯刷",
   {{GC_RULE_GIFT_UNDISCLOSED, "杯套, no quantity",
     "杯套 ×1 (¥19.00), 杯刷 ×2"}}},
  {"the catalog's quantity", "cn", kCnGifts, "加赠 杯刷×2", {}},
  {"another quantity", "cn", kCnGifts, "赠 杯刷3个",
   {{GC_RULE_GIFT_UNDISCLOSED, "杯刷 ×3", "杯套 ×1 (¥19.00), 杯刷 ×2"}}},
  {"a value for a gift without a price", "cn", kCnGifts, "赠 杯刷2个 价值¥15",
   {{GC_RULE_GIFT_VALUE_INFLATED, "¥15.00", "杯刷: no current price declared"}}},
  {"a gift the catalog does not declare", "cn", kCnGifts, "加赠 保温袋1个",
   {{GC_RULE_GIFT_UNDISCLOSED, "gift not named",
     "杯套 ×1 (¥19.00), 杯刷 ×2; the line: \"加赠 保温袋1个\""}}},
  {"no gift declared at all", "cn", R"("sold": 5)", "赠品 杯套1个 价值¥19",
   {{GC_RULE_GIFT_UNDISCLOSED, "gift not named",
     "no gift declared; the line: \"赠品 杯套1个 价值¥19\""},
    {GC_RULE_GIFT_VALUE_INFLATED, "¥19.00", "no gift declared"}}},
  {"unnamed value: the only gift's", "cn",
   R"("gifts": [{"name": "杯套", "quantity": 1, "price": 19}])",
   "送价值¥29好礼",
   {{GC_RULE_GIFT_UNDISCLOSED, "gift not named",
     "杯套 ×1 (¥19.00); the line: \"送价值¥29好礼\""},
    {GC_RULE_GIFT_VALUE_INFLATED, "¥29.00", "杯套: current price ¥19.00"}}},
  {"unnamed value within the dearest gift's price", "cn", kCnGifts,
   "送价值¥9好礼",
   {{GC_RULE_GIFT_UNDISCLOSED, "gift not named",
     "杯套 ×1 (¥19.00), 杯刷 ×2; the line: \"送价值¥9好礼\""}}},
  {"unnamed value above the dearest gift's price", "cn",
   R"("gifts": [{"name": "杯套", "quantity": 1, "price": 19},
       {"name": "杯刷", "quantity": 1, "price": 9}])", "送价值¥29好礼",
   {{GC_RULE_GIFT_UNDISCLOSED, "gift not named",
     "杯套 ×1 (¥19.00), 杯刷 ×1 (¥9.00); the line: \"送价值¥29好礼\""},
    {GC_RULE_GIFT_VALUE_INFLATED, "¥29.00", "杯套: current price ¥19.00"}}},
  {"the quantity after the gift word", "cn", kCnGifts, "库存23件 送杯刷×2", {}},
  {"buy one get one: the product itself", "cn", kCnGifts, "买一送一", {}},
  {"buy one, one given", "cn", kCnGifts, "买一赠一", {}},
  {"a coupon is no gift", "cn", kCnGifts, "满199送50元券", {}},
  {"shipping insurance given is no gift", "cn", kCnGifts, "下单赠送运费险", {}},
  {"chat sending is no gift", "cn", kCnGifts, "评论区发送666", {}},
  {"buy one get one at the product's price", "cn", kCnGifts,
   "买一送一 价值¥79", {}},
  {"buy one get one, value above the price", "cn", kCnGifts,
   "买一送一 价值¥99",
   {{GC_RULE_GIFT_VALUE_INFLATED, "¥99.00", "保温杯: current price ¥79.00"}}},
  {"a question in the chat", "cn", kCnGifts, "有赠品吗", {}},
  {"delivery is no gift", "cn", kCnGifts, "顺丰包邮 送货上门", {}},
  {"a present for someone is no gift", "cn", kCnGifts, "送给妈妈最合适了", {}},
  {"shipping insurance is no gift", "cn", kCnGifts, "赠运费险", {}},
  {"no product on sale: nothing to judge", "cn", nullptr, "赠 杯套 价值¥99",
   {}},
  /* EU and US: the name and quantity are not required; a value is. */
  {"EU: no quantity is not checked", "eu", kEnGifts, "Free gift: travel pouch",
   {}},
  {"EU: value above its price", "eu", kEnGifts,
   "Free gift: travel pouch worth €25",
   {{GC_RULE_GIFT_VALUE_INFLATED, "€25.00",
     "Travel Pouch: current price €15.00"}}},
  {"EU: value at its price", "eu", kEnGifts, "Free gift worth €15", {}},
  {"US: value above its price", "us", kEnGifts, "Free gift ($25 value)",
   {{GC_RULE_GIFT_VALUE_INFLATED, "$25.00",
     "Travel Pouch: current price $15.00"}}},
  {"US: value at its price", "us", kEnGifts,
   "Bonus gift: Travel Pouch, 1 pc, worth $15", {}},
  {"US: a gift idea is no gift", "us", kEnGifts, "gift idea for dad", {}},
};

class Gifts : public ::testing::TestWithParam<Row> {};

TEST_P (Gifts, VerdictsAndTheirFigures)
{
  const Row &r = GetParam ();
  /* A row without a product schedules none: the line is shown with
   * nothing on sale. */
  std::string json = r.product ? gc_test::dated_catalog (r.pack, r.product)
      : std::string (R"({"schema": "gst-compliance-catalog/1",
          "jurisdiction": "CN", "currency": "CNY", "products": [
          {"sku": "P1", "name": "保温杯", "price": 79, "gifts": [
          {"name": "杯套", "quantity": 1, "price": 19}]}]})");
  gc_test::PackRun run (json, r.pack, r.name);
  ASSERT_TRUE (run.ok ());
  run.show_line (r.line, FALSE);

  std::vector<const GcViolation *> got;
  for (guint i = 0; i < run.events->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (run.events, i);
    if (e->type == GC_EVENT_END && g_str_has_prefix (e->violation->rule,
            "gift."))
      got.push_back (e->violation);
  }
  std::sort (got.begin (), got.end (), [](const GcViolation *a,
          const GcViolation *b) { return g_strcmp0 (a->rule, b->rule) < 0; });
  ASSERT_EQ (got.size (), r.expect.size ()) << r.name << ": first "
      << (got.empty () ? "none" : std::string (got[0]->rule) + " "
          + (got[0]->observed ? got[0]->observed : "") + " / "
          + (got[0]->declared ? got[0]->declared : ""));
  for (size_t i = 0; i < got.size (); i++) {
    EXPECT_STREQ (got[i]->rule, r.expect[i].rule) << r.name;
    EXPECT_STREQ (got[i]->observed, r.expect[i].observed) << r.name;
    EXPECT_STREQ (got[i]->declared, r.expect[i].declared) << r.name;
  }
}

INSTANTIATE_TEST_SUITE_P (Table, Gifts, ::testing::ValuesIn (rows),
    [](const ::testing::TestParamInfo<Row> &info) {
      return "row" + std::to_string (info.index);
    });

/* What counts as an ad label: a sponsored product shows @line the whole
 * time; disclosure.missing fires unless the pack counts it. */
struct LabelRow
{
  const char *pack;
  const char *line;
  bool counts;
};

const LabelRow label_rows[] = {
  /* CN: only 广告 (the market regulator, 2016). */
  {"cn", "广告", true},
  {"cn", "商业广告 · 清泉家居", true},
  {"cn", "广告 Ad", true},
  {"cn", "推广", false},
  {"cn", "商业推广", false},
  {"cn", "合作推广", false},
  {"cn", "赞助", false},
  {"cn", "AD", false},
  {"cn", "Sponsored", false},
  {"cn", "根据广告法规定", false},
  {"cn", "无广告 纯分享", false},
  /* EU: the Union's words. */
  {"eu", "Anzeige", true},
  {"eu", "Werbung", true},
  {"eu", "Publicité", true},
  {"eu", "Ad", true},
  {"eu", "keine Werbung", false},
  {"eu", "广告", false},
  /* US: the FTC's. */
  {"us", "Sponsored", true},
  {"us", "#ad", true},
  {"us", "Paid partnership", true},
  {"us", "#BrandPartner", true},
  {"us", "#sp", false},
  {"us", "Not sponsored", false},
  {"us", "广告", false},
};

class Labels : public ::testing::TestWithParam<LabelRow> {};

TEST_P (Labels, CountsAsADisclosure)
{
  const LabelRow &r = GetParam ();
  gc_test::PackRun run (gc_test::dated_catalog (r.pack,
          R"("sponsored": true, "sponsor": "Brand")"), r.pack, r.line);
  ASSERT_TRUE (run.ok ());
  run.show_line (r.line, FALSE);

  bool missing = false;
  for (guint i = 0; i < run.events->len; i++) {
    GcEvent *e = (GcEvent *) g_ptr_array_index (run.events, i);
    missing |= g_str_equal (e->violation->rule, GC_RULE_DISCLOSURE_MISSING);
  }
  EXPECT_EQ (missing, !r.counts) << r.pack << ": \"" << r.line << "\"";
}

INSTANTIATE_TEST_SUITE_P (Table, Labels, ::testing::ValuesIn (label_rows),
    [](const ::testing::TestParamInfo<LabelRow> &info) {
      return std::string (info.param.pack) + std::to_string (info.index);
    });

}  // namespace
