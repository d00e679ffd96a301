/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gc-realistic-gen: renders realistic live-shopping recordings, with the
 * catalog each is checked against and a truth file listing every text
 * shown and the violations a correct reader must report.
 *
 *   gc-realistic-gen --set SET.json --list [--quick]
 *   gc-realistic-gen --set SET.json --key NAME
 *   gc-realistic-gen --set SET.json --clip NAME -o DIR [--no-video]
 *   gc-realistic-gen --set SET.json --clip NAME --frame SECONDS --png OUT.png
 *
 * The set (tests/realistic/set.json, described in README.md there) defines
 * each clip: region (cn, us, eu: rule pack, platform UI language and chat),
 * size, bitrate, length, seed, the catalog, the seller's overlays (price
 * cards, captions, ad labels) with their time spans, and the violations
 * expected.  Everything else a live stream shows is made here from the
 * seed: a defocused set (wall, shelves, products, lamps, plants) panned and
 * zoomed slowly, a host swaying and gesturing, the platform's chrome
 * (streamer pill with avatar, viewer count, follow button, live badge,
 * scrolling chat, input bar, floating hearts) and sensor noise over the
 * whole frame.  Frames are drawn with cairo and Pango and encoded by
 * appsrc ! videoconvert ! x264enc ! h264parse ! mp4mux.
 *
 * Before anything is written the truth is checked against the product's
 * own core (GLib only): every price line must parse to its declared value,
 * every UI and chat line to no fact at all, and a perfect reader sampling
 * once a second, pushed through the rule engine with the catalog and the
 * region's pack, must give exactly the expected violations.  A set that
 * fails this is refused (--no-verify writes it anyway, for debugging).
 *
 * The same command gives the same frames: all randomness comes from the
 * clip's seed. */
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc-catalog.h"
#include "gc-facts.h"
#include "gc-rulepack.h"
#include "gc-rules.h"

#define FPS 30
#define GEN_VERSION "gc-realistic-gen/1"

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64, one stream per purpose so that changing one part of
 * a clip does not shift the randomness of the others. */

typedef struct
{
  guint64 s;
} Rng;

static void
rng_init (Rng *r, guint64 seed, guint64 salt)
{
  r->s = seed * 0x9E3779B97F4A7C15ull ^ (salt + 0x632BE59BD9B4E019ull);
}

