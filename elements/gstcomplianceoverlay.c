/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-complianceoverlay
 * @title: complianceoverlay
 *
 * Draws into the picture what compliancecheck concluded
 * (#GstComplianceVerdictMeta) and, in preview, what complianceocr read
 * (#GstComplianceTextMeta):
 *
 * - the disclosure label while the verdict says a disclosure is required
 *   (a sponsored product is active): the rule pack's words for the
 *   jurisdiction (广告 / Ad / "sponsored by" with the sponsor from the
 *   verdict, else from the catalog), its characters at least the pack's
 *   label_min_height of the frame height high, on a plate whose contrast
 *   with the text meets the pack's label_min_contrast (colours that do not
 *   are corrected, with a warning), in #GstComplianceOverlay:corner;
 * - with #GstComplianceOverlay:show-card, a product card under the label:
 *   the declared name, price and seller from #GstComplianceOverlay:catalog;
 * - masks over the boxes of the violations active now
 *   (#GstComplianceOverlay:mask);
 * - in preview mode only, a warnings banner (rule, what is on screen and
 *   what was declared, in #GstComplianceOverlay:language) and a box around
 *   every reading with its text.
 *
 * Mode review is for a QA reviewer's copy of a recording
 * (gst-compliance-scan --annotated): the reading boxes, an outline with
 * the rule around each violation's box, the banner, and nothing else: no
 * label, card or mask, so the picture shows what the stream showed.
 *
 * Text from OCR and from the catalog is always drawn as plain text, never
 * as Pango markup; invalid UTF-8 is replaced and overlong text ellipsized.
 *
 * The label and the masks follow the verdict meta of each frame (its
 * sponsor, whether a disclosure is required, its violations), so behind a
 * compliancecheck the picture changes in the frame the verdict does; the
 * overlay's own #GstComplianceOverlay:catalog only fills in what the
 * verdict does not carry (the card, a sponsor the verdict lacks) and lets
 * the overlay work alone.  Set while playing (compliancebin sets both), the
 * catalog is loaded at once and used from the next frame.
 * #GstComplianceOverlay:label says what label the last frame got.
 *
 * Compositing follows GStreamer's overlay elements: the pictures form a
 * #GstVideoOverlayComposition.  When the output caps carry the
 * "meta:GstVideoOverlayComposition" feature and downstream lists
 * #GstVideoOverlayCompositionMeta in its allocation query (glimagesink,
 * for instance), the composition is attached to the buffer and downstream
 * draws it; otherwise — encoders, ingest paths, most sinks — it is blended
 * into the frame.  Pixelation has to change the frame's pixels, so when the
 * composition is attached a pixelate mask is drawn as a solid one.  A
 * buffer with nothing to draw leaves exactly as it came, the same
 * #GstBuffer, neither copied nor mapped.
 *
 * The label drawn here is a disclosure: when complianceoverlay follows
 * compliancecheck, set compliancecheck's #GstComplianceCheck:label-drawn to
 * TRUE so that disclosure.missing does not fire (compliancebin does this).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! complianceocr !
 *     compliancecheck catalog=products.json label-drawn=true !
 *     complianceoverlay catalog=products.json show-card=true mode=preview !
 *     videoconvert ! autovideosink
 * ]|
 *
 * Threads: properties (and a catalog loaded while playing, and the label
 * drawn) are guarded by the object lock and handed to or from the
 * streaming thread at each frame; the rule pack, the catalog, the
 * renderer (a Pango font map of its own) and the cached rectangles and
 * composition belong to the streaming thread, between start() and stop().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcomplianceoverlay.h"

#include <math.h>
#include <string.h>

#include "gc-catalog.h"
#include "gc-facts.h"
#include "gc-render.h"
#include "gc-rulepack.h"
#include "gstcompliancemeta.h"

GST_DEBUG_CATEGORY_STATIC (gst_compliance_overlay_debug);
#define GST_CAT_DEFAULT gst_compliance_overlay_debug

enum
{
  PROP_0,
  PROP_MODE,
  PROP_CATALOG,
  PROP_RULES,
  PROP_LANGUAGE,
  PROP_SHOW_CARD,
  PROP_MASK,
  PROP_CORNER,
  PROP_FONT,
  PROP_SCALE,
  PROP_TEXT_COLOR,
  PROP_PLATE_COLOR,
  PROP_MASK_COLOR,
  PROP_WARNING_COLOR,
  PROP_BOX_COLOR,
  PROP_LABEL,
};

#define DEFAULT_MODE GST_COMPLIANCE_OVERLAY_MODE_VIEWER
#define DEFAULT_SHOW_CARD FALSE
#define DEFAULT_MASK GST_COMPLIANCE_OVERLAY_MASK_SOLID
#define DEFAULT_CORNER GST_COMPLIANCE_OVERLAY_CORNER_TOP_RIGHT
#define DEFAULT_FONT "Noto Sans CJK SC"
#define DEFAULT_SCALE 1.0
#define DEFAULT_TEXT_COLOR 0xffffffff
#define DEFAULT_PLATE_COLOR 0xcc000000
#define DEFAULT_MASK_COLOR 0xff303030
#define DEFAULT_WARNING_COLOR 0xddb00020
#define DEFAULT_BOX_COLOR 0xff00e060

/* Sizes as fractions of the frame height, so the overlay looks the same at
 * every resolution (before #GstComplianceOverlay:scale). */
#define MARGIN_FRACTION 0.02
#define CARD_FRACTION 0.032
#define BANNER_FRACTION 0.028
#define CAPTION_FRACTION 0.018
#define MIN_TEXT_PX 8
/* Banner lines beyond this are summed up in one "+N" line: the banner
 * must not hide the stream. */
#define MAX_BANNER_LINES 4

#define OVERLAY_FEATURE GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION

/* System memory with the overlay meta is spelt both ways in the wild:
 * "memory:SystemMemory, meta:…" (what GStreamer's overlay elements
 * produce) and "meta:…" alone, which caps do not treat as equal. */
#define OVERLAY_CAPS \
    GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY \
        ", " OVERLAY_FEATURE, GST_VIDEO_FORMATS_ALL) ";" \
    GST_VIDEO_CAPS_MAKE_WITH_FEATURES (OVERLAY_FEATURE, \
        GST_VIDEO_FORMATS_ALL) ";" \
    GST_VIDEO_CAPS_MAKE (GST_VIDEO_OVERLAY_COMPOSITION_BLEND_FORMATS)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (OVERLAY_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (OVERLAY_CAPS));

