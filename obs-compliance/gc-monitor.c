/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance monitor: see gc-monitor.h for what it does and which
 * thread owns what. */
#include "gc-monitor.h"

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "gc-error.h"
#include "gc-catalog.h"
#include "gc-rulepack.h"
#include "gc-evidence.h"
#include "gc-ocr-loader.h"
#include "gc-render.h"

/* What gc_monitor_configure parsed, handed to the worker. */
typedef struct
{
  GcCatalog *catalog;
  GcRulePack *pack;
  gchar *pack_name;
  gchar *active_sku;
  GcOcrEngineKind engine;
  GcEvidenceLog *log;           /* NULL: none */
  gchar *evidence_dir;
  gchar *source;
} Config;

static void
config_free (Config *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->catalog, gc_catalog_unref);
  g_clear_pointer (&c->pack, gc_rulepack_unref);
  g_free (c->pack_name);
  g_free (c->active_sku);
  g_clear_pointer (&c->log, gc_evidence_log_close);
  g_free (c->evidence_dir);
  g_free (c->source);
  g_free (c);
}

struct _GcMonitor
{
  GcMonitorLogFunc log_func;
  gpointer log_data;
  GThread *thread;

  /* Under lock: */
  GMutex lock;
  GCond cond;
  gboolean stop;
  Config *pending;              /* settings the worker has not taken yet */
  gboolean configured;          /* a catalog was given */
  gboolean failed;              /* the engine could not start */
  guint8 *frame;                /* the slot: R, G, B, A rows, stride width * 4 */
  gsize frame_size;
  gint frame_w, frame_h;
  gdouble frame_t;
  gboolean frame_full;
  gboolean busy;                /* the worker is reading a frame */
  guint64 dropped;
  GcMonitorView *view;
  GcCatalog *catalog;           /* the catalog in force (for the UI's list) */
  gchar *source;                /* gc_monitor_set_source's, else the settings' */

  /* The worker's own: */
  Config *config;
  GcRules *rules;
  const GcOcrApi *api;
  GcOcrEngine *engine;
  GcOcrTracker *tracker;
  gchar *engine_languages;
  GcOcrEngineKind engine_kind;
  gchar *engine_error;
  guint8 *work;                 /* the frame being read */
  gsize work_size;
  GHashTable *evidence_paths;   /* violation id -> image path */
  guint64 analysed;
};

static void
say (GcMonitor *m, GLogLevelFlags level, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
say (GcMonitor *m, GLogLevelFlags level, const gchar *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree gchar *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (m->log_func)
    m->log_func (level, msg, m->log_data);
}

/* ------------------------------------------------------------------ */
/* Views */

GcMonitorView *
gc_monitor_view_ref (GcMonitorView *view)
{
  g_atomic_int_inc (&view->ref_count);
  return view;
}

static void
reading_clear (gpointer p)
{
  g_free (((GcMonitorReading *) p)->text);
}

void
gc_monitor_view_unref (GcMonitorView *view)
{
  if (view == NULL || !g_atomic_int_dec_and_test (&view->ref_count))
    return;
  g_free (view->status);
  g_free (view->label);
  g_ptr_array_unref (view->violations);
  g_array_unref (view->readings);
  g_free (view);
}

static GcMonitorView *
view_new (GcMonitorState state, const gchar *status)
{
  GcMonitorView *v = g_new0 (GcMonitorView, 1);
  v->ref_count = 1;
  v->state = state;
  v->status = g_strdup (status);
  v->violations =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_violation_unref);
  v->readings = g_array_new (FALSE, TRUE, sizeof (GcMonitorReading));
  g_array_set_clear_func (v->readings, reading_clear);
  return v;
}

/* Takes @view; the caller holds the lock. */
static void
publish_locked (GcMonitor *m, GcMonitorView *view)
{
  view->dropped = m->dropped;
  g_clear_pointer (&m->view, gc_monitor_view_unref);
  m->view = view;
}

static void
publish (GcMonitor *m, GcMonitorView *view)
{
  g_mutex_lock (&m->lock);
  publish_locked (m, view);
  g_mutex_unlock (&m->lock);
}

