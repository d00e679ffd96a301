/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: from one OCR'd line to typed facts.
 *
 * Input is what the OCR engine reports for one line: its text, its box in
 * frame pixels, a confidence and whether the line was struck through.
 * Output is the list of facts found on it.  Prices and sales figures need
 * no context; ad labels, absolute terms and medical claims come from the
 * rule pack's lists; product names from the catalog.  GLib only. */
#pragma once

#include <glib.h>
#include "gc-catalog.h"
#include "gc-rulepack.h"

G_BEGIN_DECLS

typedef struct
{
  gint x, y, w, h;
} GcBox;

typedef struct
{
  const gchar *text;            /* UTF-8 (invalid bytes tolerated) */
  GcBox box;
  gdouble confidence;           /* 0..1 */
  gboolean struck;              /* a strike-through stroke was found on it */
} GcLine;

typedef enum
{
  GC_FACT_PRICE,                /* current selling price */
  GC_FACT_REFERENCE_PRICE,      /* "original"/"was"/struck-through price */
  GC_FACT_SALES,                /* sales or popularity figure */
  GC_FACT_AD_LABEL,             /* a word that counts as a disclosure */
  GC_FACT_ABSOLUTE_TERM,
  GC_FACT_MEDICAL_CLAIM,
  GC_FACT_PRODUCT_NAME,         /* a catalog name or alias */
  GC_FACT_STATEMENT,            /* a statement the pack requires for a category */
  GC_FACT_AUDIENCE,             /* a viewer, like or follower figure (3.2万人在看) */
  GC_FACT_GIFT,                 /* a gift offered with the product (赠品, 送, free gift) */
} GcFactKind;

const gchar *gc_fact_kind_to_string (GcFactKind kind);

typedef struct
{
  GcFactKind kind;
  /* PRICE / REFERENCE_PRICE: the amount; SALES and AUDIENCE: the count
   * (10万+ -> 100000). */
  gdouble value;
  /* PRICE / REFERENCE_PRICE: "CNY", "USD", "EUR" or NULL when no currency
   * was shown (a bare number after 到手价 etc.). */
  gchar *currency;
  /* Canonical text of what was read: "¥89.00", "$19.99", "已售10万+",
   * the term as it stands in the pack, the product name. */
  gchar *text;
  /* PRODUCT_NAME: the sku.  ABSOLUTE_TERM / MEDICAL_CLAIM: the pack term.
   * REFERENCE_PRICE: "msrp" when the line labels it the manufacturer's
   * suggested retail price (厂商建议零售价, MSRP, RRP, UVP); "date:MM-DD"
   * when it states the day it was the price of ("7月1日成交价 ¥199":
   * "date:07-01", SAMR order 56 art. 16 para. 2: a compared price with
   * its details stated is judged by what it states); else NULL.
   * STATEMENT: the category it is required for ("health_food").
   * AUDIENCE: what is counted, "viewers", "likes" or "followers".
   * GIFT: "same" for "买一送一" (the gift is the product itself), else
   * NULL; its text is the whole line, folded (gc_text_fold), for the
   * rules to find the gift's name in. */
  gchar *key;
  /* GIFT: the quantity shown (赠 保温杯 1个, ×2), 0 when none. */
  gint64 quantity;
  /* GIFT: a value is shown for it (价值¥199, worth $50) in value and
   * currency. */
  gboolean has_value;
  GcBox box;
  gdouble confidence;
} GcFact;

void gc_fact_free (GcFact *fact);
GcFact *gc_fact_copy (const GcFact *fact);

/* Format an amount with its currency the way reports show it: CNY
 * "¥99.00", USD "$99.00", EUR "€99.00", other ISO codes "GBP 99.00", NULL
 * currency "99.00". */
gchar *gc_format_price (gdouble value, const gchar *currency);

/* Parse one line.  @pack and @catalog may be NULL (their facts are then not
 * looked for).  Returns a GPtrArray of GcFact* owning its elements; never NULL. */
GPtrArray *gc_facts_parse_line (const GcLine *line, const GcRulePack *pack,
    const GcCatalog *catalog);

G_END_DECLS