typedef struct
{
  GstComplianceOverlayMode mode;
  gchar *language;
  gboolean show_card;
  GstComplianceOverlayMask mask;
  GstComplianceOverlayCorner corner;
  gchar *font;
  gdouble scale;
  guint32 text_color, plate_color, mask_color, warning_color, box_color;
} Settings;

typedef struct
{
  gint x, y, w, h;
} Box;

struct _GstComplianceOverlay
{
  GstBaseTransform parent;

  /* Properties; object lock. */
  Settings props;
  gchar *catalog_path;
  /* A catalog set while running, loaded in set_property and taken by the
   * streaming thread at its next frame; the label drawn on the last frame
   * (the label property); whether start() has run. */
  GcCatalog *pending_catalog;
  gchar *label_text;
  gboolean started;
  gchar *rules_name;
  gboolean settings_dirty;
  gboolean need_alloc_check;

  /* Streaming thread only, between start() and stop(). */
  gchar *frame_label;           /* the label plan() drew on this frame */
  Settings s;
  GcRulePack *pack;
  GcCatalog *catalog;
  GcRenderer *renderer;
  GstVideoInfo info;
  gboolean have_info;
  gboolean upstream_attaches;   /* input caps carry the overlay feature */
  gboolean attach;              /* attach the composition, else blend */
  gboolean contrast_warned;
  /* The last composition and what it was made of, reused while the same
   * rectangles come up again (so blending reuses their converted pixels,
   * and a sink sees the same composition). */
  GstVideoOverlayComposition *last_comp;
  GPtrArray *last_rects;
  /* Decided in prepare_output_buffer() for transform_ip(). */
  GstVideoOverlayComposition *pending;
  GArray *pixelate;             /* of Box */
};

