/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance OCR engine: finds text lines in a video frame and reads
 * them with PP-OCRv4 (ONNX Runtime, opened at run time) or Tesseract.
 * GLib, Tesseract and Leptonica only, no GStreamer.
 *
 * The engine lives in its own shared library (libgstcompliance-ocr.so) that
 * the GStreamer plugin does not link: libtesseract pulls in libgomp, which
 * reads OMP_THREAD_LIMIT once, when it is loaded.  The plugin loads the
 * library with gc-ocr-loader.h after making sure OMP_THREAD_LIMIT=1, and
 * calls it through the GcOcrApi table.  Tests may link the engine directly.
 *
 * Threading: a GcOcrEngine (one TessBaseAPI per language set, and the
 * helper threads it was configured with, which only run inside
 * gc_ocr_engine_read_frame) and a GcOcrTracker belong to one thread at a
 * time.  Create one engine per worker thread, once, and reuse it for every
 * frame: initialisation costs 70-150 ms and ~56 MB for chi_sim+eng, per
 * thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_OCR_DEFAULT_TESSDATA_DIR "/usr/share/tesseract-ocr/5/tessdata"
#define GC_OCR_DEFAULT_LANGUAGES "chi_sim+eng"

/* Frames are accepted from 16x16 up to this size; larger ones are rejected
 * with a GError rather than read slowly. */
#define GC_OCR_MAX_FRAME_WIDTH 7680
#define GC_OCR_MAX_FRAME_HEIGHT 4320
#define GC_OCR_MIN_FRAME_SIZE 16

/* Which reader the engine uses.  AUTO: PP-OCR when ONNX Runtime and the
 * models are found and every configured language is one the model reads
 * (chi_sim, eng and Latin-script languages), else Tesseract; the engine
 * says which it took and why (gc_ocr_engine_describe). */
typedef enum
{
  GC_OCR_ENGINE_AUTO,
  GC_OCR_ENGINE_PPOCR,
  GC_OCR_ENGINE_TESSERACT,
} GcOcrEngineKind;

/* Override where PP-OCR's pieces are looked for (tests, uninstalled
 * runs, other layouts): the path of libonnxruntime.so.1, and a directory
 * holding ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx and
 * ppocr_keys_v1.txt. */
#define GC_OCR_ONNXRUNTIME_ENV "GST_COMPLIANCE_ONNXRUNTIME"
#define GC_OCR_PPOCR_MODELS_ENV "GST_COMPLIANCE_PPOCR_MODELS"

typedef enum
{
  GC_OCR_FORMAT_RGBX,           /* 4 bytes per pixel: R, G, B, then x or A (ignored) */
  GC_OCR_FORMAT_GRAY8,          /* 1 byte per pixel */
} GcOcrFormat;

typedef struct
{
  const guint8 *data;
  GcOcrFormat format;
  gint width;
  gint height;
  gint stride;                  /* bytes from one row to the next */
} GcOcrFrame;

typedef struct
{
  gint x;
  gint y;
  gint width;
  gint height;
} GcOcrBox;

typedef struct
{
  const gchar *tessdata_dir;    /* NULL: GC_OCR_DEFAULT_TESSDATA_DIR */
  /* NULL: GC_OCR_DEFAULT_LANGUAGES; Tesseract's "a+b" form.  With a CJK
   * language first, it reads the lines and the others only their Latin
   * letters, digits and signs. */
  const gchar *languages;
  gboolean numeric_reread;      /* re-read digit runs with eng and a whitelist */
  gint text_height;             /* px the line's text is scaled to; 0: default (44) */
  /* Threads that read one frame's regions together, each with its own
   * Tesseract (~56 MB for chi_sim+eng); the calling thread is one of them.
   * 0 or 1: the calling thread alone.  At most GC_OCR_MAX_THREADS.
   * With PP-OCR: the threads ONNX Runtime runs each model on. */
  gint threads;
  GcOcrEngineKind engine;       /* default AUTO */
  const gchar *ppocr_models;    /* NULL: see GC_OCR_PPOCR_MODELS_ENV */
  const gchar *onnxruntime;     /* NULL: see GC_OCR_ONNXRUNTIME_ENV */
  /* PP-OCR: keep the models' working memory (at most 128 MB) for the next
   * read instead of giving it back after each, while the engine lives.
   * For reading a recording (a scan, complianceocr mode=replay) or
   * serving many streams (the shared pool): ~15-25% faster, the kernel no
   * longer zeroes fresh pages for every read; a live pipeline at rest
   * would hold it too.  Default FALSE. */
  gboolean keep_memory;
} GcOcrConfig;

#define GC_OCR_MAX_THREADS 16

typedef struct
{
  gchar *text;                  /* UTF-8, one line, trimmed */
  GcOcrBox box;                 /* in frame pixels */
  gfloat confidence;            /* 0..1 */
  gboolean struck;              /* a horizontal stroke crossed the text: a crossed-out price */
  gboolean reused;              /* its pixels, or the ink of its glyphs, unchanged since the tracker last read it */
  guint track_id;               /* stable while the region stays and is unchanged; 0 without tracker */
} GcOcrLine;

typedef struct _GcOcrEngine GcOcrEngine;
typedef struct _GcOcrTracker GcOcrTracker;

#define GC_OCR_EXPORT __attribute__((visibility ("default")))

