/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the catalog loader (gst-plugin/core/gc-catalog.c). */

#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gc-catalog.h"
#include "gc-error.h"

namespace
{

const char *kName = "products.json";

/* The complete example of PRODUCT.md "Catalog", verbatim. */
const char *kProductExample = R"({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "seller": {"name": "某某旗舰店", "license": "91310000XXXXXXXXXX"},
  "products": [
    {
      "sku": "A1001",
      "name": "保温杯",
      "aliases": ["保温杯 500ml", "thermos"],
      "price": 99.0,
      "reference_price": 129.0,
      "price_history": [{"date": "2026-11-20", "price": 129.0}],
      "category": "general",
      "sponsored": true,
      "sponsor": "Brand X",
      "sold": 12000
    }
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 30.0}]
})";

GcCatalog *
load (const std::string & json, GError ** error)
{
  return gc_catalog_load_data (json.c_str (), (gssize) json.size (), kName,
      error);
}

/* A catalog around @products (the inside of the array) and @rest (more
 * top-level members, each starting with a comma). */
std::string
catalog_with (const std::string & products, const std::string & rest = "")
{
  return std::string ("{\"schema\": \"gst-compliance-catalog/1\", "
      "\"products\": [") + products + "]" + rest + "}";
}

const char *kTwoProducts =
    R"({"sku": "A1001", "name": "Cup", "price": 99},
       {"sku": "B2002", "name": "Rice", "price": 59.9})";

GDate
make_date (int year, int month, int day)
{
  GDate d;

  g_date_clear (&d, 1);
  g_date_set_dmy (&d, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return d;
}

std::string
source_path (const char *relative)
{
  const char *root = g_getenv ("GST_COMPLIANCE_SOURCE_DIR");
  g_autofree gchar *path = g_build_filename (root ? root : ".", relative,
      NULL);
  return path;
}

/* Loads @json expecting failure with @code and a message that starts with
 * the file name and contains every one of @parts. */
::testing::AssertionResult
fails_with (const std::string & json, GcErrorCode code,
    const std::vector < std::string > &parts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (json, &error);

  if (catalog != NULL)
    return ::testing::AssertionFailure () << "loaded, expected an error";
  if (error == NULL)
    return ::testing::AssertionFailure () << "NULL without a GError";
  if (error->domain != GC_ERROR || error->code != (gint) code)
    return ::testing::AssertionFailure () << "wrong domain/code " <<
        error->code << ": " << error->message;
  if (!g_str_has_prefix (error->message, kName))
    return ::testing::AssertionFailure () << "message does not start with "
        "the file name: " << error->message;
  if (!g_utf8_validate (error->message, -1, NULL))
    return ::testing::AssertionFailure () << "message is not UTF-8";
  for (const auto & part:parts) {
    if (strstr (error->message, part.c_str ()) == NULL)
      return ::testing::AssertionFailure () << "message lacks '" << part <<
          "': " << error->message;
  }
  return ::testing::AssertionSuccess () << error->message;
}

::testing::AssertionResult
fails_exactly (const std::string & json, GcErrorCode code,
    const std::string & message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (json, &error);

  if (catalog != NULL || error == NULL)
    return ::testing::AssertionFailure () << "loaded, expected an error";
  if (error->domain != GC_ERROR || error->code != (gint) code)
    return ::testing::AssertionFailure () << "wrong code: " << error->message;
  if (message != error->message)
    return ::testing::AssertionFailure () << "got '" << error->message <<
        "', expected '" << message << "'";
  return ::testing::AssertionSuccess ();
}

std::vector < std::string > warnings_of (const GcCatalog * catalog)
{
  std::vector < std::string > out;

  for (guint i = 0; i < catalog->warnings->len; i++)
    out.push_back ((const char *) g_ptr_array_index (catalog->warnings, i));
  return out;
}

}                               /* namespace */

/* --- loading valid catalogs ------------------------------------------- */

TEST (Catalog, ProductExampleLoadsWithEveryField)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (kProductExample, &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_STREQ (catalog->path, kName);
  EXPECT_STREQ (catalog->jurisdiction, "CN");
  EXPECT_STREQ (catalog->currency, "CNY");
  EXPECT_STREQ (catalog->seller_name, "某某旗舰店");
  EXPECT_STREQ (catalog->seller_license, "91310000XXXXXXXXXX");
  EXPECT_FALSE (catalog->has_stream_date);
  EXPECT_EQ (catalog->warnings->len, 0u);

  ASSERT_EQ (catalog->products->len, 1u);
  const GcProduct *p =
      (const GcProduct *) g_ptr_array_index (catalog->products, 0);
  EXPECT_STREQ (p->sku, "A1001");
  EXPECT_STREQ (p->name, "保温杯");
  ASSERT_EQ (g_strv_length (p->aliases), 2u);
  EXPECT_STREQ (p->aliases[0], "保温杯 500ml");
  EXPECT_STREQ (p->aliases[1], "thermos");
  EXPECT_DOUBLE_EQ (p->price, 99.0);
  EXPECT_TRUE (p->has_reference_price);
  EXPECT_DOUBLE_EQ (p->reference_price, 129.0);
  ASSERT_EQ (p->price_history->len, 1u);
  const GcPricePoint *pt = &g_array_index (p->price_history, GcPricePoint, 0);
  ASSERT_TRUE (g_date_valid (&pt->date));
  EXPECT_EQ (g_date_get_year (&pt->date), 2026);
  EXPECT_EQ (g_date_get_month (&pt->date), G_DATE_NOVEMBER);
  EXPECT_EQ (g_date_get_day (&pt->date), 20);
  EXPECT_DOUBLE_EQ (pt->price, 129.0);
  EXPECT_EQ (p->category, GC_CATEGORY_GENERAL);
  EXPECT_TRUE (p->sponsored);
  EXPECT_STREQ (p->sponsor, "Brand X");
  EXPECT_TRUE (p->has_sold);
  EXPECT_EQ (p->sold, 12000);
  ASSERT_NE (p->substantiated_claims, nullptr);
  EXPECT_EQ (g_strv_length (p->substantiated_claims), 0u);

  ASSERT_EQ (catalog->schedule->len, 1u);
  const GcScheduleEntry *e =
      &g_array_index (catalog->schedule, GcScheduleEntry, 0);
  EXPECT_STREQ (e->sku, "A1001");
  EXPECT_DOUBLE_EQ (e->start, 0.0);
  EXPECT_DOUBLE_EQ (e->end, 30.0);

  EXPECT_EQ (gc_catalog_find (catalog, "A1001"), p);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 10.0), p);
}

TEST (Catalog, IndexesNamesAndPrices)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (
      R"({"sku": "A", "name": "保温杯", "aliases": ["thermos", "杯"], "price": 99, "reference_price": 129.5},
         {"sku": "B", "name": "大米", "price": 59.9})"), &error);
  ASSERT_NE (catalog, nullptr) << error->message;

  EXPECT_TRUE (gc_catalog_declares_price (catalog, 99.0));
  EXPECT_TRUE (gc_catalog_declares_price (catalog, 129.5));
  EXPECT_TRUE (gc_catalog_declares_price (catalog, 59.9));
  EXPECT_TRUE (gc_catalog_declares_price (catalog, 59.900001));
  EXPECT_FALSE (gc_catalog_declares_price (catalog, 59.8));
  EXPECT_FALSE (gc_catalog_declares_price (catalog, NAN));

  auto candidates = [&] (const char *text) {
    glong n = 0;
    gunichar *u = g_utf8_to_ucs4_fast (text, -1, &n);
    GArray *out = g_array_new (FALSE, FALSE, sizeof (GcCatalogName));
    gc_catalog_name_candidates (catalog, u, n, out);
    std::vector<std::pair<std::string, guint>> got;
    for (guint i = 0; i < out->len; i++) {
      const GcCatalogName &name = g_array_index (out, GcCatalogName, i);
      gchar *s = g_ucs4_to_utf8 (name.chars, name.n, NULL, NULL, NULL);
      got.emplace_back (std::string (name.product->sku) + ":" + s, name.shared);
      g_free (s);
    }
    g_array_unref (out);
    g_free (u);
    return got;
  };
  /* Every name sharing a pair (or the one character), in catalog order,
   * with how many positions share one. */
  using V = std::vector<std::pair<std::string, guint>>;
  EXPECT_EQ (candidates ("到手价保温杯"), (V{{"A:保温杯", 2}, {"A:杯", 1}}));
  EXPECT_EQ (candidates ("保温壶"), (V{{"A:保温杯", 1}}));
  EXPECT_EQ (candidates ("五常大米 thermos"),
      (V{{"A:thermos", 6}, {"B:大米", 1}}));
  EXPECT_EQ (candidates ("面霜"), V{});
}

