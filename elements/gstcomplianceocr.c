/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-complianceocr
 * @title: complianceocr
 *
 * Reads the text on screen — prices, crossed-out "original" prices, sales
 * claims, ad labels, captions — with the gst-compliance OCR engine and
 * attaches what it read to the buffers as a #GstComplianceTextMeta, which
 * compliancecheck turns into facts and verdicts.  Pixels are never touched:
 * one buffer leaves for every buffer that enters, with the same caps.
 *
 * #GstComplianceOcr:engine chooses the reader.  `ppocr` is PaddleOCR's
 * PP-OCRv4 text detector and recognizer run by ONNX Runtime (opened at
 * start: libonnxruntime.so.1 and the models as tools/setup installs them,
 * or where GST_COMPLIANCE_ONNXRUNTIME and GST_COMPLIANCE_PPOCR_MODELS
 * point; the *.fused.onnx copies tools/ppocr-fuse writes there are taken
 * before the published models: the same networks, run 1.5-2x faster;
 * #GstComplianceOcr:engine-used says which).  It reads livestream text
 * (noise, outlines, serif and kai faces, struck prices) far better than
 * Tesseract.  `tesseract` finds text
 * regions with classic image methods and reads them with Tesseract.
 * `auto` (default) takes ppocr when it is found and every language in
 * #GstComplianceOcr:languages is one it reads, else tesseract; either
 * way an INFO message says which reader was taken and, after a fallback,
 * what was missing (also in #GstComplianceOcr:engine-used).
 *
 * A frame is sampled every #GstComplianceOcr:interval ms of running time.
 * What happens to it depends on #GstComplianceOcr:mode:
 *
 * - `live` (default): the streaming thread never waits for OCR.  The sampled
 *   frame is copied to a free worker thread (the copy is the only work done
 *   in the streaming thread, ~0.3 ms for a 1080p I420 frame); when every
 *   worker is still busy the sample is skipped and counted in
 *   #GstComplianceOcr:frames-skipped.  Readings are attached to the next
 *   buffer that leaves after the read finished, with the pts of the frame
 *   they were read from, oldest read first, one meta per buffer.  No frame
 *   is held, so the element adds no latency (the latency query is answered
 *   by the peers as without it).  At EOS the reads still in flight are
 *   waited for (up to 3 s) and posted as messages; no buffer follows to
 *   carry them.
 * - `replay`: every sampled frame is read, in order, by one worker while the
 *   streaming thread waits, and the readings ride on that frame itself.  The
 *   same input gives the same output.  This is what gst-compliance-scan
 *   uses.  The lines of a frame that need reading are shared between
 *   #GstComplianceOcr:threads threads; the output does not depend on how
 *   many.
 *
 * Many streams in one process (gst-compliance-ingest) share one set of
 * engines with #GstComplianceOcr:pool: every complianceocr naming the same
 * pool hands its reads to that pool's worker threads (#GstComplianceOcr:threads
 * of the first element to start; the pool stops with the last).  Each
 * element has one read in the pool at a time and the pool serves them first
 * come, first served, so a stream whose text changes on every frame waits
 * its turn like the others: in live mode its samples are skipped (and
 * counted) while its read waits, in replay mode its stream waits.  The
 * change tracking stays per element.
 *
 * Each read is also posted as an element message `compliance-text`:
 * `pts` (guint64, of the frame read), `running-time` (guint64, of that
 * frame, GST_CLOCK_TIME_NONE when unknown), `width` and `height` (gint, of
 * that frame: boxes are in its pixels) and `readings`, a #GstValueArray of
 * `reading` structures, top to bottom: `text` (string, UTF-8), `x`, `y`,
 * `width`, `height` (gint), `confidence` (gdouble, 0..1), `struck`
 * (gboolean, a strike-through stroke crossed the text: the cue of a
 * crossed-out price) and `first-seen` (guint64, running time at which this
 * text was first read at this place without a break).  A read that found
 * nothing posts an empty array: text that went away is news too.
 * Applications read it with gst_compliance_text_message_parse() from
 * libgstcompliance-1.0 (`gstreamer-compliance-1.0`), which also writes it.
 *
 * Frames from 64x64 to 4096x4096 are read (landscape and portrait 4K, DCI
 * 4K); the pad templates say so, so a `videoscale` in front negotiates a
 * size in range for any other input.  A caps
 * change mid-stream (a resolution switch) is followed: the change detection
 * of the workers starts afresh, and readings of frames of the old size
 * still in flight keep that size in their meta.
 *
 * The OCR engine is loaded at run time (libgstcompliance-ocr.so, or the
 * path in GST_COMPLIANCE_OCR_LIBRARY) after OMP_THREAD_LIMIT=1 is set, as
 * Debian's Tesseract is ~10x slower with OpenMP threads; a warning is posted
 * when that could not be ensured.  With the limit at 1 the engine runs
 * Tesseract's OpenMP regions inline, without libgomp's per-region team.
 * Each worker creates its own engine when the element goes to PAUSED
 * (~100 ms and ~56 MB each for chi_sim+eng), and keeps it until it goes
 * back to READY.  A missing tessdata directory or language, a bad
 * #GstComplianceOcr:roi, threads=0 or a missing engine library fail that
 * state change with a message saying what to fix.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! complianceocr roi="0,0.6,1,0.4" !
 *     compliancecheck catalog=products.json ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 -m filesrc location=sale.mp4 ! decodebin ! videoconvert !
 *     complianceocr mode=replay interval=1000 ! fakesink
 * ]|
 *
 * Threads: properties are guarded by the object lock.  The workers'
 * hand-over (a worker's job, the queue of reads in flight, the quit flag)
 * and the statistics are guarded by the element's own mutex `lock`, with a
 * condition per worker to wake it and `done_cond` to tell that a read
 * finished; neither lock is held while copying or reading.  A worker thread
 * owns its engine, trackers and colour converter (created and freed in that
 * thread); the streaming thread owns the negotiated video info, the sampling
 * clock and the first-seen history, and writes a worker's staging buffer
 * only while that worker is idle.  start() creates the workers and waits for
 * their engines; stop() (called by the base class once streaming has
 * stopped) joins them and frees what is left.  With a pool the element has
 * one worker without a thread: its trackers and converter are used by the
 * pool thread running its read (one at a time; the hand-over is under both
 * locks, element's before pool's, and a pool thread holds neither while
 * reading); stop() takes it out of the pool's queue, waits for a read
 * running, frees them and drops its reference to the pool.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcomplianceocr.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gc-error.h"
#include "gc-ocr-loader.h"
#include "gstcomplianceocrpool.h"
#include "gstcompliancemeta.h"

GST_DEBUG_CATEGORY_STATIC (gst_compliance_ocr_debug);
#define GST_CAT_DEFAULT gst_compliance_ocr_debug

enum
{
  PROP_0,
  PROP_MODE,
  PROP_INTERVAL,
  PROP_LANGUAGES,
  PROP_TESSDATA_DIR,
  PROP_ROI,
  PROP_THREADS,
  PROP_MIN_CONFIDENCE,
  PROP_ENGINE,
  PROP_ENGINE_USED,
  PROP_POOL,
  PROP_FRAMES_SEEN,
  PROP_FRAMES_SAMPLED,
  PROP_FRAMES_SKIPPED,
  PROP_REGIONS_READ,
  PROP_MEAN_MS_PER_READ,
};

#define DEFAULT_MODE GST_COMPLIANCE_OCR_MODE_LIVE
#define DEFAULT_INTERVAL 500
#define DEFAULT_LANGUAGES GC_OCR_DEFAULT_LANGUAGES
#define DEFAULT_THREADS 2
#define DEFAULT_ENGINE GST_COMPLIANCE_OCR_ENGINE_AUTO
#define MAX_THREADS 16
#define DEFAULT_MIN_CONFIDENCE 0.0f

/* The frame sizes read, in each dimension (the pad templates'). */
#define MIN_SIZE 64
#define MAX_SIZE 4096
/* The engine's own floor: a region of interest smaller than this in the
 * frame is not read. */
#define MIN_ROI_SIZE GC_OCR_MIN_FRAME_SIZE
/* How long EOS waits for the reads in flight: one read of a busy 1080p
 * frame takes a few hundred ms; more than this and the element would hold
 * up the end of the stream for readings nobody will carry. */
#define EOS_WAIT_US (3 * G_USEC_PER_SEC)
/* Added to the nice value of the worker threads. */
#define WORKER_NICE 10

#define ROI_SYNTAX "x,y,width,height as fractions of the frame (0..1), " \
  "regions separated by ';', e.g. \"0,0.6,1,0.4;0.7,0,0.3,0.2\""

typedef struct
{
  gdouble x, y, w, h;
} Roi;

/* One read: filled by the streaming thread, read by one worker, results
 * written by that worker before it sets done (under lock). */
typedef struct
{
  gboolean done;                /* lock */
  gboolean stale;               /* lock: a flush came after it was queued */

  GstClockTime pts;
  GstClockTime running_time;
  gint width, height;
  gfloat min_confidence;
  guint reset_gen;              /* the worker resets its trackers when this changes */
  /* Replay: the streaming thread's mapped frame (it waits).  Live: NULL,
   * the worker reads its staging copy. */
  const GstVideoFrame *frame;

  /* Results, worker. */
  GArray *readings;             /* GstComplianceReading, texts owned */
  guint n_read;                 /* lines Tesseract read (not reused) */
  gint64 read_us;
  gchar *error;
} Job;

typedef struct _Worker Worker;

struct _GstComplianceOcr
{
  GstBaseTransform parent;

  /* Properties; object lock. */
  GstComplianceOcrMode mode;
  guint interval;
  gchar *languages;
  gchar *tessdata_dir;
  gchar *roi;
  guint threads;
  gfloat min_confidence;
  GstComplianceOcrEngine engine;
  gchar *engine_used;           /* what start() took; NULL before */
  gchar *pool_name;             /* NULL: the element's own workers */

  /* Hand-over with the workers and statistics; lock. */
  GMutex lock;
  GCond done_cond;
  gboolean quit;
  GQueue inflight;              /* Job, live mode, in the order queued */
  guint64 frames_seen;
  guint64 frames_sampled;
  guint64 frames_skipped;
  guint64 regions_read;
  guint64 n_reads;
  gint64 read_us_total;

  /* Set by start(), read-only for everyone until stop(). */
  const GcOcrApi *api;
  GstComplianceOcrMode run_mode;
  gchar *run_languages;
  guint run_engine_threads;     /* threads of each worker's engine */
  GstComplianceOcrEngine run_engine;
  gchar *run_tessdata_dir;
  GArray *rois;                 /* Roi; empty: the whole frame */
  Worker *workers;
  guint n_workers;
  /* A shared pool (property pool): then one Worker without a thread, whose
   * reads the pool's threads run, one at a time. */
  GcOcrPool *pool;
  gboolean omp_warned;          /* only touched in start() */

  /* Streaming thread only. */
  GstVideoInfo info;
  gboolean have_info;
  guint reset_gen;
  GstClockTime next_sample;
  guint next_worker;
  GArray *seen;                 /* Seen: what the last delivered read held */
  gboolean read_error_posted;
};

struct _Worker
{
  /* First: the pool hands it back to pool_run. */
  GcOcrPoolSlot slot;
  GstComplianceOcr *self;
  guint index;
  GThread *thread;
  GCond wake;

  /* Hand-over; self->lock. */
  Job *job;                     /* NULL: idle */
  gboolean ready;               /* the engine was created, or init_error set */
  GError *init_error;

  /* Streaming thread, only while the worker is idle. */
  GstBuffer *staging;
  GstVideoInfo staging_info;

  /* Worker thread only (with a pool: the pool thread running its read;
   * the pool runs one read of a worker at a time). */
  GcOcrEngine *engine;          /* NULL with a pool: the pool's */
  GPtrArray *trackers;          /* GcOcrTracker, one per roi */
  guint reset_gen;
  GstVideoConverter *converter;
  GstVideoInfo converter_info;
  GstBuffer *rgbx;
  GstVideoInfo rgbx_info;
};

typedef struct
{
  gchar *text;
  gint x, y, w, h;
  GstClockTime first_seen;
} Seen;

/* The formats the engine takes as they are (RGBx, RGBA, GRAY8) or that
 * GstVideoConverter turns into RGBx in the worker, and the sizes it reads
 * (MIN_SIZE..MAX_SIZE), so that videoscale can negotiate one. */
#define OCR_FORMATS "{ I420, YV12, NV12, NV21, Y42B, Y444, Y41B, YUY2, UYVY, " \
  "RGBA, BGRA, RGBx, BGRx, xRGB, ARGB, xBGR, ABGR, RGB, BGR, GRAY8 }"
#define OCR_CAPS "video/x-raw, format = (string) " OCR_FORMATS ", " \
  "width = (int) [ " G_STRINGIFY (MIN_SIZE) ", " G_STRINGIFY (MAX_SIZE) " ], " \
  "height = (int) [ " G_STRINGIFY (MIN_SIZE) ", " G_STRINGIFY (MAX_SIZE) " ], " \
  "framerate = " GST_VIDEO_FPS_RANGE

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (OCR_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (OCR_CAPS));

#define gst_compliance_ocr_parent_class parent_class
G_DEFINE_TYPE (GstComplianceOcr, gst_compliance_ocr, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (complianceocr, "complianceocr",
    GST_RANK_NONE, GST_TYPE_COMPLIANCE_OCR,
    GST_DEBUG_CATEGORY_INIT (gst_compliance_ocr_debug, "complianceocr", 0,
        "compliance OCR"));

GType
gst_compliance_ocr_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_COMPLIANCE_OCR_MODE_LIVE,
        "Live: never wait for OCR, readings ride on a later buffer", "live"},
    {GST_COMPLIANCE_OCR_MODE_REPLAY,
        "Replay: read every sampled frame, readings ride on that frame",
        "replay"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstComplianceOcrMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_compliance_ocr_engine_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_COMPLIANCE_OCR_ENGINE_AUTO,
        "PP-OCR when its runtime and models are found, else Tesseract",
        "auto"},
    {GST_COMPLIANCE_OCR_ENGINE_PPOCR,
        "PP-OCRv4 detection and recognition (ONNX Runtime)", "ppocr"},
    {GST_COMPLIANCE_OCR_ENGINE_TESSERACT,
        "Classic region finding and Tesseract", "tesseract"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstComplianceOcrEngine", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------ */
/* Regions of interest */

static gboolean
parse_fraction (const gchar * s, gdouble * out)
{
  g_autofree gchar *t = g_strstrip (g_strdup (s));
  gchar *end = NULL;

  if (*t == '\0')
    return FALSE;
  *out = g_ascii_strtod (t, &end);
  return end != NULL && *end == '\0' && isfinite (*out);
}

/* Parses the roi property: NULL or "" is the whole frame (an empty
 * array). */
static GArray *
parse_roi (const gchar * spec, GError ** error)
{
  g_autoptr (GArray) rois = g_array_new (FALSE, FALSE, sizeof (Roi));
  g_auto (GStrv) regions = NULL;

  if (spec == NULL || *spec == '\0')
    return g_steal_pointer (&rois);

  regions = g_strsplit (spec, ";", -1);
  for (guint i = 0; regions[i]; i++) {
    g_autofree gchar *region = g_strstrip (g_strdup (regions[i]));
    g_auto (GStrv) nums = NULL;
    gdouble v[4];
    Roi r;

    /* A trailing ';' is forgiven. */
    if (*region == '\0' && regions[i + 1] == NULL && i > 0)
      break;
    nums = g_strsplit (region, ",", -1);
    if (g_strv_length (nums) != 4) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
          "roi \"%s\": region %u (\"%s\") has %u numbers, expected 4: "
          ROI_SYNTAX, spec, i + 1, region, g_strv_length (nums));
      return NULL;
    }
    for (guint j = 0; j < 4; j++) {
      if (!parse_fraction (nums[j], &v[j])) {
        g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
            "roi \"%s\": region %u: \"%s\" is not a number; expected "
            ROI_SYNTAX, spec, i + 1, g_strstrip (nums[j]));
        return NULL;
      }
    }
    r = (Roi) {
    v[0], v[1], v[2], v[3]};
    /* A little slack for fractions written with few digits. */
    if (r.x < 0 || r.y < 0 || r.w <= 0 || r.h <= 0 || r.x + r.w > 1.0 + 1e-6
        || r.y + r.h > 1.0 + 1e-6) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
          "roi \"%s\": region %u (\"%s\") does not lie inside the frame: "
          "x and y must be >= 0, width and height > 0, x+width and "
          "y+height <= 1; expected " ROI_SYNTAX, spec, i + 1, region);
      return NULL;
    }
    g_array_append_val (rois, r);
  }
  return g_steal_pointer (&rois);
}

