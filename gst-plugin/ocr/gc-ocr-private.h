/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals of the OCR engine, shared between its files and its tests. */
#pragma once

#include "gc-ocr.h"

#include <leptonica/allheaders.h>

G_BEGIN_DECLS

/* Ink height lines are scaled to.  The LSTM models read 24-48 px; on the
 * generated set (tests/ocr) 44 read 98.6% of prices exactly, 36 95.8%,
 * 28 94.4%, at the same cost per line. */
#define GC_OCR_DEFAULT_TEXT_HEIGHT 44

gboolean gc_ocr_frame_check (const GcOcrFrame * frame, GError ** error);

/* The tuning aid's directory (the environment variable GC_OCR_DEBUG_DIR,
 * read once per process), or NULL when it is off: then nothing is printed
 * or written.  See gc-ocr-engine.c. */
const gchar *gc_ocr_debug_dir (void);
#define GC_OCR_DEBUG (G_UNLIKELY (gc_ocr_debug_dir () != NULL))

/* The area two boxes share; @a grown to hold @b too. */
gint64 gc_ocr_box_overlap (const GcOcrBox * a, const GcOcrBox * b);
void gc_ocr_box_union (GcOcrBox * a, const GcOcrBox * b);

/* Region finding and change detection work on the frame's luma reduced by
 * this factor (2 or 4) in each direction, each pixel the mean of its
 * block; the plane is freed with gc_ocr_block_free(). */
gint gc_ocr_reduction (const GcOcrFrame * frame);
guint8 *gc_ocr_reduce_luma (const GcOcrFrame * frame, gint factor,
    gint * width, gint * height);

/* Steps of region finding (gc-ocr-regions.c), for tests.  The edge map of
 * a w x h luma (1 bpp); the vertical edge runs of @max_run and more taken
 * out, and every run of @min_run and more in columns where those add up to
 * @total; the horizontal runs of @max_run and more taken out. */
PIX *gc_ocr_edge_map (const guint8 * luma, gint w, gint h);
void gc_ocr_remove_poles (PIX * edges, gint min_run, gint max_run,
    gint total);
void gc_ocr_remove_rails (PIX * edges, gint max_run);

/* A region made ready for Tesseract: 1 bpp, ink = 1 (black on white), text
 * scaled to the configured height, strike-through removed, white margin. */
typedef struct
{
  PIX *pix;
  gboolean struck;
  GcOcrBox ink_box;             /* where the ink was, in frame pixels */
  gint text_height;             /* of the ink, in pix pixels */
  /* How ink was told from background when one threshold did it (global;
   * FALSE after a local threshold): ink is the channel's value above
   * thresh (bright) or at most thresh. */
  gboolean global;
  gint channel;                 /* 0-2: R, G, B of RGBx; 3: luma */
  gint thresh;
  gboolean bright;
} GcOcrPrepared;

/* FALSE when the region has no usable contrast or ink: nothing to read. */
gboolean gc_ocr_prepare_line (const GcOcrFrame * frame, const GcOcrBox * box,
    gint text_height, GcOcrPrepared * out);
void gc_ocr_prepared_clear (GcOcrPrepared * prepared);

/* Ink = 1 where the value is above @thresh (@bright) or at most @thresh,
 * with whatever touches the image's border dropped: the edges of a banner,
 * background clutter cut by the box. */
PIX *gc_ocr_binarise (PIX * gray, gboolean bright, gint thresh);

/* How many regions an engine's helper threads (GcOcrConfig.threads > 1)
 * have prepared or read so far: for tests, that the work is shared. */
guint gc_ocr_engine_helper_tasks (GcOcrEngine * engine);
/* Latin runs the engine's own thread read with its second model (an engine
 * with a CJK language first and others after it); for the tests. */
guint gc_ocr_engine_alt_reads (GcOcrEngine * engine);

