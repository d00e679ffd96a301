/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the lines are, for the PP-OCR reader: the detector on demand.
 *
 * The detector costs ~200-350 ms a 1080p frame, the recognizer ~20 ms a
 * line; a live-shopping screen keeps most of its text for seconds while
 * the camera, the noise and the chat move under and around it.  So the
 * whole frame is detected now and then, and in between only where the
 * cheap classic region finder sees something no kept line covers, or
 * where a kept line's text changed (gc-ocr-ppread.c asks for that).  The
 * boxes the detector gives are mended first: a struck price's halves or
 * pieces become one box. */
#include "gc-ocr-private.h"

#include <string.h>

/* The detector is the costly step (~200-350 ms for a 1080p frame); a
 * stream's overlays stay put for seconds.  With a tracker, the whole
 * frame is detected every FULL_DETECT_EVERY analysed frames; in between
 * the line boxes of the last detection are kept, and the cheap classic
 * region finder (~3 ms) tells where text may have appeared: only its
 * regions that no kept line covers are detected, each in a crop around
 * it.  A region where the detector found nothing is not detected again
 * until the next whole-frame detection (the photo behind the overlays
 * holds shapes the region finder takes for text), unless another region
 * turns up in its place.  When the crops would cover much of
 * the frame (a scene change), the whole frame is detected.  A kept box
 * whose text changed (a chat line scrolling, a new price in the same
 * card) is detected again in a crop around it before it is read: the
 * new text need not fit the old box. */
#define FULL_DETECT_EVERY 8
/* The periodic whole-frame detection looks for text that appeared where
 * the region finder saw nothing new; it runs at this longest side (half
 * the pixels of GC_OCR_PPOCR_DET_SIDE), and a kept line it does not find
 * again stays (the tracker drops it once its glyphs go). */
#define PERIODIC_DET_SIDE 960
#define MAX_CROP_SHARE 0.35
/* Two overlapping crops are merged when their bounding box is at most
 * this factor of their two areas. */
#define CROP_UNION_COST 1.25
/* A region is covered by a box holding this share of it. */
#define COVERED 0.6
/* A region found again where the detector found nothing, overlapping the
 * region seen then by at least this much (intersection over union; a slow
 * camera pan moves it a little), is not detected again.  Another region
 * there (a label put up over the photo) is. */
#define EMPTY_SAME_IOU 0.5

static gboolean
covered (const GcOcrBox * r, GArray * boxes)
{
  guint i;

  for (i = 0; i < boxes->len; i++)
    if (gc_ocr_box_overlap (r, &g_array_index (boxes, GcOcrBox, i))
        >= COVERED * r->width * r->height)
      return TRUE;
  return FALSE;
}

/* A line struck through can come out of the detector as two boxes, the
 * glyphs above the strike line and those below it ("¥129" at 34 px as a
 * 13 px and an 8 px box one pixel apart); each half reads as other
 * glyphs ("¥120").  Two boxes stacked with at most a small gap, with the
 * same left and right ends, a stroke across the two, are one line. */
#define HALVES_GAP 0.3
#define HALVES_END_SLACK 0.08
#define HALVES_MAX_HEIGHT 2.2

static gboolean
halves (const GcOcrFrame * frame, const GcOcrBox * a, const GcOcrBox * b)
{
  const GcOcrBox *top = a->y <= b->y ? a : b, *low = a->y <= b->y ? b : a;
  gint h = MAX (a->height, b->height);
  gint slack = MAX (4, (gint) (HALVES_END_SLACK * MAX (a->width, b->width)));
  gint gap = low->y - (top->y + top->height);
  GcOcrBox u = *a;

  if (ABS (a->x - b->x) > slack
      || ABS (a->x + a->width - b->x - b->width) > slack
      || gap < -2 || gap > HALVES_GAP * h
      || low->y + low->height - top->y > HALVES_MAX_HEIGHT * h)
    return FALSE;
  /* Two lines of a paragraph can line up so; the stroke tells: across
   * the two, not inside one (a struck price over a badge as wide). */
  if (gc_ocr_pp_struck_through (frame, a) || gc_ocr_pp_struck_through (frame, b))
    return FALSE;
  gc_ocr_box_union (&u, b);
  return gc_ocr_pp_struck_through (frame, &u);
}

