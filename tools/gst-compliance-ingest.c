/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance-ingest: many streams in one process (PRODUCT.md, "Scale").
 *
 *   gst-compliance-ingest --catalog CATALOG.json [--rules cn|eu|us|FILE]
 *       [--evidence DIR] [--status FILE] [--realtime] [--interval MS]
 *       [--threads N] [--engine auto|ppocr|tesseract] INPUT=OUTPUT...
 *
 * INPUT=OUTPUT is a file or URI and where it goes, or DIR=OUTDIR: a
 * watched directory whose files are each checked into OUTDIR/NAME.ts as
 * they arrive (written and closed, or moved or renamed in; hidden and
 * *.part, *.tmp names are left until renamed), the files already there
 * too, until SIGTERM.
 *
 * Each stream is its own pipeline, so that one input failing or ending
 * leaves the others running:
 *
 *   SOURCE ! parsebin ! [clocksync] ! h264parse ! tee name=t
 *     t. ! queue ! compliancesei source=check ! h264parse ! MUX ! SINK
 *     t. ! queue (keyframes only) ! avdec_h264 ! videoconvert !
 *          complianceocr mode=replay pool=gst-compliance-ingest !
 *          compliancecheck name=check ! fakesink
 *   (audio: parsebin ! [clocksync] ! queue ! MUX, when the container takes it)
 *
 * The coded video goes to OUTPUT untouched but for the SEI verdicts.  Only
 * keyframes reach the analysis branch (a probe at its queue drops the
 * rest, and the keyframes closer than --interval to the last one taken),
 * so the decoder decodes one frame a GOP.  Every stream's complianceocr
 * names the same pool: --threads workers with one engine each read for all
 * streams, one read per stream at a time, first come first served.  On
 * live inputs (rtmp://, srt://, or files with --realtime) the analysis
 * queue holds one keyframe and drops the older one when a newer comes
 * while the stream's read still waits: a saturated pool drops samples
 * (counted per stream in the status), it never queues them without bound,
 * and the coded stream never waits for the analysis (compliancesei
 * source-wait=0).  Files without --realtime are read as fast as the pool
 * allows, every keyframe analysed, each access unit waiting for the
 * verdict of its GOP.
 *
 * Threads: the main thread owns the streams' lifecycle (start, bus
 * messages, EOS, errors, SIGTERM/SIGINT drain, the status file); each
 * stream's probes run in its streaming threads and share the sampling and
 * latency figures with the main thread under the stream's mutex.  The OCR
 * pool's threads belong to complianceocr (see gstcomplianceocrpool.h).
 *
 * Exit status: 0 no violation, 1 violations, 2 an error (a stream failed,
 * or bad arguments), 3 a stream ended with nothing analysed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <gst/gst.h>

#include "gc-catalog.h"
#include "gstcompliancecore.h"
#include "tool-common.h"

#define EXIT_CLEAN 0
#define EXIT_VIOLATIONS 1
#define EXIT_ERROR 2
#define EXIT_UNCHECKED 3

#define POOL_NAME "gst-compliance-ingest"
#define DEFAULT_INTERVAL_MS 2000
#define MAX_THREADS 16
/* How long SIGTERM waits for the streams to drain before it stops them. */
#define DRAIN_TIMEOUT_S 15
#define STATUS_PERIOD_MS 1000
/* A file's access unit waits this long for its GOP's verdict. */
#define FILE_SOURCE_WAIT_MS 60000
#define STATUS_SCHEMA "gst-compliance-ingest-status/1"

typedef enum
{
  STREAM_STARTING,
  STREAM_RUNNING,
  STREAM_ENDED,
  STREAM_FAILED,
} StreamState;

static const gchar *state_names[] = { "starting", "running", "ended",
  "failed"
};

typedef struct _Ingest Ingest;

typedef struct
{
  GstClockTime pts;
  gint64 arrived_us;
} Arrival;

typedef struct
{
  Ingest *ig;
  guint index;
  gchar *input;
  gchar *output;
  gchar *name;                  /* for messages and the evidence directory */
  gboolean live;

  /* Main thread. */
  GstElement *pipeline;
  guint bus_watch;
  StreamState state;
  gchar *error;
  GHashTable *open;             /* violation id -> rule (owned) */
  guint64 violations_total;

  /* Set up before the pipeline starts, then streaming threads. */
  GstElement *mux;

  /* Streaming threads and the main thread; lock. */
  GMutex lock;
  gboolean video_linked;
  gboolean repushing;           /* the analysis queue's thread only */
  GstElement *ocr;              /* set once the video is linked */
  GPtrArray *entries;           /* GstPad: where parsebin's streams enter */
  GstClockTime last_taken;      /* pts of the last keyframe admitted */
  GQueue arrivals;              /* Arrival: admitted, not yet analysed */
  guint64 keyframes;
  guint64 analysed;
  guint64 dropped;
  GArray *latency_ms;           /* gdouble, each analysed sample */
} Stream;

struct _Ingest
{
  gchar *catalog_path;
  gchar *rules;
  gchar *evidence_dir;
  gchar *status_path;
  gboolean realtime;
  gint interval_ms;
  gint threads;
  gchar *engine;
  const gchar *languages;
  GcCatalog *catalog;

  GPtrArray *streams;           /* Stream */
  GPtrArray *watches;           /* Watch: directories watched for files */
  GMainLoop *loop;
  gboolean draining;
  guint drain_timeout;
  gint64 started_us;
  gchar *engine_used;
};

/* A directory whose files are checked as they arrive, into OUTDIR. */
typedef struct
{
  Ingest *ig;
  gchar *dir;
  gchar *outdir;
  GFileMonitor *monitor;
  GHashTable *seen;             /* paths started or skipped */
} Watch;

#define fail gc_tool_fail

static gboolean
is_uri_of (const gchar *s, const gchar *scheme)
{
  return g_str_has_prefix (s, scheme) && strstr (s, "://") != NULL;
}

static gboolean
is_network (const gchar *s)
{
  return is_uri_of (s, "rtmp://") || is_uri_of (s, "rtmps://")
      || is_uri_of (s, "srt://");
}

/* A file path from a path or a file:// URI (NULL for other URIs). */
static gchar *
file_path_of (const gchar *s)
{
  if (g_str_has_prefix (s, "file://"))
    return g_filename_from_uri (s, NULL, NULL);
  if (gst_uri_is_valid (s))
    return NULL;
  return g_strdup (s);
}

/* ---- statistics ---------------------------------------------------------- */

static gint
compare_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

