/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the seller's catalog (PRODUCT.md "Catalog").
 *
 * The loader validates everything before it hands anything out: a catalog
 * is built into a private object that is only returned once every field has
 * been checked, so an error anywhere frees the lot and returns NULL.  Every
 * message starts with the file name and then names the product (index and
 * sku) and the field, because a seller fixing a catalog by hand needs to
 * find the line without a debugger. */

#include "gc-catalog.h"
#include "gc-error.h"
#include "gc-text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* A real catalog is a few KiB; anything this big is a mistake (a video
 * passed as the catalog, say) and must not be slurped into memory. */
#define GC_CATALOG_MAX_BYTES (16 * 1024 * 1024)

/* json-glib's parser recurses once per nesting level, so deep input would
 * overflow the stack before it could report an error.  The format nests
 * five levels; the rest is room for unknown fields, which only warn. */
#define GC_CATALOG_MAX_DEPTH 256

/* Values quoted back in messages are cut so that a megabyte-long sku does
 * not turn into a megabyte-long error message. */
#define QUOTE_MAX_CHARS 64

typedef struct
{
  GcCatalog pub;
  /* sku -> GcProduct*, borrowed from pub.products. */
  GHashTable *by_sku;
  /* Every product's folded name and aliases (GcCatalogName, chars owned),
   * and an index of them by each pair of adjacent characters (packed in a
   * guint64; a one-character name by its character): key -> GArray of
   * indices into names, ascending, each once. */
  GArray *names;
  GHashTable *by_pair;
  /* Declared prices and reference prices in cents: a set. */
  GHashTable *prices;
} GcCatalogReal;

static void build_indexes (GcCatalogReal * real);

/* --- categories ------------------------------------------------------- */

static const gchar *const category_names[] = {
  [GC_CATEGORY_GENERAL] = "general",
  [GC_CATEGORY_FOOD] = "food",
  [GC_CATEGORY_COSMETICS] = "cosmetics",
  [GC_CATEGORY_HEALTH] = "health",
  [GC_CATEGORY_DRUG] = "drug",
  [GC_CATEGORY_PROHIBITED] = "prohibited",
  [GC_CATEGORY_HEALTH_FOOD] = "health_food",
  [GC_CATEGORY_OTC_DRUG] = "otc_drug",
  [GC_CATEGORY_RX_DRUG] = "rx_drug",
  [GC_CATEGORY_MEDICAL_DEVICE] = "medical_device",
};

gboolean
gc_category_is_medical (GcCategory category)
{
  return category == GC_CATEGORY_DRUG || category == GC_CATEGORY_OTC_DRUG
      || category == GC_CATEGORY_RX_DRUG
      || category == GC_CATEGORY_MEDICAL_DEVICE;
}

const gchar *
gc_category_to_string (GcCategory category)
{
  g_return_val_if_fail ((guint) category < G_N_ELEMENTS (category_names),
      NULL);

  return category_names[category];
}

gboolean
gc_category_from_string (const gchar * name, GcCategory * out)
{
  guint i;

  if (name == NULL)
    return FALSE;

  for (i = 0; i < G_N_ELEMENTS (category_names); i++) {
    if (strcmp (name, category_names[i]) == 0) {
      if (out)
        *out = (GcCategory) i;
      return TRUE;
    }
  }
  return FALSE;
}

/* --- products and catalog lifetime ------------------------------------ */

static void
gc_product_free (GcProduct * product)
{
  if (product == NULL)
    return;

  g_free (product->sku);
  g_free (product->name);
  g_strfreev (product->aliases);
  if (product->price_history)
    g_array_unref (product->price_history);
  if (product->transactions)
    g_array_unref (product->transactions);
  g_free (product->sponsor);
  g_free (product->ad_approval);
  g_strfreev (product->substantiated_claims);
  if (product->gifts)
    g_array_unref (product->gifts);
  g_free (product);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcProduct, gc_product_free)

static void
schedule_entry_clear (gpointer data)
{
  GcScheduleEntry *entry = data;

  g_clear_pointer (&entry->sku, g_free);
}

static GcCatalogReal *
gc_catalog_new (const gchar * path)
{
  GcCatalogReal *real = g_new0 (GcCatalogReal, 1);
  GcCatalog *catalog = &real->pub;

  catalog->ref_count = 1;
  catalog->path = g_strdup (path);
  g_date_clear (&catalog->stream_date, 1);
  catalog->products =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_product_free);
  catalog->schedule = g_array_new (FALSE, TRUE, sizeof (GcScheduleEntry));
  g_array_set_clear_func (catalog->schedule, schedule_entry_clear);
  catalog->warnings = g_ptr_array_new_with_free_func (g_free);
  real->by_sku = g_hash_table_new (g_str_hash, g_str_equal);
  real->names = g_array_new (FALSE, FALSE, sizeof (GcCatalogName));
  real->by_pair = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      (GDestroyNotify) g_array_unref);
  real->prices = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      NULL);

  return real;
}

GcCatalog *
gc_catalog_ref (GcCatalog * catalog)
{
  g_return_val_if_fail (catalog != NULL, NULL);

  g_atomic_int_inc (&catalog->ref_count);
  return catalog;
}

void
gc_catalog_unref (GcCatalog * catalog)
{
  GcCatalogReal *real = (GcCatalogReal *) catalog;

  /* NULL is allowed so that error paths can unref unconditionally. */
  if (catalog == NULL)
    return;

  if (!g_atomic_int_dec_and_test (&catalog->ref_count))
    return;

  g_hash_table_unref (real->by_sku);
  for (guint i = 0; i < real->names->len; i++)
    g_free ((gpointer) g_array_index (real->names, GcCatalogName, i).chars);
  g_array_unref (real->names);
  g_hash_table_unref (real->by_pair);
  g_hash_table_unref (real->prices);
  g_free (catalog->path);
  g_free (catalog->jurisdiction);
  g_free (catalog->currency);
  g_free (catalog->seller_name);
  g_free (catalog->seller_license);
  g_ptr_array_unref (catalog->products);
  g_array_unref (catalog->schedule);
  g_ptr_array_unref (catalog->warnings);
  g_free (real);
}

/* --- message helpers -------------------------------------------------- */

/* @s as a double-quoted, escaped, length-limited string that is safe to
 * print whatever bytes it held. */
static gchar *
quote (const gchar * s)
{
  g_autofree gchar *valid = g_utf8_make_valid (s, -1);
  GString *out = g_string_new ("\"");
  const gchar *p;
  guint n = 0;

  for (p = valid; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (n++ == QUOTE_MAX_CHARS) {
      g_string_append (out, "...");
      break;
    }
    if (c == '"' || c == '\\') {
      g_string_append_c (out, '\\');
      g_string_append_c (out, (gchar) c);
    } else if (c < 0x20 || c == 0x7f) {
      g_string_append_printf (out, "\\u%04x", (guint) c);
    } else {
      g_string_append_unichar (out, c);
    }
  }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

/* Shortest decimal text that reads back as @v, so "got -5" and not
 * "got -5.0000000000000000". */
static void
format_double (gdouble v, gchar buf[G_ASCII_DTOSTR_BUF_SIZE])
{
  if (isnan (v)) {
    g_strlcpy (buf, "nan", G_ASCII_DTOSTR_BUF_SIZE);
    return;
  }
  if (isinf (v)) {
    g_strlcpy (buf, v > 0 ? "inf" : "-inf", G_ASCII_DTOSTR_BUF_SIZE);
    return;
  }
  g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v)
    g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.17g", v);
}

