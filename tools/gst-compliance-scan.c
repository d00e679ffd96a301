/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance-scan: replays a recording through the compliance elements
 * as fast as the machine allows and writes a report (PRODUCT.md,
 * "Command-line tool gst-compliance-scan").
 *
 *   gst-compliance-scan --catalog CATALOG.json --report OUT.json
 *       [--html OUT.html] [--rules cn|eu|us|FILE] [--evidence DIR]
 *       [--annotated OUT.mp4] [--from-sei] [--interval MS] [--threads N]
 *       [--metrics FILE] INPUT
 *
 * Pipeline (OCR): uridecodebin ! videoconvert ! video/x-raw,format=RGBx !
 *     queue ! complianceocr mode=replay ! compliancecheck ! fakesink
 * with --annotated: uridecodebin ! queue ! videoconvert ! complianceocr !
 *     compliancecheck ! queue ! complianceoverlay mode=review !
 *     videoconvert ! x264enc ! mp4mux ! filesink
 * With --from-sei: uridecodebin (stopping at H.264/H.265) ! h26xparse !
 *     compliancesei mode=extract ! fakesink — no decoding, no OCR.
 *
 * Decoding only what is analysed: a probe in front of the video decoder
 * learns the keyframe spacing and drops the coded frames that no sample
 * needs — every delta frame when keyframes are as close as the sampling
 * interval, otherwise the delta frames after the last sample point of each
 * GOP (reference frames by their decoding time: with B-frames one shown
 * later is decoded earlier, and referred to) and the non-reference
 * (droppable) frames away from sample points.  Keyframes off the grid
 * (after a scene cut) with GOPs as long as the interval serve the grid
 * point after them, up to half an interval early, so that only keyframes
 * are decoded there too.  A
 * probe behind the decoder passes on only the samples, so conversion and
 * OCR see nothing else.  This works for any decoder, not only avdec, and
 * the dropped frames are not even parsed by the decoder.  The queue after
 * the decoder lets decoding (avdec's own threads) and OCR run on both
 * cores at once.
 *
 * Damaged data (a truncated or corrupt file) is scanned as far as it
 * decodes; the report is always written and the exit status is 2.  Damage
 * in the middle is seen four ways, each naming the time: a frame whose NAL
 * units do not fit together (packetized H.264/H.265, checked in front of
 * the parser, so also in frames the sampling skips), a frame the parser or
 * the decoder takes in and never passes on, a decoder warning on the bus,
 * and libav's log of the slices it patched over (error concealment: the
 * frame is output as if it were whole).  Damage inside the picture data of
 * a frame that is skipped before the decoder is not seen (decode with
 * --annotated to check every frame), nor, rarely, damage that happens to
 * decode as valid data: H.264 carries no checksum.
 *
 * Exit status: 0 no violation, 1 violations, 2 error, 3 not checked (see
 * the report's "coverage"). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gst/gst.h>

#include "gc-catalog.h"
#include "gc-report.h"
#include "gc-summary.h"
#include "gc-rulepack.h"
#include "gc-rules.h"
#include "gstcompliancecore.h"

#include "scan.h"
#include "tool-common.h"

/* ---- pipeline ---------------------------------------------------------- */

static GstPadProbeReturn
sink_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  g_atomic_int_inc (&s->progress_mark);
  if (GST_BUFFER_PTS_IS_VALID (buf)) {
    g_mutex_lock (&s->lock);
    s->position = GST_BUFFER_PTS (buf);
    g_mutex_unlock (&s->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* Around complianceocr: a frame inside it is being read, which is work,
 * not a stall.  It passes every frame on (an error ends the scan). */
static GstPadProbeReturn
analysis_in_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  g_atomic_int_inc (&s->busy);
  g_atomic_int_inc (&s->progress_mark);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
analysis_out_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  g_atomic_int_inc (&s->progress_mark);
  g_atomic_int_add (&s->busy, -1);
  return GST_PAD_PROBE_OK;
}

/* The size complianceocr reads (64..4096 in each dimension, its pad
 * templates) closest to @w x @h with the same shape; FALSE when @w x @h is
 * in range already. */
static gboolean
fit_size (gint w, gint h, gint *fw, gint *fh)
{
  const gint lo = 64, hi = 4096;
  if (w >= lo && h >= lo && w <= hi && h <= hi)
    return FALSE;
  gdouble scale = MIN (1.0, (gdouble) hi / MAX (w, h));
  if (MIN (w, h) * scale < lo)
    scale = (gdouble) lo / MIN (w, h);
  /* Even sizes (4:2:0 chroma), within range whatever the shape. */
  *fw = CLAMP (((gint) lround (w * scale) + 1) & ~1, lo, hi);
  *fh = CLAMP (((gint) lround (h * scale) + 1) & ~1, lo, hi);
  return TRUE;
}

/* On the decoded video's caps, in front of videoscale: a size outside the
 * OCR engine's range is scaled to one in range with the same shape
 * (portrait or DCI 4K, 8K, tiny), by setting the capsfilter behind. */
static GstPadProbeReturn
fit_caps_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps = NULL;
  gst_event_parse_caps (ev, &caps);
  const GstStructure *st = gst_caps_get_structure (caps, 0);
  gint w = 0, h = 0, fw = 0, fh = 0;
  if (!gst_structure_get_int (st, "width", &w)
      || !gst_structure_get_int (st, "height", &h) || w <= 0 || h <= 0)
    return GST_PAD_PROBE_OK;
  gboolean fit = fit_size (w, h, &fw, &fh);
  g_autoptr (GstCaps) want = NULL;
  g_object_get (s->fit, "caps", &want, NULL);
  if (!want || gst_caps_is_any (want) || gst_caps_is_empty (want)) {
    gst_clear_caps (&want);
    want = gst_caps_new_empty_simple ("video/x-raw");
  }
  want = gst_caps_make_writable (want);
  GstStructure *ws = gst_caps_get_structure (want, 0);
  if (fit)
    gst_structure_set (ws, "width", G_TYPE_INT, fw, "height", G_TYPE_INT, fh,
        "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  else
    gst_structure_remove_fields (ws, "width", "height", "pixel-aspect-ratio",
        NULL);
  g_object_set (s->fit, "caps", want, NULL);
  g_mutex_lock (&s->lock);
  s->in_w = w;
  s->in_h = h;
  s->fit_w = fit ? fw : 0;
  s->fit_h = fit ? fh : 0;
  g_mutex_unlock (&s->lock);
  if (fit)
    g_printerr ("gst-compliance-scan: the video is %dx%d; it is analysed at "
        "%dx%d (the OCR engine reads 64..4096 pixels a side), boxes are "
        "reported in the video's pixels\n", w, h, fw, fh);
  return GST_PAD_PROBE_OK;
}

/* A box of the analysed frame in the input's pixels. */
static void
box_to_input (Scan *s, GcBox *b)
{
  g_mutex_lock (&s->lock);
  if (s->fit_w > 0 && s->fit_h > 0) {
    b->x = (gint) ((gint64) b->x * s->in_w / s->fit_w);
    b->w = (gint) ((gint64) b->w * s->in_w / s->fit_w);
    b->y = (gint) ((gint64) b->y * s->in_h / s->fit_h);
    b->h = (gint) ((gint64) b->h * s->in_h / s->fit_h);
  }
  g_mutex_unlock (&s->lock);
}

/* Builds the branch behind the video pad; returns its first element. */
static GstElement *
build_branch (Scan *s, const gchar *caps_name, GError **error)
{
  GstBin *bin = GST_BIN (s->pipeline);
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  g_autoptr (GstPad) sinkpad = NULL;
  GstElement *e;

#define ADD(factory) G_STMT_START { \
    if (!(e = gc_tool_make_element (factory, NULL, error))) goto fail; \
    g_ptr_array_add (chain, e); } G_STMT_END

  if (s->from_sei) {
    ADD (g_str_equal (caps_name, "video/x-h265") ? "h265parse" : "h264parse");
    ADD ("compliancesei");
    gst_util_set_object_arg (G_OBJECT (e), "mode", "extract");
    gst_clear_object (&s->sei);
    s->sei = gst_object_ref (e);
    ADD ("fakesink");
    g_object_set (e, "sync", FALSE, NULL);
  } else {
    if (g_atomic_int_get (&s->still)) {
      /* A still image is read as often as a violation needs confirming:
       * the frame is repeated, each copy read (a still cannot flicker, so
       * the reads agree unless the reader does not). */
      ADD ("imagefreeze");
      g_object_set (e, "num-buffers", (gint) s->confirm_frames, NULL);
    }
    /* Frames outside the OCR engine's sizes are scaled (fit_caps_probe
     * sets the capsfilter; in range, videoscale passes them through). */
    ADD ("videoscale");
    {
      g_autoptr (GstPad) in = gst_element_get_static_pad (e, "sink");
      gst_pad_add_probe (in, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
          fit_caps_probe, s, NULL);
    }
    if (s->annotated_path == NULL) {
      /* The OCR engine reads RGBx (other formats are converted by
       * complianceocr's worker, before reading): converting here, in the
       * decoder's thread in front of the queue, runs beside the reading
       * (~2.4 ms a 1080p I420 frame).  Not with --annotated: every frame
       * goes on to the encoder, which wants I420 again. */
      ADD ("videoconvert");
    }
    ADD ("capsfilter");
    gst_clear_object (&s->fit);
    s->fit = gst_object_ref (e);
    if (s->annotated_path == NULL) {
      g_autoptr (GstCaps) rgbx = gst_caps_new_simple ("video/x-raw",
          "format", G_TYPE_STRING, "RGBx", NULL);
      g_object_set (e, "caps", rgbx, NULL);
    }
    ADD ("queue");
    /* A few decoded frames in flight: enough to keep the decoder busy
     * while OCR reads, without holding many 1080p frames. */
    g_object_set (e, "max-size-buffers", 4, "max-size-bytes", 0,
        "max-size-time", (guint64) 0, NULL);
    if (s->annotated_path != NULL)
      ADD ("videoconvert");
    ADD ("complianceocr");
    gst_util_set_object_arg (G_OBJECT (e), "mode", "replay");
    {
      g_autoptr (GstPad) in = gst_element_get_static_pad (e, "sink");
      g_autoptr (GstPad) out = gst_element_get_static_pad (e, "src");
      gst_pad_add_probe (in, GST_PAD_PROBE_TYPE_BUFFER, analysis_in_probe, s,
          NULL);
      gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, analysis_out_probe,
          s, NULL);
    }
    /* With the probes sampling, every frame that arrives is a sample. */
    gboolean every = (s->skipping && s->have_decoder)
        || g_atomic_int_get (&s->still);
    g_object_set (e, "interval", (guint) (every ? 0 : s->interval_ms),
        "threads", (guint) s->threads, NULL);
    gst_util_set_object_arg (G_OBJECT (e), "engine", s->engine);
    /* The catalog's jurisdiction and currency choose the languages. */
    if (s->catalog)
      g_object_set (e, "languages",
          gc_catalog_reading_languages (s->catalog), NULL);
    ADD ("compliancecheck");
    g_object_set (e, "catalog", s->catalog_path, NULL);
    if (s->rules)
      g_object_set (e, "rules", s->rules, NULL);
    if (s->evidence_dir)
      g_object_set (e, "evidence-dir", s->evidence_dir, NULL);
    if (s->metrics_path)
      g_object_set (e, "metrics", s->metrics_path, NULL);
    if (s->annotated_path) {
      ADD ("queue");
      ADD ("complianceoverlay");
      gst_util_set_object_arg (G_OBJECT (e), "mode", s->annotated_mode
          ? s->annotated_mode : "review");
      ADD ("videoconvert");
      ADD ("x264enc");
      gst_util_set_object_arg (G_OBJECT (e), "speed-preset", "veryfast");
      gst_util_set_object_arg (G_OBJECT (e), "tune", "zerolatency");
      ADD ("mp4mux");
      ADD ("filesink");
      g_object_set (e, "location", s->annotated_path, "sync", FALSE, NULL);
    } else {
      ADD ("fakesink");
      g_object_set (e, "sync", FALSE, NULL);
    }
  }
#undef ADD

  for (guint i = 0; i < chain->len; i++)
    gst_bin_add (bin, g_ptr_array_index (chain, i));
  for (guint i = 0; i + 1 < chain->len; i++) {
    if (!gst_element_link (g_ptr_array_index (chain, i),
            g_ptr_array_index (chain, i + 1))) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
          "could not link %s to %s",
          GST_ELEMENT_NAME (g_ptr_array_index (chain, i)),
          GST_ELEMENT_NAME (g_ptr_array_index (chain, i + 1)));
      return NULL;
    }
  }
  GstElement *last = g_ptr_array_index (chain, chain->len - 1);
  sinkpad = gst_element_get_static_pad (last, "sink");
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, sink_probe, s, NULL);
  for (guint i = 0; i < chain->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (chain, i));
  return g_ptr_array_index (chain, 0);