TEST (Catalog, JurisdictionChoosesReadingLanguages)
{
  struct
  {
    const char *head, *want;
  } cases[] = {
    {"\"jurisdiction\": \"CN\", \"currency\": \"CNY\",", "chi_sim+eng"},
    {"\"currency\": \"CNY\",", "chi_sim+eng"},
    {"", "chi_sim+eng"},
    {"\"jurisdiction\": \"US\", \"currency\": \"USD\",", "eng"},
    {"\"jurisdiction\": \"EU\", \"currency\": \"EUR\",", "eng"},
    {"\"currency\": \"GBP\",", "eng"},
  };
  for (auto &c : cases) {
    std::string json = std::string ("{\"schema\": \"gst-compliance-catalog/1\", ")
        + c.head + " \"products\": []}";
    g_autoptr (GError) error = NULL;
    g_autoptr (GcCatalog) catalog = gc_catalog_load_data (json.c_str (), -1,
        "t.json", &error);
    ASSERT_NE (catalog, nullptr) << json << ": " << error->message;
    EXPECT_STREQ (gc_catalog_reading_languages (catalog), c.want) << json;
  }
}

TEST (Catalog, OptionalFieldsDefault)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog =
      load (catalog_with (R"({"sku": "A1", "name": "Cup", "price": 5})"),
      &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_EQ (catalog->jurisdiction, nullptr);
  EXPECT_EQ (catalog->currency, nullptr);
  EXPECT_EQ (catalog->seller_name, nullptr);
  EXPECT_EQ (catalog->seller_license, nullptr);
  EXPECT_FALSE (catalog->has_stream_date);
  ASSERT_NE (catalog->schedule, nullptr);
  EXPECT_EQ (catalog->schedule->len, 0u);
  ASSERT_NE (catalog->warnings, nullptr);
  EXPECT_EQ (catalog->warnings->len, 0u);

  const GcProduct *p = gc_catalog_find (catalog, "A1");
  ASSERT_NE (p, nullptr);
  ASSERT_NE (p->aliases, nullptr);
  EXPECT_EQ (p->aliases[0], nullptr);
  EXPECT_DOUBLE_EQ (p->price, 5.0);
  EXPECT_FALSE (p->has_reference_price);
  ASSERT_NE (p->price_history, nullptr);
  EXPECT_EQ (p->price_history->len, 0u);
  EXPECT_EQ (p->category, GC_CATEGORY_GENERAL);
  EXPECT_FALSE (p->sponsored);
  EXPECT_EQ (p->sponsor, nullptr);
  EXPECT_FALSE (p->has_sold);
  ASSERT_NE (p->substantiated_claims, nullptr);
  EXPECT_EQ (p->substantiated_claims[0], nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 0.0), nullptr);
}

TEST (Catalog, EmptyProductListIsValid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (""), &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_EQ (catalog->products->len, 0u);
}

TEST (Catalog, TopLevelFieldsAreNormalised)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (kTwoProducts,
          R"(, "jurisdiction": "eu", "currency": "eur",
             "stream_date": "2026-11-27")"), &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_STREQ (catalog->jurisdiction, "EU");
  EXPECT_STREQ (catalog->currency, "EUR");
  ASSERT_TRUE (catalog->has_stream_date);
  ASSERT_TRUE (g_date_valid (&catalog->stream_date));
  GDate expected = make_date (2026, 11, 27);
  EXPECT_EQ (g_date_compare (&catalog->stream_date, &expected), 0);

  for (const char *j : {"cn", "Us", "EU"}) {
    g_autoptr (GError) err = NULL;
    g_autoptr (GcCatalog) c = load (catalog_with (kTwoProducts,
            std::string (", \"jurisdiction\": \"") + j + "\""), &err);
    ASSERT_NE (c, nullptr) << err->message;
    g_autofree gchar *up = g_ascii_strup (j, -1);
    EXPECT_STREQ (c->jurisdiction, up);
  }
}

TEST (Catalog, ProductFieldsLoad)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (R"(
      {"sku": "F1", "name": "Rice", "price": 60, "category": "food",
       "sold": 12000.0, "sponsored": false, "reference_price": 0,
       "substantiated_claims": ["#1 best seller", "clinically proven"]},
      {"sku": "D1", "name": "Aspirin", "price": 0.5, "category": "drug"},
      {"sku": "C1", "name": "Cream", "price": 1e2, "category": "cosmetics"},
      {"sku": "H1", "name": "Vitamins", "price": -0.0, "category": "health"},
      {"sku": "P1", "name": "Fireworks", "price": 1, "category": "prohibited",
       "sold": 0}
      )"), &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  const GcProduct *f = gc_catalog_find (catalog, "F1");
  ASSERT_NE (f, nullptr);
  EXPECT_EQ (f->category, GC_CATEGORY_FOOD);
  EXPECT_DOUBLE_EQ (f->price, 60.0);
  EXPECT_TRUE (f->has_sold);
  EXPECT_EQ (f->sold, 12000);
  EXPECT_FALSE (f->sponsored);
  EXPECT_TRUE (f->has_reference_price);
  EXPECT_DOUBLE_EQ (f->reference_price, 0.0);
  ASSERT_EQ (g_strv_length (f->substantiated_claims), 2u);
  EXPECT_STREQ (f->substantiated_claims[0], "#1 best seller");
  EXPECT_STREQ (f->substantiated_claims[1], "clinically proven");

  EXPECT_EQ (gc_catalog_find (catalog, "D1")->category, GC_CATEGORY_DRUG);
  EXPECT_DOUBLE_EQ (gc_catalog_find (catalog, "D1")->price, 0.5);
  EXPECT_EQ (gc_catalog_find (catalog, "C1")->category,
      GC_CATEGORY_COSMETICS);
  EXPECT_DOUBLE_EQ (gc_catalog_find (catalog, "C1")->price, 100.0);
  const GcProduct *h = gc_catalog_find (catalog, "H1");
  EXPECT_EQ (h->category, GC_CATEGORY_HEALTH);
  EXPECT_FALSE (std::signbit (h->price)) << "-0 is stored as 0";
  const GcProduct *pr = gc_catalog_find (catalog, "P1");
  EXPECT_EQ (pr->category, GC_CATEGORY_PROHIBITED);
  EXPECT_TRUE (pr->has_sold);
  EXPECT_EQ (pr->sold, 0);

  /* File order is kept. */
  EXPECT_STREQ (((GcProduct *) g_ptr_array_index (catalog->products, 0))->sku,
      "F1");
  EXPECT_STREQ (((GcProduct *) g_ptr_array_index (catalog->products, 4))->sku,
      "P1");
}

TEST (Catalog, PriceHistoryIsSortedByDate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (R"(
      {"sku": "A1", "name": "Cup", "price": 99, "price_history": [
        {"date": "2026-11-20", "price": 129},
        {"date": "2025-12-31", "price": 150.5},
        {"date": "2026-01-01", "price": 140}]})"), &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  const GcProduct *p = gc_catalog_find (catalog, "A1");
  ASSERT_EQ (p->price_history->len, 3u);
  const GcPricePoint *h = (const GcPricePoint *) p->price_history->data;
  EXPECT_EQ (g_date_get_year (&h[0].date), 2025);
  EXPECT_DOUBLE_EQ (h[0].price, 150.5);
  EXPECT_EQ (g_date_get_year (&h[1].date), 2026);
  EXPECT_EQ (g_date_get_month (&h[1].date), G_DATE_JANUARY);
  EXPECT_DOUBLE_EQ (h[1].price, 140);
  EXPECT_EQ (g_date_get_month (&h[2].date), G_DATE_NOVEMBER);
  EXPECT_DOUBLE_EQ (h[2].price, 129);
}

TEST (Catalog, LoadDataHonoursLengthAndName)
{
  std::string json = catalog_with (kTwoProducts);
  /* Trailing garbage beyond @len must not be read. */
  std::string padded = json + "GARBAGE";

  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_data (padded.c_str (),
      (gssize) json.size (), NULL, &error);
  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_STREQ (catalog->path, "<memory>");

  g_autoptr (GcCatalog) nul_terminated = gc_catalog_load_data (json.c_str (),
      -1, "x.json", &error);
  ASSERT_NE (nul_terminated, nullptr) << error->message;
  EXPECT_STREQ (nul_terminated->path, "x.json");

  g_autoptr (GcCatalog) bad = gc_catalog_load_data ("{", -1, NULL, &error);
  ASSERT_EQ (bad, nullptr);
  EXPECT_TRUE (g_str_has_prefix (error->message, "<memory>:")) <<
      error->message;
}

