/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule engine: every rule fires on its case and stays silent on the
 * compliant twin; confirmation, merging over time, active product
 * precedence, catalog swap. */
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "gc-catalog.h"
#include "gc-facts.h"
#include "gc-rulepack.h"
#include "gc-rules.h"
}

namespace {

const char *kCatalog = R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "stream_date": "2026-11-29",
  "seller": {"name": "某某旗舰店", "license": "91310000XXXXXXXXXX"},
  "products": [
    {"sku": "A1001", "name": "保温杯", "aliases": ["thermos"], "price": 99.0,
     "reference_price": 129.0, "category": "general", "sponsored": true,
     "sponsor": "Brand X", "sold": 12000},
    {"sku": "B2002", "name": "蜂蜜", "price": 59.0, "reference_price": 79.0,
     "category": "food", "sold": 500,
     "price_history": [{"date": "2026-11-01", "price": 79.0},
                       {"date": "2026-11-25", "price": 69.0}]},
    {"sku": "C3003", "name": "感冒灵", "price": 25.0, "category": "drug"},
    {"sku": "D4004", "name": "烟花", "price": 10.0, "category": "prohibited"},
    {"sku": "E5005", "name": "Widget", "price": 19.99, "category": "general",
     "substantiated_claims": ["最低价"]}
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 30.0},
               {"sku": "B2002", "start": 30.0, "end": 60.0}]
})JSON";

struct Events
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  ~Events () { g_ptr_array_unref (a); }
  guint size () const { return a->len; }
  GcEvent *operator[] (guint i) const { return (GcEvent *) g_ptr_array_index (a, i); }
  void clear () { g_ptr_array_set_size (a, 0); }
  /* Events of one rule. */
  std::vector<GcEvent *> of (const char *rule) const
  {
    std::vector<GcEvent *> out;
    for (guint i = 0; i < a->len; i++)
      if (g_strcmp0 ((*this)[i]->violation->rule, rule) == 0)
        out.push_back ((*this)[i]);
    return out;
  }
};

struct Facts
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_fact_free);
  ~Facts () { g_ptr_array_unref (a); }
  Facts &add (GcFactKind kind, double value, const char *currency,
      const char *text, const char *key = nullptr)
  {
    GcFact *f = g_new0 (GcFact, 1);
    f->kind = kind;
    f->value = value;
    f->currency = g_strdup (currency);
    f->text = g_strdup (text);
    f->key = g_strdup (key);
    f->box = {100, 200, 300, 40};
    f->confidence = 0.9;
    g_ptr_array_add (a, f);
    return *this;
  }
  Facts &price (double v) { return add (GC_FACT_PRICE, v, "CNY", "price"); }
  Facts &ref (double v) { return add (GC_FACT_REFERENCE_PRICE, v, "CNY", "ref"); }
  Facts &sales (double v, const char *text) { return add (GC_FACT_SALES, v, nullptr, text); }
  Facts &ad () { return add (GC_FACT_AD_LABEL, 0, nullptr, "广告", "广告"); }
  Facts &abs (const char *t) { return add (GC_FACT_ABSOLUTE_TERM, 0, nullptr, t, t); }
  Facts &med (const char *t) { return add (GC_FACT_MEDICAL_CLAIM, 0, nullptr, t, t); }
  Facts &name (const char *sku) { return add (GC_FACT_PRODUCT_NAME, 0, nullptr, sku, sku); }
};

class Rules : public ::testing::Test
{
protected:
  GcCatalog *catalog = nullptr;
  GcRulePack *pack = nullptr;
  GcRules *rules = nullptr;
  Events ev;

  void SetUp () override
  {
    GError *err = nullptr;
    catalog = gc_catalog_load_data (kCatalog, -1, "test-catalog.json", &err);
    ASSERT_NE (catalog, nullptr) << err->message;
    pack = gc_rulepack_load ("cn", nullptr, &err);
    ASSERT_NE (pack, nullptr) << err->message;
    ASSERT_EQ (pack->confirm_frames, 2u);
    ASSERT_EQ (pack->release_frames, 2u);
    rules = gc_rules_new (catalog, pack);
  }
  void TearDown () override
  {
    gc_rules_free (rules);
    if (catalog)
      gc_catalog_unref (catalog);
    if (pack)
      gc_rulepack_unref (pack);
  }
  /* The sponsored A1001 is scheduled first: most tests want its label
   * present so that disclosure.missing does not get in the way. */
  void push (double t, Facts &f) { gc_rules_push_facts (rules, t, f.a, ev.a); }
  void push_ad (double t) { Facts f; f.ad (); push (t, f); }
};

