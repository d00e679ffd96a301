/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Change detection: on-screen prices stay up for seconds, so a region whose
 * pixels did not change since it was last read keeps its reading, and OCR
 * runs only where something changed (10-100x fewer Tesseract calls).
 *
 * A region's fingerprint is the mean luma of small cells (about a quarter of
 * the text height, sampled every other pixel): a changed digit moves several
 * cells by far more than compression noise does.
 *
 * Before any of that, the whole frame is compared with the one last
 * analysed on a 4x-subsampled luma (~0.02 ms at 720p): when nothing moved,
 * region finding is skipped too and every reading is kept.
 *
 * When the fingerprint changed, the background may have moved behind text
 * that did not (a host walking behind a card, bars under a caption): two
 * more looks keep the reading then.  First the glyphs themselves, in frame
 * pixels, by the threshold that told them from their background when they
 * were read (a pixel that went from clearly ink to clearly background, or
 * back, is a change; edge noise is neither); trusted only for a place read
 * twice in a row with the same text.  Then the glyph sketch
 * (gc-ocr-sketch.c): the strokes' detail with the background taken out,
 * compared part by part, at the place (settled places only) and where a
 * line of the same size moved to; it keeps the readings that a threshold
 * loses over a translucent pill or a panning photo.  Then the line as
 * prepared for Tesseract, which also follows text that moved. */
#include "gc-ocr-private.h"

#include <stdlib.h>
#include <string.h>

/* Mean-luma change of one cell that counts as a change of content. */
#define CELL_THRESHOLD 12
/* Boxes overlapping this much (intersection over union) are the same
 * region: the edge map jitters by a pixel or two between frames. */
#define SAME_REGION_IOU 0.7
/* How far (frame pixels) a box may jitter and still be the same place. */
#define BOX_JITTER 4

/* Frame pixels around a reading's ink box that its crop takes in. */
#define CROP_MARGIN 3
/* How far from the threshold a value must be to be clearly ink or clearly
 * background: compression noise on a glyph's edge moves values by less. */
#define GLYPH_MARGIN 32
/* Pixels per cell that may flip between clearly ink and clearly
 * background before the glyphs count as changed; a changed digit flips
 * its strokes' width times their length. */
#define GLYPH_CELL_MIN 6
/* A reading's clear ink must be at least this share of its crop (percent)
 * for its glyphs to be compared, and this share of it (percent) must
 * still be ink. */
#define GLYPH_MIN_CLEAR_PERCENT 2
#define GLYPH_STILL_PERCENT 80
/* Share of a reading's ink that may turn up around it, inside the region
 * now found there, before the region counts as holding more than was read
 * (a glyph added to the line). */
#define OUTSIDE_INK_PERCENT 3

typedef struct
{
  GcOcrSignature sig;
  GcOcrLine *line;              /* NULL: read, nothing readable */
  PIX *ink;                     /* the prepared line that was read, or NULL */
  gboolean struck;
  /* Where its glyphs were read, in frame pixels: the channel the
   * preparation's threshold split (gc_ocr_channel_crop over crop_rect),
   * or NULL. */
  PIX *crop;
  GcOcrBox crop_rect;
  gint channel, thresh;
  gboolean bright;
  /* Read the same twice in a row at this place: a first reading may have
   * been spoilt by what was behind the text, so the glyph look trusts a
   * place only once a second reading agreed. */
  gboolean settled;
  /* The glyphs as they were read (gc-ocr-sketch.c), over the read box. */
  GcOcrSketch sketch;
  GcOcrBox sketch_box;          /* the box it was taken over */
  gint line_dx, line_dy;        /* the reading's box from sketch_box */
  guint track_id;
  gboolean seen;
} Entry;

/* Frame-level change: luma sampled every THUMB_STEP pixels, compared in
 * cells of 2x2 samples (8x8 pixels).  A changed digit of 14 px text moves
 * such a cell's mean by far more than THUMB_CELL_THRESHOLD; x264 noise on
 * a still picture does not. */
#define THUMB_STEP 4
#define THUMB_CELL_THRESHOLD 10

