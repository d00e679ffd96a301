/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Post-processing: the two dots of ä, ö and ü, looked for in the picture.
 *
 * The PP-OCRv4 Chinese model knows ä, ü and Ü but was trained on too few
 * of them to write them: on the realistic set it read "Hält 24 Stunden
 * kalt" as "Halt ...", "Spülmaschinenfest" as "Spulmaschinenfest", and ö
 * is not in its character set at all ("geröstet" -> "gerostet").  Every
 * other glyph of those lines is right, and the recognizer says where each
 * character is.  So for each a, o and u (and A, O, U) of a Latin word the
 * letter's column is binarised (as the line's preparation did it when one
 * threshold served, else at Otsu's threshold of the line's luma; the ink,
 * then the other side: an outlined letter's dots are the fills inside
 * outlines that touch each other), and two dots side by side just above
 * the letter's body, each much smaller than it, make the umlaut.  One dot
 * (an i's beside it), a stroke (an accent), or ink that runs up into the
 * line above make nothing; specks of sensor noise are passed over.
 * Measured on the realistic set: 4 German captions of 96 were missed for
 * their umlauts, none after, and no umlaut was added to any other line
 * (tests/bench/realistic_score.py). */
#include "gc-ocr-private.h"

#include <stdio.h>

/* The letter's column: its centre (the recognizer's step) plus or minus
 * this share of the distance between neighbouring characters. */
#define COLUMN_HALF 0.6
/* Above the box, for the dots of a capital (the detector's box may stop
 * at the cap height): this share of the box's height. */
#define ABOVE_CAPS 0.3
/* A body less high than this (pixels) has dots of a pixel or two: noise
 * makes as much. */
#define MIN_BODY_HEIGHT 9
/* A dot: at most this share of the body's area, at least the square of
 * this share of its height, and at most this share of its height high. */
#define DOT_MAX_AREA 0.25
#define DOT_MIN_SIDE 0.1
#define DOT_MAX_HEIGHT 0.5
/* The dots are at most this share of the body's height above it. */
#define DOT_MAX_RISE 0.9
/* Their midpoint is within this share of the body's width of its centre,
 * and the larger is at most this many times the smaller. */
#define DOTS_CENTRE 0.3
#define DOTS_SIZE_RATIO 3
/* A window larger than this (pixels, each side) is not looked at. */
#define MAX_WINDOW 400

typedef struct
{
  gint x0, y0, x1, y1;          /* inclusive */
  gint area;
  gboolean edge;                /* touches the window's top, left or right */
} Blob;

static inline guint8
value_at (const GcOcrFrame * frame, gint x, gint y, gint channel)
{
  if (frame->format == GC_OCR_FORMAT_GRAY8 || channel == 3)
    return gc_ocr_luma_at (frame, x, y);
  return frame->data[(gsize) y * frame->stride + (gsize) x * 4 + channel];
}

/* The connected pieces (8-neighbours) of the ink in @mask (w x h, 1 =
 * ink; cleared as it goes). */
static GArray *
blobs_of (guint8 * mask, gint w, gint h)
{
  GArray *blobs = g_array_new (FALSE, FALSE, sizeof (Blob));
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (gint));
  gint i;

  for (i = 0; i < w * h; i++) {
    Blob b;

    if (!mask[i])
      continue;
    b.x0 = b.x1 = i % w;
    b.y0 = b.y1 = i / w;
    b.area = 0;
    mask[i] = 0;
    g_array_set_size (stack, 0);
    g_array_append_val (stack, i);
    while (stack->len > 0) {
      gint p = g_array_index (stack, gint, stack->len - 1);
      gint px = p % w, py = p / w, dx, dy;

      g_array_set_size (stack, stack->len - 1);
      b.area++;
      b.x0 = MIN (b.x0, px);
      b.x1 = MAX (b.x1, px);
      b.y0 = MIN (b.y0, py);
      b.y1 = MAX (b.y1, py);
      for (dy = -1; dy <= 1; dy++)
        for (dx = -1; dx <= 1; dx++) {
          gint qx = px + dx, qy = py + dy, q;

          if (qx < 0 || qy < 0 || qx >= w || qy >= h)
            continue;
          q = qy * w + qx;
          if (mask[q]) {
            mask[q] = 0;
            g_array_append_val (stack, q);
          }
        }
    }
    b.edge = b.y0 == 0 || b.x0 == 0 || b.x1 == w - 1;
    g_array_append_val (blobs, b);
  }
  return blobs;
}

