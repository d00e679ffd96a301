/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-compliancecheck
 * @title: compliancecheck
 *
 * Turns the readings that complianceocr attached to buffers
 * (#GstComplianceTextMeta) into facts — prices, reference prices, sales
 * claims, ad labels, absolute terms, medical claims, product names — and
 * checks them against the seller's catalog and a jurisdiction's rule pack.
 * Pixels are never touched.
 *
 * Every buffer leaves with a #GstComplianceVerdictMeta: the active product,
 * whether a disclosure is required and whether one is visible, and the
 * violations active now.  Each violation's start and end are posted as an
 * element message `compliance-violation` with the fields of the report's
 * violation record: `event` ("start" or "end"), `rule`, `severity`, `sku`,
 * `observed`, `declared`, `legal_ref`, `evidence`, `t_start`, `t_end`
 * (seconds of running time), `bbox` (array of x, y, width, height in the
 * pixels of the analysed frame), `id` and `pts` (of the analysed frame).
 * Applications read it with gst_compliance_violation_message_parse() from
 * libgstcompliance-1.0 (`gstreamer-compliance-1.0`), the one writer and
 * reader of that field list.
 * A reading must hold on two analysed frames (the rule pack's
 * confirm_frames, or #GstComplianceCheck:confirm-frames) before a violation
 * starts, and be gone for two before it ends.
 *
 * claim.audience_inflated compares a viewer, like or follower figure on
 * screen ("3.2万人在看", "2.4K watching") with the one the platform attests:
 * from a JSON-lines file (#GstComplianceCheck:metrics, one object a line:
 * `{"t": 12.0, "viewers": 31650, "likes": 120000}`) or a custom event
 * "compliance-metrics" (fields "viewers", "likes", "followers", and "t" in
 * seconds of running time, by default the next analysed frame's), sent
 * downstream or upstream.  Without attested figures the rule is silent.
 *
 * The active product is, in order: the one set with
 * #GstComplianceCheck:active-sku or with a custom event
 * "compliance-set-product" (field "sku"), the one the catalog's schedule
 * names at the buffer's running time, the last catalog name read on screen.
 *
 * With #GstComplianceCheck:evidence-dir set, every start and end is appended
 * to DIR/evidence.jsonl as it happens (never truncated, so a restarted
 * pipeline adds to it), and for each confirmed violation a PNG of the frame
 * it was confirmed on, with the offending box outlined, is written in DIR by
 * a worker thread, named RUN-MS-ID.png.  Several pipelines and scans may
 * share one directory: each line is one locked write, each element has its
 * own run id, and an image is referred to (by an "evidence" line) only
 * once it is complete and renamed into place.  An unwritable directory or
 * a full disk posts a warning; the stream goes on.
 *
 * The catalog can be replaced while playing — set #GstComplianceCheck:catalog
 * again, or change the file on disk (checked once a second) — and is swapped
 * in whole; a bad one is refused with a warning naming the error, and the
 * old one stays.  A bad catalog or an unknown rule pack at start fails the
 * state change with the loader's message.  Without a catalog only the
 * catalog-free rules run.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=sale.mp4 ! decodebin ! videoconvert !
 *     complianceocr ! compliancecheck catalog=products.json evidence-dir=evidence !
 *     videoconvert ! autovideosink
 * ]|
 *
 * Threads: properties and the hand-over fields (pending catalog, dirty
 * flags) are guarded by the object lock; the rule engine, the evidence log
 * and the cached verdict belong to the streaming thread (created in
 * start(), freed in stop()); evidence images are encoded on a private
 * thread pool that stop() drains before it closes the log (the log itself
 * may be written from both threads).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcompliancecheck.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "gc-catalog.h"
#include "gc-error.h"
#include "gc-evidence.h"
#include "gc-render.h"
#include "gc-rulepack.h"
#include "gc-rules.h"
#include "gstcompliancemeta.h"
#include "gstcompliancecore.h"

GST_DEBUG_CATEGORY_STATIC (gst_compliance_check_debug);
#define GST_CAT_DEFAULT gst_compliance_check_debug

enum
{
  PROP_0,
  PROP_CATALOG,
  PROP_RULES,
  PROP_ACTIVE_SKU,
  PROP_EVIDENCE_DIR,
  PROP_CONFIRM_FRAMES,
  PROP_LABEL_DRAWN,
  PROP_STREAM_DATE,
  PROP_METRICS,
};

#define DEFAULT_CONFIRM_FRAMES 0
#define DEFAULT_LABEL_DRAWN FALSE
/* How often the catalog file is checked for changes on disk. */
#define CATALOG_POLL_US G_USEC_PER_SEC
/* Evidence images waiting to be encoded before new ones are dropped
 * (with a warning) rather than letting memory grow. */
#define MAX_PENDING_IMAGES 16

struct _GstComplianceCheck
{
  GstBaseTransform parent;

  /* Properties; object lock. */
  gchar *catalog_path;
  gchar *rules_name;
  gchar *active_sku;
  gchar *evidence_dir;
  gchar *stream_date;
  gchar *metrics_path;
  guint confirm_frames;
  gboolean label_drawn;

  /* Hand-over to the streaming thread; object lock. */
  gboolean started;
  GcCatalog *pending_catalog;
  gboolean settings_dirty;
  /* Attested figures from events, not yet given to the rules: of
   * GstStructure* (the event's, with "t" < 0 when it had none). */
  GPtrArray *pending_metrics;

  /* Streaming thread only, between start() and stop(). */
  GcRules *rules;
  GcCatalog *catalog;
  gchar *loaded_path;
  gint64 loaded_mtime;
  gint64 next_poll;
  gchar *refused_mtime_path;
  gint64 refused_mtime;
  GcEvidenceLog *log;
  gint log_warned;               /* atomic: the log's failure was posted */
  GHashTable *evidence_paths;   /* violation id -> evidence path */
  GPtrArray *current;           /* GcViolation snapshots active now */
  GstClockTime verdict_pts;
  guint verdict_w, verdict_h;
  GstVideoInfo info;
  gboolean have_info;

  GThreadPool *image_pool;
  gint pending_images;          /* atomic */
};

#define VIDEO_CAPS GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));

#define gst_compliance_check_parent_class parent_class
G_DEFINE_TYPE (GstComplianceCheck, gst_compliance_check,
    GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (compliancecheck, "compliancecheck",
    GST_RANK_NONE, GST_TYPE_COMPLIANCE_CHECK,
    GST_DEBUG_CATEGORY_INIT (gst_compliance_check_debug, "compliancecheck", 0,
        "compliance checker"));

/* ------------------------------------------------------------------ */
/* Loading */

static gint64
file_mtime (const gchar * path)
{
  GStatBuf st;
  if (path == NULL || g_stat (path, &st) != 0)
    return -1;
  return (gint64) st.st_mtime * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static gboolean
parse_date (const gchar * s, GDate * out)
{
  gint y, m, d;
  gchar tail;
  if (s == NULL || sscanf (s, "%d-%d-%d%c", &y, &m, &d, &tail) != 3
      || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Evidence images */

typedef struct
{
  GstComplianceCheck *self;
  GstBuffer *frame;             /* deep copy: never holds an upstream pool buffer */
  GstVideoInfo info;
  GcEvidenceLog *log;           /* the element's; outlives the image pool */
  gchar *name;                  /* the image's name in the log's directory */
  gchar *path;                  /* where it is written until complete */
  gchar *source;                /* the element's path, for the log line */
  GcViolation *violation;
  GcBox box;                    /* in frame pixels */
} ImageJob;

static void
image_job_free (ImageJob * job)
{
  gst_buffer_unref (job->frame);
  g_free (job->name);
  g_free (job->path);
  g_free (job->source);
  gc_violation_unref (job->violation);
  g_free (job);
}

static gboolean
write_image (ImageJob * job, GError ** error)
{
  GstVideoFrame in;
  gint w = GST_VIDEO_INFO_WIDTH (&job->info);
  gint h = GST_VIDEO_INFO_HEIGHT (&job->info);

  if (!gst_video_frame_map (&in, &job->info, job->frame, GST_MAP_READ)) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "cannot map the frame");
    return FALSE;
  }
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      w, h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    gst_video_frame_unmap (&in);
    cairo_surface_destroy (surface);
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "frame %dx%d too large", w, h);
    return FALSE;
  }

  /* cairo's RGB24 is BGRx in memory on little-endian machines. */
  GstVideoInfo out_info;
  gst_video_info_set_format (&out_info,
      G_BYTE_ORDER == G_LITTLE_ENDIAN ? GST_VIDEO_FORMAT_BGRx :
      GST_VIDEO_FORMAT_xRGB, w, h);
  GST_VIDEO_INFO_FPS_N (&out_info) = GST_VIDEO_INFO_FPS_N (&job->info);
  GST_VIDEO_INFO_FPS_D (&out_info) = GST_VIDEO_INFO_FPS_D (&job->info);
  GST_VIDEO_INFO_PLANE_STRIDE (&out_info, 0) =
      cairo_image_surface_get_stride (surface);
  GstVideoFrame out = { 0, };
  cairo_surface_flush (surface);
  GstBuffer *wrap = gst_buffer_new_wrapped_full (0,
      cairo_image_surface_get_data (surface),
      (gsize) cairo_image_surface_get_stride (surface) * h, 0,
      (gsize) cairo_image_surface_get_stride (surface) * h, NULL, NULL);
  gboolean ok = gst_video_frame_map (&out, &out_info, wrap, GST_MAP_WRITE);
  if (ok) {
    GstVideoConverter *conv = gst_video_converter_new (&job->info, &out_info,
        NULL);
    if (conv) {
      gst_video_converter_frame (conv, &in, &out);
      gst_video_converter_free (conv);
    } else {
      ok = FALSE;
    }
    gst_video_frame_unmap (&out);
  }
  gst_buffer_unref (wrap);
  gst_video_frame_unmap (&in);
  if (!ok) {
    cairo_surface_destroy (surface);
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "cannot convert %s frames",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&job->info)));
    return FALSE;
  }
  cairo_surface_mark_dirty (surface);

  /* Written under a temporary name; the log refers to it only once the
   * commit has synced and renamed it. */
  cairo_status_t st = gc_render_evidence_png (surface, job->box.x, job->box.y,
      job->box.w, job->box.h, job->path);
  cairo_surface_destroy (surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_unlink (job->path);
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s",
        job->path, cairo_status_to_string (st));
    return FALSE;
  }
  return gc_evidence_log_commit (job->log, job->name, job->violation,
      job->source, error);
}