/* ------------------------------------------------------------------ */
/* Jobs */

static void
clear_reading (GstComplianceReading * r)
{
  g_free (r->text);
}

static Job *
job_new (void)
{
  Job *job = g_new0 (Job, 1);

  job->readings = g_array_new (FALSE, TRUE, sizeof (GstComplianceReading));
  g_array_set_clear_func (job->readings, (GDestroyNotify) clear_reading);
  return job;
}

static void
job_free (Job * job)
{
  g_array_unref (job->readings);
  g_free (job->error);
  g_free (job);
}

static gint
compare_readings (gconstpointer a, gconstpointer b)
{
  const GstComplianceReading *ra = a, *rb = b;

  if (ra->y != rb->y)
    return ra->y < rb->y ? -1 : 1;
  return ra->x < rb->x ? -1 : ra->x > rb->x;
}

/* ------------------------------------------------------------------ */
/* Workers */

/* The frame as the engine takes it: RGBx and RGBA as they are, GRAY8 as it
 * is, anything else converted to RGBx here, in the worker, so the
 * streaming thread only ever copies. */
static gboolean
worker_engine_frame (Worker * w, const GstVideoFrame * src,
    GstVideoFrame * converted, gboolean * mapped, GcOcrFrame * out)
{
  GstVideoFormat fmt = GST_VIDEO_FRAME_FORMAT (src);

  *mapped = FALSE;
  out->width = GST_VIDEO_FRAME_WIDTH (src);
  out->height = GST_VIDEO_FRAME_HEIGHT (src);
  if (fmt == GST_VIDEO_FORMAT_GRAY8 || fmt == GST_VIDEO_FORMAT_RGBx
      || fmt == GST_VIDEO_FORMAT_RGBA) {
    out->data = GST_VIDEO_FRAME_PLANE_DATA (src, 0);
    out->stride = GST_VIDEO_FRAME_PLANE_STRIDE (src, 0);
    out->format = fmt == GST_VIDEO_FORMAT_GRAY8 ? GC_OCR_FORMAT_GRAY8 :
        GC_OCR_FORMAT_RGBX;
    return TRUE;
  }

  if (w->converter == NULL || !gst_video_info_is_equal (&w->converter_info,
          &src->info)) {
    g_clear_pointer (&w->converter, gst_video_converter_free);
    gst_clear_buffer (&w->rgbx);
    w->converter_info = src->info;
    gst_video_info_set_format (&w->rgbx_info, GST_VIDEO_FORMAT_RGBx,
        out->width, out->height);
    /* The converter insists on equal frame rates, though it does not use
     * them. */
    GST_VIDEO_INFO_FPS_N (&w->rgbx_info) = GST_VIDEO_INFO_FPS_N (&src->info);
    GST_VIDEO_INFO_FPS_D (&w->rgbx_info) = GST_VIDEO_INFO_FPS_D (&src->info);
    /* One thread: the other cores belong to the other workers and the
     * pipeline. */
    w->converter = gst_video_converter_new (&w->converter_info, &w->rgbx_info,
        gst_structure_new ("GstVideoConverter",
            GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1,
            GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
            GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL));
    if (w->converter == NULL)
      return FALSE;
    w->rgbx = gst_buffer_new_allocate (NULL, w->rgbx_info.size, NULL);
  }
  if (!gst_video_frame_map (converted, &w->rgbx_info, w->rgbx, GST_MAP_WRITE))
    return FALSE;
  *mapped = TRUE;
  gst_video_converter_frame (w->converter, src, converted);
  out->data = GST_VIDEO_FRAME_PLANE_DATA (converted, 0);
  out->stride = GST_VIDEO_FRAME_PLANE_STRIDE (converted, 0);
  out->format = GC_OCR_FORMAT_RGBX;
  return TRUE;
}

