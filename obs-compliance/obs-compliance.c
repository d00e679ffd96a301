/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* obs-compliance: the OBS Studio video filter "Compliance
 * (gst-compliance)".
 *
 * A synchronous video filter (OBS_SOURCE_VIDEO), so OBS offers it on every
 * source and on scenes.  The filter stays thin; the checking is
 * gc-monitor.c, the same OCR engine, catalog and rule packs the GStreamer
 * elements use.
 *
 * Threads and what they own:
 * - The render thread (video_render, inside OBS's graphics context) owns
 *   the texrender, the staging surface, the GcRenderer and the textures
 *   made from its pictures.  At the sampling interval, when the monitor
 *   wants a frame, it renders the filter's input into the texrender and
 *   stages it; on a later frame it maps the staging surface (the copy has
 *   finished by then, so the GPU is not waited on), hands the pixels to
 *   the monitor (a memcpy into its slot; never a read) and unmaps.  Every
 *   frame it draws its input untouched, then the disclosure label (and,
 *   in preview mode, boxes and readings) from the monitor's latest view.
 * - The monitor's worker thread reads frames, runs the rules and writes
 *   the evidence log (gc-monitor.h).
 * - update runs on OBS's video thread (OBS defers a video source's
 *   settings to its next tick), or on the UI thread from the properties
 *   window's catalog field; get_properties on the UI thread.  update
 *   parses the catalog and rule pack (a bad one is reported and the last
 *   good one kept) and stores the render settings in atomics.
 * - destroy hands the monitor to a short-lived thread that joins its
 *   worker, so removing the filter never waits for a read in progress;
 *   those threads are joined by the next destroy once done, and all of
 *   them by obs_module_unload. */
#include <obs-module.h>
#include <graphics/graphics.h>
#include <graphics/vec4.h>
#include <util/platform.h>
#include <glib.h>

#include "gc-monitor.h"
#include "gc-render.h"
#include "gc-rulepack.h"

OBS_DECLARE_MODULE ()
OBS_MODULE_USE_DEFAULT_LOCALE ("obs-compliance", "en-US")
#define T_(s) obs_module_text (s)
#define FILTER_ID "gc_compliance_filter"
#define LABEL_FONT "Noto Sans CJK SC"
#define LABEL_TEXT_ARGB 0xffffffffu
#define LABEL_PLATE_ARGB 0xcc000000u
#define BOX_ARGB 0xff00e060u
#define WARNING_ARGB 0xffe00030u
#define MARGIN_FRACTION 0.02
#define CAPTION_FRACTION 0.018
#define BANNER_FRACTION 0.028
#define MAX_BANNER_LINES 4
#define DEFAULT_INTERVAL_MS 1000

MODULE_EXPORT const char *obs_module_description (void);

/* Monitors being freed on their own threads.  Every such thread is
 * joined, never detached: obs_module_unload joins the rest before OBS
 * unmaps this library, which a detached thread could still be returning
 * through. */
typedef struct
{
  GThread *thread;
  gint done;
  gpointer monitor;
  gpointer tag;
} Reaper;

static GMutex reap_lock;
static GList *reapers;

typedef struct
{
  gint ref_count;
  gchar *name;                  /* the filter's parent, for the log */
} LogTag;

typedef struct
{
  obs_source_t *source;
  GcMonitor *monitor;
  LogTag *tag;
  uint64_t start_ns;

  /* Written by update (UI thread), read by the render thread. */
  gint interval_ms;
  gint corner;
  gint preview;

  /* The last settings error, for the properties; under lock. */
  GMutex lock;
  gchar *error;

  /* The render thread's own. */
  gs_texrender_t *texrender;
  gs_stagesurf_t *stage;
  uint32_t stage_w, stage_h;
  gboolean staged;
  uint64_t staged_frame;
  uint64_t frame;
  uint64_t last_sample_ns;
  GcRenderer *renderer;
  gchar *parent_name;           /* as last given to the monitor */
} Filter;

static void
log_tag_unref (LogTag * tag)
{
  if (g_atomic_int_dec_and_test (&tag->ref_count)) {
    g_free (tag->name);
    g_free (tag);
  }
}