TEST (Catalog, SamplesLoadWithoutWarnings)
{
  struct
  {
    const char *file, *jurisdiction, *currency;
  } samples[] = {
    {"samples/catalog-cn.json", "CN", "CNY"},
    {"samples/catalog-us.json", "US", "USD"},
    {"samples/catalog-eu.json", "EU", "EUR"},
  };

  for (const auto & s:samples) {
    std::string path = source_path (s.file);
    g_autoptr (GError) error = NULL;
    g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path.c_str (),
        &error);

    ASSERT_NE (catalog, nullptr) << error->message;
    EXPECT_STREQ (catalog->path, path.c_str ());
    EXPECT_EQ (catalog->warnings->len, 0u) << s.file << ": " <<
        (catalog->warnings->len ?
        (const char *) g_ptr_array_index (catalog->warnings, 0) : "");
    EXPECT_STREQ (catalog->jurisdiction, s.jurisdiction);
    EXPECT_STREQ (catalog->currency, s.currency);
    EXPECT_TRUE (catalog->has_stream_date);
    EXPECT_GE (catalog->products->len, 3u);

    bool sponsored = false, food = false, history = false;
    for (guint i = 0; i < catalog->products->len; i++) {
      const GcProduct *p =
          (const GcProduct *) g_ptr_array_index (catalog->products, i);
      sponsored |= p->sponsored;
      food |= p->category == GC_CATEGORY_FOOD;
      history |= p->price_history->len > 0;
    }
    EXPECT_TRUE (sponsored && food && history) << s.file;

    /* The schedule covers about a minute without gaps. */
    ASSERT_GE (catalog->schedule->len, 2u);
    GcScheduleEntry *last = &g_array_index (catalog->schedule,
        GcScheduleEntry, catalog->schedule->len - 1);
    EXPECT_GE (last->end, 50.0);
    for (double t = 0; t < last->end; t += 0.5)
      EXPECT_NE (gc_catalog_scheduled_at (catalog, t), nullptr) << t;
  }
}

/* The CN sample's sponsored product carries the PRODUCT.md example. */
TEST (Catalog, CnSampleExtendsProductExample)
{
  std::string path = source_path ("samples/catalog-cn.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path.c_str (),
      &error);
  ASSERT_NE (catalog, nullptr) << error->message;

  const GcProduct *p = gc_catalog_find (catalog, "A1001");
  ASSERT_NE (p, nullptr);
  EXPECT_STREQ (p->name, "保温杯");
  EXPECT_DOUBLE_EQ (p->price, 99.0);
  EXPECT_DOUBLE_EQ (p->reference_price, 129.0);
  EXPECT_TRUE (p->sponsored);
  EXPECT_STREQ (p->sponsor, "Brand X");
  EXPECT_EQ (p->sold, 12000);
  gdouble allowed = 0;
  ASSERT_TRUE (gc_product_allowed_reference (p, &catalog->stream_date, 7,
          &allowed));
  EXPECT_DOUBLE_EQ (allowed, 129.0);
}

/* The schema documents exactly the fields the loader knows: a catalog using
 * every property the schema lists loads without an unknown-field warning,
 * and the schema's lists have no field the loader would warn about. */
TEST (Catalog, SchemaMatchesLoader)
{
  std::string path = source_path ("models/catalog.schema.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  ASSERT_TRUE (json_parser_load_from_file (parser, path.c_str (), &error))
      << error->message;
  JsonObject *schema = json_node_get_object (json_parser_get_root (parser));
  EXPECT_STREQ (json_object_get_string_member (schema, "$schema"),
      "https://json-schema.org/draft/2020-12/schema");

  auto names = [](JsonObject * obj) {
    std::vector < std::string > out;
    JsonObject *props = json_object_get_object_member (obj, "properties");
    GList *members = json_object_get_members (props);
    for (GList * l = members; l; l = l->next)
      out.push_back ((const char *) l->data);
    g_list_free (members);
    return out;
  };
  JsonObject *defs = json_object_get_object_member (schema, "$defs");
  JsonObject *product = json_object_get_object_member (defs, "product");
  JsonObject *entry = json_object_get_object_member (defs, "scheduleEntry");
  JsonObject *seller = json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (schema, "properties"), "seller"), "properties");
  JsonObject *history = json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (product, "properties"), "price_history"), "items"), "properties");

  EXPECT_EQ (names (schema), (std::vector < std::string > {
          "schema", "jurisdiction", "currency", "seller", "stream_date",
          "products", "schedule"}));
  EXPECT_EQ (names (product), (std::vector < std::string > {
          "sku", "name", "aliases", "price", "reference_price",
          "price_history", "transactions", "msrp", "category", "ad_approval",
          "sponsored", "sponsor", "sold", "substantiated_claims", "gifts"}));
  EXPECT_EQ (names (entry), (std::vector < std::string > {
          "sku", "start", "end"}));
  GList *sm = json_object_get_members (seller);
  EXPECT_EQ (g_list_length (sm), 2u);
  g_list_free (sm);
  GList *hm = json_object_get_members (history);
  EXPECT_EQ (g_list_length (hm), 2u);
  g_list_free (hm);

  /* The category enum is the loader's. */
  JsonArray *cats = json_object_get_array_member (json_object_get_object_member (json_object_get_object_member (product, "properties"), "category"), "enum");
  ASSERT_EQ (json_array_get_length (cats), (guint) GC_N_CATEGORIES);
  for (guint i = 0; i < GC_N_CATEGORIES; i++) {
    GcCategory c;
    ASSERT_TRUE (gc_category_from_string (json_array_get_string_element (cats,
                i), &c));
    EXPECT_EQ ((guint) c, i);
  }
}

/* --- unknown fields warn ---------------------------------------------- */

TEST (Catalog, UnknownFieldsWarnEverywhere)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (R"({
    "schema": "gst-compliance-catalog/1",
    "comment": "top",
    "seller": {"name": "Shop", "phone": "123"},
    "products": [
      {"sku": "A1001", "name": "Cup", "price": 99, "colour": "red",
       "price_history": [{"date": "2026-01-01", "price": 1, "note": "x"}]}
    ],
    "schedule": [{"sku": "A1001", "start": 0, "end": 1, "label": "intro"}]
  })", &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  std::vector < std::string > expected = {
    "products.json: unknown field \"comment\" ignored",
    "products.json: unknown field \"seller.phone\" ignored",
    "products.json: products[0] (sku \"A1001\"): unknown field "
        "\"price_history[0].note\" ignored",
    "products.json: products[0] (sku \"A1001\"): unknown field \"colour\" "
        "ignored",
    "products.json: schedule[0] (sku \"A1001\"): unknown field \"label\" "
        "ignored",
  };
  EXPECT_EQ (warnings_of (catalog), expected);
  /* The known fields still load. */
  EXPECT_STREQ (catalog->seller_name, "Shop");
  EXPECT_EQ (gc_catalog_find (catalog, "A1001")->price_history->len, 1u);
}

/* --- errors: the examples of the brief, exactly ------------------------ */

TEST (CatalogErrors, NegativePriceMessage)
{
  EXPECT_TRUE (fails_exactly (catalog_with (R"(
      {"sku": "X1", "name": "a", "price": 1},
      {"sku": "X2", "name": "b", "price": 2},
      {"sku": "A1001", "name": "c", "price": -5})"), GC_ERROR_INVALID,
          "products.json: products[2] (sku \"A1001\"): field \"price\": "
          "must be a number >= 0, got -5"));
  EXPECT_TRUE (fails_exactly (catalog_with (
          R"({"sku": "A1001", "name": "c", "price": -5.25})"),
          GC_ERROR_INVALID, "products.json: products[0] (sku \"A1001\"): "
          "field \"price\": must be a number >= 0, got -5.25"));
}

TEST (CatalogErrors, DuplicateSkuMessage)
{
  EXPECT_TRUE (fails_exactly (catalog_with (R"(
      {"sku": "A1001", "name": "a", "price": 1},
      {"sku": "X2", "name": "b", "price": 2},
      {"sku": "X3", "name": "c", "price": 3},
      {"sku": "A1001", "name": "d", "price": 4})"), GC_ERROR_INVALID,
          "products.json: products[3] (sku \"A1001\"): duplicate sku, first "
          "declared at products[0]"));
}

TEST (CatalogErrors, MissingSkuMessage)
{
  EXPECT_TRUE (fails_exactly (catalog_with (R"(
      {"sku": "A1001", "name": "a", "price": 1},
      {"name": "b", "price": 2})"), GC_ERROR_INVALID,
          "products.json: products[1]: missing required field \"sku\""));
}

TEST (CatalogErrors, UnknownScheduleSkuMessage)
{
  EXPECT_TRUE (fails_with (catalog_with (kTwoProducts,
              R"(, "schedule": [{"sku": "A1001", "start": 0, "end": 10},
                                {"sku": "Z9", "start": 10, "end": 20}])"),
          GC_ERROR_INVALID, {"products.json: schedule[1] (sku \"Z9\"): "
              "unknown sku"}));
}

/* --- errors: top level ------------------------------------------------- */