/* The @q quantile (0..1) of @values, nearest rank; NAN when empty. */
static gdouble
quantile (GArray *values, gdouble q)
{
  g_autoptr (GArray) sorted = NULL;
  guint rank;

  if (values->len == 0)
    return NAN;
  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_double);
  rank = (guint) ceil (q * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gdouble, rank - 1);
}

/* ---- probes -------------------------------------------------------------- */

/* At the analysis queue's sink: only keyframes, at most one per interval,
 * go on; each is remembered with its arrival time. */
static GstPadProbeReturn
keyframe_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Stream *st = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime interval = st->ig->interval_ms * GST_MSECOND;
  gboolean take;

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;

  g_mutex_lock (&st->lock);
  st->keyframes++;
  /* A tenth of the interval of slack: a 2 s GOP sampled every 2 s keeps
   * every keyframe whatever the rounding of the timestamps. */
  take = !GST_CLOCK_TIME_IS_VALID (pts)
      || !GST_CLOCK_TIME_IS_VALID (st->last_taken) || pts < st->last_taken
      || pts + interval / 10 >= st->last_taken + interval;
  if (take) {
    Arrival *a = g_new (Arrival, 1);
    a->pts = pts;
    a->arrived_us = g_get_monotonic_time ();
    g_queue_push_tail (&st->arrivals, a);
    if (GST_CLOCK_TIME_IS_VALID (pts))
      st->last_taken = pts;
  }
  g_mutex_unlock (&st->lock);
  return take ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* At the analysis queue's src, in its thread: each keyframe goes to the
 * decoder followed by an event that makes it drain.  Without it avdec_h264
 * keeps a keyframe until as many frames as the stream may reorder (B-frames)
 * have come after it: two or three more keyframes, 4-6 s at a 2 s GOP. */
static GstPadProbeReturn
drain_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Stream *st = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstFlowReturn ret;

  if (st->repushing)
    return GST_PAD_PROBE_OK;
  st->repushing = TRUE;
  ret = gst_pad_push (pad, gst_buffer_ref (buf));
  st->repushing = FALSE;
  if (ret == GST_FLOW_OK)
    gst_pad_push_event (pad, gst_event_new_segment_done (GST_FORMAT_TIME,
            GST_BUFFER_PTS (buf)));
  GST_PAD_PROBE_INFO_FLOW_RETURN (info) = ret;
  return GST_PAD_PROBE_HANDLED;
}

/* Behind compliancecheck: the sample at this pts was analysed.  Samples
 * admitted before it and never analysed were dropped by the leaky queue. */
static GstPadProbeReturn
analysed_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Stream *st = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gint64 now = g_get_monotonic_time ();
  Arrival *a;

  g_mutex_lock (&st->lock);
  while ((a = g_queue_pop_head (&st->arrivals))) {
    if (a->pts == pts || !GST_CLOCK_TIME_IS_VALID (pts)) {
      gdouble ms = (now - a->arrived_us) / 1000.0;
      g_array_append_val (st->latency_ms, ms);
      st->analysed++;
      g_free (a);
      break;
    }
    st->dropped++;
    g_free (a);
  }
  g_mutex_unlock (&st->lock);
  return GST_PAD_PROBE_OK;
}

/* ---- pipeline ------------------------------------------------------------ */

static GstElement *
make_named (Stream *st, const gchar *factory, const gchar *name,
    GError **error)
{
  GstElement *e = gc_tool_make_element (factory, name, error);

  if (e == NULL)
    return NULL;
  if (!gst_bin_add (GST_BIN (st->pipeline), e)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "could not add %s", factory);
    return NULL;
  }
  return e;
}

static GstElement *
make (Stream *st, const gchar *factory, GError **error)
{
  return make_named (st, factory, NULL, error);
}

static gboolean
link_chain (GstElement **chain, guint n, GError **error)
{
  for (guint i = 0; i + 1 < n; i++) {
    if (!gst_element_link (chain[i], chain[i + 1])) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
          "could not link %s to %s", GST_ELEMENT_NAME (chain[i]),
          GST_ELEMENT_NAME (chain[i + 1]));
      return FALSE;
    }
  }
  return TRUE;
}

static void
sync_all (GstElement **chain, guint n)
{
  for (guint i = 0; i < n; i++)
    gst_element_sync_state_with_parent (chain[i]);
}

static void
post_stream_error (Stream *st, const gchar *what)
{
  GST_ELEMENT_ERROR (st->pipeline, STREAM, FAILED, ("%s", what), (NULL));
}

/* The video: the pass-through branch to the muxer and the analysis branch.
 * Returns the element the parsed video is linked to. */