static void
monitor_log (GLogLevelFlags level, const gchar * message, gpointer user_data)
{
  LogTag *tag = user_data;
  int obs_level = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL
          | G_LOG_LEVEL_WARNING)) ? LOG_WARNING : LOG_INFO;
  blog (obs_level, "[obs-compliance] '%s': %s", tag->name, message);
}

static const char *
filter_get_name (void *unused)
{
  return T_ ("Compliance");
}

/* ------------------------------------------------------------------ */
/* Settings */

static void
filter_defaults (obs_data_t * settings)
{
  obs_data_set_default_string (settings, "rules", "auto");
  obs_data_set_default_string (settings, "active_sku", "");
  obs_data_set_default_int (settings, "interval_ms", DEFAULT_INTERVAL_MS);
  obs_data_set_default_int (settings, "corner", GC_CORNER_TOP_RIGHT);
  obs_data_set_default_bool (settings, "preview", false);
  obs_data_set_default_int (settings, "engine", GC_OCR_ENGINE_AUTO);
}

static void
filter_update (void *data, obs_data_t * settings)
{
  Filter *f = data;
  obs_source_t *parent = obs_filter_get_parent (f->source);
  g_autofree gchar *source = g_strdup_printf ("obs:%s",
      parent ? obs_source_get_name (parent) : obs_source_get_name (f->source));

  g_atomic_int_set (&f->interval_ms, (gint) CLAMP (obs_data_get_int (settings,
              "interval_ms"), 100, 60000));
  g_atomic_int_set (&f->corner, (gint) CLAMP (obs_data_get_int (settings,
              "corner"), GC_CORNER_TOP_LEFT, GC_CORNER_BOTTOM_RIGHT));
  g_atomic_int_set (&f->preview, obs_data_get_bool (settings, "preview"));

  GcMonitorSettings s = {
    .catalog = obs_data_get_string (settings, "catalog"),
    .rules = obs_data_get_string (settings, "rules"),
    .active_sku = obs_data_get_string (settings, "active_sku"),
    .engine = (GcOcrEngineKind) CLAMP (obs_data_get_int (settings, "engine"),
        GC_OCR_ENGINE_AUTO, GC_OCR_ENGINE_TESSERACT),
    .evidence_dir = obs_data_get_string (settings, "evidence_dir"),
    .source = source,
  };
  GError *err = NULL;
  gboolean ok = gc_monitor_configure (f->monitor, &s, &err);
  g_mutex_lock (&f->lock);
  g_clear_pointer (&f->error, g_free);
  if (!ok) {
    f->error = g_strdup (err->message);
    blog (LOG_WARNING, "[obs-compliance] '%s': %s; the last good settings "
        "stay in force", f->tag->name, err->message);
    g_error_free (err);
  }
  g_mutex_unlock (&f->lock);
}

/* The product list: the catalog's schedule, then each product in force. */
static void
fill_products (Filter * f, obs_property_t * list)
{
  obs_property_list_clear (list);
  obs_property_list_add_string (list, T_ ("ActiveProduct.Auto"), "");
  if (f == NULL)
    return;
  g_auto (GStrv) products = gc_monitor_products (f->monitor);
  for (guint i = 0; products && products[i]; i++) {
    gchar **parts = g_strsplit (products[i], "\t", 2);
    g_autofree gchar *item = g_strdup_printf ("%s (%s)", parts[1], parts[0]);
    obs_property_list_add_string (list, item, parts[0]);
    g_strfreev (parts);
  }
}

static bool
catalog_modified (obs_properties_t * props, obs_property_t * unused,
    obs_data_t * settings)
{
  /* Apply now, so the product list below is the new catalog's. */
  Filter *f = obs_properties_get_param (props);
  if (f)
    filter_update (f, settings);

  fill_products (f, obs_properties_get (props, "active_sku"));
  return true;
}

static void
set_status (Filter * f, obs_property_t * status)
{
  g_autoptr (GcMonitorView) view = gc_monitor_view (f->monitor);
  g_mutex_lock (&f->lock);
  g_autofree gchar *text = f->error
      ? g_strdup_printf ("%s: %s. %s", T_ ("Status.SettingsError"), f->error,
      view->status)
      : g_strdup (view->status);
  gboolean error = f->error != NULL || view->state == GC_MONITOR_FAILED;
  g_mutex_unlock (&f->lock);
  obs_property_set_long_description (status, text);
  obs_property_set_description (status, text);
  obs_property_text_set_info_type (status, error ? OBS_TEXT_INFO_ERROR
      : view->violations->len > 0 ? OBS_TEXT_INFO_WARNING
      : OBS_TEXT_INFO_NORMAL);
}