TEST (CatalogErrors, TopLevel)
{
  const std::string products = R"("products": [])";

  EXPECT_TRUE (fails_exactly ("{" + products + "}", GC_ERROR_INVALID,
          "products.json: missing required field \"schema\""));
  EXPECT_TRUE (fails_with ("{\"schema\": \"gst-compliance-catalog/2\", " +
          products + "}", GC_ERROR_INVALID, {"field \"schema\"",
              "\"gst-compliance-catalog/2\"", "gst-compliance-catalog/1"}));
  EXPECT_TRUE (fails_with ("{\"schema\": 1, " + products + "}",
          GC_ERROR_INVALID, {"field \"schema\"", "expected a string",
              "got number 1"}));
  EXPECT_TRUE (fails_exactly (R"({"schema": "gst-compliance-catalog/1"})",
          GC_ERROR_INVALID, "products.json: missing required field "
          "\"products\""));
  EXPECT_TRUE (fails_with (R"({"schema": "gst-compliance-catalog/1",
          "products": {}})", GC_ERROR_INVALID, {"field \"products\"",
              "expected an array", "got object"}));
  EXPECT_TRUE (fails_with (R"({"schema": "gst-compliance-catalog/1",
          "products": null})", GC_ERROR_INVALID, {"field \"products\"",
              "got null"}));

  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "jurisdiction": "FR")"),
          GC_ERROR_INVALID, {"field \"jurisdiction\"", "\"FR\"", "CN, EU, "
              "US"}));
  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "jurisdiction": true)"),
          GC_ERROR_INVALID, {"field \"jurisdiction\"", "expected a string",
              "got bool true"}));
  for (const char *bad : {"yuan", "C1Y", "", "EU"}) {
    EXPECT_TRUE (fails_with (catalog_with ("", std::string (", \"currency\": "
                    "\"") + bad + "\""), GC_ERROR_INVALID,
            {"field \"currency\"", "3-letter"})) << bad;
  }
  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "seller": "Shop")"),
          GC_ERROR_INVALID, {"field \"seller\"", "expected an object",
              "got string \"Shop\""}));
  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "seller": {"name": 5})"),
          GC_ERROR_INVALID, {"field \"seller.name\"", "expected a string",
              "got number 5"}));
  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "seller": {"license": []})"),
          GC_ERROR_INVALID, {"field \"seller.license\"", "got array"}));
  for (const char *bad : {"2026-2-01", "2026-02-30", "26-02-01", "2026/02/01",
          "2026-02-01T00:00", "0000-01-01", "2026-00-10"}) {
    EXPECT_TRUE (fails_with (catalog_with ("",
                std::string (", \"stream_date\": \"") + bad + "\""),
            GC_ERROR_INVALID, {"field \"stream_date\"", "YYYY-MM-DD",
                bad})) << bad;
  }
  EXPECT_TRUE (fails_with (catalog_with ("", R"(, "stream_date": 20261127)"),
          GC_ERROR_INVALID, {"field \"stream_date\"", "got number"}));
}

TEST (CatalogErrors, NotACatalogObject)
{
  EXPECT_TRUE (fails_with ("", GC_ERROR_PARSE, {"empty"}));
  EXPECT_TRUE (fails_with ("  \n\t ", GC_ERROR_PARSE, {"empty"}));
  EXPECT_TRUE (fails_with ("[]", GC_ERROR_INVALID, {"top level",
              "object", "got array"}));
  EXPECT_TRUE (fails_with ("null", GC_ERROR_INVALID, {"got null"}));
  EXPECT_TRUE (fails_with ("\"catalog\"", GC_ERROR_INVALID,
          {"got string \"catalog\""}));
  EXPECT_TRUE (fails_with ("42", GC_ERROR_INVALID, {"got number 42"}));
}

/* --- errors: products -------------------------------------------------- */

struct ProductCase
{
  const char *product;          /* the second product's JSON */
  std::vector < std::string > parts;
};

TEST (CatalogErrors, ProductFields)
{
  const ProductCase cases[] = {
    {R"("A1001")", {"products[1]: expected an object, got string"}},
    {R"({"sku": "", "name": "a", "price": 1})",
        {"products[1]: field \"sku\": must be a non-empty string"}},
    {R"({"sku": 7, "name": "a", "price": 1})",
        {"products[1]: field \"sku\": expected a non-empty string, "
              "got number 7"}},
    {R"({"sku": "S", "price": 1})",
        {"products[1] (sku \"S\"): missing required field \"name\""}},
    {R"({"sku": "S", "name": "", "price": 1})",
        {"products[1] (sku \"S\"): field \"name\": must be a non-empty"}},
    {R"({"sku": "S", "name": null, "price": 1})",
        {"products[1] (sku \"S\"): field \"name\":", "got null"}},
    {R"({"sku": "S", "name": "a"})",
        {"products[1] (sku \"S\"): missing required field \"price\""}},
    {R"({"sku": "S", "name": "a", "price": "99"})",
        {"products[1] (sku \"S\"): field \"price\": expected a number, "
              "got string \"99\""}},
    {R"({"sku": "S", "name": "a", "price": 1e999})",
        {"products[1] (sku \"S\"): field \"price\": must be a finite "
              "number >= 0, got inf"}},
    {R"({"sku": "S", "name": "a", "price": 1, "reference_price": -0.01})",
        {"products[1] (sku \"S\"): field \"reference_price\": must be a "
              "number >= 0, got -0.01"}},
    {R"({"sku": "S", "name": "a", "price": 1, "reference_price": false})",
        {"field \"reference_price\": expected a number, got bool false"}},
    {R"({"sku": "S", "name": "a", "price": 1, "aliases": "cup"})",
        {"products[1] (sku \"S\"): field \"aliases\": expected an array, "
              "got string \"cup\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "aliases": ["x", ""]})",
        {"products[1] (sku \"S\"): field \"aliases[1]\": must be a "
              "non-empty string"}},
    {R"({"sku": "S", "name": "a", "price": 1, "aliases": ["x", 3]})",
        {"products[1] (sku \"S\"): field \"aliases[1]\": expected a "
              "non-empty string, got number 3"}},
    {R"({"sku": "S", "name": "a", "price": 1, "category": "toys"})",
        {"products[1] (sku \"S\"): field \"category\": unknown category "
              "\"toys\", expected one of general, food, cosmetics, health, "
              "drug, prohibited"}},
    {R"({"sku": "S", "name": "a", "price": 1, "category": "Food"})",
        {"field \"category\": unknown category \"Food\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "category": 1})",
        {"field \"category\": expected a string, got number 1"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sponsored": "yes"})",
        {"products[1] (sku \"S\"): field \"sponsored\": expected a bool",
              "got string \"yes\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "sponsored": 1})",
        {"field \"sponsored\": expected a bool", "got number 1"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sponsor": {}})",
        {"products[1] (sku \"S\"): field \"sponsor\": expected a string, "
              "got object"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sold": 12.5})",
        {"products[1] (sku \"S\"): field \"sold\": must be a whole number "
              ">= 0, got 12.5"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sold": -3})",
        {"field \"sold\": must be a whole number >= 0, got -3"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sold": -3.0})",
        {"field \"sold\": must be a whole number >= 0, got -3"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sold": 1e300})",
        {"field \"sold\": must be a whole number >= 0, got 1e+300"}},
    {R"({"sku": "S", "name": "a", "price": 1, "sold": "10万"})",
        {"field \"sold\": expected a whole number, got string \"10万\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "substantiated_claims": "#1"})",
        {"field \"substantiated_claims\": expected an array"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "substantiated_claims": ["#1", null]})",
        {"field \"substantiated_claims[1]\": expected a string, got null"}},
    {R"({"sku": "S", "name": "a", "price": 1, "price_history": {}})",
        {"products[1] (sku \"S\"): field \"price_history\": expected an "
              "array, got object"}},
    {R"({"sku": "S", "name": "a", "price": 1, "price_history": [5]})",
        {"products[1] (sku \"S\"): field \"price_history[0]\": expected an "
              "object", "got number 5"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "price_history": [{"price": 5}]})",
        {"products[1] (sku \"S\"): missing required field "
              "\"price_history[0].date\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "price_history": [{"date": "2026-01-01"}]})",
        {"missing required field \"price_history[0].price\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "price_history": [
          {"date": "2026-01-01", "price": 5},
          {"date": "2026-13-01", "price": 5}]})",
        {"products[1] (sku \"S\"): field \"price_history[1].date\": must be "
              "a date \"YYYY-MM-DD\", got \"2026-13-01\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "price_history": [{"date": "2026-01-01", "price": -1}]})",
        {"field \"price_history[0].price\": must be a number >= 0, got -1"}},
    {R"({"sku": "S", "name": "a", "price": 1, "price_history": [
          {"date": "2026-02-01", "price": 5},
          {"date": "2026-01-01", "price": 6},
          {"date": "2026-02-01", "price": 7}]})",
        {"products[1] (sku \"S\"): field \"price_history[2].date\": "
              "duplicate date 2026-02-01, already given at price_history[0]"}},
    {R"({"sku": "S", "name": "a", "price": 1, "transactions": {}})",
        {"products[1] (sku \"S\"): field \"transactions\": expected an "
              "array, got object"}},
    {R"({"sku": "S", "name": "a", "price": 1, "transactions": [
          {"date": "2026-01-01", "price": 5}, "x"]})",
        {"products[1] (sku \"S\"): field \"transactions[1]\": expected an "
              "object", "got string \"x\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "transactions": [{"date": "2026-02-30", "price": 5}]})",
        {"field \"transactions[0].date\": must be a date \"YYYY-MM-DD\", "
              "got \"2026-02-30\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "transactions": [{"date": "2026-01-01", "price": -2}]})",
        {"field \"transactions[0].price\": must be a number >= 0, got -2"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "transactions": [{"date": "2026-01-01"}]})",
        {"missing required field \"transactions[0].price\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "msrp": -1})",
        {"products[1] (sku \"S\"): field \"msrp\": must be a number >= 0, "
              "got -1"}},
    {R"({"sku": "S", "name": "a", "price": 1, "msrp": "299"})",
        {"field \"msrp\": expected a number, got string \"299\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "ad_approval": ""})",
        {"products[1] (sku \"S\"): field \"ad_approval\""}},
    {R"({"sku": "S", "name": "a", "price": 1, "ad_approval": 7})",
        {"field \"ad_approval\": expected a non-empty string, got number 7"}},
    {R"({"sku": "S", "name": "a", "price": 1, "gifts": {"name": "x"}})",
        {"products[1] (sku \"S\"): field \"gifts\": expected an array, "
              "got object"}},
    {R"({"sku": "S", "name": "a", "price": 1, "gifts": ["杯套"]})",
        {"field \"gifts[0]\": expected an object {\"name\", \"quantity\", "
              "\"price\"}, got string"}},
    {R"({"sku": "S", "name": "a", "price": 1, "gifts": [{"quantity": 1}]})",
        {"missing required field \"gifts[0].name\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "gifts": [{"name": "杯套", "quantity": 1}, {"name": "", "quantity": 1}]})",
        {"field \"gifts[1].name\": must be a non-empty string"}},
    {R"({"sku": "S", "name": "a", "price": 1, "gifts": [{"name": "杯套"}]})",
        {"products[1] (sku \"S\"): missing required field \"gifts[0].quantity\""}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "gifts": [{"name": "杯套", "quantity": 0}]})",
        {"field \"gifts[0].quantity\": must be a whole number >= 1, got 0"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "gifts": [{"name": "杯套", "quantity": 1.5}]})",
        {"field \"gifts[0].quantity\": must be a whole number >= 1, got 1.5"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "gifts": [{"name": "杯套", "quantity": 0.5}]})",
        {"field \"gifts[0].quantity\": must be a whole number >= 1, got 0.5"}},
    {R"({"sku": "S", "name": "a", "price": 1,
         "gifts": [{"name": "杯套", "quantity": 1, "price": -19}]})",
        {"field \"gifts[0].price\": must be a number >= 0, got -19"}},
    {R"({"sku": "S", "name": "a", "price": 1, "category": "rx"})",
        {"unknown category \"rx\", expected one of general, food, cosmetics, "
              "health, drug, prohibited, health_food, otc_drug, rx_drug, "
              "medical_device"}},
  };

  for (const auto & c:cases) {
    std::string json = catalog_with (std::string (R"({"sku": "A1001",
        "name": "Cup", "price": 1}, )") + c.product);
    EXPECT_TRUE (fails_with (json, GC_ERROR_INVALID, c.parts)) << c.product;
  }
}