gboolean
gc_ocr_has_diaeresis (const GcOcrFrame * frame, const GcOcrBox * box,
    gint centre, gint pitch, gint channel, gint thresh, gboolean bright)
{
  gint half = MAX (2, (gint) (COLUMN_HALF * pitch));
  gint x0 = MAX (0, centre - half), x1 = MIN (frame->width, centre + half + 1);
  gint y0 = MAX (0, box->y - (gint) (ABOVE_CAPS * box->height));
  gint y1 = MIN (frame->height, box->y + box->height);
  gint w = x1 - x0, h = y1 - y0, x, y;
  g_autofree guint8 *mask = NULL;
  g_autoptr (GArray) blobs = NULL;
  const Blob *body = NULL, *dots[2] = { NULL, NULL };
  gint body_h, body_w, n_dots = 0;
  guint i;

  if (w < 3 || h < 3 || w > MAX_WINDOW || h > MAX_WINDOW)
    return FALSE;
  mask = g_malloc ((gsize) w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      guint8 v = value_at (frame, x0 + x, y0 + y, channel);

      mask[y * w + x] = bright ? v > thresh : v <= thresh;
    }
  blobs = blobs_of (mask, w, h);

  /* The letter's body: the largest piece over the column's middle that
   * reaches neither the window's top nor its bottom (the background, when
   * the ink is the fill inside an outline). */
  for (i = 0; i < blobs->len; i++) {
    const Blob *b = &g_array_index (blobs, Blob, i);

    if (b->x0 <= centre - x0 + half / 2 && b->x1 >= centre - x0 - half / 2
        && b->y0 > 0 && b->y1 < h - 1
        && (body == NULL || b->area > body->area))
      body = b;
  }
  if (body == NULL)
    return FALSE;
  body_h = body->y1 - body->y0 + 1;
  body_w = body->x1 - body->x0 + 1;
  if (body_h < MIN_BODY_HEIGHT)
    return FALSE;

  for (i = 0; i < blobs->len; i++) {
    const Blob *b = &g_array_index (blobs, Blob, i);
    gint bh = b->y1 - b->y0 + 1, bw = b->x1 - b->x0 + 1;

    if (b == body || b->y1 >= body->y0 - 1 || b->x1 < body->x0
        || b->x0 > body->x1)
      continue;                 /* not above the body */
    if (body->y0 - b->y1 > DOT_MAX_RISE * body_h)
      continue;                 /* the line above */
    if (MAX (bw, bh) < DOT_MIN_SIDE * body_h)
      continue;                 /* a speck of noise */
    if (b->edge || b->area > DOT_MAX_AREA * body->area
        || bh > DOT_MAX_HEIGHT * body_h || bw * 2 > body_w
        || MIN (bw, bh) < DOT_MIN_SIDE * body_h)
      return FALSE;             /* an accent, a stroke, or something else */
    if (n_dots == 2)
      return FALSE;
    dots[n_dots++] = b;
  }
  if (n_dots != 2)
    return FALSE;
  {
    const Blob *l = dots[0]->x0 <= dots[1]->x0 ? dots[0] : dots[1];
    const Blob *r = l == dots[0] ? dots[1] : dots[0];
    gint top = MAX (l->y0, r->y0), bottom = MIN (l->y1, r->y1);
    gint mid2 = l->x0 + r->x1, body_mid2 = body->x0 + body->x1;

    return l->x1 < r->x0        /* side by side */
        && (bottom - top + 1) * 2 >= MIN (l->y1 - l->y0, r->y1 - r->y0) + 1
        && MAX (l->area, r->area) <= DOTS_SIZE_RATIO * MIN (l->area, r->area)
        && ABS (mid2 - body_mid2) <= 2 * DOTS_CENTRE * body_w;
  }
}