/* When only one half of a struck line is detected, the glyphs go on past
 * the box's cut edge: the rows just outside it are as busy (horizontal
 * luma steps) as the box's middle rows.  Such a box grows row by row
 * while they are, up to CUT_GROW_MAX of its height each way; if the
 * busy rows go on further (a textured photo), or the grown box holds no
 * stroke, the box stays as it was. */
#define CUT_BUSY_SHARE 0.5
#define CUT_GROW_MAX 2.0
/* Even rows (a strike line) skipped over while busy rows follow: this
 * many, or half the box's height. */
#define CUT_SKIP 4

static gdouble
row_steps (PIX * pix, gint y)
{
  l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);
  gint w = pixGetWidth (pix), x;
  gdouble sum = 0;

  for (x = 1; x < w; x++)
    sum += ABS ((gint) GET_DATA_BYTE (line, x)
        - (gint) GET_DATA_BYTE (line, x - 1));
  return sum / MAX (1, w - 1);
}

static GcOcrBox
whole_rows (const GcOcrFrame * frame, const GcOcrBox * box)
{
  gint ext = (gint) (CUT_GROW_MAX * box->height), top, bottom, y, k, n = 0;
  gint skip = MAX (CUT_SKIP, box->height / 2);
  GcOcrBox r, out = *box;
  gdouble middle = 0;
  PIX *pix;

  if (box->height < 8)
    return out;
  r.x = box->x;
  r.width = box->width;
  r.y = MAX (0, box->y - ext);
  r.height = MIN (frame->height, box->y + box->height + ext) - r.y;
  pix = gc_ocr_channel_crop (frame, &r, 3);
  if (pix == NULL)
    return out;
  top = box->y - r.y;
  bottom = top + box->height;
  for (y = top + box->height / 4; y < bottom - box->height / 4; y++, n++)
    middle += row_steps (pix, y);
  middle = CUT_BUSY_SHARE * middle / MAX (1, n);
  /* A strike line's rows are even: busy rows a few rows on go on. */
  y = top;
  while (y > 0) {
    for (k = 1; k <= skip && y - k >= 0; k++)
      if (row_steps (pix, y - k) >= middle)
        break;
    if (k > skip || y - k < 0)
      break;
    y -= k;
  }
  if (y > 0 && y < top) {
    out.height += out.y - (r.y + y);
    out.y = r.y + y;
  }
  y = bottom;
  while (y < r.height) {
    for (k = 0; k < skip && y + k < r.height; k++)
      if (row_steps (pix, y + k) >= middle)
        break;
    if (k >= skip || y + k >= r.height)
      break;
    y += k + 1;
  }
  if (y < r.height && y > bottom)
    out.height = r.y + y - out.y;
  pixDestroy (&pix);
  /* The grown box is kept only if it now holds a stroke: otherwise the
   * rows it took were a drop shadow, or the next line. */
  if ((out.y != box->y || out.height != box->height)
      && !gc_ocr_pp_struck_through (frame, &out))
    return *box;
  return out;
}

/* A region no single line covers is remembered as empty: photo, but also
 * a product card whose lines were read one by one.  Such a card is
 * remembered only while a line of the layout lies in it: once its lines
 * are gone (the product changed), so is the memory, and the next card in
 * its place is detected (it was never read: its button, which the
 * half-size periodic detection missed, for 18 s).  Looking at the cells
 * of the region instead re-detected captions over the panning photo in
 * most frames. */
static gboolean
holds_a_line (const GcOcrBox * r, GArray * layout)
{
  guint j;

  for (j = 0; j < layout->len; j++)
    if (gc_ocr_box_overlap (r, &g_array_index (layout, GcOcrBox, j)) > 0)
      return TRUE;
  return FALSE;
}

/* Whether @r was found empty before; a remembered region that held lines
 * and holds none of @layout now is forgotten. */
gboolean
gc_ocr_pp_known_empty (const GcOcrBox * r, GArray * empty, GArray * layout)
{
  guint i;

  for (i = 0; i < empty->len; i++) {
    GcOcrEmpty *e = &g_array_index (empty, GcOcrEmpty, i);
    gdouble inter = gc_ocr_box_overlap (r, &e->box);

    if (e->held_lines && !holds_a_line (&e->box, layout)) {
      g_array_remove_index_fast (empty, i--);
      continue;
    }
    if (inter >= EMPTY_SAME_IOU * ((gdouble) r->width * r->height
            + (gdouble) e->box.width * e->box.height - inter))
      return TRUE;
  }
  return FALSE;
}

