/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's own state, shared by gc-ocr-engine.c (making the engine,
 * its threads, frames and pages) and gc-ocr-tessread.c (Tesseract's
 * reading of one prepared line). */
#pragma once

#include "gc-ocr-private.h"

#include <tesseract/capi.h>

G_BEGIN_DECLS

#define NUMERIC_LANGUAGE "eng"
/* ¥ (U+00A5) and ￥ (U+FFE5) are both used on Chinese screens; the eng
 * model knows the first. */
#define NUMERIC_WHITELIST "0123456789.,¥$€£"

/* One region a frame needs looked at closely: prepared, compared with
 * the tracker's prepared ink, read when that differs.  Filled by whichever
 * thread of the engine takes it. */
typedef struct
{
  const GcOcrBox *box;
  guint region;                 /* index of box among the frame's regions */
  GcOcrPrepared prep;           /* prep.pix NULL: nothing to read there */
  gboolean ink_known;           /* the tracker has these glyphs: not read */
  GcOcrLine *line;              /* what was read, or NULL */
} Task;

/* The engine's helper threads and the batch of tasks they share with the
 * calling thread.  `lock` guards batch, quit and busy; tasks are taken by
 * an atomic counter, each by one thread. */
typedef struct
{
  GMutex lock;
  GCond wake;                   /* a new batch, or quit */
  GCond done;                   /* a helper finished its part of the batch */
  guint64 batch;
  gboolean quit;
  guint busy;                   /* helpers still working on the batch */
  const GcOcrFrame *frame;
  GcOcrTracker *tracker;        /* read only while a batch runs */
  Task *tasks;
  gint n_tasks;
  gint next;                    /* atomic: the next task to take */
} Team;

typedef struct
{
  GcOcrEngine *owner;
  GcOcrConfig config;           /* threads = 1; strings the owner's caller's */
  GcOcrEngine *engine;          /* its own Tesseract instances, or NULL */
  GThread *thread;
  /* Set by the helper under the team's lock once its engine is made (or
   * could not be: error). */
  gboolean ready;
  GError *error;
} Helper;

struct _GcOcrEngine
{
  TessBaseAPI *api;
  /* NULL: numeric re-read disabled.  When alt is eng, num is alt, with the
   * whitelist set only for the re-read. */
  TessBaseAPI *num;
  /* With a CJK language first: api has that language alone, alt the
   * others; NULL otherwise.  page: all of them, for read_page, made on
   * its first call. */
  TessBaseAPI *alt;
  TessBaseAPI *page;
  gchar *tessdata_dir;
  gchar *languages;
  guint alt_reads;              /* runs alt read, for the tests */
  gint text_height;
  gboolean cjk;                 /* a CJK language is loaded */
  Team team;
  Helper *helpers;
  guint n_helpers;
  gint helper_tasks;            /* atomic: tasks the helpers took, ever */
  /* PP-OCR: set when the engine reads with it (then no Tesseract is
   * loaded). */
  GcPpocr *pp;
  gchar *description;
  /* PP-OCR: eng for the signs it cannot read, made on first use;
   * sign_failed: it could not be made (no eng traineddata). */
  TessBaseAPI *sign;
  gboolean sign_failed;
  gboolean keep_memory;         /* counted in gc_ocr_blocks_keep() */
};

/* Reads a prepared line with Tesseract and its re-reads
 * (gc-ocr-tessread.c); with GC_OCR_DEBUG_DIR, keeps what Tesseract saw
 * there.  NULL when nothing was read. */
GcOcrLine *gc_ocr_tess_read_line (GcOcrEngine * engine, GcOcrPrepared * prep,
    const GcOcrBox * box);

G_END_DECLS