fail:
  for (guint i = 0; i < chain->len; i++)
    gst_object_unref (gst_object_ref_sink (g_ptr_array_index (chain, i)));
  return NULL;
}

static void
post_app_error (Scan *s, const gchar *what)
{
  GstStructure *st = gst_structure_new ("scan-error", "message",
      G_TYPE_STRING, what, NULL);
  gst_element_post_message (s->pipeline,
      gst_message_new_application (GST_OBJECT (s->pipeline), st));
}

static void
pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  Scan *s = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  gboolean video = g_str_has_prefix (name, "video/");

  g_mutex_lock (&s->lock);
  gboolean take = video && !s->video_linked;
  if (take) {
    s->video_linked = TRUE;
    s->video_caps = gst_caps_to_string (caps);
  }
  g_mutex_unlock (&s->lock);

  GstElement *head = NULL;
  g_autoptr (GError) err = NULL;
  if (take && s->from_sei && !g_str_equal (name, "video/x-h264")
      && !g_str_equal (name, "video/x-h265")) {
    g_autofree gchar *m = g_strdup_printf ("--from-sei needs H.264 or H.265 "
        "video, the input has %s", name);
    post_app_error (s, m);
    return;
  }
  if (take) {
    /* Starting complianceocr loads the OCR models. */
    g_atomic_int_inc (&s->busy);
    head = build_branch (s, name, &err);
    g_atomic_int_inc (&s->progress_mark);
    g_atomic_int_add (&s->busy, -1);
  } else {
    /* Other streams (audio, a second video) are not decoded: drain them. */
    head = gst_element_factory_make ("fakesink", NULL);
    g_object_set (head, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (s->pipeline), head);
    gst_element_sync_state_with_parent (head);
  }
  if (!head) {
    post_app_error (s, err ? err->message : "could not build the pipeline");
    return;
  }
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (head, "sink");
  GstPadLinkReturn ret = gst_pad_link (pad, sinkpad);
  if (GST_PAD_LINK_FAILED (ret)) {
    g_autofree gchar *m = g_strdup_printf ("could not link the %s stream: %s",
        name, gst_pad_link_get_name (ret));
    post_app_error (s, m);
  }
}

static void
no_more_pads (GstElement *decodebin, gpointer user_data)
{
  Scan *s = user_data;
  g_mutex_lock (&s->lock);
  gboolean linked = s->video_linked;
  g_mutex_unlock (&s->lock);
  if (!linked)
    post_app_error (s, "no video stream (nothing to analyse)");
}

/* Audio is never decoded, and with --from-sei video stops at the coded
 * stream. */
static gboolean
autoplug_continue (GstElement *bin, GstPad *pad, GstCaps *caps,
    gpointer user_data)
{
  Scan *s = user_data;
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_prefix (name, "audio/") || g_str_has_prefix (name, "text/")
      || g_str_has_prefix (name, "subpicture/"))
    return FALSE;
  if (s->from_sei) {
    if (g_str_equal (name, "video/x-h264") || g_str_equal (name, "video/x-h265"))
      return FALSE;
  }
  /* A still image (png, jpeg, ...) is read as a still, not a one-frame
   * video (build_branch). */
  if (g_str_has_prefix (name, "image/"))
    g_atomic_int_set (&s->still, TRUE);
  return TRUE;
}

/* ---- messages ---------------------------------------------------------- */

static void
handle_text (Scan *s, GcReport *report, GstMessage *msg)
{
  GstClockTime rt, pts;
  GstComplianceReading *readings;
  guint n;
  if (!gst_compliance_text_message_parse (msg, &pts, &rt, NULL, NULL,
          &readings, &n))
    return;
  /* Running time is what the violations use; it starts at 0 for a file. */
  gdouble t = ns_to_s (GST_CLOCK_TIME_IS_VALID (rt) ? rt : pts);
  s->frames_analysed++;
  for (guint i = 0; i < n; i++) {
    GcBox box = { readings[i].x, readings[i].y, readings[i].width,
      readings[i].height };
    box_to_input (s, &box);
    gc_report_add_text (report, t, readings[i].text, &box,
        readings[i].confidence);
  }
  gst_compliance_readings_free (readings, n);
}