static void
image_worker (gpointer data, gpointer user_data)
{
  ImageJob *job = data;
  GError *err = NULL;

  if (!write_image (job, &err)) {
    g_autofree gchar *written = g_build_filename (gc_evidence_log_dir
        (job->log), job->name, NULL);
    /* The image is in place and only its log line failed, on a log that
     * already said it cannot be written: one warning is enough. */
    if (g_file_test (written, G_FILE_TEST_EXISTS)
        && g_atomic_int_get (&job->self->log_warned)) {
      g_clear_error (&err);
    } else {
      GST_ELEMENT_WARNING (job->self, RESOURCE, WRITE,
          ("Could not write evidence image %s", job->name),
          ("%s", err->message));
      g_error_free (err);
    }
  }
  g_atomic_int_add (&job->self->pending_images, -1);
  image_job_free (job);
}

/* TRUE when the image of @v was queued to be written as @name. */
static gboolean
queue_image (GstComplianceCheck * self, GstBuffer * buf, const gchar * name,
    const gchar * source, GcViolation * v, guint meta_w, guint meta_h)
{
  if (!self->have_info || self->image_pool == NULL)
    return FALSE;
  if (g_atomic_int_get (&self->pending_images) >= MAX_PENDING_IMAGES) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Evidence images are being produced faster than they can be "
            "written; skipped %s", name), (NULL));
    return FALSE;
  }

  ImageJob *job = g_new0 (ImageJob, 1);
  job->self = self;
  job->frame = gst_buffer_copy_deep (buf);
  job->info = self->info;
  job->log = self->log;
  job->name = g_strdup (name);
  job->path = gc_evidence_log_temp_path (self->log, name);
  job->source = g_strdup (source);
  job->violation = gc_violation_ref (v);
  job->box = v->box;
  /* Boxes are in the analysed frame's pixels; map them to this one. */
  gint w = GST_VIDEO_INFO_WIDTH (&self->info);
  gint h = GST_VIDEO_INFO_HEIGHT (&self->info);
  if (meta_w > 0 && meta_h > 0 && ((gint) meta_w != w || (gint) meta_h != h)) {
    job->box.x = job->box.x * w / (gint) meta_w;
    job->box.w = job->box.w * w / (gint) meta_w;
    job->box.y = job->box.y * h / (gint) meta_h;
    job->box.h = job->box.h * h / (gint) meta_h;
  }
  g_atomic_int_add (&self->pending_images, 1);
  g_thread_pool_push (self->image_pool, job, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Events of the rule engine */

static void
handle_events (GstComplianceCheck * self, GPtrArray * events, GstBuffer * buf,
    GstClockTime pts, guint meta_w, guint meta_h)
{
  for (guint i = 0; i < events->len; i++) {
    GcEvent *ev = g_ptr_array_index (events, i);
    GcViolation *v = ev->violation;
    gboolean start = ev->type == GC_EVENT_START;

    if (self->log) {
      g_autofree gchar *source = gst_object_get_path_string (GST_OBJECT (self));
      GError *err = NULL;
      if (!gc_evidence_log_append (self->log, ev, source, &err)) {
        if (!g_atomic_int_get (&self->log_warned))
          GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
              ("Could not write the evidence log; the stream goes on"),
              ("%s", err->message));
        g_atomic_int_set (&self->log_warned, TRUE);
        g_error_free (err);
      } else {
        g_atomic_int_set (&self->log_warned, FALSE);
      }

      if (start && buf) {
        /* Queued after the start line, so the image's "evidence" line
         * follows it.  Messages and metas name the image as the directory
         * joined with its name: it exists once that line is written. */
        g_autofree gchar *name = gc_evidence_image_name (self->log, v);
        if (queue_image (self, buf, name, source, v, meta_w, meta_h)) {
          v->evidence = g_build_filename (gc_evidence_log_dir (self->log),
              name, NULL);
          g_hash_table_insert (self->evidence_paths,
              g_memdup2 (&v->id, sizeof (v->id)), g_strdup (v->evidence));
        }
      } else if (!start) {
        const gchar *path = g_hash_table_lookup (self->evidence_paths, &v->id);
        if (path)
          v->evidence = g_strdup (path);
        g_hash_table_remove (self->evidence_paths, &v->id);
      }
    }

    GST_INFO_OBJECT (self, "%s %s sku=%s observed=%s declared=%s t=%.3f-%.3f",
        start ? "start" : "end", v->rule, GST_STR_NULL (v->sku),
        GST_STR_NULL (v->observed), GST_STR_NULL (v->declared), v->t_start,
        v->t_end);
    gst_element_post_message (GST_ELEMENT (self),
        gst_compliance_violation_message_from_core (GST_OBJECT (self), v, start,
            pts));
  }
}