struct _GcOcrTracker
{
  GArray *entries;              /* Entry */
  guint next_id;
  /* The frame last analysed, and the one being analysed. */
  guint8 *thumb, *pending;
  gint frame_w, frame_h, pending_w, pending_h;
  /* PP-OCR's detector memory (gc-ocr-ppread.c): the line boxes of the
   * last detection, where detection found nothing, and how many frames
   * ago the whole frame was detected; layout_w/h: the frame size they
   * belong to. */
  GArray *layout;               /* GcOcrBox */
  GArray *empty;                /* GcOcrEmpty */
  guint since_full;
  gint layout_w, layout_h;
};

void
gc_ocr_signature_compute (const GcOcrFrame * frame, const GcOcrBox * box,
    GcOcrSignature * sig)
{
  gint cell = MAX (2, box->height / 4);
  gint bpp = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  gint cx, cy;

  sig->box = *box;
  sig->cols = (box->width + cell - 1) / cell;
  sig->rows = (box->height + cell - 1) / cell;
  sig->cells = g_malloc0 ((gsize) sig->cols * sig->rows);

  for (cy = 0; cy < sig->rows; cy++) {
    for (cx = 0; cx < sig->cols; cx++) {
      gint x0 = box->x + cx * cell, y0 = box->y + cy * cell;
      gint x1 = MIN (x0 + cell, box->x + box->width);
      gint y1 = MIN (y0 + cell, box->y + box->height);
      guint sum = 0, count = 0;
      gint x, y;

      for (y = y0; y < y1; y += 2) {
        const guint8 *row = frame->data + (gsize) y * frame->stride;
        for (x = x0; x < x1; x += 2) {
          const guint8 *p = row + x * bpp;
          sum += bpp == 4 ? (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8 : p[0];
          count++;
        }
      }
      sig->cells[cy * sig->cols + cx] = count ? sum / count : 0;
    }
  }
}

gboolean
gc_ocr_signature_equal (const GcOcrSignature * a, const GcOcrSignature * b)
{
  gint i;

  if (a->cols != b->cols || a->rows != b->rows)
    return FALSE;
  for (i = 0; i < a->cols * a->rows; i++)
    if (abs ((gint) a->cells[i] - (gint) b->cells[i]) > CELL_THRESHOLD)
      return FALSE;
  return TRUE;
}

void
gc_ocr_signature_clear (GcOcrSignature * sig)
{
  g_clear_pointer (&sig->cells, g_free);
}

static void
entry_clear (gpointer p)
{
  Entry *e = p;

  gc_ocr_signature_clear (&e->sig);
  gc_ocr_sketch_clear (&e->sketch);
  g_clear_pointer (&e->line, gc_ocr_line_free);
  if (e->ink)
    pixDestroy (&e->ink);
  if (e->crop)
    pixDestroy (&e->crop);
}

GcOcrTracker *
gc_ocr_tracker_new (void)
{
  GcOcrTracker *tracker = g_new0 (GcOcrTracker, 1);

  tracker->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (tracker->entries, entry_clear);
  tracker->next_id = 1;
  tracker->layout = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  tracker->empty = g_array_new (FALSE, FALSE, sizeof (GcOcrEmpty));
  return tracker;
}

void
gc_ocr_tracker_free (GcOcrTracker * tracker)
{
  if (tracker == NULL)
    return;
  g_array_unref (tracker->entries);
  g_array_unref (tracker->layout);
  g_array_unref (tracker->empty);
  g_free (tracker->thumb);
  g_free (tracker->pending);
  g_free (tracker);
}

void
gc_ocr_tracker_reset (GcOcrTracker * tracker)
{
  g_array_set_size (tracker->entries, 0);
  g_clear_pointer (&tracker->thumb, g_free);
  g_clear_pointer (&tracker->pending, g_free);
  g_array_set_size (tracker->layout, 0);
  g_array_set_size (tracker->empty, 0);
  tracker->layout_w = tracker->layout_h = 0;
}

GArray *
gc_ocr_tracker_layout (GcOcrTracker * tracker, const GcOcrFrame * frame,
    GArray ** empty, guint ** since_full)
{
  if (tracker->layout_w != frame->width || tracker->layout_h != frame->height) {
    g_array_set_size (tracker->layout, 0);
    g_array_set_size (tracker->empty, 0);
    tracker->layout_w = frame->width;
    tracker->layout_h = frame->height;
    tracker->since_full = G_MAXUINT / 2;
  }
  *empty = tracker->empty;
  *since_full = &tracker->since_full;
  return tracker->layout;
}

gboolean
gc_ocr_tracker_frame_unchanged (GcOcrTracker * tracker,
    const GcOcrFrame * frame)
{
  gint tw = frame->width / THUMB_STEP, th = frame->height / THUMB_STEP;
  gint bpp = frame->format == GC_OCR_FORMAT_RGBX ? 4 : 1;
  gint x, y;
  guint8 *t;

  g_clear_pointer (&tracker->pending, g_free);
  t = tracker->pending = g_malloc ((gsize) tw * th);
  tracker->pending_w = frame->width;
  tracker->pending_h = frame->height;
  for (y = 0; y < th; y++) {
    const guint8 *row = frame->data + (gsize) y * THUMB_STEP * frame->stride;
    for (x = 0; x < tw; x++) {
      const guint8 *p = row + x * THUMB_STEP * bpp;
      *t++ = bpp == 4 ? (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8 : p[0];
    }
  }
  if (tracker->thumb != NULL && (tracker->frame_w != frame->width
          || tracker->frame_h != frame->height)) {
    /* Boxes are in frame pixels: after a resolution switch none of them
     * stands for the same place, and everything is read again. */
    g_array_set_size (tracker->entries, 0);
    return FALSE;
  }
  if (tracker->thumb == NULL)
    return FALSE;
  for (y = 0; y + 1 < th; y += 2) {
    const guint8 *a = tracker->thumb + (gsize) y * tw;
    const guint8 *b = tracker->pending + (gsize) y * tw;
    for (x = 0; x + 1 < tw; x += 2) {
      gint sa = a[x] + a[x + 1] + a[x + tw] + a[x + tw + 1];
      gint sb = b[x] + b[x + 1] + b[x + tw] + b[x + tw + 1];
      if (abs (sa - sb) > 4 * THUMB_CELL_THRESHOLD)
        return FALSE;
    }
  }
  return TRUE;
}

static gint
compare_entries (gconstpointer pa, gconstpointer pb)
{
  const GcOcrBox *a = &((const Entry *) pa)->sig.box;
  const GcOcrBox *b = &((const Entry *) pb)->sig.box;

  if (a->y != b->y)
    return a->y < b->y ? -1 : 1;
  return a->x < b->x ? -1 : a->x > b->x;
}

void
gc_ocr_tracker_reuse_all (GcOcrTracker * tracker, GPtrArray * lines)
{
  guint i;

  g_array_sort (tracker->entries, compare_entries);
  for (i = 0; i < tracker->entries->len; i++) {
    Entry *e = &g_array_index (tracker->entries, Entry, i);
    GcOcrLine *line;

    if (e->line == NULL)
      continue;
    line = gc_ocr_line_copy (e->line);
    line->reused = TRUE;
    line->track_id = e->track_id;
    g_ptr_array_add (lines, line);
  }
}

static gint64
box_area (const GcOcrBox * b)
{
  return (gint64) b->width * b->height;
}

static gdouble
iou (const GcOcrBox * a, const GcOcrBox * b)
{
  gdouble inter = (gdouble) gc_ocr_box_overlap (a, b);
  gdouble uni = (gdouble) box_area (a) + (gdouble) box_area (b) - inter;

  return uni > 0 ? inter / uni : 0;
}

/* @e stands for @box in this frame: marked seen, compared with these
 * pixels next time, its reading handed out. */
static gboolean
keep_entry (Entry * e, const GcOcrFrame * frame,
    const GcOcrBox * box, const GcOcrLine ** line, guint * track_id)
{
  gc_ocr_signature_clear (&e->sig);
  gc_ocr_signature_compute (frame, box, &e->sig);
  e->seen = TRUE;
  *line = e->line;
  *track_id = e->track_id;
  return TRUE;
}

static gint
find_entry (GcOcrTracker * tracker, const GcOcrBox * box)
{
  gdouble best = SAME_REGION_IOU;
  gint i, found = -1;

  for (i = 0; i < (gint) tracker->entries->len; i++) {
    Entry *e = &g_array_index (tracker->entries, Entry, i);
    gdouble v = iou (&e->sig.box, box);

    if (v >= best) {
      best = v;
      found = i;
    }
  }
  return found;
}

void
gc_ocr_tracker_begin (GcOcrTracker * tracker)
{
  guint i;

  for (i = 0; i < tracker->entries->len; i++)
    g_array_index (tracker->entries, Entry, i).seen = FALSE;
}

/* The entry read at @box (the same place, a few pixels of jitter) whose
 * pixels in @frame are as they were then, or -1.  Text that moved (a card
 * sliding in and slowing down) is looked at again, so that its box
 * follows it; the edge map's jitter of a reduced pixel or two is not a
 * move.  Compared over the stored box, so both fingerprints have the same
 * cells even if this frame's box jittered. */
static gint
same_pixels (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box)
{
  GcOcrSignature now = { 0 };
  const Entry *e;
  gint i = find_entry (tracker, box);
  gboolean same;

  if (i < 0)
    return -1;
  e = &g_array_index (tracker->entries, Entry, i);
  if (ABS (box->x - e->sig.box.x) > BOX_JITTER
      || ABS (box->y - e->sig.box.y) > BOX_JITTER
      || ABS (box->width - e->sig.box.width) > 2 * BOX_JITTER
      || ABS (box->height - e->sig.box.height) > 2 * BOX_JITTER
      || e->sig.box.x + e->sig.box.width > frame->width
      || e->sig.box.y + e->sig.box.height > frame->height)
    return -1;
  gc_ocr_signature_compute (frame, &e->sig.box, &now);
  same = gc_ocr_signature_equal (&e->sig, &now);
  gc_ocr_signature_clear (&now);
  return same ? i : -1;
}

gboolean
gc_ocr_tracker_unchanged (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box)
{
  gint i = same_pixels (tracker, frame, box);

  return i >= 0 && g_array_index (tracker->entries, Entry, i).line != NULL;
}

gboolean
gc_ocr_tracker_lookup (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box, const GcOcrLine ** line, guint * track_id)
{
  gint i = same_pixels (tracker, frame, box);
  Entry *e;

  if (i < 0)
    return FALSE;
  e = &g_array_index (tracker->entries, Entry, i);
  e->seen = TRUE;
  *line = e->line;
  *track_id = e->track_id;
  return TRUE;
}

guint
gc_ocr_tracker_store (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box, const GcOcrLine * line, const GcOcrPrepared * prep)
{
  Entry e = { 0 };
  gint i = find_entry (tracker, box);

  if (i >= 0) {
    const GcOcrLine *was = g_array_index (tracker->entries, Entry, i).line;

    e.settled = (was == NULL && line == NULL) || (was != NULL && line != NULL
        && strcmp (was->text, line->text) == 0);
    g_array_remove_index_fast (tracker->entries, i);
  }
  gc_ocr_signature_compute (frame, box, &e.sig);
  gc_ocr_sketch_compute (frame, box, &e.sketch);
  e.sketch_box = *box;
  if (line) {
    e.line_dx = line->box.x - box->x;
    e.line_dy = line->box.y - box->y;
  }
  e.line = line ? gc_ocr_line_copy (line) : NULL;
  if (prep != NULL && prep->pix != NULL) {
    e.ink = pixClone (prep->pix);
    e.struck = prep->struck;
  }
  if (prep != NULL && prep->pix != NULL && prep->global) {
    GcOcrBox *r = &e.crop_rect;

    r->x = MAX (0, prep->ink_box.x - CROP_MARGIN);
    r->y = MAX (0, prep->ink_box.y - CROP_MARGIN);
    r->width = MIN (frame->width, prep->ink_box.x + prep->ink_box.width
        + CROP_MARGIN) - r->x;
    r->height = MIN (frame->height, prep->ink_box.y + prep->ink_box.height
        + CROP_MARGIN) - r->y;
    e.channel = prep->channel;
    e.thresh = prep->thresh;
    e.bright = prep->bright;
    if (r->width > 0 && r->height > 0)
      e.crop = gc_ocr_channel_crop (frame, r, e.channel);
  }
  e.track_id = tracker->next_id++;
  if (tracker->next_id == 0)
    tracker->next_id = 1;
  e.seen = TRUE;
  if (e.line)
    e.line->track_id = e.track_id;
  g_array_append_val (tracker->entries, e);
  return e.track_id;
}

/* Share of a cell's ink that may differ between two preparations of the
 * same glyphs (anti-aliased edges binarised against another background);
 * one changed digit changes a third or more of its cell. */
#define INK_CELL_PERCENT 15
#define INK_CELL_MIN 8

gboolean
gc_ocr_ink_same (PIX * a, PIX * b)
{
  gint wa = pixGetWidth (a), ha = pixGetHeight (a);
  gint wb = pixGetWidth (b), hb = pixGetHeight (b);
  gint wpla = pixGetWpl (a), wplb = pixGetWpl (b);
  l_uint32 *da = pixGetData (a), *db = pixGetData (b);
  gint h = MIN (ha, hb), cell, x0, x, y;

  if (pixGetDepth (a) != 1 || pixGetDepth (b) != 1)
    return FALSE;
  if (ABS (wa - wb) > MAX (4, MAX (wa, wb) / 25) || ABS (ha - hb) > 4)
    return FALSE;
  cell = MAX (8, h / 3);
  for (x0 = 0; x0 < MAX (wa, wb); x0 += cell) {
    gint differ = 0, inked = 0;

    for (y = 0; y < MAX (ha, hb); y++) {
      for (x = x0; x < x0 + cell && x < MAX (wa, wb); x++) {
        gboolean pa = x < wa && y < ha && GET_DATA_BIT (da + (gsize) y * wpla, x);
        gboolean pb = x < wb && y < hb && GET_DATA_BIT (db + (gsize) y * wplb, x);

        inked += pa || pb;
        differ += pa != pb;
      }
    }
    if (differ > MAX (INK_CELL_MIN, inked * INK_CELL_PERCENT / 100))
      return FALSE;
  }
  return TRUE;
}

/* The entry whose prepared ink @prep shows again, or -1.  Reads the
 * entries only. */
static gint
ink_entry (GcOcrTracker * tracker, const GcOcrBox * box,
    const GcOcrPrepared * prep)
{
  gint i = find_entry (tracker, box), j;
  Entry *e;

  if (prep == NULL || prep->pix == NULL)
    return -1;
  if (i >= 0) {
    e = &g_array_index (tracker->entries, Entry, i);
    if (e->ink != NULL && e->struck == prep->struck
        && gc_ocr_ink_same (e->ink, prep->pix))
      return i;
  }
  /* Text that moved: a chat line scrolling up, a card sliding.  Any
   * reading not yet claimed in this frame whose glyphs these are. */
  for (j = 0; j < (gint) tracker->entries->len; j++) {
    e = &g_array_index (tracker->entries, Entry, j);
    if (j != i && !e->seen && e->ink != NULL && e->struck == prep->struck
        && gc_ocr_ink_same (e->ink, prep->pix))
      return j;
  }
  return -1;
}

gboolean
gc_ocr_tracker_has_ink (GcOcrTracker * tracker, const GcOcrBox * box,
    const GcOcrPrepared * prep)
{
  return ink_entry (tracker, box, prep) >= 0;
}

gboolean
gc_ocr_tracker_lookup_ink (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box, const GcOcrPrepared * prep, const GcOcrLine ** line,
    guint * track_id)
{
  gint i = ink_entry (tracker, box, prep);
  Entry *e;

  if (i < 0)
    return FALSE;
  e = &g_array_index (tracker->entries, Entry, i);
  /* The reading stands where the text is now. */
  if (e->line)
    e->line->box = prep->ink_box;
  return keep_entry (e, frame, box, line, track_id);
}

void
gc_ocr_tracker_end (GcOcrTracker * tracker)
{
  gint i;

  /* Regions that went away are forgotten: if the same text comes back it is
   * a new appearance and is read again. */
  for (i = (gint) tracker->entries->len - 1; i >= 0; i--)
    if (!g_array_index (tracker->entries, Entry, i).seen)
      g_array_remove_index_fast (tracker->entries, i);
  /* Later frames are compared with this one, the last analysed, not with
   * their predecessor: a slow fade is still noticed. */
  if (tracker->pending) {
    g_free (tracker->thumb);
    tracker->thumb = g_steal_pointer (&tracker->pending);
    tracker->frame_w = tracker->pending_w;
    tracker->frame_h = tracker->pending_h;
  }
}

static inline gboolean
is_ink (gint v, gint thresh, gboolean bright)
{
  return bright ? v > thresh : v <= thresh;
}

gboolean
gc_ocr_glyphs_same (PIX * a, PIX * b, gint thresh, gboolean bright)
{
  gint w = pixGetWidth (a), h = pixGetHeight (a);
  gint wpla = pixGetWpl (a), wplb = pixGetWpl (b);
  l_uint32 *da = pixGetData (a), *db = pixGetData (b);
  gint cell, x0, x, y;

  if (pixGetDepth (a) != 8 || pixGetDepth (b) != 8 || pixGetWidth (b) != w
      || pixGetHeight (b) != h)
    return FALSE;
  cell = MAX (4, h / 3);
  /* The glyphs must be there to be compared: a reading whose ink stood
   * less than GLYPH_MARGIN from its threshold (a white fill at 255 split
   * at 224 from a light wall) has no clear ink, and any picture matched
   * it: a caption gone for 30 s kept its reading.  Most of what was
   * clearly ink must still be ink, clearly or not (a photo near the
   * threshold where the text was flips nothing clearly). */
  {
    gint64 clear = 0, still = 0;

    for (y = 0; y < h; y++) {
      l_uint32 *la = da + (gsize) y * wpla, *lb = db + (gsize) y * wplb;

      for (x = 0; x < w; x++) {
        gint va = GET_DATA_BYTE (la, x);

        if (is_ink (va, thresh, bright) && ABS (va - thresh) > GLYPH_MARGIN) {
          clear++;
          still += is_ink (GET_DATA_BYTE (lb, x), thresh, bright);
        }
      }
    }
    if (clear * 100 < (gint64) w * h * GLYPH_MIN_CLEAR_PERCENT
        || still * 100 < clear * GLYPH_STILL_PERCENT)
      return FALSE;
  }
  for (x0 = 0; x0 < w; x0 += cell) {
    gint differ = 0;

    for (y = 0; y < h; y++) {
      l_uint32 *la = da + (gsize) y * wpla, *lb = db + (gsize) y * wplb;

      for (x = x0; x < x0 + cell && x < w; x++) {
        gint va = GET_DATA_BYTE (la, x), vb = GET_DATA_BYTE (lb, x);

        if (is_ink (va, thresh, bright) != is_ink (vb, thresh, bright)
            && ABS (va - thresh) > GLYPH_MARGIN
            && ABS (vb - thresh) > GLYPH_MARGIN)
          differ++;
      }
    }
    if (differ > GLYPH_CELL_MIN)
      return FALSE;
  }
  return TRUE;
}

/* The settled entry whose glyphs lie inside @box: region boxes take in
 * more or less of a moving background around the same text, the ink box
 * does not.  The largest if several (a line and a speck). */
static gint
glyph_entry (GcOcrTracker * tracker, const GcOcrBox * box)
{
  gint64 best = 0;
  gint i, found = -1;

  for (i = 0; i < (gint) tracker->entries->len; i++) {
    Entry *e = &g_array_index (tracker->entries, Entry, i);
    gint64 area = box_area (&e->crop_rect);

    if (e->crop == NULL || !e->settled || area <= best)
      continue;
    if (gc_ocr_box_overlap (&e->crop_rect, box) * 10 >= area * 9) {
      best = area;
      found = i;
    }
  }
  return found;
}

/* Clear ink (as @e's threshold tells it) of @rect, without what touches
 * the rect's border (scenery reaching in). */
static PIX *
clear_ink (const Entry * e, const GcOcrFrame * frame, const GcOcrBox * rect)
{
  PIX *values = gc_ocr_channel_crop (frame, rect, e->channel), *ink;

  if (values == NULL)
    return NULL;
  /* Ink is above (at most) the threshold: clearly so beyond the margin. */
  ink = gc_ocr_binarise (values, e->bright, e->bright
      ? MIN (255, e->thresh + GLYPH_MARGIN) : MAX (0, e->thresh - GLYPH_MARGIN) - 1);
  pixDestroy (&values);
  return ink;
}

/* TRUE when @box holds more than a speck of clear ink outside @e's crop:
 * more than was read there. */
static gboolean
ink_beyond (const Entry * e, const GcOcrFrame * frame, const GcOcrBox * box)
{
  GcOcrBox u;
  l_int32 total = 0, inside = 0, known = 0;
  PIX *all, *part, *read;
  BOX *clip;

  u.x = MIN (box->x, e->crop_rect.x);
  u.y = MIN (box->y, e->crop_rect.y);
  u.width = MIN (frame->width, MAX (box->x + box->width,
          e->crop_rect.x + e->crop_rect.width)) - u.x;
  u.height = MIN (frame->height, MAX (box->y + box->height,
          e->crop_rect.y + e->crop_rect.height)) - u.y;
  all = clear_ink (e, frame, &u);
  read = clear_ink (e, frame, &e->crop_rect);
  if (all == NULL || read == NULL) {
    if (all)
      pixDestroy (&all);
    if (read)
      pixDestroy (&read);
    return TRUE;
  }
  clip = boxCreate (e->crop_rect.x - u.x, e->crop_rect.y - u.y,
      e->crop_rect.width, e->crop_rect.height);
  part = clip ? pixClipRectangle (all, clip, NULL) : NULL;
  boxDestroy (&clip);
  pixCountPixels (all, &total, NULL);
  if (part)
    pixCountPixels (part, &inside, NULL);
  pixCountPixels (read, &known, NULL);
  pixDestroy (&all);
  pixDestroy (&read);
  if (part)
    pixDestroy (&part);
  return total - inside > MAX (GLYPH_CELL_MIN,
      known * OUTSIDE_INK_PERCENT / 100);
}

gboolean
gc_ocr_tracker_lookup_glyphs (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id)
{
  gint i = glyph_entry (tracker, box);
  gboolean same;
  Entry *e;
  PIX *now;

  if (i < 0)
    return FALSE;
  e = &g_array_index (tracker->entries, Entry, i);
  if (e->crop_rect.x + e->crop_rect.width > frame->width
      || e->crop_rect.y + e->crop_rect.height > frame->height)
    return FALSE;
  now = gc_ocr_channel_crop (frame, &e->crop_rect, e->channel);
  same = now != NULL && gc_ocr_glyphs_same (e->crop, now, e->thresh,
      e->bright) && !ink_beyond (e, frame, box);
  if (now)
    pixDestroy (&now);
  if (!same)
    return FALSE;
  return keep_entry (e, frame, box, line, track_id);
}

/* How far (frame pixels) the glyphs of moved text are looked for around
 * where the new box puts them, and how much the new box's size may differ
 * from the stored one's. */
#define MOVE_SEARCH 6
#define MOVE_SIZE_SLACK 6

/* @box is about the size of @was: the same text, moved. */
static gboolean
size_like (const GcOcrBox * box, const GcOcrBox * was)
{
  return ABS (box->width - was->width) <= MAX (MOVE_SIZE_SLACK,
      was->width / 10) && ABS (box->height - was->height) <= MOVE_SIZE_SLACK;
}

gboolean
gc_ocr_tracker_lookup_moved (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id)
{
  guint i;

  for (i = 0; i < tracker->entries->len; i++) {
    Entry *e = &g_array_index (tracker->entries, Entry, i);
    const GcOcrBox *was = &e->sig.box;
    gint ox, oy, dx, dy;

    if (e->seen || e->crop == NULL || e->line == NULL
        || !size_like (box, was)
        || (ABS (box->x - was->x) <= BOX_JITTER
            && ABS (box->y - was->y) <= BOX_JITTER))
      continue;
    /* Where the glyphs would be had they moved with the box. */
    ox = e->crop_rect.x + (box->x - was->x);
    oy = e->crop_rect.y + (box->y - was->y);
    for (dy = -MOVE_SEARCH; dy <= MOVE_SEARCH; dy++) {
      for (dx = -MOVE_SEARCH; dx <= MOVE_SEARCH; dx++) {
        Entry moved = *e;
        GcOcrBox *r = &moved.crop_rect;
        gboolean same;
        PIX *now;

        r->x = ox + dx;
        r->y = oy + dy;
        if (r->x < 0 || r->y < 0 || r->x + r->width > frame->width
            || r->y + r->height > frame->height)
          continue;
        now = gc_ocr_channel_crop (frame, r, e->channel);
        same = now != NULL && gc_ocr_glyphs_same (e->crop, now, e->thresh,
            e->bright) && !ink_beyond (&moved, frame, box);
        if (now)
          pixDestroy (&now);
        if (!same)
          continue;
        /* The reading, and the glyphs looked for next time, are where the
         * text is now. */
        e->line->box.x += r->x - e->crop_rect.x;
        e->line->box.y += r->y - e->crop_rect.y;
        e->crop_rect = *r;
        return keep_entry (e, frame, box, line, track_id);
      }
    }
  }
  return FALSE;
}

/* How far (frame pixels) the glyphs are looked for around where the box
 * puts them: the detector's boxes jitter by a pixel or two. */
#define SKETCH_SEARCH 2

/* TRUE when @box lies inside @rect grown by @slack on every side. */
static gboolean
inside_rect (const GcOcrBox * box, const GcOcrBox * rect, gint slack)
{
  return box->x >= rect->x - slack && box->y >= rect->y - slack
      && box->x + box->width <= rect->x + rect->width + slack
      && box->y + box->height <= rect->y + rect->height + slack;
}

gboolean
gc_ocr_tracker_lookup_sketch (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id)
{
  gint i = find_entry (tracker, box);
  Entry *e;

  if (i < 0)
    return FALSE;
  e = &g_array_index (tracker->entries, Entry, i);
  /* The sketch sees only its rect: a box reaching past it (a glyph added
   * at an end) holds more than was read. */
  if (e->sketch.hp == NULL || !inside_rect (box, &e->sketch.rect,
          SKETCH_SEARCH))
    return FALSE;
  /* Read twice in a row with the same result first, as for the glyph
   * look: a first reading may have been spoilt by what was behind. */
  if (e->seen || !e->settled
      || gc_ocr_sketch_match (&e->sketch, frame, 0, 0, SKETCH_SEARCH)
      < GC_OCR_SKETCH_SAME)
    return FALSE;
  return keep_entry (e, frame, box, line, track_id);
}

gboolean
gc_ocr_tracker_lookup_sketch_moved (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id)
{
  guint i;

  for (i = 0; i < tracker->entries->len; i++) {
    Entry *e = &g_array_index (tracker->entries, Entry, i);
    const GcOcrBox *was = &e->sketch_box;
    gint dx = box->x - was->x, dy = box->y - was->y;
    GcOcrBox moved = e->sketch.rect;

    moved.x += dx;
    moved.y += dy;
    /* The sketch was taken over the box read then; the text moved with
     * the box, the jitter of both boxes searched.  A box of another size
     * holds other text; one reaching past the sketch, more. */
    if (e->seen || e->sketch.hp == NULL || e->line == NULL
        || !size_like (box, was)
        || !inside_rect (box, &moved, 2 * SKETCH_SEARCH)
        || gc_ocr_sketch_match (&e->sketch, frame, dx, dy,
            2 * SKETCH_SEARCH) < GC_OCR_SKETCH_SAME)
      continue;
    /* The reading, and the sketch looked for next time, are where the
     * text is now (other looks may have moved the reading already). */
    e->line->box.x = box->x + e->line_dx;
    e->line->box.y = box->y + e->line_dy;
    e->sketch.rect = moved;
    e->sketch_box = *box;
    return keep_entry (e, frame, box, line, track_id);
  }
  return FALSE;
}
