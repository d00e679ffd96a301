/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the catalog loader.
 *
 * Feeds arbitrary bytes to gc_catalog_load_data.  Beyond "does not crash",
 * it checks what the loader promises: an error has a clean message that
 * starts with the name, and a loaded catalog satisfies every invariant the
 * rest of the plugin relies on (sorted disjoint schedule, sorted unique
 * history, finite non-negative prices).  A broken promise aborts, which
 * libFuzzer reports like a crash. */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gc-catalog.h"
#include "gc-error.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define NAME "fuzz.json"

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) { \
      g_printerr ("fuzz_catalog: invariant failed: %s (%s:%d)\n", #cond, \
          __FILE__, __LINE__); \
      abort (); \
    } \
  } G_STMT_END

static gboolean
valid_amount (gdouble v)
{
  return isfinite (v) && v >= 0;
}

static void
check_product (const GcCatalog * catalog, const GcProduct * p)
{
  static const guint windows[] = { 0, 1, 7, 30, 90, G_MAXUINT };
  GDate fallback;
  const GDate *dates[3];
  guint i, w, d;

  CHECK (p->sku && p->sku[0] && g_utf8_validate (p->sku, -1, NULL));
  CHECK (p->name && p->name[0] && g_utf8_validate (p->name, -1, NULL));
  CHECK (p->aliases && p->substantiated_claims && p->price_history);
  CHECK (valid_amount (p->price));
  CHECK (!p->has_reference_price || valid_amount (p->reference_price));
  CHECK (!p->has_msrp || valid_amount (p->msrp));
  CHECK (p->transactions != NULL);
  for (i = 0; i < p->transactions->len; i++) {
    const GcPricePoint *pt = &g_array_index (p->transactions, GcPricePoint,
        i);

    CHECK (g_date_valid (&pt->date));
    CHECK (valid_amount (pt->price));
    /* Sorted; a day may hold several sales. */
    if (i > 0)
      CHECK (g_date_compare (&(pt - 1)->date, &pt->date) <= 0);
  }
  CHECK (!p->has_sold || p->sold >= 0);
  CHECK (gc_category_to_string (p->category) != NULL);
  CHECK ((guint) p->category < GC_N_CATEGORIES);
  /* Given, an approval number is a non-empty string. */
  CHECK (p->ad_approval == NULL || (p->ad_approval[0] != '\0'
          && g_utf8_validate (p->ad_approval, -1, NULL)));
  CHECK (gc_catalog_find (catalog, p->sku) == p);

  for (i = 0; i < p->price_history->len; i++) {
    const GcPricePoint *pt = &g_array_index (p->price_history, GcPricePoint,
        i);

    CHECK (g_date_valid (&pt->date));
    CHECK (valid_amount (pt->price));
    if (i > 0)
      CHECK (g_date_compare (&(pt - 1)->date, &pt->date) < 0);
  }

  /* The stream date if given, else days around the history's edges. */
  g_date_clear (&fallback, 1);
  g_date_set_dmy (&fallback, 1, G_DATE_JANUARY, 2027);
  dates[0] = catalog->has_stream_date ? &catalog->stream_date : &fallback;
  dates[1] = p->price_history->len ? &g_array_index (p->price_history,
      GcPricePoint, 0).date : &fallback;
  dates[2] = p->price_history->len ? &g_array_index (p->price_history,
      GcPricePoint, p->price_history->len - 1).date : NULL;

  for (d = 0; d < G_N_ELEMENTS (dates); d++) {
    for (w = 0; w < G_N_ELEMENTS (windows); w++) {
      gdouble allowed = -1;

      GcReferenceBasis basis;

      if (gc_product_allowed_reference (p, dates[d], windows[w], &allowed)) {
        CHECK (valid_amount (allowed));
      } else {
        CHECK (!p->has_reference_price);
        CHECK (allowed == -1);
      }
      for (gint by_tx = 0; by_tx < 4; by_tx++) {
        /* 0, 1: offered prices, transactions; 2, 3: the same with a
         * substantial period (at most the window). */
        guint period = by_tx >= 2 ? MIN (windows[w], 28u) : 0;

        if (gc_product_reference_basis (p, dates[d], windows[w], by_tx & 1,
                period, &basis)) {
          CHECK (valid_amount (basis.price));
          CHECK (basis.source != GC_REFERENCE_NONE);
          CHECK (basis.source != GC_REFERENCE_TRANSACTIONS
              || basis.count > 0);
          /* A transaction bound is one of the sales. */
          if (basis.source == GC_REFERENCE_TRANSACTIONS
              || basis.source == GC_REFERENCE_LAST_TRANSACTION) {
            gboolean one = FALSE;
            for (i = 0; i < p->transactions->len; i++)
              one |= g_array_index (p->transactions, GcPricePoint,
                  i).price == basis.price;
            CHECK (one);
          }
          /* An offered bound is one of the offered prices. */
          if (basis.source == GC_REFERENCE_OFFERED) {
            gboolean one = FALSE;
            for (i = 0; i < p->price_history->len; i++)
              one |= g_array_index (p->price_history, GcPricePoint,
                  i).price == basis.price;
            CHECK (one && basis.needed == period);
            CHECK (basis.count == 0 || basis.count >= period);
          }
        } else
          CHECK (basis.source == GC_REFERENCE_NONE);

        /* A stated day: that day's sales or offer, or the plain basis. */
        if (gc_product_stated_basis (p, dates[d], 1 + (w * 5) % 12,
                1 + (d * 11 + w) % 31, windows[w], by_tx & 1, period,
                &basis)) {
          CHECK (valid_amount (basis.price));
          CHECK (basis.source != GC_REFERENCE_NONE);
          if (basis.source == GC_REFERENCE_STATED) {
            CHECK (g_date_valid (&basis.day));
            CHECK (g_date_compare (&basis.day, dates[d]) <= 0);
            CHECK (basis.count == 0 || p->transactions->len > 0);
          }
        } else
          CHECK (basis.source == GC_REFERENCE_NONE);
      }
    }
  }

  /* Gifts: named, at least one, a price like any other. */
  for (i = 0; i < p->gifts->len; i++) {
    const GcGift *g = &g_array_index (p->gifts, GcGift, i);

    CHECK (g->name != NULL && g->name[0] != '\0'
        && g_utf8_validate (g->name, -1, NULL));
    CHECK (g->quantity >= 1);
    CHECK (!g->has_price || valid_amount (g->price));
  }
}