/* The @regions not covered by a line of @layout join @empty. */
void
gc_ocr_pp_add_empty (GArray * empty, GArray * regions, GArray * layout)
{
  guint i;

  for (i = 0; i < regions->len; i++) {
    const GcOcrBox *r = &g_array_index (regions, GcOcrBox, i);

    if (!covered (r, layout) && !gc_ocr_pp_known_empty (r, empty, layout)) {
      GcOcrEmpty e;

      e.box = *r;
      e.held_lines = holds_a_line (r, layout);
      g_array_append_val (empty, e);
    }
  }
}

/* The same sideways: a struck price can be detected as pieces ("$3" and
 * "99" of "$34.99"), so a struck box is grown as its rows are.  Columns
 * count as busy by their vertical luma steps; the box grows while the
 * columns beyond it are as busy as its middle ones, over gaps narrower
 * than CUT_GAP of its height, up to CUT_REACH heights each way. */
#define CUT_GAP 0.25
#define CUT_REACH 3

static gdouble
column_steps (PIX * pix, gint x)
{
  gint h = pixGetHeight (pix), wpl = pixGetWpl (pix), y;
  l_uint32 *data = pixGetData (pix);
  gdouble sum = 0;

  for (y = 1; y < h; y++)
    sum += ABS ((gint) GET_DATA_BYTE (data + (gsize) y * wpl, x)
        - (gint) GET_DATA_BYTE (data + (gsize) (y - 1) * wpl, x));
  return sum / MAX (1, h - 1);
}

static GcOcrBox
whole_columns (const GcOcrFrame * frame, const GcOcrBox * box)
{
  gint ext = CUT_REACH * box->height, gap = MAX (2, CUT_GAP * box->height);
  gint left, right, x, k, n = 0;
  GcOcrBox r, out = *box;
  gdouble middle = 0;
  PIX *pix;

  if (box->height < 8 || box->width < 8)
    return out;
  r.y = box->y;
  r.height = box->height;
  r.x = MAX (0, box->x - ext);
  r.width = MIN (frame->width, box->x + box->width + ext) - r.x;
  pix = gc_ocr_channel_crop (frame, &r, 3);
  if (pix == NULL)
    return out;
  left = box->x - r.x;
  right = left + box->width;
  for (x = left + box->width / 4; x < right - box->width / 4; x++, n++)
    middle += column_steps (pix, x);
  middle = CUT_BUSY_SHARE * middle / MAX (1, n);
  x = left;
  while (x > 0) {
    for (k = 1; k <= gap && x - k >= 0; k++)
      if (column_steps (pix, x - k) >= middle)
        break;
    if (k > gap || x - k < 0)
      break;
    x -= k;
  }
  if (x > 0 && x < left) {
    out.width += out.x - (r.x + x);
    out.x = r.x + x;
  }
  x = right;
  while (x < r.width) {
    for (k = 0; k < gap && x + k < r.width; k++)
      if (column_steps (pix, x + k) >= middle)
        break;
    if (k >= gap || x + k >= r.width)
      break;
    x += k + 1;
  }
  if (x < r.width && x > right)
    out.width = r.x + x - out.x;
  pixDestroy (&pix);
  return out;
}

/* The detector splits an outlined caption at times into boxes that
 * overlap: "#1 s" and "snack on the trail" (a 46 px serif at 720p, the
 * first box reaching 25 px into the second), read "#1S" and "snack on
 * the trail", and the absolute term "#1" was lost.  Two boxes of one row
 * (heights within SAME_LINE_HEIGHTS, overlapping by most of the lower)
 * that overlap sideways by SAME_LINE_OVERLAP of their height are one
 * line.  Boxes of words merely near each other do not overlap so much. */
#define SAME_LINE_HEIGHTS 1.5
#define SAME_LINE_OVERLAP 0.25

static gboolean
one_line (const GcOcrBox * a, const GcOcrBox * b)
{
  gint ha = a->height, hb = b->height;
  gint dx = MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x);
  gint dy = MIN (a->y + ha, b->y + hb) - MAX (a->y, b->y);

  return MAX (ha, hb) <= SAME_LINE_HEIGHTS * MIN (ha, hb)
      && dy * 10 >= MIN (ha, hb) * 7
      && dx >= SAME_LINE_OVERLAP * MIN (ha, hb);
}