static void
worker_read (Worker * w, GcOcrEngine * engine, Job * job)
{
  GstComplianceOcr *self = w->self;
  const GcOcrApi *api = self->api;
  GstVideoFrame staged, converted;
  const GstVideoFrame *src = job->frame;
  gboolean staged_mapped = FALSE, converted_mapped = FALSE;
  GcOcrFrame frame;
  guint n_rois = MAX (self->rois->len, 1);
  gint64 t0;

  if (src == NULL) {
    if (!gst_video_frame_map (&staged, &w->staging_info, w->staging,
            GST_MAP_READ)) {
      job->error = g_strdup ("cannot map the copied frame");
      return;
    }
    staged_mapped = TRUE;
    src = &staged;
  }

  if (!worker_engine_frame (w, src, &converted, &converted_mapped, &frame)) {
    job->error = g_strdup_printf ("cannot convert %s frames for OCR",
        gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (src)));
    goto done;
  }

  /* After a flush or a caps change what the trackers remember is of
   * another scene or another size. */
  if (job->reset_gen != w->reset_gen) {
    for (guint i = 0; i < w->trackers->len; i++)
      api->tracker_reset (g_ptr_array_index (w->trackers, i));
    w->reset_gen = job->reset_gen;
  }

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n_rois; i++) {
    GcOcrFrame sub = frame;
    gint x0 = 0, y0 = 0;
    g_autoptr (GError) err = NULL;
    g_autoptr (GPtrArray) lines = NULL;

    if (self->rois->len > 0) {
      const Roi *r = &g_array_index (self->rois, Roi, i);
      gint x1, y1;

      x0 = CLAMP ((gint) lround (r->x * frame.width), 0, frame.width);
      y0 = CLAMP ((gint) lround (r->y * frame.height), 0, frame.height);
      x1 = CLAMP ((gint) lround ((r->x + r->w) * frame.width), 0,
          frame.width);
      y1 = CLAMP ((gint) lround ((r->y + r->h) * frame.height), 0,
          frame.height);
      if (x1 - x0 < MIN_ROI_SIZE || y1 - y0 < MIN_ROI_SIZE)
        continue;
      sub.data = frame.data + (gsize) y0 * frame.stride
          + (gsize) x0 * (frame.format == GC_OCR_FORMAT_RGBX ? 4 : 1);
      sub.width = x1 - x0;
      sub.height = y1 - y0;
    }

    lines = api->read_frame (engine, &sub, g_ptr_array_index (w->trackers,
            i), &err);
    if (lines == NULL) {
      job->error = g_strdup (err ? err->message : "OCR failed");
      break;
    }
    for (guint j = 0; j < lines->len; j++) {
      const GcOcrLine *l = g_ptr_array_index (lines, j);
      GstComplianceReading r = { 0, };

      if (!l->reused)
        job->n_read++;
      if (l->text == NULL || *l->text == '\0'
          || l->confidence < job->min_confidence)
        continue;
      r.text = g_strdup (l->text);
      r.x = l->box.x + x0;
      r.y = l->box.y + y0;
      r.width = l->box.width;
      r.height = l->box.height;
      r.confidence = l->confidence;
      r.struck = l->struck;
      r.first_seen = GST_CLOCK_TIME_NONE;
      g_array_append_val (job->readings, r);
    }
  }
  job->read_us = g_get_monotonic_time () - t0;
  g_array_sort (job->readings, compare_readings);

