/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Overlay benchmark: one command, one run.
 *
 *   build-overlay/gst-plugin/render/overlay_bench [--frames N] [--rounds R]
 *       [--format I420|NV12|BGRA|...] [--width W] [--height H]
 *
 * Per-frame cost of complianceoverlay drawing the disclosure label, against
 * textoverlay drawing the same text at the same size with a shaded
 * background, both blending into 1080p frames; and complianceoverlay on
 * frames with nothing to draw (a verdict without a sponsored product).
 * The time of each element is measured inside its own pipeline, from the
 * buffer entering its sink pad to it leaving its src pad (pad probes, same
 * streaming thread), so the source and the sink cost nothing.  The
 * pipelines run in turns (R rounds of N frames each) so a busy machine
 * weighs on both alike; medians over all frames after the first of each
 * round (which pays for font loading and layout) are printed, with the
 * ratio.
 *
 * The verdict is what compliancecheck would attach: a
 * #GstComplianceVerdictMeta saying a sponsored product is on, added by a
 * probe in front of the element.  The metas library is the one the plugin
 * loaded (this program is built before it, so it looks its functions up at
 * run time rather than linking it).  The freshly built plugin and the
 * source tree's rule packs are used unless GST_PLUGIN_PATH /
 * GST_COMPLIANCE_MODELS_DIR say otherwise.
 *
 * textoverlay is in Debian's gstreamer1.0-x. */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "gstcompliancemeta.h"

typedef GstComplianceVerdictMeta *(*AddVerdictFunc) (GstBuffer *, GstClockTime,
    guint, guint);
typedef void (*SetProductFunc) (GstComplianceVerdictMeta *, const gchar *,
    const gchar *, gboolean, gboolean);
static AddVerdictFunc add_verdict;
static SetProductFunc set_product;
static gint frame_w, frame_h;

static void
find_meta_functions (void)
{
  /* Loading the plugin loads the metas library with it. */
  GstElement *el = gst_element_factory_make ("complianceoverlay", NULL);
  if (el == NULL) {
    g_printerr ("complianceoverlay not found (GST_PLUGIN_PATH=%s)\n",
        g_getenv ("GST_PLUGIN_PATH"));
    exit (2);
  }
  gst_object_unref (el);
  void *lib = dlopen ("libgstcompliance-1.0.so.0", RTLD_NOW | RTLD_NOLOAD);
  if (lib) {
    add_verdict = (AddVerdictFunc) dlsym (lib,
        "gst_buffer_add_compliance_verdict_meta");
    set_product = (SetProductFunc) dlsym (lib,
        "gst_compliance_verdict_meta_set_product");
  }
  if (add_verdict == NULL || set_product == NULL) {
    g_printerr ("cannot find the compliance metas library: %s\n", dlerror ());
    exit (2);
  }
}

/* Attaches the verdict: @data is the sponsored flag. */
static GstPadProbeReturn
on_tag (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  gboolean sponsored = GPOINTER_TO_INT (data);
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GstComplianceVerdictMeta *m = add_verdict (buf, GST_BUFFER_PTS (buf),
      frame_w, frame_h);
  set_product (m, sponsored ? "A1001" : "B2002",
      sponsored ? "Brand X" : NULL, sponsored, sponsored);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

#define LABEL_TEXT "广告 · Brand X 赞助"

static const gchar *catalog_json =
    "{\"schema\": \"gst-compliance-catalog/1\", \"jurisdiction\": \"CN\","
    " \"currency\": \"CNY\", \"seller\": {\"name\": \"某某旗舰店\"},"
    " \"products\": ["
    "  {\"sku\": \"A1001\", \"name\": \"保温杯\", \"price\": 99.0,"
    "   \"category\": \"general\", \"sponsored\": true, \"sponsor\": \"Brand X\"},"
    "  {\"sku\": \"B2002\", \"name\": \"蜂蜜\", \"price\": 59.0,"
    "   \"category\": \"food\"}]}";

typedef struct
{
  GstClockTime entered;
  GArray *samples;              /* of gdouble, ms */
  guint in_round;
} Timing;

static GstPadProbeReturn
on_enter (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Timing *t = data;
  t->entered = gst_util_get_timestamp ();
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_leave (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Timing *t = data;
  gdouble ms = (gst_util_get_timestamp () - t->entered) / 1e6;
  /* The first frame of a round pays for fonts and layout: not a
   * per-frame cost. */
  if (t->in_round++ > 0)
    g_array_append_val (t->samples, ms);
  return GST_PAD_PROBE_OK;
}

static void
run (const gchar * desc, Timing * t, gint sponsored)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);
  if (pipeline == NULL) {
    g_printerr ("cannot build \"%s\": %s\n", desc, err->message);
    exit (2);
  }
  GstElement *el = gst_bin_get_by_name (GST_BIN (pipeline), "timed");
  /* textoverlay's video input is "video_sink". */
  GstPad *sink = gst_element_get_static_pad (el, "sink");
  if (sink == NULL)
    sink = gst_element_get_static_pad (el, "video_sink");
  GstPad *src = gst_element_get_static_pad (el, "src");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, on_enter, t, NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, on_leave, t, NULL);
  t->in_round = 0;
  GstElement *tag = gst_bin_get_by_name (GST_BIN (pipeline), "tag");
  if (tag) {
    GstPad *tag_src = gst_element_get_static_pad (tag, "src");
    gst_pad_add_probe (tag_src, GST_PAD_PROBE_TYPE_BUFFER, on_tag,
        GINT_TO_POINTER (sponsored), NULL);
    gst_object_unref (tag_src);
    gst_object_unref (tag);
  }

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gchar *dbg = NULL;
    gst_message_parse_error (msg, &err, &dbg);
    g_printerr ("\"%s\" failed: %s (%s)\n", desc, err->message,
        dbg ? dbg : "");
    exit (2);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (src);
  gst_object_unref (el);
  gst_object_unref (pipeline);
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
  return a->len % 2 ? g_array_index (a, gdouble, a->len / 2) :
      (g_array_index (a, gdouble, a->len / 2 - 1) +
      g_array_index (a, gdouble, a->len / 2)) / 2;
}