static GstElement *
build_video (Stream *st, GError **error)
{
  Ingest *ig = st->ig;
  GstElement *e[16];
  guint n = 0;
  GstElement *tee, *pass_q, *sei, *parse2, *ana_q, *dec, *conv, *ocr, *check,
      *sink;
  g_autoptr (GstPad) q_sink = NULL, check_src = NULL, mux_pad = NULL,
      parse2_src = NULL;

#define MAKE(var, factory) G_STMT_START { \
    if (!(var = make (st, factory, error))) return NULL; } G_STMT_END

  /* Files with --realtime: paced as live at the pipeline's clock. */
  if (ig->realtime && !is_network (st->input)) {
    MAKE (e[n], "clocksync");
    n++;
  }
  MAKE (e[n], "h264parse");
  n++;
  MAKE (tee, "tee");
  e[n++] = tee;
  if (!link_chain (e, n, error))
    return NULL;

  /* Pass-through. */
  MAKE (pass_q, "queue");
  if (!st->live) {
    /* Access units wait here for their GOP's verdict: room for a few GOPs
     * of any size. */
    g_object_set (pass_q, "max-size-buffers", 0, "max-size-time",
        (guint64) 0, "max-size-bytes", 256 * 1024 * 1024, NULL);
  }
  MAKE (sei, "compliancesei");
  {
    g_autofree gchar *check_name = g_strdup_printf ("check%u", st->index);
    g_object_set (sei, "source", check_name, "source-wait",
        st->live ? 0 : FILE_SOURCE_WAIT_MS, NULL);
  }
  MAKE (parse2, "h264parse");
  {
    GstElement *pass[] = { tee, pass_q, sei, parse2 };
    if (!link_chain (pass, G_N_ELEMENTS (pass), error))
      return NULL;
  }
  parse2_src = gst_element_get_static_pad (parse2, "src");
  {
    g_autoptr (GstCaps) caps = gst_pad_query_caps (parse2_src, NULL);
    mux_pad = gst_element_get_compatible_pad (st->mux, parse2_src, caps);
  }
  if (mux_pad == NULL
      || GST_PAD_LINK_FAILED (gst_pad_link (parse2_src, mux_pad))) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "%s cannot carry H.264 video", st->output);
    return NULL;
  }

  /* Analysis. */
  MAKE (ana_q, "queue");
  if (st->live)
    g_object_set (ana_q, "leaky", 2 /* downstream */ , "max-size-buffers", 1,
        "max-size-bytes", 0, "max-size-time", (guint64) 0, NULL);
  else
    g_object_set (ana_q, "max-size-buffers", 1, "max-size-bytes", 0,
        "max-size-time", (guint64) 0, NULL);
  MAKE (dec, "avdec_h264");
  /* Frame threads would hold each keyframe until the next ones come (a
   * GOP each): one keyframe decodes in a few ms on one thread. */
  g_object_set (dec, "max-threads", 1, NULL);
  MAKE (conv, "videoconvert");
  MAKE (ocr, "complianceocr");
  g_mutex_lock (&st->lock);
  st->ocr = gst_object_ref (ocr);
  g_mutex_unlock (&st->lock);
  gst_util_set_object_arg (G_OBJECT (ocr), "mode", "replay");
  gst_util_set_object_arg (G_OBJECT (ocr), "engine", ig->engine);
  g_object_set (ocr, "interval", 0, "threads", (guint) ig->threads, "pool",
      POOL_NAME, "languages", ig->languages, NULL);
  {
    g_autofree gchar *check_name = g_strdup_printf ("check%u", st->index);
    if (!(check = make_named (st, "compliancecheck", check_name, error)))
      return NULL;
  }
  g_object_set (check, "catalog", ig->catalog_path, NULL);
  if (ig->rules)
    g_object_set (check, "rules", ig->rules, NULL);
  if (ig->evidence_dir) {
    g_autofree gchar *dir = g_build_filename (ig->evidence_dir, st->name,
        NULL);
    g_object_set (check, "evidence-dir", dir, NULL);
  }
  MAKE (sink, "fakesink");
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  {
    GstElement *ana[] = { tee, ana_q, dec, conv, ocr, check, sink };
    if (!link_chain (ana, G_N_ELEMENTS (ana), error))
      return NULL;
  }
  q_sink = gst_element_get_static_pad (ana_q, "sink");
  gst_pad_add_probe (q_sink, GST_PAD_PROBE_TYPE_BUFFER, keyframe_probe, st,
      NULL);
  {
    g_autoptr (GstPad) q_src = gst_element_get_static_pad (ana_q, "src");
    gst_pad_add_probe (q_src, GST_PAD_PROBE_TYPE_BUFFER, drain_probe, st,
        NULL);
  }
  check_src = gst_element_get_static_pad (check, "src");
  gst_pad_add_probe (check_src, GST_PAD_PROBE_TYPE_BUFFER, analysed_probe,
      st, NULL);
#undef MAKE

  {
    GstElement *all[] = { pass_q, sei, parse2, ana_q, dec, conv, ocr, check,
      sink
    };
    sync_all (all, G_N_ELEMENTS (all));
  }
  sync_all (e, n);
  return e[0];
}

/* Audio goes to the muxer as it is, when its container takes it. */
static GstElement *
build_audio (Stream *st, GstPad *pad, GstCaps *caps, gboolean *carried)
{
  GstElement *q = gst_element_factory_make ("queue", NULL);
  GstElement *head = q;
  g_autoptr (GstPad) q_src = NULL, mux_pad = NULL;

  *carried = FALSE;
  gst_bin_add (GST_BIN (st->pipeline), q);
  if (st->ig->realtime && !is_network (st->input)) {
    head = gst_element_factory_make ("clocksync", NULL);
    gst_bin_add (GST_BIN (st->pipeline), head);
    gst_element_link (head, q);
    gst_element_sync_state_with_parent (head);
  }
  q_src = gst_element_get_static_pad (q, "src");
  mux_pad = gst_element_get_compatible_pad (st->mux, pad, caps);
  if (mux_pad && GST_PAD_LINK_SUCCESSFUL (gst_pad_link (q_src, mux_pad))) {
    *carried = TRUE;
  } else {
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (st->pipeline), sink);
    gst_element_link (q, sink);
    gst_element_sync_state_with_parent (sink);
  }
  gst_element_sync_state_with_parent (q);
  return head;
}

static void
pad_added (GstElement *parsebin, GstPad *pad, gpointer user_data)
{
  Stream *st = user_data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr (GError) err = NULL;
  g_autoptr (GstPad) sinkpad = NULL;
  GstElement *head = NULL;
  const gchar *name;
  gboolean take = FALSE;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/")) {
    g_mutex_lock (&st->lock);
    take = !st->video_linked;
    st->video_linked = TRUE;
    g_mutex_unlock (&st->lock);
    if (take && !g_str_equal (name, "video/x-h264")) {
      g_autofree gchar *m = g_strdup_printf ("%s: the video is %s; "
          "gst-compliance-ingest passes H.264 through (re-encode other "
          "codecs first)", st->input, name);
      post_stream_error (st, m);
      return;
    }
    if (take)
      head = build_video (st, &err);
  } else if (g_str_has_prefix (name, "audio/")) {
    gboolean carried;
    head = build_audio (st, pad, caps, &carried);
    if (!carried)
      fprintf (stderr, "gst-compliance-ingest: %s: audio (%s) is not carried: "
          "%s's container does not take it\n", st->name, name, st->output);
  }
  if (head == NULL && err == NULL) {
    /* A second video, subtitles, data: drained. */
    head = gst_element_factory_make ("fakesink", NULL);
    g_object_set (head, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (st->pipeline), head);
    gst_element_sync_state_with_parent (head);
  }
  if (head == NULL) {
    g_autofree gchar *m = g_strdup_printf ("%s: %s", st->input,
        err->message);
    post_stream_error (st, m);
    return;
  }
  sinkpad = gst_element_get_static_pad (head, "sink");
  g_mutex_lock (&st->lock);
  g_ptr_array_add (st->entries, gst_object_ref (sinkpad));
  g_mutex_unlock (&st->lock);
  if (GST_PAD_LINK_FAILED (gst_pad_link (pad, sinkpad))) {
    g_autofree gchar *m = g_strdup_printf ("%s: could not link its %s "
        "stream", st->input, name);
    post_stream_error (st, m);
  }
}

static void
no_more_pads (GstElement *parsebin, gpointer user_data)
{
  Stream *st = user_data;
  gboolean linked;

  g_mutex_lock (&st->lock);
  linked = st->video_linked;
  g_mutex_unlock (&st->lock);
  if (!linked) {
    g_autofree gchar *m = g_strdup_printf ("%s: no video stream (nothing "
        "to check)", st->input);
    post_stream_error (st, m);
  }
}