static void
handle_violation (Scan *s, GcReport *report, GstMessage *msg)
{
  gboolean start;
  GcViolation *v = gst_compliance_violation_message_to_core (msg, &start);
  if (!v)
    return;
  box_to_input (s, &v->box);
  gc_report_add_violation_event (report, v, start);
  gc_violation_unref (v);
}

/* Why a network URI gave no data, found by connecting to its host and
 * port (2 s at most): "connection refused", "host not found", ...; NULL
 * when it connects or the URI names no host. */
static gchar *
probe_network (const gchar *uri)
{
  g_autoptr (GUri) u = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (!u || !g_uri_get_host (u))
    return NULL;
  gint port = g_uri_get_port (u);
  const gchar *scheme = g_uri_get_scheme (u);
  if (port <= 0)
    port = !g_ascii_strcasecmp (scheme, "https") ? 443
        : !g_ascii_strcasecmp (scheme, "http") ? 80
        : !g_ascii_strncasecmp (scheme, "rtmp", 4) ? 1935
        : !g_ascii_strncasecmp (scheme, "rtsp", 4) ? 554 : 0;
  /* SRT and UDP carry no connection that a TCP connect could test. */
  if (port <= 0 || !g_ascii_strcasecmp (scheme, "srt")
      || !g_ascii_strcasecmp (scheme, "udp"))
    return NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 2);
  g_autoptr (GError) err = NULL;
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host
      (client, g_uri_get_host (u), (guint16) port, NULL, &err);
  if (conn)
    return NULL;
  return g_strdup_printf ("%s:%d: %s", g_uri_get_host (u), port,
      err->message);
}

/* What went wrong, in words a QA person can act on. */
static gchar *
describe_error (Scan *s, GError *err, const gchar *debug)
{
  /* A network input that failed before any video came: say it is the
   * network (souphttpsrc reports a refused connection only as "Internal
   * data stream error"), and why, when a connection attempt tells. */
  if (s->network && !s->video_caps
      && (err->domain == GST_RESOURCE_ERROR
          || (err->domain == GST_STREAM_ERROR
              && err->code == GST_STREAM_ERROR_FAILED))) {
    g_autofree gchar *why = probe_network (s->uri);
    return g_strdup_printf ("network error: no data from the server (%s)",
        why ? why : err->message);
  }
  if (err->domain == GST_STREAM_ERROR) {
    switch (err->code) {
      case GST_STREAM_ERROR_TYPE_NOT_FOUND:
        return g_strdup ("not a media file (its type could not be "
            "recognised)");
      case GST_STREAM_ERROR_CODEC_NOT_FOUND:
      case GST_STREAM_ERROR_WRONG_TYPE:
        /* Before any video stream: typefind recognised something that is
         * not audio or video at all ("This appears to be a text file"). */
        if (!s->video_caps)
          return g_strdup_printf ("not a media file (%s)", err->message);
        return g_strdup_printf ("no decoder for its video (%s); run "
            "tools/setup to install the GStreamer plugins",
            s->video_caps ? s->video_caps : err->message);
      case GST_STREAM_ERROR_DEMUX:
      case GST_STREAM_ERROR_DECODE:
      case GST_STREAM_ERROR_FORMAT:
      case GST_STREAM_ERROR_FAILED:
        return g_strdup_printf ("truncated or corrupt file (%s)",
            err->message);
      default:
        break;
    }
  }
  if (err->domain == GST_CORE_ERROR
      && err->code == GST_CORE_ERROR_MISSING_PLUGIN && s->network
      && strstr (err->message, "URI handler")) {
    g_autofree gchar *scheme = gst_uri_get_protocol (s->uri);
    return g_strdup_printf ("no GStreamer source reads \"%s\" URIs (files, "
        "http(s), rtmp, rtsp, srt and udp are read once tools/setup has "
        "installed the plugins)", scheme ? scheme : "?");
  }
  if (err->domain == GST_CORE_ERROR
      && err->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return g_strdup_printf ("%s; run tools/setup to install the GStreamer "
        "plugins", err->message);
  if (err->domain == GST_RESOURCE_ERROR
      && (err->code == GST_RESOURCE_ERROR_NOT_FOUND
          || err->code == GST_RESOURCE_ERROR_OPEN_READ))
    return g_strdup_printf ("cannot be read (%s)", err->message);
  return g_strdup (err->message);
}

static gdouble
position_s (Scan *s)
{
  g_mutex_lock (&s->lock);
  GstClockTime p = s->position;
  g_mutex_unlock (&s->lock);
  return ns_to_s (p);
}

static void
print_progress (Scan *s, gint64 start_us, gdouble duration, gboolean final)
{
  gdouble pos = position_s (s);
  gdouble wall = (g_get_monotonic_time () - start_us) / 1e6;
  gdouble speed = wall > 0 ? pos / wall : 0;
  if (duration > 0) {
    gdouble pct = CLAMP (pos / duration * 100.0, 0, 100);
    gdouble eta = speed > 0 ? (duration - pos) / speed : 0;
    gint bar = (gint) (pct / 5);
    fprintf (stderr, "\r[%-20.*s] %5.1f%%  %.1fx real time  ETA %3.0f s ",
        bar, "####################", pct, speed, MAX (eta, 0));
  } else {
    fprintf (stderr, "\r%8.1f s scanned  %.1fx real time ", pos, speed);
  }
  if (final)
    fprintf (stderr, "\r%-70s\r", "");
  fflush (stderr);
}

/* ---- checks before scanning ---------------------------------------------- */

/* The file @path names, if it is a local one: a path, or a file:// URI
 * (an INPUT may be either). */
static gchar *
local_path (const gchar *path_or_uri)
{
  if (path_or_uri == NULL)
    return NULL;
  if (gst_uri_is_valid (path_or_uri))
    return g_str_has_prefix (path_or_uri, "file:")
        ? g_filename_from_uri (path_or_uri, NULL, NULL) : NULL;
  return g_strdup (path_or_uri);
}

/* Whether @a and @b name the same file: the same inode when both exist
 * (through symlinks, "./" and ".." spellings, hard links), else the same
 * canonical path. */
static gboolean
same_file (const gchar *a, const gchar *b)
{
  GStatBuf sa, sb;

  if (a == NULL || b == NULL)
    return FALSE;
  if (g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  g_autofree gchar *ca = g_canonicalize_filename (a, NULL);
  g_autofree gchar *cb = g_canonicalize_filename (b, NULL);
  return g_strcmp0 (ca, cb) == 0;
}

/* Refuses outputs that would overwrite an input or another output: the
 * recording, the catalog or the rule pack given by path, or the report
 * and the HTML report written over each other. */
static gboolean
check_outputs_apart (const Scan *s, GError **error)
{
  g_autofree gchar *input = local_path (s->input);
  const struct
  {
    const gchar *opt, *path;
  } ins[] = {
    {"INPUT", input},
    {"--catalog", s->catalog_path},
    {"--rules", s->rules && strchr (s->rules, '/') ? s->rules : NULL},
  }, outs[] = {
    {"--report", s->report_path},
    {"--html", s->html_path},
    {"--annotated", s->annotated_path},
  };

  for (guint o = 0; o < G_N_ELEMENTS (outs); o++) {
    for (guint i = 0; i < G_N_ELEMENTS (ins); i++)
      if (same_file (outs[o].path, ins[i].path)) {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
            "%s %s is the same file as %s %s: it would be overwritten; "
            "give another output path", outs[o].opt, outs[o].path,
            ins[i].opt, ins[i].path);
        return FALSE;
      }
    for (guint p = 0; p < o; p++)
      if (same_file (outs[o].path, outs[p].path)) {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
            "%s %s and %s %s are the same file: one would be lost; give "
            "two paths", outs[p].opt, outs[p].path, outs[o].opt,
            outs[o].path);
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
check_output (const gchar *opt, const gchar *path, gboolean is_dir,
    GError **error)
{
  if (!path)
    return TRUE;
  if (is_dir) {
    if (g_mkdir_with_parents (path, 0755) != 0 || g_access (path, W_OK) != 0) {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
          "%s %s: cannot write there: %s", opt, path, g_strerror (e));
      return FALSE;
    }
    return TRUE;
  }
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "%s %s: is a directory", opt, path);
    return FALSE;
  }
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "%s %s: directory %s does not exist", opt, path, dir);
    return FALSE;
  }
  /* Only creating a file tells for sure (root, read-only mounts, /proc). */
  g_autofree gchar *probe = g_build_filename (dir, ".gst-compliance-scan-XXXXXX",
      NULL);
  int fd = g_mkstemp (probe);
  if (fd < 0
      || (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0)) {
    int e = errno;
    if (fd >= 0) {
      close (fd);
      g_unlink (probe);
    }
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "%s %s: cannot write there: %s", opt, path, g_strerror (e));
    return FALSE;
  }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

