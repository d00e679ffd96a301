/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCR engine benchmark: one command, one run.
 *
 *   build-ocr/tests/ocr/ocr_engine_bench [--repeat N]
 *
 * Renders a fixed set of 720p and 1080p live-commerce frames (prices, struck
 * reference prices, sales claims, ad labels, captions on colourful
 * backgrounds) and prints, per resolution, medians of ms per frame and per
 * line for the engine (regions -> prepared lines -> psm 7), and for
 * whole-frame Tesseract (psm 3, as users run it: OpenMP threads as the
 * machine has, inverted retry on), with the recall of both, their ratio in
 * wall and in CPU time, and what an unchanged frame costs through the
 * tracker.
 *
 * The engine is loaded through the plugin's loader, so whatever the
 * environment holds, the figures are those the element will see.  The
 * whole-frame baseline runs in a child process (this program again, with
 * --whole-frame) whose OpenMP setting is the library default. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc-ocr-loader.h"
#include "gc-ocr-scene.h"

typedef struct
{
  const gchar *text;
  const gchar *expect;          /* what a correct reading contains */
  gint px;
  guint32 fg;
  gboolean outline, strike, panel;
  guint32 panel_rgb;
  gboolean shadow;
} Item;

/* Each scene: background + up to 5 items laid out down the frame. */
typedef struct
{
  SceneBackground bg;
  Item items[5];
} Scene;

static const Scene scenes[] = {
  {SCENE_BG_GRADIENT, {
          {"到手价 ¥89.00", "¥89.00", 44, 0xffffff, TRUE, FALSE, FALSE, 0},
          {"原价 ¥129", "¥129", 26, 0xe0e0e0, FALSE, TRUE, TRUE, 0x404040},
          {"已售10万+", "已售10万+", 28, 0xffffff, TRUE, FALSE, FALSE, 0},
          {"广告", "广告", 22, 0xffffff, FALSE, FALSE, TRUE, 0x000000},
      }},
  {SCENE_BG_BARS, {
          {"秒杀价 ¥59.9", "¥59.9", 52, 0xffee00, TRUE, FALSE, FALSE, 0},
          {"原价 ¥99", "¥99", 30, 0xffffff, TRUE, TRUE, FALSE, 0},
          {"Sponsored", "Sponsored", 24, 0x000000, FALSE, FALSE, TRUE, 0xffffff},
      }},
  {SCENE_BG_DARK, {
          {"Now $19.99", "$19.99", 36, 0xffffff, FALSE, FALSE, FALSE, 0},
          {"Was $29.99", "$29.99", 24, 0xb0b0b0, FALSE, TRUE, FALSE, 0},
          {"10,000+ sold", "10,000+sold", 20, 0xffd040, FALSE, FALSE, FALSE, 0},
          {"Ad", "Ad", 20, 0xffffff, FALSE, FALSE, TRUE, 0xc00000},
      }},
  {SCENE_BG_LIGHT, {
          {"券后价 ¥39.90", "¥39.90", 34, 0xe01010, FALSE, FALSE, FALSE, 0},
          {"原价 ¥399", "¥399", 18, 0x707070, FALSE, TRUE, FALSE, 0},
          {"销量2.3万", "销量2.3万", 16, 0x202020, FALSE, FALSE, FALSE, 0},
          {"保温杯 500ml 限时特惠", "保温杯500ml限时特惠", 26, 0x103080, FALSE, FALSE, FALSE, 0},
      }},
  {SCENE_BG_GRADIENT, {
          {"¥1,299.00", "¥1,299.00", 60, 0xff4040, TRUE, FALSE, FALSE, 0},
          {"Sale €24.50", "€24.50", 26, 0x1030a0, FALSE, FALSE, TRUE, 0xffffff},
          {"到手价 ¥9.90", "¥9.90", 14, 0xffffff, FALSE, FALSE, TRUE, 0x000000},
      }},
  {SCENE_BG_PHOTO, {
          {"直播价 ¥268", "¥268", 40, 0xffffff, FALSE, FALSE, FALSE, 0, TRUE},
          {"日常价 ¥399", "¥399", 24, 0xffd040, TRUE, TRUE, FALSE, 0, TRUE},
          {"已抢2.3万件", "已抢2.3万件", 22, 0xffffff, FALSE, FALSE, TRUE, 0x101010},
          {"Link in bio", "Linkinbio", 20, 0xffffff, TRUE, FALSE, FALSE, 0},
      }},
  {SCENE_BG_GRAINY, {
          {"Only $9.50", "$9.50", 30, 0xffffff, TRUE, FALSE, FALSE, 0},
          {"statt 59,90 €", "59,90€", 22, 0xffffff, FALSE, TRUE, FALSE, 0, TRUE},
          {"月销5000+", "月销5000+", 26, 0x000000, FALSE, FALSE, TRUE, 0xffffff},
      }},
};