GC_OCR_EXPORT void gc_ocr_config_init (GcOcrConfig * config);

GC_OCR_EXPORT GcOcrLine *gc_ocr_line_copy (const GcOcrLine * line);
GC_OCR_EXPORT void gc_ocr_line_free (GcOcrLine * line);

/* Checks that the tessdata directory and every language's traineddata
 * exist (the error names the path and the Debian package), then creates
 * the Tesseract instances. */
GC_OCR_EXPORT GcOcrEngine *gc_ocr_engine_new (const GcOcrConfig * config,
    GError ** error);
GC_OCR_EXPORT void gc_ocr_engine_free (GcOcrEngine * engine);
/* The reader the engine took (never AUTO). */
GC_OCR_EXPORT GcOcrEngineKind gc_ocr_engine_kind (GcOcrEngine * engine);
/* One line for the user: which reader, its models and runtime, and for an
 * AUTO that fell back to Tesseract, what was missing. */
GC_OCR_EXPORT const gchar *gc_ocr_engine_describe (GcOcrEngine * engine);

/* Candidate text lines, as GcOcrBox, top to bottom.  Cheap: no Tesseract. */
GC_OCR_EXPORT GArray *gc_ocr_find_regions (const GcOcrFrame * frame,
    GError ** error);

/* Reads one region (as found by gc_ocr_find_regions).  Returns NULL without
 * setting @error when the region holds nothing readable. */
GC_OCR_EXPORT GcOcrLine *gc_ocr_engine_read_region (GcOcrEngine * engine,
    const GcOcrFrame * frame, const GcOcrBox * box, GError ** error);

/* Finds regions and reads them: a GPtrArray of GcOcrLine (owned, freed with
 * the array).  The regions that need Tesseract are shared between the
 * engine's threads (GcOcrConfig.threads); the result does not depend on
 * their number or on which thread read what.  With a @tracker, regions
 * whose pixels did not change since the tracker last saw them are not read
 * again: their previous line comes back with reused = TRUE and the same
 * track_id.  Nor are regions whose background changed but whose glyphs did
 * not (a host or a bar moving behind overlay text), once two readings of
 * the place agreed.  A frame in which nothing
 * moved since the last one analysed (a 4x-subsampled luma comparison, well
 * under 1 ms) skips region finding too: all its lines come back reused. */
GC_OCR_EXPORT GPtrArray *gc_ocr_engine_read_frame (GcOcrEngine * engine,
    const GcOcrFrame * frame, GcOcrTracker * tracker, GError ** error);

/* Whole-frame Tesseract (page segmentation mode @psm, e.g. 3) without our
 * region finding or preparation: the baseline the benchmark compares with. */
GC_OCR_EXPORT GPtrArray *gc_ocr_engine_read_page (GcOcrEngine * engine,
    const GcOcrFrame * frame, gint psm, GError ** error);

GC_OCR_EXPORT GcOcrTracker *gc_ocr_tracker_new (void);
GC_OCR_EXPORT void gc_ocr_tracker_free (GcOcrTracker * tracker);
GC_OCR_EXPORT void gc_ocr_tracker_reset (GcOcrTracker * tracker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcOcrLine, gc_ocr_line_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcOcrEngine, gc_ocr_engine_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcOcrTracker, gc_ocr_tracker_free)

/* The function table the loader gets from the one symbol
 * GC_OCR_API_SYMBOL.  Append only; bump GC_OCR_API_VERSION when the
 * meaning of a member, or the layout of a struct passed through it,
 * changes.  2: GcOcrConfig gained `threads` (config_init writes it, and
 * would overrun a caller built against version 1).  3: GcOcrConfig gained
 * engine, ppocr_models and onnxruntime; engine_kind and engine_describe. */
#define GC_OCR_API_VERSION 3
#define GC_OCR_API_SYMBOL "gc_ocr_get_api"

typedef struct
{
  guint version;
  gsize size;                   /* sizeof (GcOcrApi) in the library */
  void (*config_init) (GcOcrConfig * config);
  GcOcrEngine *(*engine_new) (const GcOcrConfig * config, GError ** error);
  void (*engine_free) (GcOcrEngine * engine);
  GArray *(*find_regions) (const GcOcrFrame * frame, GError ** error);
  GcOcrLine *(*read_region) (GcOcrEngine * engine, const GcOcrFrame * frame,
      const GcOcrBox * box, GError ** error);
  GPtrArray *(*read_frame) (GcOcrEngine * engine, const GcOcrFrame * frame,
      GcOcrTracker * tracker, GError ** error);
  GPtrArray *(*read_page) (GcOcrEngine * engine, const GcOcrFrame * frame,
      gint psm, GError ** error);
  GcOcrTracker *(*tracker_new) (void);
  void (*tracker_free) (GcOcrTracker * tracker);
  void (*tracker_reset) (GcOcrTracker * tracker);
  GcOcrLine *(*line_copy) (const GcOcrLine * line);
  void (*line_free) (GcOcrLine * line);
  GcOcrEngineKind (*engine_kind) (GcOcrEngine * engine);
  const gchar *(*engine_describe) (GcOcrEngine * engine);
} GcOcrApi;

typedef const GcOcrApi *(*GcOcrGetApiFunc) (void);

GC_OCR_EXPORT const GcOcrApi *gc_ocr_get_api (void);

G_END_DECLS