int
main (int argc, char **argv)
{
  gint frames = 300, rounds = 3, width = 1920, height = 1080;
  gchar *format = NULL;
  GOptionEntry entries[] = {
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames, "Frames per element", "N"},
    {"rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Turns the frames are "
          "split into", "R"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &format, "Video format (I420)",
        "FMT"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width (1920)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height (1080)", "H"},
    {NULL}
  };

  g_setenv ("GST_PLUGIN_PATH", GC_BENCH_PLUGIN_DIR, FALSE);
  g_setenv ("GST_COMPLIANCE_MODELS_DIR", GC_BENCH_MODELS_DIR, FALSE);
  g_setenv ("OMP_THREAD_LIMIT", "1", FALSE);

  GOptionContext *ctx = g_option_context_new ("- complianceoverlay vs "
      "textoverlay, per-frame cost");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  GError *err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (format == NULL)
    format = g_strdup ("I420");
  frames = MAX (frames, 2);
  rounds = CLAMP (rounds, 1, frames / 2);

  frame_w = width;
  frame_h = height;
  find_meta_functions ();

  gchar *catalog = g_build_filename (g_get_tmp_dir (),
      "gc-overlay-bench-catalog.json", NULL);
  if (!g_file_set_contents (catalog, catalog_json, -1, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }

  /* The label's size as complianceoverlay computes it from the cn pack
   * (label_min_height 0.045 of the frame height), for textoverlay. */
  gint px = (gint) (0.045 * height + 0.999);
  gint per_round = frames / rounds;
  gchar *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=30/1", format, width, height);
  gchar *src = g_strdup_printf ("videotestsrc num-buffers=%d pattern=smpte ! "
      "%s", per_round, caps);
  gchar *ours = g_strdup_printf ("%s ! identity name=tag ! "
      "complianceoverlay name=timed catalog=%s ! fakesink sync=false", src,
      catalog);
  gchar *theirs = g_strdup_printf ("%s ! textoverlay name=timed "
      "text=\"" LABEL_TEXT "\" font-desc=\"Noto Sans CJK SC %dpx\" "
      "auto-resize=false shaded-background=true valignment=top "
      "halignment=right ! fakesink sync=false", src, px);

  Timing t_ours = { 0, g_array_new (FALSE, FALSE, sizeof (gdouble)), 0 };
  Timing t_theirs = { 0, g_array_new (FALSE, FALSE, sizeof (gdouble)), 0 };
  Timing t_idle = { 0, g_array_new (FALSE, FALSE, sizeof (gdouble)), 0 };
  for (gint i = 0; i < rounds; i++) {
    run (ours, &t_ours, TRUE);
    run (theirs, &t_theirs, FALSE);
    run (ours, &t_idle, FALSE);
  }

  guint n_ours = t_ours.samples->len, n_theirs = t_theirs.samples->len;
  gdouble m_ours = median (t_ours.samples);
  gdouble m_theirs = median (t_theirs.samples);
  gdouble m_idle = median (t_idle.samples);
  printf ("overlay benchmark: %s %dx%d, %d frames per element in %d rounds, "
      "label \"%s\" at %d px\n", format, width, height, per_round * rounds,
      rounds, LABEL_TEXT, px);
  printf ("  complianceoverlay, label        : median %.3f ms/frame (%u frames)\n",
      m_ours, n_ours);
  printf ("  textoverlay, same text          : median %.3f ms/frame (%u frames)\n",
      m_theirs, n_theirs);
  printf ("  complianceoverlay, nothing drawn: median %.3f ms/frame\n",
      m_idle);
  printf ("  ratio complianceoverlay / textoverlay: %.2f\n",
      m_theirs > 0 ? m_ours / m_theirs : 0.0);

  g_unlink (catalog);
  g_free (catalog);
  g_free (caps);
  g_free (src);
  g_free (ours);
  g_free (theirs);
  g_free (format);
  g_array_unref (t_ours.samples);
  g_array_unref (t_theirs.samples);
  g_array_unref (t_idle.samples);
  return 0;
}