static gboolean
resolve_input (Scan *s, GError **error)
{
  if (gst_uri_is_valid (s->input) && !g_str_has_prefix (s->input, "file:")) {
    s->uri = g_strdup (s->input);
    s->network = TRUE;
    return TRUE;
  }
  g_autofree gchar *path = g_str_has_prefix (s->input, "file:")
      ? g_filename_from_uri (s->input, NULL, NULL) : g_strdup (s->input);
  if (!path || !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "%s: no such file", s->input);
    return FALSE;
  }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: not a regular file", s->input);
    return FALSE;
  }
  if (g_access (path, R_OK) != 0) {
    int e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "%s: cannot be read: %s", s->input, g_strerror (e));
    return FALSE;
  }
  s->uri = gst_filename_to_uri (path, error);
  return s->uri != NULL;
}

/* ---- main ---------------------------------------------------------------- */

#define fail gc_tool_fail

static void
scan_init (Scan *s)
{
  g_mutex_init (&s->lock);
  s->in_flight = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  s->early_keys = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  s->parser_in = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  s->first_lost = s->first_malformed = GST_CLOCK_TIME_NONE;
  s->first_concealed = s->first_concealed_hi = s->last_in = GST_CLOCK_TIME_NONE;
  s->libav_level = GST_LEVEL_MAX;
  s->coded_end = GST_CLOCK_TIME_NONE;
  s->interval_ms = DEFAULT_INTERVAL_MS;
  s->threads = CLAMP ((gint) g_get_num_processors (), 1, DEFAULT_MAX_THREADS);
  s->position = GST_CLOCK_TIME_NONE;
  s->t0 = s->last_key = s->gop = s->next_sample = s->key_serves =
      GST_CLOCK_TIME_NONE;
  s->task = -1;
}

static void
scan_clear (Scan *s)
{
  g_free (s->catalog_path);
  g_free (s->report_path);
  g_free (s->html_path);
  g_free (s->rules);
  g_free (s->engine);
  g_free (s->evidence_dir);
  g_free (s->metrics_path);
  g_free (s->annotated_path);
  g_free (s->annotated_mode);
  g_free (s->input);
  g_free (s->uri);
  g_strfreev (s->inputs);
  g_strfreev (s->input_catalogs);
  g_free (s->inputs_path);
  g_free (s->report_dir);
  g_free (s->video_caps);
  g_free (s->link_error);
  g_free (s->first_warning);
  g_free (s->source_warning);
  g_free (s->first_conceal);
  g_clear_pointer (&s->catalog, gc_catalog_unref);
  gst_clear_object (&s->sei);
  gst_clear_object (&s->fit);
  g_clear_pointer (&s->in_flight, g_array_unref);
  g_clear_pointer (&s->early_keys, g_array_unref);
  g_clear_pointer (&s->parser_in, g_array_unref);
  g_mutex_clear (&s->lock);
}

/* ---- batches (issue 16: QA batches on a cluster scheduler) -------------- */

/* A recording's name in a batch: its file name without extension
 * ("shop/day1.mp4" and "file:///r/day1.mp4" -> "day1"). */
static gchar *
input_name (const gchar *input)
{
  g_autofree gchar *path = NULL, *base = NULL;
  const gchar *q;
  gchar *dot;

  if (gst_uri_is_valid (input) && !g_str_has_prefix (input, "file:")) {
    /* The URI's last path segment, without a query. */
    g_autofree gchar *no_query = g_strndup (input, strcspn (input, "?#"));
    path = g_strdup (no_query);
  } else
    path = local_path (input);
  if (path == NULL)
    path = g_strdup (input);
  while (g_str_has_suffix (path, "/") && strlen (path) > 1)
    path[strlen (path) - 1] = '\0';
  q = strrchr (path, '/');
  base = g_strdup (q ? q + 1 : path);
  dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  if (base[0] == '\0' || g_str_equal (base, ".") || g_str_equal (base, ".."))
    return g_strdup ("input");
  return g_steal_pointer (&base);
}

/* --inputs FILE: one recording a line, "INPUT" or "INPUT<TAB>CATALOG";
 * blank lines and lines starting with # are skipped; relative paths are
 * from the list's directory, so that a list moves with its recordings. */
static gboolean
read_input_list (Scan *s, GError **error)
{
  g_autofree gchar *text = NULL, *dir = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) catalogs = g_ptr_array_new_with_free_func (g_free);
  gsize len;

  if (!g_file_get_contents (s->inputs_path, &text, &len, error))
    return FALSE;
  if (!g_utf8_validate (text, len, NULL) || memchr (text, '\0', len)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a text "
        "file (one recording a line)", s->inputs_path);
    return FALSE;
  }
  dir = g_path_get_dirname (s->inputs_path);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gchar *line = g_strstrip (lines[i]);
    g_auto (GStrv) fields = NULL;
    gchar *paths[2] = { NULL, NULL };

    if (line[0] == '\0' || line[0] == '#')
      continue;
    fields = g_strsplit (line, "\t", -1);
    if (g_strv_length (fields) > 2) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: line %u: "
          "%u tab-separated fields: give INPUT, or INPUT, a tab and CATALOG",
          s->inputs_path, i + 1, g_strv_length (fields));
      return FALSE;
    }
    for (guint f = 0; f < 2 && fields[f]; f++) {
      gchar *v = g_strstrip (fields[f]);

      if (v[0] == '\0') {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: line %u: "
            "empty %s", s->inputs_path, i + 1, f ? "CATALOG" : "INPUT");
        return FALSE;
      }
      paths[f] = (f == 0 && gst_uri_is_valid (v)) || g_path_is_absolute (v)
          ? g_strdup (v) : g_build_filename (dir, v, NULL);
    }
    g_ptr_array_add (inputs, paths[0]);
    g_ptr_array_add (catalogs, paths[1] ? paths[1] : g_strdup (""));
  }
  if (inputs->len == 0) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: lists no "
        "recording", s->inputs_path);
    return FALSE;
  }
  g_ptr_array_add (inputs, NULL);
  g_ptr_array_add (catalogs, NULL);
  s->inputs = (gchar **) g_ptr_array_free (g_steal_pointer (&inputs), FALSE);
  s->input_catalogs = (gchar **) g_ptr_array_free (g_steal_pointer (&catalogs),
      FALSE);
  return TRUE;
}

static const gchar *
catalog_of (const Scan *s, guint i)
{
  if (s->input_catalogs && s->input_catalogs[i] && s->input_catalogs[i][0])
    return s->input_catalogs[i];
  return s->catalog_path;
}

/* The batch's options, checked: -1 to go on, else the exit status.  One
 * INPUT without --report-dir is the single scan, as before. */
static int
batch_options (Scan *s)
{
  guint n = g_strv_length (s->inputs);

  if (s->task >= 0 && !s->inputs_path)
    return fail ("--task %d: give the list it picks from with --inputs FILE",
        s->task);
  if (s->task < -1)
    return fail ("--task %d: give 0 or more", s->task);
  if (s->task >= (gint) n)
    return fail ("--task %d: %s lists %u recording%s (tasks 0 to %u)",
        s->task, s->inputs_path, n, n == 1 ? "" : "s", n - 1);
  if (!s->inputs_path && !s->report_dir && n == 1) {
    s->input = g_strdup (s->inputs[0]);
    return -1;
  }
  if (!s->report_dir)
    return fail ("%u recordings: give --report-dir DIR (NAME.json and "
        "NAME.html for each)", n);
  if (s->report_path || s->html_path || s->annotated_path)
    return fail ("%s names one file: with several recordings give "
        "--report-dir DIR", s->report_path ? "--report"
        : s->html_path ? "--html" : "--annotated");
  if (s->metrics_path)
    return fail ("--metrics %s: attested figures belong to one recording; "
        "scan it alone with --report", s->metrics_path);
  for (guint i = 0; i < n; i++) {
    g_autofree gchar *name = input_name (s->inputs[i]);

    if (!catalog_of (s, i) && !s->from_sei)
      return fail ("%s: no catalog: give --catalog CATALOG.json%s",
          s->inputs[i], s->inputs_path ? ", or the catalog after a tab on "
          "its line of the list" : "");
    /* Every task of an array computes the same names: a clash is an
     * error for all, never a report silently overwritten. */
    for (guint k = 0; k < i; k++) {
      g_autofree gchar *other = input_name (s->inputs[k]);
      if (g_str_equal (name, other))
        return fail ("%s and %s would both write %s.json to --report-dir: "
            "give recordings distinct file names", s->inputs[k],
            s->inputs[i], name);
    }
  }
  return -1;
}