#define gst_compliance_overlay_parent_class parent_class
G_DEFINE_TYPE (GstComplianceOverlay, gst_compliance_overlay,
    GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (complianceoverlay, "complianceoverlay",
    GST_RANK_NONE, GST_TYPE_COMPLIANCE_OVERLAY,
    GST_DEBUG_CATEGORY_INIT (gst_compliance_overlay_debug, "complianceoverlay",
        0, "compliance overlay"));

static const GEnumValue mode_values[] = {
  {GST_COMPLIANCE_OVERLAY_MODE_VIEWER,
      "What viewers may see: label, card if asked for, masks", "viewer"},
  {GST_COMPLIANCE_OVERLAY_MODE_PREVIEW,
      "The streamer's preview: all of viewer plus warnings and reading boxes",
      "preview"},
  {GST_COMPLIANCE_OVERLAY_MODE_REVIEW,
      "A reviewer's copy: reading and violation boxes and warnings, nothing "
        "covered or added", "review"},
  {0, NULL, NULL},
};

static const GEnumValue mask_values[] = {
  {GST_COMPLIANCE_OVERLAY_MASK_NONE, "Leave violating text visible", "none"},
  {GST_COMPLIANCE_OVERLAY_MASK_SOLID, "Cover with a solid rectangle",
      "solid"},
  {GST_COMPLIANCE_OVERLAY_MASK_PIXELATE,
      "Pixelate (solid when the overlay is attached as a meta)", "pixelate"},
  {0, NULL, NULL},
};

static const GEnumValue corner_values[] = {
  {GST_COMPLIANCE_OVERLAY_CORNER_TOP_LEFT, "Top left", "top-left"},
  {GST_COMPLIANCE_OVERLAY_CORNER_TOP_RIGHT, "Top right", "top-right"},
  {GST_COMPLIANCE_OVERLAY_CORNER_BOTTOM_LEFT, "Bottom left", "bottom-left"},
  {GST_COMPLIANCE_OVERLAY_CORNER_BOTTOM_RIGHT, "Bottom right",
      "bottom-right"},
  {0, NULL, NULL},
};

#define DEFINE_ENUM(fn, name, values) \
GType \
fn (void) \
{ \
  static gsize id = 0; \
  if (g_once_init_enter (&id)) \
    g_once_init_leave (&id, g_enum_register_static (name, values)); \
  return (GType) id; \
}

DEFINE_ENUM (gst_compliance_overlay_mode_get_type, "GstComplianceOverlayMode",
    mode_values)
DEFINE_ENUM (gst_compliance_overlay_mask_get_type, "GstComplianceOverlayMask",
    mask_values)
DEFINE_ENUM (gst_compliance_overlay_corner_get_type,
    "GstComplianceOverlayCorner", corner_values)

/* ------------------------------------------------------------------ */
/* Settings */

static void
settings_clear (Settings * s)
{
  g_clear_pointer (&s->language, g_free);
  g_clear_pointer (&s->font, g_free);
}

static void
settings_copy (Settings * dst, const Settings * src)
{
  settings_clear (dst);
  *dst = *src;
  dst->language = g_strdup (src->language);
  dst->font = g_strdup (src->font);
}

/* Streaming thread: takes the properties when they changed. */
static void
apply_settings (GstComplianceOverlay * self)
{
  GST_OBJECT_LOCK (self);
  if (self->settings_dirty) {
    settings_copy (&self->s, &self->props);
    self->settings_dirty = FALSE;
    self->contrast_warned = FALSE;
  }
  GST_OBJECT_UNLOCK (self);
}

static gchar *
pack_name (const gchar * prop, GcCatalog * catalog)
{
  if (prop && *prop)
    return g_strdup (prop);
  if (catalog && catalog->jurisdiction)
    return g_ascii_strdown (catalog->jurisdiction, -1);
  return g_strdup ("cn");
}

/* The language of the label: the property, else the pack's default. */
static const gchar *
label_language (GstComplianceOverlay * self)
{
  if (self->s.language && *self->s.language)
    return self->s.language;
  return self->pack->default_language;
}

/* The streamer's texts exist in Chinese and English only. */
static gboolean
streamer_speaks_chinese (GstComplianceOverlay * self)
{
  const gchar *lang = label_language (self);
  return lang && g_ascii_strncasecmp (lang, "zh", 2) == 0;
}

/* ------------------------------------------------------------------ */
/* Rectangles */

typedef struct
{
  GstVideoOverlayRectangle *rect;
  gint x, y;
} RectSlot;

static void
rect_slot_free (RectSlot * slot)
{
  gst_video_overlay_rectangle_unref (slot->rect);
  g_free (slot);
}

/* The overlay rectangle showing @image at (@x, @y).  It hangs on the
 * cached image, so a picture that stays put is the same rectangle frame
 * after frame and its converted pixels are reused when blending. */
static GstVideoOverlayRectangle *
image_rectangle (GcImage * image, gint x, gint y)
{
  RectSlot *slot = image->user_data;
  if (slot && slot->x == x && slot->y == y)
    return gst_video_overlay_rectangle_ref (slot->rect);

  /* cairo's ARGB32 is GStreamer's overlay format (BGRA on little endian,
   * ARGB on big endian) but premultiplied, and blending premultiplied
   * rectangles into YUV un-premultiplies them again on every frame.  Done
   * once here, on a copy that lives as long as the cached picture. */
  gint w = image->width, h = image->height;
  GstBuffer *pixels = gst_buffer_new_allocate (NULL, (gsize) w * h * 4, NULL);
  GstMapInfo map;
  gst_buffer_map (pixels, &map, GST_MAP_WRITE);
  for (gint j = 0; j < h; j++) {
    const guint32 *in = (const guint32 *) (image->data + j * image->stride);
    guint32 *out = (guint32 *) (map.data + (gsize) j * w * 4);
    for (gint i = 0; i < w; i++) {
      guint32 p = in[i], a = p >> 24;
      if (a == 0 || a == 255) {
        out[i] = a ? p : 0;
        continue;
      }
      guint32 r = (((p >> 16) & 0xff) * 255 + a / 2) / a;
      guint32 g = (((p >> 8) & 0xff) * 255 + a / 2) / a;
      guint32 b = ((p & 0xff) * 255 + a / 2) / a;
      out[i] = a << 24 | MIN (r, 255) << 16 | MIN (g, 255) << 8 | MIN (b, 255);
    }
  }
  gst_buffer_unmap (pixels, &map);
  gst_buffer_add_video_meta (pixels, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, w, h);
  GstVideoOverlayRectangle *rect = gst_video_overlay_rectangle_new_raw (pixels,
      x, y, w, h, GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
  gst_buffer_unref (pixels);

  slot = g_new0 (RectSlot, 1);
  slot->rect = gst_video_overlay_rectangle_ref (rect);
  slot->x = x;
  slot->y = y;
  gc_image_set_user_data (image, slot, (GDestroyNotify) rect_slot_free);
  return rect;
}

static void
add_image (GPtrArray * rects, GcImage * image, gint x, gint y)
{
  g_ptr_array_add (rects, image_rectangle (image, x, y));
  gc_image_unref (image);
}

/* ------------------------------------------------------------------ */
/* What to draw */

/* @x..@h are in the pixels of a @fw x @fh frame; maps them to ours and
 * clips them.  FALSE when nothing is left. */
static gboolean
map_box (GstComplianceOverlay * self, gint x, gint y, gint w, gint h,
    guint fw, guint fh, Box * out)
{
  gint W = GST_VIDEO_INFO_WIDTH (&self->info);
  gint H = GST_VIDEO_INFO_HEIGHT (&self->info);

  if (w <= 0 || h <= 0)
    return FALSE;
  gdouble sx = fw > 0 ? (gdouble) W / fw : 1.0;
  gdouble sy = fh > 0 ? (gdouble) H / fh : 1.0;
  gint x0 = CLAMP ((gint) floor (x * sx), 0, W);
  gint y0 = CLAMP ((gint) floor (y * sy), 0, H);
  gint x1 = CLAMP ((gint) ceil ((x + (gdouble) w) * sx), 0, W);
  gint y1 = CLAMP ((gint) ceil ((y + (gdouble) h) * sy), 0, H);
  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  *out = (Box) {
  x0, y0, x1 - x0, y1 - y0};
  return TRUE;
}

static gint
text_px (GstComplianceOverlay * self, gdouble fraction)
{
  gint H = GST_VIDEO_INFO_HEIGHT (&self->info);
  return MAX (MIN_TEXT_PX, (gint) lround (fraction * H * self->s.scale));
}

static gchar *
warning_line (const GstComplianceViolation * v, gboolean zh)
{
  return gc_rule_warning_line (v->rule, v->observed, v->declared, zh);
}

static GcImage *
render_banner (GstComplianceOverlay * self, GstComplianceVerdictMeta * verdict,
    const GcStyle * style, gint max_width)
{
  gboolean zh = streamer_speaks_chinese (self);
  guint n = verdict->n_violations;
  guint shown = MIN (n, MAX_BANNER_LINES);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (lines, g_strdup (zh ? "⚠ 合规提示（仅主播可见）" :
          "⚠ Compliance warnings (preview only)"));
  for (guint i = 0; i < shown; i++)
    g_ptr_array_add (lines, warning_line (&verdict->violations[i], zh));
  if (n > shown)
    g_ptr_array_add (lines, g_strdup_printf (zh ? "另有 %u 项" : "+%u more",
            n - shown));
  return gc_render_block (self->renderer,
      (const gchar * const *) lines->pdata, lines->len, 1.0, style,
      text_px (self, BANNER_FRACTION), max_width);
}

static GcImage *
render_card (GstComplianceOverlay * self, GstComplianceVerdictMeta * verdict,
    const GcStyle * style, gint max_width)
{
  if (self->catalog == NULL || verdict->active_sku == NULL)
    return NULL;
  const GcProduct *p = gc_catalog_find (self->catalog, verdict->active_sku);
  if (p == NULL)
    return NULL;

  g_autofree gchar *price = gc_format_price (p->price, self->catalog->currency);
  const gchar *lines[] = { p->name, price, self->catalog->seller_name };
  return gc_render_block (self->renderer, lines, G_N_ELEMENTS (lines), 1.25,
      style, text_px (self, CARD_FRACTION), max_width);
}

static GcImage *
render_label (GstComplianceOverlay * self, GstComplianceVerdictMeta * verdict,
    gint max_width)
{
  const gchar *sponsor = verdict->sponsor;
  if ((sponsor == NULL || *sponsor == '\0') && self->catalog
      && verdict->active_sku) {
    const GcProduct *p = gc_catalog_find (self->catalog, verdict->active_sku);
    if (p)
      sponsor = p->sponsor;
  }
  if (sponsor && *sponsor == '\0')
    sponsor = NULL;
  g_autofree gchar *text = gc_rulepack_format_label (self->pack,
      label_language (self), sponsor, TRUE);
  g_free (self->frame_label);
  self->frame_label = g_strdup (text);

  GcStyle style = { self->s.font, self->s.text_color, self->s.plate_color };
  if (gc_style_enforce_contrast (&style, self->pack->label_min_contrast)
      && !self->contrast_warned) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("The label colours do not reach the rule pack's minimum contrast "
            "of %.1f:1; drawing text #%08x on plate #%08x instead",
            self->pack->label_min_contrast, style.text_argb,
            style.plate_argb), (NULL));
    self->contrast_warned = TRUE;
  }

  /* The rule pack's minimum is a floor that scale cannot go below. */
  gint H = GST_VIDEO_INFO_HEIGHT (&self->info);
  gint px = (gint) ceil (self->pack->label_min_height * H *
      MAX (1.0, self->s.scale));
  return gc_render_label (self->renderer, text, &style, MAX (px, 1),
      max_width);
}

