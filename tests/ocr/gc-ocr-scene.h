/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test frames for the OCR engine, rendered with Pango and cairo: the kind
 * of overlays live-commerce streams show (prices, struck-out reference
 * prices, sales claims, ad labels) on the backgrounds that make OCR hard. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SCENE_BG_GRADIENT,            /* colourful diagonal gradient */
  SCENE_BG_BARS,                /* saturated colour bars */
  SCENE_BG_NOISE,               /* uniform random noise, no text possible */
  SCENE_BG_DARK,
  SCENE_BG_LIGHT,
  SCENE_BG_PHOTO,               /* soft colourful blobs with sensor grain: a studio shot */
  SCENE_BG_FACES,               /* skin-coloured heads with eyes and mouths on a room gradient */
  SCENE_BG_GRAINY,              /* the colourful gradient with strong grain */
} SceneBackground;

typedef struct
{
  const gchar *text;
  gint x, y;                    /* top left of the layout */
  gint px;                      /* font size in pixels */
  guint32 fg;                   /* 0xRRGGBB */
  gboolean outline;             /* dark outline around the glyphs */
  gboolean strike;              /* line through the text, in fg colour */
  gboolean panel;               /* filled panel behind the text */
  guint32 panel_rgb;
  /* Filled by scene_render: where the text's ink went. */
  gint ink_x, ink_y, ink_w, ink_h;
  gboolean shadow;              /* dark drop shadow down and right */
  const gchar *font;            /* Pango family and style; NULL: Noto Sans CJK SC Bold */
} SceneItem;

/* Returns RGBx (R, G, B, 0xff per pixel) with *stride set; free with
 * g_free. */
guint8 *scene_render (gint width, gint height, SceneBackground bg,
    guint32 seed, SceneItem * items, guint n_items, gint * stride);

/* Round-trips @n frames (RGBx, @stride bytes per row) through x264 at
 * @kbps with gst-launch-1.0, as a live stream would be, each frame shown
 * @hold times; returns the decoded frames (RGBx, stride width * 4, free
 * with g_free and g_ptr_array_unref), the @pick-th copy of each (0 is
 * the scene cut, later copies are what the encoder refined).  NULL with
 * @error when GStreamer, x264enc or avdec_h264 are missing. */
GPtrArray *scene_x264_roundtrip (guint8 * const *frames, guint n, gint width,
    gint height, gint stride, gint kbps, guint hold, guint pick,
    GError ** error);

/* The first "¥89.00"-like token (currency sign + digits, '.' and ','),
 * or NULL. */
gchar *scene_extract_price (const gchar * text);

/* Where an overlay sliding in comes to on frame @i of an entrance that
 * takes @frames frames from @from_x to @rest_x, easing out as overlay
 * animations do (fast at first, the last steps a pixel or two): @from_x on
 * frame 0, @rest_x from frame @frames on. */
gint scene_slide_x (gint from_x, gint rest_x, guint frames, guint i);

G_END_DECLS