/* --merge: the INPUTs are reports (or directories of them). */
static int
merge_options (Scan *s, gchar ***rest)
{
  if (!*rest || !(*rest)[0])
    return fail ("--merge: give the reports (JSON files, or directories of "
        "them) to merge");
  if (!s->report_path)
    return fail ("--merge: give --report SUMMARY.json");
  if (s->catalog_path || s->report_dir || s->annotated_path
      || s->evidence_dir || s->metrics_path || s->from_sei || s->task >= 0)
    return fail ("--merge reads finished reports: it takes --report, --html, "
        "--inputs and the reports only");
  if (s->inputs_path) {
    /* The batch's list: every recording's report must be in the one
     * directory given, and be of that recording. */
    g_autoptr (GError) err = NULL;

    if ((*rest)[1] || !g_file_test ((*rest)[0], G_FILE_TEST_IS_DIR))
      return fail ("--merge --inputs %s: give the one --report-dir the batch "
          "wrote", s->inputs_path);
    s->report_dir = g_strdup ((*rest)[0]);
    if (!read_input_list (s, &err))
      return fail ("--inputs %s", err->message);
    return -1;
  }
  s->inputs = g_steal_pointer (rest);
  return -1;
}

/* Whether the report's "input" names @input (paths compared canonical). */
static gboolean
same_input (const gchar *reported, const gchar *input)
{
  g_autofree gchar *a = local_path (reported), *b = local_path (input);

  if (a && b) {
    g_autofree gchar *ca = g_canonicalize_filename (a, NULL);
    g_autofree gchar *cb = g_canonicalize_filename (b, NULL);
    return g_str_equal (ca, cb);
  }
  return g_strcmp0 (reported, input) == 0;
}

/* The options, checked: -1 to go on, else the exit status. */
static int
parse_options (Scan *s, int argc, char **argv)
{
  g_autoptr (GError) err = NULL;
  g_auto (GStrv) rest = NULL;
  int status;

  GOptionEntry entries[] = {
    {"catalog", 'c', 0, G_OPTION_ARG_FILENAME, &s->catalog_path,
        "The seller's catalog (required unless --from-sei)", "CATALOG.json"},
    {"report", 'o', 0, G_OPTION_ARG_FILENAME, &s->report_path,
        "Write the report JSON here (required)", "OUT.json"},
    {"html", 0, 0, G_OPTION_ARG_FILENAME, &s->html_path,
        "Also write a self-contained HTML report", "OUT.html"},
    {"rules", 'r', 0, G_OPTION_ARG_STRING, &s->rules,
        "Rule pack: cn, eu, us or a pack file (default: the catalog's "
          "jurisdiction)", "cn|eu|us|FILE"},
    {"evidence", 'e', 0, G_OPTION_ARG_FILENAME, &s->evidence_dir,
        "Write evidence images and evidence.jsonl into DIR", "DIR"},
    {"metrics", 0, 0, G_OPTION_ARG_FILENAME, &s->metrics_path,
        "The platform's attested audience figures, JSON lines {\"t\": SECONDS, "
          "\"viewers\": N, \"likes\": N, \"followers\": N}: on-screen "
          "figures above them are claim.audience_inflated (without it that "
          "rule is reported as not checked)", "FILE"},
    {"annotated", 'a', 0, G_OPTION_ARG_FILENAME, &s->annotated_path,
        "Write a copy of the video with what was read and what broke a rule "
          "drawn on it (decodes every frame: slower)", "OUT.mp4"},
    {"annotated-mode", 0, 0, G_OPTION_ARG_STRING, &s->annotated_mode,
        "What --annotated draws: review (boxes around what was read, each "
          "violation's box and rule, the warnings; nothing covered or "
          "added), viewer (the corrected picture: disclosure label and "
          "masks), or preview (both, as the streamer's monitor shows; "
          "default review)", "review|viewer|preview"},
    {"from-sei", 0, 0, G_OPTION_ARG_NONE, &s->from_sei,
        "No OCR: report the verdicts carried in the stream's SEI", NULL},
    {"interval", 'i', 0, G_OPTION_ARG_INT, &s->interval_ms,
        "Analyse one frame every MS milliseconds (default 1000)", "MS"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &s->threads,
        "Read each frame's text on N threads (PP-OCR: ONNX Runtime's "
          "threads; Tesseract: one instance of ~56 MB each); the report is "
          "the same for any N (default: the number of processors, at most 8)",
          "N"},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &s->engine,
        "What reads the text: ppocr (PP-OCRv4, ONNX Runtime), tesseract, or "
          "auto: ppocr when installed, else tesseract (default auto; the one "
          "taken is said on stderr)", "auto|ppocr|tesseract"},
    {"inputs", 0, 0, G_OPTION_ARG_FILENAME, &s->inputs_path,
        "Scan the recordings listed in FILE, one a line: INPUT, or INPUT, a "
          "tab and its CATALOG; # starts a comment, relative paths are from "
          "FILE's directory (with --report-dir).  With --merge: the reports "
          "of every recording of FILE must be in the directory given", "FILE"},
    {"report-dir", 0, 0, G_OPTION_ARG_FILENAME, &s->report_dir,
        "Several INPUTs or --inputs: write NAME.json and NAME.html for each "
          "here (NAME: its file name without extension) and its evidence "
          "under --evidence DIR/NAME", "DIR"},
    {"task", 0, 0, G_OPTION_ARG_INT, &s->task,
        "With --inputs: scan only the N-th recording of the list, from 0, as "
          "a job-array task does (Slurm: $SLURM_ARRAY_TASK_ID; Kubernetes "
          "Indexed Job: $JOB_COMPLETION_INDEX)", "N"},
    {"merge", 0, 0, G_OPTION_ARG_NONE, &s->merge,
        "Merge the scan reports given as INPUTs (JSON files, or directories "
          "of them) into one summary: --report SUMMARY.json, --html an index "
          "linking each recording's page", NULL},
    /* The usage line names INPUT once, from the context. */
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
        NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("INPUT...");
  g_option_context_set_summary (ctx, "Replays a recording (file path or URI) "
      "through the gst-compliance elements and reports what was shown on "
      "screen and which rules it broke.\n\nExit status: 0 no violation, "
      "1 violations found, 2 error, 3 not checked (no compliance SEI with "
      "--from-sei, or fewer frames analysed than confirm a violation).  "
      "Several recordings: the worst of theirs (2, then 1, then 3).\n\n"
      "A batch: --inputs LIST --report-dir DIR [--task N], then --merge "
      "[--inputs LIST] DIR --report SUMMARY.json --html INDEX.html.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    status = fail ("%s (see --help)", err->message);
    return status;
  }
  if (s->merge)
    return merge_options (s, &rest);
  if (s->inputs_path) {
    if (rest && rest[0]) {
      status = fail ("give INPUTs or --inputs FILE, not both");
      return status;
    }
    if (!read_input_list (s, &err)) {
      status = fail ("--inputs %s", err->message);
      return status;
    }
  } else if (!rest || !rest[0]) {
    status = fail ("give an INPUT (file path or URI), several, or --inputs "
        "FILE; see --help");
    return status;
  } else {
    s->inputs = g_steal_pointer (&rest);
  }
  if ((status = batch_options (s)) >= 0)
    return status;
  gc_tool_use_build_plugins ((gconstpointer) parse_options);
  if (!s->report_dir && !s->report_path) {
    status = fail ("--report OUT.json is required");
    return status;
  }
  if (!s->report_dir && !s->catalog_path && !s->from_sei) {
    status = fail ("--catalog CATALOG.json is required");
    return status;
  }
  if (s->annotated_mode && g_strcmp0 (s->annotated_mode, "review") != 0
      && g_strcmp0 (s->annotated_mode, "viewer") != 0
      && g_strcmp0 (s->annotated_mode, "preview") != 0) {
    status = fail ("--annotated-mode %s: give review, viewer or preview",
        s->annotated_mode);
    return status;
  }
  if (s->annotated_mode && !s->annotated_path) {
    status = fail ("--annotated-mode needs --annotated OUT.mp4");
    return status;
  }
  if (s->interval_ms < 1 || s->interval_ms > 60000) {
    status = fail ("--interval %d: give 1 to 60000 ms", s->interval_ms);
    return status;
  }
  if (s->threads < 1 || s->threads > MAX_THREADS) {
    status = fail ("--threads %d: give 1 to %d", s->threads, MAX_THREADS);
    return status;
  }
  if (s->engine == NULL)
    s->engine = g_strdup ("auto");
  if (!g_str_equal (s->engine, "auto") && !g_str_equal (s->engine, "ppocr")
      && !g_str_equal (s->engine, "tesseract")) {
    status = fail ("--engine %s: give auto, ppocr or tesseract", s->engine);
    return status;
  }
  s->interval = (GstClockTime) s->interval_ms * GST_MSECOND;
  /* The overlay needs every frame; SEI are read without decoding. */
  s->skipping = !s->annotated_path && !s->from_sei;

  return -1;
}