static guint64
rng_next (Rng *r)
{
  guint64 z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static gdouble
rng_unit (Rng *r)
{
  return (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

static gdouble
rng_range (Rng *r, gdouble lo, gdouble hi)
{
  return lo + (hi - lo) * rng_unit (r);
}

static gint
rng_int (Rng *r, gint n)
{
  return (gint) (rng_next (r) % (guint64) n);
}

static gdouble
rng_gauss (Rng *r)
{
  gdouble u = rng_unit (r), v = rng_unit (r);
  if (u < 1e-12)
    u = 1e-12;
  return sqrt (-2.0 * log (u)) * cos (2 * G_PI * v);
}

/* ------------------------------------------------------------------ */
/* Colours */

typedef struct
{
  gdouble r, g, b, a;
} Rgba;

static Rgba
rgba_hex (guint32 rgb, gdouble a)
{
  Rgba c = { ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
    (rgb & 0xff) / 255.0, a
  };
  return c;
}

static gboolean
parse_color (const gchar *s, Rgba *out)
{
  guint64 v;
  gchar *end = NULL;
  gsize n;

  if (s == NULL || s[0] != '#')
    return FALSE;
  n = strlen (s + 1);
  if (n != 6 && n != 8)
    return FALSE;
  v = g_ascii_strtoull (s + 1, &end, 16);
  if (end == NULL || *end != '\0')
    return FALSE;
  if (n == 6)
    *out = rgba_hex ((guint32) v, 1.0);
  else
    *out = rgba_hex ((guint32) (v >> 8), (v & 0xff) / 255.0);
  return TRUE;
}

static void
set_rgba (cairo_t *cr, Rgba c)
{
  cairo_set_source_rgba (cr, c.r, c.g, c.b, c.a);
}

static Rgba
mix (Rgba a, Rgba b, gdouble t)
{
  Rgba c = { a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t,
    a.b + (b.b - a.b) * t, a.a + (b.a - a.a) * t
  };
  return c;
}

static Rgba
shade (Rgba c, gdouble f)
{
  if (f >= 0)
    return mix (c, rgba_hex (0xffffff, c.a), f);
  return mix (c, rgba_hex (0x000000, c.a), -f);
}

/* ------------------------------------------------------------------ */
/* Image helpers */

/* Box blur of an ARGB32/RGB24 surface, @passes times (3 ~ gaussian). */
static void
blur_surface (cairo_surface_t *surf, gint radius, gint passes)
{
  gint w, h, stride, n;
  guint8 *data, *tmp;

  if (radius < 1)
    return;
  cairo_surface_flush (surf);
  w = cairo_image_surface_get_width (surf);
  h = cairo_image_surface_get_height (surf);
  stride = cairo_image_surface_get_stride (surf);
  data = cairo_image_surface_get_data (surf);
  n = MAX (w, h);
  tmp = g_malloc ((gsize) n * 4);

  for (gint pass = 0; pass < passes; pass++) {
    gint div = 2 * radius + 1;
    for (gint y = 0; y < h; y++) {
      guint8 *row = data + (gsize) y * stride;
      for (gint c = 0; c < 4; c++) {
        gint sum = 0;
        for (gint i = -radius; i <= radius; i++)
          sum += row[CLAMP (i, 0, w - 1) * 4 + c];
        for (gint x = 0; x < w; x++) {
          tmp[x * 4 + c] = (guint8) (sum / div);
          sum += row[MIN (x + radius + 1, w - 1) * 4 + c]
              - row[MAX (x - radius, 0) * 4 + c];
        }
      }
      memcpy (row, tmp, (gsize) w * 4);
    }
    for (gint x = 0; x < w; x++) {
      for (gint c = 0; c < 4; c++) {
        gint sum = 0;
        for (gint i = -radius; i <= radius; i++)
          sum += data[(gsize) CLAMP (i, 0, h - 1) * stride + x * 4 + c];
        for (gint y = 0; y < h; y++) {
          tmp[y * 4 + c] = (guint8) (sum / div);
          sum += data[(gsize) MIN (y + radius + 1, h - 1) * stride + x * 4 + c]
              - data[(gsize) MAX (y - radius, 0) * stride + x * 4 + c];
        }
      }
      for (gint y = 0; y < h; y++)
        memcpy (data + (gsize) y * stride + x * 4, tmp + y * 4, 4);
    }
  }
  g_free (tmp);
  cairo_surface_mark_dirty (surf);
}

static void
rounded_rect (cairo_t *cr, gdouble x, gdouble y, gdouble w, gdouble h,
    gdouble r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static cairo_surface_t *
new_argb (gint w, gint h)
{
  return cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (w, 1),
      MAX (h, 1));
}

/* ------------------------------------------------------------------ */
/* Text */

typedef struct
{
  gchar *text;
  gdouble scale;
  gboolean has_color;
  Rgba color;
} Part;

static void
part_free (Part *p)
{
  g_free (p->text);
  g_free (p);
}

/* One line of text as drawn and as the truth records it. */
typedef struct
{
  gchar *text;                  /* concatenated parts */
  GPtrArray *parts;             /* Part* */
  gchar *font;
  gdouble size;                 /* px */
  Rgba color;
  /* truth */
  gchar *kind;                  /* price, reference, caption, label, ui */
  gchar *role;
  gboolean has_value;
  gdouble value;
  gchar *currency;
  gboolean struck;
  Rgba strike_color;
  /* card layout */
  gboolean inline_;
  gboolean has_badge;
  Rgba badge;
} TextSpec;

static void
text_spec_free (TextSpec *t)
{
  if (t == NULL)
    return;
  g_free (t->text);
  g_ptr_array_unref (t->parts);
  g_free (t->font);
  g_free (t->kind);
  g_free (t->role);
  g_free (t->currency);
  g_free (t);
}

static PangoContext *pango_ctx;

static void
init_pango (void)
{
  PangoFontMap *fm = pango_cairo_font_map_get_default ();
  cairo_font_options_t *fo = cairo_font_options_create ();

  pango_ctx = pango_font_map_create_context (fm);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (pango_ctx, fo);
  pango_cairo_context_set_resolution (pango_ctx, 96);
  cairo_font_options_destroy (fo);
}

static PangoLayout *
text_layout (const TextSpec *t)
{
  PangoLayout *layout = pango_layout_new (pango_ctx);
  PangoFontDescription *desc = pango_font_description_from_string (t->font);
  PangoAttrList *attrs = pango_attr_list_new ();
  guint off = 0;

  pango_font_description_set_absolute_size (desc, t->size * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, t->text, -1);
  for (guint i = 0; i < t->parts->len; i++) {
    const Part *p = g_ptr_array_index (t->parts, i);
    guint len = (guint) strlen (p->text);
    PangoAttribute *a;
    if (p->scale != 1.0) {
      a = pango_attr_size_new_absolute ((gint) (t->size * p->scale * PANGO_SCALE));
      a->start_index = off;
      a->end_index = off + len;
      pango_attr_list_insert (attrs, a);
    }
    if (p->has_color) {
      a = pango_attr_foreground_new ((guint16) (p->color.r * 65535),
          (guint16) (p->color.g * 65535), (guint16) (p->color.b * 65535));
      a->start_index = off;
      a->end_index = off + len;
      pango_attr_list_insert (attrs, a);
    }
    off += len;
  }
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

typedef enum
{
  TS_FILL,
  TS_OUTLINE,
  TS_SHADOW,
  TS_OUTLINE_SHADOW,
} TextStyle;

static TextStyle
text_style_from (const gchar *s)
{
  if (g_strcmp0 (s, "outline") == 0)
    return TS_OUTLINE;
  if (g_strcmp0 (s, "shadow") == 0)
    return TS_SHADOW;
  if (g_strcmp0 (s, "outline-shadow") == 0)
    return TS_OUTLINE_SHADOW;
  return TS_FILL;
}

/* How far an effect reaches beyond the logical box. */
static gint
style_margin (TextStyle st, gdouble size)
{
  switch (st) {
    case TS_FILL:
      return 2;
    case TS_OUTLINE:
      return (gint) ceil (size * 0.09) + 3;
    case TS_SHADOW:
    case TS_OUTLINE_SHADOW:
      return (gint) ceil (size * 0.18) + 4;
  }
  return 2;
}

/* Draws @layout with its logical top-left at (x, y). */
static void
draw_layout_styled (cairo_t *cr, PangoLayout *layout, const TextSpec *t,
    TextStyle st, gdouble x, gdouble y)
{
  gdouble ow = MAX (2.0, t->size * 0.11);

  pango_cairo_update_layout (cr, layout);
  if (st == TS_SHADOW || st == TS_OUTLINE_SHADOW) {
    /* A soft drop shadow, drawn on its own surface and blurred. */
    PangoRectangle log;
    gint m = style_margin (st, t->size);
    gdouble off = MAX (2.0, t->size * 0.06);
    cairo_surface_t *sh;
    cairo_t *sc;

    pango_layout_get_pixel_extents (layout, NULL, &log);
    sh = new_argb (log.width + 2 * m, log.height + 2 * m);
    sc = cairo_create (sh);
    pango_cairo_update_layout (sc, layout);
    cairo_move_to (sc, m, m);
    pango_cairo_layout_path (sc, layout);
    cairo_set_source_rgba (sc, 0, 0, 0, 0.85);
    if (st == TS_OUTLINE_SHADOW) {
      cairo_set_line_width (sc, ow);
      cairo_set_line_join (sc, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke_preserve (sc);
    }
    cairo_fill (sc);
    cairo_destroy (sc);
    blur_surface (sh, MAX (1, (gint) (t->size * 0.035)), 2);
    cairo_set_source_surface (cr, sh, x - m + off, y - m + off);
    cairo_paint (cr);
    cairo_surface_destroy (sh);
    pango_cairo_update_layout (cr, layout);
  }
  if (st == TS_OUTLINE || st == TS_OUTLINE_SHADOW) {
    cairo_move_to (cr, x, y);
    pango_cairo_layout_path (cr, layout);
    cairo_set_source_rgba (cr, 0.02, 0.02, 0.02, 1);
    cairo_set_line_width (cr, ow);
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke (cr);
  }
  set_rgba (cr, t->color);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);

  if (t->struck) {
    PangoRectangle ink, log;
    gdouble base, ymid;
    pango_layout_get_pixel_extents (layout, &ink, &log);
    base = pango_layout_get_baseline (layout) / (gdouble) PANGO_SCALE;
    /* Through the middle of the digits (they stand ~0.7 em tall). */
    ymid = y + base - t->size * 0.34;
    set_rgba (cr, t->strike_color);
    cairo_set_line_width (cr, MAX (2.0, t->size * 0.075));
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to (cr, x + ink.x - 2, ymid);
    cairo_line_to (cr, x + ink.x + ink.width + 2, ymid);
    cairo_stroke (cr);
  }
}

/* ------------------------------------------------------------------ */
/* Overlays: pre-rendered surfaces with their place and animation */

typedef enum
{
  ANIM_NONE,
  ANIM_FADE,
  ANIM_SLIDE_LEFT,              /* from / to the left edge */
  ANIM_SLIDE_RIGHT,             /* from / to the right edge */
  ANIM_SLIDE_UP,                /* from below */
  ANIM_POP,                     /* grows from 60% */
} Anim;

static Anim
anim_from (const gchar *s, Anim dflt)
{
  if (s == NULL)
    return dflt;
  if (strcmp (s, "none") == 0)
    return ANIM_NONE;
  if (strcmp (s, "fade") == 0)
    return ANIM_FADE;
  if (strcmp (s, "slide-left") == 0)
    return ANIM_SLIDE_LEFT;
  if (strcmp (s, "slide-right") == 0)
    return ANIM_SLIDE_RIGHT;
  if (strcmp (s, "slide-up") == 0)
    return ANIM_SLIDE_UP;
  if (strcmp (s, "pop") == 0)
    return ANIM_POP;
  return dflt;
}

typedef struct
{
  cairo_surface_t *surf;
  gint w, h;
  gdouble x, y;                 /* surface top-left when fully shown */
  gdouble t_in, t_out;          /* fully shown in [t_in, t_out] */
  Anim enter, exit;
  gdouble enter_dur, exit_dur;
} Overlay;

static void
overlay_free (Overlay *o)
{
  cairo_surface_destroy (o->surf);
  g_free (o);
}

static gdouble
ease_out (gdouble p)
{
  p = CLAMP (p, 0.0, 1.0);
  return 1 - (1 - p) * (1 - p) * (1 - p);
}

static void
draw_overlay (cairo_t *cr, const Overlay *o, gdouble t, gint W, gint H)
{
  gdouble p = 1.0, x = o->x, y = o->y, alpha = 1.0, scale = 1.0;
  Anim a = ANIM_NONE;

  if (t < o->t_in - o->enter_dur || t > o->t_out + o->exit_dur)
    return;
  if (t < o->t_in && o->enter_dur > 0) {
    p = ease_out ((t - (o->t_in - o->enter_dur)) / o->enter_dur);
    a = o->enter;
  } else if (t > o->t_out && o->exit_dur > 0) {
    p = 1 - ease_out ((t - o->t_out) / o->exit_dur);
    a = o->exit;
  }
  switch (a) {
    case ANIM_NONE:
      break;
    case ANIM_FADE:
      alpha = p;
      break;
    case ANIM_SLIDE_RIGHT:
      x = o->x + (W + 8 - o->x) * (1 - p);
      break;
    case ANIM_SLIDE_LEFT:
      x = o->x + (-o->w - 8 - o->x) * (1 - p);
      break;
    case ANIM_SLIDE_UP:
      y = o->y + (H * 0.12) * (1 - p);
      alpha = p;
      break;
    case ANIM_POP:
      scale = 0.6 + 0.4 * p;
      alpha = p;
      break;
  }
  if (alpha <= 0.003)
    return;
  cairo_save (cr);
  if (scale != 1.0) {
    cairo_translate (cr, x + o->w / 2.0, y + o->h / 2.0);
    cairo_scale (cr, scale, scale);
    cairo_translate (cr, -o->w / 2.0, -o->h / 2.0);
    cairo_set_source_surface (cr, o->surf, 0, 0);
  } else {
    cairo_set_source_surface (cr, o->surf, round (x), round (y));
  }
  if (alpha >= 0.999)
    cairo_paint (cr);
  else
    cairo_paint_with_alpha (cr, alpha);
  cairo_restore (cr);
}

/* ------------------------------------------------------------------ */
/* Truth */

typedef struct
{
  gchar *text, *kind, *role, *currency, *font, *style;
  gboolean has_value, struck, has_bbox;
  gdouble value, t_start, t_end, size;
  gint bbox[4];
} Truth;

static void
truth_free (Truth *t)
{
  g_free (t->text);
  g_free (t->kind);
  g_free (t->role);
  g_free (t->currency);
  g_free (t->font);
  g_free (t->style);
  g_free (t);
}

typedef struct
{
  gchar *rule, *sku, *note;
  gdouble t_start, t_end;
  /* what the rule engine gives for a perfect reading (filled by verify) */
  gboolean engine_found;
  gdouble engine_start, engine_end;
  gchar *engine_observed;
} Expect;

static void
expect_free (Expect *e)
{
  g_free (e->rule);
  g_free (e->sku);
  g_free (e->note);
  g_free (e->engine_observed);
  g_free (e);
}

/* ------------------------------------------------------------------ */
/* The clip */

typedef struct
{
  gdouble t;                    /* arrival */
  cairo_surface_t *surf;
  gint w, h;
  Truth *truth;
} ChatMsg;

typedef struct
{
  gdouble t0, dur, x0, phase, amp, scale;
  gint sprite;
} Heart;

typedef struct
{
  gdouble t_start, t_end;
  cairo_surface_t *surf;
  gint w, h;
} Counter;

typedef struct
{
  /* spec */
  JsonObject *spec;
  gchar *name, *region, *scene, *streamer;
  gint W, H, kbps, bframes, gop;  /* gop: frames from keyframe to keyframe */
  gdouble duration, noise, s;
  guint64 seed;
  gboolean quick, compliant;

  /* made */
  GPtrArray *overlays;          /* Overlay*, seller's items, drawn in order */
  GPtrArray *truths;            /* Truth* */
  GPtrArray *expects;           /* Expect* */
  GPtrArray *chat;              /* ChatMsg* */
  GArray *hearts;               /* Heart */
  GPtrArray *counters;          /* Counter* */

  cairo_surface_t *bg;          /* blurred set, larger than the frame */
  gint bw, bh;
  cairo_surface_t *host, *arm;
  gdouble host_x, host_y, arm_px, arm_py; /* in bg coordinates */
  gdouble cam_pan_x, cam_pan_y, cam_zoom, cam_tx, cam_ty, cam_tz;
  gdouble host_phase;
  cairo_surface_t *pill, *badge, *corner, *inputbar;
  gint pill_x, pill_y, pill_w, pill_h, badge_x, badge_y;
  gint count_x, count_y;
  gint corner_x, corner_y, input_x, input_y;
  cairo_surface_t *heart_sprites[5];
  gint heart_size;
  gint chat_x, chat_bottom, chat_lh, chat_lines;

  gint8 *noise_tile;
  gint nt_w, nt_h;
} Clip;

static void
clip_free (Clip *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->region);
  g_free (c->scene);
  g_free (c->streamer);
  g_ptr_array_unref (c->overlays);
  g_ptr_array_unref (c->truths);
  g_ptr_array_unref (c->expects);
  for (guint i = 0; i < c->chat->len; i++) {
    ChatMsg *m = g_ptr_array_index (c->chat, i);
    cairo_surface_destroy (m->surf);
  }
  g_ptr_array_unref (c->chat);
  g_array_unref (c->hearts);
  for (guint i = 0; i < c->counters->len; i++) {
    Counter *k = g_ptr_array_index (c->counters, i);
    cairo_surface_destroy (k->surf);
  }
  g_ptr_array_unref (c->counters);
  if (c->bg)
    cairo_surface_destroy (c->bg);
  if (c->host)
    cairo_surface_destroy (c->host);
  if (c->arm)
    cairo_surface_destroy (c->arm);
  if (c->pill)
    cairo_surface_destroy (c->pill);
  if (c->badge)
    cairo_surface_destroy (c->badge);
  if (c->corner)
    cairo_surface_destroy (c->corner);
  if (c->inputbar)
    cairo_surface_destroy (c->inputbar);
  for (gint i = 0; i < 5; i++)
    if (c->heart_sprites[i])
      cairo_surface_destroy (c->heart_sprites[i]);
  g_free (c->noise_tile);
  if (c->spec)
    json_object_unref (c->spec);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Clip, clip_free)

static Truth *
add_truth (Clip *c, const gchar *text, const gchar *kind, const gchar *role,
    gdouble t0, gdouble t1)
{
  Truth *t = g_new0 (Truth, 1);
  t->text = g_strdup (text);
  t->kind = g_strdup (kind);
  t->role = g_strdup (role);
  t->t_start = MAX (0.0, t0);
  t->t_end = MIN (c->duration, t1);
  g_ptr_array_add (c->truths, t);
  return t;
}

static Truth *
add_truth_from_spec (Clip *c, const TextSpec *ts, const gchar *style,
    gdouble t0, gdouble t1, gdouble x, gdouble y, gdouble w, gdouble h)
{
  Truth *t = add_truth (c, ts->text, ts->kind, ts->role, t0, t1);
  t->has_value = ts->has_value;
  t->value = ts->value;
  t->currency = g_strdup (ts->currency);
  t->struck = ts->struck;
  t->font = g_strdup (ts->font);
  t->size = ts->size;
  t->style = g_strdup (style);
  t->has_bbox = TRUE;
  t->bbox[0] = (gint) floor (x);
  t->bbox[1] = (gint) floor (y);
  t->bbox[2] = (gint) ceil (w);
  t->bbox[3] = (gint) ceil (h);
  return t;
}

/* ------------------------------------------------------------------ */
/* Spec reading */

static GQuark
gen_error_quark (void)
{
  return g_quark_from_static_string ("gc-realistic-gen");
}

#define GEN_ERROR gen_error_quark ()

static JsonObject *
obj_member (JsonObject *o, const gchar *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
arr_member (JsonObject *o, const gchar *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static const gchar *
str_member (JsonObject *o, const gchar *name, const gchar *dflt)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return dflt;
  return json_node_get_string (n);
}

static gdouble
num_member (JsonObject *o, const gchar *name, gdouble dflt)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return dflt;
  return json_node_get_double (n);
}

static gboolean
bool_member (JsonObject *o, const gchar *name, gboolean dflt)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return dflt;
  return json_node_get_boolean (n);
}

static gboolean
pair_member (JsonObject *o, const gchar *name, gdouble *a, gdouble *b)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  JsonArray *arr;
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return FALSE;
  arr = json_node_get_array (n);
  if (json_array_get_length (arr) != 2)
    return FALSE;
  *a = json_array_get_double_element (arr, 0);
  *b = json_array_get_double_element (arr, 1);
  return TRUE;
}

static Rgba
color_member (JsonObject *o, const gchar *name, guint32 dflt)
{
  Rgba c;
  if (!parse_color (str_member (o, name, NULL), &c))
    c = rgba_hex (dflt, 1.0);
  return c;
}

/* A text line: "text" or "parts": [{"text", "scale", "color"}], "font",
 * "size", "color", "kind", "role", "value", "currency", "strike",
 * "inline", "badge". */
static TextSpec *
text_spec_parse (JsonObject *o, const gchar *dflt_kind, const gchar *dflt_font,
    gdouble dflt_size, guint32 dflt_color, gdouble scale, GError **error)
{
  TextSpec *t = g_new0 (TextSpec, 1);
  JsonNode *parts = json_object_get_member (o, "parts");
  GString *all = g_string_new (NULL);

  t->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  if (parts && JSON_NODE_HOLDS_ARRAY (parts)) {
    JsonArray *arr = json_node_get_array (parts);
    for (guint i = 0; i < json_array_get_length (arr); i++) {
      JsonObject *po = json_array_get_object_element (arr, i);
      Part *p = g_new0 (Part, 1);
      p->text = g_strdup (str_member (po, "text", ""));
      p->scale = num_member (po, "scale", 1.0);
      p->has_color = parse_color (str_member (po, "color", NULL), &p->color);
      g_string_append (all, p->text);
      g_ptr_array_add (t->parts, p);
    }
  } else {
    Part *p = g_new0 (Part, 1);
    p->text = g_strdup (str_member (o, "text", ""));
    p->scale = 1.0;
    g_string_append (all, p->text);
    g_ptr_array_add (t->parts, p);
  }
  t->text = g_string_free (all, FALSE);
  if (t->text[0] == '\0') {
    g_set_error (error, GEN_ERROR, 1, "a text item has no text");
    text_spec_free (t);
    return NULL;
  }
  t->font = g_strdup (str_member (o, "font", dflt_font));
  /* "size" is in pixels of a 720-line frame, "px" in the clip's own */
  t->size = num_member (o, "px", num_member (o, "size", dflt_size) * scale);
  t->color = color_member (o, "color", dflt_color);
  t->kind = g_strdup (str_member (o, "kind", dflt_kind));
  t->role = g_strdup (str_member (o, "role", NULL));
  t->has_value = json_object_has_member (o, "value");
  t->value = num_member (o, "value", 0);
  t->currency = g_strdup (str_member (o, "currency", NULL));
  t->struck = parse_color (str_member (o, "strike", NULL), &t->strike_color);
  t->inline_ = bool_member (o, "inline", FALSE);
  t->has_badge = parse_color (str_member (o, "badge", NULL), &t->badge);
  if ((g_strcmp0 (t->kind, "price") == 0 || g_strcmp0 (t->kind, "reference") == 0)
      && (!t->has_value || t->currency == NULL)) {
    g_set_error (error, GEN_ERROR, 1, "\"%s\": a %s needs value and currency",
        t->text, t->kind);
    text_spec_free (t);
    return NULL;
  }
  return t;
}

/* Top-left of a box of @w x @h whose @anchor point is at (fx W, fy H). */
static void
place (const gchar *anchor, gdouble fx, gdouble fy, gdouble w, gdouble h,
    gint W, gint H, gdouble *x, gdouble *y)
{
  gdouble ax = fx * W, ay = fy * H;
  const gchar *a = anchor ? anchor : "tl";

  *x = ax;
  *y = ay;
  if (strcmp (a, "c") == 0 || strcmp (a, "t") == 0 || strcmp (a, "b") == 0)
    *x = ax - w / 2;
  else if (a[0] && a[1] == 'r')
    *x = ax - w;
  if (strcmp (a, "c") == 0)
    *y = ay - h / 2;
  else if (a[0] == 'b')
    *y = ay - h;
}

/* ------------------------------------------------------------------ */
/* Seller's items: cards, captions, labels */

typedef struct
{
  TextSpec *ts;
  PangoLayout *layout;
  PangoRectangle log;
  gdouble bx, by, bw, bh;       /* box in the card (badge included) */
  gdouble tx, ty;               /* text origin in the card */
  gdouble baseline;
} CardLine;

static const struct
{
  const gchar *name;
  guint32 top, bottom;
  gdouble alpha;
} panels[] = {
  {"white", 0xffffff, 0xf4f4f4, 0.97},
  {"cream", 0xfff8ec, 0xffeccc, 0.97},
  {"red", 0xff5a4e, 0xd9143f, 0.97},
  {"gold", 0xffe9a0, 0xffb446, 0.97},
  {"pink", 0xffeef3, 0xffc9d8, 0.96},
  {"blue", 0xeef5ff, 0xcadfff, 0.96},
  {"dark", 0x2a2a36, 0x14141c, 0.82},
  {"green", 0xeafff1, 0xc3f0d2, 0.96},
};

/* Draws a little product picture (box or bottle) in a square. */
static void
draw_thumb (cairo_t *cr, gdouble x, gdouble y, gdouble sz, Rgba col,
    gdouble r)
{
  cairo_pattern_t *g;

  rounded_rect (cr, x, y, sz, sz, r);
  cairo_set_source_rgb (cr, 0.93, 0.93, 0.95);
  cairo_fill (cr);
  g = cairo_pattern_create_linear (x, y, x + sz, y);
  cairo_pattern_add_color_stop_rgb (g, 0, shade (col, 0.25).r,
      shade (col, 0.25).g, shade (col, 0.25).b);
  cairo_pattern_add_color_stop_rgb (g, 1, shade (col, -0.3).r,
      shade (col, -0.3).g, shade (col, -0.3).b);
  rounded_rect (cr, x + sz * 0.3, y + sz * 0.22, sz * 0.4, sz * 0.66, sz * 0.08);
  cairo_set_source (cr, g);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
  rounded_rect (cr, x + sz * 0.36, y + sz * 0.12, sz * 0.28, sz * 0.12, sz * 0.03);
  set_rgba (cr, shade (col, -0.5));
  cairo_fill (cr);
}

static gboolean
make_card (Clip *c, JsonObject *o, GError **error)
{
  JsonArray *lines = arr_member (o, "lines");
  const gchar *panel = str_member (o, "panel", "white");
  gdouble s = c->s, pad = num_member (o, "pad", 16) * s, gap = 6 * s;
  gdouble radius = num_member (o, "radius", 14) * s;
  gdouble t0 = 0, t1 = 0, fx = 0.7, fy = 0.2;
  gdouble cw = 0, ch = 0, rowy = 0;
  gdouble thumb = 0;
  gint margin = (gint) ceil (14 * s);
  Rgba thumb_col;
  gboolean has_thumb = parse_color (str_member (o, "thumb", NULL), &thumb_col);
  GPtrArray *cl = g_ptr_array_new ();
  guint pi = 0;
  gboolean ok = FALSE;
  cairo_surface_t *surf = NULL;
  cairo_t *cr;
  Overlay *ov;

  if (lines == NULL || !pair_member (o, "t", &t0, &t1)) {
    g_set_error (error, GEN_ERROR, 1, "a card needs \"t\" and \"lines\"");
    goto out;
  }
  pair_member (o, "at", &fx, &fy);
  for (pi = 0; pi < G_N_ELEMENTS (panels); pi++)
    if (strcmp (panels[pi].name, panel) == 0)
      break;
  if (pi == G_N_ELEMENTS (panels)) {
    g_set_error (error, GEN_ERROR, 1, "unknown panel \"%s\"", panel);
    goto out;
  }

  /* Rows: a line starts a new row unless it is inline; the baselines of a
   * row line up. */
  for (guint i = 0; i < json_array_get_length (lines); i++) {
    CardLine *L = g_new0 (CardLine, 1);
    gdouble bpad_x, bpad_y;
    L->ts = text_spec_parse (json_array_get_object_element (lines, i),
        "caption", "Noto Sans CJK SC Bold", 28, 0x222222, c->s, error);
    if (L->ts == NULL) {
      g_free (L);
      goto out;
    }
    g_ptr_array_add (cl, L);
    L->layout = text_layout (L->ts);
    pango_layout_get_pixel_extents (L->layout, NULL, &L->log);
    L->baseline = pango_layout_get_baseline (L->layout) / (gdouble) PANGO_SCALE
        - L->log.y;
    bpad_x = L->ts->has_badge ? L->ts->size * 0.35 : 0;
    bpad_y = L->ts->has_badge ? L->ts->size * 0.08 : 0;
    L->tx = bpad_x;
    L->ty = bpad_y;
    L->bw = L->log.width + 2 * bpad_x;
    L->bh = L->log.height + 2 * bpad_y;
  }
  for (guint i = 0; i < cl->len;) {
    guint j = i + 1;
    gdouble asc = 0, desc = 0, x = 0;
    while (j < cl->len && ((CardLine *) g_ptr_array_index (cl, j))->ts->inline_)
      j++;
    for (guint k = i; k < j; k++) {
      CardLine *L = g_ptr_array_index (cl, k);
      asc = MAX (asc, L->ty + L->baseline);
      desc = MAX (desc, L->bh - (L->ty + L->baseline));
    }
    for (guint k = i; k < j; k++) {
      CardLine *L = g_ptr_array_index (cl, k);
      L->bx = x;
      L->by = rowy + asc - (L->ty + L->baseline);
      x += L->bw + 12 * s;
    }
    cw = MAX (cw, x - 12 * s);
    rowy += asc + desc;
    ch = rowy;
    rowy += gap;
    i = j;
  }
  if (has_thumb)
    thumb = MAX (ch, 40 * s);

  {
    gdouble pw = cw + 2 * pad + (has_thumb ? thumb + pad * 0.8 : 0);
    gdouble ph = MAX (ch, thumb) + 2 * pad;
    gdouble x, y, content_x;
    cairo_pattern_t *g;
    Rgba top = rgba_hex (panels[pi].top, panels[pi].alpha);
    Rgba bot = rgba_hex (panels[pi].bottom, panels[pi].alpha);
    const gchar *sname = str_member (o, "style", NULL);

    surf = new_argb ((gint) ceil (pw) + 2 * margin, (gint) ceil (ph) + 2 * margin);
    cr = cairo_create (surf);
    /* Soft shadow under the panel. */
    {
      cairo_surface_t *sh = new_argb (cairo_image_surface_get_width (surf),
          cairo_image_surface_get_height (surf));
      cairo_t *sc = cairo_create (sh);
      rounded_rect (sc, margin, margin + 3 * s, pw, ph, radius);
      cairo_set_source_rgba (sc, 0, 0, 0, 0.35);
      cairo_fill (sc);
      cairo_destroy (sc);
      blur_surface (sh, (gint) MAX (2, 5 * s), 2);
      cairo_set_source_surface (cr, sh, 0, 0);
      cairo_paint (cr);
      cairo_surface_destroy (sh);
    }
    g = cairo_pattern_create_linear (0, margin, 0, margin + ph);
    cairo_pattern_add_color_stop_rgba (g, 0, top.r, top.g, top.b, top.a);
    cairo_pattern_add_color_stop_rgba (g, 1, bot.r, bot.g, bot.b, bot.a);
    rounded_rect (cr, margin, margin, pw, ph, radius);
    cairo_set_source (cr, g);
    cairo_fill (cr);
    cairo_pattern_destroy (g);
    if (has_thumb)
      draw_thumb (cr, margin + pad, margin + pad + (MAX (ch, thumb) - thumb) / 2,
          thumb, thumb_col, 8 * s);
    content_x = margin + pad + (has_thumb ? thumb + pad * 0.8 : 0);

    place (str_member (o, "anchor", "tl"), fx, fy, pw, ph, c->W, c->H, &x, &y);
    for (guint k = 0; k < cl->len; k++) {
      CardLine *L = g_ptr_array_index (cl, k);
      gdouble lx = content_x + L->bx, ly = margin + pad + L->by;
      if (L->ts->has_badge) {
        rounded_rect (cr, lx, ly, L->bw, L->bh, L->bh / 2);
        set_rgba (cr, L->ts->badge);
        cairo_fill (cr);
      }
      draw_layout_styled (cr, L->layout, L->ts, text_style_from (sname),
          lx + L->tx - L->log.x, ly + L->ty - L->log.y);
      add_truth_from_spec (c, L->ts, L->ts->has_badge ? "card-badge" : "card",
          t0, t1, x + lx - margin + L->tx, y + ly - margin + L->ty,
          L->log.width, L->log.height);
    }
    cairo_destroy (cr);

    ov = g_new0 (Overlay, 1);
    ov->surf = surf;
    surf = NULL;
    ov->w = cairo_image_surface_get_width (ov->surf);
    ov->h = cairo_image_surface_get_height (ov->surf);
    ov->x = round (x - margin);
    ov->y = round (y - margin);
    ov->t_in = t0;
    ov->t_out = t1;
    ov->enter = anim_from (str_member (o, "enter", NULL), ANIM_SLIDE_RIGHT);
    ov->exit = anim_from (str_member (o, "exit", NULL), ANIM_SLIDE_RIGHT);
    ov->enter_dur = t0 > 0 ? 0.5 : 0;
    ov->exit_dur = t1 < c->duration ? 0.4 : 0;
    g_ptr_array_add (c->overlays, ov);
  }
  ok = TRUE;
out:
  for (guint k = 0; k < cl->len; k++) {
    CardLine *L = g_ptr_array_index (cl, k);
    if (L->layout)
      g_object_unref (L->layout);
    text_spec_free (L->ts);
    g_free (L);
  }
  g_ptr_array_unref (cl);
  if (surf)
    cairo_surface_destroy (surf);
  return ok;
}

/* A caption or a label: one line of text, optionally on a plate. */
static gboolean
make_text_item (Clip *c, JsonObject *o, gboolean is_label, GError **error)
{
  gdouble t0 = 0, t1 = 0, fx = 0.5, fy = 0.8, x, y;
  const gchar *style = str_member (o, "style", is_label ? "plate-dark" : "outline");
  gboolean plate = g_str_has_prefix (style, "plate");
  TextStyle st = plate ? TS_FILL : text_style_from (style);
  TextSpec *ts;
  PangoLayout *layout;
  PangoRectangle log;
  gdouble padx, pady, bw, bh;
  gint m;
  cairo_surface_t *surf;
  cairo_t *cr;
  Overlay *ov;
  guint32 dflt_color = 0xffffff;

  if (!pair_member (o, "t", &t0, &t1)) {
    g_set_error (error, GEN_ERROR, 1, "a %s needs \"t\"",
        is_label ? "label" : "caption");
    return FALSE;
  }
  if (strcmp (style, "plate-light") == 0)
    dflt_color = 0x555555;
  ts = text_spec_parse (o, is_label ? "label" : "caption",
      is_label ? "Noto Sans CJK SC" : "Noto Sans CJK SC Bold",
      is_label ? 20 : 48, dflt_color, c->s, error);
  if (ts == NULL)
    return FALSE;
  layout = text_layout (ts);
  pango_layout_get_pixel_extents (layout, NULL, &log);
  padx = plate ? ts->size * 0.45 : 0;
  pady = plate ? ts->size * 0.18 : 0;
  m = style_margin (st, ts->size);
  bw = log.width + 2 * padx;
  bh = log.height + 2 * pady;
  surf = new_argb ((gint) ceil (bw) + 2 * m, (gint) ceil (bh) + 2 * m);
  cr = cairo_create (surf);
  if (plate) {
    Rgba pc = rgba_hex (0x000000, 0.5);
    if (strcmp (style, "plate-light") == 0)
      pc = rgba_hex (0xffffff, 0.88);
    else if (strcmp (style, "plate-red") == 0)
      pc = rgba_hex (0xe8283c, 0.92);
    else if (strcmp (style, "plate-yellow") == 0)
      pc = rgba_hex (0xffd21f, 0.95);
    parse_color (str_member (o, "plate", NULL), &pc);
    rounded_rect (cr, m, m, bw, bh, MIN (bh / 2, num_member (o, "radius", 6) * c->s));
    set_rgba (cr, pc);
    cairo_fill (cr);
  }
  draw_layout_styled (cr, layout, ts, st, m + padx - log.x, m + pady - log.y);
  cairo_destroy (cr);

  if (is_label) {
    /* Corners sit clear of the platform's chrome. */
    const gchar *corner = str_member (o, "corner", "tr");
    gdouble mx = 18 * c->s;
    if (strcmp (corner, "tl") == 0) {
      x = mx;
      y = c->pill_y + c->pill_h + 14 * c->s;
    } else if (strcmp (corner, "br") == 0) {
      x = c->W - mx - bw;
      y = c->H - 16 * c->s - bh;
    } else {
      x = c->W - mx - bw;
      y = c->corner_y + cairo_image_surface_get_height (c->corner) + 12 * c->s;
    }
  } else {
    pair_member (o, "at", &fx, &fy);
    place (str_member (o, "anchor", "c"), fx, fy, bw, bh, c->W, c->H, &x, &y);
  }
  add_truth_from_spec (c, ts, style, t0, t1, x + padx, y + pady, log.width,
      log.height);

  ov = g_new0 (Overlay, 1);
  ov->surf = surf;
  ov->w = cairo_image_surface_get_width (surf);
  ov->h = cairo_image_surface_get_height (surf);
  ov->x = round (x - m);
  ov->y = round (y - m);
  ov->t_in = t0;
  ov->t_out = t1;
  ov->enter = anim_from (str_member (o, "enter", NULL), ANIM_FADE);
  ov->exit = anim_from (str_member (o, "exit", NULL), ANIM_FADE);
  ov->enter_dur = t0 > 0 ? (is_label ? 0.25 : 0.4) : 0;
  ov->exit_dur = t1 < c->duration ? (is_label ? 0.25 : 0.3) : 0;
  if (ov->enter == ANIM_SLIDE_LEFT || ov->enter == ANIM_SLIDE_RIGHT)
    ov->enter_dur = t0 > 0 ? 0.5 : 0;
  g_ptr_array_add (c->overlays, ov);
  g_object_unref (layout);
  text_spec_free (ts);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The set: defocused wall, shelves, products, lamps, plants */

typedef struct
{
  const gchar *name;
  guint32 wall_top, wall_bottom, shelf, table_top, table_bottom, light;
  gboolean rack, neon, tiles, stripes, bokeh;
  guint32 products[6];
} Scene;

static const Scene scenes[] = {
  {"warm-studio", 0xd9c4a6, 0xa9896a, 0x7a4e2c, 0x9a6a44, 0x5e3b22, 0xfff1d0,
      FALSE, FALSE, FALSE, TRUE, FALSE,
    {0xc0392b, 0x2e86c1, 0xf5b041, 0x58d68d, 0xaf7ac5, 0xf0f0f0}},
  {"cool-studio", 0x5d6f8a, 0x2f3a4e, 0xe8e8ee, 0x3c4454, 0x1e232e, 0xd0e6ff,
      FALSE, TRUE, FALSE, FALSE, TRUE,
    {0xff6f91, 0x4fc3f7, 0xffd54f, 0x81c784, 0xba68c8, 0xffffff}},
  {"boutique", 0xf2cdd6, 0xd79aab, 0xf7f1ea, 0xe9d6c8, 0xb89a88, 0xfff6ea,
      TRUE, FALSE, FALSE, TRUE, FALSE,
    {0x8e44ad, 0x2c3e50, 0xe67e22, 0xecf0f1, 0x16a085, 0xc0392b}},
  {"kitchen", 0xeef0ec, 0xc9cec8, 0xffffff, 0xd7d2c8, 0x9c978c, 0xfffaf0,
      FALSE, FALSE, TRUE, FALSE, FALSE,
    {0xe74c3c, 0x27ae60, 0xf39c12, 0x3498db, 0x95a5a6, 0x6d4c41}},
  {"tea-room", 0x5a3e2b, 0x2e1f16, 0x8d6e4f, 0x6b4a33, 0x3a271b, 0xffd9a0,
      FALSE, FALSE, FALSE, FALSE, TRUE,
    {0x7b3f20, 0xa0522d, 0x556b2f, 0xd2b48c, 0x8b0000, 0xc9a66b}},
};

static void
blob (cairo_t *cr, gdouble x, gdouble y, gdouble rx, gdouble ry, Rgba c)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, rx, ry);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  set_rgba (cr, c);
  cairo_fill (cr);
}

