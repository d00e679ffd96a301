/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance render: the overlay's pictures, drawn with Pango and cairo.
 * See gc-render.h. */
#include "gc-render.h"

#include <math.h>
#include <string.h>

#include <pango/pangocairo.h>

#define DEFAULT_FONT "Noto Sans CJK SC"
/* Largest text size accepted: beyond it a picture could not fit any frame
 * and a cairo surface of that size would only waste memory. */
#define MAX_TEXT_PX 1024
#define MAX_SURFACE_SIDE 8192

struct _GcRenderer
{
  /* A private font map: pango_cairo_font_map_get_default() is per thread,
   * and the streaming thread can change between two starts. */
  PangoFontMap *fontmap;
  PangoContext *context;
  GHashTable *cache;            /* key -> GcImage* (one ref) */
  guint64 frame;
  guint64 layouts;
};

/* ------------------------------------------------------------------ */
/* Images */

static GcImage *
image_new (const gchar *key, gint width, gint height)
{
  width = CLAMP (width, 1, MAX_SURFACE_SIDE);
  height = CLAMP (height, 1, MAX_SURFACE_SIDE);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
      width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    g_warning ("cannot create a %dx%d picture: %s", width, height,
        cairo_status_to_string (cairo_surface_status (surface)));
    cairo_surface_destroy (surface);
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
    width = height = 1;
  }

  GcImage *image = g_new0 (GcImage, 1);
  image->ref_count = 1;
  image->key = g_strdup (key);
  image->surface = surface;
  image->width = width;
  image->height = height;
  return image;
}

/* Called once drawing is done: the pixels are only read from now on. */
static void
image_finish (GcImage *image)
{
  cairo_surface_flush (image->surface);
  image->data = cairo_image_surface_get_data (image->surface);
  image->stride = cairo_image_surface_get_stride (image->surface);
}

GcImage *
gc_image_ref (GcImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_atomic_int_inc (&image->ref_count);
  return image;
}

void
gc_image_unref (GcImage *image)
{
  if (image == NULL || !g_atomic_int_dec_and_test (&image->ref_count))
    return;
  if (image->user_data_free && image->user_data)
    image->user_data_free (image->user_data);
  cairo_surface_destroy (image->surface);
  g_free (image->key);
  g_free (image->text);
  g_free (image);
}

void
gc_image_set_user_data (GcImage *image, gpointer data,
    GDestroyNotify free_func)
{
  g_return_if_fail (image != NULL);
  if (image->user_data_free && image->user_data)
    image->user_data_free (image->user_data);
  image->user_data = data;
  image->user_data_free = free_func;
}

/* ------------------------------------------------------------------ */
/* Renderer and cache */