/* Everything that can be checked before a long scan: -1 to go on, else the
 * exit status.  @tmp_evidence: a temporary evidence directory made for the
 * HTML page's images. */
static int
check_before_scanning (Scan *s, gchar **tmp_evidence)
{
  g_autoptr (GError) err = NULL;
  int status;

  /* Everything that can be checked before a long scan is checked first. */
  if (!resolve_input (s, &err)) {
    status = fail ("%s", err->message);
    return status;
  }
  if (s->catalog_path) {
    s->catalog = gc_catalog_load_file (s->catalog_path, &err);
    if (!s->catalog) {
      status = fail ("bad catalog: %s", err->message);
      return status;
    }
  }
  if (!s->from_sei) {
    /* The pack compliancecheck will use: checked now, and how many
     * analysed frames confirm a violation. */
    g_autofree gchar *name = gc_rules_pack_name (s->rules, s->catalog);
    g_autoptr (GcRulePack) pack = gc_rulepack_load (name, NULL, &err);
    if (!pack) {
      status = s->rules ? fail ("--rules %s: %s", s->rules, err->message)
          : fail ("rule pack %s (the catalog's jurisdiction): %s", name,
          err->message);
      return status;
    }
    s->confirm_frames = MAX (1, pack->confirm_frames);
    if (s->metrics_path) {
      /* Read once here, so that a bad file is refused before the run. */
      GcRules *probe = gc_rules_new (NULL, pack);
      gboolean ok = gc_rules_load_metrics (probe, s->metrics_path, &err);

      gc_rules_free (probe);
      if (!ok) {
        status = fail ("--metrics %s", err->message);
        return status;
      }
    }
  } else if (s->metrics_path) {
    status = fail ("--metrics %s: attested figures are for checking what is "
        "read on screen; --from-sei reports the stream's own verdicts",
        s->metrics_path);
    return status;
  }
  if (!check_outputs_apart (s, &err)
      || !check_output ("--report", s->report_path, FALSE, &err)
      || !check_output ("--html", s->html_path, FALSE, &err)
      || !check_output ("--annotated", s->annotated_path, FALSE, &err)
      || !check_output ("--evidence", s->evidence_dir, TRUE, &err)) {
    status = fail ("%s", err->message);
    return status;
  }
  /* The HTML page embeds the evidence images even when the user did not
   * ask to keep them. */
  if (s->html_path && !s->evidence_dir && !s->from_sei) {
    *tmp_evidence = g_dir_make_tmp ("gst-compliance-scan-XXXXXX", &err);
    if (!*tmp_evidence) {
      status = fail ("cannot create a temporary directory: %s", err->message);
      return status;
    }
    s->evidence_dir = g_strdup (*tmp_evidence);
  }

  return -1;
}

/* What the run of the pipeline left for the report. */
typedef struct
{
  gint64 start_us;
  gboolean tty;
  gchar *error_text;            /* what stopped the scan early, or NULL */
  gboolean eos;
  gdouble duration;             /* as the input announced it, or 0 */
} Run;

/* Builds the pipeline and runs it to the end (or an error, or a stall),
 * gathering readings and violations into @report.  FALSE when it could
 * not even be built (@status set). */
static gboolean
run_pipeline (Scan *s, GcReport *report, Run *run, int *status)
{
  run->start_us = g_get_monotonic_time ();
  run->tty = isatty (STDERR_FILENO);

  hook_log (s);
  s->pipeline = gst_pipeline_new ("scan");
  s->decodebin = gst_element_factory_make ("uridecodebin", NULL);
  if (!s->decodebin) {
    *status = fail ("GStreamer's uridecodebin is missing: run tools/setup");
    gst_object_unref (s->pipeline);
    unhook_log (s);
    return FALSE;
  }
  g_object_set (s->decodebin, "uri", s->uri, NULL);
  gst_bin_add (GST_BIN (s->pipeline), s->decodebin);
  g_signal_connect (s->pipeline, "deep-element-added",
      G_CALLBACK (deep_element_added), s);
  g_signal_connect (s->decodebin, "pad-added", G_CALLBACK (pad_added), s);
  g_signal_connect (s->decodebin, "no-more-pads", G_CALLBACK (no_more_pads),
      s);
  g_signal_connect (s->decodebin, "autoplug-continue",
      G_CALLBACK (autoplug_continue), s);

  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (s->pipeline));
  /* A start that failed at once: its error is on the bus, or nothing
   * will come (no watchdog wait on an input that already failed). */
  gboolean start_failed = gst_element_set_state (s->pipeline,
      GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE;
  if (start_failed && !gst_bus_have_pending (bus))
    run->error_text = g_strdup ("the pipeline could not start");

  gint64 last_mark = -1, last_move_us = g_get_monotonic_time ();
  gint64 next_progress_us = 0;
  while (!run->error_text && !run->eos) {
    g_autoptr (GstMessage) msg = gst_bus_timed_pop (bus,
        50 * GST_MSECOND);
    gint64 now = g_get_monotonic_time ();

    if (msg) {
      switch (GST_MESSAGE_TYPE (msg)) {
        case GST_MESSAGE_EOS:
          run->eos = TRUE;
          break;
        case GST_MESSAGE_ERROR:{
          g_autoptr (GError) e = NULL;
          g_autofree gchar *debug = NULL;
          gst_message_parse_error (msg, &e, &debug);
          /* An element of ours refusing to start names the problem
           * itself (catalog, OCR data, rule pack). */
          run->error_text = describe_error (s, e, debug);
          g_debug ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
              e->message, debug ? debug : "");
          break;
        }
        case GST_MESSAGE_WARNING:{
          g_autoptr (GError) e = NULL;
          g_autofree gchar *debug = NULL;
          gst_message_parse_warning (msg, &e, &debug);
          if (s->network && GST_IS_URI_HANDLER (GST_MESSAGE_SRC (msg))) {
            /* The network source retrying ("Connection timeout. Trying
             * to reconnect"): said once, and kept for the stall. */
            if (g_strcmp0 (s->source_warning, e->message) != 0)
              fprintf (stderr, "%sgst-compliance-scan: warning: %s\n",
                  run->tty ? "\n" : "", e->message);
            g_free (s->source_warning);
            s->source_warning = g_strdup (e->message);
          } else if (e->domain == GST_STREAM_ERROR) {
            /* Decoders warn, and go on, on damaged frames. */
            if (!s->decode_warnings++) {
              s->first_warning = g_strdup (e->message);
              s->first_warning_at = position_s (s);
            }
          } else {
            fprintf (stderr, "%sgst-compliance-scan: warning: %s\n",
                run->tty ? "\n" : "", e->message);
          }
          break;
        }
        case GST_MESSAGE_INFO:{
          g_autoptr (GError) e = NULL;
          g_autofree gchar *debug = NULL;
          gst_message_parse_info (msg, &e, &debug);
          /* complianceocr says which reader it took. */
          fprintf (stderr, "%sgst-compliance-scan: %s\n", run->tty ? "\n" : "",
              e->message);
          break;
        }
        case GST_MESSAGE_APPLICATION:{
          const GstStructure *st = gst_message_get_structure (msg);
          if (gst_structure_has_name (st, "scan-error"))
            run->error_text = g_strdup (gst_structure_get_string (st, "message"));
          break;
        }
        case GST_MESSAGE_ELEMENT:{
          handle_text (s, report, msg);
          handle_violation (s, report, msg);
          break;
        }
        case GST_MESSAGE_DURATION_CHANGED:
          run->duration = 0;
          break;
        default:
          break;
      }
    }

    if (!msg && start_failed && !run->error_text && !run->eos) {
      /* What the failed start posted is read, and no error was in it. */
      run->error_text = g_strdup ("the pipeline could not start");
    }
    gint64 mark = g_atomic_int_get (&s->progress_mark);
    gboolean busy = g_atomic_int_get (&s->busy) > 0;
    gint limit = busy ? BUSY_STALL_TIMEOUT_S : STALL_TIMEOUT_S;
    if (mark != last_mark) {
      last_mark = mark;
      last_move_us = now;
    } else if (now - last_move_us > limit * G_USEC_PER_SEC
        && !run->error_text && !run->eos) {
      if (busy)
        run->error_text = g_strdup_printf ("stalled: the analysis (OCR) made no "
            "progress for %d s", limit);
      else if (s->network) {
        g_autofree gchar *why = s->source_warning
            ? g_strdup (s->source_warning) : probe_network (s->uri);
        run->error_text = g_strdup_printf ("network error: no data from the "
            "server for %d s%s%s%s", limit, why ? " (" : "", why ? why : "",
            why ? ")" : "");
      } else
        run->error_text = g_strdup_printf ("stalled: no data for %d s (corrupt "
            "or truncated file?)", limit);
    }
    if (run->duration <= 0) {
      gint64 d = 0;
      if (gst_element_query_duration (s->pipeline, GST_FORMAT_TIME, &d)
          && d > 0)
        run->duration = ns_to_s ((guint64) d);
    }
    if (run->tty && now >= next_progress_us) {
      print_progress (s, run->start_us, run->duration, FALSE);
      next_progress_us = now + PROGRESS_PERIOD_MS * 1000;
    }
  }
  if (run->tty)
    print_progress (s, run->start_us, run->duration, TRUE);

  /* Going to NULL drains compliancecheck's evidence images: the HTML
   * embeds them. */
  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  /* Messages posted while stopping (the last violation ends). */
  for (;;) {
    g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus,
        GST_MESSAGE_ELEMENT);
    if (!msg)
      break;
    handle_violation (s, report, msg);
    handle_text (s, report, msg);
  }
  gst_object_unref (s->pipeline);
  s->pipeline = NULL;
  /* No streaming thread is left to log. */
  unhook_log (s);

  return TRUE;
}