static void
glow (cairo_t *cr, gdouble x, gdouble y, gdouble r, Rgba c)
{
  cairo_pattern_t *g = cairo_pattern_create_radial (x, y, 0, x, y, r);
  cairo_pattern_add_color_stop_rgba (g, 0, c.r, c.g, c.b, c.a);
  cairo_pattern_add_color_stop_rgba (g, 1, c.r, c.g, c.b, 0);
  cairo_set_source (cr, g);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
}

static void
product_on_shelf (cairo_t *cr, Rng *r, gdouble x, gdouble base, gdouble w,
    gdouble h, Rgba col)
{
  gint kind = rng_int (r, 3);
  cairo_pattern_t *g = cairo_pattern_create_linear (x, 0, x + w, 0);
  cairo_pattern_add_color_stop_rgb (g, 0, shade (col, 0.2).r, shade (col, 0.2).g,
      shade (col, 0.2).b);
  cairo_pattern_add_color_stop_rgb (g, 1, shade (col, -0.35).r,
      shade (col, -0.35).g, shade (col, -0.35).b);
  if (kind == 0) {              /* box */
    cairo_rectangle (cr, x, base - h, w, h);
  } else if (kind == 1) {       /* bottle */
    rounded_rect (cr, x, base - h * 0.8, w, h * 0.8, w * 0.3);
    cairo_rectangle (cr, x + w * 0.32, base - h, w * 0.36, h * 0.25);
  } else {                      /* jar */
    rounded_rect (cr, x, base - h * 0.6, w, h * 0.6, w * 0.15);
  }
  cairo_set_source (cr, g);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
  /* a pale label band */
  if (rng_unit (r) < 0.6) {
    cairo_rectangle (cr, x + w * 0.1, base - h * 0.5, w * 0.8, h * 0.16);
    cairo_set_source_rgba (cr, 1, 1, 1, 0.55);
    cairo_fill (cr);
  }
}