TEST (Catalog, TransactionsSortedAndMsrp)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (R"({"sku": "T1",
      "name": "Cup", "price": 99, "msrp": 299, "transactions": [
        {"date": "2026-11-25", "price": 109},
        {"date": "2026-11-10", "price": 119},
        {"date": "2026-11-10", "price": 115}]})"), &error);
  ASSERT_NE (catalog, nullptr) << error->message;
  const GcProduct *p = gc_catalog_find (catalog, "T1");
  ASSERT_NE (p, nullptr);
  EXPECT_TRUE (p->has_msrp);
  EXPECT_DOUBLE_EQ (p->msrp, 299);
  ASSERT_EQ (p->transactions->len, 3u) << "a day may hold several sales";
  const GcPricePoint *t = &g_array_index (p->transactions, GcPricePoint, 0);
  EXPECT_EQ (g_date_get_day (&t[0].date), 10);
  EXPECT_EQ (g_date_get_day (&t[1].date), 10);
  EXPECT_EQ (g_date_get_day (&t[2].date), 25);
  EXPECT_DOUBLE_EQ (t[0].price, 119) << "file order within a day";
  EXPECT_DOUBLE_EQ (t[2].price, 109);
  /* Without transactions the array is empty, never NULL. */
  g_autoptr (GcCatalog) plain = load (catalog_with (R"({"sku": "T2",
      "name": "Cup", "price": 99})"), &error);
  ASSERT_NE (plain, nullptr);
  const GcProduct *q = gc_catalog_find (plain, "T2");
  ASSERT_NE (q->transactions, nullptr);
  EXPECT_EQ (q->transactions->len, 0u);
  EXPECT_FALSE (q->has_msrp);
}

TEST (Catalog, GiftsInFileOrder)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (R"({"sku": "G1",
      "name": "Cup", "price": 99, "gifts": [
        {"name": "杯套", "quantity": 1, "price": 19, "colour": "red"},
        {"name": "杯刷", "quantity": 2}]})"), &error);
  ASSERT_NE (catalog, nullptr) << error->message;
  const GcProduct *p = gc_catalog_find (catalog, "G1");
  ASSERT_EQ (p->gifts->len, 2u);
  const GcGift *g = &g_array_index (p->gifts, GcGift, 0);
  EXPECT_STREQ (g[0].name, "杯套");
  EXPECT_EQ (g[0].quantity, 1);
  EXPECT_TRUE (g[0].has_price);
  EXPECT_DOUBLE_EQ (g[0].price, 19);
  EXPECT_STREQ (g[1].name, "杯刷");
  EXPECT_EQ (g[1].quantity, 2);
  EXPECT_FALSE (g[1].has_price);
  /* An unknown field in a gift is named, not dropped silently. */
  bool warned = false;
  for (guint i = 0; i < catalog->warnings->len; i++)
    warned |= strstr ((const char *) g_ptr_array_index (catalog->warnings, i),
        "gifts[0].colour") != nullptr;
  EXPECT_TRUE (warned);
  /* Without gifts the array is empty, never NULL. */
  g_autoptr (GcCatalog) plain = load (catalog_with (R"({"sku": "G2",
      "name": "Cup", "price": 99})"), &error);
  ASSERT_NE (plain, nullptr);
  EXPECT_EQ (gc_catalog_find (plain, "G2")->gifts->len, 0u);
}

TEST (Catalog, CategoriesWithDutiesAndAdApproval)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (R"({"sku": "H1",
      "name": "鱼油", "price": 99, "category": "health_food",
      "ad_approval": "国食健广审(文)第2026110001号"},
      {"sku": "R1", "name": "处方药", "price": 9, "category": "rx_drug"})"),
      &error);
  ASSERT_NE (catalog, nullptr) << error->message;
  const GcProduct *h = gc_catalog_find (catalog, "H1");
  EXPECT_EQ (h->category, GC_CATEGORY_HEALTH_FOOD);
  EXPECT_STREQ (h->ad_approval, "国食健广审(文)第2026110001号");
  const GcProduct *r = gc_catalog_find (catalog, "R1");
  EXPECT_EQ (r->category, GC_CATEGORY_RX_DRUG);
  EXPECT_EQ (r->ad_approval, nullptr);
  EXPECT_EQ (catalog->warnings->len, 0u) << "ad_approval is a known field";
}

TEST (CatalogErrors, QuotedValuesAreEscapedAndCut)
{
  std::string long_sku (5000, 'K');
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with ("{\"sku\": \"" +
          long_sku + "\", \"name\": \"\", \"price\": 1}"), &error);

  ASSERT_EQ (catalog, nullptr);
  EXPECT_LT (strlen (error->message), 300u) << error->message;
  EXPECT_NE (strstr (error->message, "KKK...\""), nullptr) << error->message;

  EXPECT_TRUE (fails_with (catalog_with (
              R"({"sku": "a\"b\n", "name": "", "price": 1})"),
          GC_ERROR_INVALID, {"(sku \"a\\\"b\\u000a\")"}));
}

/* --- errors: schedule -------------------------------------------------- */