TEST_F (Rules, PriceMismatchStartsOnSecondFrameAndEndsWhenGone)
{
  Facts f1; f1.ad ().price (89);
  push (1.0, f1);
  EXPECT_EQ (ev.size (), 0u) << "one frame must not raise anything";
  Facts f2; f2.ad ().price (89);
  push (1.5, f2);
  ASSERT_EQ (ev.size (), 1u);
  GcViolation *v = ev[0]->violation;
  EXPECT_EQ (ev[0]->type, GC_EVENT_START);
  EXPECT_STREQ (v->rule, GC_RULE_PRICE_MISMATCH);
  EXPECT_STREQ (v->sku, "A1001");
  EXPECT_STREQ (v->observed, "¥89.00");
  EXPECT_STREQ (v->declared, "¥99.00");
  EXPECT_STREQ (v->severity, "error");
  ASSERT_NE (v->legal_ref, nullptr);
  EXPECT_GT (strlen (v->legal_ref), 5u);
  EXPECT_DOUBLE_EQ (v->t_start, 1.0);
  EXPECT_DOUBLE_EQ (v->t_confirmed, 1.5);
  EXPECT_EQ (v->box.w, 300);

  Facts f3; f3.ad ().price (89);
  push (2.0, f3);
  EXPECT_EQ (ev.size (), 1u) << "a continuing occurrence raises nothing new";
  push_ad (2.5);
  EXPECT_EQ (ev.size (), 1u) << "one missing frame does not end it";
  push_ad (3.0);
  ASSERT_EQ (ev.size (), 2u);
  EXPECT_EQ (ev[1]->type, GC_EVENT_END);
  EXPECT_STREQ (ev[1]->violation->rule, GC_RULE_PRICE_MISMATCH);
  EXPECT_DOUBLE_EQ (ev[1]->violation->t_start, 1.0);
  EXPECT_DOUBLE_EQ (ev[1]->violation->t_end, 2.0);
  EXPECT_EQ (ev[1]->violation->id, ev[0]->violation->id);
}

TEST_F (Rules, PriceMismatchSilentOnDeclaredPrice)
{
  for (int i = 0; i < 5; i++) {
    Facts f; f.ad ().price (99.0);
    push (i * 0.5, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, OneMisreadFrameRaisesNothing)
{
  for (int i = 0; i < 6; i++) {
    Facts f; f.ad ().price (i == 3 ? 89.0 : 99.0);
    push (i * 0.5, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, ConfirmFramesIsConfigurable)
{
  gc_rules_set_confirm_frames (rules, 3);
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().price (89);
    push (i, f);
  }
  EXPECT_EQ (ev.size (), 0u);
  Facts f; f.ad ().price (89);
  push (2, f);
  EXPECT_EQ (ev.of (GC_RULE_PRICE_MISMATCH).size (), 1u);
}

TEST_F (Rules, ADifferentPriceIsANewOccurrence)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().price (89);
    push (i, f);
  }
  for (int i = 2; i < 6; i++) {
    Facts f; f.ad ().price (79);
    push (i, f);
  }
  auto pm = ev.of (GC_RULE_PRICE_MISMATCH);
  ASSERT_EQ (pm.size (), 3u);   /* start 89, start 79, end 89 */
  EXPECT_EQ (pm[0]->type, GC_EVENT_START);
  EXPECT_STREQ (pm[0]->violation->observed, "¥89.00");
  EXPECT_EQ (pm[1]->type, GC_EVENT_START);
  EXPECT_STREQ (pm[1]->violation->observed, "¥79.00");
  EXPECT_EQ (pm[2]->type, GC_EVENT_END);
  EXPECT_STREQ (pm[2]->violation->observed, "¥89.00");
  EXPECT_DOUBLE_EQ (pm[2]->violation->t_end, 1.0);
}

TEST_F (Rules, ForeignCurrencyIsAMismatch)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().add (GC_FACT_PRICE, 99.0, "USD", "$99.00");
    push (i, f);
  }
  auto pm = ev.of (GC_RULE_PRICE_MISMATCH);
  ASSERT_EQ (pm.size (), 1u);
  EXPECT_STREQ (pm[0]->violation->observed, "$99.00");
}