GcRenderer *
gc_renderer_new (void)
{
  GcRenderer *r = g_new0 (GcRenderer, 1);

  r->fontmap = pango_cairo_font_map_new ();
  r->context = pango_font_map_create_context (r->fontmap);
  /* Grey antialiasing without hinting: the pictures are composited over
   * video and may be scaled by a sink; subpixel or hinted glyphs would
   * fringe. */
  cairo_font_options_t *opts = cairo_font_options_create ();
  cairo_font_options_set_antialias (opts, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (opts, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (opts, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (r->context, opts);
  cairo_font_options_destroy (opts);

  r->cache = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) gc_image_unref);
  return r;
}

void
gc_renderer_free (GcRenderer *renderer)
{
  if (renderer == NULL)
    return;
  g_hash_table_unref (renderer->cache);
  g_object_unref (renderer->context);
  g_object_unref (renderer->fontmap);
  g_free (renderer);
}

static gboolean
is_stale (gpointer key, gpointer value, gpointer user_data)
{
  GcRenderer *r = user_data;
  GcImage *image = value;
  return r->frame - image->last_used > GC_RENDER_KEEP_FRAMES;
}

void
gc_renderer_end_frame (GcRenderer *renderer)
{
  g_return_if_fail (renderer != NULL);
  renderer->frame++;
  g_hash_table_foreach_remove (renderer->cache, is_stale, renderer);
}

guint
gc_renderer_cache_size (const GcRenderer *renderer)
{
  return g_hash_table_size (renderer->cache);
}

guint64
gc_renderer_layout_count (const GcRenderer *renderer)
{
  return renderer->layouts;
}

static GcImage *
cache_lookup (GcRenderer *r, const gchar *key)
{
  GcImage *image = g_hash_table_lookup (r->cache, key);
  if (image == NULL)
    return NULL;
  image->last_used = r->frame;
  return gc_image_ref (image);
}

static GcImage *
cache_insert (GcRenderer *r, GcImage *image)
{
  image_finish (image);
  image->last_used = r->frame;
  g_hash_table_replace (r->cache, image->key, gc_image_ref (image));
  return image;
}

/* Cache keys: every field length-prefixed, so no text (whatever it
 * contains) can make two different requests collide. */
static void
key_add_str (GString *key, const gchar *s)
{
  if (s == NULL) {
    g_string_append (key, "-|");
    return;
  }
  g_string_append_printf (key, "%" G_GSIZE_FORMAT ":%s|", strlen (s), s);
}

static void
key_add_int (GString *key, gint64 v)
{
  g_string_append_printf (key, "%" G_GINT64_FORMAT "|", v);
}

static void
key_add_style (GString *key, const GcStyle *style)
{
  key_add_str (key, style->font);
  key_add_int (key, style->text_argb);
  key_add_int (key, style->plate_argb);
}

/* ------------------------------------------------------------------ */
/* Text */

gchar *
gc_render_sanitize (const gchar *text, gboolean single_line)
{
  if (text == NULL)
    return g_strdup ("");

  /* Enough bytes for GC_RENDER_MAX_CHARS characters of any width, so the
   * work below is bounded whatever the input's length. */
  const gsize cap = GC_RENDER_MAX_CHARS * 4 + 4;
  gsize len = strnlen (text, cap);
  g_autofree gchar *valid = g_utf8_make_valid (text, (gssize) len);
  GString *out = g_string_sized_new (len + 4);
  guint n = 0;
  gboolean cut = FALSE;

  for (const gchar *p = valid; *p; p = g_utf8_next_char (p)) {
    if (n == GC_RENDER_MAX_CHARS) {
      cut = TRUE;
      break;
    }
    gunichar c = g_utf8_get_char (p);
    gboolean line_break = c == '\n' || c == '\r' || c == 0x2028
        || c == 0x2029 || c == 0x85;
    if (line_break && !single_line)
      g_string_append_c (out, '\n');
    else if (line_break || g_unichar_iscntrl (c))
      g_string_append_c (out, ' ');
    else
      g_string_append_unichar (out, c);
    n++;
  }
  if (cut)
    g_string_append (out, "\xe2\x80\xa6");
  return g_string_free (out, FALSE);
}

static PangoLayout *
make_layout (GcRenderer *r, const gchar *font, gint px, const gchar *text,
    gint max_width)
{
  PangoLayout *layout = pango_layout_new (r->context);
  PangoFontDescription *desc = pango_font_description_from_string (font
      && *font ? font : DEFAULT_FONT);

  pango_font_description_set_absolute_size (desc,
      (gdouble) CLAMP (px, 1, MAX_TEXT_PX) * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  /* Literal text only: a line break would grow the picture, and markup
   * from OCR or a catalog must never be interpreted. */
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  if (max_width > 0) {
    pango_layout_set_width (layout, max_width * PANGO_SCALE);
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  }
  pango_layout_set_text (layout, text, -1);
  r->layouts++;
  return layout;
}

static void
set_source_argb (cairo_t *cr, guint32 argb)
{
  cairo_set_source_rgba (cr, ((argb >> 16) & 0xff) / 255.0,
      ((argb >> 8) & 0xff) / 255.0, (argb & 0xff) / 255.0,
      ((argb >> 24) & 0xff) / 255.0);
}

static void
plate_path (cairo_t *cr, gdouble w, gdouble h, gdouble radius)
{
  radius = MIN (radius, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, w - radius, radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, w - radius, h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, radius, h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, radius, radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* ------------------------------------------------------------------ */
/* Pictures */

GcImage *
gc_render_label (GcRenderer *renderer, const gchar *text,
    const GcStyle *style, gint text_px, gint max_width)
{
  const gchar *const lines[] = { text, NULL };
  return gc_render_block (renderer, lines, 1, 1.0, style, text_px, max_width);
}

GcImage *
gc_render_block (GcRenderer *renderer, const gchar *const *lines,
    guint n_lines, gdouble title_scale, const GcStyle *style, gint text_px,
    gint max_width)
{
  g_return_val_if_fail (renderer != NULL && style != NULL, NULL);

  text_px = CLAMP (text_px, 1, MAX_TEXT_PX);
  max_width = max_width > 0 ? MIN (max_width, MAX_SURFACE_SIDE) :
      MAX_SURFACE_SIDE;
  title_scale = CLAMP (title_scale, 0.25, 4.0);

  g_autoptr (GString) key = g_string_new ("block|");
  key_add_style (key, style);
  key_add_int (key, text_px);
  key_add_int (key, max_width);
  key_add_int (key, (gint64) (title_scale * 1000));
  for (guint i = 0; i < n_lines; i++)
    key_add_str (key, lines[i]);

  GcImage *image = cache_lookup (renderer, key->str);
  if (image)
    return image;

  /* Padding in proportion to the text, so the plate looks the same at
   * every frame size. */
  gint hpad = MAX (2, text_px * 35 / 100);
  gint vpad = MAX (1, text_px * 15 / 100);
  gint text_max = MAX (1, max_width - 2 * hpad);

  g_autoptr (GPtrArray) layouts = g_ptr_array_new_with_free_func
      (g_object_unref);
  g_autoptr (GString) shown = g_string_new (NULL);
  gint w = 0, h = 0;
  gboolean first = TRUE;
  for (guint i = 0; i < n_lines; i++) {
    if (lines[i] == NULL)
      continue;
    g_autofree gchar *clean = gc_render_sanitize (lines[i], TRUE);
    gint px = first ? (gint) lround (text_px * title_scale) : text_px;
    PangoLayout *layout = make_layout (renderer, style->font, px, clean,
        text_max);
    PangoRectangle logical;
    pango_layout_get_pixel_extents (layout, NULL, &logical);
    w = MAX (w, logical.width);
    h += logical.height;
    g_ptr_array_add (layouts, layout);
    if (shown->len)
      g_string_append_c (shown, '\n');
    g_string_append (shown, pango_layout_get_text (layout));
    first = FALSE;
  }

  image = image_new (key->str, w + 2 * hpad, h + 2 * vpad);
  image->text = g_strdup (shown->str);
  cairo_t *cr = cairo_create (image->surface);
  set_source_argb (cr, style->plate_argb);
  plate_path (cr, image->width, image->height, text_px * 0.2);
  cairo_fill (cr);

  gint y = vpad;
  set_source_argb (cr, style->text_argb);
  for (guint i = 0; i < layouts->len; i++) {
    PangoLayout *layout = g_ptr_array_index (layouts, i);
    PangoRectangle logical;
    pango_layout_get_pixel_extents (layout, NULL, &logical);
    cairo_move_to (cr, hpad - logical.x, y - logical.y);
    pango_cairo_show_layout (cr, layout);
    y += logical.height;
  }
  cairo_destroy (cr);
  return cache_insert (renderer, image);
}

GcImage *
gc_render_solid (GcRenderer *renderer, gint width, gint height, guint32 argb)
{
  g_return_val_if_fail (renderer != NULL, NULL);

  g_autoptr (GString) key = g_string_new ("solid|");
  key_add_int (key, width);
  key_add_int (key, height);
  key_add_int (key, argb);
  GcImage *image = cache_lookup (renderer, key->str);
  if (image)
    return image;

  image = image_new (key->str, width, height);
  cairo_t *cr = cairo_create (image->surface);
  set_source_argb (cr, argb);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);
  return cache_insert (renderer, image);
}

GcImage *
gc_render_box (GcRenderer *renderer, gint width, gint height,
    gint line_width, guint32 argb, const gchar *caption, const gchar *font,
    gint text_px, gint max_width, gint *box_x, gint *box_y)
{
  g_return_val_if_fail (renderer != NULL, NULL);

  width = CLAMP (width, 1, MAX_SURFACE_SIDE);
  height = CLAMP (height, 1, MAX_SURFACE_SIDE);
  line_width = CLAMP (line_width, 1, 64);
  text_px = CLAMP (text_px, 1, MAX_TEXT_PX);
  max_width = max_width > 0 ? MIN (max_width, MAX_SURFACE_SIDE) :
      MAX_SURFACE_SIDE;

  g_autoptr (GString) key = g_string_new ("box|");
  key_add_int (key, width);
  key_add_int (key, height);
  key_add_int (key, line_width);
  key_add_int (key, argb);
  key_add_str (key, caption);
  key_add_str (key, font);
  key_add_int (key, text_px);
  key_add_int (key, max_width);

  PangoRectangle logical = { 0, };
  gint cap_h = 0, cap_w = 0, pad = MAX (1, text_px / 5);
  GcImage *image = cache_lookup (renderer, key->str);
  g_autoptr (PangoLayout) layout = NULL;
  if (image == NULL && caption && *caption) {
    g_autofree gchar *clean = gc_render_sanitize (caption, TRUE);
    layout = make_layout (renderer, font, text_px, clean,
        MAX (1, max_width - 2 * pad));
    pango_layout_get_pixel_extents (layout, NULL, &logical);
  }
  if (image) {
    /* The box's position inside a cached picture follows from its size. */
    *box_x = line_width;
    *box_y = image->height - height - line_width;
    return image;
  }
  if (layout) {
    cap_w = logical.width + 2 * pad;
    cap_h = logical.height;
  }

  gint outer_w = width + 2 * line_width;
  image = image_new (key->str, MAX (outer_w, cap_w),
      cap_h + height + 2 * line_width);
  image->text = layout ? g_strdup (pango_layout_get_text (layout)) : NULL;
  cairo_t *cr = cairo_create (image->surface);
  set_source_argb (cr, argb);
  cairo_set_line_width (cr, line_width);
  cairo_rectangle (cr, line_width / 2.0, cap_h + line_width / 2.0,
      width + line_width, height + line_width);
  cairo_stroke (cr);
  if (layout) {
    /* The caption sits on a dark tab so it reads over any video. */
    cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
    cairo_rectangle (cr, 0, 0, cap_w, cap_h);
    cairo_fill (cr);
    set_source_argb (cr, argb | 0xff000000u);
    cairo_move_to (cr, pad - logical.x, -logical.y);
    pango_cairo_show_layout (cr, layout);
  }
  cairo_destroy (cr);

  *box_x = line_width;
  *box_y = cap_h + line_width;
  return cache_insert (renderer, image);
}

/* ------------------------------------------------------------------ */
/* Contrast and placement */

static gdouble
channel_linear (gdouble c)
{
  return c <= 0.03928 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static gdouble
luminance (gdouble r, gdouble g, gdouble b)
{
  return 0.2126 * channel_linear (r) + 0.7152 * channel_linear (g) +
      0.0722 * channel_linear (b);
}

static gdouble
ratio (gdouble l1, gdouble l2)
{
  return (MAX (l1, l2) + 0.05) / (MIN (l1, l2) + 0.05);
}

gdouble
gc_render_contrast (guint32 argb1, guint32 argb2)
{
  gdouble l1 = luminance (((argb1 >> 16) & 0xff) / 255.0,
      ((argb1 >> 8) & 0xff) / 255.0, (argb1 & 0xff) / 255.0);
  gdouble l2 = luminance (((argb2 >> 16) & 0xff) / 255.0,
      ((argb2 >> 8) & 0xff) / 255.0, (argb2 & 0xff) / 255.0);
  return ratio (l1, l2);
}

/* @fg with its alpha over the opaque @bg, channels 0..1. */
static void
over (guint32 fg, const gdouble bg[3], gdouble out[3])
{
  gdouble a = ((fg >> 24) & 0xff) / 255.0;
  gdouble c[3] = { ((fg >> 16) & 0xff) / 255.0, ((fg >> 8) & 0xff) / 255.0,
    (fg & 0xff) / 255.0
  };
  for (gint i = 0; i < 3; i++)
    out[i] = c[i] * a + bg[i] * (1 - a);
}

gdouble
gc_style_worst_contrast (const GcStyle *style)
{
  static const gdouble backgrounds[2][3] = { {0, 0, 0}, {1, 1, 1} };
  gdouble worst = 21.0;

  for (gint i = 0; i < 2; i++) {
    gdouble plate[3], text[3];
    over (style->plate_argb, backgrounds[i], plate);
    over (style->text_argb, plate, text);
    worst = MIN (worst, ratio (luminance (plate[0], plate[1], plate[2]),
            luminance (text[0], text[1], text[2])));
  }
  return worst;
}

gboolean
gc_style_enforce_contrast (GcStyle *style, gdouble min_contrast)
{
  if (gc_style_worst_contrast (style) >= min_contrast)
    return FALSE;

  style->plate_argb |= 0xff000000u;
  if (gc_style_worst_contrast (style) >= min_contrast)
    return TRUE;

  guint32 plate = style->plate_argb;
  style->text_argb = gc_render_contrast (0xffffffffu, plate) >=
      gc_render_contrast (0xff000000u, plate) ? 0xffffffffu : 0xff000000u;
  /* Black or white text reaches at least 4.58:1 on any opaque plate; a
   * pack asking for more than that is served by a black plate too. */
  if (gc_style_worst_contrast (style) < min_contrast) {
    style->plate_argb = 0xff000000u;
    style->text_argb = 0xffffffffu;
  }
  return TRUE;
}

void
gc_render_place (GcCorner corner, gint frame_width, gint frame_height,
    gint width, gint height, gint margin, gint offset, gint *x, gint *y)
{
  gboolean right = corner == GC_CORNER_TOP_RIGHT
      || corner == GC_CORNER_BOTTOM_RIGHT;
  gboolean bottom = corner == GC_CORNER_BOTTOM_LEFT
      || corner == GC_CORNER_BOTTOM_RIGHT;

  *x = right ? frame_width - margin - width : margin;
  *y = bottom ? frame_height - margin - height - offset : margin + offset;
  /* A picture wider than the frame starts at its left edge, so its start
   * (where the words that matter are) stays visible. */
  *x = MAX (*x, 0);
  *y = MAX (*y, 0);
}

cairo_status_t
gc_render_evidence_png (cairo_surface_t *surface, gint x, gint y, gint w,
    gint h, const gchar *path)
{
  if (w > 0 && h > 0) {
    cairo_t *cr = cairo_create (surface);
    gdouble lw = MAX (2.0, cairo_image_surface_get_height (surface) / 270.0);
    cairo_set_source_rgb (cr, 1.0, 0.1, 0.1);
    cairo_set_line_width (cr, lw);
    cairo_rectangle (cr, x - lw, y - lw, w + 2 * lw, h + 2 * lw);
    cairo_stroke (cr);
    cairo_destroy (cr);
  }
  return cairo_surface_write_to_png (surface, path);
}