done:
  if (converted_mapped)
    gst_video_frame_unmap (&converted);
  if (staged_mapped)
    gst_video_frame_unmap (&staged);
}

static GcOcrEngineKind
engine_kind (GstComplianceOcrEngine engine)
{
  switch (engine) {
    case GST_COMPLIANCE_OCR_ENGINE_PPOCR:
      return GC_OCR_ENGINE_PPOCR;
    case GST_COMPLIANCE_OCR_ENGINE_TESSERACT:
      return GC_OCR_ENGINE_TESSERACT;
    default:
      return GC_OCR_ENGINE_AUTO;
  }
}

/* The read of @job by @w ended: hands it back. */
static void
job_finished_locked (GstComplianceOcr * self, Worker * w, Job * job)
{
  job->done = TRUE;
  w->job = NULL;
  if (job->error == NULL) {
    self->n_reads++;
    self->regions_read += job->n_read;
    self->read_us_total += job->read_us;
  }
  g_cond_broadcast (&self->done_cond);
}

/* A pool thread reads the job of @slot's worker with its @engine. */
static void
pool_run (GcOcrPoolSlot * slot, GcOcrEngine * engine)
{
  Worker *w = (Worker *) slot;
  GstComplianceOcr *self = w->self;
  Job *job;

  g_mutex_lock (&self->lock);
  job = w->job;
  g_mutex_unlock (&self->lock);

  worker_read (w, engine, job);

  g_mutex_lock (&self->lock);
  job_finished_locked (self, w, job);
  g_mutex_unlock (&self->lock);
}

/* Hands @w the job just set in w->job; self->lock held. */
static void
wake_worker_locked (GstComplianceOcr * self, Worker * w)
{
  if (self->pool)
    gc_ocr_pool_submit (self->pool, &w->slot);
  else
    g_cond_signal (&w->wake);
}

/* @n change trackers, one per roi. */
static GPtrArray *
new_trackers (GstComplianceOcr * self, guint n)
{
  GPtrArray *trackers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      self->api->tracker_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (trackers, self->api->tracker_new ());
  return trackers;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  GstComplianceOcr *self = w->self;
  const GcOcrApi *api = self->api;
  GcOcrConfig config;
  GError *err = NULL;
  guint n_rois = MAX (self->rois->len, 1);
  int nice;
  id_t tid;

  /* The engine is made here so that it belongs to this thread from birth,
   * and so that the workers' engines are made in parallel. */
  api->config_init (&config);
  config.languages = self->run_languages;
  config.tessdata_dir = self->run_tessdata_dir;
  config.threads = self->run_engine_threads;
  config.engine = engine_kind (self->run_engine);
  /* A recording is read frame after frame: the models' memory is kept
   * from one read to the next instead of mapped afresh each time. */
  config.keep_memory = self->run_mode == GST_COMPLIANCE_OCR_MODE_REPLAY;
  w->engine = api->engine_new (&config, &err);
  w->trackers = new_trackers (self, w->engine ? n_rois : 0);

  /* OCR is background work: when the cores are short, the streaming
   * thread (and the encoder after it) must win and samples be skipped, not
   * frames be late.  Linux applies the nice value per thread.  Only after
   * the engine is made: the state change waits for that. */
  tid = (id_t) syscall (SYS_gettid);
  errno = 0;
  nice = getpriority (PRIO_PROCESS, tid);
  if (errno != 0 || setpriority (PRIO_PROCESS, tid,
          MIN (nice + WORKER_NICE, 19)) != 0)
    GST_DEBUG_OBJECT (self, "worker %u keeps its priority: %s", w->index,
        g_strerror (errno));

  g_mutex_lock (&self->lock);
  w->ready = TRUE;
  w->init_error = err;
  g_cond_broadcast (&self->done_cond);
  while (w->engine != NULL) {
    Job *job;

    while (w->job == NULL && !self->quit)
      g_cond_wait (&w->wake, &self->lock);
    if (self->quit)
      break;
    job = w->job;
    g_mutex_unlock (&self->lock);

    worker_read (w, w->engine, job);

    g_mutex_lock (&self->lock);
    job_finished_locked (self, w, job);
  }
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&w->trackers, g_ptr_array_unref);
  g_clear_pointer (&w->engine, api->engine_free);
  g_clear_pointer (&w->converter, gst_video_converter_free);
  gst_clear_buffer (&w->rgbx);
  return NULL;
}

/* Stops and frees every worker.  Streaming has stopped (or never
 * started). */
static void
stop_workers (GstComplianceOcr * self)
{
  Job *job;

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  for (guint i = 0; i < self->n_workers; i++)
    g_cond_signal (&self->workers[i].wake);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < self->n_workers; i++) {
    Worker *w = &self->workers[i];

    if (self->pool) {
      /* Its read, if queued, is dropped with the jobs below; if running,
       * waited for.  Nothing runs it after this. */
      gc_ocr_pool_detach (self->pool, &w->slot);
      g_clear_pointer (&w->trackers, g_ptr_array_unref);
      g_clear_pointer (&w->converter, gst_video_converter_free);
      gst_clear_buffer (&w->rgbx);
    }
    if (w->thread)
      g_thread_join (w->thread);
    g_clear_error (&w->init_error);
    gst_clear_buffer (&w->staging);
    g_cond_clear (&w->wake);
  }
  g_clear_pointer (&self->workers, g_free);
  self->n_workers = 0;
  g_clear_pointer (&self->pool, gc_ocr_pool_release);

  g_mutex_lock (&self->lock);
  while ((job = g_queue_pop_head (&self->inflight)))
    job_free (job);
  self->quit = FALSE;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* Delivery */

static gboolean
boxes_overlap (const Seen * s, const GstComplianceReading * r)
{
  gint ix = MIN (s->x + s->w, r->x + r->width) - MAX (s->x, r->x);
  gint iy = MIN (s->y + s->h, r->y + r->height) - MAX (s->y, r->y);
  gint64 smaller = MIN ((gint64) s->w * s->h, (gint64) r->width * r->height);

  return ix > 0 && iy > 0 && (gint64) ix * iy * 2 >= smaller;
}