static void
refresh_current (GstComplianceCheck * self)
{
  g_clear_pointer (&self->current, g_ptr_array_unref);
  self->current = gc_rules_active_violations (self->rules);
}

/* Runs @fn on the engine and reports what it emitted (EOS, flush). */
static void
end_all (GstComplianceCheck * self, gboolean flush)
{
  if (self->rules == NULL)
    return;
  g_autoptr (GPtrArray) events =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  if (flush)
    gc_rules_flush (self->rules, events);
  else
    gc_rules_finish (self->rules, events);
  handle_events (self, events, NULL, GST_CLOCK_TIME_NONE, 0, 0);
  refresh_current (self);
}

/* ------------------------------------------------------------------ */
/* Settings hand-over */

/* Loads the catalog at @path for a swap while running.  Called from any
 * thread; the result is handed to the streaming thread under the lock. */
static gboolean
load_replacement (GstComplianceCheck * self, const gchar * path)
{
  GError *err = NULL;
  GcCatalog *catalog = gc_catalog_load_file (path, &err);
  if (catalog == NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Refused the new catalog; the previous one stays in use: %s",
            err->message), ("%s", err->message));
    g_error_free (err);
    return FALSE;
  }
  for (guint i = 0; i < catalog->warnings->len; i++)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s",
            (gchar *) g_ptr_array_index (catalog->warnings, i)), (NULL));

  GST_OBJECT_LOCK (self);
  if (self->pending_catalog)
    gc_catalog_unref (self->pending_catalog);
  self->pending_catalog = catalog;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static void