/* The source, parsebin, the muxer and the sink; the rest is built when
 * parsebin finds the streams. */
static gboolean
build_stream (Stream *st, GError **error)
{
  GstElement *src, *parse, *mux, *sink;
  g_autofree gchar *in_path = file_path_of (st->input);
  g_autofree gchar *out_path = file_path_of (st->output);
  const gchar *out = st->output;

  st->pipeline = gst_pipeline_new (st->name);
  if (is_uri_of (st->input, "rtmp://") || is_uri_of (st->input, "rtmps://")) {
    if (!(src = make (st, "rtmp2src", error)))
      return FALSE;
    g_object_set (src, "location", st->input, NULL);
  } else if (is_uri_of (st->input, "srt://")) {
    if (!(src = make (st, "srtsrc", error)))
      return FALSE;
    g_object_set (src, "uri", st->input, NULL);
  } else if (in_path) {
    if (!(src = make (st, "filesrc", error)))
      return FALSE;
    g_object_set (src, "location", in_path, NULL);
  } else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "input %s: give a file path, file://, rtmp:// or srt://", st->input);
    return FALSE;
  }
  if (!(parse = make (st, "parsebin", error)))
    return FALSE;
  g_signal_connect (parse, "pad-added", G_CALLBACK (pad_added), st);
  g_signal_connect (parse, "no-more-pads", G_CALLBACK (no_more_pads), st);
  if (!gst_element_link (src, parse)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "could not link the source of %s", st->input);
    return FALSE;
  }

  if (is_uri_of (out, "rtmp://") || is_uri_of (out, "rtmps://")) {
    if (!(mux = make (st, "flvmux", error)) || !(sink = make (st,
                "rtmp2sink", error)))
      return FALSE;
    g_object_set (mux, "streamable", TRUE, NULL);
    g_object_set (sink, "location", out, NULL);
  } else if (is_uri_of (out, "srt://")) {
    if (!(mux = make (st, "mpegtsmux", error)) || !(sink = make (st,
                "srtsink", error)))
      return FALSE;
    g_object_set (sink, "uri", out, NULL);
  } else if (out_path) {
    const gchar *muxer = g_str_has_suffix (out_path, ".flv") ? "flvmux"
        : g_str_has_suffix (out_path, ".mp4")
        || g_str_has_suffix (out_path, ".mov") ? "mp4mux" : "mpegtsmux";
    if (!(mux = make (st, muxer, error)) || !(sink = make (st, "filesink",
                error)))
      return FALSE;
    g_object_set (sink, "location", out_path, "sync", FALSE, NULL);
  } else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "output %s: give a file path (.ts, .flv, .mp4), rtmp:// or srt://",
        out);
    return FALSE;
  }
  st->mux = mux;
  if (!gst_element_link (mux, sink)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "could not link the muxer of %s", out);
    return FALSE;
  }
  return TRUE;
}

/* ---- status -------------------------------------------------------------- */

static void
add_number_or_null (JsonBuilder *b, const gchar *name, gdouble v)
{
  json_builder_set_member_name (b, name);
  if (isnan (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, round (v * 10.0) / 10.0);
}

static gchar *
status_json (Ingest *ig)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *stamp = g_date_time_format_iso8601 (now);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, STATUS_SCHEMA);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, getpid ());
  json_builder_set_member_name (b, "updated");
  json_builder_add_string_value (b, stamp);
  json_builder_set_member_name (b, "uptime_s");
  json_builder_add_double_value (b,
      round ((g_get_monotonic_time () - ig->started_us) / 1e5) / 10.0);
  json_builder_set_member_name (b, "draining");
  json_builder_add_boolean_value (b, ig->draining);
  json_builder_set_member_name (b, "ocr");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pool_threads");
  json_builder_add_int_value (b, ig->threads);
  json_builder_set_member_name (b, "engine");
  if (ig->engine_used)
    json_builder_add_string_value (b, ig->engine_used);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "watching");
  json_builder_begin_array (b);
  for (guint i = 0; i < ig->watches->len; i++) {
    Watch *w = g_ptr_array_index (ig->watches, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "directory");
    json_builder_add_string_value (b, w->dir);
    json_builder_set_member_name (b, "output");
    json_builder_add_string_value (b, w->outdir);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < ig->streams->len; i++) {
    Stream *st = g_ptr_array_index (ig->streams, i);
    guint64 keyframes, analysed, dropped, waiting;
    gdouble p50, p95, max, read_ms = NAN;
    g_autoptr (GstElement) ocr = NULL;
    GHashTableIter it;
    gpointer key, value;

    g_mutex_lock (&st->lock);
    keyframes = st->keyframes;
    analysed = st->analysed;
    dropped = st->dropped;
    waiting = st->arrivals.length;
    p50 = quantile (st->latency_ms, 0.5);
    p95 = quantile (st->latency_ms, 0.95);
    max = quantile (st->latency_ms, 1.0);
    ocr = st->ocr ? gst_object_ref (st->ocr) : NULL;
    g_mutex_unlock (&st->lock);
    if (ocr && analysed > 0)
      g_object_get (ocr, "mean-ms-per-read", &read_ms, NULL);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, st->name);
    json_builder_set_member_name (b, "input");
    json_builder_add_string_value (b, st->input);
    json_builder_set_member_name (b, "output");
    json_builder_add_string_value (b, st->output);
    json_builder_set_member_name (b, "state");
    json_builder_add_string_value (b, state_names[st->state]);
    json_builder_set_member_name (b, "error");
    if (st->error)
      json_builder_add_string_value (b, st->error);
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "keyframes");
    json_builder_add_int_value (b, keyframes);
    json_builder_set_member_name (b, "samples_taken");
    /* Every sample taken is analysed, dropped or still waiting. */
    json_builder_add_int_value (b, analysed + dropped + waiting);
    json_builder_set_member_name (b, "samples_analysed");
    json_builder_add_int_value (b, analysed);
    json_builder_set_member_name (b, "samples_dropped");
    json_builder_add_int_value (b, dropped);
    json_builder_set_member_name (b, "samples_waiting");
    json_builder_add_int_value (b, waiting);
    json_builder_set_member_name (b, "latency_ms");
    json_builder_begin_object (b);
    add_number_or_null (b, "median", p50);
    add_number_or_null (b, "p95", p95);
    add_number_or_null (b, "max", max);
    json_builder_end_object (b);
    /* What one sample costs the pool: finding and reading its text. */
    add_number_or_null (b, "read_ms_mean", read_ms);
    json_builder_set_member_name (b, "violations_open");
    json_builder_begin_array (b);
    g_hash_table_iter_init (&it, st->open);
    while (g_hash_table_iter_next (&it, &key, &value))
      json_builder_add_string_value (b, value);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "violations_total");
    json_builder_add_int_value (b, st->violations_total);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* Replaces the status file whole (a reader never sees half of it). */