static void
clear_seen (Seen * s)
{
  g_free (s->text);
}

static void
reset_seen (GstComplianceOcr * self)
{
  g_clear_pointer (&self->seen, g_array_unref);
  self->seen = g_array_new (FALSE, TRUE, sizeof (Seen));
  g_array_set_clear_func (self->seen, (GDestroyNotify) clear_seen);
}

/* A text read at the same place as in the previous read keeps its first
 * sighting; anything else is seen first now.  Done here, in delivery
 * order, rather than with the engine's track ids, which are per worker. */
static void
assign_first_seen (GstComplianceOcr * self, Job * job)
{
  GstClockTime now = GST_CLOCK_TIME_IS_VALID (job->running_time) ?
      job->running_time : job->pts;
  GArray *next = g_array_sized_new (FALSE, TRUE, sizeof (Seen),
      job->readings->len);

  g_array_set_clear_func (next, (GDestroyNotify) clear_seen);
  for (guint i = 0; i < job->readings->len; i++) {
    GstComplianceReading *r = &g_array_index (job->readings,
        GstComplianceReading, i);
    Seen s = { g_strdup (r->text), r->x, r->y, r->width, r->height, now };

    for (guint j = 0; j < self->seen->len; j++) {
      const Seen *prev = &g_array_index (self->seen, Seen, j);
      if (strcmp (prev->text, r->text) == 0 && boxes_overlap (prev, r)) {
        s.first_seen = prev->first_seen;
        break;
      }
    }
    r->first_seen = s.first_seen;
    g_array_append_val (next, s);
  }
  g_array_unref (self->seen);
  self->seen = next;
}

/* Attaches @job's readings to @buf (when given) and posts them. */
static void
deliver (GstComplianceOcr * self, Job * job, GstBuffer * buf)
{
  if (job->error) {
    /* Once on the bus, then in the log: a frame the engine cannot read is
     * not worth stopping the stream for. */
    if (!self->read_error_posted)
      GST_ELEMENT_WARNING (self, STREAM, FAILED,
          ("OCR could not read a frame: %s", job->error), (NULL));
    else
      GST_WARNING_OBJECT (self, "OCR could not read a frame: %s", job->error);
    self->read_error_posted = TRUE;
    return;
  }

  assign_first_seen (self, job);
  if (buf)
    gst_buffer_add_compliance_text_meta (buf, job->pts, job->width,
        job->height, (const GstComplianceReading *) job->readings->data,
        job->readings->len);
  GST_LOG_OBJECT (self, "%u readings of the frame at %" GST_TIME_FORMAT
      " (read in %" G_GINT64_FORMAT " us)", job->readings->len,
      GST_TIME_ARGS (job->pts), job->read_us);
  gst_element_post_message (GST_ELEMENT (self),
      gst_compliance_text_message_new (GST_OBJECT (self), job->pts,
          job->running_time, job->width, job->height,
          (const GstComplianceReading *) job->readings->data,
          job->readings->len));
}

/* The oldest read in flight if it is finished, else NULL: reads are
 * delivered in the order the frames came, whichever worker is faster. */
static Job *
pop_done_locked (GstComplianceOcr * self)
{
  Job *job;

  while ((job = g_queue_peek_head (&self->inflight)) && job->done) {
    g_queue_pop_head (&self->inflight);
    if (!job->stale)
      return job;
    job_free (job);
  }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* GstBaseTransform */

static gboolean
gst_compliance_ocr_start (GstBaseTransform * trans)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (trans);
  g_autofree gchar *languages = NULL, *tessdata_dir = NULL, *roi = NULL;
  g_autofree gchar *pool_name = NULL;
  g_autoptr (GError) err = NULL;
  g_autoptr (GArray) rois = NULL;
  const GcOcrLoadInfo *load;
  GstComplianceOcrMode mode;
  guint threads;
  GstComplianceOcrEngine engine;
  GError *init_error = NULL;
  const gchar *used;

  GST_OBJECT_LOCK (self);
  mode = self->mode;
  engine = self->engine;
  threads = self->threads;
  languages = g_strdup (self->languages);
  tessdata_dir = g_strdup (self->tessdata_dir);
  roi = g_strdup (self->roi);
  pool_name = self->pool_name && *self->pool_name ?
      g_strdup (self->pool_name) : NULL;
  GST_OBJECT_UNLOCK (self);

  if (threads == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("threads is 0: complianceocr needs at least one worker thread "
            "(threads=1..%d; 2 suits a 2-core machine)", MAX_THREADS), (NULL));
    return FALSE;
  }
  rois = parse_roi (roi, &err);
  if (rois == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        (NULL));
    return FALSE;
  }

  load = gc_ocr_loader_load (&err);
  if (load == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", err->message),
        (NULL));
    return FALSE;
  }
  /* OMP_THREAD_LIMIT=1 from the environment took effect whenever libgomp
   * was loaded; set by the loader, only if libgomp came after it. */
  if (!self->omp_warned && (load->user_omp_thread_limit ?
          g_strcmp0 (load->user_omp_thread_limit, "1") != 0 :
          load->gomp_preloaded)) {
    if (load->user_omp_thread_limit == NULL)
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("OCR may run ~10x slower: libgomp was loaded before the OCR "
              "engine, so OMP_THREAD_LIMIT=1 may not have taken effect; run "
              "with OMP_THREAD_LIMIT=1 in the environment"), (NULL));
    else
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("OCR runs slower with OMP_THREAD_LIMIT=%s in the environment; "
              "unset it or set it to 1", load->user_omp_thread_limit), (NULL));
    self->omp_warned = TRUE;
  }

  self->api = load->api;
  self->run_mode = mode;
  self->run_engine = engine;
  self->run_languages = g_steal_pointer (&languages);
  self->run_tessdata_dir = g_steal_pointer (&tessdata_dir);
  self->rois = g_steal_pointer (&rois);
  /* Replay reads one frame at a time while the streaming thread waits: one
   * worker, whose engine shares each frame's lines between `threads`
   * threads.  Live mode reads frames side by side instead. */
  self->n_workers = mode == GST_COMPLIANCE_OCR_MODE_REPLAY ? 1 : threads;
  self->run_engine_threads = mode == GST_COMPLIANCE_OCR_MODE_REPLAY
      ? threads : 1;
  self->workers = g_new0 (Worker, self->n_workers);

  g_mutex_lock (&self->lock);
  self->quit = FALSE;
  self->frames_seen = self->frames_sampled = self->frames_skipped = 0;
  self->regions_read = self->n_reads = 0;
  self->read_us_total = 0;
  g_mutex_unlock (&self->lock);

  if (pool_name) {
    GcOcrConfig config;

    /* The pool's threads read; this element has one place in its queue,
     * so it has at most one read in the pool at a time. */
    self->api->config_init (&config);
    config.languages = self->run_languages;
    config.tessdata_dir = self->run_tessdata_dir;
    config.engine = engine_kind (engine);
    self->pool = gc_ocr_pool_acquire (pool_name, self->api, &config, threads,
        WORKER_NICE, &init_error);
    g_clear_pointer (&self->workers, g_free);
    self->n_workers = 0;
    self->run_engine_threads = 1;
    if (self->pool) {
      Worker *w;

      self->n_workers = 1;
      self->workers = w = g_new0 (Worker, 1);
      w->self = self;
      w->slot.run = pool_run;
      w->ready = TRUE;
      g_cond_init (&w->wake);
      w->trackers = new_trackers (self, MAX (self->rois->len, 1));
    }
  }

  for (guint i = 0; i < self->n_workers && self->pool == NULL; i++) {
    Worker *w = &self->workers[i];
    g_autofree gchar *name = g_strdup_printf ("ocr-worker-%u", i);

    w->self = self;
    w->index = i;
    g_cond_init (&w->wake);
    w->thread = g_thread_try_new (name, worker_main, w, &init_error);
    if (w->thread == NULL)
      break;
  }

  /* Wait for every engine: a bad tessdata-dir or language must fail this
   * state change, not the first frame. */
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->n_workers && init_error == NULL; i++) {
    Worker *w = &self->workers[i];
    while (w->thread && !w->ready)
      g_cond_wait (&self->done_cond, &self->lock);
    if (w->init_error)
      init_error = g_error_copy (w->init_error);
  }
  g_mutex_unlock (&self->lock);

  if (init_error) {
    if (g_error_matches (init_error, GC_ERROR, GC_ERROR_NOT_FOUND))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s",
              init_error->message), ("languages=%s tessdata-dir=%s",
              self->run_languages, GST_STR_NULL (self->run_tessdata_dir)));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s",
              init_error->message), ("languages=%s tessdata-dir=%s",
              self->run_languages, GST_STR_NULL (self->run_tessdata_dir)));
    g_error_free (init_error);
    stop_workers (self);
    g_clear_pointer (&self->run_languages, g_free);
    g_clear_pointer (&self->run_tessdata_dir, g_free);
    g_clear_pointer (&self->rois, g_array_unref);
    return FALSE;
  }

  self->have_info = FALSE;
  self->reset_gen = 0;
  self->next_sample = GST_CLOCK_TIME_NONE;
  self->next_worker = 0;
  self->read_error_posted = FALSE;
  reset_seen (self);

  /* Every worker was configured alike; the first says which reader
   * they took.  Said once per start, where the user sees it. */
  used = self->pool ? gc_ocr_pool_describe (self->pool)
      : self->api->engine_describe (self->workers[0].engine);
  GST_OBJECT_LOCK (self);
  g_free (self->engine_used);
  self->engine_used = g_strdup (used);
  GST_OBJECT_UNLOCK (self);
  GST_ELEMENT_INFO (self, RESOURCE, SETTINGS, ("OCR engine: %s", used),
      (NULL));

  GST_INFO_OBJECT (self, "%s mode, %u worker(s) of %u thread(s)%s%s, "
      "languages %s, engine %s", mode == GST_COMPLIANCE_OCR_MODE_LIVE ? "live"
      : "replay", self->pool ? gc_ocr_pool_n_threads (self->pool) :
      self->n_workers, self->run_engine_threads, self->pool ? " in pool " : "",
      self->pool ? pool_name : "", self->run_languages, load->path);
  return TRUE;
}