static void
make_background (Clip *c)
{
  const Scene *sc = &scenes[0];
  gint bw = (gint) ceil (c->W * 1.12), bh = (gint) ceil (c->H * 1.12);
  cairo_surface_t *surf = cairo_image_surface_create (CAIRO_FORMAT_RGB24, bw, bh);
  cairo_t *cr = cairo_create (surf);
  cairo_pattern_t *g;
  Rng r;
  gdouble tabley = bh * 0.80;

  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
    if (g_strcmp0 (scenes[i].name, c->scene) == 0)
      sc = &scenes[i];
  rng_init (&r, c->seed, 1);
  c->bw = bw;
  c->bh = bh;

  /* wall */
  g = cairo_pattern_create_linear (0, 0, 0, tabley);
  cairo_pattern_add_color_stop_rgb (g, 0, rgba_hex (sc->wall_top, 1).r,
      rgba_hex (sc->wall_top, 1).g, rgba_hex (sc->wall_top, 1).b);
  cairo_pattern_add_color_stop_rgb (g, 1, rgba_hex (sc->wall_bottom, 1).r,
      rgba_hex (sc->wall_bottom, 1).g, rgba_hex (sc->wall_bottom, 1).b);
  cairo_set_source (cr, g);
  cairo_paint (cr);
  cairo_pattern_destroy (g);

  if (sc->stripes) {
    for (gdouble x = 0; x < bw; x += bw / 38.0) {
      cairo_rectangle (cr, x, 0, bw / 76.0, tabley);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.06);
      cairo_fill (cr);
    }
  }
  if (sc->tiles) {
    gdouble ts = bh / 14.0;
    cairo_set_line_width (cr, MAX (1.0, bh / 500.0));
    cairo_set_source_rgba (cr, 0.4, 0.4, 0.4, 0.25);
    for (gdouble x = 0; x < bw; x += ts) {
      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x, tabley);
    }
    for (gdouble y = 0; y < tabley; y += ts) {
      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, bw, y);
    }
    cairo_stroke (cr);
  }
  /* window / lamp light */
  glow (cr, bw * rng_range (&r, 0.05, 0.3), bh * rng_range (&r, 0.05, 0.3),
      bh * 0.55, rgba_hex (sc->light, 0.55));
  glow (cr, bw * rng_range (&r, 0.7, 0.95), bh * rng_range (&r, 0.0, 0.2),
      bh * 0.35, rgba_hex (sc->light, 0.35));

  if (sc->neon) {
    Rgba n = rgba_hex (rng_unit (&r) < 0.5 ? 0xff4fa3 : 0x40e0ff, 1);
    gdouble y0 = bh * 0.12, x0 = bw * 0.62;
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    for (gint k = 3; k >= 0; k--) {
      cairo_set_line_width (cr, bh * (0.006 + 0.02 * k));
      cairo_set_source_rgba (cr, n.r, n.g, n.b, k == 0 ? 1.0 : 0.12);
      cairo_move_to (cr, x0, y0);
      cairo_curve_to (cr, x0 + bw * 0.08, y0 - bh * 0.06, x0 + bw * 0.16,
          y0 + bh * 0.1, x0 + bw * 0.3, y0 + bh * 0.02);
      cairo_stroke (cr);
    }
  }

  /* shelves with products, on both sides of the host */
  for (gint side = 0; side < 2; side++) {
    gdouble sx0 = side == 0 ? -bw * 0.02 : bw * 0.62;
    gdouble sx1 = side == 0 ? bw * 0.30 : bw * 1.02;
    gint rows = sc->rack && side == 0 ? 1 : 3;
    for (gint k = 0; k < rows; k++) {
      gdouble sy = bh * (0.25 + 0.19 * k);
      if (sc->rack && side == 0) {
        /* a clothes rack: a bar and hanging garments */
        gdouble bar = bh * 0.14;
        cairo_rectangle (cr, sx0, bar, sx1 - sx0, bh * 0.012);
        cairo_set_source_rgb (cr, 0.75, 0.75, 0.78);
        cairo_fill (cr);
        for (gdouble x = sx0 + bw * 0.01; x < sx1 - bw * 0.04;
            x += rng_range (&r, bw * 0.03, bw * 0.05)) {
          Rgba col = rgba_hex (sc->products[rng_int (&r, 6)], 1);
          gdouble gw = rng_range (&r, bw * 0.035, bw * 0.05);
          rounded_rect (cr, x, bar + bh * 0.01, gw, rng_range (&r, bh * 0.35,
                  bh * 0.5), gw * 0.3);
          set_rgba (cr, shade (col, rng_range (&r, -0.2, 0.2)));
          cairo_fill (cr);
        }
        continue;
      }
      cairo_rectangle (cr, sx0, sy, sx1 - sx0, bh * 0.018);
      set_rgba (cr, rgba_hex (sc->shelf, 1));
      cairo_fill (cr);
      cairo_rectangle (cr, sx0, sy + bh * 0.018, sx1 - sx0, bh * 0.008);
      set_rgba (cr, shade (rgba_hex (sc->shelf, 1), -0.4));
      cairo_fill (cr);
      for (gdouble x = sx0 + bw * 0.01; x < sx1 - bw * 0.03;) {
        gdouble w = rng_range (&r, bw * 0.02, bw * 0.055);
        gdouble h = rng_range (&r, bh * 0.06, bh * 0.14);
        product_on_shelf (cr, &r, x, sy, w, h,
            rgba_hex (sc->products[rng_int (&r, 6)], 1));
        x += w + rng_range (&r, bw * 0.004, bw * 0.02);
      }
    }
  }
  /* a plant */
  {
    gdouble px = rng_unit (&r) < 0.5 ? bw * 0.08 : bw * 0.93, py = tabley;
    for (gint k = 0; k < 26; k++) {
      gdouble a = rng_range (&r, -2.6, -0.5), d = rng_range (&r, 0.05, 0.28) * bh;
      blob (cr, px + cos (a) * d * 0.8, py + sin (a) * d, bh * 0.035,
          bh * 0.018, shade (rgba_hex (0x3f8f4a, 1), rng_range (&r, -0.35, 0.25)));
    }
    rounded_rect (cr, px - bh * 0.05, py - bh * 0.06, bh * 0.1, bh * 0.1, bh * 0.01);
    cairo_set_source_rgb (cr, 0.85, 0.84, 0.8);
    cairo_fill (cr);
  }
  if (sc->bokeh) {
    for (gint k = 0; k < 22; k++)
      glow (cr, rng_range (&r, 0, bw), rng_range (&r, 0, bh * 0.7),
          rng_range (&r, bh * 0.02, bh * 0.06), rgba_hex (sc->light,
              rng_range (&r, 0.3, 0.7)));
  }
  /* table in front */
  g = cairo_pattern_create_linear (0, tabley, 0, bh);
  cairo_pattern_add_color_stop_rgb (g, 0, rgba_hex (sc->table_top, 1).r,
      rgba_hex (sc->table_top, 1).g, rgba_hex (sc->table_top, 1).b);
  cairo_pattern_add_color_stop_rgb (g, 1, rgba_hex (sc->table_bottom, 1).r,
      rgba_hex (sc->table_bottom, 1).g, rgba_hex (sc->table_bottom, 1).b);
  cairo_rectangle (cr, 0, tabley, bw, bh - tabley);
  cairo_set_source (cr, g);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
  cairo_destroy (cr);

  /* texture: fine fixed grain, then defocus, then a little more grain and
   * a vignette */
  {
    guint8 *d;
    gint stride;
    cairo_surface_flush (surf);
    d = cairo_image_surface_get_data (surf);
    stride = cairo_image_surface_get_stride (surf);
    for (gint y = 0; y < bh; y++)
      for (gint x = 0; x < bw; x++) {
        gint n = (gint) (rng_gauss (&r) * 10);
        for (gint ch = 0; ch < 3; ch++) {
          gint v = d[(gsize) y * stride + x * 4 + ch] + n;
          d[(gsize) y * stride + x * 4 + ch] = (guint8) CLAMP (v, 0, 255);
        }
      }
    cairo_surface_mark_dirty (surf);
    blur_surface (surf, MAX (2, bh / 110), 3);
    cairo_surface_flush (surf);
    for (gint y = 0; y < bh; y++)
      for (gint x = 0; x < bw; x++) {
        gdouble dx = (x - bw / 2.0) / bw, dy = (y - bh / 2.0) / bh;
        gdouble v = 1.0 - 0.55 * (dx * dx + dy * dy);
        gint n = (gint) (rng_gauss (&r) * 2);
        for (gint ch = 0; ch < 3; ch++) {
          gint val = (gint) (d[(gsize) y * stride + x * 4 + ch] * v) + n;
          d[(gsize) y * stride + x * 4 + ch] = (guint8) CLAMP (val, 0, 255);
        }
      }
    cairo_surface_mark_dirty (surf);
  }
  c->bg = surf;
}

/* The host: hair, head, neck, torso; and an arm holding the product,
 * drawn apart so that it can gesture. */
static void
make_host (Clip *c)
{
  JsonObject *h = obj_member (c->spec, "host");
  Rng r;
  static const guint32 skins[] = { 0xf1c7a5, 0xe0ac84, 0xc68642, 0xf5d0b5, 0x8d5524 };
  static const guint32 shirts[] = { 0x2a4d8f, 0xd94c6a, 0xf2f2f2, 0x1f1f1f,
    0x4f8a5b, 0xe8b13a, 0x7d4fa1
  };
  static const guint32 hairs[] = { 0x1a120c, 0x3b2416, 0x6b4226, 0x0d0d0d };
  Rgba skin, shirt, hair;
  gint sw, sh;
  gdouble hx, hy, hr, long_hair;
  cairo_surface_t *surf;
  cairo_t *cr;
  cairo_pattern_t *g;

  rng_init (&r, c->seed, 2);
  skin = rgba_hex (skins[rng_int (&r, G_N_ELEMENTS (skins))], 1);
  shirt = rgba_hex (shirts[rng_int (&r, G_N_ELEMENTS (shirts))], 1);
  hair = rgba_hex (hairs[rng_int (&r, G_N_ELEMENTS (hairs))], 1);
  if (h) {
    skin = color_member (h, "skin", 0xf1c7a5);
    shirt = color_member (h, "shirt", 0x2a4d8f);
    hair = color_member (h, "hair", 0x1a120c);
  }
  long_hair = rng_unit (&r) < 0.6;

  sw = (gint) (c->bh * 0.62);
  sh = (gint) (c->bh * 0.86);
  surf = new_argb (sw, sh);
  cr = cairo_create (surf);
  hx = sw / 2.0;
  hr = sh * 0.115;
  hy = sh * 0.2;

  /* hair behind */
  if (long_hair) {
    rounded_rect (cr, hx - hr * 1.2, hy - hr * 1.1, hr * 2.4, hr * 3.4, hr * 1.1);
    set_rgba (cr, hair);
    cairo_fill (cr);
  }
  /* torso */
  g = cairo_pattern_create_linear (0, hy + hr, sw, sh);
  cairo_pattern_add_color_stop_rgb (g, 0, shade (shirt, 0.2).r,
      shade (shirt, 0.2).g, shade (shirt, 0.2).b);
  cairo_pattern_add_color_stop_rgb (g, 1, shade (shirt, -0.35).r,
      shade (shirt, -0.35).g, shade (shirt, -0.35).b);
  cairo_move_to (cr, hx - sw * 0.28, hy + hr * 1.65);
  cairo_curve_to (cr, hx - sw * 0.1, hy + hr * 1.35, hx + sw * 0.1,
      hy + hr * 1.35, hx + sw * 0.28, hy + hr * 1.65);
  cairo_curve_to (cr, hx + sw * 0.44, hy + hr * 1.9, hx + sw * 0.5, sh * 0.7,
      hx + sw * 0.5, sh);
  cairo_line_to (cr, hx - sw * 0.5, sh);
  cairo_curve_to (cr, hx - sw * 0.5, sh * 0.7, hx - sw * 0.44, hy + hr * 1.9,
      hx - sw * 0.28, hy + hr * 1.65);
  cairo_set_source (cr, g);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
  /* neck and collar */
  cairo_rectangle (cr, hx - hr * 0.38, hy + hr * 0.6, hr * 0.76, hr * 0.95);
  set_rgba (cr, shade (skin, -0.12));
  cairo_fill (cr);
  blob (cr, hx, hy + hr * 1.5, hr * 0.55, hr * 0.2, shade (skin, -0.05));
  /* head */
  g = cairo_pattern_create_radial (hx - hr * 0.3, hy - hr * 0.3, hr * 0.1, hx,
      hy, hr * 1.2);
  cairo_pattern_add_color_stop_rgb (g, 0, shade (skin, 0.15).r,
      shade (skin, 0.15).g, shade (skin, 0.15).b);
  cairo_pattern_add_color_stop_rgb (g, 1, shade (skin, -0.2).r,
      shade (skin, -0.2).g, shade (skin, -0.2).b);
  cairo_save (cr);
  cairo_translate (cr, hx, hy);
  cairo_scale (cr, hr * 0.82, hr);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_set_source (cr, g);
  cairo_fill (cr);
  cairo_pattern_destroy (g);
  /* face: eyes, brows, mouth, soft */
  blob (cr, hx - hr * 0.32, hy - hr * 0.05, hr * 0.12, hr * 0.07, rgba_hex (0x2a1a12, 0.9));
  blob (cr, hx + hr * 0.32, hy - hr * 0.05, hr * 0.12, hr * 0.07, rgba_hex (0x2a1a12, 0.9));
  blob (cr, hx - hr * 0.32, hy - hr * 0.25, hr * 0.16, hr * 0.04, shade (hair, 0.1));
  blob (cr, hx + hr * 0.32, hy - hr * 0.25, hr * 0.16, hr * 0.04, shade (hair, 0.1));
  blob (cr, hx, hy + hr * 0.45, hr * 0.22, hr * 0.08, rgba_hex (0xb5515b, 0.9));
  blob (cr, hx, hy + hr * 0.18, hr * 0.08, hr * 0.12, shade (skin, -0.18));
  /* hair on top */
  cairo_save (cr);
  cairo_translate (cr, hx, hy - hr * 0.55);
  cairo_scale (cr, hr * 0.95, hr * 0.6);
  cairo_arc (cr, 0, 0, 1, G_PI, 2 * G_PI);
  cairo_restore (cr);
  set_rgba (cr, hair);
  cairo_fill (cr);
  blob (cr, hx - hr * 0.55, hy - hr * 0.45, hr * 0.4, hr * 0.35, hair);
  /* folds in the clothes */
  for (gint k = 0; k < 5; k++) {
    gdouble fx0 = hx + sw * rng_range (&r, -0.35, 0.35);
    cairo_move_to (cr, fx0, hy + hr * rng_range (&r, 2.0, 3.0));
    cairo_curve_to (cr, fx0 + sw * 0.03, sh * 0.65, fx0 - sw * 0.03, sh * 0.8,
        fx0 + sw * rng_range (&r, -0.05, 0.05), sh);
    cairo_set_line_width (cr, sw * 0.035);
    set_rgba (cr, rgba_hex (0x000000, 0.12));
    cairo_stroke (cr);
  }
  cairo_destroy (cr);
  blur_surface (surf, MAX (2, c->H / 160), 3);
  c->host = surf;
  c->host_x = c->bw * num_member (h, "x", 0.44) - sw / 2.0;
  c->host_y = c->bh - sh;

  /* arm with the product in hand; pivot at the shoulder (top-left) */
  {
    gint aw = (gint) (sh * 0.48), ah = (gint) (sh * 0.16);
    Rgba prod = rgba_hex (scenes[rng_int (&r, G_N_ELEMENTS (scenes))].products[rng_int (&r, 5)], 1);
    surf = new_argb (aw, ah);
    cr = cairo_create (surf);
    rounded_rect (cr, 0, ah * 0.22, aw * 0.5, ah * 0.56, ah * 0.28);
    set_rgba (cr, shade (shirt, -0.1));
    cairo_fill (cr);
    rounded_rect (cr, aw * 0.4, ah * 0.3, aw * 0.38, ah * 0.4, ah * 0.2);
    set_rgba (cr, shade (skin, -0.08));
    cairo_fill (cr);
    blob (cr, aw * 0.8, ah * 0.5, ah * 0.26, ah * 0.22, skin);
    /* the product: a bottle or a box held up */
    rounded_rect (cr, aw * 0.8, ah * 0.02, aw * 0.16, ah * 0.96, aw * 0.03);
    set_rgba (cr, prod);
    cairo_fill (cr);
    cairo_rectangle (cr, aw * 0.8, ah * 0.4, aw * 0.16, ah * 0.18);
    cairo_set_source_rgba (cr, 1, 1, 1, 0.7);
    cairo_fill (cr);
    cairo_destroy (cr);
    blur_surface (surf, MAX (2, c->H / 200), 3);
    c->arm = surf;
    c->arm_px = c->host_x + sw * 0.5 + sw * 0.22;
    c->arm_py = c->host_y + hy + hr * 2.0;
  }
}

/* ------------------------------------------------------------------ */
/* Platform chrome */

typedef struct
{
  const gchar *live, *follow, *input;
  const gchar *const *users;
  const gchar *const *msgs;
  const gchar *sep;
  const gchar *font, *bold;
} Locale;

/* Chat that a platform shows: no prices, no claims, no ad words, no
 * superlatives (each is checked against the pack when the clip is made). */