TEST_F (Rules, ReferenceInflatedAgainstReferencePrice)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().price (99).ref (159);
    push (i, f);
  }
  auto r = ev.of (GC_RULE_PRICE_REFERENCE_INFLATED);
  ASSERT_EQ (r.size (), 1u);
  EXPECT_STREQ (r[0]->violation->observed, "¥159.00");
  EXPECT_STREQ (r[0]->violation->declared, "¥129.00 (reference_price)");
  EXPECT_STREQ (r[0]->violation->sku, "A1001");
}

TEST_F (Rules, ReferenceAtDeclaredIsSilent)
{
  for (int i = 0; i < 4; i++) {
    Facts f; f.ad ().price (99).ref (129);
    push (i, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, ReferenceUsesLowestPriceInWindow)
{
  /* B2002 (30-60 s): history 79 from 11-01, 69 from 11-25; stream on
   * 11-29, CN window 7 days: lowest in effect is 69, so 79 is inflated
   * even though reference_price says 79. */
  for (int i = 0; i < 2; i++) {
    Facts f; f.price (59).ref (79);
    push (31 + i, f);
  }
  auto r = ev.of (GC_RULE_PRICE_REFERENCE_INFLATED);
  ASSERT_EQ (r.size (), 1u);
  EXPECT_STREQ (r[0]->violation->sku, "B2002");
  EXPECT_STREQ (r[0]->violation->declared, "¥69.00 (lowest offered 2026-11-22..2026-11-28)");
  ev.clear ();

  /* The compliant twin shows the lowest price of the window. */
  gc_rules_flush (rules, ev.a);
  ev.clear ();
  for (int i = 0; i < 4; i++) {
    Facts f; f.price (59).ref (69);
    push (40 + i, f);
  }
  EXPECT_EQ (ev.of (GC_RULE_PRICE_REFERENCE_INFLATED).size (), 0u);
}

TEST_F (Rules, ReferenceWindowFollowsStreamDate)
{
  /* Stream a month later: the 69 entry is still the one in effect at the
   * window start, so 69 stays the allowed reference. */
  GDate d;
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, 29, G_DATE_DECEMBER, 2026);
  gc_rules_set_stream_date (rules, &d);
  for (int i = 0; i < 2; i++) {
    Facts f; f.price (59).ref (75);
    push (31 + i, f);
  }
  auto r = ev.of (GC_RULE_PRICE_REFERENCE_INFLATED);
  ASSERT_EQ (r.size (), 1u);
  EXPECT_STREQ (r[0]->violation->declared, "¥69.00 (lowest offered 2026-12-22..2026-12-28)");
}

TEST_F (Rules, AbsoluteTermFiresAndSubstantiatedDoesNot)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().abs ("最低价");
    push (i, f);
  }
  auto a = ev.of (GC_RULE_CLAIM_ABSOLUTE_TERM);
  ASSERT_EQ (a.size (), 1u);
  EXPECT_STREQ (a[0]->violation->observed, "最低价");
  EXPECT_STREQ (a[0]->violation->sku, "A1001");
  ev.clear ();

  /* E5005 holds substantiation for this very claim. */
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "E5005"));
  for (int i = 0; i < 4; i++) {
    Facts f; f.abs ("最低价");
    push (10 + i, f);
  }
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_ABSOLUTE_TERM).size (), 1u)
      << "only the END of the A1001 occurrence";
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_ABSOLUTE_TERM)[0]->type, GC_EVENT_END);
}

TEST_F (Rules, AbsoluteTermSilentWithoutTerm)
{
  for (int i = 0; i < 4; i++)
    push_ad (i);
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, MedicalClaimOnNonDrugFiresOnDrugDoesNot)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().med ("治愈");
    push (i, f);
  }
  auto m = ev.of (GC_RULE_CLAIM_MEDICAL);
  ASSERT_EQ (m.size (), 1u);
  EXPECT_STREQ (m[0]->violation->observed, "治愈");
  EXPECT_STREQ (m[0]->violation->declared, "category general");

  ev.clear ();
  gc_rules_flush (rules, ev.a);
  ev.clear ();
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "C3003"));
  for (int i = 0; i < 4; i++) {
    Facts f; f.med ("治愈");
    push (10 + i, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, SalesInflatedAboveDeclaredSold)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().sales (100000, "已售10万+");
    push (i, f);
  }
  auto s = ev.of (GC_RULE_CLAIM_SALES_INFLATED);
  ASSERT_EQ (s.size (), 1u);
  EXPECT_STREQ (s[0]->violation->observed, "已售10万+");
  EXPECT_STREQ (s[0]->violation->declared, "12000 sold");
}