TEST (CatalogErrors, Schedule)
{
  auto with_schedule = [](const std::string & s) {
    return catalog_with (kTwoProducts, ", \"schedule\": " + s);
  };

  EXPECT_TRUE (fails_with (with_schedule ("{}"), GC_ERROR_INVALID,
          {"field \"schedule\"", "expected an array", "got object"}));
  EXPECT_TRUE (fails_with (with_schedule ("[3]"), GC_ERROR_INVALID,
          {"schedule[0]: expected an object, got number 3"}));
  EXPECT_TRUE (fails_with (with_schedule (R"([{"start": 0, "end": 1}])"),
          GC_ERROR_INVALID, {"schedule[0]: missing required field \"sku\""}));
  EXPECT_TRUE (fails_with (with_schedule (R"([{"sku": "A1001", "end": 1}])"),
          GC_ERROR_INVALID, {"schedule[0] (sku \"A1001\"): missing required "
              "field \"start\""}));
  EXPECT_TRUE (fails_with (with_schedule (R"([{"sku": "A1001", "start": 0}])"),
          GC_ERROR_INVALID, {"schedule[0] (sku \"A1001\"): missing required "
              "field \"end\""}));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": -1, "end": 1}])"),
          GC_ERROR_INVALID, {"schedule[0] (sku \"A1001\"): field \"start\": "
              "must be a number >= 0, got -1"}));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": "0", "end": 1}])"),
          GC_ERROR_INVALID, {"field \"start\": expected a number, got "
              "string \"0\""}));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": 0, "end": 1e999}])"),
          GC_ERROR_INVALID, {"field \"end\": must be a finite number"}));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": 0, "end": 10},
                  {"sku": "B2002", "start": 30, "end": 10}])"),
          GC_ERROR_INVALID, {"schedule[1] (sku \"B2002\"): inverted span",
              "30", "10"}));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": 5, "end": 5}])"),
          GC_ERROR_INVALID, {"schedule[0] (sku \"A1001\"): inverted span"}));
  /* Listed out of order: the overlap names both entries by file index. */
  EXPECT_TRUE (fails_exactly (with_schedule (
              R"([{"sku": "B2002", "start": 25, "end": 40},
                  {"sku": "A1001", "start": 40, "end": 60},
                  {"sku": "A1001", "start": 0, "end": 30}])"),
          GC_ERROR_INVALID, "products.json: schedule[0] (sku \"B2002\"): "
          "span [25, 40) overlaps schedule[2] (sku \"A1001\") span [0, 30)"));
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": 0, "end": 30},
                  {"sku": "B2002", "start": 0, "end": 30}])"),
          GC_ERROR_INVALID, {"schedule[1] (sku \"B2002\")",
              "overlaps schedule[0] (sku \"A1001\")"}));
  /* Containment is an overlap too. */
  EXPECT_TRUE (fails_with (with_schedule (
              R"([{"sku": "A1001", "start": 0, "end": 100},
                  {"sku": "B2002", "start": 10, "end": 20}])"),
          GC_ERROR_INVALID, {"schedule[1] (sku \"B2002\")", "overlaps "
              "schedule[0]"}));
}

/* Errors late in the file (after products were built) leave nothing
 * behind; the ASan build checks for leaks. */
TEST (CatalogErrors, AllOrNothing)
{
  EXPECT_TRUE (fails_with (catalog_with (kTwoProducts,
              R"(, "schedule": [{"sku": "A1001", "start": 0, "end": 1}],
                 "stream_date": "bad", "extra": 1)"), GC_ERROR_INVALID,
          {"stream_date"}));
  EXPECT_TRUE (fails_with (catalog_with (std::string (kTwoProducts) +
              R"(, {"sku": "C", "name": "c", "price": 1, "aliases": ["a"],
                 "price_history": [{"date": "2026-01-01", "price": 1}],
                 "substantiated_claims": ["x"], "sold": 1.5})"),
          GC_ERROR_INVALID, {"products[2] (sku \"C\")", "sold"}));
}

/* --- errors: malformed input ------------------------------------------- */

TEST (CatalogErrors, MalformedJsonHasLineAndColumn)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load ("{\n  \"schema\": \"x\",\n"
      "  \"products\": [1,,]\n}\n", &error);

  ASSERT_EQ (catalog, nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_PARSE));
  EXPECT_TRUE (g_regex_match_simple ("^products\\.json:3:[0-9]+: malformed "
          "JSON: .+", error->message, (GRegexCompileFlags) 0,
          (GRegexMatchFlags) 0)) << error->message;
  EXPECT_EQ (strstr (error->message, "<data>"), nullptr) << error->message;

  g_clear_error (&error);
  g_autoptr (GcCatalog) c2 = load ("{\"schema\": \"x\",\n\n     \"products\""
      ": [}", &error);
  ASSERT_EQ (c2, nullptr);
  EXPECT_TRUE (g_str_has_prefix (error->message, "products.json:3:")) <<
      error->message;

  for (const char *bad : {"{", "{\"schema\": }", "{\"a\": tru}",
          "{\"a\": 1} x", "{\"a\" 1}", "{\"a\": \"unterminated"}) {
    g_clear_error (&error);
    g_autoptr (GcCatalog) c = load (bad, &error);
    ASSERT_EQ (c, nullptr) << bad;
    EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_PARSE)) << bad;
    EXPECT_TRUE (g_regex_match_simple ("^products\\.json:[0-9]+:[0-9]+: "
            "malformed JSON: ", error->message, (GRegexCompileFlags) 0,
            (GRegexMatchFlags) 0)) << error->message;
  }
}

TEST (CatalogErrors, NonUtf8AndNulBytes)
{
  g_autoptr (GError) error = NULL;
  std::string latin1 = "{\"schema\": \"gst-compliance-catalog/1\",\n"
      " \"products\": [{\"sku\": \"A\", \"name\": \"caf\xe9\", \"price\": 1}]}";

  g_autoptr (GcCatalog) c1 = load (latin1, &error);
  ASSERT_EQ (c1, nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_PARSE));
  EXPECT_TRUE (g_utf8_validate (error->message, -1, NULL));
  EXPECT_TRUE (g_str_has_prefix (error->message, "products.json:2:"))
      << error->message;
  EXPECT_NE (strstr (error->message, "UTF-8"), nullptr) << error->message;

  g_clear_error (&error);
  const char nul_bytes[] = "{\"schema\": \"gst-compliance-catalog/1\"\0}";
  std::string with_nul (nul_bytes, sizeof (nul_bytes) - 1);
  g_autoptr (GcCatalog) c2 = load (with_nul, &error);
  ASSERT_EQ (c2, nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_PARSE));
  EXPECT_NE (strstr (error->message, "NUL"), nullptr) << error->message;

  /* A UTF-16 file, as some editors on Windows save it. */
  g_clear_error (&error);
  std::string utf16 ("\xff\xfe{\0}\0", 6);
  g_autoptr (GcCatalog) c3 = load (utf16, &error);
  ASSERT_EQ (c3, nullptr);
  EXPECT_TRUE (g_str_has_prefix (error->message, "products.json:1:1: "))
      << error->message;

  /* A lone surrogate escape decodes to no valid UTF-8. */
  g_clear_error (&error);
  g_autoptr (GcCatalog) c4 = load (catalog_with (
          R"({"sku": "\ud800", "name": "x", "price": 1})"), &error);
  ASSERT_EQ (c4, nullptr);
  EXPECT_TRUE (g_utf8_validate (error->message, -1, NULL));
}

TEST (CatalogErrors, HostileStructure)
{
  /* json-glib's parser recurses per level: this would blow the stack. */
  std::string deep (200000, '[');
  EXPECT_TRUE (fails_with (deep, GC_ERROR_PARSE, {"products.json:1:257: ",
              "nested"}));
  std::string deep_unknown = catalog_with ("", ", \"x\": " +
      std::string (300, '{'));
  EXPECT_TRUE (fails_with (deep_unknown, GC_ERROR_PARSE, {"nested"}));
  /* Brackets inside strings are content, not nesting. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) ok = load (catalog_with ("{\"sku\": \"" +
          std::string (1000, '[') + "\", \"name\": \"n\", \"price\": 1}"),
      &error);
  EXPECT_NE (ok, nullptr) << error->message;

  /* json-glib would silently wrap these to negative numbers. */
  EXPECT_TRUE (fails_with (catalog_with (
              R"({"sku": "S", "name": "a", "price": 99999999999999999999999})"),
          GC_ERROR_PARSE, {"products.json:1:", "integer too large"}));
  EXPECT_TRUE (fails_with (catalog_with (
              R"({"sku": "S", "name": "a", "price": 1, "sold": 9223372036854775808})"),
          GC_ERROR_PARSE, {"integer too large"}));
  g_autoptr (GcCatalog) big = load (catalog_with (
          R"({"sku": "S", "name": "a", "price": 1, "sold": 9223372036854775807})"),
      &error);
  ASSERT_NE (big, nullptr) << error->message;
  EXPECT_EQ (gc_catalog_find (big, "S")->sold, G_MAXINT64);
}

/* --- files ------------------------------------------------------------- */