static void
write_status (Ingest *ig)
{
  g_autofree gchar *json = NULL;
  g_autoptr (GError) err = NULL;
  static gboolean warned;

  if (ig->status_path == NULL)
    return;
  json = status_json (ig);
  if (!g_file_set_contents (ig->status_path, json, -1, &err) && !warned) {
    fprintf (stderr, "gst-compliance-ingest: cannot write the status file: %s\n",
        err->message);
    warned = TRUE;
  }
}

static gboolean
status_tick (gpointer user_data)
{
  write_status (user_data);
  return G_SOURCE_CONTINUE;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
maybe_quit (Ingest *ig)
{
  /* A watched directory keeps the process up until SIGTERM. */
  if (ig->watches->len > 0 && !ig->draining)
    return;
  for (guint i = 0; i < ig->streams->len; i++) {
    Stream *st = g_ptr_array_index (ig->streams, i);
    if (st->state == STREAM_STARTING || st->state == STREAM_RUNNING)
      return;
  }
  g_main_loop_quit (ig->loop);
}

static void
stream_finish (Stream *st, StreamState state, const gchar *error)
{
  if (st->state == STREAM_ENDED || st->state == STREAM_FAILED)
    return;
  st->state = state;
  if (error) {
    g_free (st->error);
    st->error = g_strdup (error);
  }
  /* Writes the file outputs' trailers and closes them. */
  gst_element_set_state (st->pipeline, GST_STATE_NULL);
  if (state == STREAM_FAILED) {
    /* An empty output file of a stream that failed before writing
     * anything is ours (it did not exist at start): not left behind to
     * block a retry. */
    g_autofree gchar *out_path = file_path_of (st->output);
    GStatBuf sb;
    if (out_path && g_stat (out_path, &sb) == 0 && S_ISREG (sb.st_mode)
        && sb.st_size == 0)
      g_unlink (out_path);
  }
  fprintf (stderr, "gst-compliance-ingest: %s %s%s%s\n", st->name,
      state == STREAM_ENDED ? "ended" : "failed", error ? ": " : "",
      error ? error : "");
  maybe_quit (st->ig);
}

static void
on_violation (Stream *st, GstMessage *msg)
{
  GstComplianceViolation v = { 0, };
  GstComplianceViolationEvent event;

  if (!gst_compliance_violation_message_parse (msg, &event, &v, NULL))
    return;
  if (event == GST_COMPLIANCE_VIOLATION_START) {
    st->violations_total++;
    g_hash_table_replace (st->open, g_memdup2 (&v.id, sizeof v.id),
        g_strdup (v.rule));
    printf ("%s: %s %s at %.1f s%s%s%s%s%s%s\n", st->name, v.rule,
        v.severity ? v.severity : "", v.t_start, v.sku ? " sku " : "",
        v.sku ? v.sku : "", v.observed ? " observed " : "",
        v.observed ? v.observed : "", v.declared ? " declared " : "",
        v.declared ? v.declared : "");
    fflush (stdout);
  } else {
    g_hash_table_remove (st->open, &v.id);
  }
  gst_compliance_violation_clear (&v);
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  Stream *st = user_data;
  Ingest *ig = st->ig;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;
      g_autofree gchar *what = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      what = g_strdup_printf ("%s: %s", GST_OBJECT_NAME (msg->src),
          err->message);
      stream_finish (st, STREAM_FAILED, what);
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) err = NULL;
      gst_message_parse_warning (msg, &err, NULL);
      fprintf (stderr, "gst-compliance-ingest: %s: warning from %s: %s\n",
          st->name, GST_OBJECT_NAME (msg->src), err->message);
      break;
    }
    case GST_MESSAGE_INFO:{
      g_autoptr (GError) err = NULL;
      gst_message_parse_info (msg, &err, NULL);
      if (ig->engine_used == NULL
          && g_str_has_prefix (err->message, "OCR engine: ")) {
        ig->engine_used = g_strdup (err->message + strlen ("OCR engine: "));
        fprintf (stderr, "gst-compliance-ingest: %s\n", err->message);
      }
      break;
    }
    case GST_MESSAGE_EOS:{
      gboolean linked;
      g_mutex_lock (&st->lock);
      linked = st->video_linked;
      g_mutex_unlock (&st->lock);
      if (linked) {
        stream_finish (st, STREAM_ENDED, NULL);
      } else {
        /* parsebin does not always say no-more-pads (an audio-only TS). */
        g_autofree gchar *m = g_strdup_printf ("%s: no video stream "
            "(nothing to check)", st->input);
        stream_finish (st, STREAM_FAILED, m);
      }
      break;
    }
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (st->pipeline)
          && st->state == STREAM_STARTING) {
        GstState new_state;
        gst_message_parse_state_changed (msg, NULL, &new_state, NULL);
        if (new_state == GST_STATE_PLAYING)
          st->state = STREAM_RUNNING;
      }
      break;
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (msg, GST_COMPLIANCE_VIOLATION_MESSAGE))
        on_violation (st, msg);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
drain_timeout (gpointer user_data)
{
  Ingest *ig = user_data;

  ig->drain_timeout = 0;
  for (guint i = 0; i < ig->streams->len; i++) {
    Stream *st = g_ptr_array_index (ig->streams, i);
    stream_finish (st, STREAM_FAILED, "did not drain within "
        G_STRINGIFY (DRAIN_TIMEOUT_S) " s of SIGTERM; stopped");
  }
  return G_SOURCE_REMOVE;
}

/* SIGTERM, SIGINT: every stream gets an EOS, so that its outputs are
 * finished (muxer trailers, the last verdicts); a second signal, or
 * DRAIN_TIMEOUT_S, stops what is left. */