static gboolean
node_is_number (JsonNode * node)
{
  GType t;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

static gboolean
node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_bool (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static gchar *
format_number_node (JsonNode * node)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  format_double (json_node_get_double (node), buf);
  return g_strdup (buf);
}

/* What the file actually holds, for "expected X, got Y" messages. */
static gchar *
describe_node (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:
      return g_strdup ("object");
    case JSON_NODE_ARRAY:
      return g_strdup ("array");
    case JSON_NODE_NULL:
      return g_strdup ("null");
    case JSON_NODE_VALUE:
      break;
  }

  if (node_is_string (node)) {
    g_autofree gchar *q = quote (json_node_get_string (node));
    return g_strdup_printf ("string %s", q);
  }
  if (node_is_bool (node))
    return g_strdup_printf ("bool %s",
        json_node_get_boolean (node) ? "true" : "false");
  if (node_is_number (node)) {
    g_autofree gchar *num = format_number_node (node);
    return g_strdup_printf ("number %s", num);
  }
  return g_strdup ("value");
}

/* --- validation scope ------------------------------------------------- */

typedef struct
{
  const gchar *name;            /* prefixes every message */
  GPtrArray *warnings;          /* the catalog's */
} LoadCtx;

/* Where in the file an object sits, for messages: @where is the element
 * ("products[2] (sku \"A1001\")", NULL at top level), @prefix is put before
 * field names of nested objects ("price_history[1].", "seller."). */
typedef struct
{
  const LoadCtx *ctx;
  const gchar *where;
  const gchar *prefix;
} Scope;

static void
scope_fail (const Scope * s, GError ** error, const gchar * fmt, ...)
    G_GNUC_PRINTF (3, 4);

static void
scope_fail (const Scope * s, GError ** error, const gchar * fmt, ...)
{
  va_list args;
  g_autofree gchar *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);

  if (s->where)
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: %s: %s",
        s->ctx->name, s->where, msg);
  else
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: %s", s->ctx->name,
        msg);
}

static void
field_fail (const Scope * s, const gchar * field, GError ** error,
    const gchar * fmt, ...) G_GNUC_PRINTF (4, 5);

static void
field_fail (const Scope * s, const gchar * field, GError ** error,
    const gchar * fmt, ...)
{
  va_list args;
  g_autofree gchar *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);

  scope_fail (s, error, "field \"%s%s\": %s", s->prefix, field, msg);
}

static void
fail_type (const Scope * s, const gchar * field, JsonNode * node,
    const gchar * expected, GError ** error)
{
  g_autofree gchar *got = describe_node (node);

  field_fail (s, field, error, "expected %s, got %s", expected, got);
}

/* Looks @field up; a missing required field is an error, a missing
 * optional one leaves *@out NULL. */
static gboolean
lookup (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean required, JsonNode ** out, GError ** error)
{
  *out = json_object_get_member (obj, field);
  if (*out == NULL && required) {
    scope_fail (s, error, "missing required field \"%s%s\"", s->prefix,
        field);
    return FALSE;
  }
  return TRUE;
}

/* Warns about every member of @obj not in @known: a typo such as
 * "referance_price" would otherwise silently drop the seller's data. */
static void
warn_unknown (const Scope * s, JsonObject * obj, const gchar * const *known)
{
  GList *members = json_object_get_members (obj);
  GList *l;

  for (l = members; l; l = l->next) {
    const gchar *member = l->data;
    g_autofree gchar *label = NULL;
    g_autofree gchar *q = NULL;

    if (g_strv_contains (known, member))
      continue;

    label = g_strconcat (s->prefix, member, NULL);
    q = quote (label);
    if (s->where)
      g_ptr_array_add (s->ctx->warnings,
          g_strdup_printf ("%s: %s: unknown field %s ignored", s->ctx->name,
              s->where, q));
    else
      g_ptr_array_add (s->ctx->warnings,
          g_strdup_printf ("%s: unknown field %s ignored", s->ctx->name, q));
  }
  g_list_free (members);
}

/* --- typed field readers ---------------------------------------------- */