GcMonitorView *
gc_monitor_view (GcMonitor *m)
{
  g_mutex_lock (&m->lock);
  GcMonitorView *v = gc_monitor_view_ref (m->view);
  g_mutex_unlock (&m->lock);
  return v;
}

/* ------------------------------------------------------------------ */
/* Settings (any thread) */

static gboolean
empty (const gchar *s)
{
  return s == NULL || *s == '\0';
}

gboolean
gc_monitor_configure (GcMonitor *m, const GcMonitorSettings *s,
    GError **error)
{
  g_return_val_if_fail (m != NULL && s != NULL, FALSE);

  if (empty (s->catalog)) {
    g_mutex_lock (&m->lock);
    config_free (m->pending);
    /* An empty config: the worker ends what is open and stops checking. */
    m->pending = g_new0 (Config, 1);
    m->configured = FALSE;
    m->frame_full = FALSE;
    g_clear_pointer (&m->catalog, gc_catalog_unref);
    publish_locked (m, view_new (GC_MONITOR_IDLE,
            "No catalog: choose the catalog file of the products on sale"));
    g_cond_broadcast (&m->cond);
    g_mutex_unlock (&m->lock);
    return TRUE;
  }

  g_autoptr (GcCatalog) catalog = gc_catalog_load_file (s->catalog, error);
  if (catalog == NULL)
    return FALSE;
  const gchar *rules = empty (s->rules)
      || g_strcmp0 (s->rules, "auto") == 0 ? NULL : s->rules;
  g_autofree gchar *pack_name = gc_rules_pack_name (rules, catalog);
  g_autoptr (GcRulePack) pack = gc_rulepack_load (pack_name, NULL, error);
  if (pack == NULL)
    return FALSE;
  if (!empty (s->active_sku) && gc_catalog_find (catalog, s->active_sku) == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
        "%s: no product with sku \"%s\"", s->catalog, s->active_sku);
    return FALSE;
  }

  Config *c = g_new0 (Config, 1);
  if (!empty (s->evidence_dir)) {
    c->log = gc_evidence_log_open (s->evidence_dir, error);
    if (c->log == NULL) {
      g_free (c);
      return FALSE;
    }
    c->evidence_dir = g_strdup (s->evidence_dir);
  }
  c->catalog = g_steal_pointer (&catalog);
  c->pack = g_steal_pointer (&pack);
  c->pack_name = g_steal_pointer (&pack_name);
  c->active_sku = empty (s->active_sku) ? NULL : g_strdup (s->active_sku);
  c->engine = s->engine;
  c->source = g_strdup (s->source ? s->source : "obs");

  for (guint i = 0; i < c->catalog->warnings->len; i++)
    say (m, G_LOG_LEVEL_WARNING, "%s: %s", s->catalog,
        (const gchar *) g_ptr_array_index (c->catalog->warnings, i));

  g_mutex_lock (&m->lock);
  config_free (m->pending);
  m->pending = c;
  if (m->catalog != c->catalog) {
    g_clear_pointer (&m->catalog, gc_catalog_unref);
    m->catalog = gc_catalog_ref (c->catalog);
  }
  if (!m->configured || m->failed) {
    /* A new engine may be asked for: let the worker try again. */
    m->failed = FALSE;
    publish_locked (m, view_new (GC_MONITOR_STARTING,
            "Starting: the OCR engine loads with the first frame"));
  }
  m->configured = TRUE;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  return TRUE;
}

void
gc_monitor_set_source (GcMonitor *m, const gchar *source)
{
  g_mutex_lock (&m->lock);
  if (g_strcmp0 (m->source, source) != 0) {
    g_free (m->source);
    m->source = g_strdup (source);
  }
  g_mutex_unlock (&m->lock);
}

/* The name evidence lines give the source (worker). */
static gchar *
source_name (GcMonitor *m)
{
  g_mutex_lock (&m->lock);
  gchar *name = g_strdup (m->source ? m->source : m->config->source);
  g_mutex_unlock (&m->lock);
  return name;
}

