/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Makes one candidate region ready for Tesseract.
 *
 * Raw colourful crops read badly, so each region gets its own treatment:
 * - colour keying: of luma, R, G and B, the channel where the region splits
 *   best into two classes (largest Otsu between-class variance) carries the
 *   text; red text on an orange bar has no luma contrast but plenty in B;
 * - polarity: the most common level is background, so light-on-dark text
 *   is inverted here (Tesseract's own retry with an inverted image is
 *   switched off, invert_threshold=0); with outlined or shadowed text both
 *   sides hold ink, and the fill is the side the other one surrounds;
 * - scaling: Tesseract's LSTM reads best with text ~24-48 px high; the
 *   line is scaled again when its ink came out at another height than the
 *   box promised (panel edges or shadows in the box);
 * - binarisation at that scale, dropping ink that touches the border (the
 *   edges of a banner or background clutter), and filling outlined glyphs
 *   whose fill has the background's level (only the outline binarised);
 * - strike-through: a long horizontal stroke through the middle of the text
 *   corrupts digits, so it is removed, and reported, since a crossed-out
 *   price is the "original price" cue. */
#include "gc-ocr-private.h"

#include <math.h>
#include <string.h>

/* Levels closer than this to the background are background. */
#define BACKGROUND_DISTANCE 40
/* Luma text this far from its background is read in luma. */
#define LUMA_GOOD_DISTANCE 70

void
gc_ocr_otsu (const guint32 hist[256], guint64 n, gint * thresh,
    gdouble * variance)
{
  gdouble sum = 0, sum_b = 0, w_b = 0, best = -1;
  gint i, t = 127;

  for (i = 0; i < 256; i++)
    sum += (gdouble) i * hist[i];
  for (i = 0; i < 256; i++) {
    gdouble w_f, m_b, m_f, v;

    w_b += hist[i];
    if (w_b == 0)
      continue;
    w_f = (gdouble) n - w_b;
    if (w_f == 0)
      break;
    sum_b += (gdouble) i * hist[i];
    m_b = sum_b / w_b;
    m_f = (sum - sum_b) / w_f;
    v = w_b * w_f * (m_b - m_f) * (m_b - m_f) / ((gdouble) n * n);
    if (v > best) {
      best = v;
      t = i;
    }
  }
  *thresh = t;
  *variance = MAX (best, 0);
}

/* How a region's histogram splits into background and text. */
typedef struct
{
  gboolean bright;              /* text lighter than the background */
  gint thresh;                  /* ink: v <= thresh (dark) or v > thresh (bright) */
  guint64 ink;                  /* pixels on the text side */
  gdouble distance;             /* their mean distance from the background */
  gdouble score;
  gint mode;                    /* the background level */
  guint64 low, high;            /* pixels far below and far above it */
  gint low_thresh, high_thresh; /* the split on either side */
} Split;

/* The background is the most common level (smoothed): text covers less of
 * a padded line box than what it sits on, and inside a panel the panel
 * wins.  Text is what lies far from it, on one side; with outlined or
 * shadowed text both sides do, and the side with more pixels is the glyph
 * fill (outlines are thinner than strokes). */