class CatalogFile:public::testing::Test
{
protected:
  void SetUp () override
  {
    g_autoptr (GError) error = NULL;
    dir = g_dir_make_tmp ("test-catalog-XXXXXX", &error);
    ASSERT_NE (dir, nullptr) << error->message;
  }

  void TearDown () override
  {
    for (const auto & f:files)
      g_remove (f.c_str ());
    g_rmdir (dir);
    g_free (dir);
  }

  std::string write (const char *name, const std::string & content)
  {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_autoptr (GError) error = NULL;
    EXPECT_TRUE (g_file_set_contents (path, content.data (),
            (gssize) content.size (), &error));
    files.push_back (path);
    return path;
  }

  gchar *dir = nullptr;
  std::vector < std::string > files;
};

TEST_F (CatalogFile, LoadsAndRecordsPath)
{
  std::string path = write ("ok.json", kProductExample);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path.c_str (),
      &error);

  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_STREQ (catalog->path, path.c_str ());
  EXPECT_EQ (catalog->products->len, 1u);
}

TEST_F (CatalogFile, ErrorsStartWithThePath)
{
  std::string path = write ("bad.json", catalog_with (
          R"({"sku": "A1001", "name": "c", "price": -5})"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path.c_str (),
      &error);

  ASSERT_EQ (catalog, nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_INVALID));
  EXPECT_EQ (std::string (error->message), path + ": products[0] (sku "
      "\"A1001\"): field \"price\": must be a number >= 0, got -5");

  std::string malformed = write ("malformed.json", "{\n\n  \"a\": ]\n}");
  g_clear_error (&error);
  g_autoptr (GcCatalog) c2 = gc_catalog_load_file (malformed.c_str (),
      &error);
  ASSERT_EQ (c2, nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_PARSE));
  EXPECT_TRUE (g_str_has_prefix (error->message, (malformed + ":3:").c_str ()))
      << error->message;

  std::string empty = write ("empty.json", "");
  g_clear_error (&error);
  g_autoptr (GcCatalog) c3 = gc_catalog_load_file (empty.c_str (), &error);
  ASSERT_EQ (c3, nullptr);
  EXPECT_TRUE (g_str_has_prefix (error->message, (empty + ": ").c_str ()));
  EXPECT_NE (strstr (error->message, "empty"), nullptr) << error->message;
}

TEST_F (CatalogFile, NonUtf8FileName)
{
  /* Latin-1 "café.json": the path is kept as is, messages stay UTF-8. */
  std::string path = write ("caf\xe9.json", catalog_with (
          R"({"sku": "A", "name": "", "price": 1})"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path.c_str (),
      &error);

  ASSERT_EQ (catalog, nullptr);
  EXPECT_TRUE (g_utf8_validate (error->message, -1, NULL)) << error->message;
  EXPECT_NE (strstr (error->message, "products[0] (sku \"A\")"), nullptr);

  std::string good = write ("ok\xe9.json", kProductExample);
  g_autoptr (GcCatalog) c2 = gc_catalog_load_file (good.c_str (), NULL);
  ASSERT_NE (c2, nullptr);
  EXPECT_STREQ (c2->path, good.c_str ());

  g_clear_error (&error);
  g_autoptr (GcCatalog) c3 = gc_catalog_load_data ("[]", -1, "bad\xff name",
      &error);
  ASSERT_EQ (c3, nullptr);
  EXPECT_TRUE (g_utf8_validate (error->message, -1, NULL)) << error->message;
}

TEST_F (CatalogFile, NotFound)
{
  g_autofree gchar *path = g_build_filename (dir, "missing.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path, &error);

  ASSERT_EQ (catalog, nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_IO));
  EXPECT_TRUE (g_str_has_prefix (error->message, path)) << error->message;
  EXPECT_NE (strstr (error->message, g_strerror (ENOENT)), nullptr) <<
      error->message;
}

TEST_F (CatalogFile, Directory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (dir, &error);

  ASSERT_EQ (catalog, nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_IO));
  EXPECT_TRUE (g_str_has_prefix (error->message, dir)) << error->message;
}

TEST_F (CatalogFile, OversizedIsRefused)
{
  /* Sparse: the loader must refuse it from its size, not by reading it. */
  g_autofree gchar *path = g_build_filename (dir, "huge.json", NULL);
  FILE *f = g_fopen (path, "wb");
  ASSERT_NE (f, nullptr);
  ASSERT_EQ (fseek (f, 16 * 1024 * 1024, SEEK_SET), 0);
  ASSERT_EQ (fputc ('}', f), '}');
  fclose (f);
  files.push_back (path);

  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (path, &error);
  ASSERT_EQ (catalog, nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_IO));
  EXPECT_TRUE (g_str_has_prefix (error->message, path)) << error->message;
  EXPECT_NE (strstr (error->message, "16 MiB"), nullptr) << error->message;
  EXPECT_NE (strstr (error->message, "16777217"), nullptr) << error->message;

  /* Exactly at the limit is read (and then rejected as JSON, not size). */
  std::string at_limit (16 * 1024 * 1024, ' ');
  at_limit[0] = '[';
  at_limit[at_limit.size () - 1] = ']';
  std::string limit_path = write ("limit.json", at_limit);
  g_clear_error (&error);
  g_autoptr (GcCatalog) c2 = gc_catalog_load_file (limit_path.c_str (),
      &error);
  ASSERT_EQ (c2, nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_INVALID))
      << error->message;

  /* The same limit applies to memory. */
  g_clear_error (&error);
  std::string big (16 * 1024 * 1024 + 1, ' ');
  g_autoptr (GcCatalog) c3 = gc_catalog_load_data (big.data (),
      (gssize) big.size (), "big.json", &error);
  ASSERT_EQ (c3, nullptr);
  EXPECT_TRUE (g_str_has_prefix (error->message, "big.json: ")) <<
      error->message;
  EXPECT_NE (strstr (error->message, "16 MiB"), nullptr) << error->message;
}

/* --- queries ----------------------------------------------------------- */

TEST (Catalog, Find)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcCatalog) catalog = load (catalog_with (kTwoProducts), &error);
  ASSERT_NE (catalog, nullptr) << error->message;

  const GcProduct *a = gc_catalog_find (catalog, "A1001");
  ASSERT_NE (a, nullptr);
  EXPECT_STREQ (a->name, "Cup");
  EXPECT_STREQ (gc_catalog_find (catalog, "B2002")->name, "Rice");
  EXPECT_EQ (gc_catalog_find (catalog, "a1001"), nullptr);
  EXPECT_EQ (gc_catalog_find (catalog, "Z9"), nullptr);
  EXPECT_EQ (gc_catalog_find (catalog, ""), nullptr);
  EXPECT_EQ (gc_catalog_find (catalog, NULL), nullptr);
}

TEST (Catalog, ScheduledAtBoundaries)
{
  g_autoptr (GError) error = NULL;
  /* Listed out of order, with a gap between 60 and 75. */
  g_autoptr (GcCatalog) catalog = load (catalog_with (std::string (
              kTwoProducts) + R"(, {"sku": "C3", "name": "c", "price": 1})",
          R"(, "schedule": [
            {"sku": "C3", "start": 75, "end": 90.5},
            {"sku": "A1001", "start": 0, "end": 30},
            {"sku": "B2002", "start": 30, "end": 60}])"), &error);
  ASSERT_NE (catalog, nullptr) << error->message;

  ASSERT_EQ (catalog->schedule->len, 3u);
  const GcScheduleEntry *s = (const GcScheduleEntry *) catalog->schedule->data;
  EXPECT_STREQ (s[0].sku, "A1001");
  EXPECT_STREQ (s[1].sku, "B2002");
  EXPECT_STREQ (s[2].sku, "C3");
  EXPECT_DOUBLE_EQ (s[2].end, 90.5);

  const GcProduct *a = gc_catalog_find (catalog, "A1001");
  const GcProduct *b = gc_catalog_find (catalog, "B2002");
  const GcProduct *c = gc_catalog_find (catalog, "C3");

  EXPECT_EQ (gc_catalog_scheduled_at (catalog, -0.001), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 0.0), a);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 29.999), a);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 30.0), b);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 59.999), b);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 60.0), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 74.999), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 75.0), c);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 90.4999), c);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 90.5), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, 1e9), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, NAN), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, INFINITY), nullptr);
  EXPECT_EQ (gc_catalog_scheduled_at (catalog, -INFINITY), nullptr);
}

TEST (Catalog, Refcount)
{
  g_autoptr (GError) error = NULL;
  GcCatalog *catalog = load (catalog_with (kTwoProducts), &error);
  ASSERT_NE (catalog, nullptr) << error->message;
  EXPECT_EQ (g_atomic_int_get (&catalog->ref_count), 1);

  GcCatalog *second = gc_catalog_ref (catalog);
  EXPECT_EQ (second, catalog);
  EXPECT_EQ (g_atomic_int_get (&catalog->ref_count), 2);

  gc_catalog_unref (catalog);
  /* Still alive: the other reference keeps it. */
  EXPECT_STREQ (gc_catalog_find (second, "A1001")->name, "Cup");
  EXPECT_EQ (g_atomic_int_get (&second->ref_count), 1);
  gc_catalog_unref (second);

  gc_catalog_unref (NULL);
}