static gboolean
on_signal (gpointer user_data)
{
  Ingest *ig = user_data;

  if (ig->draining) {
    fprintf (stderr, "gst-compliance-ingest: stopping now\n");
    if (ig->drain_timeout)
      g_source_remove (ig->drain_timeout);
    drain_timeout (ig);
    return G_SOURCE_CONTINUE;
  }
  ig->draining = TRUE;
  fprintf (stderr, "gst-compliance-ingest: draining %u stream(s)\n",
      ig->streams->len);
  for (guint i = 0; i < ig->watches->len; i++) {
    Watch *w = g_ptr_array_index (ig->watches, i);
    g_file_monitor_cancel (w->monitor);
  }
  for (guint i = 0; i < ig->streams->len; i++) {
    Stream *st = g_ptr_array_index (ig->streams, i);
    g_autoptr (GPtrArray) entries = NULL;

    if (st->state != STREAM_STARTING && st->state != STREAM_RUNNING)
      continue;
    /* The EOS goes in where each elementary stream enters our part of the
     * pipeline: a source read in pull mode (a demuxer driving filesrc)
     * ignores one sent to it.  A serialized event waits for the pad's
     * stream lock, so it lands between two buffers. */
    entries = g_ptr_array_new_with_free_func (gst_object_unref);
    g_mutex_lock (&st->lock);
    for (guint j = 0; j < st->entries->len; j++)
      g_ptr_array_add (entries,
          gst_object_ref (g_ptr_array_index (st->entries, j)));
    g_mutex_unlock (&st->lock);
    if (entries->len == 0) {
      /* Nothing came in yet (a server still connecting). */
      stream_finish (st, STREAM_ENDED, NULL);
      continue;
    }
    for (guint j = 0; j < entries->len; j++)
      gst_pad_send_event (g_ptr_array_index (entries, j),
          gst_event_new_eos ());
  }
  ig->drain_timeout = g_timeout_add_seconds (DRAIN_TIMEOUT_S, drain_timeout,
      ig);
  maybe_quit (ig);
  return G_SOURCE_CONTINUE;
}

static void
stream_free (Stream *st)
{
  if (st->bus_watch)
    g_source_remove (st->bus_watch);
  if (st->pipeline) {
    gst_element_set_state (st->pipeline, GST_STATE_NULL);
    gst_object_unref (st->pipeline);
  }
  g_queue_clear_full (&st->arrivals, g_free);
  g_ptr_array_unref (st->entries);
  g_clear_object (&st->ocr);
  g_array_unref (st->latency_ms);
  g_hash_table_unref (st->open);
  g_mutex_clear (&st->lock);
  g_free (st->input);
  g_free (st->output);
  g_free (st->name);
  g_free (st->error);
  g_free (st);
}

/* "NN-NAME", safe as a directory name: NAME is the input's file name
 * without extension, or for a URI the last part of its path (the stream
 * key of rtmp://host/app/KEY), else its scheme and port (srt://:7001 ->
 * srt-7001). */
static gchar *
stream_name (guint index, const gchar *input)
{
  g_autofree gchar *base = NULL;
  const gchar *scheme_end = strstr (input, "://");
  gchar *cut;

  if (scheme_end && !g_str_has_prefix (input, "file://")) {
    g_autofree gchar *scheme = g_strndup (input, scheme_end - input);
    g_autofree gchar *rest = g_strdup (scheme_end + 3);
    gchar *slash;

    if ((cut = strchr (rest, '?')))
      *cut = '\0';
    slash = strrchr (rest, '/');
    if (slash && slash[1])
      base = g_strdup (slash + 1);
    else {
      gchar *colon = strrchr (rest, ':');
      base = g_strdup_printf ("%s-%s", scheme, colon ? colon + 1 : rest);
    }
  } else {
    const gchar *slash = strrchr (input, '/');
    base = g_strdup (slash && slash[1] ? slash + 1 : input);
    cut = strrchr (base, '.');
    if (cut && cut != base)
      *cut = '\0';
  }
  g_strcanon (base, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_", '_');
  return g_strdup_printf ("%02u-%s", index, base);
}

static Stream *
stream_new (Ingest *ig, const gchar *input, const gchar *output)
{
  Stream *st = g_new0 (Stream, 1);

  st->ig = ig;
  st->index = ig->streams->len;
  st->input = g_strdup (input);
  st->output = g_strdup (output);
  st->name = stream_name (st->index, st->input);
  st->live = is_network (st->input) || ig->realtime;
  st->state = STREAM_STARTING;
  st->last_taken = GST_CLOCK_TIME_NONE;
  st->open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  st->latency_ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  st->entries = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_init (&st->lock);
  g_queue_init (&st->arrivals);
  g_ptr_array_add (ig->streams, st);
  return st;
}

/* Builds @st and sets it playing; a failure is the stream's alone. */
static void
stream_start (Stream *st)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GstBus) bus = NULL;

  if (st->pipeline == NULL && !build_stream (st, &err)) {
    if (st->pipeline == NULL)
      st->pipeline = gst_pipeline_new (st->name);
    stream_finish (st, STREAM_FAILED, err->message);
    return;
  }
  if (st->bus_watch == 0) {
    bus = gst_pipeline_get_bus (GST_PIPELINE (st->pipeline));
    st->bus_watch = gst_bus_add_watch (bus, on_bus, st);
  }
  if (gst_element_set_state (st->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    /* The error message on the bus says why; the others go on. */
    GstMessage *m = gst_bus_pop_filtered (GST_ELEMENT_BUS (st->pipeline),
        GST_MESSAGE_ERROR);
    if (m) {
      on_bus (NULL, m, st);
      gst_message_unref (m);
    } else {
      stream_finish (st, STREAM_FAILED, "could not start");
    }
  }
}

/* A file that arrived in a watched directory: checked into OUTDIR/NAME.ts
 * unless that exists (never overwritten: said, and the file left alone). */
static void
watch_take (Watch *w, const gchar *path)
{
  g_autofree gchar *base = g_path_get_basename (path);
  g_autofree gchar *stem = NULL, *out = NULL;
  gchar *dot;
  Stream *st;

  /* Hidden files and files still being written under a temporary name. */
  if (base[0] == '.' || g_str_has_suffix (base, ".part")
      || g_str_has_suffix (base, ".tmp") || g_str_has_suffix (base, "~")
      || !g_file_test (path, G_FILE_TEST_IS_REGULAR)
      || g_hash_table_contains (w->seen, path) || w->ig->draining)
    return;
  g_hash_table_add (w->seen, g_strdup (path));
  stem = g_strdup (base);
  dot = strrchr (stem, '.');
  if (dot && dot != stem)
    *dot = '\0';
  out = g_strdup_printf ("%s/%s.ts", w->outdir, stem);
  if (g_file_test (out, G_FILE_TEST_EXISTS)) {
    fprintf (stderr, "gst-compliance-ingest: %s skipped: %s exists (checked "
        "before?); it is never overwritten\n", path, out);
    return;
  }
  st = stream_new (w->ig, path, out);
  fprintf (stderr, "gst-compliance-ingest: %s: checking %s into %s\n",
      st->name, path, out);
  stream_start (st);
}