/* Adds to @rects an outline around a box of a frame @fw x @fh (mapped to
 * this one) with @caption above it; the box's own pixels are untouched. */
static void
outline (GstComplianceOverlay * self, GPtrArray * rects, gint x, gint y,
    gint w, gint h, guint fw, guint fh, guint32 argb, const gchar * caption)
{
  gint H = GST_VIDEO_INFO_HEIGHT (&self->info);
  gint W = GST_VIDEO_INFO_WIDTH (&self->info);
  Box b;
  gint bx, by;

  if (!map_box (self, x, y, w, h, fw, fh, &b))
    return;
  GcImage *img = gc_render_box (self->renderer, b.w, b.h, MAX (2, H / 360),
      argb, caption, self->s.font, text_px (self, CAPTION_FRACTION), W / 2,
      &bx, &by);
  add_image (rects, img, b.x - bx, b.y - by);
}

/* Builds what @buf needs: self->pending (a composition, or NULL) and
 * self->pixelate.  Returns FALSE when there is nothing to draw. */
static gboolean
plan (GstComplianceOverlay * self, GstBuffer * buf)
{
  GstComplianceVerdictMeta *verdict =
      gst_buffer_get_compliance_verdict_meta (buf);
  GstComplianceTextMeta *text = gst_buffer_get_compliance_text_meta (buf);
  gboolean review = self->s.mode == GST_COMPLIANCE_OVERLAY_MODE_REVIEW;
  /* Boxes and warnings: the streamer's preview and the reviewer's copy. */
  gboolean preview = review
      || self->s.mode == GST_COMPLIANCE_OVERLAY_MODE_PREVIEW;

  if (!self->have_info || self->renderer == NULL)
    return FALSE;
  if (verdict == NULL && !(preview && text && text->n_readings > 0))
    return FALSE;

  gint W = GST_VIDEO_INFO_WIDTH (&self->info);
  gint H = GST_VIDEO_INFO_HEIGHT (&self->info);
  gint margin = (gint) lround (MARGIN_FRACTION * H);
  g_autoptr (GPtrArray) rects =
      g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_video_overlay_rectangle_unref);
  g_array_set_size (self->pixelate, 0);

  /* Masks first: everything else is drawn over them.  Never on a
   * reviewer's copy: it shows what the stream showed. */
  if (verdict && !review && self->s.mask != GST_COMPLIANCE_OVERLAY_MASK_NONE) {
    for (guint i = 0; i < verdict->n_violations; i++) {
      const GstComplianceViolation *v = &verdict->violations[i];
      Box b;
      if (!map_box (self, v->x, v->y, v->width, v->height,
              verdict->frame_width, verdict->frame_height, &b))
        continue;
      if (self->s.mask == GST_COMPLIANCE_OVERLAY_MASK_PIXELATE && !self->attach)
        g_array_append_val (self->pixelate, b);
      else
        add_image (rects, gc_render_solid (self->renderer, b.w, b.h,
                self->s.mask_color), b.x, b.y);
    }
  }

  if (preview && text) {
    for (guint i = 0; i < text->n_readings; i++) {
      const GstComplianceReading *r = &text->readings[i];
      outline (self, rects, r->x, r->y, r->width, r->height,
          text->frame_width, text->frame_height, self->s.box_color, r->text);
    }
  }

  /* The reviewer's copy: each violation's box, outlined only, with its
   * rule. */
  if (review && verdict) {
    for (guint i = 0; i < verdict->n_violations; i++) {
      const GstComplianceViolation *v = &verdict->violations[i];
      outline (self, rects, v->x, v->y, v->width, v->height,
          verdict->frame_width, verdict->frame_height,
          self->s.warning_color | 0xff000000u, v->rule);
    }
  }

  gboolean top = self->s.corner == GST_COMPLIANCE_OVERLAY_CORNER_TOP_LEFT
      || self->s.corner == GST_COMPLIANCE_OVERLAY_CORNER_TOP_RIGHT;

  if (preview && verdict && verdict->n_violations > 0) {
    GcStyle style = { self->s.font, 0xffffffff, self->s.warning_color };
    gc_style_enforce_contrast (&style, 4.5);
    GcImage *img = render_banner (self, verdict, &style, W - 2 * margin);
    /* Opposite the label, so the two never overlap. */
    gint x = MAX (0, (W - img->width) / 2);
    gint y = top ? MAX (0, H - margin - img->height) : margin;
    add_image (rects, img, x, y);
  }

  gint offset = 0;
  GcImage *label = NULL, *card = NULL;
  if (verdict && !review && verdict->disclosure_required)
    label = render_label (self, verdict, W - 2 * margin);
  if (verdict && !review && self->s.show_card) {
    GcStyle style = { self->s.font, self->s.text_color, self->s.plate_color };
    gc_style_enforce_contrast (&style, 4.5);
    card = render_card (self, verdict, &style, MAX (1, W / 2 - margin));
  }
  if (label)
    offset = label->height + margin / 2;
  if (card) {
    gint x, y;
    gc_render_place ((GcCorner) self->s.corner, W, H, card->width,
        card->height, margin, offset, &x, &y);
    add_image (rects, card, x, y);
  }
  /* The label last: nothing may cover it. */
  if (label) {
    gint x, y;
    gc_render_place ((GcCorner) self->s.corner, W, H, label->width,
        label->height, margin, 0, &x, &y);
    add_image (rects, label, x, y);
  }

  gc_renderer_end_frame (self->renderer);

  if (rects->len == 0) {
    g_clear_pointer (&self->pending, gst_video_overlay_composition_unref);
    return self->pixelate->len > 0;
  }

  gboolean same = self->last_rects && self->last_rects->len == rects->len;
  for (guint i = 0; same && i < rects->len; i++)
    same = g_ptr_array_index (rects, i) == g_ptr_array_index (self->last_rects,
        i);
  if (!same) {
    GstVideoOverlayComposition *comp = gst_video_overlay_composition_new (NULL);
    for (guint i = 0; i < rects->len; i++)
      gst_video_overlay_composition_add_rectangle (comp,
          g_ptr_array_index (rects, i));
    g_clear_pointer (&self->last_comp, gst_video_overlay_composition_unref);
    g_clear_pointer (&self->last_rects, g_ptr_array_unref);
    self->last_comp = comp;
    self->last_rects = g_steal_pointer (&rects);
  }
  g_clear_pointer (&self->pending, gst_video_overlay_composition_unref);
  self->pending = gst_video_overlay_composition_ref (self->last_comp);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Pixelation */

