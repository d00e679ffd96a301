/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tesseract's OpenMP regions, run inline when OpenMP may use one thread.
 *
 * Debian's libtesseract is built with OpenMP, and the loader sets
 * OMP_THREAD_LIMIT=1 (gc-ocr-loader.h) because the engine's threads are
 * ours.  Every team is then one thread, but libgomp still builds and tears
 * down a team for every region, and ends each with a futex wake-up system
 * call: LSTM::Forward opens a `parallel sections` region for every time
 * step of every LSTM layer: 2,770 for one price line and its digit
 * re-read (test Ocr.TesseractRegionsRunInline).  A 5-minute scan made
 * 730,000 futex calls, ~12% of its CPU time (perf: libgomp and the
 * kernel's system call path).
 *
 * So this library defines the entry points GCC's OpenMP code calls for
 * the two kinds of region libtesseract opens (nm -D: GOMP_parallel,
 * GOMP_parallel_sections, GOMP_sections_next, GOMP_sections_end_nowait).
 * libtesseract is loaded as a dependency of this library, which is opened
 * with its own (local) symbol scope, so the dynamic linker binds
 * libtesseract's calls to these before libgomp's.  When the OpenMP thread
 * limit is 1 they do what libgomp does for a team of one, without the
 * team: run the region's body in the calling thread, handing out the
 * sections 1..count in order.  omp_get_thread_num() and
 * omp_get_num_threads() answer 0 and 1 as inside a team of one, so the
 * results are the same bit for bit.  With any other limit (the user set
 * OMP_THREAD_LIMIT), or when the program already had libgomp in its global
 * scope (then libgomp's definitions come first), everything goes to
 * libgomp as before.
 *
 * Threads: the sections state and the count of inline regions are per
 * thread (a shared counter would bounce between the cores thousands of
 * times a line); nothing else is written after the one-time lookup of
 * libgomp's functions. */
#define _GNU_SOURCE
#include "gc-ocr-private.h"

#include <dlfcn.h>

typedef void (*RegionFunc) (void *);

typedef struct
{
  void (*parallel) (RegionFunc, void *, unsigned, unsigned);
  void (*parallel_sections) (RegionFunc, void *, unsigned, unsigned,
      unsigned);
  unsigned (*sections_next) (void);
  void (*sections_end_nowait) (void);
  int (*get_thread_limit) (void);
  gboolean inline_ok;
} Gomp;

/* The sections region running inline in this thread, if any. */
typedef struct
{
  unsigned next, count;
} Sections;

static _Thread_local Sections *current_sections;
static _Thread_local guint inline_regions;

static const Gomp *
gomp (void)
{
  static Gomp table;
  static gsize once;

  if (g_once_init_enter (&once)) {
    /* RTLD_NEXT: the definitions after ours, libgomp's. */
    table.parallel = (void (*)(RegionFunc, void *, unsigned, unsigned))
        dlsym (RTLD_NEXT, "GOMP_parallel");
    table.parallel_sections = (void (*)(RegionFunc, void *, unsigned,
            unsigned, unsigned)) dlsym (RTLD_NEXT, "GOMP_parallel_sections");
    table.sections_next = (unsigned (*)(void)) dlsym (RTLD_NEXT,
        "GOMP_sections_next");
    table.sections_end_nowait = (void (*)(void)) dlsym (RTLD_NEXT,
        "GOMP_sections_end_nowait");
    table.get_thread_limit = (int (*)(void)) dlsym (RTLD_NEXT,
        "omp_get_thread_limit");
    /* Without libgomp's functions there is no other way than inline; with
     * them, inline only where libgomp would make a team of one anyway. */
    table.inline_ok = table.parallel == NULL || table.parallel_sections == NULL
        || table.sections_next == NULL || table.sections_end_nowait == NULL
        || (table.get_thread_limit != NULL && table.get_thread_limit () == 1);
    g_once_init_leave (&once, 1);
  }
  return &table;
}

GC_OCR_EXPORT void
GOMP_parallel (RegionFunc fn, void *data, unsigned num_threads,
    unsigned flags)
{
  const Gomp *g = gomp ();
  Sections *outer;

  if (!g->inline_ok) {
    g->parallel (fn, data, num_threads, flags);
    return;
  }
  inline_regions++;
  /* A region inside a section is a new team: its own work sharing. */
  outer = current_sections;
  current_sections = NULL;
  fn (data);
  current_sections = outer;
}

GC_OCR_EXPORT void
GOMP_parallel_sections (RegionFunc fn, void *data, unsigned num_threads,
    unsigned count, unsigned flags)
{
  const Gomp *g = gomp ();
  Sections sections = { 1, count }, *outer;

  if (!g->inline_ok) {
    g->parallel_sections (fn, data, num_threads, count, flags);
    return;
  }
  inline_regions++;
  outer = current_sections;
  current_sections = &sections;
  fn (data);
  current_sections = outer;
}

/* The next section for this thread to run, 0 when all have been handed
 * out. */
GC_OCR_EXPORT unsigned
GOMP_sections_next (void)
{
  Sections *s = current_sections;

  if (s == NULL)
    return gomp ()->sections_next ? gomp ()->sections_next () : 0;
  return s->next <= s->count ? s->next++ : 0;
}

GC_OCR_EXPORT void
GOMP_sections_end_nowait (void)
{
  if (current_sections == NULL && gomp ()->sections_end_nowait)
    gomp ()->sections_end_nowait ();
}

gboolean
gc_ocr_omp_inline (void)
{
  return gomp ()->inline_ok;
}

GC_OCR_EXPORT guint
gc_ocr_omp_inline_regions (void)
{
  return inline_regions;
}
