/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the rule tables that run one product through a shipped pack
 * (test_reference.cc, test_categories.cc): the one-product catalog in the
 * pack's jurisdiction and currency, and the catalog, pack and engine
 * loaded together. */
#pragma once

#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "gc-catalog.h"
#include "gc-rulepack.h"
#include "gc-rules.h"
}

namespace gc_test {

/* A catalog in @pack's jurisdiction and currency (cn CNY, eu EUR, us USD)
 * with one product, sku P1, @name, price 79, the JSON @members after the
 * price, scheduled 0-100 s; @top adds top-level members (with a trailing
 * comma), e.g. a stream_date. */
inline std::string
one_product_catalog (const char *pack, const char *name,
    const std::string &members, const std::string &top = "")
{
  const char *jur = g_str_equal (pack, "cn") ? "CN"
      : g_str_equal (pack, "eu") ? "EU" : "US";
  const char *cur = g_str_equal (pack, "cn") ? "CNY"
      : g_str_equal (pack, "eu") ? "EUR" : "USD";
  return std::string (R"({"schema": "gst-compliance-catalog/1", "jurisdiction": ")")
      + jur + R"(", "currency": ")" + cur + R"(", )" + top
      + R"("products": [{"sku": "P1", "name": ")" + name
      + R"(", "price": 79, )" + members
      + R"(}], "schedule": [{"sku": "P1", "start": 0, "end": 100}]})";
}

/* The catalog @json, the shipped pack @pack and an engine over both;
 * ok () is FALSE (with a test failure) when either does not load. */
struct PackRun
{
  GcCatalog *catalog = nullptr;
  GcRulePack *pack = nullptr;
  GcRules *rules = nullptr;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);

  PackRun (const std::string &json, const char *pack_name, const char *what)
  {
    GError *err = nullptr;
    catalog = gc_catalog_load_data (json.c_str (), -1, what, &err);
    if (catalog == nullptr) {
      ADD_FAILURE () << what << ": " << err->message;
      g_error_free (err);
      return;
    }
    pack = gc_rulepack_load (pack_name, nullptr, &err);
    if (pack == nullptr) {
      ADD_FAILURE () << pack_name << ": " << err->message;
      g_error_free (err);
      return;
    }
    rules = gc_rules_new (catalog, pack);
  }
  ~PackRun ()
  {
    g_ptr_array_unref (events);
    gc_rules_free (rules);
    if (pack)
      gc_rulepack_unref (pack);
    if (catalog)
      gc_catalog_unref (catalog);
  }
  bool ok () const { return rules != nullptr; }

  /* @text (struck or not) on @frames analysed frames, one a second from
   * 1 s, then the end of the stream. */
  void show_line (const char *text, gboolean struck, int frames = 4)
  {
    GcLine line = {text, {100, 600, 300, 40}, 0.9, struck};
    for (int i = 0; i < frames; i++)
      gc_rules_push_frame (rules, 1.0 + i, &line, 1, events);
    gc_rules_finish (rules, events);
  }
};

/* A stream held on 2026-11-29 (the CN window 2026-11-22..2026-11-28), in
 * @pack, of the one product with @members. */
inline std::string
dated_catalog (const char *pack, const std::string &members)
{
  return one_product_catalog (pack, "保温杯", members,
      R"("stream_date": "2026-11-29", )");
}

}  // namespace gc_test