/* Averages @b in blocks of the frame, for any format the video library
 * can unpack and pack: whole lines are unpacked (pack functions always
 * start at x = 0), and blocks are aligned to the chroma subsampling so
 * that every chroma sample lies inside one block. */
static void
pixelate_box (GstVideoFrame * frame, const Box * b)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  const GstVideoFormatInfo *uinfo =
      gst_video_format_get_info (finfo->unpack_format);
  gboolean wide = GST_VIDEO_FORMAT_INFO_DEPTH (uinfo, 0) > 8;
  gint W = GST_VIDEO_FRAME_WIDTH (frame);
  gint H = GST_VIDEO_FRAME_HEIGHT (frame);
  gint xs = 1, ys = 1;

  if (GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo) > 1) {
    xs = 1 << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, 1);
    ys = 1 << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, 1);
  }
  gint align = MAX (xs, ys);
  /* Blocks a third of the text height make text unreadable. */
  gint block = MAX (8, b->h / 3);
  block = (block + align - 1) / align * align;

  gint x0 = b->x / xs * xs, y0 = b->y / ys * ys;
  gint x1 = MIN (W, b->x + b->w), y1 = MIN (H, b->y + b->h);
  gsize pixel = wide ? 8 : 4;
  gsize line = pixel * W;
  g_autofree guint8 *lines = g_malloc (line * block);

  for (gint by = y0; by < y1; by += block) {
    gint n = MIN (block, y1 - by);
    n = MIN ((n + ys - 1) / ys * ys, H - by);
    for (gint i = 0; i < n; i++)
      finfo->unpack_func (finfo, GST_VIDEO_PACK_FLAG_NONE, lines + i * line,
          frame->data, frame->info.stride, 0, by + i, W);
    for (gint bx = x0; bx < x1; bx += block) {
      gint m = MIN (block, x1 - bx);
      guint64 sum[4] = { 0, };
      for (gint i = 0; i < n; i++)
        for (gint j = bx; j < bx + m; j++)
          for (gint c = 0; c < 4; c++)
            sum[c] += wide ? ((guint16 *) (lines + i * line))[j * 4 + c] :
                lines[i * line + j * 4 + c];
      guint64 count = (guint64) n * m;
      for (gint i = 0; i < n; i++)
        for (gint j = bx; j < bx + m; j++)
          for (gint c = 0; c < 4; c++) {
            if (wide)
              ((guint16 *) (lines + i * line))[j * 4 + c] = sum[c] / count;
            else
              lines[i * line + j * 4 + c] = sum[c] / count;
          }
    }
    for (gint i = 0; i < n; i++)
      finfo->pack_func (finfo, GST_VIDEO_PACK_FLAG_NONE, lines + i * line, 0,
          frame->data, frame->info.stride, frame->info.chroma_site, by + i, W);
  }
}

/* ------------------------------------------------------------------ */
/* Negotiation */

static gboolean
features_have_overlay (GstCapsFeatures * f)
{
  return f && !gst_caps_features_is_any (f)
      && gst_caps_features_contains (f, OVERLAY_FEATURE);
}

static gboolean
caps_have_overlay (GstCaps * caps)
{
  for (guint i = 0; caps && i < gst_caps_get_size (caps); i++)
    if (features_have_overlay (gst_caps_get_features (caps, i)))
      return TRUE;
  return FALSE;
}

static GstCaps *
append_with_features (GstCaps * out, const GstStructure * s,
    GstCapsFeatures * f)
{
  return gst_caps_merge_structure_full (out, gst_structure_copy (s), f);
}