/* The report, the summary line and the exit status. */
static int
finish (Scan *s, GcReport *report, Run *run, const gchar *tmp_evidence)
{
  int status;
  gdouble wall = (g_get_monotonic_time () - run->start_us) / 1e6;
  gdouble scanned = position_s (s);
  if (s->annotated_path || s->skipping) {
    /* The sink sees samples only; the last one may be up to an interval
     * before the end. */
    scanned = MAX (scanned, 0);
  }
  /* The coded side saw every frame, even those not decoded. */
  if (GST_CLOCK_TIME_IS_VALID (s->coded_end))
    scanned = MAX (scanned, ns_to_s (s->coded_end));
  /* A file cut short often ends quietly: the demuxer just finds no more
   * data.  More than a second missing from the announced run->duration is a
   * truncation. */
  if (run->eos && !run->error_text && run->duration > 0 && s->have_decoder
      && scanned + 1.0 < run->duration)
    run->error_text = g_strdup_printf ("truncated: the data ends at %.1f s of "
        "the %.1f s the file announces", scanned, run->duration);
  else if (run->eos && !run->error_text && run->duration > 0)
    scanned = run->duration;
  if (run->duration <= 0 || run->error_text)
    gc_report_set_duration (report, run->duration > 0 ? run->duration : scanned);
  else
    gc_report_set_duration (report, run->duration);

  if (s->catalog) {
    for (guint i = 0; i < s->catalog->schedule->len; i++) {
      GcScheduleEntry *e = &g_array_index (s->catalog->schedule,
          GcScheduleEntry, i);
      gdouble end = e->end;
      gdouble dur = gc_report_get_duration (report);
      if (dur > 0 && e->start >= dur)
        continue;
      if (dur > 0)
        end = MIN (end, dur);
      const GcProduct *p = gc_catalog_find (s->catalog, e->sku);
      gc_report_add_product_span (report, e->sku, p ? p->name : NULL,
          e->start, end);
    }
  }
  gc_report_set_stats (report, wall, (guint64) g_atomic_int_get (&s->frames_decoded),
      s->frames_analysed);
  gc_report_set_string (report, "generator", "gst-compliance-scan "
      PACKAGE_VERSION);
  gc_report_set_string (report, "source", s->from_sei ? "sei" : "ocr");
  gc_report_set_string (report, "catalog", s->catalog_path);
  gc_report_set_string (report, "rules", s->rules);
  gc_report_set_double (report, "interval_ms", s->interval_ms);
  gc_report_set_string (report, "decode", s->from_sei ? "none"
      : !s->skipping ? "all frames"
      : s->frames_dropped_coded > 0 ? "sampled (frames no sample needs "
      "skipped before the decoder)" : "all frames (stream allows no skip)");
  gc_report_set_double (report, "frames_skipped_before_decoder",
      g_atomic_int_get (&s->frames_dropped_coded));
  gc_report_set_boolean (report, "complete", run->eos && !run->error_text);
  if (!s->from_sei && !s->metrics_path)
    gc_report_add_rule_not_checked (report, GC_RULE_CLAIM_AUDIENCE_INFLATED,
        "no attested audience figures (--metrics FILE)");
  /* What was checked.  A violation is confirmed on the pack's
   * confirm_frames analysed frames (2 in the shipped packs), so fewer
   * (an --interval as long as the recording) cannot show one: that is
   * not a clean recording.  A still image is read that many times. */
  g_autofree gchar *unchecked = NULL;
  guint64 units = s->frames_analysed;
  if (s->from_sei) {
    units = 0;
    if (s->sei)
      g_object_get (s->sei, "sei-found", &units, NULL);
    if (units == 0)
      unchecked = g_strdup ("no compliance SEI in the stream: it was never "
          "checked by compliancesei, or its SEI were lost (re-encoded?)");
  } else if (s->frames_analysed == 0) {
    unchecked = g_strdup ("no frame was analysed");
  } else if (s->frames_analysed < s->confirm_frames) {
    unchecked = g_strdup_printf ("%" G_GUINT64_FORMAT " frame%s analysed: "
        "a violation is confirmed on %u (an --interval as long as the "
        "recording: give a shorter --interval)",
        s->frames_analysed, s->frames_analysed == 1 ? "" : "s",
        s->confirm_frames);
  }
  if (g_atomic_int_get (&s->still))
    gc_report_set_boolean (report, "still_image", TRUE);
  gc_report_set_coverage (report, s->from_sei ? "sei" : "ocr", units,
      unchecked == NULL, unchecked);
  gc_report_set_double (report, "scanned_s", scanned);
  if (run->error_text)
    gc_report_set_string (report, "error", run->error_text);
  g_autofree gchar *damage = describe_damage (s);
  if (damage)
    gc_report_set_string (report, "damage", damage);
  if (s->evidence_dir)
    gc_report_set_evidence_dir (report, s->evidence_dir);

  gboolean wrote = TRUE;
  g_autoptr (GError) werr = NULL;
  if (s->html_path && !gc_report_write_html (report, s->html_path, &werr)) {
    fprintf (stderr, "gst-compliance-scan: %s\n", werr->message);
    wrote = FALSE;
    g_clear_error (&werr);
  }
  if (tmp_evidence) {
    /* Evidence lived only for the HTML page: the JSON must not point at
     * files that are gone. */
    gc_report_forget_evidence (report);
    gc_report_set_evidence_dir (report, NULL);
  }
  if (!gc_report_write_json (report, s->report_path, &werr)) {
    fprintf (stderr, "gst-compliance-scan: %s\n", werr->message);
    wrote = FALSE;
  }

  g_autofree gchar *summary = gc_report_violation_summary (report);
  guint n = gc_report_n_violations (report);
  fprintf (stderr, "gst-compliance-scan: scanned %.1f s in %.1f s (%.1fx), "
      "%u violation%s%s%s\n", scanned, wall, wall > 0 ? scanned / wall : 0,
      n, n == 1 ? "" : "s", n ? ": " : "", summary);

  if (run->error_text) {
    if (damage)
      fprintf (stderr, "gst-compliance-scan: %s: %s\n", s->input, damage);
    fprintf (stderr, "gst-compliance-scan: %s: %s; stopped at %.1f s, "
        "report of what was scanned written to %s\n", s->input, run->error_text,
        scanned, s->report_path);
    status = EXIT_ERROR;
  } else if (damage) {
    /* Damage in the middle: everything decodable was scanned. */
    fprintf (stderr, "gst-compliance-scan: %s: %s; scanned the rest to the "
        "end, report written to %s\n", s->input, damage, s->report_path);
    status = EXIT_ERROR;
  } else if (!wrote) {
    status = EXIT_ERROR;
  } else if (n) {
    status = EXIT_VIOLATIONS;
  } else if (unchecked) {
    fprintf (stderr, "gst-compliance-scan: %s: not checked: %s; exit "
        "status %d\n", s->input, unchecked, EXIT_UNCHECKED);
    status = EXIT_UNCHECKED;
  } else {
    status = EXIT_CLEAN;
  }
  return status;
}