/* The same claim read with a space more or less, or a full-width "！",
 * from one frame to the next is one occurrence: one start, one end. */
TEST_F (Rules, AClaimReadWithOtherSpacingIsTheSameOccurrence)
{
  const char *readings[] = {"50,000+sold this week！", "50,000+ sold this week!",
      "50,000+ sold this week!", "50,000+sold thisweek!", "50,000+ sold this week！"};
  for (int i = 0; i < 5; i++) {
    Facts f; f.ad ().sales (50000, readings[i]);
    push (i, f);
  }
  /* Another claim after it is another occurrence. */
  for (int i = 5; i < 8; i++) {
    Facts f; f.ad ().sales (100000, "100,000+ sold");
    push (i, f);
  }
  gc_rules_finish (rules, ev.a);
  auto s = ev.of (GC_RULE_CLAIM_SALES_INFLATED);
  ASSERT_EQ (s.size (), 4u);
  EXPECT_EQ (s[0]->type, GC_EVENT_START);
  EXPECT_STREQ (s[0]->violation->observed, readings[0]);
  EXPECT_EQ (s[1]->type, GC_EVENT_START);
  EXPECT_STREQ (s[1]->violation->observed, "100,000+ sold");
  EXPECT_EQ (s[2]->type, GC_EVENT_END);
  EXPECT_STREQ (s[2]->violation->observed, readings[0]);
  EXPECT_DOUBLE_EQ (s[2]->violation->t_start, 0.0);
  EXPECT_DOUBLE_EQ (s[2]->violation->t_end, 4.0);
  EXPECT_EQ (s[3]->type, GC_EVENT_END);
}