apply_settings (GstComplianceCheck * self)
{
  GcCatalog *pending = NULL;
  g_autofree gchar *sku = NULL;
  gboolean dirty, label_drawn;
  guint confirm;

  GST_OBJECT_LOCK (self);
  pending = g_steal_pointer (&self->pending_catalog);
  dirty = self->settings_dirty;
  self->settings_dirty = FALSE;
  sku = g_strdup (self->active_sku);
  label_drawn = self->label_drawn;
  confirm = self->confirm_frames;
  GST_OBJECT_UNLOCK (self);

  if (pending) {
    g_autoptr (GPtrArray) events =
        g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
    gc_rules_set_catalog (self->rules, pending, events);
    handle_events (self, events, NULL, GST_CLOCK_TIME_NONE, 0, 0);
    if (self->catalog)
      gc_catalog_unref (self->catalog);
    self->catalog = pending;
    g_free (self->loaded_path);
    self->loaded_path = g_strdup (pending->path);
    self->loaded_mtime = file_mtime (pending->path);
    GST_INFO_OBJECT (self, "catalog %s swapped in (%u products)",
        pending->path, pending->products->len);
    dirty = TRUE;               /* re-apply the sku against the new catalog */
  }
  if (dirty) {
    if (!gc_rules_set_active_sku (self->rules, sku))
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("active-sku \"%s\" is not in the catalog; ignored", sku), (NULL));
    gc_rules_set_label_drawn (self->rules, label_drawn);
    if (confirm > 0)
      gc_rules_set_confirm_frames (self->rules, confirm);
  }
}

static void
poll_catalog_file (GstComplianceCheck * self)
{
  gint64 now = g_get_monotonic_time ();
  if (self->loaded_path == NULL || now < self->next_poll)
    return;
  self->next_poll = now + CATALOG_POLL_US;

  gint64 mtime = file_mtime (self->loaded_path);
  if (mtime < 0 || mtime == self->loaded_mtime)
    return;
  /* Refuse a bad file once, not once a second. */
  if (mtime == self->refused_mtime
      && g_strcmp0 (self->refused_mtime_path, self->loaded_path) == 0)
    return;
  GST_INFO_OBJECT (self, "catalog %s changed on disk", self->loaded_path);
  if (load_replacement (self, self->loaded_path)) {
    apply_settings (self);
  } else {
    self->refused_mtime = mtime;
    g_free (self->refused_mtime_path);
    self->refused_mtime_path = g_strdup (self->loaded_path);
  }
}

