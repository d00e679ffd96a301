/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Candidate text lines, found with cheap classic methods so that Tesseract
 * reads lines rather than whole frames.
 *
 * Overlay text (prices, captions, labels) has strong local contrast at
 * every stroke boundary, while the backgrounds it sits on (gradients, colour
 * bars, soft video) change slowly.  So: mark pixels whose neighbours differ
 * strongly, join the marks into components with a small closing, then merge
 * components that sit side by side at the same height into lines.
 *
 * All of it runs on the luma reduced 2x (4x above 1440 lines), each pixel
 * the mean of its block: a quarter of the pixels (16 ms -> 2-5 ms at 1080p),
 * and the averaging removes camera grain that would otherwise mark every
 * pixel.  Overlays are designed to be legible, so their text differs from
 * its surround in luma, or has an outline or panel that does; colour keying
 * for isoluminant text happens later, per region (gc-ocr-prepare.c). */
#include "gc-ocr-private.h"

#include "gc-error.h"

#include <string.h>

/* Difference between the neighbours on either side, in the reduced luma,
 * that marks a stroke boundary.  The 2x2 averaging halves the contrast of
 * a 1-2 px stroke at worst: anti-aliased 14 px grey-on-white text still
 * clears it; camera grain (averaged away) and gradients do not. */
#define EDGE_THRESHOLD 40
#define MIN_LINE_HEIGHT 8

gboolean
gc_ocr_frame_check (const GcOcrFrame * frame, GError ** error)
{
  gint bpp;

  if (frame == NULL || frame->data == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "OCR: no frame data");
    return FALSE;
  }
  if (frame->format != GC_OCR_FORMAT_RGBX && frame->format != GC_OCR_FORMAT_GRAY8) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "OCR: unsupported pixel format %d (RGBx/RGBA or GRAY8 expected)",
        frame->format);
    return FALSE;
  }
  if (frame->width < GC_OCR_MIN_FRAME_SIZE || frame->height < GC_OCR_MIN_FRAME_SIZE
      || frame->width > GC_OCR_MAX_FRAME_WIDTH
      || frame->height > GC_OCR_MAX_FRAME_HEIGHT) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "OCR: frame size %dx%d outside %dx%d..%dx%d", frame->width,
        frame->height, GC_OCR_MIN_FRAME_SIZE, GC_OCR_MIN_FRAME_SIZE,
        GC_OCR_MAX_FRAME_WIDTH, GC_OCR_MAX_FRAME_HEIGHT);
    return FALSE;
  }
  bpp = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  if (frame->stride < frame->width * bpp) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "OCR: stride %d too small for a %d px wide row", frame->stride,
        frame->width);
    return FALSE;
  }
  return TRUE;
}

gint
gc_ocr_reduction (const GcOcrFrame * frame)
{
  /* 2x keeps 14 px text at 7 px, still a line; 4K frames carry no text
   * smaller than 28 px worth reading. */
  return frame->height > 1440 ? 4 : 2;
}