static GstCaps *
gst_compliance_overlay_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstCaps *out = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    if (f && gst_caps_features_is_any (f)) {
      out = append_with_features (out, s, gst_caps_features_copy (f));
      continue;
    }
    gboolean has = features_have_overlay (f);
    if (direction == GST_PAD_SINK && !has) {
      /* Downstream drawing the overlay is preferred; blending into the
       * plain format is the fallback. */
      GstCapsFeatures *with = gst_caps_features_copy (f);
      gst_caps_features_add (with, OVERLAY_FEATURE);
      out = append_with_features (out, s, with);
      out = append_with_features (out, s,
          gst_caps_features_new (OVERLAY_FEATURE, NULL));
      out = append_with_features (out, s, gst_caps_features_copy (f));
    } else if (direction == GST_PAD_SRC && has) {
      /* Upstream may attach compositions of its own (then so do we), or
       * send plain frames that we draw on. */
      out = append_with_features (out, s, gst_caps_features_copy (f));
      GstCapsFeatures *without = gst_caps_features_copy (f);
      gst_caps_features_remove (without, OVERLAY_FEATURE);
      if (gst_caps_features_get_size (without) == 0) {
        gst_caps_features_free (without);
        without = gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY,
            NULL);
      }
      out = append_with_features (out, s, without);
    } else {
      out = append_with_features (out, s, gst_caps_features_copy (f));
    }
  }

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  GST_LOG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, out);
  return out;
}

/* Attach or blend, decided as GStreamer's overlay elements do: attach only
 * when the caps feature negotiated and downstream's allocation query lists
 * the meta (or when upstream already attaches, since its compositions are
 * not ours to blend). */
static void
decide_attach (GstComplianceOverlay * self)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (trans->srcpad);

  self->attach = FALSE;
  if (caps == NULL || !caps_have_overlay (caps))
    goto done;
  if (self->upstream_attaches) {
    self->attach = TRUE;
    goto done;
  }
  GstQuery *query = gst_query_new_allocation (caps, FALSE);
  if (gst_pad_peer_query (trans->srcpad, query))
    self->attach = gst_query_find_allocation_meta (query,
        GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  gst_query_unref (query);
  /* Caps with the feature but no meta in the query: blending is what
   * downstream certainly understands. */

done:
  GST_INFO_OBJECT (self, "%s the overlay with caps %" GST_PTR_FORMAT,
      self->attach ? "attaching" : "blending", caps);
}

static gboolean
gst_compliance_overlay_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);

  self->have_info = gst_video_info_from_caps (&self->info, incaps);
  if (!self->have_info) {
    GST_ERROR_OBJECT (self, "caps %" GST_PTR_FORMAT " are not raw video",
        incaps);
    return FALSE;
  }
  self->upstream_attaches = caps_have_overlay (incaps);
  GST_OBJECT_LOCK (self);
  self->need_alloc_check = TRUE;
  GST_OBJECT_UNLOCK (self);
  /* The pictures were sized for the old frame. */
  g_clear_pointer (&self->last_comp, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->last_rects, g_ptr_array_unref);
  return TRUE;
}

static gboolean
gst_compliance_overlay_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);

  /* Downstream changed (e.g. a sink that composites was linked): ask
   * again before the next drawing. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_RECONFIGURE) {
    GST_OBJECT_LOCK (self);
    self->need_alloc_check = TRUE;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* ------------------------------------------------------------------ */
/* Buffers */

static GstFlowReturn
gst_compliance_overlay_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);

  apply_settings (self);
  GST_OBJECT_LOCK (self);
  gboolean check = self->need_alloc_check;
  self->need_alloc_check = FALSE;
  GcCatalog *swap = g_steal_pointer (&self->pending_catalog);
  GST_OBJECT_UNLOCK (self);
  if (check)
    decide_attach (self);
  if (swap) {
    /* A catalog set while playing: from this frame on. */
    g_clear_pointer (&self->catalog, gc_catalog_unref);
    self->catalog = swap;
  }

  g_clear_pointer (&self->pending, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->frame_label, g_free);
  gboolean draw = plan (self, inbuf);
  GST_OBJECT_LOCK (self);
  g_free (self->label_text);
  self->label_text = g_steal_pointer (&self->frame_label);
  GST_OBJECT_UNLOCK (self);
  if (!draw) {
    /* Nothing to draw: the very same buffer, even when it is shared. */
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  /* A shared buffer is copied shallowly: attaching needs only a writable
   * buffer, and blending's write map copies the memory it touches. */
  *outbuf = gst_buffer_is_writable (inbuf) ? inbuf : gst_buffer_copy (inbuf);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_compliance_overlay_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);

  if (self->pending == NULL && self->pixelate->len == 0)
    return GST_FLOW_OK;

  if (self->attach) {
    if (self->pending == NULL)
      return GST_FLOW_OK;
    GstVideoOverlayCompositionMeta *up =
        gst_buffer_get_video_overlay_composition_meta (buf);
    if (up) {
      /* One composition per buffer: upstream's rectangles, then ours —
       * the same rectangles, not copies, so their converted pixels stay
       * cached. */
      GstVideoOverlayComposition *merged =
          gst_video_overlay_composition_new (NULL);
      GstVideoOverlayComposition *parts[2] = { up->overlay, self->pending };
      for (guint k = 0; k < 2; k++) {
        guint n = gst_video_overlay_composition_n_rectangles (parts[k]);
        for (guint i = 0; i < n; i++)
          gst_video_overlay_composition_add_rectangle (merged,
              gst_video_overlay_composition_get_rectangle (parts[k], i));
      }
      gst_buffer_remove_meta (buf, (GstMeta *) up);
      gst_buffer_add_video_overlay_composition_meta (buf, merged);
      gst_video_overlay_composition_unref (merged);
    } else {
      gst_buffer_add_video_overlay_composition_meta (buf, self->pending);
    }
    return GST_FLOW_OK;
  }

  GstVideoFrame frame;
  if (!gst_video_frame_map (&frame, &self->info, buf, GST_MAP_READWRITE)) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("Could not map a video frame to draw the overlay"), (NULL));
    return GST_FLOW_OK;
  }
  for (guint i = 0; i < self->pixelate->len; i++)
    pixelate_box (&frame, &g_array_index (self->pixelate, Box, i));
  if (self->pending && !gst_video_overlay_composition_blend (self->pending,
          &frame))
    GST_WARNING_OBJECT (self, "could not blend into %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&self->info)));
  gst_video_frame_unmap (&frame);
  return GST_FLOW_OK;
}