/* ------------------------------------------------------------------ */
/* GstBaseTransform */

static gboolean
gst_compliance_check_start (GstBaseTransform * trans)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);
  g_autofree gchar *catalog_path = NULL, *rules = NULL, *evidence_dir = NULL,
      *stream_date = NULL, *metrics = NULL;
  GError *err = NULL;
  g_autoptr (GcCatalog) catalog = NULL;
  GDate date;

  GST_OBJECT_LOCK (self);
  catalog_path = g_strdup (self->catalog_path);
  rules = g_strdup (self->rules_name);
  evidence_dir = g_strdup (self->evidence_dir);
  stream_date = g_strdup (self->stream_date);
  metrics = g_strdup (self->metrics_path);
  GST_OBJECT_UNLOCK (self);

  if (catalog_path) {
    catalog = gc_catalog_load_file (catalog_path, &err);
    if (catalog == NULL) {
      if (g_file_test (catalog_path, G_FILE_TEST_EXISTS))
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
            ("catalog property: %s", catalog_path));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", err->message),
            ("catalog property: %s", catalog_path));
      g_error_free (err);
      return FALSE;
    }
    for (guint i = 0; i < catalog->warnings->len; i++)
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s",
              (gchar *) g_ptr_array_index (catalog->warnings, i)), (NULL));
  }

  g_autofree gchar *name = gc_rules_pack_name (rules, catalog);
  g_autoptr (GcRulePack) pack = gc_rulepack_load (name, NULL, &err);
  if (pack == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", err->message),
        ("rules property: %s", name));
    g_error_free (err);
    return FALSE;
  }
  /* A rule the pack has no entry for is not checked: said, not hidden. */
  for (guint i = 0; i < pack->warnings->len; i++)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s: %s", pack->path,
            (gchar *) g_ptr_array_index (pack->warnings, i)), (NULL));

  if (stream_date && !parse_date (stream_date, &date)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("stream-date \"%s\" is not a date of the form YYYY-MM-DD",
            stream_date), (NULL));
    return FALSE;
  }

  self->rules = gc_rules_new (catalog, pack);
  if (stream_date)
    gc_rules_set_stream_date (self->rules, &date);
  if (metrics && !gc_rules_load_metrics (self->rules, metrics, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        ("metrics property: %s", metrics));
    g_error_free (err);
    g_clear_pointer (&self->rules, gc_rules_free);
    return FALSE;
  }

  GcEvidenceLog *log = NULL;
  if (evidence_dir) {
    log = gc_evidence_log_open (evidence_dir, &err);
    if (log == NULL) {
      /* Evidence is worth a warning, not the stream. */
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
          ("Evidence will not be written: %s", err->message), (NULL));
      g_error_free (err);
    }
  }

  self->catalog = catalog ? gc_catalog_ref (catalog) : NULL;
  self->loaded_path = catalog ? g_strdup (catalog->path) : NULL;
  self->loaded_mtime = file_mtime (self->loaded_path);
  self->next_poll = g_get_monotonic_time () + CATALOG_POLL_US;
  self->log = log;
  g_atomic_int_set (&self->log_warned, FALSE);
  self->evidence_paths = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, g_free);
  self->current = g_ptr_array_new ();
  self->verdict_pts = GST_CLOCK_TIME_NONE;
  self->verdict_w = self->verdict_h = 0;
  if (log)
    self->image_pool = g_thread_pool_new (image_worker, self, 1, FALSE, NULL);

  GST_OBJECT_LOCK (self);
  self->started = TRUE;
  self->settings_dirty = TRUE;
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "rules %s (%s), catalog %s", pack->name,
      pack->jurisdiction, catalog_path ? catalog_path : "none");
  return TRUE;
}

static gboolean
gst_compliance_check_stop (GstBaseTransform * trans)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);

  GST_OBJECT_LOCK (self);
  self->started = FALSE;
  g_clear_pointer (&self->pending_catalog, gc_catalog_unref);
  GST_OBJECT_UNLOCK (self);

  /* Finish the images already queued: evidence is not dropped on stop. */
  if (self->image_pool) {
    g_thread_pool_free (self->image_pool, FALSE, TRUE);
    self->image_pool = NULL;
  }
  g_clear_pointer (&self->rules, gc_rules_free);
  GST_OBJECT_LOCK (self);
  g_clear_pointer (&self->pending_metrics, g_ptr_array_unref);
  GST_OBJECT_UNLOCK (self);
  g_clear_pointer (&self->catalog, gc_catalog_unref);
  g_clear_pointer (&self->loaded_path, g_free);
  g_clear_pointer (&self->refused_mtime_path, g_free);
  self->refused_mtime = 0;
  g_clear_pointer (&self->log, gc_evidence_log_close);
  g_clear_pointer (&self->evidence_paths, g_hash_table_unref);
  g_clear_pointer (&self->current, g_ptr_array_unref);
  self->have_info = FALSE;
  return TRUE;
}

