/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the facts parser.
 *
 * Feeds arbitrary bytes as one OCR'd line to gc_facts_parse_line, plain and
 * struck through, with the shipped cn rule pack and a small in-memory
 * catalog (CNY or USD, picked by the input's length, so that the
 * catalog-guided "$ read as 5" repair runs too).  Beyond "does not crash",
 * it checks what the parser promises: every fact carries the line's box and
 * confidence, valid UTF-8 text, a finite non-negative value, and a price's
 * text is gc_format_price of its value.  A broken promise aborts, which
 * libFuzzer reports like a crash. */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gc-catalog.h"
#include "gc-facts.h"
#include "gc-rulepack.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) { \
      g_printerr ("fuzz_facts: invariant failed: %s (%s:%d)\n", #cond, \
          __FILE__, __LINE__); \
      abort (); \
    } \
  } G_STMT_END

static const char catalog_cny[] =
    "{\"schema\": \"gst-compliance-catalog/1\", \"currency\": \"CNY\","
    " \"products\": ["
    "{\"sku\": \"A1001\", \"name\": \"保温杯\","
    " \"aliases\": [\"保温杯 500ml\", \"thermos\"], \"price\": 99,"
    " \"reference_price\": 129, \"category\": \"general\"},"
    "{\"sku\": \"B2002\", \"name\": \"无线蓝牙耳机\", \"price\": 199,"
    " \"category\": \"general\"}]}";

static const char catalog_usd[] =
    "{\"schema\": \"gst-compliance-catalog/1\", \"currency\": \"USD\","
    " \"products\": ["
    "{\"sku\": \"B100\", \"name\": \"Thermo Bottle\", \"price\": 19.99,"
    " \"reference_price\": 29.99, \"category\": \"general\"},"
    "{\"sku\": \"C200\", \"name\": \"Glow Serum\", \"price\": 24,"
    " \"category\": \"cosmetics\"}]}";

/* Loaded once and kept for the process: reachable, so not a leak. */
static GcRulePack *pack;
static GcCatalog *catalogs[2];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* Without the pack or a catalog the parser still runs; their facts are
   * just not looked for. */
  pack = gc_rulepack_load ("cn", NULL, NULL);
  if (pack == NULL)
    g_printerr ("fuzz_facts: cn pack not loaded (set "
        "GST_COMPLIANCE_MODELS_DIR); fuzzing without it\n");
  catalogs[0] = gc_catalog_load_data (catalog_cny, -1, "fuzz-cny", NULL);
  catalogs[1] = gc_catalog_load_data (catalog_usd, -1, "fuzz-usd", NULL);
  return 0;
}

static void
check_fact (const GcFact * f, const GcLine * line)
{
  CHECK (f != NULL);
  CHECK (f->box.x == line->box.x && f->box.y == line->box.y);
  CHECK (f->box.w == line->box.w && f->box.h == line->box.h);
  CHECK (f->confidence == line->confidence);
  CHECK (isfinite (f->value) && f->value >= 0);
  CHECK (f->text != NULL && g_utf8_validate (f->text, -1, NULL));
  CHECK (strcmp (gc_fact_kind_to_string (f->kind), "unknown") != 0);

  switch (f->kind) {
    case GC_FACT_PRICE:
    case GC_FACT_REFERENCE_PRICE:{
      g_autofree gchar *formatted = gc_format_price (f->value, f->currency);
      CHECK (f->currency == NULL || strlen (f->currency) == 3);
      CHECK (strcmp (formatted, f->text) == 0);
      /* A reference price the line labels as the MSRP is keyed "msrp". */
      CHECK (f->key == NULL || (f->kind == GC_FACT_REFERENCE_PRICE
              && (strcmp (f->key, "msrp") == 0
                  || (strncmp (f->key, "date:", 5) == 0
                      && strlen (f->key) == 10))));
      break;
    }
    case GC_FACT_SALES:
      CHECK (f->currency == NULL && f->value == floor (f->value));
      break;
    case GC_FACT_AD_LABEL:
    case GC_FACT_ABSOLUTE_TERM:
    case GC_FACT_MEDICAL_CLAIM:
    case GC_FACT_PRODUCT_NAME:
      CHECK (f->key != NULL && f->key[0] != '\0');
      break;
    case GC_FACT_AUDIENCE:
      /* A whole count of one of three kinds. */
      CHECK (f->currency == NULL && f->value == floor (f->value));
      CHECK (f->key != NULL && (strcmp (f->key, "viewers") == 0
              || strcmp (f->key, "likes") == 0
              || strcmp (f->key, "followers") == 0));
      break;
    case GC_FACT_GIFT:
      /* The whole line, a quantity a gift can have, a value like a
       * price's. */
      CHECK (f->text != NULL && f->quantity >= 0 && f->quantity <= 999);
      CHECK (f->key == NULL || strcmp (f->key, "same") == 0);
      CHECK (f->has_value ? (isfinite (f->value) && f->value >= 0)
          : (f->value == 0 && f->currency == NULL));
      break;
    case GC_FACT_STATEMENT:{
      /* Keyed by the category whose statement it is. */
      GcCategory c;
      CHECK (f->key != NULL && gc_category_from_string (f->key, &c));
      break;
    }
  }

  {
    GcFact *copy = gc_fact_copy (f);
    CHECK (copy != NULL && copy->kind == f->kind && copy->value == f->value);
    CHECK (g_strcmp0 (copy->text, f->text) == 0);
    CHECK (g_strcmp0 (copy->key, f->key) == 0);
    CHECK (g_strcmp0 (copy->currency, f->currency) == 0);
    CHECK (copy->quantity == f->quantity && copy->has_value == f->has_value);
    gc_fact_free (copy);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* The line is a C string: bytes after a NUL are not part of it. */
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  const GcCatalog *catalog = catalogs[size % 2];

  for (int struck = 0; struck < 2; struck++) {
    GcLine line = { text, {3, 5, 7, 11}, 0.625, struck };
    GPtrArray *facts = gc_facts_parse_line (&line, pack, catalog);

    CHECK (facts != NULL);
    for (guint i = 0; i < facts->len; i++)
      check_fact (g_ptr_array_index (facts, i), &line);
    g_ptr_array_unref (facts);
  }
  return 0;
}