guint8 *
gc_ocr_reduce_luma (const GcOcrFrame * frame, gint factor, gint * width,
    gint * height)
{
  gint w = frame->width / factor, h = frame->height / factor, x, y, i, j;
  gint shift = factor == 4 ? 4 : 2;
  guint8 *luma = gc_ocr_block_alloc ((gsize) w * h);

  if (luma == NULL)
    g_error ("gc_ocr_reduce_luma: out of memory for a %dx%d plane", w, h);

  for (y = 0; y < h; y++) {
    guint8 *line = luma + (gsize) y * w;

    if (factor == 2 && frame->format == GC_OCR_FORMAT_RGBX) {
      /* The common case, unrolled: a third of the time of the loop below. */
      const guint8 *a = frame->data + (gsize) (y * 2) * frame->stride;
      const guint8 *b = a + frame->stride;

      for (x = 0; x < w; x++, a += 8, b += 8) {
        guint r = a[0] + a[4] + b[0] + b[4];
        guint g = a[1] + a[5] + b[1] + b[5];
        guint bl = a[2] + a[6] + b[2] + b[6];
        line[x] = (r * 77 + g * 150 + bl * 29) >> 10;
      }
      continue;
    }
    for (x = 0; x < w; x++) {
      guint sum = 0;

      for (j = 0; j < factor; j++) {
        const guint8 *p = frame->data + (gsize) (y * factor + j) * frame->stride;

        if (frame->format == GC_OCR_FORMAT_RGBX) {
          p += x * factor * 4;
          for (i = 0; i < factor; i++, p += 4)
            sum += (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8;
        } else {
          p += x * factor;
          for (i = 0; i < factor; i++)
            sum += p[i];
        }
      }
      line[x] = sum >> shift;
    }
  }
  *width = w;
  *height = h;
  return luma;
}

typedef guint8 Bytes16 __attribute__ ((vector_size (16)));

static inline Bytes16
load16 (const guint8 * p)
{
  Bytes16 v;

  memcpy (&v, p, sizeof (v));
  return v;
}

/* mark[x] = 1 where the neighbours of row[x] on either side differ by
 * EDGE_THRESHOLD or more, for 0 < x < w - 1; 16 pixels at a time (GCC's
 * vector extension: SSE2 or NEON, no intrinsics).  max (|dx|, |dy|) >= T
 * is |dx| >= T or |dy| >= T. */
static void
mark_row (const guint8 * row, const guint8 * up, const guint8 * down,
    guint8 * mark, gint w)
{
  const Bytes16 limit = (Bytes16) { 0 } + (EDGE_THRESHOLD - 1);
  const Bytes16 one = (Bytes16) { 0 } + 1;
  gint x = 1;

  for (; x + 16 <= w - 1; x += 16) {
    Bytes16 l = load16 (row + x - 1), r = load16 (row + x + 1);
    Bytes16 u = load16 (up + x), d = load16 (down + x);
    Bytes16 lr = (Bytes16) (l > r), ud = (Bytes16) (u > d);
    Bytes16 dx = ((l - r) & lr) | ((r - l) & ~lr);
    Bytes16 dy = ((u - d) & ud) | ((d - u) & ~ud);
    Bytes16 m = ((Bytes16) (dx > limit) | (Bytes16) (dy > limit)) & one;

    memcpy (mark + x, &m, sizeof (m));
  }
  for (; x < w - 1; x++) {
    gint dx = row[x - 1] - row[x + 1], dy = up[x] - down[x];

    dx = dx < 0 ? -dx : dx;
    dy = dy < 0 ? -dy : dy;
    mark[x] = MAX (dx, dy) >= EDGE_THRESHOLD;
  }
}

/* Stroke boundaries: the neighbours on either side differ strongly.  Each
 * row is marked in bytes first (mark_row), then packed into the 1 bpp
 * image, most significant bit first. */
PIX *
gc_ocr_edge_map (const guint8 * luma, gint w, gint h)
{
  PIX *pix = pixCreate (w, h, 1);
  l_uint32 *data = pixGetData (pix);
  gint wpl = pixGetWpl (pix), x, y;
  g_autofree guint8 *mark = g_malloc0 ((gsize) wpl * 32);

  for (y = 1; y < h - 1; y++) {
    const guint8 *row = luma + (gsize) y * w;
    const guint8 *up = row - w, *down = row + w;
    l_uint32 *line = data + (gsize) y * wpl;
    gint i;

    mark_row (row, up, down, mark, w);
    for (i = 0; i < wpl; i++) {
      const guint8 *m = mark + i * 32;
      l_uint32 word = 0;

      for (x = 0; x < 32; x++)
        word = (word << 1) | m[x];
      line[i] = word;
    }
  }
  return pix;
}

/* Vertical edges longer than any text line (@max_run and more) are the
 * borders of colour bars, panels and objects; touching them would fuse
 * text into one frame-high component, so they are taken out.  Where the
 * lines and panels in front cut such a border into stretches no longer
 * than a glyph's stem, the column as a whole still gives it away: a column
 * whose runs of @min_run and more add up to @total or more loses all of
 * them.  Text does not line up stem edges in one column over that many
 * lines.
 *
 * Taking out the runs of @max_run and more is the binary opening with a
 * 1 x @max_run brick subtracted (pixels outside the image off, as
 * Leptonica's default boundary condition has it), done by run length: one
 * pass instead of ~2 x @max_run shifted copies of the image. */
void
gc_ocr_remove_poles (PIX * edges, gint min_run, gint max_run, gint total)
{
  gint w = pixGetWidth (edges), h = pixGetHeight (edges);
  gint wpl = pixGetWpl (edges), x, y, i;
  l_uint32 *data = pixGetData (edges);
  g_autofree gint *run = g_new0 (gint, w);
  g_autofree gint *cut = g_new0 (gint, w);

  /* Row by row, every column's current run at once: a word empty in this
   * row and the one above holds no run and ends none.  The first pass adds
   * up each column's runs of @min_run and more (into cut[]), the second
   * takes out the runs as long as the column's cut. */
  for (gint pass = 0; pass < 2; pass++) {
    for (y = 0; y <= h; y++) {
      const l_uint32 *line = data + (gsize) y * wpl;

      for (i = 0; i < wpl; i++) {
        l_uint32 word = y < h ? line[i] : 0;
        l_uint32 above = y > 0 ? line[i - wpl] : 0;

        /* Only the columns where a run goes on or ends. */
        for (l_uint32 todo = word | above; todo != 0;) {
          gint b = __builtin_clz (todo), r;

          todo &= ~(0x80000000u >> b);
          x = i * 32 + b;
          if (word & (0x80000000u >> b)) {
            run[x]++;
            continue;
          }
          r = run[x];
          run[x] = 0;
          if (pass == 0) {
            if (r >= min_run)
              cut[x] += r;
          } else if (r >= cut[x]) {
            for (gint k = y - r; k < y; k++)
              CLEAR_DATA_BIT (data + (gsize) k * wpl, x);
          }
        }
      }
    }
    if (pass == 0)
      for (x = 0; x < w; x++)
        /* No run of @min_run: nothing to take out (max_run >= min_run). */
        cut[x] = cut[x] >= total ? min_run : cut[x] > 0 ? max_run : G_MAXINT;
  }
}

/* Takes out the horizontal runs of @max_run pixels and more: the opening
 * with a @max_run x 1 brick subtracted, by run length (see
 * gc_ocr_remove_poles).
 * Edge maps are sparse: empty words are passed over whole. */
void
gc_ocr_remove_rails (PIX * edges, gint max_run)
{
  gint w = pixGetWidth (edges), h = pixGetHeight (edges);
  gint wpl = pixGetWpl (edges), x, y;
  l_uint32 *data = pixGetData (edges);

  for (y = 0; y < h; y++) {
    l_uint32 *line = data + (gsize) y * wpl;
    gint run = 0;

    for (x = 0; x <= w; x++) {
      if (run == 0 && x + 32 <= w && (x & 31) == 0 && line[x >> 5] == 0) {
        x += 31;
        continue;
      }
      if (x < w && GET_DATA_BIT (line, x)) {
        run++;
        continue;
      }
      if (run >= max_run)
        for (gint k = x - run; k < x; k++)
          CLEAR_DATA_BIT (line, k);
      run = 0;
    }
  }
}

static gboolean
mergeable (const GcOcrBox * a, const GcOcrBox * b, gint line_max)
{
  gint top = MAX (a->y, b->y);
  gint bottom = MIN (a->y + a->height, b->y + b->height);
  gint overlap = bottom - top;
  gint min_h = MIN (a->height, b->height);
  gint max_h = MAX (a->height, b->height);
  gint gap = MAX (a->x, b->x) - MIN (a->x + a->width, b->x + b->width);

  if (overlap < (min_h + 1) / 2)
    return FALSE;
  /* A panel's side or an object's edge beside two stacked lines overlaps
   * both; joining them all would make a block taller than any line, which
   * is then dropped with the text in it. */
  if (MAX (a->y + a->height, b->y + b->height) - MIN (a->y, b->y) > line_max)
    return FALSE;
  /* Parts of one character, punctuation and the strokes of 一 are much
   * flatter than the line; they join only when close and inside it, so that
   * a big block next to small text does not swallow it. */
  if (min_h * 3 < max_h) {
    const GcOcrBox *small = a->height < b->height ? a : b;
    const GcOcrBox *big = small == a ? b : a;
    return small->y >= big->y - 2
        && small->y + small->height <= big->y + big->height + 2
        && gap <= max_h / 3;
  }
  /* Word spaces are ~0.3 em, CJK characters touch; 0.6 of the line height
   * joins a label to its price but keeps separate captions apart. */
  return gap <= (max_h * 6) / 10;
}

gint64
gc_ocr_box_overlap (const GcOcrBox * a, const GcOcrBox * b)
{
  gint ix = MAX (0, MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x));
  gint iy = MAX (0, MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y));

  return (gint64) ix * iy;
}