static guint8 *
render (const Scene * s, gint w, gint h, SceneItem * out, guint * n,
    gint * stride)
{
  gint y = h / 12;
  guint i;

  *n = 0;
  for (i = 0; i < G_N_ELEMENTS (s->items) && s->items[i].text; i++) {
    const Item *it = &s->items[i];
    gint px = it->px * h / 720;
    out[i] = (SceneItem) {
    it->text, (i % 2) ? w / 2 : w / 12, y, px, it->fg, it->outline,
          it->strike, it->panel, it->panel_rgb, 0, 0, 0, 0, it->shadow, NULL};
    y += px * 2 + h / 14;
    (*n)++;
  }
  return scene_render (w, h, s->bg, 1, out, *n, stride);
}

static gchar *
squash (const gchar * s)
{
  GString *o = g_string_new (NULL);
  for (; *s; s++)
    if (*s != ' ')
      g_string_append_c (o, *s);
  return g_string_free (o, FALSE);
}

static guint
count_found (GPtrArray * lines, const Scene * s, guint n)
{
  guint i, j, found = 0;

  for (i = 0; i < n; i++) {
    g_autofree gchar *want = squash (s->items[i].expect);
    for (j = 0; j < lines->len; j++) {
      const GcOcrLine *l = g_ptr_array_index (lines, j);
      g_autofree gchar *got = squash (l->text);
      if (strstr (got, want)) {
        found++;
        break;
      }
    }
  }
  return found;
}

/* CPU time of the whole process (all OpenMP threads of the baseline
 * included): unlike wall time it does not grow when other jobs share the
 * cores. */
static gdouble
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static gdouble
load_average (void)
{
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return 0;
  return g_ascii_strtod (text, NULL);
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static gdouble
median (GArray * a)
{
  if (a->len == 0)
    return 0;
  g_array_sort (a, cmp_double);
  return g_array_index (a, gdouble, a->len / 2);
}

typedef struct
{
  gdouble frame_ms, frame_cpu_ms, line_ms, region_ms, tracked_ms;
  guint found, total, lines;
} Result;

static void
run (const GcOcrApi * api, GcOcrEngine * engine, gboolean whole, gint w, gint h,
    gint repeat, Result * r)
{
  g_autoptr (GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) line_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) region_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) tracked_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) frame_cpu = g_array_new (FALSE, FALSE, sizeof (gdouble));
  guint si;
  gint k;

  memset (r, 0, sizeof (*r));
  for (si = 0; si < G_N_ELEMENTS (scenes); si++) {
    SceneItem items[5];
    guint n;
    gint stride;
    g_autofree guint8 *data = render (&scenes[si], w, h, items, &n, &stride);
    GcOcrFrame frame = { data, GC_OCR_FORMAT_RGBX, w, h, stride };
    GcOcrTracker *tracker = api->tracker_new ();

    for (k = 0; k < repeat; k++) {
      gdouble c0 = cpu_ms (), cms;
      gint64 t0 = g_get_monotonic_time ();
      GPtrArray *lines = whole ? api->read_page (engine, &frame, 3, NULL)
          : api->read_frame (engine, &frame, NULL, NULL);
      gdouble ms = (g_get_monotonic_time () - t0) / 1000.0;

      cms = cpu_ms () - c0;
      g_array_append_val (frame_ms, ms);
      g_array_append_val (frame_cpu, cms);
      if (k == 0) {
        r->found += count_found (lines, &scenes[si], n);
        r->total += n;
        r->lines += lines->len;
      }
      if (!whole) {
        GArray *regions;
        gdouble per_line, rms;

        t0 = g_get_monotonic_time ();
        regions = api->find_regions (&frame, NULL);
        rms = (g_get_monotonic_time () - t0) / 1000.0;
        g_array_append_val (region_ms, rms);
        if (regions->len) {
          per_line = (ms - rms) / regions->len;
          g_array_append_val (line_ms, per_line);
        }
        g_array_unref (regions);

        /* The same frame again through the tracker: what a static overlay
         * costs once it has been read. */
        g_ptr_array_unref (api->read_frame (engine, &frame, tracker, NULL));
        t0 = g_get_monotonic_time ();
        g_ptr_array_unref (api->read_frame (engine, &frame, tracker, NULL));
        rms = (g_get_monotonic_time () - t0) / 1000.0;
        g_array_append_val (tracked_ms, rms);
      }
      if (g_getenv ("BENCH_VERBOSE") && k == 0) {
        guint j;
        for (j = 0; j < lines->len; j++) {
          const GcOcrLine *l = g_ptr_array_index (lines, j);
          fprintf (stderr, "  %s %dp scene %u: %s\"%s\"\n",
              whole ? "whole" : "engine", h, si, l->struck ? "[struck] " : "",
              l->text);
        }
      }
      g_ptr_array_unref (lines);
    }
    api->tracker_free (tracker);
  }
  r->frame_ms = median (frame_ms);
  r->frame_cpu_ms = median (frame_cpu);
  r->line_ms = median (line_ms);
  r->region_ms = median (region_ms);
  r->tracked_ms = median (tracked_ms);
}