static void
check_catalog (const GcCatalog * catalog)
{
  static const gdouble probes[] = { -1.0, 0.0, 0.5, 30.0, 1e9, NAN,
    INFINITY
  };
  guint i;

  CHECK (g_atomic_int_get (&catalog->ref_count) == 1);
  CHECK (catalog->path && strcmp (catalog->path, NAME) == 0);
  CHECK (!catalog->jurisdiction || strcmp (catalog->jurisdiction, "CN") == 0
      || strcmp (catalog->jurisdiction, "EU") == 0
      || strcmp (catalog->jurisdiction, "US") == 0);
  CHECK (!catalog->currency || strlen (catalog->currency) == 3);
  CHECK (!catalog->has_stream_date || g_date_valid (&catalog->stream_date));

  for (i = 0; i < catalog->warnings->len; i++) {
    const gchar *w = g_ptr_array_index (catalog->warnings, i);

    CHECK (g_str_has_prefix (w, NAME ": ") && g_utf8_validate (w, -1, NULL));
  }

  for (i = 0; i < catalog->products->len; i++)
    check_product (catalog, g_ptr_array_index (catalog->products, i));

  CHECK (gc_catalog_find (catalog, "") == NULL);

  for (i = 0; i < catalog->schedule->len; i++) {
    const GcScheduleEntry *e =
        &g_array_index (catalog->schedule, GcScheduleEntry, i);
    const GcProduct *p = gc_catalog_find (catalog, e->sku);
    gdouble mid;

    CHECK (p != NULL);
    CHECK (valid_amount (e->start) && isfinite (e->end) && e->start < e->end);
    if (i > 0)
      CHECK ((e - 1)->end <= e->start);

    /* [start, end): the entry's product at both ends inside, not at end
     * unless the next entry starts there. */
    CHECK (gc_catalog_scheduled_at (catalog, e->start) == p);
    mid = e->start + (e->end - e->start) / 2;
    /* Adjacent doubles have no midpoint: it rounds onto the end. */
    if (mid < e->end)
      CHECK (gc_catalog_scheduled_at (catalog, mid) == p);
    if (i + 1 == catalog->schedule->len
        || (e + 1)->start > e->end)
      CHECK (gc_catalog_scheduled_at (catalog, e->end) == NULL);
  }

  for (i = 0; i < G_N_ELEMENTS (probes); i++)
    (void) gc_catalog_scheduled_at (catalog, probes[i]);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean initialised = FALSE;
  GError *error = NULL;
  GcCatalog *catalog;

  if (!initialised) {
    /* A critical is a contract broken inside the loader: make it a crash
     * libFuzzer can see. */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    initialised = TRUE;
  }

  catalog = gc_catalog_load_data ((const gchar *) data, (gssize) size, NAME,
      &error);
  if (catalog == NULL) {
    CHECK (error != NULL && error->domain == GC_ERROR);
    CHECK (g_str_has_prefix (error->message, NAME));
    CHECK (g_utf8_validate (error->message, -1, NULL));
    g_error_free (error);
    return 0;
  }

  CHECK (error == NULL);
  check_catalog (catalog);
  gc_catalog_ref (catalog);
  gc_catalog_unref (catalog);
  gc_catalog_unref (catalog);
  return 0;
}