gchar **
gc_monitor_products (GcMonitor *m)
{
  GPtrArray *out = g_ptr_array_new ();
  g_mutex_lock (&m->lock);
  if (m->catalog) {
    for (guint i = 0; i < m->catalog->products->len; i++) {
      const GcProduct *p = g_ptr_array_index (m->catalog->products, i);
      g_ptr_array_add (out, g_strdup_printf ("%s\t%s", p->sku,
              p->name ? p->name : p->sku));
    }
  }
  g_mutex_unlock (&m->lock);
  g_ptr_array_add (out, NULL);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Frames (any thread) */

gboolean
gc_monitor_wants_frame (GcMonitor *m)
{
  g_mutex_lock (&m->lock);
  gboolean wants = m->configured && !m->failed && !m->frame_full && !m->busy;
  g_mutex_unlock (&m->lock);
  return wants;
}

gboolean
gc_monitor_push_frame (GcMonitor *m, const guint8 *rgba, gint width,
    gint height, gint stride, gdouble t)
{
  g_return_val_if_fail (rgba != NULL && width > 0 && height > 0
      && stride >= width * 4, FALSE);

  g_mutex_lock (&m->lock);
  if (!m->configured || m->failed || m->stop) {
    g_mutex_unlock (&m->lock);
    return FALSE;
  }
  if (m->frame_full || m->busy) {
    m->dropped++;
    g_mutex_unlock (&m->lock);
    return FALSE;
  }
  gsize size = (gsize) width * 4 * height;
  if (m->frame_size < size) {
    g_free (m->frame);
    m->frame = g_malloc (size);
    m->frame_size = size;
  }
  for (gint y = 0; y < height; y++)
    memcpy (m->frame + (gsize) y * width * 4, rgba + (gsize) y * stride,
        (gsize) width * 4);
  m->frame_w = width;
  m->frame_h = height;
  m->frame_t = t;
  m->frame_full = TRUE;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  return TRUE;
}

gboolean
gc_monitor_wait_idle (GcMonitor *m, gint64 timeout_us)
{
  gint64 end = g_get_monotonic_time () + timeout_us;
  gboolean idle = TRUE;
  g_mutex_lock (&m->lock);
  while (m->frame_full || m->busy || m->pending) {
    if (!g_cond_wait_until (&m->cond, &m->lock, end)) {
      idle = FALSE;
      break;
    }
  }
  g_mutex_unlock (&m->lock);
  return idle;
}

/* ------------------------------------------------------------------ */
/* The worker */

/* TRUE when the image is written and the log refers to it. */
static gboolean
write_evidence_image (GcMonitor *m, const GcViolation *v, const gchar *name,
    const gchar *source, gint w, gint h)
{
  GcEvidenceLog *log = m->config->log;
  g_autofree gchar *path = gc_evidence_log_temp_path (log, name);
  cairo_surface_t *surface =
      cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_surface_flush (surface);
  guint8 *dst = cairo_image_surface_get_data (surface);
  gint dstride = cairo_image_surface_get_stride (surface);
  for (gint y = 0; y < h; y++) {
    const guint8 *s = m->work + (gsize) y * w * 4;
    guint32 *d = (guint32 *) (dst + (gsize) y * dstride);
    for (gint x = 0; x < w; x++)
      d[x] = 0xff000000u | ((guint32) s[4 * x] << 16)
          | ((guint32) s[4 * x + 1] << 8) | s[4 * x + 2];
  }
  cairo_surface_mark_dirty (surface);
  cairo_status_t st = gc_render_evidence_png (surface, v->box.x, v->box.y,
      v->box.w, v->box.h, path);
  cairo_surface_destroy (surface);
  GError *err = NULL;
  if (st != CAIRO_STATUS_SUCCESS) {
    g_unlink (path);
    say (m, G_LOG_LEVEL_WARNING, "Could not write evidence image %s: %s",
        path, cairo_status_to_string (st));
    return FALSE;
  }
  if (!gc_evidence_log_commit (log, name, v, source, &err)) {
    say (m, G_LOG_LEVEL_WARNING, "Could not write evidence image %s: %s",
        name, err->message);
    g_error_free (err);
    return FALSE;
  }
  return TRUE;
}

/* Logs @events and writes their evidence; @w, @h: the frame in m->work,
 * 0 when there is none (the violations are ended without a frame). */
static void
handle_events (GcMonitor *m, GPtrArray *events, gint w, gint h)
{
  for (guint i = 0; i < events->len; i++) {
    GcEvent *ev = g_ptr_array_index (events, i);
    GcViolation *v = ev->violation;
    gboolean start = ev->type == GC_EVENT_START;
    GcEvidenceLog *log = m->config ? m->config->log : NULL;

    if (log) {
      GError *err = NULL;
      g_autofree gchar *source = source_name (m);
      if (!gc_evidence_log_append (log, ev, source, &err)) {
        say (m, G_LOG_LEVEL_WARNING,
            "Could not write the evidence log; checking goes on: %s",
            err->message);
        g_error_free (err);
      }
      if (start && w > 0) {
        g_autofree gchar *name = gc_evidence_image_name (log, v);
        /* The view names the image only once it exists. */
        if (write_evidence_image (m, v, name, source, w, h))
          g_hash_table_insert (m->evidence_paths, g_memdup2 (&v->id,
                  sizeof v->id), g_build_filename (gc_evidence_log_dir (log),
                  name, NULL));
      } else if (!start) {
        g_hash_table_remove (m->evidence_paths, &v->id);
      }
    }
    say (m, start ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE,
        "%s %s: sku=%s observed=%s declared=%s (%s) t=%.1f-%.1f s",
        start ? "violation" : "violation ended", v->rule,
        v->sku ? v->sku : "-", v->observed ? v->observed : "-",
        v->declared ? v->declared : "-", v->legal_ref ? v->legal_ref : "",
        v->t_start, v->t_end);
  }
}

static void
end_rules (GcMonitor *m)
{
  if (m->rules == NULL)
    return;
  g_autoptr (GPtrArray) events =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  gc_rules_finish (m->rules, events);
  handle_events (m, events, 0, 0);
  g_clear_pointer (&m->rules, gc_rules_free);
}

/* Takes @c as the settings in force (worker). */
static void
apply_config (GcMonitor *m, Config *c)
{
  if (c->catalog == NULL) {
    end_rules (m);
    g_clear_pointer (&m->config, config_free);
    config_free (c);
    return;
  }
  gboolean same_pack = m->rules && m->config
      && g_strcmp0 (m->config->pack_name, c->pack_name) == 0;
  gboolean same_log = m->config && g_strcmp0 (m->config->evidence_dir,
      c->evidence_dir) == 0;
  if (same_pack && same_log) {
    g_autoptr (GPtrArray) events =
        g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
    gc_rules_set_catalog (m->rules, c->catalog, events);
    handle_events (m, events, 0, 0);
  } else {
    end_rules (m);
    m->rules = gc_rules_new (c->catalog, c->pack);
    g_hash_table_remove_all (m->evidence_paths);
  }
  if (same_log && m->config && m->config->log) {
    /* Keep the open log (and its run id); drop the one just opened. */
    g_clear_pointer (&c->log, gc_evidence_log_close);
    c->log = g_steal_pointer (&m->config->log);
  }
  /* The filter draws the label whenever the pack asks for one. */
  gc_rules_set_label_drawn (m->rules, TRUE);
  gc_rules_set_active_sku (m->rules, c->active_sku);
  g_clear_pointer (&m->config, config_free);
  m->config = c;
}

/* Creates the engine the settings ask for, if it is not the one there is.
 * FALSE (and m->engine_error) when it cannot start. */
static gboolean
ensure_engine (GcMonitor *m)
{
  const gchar *languages = gc_catalog_reading_languages (m->config->catalog);
  if (m->engine && m->engine_kind == m->config->engine
      && g_strcmp0 (m->engine_languages, languages) == 0)
    return TRUE;

  if (m->engine) {
    m->api->tracker_free (m->tracker);
    m->api->engine_free (m->engine);
    m->tracker = NULL;
    m->engine = NULL;
  }
  g_clear_pointer (&m->engine_error, g_free);

  GError *err = NULL;
  if (m->api == NULL) {
    const GcOcrLoadInfo *info = gc_ocr_loader_load (&err);
    if (info == NULL) {
      m->engine_error = g_strdup_printf ("OCR engine library: %s",
          err->message);
      g_error_free (err);
      return FALSE;
    }
    m->api = info->api;
  }
  GcOcrConfig config;
  m->api->config_init (&config);
  config.engine = m->config->engine;
  config.languages = languages;
  config.threads = 1;
  m->engine = m->api->engine_new (&config, &err);
  if (m->engine == NULL) {
    m->engine_error = g_strdup_printf ("OCR engine: %s", err->message);
    g_error_free (err);
    return FALSE;
  }
  m->tracker = m->api->tracker_new ();
  m->engine_kind = m->config->engine;
  g_free (m->engine_languages);
  m->engine_languages = g_strdup (languages);
  say (m, G_LOG_LEVEL_MESSAGE, "%s", m->api->engine_describe (m->engine));
  return TRUE;
}

static GcMonitorView *
make_view (GcMonitor *m, GPtrArray *lines, gint w, gint h)
{
  GcMonitorView *v = view_new (GC_MONITOR_CHECKING, NULL);
  const GcRulePack *pack = m->config->pack;
  v->frame_width = w;
  v->frame_height = h;
  v->analysed = m->analysed;
  v->label_min_height = pack->label_min_height;
  v->label_min_contrast = pack->label_min_contrast;
  v->chinese = pack->default_language
      && g_ascii_strncasecmp (pack->default_language, "zh", 2) == 0;
  if (gc_rules_disclosure_required (m->rules)) {
    const GcProduct *p = gc_rules_active_product (m->rules);
    const gchar *sponsor = p && !empty (p->sponsor) ? p->sponsor : NULL;
    v->label = gc_rulepack_format_label (pack, NULL, sponsor, TRUE);
  }
  /* Copies, ours to complete with the evidence image's path. */
  g_ptr_array_unref (v->violations);
  v->violations = gc_rules_active_violations (m->rules);
  for (guint i = 0; i < v->violations->len; i++) {
    GcViolation *viol = g_ptr_array_index (v->violations, i);
    const gchar *path = g_hash_table_lookup (m->evidence_paths, &viol->id);
    if (path && viol->evidence == NULL)
      viol->evidence = g_strdup (path);
  }
  for (guint i = 0; lines && i < lines->len; i++) {
    const GcOcrLine *l = g_ptr_array_index (lines, i);
    GcMonitorReading r = { g_strdup (l->text),
      { l->box.x, l->box.y, l->box.width, l->box.height } };
    g_array_append_val (v->readings, r);
  }

  const GcProduct *p = gc_rules_active_product (m->rules);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s rules, product %s: ", m->config->pack_name,
      p ? p->sku : "none on screen");
  if (v->violations->len == 0) {
    g_string_append (s, "no violation open");
  } else {
    g_string_append_printf (s, "%u violation%s open:", v->violations->len,
        v->violations->len == 1 ? "" : "s");
    for (guint i = 0; i < v->violations->len && i < 3; i++) {
      const GcViolation *viol = g_ptr_array_index (v->violations, i);
      g_string_append_printf (s, " %s%s%s%s", viol->rule,
          viol->observed ? " (" : "", viol->observed ? viol->observed : "",
          viol->observed ? ")" : "");
    }
  }
  g_string_append_printf (s, "; %" G_GUINT64_FORMAT " frames read", m->analysed);
  v->status = g_string_free (s, FALSE);
  return v;
}