void
gc_ocr_box_union (GcOcrBox * a, const GcOcrBox * b)
{
  gint x2 = MAX (a->x + a->width, b->x + b->width);
  gint y2 = MAX (a->y + a->height, b->y + b->height);

  a->x = MIN (a->x, b->x);
  a->y = MIN (a->y, b->y);
  a->width = x2 - a->x;
  a->height = y2 - a->y;
}

static gint
compare_boxes (gconstpointer pa, gconstpointer pb)
{
  const GcOcrBox *a = pa, *b = pb;

  if (a->y != b->y)
    return a->y < b->y ? -1 : 1;
  return a->x < b->x ? -1 : a->x > b->x;
}

/* How many over-tall components a frame may have taken apart (each costs
 * a clip, an opening and a labelling of its box). */
#define MAX_RESCUES 16

/* A component taller than any line is text glued to something straight:
 * the stretch of a colour bar's border showing between two panels, a
 * panel's side, a pole.  Inside its box only, vertical edges longer than a
 * third of the tallest line are taken out and the rest labelled again, so
 * that the text comes free (a glyph loses at most a long stem's edge; its
 * other strokes keep it whole). */
static void
rescue (PIX * edges, const GcOcrBox * b, gint max_h, gint rw, GArray * boxes)
{
  BOX *clip = boxCreate (b->x, b->y, b->width, b->height);
  PIX *sub = pixClipRectangle (edges, clip, NULL), *poles, *closed;
  BOXA *boxa;
  gint i, n;

  boxDestroy (&clip);
  if (sub == NULL)
    return;
  poles = pixOpenBrick (NULL, sub, 1, MAX (8, max_h / 3));
  pixSubtract (sub, sub, poles);
  pixDestroy (&poles);
  closed = pixCloseBrick (NULL, sub, 3, 2);
  pixDestroy (&sub);
  boxa = pixConnComp (closed, NULL, 8);
  pixDestroy (&closed);
  n = boxaGetCount (boxa);
  for (i = 0; i < n; i++) {
    GcOcrBox c;

    boxaGetBoxGeometry (boxa, i, &c.x, &c.y, &c.width, &c.height);
    c.x += b->x;
    c.y += b->y;
    if (c.height > max_h || c.width > rw - 2)
      continue;
    g_array_append_val (boxes, c);
  }
  boxaDestroy (&boxa);
}