static gboolean
gst_compliance_ocr_stop (GstBaseTransform * trans)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (trans);

  stop_workers (self);
  g_clear_pointer (&self->run_languages, g_free);
  g_clear_pointer (&self->run_tessdata_dir, g_free);
  g_clear_pointer (&self->rois, g_array_unref);
  g_clear_pointer (&self->seen, g_array_unref);
  self->have_info = FALSE;
  return TRUE;
}

/* (Re)allocates an idle worker's staging buffer for the current caps. */
static void
ensure_staging (GstComplianceOcr * self, Worker * w, gboolean prefault)
{
  GstMapInfo map;

  if (w->staging && gst_video_info_is_equal (&w->staging_info, &self->info))
    return;
  gst_clear_buffer (&w->staging);
  w->staging_info = self->info;
  w->staging = gst_buffer_new_allocate (NULL, w->staging_info.size, NULL);
  /* A fresh multi-megabyte allocation faults its pages in on first write:
   * ~1-8 ms for a 1080p frame, better spent at negotiation than in the
   * first sampled frames. */
  if (prefault && gst_buffer_map (w->staging, &map, GST_MAP_WRITE)) {
    memset (map.data, 0, map.size);
    gst_buffer_unmap (w->staging, &map);
  }
}

static gboolean
gst_compliance_ocr_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (trans);
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, incaps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("complianceocr cannot read caps %" GST_PTR_FORMAT, incaps), (NULL));
    return FALSE;
  }
  /* The templates keep other sizes out; caps set by hand (a harness) may
   * still bring one. */
  if (GST_VIDEO_INFO_WIDTH (&info) < MIN_SIZE
      || GST_VIDEO_INFO_HEIGHT (&info) < MIN_SIZE
      || GST_VIDEO_INFO_WIDTH (&info) > MAX_SIZE
      || GST_VIDEO_INFO_HEIGHT (&info) > MAX_SIZE) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("complianceocr reads frames from %dx%d to %dx%d, not %dx%d: scale "
            "the video first (videoscale in front negotiates a size)",
            MIN_SIZE, MIN_SIZE, MAX_SIZE, MAX_SIZE, GST_VIDEO_INFO_WIDTH (&info),
            GST_VIDEO_INFO_HEIGHT (&info)), ("caps %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }

  if (!self->have_info || !gst_video_info_is_equal (&info, &self->info)) {
    if (self->have_info)
      GST_INFO_OBJECT (self, "caps change %dx%d -> %dx%d: change detection "
          "starts afresh", GST_VIDEO_INFO_WIDTH (&self->info),
          GST_VIDEO_INFO_HEIGHT (&self->info), GST_VIDEO_INFO_WIDTH (&info),
          GST_VIDEO_INFO_HEIGHT (&info));
    self->reset_gen++;
    reset_seen (self);
  }
  self->info = info;
  self->have_info = TRUE;

  if (self->run_mode == GST_COMPLIANCE_OCR_MODE_LIVE) {
    /* Only this thread hands out jobs, so a worker idle now stays idle
     * until we do; a busy one gets its buffer at its next sample. */
    for (guint i = 0; i < self->n_workers; i++) {
      Worker *w = &self->workers[i];
      gboolean idle;

      g_mutex_lock (&self->lock);
      idle = w->job == NULL;
      g_mutex_unlock (&self->lock);
      if (idle)
        ensure_staging (self, w, TRUE);
    }
  }
  return TRUE;
}

/* Whether the buffer at running time @rt is a sample.  Samples sit on a
 * grid of @interval from the first one, so a 30 fps stream sampled every
 * 500 ms takes every 15th frame rather than drifting to every 16th; half a
 * frame of slack absorbs timestamps rounded down. */
static gboolean
is_sample (GstComplianceOcr * self, GstClockTime rt, GstClockTime duration,
    guint interval_ms)
{
  GstClockTime interval = interval_ms * GST_MSECOND;
  GstClockTime slack = GST_CLOCK_TIME_IS_VALID (duration) ? duration / 2 : 0;

  if (interval == 0)
    return TRUE;
  /* Without timestamps the wall clock stands in (OBS with framerate 0/1
   * may send none). */
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = (GstClockTime) g_get_monotonic_time () * GST_USECOND;

  if (GST_CLOCK_TIME_IS_VALID (self->next_sample)
      && rt + slack < self->next_sample)
    return FALSE;
  if (GST_CLOCK_TIME_IS_VALID (self->next_sample)
      && rt < self->next_sample + interval)
    self->next_sample += interval;
  else
    self->next_sample = rt + interval;  /* start, or a jump: re-anchor */
  return TRUE;
}

/* Copies the frame into the idle worker's staging buffer.  A copy rather
 * than a ref: an upstream pool buffer is not held while OCR runs, and the
 * outgoing buffer stays writable for the elements downstream. */