static void
read_work (GcMonitor *m, gint w, gint h, gdouble t)
{
  GcOcrFrame frame = { m->work, GC_OCR_FORMAT_RGBX, w, h, w * 4 };
  GError *err = NULL;
  g_autoptr (GPtrArray) lines = m->api->read_frame (m->engine, &frame,
      m->tracker, &err);
  if (lines == NULL) {
    say (m, G_LOG_LEVEL_WARNING, "OCR: frame %dx%d not read: %s", w, h,
        err->message);
    g_error_free (err);
    return;
  }
  m->analysed++;
  g_autofree GcLine *gl = g_new0 (GcLine, MAX (lines->len, 1));
  for (guint i = 0; i < lines->len; i++) {
    const GcOcrLine *l = g_ptr_array_index (lines, i);
    gl[i].text = l->text;
    gl[i].box = (GcBox) { l->box.x, l->box.y, l->box.width, l->box.height };
    gl[i].confidence = l->confidence;
    gl[i].struck = l->struck;
  }
  g_autoptr (GPtrArray) events =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  gc_rules_push_frame (m->rules, t, gl, lines->len, events);
  handle_events (m, events, w, h);
  publish (m, make_view (m, lines, w, h));
}

static gpointer
worker (gpointer data)
{
  GcMonitor *m = data;

  g_mutex_lock (&m->lock);
  for (;;) {
    while (!m->stop && m->pending == NULL && !m->frame_full)
      g_cond_wait (&m->cond, &m->lock);
    if (m->stop)
      break;
    Config *c = g_steal_pointer (&m->pending);
    gboolean have_frame = m->frame_full;
    gint w = m->frame_w, h = m->frame_h;
    gdouble t = m->frame_t;
    if (have_frame) {
      /* Swap buffers: the slot is free again as soon as we unlock. */
      guint8 *tmp = m->work;
      gsize tmp_size = m->work_size;
      m->work = m->frame;
      m->work_size = m->frame_size;
      m->frame = tmp;
      m->frame_size = tmp_size;
      m->frame_full = FALSE;
      m->busy = TRUE;
    }
    g_mutex_unlock (&m->lock);

    if (c)
      apply_config (m, c);
    gboolean failed = FALSE;
    if (have_frame && m->config && m->rules) {
      if (ensure_engine (m)) {
        read_work (m, w, h, t);
      } else {
        failed = TRUE;
        say (m, G_LOG_LEVEL_WARNING,
            "%s; the source is left untouched and nothing is checked",
            m->engine_error);
      }
    }

    g_mutex_lock (&m->lock);
    m->busy = FALSE;
    if (failed) {
      m->failed = TRUE;
      g_autofree gchar *status = g_strdup_printf ("Not checking: %s",
          m->engine_error);
      publish_locked (m, view_new (GC_MONITOR_FAILED, status));
    }
    g_cond_broadcast (&m->cond);
  }
  g_mutex_unlock (&m->lock);

  end_rules (m);
  return NULL;
}