void
gc_ocr_pp_mend_boxes (const GcOcrFrame * frame, GArray * boxes)
{
  guint i, j;

  for (i = 0; i < boxes->len; i++) {
    GcOcrBox *b = &g_array_index (boxes, GcOcrBox, i);
    /* A box that holds its stroke with glyphs above and below it is a
     * whole struck line, not a half: grown by rows it took in the sales
     * badge under a struck "原价 ¥129", and the badge was lost. */
    gboolean struck = gc_ocr_pp_struck_through (frame, b);

    if (!struck) {
      *b = whole_rows (frame, b);
      struck = gc_ocr_pp_struck_through (frame, b);
    }
    if (struck)
      *b = whole_columns (frame, b);
  }
  /* Pieces grown into one line, overlapping pieces of a row, or a line's
   * two halves, are one box. */
  for (i = 0; i < boxes->len; i++)
    for (j = i + 1; j < boxes->len; j++) {
      GcOcrBox *a = &g_array_index (boxes, GcOcrBox, i);
      GcOcrBox *b = &g_array_index (boxes, GcOcrBox, j);

      if (gc_ocr_box_overlap (a, b) * 2 >= MIN ((gint64) a->width * a->height,
              (gint64) b->width * b->height) || one_line (a, b)
          || halves (frame, a, b)) {
        gc_ocr_box_union (a, b);
        g_array_remove_index (boxes, j);
        j = i;
      }
    }
}

/* Appends the mended boxes of @dets (GcOcrDetBox) to @boxes. */
static void
set_from_dets (const GcOcrFrame * frame, GArray * boxes, GArray * dets)
{
  g_autoptr (GArray) mended = g_array_sized_new (FALSE, FALSE,
      sizeof (GcOcrBox), dets->len);
  guint i;

  for (i = 0; i < dets->len; i++)
    g_array_append_val (mended, g_array_index (dets, GcOcrDetBox, i).box);
  gc_ocr_pp_mend_boxes (frame, mended);
  g_array_append_vals (boxes, mended->data, mended->len);
}

/* Adds a crop around @r to @crops (the region may be part of a longer
 * line).  Overlapping crops become one where their union costs little
 * more than the two (pieces of one line); otherwise a chain of them grows
 * into a crop as big as the frame. */
static void
add_crop (GArray * crops, const GcOcrBox * r, const GcOcrFrame * frame)
{
  gint mx = 2 * r->height + 16, my = r->height / 2 + 8;
  GcOcrBox c;
  guint j;

  c.x = MAX (0, r->x - mx);
  c.y = MAX (0, r->y - my);
  c.width = MIN (frame->width, r->x + r->width + mx) - c.x;
  c.height = MIN (frame->height, r->y + r->height + my) - c.y;
  for (j = 0; j < crops->len; j++) {
    GcOcrBox *o = &g_array_index (crops, GcOcrBox, j);
    GcOcrBox u = c;

    if (gc_ocr_box_overlap (o, &c) == 0)
      continue;
    gc_ocr_box_union (&u, o);
    if ((gdouble) u.width * u.height > CROP_UNION_COST
        * ((gdouble) c.width * c.height + (gdouble) o->width * o->height))
      continue;
    c = u;
    g_array_remove_index (crops, j);
    j = (guint) - 1;
  }
  g_array_append_val (crops, c);
}

static gdouble
crops_share (GArray * crops, const GcOcrFrame * frame)
{
  gdouble area = 0;
  guint i;

  for (i = 0; i < crops->len; i++)
    area += g_array_index (crops, GcOcrBox, i).width
        * (gdouble) g_array_index (crops, GcOcrBox, i).height;
  return area / (frame->width * (gdouble) frame->height);
}

/* A new box inside a kept box (within PIECE_SLACK pixels) that is
 * PIECE_OF_KEPT_MIN to PIECE_OF_KEPT_MAX times its size, and at least
 * PIECE_OF_KEPT_HEIGHT of its height, is a piece of the kept line (a line
 * a little shorter is new text: a chat line scrolled into the place; a
 * line less than half as high is another line: a struck "$22.00" inside
 * the box of what a card read while sliding in, 119 px high).  A glyph's
 * tight box inside a padded two-glyph box is 5x smaller ("告" 18x20 in
 * "广告" 52x36, 1080p, a 21 px label). */
#define PIECE_SLACK 2
#define PIECE_OF_KEPT_MIN 1.6
#define PIECE_OF_KEPT_MAX 6
#define PIECE_OF_KEPT_HEIGHT 0.5