static gboolean
gst_compliance_overlay_start (GstBaseTransform * trans)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);
  g_autofree gchar *catalog_path = NULL, *rules = NULL;
  g_autoptr (GcCatalog) catalog = NULL;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  catalog_path = g_strdup (self->catalog_path);
  rules = g_strdup (self->rules_name);
  self->settings_dirty = TRUE;
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
  }

  g_autofree gchar *name = pack_name (rules, catalog);
  GcRulePack *pack = gc_rulepack_load (name, NULL, &err);
  if (pack == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", err->message),
        ("rules property: %s", name));
    g_error_free (err);
    return FALSE;
  }

  self->pack = pack;
  self->catalog = g_steal_pointer (&catalog);
  self->renderer = gc_renderer_new ();
  GST_OBJECT_LOCK (self);
  self->started = TRUE;
  GST_OBJECT_UNLOCK (self);
  self->contrast_warned = FALSE;
  apply_settings (self);
  GST_INFO_OBJECT (self, "rules %s (%s), catalog %s", pack->name,
      pack->jurisdiction, catalog_path ? catalog_path : "none");
  return TRUE;
}

static gboolean
gst_compliance_overlay_stop (GstBaseTransform * trans)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (trans);

  g_clear_pointer (&self->pending, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->last_comp, gst_video_overlay_composition_unref);
  g_clear_pointer (&self->last_rects, g_ptr_array_unref);
  /* After the rectangles: they hold references into the renderer's
   * pictures, never the other way round. */
  g_clear_pointer (&self->renderer, gc_renderer_free);
  g_clear_pointer (&self->pack, gc_rulepack_unref);
  g_clear_pointer (&self->catalog, gc_catalog_unref);
  g_clear_pointer (&self->frame_label, g_free);
  GST_OBJECT_LOCK (self);
  self->started = FALSE;
  g_clear_pointer (&self->pending_catalog, gc_catalog_unref);
  g_clear_pointer (&self->label_text, g_free);
  GST_OBJECT_UNLOCK (self);
  g_array_set_size (self->pixelate, 0);
  self->have_info = FALSE;
  self->attach = FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GObject */

/* The catalog property.  Before start() only the path is kept.  While
 * running the file is loaded here, in the caller's thread, and handed to
 * the streaming thread, which takes it at its next frame; a catalog that
 * does not load is refused with a warning naming the error, and the old
 * one stays. */