static void
watch_changed (GFileMonitor *monitor, GFile *file, GFile *other,
    GFileMonitorEvent event, gpointer user_data)
{
  Watch *w = user_data;
  GFile *arrived = NULL;

  switch (event) {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:   /* written and closed */
    case G_FILE_MONITOR_EVENT_MOVED_IN:    /* moved in whole */
      arrived = file;
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:     /* renamed from a temporary name */
      arrived = other;
      break;
    default:
      break;
  }
  if (arrived) {
    g_autofree gchar *path = g_file_get_path (arrived);
    if (path)
      watch_take (w, path);
  }
}

static void
watch_free (Watch *w)
{
  if (w->monitor) {
    g_file_monitor_cancel (w->monitor);
    g_object_unref (w->monitor);
  }
  g_hash_table_unref (w->seen);
  g_free (w->dir);
  g_free (w->outdir);
  g_free (w);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Starts watching @dir; the files already in it are taken too. */
static gboolean
watch_start (Watch *w, GError **error)
{
  g_autoptr (GFile) dir = g_file_new_for_path (w->dir);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  w->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES,
      NULL, error);
  if (w->monitor == NULL)
    return FALSE;
  g_signal_connect (w->monitor, "changed", G_CALLBACK (watch_changed), w);
  if ((d = g_dir_open (w->dir, 0, error)) == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_build_filename (w->dir, name, NULL));
  /* In name order, so that a restart takes them in the same order. */
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    watch_take (w, g_ptr_array_index (names, i));
  return TRUE;
}

/* ---- options ------------------------------------------------------------- */

static int
check_status_path (const gchar *path)
{
  g_autofree gchar *contents = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return -1;
  /* Ours from an earlier run is replaced; anything else is the user's. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
      || !g_file_get_contents (path, &contents, NULL, NULL)
      || strstr (contents, "\"" STATUS_SCHEMA "\"") == NULL)
    return fail ("--status %s exists and is not a status file of "
        "gst-compliance-ingest: it is never overwritten; remove it or give "
        "another path", path);
  return -1;
}

static int
add_streams (Ingest *ig, gchar **pairs)
{
  g_autoptr (GHashTable) outputs = g_hash_table_new (g_str_hash,
      g_str_equal);

  for (guint i = 0; pairs[i]; i++) {
    const gchar *eq = NULL, *sep = NULL;
    Stream *st;
    g_autofree gchar *in_path = NULL, *out_path = NULL;

    /* The first '=' that is not a key=value of the input URI's query
     * (srt://:7001?mode=listener=out.ts splits before out.ts). */
    for (const gchar *p = pairs[i]; *p && eq == NULL; p++) {
      if (*p == '?' || (*p == '&' && sep))
        sep = p;
      else if (*p == '=' && (sep == NULL
              || memchr (sep + 1, '=', p - sep - 1) != NULL))
        eq = p;
    }
    if (eq == NULL || eq == pairs[i] || eq[1] == '\0')
      return fail ("%s: give INPUT=OUTPUT (a path or URI on each side)",
          pairs[i]);
    {
      g_autofree gchar *input = g_strndup (pairs[i], eq - pairs[i]);
      g_autofree gchar *dir = file_path_of (input);

      if (dir && g_file_test (dir, G_FILE_TEST_IS_DIR)) {
        Watch *w;
        g_autofree gchar *outdir = file_path_of (eq + 1);

        if (outdir == NULL)
          return fail ("%s: a watched directory's OUTPUT is a directory "
              "(its files are written there as NAME.ts)", pairs[i]);
        if (g_mkdir_with_parents (outdir, 0755) != 0
            || !g_file_test (outdir, G_FILE_TEST_IS_DIR))
          return fail ("output directory %s: %s", outdir,
              g_file_test (outdir, G_FILE_TEST_EXISTS) ? "not a directory"
              : g_strerror (errno));
        w = g_new0 (Watch, 1);
        w->ig = ig;
        w->dir = g_steal_pointer (&dir);
        w->outdir = g_steal_pointer (&outdir);
        w->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
            NULL);
        g_ptr_array_add (ig->watches, w);
        continue;
      }
    }
    {
      g_autofree gchar *input = g_strndup (pairs[i], eq - pairs[i]);
      st = stream_new (ig, input, eq + 1);
    }

    in_path = file_path_of (st->input);
    out_path = file_path_of (st->output);
    if (in_path && !g_file_test (in_path, G_FILE_TEST_IS_REGULAR)
        && !g_file_test (in_path, G_FILE_TEST_EXISTS))
      return fail ("input %s: no such file", st->input);
    if (out_path && g_file_test (out_path, G_FILE_TEST_EXISTS))
      return fail ("output %s exists: gst-compliance-ingest never "
          "overwrites a file; remove it or give another name", st->output);
    if (g_hash_table_contains (outputs, st->output))
      return fail ("output %s is given twice", st->output);
    g_hash_table_add (outputs, st->output);
  }
  return -1;
}