static gboolean
stage_frame (GstComplianceOcr * self, Worker * w, GstBuffer * buf)
{
  GstVideoFrame in, out;
  gboolean ok;

  ensure_staging (self, w, FALSE);
  if (!gst_video_frame_map (&in, &self->info, buf, GST_MAP_READ))
    return FALSE;
  if (!gst_video_frame_map (&out, &w->staging_info, w->staging,
          GST_MAP_WRITE)) {
    gst_video_frame_unmap (&in);
    return FALSE;
  }
  ok = gst_video_frame_copy (&out, &in);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  return ok;
}

/* @job: the read to queue when this frame is a sample, else NULL. */
static GstFlowReturn
transform_live (GstComplianceOcr * self, GstBuffer * buf, Job * job)
{
  gboolean sample = job != NULL;
  Worker *idle = NULL;
  Job *done;

  g_mutex_lock (&self->lock);
  self->frames_seen++;
  done = pop_done_locked (self);
  if (sample) {
    /* Round robin from the worker after the last one used, so the
     * workers' trackers see comparable streams. */
    for (guint i = 0; i < self->n_workers && idle == NULL; i++) {
      Worker *w = &self->workers[(self->next_worker + i) % self->n_workers];
      if (w->job == NULL)
        idle = w;
    }
    if (idle)
      self->frames_sampled++;
    else
      self->frames_skipped++;
  }
  g_mutex_unlock (&self->lock);

  if (idle && stage_frame (self, idle, buf)) {
    self->next_worker = (idle->index + 1) % self->n_workers;
    g_mutex_lock (&self->lock);
    idle->job = job;
    g_queue_push_tail (&self->inflight, job);
    wake_worker_locked (self, idle);
    g_mutex_unlock (&self->lock);
    job = NULL;
  } else if (idle) {
    GST_WARNING_OBJECT (self, "could not map the frame at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
  } else if (sample) {
    GST_DEBUG_OBJECT (self, "all workers busy: sample at %" GST_TIME_FORMAT
        " skipped", GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
  }
  if (job)
    job_free (job);

  if (done) {
    deliver (self, done, buf);
    job_free (done);
  }
  return GST_FLOW_OK;
}

static GstFlowReturn
transform_replay (GstComplianceOcr * self, GstBuffer * buf, Job * job)
{
  Worker *w = &self->workers[0];
  GstVideoFrame frame;

  g_mutex_lock (&self->lock);
  self->frames_seen++;
  if (job)
    self->frames_sampled++;
  g_mutex_unlock (&self->lock);
  if (job == NULL)
    return GST_FLOW_OK;

  /* No copy: the worker reads the mapped frame while we wait. */
  if (!gst_video_frame_map (&frame, &self->info, buf, GST_MAP_READ)) {
    job_free (job);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a video frame"),
        (NULL));
    return GST_FLOW_ERROR;
  }
  job->frame = &frame;
  g_mutex_lock (&self->lock);
  w->job = job;
  wake_worker_locked (self, w);
  while (!job->done)
    g_cond_wait (&self->done_cond, &self->lock);
  g_mutex_unlock (&self->lock);
  gst_video_frame_unmap (&frame);
  job->frame = NULL;

  deliver (self, job, buf);
  job_free (job);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_compliance_ocr_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf), rt = GST_CLOCK_TIME_NONE;
  guint interval;
  gfloat min_confidence;
  gboolean sample;
  Job *job = NULL;

  if (G_UNLIKELY (!self->have_info))
    return GST_FLOW_NOT_NEGOTIATED;

  GST_OBJECT_LOCK (self);
  interval = self->interval;
  min_confidence = self->min_confidence;
  GST_OBJECT_UNLOCK (self);

  if (GST_CLOCK_TIME_IS_VALID (pts) && trans->segment.format == GST_FORMAT_TIME)
    rt = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  /* A gap buffer's pixels mean nothing. */
  sample = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)
      && is_sample (self, rt, GST_BUFFER_DURATION (buf), interval);

  if (sample) {
    job = job_new ();
    job->pts = pts;
    job->running_time = rt;
    job->width = GST_VIDEO_INFO_WIDTH (&self->info);
    job->height = GST_VIDEO_INFO_HEIGHT (&self->info);
    job->min_confidence = min_confidence;
    job->reset_gen = self->reset_gen;
  }

  if (self->run_mode == GST_COMPLIANCE_OCR_MODE_REPLAY)
    return transform_replay (self, buf, job);
  return transform_live (self, buf, job);
}

/* Live mode at EOS: waits a little for the reads in flight and posts them;
 * no buffer follows to carry them. */
static void
drain_at_eos (GstComplianceOcr * self)
{
  gint64 deadline = g_get_monotonic_time () + EOS_WAIT_US;
  GPtrArray *done = g_ptr_array_new_with_free_func ((GDestroyNotify)
      job_free);
  Job *job;

  g_mutex_lock (&self->lock);
  for (;;) {
    while ((job = pop_done_locked (self)))
      g_ptr_array_add (done, job);
    if (g_queue_is_empty (&self->inflight)
        || !g_cond_wait_until (&self->done_cond, &self->lock, deadline))
      break;
  }
  while ((job = pop_done_locked (self)))
    g_ptr_array_add (done, job);
  if (!g_queue_is_empty (&self->inflight)) {
    GST_WARNING_OBJECT (self, "%u read(s) still running at EOS are dropped",
        g_queue_get_length (&self->inflight));
    for (GList * l = self->inflight.head; l; l = l->next)
      ((Job *) l->data)->stale = TRUE;
  }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < done->len; i++)
    deliver (self, g_ptr_array_index (done, i), NULL);
  g_ptr_array_unref (done);
}