/* gc-ocr-omp.c: libgomp's entry points for the OpenMP regions
 * libtesseract opens, run inline when the OpenMP thread limit is 1;
 * whether they do (looks libgomp up on the first call: engines call it
 * when they are made), and how many regions ran so in the calling thread
 * (exported, for tests that load the library). */
void GOMP_parallel (void (*fn) (void *), void *data, unsigned num_threads,
    unsigned flags);
void GOMP_parallel_sections (void (*fn) (void *), void *data,
    unsigned num_threads, unsigned count, unsigned flags);
unsigned GOMP_sections_next (void);
void GOMP_sections_end_nowait (void);
gboolean gc_ocr_omp_inline (void);
guint gc_ocr_omp_inline_regions (void);

/* The values of @rect (inside @frame) in @channel (see GcOcrPrepared):
 * 8 bpp, the size of @rect. */
PIX *gc_ocr_channel_crop (const GcOcrFrame * frame, const GcOcrBox * rect,
    gint channel);

/* Finds and removes a strike-through stroke in a 1 bpp line image (in
 * place).  Exposed for tests. */
gboolean gc_ocr_remove_strike (PIX * pix);

/* A small fingerprint of a region's pixels, compared by the tracker. */
typedef struct
{
  GcOcrBox box;
  gint cols;
  gint rows;
  guint8 *cells;
} GcOcrSignature;

void gc_ocr_signature_compute (const GcOcrFrame * frame, const GcOcrBox * box,
    GcOcrSignature * sig);
gboolean gc_ocr_signature_equal (const GcOcrSignature * a,
    const GcOcrSignature * b);
void gc_ocr_signature_clear (GcOcrSignature * sig);

/* gc-ocr-prepare.c: Otsu's threshold of @hist (@n values): the level
 * that splits [0, thresh] from the rest with the largest between-class
 * variance (*@variance, normalised). */
void gc_ocr_otsu (const guint32 hist[256], guint64 n, gint * thresh,
    gdouble * variance);

/* The luma of pixel (@x, @y) of @f (RGBx: BT.601 weights, as the
 * tracker's fingerprints). */