/* The detector sometimes gives a piece of a line it gave whole before
 * ("告" of "广告"): a new box in @boxes inside one of @kept is the kept
 * one.  Had the text really shrunk, the kept box's pixels changed: it is
 * read again, and holds all of the new text, which lies inside it.  A
 * kept line whose pixels did not change takes any smaller box inside it
 * (the whole-frame detection gave "告" of a 20 px "广告" at 31x31 in the
 * kept 40x30, 1.25x smaller, on a compliant stream). */
void
gc_ocr_pp_prefer_kept (GArray * boxes, GArray * kept, GcOcrTracker * tracker,
    const GcOcrFrame * frame)
{
  guint i, j;

  for (i = 0; i < boxes->len; i++) {
    GcOcrBox *b = &g_array_index (boxes, GcOcrBox, i);
    gint64 area = (gint64) b->width * b->height;

    for (j = 0; j < kept->len; j++) {
      const GcOcrBox *o = &g_array_index (kept, GcOcrBox, j);
      gint64 o_area = (gint64) o->width * o->height;

      if (b->x >= o->x - PIECE_SLACK && b->y >= o->y - PIECE_SLACK
          && b->x + b->width <= o->x + o->width + PIECE_SLACK
          && b->y + b->height <= o->y + o->height + PIECE_SLACK
          && o_area > area
          && ((o_area >= PIECE_OF_KEPT_MIN * area
                  && o_area <= PIECE_OF_KEPT_MAX * area
                  && b->height >= PIECE_OF_KEPT_HEIGHT * o->height)
              || (tracker && gc_ocr_tracker_unchanged (tracker, frame, o)))) {
        *b = *o;
        break;
      }
    }
  }
  for (i = 0; i < boxes->len; i++)
    for (j = i + 1; j < boxes->len; j++)
      if (memcmp (&g_array_index (boxes, GcOcrBox, i),
              &g_array_index (boxes, GcOcrBox, j), sizeof (GcOcrBox)) == 0)
        g_array_remove_index (boxes, j--);
}

/* The detector on a crop misses small text at times that it found on
 * the whole frame (a 20 px "广告" label in a corner beside the platform's
 * avatars: the label was then reported missing for five seconds): a line
 * of @kept that no box of @boxes overlaps stays.  It is checked as every
 * kept line is (gc-ocr-ppread.c): glyphs that went away make it stale,
 * and it is detected again around it and dropped. */
void
gc_ocr_pp_keep_missed (GArray * boxes, GArray * kept)
{
  guint n = boxes->len, i, j;

  for (j = 0; j < kept->len; j++) {
    const GcOcrBox *o = &g_array_index (kept, GcOcrBox, j);
    gboolean hit = FALSE;

    for (i = 0; i < n && !hit; i++)
      hit = gc_ocr_box_overlap (&g_array_index (boxes, GcOcrBox, i), o) > 0;
    if (!hit)
      g_array_append_val (boxes, *o);
  }
}

/* Grows @c past each of its edges that a box of @dets touches, unless
 * that edge is the frame's; FALSE when none does. */
#define CROP_EDGE 3
#define CROP_REGROW 2

static gboolean
grow_past_cut (GcOcrBox * c, GArray * dets, const GcOcrFrame * frame)
{
  gint x0 = c->x, y0 = c->y, x1 = c->x + c->width, y1 = c->y + c->height;
  guint i;

  for (i = 0; i < dets->len; i++) {
    const GcOcrBox *b = &g_array_index (dets, GcOcrDetBox, i).box;
    gint grow = 3 * b->height;

    if (b->x <= c->x + CROP_EDGE && c->x > 0)
      x0 = MIN (x0, MAX (0, c->x - grow));
    if (b->x + b->width >= c->x + c->width - CROP_EDGE
        && c->x + c->width < frame->width)
      x1 = MAX (x1, MIN (frame->width, c->x + c->width + grow));
    if (b->y <= c->y + CROP_EDGE && c->y > 0)
      y0 = MIN (y0, MAX (0, c->y - b->height));
    if (b->y + b->height >= c->y + c->height - CROP_EDGE
        && c->y + c->height < frame->height)
      y1 = MAX (y1, MIN (frame->height, c->y + c->height + b->height));
  }
  if (x0 == c->x && y0 == c->y && x1 == c->x + c->width
      && y1 == c->y + c->height)
    return FALSE;
  c->x = x0;
  c->y = y0;
  c->width = x1 - x0;
  c->height = y1 - y0;
  return TRUE;
}