/* Scans @s->input to its report: the exit status. */
static int
run_one (Scan *s)
{
  g_autofree gchar *tmp_evidence = NULL;
  int status = check_before_scanning (s, &tmp_evidence);

  if (status < 0) {
    g_autoptr (GcReport) report = gc_report_new (s->input);
    Run run = { 0, };
    if (run_pipeline (s, report, &run, &status))
      status = finish (s, report, &run, tmp_evidence);
    g_free (run.error_text);
  }

  if (tmp_evidence) {
    g_autoptr (GDir) d = g_dir_open (tmp_evidence, 0, NULL);
    const gchar *name;
    while (d && (name = g_dir_read_name (d))) {
      g_autofree gchar *p = g_build_filename (tmp_evidence, name, NULL);
      g_unlink (p);
    }
    g_rmdir (tmp_evidence);
  }
  return status;
}

/* The worse of two exit statuses: an error, then violations, then not
 * checked, then clean. */
static int
worse (int a, int b)
{
  static const int order[] = { EXIT_CLEAN, EXIT_UNCHECKED, EXIT_VIOLATIONS,
    EXIT_ERROR
  };
  guint ra = 0, rb = 0;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
    if (order[i] == a)
      ra = i;
    if (order[i] == b)
      rb = i;
  }
  return ra >= rb ? a : b;
}

/* Each recording of the batch (or the --task one) in turn, in a fresh
 * scan state with the batch's options: a recording that fails does not
 * stop the others. */
static int
run_batch (const Scan *opts)
{
  guint n = g_strv_length (opts->inputs);
  guint first = opts->task >= 0 ? (guint) opts->task : 0;
  guint last = opts->task >= 0 ? (guint) opts->task : n - 1;
  int status = EXIT_CLEAN;

  if (g_mkdir_with_parents (opts->report_dir, 0755) != 0) {
    int e = errno;
    return fail ("--report-dir %s: cannot create it: %s", opts->report_dir,
        g_strerror (e));
  }
  for (guint i = first; i <= last; i++) {
    Scan one = { 0, };
    g_autofree gchar *name = input_name (opts->inputs[i]);
    g_autofree gchar *json = g_strconcat (name, ".json", NULL);
    g_autofree gchar *html = g_strconcat (name, ".html", NULL);
    int st;

    scan_init (&one);
    one.input = g_strdup (opts->inputs[i]);
    one.catalog_path = g_strdup (catalog_of (opts, i));
    one.rules = g_strdup (opts->rules);
    one.engine = g_strdup (opts->engine);
    one.from_sei = opts->from_sei;
    one.interval_ms = opts->interval_ms;
    one.interval = opts->interval;
    one.threads = opts->threads;
    one.skipping = opts->skipping;
    one.report_path = g_build_filename (opts->report_dir, json, NULL);
    one.html_path = g_build_filename (opts->report_dir, html, NULL);
    if (opts->evidence_dir)
      one.evidence_dir = g_build_filename (opts->evidence_dir, name, NULL);
    fprintf (stderr, "gst-compliance-scan: [%u/%u] %s -> %s\n", i + 1, n,
        one.input, one.report_path);
    st = run_one (&one);
    scan_clear (&one);
    status = worse (status, st);
  }
  return status;
}

/* --merge: the reports into one summary, written only when every one of
 * them could be read. */
static int
run_merge (const Scan *opts)
{
  g_autoptr (GcSummary) sum = gc_summary_new (opts->report_path);
  g_autoptr (GError) err = NULL;

  for (guint i = 0; !opts->inputs_path && opts->inputs[i]; i++) {
    if (same_file (opts->inputs[i], opts->report_path)
        || same_file (opts->inputs[i], opts->html_path))
      return fail ("--merge: %s is an output (--report or --html): it would "
          "be overwritten", opts->inputs[i]);
    if (!gc_summary_add (sum, opts->inputs[i], &err))
      return fail ("--merge: %s", err->message);
  }
  for (guint i = 0; opts->inputs_path && opts->inputs[i]; i++) {
    g_autofree gchar *name = input_name (opts->inputs[i]);
    g_autofree gchar *json = g_strconcat (name, ".json", NULL);
    g_autofree gchar *file = g_build_filename (opts->report_dir, json, NULL);
    guint n = gc_summary_n_reports (sum);

    if (!g_file_test (file, G_FILE_TEST_EXISTS)) {
      fprintf (stderr, "gst-compliance-scan: --merge: %s: no report (%s): "
          "its scan failed or never ran\n", opts->inputs[i], file);
      gc_summary_add_missing (sum, opts->inputs[i], file);
      continue;
    }
    if (!gc_summary_add (sum, file, &err))
      return fail ("--merge: %s", err->message);
    if (!same_input (gc_summary_input (sum, n), opts->inputs[i]))
      return fail ("--merge: %s is the report of %s, not of %s: left from "
          "another batch?", file, gc_summary_input (sum, n)
          ? gc_summary_input (sum, n) : "no input", opts->inputs[i]);
  }
  if (gc_summary_holds (sum, opts->report_path)
      || gc_summary_holds (sum, opts->html_path))
    return fail ("--merge: %s is one of the reports or their pages: it would "
        "be overwritten; give the summary another path",
        gc_summary_holds (sum, opts->report_path) ? opts->report_path
        : opts->html_path);
  if (!check_output ("--report", opts->report_path, FALSE, &err)
      || !check_output ("--html", opts->html_path, FALSE, &err)
      || !gc_summary_write_json (sum, &err)
      || (opts->html_path && !gc_summary_write_html (sum, opts->html_path,
              &err)))
    return fail ("%s", err->message);

  guint incomplete = gc_summary_count (sum, "incomplete");
  guint violations = gc_summary_count (sum, "violations");
  guint unchecked = gc_summary_count (sum, "not_checked");
  guint missing = gc_summary_n_missing (sum);
  fprintf (stderr, "gst-compliance-scan: merged %u report%s into %s: %u "
      "clean, %u with violations, %u not checked, %u incomplete%s\n",
      gc_summary_n_reports (sum), gc_summary_n_reports (sum) == 1 ? "" : "s",
      opts->report_path, gc_summary_count (sum, "clean"), violations,
      unchecked, incomplete, missing ? "; reports missing: see \"missing\""
      : "");
  return incomplete || missing ? EXIT_ERROR : violations ? EXIT_VIOLATIONS
      : unchecked ? EXIT_UNCHECKED : EXIT_CLEAN;
}

int
main (int argc, char **argv)
{
  Scan s = { 0, };
  int status;

  /* The OCR loader sets OMP_THREAD_LIMIT too, but here the decoder, and
   * libgomp with it, comes first. */
  g_set_prgname ("gst-compliance-scan");
  gc_tool_init_env ();

  scan_init (&s);

  status = parse_options (&s, argc, argv);
  if (status < 0) {
    if (s.merge)
      status = run_merge (&s);
    else if (s.report_dir)
      status = run_batch (&s);
    else
      status = run_one (&s);
  }
  scan_clear (&s);
  return status;
}