/* *@out is borrowed from the JSON tree, NULL when absent. */
static gboolean
get_string (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean required, gboolean non_empty, const gchar ** out,
    GError ** error)
{
  JsonNode *node;
  const gchar *value;

  *out = NULL;
  if (!lookup (s, obj, field, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!node_is_string (node)) {
    fail_type (s, field, node, non_empty ? "a non-empty string" : "a string",
        error);
    return FALSE;
  }
  value = json_node_get_string (node);
  /* json-glib decodes \u escapes without checking them. */
  if (!g_utf8_validate (value, -1, NULL)) {
    field_fail (s, field, error, "not valid UTF-8 (bad \\u escape?)");
    return FALSE;
  }
  if (non_empty && value[0] == '\0') {
    field_fail (s, field, error, "must be a non-empty string");
    return FALSE;
  }
  *out = value;
  return TRUE;
}

/* Every number in the format is a price or a time: finite and >= 0. */
static gboolean
get_non_negative (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean required, gboolean * present, gdouble * out, GError ** error)
{
  JsonNode *node;
  gdouble v;

  if (present)
    *present = FALSE;
  if (!lookup (s, obj, field, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!node_is_number (node)) {
    fail_type (s, field, node, "a number", error);
    return FALSE;
  }

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    v = (gdouble) json_node_get_int (node);
  else
    v = json_node_get_double (node);

  if (!isfinite (v) || v < 0) {
    g_autofree gchar *num = format_number_node (node);
    field_fail (s, field, error, "must be a %snumber >= 0, got %s",
        isfinite (v) ? "" : "finite ", num);
    return FALSE;
  }

  /* -0.0 passes the check above; keep it out of prices shown to users. */
  *out = v + 0.0;
  if (present)
    *present = TRUE;
  return TRUE;
}

static gboolean
get_bool (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean * out, GError ** error)
{
  JsonNode *node;

  if (!lookup (s, obj, field, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!node_is_bool (node)) {
    fail_type (s, field, node, "a bool (true or false)", error);
    return FALSE;
  }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_count (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean * present, gint64 * out, GError ** error)
{
  JsonNode *node;

  *present = FALSE;
  if (!lookup (s, obj, field, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!node_is_number (node)) {
    fail_type (s, field, node, "a whole number", error);
    return FALSE;
  }

  if (json_node_get_value_type (node) == G_TYPE_INT64) {
    *out = json_node_get_int (node);
  } else {
    gdouble v = json_node_get_double (node);

    /* Spreadsheets export 12000 as 12000.0; that is still a count.
     * 2^63 is the first double that no longer fits a gint64; within range
     * the round trip through gint64 tells whole from fractional without
     * needing libm. */
    if (isfinite (v) && v < 9223372036854775808.0
        && v > -9223372036854775808.0 && v == (gdouble) (gint64) v)
      *out = (gint64) v;
    else
      *out = -1;
  }

  if (*out < 0) {
    g_autofree gchar *num = format_number_node (node);
    field_fail (s, field, error, "must be a whole number >= 0, got %s", num);
    return FALSE;
  }
  *present = TRUE;
  return TRUE;
}

/* Strict "YYYY-MM-DD": a date that reads differently in another locale is
 * worse than an error. */
static gboolean
parse_date (const gchar * text, GDate * out)
{
  guint year, month, day;
  guint i;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (i = 0; i < 10; i++) {
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  }

  year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10
      + (text[3] - '0');
  month = (text[5] - '0') * 10 + (text[6] - '0');
  day = (text[8] - '0') * 10 + (text[9] - '0');

  if (!g_date_valid_dmy (day, month, year))
    return FALSE;

  g_date_clear (out, 1);
  g_date_set_dmy (out, day, month, year);
  /* GDate computes its julian form lazily, writing into the struct: do it
   * now, so that readers of the immutable catalog never write to it. */
  g_date_get_julian (out);
  return TRUE;
}

static gboolean
get_date (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean required, gboolean * present, GDate * out, GError ** error)
{
  const gchar *text;

  if (present)
    *present = FALSE;
  if (!get_string (s, obj, field, required, FALSE, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  if (!parse_date (text, out)) {
    g_autofree gchar *q = quote (text);
    field_fail (s, field, error, "must be a date \"YYYY-MM-DD\", got %s", q);
    return FALSE;
  }
  if (present)
    *present = TRUE;
  return TRUE;
}

static gboolean
get_array (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean required, JsonArray ** out, GError ** error)
{
  JsonNode *node;

  *out = NULL;
  if (!lookup (s, obj, field, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    fail_type (s, field, node, "an array", error);
    return FALSE;
  }
  *out = json_node_get_array (node);
  return TRUE;
}

/* An optional array of strings as a NULL-terminated vector, empty (never
 * NULL) when absent. */
static gboolean
get_string_array (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean non_empty, gchar *** out, GError ** error)
{
  JsonArray *array;
  g_autoptr (GPtrArray) strings = NULL;
  guint i, n;

  if (!get_array (s, obj, field, FALSE, &array, error))
    return FALSE;

  n = array ? json_array_get_length (array) : 0;
  strings = g_ptr_array_new_full (n + 1, g_free);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    g_autofree gchar *label = g_strdup_printf ("%s[%u]", field, i);
    const gchar *value;

    if (!node_is_string (node)) {
      fail_type (s, label, node, non_empty ? "a non-empty string" : "a string",
          error);
      return FALSE;
    }
    value = json_node_get_string (node);
    if (!g_utf8_validate (value, -1, NULL)) {
      field_fail (s, label, error, "not valid UTF-8 (bad \\u escape?)");
      return FALSE;
    }
    if (non_empty && value[0] == '\0') {
      field_fail (s, label, error, "must be a non-empty string");
      return FALSE;
    }
    g_ptr_array_add (strings, g_strdup (value));
  }
  g_ptr_array_add (strings, NULL);

  *out = (gchar **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  return TRUE;
}

/* --- products --------------------------------------------------------- */

typedef struct
{
  GcPricePoint point;
  guint index;                  /* in the file, for messages */
} IndexedPoint;

static gint
compare_indexed_points (gconstpointer a, gconstpointer b)
{
  const IndexedPoint *pa = a, *pb = b;
  guint32 ja = g_date_get_julian (&pa->point.date);
  guint32 jb = g_date_get_julian (&pb->point.date);

  if (ja != jb)
    return ja < jb ? -1 : 1;
  return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* A list of dated prices, sorted by date: "price_history" (one price in
 * effect per day, so a date may not repeat) or "transactions" (sales at
 * the venue: several on one day are fine). */
static gboolean
parse_dated_prices (const Scope * s, JsonObject * obj, const gchar * field,
    gboolean one_per_day, GArray ** out, GError ** error)
{
  static const gchar *const known[] = { "date", "price", NULL };
  JsonArray *array;
  g_autoptr (GArray) points = NULL;
  guint i, n;

  if (!get_array (s, obj, field, FALSE, &array, error))
    return FALSE;

  n = array ? json_array_get_length (array) : 0;
  points = g_array_sized_new (FALSE, TRUE, sizeof (IndexedPoint), n);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    g_autofree gchar *prefix = g_strdup_printf ("%s[%u].", field, i);
    Scope es = { s->ctx, s->where, prefix };
    IndexedPoint pt = { 0 };
    JsonObject *entry;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      g_autofree gchar *label = g_strdup_printf ("%s[%u]", field, i);
      fail_type (s, label, node, "an object {\"date\", \"price\"}", error);
      return FALSE;
    }
    entry = json_node_get_object (node);

    if (!get_date (&es, entry, "date", TRUE, NULL, &pt.point.date, error))
      return FALSE;
    if (!get_non_negative (&es, entry, "price", TRUE, NULL, &pt.point.price,
            error))
      return FALSE;
    warn_unknown (&es, entry, known);

    pt.index = i;
    g_array_append_val (points, pt);
  }

  /* Sort by date, then file order, so a duplicate is reported with its
   * first occurrence. */
  g_array_sort (points, compare_indexed_points);
  for (i = 1; one_per_day && i < points->len; i++) {
    IndexedPoint *prev = &g_array_index (points, IndexedPoint, i - 1);
    IndexedPoint *cur = &g_array_index (points, IndexedPoint, i);

    if (g_date_compare (&prev->point.date, &cur->point.date) == 0) {
      gchar date[16];

      g_date_strftime (date, sizeof (date), "%Y-%m-%d", &cur->point.date);
      scope_fail (s, error, "field \"%s[%u].date\": duplicate date "
          "%s, already given at %s[%u]", field, cur->index, date, field,
          prev->index);
      return FALSE;
    }
  }

  *out = g_array_sized_new (FALSE, TRUE, sizeof (GcPricePoint), points->len);
  for (i = 0; i < points->len; i++)
    g_array_append_val (*out, g_array_index (points, IndexedPoint, i).point);
  return TRUE;
}

static void
gift_clear (gpointer data)
{
  g_free (((GcGift *) data)->name);
  g_free (((GcGift *) data)->folded);
}

/* "gifts": [{"name", "quantity", "price"}], in file order. */
static gboolean
parse_gifts (const Scope * s, JsonObject * obj, GArray ** out, GError ** error)
{
  static const gchar *const known[] = { "name", "quantity", "price", NULL };
  JsonArray *array;
  g_autoptr (GArray) gifts = NULL;
  guint i, n;

  if (!get_array (s, obj, "gifts", FALSE, &array, error))
    return FALSE;

  n = array ? json_array_get_length (array) : 0;
  gifts = g_array_sized_new (FALSE, TRUE, sizeof (GcGift), n);
  g_array_set_clear_func (gifts, gift_clear);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    g_autofree gchar *prefix = g_strdup_printf ("gifts[%u].", i);
    Scope es = { s->ctx, s->where, prefix };
    GcGift gift = { 0 };
    gboolean has_quantity;
    const gchar *name;
    JsonObject *entry;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      g_autofree gchar *label = g_strdup_printf ("gifts[%u]", i);
      fail_type (s, label, node,
          "an object {\"name\", \"quantity\", \"price\"}", error);
      return FALSE;
    }
    entry = json_node_get_object (node);
    if (!get_string (&es, entry, "name", TRUE, TRUE, &name, error))
      return FALSE;
    {
      /* A quantity is a whole number >= 1: say so for 0.5 and 1.5 as for
       * 0 (2.0 is still 2). */
      JsonNode *q = json_object_get_member (entry, "quantity");
      gdouble d = q && node_is_number (q)
          && json_node_get_value_type (q) != G_TYPE_INT64
          ? json_node_get_double (q) : 1;

      if (d < 1 || (d < 9.0e18 && d != (gdouble) (gint64) d)) {
        g_autofree gchar *num = format_number_node (q);
        field_fail (&es, "quantity", error, "must be a whole number >= 1, "
            "got %s", num);
        return FALSE;
      }
    }
    if (!get_count (&es, entry, "quantity", &has_quantity, &gift.quantity,
            error))
      return FALSE;
    if (!has_quantity) {
      scope_fail (&es, error, "missing required field \"%squantity\"",
          prefix);
      return FALSE;
    }
    if (gift.quantity < 1) {
      field_fail (&es, "quantity", error, "must be a whole number >= 1, "
          "got %" G_GINT64_FORMAT, gift.quantity);
      return FALSE;
    }
    if (!get_non_negative (&es, entry, "price", FALSE, &gift.has_price,
            &gift.price, error))
      return FALSE;
    warn_unknown (&es, entry, known);
    gift.name = g_strdup (name);
    gift.folded = gc_text_fold (name);
    g_array_append_val (gifts, gift);
  }
  *out = g_steal_pointer (&gifts);
  return TRUE;
}

static gboolean
parse_category (const Scope * s, JsonObject * obj, GcCategory * out,
    GError ** error)
{
  const gchar *name;
  g_autoptr (GString) allowed = g_string_new (NULL);
  g_autofree gchar *q = NULL;
  guint i;

  *out = GC_CATEGORY_GENERAL;
  if (!get_string (s, obj, "category", FALSE, FALSE, &name, error))
    return FALSE;
  if (name == NULL || gc_category_from_string (name, out))
    return TRUE;

  for (i = 0; i < G_N_ELEMENTS (category_names); i++)
    g_string_append_printf (allowed, "%s%s", i ? ", " : "", category_names[i]);
  q = quote (name);
  field_fail (s, "category", error, "unknown category %s, expected one of %s",
      q, allowed->str);
  return FALSE;
}

static GcProduct *
parse_product (const LoadCtx * ctx, GcCatalogReal * real, JsonNode * node,
    guint index, GError ** error)
{
  static const gchar *const known[] = {
    "sku", "name", "aliases", "price", "reference_price", "price_history",
    "transactions", "msrp", "category", "ad_approval", "sponsored", "sponsor",
    "sold", "substantiated_claims", "gifts", NULL
  };
  g_autofree gchar *where = g_strdup_printf ("products[%u]", index);
  Scope s = { ctx, where, "" };
  g_autoptr (GcProduct) product = NULL;
  g_autofree gchar *qsku = NULL;
  const GcProduct *first;
  JsonObject *obj;
  const gchar *sku, *name, *sponsor, *approval;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_autofree gchar *got = describe_node (node);
    scope_fail (&s, error, "expected an object, got %s", got);
    return NULL;
  }
  obj = json_node_get_object (node);

  /* The sku first: every later message names it. */
  if (!get_string (&s, obj, "sku", TRUE, TRUE, &sku, error))
    return NULL;
  qsku = quote (sku);
  g_free (where);
  where = g_strdup_printf ("products[%u] (sku %s)", index, qsku);
  s.where = where;

  first = g_hash_table_lookup (real->by_sku, sku);
  if (first) {
    guint i;

    for (i = 0; i < real->pub.products->len; i++) {
      if (g_ptr_array_index (real->pub.products, i) == first)
        break;
    }
    scope_fail (&s, error, "duplicate sku, first declared at products[%u]", i);
    return NULL;
  }

  product = g_new0 (GcProduct, 1);
  product->sku = g_strdup (sku);

  if (!get_string (&s, obj, "name", TRUE, TRUE, &name, error))
    return NULL;
  product->name = g_strdup (name);

  if (!get_string_array (&s, obj, "aliases", TRUE, &product->aliases, error))
    return NULL;
  if (!get_non_negative (&s, obj, "price", TRUE, NULL, &product->price, error))
    return NULL;
  if (!get_non_negative (&s, obj, "reference_price", FALSE,
          &product->has_reference_price, &product->reference_price, error))
    return NULL;
  if (!parse_dated_prices (&s, obj, "price_history", TRUE,
          &product->price_history, error))
    return NULL;
  if (!parse_dated_prices (&s, obj, "transactions", FALSE,
          &product->transactions, error))
    return NULL;
  if (!get_non_negative (&s, obj, "msrp", FALSE, &product->has_msrp,
          &product->msrp, error))
    return NULL;
  if (!parse_category (&s, obj, &product->category, error))
    return NULL;
  if (!get_string (&s, obj, "ad_approval", FALSE, TRUE, &approval, error))
    return NULL;
  product->ad_approval = g_strdup (approval);
  if (!get_bool (&s, obj, "sponsored", &product->sponsored, error))
    return NULL;
  if (!get_string (&s, obj, "sponsor", FALSE, FALSE, &sponsor, error))
    return NULL;
  product->sponsor = g_strdup (sponsor);
  if (!get_count (&s, obj, "sold", &product->has_sold, &product->sold, error))
    return NULL;
  if (!get_string_array (&s, obj, "substantiated_claims", FALSE,
          &product->substantiated_claims, error))
    return NULL;
  if (!parse_gifts (&s, obj, &product->gifts, error))
    return NULL;

  warn_unknown (&s, obj, known);
  return g_steal_pointer (&product);
}

/* --- schedule --------------------------------------------------------- */

typedef struct
{
  GcScheduleEntry entry;        /* sku borrowed from the JSON tree */
  guint index;
} IndexedEntry;

static gint
compare_indexed_entries (gconstpointer a, gconstpointer b)
{
  const IndexedEntry *ea = a, *eb = b;

  if (ea->entry.start != eb->entry.start)
    return ea->entry.start < eb->entry.start ? -1 : 1;
  return ea->index < eb->index ? -1 : ea->index > eb->index;
}

static gboolean
parse_schedule (const LoadCtx * ctx, GcCatalogReal * real, JsonArray * array,
    GError ** error)
{
  static const gchar *const known[] = { "sku", "start", "end", NULL };
  g_autoptr (GArray) entries = NULL;
  guint i, n = json_array_get_length (array);

  entries = g_array_sized_new (FALSE, TRUE, sizeof (IndexedEntry), n);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    g_autofree gchar *where = g_strdup_printf ("schedule[%u]", i);
    g_autofree gchar *qsku = NULL;
    Scope s = { ctx, where, "" };
    IndexedEntry e = { 0 };
    JsonObject *obj;
    const gchar *sku;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      g_autofree gchar *got = describe_node (node);
      scope_fail (&s, error, "expected an object, got %s", got);
      return FALSE;
    }
    obj = json_node_get_object (node);

    if (!get_string (&s, obj, "sku", TRUE, TRUE, &sku, error))
      return FALSE;
    qsku = quote (sku);
    g_free (where);
    where = g_strdup_printf ("schedule[%u] (sku %s)", i, qsku);
    s.where = where;

    if (!g_hash_table_contains (real->by_sku, sku)) {
      scope_fail (&s, error, "unknown sku (not in \"products\")");
      return FALSE;
    }
    if (!get_non_negative (&s, obj, "start", TRUE, NULL, &e.entry.start,
            error))
      return FALSE;
    if (!get_non_negative (&s, obj, "end", TRUE, NULL, &e.entry.end, error))
      return FALSE;
    if (!(e.entry.start < e.entry.end)) {
      gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];

      format_double (e.entry.start, a);
      format_double (e.entry.end, b);
      scope_fail (&s, error, "inverted span: \"start\" %s must be before "
          "\"end\" %s", a, b);
      return FALSE;
    }
    warn_unknown (&s, obj, known);

    e.entry.sku = (gchar *) sku;
    e.index = i;
    g_array_append_val (entries, e);
  }

  g_array_sort (entries, compare_indexed_entries);
  for (i = 1; i < entries->len; i++) {
    IndexedEntry *prev = &g_array_index (entries, IndexedEntry, i - 1);
    IndexedEntry *cur = &g_array_index (entries, IndexedEntry, i);

    /* Spans are [start, end): touching is fine, sharing time is not. */
    if (cur->entry.start < prev->entry.end) {
      gchar ps[G_ASCII_DTOSTR_BUF_SIZE], pe[G_ASCII_DTOSTR_BUF_SIZE];
      gchar cs[G_ASCII_DTOSTR_BUF_SIZE], ce[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree gchar *pq = quote (prev->entry.sku);
      g_autofree gchar *cq = quote (cur->entry.sku);
      g_autofree gchar *where = NULL;
      Scope s = { ctx, NULL, "" };

      format_double (prev->entry.start, ps);
      format_double (prev->entry.end, pe);
      format_double (cur->entry.start, cs);
      format_double (cur->entry.end, ce);
      where = g_strdup_printf ("schedule[%u] (sku %s)", cur->index, cq);
      s.where = where;
      scope_fail (&s, error, "span [%s, %s) overlaps schedule[%u] (sku %s) "
          "span [%s, %s)", cs, ce, prev->index, pq, ps, pe);
      return FALSE;
    }
  }

  for (i = 0; i < entries->len; i++) {
    GcScheduleEntry entry = g_array_index (entries, IndexedEntry, i).entry;

    entry.sku = g_strdup (entry.sku);
    g_array_append_val (real->pub.schedule, entry);
  }
  return TRUE;
}

/* --- top level -------------------------------------------------------- */

static gboolean
parse_seller (const LoadCtx * ctx, GcCatalog * catalog, JsonObject * top,
    GError ** error)
{
  static const gchar *const known[] = { "name", "license", NULL };
  Scope top_scope = { ctx, NULL, "" };
  Scope s = { ctx, NULL, "seller." };
  JsonNode *node;
  JsonObject *obj;
  const gchar *value;

  if (!lookup (&top_scope, top, "seller", FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    fail_type (&top_scope, "seller", node, "an object", error);
    return FALSE;
  }
  obj = json_node_get_object (node);

  if (!get_string (&s, obj, "name", FALSE, FALSE, &value, error))
    return FALSE;
  catalog->seller_name = g_strdup (value);
  if (!get_string (&s, obj, "license", FALSE, FALSE, &value, error))
    return FALSE;
  catalog->seller_license = g_strdup (value);

  warn_unknown (&s, obj, known);
  return TRUE;
}

static gboolean
parse_catalog (const LoadCtx * ctx, GcCatalogReal * real, JsonObject * top,
    GError ** error)
{
  static const gchar *const known[] = {
    "schema", "jurisdiction", "currency", "seller", "stream_date",
    "products", "schedule", NULL
  };
  static const gchar *const jurisdictions[] = { "CN", "EU", "US", NULL };
  GcCatalog *catalog = &real->pub;
  Scope s = { ctx, NULL, "" };
  const gchar *value;
  JsonArray *products, *schedule;
  guint i, n;

  /* The schema first, so that some other JSON file passed by mistake is
   * reported as that rather than as a list of missing fields. */
  if (!get_string (&s, top, "schema", TRUE, FALSE, &value, error))
    return FALSE;
  if (strcmp (value, GC_CATALOG_SCHEMA) != 0) {
    g_autofree gchar *q = quote (value);
    field_fail (&s, "schema", error, "unsupported schema %s, expected \""
        GC_CATALOG_SCHEMA "\"", q);
    return FALSE;
  }

  warn_unknown (&s, top, known);

  if (!get_string (&s, top, "jurisdiction", FALSE, FALSE, &value, error))
    return FALSE;
  if (value) {
    g_autofree gchar *up = g_ascii_strup (value, -1);

    if (!g_strv_contains (jurisdictions, up)) {
      g_autofree gchar *q = quote (value);
      field_fail (&s, "jurisdiction", error, "unknown jurisdiction %s, "
          "expected one of CN, EU, US", q);
      return FALSE;
    }
    catalog->jurisdiction = g_steal_pointer (&up);
  }

  if (!get_string (&s, top, "currency", FALSE, FALSE, &value, error))
    return FALSE;
  if (value) {
    if (strlen (value) != 3 || !g_ascii_isalpha (value[0])
        || !g_ascii_isalpha (value[1]) || !g_ascii_isalpha (value[2])) {
      g_autofree gchar *q = quote (value);
      field_fail (&s, "currency", error, "must be a 3-letter ISO 4217 code "
          "such as \"CNY\", got %s", q);
      return FALSE;
    }
    catalog->currency = g_ascii_strup (value, -1);
  }

  if (!parse_seller (ctx, catalog, top, error))
    return FALSE;
  if (!get_date (&s, top, "stream_date", FALSE, &catalog->has_stream_date,
          &catalog->stream_date, error))
    return FALSE;

  if (!get_array (&s, top, "products", TRUE, &products, error))
    return FALSE;
  n = json_array_get_length (products);
  for (i = 0; i < n; i++) {
    GcProduct *product = parse_product (ctx, real,
        json_array_get_element (products, i), i, error);

    if (product == NULL)
      return FALSE;
    g_ptr_array_add (catalog->products, product);
    g_hash_table_insert (real->by_sku, product->sku, product);
  }

  if (!get_array (&s, top, "schedule", FALSE, &schedule, error))
    return FALSE;
  if (schedule && !parse_schedule (ctx, real, schedule, error))
    return FALSE;

  build_indexes (real);
  return TRUE;
}

/* --- indexes ---------------------------------------------------------- */

static inline guint64
pair_key (gunichar a, gunichar b)
{
  return ((guint64) a << 32) | b;
}

static void
index_key (GcCatalogReal * real, guint64 key, guint name)
{
  GArray *list = g_hash_table_lookup (real->by_pair, &key);

  if (list == NULL) {
    list = g_array_new (FALSE, FALSE, sizeof (guint));
    g_hash_table_insert (real->by_pair, g_memdup2 (&key, sizeof (key)), list);
  }
  /* Names are indexed in order: a repeat can only be the last entry. */
  if (list->len == 0 || g_array_index (list, guint, list->len - 1) != name)
    g_array_append_val (list, name);
}

static void
index_name (GcCatalogReal * real, const gchar * name, const GcProduct * p)
{
  g_autofree gchar *folded = NULL;
  GcCatalogName entry = { p, NULL, 0, 0 };

  if (name == NULL || *name == '\0')
    return;
  folded = gc_text_fold (name);
  entry.chars = g_utf8_to_ucs4_fast (folded, -1, &entry.n);
  if (entry.n == 0) {
    g_free ((gpointer) entry.chars);
    return;
  }
  guint k = real->names->len;
  g_array_append_val (real->names, entry);
  if (entry.n == 1)
    index_key (real, pair_key (0, entry.chars[0]), k);
  for (glong i = 0; i + 1 < entry.n; i++)
    index_key (real, pair_key (entry.chars[i], entry.chars[i + 1]), k);
}

static void
index_price (GcCatalogReal * real, gdouble value)
{
  gint64 cents = (gint64) llround (value * 100.0);

  g_hash_table_add (real->prices, g_memdup2 (&cents, sizeof (cents)));
}

static void
build_indexes (GcCatalogReal * real)
{
  for (guint i = 0; i < real->pub.products->len; i++) {
    const GcProduct *p = g_ptr_array_index (real->pub.products, i);

    index_name (real, p->name, p);
    for (gchar ** a = p->aliases; a && *a; a++)
      index_name (real, *a, p);
    index_price (real, p->price);
    if (p->has_reference_price)
      index_price (real, p->reference_price);
  }
}

/* --- raw input checks ------------------------------------------------- */

/* 1-based line and column (in characters, as editors count them) of byte
 * @offset; the bytes before it are valid UTF-8. */
static void
position_of (const gchar * data, gsize offset, guint * line, guint * col)
{
  gsize i;

  *line = 1;
  *col = 1;
  for (i = 0; i < offset; i++) {
    guchar c = (guchar) data[i];

    if (c == '\n') {
      (*line)++;
      *col = 1;
    } else if ((c & 0xc0) != 0x80) {
      (*col)++;
    }
  }
}

static void
parse_fail_at (const gchar * name, const gchar * data, gsize offset,
    GError ** error, const gchar * msg)
{
  guint line, col;

  position_of (data, offset, &line, &col);
  g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
      name, line, col, msg);
}

/* Whether the integer literal data[start, end) (no fraction, no exponent)
 * fits a gint64: json-glib silently wraps larger ones, which would turn a
 * huge price into a negative one. */
static gboolean
integer_fits (const gchar * data, gsize start, gsize end)
{
  static const gchar max[] = "9223372036854775807";
  gsize digits;

  if (data[start] == '-')
    start++;
  while (start < end && data[start] == '0')
    start++;
  digits = end - start;
  if (digits != strlen (max))
    return digits < strlen (max);
  return strncmp (data + start, max, digits) <= 0;
}

/* Catches, with a position, what json-glib would crash on (deep nesting)
 * or get silently wrong (integer overflow).  Only strings and comments
 * need tracking to tell structure from content; everything else json-glib
 * checks itself. */
static gboolean
scan_structure (const gchar * name, const gchar * data, gsize len,
    GError ** error)
{
  guint depth = 0;
  gsize i = 0;

  while (i < len) {
    gchar c = data[i];

    if (c == '"') {
      for (i++; i < len && data[i] != '"'; i++) {
        if (data[i] == '\\')
          i++;
      }
      i++;
    } else if (c == '/' && i + 1 < len && data[i + 1] == '*') {
      for (i += 2; i + 1 < len && !(data[i] == '*' && data[i + 1] == '/'); i++);
      i += 2;
    } else if (c == '/' && i + 1 < len && data[i + 1] == '/') {
      for (i += 2; i < len && data[i] != '\n'; i++);
    } else if (c == '[' || c == '{') {
      if (++depth > GC_CATALOG_MAX_DEPTH) {
        parse_fail_at (name, data, i, error, "nested more than "
            G_STRINGIFY (GC_CATALOG_MAX_DEPTH) " levels deep");
        return FALSE;
      }
      i++;
    } else if (c == ']' || c == '}') {
      if (depth > 0)
        depth--;
      i++;
    } else if (c == '-' || g_ascii_isdigit (c)) {
      gsize start = i;
      gboolean integer = TRUE;

      for (i++; i < len; i++) {
        c = data[i];
        if (c == '.' || c == 'e' || c == 'E')
          integer = FALSE;
        else if (!g_ascii_isdigit (c) && c != '+' && c != '-')
          break;
      }
      if (integer && !integer_fits (data, start, i)) {
        parse_fail_at (name, data, start, error, "integer too large (more "
            "than 9223372036854775807)");
        return FALSE;
      }
    } else {
      i++;
    }
  }
  return TRUE;
}

/* json-glib says "<data>:3:14: Parse error: unexpected ..."; users should
 * see "products.json:3:14: malformed JSON: unexpected ...". */
static void
translate_parse_error (const gchar * name, const GError * json_error,
    GError ** error)
{
  g_autofree gchar *msg = g_utf8_make_valid (json_error->message, -1);
  const gchar *p;

  for (p = strchr (msg, ':'); p; p = strchr (p + 1, ':')) {
    const gchar *q = p + 1;
    guint64 line, col;
    gchar *end;

    if (!g_ascii_isdigit (*q))
      continue;
    line = g_ascii_strtoull (q, &end, 10);
    if (*end != ':' || !g_ascii_isdigit (end[1]))
      continue;
    col = g_ascii_strtoull (end + 1, &end, 10);
    if (end[0] != ':' || end[1] != ' ')
      continue;

    q = end + 2;
    if (g_str_has_prefix (q, "Parse error: "))
      q += strlen ("Parse error: ");
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
        "%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ": malformed JSON: %s",
        name, line, col, q);
    return;
  }

  g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "%s: malformed JSON: %s",
      name, msg);
}