TEST_F (Rules, SalesAtOrBelowDeclaredIsSilent)
{
  for (int i = 0; i < 4; i++) {
    Facts f; f.ad ().sales (12000, "已售1.2万");
    push (i, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, DisclosureMissingForSponsoredProduct)
{
  Facts f0;
  push (0, f0);
  EXPECT_TRUE (gc_rules_disclosure_required (rules));
  EXPECT_FALSE (gc_rules_disclosure_visible (rules));
  Facts f1;
  push (0.5, f1);
  auto d = ev.of (GC_RULE_DISCLOSURE_MISSING);
  ASSERT_EQ (d.size (), 1u);
  EXPECT_STREQ (d[0]->violation->sku, "A1001");
  EXPECT_NE (strstr (d[0]->violation->declared, "Brand X"), nullptr);

  /* The label appears: the violation ends after release_frames. */
  push_ad (1.0);
  EXPECT_TRUE (gc_rules_disclosure_visible (rules));
  push_ad (1.5);
  d = ev.of (GC_RULE_DISCLOSURE_MISSING);
  ASSERT_EQ (d.size (), 2u);
  EXPECT_EQ (d[1]->type, GC_EVENT_END);
  EXPECT_DOUBLE_EQ (d[1]->violation->t_end, 0.5);
}

TEST_F (Rules, DisclosureSilentWithLabelOrWhenOverlayDrawsIt)
{
  for (int i = 0; i < 4; i++)
    push_ad (i);
  EXPECT_EQ (ev.size (), 0u);
  gc_rules_set_label_drawn (rules, TRUE);
  for (int i = 4; i < 8; i++) {
    Facts f;
    push (i, f);
  }
  EXPECT_TRUE (gc_rules_disclosure_required (rules));
  EXPECT_TRUE (gc_rules_disclosure_visible (rules));
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, DisclosureNotRequiredForUnsponsoredProduct)
{
  for (int i = 0; i < 4; i++) {
    Facts f; f.price (59).ref (69);
    push (31 + i, f);
  }
  EXPECT_FALSE (gc_rules_disclosure_required (rules));
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, UndeclaredWhenPricesShownWithNoActiveProduct)
{
  /* 60 s on: nothing scheduled, nothing set, no name seen. */
  for (int i = 0; i < 3; i++) {
    Facts f; f.price (49 + i);     /* prices change: still one occurrence */
    push (61 + i, f);
  }
  EXPECT_EQ (gc_rules_active_product (rules), nullptr);
  auto u = ev.of (GC_RULE_PRODUCT_UNDECLARED);
  ASSERT_EQ (u.size (), 1u);
  EXPECT_EQ (u[0]->violation->sku, nullptr);
  EXPECT_STREQ (u[0]->violation->observed, "¥49.00");
  EXPECT_DOUBLE_EQ (u[0]->violation->t_start, 61);
}

TEST_F (Rules, UndeclaredSilentWhileAProductIsActive)
{
  for (int i = 0; i < 4; i++) {
    Facts f; f.price (59);
    push (31 + i, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, ProhibitedProductFires)
{
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "D4004"));
  Facts f0, f1;
  push (0, f0);
  push (1, f1);
  auto p = ev.of (GC_RULE_PRODUCT_PROHIBITED);
  ASSERT_EQ (p.size (), 1u);
  EXPECT_STREQ (p[0]->violation->sku, "D4004");
  EXPECT_STREQ (p[0]->violation->observed, "烟花");
}

TEST_F (Rules, PermittedProductSilent)
{
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "C3003"));
  for (int i = 0; i < 4; i++) {
    Facts f;
    push (i, f);
  }
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

TEST_F (Rules, ActiveProductPrecedence)
{
  Facts f0;
  push (1, f0);
  EXPECT_STREQ (gc_rules_active_product (rules)->sku, "A1001");
  EXPECT_STREQ (gc_rules_active_source (rules), "schedule");

  /* An explicit setting wins over the schedule. */
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "C3003"));
  Facts f1;
  push (2, f1);
  EXPECT_STREQ (gc_rules_active_product (rules)->sku, "C3003");
  EXPECT_STREQ (gc_rules_active_source (rules), "explicit");
  EXPECT_FALSE (gc_rules_set_active_sku (rules, "NOPE"));
  ASSERT_TRUE (gc_rules_set_active_sku (rules, nullptr));

  /* Outside the schedule, a product name read on screen decides, and it
   * stays until another is read. */
  Facts f2;
  push (70, f2);
  EXPECT_EQ (gc_rules_active_product (rules), nullptr);
  Facts f3; f3.name ("C3003");
  push (71, f3);
  EXPECT_STREQ (gc_rules_active_product (rules)->sku, "C3003");
  EXPECT_STREQ (gc_rules_active_source (rules), "screen");
  Facts f4;
  push (72, f4);
  EXPECT_STREQ (gc_rules_active_product (rules)->sku, "C3003");
  /* The schedule still wins over the screen inside its spans. */
  Facts f5; f5.name ("C3003");
  push (5, f5);
  EXPECT_STREQ (gc_rules_active_product (rules)->sku, "A1001");
  EXPECT_STREQ (gc_rules_active_source (rules), "schedule");
}

TEST_F (Rules, ActiveViolationsAreSnapshots)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.ad ().price (89).abs ("第一");
    push (i, f);
  }
  GPtrArray *active = gc_rules_active_violations (rules);
  ASSERT_EQ (active->len, 2u);
  GcViolation *a = (GcViolation *) g_ptr_array_index (active, 0);
  GcViolation *b = (GcViolation *) g_ptr_array_index (active, 1);
  EXPECT_LT (a->id, b->id);
  double end_before = a->t_end;
  Facts f; f.ad ().price (89).abs ("第一");
  push (2, f);
  EXPECT_DOUBLE_EQ (a->t_end, end_before) << "a snapshot must not change";
  g_ptr_array_unref (active);
}

TEST_F (Rules, FinishEndsEveryOpenViolation)
{
  for (int i = 0; i < 2; i++) {
    Facts f; f.price (89).abs ("第一");
    push (i, f);
  }
  guint starts = ev.size ();
  EXPECT_EQ (starts, 3u);       /* mismatch, absolute term, disclosure */
  gc_rules_finish (rules, ev.a);
  ASSERT_EQ (ev.size (), 2 * starts);
  for (guint i = starts; i < ev.size (); i++) {
    EXPECT_EQ (ev[i]->type, GC_EVENT_END);
    EXPECT_DOUBLE_EQ (ev[i]->violation->t_end, 1.0);
  }
  GPtrArray *active = gc_rules_active_violations (rules);
  EXPECT_EQ (active->len, 0u);
  g_ptr_array_unref (active);
}