static int
parse_options (Ingest *ig, int argc, char **argv)
{
  g_autoptr (GError) err = NULL;
  g_auto (GStrv) rest = NULL;
  int status;

  GOptionEntry entries[] = {
    {"catalog", 'c', 0, G_OPTION_ARG_FILENAME, &ig->catalog_path,
        "The seller's catalog (required)", "CATALOG.json"},
    {"rules", 'r', 0, G_OPTION_ARG_STRING, &ig->rules,
        "Rule pack: cn, eu, us or a pack file (default: the catalog's "
          "jurisdiction)", "cn|eu|us|FILE"},
    {"evidence", 'e', 0, G_OPTION_ARG_FILENAME, &ig->evidence_dir,
        "Write each stream's evidence log and images into DIR/NN-NAME",
        "DIR"},
    {"status", 's', 0, G_OPTION_ARG_FILENAME, &ig->status_path,
        "Keep a JSON status here, replaced every second: per stream its "
          "state, samples analysed and dropped, sample latency, open "
          "violations", "FILE"},
    {"realtime", 0, 0, G_OPTION_ARG_NONE, &ig->realtime,
        "Pace file inputs at their frame rate, as if live (samples may then "
          "be dropped, as on live inputs)", NULL},
    {"interval", 'i', 0, G_OPTION_ARG_INT, &ig->interval_ms,
        "Each stream's sampling budget: analyse at most one keyframe every "
          "MS milliseconds (default 2000; 0: every keyframe)", "MS"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &ig->threads,
        "OCR workers shared by all streams, one engine each (default: the "
          "number of processors)", "N"},
    {"engine", 0, 0, G_OPTION_ARG_STRING, &ig->engine,
        "What reads the text: ppocr, tesseract or auto (default auto)",
        "auto|ppocr|tesseract"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("INPUT=OUTPUT...");
  g_option_context_set_summary (ctx, "Checks many live streams in one "
      "process and re-emits each with its verdicts as SEI, without "
      "re-encoding.  INPUT: a file path, file://, rtmp:// or srt:// URI; "
      "OUTPUT: a file path (.ts, .flv, .mp4; never overwritten), rtmp:// or "
      "srt://.  DIR=OUTDIR watches DIR: each file in it, and each that "
      "arrives (closed after writing, or moved or renamed in), is checked "
      "into OUTDIR/NAME.ts, until SIGTERM.  Only keyframes are decoded and analysed; one OCR pool "
      "serves every stream in turn.  SIGTERM or SIGINT drains every stream "
      "and closes its output.\n\nExit status when every input has ended: "
      "0 no violation, 1 violations, 2 an error (a stream failed), 3 a "
      "stream ended with nothing analysed.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    return fail ("%s (see --help)", err->message);
  if (ig->catalog_path == NULL)
    return fail ("--catalog CATALOG.json is required");
  if (rest == NULL || rest[0] == NULL)
    return fail ("give at least one INPUT=OUTPUT; see --help");
  if (ig->interval_ms < 0)
    return fail ("--interval %d: give 0 or more milliseconds",
        ig->interval_ms);
  if (ig->threads < 0 || ig->threads > MAX_THREADS)
    return fail ("--threads %d: give 1 to %d", ig->threads, MAX_THREADS);
  if (ig->threads == 0)
    ig->threads = CLAMP (g_get_num_processors (), 1, MAX_THREADS);
  if (ig->engine == NULL)
    ig->engine = g_strdup ("auto");
  if (!g_str_equal (ig->engine, "auto") && !g_str_equal (ig->engine, "ppocr")
      && !g_str_equal (ig->engine, "tesseract"))
    return fail ("--engine %s: give auto, ppocr or tesseract", ig->engine);
  ig->catalog = gc_catalog_load_file (ig->catalog_path, &err);
  if (ig->catalog == NULL)
    return fail ("--catalog %s: %s", ig->catalog_path, err->message);
  ig->languages = gc_catalog_reading_languages (ig->catalog);
  if (ig->status_path && (status = check_status_path (ig->status_path)) >= 0)
    return status;
  if (ig->evidence_dir && g_mkdir_with_parents (ig->evidence_dir, 0755) != 0)
    return fail ("--evidence %s: %s", ig->evidence_dir, g_strerror (errno));
  return add_streams (ig, rest);
}

static void
ingest_clear (Ingest *ig)
{
  g_clear_pointer (&ig->watches, g_ptr_array_unref);
  g_clear_pointer (&ig->streams, g_ptr_array_unref);
  g_clear_pointer (&ig->loop, g_main_loop_unref);
  g_clear_pointer (&ig->catalog, gc_catalog_unref);
  g_clear_pointer (&ig->catalog_path, g_free);
  g_clear_pointer (&ig->rules, g_free);
  g_clear_pointer (&ig->evidence_dir, g_free);
  g_clear_pointer (&ig->status_path, g_free);
  g_clear_pointer (&ig->engine, g_free);
  g_clear_pointer (&ig->engine_used, g_free);
}

int
main (int argc, char **argv)
{
  Ingest ig = { 0, };
  int status;
  gboolean violations = FALSE, failed = FALSE, unchecked = FALSE;

  g_set_prgname ("gst-compliance-ingest");
  gc_tool_init_env ();
  ig.interval_ms = DEFAULT_INTERVAL_MS;
  ig.streams = g_ptr_array_new_with_free_func ((GDestroyNotify) stream_free);
  ig.watches = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_free);
  ig.started_us = g_get_monotonic_time ();
  status = parse_options (&ig, argc, argv);
  if (status < 0)
    gc_tool_use_build_plugins ((gconstpointer) parse_options);

  for (guint i = 0; status < 0 && i < ig.streams->len; i++) {
    Stream *st = g_ptr_array_index (ig.streams, i);
    g_autoptr (GError) err = NULL;
    g_autoptr (GstBus) bus = NULL;

    if (!build_stream (st, &err)) {
      status = fail ("%s: %s", st->name, err->message);
      break;
    }
    bus = gst_pipeline_get_bus (GST_PIPELINE (st->pipeline));
    st->bus_watch = gst_bus_add_watch (bus, on_bus, st);
  }
  if (status >= 0) {
    ingest_clear (&ig);
    return status;
  }

  ig.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, &ig);
  g_unix_signal_add (SIGINT, on_signal, &ig);
  if (ig.status_path)
    g_timeout_add (STATUS_PERIOD_MS, status_tick, &ig);
  for (guint i = 0; i < ig.streams->len; i++)
    stream_start (g_ptr_array_index (ig.streams, i));
  for (guint i = 0; i < ig.watches->len; i++) {
    Watch *w = g_ptr_array_index (ig.watches, i);
    g_autoptr (GError) err = NULL;
    if (!watch_start (w, &err)) {
      fprintf (stderr, "gst-compliance-ingest: cannot watch %s: %s\n",
          w->dir, err->message);
      failed = TRUE;
    }
  }
  write_status (&ig);
  {
    gboolean running = ig.watches->len > 0 && !failed;
    for (guint i = 0; i < ig.streams->len; i++) {
      Stream *st = g_ptr_array_index (ig.streams, i);
      running |= st->state == STREAM_STARTING || st->state == STREAM_RUNNING;
    }
    if (running)
      g_main_loop_run (ig.loop);
  }
  write_status (&ig);

  for (guint i = 0; i < ig.streams->len; i++) {
    Stream *st = g_ptr_array_index (ig.streams, i);
    failed |= st->state == STREAM_FAILED;
    violations |= st->violations_total > 0;
    g_mutex_lock (&st->lock);
    unchecked |= st->analysed == 0;
    fprintf (stderr, "gst-compliance-ingest: %s: %" G_GUINT64_FORMAT
        " samples analysed, %" G_GUINT64_FORMAT " dropped, %"
        G_GUINT64_FORMAT " violation(s)\n", st->name, st->analysed,
        st->dropped, st->violations_total);
    g_mutex_unlock (&st->lock);
  }
  ingest_clear (&ig);
  gst_deinit ();
  return failed ? EXIT_ERROR : violations ? EXIT_VIOLATIONS
      : unchecked ? EXIT_UNCHECKED : EXIT_CLEAN;
}