/* @path is recorded in the catalog; @name, valid UTF-8, starts messages. */
static GcCatalog *
load_bytes (const gchar * data, gsize len, const gchar * path,
    const gchar * name, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;
  g_autoptr (GcCatalog) catalog = NULL;
  const gchar *end;
  JsonNode *root;
  LoadCtx ctx;

  /* Checked here, with a position, rather than left to json-glib, whose
   * message has none. */
  if (!g_utf8_validate_len (data, len, &end)) {
    parse_fail_at (name, data, end - data, error, *end == '\0' ?
        "NUL byte (the file is not UTF-8 text)" : "invalid UTF-8 "
        "(save the file as UTF-8)");
    return NULL;
  }
  if (!scan_structure (name, data, len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error)) {
    translate_parse_error (name, json_error, error);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "%s: empty, expected a "
        "JSON object with \"schema\" and \"products\"", name);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_autofree gchar *got = describe_node (root);
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: top level must be "
        "a JSON object, got %s", name, got);
    return NULL;
  }

  catalog = (GcCatalog *) gc_catalog_new (path);
  ctx.name = name;
  ctx.warnings = catalog->warnings;
  if (!parse_catalog (&ctx, (GcCatalogReal *) catalog,
          json_node_get_object (root), error))
    return NULL;

  return g_steal_pointer (&catalog);
}