TEST_F (Rules, CatalogSwapEndsViolationsOfRemovedProducts)
{
  ASSERT_TRUE (gc_rules_set_active_sku (rules, "D4004"));
  for (int i = 0; i < 2; i++) {
    Facts f;
    push (i, f);
  }
  ASSERT_EQ (ev.of (GC_RULE_PRODUCT_PROHIBITED).size (), 1u);

  const char *smaller = R"JSON({"schema": "gst-compliance-catalog/1",
    "currency": "CNY", "products": [{"sku": "A1001", "name": "保温杯",
    "price": 99.0}]})JSON";
  GError *err = nullptr;
  GcCatalog *c2 = gc_catalog_load_data (smaller, -1, "swap.json", &err);
  ASSERT_NE (c2, nullptr) << err->message;
  gc_rules_set_catalog (rules, c2, ev.a);
  gc_catalog_unref (c2);
  auto p = ev.of (GC_RULE_PRODUCT_PROHIBITED);
  ASSERT_EQ (p.size (), 2u);
  EXPECT_EQ (p[1]->type, GC_EVENT_END);

  /* The explicit setting pointed at a product that is gone. */
  Facts f;
  push (2, f);
  EXPECT_EQ (gc_rules_active_product (rules), nullptr);
}

TEST (RulesNoCatalog, OnlyCatalogFreeRulesRun)
{
  GError *err = nullptr;
  GcRulePack *pack = gc_rulepack_load ("cn", nullptr, &err);
  ASSERT_NE (pack, nullptr) << err->message;
  GcRules *rules = gc_rules_new (nullptr, pack);
  Events ev;
  EXPECT_FALSE (gc_rules_set_active_sku (rules, "A1001"));
  for (int i = 0; i < 2; i++) {
    Facts f; f.price (89).abs ("最佳").med ("根治").sales (100000, "已售10万+");
    gc_rules_push_facts (rules, i, f.a, ev.a);
  }
  EXPECT_EQ (ev.of (GC_RULE_PRODUCT_UNDECLARED).size (), 1u);
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_ABSOLUTE_TERM).size (), 1u);
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_MEDICAL).size (), 1u);
  EXPECT_EQ (ev.of (GC_RULE_PRICE_MISMATCH).size (), 0u);
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_SALES_INFLATED).size (), 0u);
  EXPECT_EQ (ev.of (GC_RULE_DISCLOSURE_MISSING).size (), 0u);
  EXPECT_EQ (ev.size (), 3u);
  gc_rules_free (rules);
  gc_rulepack_unref (pack);
}

/* From OCR'd text to violations: the engine with the real facts parser and
 * the real cn pack. */
TEST_F (Rules, FromTextLines)
{
  GcLine lines[] = {
    {"到手价 ¥89.00", {840, 900, 320, 60}, 0.91, FALSE},
    {"全网最低价", {40, 40, 200, 50}, 0.88, FALSE},
    {"广告", {1200, 20, 60, 30}, 0.95, FALSE},
  };
  for (int i = 0; i < 2; i++)
    gc_rules_push_frame (rules, 12.0 + i * 0.5, lines, G_N_ELEMENTS (lines), ev.a);
  auto pm = ev.of (GC_RULE_PRICE_MISMATCH);
  ASSERT_EQ (pm.size (), 1u);
  EXPECT_STREQ (pm[0]->violation->observed, "¥89.00");
  EXPECT_EQ (pm[0]->violation->box.x, 840);
  EXPECT_EQ (ev.of (GC_RULE_CLAIM_ABSOLUTE_TERM).size (), 1u);
  EXPECT_EQ (ev.of (GC_RULE_DISCLOSURE_MISSING).size (), 0u);
  EXPECT_EQ (ev.size (), 2u);
}

TEST_F (Rules, FromTextLinesCompliantTwin)
{
  GcLine lines[] = {
    {"到手价 ¥99.00", {840, 900, 320, 60}, 0.91, FALSE},
    {"原价 ¥129", {840, 980, 200, 40}, 0.9, TRUE},
    {"本店最新款 保温杯", {40, 40, 300, 50}, 0.88, FALSE},
    {"广告", {1200, 20, 60, 30}, 0.95, FALSE},
  };
  for (int i = 0; i < 4; i++)
    gc_rules_push_frame (rules, 12.0 + i * 0.5, lines, G_N_ELEMENTS (lines), ev.a);
  gc_rules_finish (rules, ev.a);
  EXPECT_EQ (ev.size (), 0u);
}

}  // namespace