static void
set_catalog (GstComplianceOverlay * self, const gchar * path)
{
  GST_OBJECT_LOCK (self);
  gboolean started = self->started;
  GST_OBJECT_UNLOCK (self);

  g_autoptr (GcCatalog) catalog = NULL;
  if (started && path) {
    g_autoptr (GError) err = NULL;
    catalog = gc_catalog_load_file (path, &err);
    if (catalog == NULL) {
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s", err->message),
          ("catalog property: %s; the old catalog stays", path));
      return;
    }
  }
  GST_OBJECT_LOCK (self);
  g_free (self->catalog_path);
  self->catalog_path = g_strdup (path);
  if (self->started) {
    g_clear_pointer (&self->pending_catalog, gc_catalog_unref);
    /* Unset while running: no card from the next frame on. */
    self->pending_catalog = catalog ? g_steal_pointer (&catalog)
        : gc_catalog_load_data ("{\"schema\": \"gst-compliance-catalog/1\", "
        "\"products\": []}", -1, "(none)", NULL);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (object);
  Settings *p = &self->props;

  if (prop_id == PROP_CATALOG) {
    set_catalog (self, g_value_get_string (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      p->mode = g_value_get_enum (value);
      break;
    case PROP_RULES:
      g_free (self->rules_name);
      self->rules_name = g_value_dup_string (value);
      break;
    case PROP_LANGUAGE:
      g_free (p->language);
      p->language = g_value_dup_string (value);
      break;
    case PROP_SHOW_CARD:
      p->show_card = g_value_get_boolean (value);
      break;
    case PROP_MASK:
      p->mask = g_value_get_enum (value);
      break;
    case PROP_CORNER:
      p->corner = g_value_get_enum (value);
      break;
    case PROP_FONT:
      g_free (p->font);
      p->font = g_value_dup_string (value);
      if (p->font == NULL)
        p->font = g_strdup (DEFAULT_FONT);
      break;
    case PROP_SCALE:
      p->scale = g_value_get_double (value);
      break;
    case PROP_TEXT_COLOR:
      p->text_color = g_value_get_uint (value);
      break;
    case PROP_PLATE_COLOR:
      p->plate_color = g_value_get_uint (value);
      break;
    case PROP_MASK_COLOR:
      p->mask_color = g_value_get_uint (value);
      break;
    case PROP_WARNING_COLOR:
      p->warning_color = g_value_get_uint (value);
      break;
    case PROP_BOX_COLOR:
      p->box_color = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  self->settings_dirty = TRUE;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (object);
  Settings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, p->mode);
      break;
    case PROP_CATALOG:
      g_value_set_string (value, self->catalog_path);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label_text);
      break;
    case PROP_RULES:
      g_value_set_string (value, self->rules_name);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, p->language);
      break;
    case PROP_SHOW_CARD:
      g_value_set_boolean (value, p->show_card);
      break;
    case PROP_MASK:
      g_value_set_enum (value, p->mask);
      break;
    case PROP_CORNER:
      g_value_set_enum (value, p->corner);
      break;
    case PROP_FONT:
      g_value_set_string (value, p->font);
      break;
    case PROP_SCALE:
      g_value_set_double (value, p->scale);
      break;
    case PROP_TEXT_COLOR:
      g_value_set_uint (value, p->text_color);
      break;
    case PROP_PLATE_COLOR:
      g_value_set_uint (value, p->plate_color);
      break;
    case PROP_MASK_COLOR:
      g_value_set_uint (value, p->mask_color);
      break;
    case PROP_WARNING_COLOR:
      g_value_set_uint (value, p->warning_color);
      break;
    case PROP_BOX_COLOR:
      g_value_set_uint (value, p->box_color);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_overlay_finalize (GObject * object)
{
  GstComplianceOverlay *self = GST_COMPLIANCE_OVERLAY (object);

  settings_clear (&self->props);
  settings_clear (&self->s);
  g_free (self->catalog_path);
  g_free (self->rules_name);
  g_clear_pointer (&self->pending_catalog, gc_catalog_unref);
  g_free (self->label_text);
  g_array_unref (self->pixelate);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
install_color (GObjectClass * klass, guint id, const gchar * name,
    const gchar * nick, const gchar * blurb, guint def)
{
  g_object_class_install_property (klass, id, g_param_spec_uint (name, nick,
          blurb, 0, G_MAXUINT32, def, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT | GST_PARAM_MUTABLE_PLAYING));
}

static void
gst_compliance_overlay_class_init (GstComplianceOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = gst_compliance_overlay_set_property;
  gobject_class->get_property = gst_compliance_overlay_get_property;
  gobject_class->finalize = gst_compliance_overlay_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "viewer: the label, the card if asked for, the masks; preview (the "
          "streamer's own monitor): also the warnings banner and a box around "
          "every reading; review (a QA reviewer's copy): the reading boxes, "
          "each violation's box with its rule and the banner, but no label, "
          "card or mask, so nothing on screen is hidden or added. Default: "
          "viewer",
          GST_TYPE_COMPLIANCE_OVERLAY_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CATALOG,
      g_param_spec_string ("catalog", "Catalog",
          "Path of the seller's catalog (JSON, schema "
          "gst-compliance-catalog/1), for the product card and the sponsor's "
          "name when the verdict carries none; set while playing, it is "
          "loaded at once and used from the next frame (a bad one is refused "
          "with a warning, the old one stays). Unset: no card", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LABEL,
      g_param_spec_string ("label", "Label drawn",
          "The disclosure label drawn on the last frame (its text, the "
          "sponsor between U+2068 and U+2069), NULL when none was drawn", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_RULES,
      g_param_spec_string ("rules", "Rule pack",
          "Rule pack giving the label's words, minimum height and contrast: "
          "cn, eu, us, or the path of a pack file. Unset: the catalog's "
          "jurisdiction, else cn", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_LANGUAGE,
      g_param_spec_string ("language", "Language",
          "Language of the label (a language of the rule pack: zh, en, ...) "
          "and of the streamer's warnings (zh, else en). Unset: the rule "
          "pack's default language", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SHOW_CARD,
      g_param_spec_boolean ("show-card", "Show card",
          "Draw a card with the active product's declared name, price and "
          "seller (needs the catalog). Default: false", DEFAULT_SHOW_CARD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MASK,
      g_param_spec_enum ("mask", "Mask",
          "How the boxes of violating text are covered; pixelate is drawn "
          "solid when the overlay is attached as a meta. Default: solid",
          GST_TYPE_COMPLIANCE_OVERLAY_MASK, DEFAULT_MASK,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CORNER,
      g_param_spec_enum ("corner", "Corner",
          "Corner of the disclosure label (the card goes under it; the "
          "warnings banner on the opposite edge). Default: top-right",
          GST_TYPE_COMPLIANCE_OVERLAY_CORNER, DEFAULT_CORNER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_FONT,
      g_param_spec_string ("font", "Font",
          "Pango font description (family, weight; the size is computed). "
          "Default: \"" DEFAULT_FONT "\"", DEFAULT_FONT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_double ("scale", "Scale",
          "Size of everything drawn relative to the default; the label never "
          "gets smaller than the rule pack's minimum height. Default: 1.0",
          0.25, 8.0, DEFAULT_SCALE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT | GST_PARAM_MUTABLE_PLAYING));
  install_color (gobject_class, PROP_TEXT_COLOR, "text-color", "Text colour",
      "Colour of the label's and the card's text, 0xAARRGGBB. Default: "
      "0xffffffff (white)", DEFAULT_TEXT_COLOR);
  install_color (gobject_class, PROP_PLATE_COLOR, "plate-color",
      "Plate colour",
      "Colour of the plate under the label and the card, 0xAARRGGBB; "
      "colours below the rule pack's minimum contrast are corrected. "
      "Default: 0xcc000000 (80% black)", DEFAULT_PLATE_COLOR);
  install_color (gobject_class, PROP_MASK_COLOR, "mask-color", "Mask colour",
      "Colour of solid masks, 0xAARRGGBB. Default: 0xff303030 (dark grey)",
      DEFAULT_MASK_COLOR);
  install_color (gobject_class, PROP_WARNING_COLOR, "warning-color",
      "Warning colour",
      "Colour of the warnings banner's plate (preview), 0xAARRGGBB. Default: "
      "0xddb00020 (red)", DEFAULT_WARNING_COLOR);
  install_color (gobject_class, PROP_BOX_COLOR, "box-color", "Box colour",
      "Colour of the boxes around readings (preview), 0xAARRGGBB. Default: "
      "0xff00e060 (green)", DEFAULT_BOX_COLOR);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Compliance overlay", "Filter/Effect/Video",
      "Draws the disclosure label for sponsored products, a product card, "
      "masks over violating text and, for the streamer, warnings",
      "gst-compliance developers");

  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_OVERLAY_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_OVERLAY_MASK, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_OVERLAY_CORNER, 0);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_compliance_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_compliance_overlay_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_compliance_overlay_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_compliance_overlay_set_caps);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_compliance_overlay_src_event);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_compliance_overlay_prepare_output_buffer);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_compliance_overlay_transform_ip);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
}

static void
gst_compliance_overlay_init (GstComplianceOverlay * self)
{
  Settings *p = &self->props;

  p->mode = DEFAULT_MODE;
  p->show_card = DEFAULT_SHOW_CARD;
  p->mask = DEFAULT_MASK;
  p->corner = DEFAULT_CORNER;
  p->font = g_strdup (DEFAULT_FONT);
  p->scale = DEFAULT_SCALE;
  p->text_color = DEFAULT_TEXT_COLOR;
  p->plate_color = DEFAULT_PLATE_COLOR;
  p->mask_color = DEFAULT_MASK_COLOR;
  p->warning_color = DEFAULT_WARNING_COLOR;
  p->box_color = DEFAULT_BOX_COLOR;
  self->settings_dirty = TRUE;
  self->pixelate = g_array_new (FALSE, FALSE, sizeof (Box));
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