/* A crop replaces the lines of the layout lying mostly in it
 * (detect_crops()), so it must hold the whole of each: a crop whose edge
 * fell in the gap between two glyphs of a caption gave "第一好评如潮" of
 * "销量第一好评如潮", far enough from the edge not to look cut, and that
 * piece replaced the line (a 1080p caption at 84 px; the claim was
 * reported three times).  @c grows to hold each such line of @layout with
 * a margin of half its height, within the frame, until no other line
 * comes in. */
gboolean
gc_ocr_pp_crop_whole_lines (GcOcrBox * c, GArray * layout,
    const GcOcrFrame * frame)
{
  gboolean grew = FALSE, more = TRUE;
  guint i;

  while (more) {
    more = FALSE;
    for (i = 0; i < layout->len; i++) {
      const GcOcrBox *b = &g_array_index (layout, GcOcrBox, i);
      gint m = MAX (4, b->height / 2);
      gint x0 = c->x, y0 = c->y, x1 = c->x + c->width, y1 = c->y + c->height;

      if (gc_ocr_box_overlap (b, c) * 2 < (gint64) b->width * b->height)
        continue;
      x0 = MIN (x0, MAX (0, b->x - m));
      y0 = MIN (y0, MAX (0, b->y - m));
      x1 = MAX (x1, MIN (frame->width, b->x + b->width + m));
      y1 = MAX (y1, MIN (frame->height, b->y + b->height + m));
      if (x0 == c->x && y0 == c->y && x1 == c->x + c->width
          && y1 == c->y + c->height)
        continue;
      c->x = x0;
      c->y = y0;
      c->width = x1 - x0;
      c->height = y1 - y0;
      grew = more = TRUE;
    }
  }
  return grew;
}

/* Detects each of @crops; what @layout kept there is replaced by what is
 * there now (or kept, see gc_ocr_pp_prefer_kept(), which asks @tracker
 * when not NULL, and gc_ocr_pp_keep_missed()).  The boxes found are also
 * added to @found when it is not NULL. */
static gboolean
detect_crops (GcPpocr * pp, const GcOcrFrame * frame, GcOcrTracker * tracker,
    GArray * crops, GArray * layout, GArray * found, GError ** error)
{
  g_autoptr (GArray) now = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  g_autoptr (GArray) replaced = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  guint i, j;

  for (i = 0; i < crops->len; i++) {
    GcOcrBox *c = &g_array_index (crops, GcOcrBox, i);
    g_autoptr (GArray) dets = NULL;
    guint tries;

    /* A line the crop cuts is detected in pieces ("$3" and "99"): the
     * crop grows past the edge a box touches and is detected again. */
    for (tries = 0; tries <= CROP_REGROW; tries++) {
      gc_ocr_pp_crop_whole_lines (c, layout, frame);
      g_clear_pointer (&dets, g_array_unref);
      dets = gc_ppocr_detect (pp, frame, c, GC_OCR_PPOCR_DET_SIDE, error);
      if (dets == NULL)
        return FALSE;
      if (tries == CROP_REGROW || !grow_past_cut (c, dets, frame))
        break;
    }
    g_array_set_size (now, 0);
    g_array_set_size (replaced, 0);
    for (j = 0; j < layout->len; j++) {
      const GcOcrBox *b = &g_array_index (layout, GcOcrBox, j);

      if (gc_ocr_box_overlap (b, c) * 2 >= b->width * b->height) {
        g_array_append_val (replaced, *b);
        g_array_remove_index (layout, j--);
      }
    }
    set_from_dets (frame, now, dets);
    gc_ocr_pp_prefer_kept (now, replaced, tracker, frame);
    gc_ocr_pp_keep_missed (now, replaced);
    g_array_append_vals (layout, now->data, now->len);
    if (found)
      g_array_append_vals (found, now->data, now->len);
  }
  return TRUE;
}

/* The whole frame is detected: its lines are the layout (@periodic: its
 * lines that touch no line of the layout are added to it, and to @fresh),
 * and the @regions of the region finder that none of them covers are
 * remembered as empty. */