/* In-stream: what the element's engine does on a live sale, sampled as
 * complianceocr does (interval=500: 2 frames a second).  The overlay set
 * changes every 5 s (the scenes above in turn, their first price changed
 * at each appearance), the picture under it changes on every frame
 * (sensor noise, +-6 levels), and the engine reads through its change
 * tracker as the element does; whole-frame Tesseract reads every sampled
 * frame. */
#define STREAM_SECONDS 60
#define STREAM_SAMPLES_PER_S 2
#define STREAM_SCENE_S 5

typedef struct
{
  gdouble median_ms, mean_ms, median_cpu, mean_cpu;
  guint found, total, frames;
} StreamResult;

static void
add_noise (guint8 * data, gint w, gint h, gint stride, guint32 seed)
{
  guint32 state = seed * 2654435761u + 12345;
  gint x, y, c;

  for (y = 0; y < h; y++) {
    guint8 *p = data + (gsize) y * stride;
    for (x = 0; x < w; x++, p += 4) {
      gint d;
      state = state * 1664525u + 1013904223u;
      d = (gint) ((state >> 24) % 13) - 6;
      for (c = 0; c < 3; c++)
        p[c] = CLAMP (p[c] + d, 0, 255);
    }
  }
}

static void
stream (const GcOcrApi * api, GcOcrEngine * engine, gboolean whole, gint w,
    gint h, StreamResult * r)
{
  g_autoptr (GArray) ms_all = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) cpu_all = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GcOcrTracker *tracker = whole ? NULL : api->tracker_new ();
  gint frames = STREAM_SECONDS * STREAM_SAMPLES_PER_S, f;
  gint per_scene = STREAM_SCENE_S * STREAM_SAMPLES_PER_S;
  g_autofree guint8 *base = NULL;
  gint stride = 0;
  guint n = 0;
  Scene scene;
  g_autofree gchar *price_text = NULL, *price_expect = NULL;
  gdouble sum = 0, sum_cpu = 0;

  memset (r, 0, sizeof (*r));
  for (f = 0; f < frames; f++) {
    GcOcrFrame frame;
    g_autofree guint8 *data = NULL;
    GPtrArray *lines;
    gint64 t0;
    gdouble c0, ms, cms;

    if (f % per_scene == 0) {
      gint show = f / per_scene;
      SceneItem items[5];
      const gchar *text;
      const gchar *sign;

      /* The next scene, its first price changed at every appearance. */
      scene = scenes[show % G_N_ELEMENTS (scenes)];
      text = scene.items[0].text;
      sign = strstr (text, "¥") ? "¥" : strstr (text, "$") ? "$" : "€";
      g_free (price_text);
      g_free (price_expect);
      price_expect = g_strdup_printf ("%s%d.%02d", sign, 10 + show * 7,
          (show * 37) % 100);
      price_text = g_strdup_printf ("%s %s", strstr (text, "¥") ? "到手价"
          : "Now", price_expect);
      scene.items[0].text = price_text;
      scene.items[0].expect = price_expect;
      g_free (base);
      base = render (&scene, w, h, items, &n, &stride);
    }
    data = g_memdup2 (base, (gsize) stride * h);
    add_noise (data, w, h, stride, f + 1);
    frame = (GcOcrFrame) {
    data, GC_OCR_FORMAT_RGBX, w, h, stride};
    c0 = cpu_ms ();
    t0 = g_get_monotonic_time ();
    lines = whole ? api->read_page (engine, &frame, 3, NULL)
        : api->read_frame (engine, &frame, tracker, NULL);
    ms = (g_get_monotonic_time () - t0) / 1000.0;
    cms = cpu_ms () - c0;
    g_array_append_val (ms_all, ms);
    g_array_append_val (cpu_all, cms);
    sum += ms;
    sum_cpu += cms;
    r->found += count_found (lines, &scene, n);
    r->total += n;
    g_ptr_array_unref (lines);
  }
  if (tracker)
    api->tracker_free (tracker);
  r->frames = frames;
  r->mean_ms = sum / frames;
  r->mean_cpu = sum_cpu / frames;
  r->median_ms = median (ms_all);
  r->median_cpu = median (cpu_all);
}