static gboolean
gst_compliance_check_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);
  self->have_info = gst_video_info_from_caps (&self->info, incaps);
  if (!self->have_info)
    GST_WARNING_OBJECT (self, "caps %" GST_PTR_FORMAT " are not raw video; "
        "no evidence images", incaps);
  return TRUE;
}

static gdouble
running_seconds (GstBaseTransform * trans, GstClockTime ts)
{
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return 0.0;
  GstClockTime rt = gst_segment_to_running_time (&trans->segment,
      GST_FORMAT_TIME, ts);
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    rt = ts;
  return (gdouble) rt / GST_SECOND;
}

static void apply_metrics (GstComplianceCheck * self, gdouble t);

static GstFlowReturn
gst_compliance_check_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);

  apply_settings (self);
  poll_catalog_file (self);

  GstComplianceTextMeta *text = gst_buffer_get_compliance_text_meta (buf);
  if (text) {
    GstClockTime pts = GST_CLOCK_TIME_IS_VALID (text->pts) ? text->pts :
        GST_BUFFER_PTS (buf);
    gdouble t = running_seconds (trans, pts);
    apply_metrics (self, t);
    g_autofree GcLine *lines = g_new0 (GcLine, MAX (text->n_readings, 1));
    for (guint i = 0; i < text->n_readings; i++) {
      const GstComplianceReading *r = &text->readings[i];
      lines[i].text = r->text;
      lines[i].box = (GcBox) { r->x, r->y, r->width, r->height };
      lines[i].confidence = r->confidence;
      lines[i].struck = r->struck;
    }
    g_autoptr (GPtrArray) events =
        g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
    gc_rules_push_frame (self->rules, t, lines, text->n_readings, events);
    handle_events (self, events, buf, pts, text->frame_width,
        text->frame_height);
    refresh_current (self);
    self->verdict_pts = pts;
    self->verdict_w = text->frame_width;
    self->verdict_h = text->frame_height;
  }

  /* Every buffer carries the state as of the last analysed frame. */
  if (self->verdict_w == 0 && self->have_info) {
    self->verdict_w = GST_VIDEO_INFO_WIDTH (&self->info);
    self->verdict_h = GST_VIDEO_INFO_HEIGHT (&self->info);
  }
  /* The core verdict's parts; the bridge makes the meta (the same one
   * compliancesei turns back into the state it encodes). */
  const GcProduct *product = gc_rules_active_product (self->rules);
  gst_buffer_add_compliance_verdict_meta_from_core (buf, self->verdict_pts,
      self->verdict_w, self->verdict_h, product ? product->sku : NULL,
      product ? product->sponsor : NULL,
      gc_rules_disclosure_required (self->rules),
      gc_rules_disclosure_visible (self->rules), self->current);
  return GST_FLOW_OK;
}

static gboolean
handle_set_product (GstComplianceCheck * self, GstEvent * event)
{
  const GstStructure *s = gst_event_get_structure (event);
  if (s == NULL || !gst_structure_has_name (s, GST_COMPLIANCE_SET_PRODUCT_EVENT))
    return FALSE;

  const gchar *sku = gst_structure_get_string (s, "sku");
  GST_INFO_OBJECT (self, "set-product event: %s", GST_STR_NULL (sku));
  GST_OBJECT_LOCK (self);
  g_free (self->active_sku);
  self->active_sku = (sku && *sku) ? g_strdup (sku) : NULL;
  self->settings_dirty = TRUE;
  GST_OBJECT_UNLOCK (self);
  g_object_notify (G_OBJECT (self), "active-sku");
  gst_event_unref (event);
  return TRUE;
}

/* A "compliance-metrics" event: kept for the streaming thread, which
 * gives its figures to the rules before the next analysed frame. */