static const gchar *const cn_users[] = {
  "小鱼儿", "momo酱", "橘子汽水", "阿杰", "甜甜圈", "星星点灯", "Lily", "大白兔",
  "小树苗", "晴天", "用户8823", "一只猫", "豆豆妈", "南风", "柠檬不酸", "Kevin",
  NULL
};
static const gchar *const cn_msgs[] = {
  "主播好", "来了来了", "这个颜色好看", "有没有大一点的", "已拍", "发货快吗",
  "想要想要", "链接在哪里", "主播声音好听", "蹲一个", "怎么用的呀", "这个保温吗",
  "好看", "上链接", "可以送人吗", "包邮吗", "支持支持", "谢谢主播", "什么时候发货",
  "质量怎么样", "回购了", "姐妹们冲", "刚拍了两件", "有赠品吗", "好喜欢",
  "主播今天好美", "讲解一下材质", "孩子能用吗", "有黑色吗", "求讲解",
  NULL
};
static const gchar *const us_users[] = {
  "jess_k", "mike.t", "sunny_days", "Ana R", "bargainhunter", "kay", "tom_b",
  "lulu", "Dee", "mr.blue", "gracie", "sam2024", "Priya", "coffee_cat", NULL
};
static const gchar *const us_msgs[] = {
  "hi from Texas!", "love this color", "does it come in blue?", "just ordered",
  "how long does shipping take?", "is it dishwasher safe?", "omg want",
  "link please", "hello!!", "so cute", "what size is that?", "nice",
  "can you show the back?", "got mine last week", "how heavy is it?",
  "waiting for this", "thanks!", "is it BPA free?", "show the lid please",
  "gift idea", "adding to cart", "looks great", NULL
};
static const gchar *const eu_users[] = {
  "lena_m", "jonas", "Mia K.", "paul.w", "sophie", "Ben", "hanna_b", "leo",
  "Emma", "nico", "Clara", "finn_h", NULL
};
static const gchar *const eu_msgs[] = {
  "Hallo aus Berlin!", "Gibt es das in Blau?", "sieht toll aus",
  "wie lange dauert der Versand?", "schöne Farbe", "gerade bestellt",
  "Link bitte", "hello from Vienna", "ist das spülmaschinenfest?", "super",
  "Danke!", "zeig mal den Deckel", "wie schwer ist das?", "Geschenkidee",
  "will ich haben", "hab ich schon", "Grüße aus Köln", "ist das vegan?",
  NULL
};

static const Locale loc_cn = { "直播中", "关注", "说点什么…", cn_users, cn_msgs,
  "：", "Noto Sans CJK SC", "Noto Sans CJK SC Bold"
};
static const Locale loc_us = { "LIVE", "Follow", "Say something…", us_users,
  us_msgs, ": ", "DejaVu Sans", "DejaVu Sans Bold"
};
static const Locale loc_eu = { "LIVE", "Folgen", "Sag etwas…", eu_users,
  eu_msgs, ": ", "DejaVu Sans", "DejaVu Sans Bold"
};

static const Locale *
clip_locale (const Clip *c)
{
  if (strcmp (c->region, "us") == 0)
    return &loc_us;
  if (strcmp (c->region, "eu") == 0)
    return &loc_eu;
  return &loc_cn;
}

static TextSpec *
simple_text (const gchar *text, const gchar *font, gdouble size, guint32 rgb,
    gdouble alpha)
{
  TextSpec *t = g_new0 (TextSpec, 1);
  Part *p = g_new0 (Part, 1);
  t->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  p->text = g_strdup (text);
  p->scale = 1.0;
  g_ptr_array_add (t->parts, p);
  t->text = g_strdup (text);
  t->font = g_strdup (font);
  t->size = size;
  t->color = rgba_hex (rgb, alpha);
  t->kind = g_strdup ("ui");
  return t;
}

static gchar *
format_viewers (const Clip *c, gint64 n)
{
  if (strcmp (c->region, "cn") == 0) {
    if (n >= 10000)
      return g_strdup_printf ("%.1f万人在看", n / 10000.0);
    return g_strdup_printf ("%" G_GINT64_FORMAT "人在看", n);
  }
  if (strcmp (c->region, "eu") == 0) {
    if (n >= 1000)
      return g_strdup_printf ("%" G_GINT64_FORMAT ".%03d Zuschauer", n / 1000,
          (gint) (n % 1000));
    return g_strdup_printf ("%" G_GINT64_FORMAT " Zuschauer", n);
  }
  if (n >= 1000)
    return g_strdup_printf ("%.1fK watching", n / 1000.0);
  return g_strdup_printf ("%" G_GINT64_FORMAT " watching", n);
}

static void
draw_avatar (cairo_t *cr, gdouble cx, gdouble cy, gdouble r, Rng *rng)
{
  static const guint32 bgs[] = { 0xffb3c6, 0xa0d8ef, 0xffe08a, 0xb9f6ca, 0xd1c4e9 };
  static const guint32 sk[] = { 0xf1c7a5, 0xe0ac84, 0xc68642 };
  Rgba b = rgba_hex (bgs[rng_int (rng, 5)], 1);
  cairo_save (cr);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_clip (cr);
  set_rgba (cr, b);
  cairo_paint (cr);
  blob (cr, cx, cy + r * 0.95, r * 0.75, r * 0.55, rgba_hex (0x333344, 1));
  blob (cr, cx, cy - r * 0.05, r * 0.42, r * 0.48, rgba_hex (sk[rng_int (rng, 3)], 1));
  blob (cr, cx, cy - r * 0.38, r * 0.45, r * 0.22, rgba_hex (0x2a1a12, 1));
  cairo_restore (cr);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
  cairo_set_line_width (cr, MAX (1.0, r * 0.08));
  cairo_stroke (cr);
}

static cairo_surface_t *
render_text_surface (const TextSpec *t, TextStyle st, gint *w, gint *h,
    gdouble *ox, gdouble *oy)
{
  PangoLayout *layout = text_layout (t);
  PangoRectangle log;
  gint m = style_margin (st, t->size);
  cairo_surface_t *surf;
  cairo_t *cr;

  pango_layout_get_pixel_extents (layout, NULL, &log);
  *w = log.width + 2 * m;
  *h = log.height + 2 * m;
  surf = new_argb (*w, *h);
  cr = cairo_create (surf);
  draw_layout_styled (cr, layout, t, st, m - log.x, m - log.y);
  cairo_destroy (cr);
  g_object_unref (layout);
  *ox = m;
  *oy = m;
  return surf;
}

static void
make_chrome (Clip *c)
{
  const Locale *L = clip_locale (c);
  gdouble s = c->s;
  Rng r;
  cairo_t *cr;
  gint av = (gint) (40 * s);
  TextSpec *handle, *follow;
  PangoLayout *hl, *fl;
  PangoRectangle hlog, flog;
  gdouble fw, fh;
  gint64 viewers;
  gdouble rise;
  JsonArray *va = arr_member (c->spec, "viewers");
  Truth *tr;

  rng_init (&r, c->seed, 3);
  viewers = va ? (gint64) json_array_get_double_element (va, 0) : 23000;
  rise = va ? json_array_get_double_element (va, 1) : 40;

  /* streamer pill: avatar, handle, (viewer count drawn apart), follow */
  handle = simple_text (c->streamer, L->bold, 17 * s, 0xffffff, 1);
  follow = simple_text (L->follow, L->bold, 14 * s, 0xffffff, 1);
  hl = text_layout (handle);
  fl = text_layout (follow);
  pango_layout_get_pixel_extents (hl, NULL, &hlog);
  pango_layout_get_pixel_extents (fl, NULL, &flog);
  fw = flog.width + 20 * s;
  fh = flog.height + 6 * s;
  c->pill_x = (gint) (14 * s);
  c->pill_y = (gint) (14 * s);
  c->pill_h = (gint) (52 * s);
  c->pill_w = (gint) (6 * s + av + 8 * s + MAX (hlog.width, 110 * s) + 10 * s
      + fw + 8 * s);
  c->pill = new_argb (c->pill_w, c->pill_h);
  cr = cairo_create (c->pill);
  rounded_rect (cr, 0, 0, c->pill_w, c->pill_h, c->pill_h / 2.0);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.38);
  cairo_fill (cr);
  draw_avatar (cr, 6 * s + av / 2.0, c->pill_h / 2.0, av / 2.0, &r);
  draw_layout_styled (cr, hl, handle, TS_FILL, 6 * s + av + 8 * s - hlog.x,
      6 * s - hlog.y);
  {
    gdouble bx = c->pill_w - 8 * s - fw, by = (c->pill_h - fh) / 2.0;
    rounded_rect (cr, bx, by, fw, fh, fh / 2);
    cairo_set_source_rgb (cr, 0.98, 0.17, 0.33);
    cairo_fill (cr);
    draw_layout_styled (cr, fl, follow, TS_FILL, bx + 10 * s - flog.x,
        by + 3 * s - flog.y);
    tr = add_truth (c, L->follow, "ui", "follow", 0, c->duration);
    tr->has_bbox = TRUE;
    tr->bbox[0] = (gint) (c->pill_x + bx + 10 * s);
    tr->bbox[1] = (gint) (c->pill_y + by + 3 * s);
    tr->bbox[2] = flog.width;
    tr->bbox[3] = flog.height;
  }
  cairo_destroy (cr);
  tr = add_truth (c, c->streamer, "ui", "handle", 0, c->duration);
  tr->has_bbox = TRUE;
  tr->bbox[0] = (gint) (c->pill_x + 6 * s + av + 8 * s);
  tr->bbox[1] = (gint) (c->pill_y + 6 * s);
  tr->bbox[2] = hlog.width;
  tr->bbox[3] = hlog.height;
  c->count_x = (gint) (c->pill_x + 6 * s + av + 8 * s);
  c->count_y = (gint) (c->pill_y + 6 * s + hlog.height + 1 * s);
  g_object_unref (hl);
  g_object_unref (fl);
  text_spec_free (handle);
  text_spec_free (follow);

  /* viewer count: a new figure every 5 s */
  for (gdouble t = 0; t < c->duration; t += 5.0) {
    Counter *k = g_new0 (Counter, 1);
    gchar *txt = format_viewers (c, viewers);
    TextSpec *ts = simple_text (txt, L->font, 13 * s, 0xe6e6e6, 1);
    gdouble ox, oy;
    k->t_start = t;
    k->t_end = MIN (t + 5.0, c->duration);
    k->surf = render_text_surface (ts, TS_FILL, &k->w, &k->h, &ox, &oy);
    tr = c->truths->len ? g_ptr_array_index (c->truths, c->truths->len - 1) : NULL;
    if (tr && g_strcmp0 (tr->role, "viewers") == 0 && g_strcmp0 (tr->text, txt) == 0
        && tr->t_end >= k->t_start) {
      tr->t_end = k->t_end;
      g_ptr_array_add (c->counters, k);
      viewers += (gint64) (rise * 5 * rng_range (&r, 0.3, 1.7));
      g_free (txt);
      text_spec_free (ts);
      continue;
    }
    tr = add_truth (c, txt, "ui", "viewers", k->t_start, k->t_end);
    tr->has_bbox = TRUE;
    tr->bbox[0] = c->count_x;
    tr->bbox[1] = c->count_y;
    tr->bbox[2] = (gint) (k->w - 2 * ox);
    tr->bbox[3] = (gint) (k->h - 2 * oy);
    g_ptr_array_add (c->counters, k);
    viewers += (gint64) (rise * 5 * rng_range (&r, 0.3, 1.7));
    g_free (txt);
    text_spec_free (ts);
  }

  /* live badge */
  {
    TextSpec *ts = simple_text (L->live, L->bold, 14 * s, 0xffffff, 1);
    PangoLayout *l = text_layout (ts);
    PangoRectangle lg;
    gdouble bw, bh;
    pango_layout_get_pixel_extents (l, NULL, &lg);
    bw = lg.width + 26 * s;
    bh = lg.height + 8 * s;
    c->badge = new_argb ((gint) ceil (bw), (gint) ceil (bh));
    cr = cairo_create (c->badge);
    rounded_rect (cr, 0, 0, bw, bh, 4 * s);
    cairo_set_source_rgb (cr, 0.93, 0.12, 0.22);
    cairo_fill (cr);
    cairo_arc (cr, 8 * s, bh / 2, 3 * s, 0, 2 * G_PI);
    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_fill (cr);
    draw_layout_styled (cr, l, ts, TS_FILL, 16 * s - lg.x, 4 * s - lg.y);
    cairo_destroy (cr);
    c->badge_x = (gint) (c->pill_x + c->pill_w + 10 * s);
    c->badge_y = (gint) (c->pill_y + (c->pill_h - bh) / 2);
    tr = add_truth (c, L->live, "ui", "live", 0, c->duration);
    tr->has_bbox = TRUE;
    tr->bbox[0] = (gint) (c->badge_x + 16 * s);
    tr->bbox[1] = (gint) (c->badge_y + 4 * s);
    tr->bbox[2] = lg.width;
    tr->bbox[3] = lg.height;
    g_object_unref (l);
    text_spec_free (ts);
  }

  /* top right: the audience's avatars and a close button */
  {
    gdouble ar = 15 * s;
    gint cw = (gint) (ar * 2 * 3 + 12 * s + 30 * s), chh = (gint) (ar * 2 + 4);
    c->corner = new_argb (cw, chh);
    cr = cairo_create (c->corner);
    for (gint k = 0; k < 3; k++)
      draw_avatar (cr, ar + 2 + k * ar * 1.6, chh / 2.0, ar, &r);
    cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
    cairo_arc (cr, cw - 15 * s, chh / 2.0, 13 * s, 0, 2 * G_PI);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_set_line_width (cr, 2 * s);
    cairo_move_to (cr, cw - 20 * s, chh / 2.0 - 5 * s);
    cairo_line_to (cr, cw - 10 * s, chh / 2.0 + 5 * s);
    cairo_move_to (cr, cw - 10 * s, chh / 2.0 - 5 * s);
    cairo_line_to (cr, cw - 20 * s, chh / 2.0 + 5 * s);
    cairo_stroke (cr);
    cairo_destroy (cr);
    c->corner_x = (gint) (c->W - 14 * s - cw);
    c->corner_y = (gint) (c->pill_y + (c->pill_h - chh) / 2);
  }

  /* bottom: input bar and a shopping bag button */
  {
    TextSpec *ts = simple_text (L->input, L->font, 14 * s, 0xdddddd, 1);
    PangoLayout *l = text_layout (ts);
    PangoRectangle lg;
    gint iw = (gint) (230 * s), ih = (gint) (36 * s);
    gint bag = ih;
    pango_layout_get_pixel_extents (l, NULL, &lg);
    c->inputbar = new_argb (iw + 10 * (gint) s + bag + 4, ih + 2);
    cr = cairo_create (c->inputbar);
    rounded_rect (cr, bag + 10 * s, 0, iw, ih, ih / 2.0);
    cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
    cairo_fill (cr);
    draw_layout_styled (cr, l, ts, TS_FILL, bag + 10 * s + 14 * s - lg.x,
        (ih - lg.height) / 2.0 - lg.y);
    rounded_rect (cr, 0, 0, bag, bag, 8 * s);
    cairo_set_source_rgb (cr, 1.0, 0.45, 0.1);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 1, 1, 1);
    rounded_rect (cr, bag * 0.25, bag * 0.38, bag * 0.5, bag * 0.42, 3 * s);
    cairo_fill (cr);
    cairo_set_line_width (cr, 2 * s);
    cairo_arc (cr, bag * 0.5, bag * 0.38, bag * 0.14, G_PI, 2 * G_PI);
    cairo_stroke (cr);
    cairo_destroy (cr);
    c->input_x = (gint) (14 * s);
    c->input_y = (gint) (c->H - 14 * s - ih);
    tr = add_truth (c, L->input, "ui", "input", 0, c->duration);
    tr->has_bbox = TRUE;
    tr->bbox[0] = (gint) (c->input_x + bag + 24 * s);
    tr->bbox[1] = (gint) (c->input_y + (ih - lg.height) / 2.0);
    tr->bbox[2] = lg.width;
    tr->bbox[3] = lg.height;
    g_object_unref (l);
    text_spec_free (ts);
  }

  /* hearts */
  c->heart_size = (gint) (34 * s);
  {
    static const guint32 hc[] = { 0xff3b6b, 0xff8fb1, 0xffc233, 0xb57bff, 0x4fd1ff };
    for (gint k = 0; k < 5; k++) {
      gdouble z = c->heart_size;
      cairo_surface_t *hs = new_argb ((gint) z + 4, (gint) z + 4);
      cr = cairo_create (hs);
      cairo_translate (cr, 2 + z / 2, 2 + z * 0.55);
      cairo_scale (cr, z / 32.0, z / 32.0);
      cairo_move_to (cr, 0, 12);
      cairo_curve_to (cr, -22, -2, -12, -20, 0, -8);
      cairo_curve_to (cr, 12, -20, 22, -2, 0, 12);
      cairo_close_path (cr);
      set_rgba (cr, rgba_hex (hc[k], 1));
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_destroy (cr);
      c->heart_sprites[k] = hs;
    }
    for (gdouble t = -3; t < c->duration;) {
      Heart hh;
      hh.t0 = t;
      hh.dur = rng_range (&r, 2.2, 3.2);
      hh.x0 = c->W - 40 * s + rng_range (&r, -6, 6) * s;
      hh.phase = rng_range (&r, 0, 2 * G_PI);
      hh.amp = rng_range (&r, 5, 12) * s;
      hh.scale = rng_range (&r, 0.7, 1.15);
      hh.sprite = rng_int (&r, 5);
      g_array_append_val (c->hearts, hh);
      t += rng_range (&r, 0.15, 0.6);
    }
  }

  /* chat: a message every 1-2.6 s, the newest at the bottom */
  {
    gint nu = 0, nm = 0;
    gdouble fs = 16 * s;
    while (L->users[nu])
      nu++;
    while (L->msgs[nm])
      nm++;
    c->chat_x = (gint) (14 * s);
    c->chat_bottom = (gint) (c->input_y - 10 * s);
    c->chat_lh = (gint) (31 * s);
    c->chat_lines = 5;
    for (gdouble t = -9; t < c->duration;) {
      ChatMsg *m = g_new0 (ChatMsg, 1);
      const gchar *user = L->users[rng_int (&r, nu)];
      const gchar *msg = L->msgs[rng_int (&r, nm)];
      gchar *name = g_strconcat (user, L->sep, NULL);
      gchar *all = g_strconcat (name, msg, NULL);
      TextSpec *ts = simple_text (all, L->font, fs, 0xffffff, 1);
      PangoLayout *l;
      PangoRectangle lg;
      Part *p0, *p1;
      static const guint32 name_cols[] = { 0xffd86b, 0x9ad7ff, 0xc6ffb0, 0xffb0d0 };

      /* the user name in a colour, the message in white */
      g_ptr_array_set_size (ts->parts, 0);
      p0 = g_new0 (Part, 1);
      p0->text = g_strdup (name);
      p0->scale = 1.0;
      p0->has_color = TRUE;
      p0->color = rgba_hex (name_cols[rng_int (&r, 4)], 1);
      p1 = g_new0 (Part, 1);
      p1->text = g_strdup (msg);
      p1->scale = 1.0;
      g_ptr_array_add (ts->parts, p0);
      g_ptr_array_add (ts->parts, p1);
      l = text_layout (ts);
      pango_layout_get_pixel_extents (l, NULL, &lg);
      m->t = t;
      m->w = (gint) (lg.width + 20 * s);
      m->h = (gint) (lg.height + 6 * s);
      m->surf = new_argb (m->w, m->h);
      cr = cairo_create (m->surf);
      rounded_rect (cr, 0, 0, m->w, m->h, m->h / 2.0);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.3);
      cairo_fill (cr);
      draw_layout_styled (cr, l, ts, TS_FILL, 10 * s - lg.x, 3 * s - lg.y);
      cairo_destroy (cr);
      m->truth = NULL;
      if (t + 0.25 < c->duration) {
        m->truth = add_truth (c, all, "ui", "chat", t + 0.25, c->duration);
        m->truth->font = g_strdup (L->font);
        m->truth->size = fs;
      }
      g_ptr_array_add (c->chat, m);
      g_object_unref (l);
      text_spec_free (ts);
      g_free (name);
      g_free (all);
      t += rng_range (&r, 1.0, 2.6);
    }
    /* a message is read until it is pushed into the top, fading slot */
    for (guint i = 0; i < c->chat->len; i++) {
      ChatMsg *m = g_ptr_array_index (c->chat, i);
      guint j = i + (guint) c->chat_lines;
      if (m->truth == NULL)
        continue;
      if (j < c->chat->len) {
        ChatMsg *later = g_ptr_array_index (c->chat, j);
        m->truth->t_end = MIN (c->duration, later->t);
      }
      if (m->truth->t_end <= m->truth->t_start) {
        g_ptr_array_remove (c->truths, m->truth);
        m->truth = NULL;
      }
    }
  }
}