static const GcOcrApi *
load (GcOcrEngine ** engine)
{
  g_autoptr (GError) error = NULL;
  const GcOcrLoadInfo *info;

  if (g_getenv (GC_OCR_LIBRARY_ENV) == NULL)
    g_setenv (GC_OCR_LIBRARY_ENV, GC_OCR_BUILD_LIBRARY, TRUE);
  info = gc_ocr_loader_load (&error);
  if (info == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return NULL;
  }
  *engine = info->api->engine_new (NULL, &error);
  if (*engine == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return NULL;
  }
  return info->api;
}

int
main (int argc, char **argv)
{
  static const gint sizes[2][2] = { {1280, 720}, {1920, 1080} };
  gint repeat = 3, i;
  gboolean whole = FALSE;
  const GcOcrApi *api;
  GcOcrEngine *engine = NULL;
  const gchar *user_limit = g_getenv ("OMP_THREAD_LIMIT");

  for (i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--whole-frame"))
      whole = TRUE;
    else if (g_str_equal (argv[i], "--repeat") && i + 1 < argc)
      repeat = atoi (argv[++i]);
  }

  repeat = MAX (1, repeat);
  if (whole) {
    /* Tesseract's default: OpenMP uses every core.  The loader leaves a
     * value that is set alone, so set the default explicitly. */
    g_autofree gchar *ncpu = g_strdup_printf ("%u", g_get_num_processors ());
    g_setenv ("OMP_THREAD_LIMIT", ncpu, TRUE);
    if ((api = load (&engine)) == NULL)
      return 2;
    for (i = 0; i < 2; i++) {
      Result r;
      run (api, engine, TRUE, sizes[i][0], sizes[i][1], repeat, &r);
      printf ("%d %.3f %.3f %u %u\n", sizes[i][1], r.frame_ms, r.frame_cpu_ms,
          r.found, r.total);
    }
    for (i = 0; i < 2; i++) {
      StreamResult sr;
      stream (api, engine, TRUE, sizes[i][0], sizes[i][1], &sr);
      printf ("%d %.3f %.3f %.3f %.3f %u %u\n", sizes[i][1], sr.median_ms,
          sr.mean_ms, sr.median_cpu, sr.mean_cpu, sr.found, sr.total);
    }
    api->engine_free (engine);
    return 0;
  }

  printf ("OMP_THREAD_LIMIT in the environment: %s\n",
      user_limit ? user_limit : "(unset)");
  {
    gint64 t0 = g_get_monotonic_time ();
    if ((api = load (&engine)) == NULL)
      return 2;
    printf ("engine load + init (chi_sim+eng, eng): %.0f ms; "
        "OMP_THREAD_LIMIT now %s\n",
        (g_get_monotonic_time () - t0) / 1000.0, g_getenv ("OMP_THREAD_LIMIT"));
  }

  {
    /* The child gets the environment this program was started with. */
    gchar **envp = g_get_environ ();
    gchar *child_argv[] = { argv[0], (gchar *) "--whole-frame",
      (gchar *) "--repeat", NULL, NULL
    };
    g_autofree gchar *rep = g_strdup_printf ("%d", repeat);
    g_autofree gchar *out = NULL;
    g_autoptr (GError) error = NULL;
    gint status;
    Result e[2];
    gdouble wms[2] = { 0, 0 }, wcpu[2] = { 0, 0 };
    guint wfound[2] = { 0, 0 }, wtotal[2] = { 0, 0 };

    if (user_limit == NULL)
      envp = g_environ_unsetenv (envp, "OMP_THREAD_LIMIT");
    else
      envp = g_environ_setenv (envp, "OMP_THREAD_LIMIT", user_limit, TRUE);
    child_argv[3] = rep;

    StreamResult es[2], ws[2];

    memset (ws, 0, sizeof (ws));
    for (i = 0; i < 2; i++)
      run (api, engine, FALSE, sizes[i][0], sizes[i][1], repeat, &e[i]);
    for (i = 0; i < 2; i++)
      stream (api, engine, FALSE, sizes[i][0], sizes[i][1], &es[i]);

    if (!g_spawn_sync (NULL, child_argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
            &out, NULL, &status, &error)) {
      fprintf (stderr, "whole-frame run failed: %s\n", error->message);
    } else {
      gchar **rows = g_strsplit (out, "\n", -1);
      for (i = 0; i < 2 && rows[i]; i++)
        sscanf (rows[i], "%*d %lf %lf %u %u", &wms[i], &wcpu[i], &wfound[i],
            &wtotal[i]);
      for (i = 0; i < 2 && rows[0] && rows[1] && rows[2 + i]; i++)
        sscanf (rows[2 + i], "%*d %lf %lf %lf %lf %u %u", &ws[i].median_ms,
            &ws[i].mean_ms, &ws[i].median_cpu, &ws[i].mean_cpu, &ws[i].found,
            &ws[i].total);
      g_strfreev (rows);
    }
    g_strfreev (envp);

    printf ("\n%-6s %9s %8s %9s %8s %10s %7s | %9s %8s %7s | %8s %8s\n",
        "frame", "region ms", "ms/line", "ms/frame", "cpu ms", "unchanged",
        "recall", "whole ms", "cpu ms", "recall", "speedup", "cpu x");
    for (i = 0; i < 2; i++) {
      printf ("%-6s %9.2f %8.1f %9.1f %8.1f %10.2f %3u/%-3u | %9.1f %8.1f "
          "%3u/%-3u | %7.1fx %7.1fx\n", i ? "1080p" : "720p", e[i].region_ms,
          e[i].line_ms, e[i].frame_ms, e[i].frame_cpu_ms, e[i].tracked_ms,
          e[i].found, e[i].total, wms[i], wcpu[i], wfound[i], wtotal[i],
          e[i].frame_ms > 0 ? wms[i] / e[i].frame_ms : 0,
          e[i].frame_cpu_ms > 0 ? wcpu[i] / e[i].frame_cpu_ms : 0);
    }
    printf ("\nmedians over %u scenes x %d runs (analysed frames: no tracker);"
        "\nregion ms = region finding on the reduced luma; ms/line = (frame - "
        "region finding) / regions;\nunchanged = the same frame again through "
        "the change tracker (whole-frame check, no region finding);\nwhole = "
        "Tesseract psm 3 on the full frame, OpenMP as the environment leaves "
        "it;\nspeedup = whole ms / engine ms (wall), cpu x = the same in "
        "process CPU time (load average now %.1f: wall times grow with it).\n",
        (guint) G_N_ELEMENTS (scenes), repeat, load_average ());

    printf ("\nIn-stream, %d s of a live sale sampled at interval=500 (%d frames "
        "per size): overlays change every %d s,\nthe picture under them on "
        "every frame; the engine reads through its change tracker, as the "
        "element does.\n", STREAM_SECONDS, STREAM_SECONDS * STREAM_SAMPLES_PER_S,
        STREAM_SCENE_S);
    printf ("%-6s %9s %9s %9s %10s | %9s %9s %10s | %10s %10s\n", "frame",
        "median ms", "mean ms", "mean cpu", "recall", "median ms", "mean ms",
        "recall", "speedup", "cpu x");
    for (i = 0; i < 2; i++) {
      printf ("%-6s %9.2f %9.2f %9.2f %4u/%-5u | %9.1f %9.1f %4u/%-5u | "
          "%9.1fx %9.1fx\n", i ? "1080p" : "720p", es[i].median_ms,
          es[i].mean_ms, es[i].mean_cpu, es[i].found, es[i].total,
          ws[i].median_ms, ws[i].mean_ms, ws[i].found, ws[i].total,
          es[i].mean_ms > 0 ? ws[i].mean_ms / es[i].mean_ms : 0,
          es[i].mean_cpu > 0 ? ws[i].mean_cpu / es[i].mean_cpu : 0);
    }
    printf ("recall = items read on the frames they were shown (sum over "
        "frames); speedup = ratio of the means (the throughput a worker "
        "needs); whole = left columns' baseline.\n");
  }
  api->engine_free (engine);
  return 0;
}