static gboolean
handle_metrics (GstComplianceCheck * self, GstEvent * event)
{
  const GstStructure *s = gst_event_get_structure (event);
  GstStructure *copy;
  gdouble t = -1;

  if (s == NULL || !gst_structure_has_name (s, GST_COMPLIANCE_METRICS_EVENT))
    return FALSE;
  copy = gst_structure_copy (s);
  /* "t" as any number (5 or 5.0); none, or not a time: the next frame's. */
  const GValue *tv = gst_structure_get_value (s, "t");
  GValue d = G_VALUE_INIT;
  g_value_init (&d, G_TYPE_DOUBLE);
  if (tv && g_value_type_transformable (G_VALUE_TYPE (tv), G_TYPE_DOUBLE)
      && g_value_transform (tv, &d))
    t = g_value_get_double (&d);
  g_value_unset (&d);
  gst_structure_set (copy, "t", G_TYPE_DOUBLE, t >= 0 ? t : -1.0, NULL);
  GST_OBJECT_LOCK (self);
  if (self->pending_metrics == NULL)
    self->pending_metrics =
        g_ptr_array_new_with_free_func ((GDestroyNotify) gst_structure_free);
  g_ptr_array_add (self->pending_metrics, copy);
  GST_OBJECT_UNLOCK (self);
  gst_event_unref (event);
  return TRUE;
}

/* Gives the figures of pending "compliance-metrics" events to the rules,
 * at their time or @t (the frame about to be analysed).  A field that is
 * not a count >= 0 is said once and skipped. */
static void
apply_metrics (GstComplianceCheck * self, gdouble t)
{
  static const gchar *const kinds[] = { "viewers", "likes", "followers" };
  GPtrArray *pending;

  GST_OBJECT_LOCK (self);
  pending = g_steal_pointer (&self->pending_metrics);
  GST_OBJECT_UNLOCK (self);
  if (pending == NULL)
    return;
  for (guint i = 0; i < pending->len; i++) {
    const GstStructure *s = g_ptr_array_index (pending, i);
    gdouble at = -1;
    guint n = 0;

    gst_structure_get_double (s, "t", &at);
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++) {
      const GValue *v = gst_structure_get_value (s, kinds[k]);
      GValue d = G_VALUE_INIT;

      if (v == NULL)
        continue;
      g_value_init (&d, G_TYPE_DOUBLE);
      if (!g_value_type_transformable (G_VALUE_TYPE (v), G_TYPE_DOUBLE)
          || !g_value_transform (v, &d)
          || !gc_rules_add_attested (self->rules, at >= 0 ? at : t, kinds[k],
              g_value_get_double (&d)))
        GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("%s event: field \"%s\" "
                "is not a count >= 0; ignored", GST_COMPLIANCE_METRICS_EVENT,
                kinds[k]), (NULL));
      else
        n++;
      g_value_unset (&d);
    }
    if (n == 0)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("%s event without a figure "
              "(expected \"viewers\", \"likes\" or \"followers\"); ignored",
              GST_COMPLIANCE_METRICS_EVENT), (NULL));
  }
  g_ptr_array_unref (pending);
}

static gboolean
gst_compliance_check_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      end_all (self, FALSE);
      break;
    case GST_EVENT_FLUSH_STOP:
      end_all (self, TRUE);
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM:
    case GST_EVENT_CUSTOM_DOWNSTREAM_OOB:
    case GST_EVENT_CUSTOM_BOTH:
    case GST_EVENT_CUSTOM_BOTH_OOB:
      if (handle_set_product (self, event) || handle_metrics (self, event))
        return TRUE;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_compliance_check_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CUSTOM_UPSTREAM:
    case GST_EVENT_CUSTOM_BOTH:
    case GST_EVENT_CUSTOM_BOTH_OOB:
      if (handle_set_product (self, event) || handle_metrics (self, event))
        return TRUE;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
