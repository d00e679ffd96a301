/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Glyph sketches: did the text of a line change, whatever moved behind it?
 *
 * Livestream text sits on translucent pills and cards over a blurred,
 * panning photo, under sensor noise and compression flicker: the mean
 * luma of a region (the tracker's signature) changes in every frame, and
 * a threshold chosen for one frame's background splits another frame's
 * glyphs differently.  What stays is the sharp detail of the strokes.  A
 * sketch is a line's luma minus its local mean (a box filter a quarter of
 * the line's height across): the strokes' edges and bodies, with the slow
 * background and its motion taken out.  Two sketches of the same glyphs
 * correlate closely in every part of the line; a changed character
 * changes its part, so the line is compared part by part (cells about
 * half the line's height wide, a digit), and the worst part decides. */
#include "gc-ocr-private.h"

#include <math.h>
#include <string.h>

/* A cell whose detail is this weak (mean square, luma levels²) in both
 * sketches is blank in both: spacing between words. */
#define BLANK_ENERGY 36.0

/* The sketch of @rect (inside the frame) with a box mean of @radius. */
static gint16 *
sketch_rect (const GcOcrFrame * frame, const GcOcrBox * rect, gint radius)
{
  gint ex0 = MAX (0, rect->x - radius), ey0 = MAX (0, rect->y - radius);
  gint ex1 = MIN (frame->width, rect->x + rect->width + radius);
  gint ey1 = MIN (frame->height, rect->y + rect->height + radius);
  gint ew = ex1 - ex0, eh = ey1 - ey0, x, y;
  guint32 *sum = g_new0 (guint32, (gsize) (ew + 1) * (eh + 1));
  gint16 *hp = g_new (gint16, (gsize) rect->width * rect->height);

  /* Integral image of the luma over the rect and its surround. */
  for (y = 0; y < eh; y++) {
    guint32 row = 0;

    for (x = 0; x < ew; x++) {
      row += (guint32) gc_ocr_luma_at (frame, ex0 + x, ey0 + y);
      sum[(gsize) (y + 1) * (ew + 1) + x + 1] =
          sum[(gsize) y * (ew + 1) + x + 1] + row;
    }
  }
  for (y = 0; y < rect->height; y++) {
    gint fy = rect->y + y;
    gint y0 = MAX (ey0, fy - radius) - ey0, y1 = MIN (ey1, fy + radius + 1) - ey0;

    for (x = 0; x < rect->width; x++) {
      gint fx = rect->x + x;
      gint x0 = MAX (ex0, fx - radius) - ex0;
      gint x1 = MIN (ex1, fx + radius + 1) - ex0;
      guint32 s = sum[(gsize) y1 * (ew + 1) + x1] - sum[(gsize) y0 * (ew + 1) + x1]
          - sum[(gsize) y1 * (ew + 1) + x0] + sum[(gsize) y0 * (ew + 1) + x0];
      gint n = (x1 - x0) * (y1 - y0);

      hp[(gsize) y * rect->width + x] =
          (gint16) (gc_ocr_luma_at (frame, fx, fy) - (gint) (s / (guint32) n));
    }
  }
  g_free (sum);
  return hp;
}

static gint
radius_for (gint height)
{
  return MAX (2, height / 4);
}

gboolean
gc_ocr_sketch_compute (const GcOcrFrame * frame, const GcOcrBox * box,
    GcOcrSketch * out)
{
  gint pad = MAX (2, box->height / 8);
  GcOcrBox r;

  memset (out, 0, sizeof (*out));
  r.x = MAX (0, box->x - pad);
  r.y = MAX (0, box->y - pad);
  r.width = MIN (frame->width, box->x + box->width + pad) - r.x;
  r.height = MIN (frame->height, box->y + box->height + pad) - r.y;
  if (r.width < 8 || r.height < 8)
    return FALSE;
  out->rect = r;
  out->text_height = box->height;
  out->hp = sketch_rect (frame, &r, radius_for (box->height));
  return TRUE;
}

void
gc_ocr_sketch_clear (GcOcrSketch * sketch)
{
  g_clear_pointer (&sketch->hp, g_free);
}

/* Sums over the part of @a at (ax, ay) of size @w x @h against @b (of
 * width @bw) at (bx, by). */
static void
correlate (const gint16 * a, gint aw, gint ax, gint ay,
    const gint16 * b, gint bw, gint bx, gint by, gint w, gint h,
    gdouble * ab, gdouble * aa, gdouble * bb)
{
  gint64 sab = 0, saa = 0, sbb = 0;
  gint x, y;

  for (y = 0; y < h; y++) {
    const gint16 *pa = a + (gsize) (ay + y) * aw + ax;
    const gint16 *pb = b + (gsize) (by + y) * bw + bx;

    for (x = 0; x < w; x++) {
      sab += (gint64) pa[x] * pb[x];
      saa += (gint64) pa[x] * pa[x];
      sbb += (gint64) pb[x] * pb[x];
    }
  }
  *ab = (gdouble) sab;
  *aa = (gdouble) saa;
  *bb = (gdouble) sbb;
}

static gdouble
ncc (gdouble ab, gdouble aa, gdouble bb)
{
  return aa > 0 && bb > 0 ? ab / sqrt (aa * bb) : 0;
}

gdouble
gc_ocr_sketch_match (const GcOcrSketch * sketch, const GcOcrFrame * frame,
    gint dx, gint dy, gint search)
{
  const GcOcrBox *r = &sketch->rect;
  GcOcrBox big;
  gint16 *now;
  gint ox, oy, best_x = 0, best_y = 0, cell, c0;
  gdouble best = -2, worst = 1;

  /* Where the text is looked for now: the sketch's rect moved by (dx, dy)
   * and grown by @search on every side; it must lie in the frame. */
  big.x = r->x + dx - search;
  big.y = r->y + dy - search;
  big.width = r->width + 2 * search;
  big.height = r->height + 2 * search;
  if (big.x < 0 || big.y < 0 || big.x + big.width > frame->width
      || big.y + big.height > frame->height)
    return 0;
  now = sketch_rect (frame, &big, radius_for (sketch->text_height));
  for (oy = 0; oy <= 2 * search; oy++)
    for (ox = 0; ox <= 2 * search; ox++) {
      gdouble ab, aa, bb, v;

      correlate (sketch->hp, r->width, 0, 0, now, big.width, ox, oy,
          r->width, r->height, &ab, &aa, &bb);
      v = ncc (ab, aa, bb);
      if (v > best) {
        best = v;
        best_x = ox;
        best_y = oy;
      }
    }
  /* Part by part at the best offset: the worst part decides. */
  cell = MAX (6, sketch->text_height / 2);
  for (c0 = 0; c0 < r->width; c0 += cell) {
    gint w = MIN (cell, r->width - c0);
    gdouble ab, aa, bb, area = (gdouble) w * r->height, v;

    correlate (sketch->hp, r->width, c0, 0, now, big.width, best_x + c0,
        best_y, w, r->height, &ab, &aa, &bb);
    if (aa < BLANK_ENERGY * area && bb < BLANK_ENERGY * area)
      continue;
    v = ncc (ab, aa, bb);
    if (v < worst)
      worst = v;
  }
  g_free (now);
  return MIN (worst, best);
}
