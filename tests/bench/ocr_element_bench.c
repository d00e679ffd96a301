/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* complianceocr element benchmark: one command, one run.
 *
 *   build-ocrel/tests/bench/ocr_element_bench [--seconds N] [--no-baseline]
 *       [--width W --height H] [--format I420]
 *
 * Runs the live pipeline
 *
 *   videotestsrc is-live=true pattern=smpte ! video/x-raw,1920x1080@30 !
 *   textoverlay (price text changing every 2 s) !
 *   complianceocr interval=500 ! fakesink sync=true
 *
 * for N seconds (default 60) and prints:
 * - the time each buffer spends in complianceocr's chain function (the
 *   streaming thread), from a probe on its sink pad to one on its src pad:
 *   median, p95, max over all frames, and the median over the sampled
 *   frames (those whose chain copies the frame for a worker);
 * - the CPU the whole process used over the run (getrusage, user+sys), as
 *   a percentage of one core, with the same pipeline without complianceocr
 *   (identity instead) as the baseline, and the difference;
 * - the peak resident memory (VmHWM) after the complianceocr run, and the
 *   element's own statistics.
 * Targets: < 1 ms per frame in the streaming thread, < 35% of one core,
 * < 250 MB peak.
 *
 * OMP_THREAD_LIMIT is deliberately left as the environment has it: the
 * element must make OCR single-threaded by itself. */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const gchar *prices[] = {
  "到手价 ¥89.00", "秒杀价 ¥59.9  原价 ¥129", "券后价 ¥39.90", "Now $19.99",
  "已售10万+ 到手价 ¥99",
};

typedef struct
{
  GArray *chain_us;             /* gdouble, every frame */
  GArray *sampled_us;           /* gdouble, frames copied for a worker */
  gint64 t_in;
  guint64 last_sampled;
  GstElement *ocr;
  /* The element's statistics at the end of the run. */
  guint64 seen, sampled, skipped, regions;
  gdouble ms_per_read;
} Probe;

static GstPadProbeReturn
on_sink (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Probe *p = data;
  p->t_in = g_get_monotonic_time ();
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_src (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Probe *p = data;
  gdouble us = (gdouble) (g_get_monotonic_time () - p->t_in);
  guint64 sampled = 0;

  g_array_append_val (p->chain_us, us);
  /* After the clock is read: the property lookup is not part of it. */
  g_object_get (p->ocr, "frames-sampled", &sampled, NULL);
  if (sampled != p->last_sampled)
    g_array_append_val (p->sampled_us, us);
  p->last_sampled = sampled;
  return GST_PAD_PROBE_OK;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static gdouble
percentile (GArray * a, gdouble q)
{
  if (a->len == 0)
    return 0.0;
  g_array_sort (a, cmp_double);
  return g_array_index (a, gdouble, (guint) (q * (a->len - 1) + 0.5));
}

typedef struct
{
  GMainLoop *loop;
  GstElement *text;
  guint n;
} Ticker;

static gboolean
change_price (gpointer data)
{
  Ticker *t = data;
  t->n++;
  g_object_set (t->text, "text", prices[t->n % G_N_ELEMENTS (prices)], NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_bus (GstBus * bus, GstMessage * m, gpointer data)
{
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error (m, &err, NULL);
    g_printerr ("error: %s\n", err->message);
    g_error_free (err);
    exit (2);
  }
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
    GError *err = NULL;
    gst_message_parse_warning (m, &err, NULL);
    g_printerr ("warning: %s\n", err->message);
    g_error_free (err);
  }
  return G_SOURCE_CONTINUE;
}

static gdouble
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static gint64
vm_hwm_kb (void)
{
  g_autofree gchar *status = NULL;
  const gchar *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, "VmHWM:");
  return p ? g_ascii_strtoll (p + 6, NULL, 10) : -1;
}

/* Runs the pipeline with @analyser for @seconds; returns the CPU the
 * process used, in % of one core.  With @probe, the analyser must be named
 * "ocr": its chain is timed and its statistics kept. */
static gdouble
run (const gchar * analyser, gint width, gint height, const gchar * format,
    guint seconds, Probe * probe)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "pattern=smpte ! video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=30/1 ! textoverlay name=price font-desc=\"Noto Sans CJK SC "
      "36\" valignment=bottom halignment=left ! %s ! fakesink sync=true",
      format, width, height, analyser);
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);
  GstBus *bus;
  Ticker ticker = { 0, };
  gdouble cpu0, cpu1;
  gint64 wall0, wall1;

  if (pipeline == NULL) {
    g_printerr ("%s: %s\n", desc, err->message);
    exit (2);
  }
  ticker.loop = g_main_loop_new (NULL, FALSE);
  ticker.text = gst_bin_get_by_name (GST_BIN (pipeline), "price");
  g_object_set (ticker.text, "text", prices[0], NULL);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus, NULL);

  if (probe) {
    GstPad *sink, *src;

    probe->ocr = gst_bin_get_by_name (GST_BIN (pipeline), "ocr");
    sink = gst_element_get_static_pad (probe->ocr, "sink");
    src = gst_element_get_static_pad (probe->ocr, "src");
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, on_sink, probe, NULL);
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, on_src, probe, NULL);
    gst_object_unref (sink);
    gst_object_unref (src);
  }

  /* Start-up (engine creation) is not what is measured: wait for PLAYING,
   * then let it settle a second. */
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("could not start: %s\n", desc);
    exit (2);
  }
  gst_element_get_state (pipeline, NULL, NULL, 30 * GST_SECOND);
  g_timeout_add (1000, stop_loop, ticker.loop);
  g_main_loop_run (ticker.loop);
  if (probe) {
    g_array_set_size (probe->chain_us, 0);
    g_array_set_size (probe->sampled_us, 0);
  }

  cpu0 = cpu_seconds ();
  wall0 = g_get_monotonic_time ();
  g_timeout_add (2000, change_price, &ticker);
  g_timeout_add (seconds * 1000, stop_loop, ticker.loop);
  g_main_loop_run (ticker.loop);
  cpu1 = cpu_seconds ();
  wall1 = g_get_monotonic_time ();

  if (probe) {
    g_object_get (probe->ocr, "frames-seen", &probe->seen, "frames-sampled",
        &probe->sampled, "frames-skipped", &probe->skipped, "regions-read",
        &probe->regions, "mean-ms-per-read", &probe->ms_per_read, NULL);
    gst_clear_object (&probe->ocr);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (ticker.text);
  g_main_loop_unref (ticker.loop);
  gst_object_unref (pipeline);
  return 100.0 * (cpu1 - cpu0) / ((wall1 - wall0) / 1e6);
}