static bool
refresh_clicked (obs_properties_t * props, obs_property_t * unused,
    void *data)
{
  set_status (data, obs_properties_get (props, "status"));
  return true;
}

static obs_properties_t *
filter_properties (void *data)
{
  Filter *f = data;
  obs_properties_t *props = obs_properties_create ();
  obs_properties_set_param (props, f, NULL);

  obs_property_t *p = obs_properties_add_text (props, "status", "",
      OBS_TEXT_INFO);
  if (f)
    set_status (f, p);
  obs_properties_add_button (props, "refresh", T_ ("Status.Refresh"),
      refresh_clicked);

  p = obs_properties_add_path (props, "catalog", T_ ("Catalog"),
      OBS_PATH_FILE, "Catalog (*.json);;All files (*.*)", NULL);
  obs_property_set_modified_callback (p, catalog_modified);

  p = obs_properties_add_list (props, "rules", T_ ("Rules"),
      OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
  obs_property_list_add_string (p, T_ ("Rules.Auto"), "auto");
  obs_property_list_add_string (p, T_ ("Rules.CN"), "cn");
  obs_property_list_add_string (p, T_ ("Rules.EU"), "eu");
  obs_property_list_add_string (p, T_ ("Rules.US"), "us");

  p = obs_properties_add_list (props, "active_sku", T_ ("ActiveProduct"),
      OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
  fill_products (f, p);

  p = obs_properties_add_int_slider (props, "interval_ms", T_ ("Interval"),
      250, 10000, 250);
  obs_property_int_set_suffix (p, " ms");

  p = obs_properties_add_list (props, "corner", T_ ("Corner"),
      OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_INT);
  obs_property_list_add_int (p, T_ ("Corner.TopLeft"), GC_CORNER_TOP_LEFT);
  obs_property_list_add_int (p, T_ ("Corner.TopRight"), GC_CORNER_TOP_RIGHT);
  obs_property_list_add_int (p, T_ ("Corner.BottomLeft"),
      GC_CORNER_BOTTOM_LEFT);
  obs_property_list_add_int (p, T_ ("Corner.BottomRight"),
      GC_CORNER_BOTTOM_RIGHT);

  obs_properties_add_bool (props, "preview", T_ ("Preview"));

  p = obs_properties_add_list (props, "engine", T_ ("Engine"),
      OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_INT);
  obs_property_list_add_int (p, T_ ("Engine.Auto"), GC_OCR_ENGINE_AUTO);
  obs_property_list_add_int (p, "PP-OCRv4", GC_OCR_ENGINE_PPOCR);
  obs_property_list_add_int (p, "Tesseract", GC_OCR_ENGINE_TESSERACT);

  obs_properties_add_path (props, "evidence_dir", T_ ("EvidenceDir"),
      OBS_PATH_DIRECTORY, NULL, NULL);
  return props;
}

/* ------------------------------------------------------------------ */
/* Life */

static void *
filter_create (obs_data_t * settings, obs_source_t * source)
{
  Filter *f = g_new0 (Filter, 1);
  f->source = source;
  f->start_ns = os_gettime_ns ();
  g_mutex_init (&f->lock);
  f->tag = g_new0 (LogTag, 1);
  f->tag->ref_count = 2;        /* ours, and the monitor's */
  f->tag->name = g_strdup (obs_source_get_name (source));
  f->monitor = gc_monitor_new (monitor_log, f->tag);
  filter_update (f, settings);
  return f;
}

static gpointer
reap (gpointer data)
{
  Reaper *r = data;
  gc_monitor_free (r->monitor);
  log_tag_unref (r->tag);
  g_atomic_int_set (&r->done, 1);
  return NULL;
}

/* Joins the reapers that are done (all of them with @all). */
static void
join_reapers (gboolean all)
{
  GList *join = NULL, *keep = NULL;
  g_mutex_lock (&reap_lock);
  for (GList * l = reapers; l; l = l->next) {
    Reaper *r = l->data;
    if (all || g_atomic_int_get (&r->done))
      join = g_list_prepend (join, r);
    else
      keep = g_list_prepend (keep, r);
  }
  g_list_free (reapers);
  reapers = keep;
  g_mutex_unlock (&reap_lock);
  for (GList * l = join; l; l = l->next) {
    Reaper *r = l->data;
    g_thread_join (r->thread);
    g_free (r);
  }
  g_list_free (join);
}

static void
image_texture_free (gpointer tex)
{
  gs_texture_destroy (tex);
}

static void
filter_destroy (void *data)
{
  Filter *f = data;

  obs_enter_graphics ();
  if (f->texrender)
    gs_texrender_destroy (f->texrender);
  if (f->stage)
    gs_stagesurface_destroy (f->stage);
  /* Its pictures hold textures: freed inside the graphics context. */
  g_clear_pointer (&f->renderer, gc_renderer_free);
  obs_leave_graphics ();

  /* The worker may be reading a frame: wait for it elsewhere. */
  join_reapers (FALSE);
  Reaper *r = g_new0 (Reaper, 1);
  r->monitor = f->monitor;
  r->tag = f->tag;              /* the monitor's reference */
  r->thread = g_thread_new ("gc-monitor-free", reap, r);
  g_mutex_lock (&reap_lock);
  reapers = g_list_prepend (reapers, r);
  g_mutex_unlock (&reap_lock);

  log_tag_unref (f->tag);
  g_free (f->parent_name);
  g_free (f->error);
  g_mutex_clear (&f->lock);
  g_free (f);
}

/* ------------------------------------------------------------------ */
/* Rendering (render thread, graphics context) */

/* Maps a staged copy from an earlier frame and gives it to the monitor. */
static void
hand_over (Filter * f)
{
  if (!f->staged || f->frame <= f->staged_frame)
    return;
  uint8_t *data = NULL;
  uint32_t linesize = 0;
  if (!gs_stagesurface_map (f->stage, &data, &linesize))
    return;                     /* not ready: try on the next frame */
  gc_monitor_push_frame (f->monitor, data, (gint) f->stage_w,
      (gint) f->stage_h, (gint) linesize,
      (gdouble) (os_gettime_ns () - f->start_ns) / 1e9);
  gs_stagesurface_unmap (f->stage);
  f->staged = FALSE;
}

/* Draws the filter's input, as obs_source_skip_video_filter does, but
 * with the parent and target taken once: OBS clears them when the filter
 * is removed on the UI thread while this thread renders it, and
 * obs_source_skip_video_filter reads them again (and crashed here on a
 * NULL parent).  A parent that draws with the effect it is given (an
 * image source) gets the default one; scenes and custom-drawn or async
 * sources draw themselves. */
static void
render_input (obs_source_t * parent, obs_source_t * target)
{
  uint32_t flags = obs_source_get_output_flags (parent);
  if (target == parent
      && (flags & (OBS_SOURCE_CUSTOM_DRAW | OBS_SOURCE_ASYNC)) == 0)
    obs_source_default_render (target);
  else
    obs_source_video_render (target);
}

/* Renders the filter's input into the texrender and stages it. */
static void
take_sample (Filter * f, obs_source_t * parent, obs_source_t * target,
    uint32_t w, uint32_t h)
{
  if (f->texrender == NULL)
    f->texrender = gs_texrender_create (GS_RGBA, GS_ZS_NONE);
  if (f->stage == NULL || f->stage_w != w || f->stage_h != h) {
    if (f->stage)
      gs_stagesurface_destroy (f->stage);
    f->stage = gs_stagesurface_create (w, h, GS_RGBA);
    f->stage_w = w;
    f->stage_h = h;
    f->staged = FALSE;
  }
  gs_texrender_reset (f->texrender);
  if (!gs_texrender_begin (f->texrender, w, h))
    return;
  struct vec4 clear;
  vec4_zero (&clear);
  gs_clear (GS_CLEAR_COLOR, &clear, 0.0f, 0);
  gs_ortho (0.0f, (float) w, 0.0f, (float) h, -100.0f, 100.0f);
  gs_blend_state_push ();
  gs_blend_function (GS_BLEND_ONE, GS_BLEND_ZERO);
  render_input (parent, target);
  gs_blend_state_pop ();
  gs_texrender_end (f->texrender);

  gs_stage_texture (f->stage, gs_texrender_get_texture (f->texrender));
  f->staged = TRUE;
  f->staged_frame = f->frame;
}

/* Draws @img (premultiplied BGRA) with its top-left corner at @x, @y. */
static void
draw_image (GcImage * img, gint x, gint y)
{
  gs_texture_t *tex = img->user_data;
  if (tex == NULL) {
    const uint8_t *planes[1] = { img->data };
    tex = gs_texture_create ((uint32_t) img->width, (uint32_t) img->height,
        GS_BGRA, 1, planes, 0);
    if (tex == NULL)
      return;
    gc_image_set_user_data (img, tex, image_texture_free);
  }
  gs_effect_t *effect = obs_get_base_effect (OBS_EFFECT_DEFAULT);
  gs_effect_set_texture (gs_effect_get_param_by_name (effect, "image"), tex);
  gs_matrix_push ();
  gs_matrix_translate3f ((float) x, (float) y, 0.0f);
  while (gs_effect_loop (effect, "Draw"))
    gs_draw_sprite (tex, 0, (uint32_t) img->width, (uint32_t) img->height);
  gs_matrix_pop ();
}

static void
draw_verdict (Filter * f, GcMonitorView * view, gint W, gint H)
{
  gboolean preview = g_atomic_int_get (&f->preview);
  if (view->state != GC_MONITOR_CHECKING)
    return;
  if (view->label == NULL && !preview)
    return;
  if (f->renderer == NULL)
    f->renderer = gc_renderer_new ();

  gint margin = (gint) lround (MARGIN_FRACTION * H);
  gint fw = view->frame_width > 0 ? view->frame_width : W;
  gint fh = view->frame_height > 0 ? view->frame_height : H;
  const bool srgb = gs_framebuffer_srgb_enabled ();
  gs_enable_framebuffer_srgb (false);
  gs_blend_state_push ();
  gs_blend_function (GS_BLEND_ONE, GS_BLEND_INVSRCALPHA);

  if (preview) {
    gint caption_px = MAX (10, (gint) lround (CAPTION_FRACTION * H));
    for (guint i = 0; i < view->readings->len; i++) {
      const GcMonitorReading *r =
          &g_array_index (view->readings, GcMonitorReading, i);
      gint x = r->box.x * W / fw, y = r->box.y * H / fh;
      gint w = MAX (1, r->box.w * W / fw), h = MAX (1, r->box.h * H / fh);
      gint bx, by;
      GcImage *img = gc_render_box (f->renderer, w, h, MAX (2, H / 360),
          BOX_ARGB, r->text, LABEL_FONT, caption_px, W / 2, &bx, &by);
      if (img) {
        draw_image (img, x - bx, y - by);
        gc_image_unref (img);
      }
    }
    for (guint i = 0; i < view->violations->len; i++) {
      const GcViolation *v = g_ptr_array_index (view->violations, i);
      if (v->box.w <= 0 || v->box.h <= 0)
        continue;
      gint bx, by;
      GcImage *img = gc_render_box (f->renderer, MAX (1, v->box.w * W / fw),
          MAX (1, v->box.h * H / fh), MAX (3, H / 240), WARNING_ARGB,
          v->rule, LABEL_FONT, caption_px, W / 2, &bx, &by);
      if (img) {
        draw_image (img, v->box.x * W / fw - bx, v->box.y * H / fh - by);
        gc_image_unref (img);
      }
    }
  }

  gint corner = g_atomic_int_get (&f->corner);
  if (preview && view->violations->len > 0) {
    /* The warnings, across the side opposite the label. */
    gboolean zh = view->chinese;
    guint n = view->violations->len, shown = MIN (n, MAX_BANNER_LINES);
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (lines, g_strdup (zh ? "⚠ 合规提示（预览模式）" :
            "⚠ Compliance warnings (preview mode)"));
    for (guint i = 0; i < shown; i++) {
      const GcViolation *v = g_ptr_array_index (view->violations, i);
      g_ptr_array_add (lines, gc_rule_warning_line (v->rule, v->observed,
              v->declared, zh));
    }
    if (n > shown)
      g_ptr_array_add (lines, g_strdup_printf (zh ? "另有 %u 项" :
              "+%u more", n - shown));
    GcStyle style = { LABEL_FONT, 0xffffffffu, WARNING_ARGB };
    gc_style_enforce_contrast (&style, 4.5);
    GcImage *img = gc_render_block (f->renderer,
        (const gchar * const *) lines->pdata, lines->len, 1.0, &style,
        MAX (10, (gint) lround (BANNER_FRACTION * H)),
        MAX (1, W - 2 * margin));
    if (img) {
      gboolean top = corner == GC_CORNER_TOP_LEFT
          || corner == GC_CORNER_TOP_RIGHT;
      draw_image (img, MAX (0, (W - img->width) / 2),
          top ? MAX (0, H - margin - img->height) : margin);
      gc_image_unref (img);
    }
  }

  if (view->label) {
    GcStyle style = { LABEL_FONT, LABEL_TEXT_ARGB, LABEL_PLATE_ARGB };
    gc_style_enforce_contrast (&style, view->label_min_contrast);
    gint px = MAX (1, (gint) ceil (view->label_min_height * H));
    GcImage *label = gc_render_label (f->renderer, view->label, &style, px,
        MAX (1, W - 2 * margin));
    if (label) {
      gint x, y;
      gc_render_place ((GcCorner) corner, W, H,
          label->width, label->height, margin, 0, &x, &y);
      draw_image (label, x, y);
      gc_image_unref (label);
    }
  }

  gs_blend_state_pop ();
  gs_enable_framebuffer_srgb (srgb);
  gc_renderer_end_frame (f->renderer);
}

static void
filter_render (void *data, gs_effect_t * unused)
{
  Filter *f = data;
  obs_source_t *parent = obs_filter_get_parent (f->source);
  obs_source_t *target = obs_filter_get_target (f->source);
  /* Being removed: nothing to draw into. */
  if (parent == NULL || target == NULL)
    return;
  target = obs_source_get_ref (target);
  if (target == NULL)
    return;
  uint32_t w = obs_source_get_base_width (target);
  uint32_t h = obs_source_get_base_height (target);

  f->frame++;
  /* Evidence lines name the parent; it is known only once the filter is
   * on one, and may be renamed. */
  const char *name = obs_source_get_name (parent);
  if (name && g_strcmp0 (name, f->parent_name) != 0) {
    g_free (f->parent_name);
    f->parent_name = g_strdup (name);
    g_autofree gchar *source = g_strdup_printf ("obs:%s", name);
    gc_monitor_set_source (f->monitor, source);
  }
  if (w > 0 && h > 0) {
    hand_over (f);
    uint64_t now = os_gettime_ns ();
    uint64_t interval =
        (uint64_t) g_atomic_int_get (&f->interval_ms) * 1000000u;
    if (!f->staged && now - f->last_sample_ns >= interval
        && gc_monitor_wants_frame (f->monitor)) {
      take_sample (f, parent, target, w, h);
      f->last_sample_ns = now;
    }
  }

  render_input (parent, target);
  obs_source_release (target);

  if (w > 0 && h > 0) {
    g_autoptr (GcMonitorView) view = gc_monitor_view (f->monitor);
    draw_verdict (f, view, (gint) w, (gint) h);
  }
}

static uint32_t
filter_width (void *data)
{
  Filter *f = data;
  obs_source_t *target = obs_filter_get_target (f->source);
  return target ? obs_source_get_base_width (target) : 0;
}

static uint32_t
filter_height (void *data)
{
  Filter *f = data;
  obs_source_t *target = obs_filter_get_target (f->source);
  return target ? obs_source_get_base_height (target) : 0;
}

/* ------------------------------------------------------------------ */
/* Module */

const char *
obs_module_description (void)
{
  return "Checks what a source shows against the seller's catalog and the "
      "advertising rules, and draws the required disclosure label "
      "(gst-compliance).";
}

bool
obs_module_load (void)
{
  struct obs_source_info info = {
    .id = FILTER_ID,
    .type = OBS_SOURCE_TYPE_FILTER,
    .output_flags = OBS_SOURCE_VIDEO,
    .get_name = filter_get_name,
    .create = filter_create,
    .destroy = filter_destroy,
    .get_defaults = filter_defaults,
    .get_properties = filter_properties,
    .update = filter_update,
    .video_render = filter_render,
    .get_width = filter_width,
    .get_height = filter_height,
  };
  obs_register_source (&info);
  blog (LOG_INFO, "[obs-compliance] loaded (gst-compliance %s)",
      GC_VERSION);
  return true;
}

void
obs_module_unload (void)
{
  join_reapers (TRUE);
}