static void
draw_chrome (Clip *c, cairo_t *cr, gdouble t)
{
  guint newest = 0;

  cairo_set_source_surface (cr, c->pill, c->pill_x, c->pill_y);
  cairo_paint (cr);
  for (guint i = 0; i < c->counters->len; i++) {
    Counter *k = g_ptr_array_index (c->counters, i);
    if (t >= k->t_start && (t < k->t_end || i + 1 == c->counters->len)) {
      cairo_set_source_surface (cr, k->surf, c->count_x - 2, c->count_y - 2);
      cairo_paint (cr);
      break;
    }
  }
  cairo_set_source_surface (cr, c->badge, c->badge_x, c->badge_y);
  cairo_paint (cr);
  cairo_set_source_surface (cr, c->corner, c->corner_x, c->corner_y);
  cairo_paint (cr);
  cairo_set_source_surface (cr, c->inputbar, c->input_x, c->input_y);
  cairo_paint (cr);

  /* chat */
  for (guint i = 0; i < c->chat->len; i++) {
    ChatMsg *m = g_ptr_array_index (c->chat, i);
    if (m->t <= t)
      newest = i + 1;
  }
  if (newest > 0) {
    /* the newest slides up from below; the others move up one slot; the
     * one leaving the top fades out */
    ChatMsg *last = g_ptr_array_index (c->chat, newest - 1);
    gdouble p = ease_out ((t - last->t) / 0.25);
    for (guint k = 0; k <= (guint) c->chat_lines && k < newest; k++) {
      ChatMsg *m = g_ptr_array_index (c->chat, newest - 1 - k);
      gdouble slot = k == 0 ? 0.6 + 0.4 * p : k + p;
      gdouble y = c->chat_bottom - slot * c->chat_lh + (c->chat_lh - m->h) / 2.0;
      gdouble alpha = k == 0 ? p : 1.0;
      if (slot > c->chat_lines)
        alpha = CLAMP (c->chat_lines + 1 - slot, 0.0, 1.0);
      if (alpha <= 0.01)
        continue;
      cairo_set_source_surface (cr, m->surf, c->chat_x, round (y));
      cairo_paint_with_alpha (cr, alpha);
    }
  }
}

static void
draw_hearts (Clip *c, cairo_t *cr, gdouble t)
{
  gdouble rise = c->H * 0.42;
  for (guint i = 0; i < c->hearts->len; i++) {
    const Heart *h = &g_array_index (c->hearts, Heart, i);
    gdouble p = (t - h->t0) / h->dur, x, y, a;
    cairo_surface_t *sp;
    if (p < 0 || p > 1)
      continue;
    x = h->x0 + h->amp * sin (h->phase + p * 5.0);
    y = c->H - 110 * c->s - rise * p;
    a = p < 0.1 ? p / 0.1 : (p > 0.6 ? (1 - p) / 0.4 : 1.0);
    sp = c->heart_sprites[h->sprite];
    cairo_save (cr);
    cairo_translate (cr, x, y);
    cairo_scale (cr, h->scale * (0.7 + 0.3 * MIN (1, p * 4)),
        h->scale * (0.7 + 0.3 * MIN (1, p * 4)));
    cairo_set_source_surface (cr, sp, -c->heart_size / 2.0, -c->heart_size / 2.0);
    cairo_paint_with_alpha (cr, a * 0.95);
    cairo_restore (cr);
  }
}

/* ------------------------------------------------------------------ */
/* Noise */

static void
make_noise (Clip *c)
{
  Rng r;
  gsize n;
  c->nt_w = 1031;
  c->nt_h = 769;
  n = (gsize) c->nt_w * c->nt_h * 4;
  c->noise_tile = g_malloc (n);
  rng_init (&r, c->seed, 4);
  for (gsize i = 0; i < n; i += 4) {
    /* mostly luminance grain, some chroma */
    gdouble l = rng_gauss (&r) * c->noise * 0.85;
    for (gint ch = 0; ch < 3; ch++) {
      gdouble v = l + rng_gauss (&r) * c->noise * 0.5;
      c->noise_tile[i + ch] = (gint8) CLAMP (lround (v), -127, 127);
    }
    c->noise_tile[i + 3] = 0;
  }
}

static void
add_noise_span (guint8 *restrict p, const gint8 *restrict t, gint n)
{
  for (gint i = 0; i < n; i++) {
    gint v = p[i] + t[i];
    p[i] = (guint8) (v < 0 ? 0 : v > 255 ? 255 : v);
  }
}

static void
add_noise (Clip *c, cairo_surface_t *frame, guint64 index)
{
  guint8 *d = cairo_image_surface_get_data (frame);
  gint stride = cairo_image_surface_get_stride (frame);
  Rng r;
  gint ox, oy;

  rng_init (&r, c->seed ^ (index * 0x9E37ull), 5);
  ox = rng_int (&r, c->nt_w);
  oy = rng_int (&r, c->nt_h);
  for (gint y = 0; y < c->H; y++) {
    guint8 *row = d + (gsize) y * stride;
    const gint8 *trow = c->noise_tile + (gsize) ((y + oy) % c->nt_h) * c->nt_w * 4;
    gint x = 0, tx = ox;
    while (x < c->W) {
      gint n = MIN (c->W - x, c->nt_w - tx);
      add_noise_span (row + (gsize) x * 4, trow + (gsize) tx * 4, n * 4);
      x += n;
      tx = 0;
    }
  }
}

/* ------------------------------------------------------------------ */
/* A frame */