/* --- public loaders --------------------------------------------------- */

static gboolean
read_limited (const gchar * path, const gchar * name, gchar ** out,
    gsize * out_len, GError ** error)
{
  g_autoptr (GByteArray) buf = NULL;
  GStatBuf st;
  int fd, saved;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    saved = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot open: %s", name,
        g_strerror (saved));
    return FALSE;
  }

  if (fstat (fd, &st) == 0) {
    if (S_ISDIR (st.st_mode)) {
      g_close (fd, NULL);
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: is a directory, "
          "expected a catalog file", name);
      return FALSE;
    }
    if (S_ISREG (st.st_mode) && st.st_size > GC_CATALOG_MAX_BYTES) {
      g_close (fd, NULL);
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: file is %" G_GINT64_FORMAT
          " bytes, a catalog may be at most 16 MiB", name,
          (gint64) st.st_size);
      return FALSE;
    }
  }

  /* Read with the limit enforced as we go: a pipe or a file that grows
   * after fstat() has no trustworthy size. */
  buf = g_byte_array_new ();
  for (;;) {
    guint8 chunk[65536];
    gssize n = read (fd, chunk, sizeof (chunk));

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      saved = errno;
      g_close (fd, NULL);
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot read: %s", name,
          g_strerror (saved));
      return FALSE;
    }
    if (n == 0)
      break;
    if (buf->len + (gsize) n > GC_CATALOG_MAX_BYTES) {
      g_close (fd, NULL);
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: more than 16 MiB, a "
          "catalog may be at most 16 MiB", name);
      return FALSE;
    }
    g_byte_array_append (buf, chunk, (guint) n);
  }
  g_close (fd, NULL);

  *out_len = buf->len;
  /* NUL-terminate for safety; the length stays that of the file. */
  g_byte_array_append (buf, (const guint8 *) "", 1);
  *out = (gchar *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

GcCatalog *
gc_catalog_load_file (const gchar * path, GError ** error)
{
  g_autofree gchar *data = NULL;
  g_autofree gchar *name = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* File names need not be UTF-8; messages must be. */
  name = g_filename_display_name (path);
  if (!read_limited (path, name, &data, &len, error))
    return NULL;
  return load_bytes (data, len, path, name, error);
}

GcCatalog *
gc_catalog_load_data (const gchar * data, gssize len, const gchar * name,
    GError ** error)
{
  g_autofree gchar *display = NULL;
  gsize size;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL)
    name = "<memory>";
  display = g_utf8_make_valid (name, -1);
  if (data == NULL)
    data = "";
  size = len < 0 ? strlen (data) : (gsize) len;

  if (size > GC_CATALOG_MAX_BYTES) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: %" G_GSIZE_FORMAT
        " bytes, a catalog may be at most 16 MiB", display, size);
    return NULL;
  }
  return load_bytes (data, size, name, display, error);
}