static gunichar
with_umlaut (gunichar c)
{
  switch (c) {
    case 'a':
      return 0xE4;
    case 'o':
      return 0xF6;
    case 'u':
      return 0xFC;
    case 'A':
      return 0xC4;
    case 'O':
      return 0xD6;
    case 'U':
      return 0xDC;
    default:
      return 0;
  }
}

static gboolean
latin_letter (gunichar c)
{
  return c < 0x250 && g_unichar_isalpha (c);
}

/* Otsu's threshold of the luma in @box. */
static gint
otsu_luma (const GcOcrFrame * frame, const GcOcrBox * box)
{
  guint32 hist[256] = { 0 };
  gdouble unused;
  gint x, y, thresh;

  for (y = box->y; y < box->y + box->height; y++)
    for (x = box->x; x < box->x + box->width; x++)
      hist[gc_ocr_luma_at (frame, x, y)]++;
  gc_ocr_otsu (hist, (guint64) box->width * box->height, &thresh, &unused);
  return thresh;
}

gchar *
gc_ocr_restore_umlauts (const GcOcrFrame * frame, const gchar * text,
    GArray * xs, const GcOcrBox * box, const GcOcrPrepared * prep)
{
  g_autofree gunichar *u = NULL;
  glong n = 0, i;
  gboolean changed = FALSE, bright;
  gint channel, thresh = -1;

  if (text == NULL || xs == NULL || box->width <= 0 || box->height <= 0
      || box->x < 0 || box->y < 0 || box->x + box->width > frame->width
      || box->y + box->height > frame->height)
    return g_strdup (text);
  u = g_utf8_to_ucs4_fast (text, -1, &n);
  if ((glong) xs->len != n)
    return g_strdup (text);
  for (i = 0; i < n; i++)
    if (u[i] >= 0x2E80)
      return g_strdup (text);   /* a CJK line: no umlauts in it */
  /* Ink as the preparation told it when one threshold did; otherwise
   * (a local threshold, or none) Otsu's of the luma.  An outlined or
   * shadowed letter's dots can be the ink's or the other side's: the
   * dots' outlines touch each other, the fills inside them do not. */
  if (prep && prep->pix && prep->global) {
    channel = prep->channel;
    thresh = prep->thresh;
    bright = prep->bright;
  } else {
    channel = 3;
    bright = TRUE;
  }
  for (i = 0; i < n; i++) {
    gunichar to = with_umlaut (u[i]);
    gint pitch, c = g_array_index (xs, gint, i);

    if (to == 0 || !((i > 0 && latin_letter (u[i - 1]))
            || (i + 1 < n && latin_letter (u[i + 1]))))
      continue;
    /* The distance to the neighbours; a character at a word's end has
     * only one. */
    if (i > 0 && i + 1 < n && u[i - 1] != ' ' && u[i + 1] != ' ')
      pitch = (g_array_index (xs, gint, i + 1) - g_array_index (xs, gint,
              i - 1)) / 2;
    else if (i > 0 && u[i - 1] != ' ')
      pitch = c - g_array_index (xs, gint, i - 1);
    else if (i + 1 < n)
      pitch = g_array_index (xs, gint, i + 1) - c;
    else
      continue;
    pitch = CLAMP (pitch, box->height / 4, box->height);
    if (thresh < 0)
      thresh = otsu_luma (frame, box);
    if (gc_ocr_has_diaeresis (frame, box, c, pitch, channel, thresh, bright)
        || gc_ocr_has_diaeresis (frame, box, c, pitch, channel, thresh,
            !bright)) {
      if (GC_OCR_DEBUG)
        fprintf (stderr, "ppocr umlaut: character %ld of \"%s\" at x %d\n",
            i, text, c);
      u[i] = to;
      changed = TRUE;
    }
  }
  if (!changed)
    return g_strdup (text);
  return g_ucs4_to_utf8 (u, n, NULL, NULL, NULL);
}
