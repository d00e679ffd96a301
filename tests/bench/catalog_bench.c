/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts parser's cost per line against a catalog of 3 products and
 * one of 100,000 (issue 19: lookups by hash, not by walking the catalog).
 *
 *   build/tests/bench/catalog_bench [PRODUCTS]
 *
 * Prints the median microseconds per line of 5 runs for each catalog and
 * their ratio.  Names are drawn from 40 characters, so character pairs
 * are shared by thousands of names, as in a real shop's catalog. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc-catalog.h"
#include "gc-facts.h"

static const gchar *const pool[] = {
  "保", "温", "杯", "大", "米", "面", "霜", "口", "红", "精", "华", "水",
  "乳", "套", "装", "礼", "盒", "新", "款", "真", "空", "不", "锈", "钢",
  "家", "用", "加", "厚", "儿", "童", "成", "人", "茶", "壶", "碗", "筷",
  "锅", "铲", "刀", "叉",
};

static GcCatalog *
make_catalog (guint n, GRand *rand)
{
  GString *json = g_string_new ("{\"schema\":\"gst-compliance-catalog/1\","
      "\"jurisdiction\":\"CN\",\"currency\":\"CNY\",\"products\":[");
  for (guint i = 0; i < n; i++) {
    g_string_append_printf (json, "%s{\"sku\":\"S%u\",\"name\":\"",
        i ? "," : "", i);
    gint len = g_rand_int_range (rand, 4, 9);
    for (gint k = 0; k < len; k++)
      g_string_append (json, pool[g_rand_int_range (rand, 0,
                  G_N_ELEMENTS (pool))]);
    g_string_append_printf (json, "\",\"aliases\":[\"款%u 500ml\"],"
        "\"price\":%u}", i % 97, 10 + i % 500);
  }
  g_string_append (json, "]}");
  GError *err = NULL;
  GcCatalog *c = gc_catalog_load_data (json->str, json->len, "bench", &err);
  if (!c) {
    fprintf (stderr, "catalog_bench: %s\n", err->message);
    exit (1);
  }
  g_string_free (json, TRUE);
  return c;
}

static int
compare_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

/* Median microseconds per line over 5 runs of @lines. */
static gdouble
time_lines (const GcCatalog *catalog, GPtrArray *lines)
{
  gdouble runs[5];
  for (guint r = 0; r < G_N_ELEMENTS (runs); r++) {
    gint64 t0 = g_get_monotonic_time ();
    for (guint i = 0; i < lines->len; i++) {
      GcLine line = { g_ptr_array_index (lines, i), {0, 0, 100, 20}, 0.9,
        FALSE };
      g_ptr_array_unref (gc_facts_parse_line (&line, NULL, catalog));
    }
    runs[r] = (gdouble) (g_get_monotonic_time () - t0) / lines->len;
  }
  qsort (runs, G_N_ELEMENTS (runs), sizeof (runs[0]), compare_double);
  return runs[G_N_ELEMENTS (runs) / 2];
}

int
main (int argc, char **argv)
{
  guint big = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  GRand *rand = g_rand_new_with_seed (1);
  GcCatalog *small = make_catalog (3, rand);
  gint64 t0 = g_get_monotonic_time ();
  GcCatalog *large = make_catalog (big, rand);
  gdouble load_s = (g_get_monotonic_time () - t0) / 1e6;

  /* Live-commerce lines: a price, a caption, chat; some with a name. */
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 200; i++) {
    GString *s = g_string_new (i % 3 == 0 ? "到手价 ¥89 " : i % 3 == 1
        ? "小鱼儿：有没有大一点的" : "");
    gint len = g_rand_int_range (rand, 4, 12);
    for (gint k = 0; k < len; k++)
      g_string_append (s, pool[g_rand_int_range (rand, 0,
                  G_N_ELEMENTS (pool))]);
    g_ptr_array_add (lines, g_string_free (s, FALSE));
  }

  gdouble a = time_lines (small, lines), b = time_lines (large, lines);
  printf ("catalog_bench: %u lines, median of 5 runs\n", lines->len);
  printf ("  3 products:        %8.1f us/line\n", a);
  printf ("  %u products: %8.1f us/line (catalog loaded in %.2f s)\n", big, b,
      load_s);
  printf ("  ratio large/small: %.2fx\n", a > 0 ? b / a : 0.0);
  g_ptr_array_unref (lines);
  gc_catalog_unref (small);
  gc_catalog_unref (large);
  g_rand_free (rand);
  return 0;
}
