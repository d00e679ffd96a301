/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loads the OCR engine library (libgstcompliance-ocr.so) at run time.
 *
 * Why not link it: Debian's libtesseract is built with OpenMP, and libgomp
 * reads OMP_THREAD_LIMIT once, in its constructor, when it is loaded.
 * Without OMP_THREAD_LIMIT=1 a text line costs 50-150 ms instead of 5-16 ms
 * on two cores, and users will not know to set it.  So the plugin does not
 * link libtesseract: this loader sets OMP_THREAD_LIMIT=1 (unless the user
 * set it), then opens the engine library with GModule and takes its function
 * table from one exported symbol.  This file links GModule only. */
#pragma once

#include <glib.h>

#include "gc-ocr.h"

G_BEGIN_DECLS

/* Overrides where the engine library is looked for (tests, uninstalled
 * runs): a full path to the .so. */
#define GC_OCR_LIBRARY_ENV "GST_COMPLIANCE_OCR_LIBRARY"

typedef struct
{
  const GcOcrApi *api;
  const gchar *path;            /* the library that was loaded */
  /* libgomp was already in the process before the engine was loaded (some
   * other library pulled it in): OMP_THREAD_LIMIT may not have taken
   * effect, OCR may be ~10x slower.  The element should warn. */
  gboolean gomp_preloaded;
  /* OMP_THREAD_LIMIT as found in the environment before loading (NULL:
   * unset, the loader set it to 1).  A user value other than 1 makes OCR
   * slower; the element may warn. */
  const gchar *user_omp_thread_limit;
} GcOcrLoadInfo;

/* Loads the engine once per process (later calls return the same table;
 * thread-safe).  On failure the error names the library path. */
const GcOcrLoadInfo *gc_ocr_loader_load (GError ** error);

/* Whether libgomp is mapped into this process right now. */
gboolean gc_ocr_loader_gomp_loaded (void);

G_END_DECLS