GcMonitor *
gc_monitor_new (GcMonitorLogFunc log, gpointer user_data)
{
  GcMonitor *m = g_new0 (GcMonitor, 1);
  m->log_func = log;
  m->log_data = user_data;
  g_mutex_init (&m->lock);
  g_cond_init (&m->cond);
  m->evidence_paths = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, g_free);
  m->view = view_new (GC_MONITOR_IDLE,
      "No catalog: choose the catalog file of the products on sale");
  m->thread = g_thread_new ("gc-monitor", worker, m);
  return m;
}

void
gc_monitor_free (GcMonitor *m)
{
  if (m == NULL)
    return;
  g_mutex_lock (&m->lock);
  m->stop = TRUE;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  g_thread_join (m->thread);

  if (m->engine) {
    m->api->tracker_free (m->tracker);
    m->api->engine_free (m->engine);
  }
  config_free (m->config);
  config_free (m->pending);
  g_clear_pointer (&m->catalog, gc_catalog_unref);
  g_clear_pointer (&m->view, gc_monitor_view_unref);
  g_free (m->source);
  g_hash_table_unref (m->evidence_paths);
  g_free (m->engine_languages);
  g_free (m->engine_error);
  g_free (m->frame);
  g_free (m->work);
  g_mutex_clear (&m->lock);
  g_cond_clear (&m->cond);
  g_free (m);
}