TEST (Catalog, RefcountAcrossThreads)
{
  g_autoptr (GError) error = NULL;
  GcCatalog *catalog = load (catalog_with (kTwoProducts), &error);
  ASSERT_NE (catalog, nullptr) << error->message;

  auto worker = [](gpointer data) -> gpointer {
    GcCatalog *c = (GcCatalog *) data;
    for (int i = 0; i < 10000; i++) {
      gc_catalog_ref (c);
      gc_catalog_unref (c);
    }
    return NULL;
  };
  GThread *threads[4];
  for (auto & t:threads)
    t = g_thread_new ("ref", worker, catalog);
  for (auto & t:threads)
    g_thread_join (t);
  EXPECT_EQ (g_atomic_int_get (&catalog->ref_count), 1);
  gc_catalog_unref (catalog);
}

TEST (Catalog, CategoryStrings)
{
  const struct
  {
    GcCategory c;
    const char *s;
  } all[] = {
    {GC_CATEGORY_GENERAL, "general"}, {GC_CATEGORY_FOOD, "food"},
    {GC_CATEGORY_COSMETICS, "cosmetics"}, {GC_CATEGORY_HEALTH, "health"},
    {GC_CATEGORY_DRUG, "drug"}, {GC_CATEGORY_PROHIBITED, "prohibited"},
    {GC_CATEGORY_HEALTH_FOOD, "health_food"},
    {GC_CATEGORY_OTC_DRUG, "otc_drug"}, {GC_CATEGORY_RX_DRUG, "rx_drug"},
    {GC_CATEGORY_MEDICAL_DEVICE, "medical_device"},
  };
  ASSERT_EQ (G_N_ELEMENTS (all), (gsize) GC_N_CATEGORIES);

  for (const auto & e:all) {
    /* Drugs and devices may state medical effects (Ad Law art. 17). */
    EXPECT_EQ (gc_category_is_medical (e.c), e.c == GC_CATEGORY_DRUG
        || e.c == GC_CATEGORY_OTC_DRUG || e.c == GC_CATEGORY_RX_DRUG
        || e.c == GC_CATEGORY_MEDICAL_DEVICE) << e.s;
    EXPECT_STREQ (gc_category_to_string (e.c), e.s);
    GcCategory out = GC_CATEGORY_PROHIBITED;
    EXPECT_TRUE (gc_category_from_string (e.s, &out));
    EXPECT_EQ (out, e.c);
  }
  EXPECT_TRUE (gc_category_from_string ("food", NULL));
  GcCategory out = GC_CATEGORY_DRUG;
  EXPECT_FALSE (gc_category_from_string ("toys", &out));
  EXPECT_EQ (out, GC_CATEGORY_DRUG) << "untouched on failure";
  EXPECT_FALSE (gc_category_from_string ("", &out));
  EXPECT_FALSE (gc_category_from_string ("Food", &out));
  EXPECT_FALSE (gc_category_from_string (NULL, &out));
}

/* --- allowed reference price ------------------------------------------ */

class AllowedReference:public::testing::Test
{
protected:
  /* One product with @history (JSON array) and optionally a reference. */
  const GcProduct *product (const std::string & history,
      const char *reference = nullptr)
  {
    std::string p = "{\"sku\": \"A1\", \"name\": \"Cup\", \"price\": 99, "
        "\"price_history\": " + history;
    if (reference)
      p += std::string (", \"reference_price\": ") + reference;
    p += "}";
    g_autoptr (GError) error = NULL;
    g_clear_pointer (&catalog, gc_catalog_unref);
    catalog = load (catalog_with (p), &error);
    EXPECT_NE (catalog, nullptr) << error->message;
    return catalog ? gc_catalog_find (catalog, "A1") : nullptr;
  }

  void TearDown () override
  {
    g_clear_pointer (&catalog, gc_catalog_unref);
  }

  GcCatalog *catalog = nullptr;
  /* CN: the window is 2026-11-23 .. 2026-11-29; EU: 2026-10-31 .. 11-29. */
  GDate stream = make_date (2026, 11, 30);
};

TEST_F (AllowedReference, WithoutHistoryUsesReferencePrice)
{
  const GcProduct *p = product ("[]", "129");
  gdouble out = -1;

  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);
  EXPECT_TRUE (gc_product_allowed_reference (p, NULL, 7, &out));
  EXPECT_TRUE (gc_product_allowed_reference (p, &stream, 7, NULL));

  p = product ("[]");
  out = -1;
  EXPECT_FALSE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, -1) << "untouched when FALSE";
}

TEST_F (AllowedReference, CnSevenDayWindow)
{
  /* Before the window (superseded), in effect at the window start, inside
   * the window, on the stream day, after it. */
  const char *history = R"([
      {"date": "2026-11-01", "price": 50},
      {"date": "2026-11-20", "price": 129},
      {"date": "2026-11-25", "price": 139},
      {"date": "2026-11-30", "price": 10},
      {"date": "2026-12-05", "price": 5}])";
  const GcProduct *p = product (history, "200");
  gdouble out = 0;

  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);

  /* A lower price inside the window wins over the one at its start. */
  p = product (R"([
      {"date": "2026-11-20", "price": 129},
      {"date": "2026-11-25", "price": 119},
      {"date": "2026-11-27", "price": 139}])", "200");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 119.0);
}

TEST_F (AllowedReference, WindowEdges)
{
  gdouble out = 0;

  /* Dated exactly on the first day of the window: in effect there, and the
   * cheaper earlier price is superseded before the window starts. */
  const GcProduct *p = product (R"([
      {"date": "2026-11-10", "price": 50},
      {"date": "2026-11-23", "price": 129}])");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);

  /* One day earlier, the cheap price is still in effect on day one. */
  p = product (R"([
      {"date": "2026-11-10", "price": 50},
      {"date": "2026-11-24", "price": 129}])");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 50.0);

  /* The last day of the window counts; the stream day does not. */
  p = product (R"([
      {"date": "2026-11-01", "price": 129},
      {"date": "2026-11-29", "price": 100},
      {"date": "2026-11-30", "price": 1}])");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 100.0);

  /* Only an entry inside the window, none before it. */
  p = product (R"([{"date": "2026-11-28", "price": 120}])", "300");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 120.0);
}

TEST_F (AllowedReference, EuThirtyDayWindow)
{
  const char *history = R"([
      {"date": "2026-09-01", "price": 80},
      {"date": "2026-10-15", "price": 149},
      {"date": "2026-11-05", "price": 129},
      {"date": "2026-11-20", "price": 159}])";
  const GcProduct *p = product (history, "159");
  gdouble out = 0;

  /* EU: 10-31 .. 11-29: 149 in effect at the start, 129 and 159 inside. */
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 30, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);
  /* CN on the same history: 11-23 .. 11-29 only sees 159. */
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 159.0);
  /* A 90-day window reaches back to the 80 of September. */
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 90, &out));
  EXPECT_DOUBLE_EQ (out, 80.0);
  /* Across a year boundary and with an absurd window. */
  GDate jan = make_date (2027, 1, 3);
  ASSERT_TRUE (gc_product_allowed_reference (p, &jan, 30, &out));
  EXPECT_DOUBLE_EQ (out, 159.0);
  ASSERT_TRUE (gc_product_allowed_reference (p, &jan, G_MAXUINT, &out));
  EXPECT_DOUBLE_EQ (out, 80.0);
}

TEST_F (AllowedReference, FallsBackWhenHistoryDoesNotCoverWindow)
{
  /* Everything is dated on or after the stream day. */
  const char *later = R"([
      {"date": "2026-11-30", "price": 90},
      {"date": "2026-12-10", "price": 80}])";
  const GcProduct *p = product (later, "129");
  gdouble out = 0;

  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);

  p = product (later);
  EXPECT_FALSE (gc_product_allowed_reference (p, &stream, 7, &out));

  /* No window, or no stream date: the history cannot be applied. */
  p = product (R"([{"date": "2026-11-01", "price": 90}])", "129");
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 0, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);
  ASSERT_TRUE (gc_product_allowed_reference (p, NULL, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);
  GDate invalid;
  g_date_clear (&invalid, 1);
  ASSERT_TRUE (gc_product_allowed_reference (p, &invalid, 7, &out));
  EXPECT_DOUBLE_EQ (out, 129.0);

  /* History applies even when a higher reference_price is declared. */
  ASSERT_TRUE (gc_product_allowed_reference (p, &stream, 7, &out));
  EXPECT_DOUBLE_EQ (out, 90.0);
}