static void
split_histogram (const guint32 hist[256], guint64 n, Split * split)
{
  guint64 best_count = 0, low = 0, high = 0, side_n = 0;
  gdouble low_d = 0, high_d = 0, unused;
  guint32 side[256] = { 0 };
  gint i, k, mode = 128;

  for (i = 0; i < 256; i++) {
    guint64 sum = 0;
    for (k = MAX (0, i - 4); k <= MIN (255, i + 4); k++)
      sum += hist[k];
    if (sum > best_count) {
      best_count = sum;
      mode = i;
    }
  }
  for (i = 0; i < 256; i++) {
    if (i <= mode - BACKGROUND_DISTANCE) {
      low += hist[i];
      low_d += (gdouble) hist[i] * (mode - i);
    } else if (i >= mode + BACKGROUND_DISTANCE) {
      high += hist[i];
      high_d += (gdouble) hist[i] * (i - mode);
    }
  }
  split->bright = high >= low;
  split->ink = split->bright ? high : low;
  split->distance = split->ink ? (split->bright ? high_d : low_d) / split->ink : 0;
  split->score = split->bright ? high_d : low_d;
  split->mode = mode;
  split->low = low;
  split->high = high;
  for (k = 0; k < 2; k++) {
    memset (side, 0, sizeof (side));
    side_n = 0;
    for (i = k ? mode : 0; i <= (k ? 255 : mode); i++) {
      side[i] = hist[i];
      side_n += side[i];
    }
    gc_ocr_otsu (side, side_n, k ? &split->high_thresh : &split->low_thresh,
        &unused);
  }
  split->thresh = split->bright ? split->high_thresh : split->low_thresh;
}

/* How much of the boundary of class @a (levels beyond @a_level on the
 * side @a_bright) is within 2 px of class @b: ~1 for the fill of outlined
 * text, which its outline surrounds, ~0.3-0.5 for the outline, whose outer
 * edge meets the background. */
static gdouble
enclosure (PIX * gray, gboolean a_bright, gint a_level, gint b_level)
{
  static const gint dirs[4][2] = { {1, 0}, {-1, 0}, {0, 1}, {0, -1} };
  gint w = pixGetWidth (gray), h = pixGetHeight (gray), wpl = pixGetWpl (gray);
  l_uint32 *data = pixGetData (gray);
  guint64 edge = 0, touching = 0;
  gint x, y, d, k;

#define IN_A(v) (a_bright ? (v) >= a_level : (v) <= a_level)
#define IN_B(v) (a_bright ? (v) <= b_level : (v) >= b_level)
  for (y = 2; y < h - 2; y++) {
    for (x = 2; x < w - 2; x++) {
      if (!IN_A (GET_DATA_BYTE (data + (gsize) y * wpl, x)))
        continue;
      for (d = 0; d < 4; d++) {
        gint nx = x + dirs[d][0], ny = y + dirs[d][1];

        if (IN_A (GET_DATA_BYTE (data + (gsize) ny * wpl, nx)))
          continue;
        edge++;
        for (k = 1; k <= 2; k++) {
          gint v = GET_DATA_BYTE (data + (gsize) (y + dirs[d][1] * k) * wpl,
              x + dirs[d][0] * k);
          if (IN_B (v)) {
            touching++;
            break;
          }
        }
      }
    }
  }
#undef IN_A
#undef IN_B
  return edge ? (gdouble) touching / edge : 0;
}