static void
render_frame (Clip *c, cairo_surface_t *frame, guint64 index)
{
  gdouble t = index / (gdouble) FPS;
  cairo_t *cr = cairo_create (frame);
  gdouble z, px, py;

  /* camera: a slow pan (a few px/s) and a breathing zoom */
  z = 1.0 + c->cam_zoom * (0.5 - 0.5 * cos (2 * G_PI * t / c->cam_tz));
  px = c->cam_pan_x * sin (2 * G_PI * t / c->cam_tx);
  py = c->cam_pan_y * sin (2 * G_PI * t / c->cam_ty + 1.0);
  cairo_save (cr);
  cairo_translate (cr, c->W / 2.0, c->H / 2.0);
  cairo_scale (cr, z, z);
  cairo_translate (cr, -(c->bw / 2.0 + px), -(c->bh / 2.0 + py));
  cairo_set_source_surface (cr, c->bg, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_paint (cr);
  {
    /* the host sways, leans and now and then steps aside */
    gdouble hp = c->host_phase;
    gdouble dx = c->W * (0.012 * sin (2 * G_PI * t / 6.3 + hp)
        + 0.005 * sin (2 * G_PI * t / 2.1) + 0.04 * sin (2 * G_PI * t / 23.0 + hp));
    gdouble dy = c->H * 0.005 * sin (2 * G_PI * t / 3.7 + hp);
    gdouble lean = 0.025 * sin (2 * G_PI * t / 5.1 + hp);
    gdouble arm = -0.35 + 0.35 * sin (2 * G_PI * t / 4.3 + hp)
        + 0.12 * sin (2 * G_PI * t / 1.3);
    gint sw = cairo_image_surface_get_width (c->host);
    gint sh = cairo_image_surface_get_height (c->host);

    cairo_save (cr);
    cairo_translate (cr, c->host_x + dx + sw / 2.0, c->host_y + dy + sh);
    cairo_rotate (cr, lean);
    cairo_set_source_surface (cr, c->host, -sw / 2.0, -sh);
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
    cairo_paint (cr);
    cairo_restore (cr);

    cairo_save (cr);
    cairo_translate (cr, c->arm_px + dx, c->arm_py + dy);
    cairo_rotate (cr, arm);
    cairo_set_source_surface (cr, c->arm, 0,
        -cairo_image_surface_get_height (c->arm) / 2.0);
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
    cairo_paint (cr);
    cairo_restore (cr);
  }
  cairo_restore (cr);

  draw_chrome (c, cr, t);
  for (guint i = 0; i < c->overlays->len; i++)
    draw_overlay (cr, g_ptr_array_index (c->overlays, i), t, c->W, c->H);
  draw_hearts (c, cr, t);
  cairo_destroy (cr);
  cairo_surface_flush (frame);
  add_noise (c, frame, index);
  cairo_surface_mark_dirty (frame);
}

/* ------------------------------------------------------------------ */
/* Loading a clip */

static JsonObject *
find_clip (JsonObject *set, const gchar *name)
{
  JsonArray *clips = arr_member (set, "clips");
  for (guint i = 0; clips && i < json_array_get_length (clips); i++) {
    JsonObject *o = json_array_get_object_element (clips, i);
    if (g_strcmp0 (str_member (o, "name", NULL), name) == 0)
      return o;
  }
  return NULL;
}

static Clip *
clip_load (JsonObject *spec, GError **error)
{
  g_autoptr (Clip) c = g_new0 (Clip, 1);
  const gchar *size;
  JsonArray *items;
  Rng r;

  c->spec = json_object_ref (spec);
  c->overlays = g_ptr_array_new_with_free_func ((GDestroyNotify) overlay_free);
  c->truths = g_ptr_array_new_with_free_func ((GDestroyNotify) truth_free);
  c->expects = g_ptr_array_new_with_free_func ((GDestroyNotify) expect_free);
  c->chat = g_ptr_array_new_with_free_func (g_free);
  c->hearts = g_array_new (FALSE, FALSE, sizeof (Heart));
  c->counters = g_ptr_array_new_with_free_func (g_free);

  c->name = g_strdup (str_member (spec, "name", NULL));
  c->region = g_strdup (str_member (spec, "region", "cn"));
  c->scene = g_strdup (str_member (spec, "scene", "warm-studio"));
  c->streamer = g_strdup (str_member (spec, "streamer", "live_shop"));
  size = str_member (spec, "size", "1280x720");
  if (c->name == NULL || sscanf (size, "%dx%d", &c->W, &c->H) != 2
      || c->W < 320 || c->H < 240 || (c->W & 1) || (c->H & 1)) {
    g_set_error (error, GEN_ERROR, 1, "clip %s: needs a name and a size WxH "
        "(even numbers)", c->name ? c->name : "?");
    return NULL;
  }
  if (strcmp (c->region, "cn") != 0 && strcmp (c->region, "us") != 0
      && strcmp (c->region, "eu") != 0) {
    g_set_error (error, GEN_ERROR, 1, "clip %s: region must be cn, us or eu",
        c->name);
    return NULL;
  }
  c->s = c->H / 720.0;
  c->kbps = (gint) num_member (spec, "bitrate", c->H >= 1080 ? 3200 : 1500);
  c->bframes = (gint) num_member (spec, "bframes", 0);
  c->gop = (gint) llround (num_member (spec, "gop", 2) * FPS);
  c->duration = num_member (spec, "duration", 30);
  if (c->gop < 1 || c->gop > 600) {
    g_set_error (error, GEN_ERROR, 1, "clip %s: gop must be 1/30 to 20 "
        "seconds", c->name);
    return NULL;
  }
  c->seed = (guint64) num_member (spec, "seed", 1);
  c->noise = num_member (spec, "noise", 4.0);
  c->quick = bool_member (spec, "quick", FALSE);
  if (obj_member (spec, "catalog") == NULL) {
    g_set_error (error, GEN_ERROR, 1, "clip %s: no catalog", c->name);
    return NULL;
  }

  rng_init (&r, c->seed, 6);
  c->cam_pan_x = c->W * rng_range (&r, 0.022, 0.035);
  c->cam_pan_y = c->H * rng_range (&r, 0.01, 0.02);
  c->cam_zoom = rng_range (&r, 0.025, 0.045);
  c->cam_tx = rng_range (&r, 40, 60);
  c->cam_ty = rng_range (&r, 30, 50);
  c->cam_tz = rng_range (&r, 25, 45);
  c->host_phase = rng_range (&r, 0, 2 * G_PI);

  make_background (c);
  make_host (c);
  make_chrome (c);
  make_noise (c);

  items = arr_member (spec, "items");
  for (guint i = 0; items && i < json_array_get_length (items); i++) {
    JsonObject *o = json_array_get_object_element (items, i);
    const gchar *type = str_member (o, "type", "");
    gboolean ok;
    if (strcmp (type, "card") == 0)
      ok = make_card (c, o, error);
    else if (strcmp (type, "caption") == 0)
      ok = make_text_item (c, o, FALSE, error);
    else if (strcmp (type, "label") == 0)
      ok = make_text_item (c, o, TRUE, error);
    else {
      g_set_error (error, GEN_ERROR, 1, "unknown item type \"%s\"", type);
      ok = FALSE;
    }
    if (!ok) {
      g_prefix_error (error, "clip %s: items[%u]: ", c->name, i);
      return NULL;
    }
  }

  {
    JsonArray *v = arr_member (spec, "violations");
    for (guint i = 0; v && i < json_array_get_length (v); i++) {
      JsonObject *o = json_array_get_object_element (v, i);
      Expect *e = g_new0 (Expect, 1);
      e->rule = g_strdup (str_member (o, "rule", ""));
      e->sku = g_strdup (str_member (o, "sku", NULL));
      e->note = g_strdup (str_member (o, "note", NULL));
      if (!pair_member (o, "t", &e->t_start, &e->t_end)) {
        expect_free (e);
        g_set_error (error, GEN_ERROR, 1, "clip %s: violations[%u] needs \"t\"",
            c->name, i);
        return NULL;
      }
      g_ptr_array_add (c->expects, e);
    }
    c->compliant = c->expects->len == 0;
  }
  return g_steal_pointer (&c);
}

/* ------------------------------------------------------------------ */
/* Verification against the product's core */

static gboolean
same_value (gdouble a, gdouble b)
{
  return fabs (a - b) < 0.005;
}

static gboolean
verify_clip (Clip *c, const gchar *catalog_path, const gchar *models,
    gboolean strict, GError **error)
{
  g_autofree gchar *pack_path = g_strdup_printf ("%s/rules/%s.json", models,
      c->region);
  g_autoptr (GcRulePack) pack = NULL;
  g_autoptr (GcCatalog) catalog = NULL;
  GcRules *rules;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_event_free);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_violation_unref);
  GString *problems = g_string_new (NULL);

  pack = gc_rulepack_load_file (pack_path, error);
  if (pack == NULL)
    goto fail;
  catalog = gc_catalog_load_file (catalog_path, error);
  if (catalog == NULL)
    goto fail;

  /* 1. each line alone: prices are read as declared, the rest as no price;
   * labels are labels; the platform's chrome says nothing at all. */
  for (guint i = 0; i < c->truths->len; i++) {
    Truth *t = g_ptr_array_index (c->truths, i);
    GcLine line = { t->text, {0, 0, 0, 0}, 0.95, t->struck };
    g_autoptr (GPtrArray) facts = gc_facts_parse_line (&line, pack, catalog);
    gboolean want_price = strcmp (t->kind, "price") == 0;
    gboolean want_ref = strcmp (t->kind, "reference") == 0;
    gboolean got = FALSE, label = FALSE;
    for (guint k = 0; k < facts->len; k++) {
      GcFact *f = g_ptr_array_index (facts, k);
      if (f->kind == GC_FACT_AD_LABEL)
        label = TRUE;
      if (f->kind == GC_FACT_PRICE || f->kind == GC_FACT_REFERENCE_PRICE) {
        gboolean kind_ok = (f->kind == GC_FACT_PRICE) ? want_price : want_ref;
        if (kind_ok && same_value (f->value, t->value)
            && g_strcmp0 (f->currency, t->currency) == 0)
          got = TRUE;
        else
          g_string_append_printf (problems, "  \"%s\" (%s) reads as %s %s\n",
              t->text, t->kind, gc_fact_kind_to_string (f->kind), f->text);
      } else if (strcmp (t->kind, "ui") == 0 && f->kind != GC_FACT_PRODUCT_NAME
          && f->kind != GC_FACT_AUDIENCE) {
        /* The platform's viewer and like counts are audience figures (the
         * rule compares them with attested ones, when given); nothing
         * else of its chrome says anything. */
        g_string_append_printf (problems, "  UI text \"%s\" reads as %s %s\n",
            t->text, gc_fact_kind_to_string (f->kind), f->text);
      }
    }
    if ((want_price || want_ref) && !got)
      g_string_append_printf (problems, "  \"%s\" does not read as the %s %.2f %s\n",
          t->text, t->kind, t->value, t->currency);
    if (strcmp (t->kind, "label") == 0 && !label)
      g_string_append_printf (problems, "  label \"%s\" is no ad label in pack %s\n",
          t->text, c->region);
    if (strcmp (t->kind, "label") != 0 && label)
      g_string_append_printf (problems, "  \"%s\" (%s) counts as an ad label\n",
          t->text, t->kind);
  }

  /* 2. a perfect reader, once a second, through the rule engine */
  rules = gc_rules_new (catalog, pack);
  for (gint k = 0; k <= (gint) floor (c->duration - 1e-6); k++) {
    gdouble t = k;
    GArray *lines = g_array_new (FALSE, TRUE, sizeof (GcLine));
    for (guint i = 0; i < c->truths->len; i++) {
      Truth *tr = g_ptr_array_index (c->truths, i);
      if (t + 1e-6 >= tr->t_start && t - 1e-6 <= tr->t_end) {
        GcLine line = { tr->text, {0, 0, 0, 0}, 0.95, tr->struck };
        if (tr->has_bbox) {
          line.box.x = tr->bbox[0];
          line.box.y = tr->bbox[1];
          line.box.w = tr->bbox[2];
          line.box.h = tr->bbox[3];
        }
        g_array_append_val (lines, line);
      }
    }
    gc_rules_push_frame (rules, t, (GcLine *) lines->data, lines->len, events);
    g_array_unref (lines);
  }
  gc_rules_finish (rules, events);
  gc_rules_free (rules);
  for (guint i = 0; i < events->len; i++) {
    GcEvent *ev = g_ptr_array_index (events, i);
    if (ev->type == GC_EVENT_END)
      g_ptr_array_add (found, gc_violation_ref (ev->violation));
  }

  /* 3. the engine's violations against the expected ones: same rule and
   * product, starting within 2.5 s after the text came up (two readings
   * a second apart confirm it), ending within 2.5 s of its going */
  {
    gboolean *used = g_new0 (gboolean, found->len);
    for (guint i = 0; i < c->expects->len; i++) {
      Expect *e = g_ptr_array_index (c->expects, i);
      if (e->t_end - e->t_start < 4.0)
        g_string_append_printf (problems, "  expected %s at %.1f-%.1f is on "
            "screen less than 4 s\n", e->rule, e->t_start, e->t_end);
      for (guint k = 0; k < found->len; k++) {
        GcViolation *v = g_ptr_array_index (found, k);
        if (used[k] || g_strcmp0 (v->rule, e->rule) != 0
            || g_strcmp0 (v->sku, e->sku) != 0)
          continue;
        if (v->t_start < e->t_start - 0.01 || v->t_start > e->t_start + 2.5
            || fabs (v->t_end - e->t_end) > 2.5)
          continue;
        used[k] = TRUE;
        e->engine_found = TRUE;
        e->engine_start = v->t_start;
        e->engine_end = v->t_end;
        e->engine_observed = g_strdup (v->observed);
        break;
      }
      if (!e->engine_found)
        g_string_append_printf (problems, "  expected %s (%s) at %.1f-%.1f: "
            "the engine gives no such violation for a perfect reading\n",
            e->rule, e->sku ? e->sku : "-", e->t_start, e->t_end);
    }
    for (guint k = 0; k < found->len; k++) {
      GcViolation *v = g_ptr_array_index (found, k);
      if (!used[k])
        g_string_append_printf (problems, "  the engine gives %s (%s) at "
            "%.1f-%.1f, observed \"%s\", which is not expected\n", v->rule,
            v->sku ? v->sku : "-", v->t_start, v->t_end,
            v->observed ? v->observed : "");
    }
    g_free (used);
  }

  g_ptr_array_unref (events);
  g_ptr_array_unref (found);
  if (problems->len > 0) {
    if (strict) {
      g_set_error (error, GEN_ERROR, 1, "clip %s: truth does not hold:\n%s",
          c->name, problems->str);
      g_string_free (problems, TRUE);
      return FALSE;
    }
    g_printerr ("gc-realistic-gen: warning: clip %s: truth does not hold "
        "(--no-verify):\n%s", c->name, problems->str);
  }
  g_string_free (problems, TRUE);
  return TRUE;
fail:
  g_ptr_array_unref (events);
  g_ptr_array_unref (found);
  g_string_free (problems, TRUE);
  g_prefix_error (error, "clip %s: ", c->name);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Writing */

static gdouble
r3 (gdouble v)
{
  return round (v * 1000) / 1000;
}

/* JSON out: numbers in their shortest form that reads back the same
 * (json-glib writes 59.9 as 59.899999999999999), two-space indent. */
static void
json_append_string (GString *out, const gchar *str)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) str; *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (gchar) *p);
    }
  }
  g_string_append_c (out, '"');
}

static void
json_append_double (GString *out, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (v == floor (v) && fabs (v) < 1e15) {
    g_string_append_printf (out, "%.1f", v);
    return;
  }
  for (gint prec = 1; prec <= 17; prec++) {
    gchar fmt[8];
    g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
    g_ascii_formatd (buf, sizeof buf, fmt, v);
    if (g_ascii_strtod (buf, NULL) == v)
      break;
  }
  g_string_append (out, buf);
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static void
json_append_node (GString *out, JsonNode *node, gint depth)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObject *o = json_node_get_object (node);
      GList *members = json_object_get_members (o);
      gboolean flat = TRUE;
      for (GList *l = members; l; l = l->next) {
        JsonNode *m = json_object_get_member (o, l->data);
        flat = flat && (JSON_NODE_HOLDS_VALUE (m) || JSON_NODE_HOLDS_NULL (m)
            || (JSON_NODE_HOLDS_ARRAY (m)
                && json_array_get_length (json_node_get_array (m)) <= 4));
      }
      flat = flat && g_list_length (members) <= 12 && depth >= 2;
      g_string_append_c (out, '{');
      for (GList *l = members; l; l = l->next) {
        if (flat)
          g_string_append (out, l == members ? "" : ", ");
        else
          g_string_append_printf (out, "%s\n%*s", l == members ? "" : ",",
              2 * (depth + 1), "");
        json_append_string (out, l->data);
        g_string_append (out, ": ");
        json_append_node (out, json_object_get_member (o, l->data), depth + 1);
      }
      if (!flat && members)
        g_string_append_printf (out, "\n%*s", 2 * depth, "");
      g_string_append_c (out, '}');
      g_list_free (members);
      break;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *a = json_node_get_array (node);
      guint n = json_array_get_length (a);
      gboolean flat = TRUE;
      for (guint i = 0; i < n; i++)
        flat = flat && JSON_NODE_HOLDS_VALUE (json_array_get_element (a, i));
      g_string_append_c (out, '[');
      for (guint i = 0; i < n; i++) {
        if (flat)
          g_string_append (out, i ? ", " : "");
        else
          g_string_append_printf (out, "%s\n%*s", i ? "," : "", 2 * (depth + 1), "");
        json_append_node (out, json_array_get_element (a, i), depth + 1);
      }
      if (!flat && n)
        g_string_append_printf (out, "\n%*s", 2 * depth, "");
      g_string_append_c (out, ']');
      break;
    }
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node)) {
        case G_TYPE_STRING:
          json_append_string (out, json_node_get_string (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_DOUBLE:
          json_append_double (out, json_node_get_double (node));
          break;
        default:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
      }
      break;
  }
}

static gboolean
write_json (JsonNode *root, const gchar *path, GError **error)
{
  g_autofree gchar *tmp = g_strconcat (path, ".part", NULL);
  GString *out = g_string_new (NULL);
  gboolean ok;
  json_append_node (out, root, 0);
  g_string_append_c (out, '\n');
  ok = g_file_set_contents (tmp, out->str, (gssize) out->len, error);
  g_string_free (out, TRUE);
  if (!ok)
    return FALSE;
  if (g_rename (tmp, path) != 0) {
    g_set_error (error, GEN_ERROR, 1, "%s: %s", path, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static gboolean
write_catalog (Clip *c, const gchar *path, GError **error)
{
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);
  gboolean ok;
  json_node_set_object (root, obj_member (c->spec, "catalog"));
  ok = write_json (root, path, error);
  json_node_unref (root);
  return ok;
}

static gint
compare_truth (gconstpointer a, gconstpointer b)
{
  const Truth *x = *(Truth * const *) a, *y = *(Truth * const *) b;
  if (x->t_start != y->t_start)
    return x->t_start < y->t_start ? -1 : 1;
  return g_strcmp0 (x->text, y->text);
}

static gboolean
write_truth (Clip *c, const gchar *path, const gchar *video,
    const gchar *catalog, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  JsonNode *root;
  gboolean ok;
  GPtrArray *sorted = g_ptr_array_new ();

  for (guint i = 0; i < c->truths->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (c->truths, i));
  g_ptr_array_sort (sorted, compare_truth);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, "gst-compliance-realistic-truth/1");
  json_builder_set_member_name (b, "generator");
  json_builder_add_string_value (b, GEN_VERSION);
  json_builder_set_member_name (b, "clip");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, str_member (c->spec, "description", ""));
  json_builder_set_member_name (b, "video");
  json_builder_add_string_value (b, video);
  json_builder_set_member_name (b, "catalog");
  json_builder_add_string_value (b, catalog);
  json_builder_set_member_name (b, "rules");
  json_builder_add_string_value (b, c->region);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, c->W);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, c->H);
  json_builder_set_member_name (b, "fps");
  json_builder_add_int_value (b, FPS);
  json_builder_set_member_name (b, "bitrate_kbps");
  json_builder_add_int_value (b, c->kbps);
  json_builder_set_member_name (b, "gop_frames");
  json_builder_add_int_value (b, c->gop);
  json_builder_set_member_name (b, "bframes");
  json_builder_add_int_value (b, c->bframes);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, c->duration);
  json_builder_set_member_name (b, "noise_sigma");
  json_builder_add_double_value (b, c->noise);
  json_builder_set_member_name (b, "quick");
  json_builder_add_boolean_value (b, c->quick);
  json_builder_set_member_name (b, "compliant");
  json_builder_add_boolean_value (b, c->compliant);

  json_builder_set_member_name (b, "texts");
  json_builder_begin_array (b);
  for (guint i = 0; i < sorted->len; i++) {
    Truth *t = g_ptr_array_index (sorted, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "text");
    json_builder_add_string_value (b, t->text);
    json_builder_set_member_name (b, "kind");
    json_builder_add_string_value (b, t->kind);
    if (t->role) {
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, t->role);
    }
    if (t->has_value) {
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, t->value);
      json_builder_set_member_name (b, "currency");
      json_builder_add_string_value (b, t->currency);
    }
    if (strcmp (t->kind, "reference") == 0 || t->struck) {
      json_builder_set_member_name (b, "struck");
      json_builder_add_boolean_value (b, t->struck);
    }
    json_builder_set_member_name (b, "t_start");
    json_builder_add_double_value (b, r3 (t->t_start));
    json_builder_set_member_name (b, "t_end");
    json_builder_add_double_value (b, r3 (t->t_end));
    if (t->has_bbox) {
      json_builder_set_member_name (b, "bbox");
      json_builder_begin_array (b);
      for (gint k = 0; k < 4; k++)
        json_builder_add_int_value (b, t->bbox[k]);
      json_builder_end_array (b);
    }
    if (t->font) {
      json_builder_set_member_name (b, "font");
      json_builder_add_string_value (b, t->font);
      json_builder_set_member_name (b, "size_px");
      json_builder_add_double_value (b, r3 (t->size));
    }
    if (t->style) {
      json_builder_set_member_name (b, "style");
      json_builder_add_string_value (b, t->style);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "violations");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->expects->len; i++) {
    Expect *e = g_ptr_array_index (c->expects, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "rule");
    json_builder_add_string_value (b, e->rule);
    json_builder_set_member_name (b, "sku");
    if (e->sku)
      json_builder_add_string_value (b, e->sku);
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "t_start");
    json_builder_add_double_value (b, r3 (e->t_start));
    json_builder_set_member_name (b, "t_end");
    json_builder_add_double_value (b, r3 (e->t_end));
    if (e->note) {
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, e->note);
    }
    if (e->engine_found) {
      /* What the rule engine reports for a perfect reading sampled once a
       * second: confirmed on the second reading, so it starts up to 2 s
       * after the text came up. */
      json_builder_set_member_name (b, "engine");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "t_start");
      json_builder_add_double_value (b, r3 (e->engine_start));
      json_builder_set_member_name (b, "t_end");
      json_builder_add_double_value (b, r3 (e->engine_end));
      json_builder_set_member_name (b, "observed");
      json_builder_add_string_value (b, e->engine_observed);
      json_builder_end_object (b);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  ok = write_json (root, path, error);
  json_node_unref (root);
  g_ptr_array_unref (sorted);
  return ok;
}