int
main (int argc, char **argv)
{
  gint seconds = 60, width = 1920, height = 1080;
  gboolean no_baseline = FALSE;
  g_autofree gchar *format = NULL;
  GOptionEntry entries[] = {
    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Run length (60)", "N"},
    {"no-baseline", 0, 0, G_OPTION_ARG_NONE, &no_baseline,
        "Skip the run without complianceocr", NULL},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width (1920)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height (1080)", "H"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format, "Raw format (I420)", "F"},
    {NULL},
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- complianceocr "
      "streaming-thread time, CPU and memory in a live pipeline");
  g_autoptr (GError) err = NULL;
  Probe probe = { 0, };
  gdouble cpu_base = -1.0, cpu_ocr;
  gint64 hwm;
  const gchar *omp = g_getenv ("OMP_THREAD_LIMIT");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  if (format == NULL)
    format = g_strdup ("I420");

#ifdef GC_PLUGIN_BUILDDIR
  /* Run from the build tree: the freshly built plugin and engine. */
  if (g_getenv ("GST_PLUGIN_PATH") == NULL)
    g_setenv ("GST_PLUGIN_PATH", GC_PLUGIN_BUILDDIR, TRUE);
  if (g_getenv ("GST_REGISTRY") == NULL)
    g_setenv ("GST_REGISTRY", GC_PLUGIN_BUILDDIR "/bench-registry.bin", TRUE);
#endif
#ifdef GC_OCR_BUILD_LIBRARY
  if (g_getenv ("GST_COMPLIANCE_OCR_LIBRARY") == NULL)
    g_setenv ("GST_COMPLIANCE_OCR_LIBRARY", GC_OCR_BUILD_LIBRARY, TRUE);
#endif
  gst_init (&argc, &argv);

  printf ("complianceocr, live %dx%d %s at 30 fps, interval=500, threads=2, "
      "%d s per run, OMP_THREAD_LIMIT %s in the environment\n",
      width, height, format, seconds, omp ? omp : "unset");

  /* The baseline first, so that the peak memory read after the second run
   * is that of the pipeline with complianceocr. */
  if (!no_baseline) {
    cpu_base = run ("identity", width, height, format, seconds, NULL);
    printf ("CPU without complianceocr (identity): %5.1f%% of one core\n",
        cpu_base);
  }

  probe.chain_us = g_array_new (FALSE, FALSE, sizeof (gdouble));
  probe.sampled_us = g_array_new (FALSE, FALSE, sizeof (gdouble));
  cpu_ocr = run ("complianceocr name=ocr interval=500 threads=2", width,
      height, format, seconds, &probe);
  hwm = vm_hwm_kb ();

  printf ("CPU with complianceocr:             %5.1f%% of one core",
      cpu_ocr);
  if (cpu_base >= 0)
    printf (" (complianceocr: %+.1f%%)", cpu_ocr - cpu_base);
  printf ("   target < 35%%\n");
  printf ("streaming thread per frame: median %.3f ms, p95 %.3f ms, max "
      "%.3f ms over %u frames   target < 1 ms\n",
      percentile (probe.chain_us, 0.5) / 1000.0,
      percentile (probe.chain_us, 0.95) / 1000.0,
      percentile (probe.chain_us, 1.0) / 1000.0, probe.chain_us->len);
  printf ("streaming thread per sampled frame (copy for a worker): median "
      "%.3f ms, max %.3f ms over %u frames\n",
      percentile (probe.sampled_us, 0.5) / 1000.0,
      percentile (probe.sampled_us, 1.0) / 1000.0, probe.sampled_us->len);
  printf ("peak resident memory (VmHWM): %.1f MB   target < 250 MB\n",
      hwm / 1024.0);
  printf ("element: frames-seen %" G_GUINT64_FORMAT ", frames-sampled %"
      G_GUINT64_FORMAT ", frames-skipped %" G_GUINT64_FORMAT
      ", regions-read %" G_GUINT64_FORMAT ", mean-ms-per-read %.1f\n",
      probe.seen, probe.sampled, probe.skipped, probe.regions,
      probe.ms_per_read);

  g_array_unref (probe.chain_us);
  g_array_unref (probe.sampled_us);
  return 0;
}
