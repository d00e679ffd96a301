/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance render: the overlay's pictures, drawn with Pango and cairo.
 *
 * GLib, Pango and cairo only — no GStreamer — so what complianceoverlay
 * shows is unit-tested without a pipeline.  Every picture is a cairo
 * ARGB32 image (premultiplied alpha, native endian: B, G, R, A bytes on
 * little-endian machines), tight around what it shows; the caller places
 * it in the frame.
 *
 * Text handed in (OCR readings, catalog names, sponsor names) is untrusted:
 * it is made valid UTF-8, capped in length, laid out with
 * pango_layout_set_text() — never as markup — and ellipsized to the width
 * given, so "<b>", "&amp;", invalid bytes or 10 KB strings are drawn
 * literally (or replaced) and never interpreted.
 *
 * A GcRenderer caches its pictures by content: asking twice for the same
 * text in the same style and size returns the same GcImage without laying
 * anything out again.  Pictures not asked for during GC_RENDER_KEEP_FRAMES
 * frames (gc_renderer_end_frame()) are dropped.
 *
 * A GcRenderer belongs to one thread at a time. */
#pragma once

#include <glib.h>
#include <cairo.h>

G_BEGIN_DECLS

/* Frames an unused picture stays cached, so that a label that blinks
 * (a product toggled on and off) is not laid out again each time. */
#define GC_RENDER_KEEP_FRAMES 120

/* Longest text (in characters) that reaches Pango; longer text is cut
 * before layout because it is ellipsized to the frame width anyway and
 * layout cost grows with length. */
#define GC_RENDER_MAX_CHARS 512

typedef struct _GcImage GcImage;

struct _GcImage
{
  /*< private >*/
  gint ref_count;
  gchar *key;
  guint64 last_used;
  /*< public, read-only >*/
  cairo_surface_t *surface;     /* CAIRO_FORMAT_ARGB32, premultiplied */
  guint8 *data;                 /* the surface's pixels */
  gint width, height, stride;
  /* What the text actually drawn was, after sanitising (for tests and
   * debug logs); NULL for pictures without text. */
  gchar *text;
  /*< public >*/
  /* A slot for the caller to hang what it derives from the picture (the
   * element keeps its GstVideoOverlayRectangle here), freed with it. */
  gpointer user_data;
  GDestroyNotify user_data_free;
};

GcImage *gc_image_ref (GcImage *image);
void gc_image_unref (GcImage *image);
void gc_image_set_user_data (GcImage *image, gpointer data,
    GDestroyNotify free_func);

/* Colours are 0xAARRGGBB, not premultiplied. */
typedef struct
{
  const gchar *font;            /* Pango font description; its size is ignored */
  guint32 text_argb;
  guint32 plate_argb;
} GcStyle;

typedef enum
{
  GC_CORNER_TOP_LEFT,
  GC_CORNER_TOP_RIGHT,
  GC_CORNER_BOTTOM_LEFT,
  GC_CORNER_BOTTOM_RIGHT,
} GcCorner;

typedef struct _GcRenderer GcRenderer;

GcRenderer *gc_renderer_new (void);
void gc_renderer_free (GcRenderer *renderer);

/* Call once per video frame, after the frame's pictures were asked for:
 * drops pictures unused for GC_RENDER_KEEP_FRAMES frames. */
void gc_renderer_end_frame (GcRenderer *renderer);
/* Pictures currently cached, and layouts done since creation (tests). */
guint gc_renderer_cache_size (const GcRenderer *renderer);
guint64 gc_renderer_layout_count (const GcRenderer *renderer);

/* The disclosure label: one line of @text, its em @text_px pixels high,
 * on a plate of style->plate_argb, at most @max_width pixels wide (the
 * text is ellipsized to fit).  Returns a new reference. */
GcImage *gc_render_label (GcRenderer *renderer, const gchar *text,
    const GcStyle *style, gint text_px, gint max_width);

/* A text block on a plate: @lines (NULL-terminated) one under the other,
 * the first one @title_scale times larger (1.0: all the same), each
 * ellipsized to @max_width.  Used for the product card and the warnings
 * banner.  NULL entries are skipped. Returns a new reference. */
GcImage *gc_render_block (GcRenderer *renderer, const gchar *const *lines,
    guint n_lines, gdouble title_scale, const GcStyle *style, gint text_px,
    gint max_width);

/* A solid rectangle of @argb (masks). */
GcImage *gc_render_solid (GcRenderer *renderer, gint width, gint height,
    guint32 argb);

/* An outline @line_width pixels wide of @argb around a box of @width x
 * @height, with @caption (may be NULL) drawn above it in @text_px pixels:
 * the image is larger than the box; *@box_x, *@box_y receive where the
 * box's top-left corner lies inside the image. */
GcImage *gc_render_box (GcRenderer *renderer, gint width, gint height,
    gint line_width, guint32 argb, const gchar *caption, const gchar *font,
    gint text_px, gint max_width, gint *box_x, gint *box_y);

/* Untrusted text made safe for Pango: valid UTF-8 (invalid sequences
 * replaced with U+FFFD), control characters (and, when @single_line, line
 * breaks) turned into spaces, at most GC_RENDER_MAX_CHARS characters
 * (an ellipsis marks the cut).  Never NULL. */
gchar *gc_render_sanitize (const gchar *text, gboolean single_line);

/* WCAG 2 contrast ratio (1..21) of two opaque colours (alpha ignored). */
gdouble gc_render_contrast (guint32 argb1, guint32 argb2);

/* The contrast of text on @style's plate in the worst case: a translucent
 * plate lets the video through, so it is measured over a black and over a
 * white background and the lower figure counts. */
gdouble gc_style_worst_contrast (const GcStyle *style);

/* Makes @style meet @min_contrast: first the plate is made opaque, then,
 * if still too low, the text turns black or white, whichever contrasts
 * more.  Returns TRUE if @style had to change. */
gboolean gc_style_enforce_contrast (GcStyle *style, gdouble min_contrast);

/* Where a @width x @height picture goes in a @frame_width x @frame_height
 * frame at @corner with @margin pixels from the edges, moved @offset
 * pixels further from the corner vertically (for stacking). */
void gc_render_place (GcCorner corner, gint frame_width, gint frame_height,
    gint width, gint height, gint margin, gint offset, gint *x, gint *y);

/* An evidence image: outlines the box @x, @y, @w x @h (none when @w or @h
 * is 0) of @surface in red, a line of about a 270th of its height, and
 * writes it as PNG to @path (compliancecheck's and the OBS filter's). */
cairo_status_t gc_render_evidence_png (cairo_surface_t *surface, gint x,
    gint y, gint w, gint h, const gchar *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcImage, gc_image_unref)

G_END_DECLS