static inline guint8
channel_value (const guint8 * p, gint channel)
{
  /* Channel 3 is luma (BT.601 weights in 8 bit fixed point). */
  if (channel == 3)
    return (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8;
  return p[channel];
}

PIX *
gc_ocr_channel_crop (const GcOcrFrame * frame, const GcOcrBox * rect,
    gint channel)
{
  gint bpp = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  PIX *crop;
  l_uint32 *data;
  gint wpl, x, y;

  g_return_val_if_fail (rect->x >= 0 && rect->y >= 0 && rect->width > 0
      && rect->height > 0 && rect->x + rect->width <= frame->width
      && rect->y + rect->height <= frame->height, NULL);
  crop = pixCreate (rect->width, rect->height, 8);
  if (crop == NULL)
    return NULL;
  data = pixGetData (crop);
  wpl = pixGetWpl (crop);
  for (y = 0; y < rect->height; y++) {
    const guint8 *row = frame->data + (gsize) (rect->y + y) * frame->stride
        + (gsize) rect->x * bpp;
    l_uint32 *line = data + (gsize) y * wpl;

    for (x = 0; x < rect->width; x++)
      SET_DATA_BYTE (line, x, bpp == 4 ? channel_value (row + x * bpp,
              channel) : row[x]);
  }
  return crop;
}

void
gc_ocr_prepared_clear (GcOcrPrepared * prepared)
{
  if (prepared->pix)
    pixDestroy (&prepared->pix);
  memset (prepared, 0, sizeof (*prepared));
}

/* The longest run of ink in a row of @w pixels. */
static gint
longest_run (const l_uint32 * line, gint w)
{
  gint x, run = 0, best = 0;

  for (x = 0; x < w; x++) {
    run = GET_DATA_BIT (line, x) ? run + 1 : 0;
    best = MAX (best, run);
  }
  return best;
}

gboolean
gc_ocr_remove_strike (PIX * pix)
{
  gint w = pixGetWidth (pix), h = pixGetHeight (pix);
  l_uint32 *data = pixGetData (pix);
  gint wpl = pixGetWpl (pix);
  gint top = -1, bottom = -1, x, y, text_h, min_run;
  gint band0 = -1, band1 = -1, span0 = w, span1 = -1;

  for (y = 0; y < h && top < 0; y++)
    for (x = 0; x < w; x++)
      if (GET_DATA_BIT (data + (gsize) y * wpl, x)) {
        top = y;
        break;
      }
  for (y = h - 1; y >= 0 && bottom < 0; y--)
    for (x = 0; x < w; x++)
      if (GET_DATA_BIT (data + (gsize) y * wpl, x)) {
        bottom = y;
        break;
      }
  if (top < 0)
    return FALSE;
  text_h = bottom - top + 1;
  if (text_h < 6)
    return FALSE;

  /* No glyph run is this long: CJK characters are ~1 em wide and separated,
   * Latin glyphs narrower.  A stroke over even a short price ("¥129") is
   * longer. */
  min_run = (text_h * 16) / 10;

  for (y = top + text_h / 5; y <= top + (text_h * 17) / 20; y++) {
    l_uint32 *line = data + (gsize) y * wpl;
    gint run = 0, best = 0, best_end = 0;

    for (x = 0; x < w; x++) {
      if (GET_DATA_BIT (line, x)) {
        run++;
        if (run > best) {
          best = run;
          best_end = x;
        }
      } else {
        run = 0;
      }
    }
    if (best >= min_run) {
      if (band0 < 0)
        band0 = y;
      else if (y != band1 + 1)
        break;                  /* a second band: keep the first */
      band1 = y;
      span0 = MIN (span0, best_end - best + 1);
      span1 = MAX (span1, best_end);
    } else if (band0 >= 0) {
      break;
    }
  }
  if (band0 < 0)
    return FALSE;
  /* The bar as a whole, past the rows looked at: the solid rows at the top
   * of a filled badge ("去抢购" white on a pink pill beside a price) start
   * above them. */
  while (band0 > 0 && longest_run (data + (gsize) (band0 - 1) * wpl, w)
      >= min_run)
    band0--;
  while (band1 < h - 1 && longest_run (data + (gsize) (band1 + 1) * wpl, w)
      >= min_run)
    band1++;
  /* A thick bar is a block (a highlighted box, a filled glyph), not a
   * stroke; so is one that reaches out of the rows a stroke is looked for
   * in (all but the text's top fifth and bottom 3/20): a stroke crosses the
   * glyphs' middle, the solid rows of a pill's top edge do not. */
  if (band1 - band0 + 1 > MAX (3, text_h / 4)
      || band0 < top + text_h / 5 || band1 > top + (text_h * 17) / 20)
    return FALSE;

  /* Clear the stroke plus its anti-aliased fringe, keeping the pixels where
   * a glyph's vertical stroke crosses it (ink both above and below). */
  band0 = MAX (0, band0 - 1);
  band1 = MIN (h - 1, band1 + 1);
  for (x = span0; x <= span1; x++) {
    gint above = band0 - 2, below = band1 + 2;
    gboolean keep = above >= 0 && below < h
        && GET_DATA_BIT (data + (gsize) above * wpl, x)
        && GET_DATA_BIT (data + (gsize) below * wpl, x);

    if (keep)
      continue;
    for (y = band0; y <= band1; y++)
      CLEAR_DATA_BIT (data + (gsize) y * wpl, x);
  }
  /* Where the stroke met a glyph at a slant or through anti-aliasing,
   * stubs of it stay in the gaps between glyphs and read as hyphens:
   * flat pieces lying inside the band go too. */
  {
    BOXA *boxa = pixConnComp (pix, NULL, 8);
    gint i, n = boxaGetCount (boxa);

    for (i = 0; i < n; i++) {
      gint bx, by, bw, bh;

      boxaGetBoxGeometry (boxa, i, &bx, &by, &bw, &bh);
      if (by >= band0 - 2 && by + bh - 1 <= band1 + 2 && bh <= band1 - band0 + 3)
        pixRasterop (pix, bx, by, bw, bh, PIX_CLR, NULL, 0, 0);
    }
    boxaDestroy (&boxa);
  }
  return TRUE;
}

PIX *
gc_ocr_binarise (PIX * gray, gboolean bright, gint thresh)
{
  /* pixThresholdToBinary marks values below its threshold. */
  PIX *bin = pixThresholdToBinary (gray, thresh + 1), *clean;

  if (bin == NULL)
    return NULL;
  if (bright)
    pixInvert (bin, bin);
  clean = pixRemoveBorderConnComps (bin, 8);
  pixDestroy (&bin);
  return clean;
}

/* How much of a line a binarisation found: its ink times the share of
 * columns holding any.  Scenery that survives the border is compact;
 * glyphs spread along the line. */
static gdouble
line_score (PIX * bin)
{
  gint w = pixGetWidth (bin), h = pixGetHeight (bin), wpl = pixGetWpl (bin);
  l_uint32 *data = pixGetData (bin);
  gint x, y, cols = 0;
  l_int32 count = 0;

  for (x = 0; x < w; x++)
    for (y = 0; y < h; y++)
      if (GET_DATA_BIT (data + (gsize) y * wpl, x)) {
        cols++;
        break;
      }
  pixCountPixels (bin, &count, NULL);
  return w > 0 ? (gdouble) count * cols / w : 0;
}

/* A panel, or the scenery around the text, comes out as one piece that
 * holds most of the ink across most of the line; glyphs come out as many
 * pieces. */
static gboolean
one_piece (PIX * bin)
{
  PIXA *pixa = NULL;
  BOXA *boxa = pixConnComp (bin, &pixa, 8);
  gint i, n = boxaGetCount (boxa), x0 = G_MAXINT, x1 = 0;
  l_int32 total = 0, biggest = 0, biggest_w = 0;

  for (i = 0; i < n; i++) {
    gint bx, by, bw, bh;
    l_int32 count = 0;
    PIX *p = pixaGetPix (pixa, i, L_CLONE);

    boxaGetBoxGeometry (boxa, i, &bx, &by, &bw, &bh);
    pixCountPixels (p, &count, NULL);
    pixDestroy (&p);
    total += count;
    x0 = MIN (x0, bx);
    x1 = MAX (x1, bx + bw);
    if (count > biggest) {
      biggest = count;
      biggest_w = bw;
    }
  }
  boxaDestroy (&boxa);
  pixaDestroy (&pixa);
  return n > 0 && biggest * 10 >= total * 6 && biggest_w * 10 >= (x1 - x0) * 7;
}

/* The same with a threshold that follows the local background (Sauvola,
 * over a window about half the text's height): for text on a panel that is
 * itself uneven (translucent over colour bars), where no one level
 * separates glyphs from every part of it. */
static PIX *
binarise_local (PIX * gray, gboolean bright, gint text_height)
{
  gint half = MAX (4, text_height / 2);
  PIX *src, *bin = NULL, *clean;

  if (pixGetWidth (gray) < 2 * half + 3 || pixGetHeight (gray) < 2 * half + 3)
    return NULL;
  src = bright ? pixInvert (NULL, gray) : pixClone (gray);
  /* Sauvola marks what is darker than its neighbourhood by k of the local
   * spread: the text, once bright text is inverted. */
  if (pixSauvolaBinarize (src, half, 0.34f, 1, NULL, NULL, NULL, &bin) != 0)
    bin = NULL;
  pixDestroy (&src);
  if (bin == NULL)
    return NULL;
  clean = pixRemoveBorderConnComps (bin, 8);
  pixDestroy (&bin);
  return clean;
}

/* Outlined text whose fill has the background's level (red on orange, white
 * on white) binarises as hollow rings: the outline only.  Tesseract reads
 * those as other glyphs ("¥1" as "M").  The glyph is what the rings that
 * touch the outside enclose, while the counters (of 0, 9, 口) lie inside
 * a second, inner ring and stay open.  Ordinary text encloses little
 * (counters only: up to ~0.8 of its ink for thin digits), hollow text
 * encloses more than it inks (~1.2). */
static gboolean
fill_hollow_glyphs (PIX * bin)
{
  PIX *holes, *outside, *seed, *rings, *fill;
  l_int32 ink = 0, enclosed = 0;

  holes = pixHolesByFilling (bin, 4);
  if (holes == NULL)
    return FALSE;
  pixCountPixels (bin, &ink, NULL);
  pixCountPixels (holes, &enclosed, NULL);
  if (GC_OCR_DEBUG)
    g_printerr ("  hollow? ink %d enclosed %d\n", ink, enclosed);
  if (ink == 0 || enclosed * 20 < ink * 19) {
    pixDestroy (&holes);
    return FALSE;
  }
  /* The outside: neither ink nor enclosed. */
  outside = pixOr (NULL, bin, holes);
  pixInvert (outside, outside);
  seed = pixDilateBrick (NULL, outside, 3, 3);
  pixAnd (seed, seed, bin);
  rings = pixSeedfillBinary (NULL, seed, bin, 8);
  pixDestroy (&seed);
  seed = pixDilateBrick (NULL, rings, 3, 3);
  pixAnd (seed, seed, holes);
  fill = pixSeedfillBinary (NULL, seed, holes, 4);
  pixOr (bin, bin, fill);
  pixDestroy (&seed);
  pixDestroy (&rings);
  pixDestroy (&fill);
  pixDestroy (&outside);
  pixDestroy (&holes);
  return TRUE;
}

/* Text, even bold CJK, leaves more than a third of its bounding box
 * empty; a panel with glyph-shaped holes does not. */
/* Text cut by the frame's left or right edge (a card sliding in, a
 * caption scrolling out) reads as another text: "¥129" with its "9" cut,
 * dropped with the region's border, is "¥12".  When the region reaches
 * such an edge, pieces of glyph or outline touching the edge column mean
 * the text goes on outside the frame: ink on either side of the threshold
 * that meets the edge without running through the whole crop top to
 * bottom (as scenery does), over a sixth of the line's height in all.
 * Scenery that meets the edge inside the line's rows (a dark band behind
 * it) counts too: such a line is not read, a miss rather than a wrong
 * price. */
static gboolean
cut_by_frame_edge (PIX * gray, gint dark_thresh, gint bright_thresh,
    gboolean left, gint line_h)
{
  gint side, w = pixGetWidth (gray), h = pixGetHeight (gray), touching = 0;

  for (side = 0; side < 2; side++) {
    /* Dark ink (outlines, shadows) below the background, bright above. */
    PIX *bin = pixThresholdToBinary (gray,
        (side == 0 ? dark_thresh : bright_thresh) + 1);
    BOXA *boxa;
    gint i, n;

    if (bin == NULL)
      return FALSE;
    if (side == 1)
      pixInvert (bin, bin);
    boxa = pixConnComp (bin, NULL, 8);
    pixDestroy (&bin);
    n = boxaGetCount (boxa);
    for (i = 0; i < n; i++) {
      gint bx, by, bw, bh;

      boxaGetBoxGeometry (boxa, i, &bx, &by, &bw, &bh);
      if ((left ? bx == 0 : bx + bw == w) && by > 0 && by + bh < h)
        touching += bh;
    }
    boxaDestroy (&boxa);
  }
  return touching * 6 >= line_h;
}

static gboolean
looks_like_panel (PIX * bin)
{
  BOX *box = NULL;
  PIX *clip = NULL;
  l_int32 count = 0;
  gboolean panel = FALSE;

  if (pixClipToForeground (bin, &clip, &box) == 0 && clip != NULL) {
    pixCountPixels (clip, &count, NULL);
    panel = count > 0.62 * pixGetWidth (clip) * pixGetHeight (clip);
  }
  pixDestroy (&clip);
  boxDestroy (&box);
  return panel;
}

gboolean
gc_ocr_prepare_line (const GcOcrFrame * frame, const GcOcrBox * box,
    gint text_height, GcOcrPrepared * out)
{
  gint pad, x0, y0, x1, y1, w, h, x, y, c, nchannels, best_c = 3, best_t;
  gint bpp = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  gdouble scale, previous_scale = 0;
  Split best = { 0 };
  guint32 best_hist[256] = { 0 };
  guint64 n;
  gboolean text_bright, struck, outlined = FALSE, local = FALSE;
  PIX *gray, *scaled, *clean = NULL, *clipped, *previous = NULL;
  BOX *ink = NULL;
  gint ink_x, ink_y, ink_w, ink_h, margin, attempt;

  memset (out, 0, sizeof (*out));

  pad = box->height / 4 + 2;
  x0 = MAX (0, box->x - pad);
  y0 = MAX (0, box->y - pad);
  x1 = MIN (frame->width, box->x + box->width + pad);
  y1 = MIN (frame->height, box->y + box->height + pad);
  w = x1 - x0;
  h = y1 - y0;
  if (w < 4 || h < 4)
    return FALSE;
  n = (guint64) w * h;

  /* Luma first: it is what the eye reads, and what most overlays are
   * designed for.  Colour channels are keys for text that has (almost) the
   * luma of its background. */
  nchannels = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  for (c = 0; c < nchannels; c++) {
    gint channel = frame->format == GC_OCR_FORMAT_RGBX ? (c + 3) % 4 : 3;
    guint32 hist[256] = { 0 };
    Split split;

    for (y = y0; y < y1; y++) {
      const guint8 *row = frame->data + (gsize) y * frame->stride;
      for (x = x0; x < x1; x++) {
        const guint8 *p = row + x * bpp;
        hist[bpp == 4 ? channel_value (p, channel) : p[0]]++;
      }
    }
    split_histogram (hist, n, &split);
    if (split.score > best.score) {
      best = split;
      best_c = channel;
      memcpy (best_hist, hist, sizeof (hist));
    }
    if (channel == 3 && split.ink * 50 >= n
        && split.distance >= LUMA_GOOD_DISTANCE)
      break;
  }
  if (best.ink * 100 < n)
    return FALSE;
  text_bright = best.bright;
  best_t = best.thresh;

  if (GC_OCR_DEBUG)
    g_printerr ("prepare %d,%d %dx%d: channel %d bright %d ink %lu dist %.0f "
        "t %d\n", box->x, box->y, box->width, box->height, best_c,
        text_bright, (gulong) best.ink, best.distance, best_t);

  {
    GcOcrBox area = { x0, y0, w, h };

    gray = gc_ocr_channel_crop (frame, &area, best_c);
    if (gray == NULL)
      return FALSE;
  }
  /* Ink on both sides of the background: outlined or shadowed text.  The
   * side with more pixels is not always the fill (a thick outline plus a
   * drop shadow outweigh a thin fill); the fill is the side the other one
   * surrounds. */
  if (MIN (best.low, best.high) * 4 >= MAX (best.low, best.high)) {
    gdouble e_high = enclosure (gray, TRUE, best.mode + BACKGROUND_DISTANCE,
        best.mode - BACKGROUND_DISTANCE);
    gdouble e_low = enclosure (gray, FALSE, best.mode - BACKGROUND_DISTANCE,
        best.mode + BACKGROUND_DISTANCE);

    if (e_high > e_low + 0.15)
      text_bright = TRUE;
    else if (e_low > e_high + 0.15)
      text_bright = FALSE;
    outlined = fabs (e_high - e_low) > 0.15;
    best_t = text_bright ? best.high_thresh : best.low_thresh;
    if (GC_OCR_DEBUG)
      g_printerr ("  enclosure high %.2f low %.2f -> bright %d\n", e_high,
          e_low, text_bright);
  }
  /* The box's height is a first guess of the text's (a panel's edges or a
   * shadow may be in it): the line is scaled again when the ink came out
   * at the wrong height, since Tesseract reads best in a narrow band. */
  scale = (gdouble) text_height / box->height;
  scale = CLAMP (scale, 0.2, 8.0);
  for (attempt = 0; attempt < 2; attempt++) {
    BOX *fg = NULL;
    gint fg_h = 0;

    scaled = pixScale (gray, scale, scale);
    if (scaled == NULL)
      break;
    clean = local ? binarise_local (scaled, text_bright, text_height)
        : gc_ocr_binarise (scaled, text_bright, best_t);
    if (clean != NULL && attempt == 0 && looks_like_panel (clean)) {
      /* What came out is a filled panel with the glyphs as holes: the mode
       * was the scenery around the panel (and the text, at similar levels).
       * The panel is the background; split the two classes by Otsu. */
      gdouble unused;

      gc_ocr_otsu (best_hist, n, &best_t, &unused);
      text_bright = !text_bright;
      pixDestroy (&clean);
      clean = gc_ocr_binarise (scaled, text_bright, best_t);
    } else if (clean != NULL && attempt == 0 && !outlined) {
      /* A translucent panel over several colours, or big text crossing a
       * colour boundary, has no single background level: the mode may be
       * the text's own fill, or darker scenery outnumbers it, and the side
       * chosen is mostly scenery.  Scenery reaches the region's border and
       * is dropped with it, glyphs are not (outlined text, whose fill was
       * found by enclosure above, is left alone).  So when most of the
       * chosen side went with the border, other splits are tried, and one
       * is kept when it finds clearly more of a line (line_score) without
       * being a panel or one piece of scenery. */
      l_int32 kept = 0;
      gdouble side = (gdouble) best.ink * scale * scale;
      gdouble score = line_score (clean), best_score = 1.5 * score;

      pixCountPixels (clean, &kept, NULL);
      if (kept < side / 5) {
        /* Other splits: the same side with a threshold that follows the
         * local background, then the other side by Otsu over the region,
         * just beyond the mode (for when the mode is the text's own fill),
         * and following the local background. */
        gint cand[4], k, took = -1;
        gdouble unused;

        cand[0] = -1;
        gc_ocr_otsu (best_hist, n, &cand[1], &unused);
        cand[2] = text_bright ? best.mode + BACKGROUND_DISTANCE / 2
            : best.mode - BACKGROUND_DISTANCE / 2;
        cand[3] = -1;
        for (k = 0; k < 4; k++) {
          gboolean flip = k > 0;
          PIX *other = cand[k] < 0
              ? binarise_local (scaled, text_bright != flip, text_height)
              : gc_ocr_binarise (scaled, !text_bright, CLAMP (cand[k], 0, 254));
          gdouble other_score = other != NULL ? line_score (other) : 0;

          if (GC_OCR_DEBUG)
            g_printerr ("  kept %d of %.0f (score %.0f); split %d (t %d) "
                "score %.0f\n", kept, side, score, k, cand[k], other_score);
          if (other != NULL && other_score > best_score
              && !looks_like_panel (other) && !one_piece (other)) {
            best_score = other_score;
            took = k;
            pixDestroy (&clean);
            clean = g_steal_pointer (&other);
          }
          if (other != NULL)
            pixDestroy (&other);
        }
        if (took >= 0) {
          text_bright = text_bright != (took > 0);
          local = cand[took] < 0;
          if (!local)
            best_t = CLAMP (cand[took], 0, 254);
        }
      }
    }
    pixDestroy (&scaled);
    if (clean == NULL || attempt == 1)
      break;
    if (pixClipBoxToForeground (clean, NULL, NULL, &fg) == 0 && fg != NULL)
      boxGetGeometry (fg, NULL, NULL, NULL, &fg_h);
    boxDestroy (&fg);
    if (fg_h == 0 || (fg_h * 5 >= text_height * 4 && fg_h * 4 <= text_height * 5))
      break;
    previous_scale = scale;
    scale = CLAMP (scale * text_height / fg_h, 0.2, 8.0);
    previous = g_steal_pointer (&clean);
  }
  if (clean == NULL && previous != NULL) {
    /* Nothing at the new scale (the local threshold needs room): the
     * first scale's line is better than none. */
    clean = g_steal_pointer (&previous);
    scale = previous_scale;
  } else if (previous != NULL) {
    pixDestroy (&previous);
  }
  if (clean != NULL && (box->x - pad < 0 || box->x + box->width + pad > frame->width)) {
    gboolean left = box->x - pad < 0;

    if (cut_by_frame_edge (gray, best.low_thresh, best.high_thresh, left,
            box->height)) {
      if (GC_OCR_DEBUG)
        g_printerr ("  cut by the frame's %s edge: not read\n",
            left ? "left" : "right");
      pixDestroy (&clean);
    }
  }
  pixDestroy (&gray);
  if (clean == NULL)
    return FALSE;
  fill_hollow_glyphs (clean);

  struck = gc_ocr_remove_strike (clean);

  if (pixClipToForeground (clean, &clipped, &ink) != 0 || clipped == NULL) {
    pixDestroy (&clean);
    boxDestroy (&ink);
    return FALSE;
  }
  pixDestroy (&clean);
  boxGetGeometry (ink, &ink_x, &ink_y, &ink_w, &ink_h);
  boxDestroy (&ink);
  /* Specks that survived: not a line of text. */
  if (ink_h < text_height / 4 || ink_w < text_height / 4) {
    pixDestroy (&clipped);
    return FALSE;
  }

  margin = MAX (8, text_height / 3);
  out->pix = pixAddBorder (clipped, margin, 0);
  pixDestroy (&clipped);
  /* Tesseract warns about (and guesses) a missing resolution. */
  pixSetResolution (out->pix, 300, 300);
  out->struck = struck;
  out->text_height = ink_h;
  out->global = !local;
  out->channel = best_c;
  out->thresh = best_t;
  out->bright = text_bright;
  out->ink_box.x = x0 + (gint) floor (ink_x / scale);
  out->ink_box.y = y0 + (gint) floor (ink_y / scale);
  out->ink_box.width = MAX (1, (gint) ceil (ink_w / scale));
  out->ink_box.height = MAX (1, (gint) ceil (ink_h / scale));
  out->ink_box.width = MIN (out->ink_box.width, frame->width - out->ink_box.x);
  out->ink_box.height = MIN (out->ink_box.height,
      frame->height - out->ink_box.y);
  return TRUE;
}