static gboolean
detect_all (GcPpocr * pp, const GcOcrFrame * frame, GcOcrTracker * tracker,
    GArray * regions, GArray * layout, GArray * empty, guint * since_full,
    gboolean periodic, GArray * fresh, GError ** error)
{
  g_autoptr (GArray) dets = gc_ppocr_detect (pp, frame, NULL,
      periodic ? PERIODIC_DET_SIDE : GC_OCR_PPOCR_DET_SIDE, error);
  g_autoptr (GArray) kept = NULL;

  if (dets == NULL)
    return FALSE;
  kept = g_array_copy (layout);
  g_array_set_size (layout, 0);
  g_array_set_size (empty, 0);
  set_from_dets (frame, layout, dets);
  if (periodic) {
    /* Only what is new: a kept line keeps its box (and so its reading,
     * found by the tracker at the same place), and one not found again
     * stays until its glyphs go. */
    guint i;

    for (i = 0; i < layout->len; i++) {
      const GcOcrBox *b = &g_array_index (layout, GcOcrBox, i);
      guint j;

      for (j = 0; j < kept->len; j++)
        if (gc_ocr_box_overlap (b, &g_array_index (kept, GcOcrBox, j)) > 0)
          break;
      if (j == kept->len) {
        g_array_append_val (kept, *b);
        g_array_append_val (fresh, *b);
      }
    }
    g_array_set_size (layout, 0);
    g_array_append_vals (layout, kept->data, kept->len);
  } else {
    gc_ocr_pp_prefer_kept (layout, kept, tracker, frame);
  }
  gc_ocr_pp_add_empty (empty, regions, layout);
  *since_full = 0;
  return TRUE;
}

GArray *
gc_ocr_pp_find_lines (GcPpocr * pp, const GcOcrFrame * frame,
    GcOcrTracker * tracker, GArray * fresh, GError ** error)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  GArray *layout, *empty;
  GcOcrBox whole = { 0, 0, frame->width, frame->height };
  g_autoptr (GArray) regions = NULL;
  g_autoptr (GArray) crops = NULL;
  guint *since_full, i;

  if (tracker == NULL) {
    g_autoptr (GArray) dets = gc_ppocr_detect (pp, frame, NULL,
        GC_OCR_PPOCR_DET_SIDE, error);
    if (dets == NULL) {
      g_array_unref (out);
      return NULL;
    }
    set_from_dets (frame, out, dets);
    g_array_append_val (fresh, whole);
    return out;
  }
  layout = gc_ocr_tracker_layout (tracker, frame, &empty, &since_full);
  regions = gc_ocr_find_regions (frame, error);
  if (regions == NULL)
    goto fail;
  crops = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  if (*since_full < FULL_DETECT_EVERY) {
    for (i = 0; i < regions->len; i++) {
      const GcOcrBox *r = &g_array_index (regions, GcOcrBox, i);

      if (!covered (r, layout) && !gc_ocr_pp_known_empty (r, empty, layout))
        add_crop (crops, r, frame);
    }
  }
  if (*since_full >= FULL_DETECT_EVERY
      || crops_share (crops, frame) > MAX_CROP_SHARE) {
    gboolean periodic = layout->len > 0 && *since_full == FULL_DETECT_EVERY
        && crops_share (crops, frame) <= MAX_CROP_SHARE;

    if (!detect_all (pp, frame, tracker, regions, layout, empty, since_full,
            periodic, fresh, error))
      goto fail;
    if (!periodic)
      g_array_append_val (fresh, whole);
  } else {
    if (!detect_crops (pp, frame, tracker, crops, layout, NULL, error))
      goto fail;
    gc_ocr_pp_add_empty (empty, regions, layout);
    g_array_append_vals (fresh, crops->data, crops->len);
  }
  (*since_full)++;
  g_array_append_vals (out, layout->data, layout->len);
  return out;

fail:
  g_array_unref (out);
  return NULL;
}

GArray *
gc_ocr_pp_detect_around (GcPpocr * pp, const GcOcrFrame * frame,
    GArray * boxes, GError ** error)
{
  g_autoptr (GArray) crops = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  GArray *found = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  guint i;

  for (i = 0; i < boxes->len; i++)
    add_crop (crops, &g_array_index (boxes, GcOcrBox, i), frame);
  /* @found starts empty: nothing in it to replace. */
  if (!detect_crops (pp, frame, NULL, crops, found, NULL, error)) {
    g_array_unref (found);
    return NULL;
  }
  /* The kept lines here are the ones whose text changed. */
  gc_ocr_pp_prefer_kept (found, boxes, NULL, frame);
  return found;
}