static gboolean
gst_compliance_ocr_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      /* Reads of frames from before the seek must not ride on frames after
       * it; the workers finish them and they are dropped. */
      g_mutex_lock (&self->lock);
      for (GList * l = self->inflight.head; l; l = l->next)
        ((Job *) l->data)->stale = TRUE;
      g_mutex_unlock (&self->lock);
      self->reset_gen++;
      self->next_sample = GST_CLOCK_TIME_NONE;
      reset_seen (self);
      break;
    case GST_EVENT_EOS:
      if (self->run_mode == GST_COMPLIANCE_OCR_MODE_LIVE)
        drain_at_eos (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
gst_compliance_ocr_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_LANGUAGES:
      g_free (self->languages);
      self->languages = g_value_dup_string (value);
      if (self->languages == NULL)
        self->languages = g_strdup (DEFAULT_LANGUAGES);
      break;
    case PROP_TESSDATA_DIR:
      g_free (self->tessdata_dir);
      self->tessdata_dir = g_value_dup_string (value);
      break;
    case PROP_ROI:
      g_free (self->roi);
      self->roi = g_value_dup_string (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_uint (value);
      break;
    case PROP_MIN_CONFIDENCE:
      self->min_confidence = g_value_get_float (value);
      break;
    case PROP_ENGINE:
      self->engine = g_value_get_enum (value);
      break;
    case PROP_POOL:
      g_free (self->pool_name);
      self->pool_name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_ocr_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (object);

  switch (prop_id) {
    case PROP_FRAMES_SEEN:
    case PROP_FRAMES_SAMPLED:
    case PROP_FRAMES_SKIPPED:
    case PROP_REGIONS_READ:
    case PROP_MEAN_MS_PER_READ:
      g_mutex_lock (&self->lock);
      if (prop_id == PROP_FRAMES_SEEN)
        g_value_set_uint64 (value, self->frames_seen);
      else if (prop_id == PROP_FRAMES_SAMPLED)
        g_value_set_uint64 (value, self->frames_sampled);
      else if (prop_id == PROP_FRAMES_SKIPPED)
        g_value_set_uint64 (value, self->frames_skipped);
      else if (prop_id == PROP_REGIONS_READ)
        g_value_set_uint64 (value, self->regions_read);
      else
        g_value_set_double (value, self->n_reads ?
            self->read_us_total / 1000.0 / self->n_reads : 0.0);
      g_mutex_unlock (&self->lock);
      return;
    default:
      break;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_LANGUAGES:
      g_value_set_string (value, self->languages);
      break;
    case PROP_TESSDATA_DIR:
      g_value_set_string (value, self->tessdata_dir);
      break;
    case PROP_ROI:
      g_value_set_string (value, self->roi);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->threads);
      break;
    case PROP_MIN_CONFIDENCE:
      g_value_set_float (value, self->min_confidence);
      break;
    case PROP_ENGINE:
      g_value_set_enum (value, self->engine);
      break;
    case PROP_ENGINE_USED:
      g_value_set_string (value, self->engine_used);
      break;
    case PROP_POOL:
      g_value_set_string (value, self->pool_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_ocr_finalize (GObject * object)
{
  GstComplianceOcr *self = GST_COMPLIANCE_OCR (object);

  g_free (self->languages);
  g_free (self->tessdata_dir);
  g_free (self->roi);
  g_free (self->engine_used);
  g_free (self->pool_name);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_compliance_ocr_class_init (GstComplianceOcrClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags stat_flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_compliance_ocr_set_property;
  gobject_class->get_property = gst_compliance_ocr_get_property;
  gobject_class->finalize = gst_compliance_ocr_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "live: never wait for OCR, readings ride on a later buffer with "
          "the pts of the frame read (skipped when all workers are busy); "
          "replay: read every sampled frame, in order, readings ride on "
          "that frame (the stream waits; same input, same output; the "
          "PP-OCR models keep their working memory, up to 128 MB, from one "
          "read to the next)",
          GST_TYPE_COMPLIANCE_OCR_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Milliseconds of running time between sampled frames (0: every "
          "frame)", 0, 3600 * 1000, DEFAULT_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LANGUAGES,
      g_param_spec_string ("languages", "Languages",
          "Tesseract languages joined by '+' (each needs its "
          "LANG.traineddata, Debian package tesseract-ocr-LANG); with a CJK "
          "language first, it reads each line and the others only the "
          "Latin letters, digits and signs in it",
          DEFAULT_LANGUAGES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TESSDATA_DIR,
      g_param_spec_string ("tessdata-dir", "Tessdata directory",
          "Directory holding the *.traineddata files. Unset: "
          GC_OCR_DEFAULT_TESSDATA_DIR, NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ROI,
      g_param_spec_string ("roi", "Regions of interest",
          "Regions to read, as x,y,width,height fractions of the frame "
          "(0..1), separated by ';', e.g. \"0,0.6,1,0.4;0.7,0,0.3,0.2\" for "
          "the bottom 40% and the top-right corner; text is only looked for "
          "inside them (overlapping regions may read a line twice). "
          "Unset: the whole frame", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_uint ("threads", "Threads",
          "Threads reading text, each with its own Tesseract (~56 MB for "
          "chi_sim+eng): in live mode they read sampled frames side by "
          "side, in replay mode they share the lines of each frame", 0,
          MAX_THREADS, DEFAULT_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ENGINE,
      g_param_spec_enum ("engine", "Engine",
          "What reads the text: ppocr (PP-OCRv4 detector and recognizer "
          "run by ONNX Runtime, from the *.fused.onnx copies tools/setup "
          "folds, 1.4x faster, when present; fails the state change when "
          "the runtime or the models are missing), tesseract (classic "
          "region finding and "
          "Tesseract), or auto: ppocr when it is found and reads the "
          "languages, else tesseract, saying which as an INFO message",
          GST_TYPE_COMPLIANCE_OCR_ENGINE, DEFAULT_ENGINE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_POOL,
      g_param_spec_string ("pool", "Shared worker pool",
          "Name of a process-wide pool of OCR workers shared by every "
          "complianceocr with this name (many streams in one process): "
          "`threads` workers, set by the first element to start, one "
          "engine each, serving the elements first come first served; "
          "each element has one read in the pool at a time, so a busy "
          "stream cannot starve the others (live mode skips and counts "
          "samples while its read waits). Elements of one pool need the "
          "same engine, languages and tessdata-dir. The pool's PP-OCR "
          "engines keep their working memory (up to 128 MB) between reads. "
          "Unset: the element's own workers", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_DOC_SHOW_DEFAULT | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ENGINE_USED,
      g_param_spec_string ("engine-used", "Engine used",
          "The reader the last start took, with its models and why (NULL "
          "before the first start)", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MIN_CONFIDENCE,
      g_param_spec_float ("min-confidence", "Minimum confidence",
          "Readings below this confidence (0..1) are dropped", 0.0f, 1.0f,
          DEFAULT_MIN_CONFIDENCE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_FRAMES_SEEN,
      g_param_spec_uint64 ("frames-seen", "Frames seen",
          "Buffers that went through since the element last started", 0,
          G_MAXUINT64, 0, stat_flags));
  g_object_class_install_property (gobject_class, PROP_FRAMES_SAMPLED,
      g_param_spec_uint64 ("frames-sampled", "Frames sampled",
          "Frames handed to a worker to be read", 0, G_MAXUINT64, 0,
          stat_flags));
  g_object_class_install_property (gobject_class, PROP_FRAMES_SKIPPED,
      g_param_spec_uint64 ("frames-skipped", "Frames skipped",
          "Samples not read because every worker was busy (live mode)", 0,
          G_MAXUINT64, 0, stat_flags));
  g_object_class_install_property (gobject_class, PROP_REGIONS_READ,
      g_param_spec_uint64 ("regions-read", "Regions read",
          "Text lines read by Tesseract; lines whose pixels did not change "
          "since the last read are reused and not counted", 0, G_MAXUINT64,
          0, stat_flags));
  g_object_class_install_property (gobject_class, PROP_MEAN_MS_PER_READ,
      g_param_spec_double ("mean-ms-per-read", "Mean ms per read",
          "Mean milliseconds a worker spent finding and reading the text of "
          "one frame", 0.0, G_MAXDOUBLE, 0.0, stat_flags));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Compliance OCR", "Filter/Analyzer/Video",
      "Reads on-screen prices, claims and labels with Tesseract without "
      "stalling the stream; attaches the readings to buffers and posts them "
      "on the bus", "gst-compliance developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_compliance_ocr_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_compliance_ocr_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_compliance_ocr_set_caps);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_compliance_ocr_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_compliance_ocr_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_OCR_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_OCR_ENGINE, 0);
}

static void
gst_compliance_ocr_init (GstComplianceOcr * self)
{
  self->mode = DEFAULT_MODE;
  self->interval = DEFAULT_INTERVAL;
  self->languages = g_strdup (DEFAULT_LANGUAGES);
  self->threads = DEFAULT_THREADS;
  self->engine = DEFAULT_ENGINE;
  self->min_confidence = DEFAULT_MIN_CONFIDENCE;
  g_mutex_init (&self->lock);
  g_cond_init (&self->done_cond);
  g_queue_init (&self->inflight);
  /* Pixels are only read; a shared buffer gets a shallow copy (new metas,
   * same memory) from the base class, never a pixel copy. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