GArray *
gc_ocr_find_regions (const GcOcrFrame * frame, GError ** error)
{
  g_autoptr (GArray) boxes = NULL;
  GArray *out;
  guint8 *luma = NULL;
  PIX *edges, *closed;
  BOXA *boxa;
  gint i, j, n, f, rw, rh, max_h, min_h, rescued;
  gboolean merged;

  if (!gc_ocr_frame_check (frame, error))
    return NULL;

  /* Text taller than a quarter of the frame is a title card, not an
   * overlay line (live-sale prices reach a sixth: ~110 px at 720p); noise
   * that fills the frame ends up as one giant component and is dropped
   * here too.  Everything below works on the reduced luma (a
   * quarter or a sixteenth of the pixels: 16 ms -> ~2 ms at 1080p), in its
   * coordinates. */
  f = gc_ocr_reduction (frame);
  max_h = MAX (120, frame->height / 4) / f;
  min_h = MAX (2, MIN_LINE_HEIGHT / f);
  luma = gc_ocr_reduce_luma (frame, f, &rw, &rh);

  edges = gc_ocr_edge_map (luma, rw, rh);
  g_clear_pointer (&luma, gc_ocr_block_free);
  gc_ocr_remove_poles (edges, 6, max_h, 2 * max_h);
  /* Straight horizontal edges much longer than a glyph is wide are the
   * tops and bottoms of panels and colour bars (or a strike-through line,
   * which the line preparation finds again on the full pixels); touching
   * them would fuse the text with its panel or the whole frame width. */
  gc_ocr_remove_rails (edges, MAX (24, max_h / 2));
  /* Joins the two edges of a stroke and neighbouring strokes of a glyph
   * without bridging lines above and below. */
  closed = pixCloseBrick (NULL, edges, 3, 2);
  if (GC_OCR_DEBUG) {
    /* What the components are made of (the last frame's), for tuning. */
    const gchar *dir = gc_ocr_debug_dir ();
    g_autofree gchar *e = g_build_filename (dir, "regions-edges.png", NULL);
    g_autofree gchar *c = g_build_filename (dir, "regions-closed.png", NULL);

    pixWrite (e, edges, IFF_PNG);
    pixWrite (c, closed, IFF_PNG);
  }
  boxa = pixConnComp (closed, NULL, 8);
  pixDestroy (&closed);

  n = boxaGetCount (boxa);
  boxes = g_array_sized_new (FALSE, FALSE, sizeof (GcOcrBox), n);
  for (i = 0, rescued = 0; i < n; i++) {
    GcOcrBox b;

    boxaGetBoxGeometry (boxa, i, &b.x, &b.y, &b.width, &b.height);
    if (b.height > max_h && b.width <= rw - 2 && rescued < MAX_RESCUES) {
      rescued++;
      rescue (edges, &b, max_h, rw, boxes);
      continue;
    }
    if (b.height > max_h || b.width > rw - 2)
      continue;
    g_array_append_val (boxes, b);
  }
  boxaDestroy (&boxa);
  pixDestroy (&edges);

  /* A dense texture yields thousands of specks; reading them would cost
   * seconds and find nothing, so such frames are treated as text-free
   * rather than letting the quadratic merge run away. */
  if (boxes->len > 6000)
    return g_array_new (FALSE, FALSE, sizeof (GcOcrBox));

  g_array_sort (boxes, compare_boxes);
  do {
    merged = FALSE;
    for (i = 0; i < (gint) boxes->len; i++) {
      GcOcrBox *a = &g_array_index (boxes, GcOcrBox, i);

      for (j = i + 1; j < (gint) boxes->len; j++) {
        GcOcrBox *b = &g_array_index (boxes, GcOcrBox, j);

        /* Sorted by top edge: nothing further down can overlap @a enough. */
        if (b->y > a->y + a->height)
          break;
        if (mergeable (a, b, max_h)) {
          gc_ocr_box_union (a, b);
          g_array_remove_index (boxes, j);
          merged = TRUE;
          j = i;
        }
      }
    }
    if (merged)
      g_array_sort (boxes, compare_boxes);
  } while (merged);

  out = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  for (i = 0; i < (gint) boxes->len; i++) {
    GcOcrBox *b = &g_array_index (boxes, GcOcrBox, i);

    GcOcrBox full;

    if (b->height < min_h || b->height > max_h)
      continue;
    /* One CJK character is square; narrower blobs are lone strokes,
     * poles, edges of objects. */
    if (b->width * 5 < b->height * 4)
      continue;
    full.x = b->x * f;
    full.y = b->y * f;
    full.width = MIN (b->width * f, frame->width - full.x);
    full.height = MIN (b->height * f, frame->height - full.y);
    g_array_append_val (out, full);
  }
  return out;
}