/* --- queries ---------------------------------------------------------- */

const GcProduct *
gc_catalog_find (const GcCatalog * catalog, const gchar * sku)
{
  const GcCatalogReal *real = (const GcCatalogReal *) catalog;

  g_return_val_if_fail (catalog != NULL, NULL);

  if (sku == NULL)
    return NULL;
  return g_hash_table_lookup (real->by_sku, sku);
}

static void
count_key (const GcCatalogReal * real, guint64 key, guint * shared,
    GArray * found)
{
  GArray *list = g_hash_table_lookup (real->by_pair, &key);

  for (guint i = 0; list && i < list->len; i++) {
    guint k = g_array_index (list, guint, i);

    if (shared[k]++ == 0)
      g_array_append_val (found, k);
  }
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

void
gc_catalog_name_candidates (const GcCatalog * catalog, const gunichar * line,
    glong n, GArray * out)
{
  const GcCatalogReal *real = (const GcCatalogReal *) catalog;

  g_return_if_fail (catalog != NULL && out != NULL);
  if (line == NULL || n <= 0 || real->names->len == 0)
    return;

  /* Per position, each name counts once per key; the two keys of a
   * position (its character, its pair) never both hold one name. */
  g_autofree guint *shared = g_new0 (guint, real->names->len);
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  for (glong i = 0; i < n; i++) {
    count_key (real, pair_key (0, line[i]), shared, found);
    if (i + 1 < n)
      count_key (real, pair_key (line[i], line[i + 1]), shared, found);
  }
  g_array_sort (found, compare_uint);
  for (guint i = 0; i < found->len; i++) {
    guint k = g_array_index (found, guint, i);
    GcCatalogName name = g_array_index (real->names, GcCatalogName, k);

    name.shared = shared[k];
    g_array_append_val (out, name);
  }
}

gboolean
gc_catalog_declares_price (const GcCatalog * catalog, gdouble value)
{
  const GcCatalogReal *real = (const GcCatalogReal *) catalog;

  g_return_val_if_fail (catalog != NULL, FALSE);
  if (!isfinite (value))
    return FALSE;
  gint64 cents = (gint64) llround (value * 100.0);
  return g_hash_table_contains (real->prices, &cents);
}

const GcProduct *
gc_catalog_scheduled_at (const GcCatalog * catalog, gdouble t)
{
  const GArray *schedule;
  const GcScheduleEntry *entry;
  guint lo, hi;

  g_return_val_if_fail (catalog != NULL, NULL);

  schedule = catalog->schedule;
  if (isnan (t) || schedule->len == 0)
    return NULL;

  /* The spans are sorted and disjoint: find the last one starting at or
   * before @t, then check @t is before its end. */
  lo = 0;
  hi = schedule->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;

    if (g_array_index (schedule, GcScheduleEntry, mid).start <= t)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return NULL;

  entry = &g_array_index (schedule, GcScheduleEntry, lo - 1);
  if (!(t < entry->end))
    return NULL;
  return gc_catalog_find (catalog, entry->sku);
}

/* The @days days before @day (julian), as [*first, *last], clamped at the
 * start of the calendar; FALSE when none precede it. */
static gboolean
days_before (guint32 day, guint days, guint32 * first, guint32 * last)
{
  if (day <= 1 || days == 0)
    return FALSE;
  *last = day - 1;
  *first = days >= day ? 1 : day - days;
  return TRUE;
}

/* The price_history over [@first, @last]: the lowest price in effect in
 * it, and with @needed > 0 the highest in effect on at least @needed of
 * its days (*@days those days, 0 when no price was in effect that long).
 * FALSE when no price was in effect in it. */
static gboolean
offered_over (const GArray * history, guint32 first, guint32 last,
    guint needed, gdouble * lowest, gdouble * held, guint * days)
{
  /* Days in effect per distinct price: offered twice for 15 days is 30
   * days.  A history has few distinct prices; a linear search will do. */
  g_autoptr (GArray) prices = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean found = FALSE;

  *days = 0;
  for (guint i = 0; i < history->len; i++) {
    const GcPricePoint *pt = &g_array_index (history, GcPricePoint, i);
    guint32 day = g_date_get_julian (&pt->date);
    guint32 next = i + 1 < history->len
        ? g_date_get_julian (&g_array_index (history, GcPricePoint,
            i + 1).date) : G_MAXUINT32;
    guint32 from = MAX (day, first), to = MIN (next - 1, last);
    guint k;

    if (day > last)
      break;
    if (from > to)
      continue;                 /* replaced before the window */
    if (!found || pt->price < *lowest)
      *lowest = pt->price;
    found = TRUE;
    for (k = 0; k < prices->len; k++)
      if (g_array_index (prices, gdouble, k) == pt->price)
        break;
    if (k == prices->len) {
      guint zero = 0;

      g_array_append_val (prices, pt->price);
      g_array_append_val (counts, zero);
    }
    g_array_index (counts, guint, k) += to - from + 1;
  }
  for (guint k = 0; needed > 0 && k < prices->len; k++) {
    gdouble price = g_array_index (prices, gdouble, k);
    guint n = g_array_index (counts, guint, k);

    if (n >= needed && (*days == 0 || price > *held)) {
      *held = price;
      *days = n;
    }
  }
  return found;
}

gboolean
gc_product_allowed_reference (const GcProduct * product,
    const GDate * stream_date, guint window_days, gdouble * out_price)
{
  g_return_val_if_fail (product != NULL, FALSE);

  guint32 first, last;
  gdouble lowest = 0, held = 0;
  guint days;

  /* The lowest price in effect in the @window_days days before the
   * stream day. */
  if (product->price_history && product->price_history->len > 0
      && stream_date && g_date_valid (stream_date)
      && days_before (g_date_get_julian (stream_date), window_days, &first,
          &last)
      && offered_over (product->price_history, first, last, 0, &lowest,
          &held, &days)) {
    if (out_price)
      *out_price = lowest;
    return TRUE;
  }

  if (product->has_reference_price) {
    if (out_price)
      *out_price = product->reference_price;
    return TRUE;
  }
  return FALSE;
}

const gchar *
gc_catalog_reading_languages (const GcCatalog *catalog)
{
  const gchar *j = catalog->jurisdiction, *c = catalog->currency;

  if ((j == NULL && c == NULL) || g_strcmp0 (j, "CN") == 0
      || g_strcmp0 (c, "CNY") == 0 || g_strcmp0 (c, "HKD") == 0
      || g_strcmp0 (c, "TWD") == 0)
    return "chi_sim+eng";
  return "eng";
}

gboolean
gc_product_reference_basis (const GcProduct * product,
    const GDate * stream_date, guint window_days, gboolean by_transactions,
    guint substantial_days, GcReferenceBasis * out)
{
  g_return_val_if_fail (product != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof (*out));
  g_date_clear (&out->first, 1);
  g_date_clear (&out->last, 1);
  g_date_clear (&out->day, 1);

  if (by_transactions && product->transactions
      && product->transactions->len > 0 && stream_date
      && g_date_valid (stream_date) && window_days > 0) {
    guint32 first = 1, last = 1;
    /* The @window_days days before the comparison (the stream day); on
     * the calendar's first day there are none, and nothing precedes. */
    gboolean any = days_before (g_date_get_julian (stream_date), window_days,
        &first, &last);
    guint32 before_day = 0;
    gdouble lowest = 0, before = 0;
    guint i, count = 0;

    for (i = 0; any && i < product->transactions->len; i++) {
      const GcPricePoint *pt =
          &g_array_index (product->transactions, GcPricePoint, i);
      guint32 day = g_date_get_julian (&pt->date);

      if (day > last)
        break;
      if (day >= first) {
        if (count == 0 || pt->price < lowest)
          lowest = pt->price;
        count++;
      } else if (day > before_day) {
        /* A later day before the window: its sales replace the earlier. */
        before_day = day;
        before = pt->price;
      } else if (pt->price < before)
        before = pt->price;
    }
    if (any) {
      g_date_set_julian (&out->first, first);
      g_date_set_julian (&out->last, last);
    }
    if (count > 0) {
      out->source = GC_REFERENCE_TRANSACTIONS;
      out->price = lowest;
      out->count = count;
      return TRUE;
    }
    if (before_day > 0) {
      /* Art. 16 para. 2: no sale within the window, the last transaction
       * price before it. */
      out->source = GC_REFERENCE_LAST_TRANSACTION;
      out->price = before;
      g_date_set_julian (&out->day, before_day);
      return TRUE;
    }
    /* Sales declared, none before the comparison: nothing backs a
     * compared price (art. 17: no compared price without a basis). */
    out->source = GC_REFERENCE_NONE;
    return FALSE;
  }

  if (product->price_history->len > 0 && stream_date
      && g_date_valid (stream_date)) {
    guint32 first, last;
    gdouble lowest = 0, held = 0;
    guint days = 0;

    if (days_before (g_date_get_julian (stream_date), window_days, &first,
            &last) && offered_over (product->price_history, first, last,
            substantial_days, &lowest, &held, &days)) {
      out->source = GC_REFERENCE_OFFERED;
      out->price = days > 0 ? MAX (held, lowest) : lowest;
      out->count = days;
      out->needed = substantial_days;
      g_date_set_julian (&out->first, first);
      g_date_set_julian (&out->last, last);
      return TRUE;
    }
  }
  if (gc_product_allowed_reference (product, stream_date, window_days,
          &out->price)) {
    out->source = GC_REFERENCE_DECLARED;
    return TRUE;
  }
  out->source = GC_REFERENCE_NONE;
  return FALSE;
}

gboolean
gc_product_stated_basis (const GcProduct * product, const GDate * stream_date,
    guint month, guint day, guint window_days, gboolean by_transactions,
    guint substantial_days, GcReferenceBasis * out)
{
  GDate on;
  guint32 j;
  GDateYear year;

  g_return_val_if_fail (product != NULL && out != NULL, FALSE);

  if (stream_date == NULL || !g_date_valid (stream_date) || month < 1
      || month > 12 || day < 1 || day > 31)
    return gc_product_reference_basis (product, stream_date, window_days,
        by_transactions, substantial_days, out);

  /* The last such day on or before the stream's (29 Feb: a leap year). */
  year = g_date_get_year (stream_date);
  g_date_clear (&on, 1);
  for (guint back = 0; back < 8 && !g_date_valid (&on); back++, year--) {
    if (g_date_valid_dmy (day, month, year)) {
      g_date_set_dmy (&on, day, month, year);
      if (g_date_compare (&on, stream_date) > 0)
        g_date_clear (&on, 1);
    }
  }
  if (!g_date_valid (&on))
    return gc_product_reference_basis (product, stream_date, window_days,
        by_transactions, substantial_days, out);
  j = g_date_get_julian (&on);

  memset (out, 0, sizeof (*out));
  g_date_clear (&out->first, 1);
  g_date_clear (&out->last, 1);
  out->day = on;

  if (product->transactions->len > 0) {
    for (guint i = 0; i < product->transactions->len; i++) {
      const GcPricePoint *pt =
          &g_array_index (product->transactions, GcPricePoint, i);

      if (g_date_get_julian (&pt->date) != j)
        continue;
      out->price = out->count == 0 ? pt->price : MAX (out->price, pt->price);
      out->count++;
    }
    out->source = out->count > 0 ? GC_REFERENCE_STATED : GC_REFERENCE_NONE;
    return out->count > 0;
  }
  if (product->price_history->len > 0) {
    gboolean found = FALSE;

    for (guint i = 0; i < product->price_history->len; i++) {
      const GcPricePoint *pt =
          &g_array_index (product->price_history, GcPricePoint, i);

      if (g_date_get_julian (&pt->date) > j)
        break;
      out->price = pt->price;
      found = TRUE;
    }
    out->source = found ? GC_REFERENCE_STATED : GC_REFERENCE_NONE;
    return found;
  }
  return gc_product_reference_basis (product, stream_date, window_days,
      by_transactions, substantial_days, out);
}

gboolean
gc_product_price_raised (const GcProduct * product, const GDate * stream_date,
    guint window_days, guint lookback_days, gdouble shown, gdouble tolerance,
    GcPriceRaise * out)
{
  guint32 wf, wl, lf, ll, raised_day = 0;
  gdouble raised_to = 0, before = 0, prev = 0;
  gboolean have_prev = FALSE;
  guint i, count = 0, offers = 0;

  g_return_val_if_fail (product != NULL && out != NULL, FALSE);
  memset (out, 0, sizeof (*out));
  g_date_clear (&out->raised_on, 1);
  g_date_clear (&out->first, 1);
  g_date_clear (&out->last, 1);
  if (stream_date == NULL || !g_date_valid (stream_date)
      || !days_before (g_date_get_julian (stream_date), window_days, &wf, &wl)
      || !days_before (wf, lookback_days, &lf, &ll))
    return FALSE;

  /* The last raise inside the window to the price shown or more. */
  for (i = 0; i < product->price_history->len; i++) {
    const GcPricePoint *pt =
        &g_array_index (product->price_history, GcPricePoint, i);
    guint32 day = g_date_get_julian (&pt->date);

    if (day > wl)
      break;
    if (day >= wf && have_prev && pt->price > prev + tolerance
        && pt->price >= shown - tolerance) {
      raised_day = day;
      raised_to = pt->price;
    }
    prev = pt->price;
    have_prev = TRUE;
  }
  if (raised_day == 0)
    return FALSE;

  /* The look-back's prices: its sales, else the offers in effect. */
  for (i = 0; i < product->transactions->len; i++) {
    const GcPricePoint *pt =
        &g_array_index (product->transactions, GcPricePoint, i);
    guint32 day = g_date_get_julian (&pt->date);

    if (day >= lf && day <= ll) {
      before = count == 0 ? pt->price : MAX (before, pt->price);
      count++;
    }
  }
  out->from_transactions = count > 0;
  for (i = 0; count == 0 && i < product->price_history->len; i++) {
    const GcPricePoint *pt =
        &g_array_index (product->price_history, GcPricePoint, i);
    guint32 day = g_date_get_julian (&pt->date);
    guint32 next = i + 1 < product->price_history->len
        ? g_date_get_julian (&g_array_index (product->price_history,
            GcPricePoint, i + 1).date) : G_MAXUINT32;

    /* In effect during the look-back: set in it, or before it and not
     * replaced by its first day. */
    if (day > ll)
      break;
    if (day < lf && next <= lf)
      continue;
    before = offers == 0 ? pt->price : MAX (before, pt->price);
    offers++;
  }
  if (count == 0 && offers == 0)
    return FALSE;
  if (shown <= before + tolerance)
    return FALSE;

  out->raised_to = raised_to;
  g_date_set_julian (&out->raised_on, raised_day);
  out->before = before;
  g_date_set_julian (&out->first, lf);
  g_date_set_julian (&out->last, ll);
  out->count = count > 0 ? count : offers;
  return TRUE;
}