gst_compliance_check_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (object);

  switch (prop_id) {
    case PROP_CATALOG:{
      const gchar *path = g_value_get_string (value);
      GST_OBJECT_LOCK (self);
      gboolean started = self->started;
      GST_OBJECT_UNLOCK (self);
      /* While running, a new catalog is loaded here, in the caller's
       * thread, and only a complete one is handed over. */
      if (started && path == NULL) {
        GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
            ("The catalog cannot be removed while running; stop the "
                "pipeline first"), (NULL));
        break;
      }
      if (started && !load_replacement (self, path))
        break;
      GST_OBJECT_LOCK (self);
      g_free (self->catalog_path);
      self->catalog_path = g_strdup (path);
      GST_OBJECT_UNLOCK (self);
      break;
    }
    case PROP_RULES:
      GST_OBJECT_LOCK (self);
      g_free (self->rules_name);
      self->rules_name = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_ACTIVE_SKU:
      GST_OBJECT_LOCK (self);
      g_free (self->active_sku);
      self->active_sku = g_value_dup_string (value);
      self->settings_dirty = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_EVIDENCE_DIR:
      GST_OBJECT_LOCK (self);
      g_free (self->evidence_dir);
      self->evidence_dir = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CONFIRM_FRAMES:
      GST_OBJECT_LOCK (self);
      self->confirm_frames = g_value_get_uint (value);
      self->settings_dirty = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LABEL_DRAWN:
      GST_OBJECT_LOCK (self);
      self->label_drawn = g_value_get_boolean (value);
      self->settings_dirty = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STREAM_DATE:
      GST_OBJECT_LOCK (self);
      g_free (self->stream_date);
      self->stream_date = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_METRICS:
      GST_OBJECT_LOCK (self);
      g_free (self->metrics_path);
      self->metrics_path = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_compliance_check_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CATALOG:
      g_value_set_string (value, self->catalog_path);
      break;
    case PROP_RULES:
      g_value_set_string (value, self->rules_name);
      break;
    case PROP_ACTIVE_SKU:
      g_value_set_string (value, self->active_sku);
      break;
    case PROP_EVIDENCE_DIR:
      g_value_set_string (value, self->evidence_dir);
      break;
    case PROP_CONFIRM_FRAMES:
      g_value_set_uint (value, self->confirm_frames);
      break;
    case PROP_LABEL_DRAWN:
      g_value_set_boolean (value, self->label_drawn);
      break;
    case PROP_STREAM_DATE:
      g_value_set_string (value, self->stream_date);
      break;
    case PROP_METRICS:
      g_value_set_string (value, self->metrics_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_check_finalize (GObject * object)
{
  GstComplianceCheck *self = GST_COMPLIANCE_CHECK (object);

  g_free (self->catalog_path);
  g_free (self->rules_name);
  g_free (self->active_sku);
  g_free (self->evidence_dir);
  g_free (self->stream_date);
  g_free (self->metrics_path);
  g_clear_pointer (&self->pending_metrics, g_ptr_array_unref);
  g_clear_pointer (&self->pending_catalog, gc_catalog_unref);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_compliance_check_class_init (GstComplianceCheckClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = gst_compliance_check_set_property;
  gobject_class->get_property = gst_compliance_check_get_property;
  gobject_class->finalize = gst_compliance_check_finalize;

  g_object_class_install_property (gobject_class, PROP_CATALOG,
      g_param_spec_string ("catalog", "Catalog",
          "Path of the seller's catalog (JSON, schema gst-compliance-catalog/1). "
          "Unset: only the catalog-free rules run. Set while playing, or "
          "changed on disk, the new catalog is swapped in whole; a bad one "
          "is refused with a warning and the old one stays",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_RULES,
      g_param_spec_string ("rules", "Rule pack",
          "Rule pack: cn, eu, us, or the path of a pack file. Unset: the "
          "catalog's jurisdiction, else cn", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ACTIVE_SKU,
      g_param_spec_string ("active-sku", "Active SKU",
          "The product on sale now; wins over the catalog schedule and the "
          "product names read on screen. Unset: schedule, then screen", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_EVIDENCE_DIR,
      g_param_spec_string ("evidence-dir", "Evidence directory",
          "Directory for the evidence log (evidence.jsonl, appended) and one "
          "PNG per confirmed violation. Unset: no evidence is written", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CONFIRM_FRAMES,
      g_param_spec_uint ("confirm-frames", "Confirm frames",
          "Analysed frames a reading must be seen on before it raises a "
          "violation (0: the rule pack's setting, 2 in the shipped packs)",
          0, 100, DEFAULT_CONFIRM_FRAMES, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LABEL_DRAWN,
      g_param_spec_boolean ("label-drawn", "Label drawn",
          "The disclosure label is drawn downstream (complianceoverlay), so "
          "disclosure.missing does not fire", DEFAULT_LABEL_DRAWN,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STREAM_DATE,
      g_param_spec_string ("stream-date", "Stream date",
          "Date the stream is held on (YYYY-MM-DD), for the reference-price "
          "window. Unset: the catalog's stream_date, else today", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_METRICS,
      g_param_spec_string ("metrics", "Attested metrics",
          "JSON-lines file of the platform's attested audience figures, one "
          "object a line: {\"t\": SECONDS, \"viewers\": N, \"likes\": N, "
          "\"followers\": N} (claim.audience_inflated; also the custom event "
          "\"" GST_COMPLIANCE_METRICS_EVENT "\"). Unset: that rule is silent. "
          "A bad file fails the state change naming its line", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Compliance checker", "Filter/Analyzer/Video",
      "Checks on-screen prices and claims against the seller's catalog and a "
      "jurisdiction's rules; attaches verdicts, posts violations, writes "
      "evidence", "gst-compliance developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_compliance_check_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_compliance_check_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_compliance_check_set_caps);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_compliance_check_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_compliance_check_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_compliance_check_src_event);
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
gst_compliance_check_init (GstComplianceCheck * self)
{
  self->confirm_frames = DEFAULT_CONFIRM_FRAMES;
  self->label_drawn = DEFAULT_LABEL_DRAWN;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