/* mp4mux stamps the wall-clock time into mvhd, tkhd and mdhd: zero it, so
 * that the same command gives the same file. */
static void
clear_box_times (guint8 *d, gsize off, gsize end)
{
  while (off + 8 <= end) {
    guint32 size32;
    guint64 size;
    gsize hdr = 8;
    const guint8 *type = d + off + 4;

    memcpy (&size32, d + off, 4);
    size = GUINT32_FROM_BE (size32);
    if (size == 1) {
      guint64 size64;
      if (off + 16 > end)
        return;
      memcpy (&size64, d + off + 8, 8);
      size = GUINT64_FROM_BE (size64);
      hdr = 16;
    } else if (size == 0) {
      size = end - off;
    }
    if (size < hdr || size > end - off)
      return;
    if (memcmp (type, "moov", 4) == 0 || memcmp (type, "trak", 4) == 0
        || memcmp (type, "mdia", 4) == 0) {
      clear_box_times (d, off + hdr, off + size);
    } else if (memcmp (type, "mvhd", 4) == 0 || memcmp (type, "tkhd", 4) == 0
        || memcmp (type, "mdhd", 4) == 0) {
      /* version, flags, then creation and modification time: 4 bytes each
       * in version 0, 8 in version 1 */
      gsize n = d[off + hdr] == 1 ? 16 : 8;
      if (hdr + 4 + n <= size)
        memset (d + off + hdr + 4, 0, n);
    }
    off += size;
  }
}

static gboolean
clear_mp4_times (const gchar *path, GError **error)
{
  gchar *data = NULL;
  gsize len = 0;
  gboolean ok;

  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  clear_box_times ((guint8 *) data, 0, len);
  ok = g_file_set_contents (path, data, (gssize) len, error);
  g_free (data);
  return ok;
}

static gboolean
encode_clip (Clip *c, const gchar *path, GError **error)
{
  g_autofree gchar *tmp = g_strconcat (path, ".part", NULL);
  /* x264 as OBS runs it for a live stream: rate control to the bitrate
   * with a one-second VBV buffer, the veryfast preset (whose trellis is off;
   * x264enc's own default would turn it on).  One thread: x264 is not
   * repeatable here with more, and the frames are drawn on another core. */
  g_autofree gchar *desc = g_strdup_printf ("appsrc name=src ! queue "
      "max-size-buffers=6 max-size-bytes=0 max-size-time=0 ! videoconvert ! "
      "video/x-raw,format=I420 ! x264enc bitrate=%d vbv-buf-capacity=1000 "
      "key-int-max=%d bframes=%d speed-preset=veryfast trellis=false threads=1 ! "
      "video/x-h264,profile=high ! h264parse ! mp4mux ! filesink name=sink",
      c->kbps, c->gop, c->bframes);
  GstElement *pipe, *src, *sink;
  GstCaps *caps;
  GstBus *bus;
  GstMessage *msg;
  guint64 frames = (guint64) llround (c->duration * FPS);
  cairo_surface_t *frame = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      c->W, c->H);
  gint stride = cairo_image_surface_get_stride (frame);
  gboolean ok = TRUE;
  gint64 t0 = g_get_monotonic_time ();

  pipe = gst_parse_launch (desc, error);
  if (pipe == NULL) {
    cairo_surface_destroy (frame);
    return FALSE;
  }
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_object_set (sink, "location", tmp, NULL);
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGRx",
      "width", G_TYPE_INT, c->W, "height", G_TYPE_INT, c->H,
      "framerate", GST_TYPE_FRACTION, FPS, 1, NULL);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "block", TRUE,
      "max-bytes", (guint64) stride * c->H * 3, NULL);
  gst_caps_unref (caps);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipe);

  for (guint64 i = 0; i < frames && ok; i++) {
    GstBuffer *buf;
    GstMapInfo map;
    render_frame (c, frame, i);
    buf = gst_buffer_new_allocate (NULL, (gsize) stride * c->H, NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    memcpy (map.data, cairo_image_surface_get_data (frame), (gsize) stride * c->H);
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (i, GST_SECOND, FPS);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (i + 1, GST_SECOND, FPS)
        - GST_BUFFER_PTS (buf);
    if (gst_app_src_push_buffer (GST_APP_SRC (src), buf) != GST_FLOW_OK)
      ok = FALSE;
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg) {
      GError *e = NULL;
      gst_message_parse_error (msg, &e, NULL);
      g_set_error (error, GEN_ERROR, 1, "encoding %s: %s", path, e->message);
      g_error_free (e);
      gst_message_unref (msg);
      ok = FALSE;
    }
  }
  if (ok) {
    gst_app_src_end_of_stream (GST_APP_SRC (src));
    msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (msg, &e, NULL);
      g_set_error (error, GEN_ERROR, 1, "encoding %s: %s", path, e->message);
      g_error_free (e);
      ok = FALSE;
    }
    gst_message_unref (msg);
  } else if (error && *error == NULL) {
    g_set_error (error, GEN_ERROR, 1, "encoding %s: the pipeline refused a "
        "frame", path);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  cairo_surface_destroy (frame);
  if (ok)
    ok = clear_mp4_times (tmp, error);
  if (!ok) {
    g_unlink (tmp);
    return FALSE;
  }
  if (g_rename (tmp, path) != 0) {
    g_set_error (error, GEN_ERROR, 1, "%s: %s", path, g_strerror (errno));
    return FALSE;
  }
  {
    gdouble secs = (g_get_monotonic_time () - t0) / 1e6;
    g_print ("gc-realistic-gen: %s: %" G_GUINT64_FORMAT " frames %dx%d at %d "
        "kbit/s in %.1f s (%.1f frames/s)\n", c->name, frames, c->W, c->H,
        c->kbps, secs, frames / MAX (secs, 1e-3));
  }
  return TRUE;
}

static gboolean
write_png (Clip *c, gdouble t, const gchar *path, GError **error)
{
  cairo_surface_t *frame = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      c->W, c->H);
  cairo_status_t st;
  render_frame (c, frame, (guint64) llround (t * FPS));
  st = cairo_surface_write_to_png (frame, path);
  cairo_surface_destroy (frame);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_set_error (error, GEN_ERROR, 1, "%s: %s", path, cairo_status_to_string (st));
    return FALSE;
  }
  return TRUE;
}

/* The key of a clip: this program, the clip's definition and the rule pack
 * its truth was checked with.  make-set.sh remakes a clip when it changes. */
static gchar *
clip_key (JsonObject *clip, const gchar *models, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree gchar *exe = NULL, *pack = NULL, *pack_path = NULL, *spec = NULL;
  gsize len = 0;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  if (!g_file_get_contents ("/proc/self/exe", &exe, &len, error))
    return NULL;
  g_checksum_update (sum, (const guchar *) exe, len);
  json_node_set_object (node, clip);
  json_generator_set_root (gen, node);
  spec = json_generator_to_data (gen, &len);
  json_node_unref (node);
  g_checksum_update (sum, (const guchar *) spec, len);
  pack_path = g_strdup_printf ("%s/rules/%s.json", models,
      str_member (clip, "region", "cn"));
  if (!g_file_get_contents (pack_path, &pack, &len, error))
    return NULL;
  g_checksum_update (sum, (const guchar *) pack, len);
  return g_strdup (g_checksum_get_string (sum));
}

/* ------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  g_autofree gchar *set_path = NULL, *clip_name = NULL, *out_dir = NULL;
  g_autofree gchar *png = NULL, *models = NULL, *key_name = NULL;
  gboolean list = FALSE, quick = FALSE, no_video = FALSE, no_verify = FALSE;
  gdouble frame_t = -1;
  g_autoptr (GError) err = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (Clip) c = NULL;
  JsonObject *set, *spec;
  GOptionEntry entries[] = {
    {"set", 's', 0, G_OPTION_ARG_FILENAME, &set_path, "The set definition",
        "SET.json"},
    {"list", 'l', 0, G_OPTION_ARG_NONE, &list, "List the clips' names", NULL},
    {"quick", 'q', 0, G_OPTION_ARG_NONE, &quick,
        "With --list: only the quick subset", NULL},
    {"key", 'k', 0, G_OPTION_ARG_STRING, &key_name,
        "Print the key of clip NAME (changes when it must be remade)", "NAME"},
    {"clip", 'c', 0, G_OPTION_ARG_STRING, &clip_name, "The clip to make", "NAME"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
        "Write NAME.mp4, NAME.catalog.json, NAME.truth.json here", "DIR"},
    {"no-video", 0, 0, G_OPTION_ARG_NONE, &no_video,
        "Write the catalog and the truth only", NULL},
    {"no-verify", 0, 0, G_OPTION_ARG_NONE, &no_verify,
        "Write the truth even when the rule engine disagrees with it", NULL},
    {"frame", 'f', 0, G_OPTION_ARG_DOUBLE, &frame_t,
        "With --png: render the frame at SECONDS", "SECONDS"},
    {"png", 0, 0, G_OPTION_ARG_FILENAME, &png, "Write one frame as PNG", "OUT.png"},
    {"models", 'm', 0, G_OPTION_ARG_FILENAME, &models,
        "Rule packs (default: $GST_COMPLIANCE_MODELS_DIR, else the source "
          "tree's models/)", "DIR"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("");

  g_option_context_set_summary (ctx, "Renders the realistic live-shopping "
      "test set (tests/realistic/README.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("gc-realistic-gen: %s\n", err->message);
    return 2;
  }
  if (set_path == NULL) {
    g_printerr ("gc-realistic-gen: --set SET.json is required (see --help)\n");
    return 2;
  }
  if (models == NULL) {
    const gchar *env = g_getenv ("GST_COMPLIANCE_MODELS_DIR");
    models = g_strdup (env && *env ? env : GC_SOURCE_MODELS_DIR);
  }

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, set_path, &err)) {
    g_printerr ("gc-realistic-gen: %s: %s\n", set_path, err->message);
    return 2;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_printerr ("gc-realistic-gen: %s: not a set definition\n", set_path);
    return 2;
  }
  set = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (str_member (set, "schema", NULL),
          "gst-compliance-realistic-set/1") != 0) {
    g_printerr ("gc-realistic-gen: %s: schema must be "
        "\"gst-compliance-realistic-set/1\"\n", set_path);
    return 2;
  }

  if (list) {
    JsonArray *clips = arr_member (set, "clips");
    for (guint i = 0; clips && i < json_array_get_length (clips); i++) {
      JsonObject *o = json_array_get_object_element (clips, i);
      if (!quick || bool_member (o, "quick", FALSE))
        g_print ("%s\n", str_member (o, "name", "?"));
    }
    return 0;
  }
  if (key_name) {
    g_autofree gchar *key = NULL;
    spec = find_clip (set, key_name);
    if (spec == NULL) {
      g_printerr ("gc-realistic-gen: %s: no clip named %s\n", set_path, key_name);
      return 2;
    }
    key = clip_key (spec, models, &err);
    if (key == NULL) {
      g_printerr ("gc-realistic-gen: %s\n", err->message);
      return 2;
    }
    g_print ("%s\n", key);
    return 0;
  }
  if (clip_name == NULL || (out_dir == NULL && png == NULL)) {
    g_printerr ("gc-realistic-gen: give --list, --key NAME, or --clip NAME with "
        "-o DIR or --frame S --png OUT (see --help)\n");
    return 2;
  }
  spec = find_clip (set, clip_name);
  if (spec == NULL) {
    g_printerr ("gc-realistic-gen: %s: no clip named %s\n", set_path, clip_name);
    return 2;
  }

  gst_init (&argc, &argv);
  init_pango ();
  c = clip_load (spec, &err);
  if (c == NULL) {
    g_printerr ("gc-realistic-gen: %s: %s\n", set_path, err->message);
    return 2;
  }

  if (png) {
    if (!write_png (c, MAX (frame_t, 0), png, &err)) {
      g_printerr ("gc-realistic-gen: %s\n", err->message);
      return 2;
    }
    if (out_dir == NULL)
      return 0;
  }

  {
    g_autofree gchar *mp4 = g_strconcat (c->name, ".mp4", NULL);
    g_autofree gchar *cat = g_strconcat (c->name, ".catalog.json", NULL);
    g_autofree gchar *truth = g_strconcat (c->name, ".truth.json", NULL);
    g_autofree gchar *mp4_path = g_build_filename (out_dir, mp4, NULL);
    g_autofree gchar *cat_path = g_build_filename (out_dir, cat, NULL);
    g_autofree gchar *truth_path = g_build_filename (out_dir, truth, NULL);

    if (g_mkdir_with_parents (out_dir, 0755) != 0) {
      g_printerr ("gc-realistic-gen: %s: %s\n", out_dir, g_strerror (errno));
      return 2;
    }
    if (!write_catalog (c, cat_path, &err)
        || !verify_clip (c, cat_path, models, !no_verify, &err)
        || !write_truth (c, truth_path, mp4, cat, &err)
        || (!no_video && !encode_clip (c, mp4_path, &err))) {
      g_printerr ("gc-realistic-gen: %s\n", err->message);
      return 1;
    }
  }
  return 0;
}