static inline gint
gc_ocr_luma_at (const GcOcrFrame * f, gint x, gint y)
{
  const guint8 *p = f->data + (gsize) y * f->stride;

  if (f->format == GC_OCR_FORMAT_GRAY8)
    return p[x];
  p += (gsize) x * 4;
  return (p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8;
}

/* A line's glyph sketch (gc-ocr-sketch.c): its luma minus the local
 * mean, over @rect (frame pixels: the line's box and a small margin). */
typedef struct
{
  GcOcrBox rect;
  gint text_height;
  gint16 *hp;
} GcOcrSketch;

gboolean gc_ocr_sketch_compute (const GcOcrFrame * frame,
    const GcOcrBox * box, GcOcrSketch * out);
void gc_ocr_sketch_clear (GcOcrSketch * sketch);
/* How alike @sketch is to the frame's pixels at its rect moved by (@dx,
 * @dy), searched @search pixels around: the normalised correlation of the
 * least alike part of the line at the best offset (1: the same glyphs;
 * 0 when the place is outside the frame). */
gdouble gc_ocr_sketch_match (const GcOcrSketch * sketch,
    const GcOcrFrame * frame, gint dx, gint dy, gint search);
/* How alike two sketches must be for a reading to stand.  On the
 * realistic set the same glyphs over a panning, noisy background give
 * 0.92-0.97, a caption with an outline 0.86-0.89, a viewer count whose
 * one digit changed ("5.1万人在看" to "5.2万") 0.79, another chat line at
 * the place below 0.2. */
#define GC_OCR_SKETCH_SAME 0.9

/* Tracker internals used by the engine's read_frame. */
/* TRUE when a region overlapping @box was read before and its pixels did
 * not change; *line is then its reading (NULL: nothing readable there). */
gboolean gc_ocr_tracker_lookup (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id);
void gc_ocr_tracker_begin (GcOcrTracker * tracker);
/* TRUE when the line read at @box's place shows the same glyphs now
 * (gc-ocr-sketch.c), whatever moved behind them. */
gboolean gc_ocr_tracker_lookup_sketch (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id);
/* TRUE when a line not yet seen in this frame, of about @box's size, shows
 * its glyphs at @box now: text that moved (a chat line scrolling up). */
gboolean gc_ocr_tracker_lookup_sketch_moved (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id);
/* TRUE when the whole frame looks like the one last analysed (same size,
 * no 8x8 cell of its subsampled luma moved): its readings stand, and
 * region finding can be skipped.  Otherwise the frame becomes the
 * reference once gc_ocr_tracker_end() is called. */
gboolean gc_ocr_tracker_frame_unchanged (GcOcrTracker * tracker,
    const GcOcrFrame * frame);
/* Appends a copy of every stored reading, reused = TRUE, top to bottom. */
void gc_ocr_tracker_reuse_all (GcOcrTracker * tracker, GPtrArray * lines);
/* The second look, for a region whose pixels changed (a host moving
 * behind a panel, a bar sliding under the text): TRUE when the line
 * prepared from it (@prep) has the ink of the one read there last time,
 * cell by cell; the reading is then reused as above, and the region's
 * fingerprint follows the new pixels. */
gboolean gc_ocr_tracker_lookup_ink (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box,
    const GcOcrPrepared * prep, const GcOcrLine ** line, guint * track_id);
/* What gc_ocr_tracker_lookup_ink() would answer, without changing the
 * tracker: safe from several threads while nothing else changes it. */
gboolean gc_ocr_tracker_has_ink (GcOcrTracker * tracker, const GcOcrBox * box,
    const GcOcrPrepared * prep);
/* Whether the line read at @box (an entry of the same place, a few
 * pixels of jitter allowed) shows the same pixels in @frame; no side
 * effect (gc_ocr_tracker_lookup() marks the entry seen). */
gboolean gc_ocr_tracker_unchanged (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box);
/* The first look after a region's pixels changed, before any
 * preparation: TRUE when the glyphs of the reading last stored there
 * are where they were, in frame pixels, with nothing added around them (a
 * bar or a host moving behind static overlay text).  Only for a place
 * read twice in a row with the same text, so that a reading spoilt by
 * what was behind the text is not kept.  The reading is then reused as
 * above. */
gboolean gc_ocr_tracker_lookup_glyphs (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id);
/* The look for text that moved (a chat line scrolling up, a card
 * sliding): TRUE when the glyphs of a reading not yet claimed in this
 * frame, from a box of about @box's size elsewhere, are in @box (within a
 * few pixels of where the move puts them) with nothing added around them.
 * The reading is then reused at its new place. */
gboolean gc_ocr_tracker_lookup_moved (GcOcrTracker * tracker,
    const GcOcrFrame * frame, const GcOcrBox * box, const GcOcrLine ** line,
    guint * track_id);
/* Glyph comparison of two crops of the same place (gc_ocr_channel_crop)
 * by the threshold that told ink from background there: a pixel differs
 * when it is clearly ink in one and clearly background in the other (both
 * values well away from the threshold, so that compression noise on the
 * glyphs' edges does not count); TRUE when no cell a third of the height
 * wide has more than a few such pixels, and @a had clear ink (2% of it)
 * of which 80% is still ink in @b.  Exposed for tests. */
gboolean gc_ocr_glyphs_same (PIX * a, PIX * b, gint thresh, gboolean bright);
/* Takes a copy of @line (which may be NULL: nothing readable there) and a
 * reference to the prepared line's ink (@prep may be NULL). */
guint gc_ocr_tracker_store (GcOcrTracker * tracker, const GcOcrFrame * frame,
    const GcOcrBox * box, const GcOcrLine * line, const GcOcrPrepared * prep);
/* TRUE when two prepared lines (1 bpp, clipped to their ink) show the same
 * glyphs: sizes within a few pixels, and no cell about a third of the line
 * high differing in more than a small share of its ink.  Exposed for
 * tests. */
gboolean gc_ocr_ink_same (PIX * a, PIX * b);
void gc_ocr_tracker_end (GcOcrTracker * tracker);
/* A region no detected line covers (the tracker's memory for
 * gc-ocr-pplines.c): where, and whether lines lay in it. */
typedef struct
{
  GcOcrBox box;
  gboolean held_lines;
} GcOcrEmpty;

/* PP-OCR's detector memory for this stream (see gc-ocr-ppread.c): the
 * line boxes last detected (GcOcrBox, to be updated by the caller), the
 * areas where detection found nothing (*empty, GcOcrEmpty), and the
 * frames since the whole frame was detected (*since_full).  All are cleared when the frame
 * size changes or the tracker is reset. */
GArray *gc_ocr_tracker_layout (GcOcrTracker * tracker,
    const GcOcrFrame * frame, GArray ** empty, guint ** since_full);

/* gc-ocr-ppocr.c: PP-OCRv4 detection and recognition through ONNX
 * Runtime.  One thread at a time per GcPpocr. */
typedef struct _GcPpocr GcPpocr;

typedef struct
{
  GcOcrBox box;                 /* in frame pixels, grown as PaddleOCR does */
  gfloat score;                 /* mean text probability in the box */
} GcOcrDetBox;

/* Finds the models (see GC_OCR_PPOCR_MODELS_ENV) and ONNX Runtime (see
 * GC_OCR_ONNXRUNTIME_ENV); @threads: intra-op threads per model.  The
 * error says what is missing and where it was looked for. */
GcPpocr *gc_ppocr_new (const gchar * models_dir, const gchar * library,
    gint threads, GError ** error);
void gc_ppocr_free (GcPpocr * pp);
const gchar *gc_ppocr_library (GcPpocr * pp);
/* Which models are read: "folded by tools/ppocr-fuse", or "as
 * published: " and why a folded copy was not taken (none there, stale,
 * or failed to load). */
const gchar *gc_ppocr_models (GcPpocr * pp);
/* Text boxes (GcOcrDetBox) in @area of the frame (NULL: all of it),
 * scaled down first as much as the whole frame must be for its longer
 * side to be at most @max_side (0: not scaled). */
GArray *gc_ppocr_detect (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * area, gint max_side, GError ** error);
/* Reads @n boxes of the frame, one line each: @texts[i] (owned by the
 * caller, "" when nothing was read), @confidences[i] (0..1) and, when @xs
 * is not NULL, @xs[i]: the frame x of each character of @texts[i]
 * (GArray of gint, owned by the caller). */
gboolean gc_ppocr_recognize (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * boxes, guint n, gchar ** texts, gfloat * confidences,
    GArray ** xs, GError ** error);
/* Model runs so far, for tests. */
guint gc_ppocr_rec_calls (GcPpocr * pp);
guint gc_ppocr_det_calls (GcPpocr * pp);
/* Pixels of input the detector has been given so far, for tests. */
guint64 gc_ppocr_det_pixels (GcPpocr * pp);
/* Microseconds spent in each model so far (debug log). */
void gc_ppocr_times (GcPpocr * pp, gint64 * det_us, gint64 * rec_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcPpocr, gc_ppocr_free)

/* The longer side of the frame as the detector sees it: PaddleOCR's 960
 * loses 16 px labels of a 1080p frame. */
#define GC_OCR_PPOCR_DET_SIDE 1280

/* gc-ocr-pplines.c: the line boxes to look at in @frame (GcOcrBox, top
 * to bottom), from the detector on demand and the tracker's layout (NULL
 * @tracker: the whole frame detected), and in @fresh the areas detected
 * in this frame (GcOcrBox): boxes outside them were kept from an earlier
 * frame. */
GArray *gc_ocr_pp_find_lines (GcPpocr * pp, const GcOcrFrame * frame,
    GcOcrTracker * tracker, GArray * fresh, GError ** error);
/* Mends the detector's boxes (GcOcrBox) in place: a box holding only the
 * glyphs above or below a strike line grows to the whole line, a struck
 * line's pieces grow into one, and boxes of one line become one. */
void gc_ocr_pp_mend_boxes (const GcOcrFrame * frame, GArray * boxes);
/* The line boxes found by detecting crops around @boxes (GcOcrBox), for
 * lines whose text changed. */
GArray *gc_ocr_pp_detect_around (GcPpocr * pp, const GcOcrFrame * frame,
    GArray * boxes, GError ** error);
/* gc-ocr-pplines.c: appends to @boxes (GcOcrBox, what a crop's detection
 * found) each box of @kept (the lines kept there before) that no box of
 * @boxes overlaps: a crop's detector misses small text at times. */
void gc_ocr_pp_keep_missed (GArray * boxes, GArray * kept);
/* gc-ocr-pplines.c: a box of @boxes (a detection) inside one of @kept,
 * 1.6 to 6 times smaller and at least half as high, or any smaller when
 * @tracker (may be NULL) finds the kept line's pixels unchanged in
 * @frame, is a piece of it, and becomes it. */
void gc_ocr_pp_prefer_kept (GArray * boxes, GArray * kept,
    GcOcrTracker * tracker, const GcOcrFrame * frame);
/* gc-ocr-pplines.c: grows the crop @c to hold, with a margin, each line
 * of @layout (GcOcrBox) lying mostly in it, which its detection replaces;
 * TRUE when it grew. */
gboolean gc_ocr_pp_crop_whole_lines (GcOcrBox * c, GArray * layout,
    const GcOcrFrame * frame);
/* gc-ocr-pplines.c: the region finder's @regions that no line of @layout
 * covers join @empty (GcOcrEmpty); a region of @empty's place is known
 * empty, unless lines lay in it and none of @layout does now: then it is
 * forgotten.  Exposed for tests. */
void gc_ocr_pp_add_empty (GArray * empty, GArray * regions, GArray * layout);
gboolean gc_ocr_pp_known_empty (const GcOcrBox * r, GArray * empty,
    GArray * layout);

/* gc-ocr-umlauts.c: whether the letter of the line @box whose centre is
 * at x @centre, @pitch from its neighbours, has two dots above it; ink is
 * the value of @channel (0-2 R, G, B; 3 luma) above @thresh (@bright) or
 * at most @thresh. */
gboolean gc_ocr_has_diaeresis (const GcOcrFrame * frame,
    const GcOcrBox * box, gint centre, gint pitch, gint channel,
    gint thresh, gboolean bright);
/* gc-ocr-umlauts.c: @text (the recognizer's, one x of @xs per character)
 * with each a, o, u, A, O, U of a Latin word that has two dots above it
 * in the picture made ä, ö, ü, Ä, Ö, Ü (ink told as @prep did, when it
 * used one threshold: else Otsu's); a copy of @text for a CJK line. */
gchar *gc_ocr_restore_umlauts (const GcOcrFrame * frame, const gchar * text,
    GArray * xs, const GcOcrBox * box, const GcOcrPrepared * prep);
/* gc-ocr-ppocr.c: TRUE when @box runs to the frame's left or right edge
 * and ink is there: text cut by the edge (the detector takes such a box to
 * the edge). */
gboolean gc_ocr_pp_cut_at_edge (const GcOcrFrame * frame,
    const GcOcrBox * box);
/* gc-ocr-blocks.c: large short-lived memory (tensors, frame-sized
 * scratch planes), 64-byte aligned, mapped on its own from 64 KB and given
 * back to the system when freed, unless a model is running (then kept for
 * the next block of its size).  gc_ocr_block_free (NULL) does nothing. */
gpointer gc_ocr_block_alloc (gsize size);
/* The same for ONNX Runtime's own tensors: mapped from 64 KB even under
 * AddressSanitizer (whose malloc gives our own blocks, to check our
 * writes into them). */
gpointer gc_ocr_block_alloc_model (gsize size);
void gc_ocr_block_free (gpointer block);
/* A model starts (TRUE) or ends running; the cache lives while any runs,
 * or while any engine keeps its memory. */
void gc_ocr_blocks_run (gboolean starts);
/* An engine starts (TRUE) or stops keeping its memory between reads
 * (GcOcrConfig.keep_memory); when none is left and no model runs, the
 * cache's blocks go back to the system. */
void gc_ocr_blocks_keep (gboolean keep);
/* Blocks allocated since the process started, those not yet freed, the
 * mappings made for the large ones (the rest came from the cache), and
 * the bytes the cache holds now; for tests. */
void gc_ocr_blocks_stats (guint64 * made, gint64 * held,
    guint64 * mapped, gsize * cached);
/* Fixes glibc's mmap and trim thresholds for the process, once (see
 * gc-ocr-blocks.c), unless @envp's GST_COMPLIANCE_MALLOC=keep or glibc's
 * own threshold settings say otherwise; TRUE when they were set.
 * gc_ocr_malloc_should_tune() is the decision, for tests. */
gboolean gc_ocr_malloc_tune (void);
gboolean gc_ocr_malloc_should_tune (const gchar * const *envp);
/* gc-ocr-ppread.c: TRUE when a thin even stroke crosses the text of @box
 * (a struck price). */
gboolean gc_ocr_pp_struck_through (const GcOcrFrame * frame,
    const GcOcrBox * box);
/* gc-ocr-ppread.c: a frame read with PP-OCR: detection, the tracker's
 * looks, recognition of what changed, and the text's repairs. */
GPtrArray *gc_ocr_ppocr_read_frame (GcOcrEngine * engine,
    const GcOcrFrame * frame, GcOcrTracker * tracker, GError ** error);
GcOcrLine *gc_ocr_ppocr_read_region (GcOcrEngine * engine,
    const GcOcrFrame * frame, const GcOcrBox * box, GError ** error);
/* € and £ are not in the recognizer's character set: the sign beside a
 * price it read without one is read by Tesseract (eng, made on first
 * use) in @box.  Returns "€", "£" or NULL. */
const gchar *gc_ocr_engine_read_sign (GcOcrEngine * engine,
    const GcOcrFrame * frame, const GcOcrBox * box);
/* The first configured language the model cannot read (owned), or NULL. */
gchar *gc_ocr_ppocr_lacks (const gchar * languages);
/* The recognizer's text made the engine's: known glyph confusions
 * repaired ("10o%" -> "100%", ￥ -> ¥), spacing as gc_ocr_normalise_text. */
gchar *gc_ocr_ppocr_fix_text (const gchar * raw);
/* The same, in a stream read in Chinese (@chinese): a line of a number
 * alone is repaired as a Chinese line's would be. */
gchar *gc_ocr_ppocr_fix_text_in (const gchar * raw, gboolean chinese);
/* A CJK language is among the engine's languages. */
gboolean gc_ocr_engine_chinese (GcOcrEngine * engine);
/* Joins the detector's pieces of one row of text (see gc-ocr-ppread.c),
 * but not a button after a price (told from @frame's pixels; @frame may
 * be NULL); leaves @lines top to bottom. */
void gc_ocr_join_rows (GPtrArray * lines, const GcOcrFrame * frame);
/* The PP-OCR reader of an engine that has one, else NULL (tests). */
GcPpocr *gc_ocr_engine_ppocr (GcOcrEngine * engine);

/* A copy of a reading the tracker kept: reused, with its track id. */
GcOcrLine *gc_ocr_line_reused (const GcOcrLine * known, guint id);

/* Drops the spaces Tesseract puts between CJK characters (and the numbers
 * among them); keeps those before Latin words and currency signs. */
gchar *gc_ocr_normalise_text (const gchar * raw);

G_END_DECLS
