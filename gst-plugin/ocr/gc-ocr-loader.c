/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See gc-ocr-loader.h for why the engine is loaded rather than linked. */
#include "gc-ocr-loader.h"

#include "gc-error.h"
#include "gc-paths.h"

#include <dlfcn.h>
#include <gmodule.h>

gboolean
gc_ocr_loader_gomp_loaded (void)
{
  /* RTLD_NOLOAD only looks the library up, it never loads it (and so
   * never runs libgomp's constructor). */
  void *handle = dlopen ("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD);

  if (handle == NULL)
    return FALSE;
  dlclose (handle);
  return TRUE;
}

static GMutex load_lock;
static GcOcrLoadInfo load_info;
static gboolean loaded;

static gchar *
library_path (void)
{
  const gchar *env = g_getenv (GC_OCR_LIBRARY_ENV);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
#ifdef GC_OCR_BUILD_LIBRARY
  /* Run from the build tree: the engine built with it. */
  if (gc_paths_uninstalled ((gconstpointer) gc_ocr_loader_load))
    return g_strdup (GC_OCR_BUILD_LIBRARY);
#endif
  return g_build_filename (GC_OCR_LIBDIR, "libgstcompliance-ocr.so", NULL);
}

const GcOcrLoadInfo *
gc_ocr_loader_load (GError ** error)
{
  G_GNUC_UNUSED g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&load_lock);
  g_autofree gchar *path = NULL;
  const gchar *limit;
  GModule *module;
  GcOcrGetApiFunc get_api = NULL;
  const GcOcrApi *api;

  if (loaded)
    return &load_info;

  load_info.gomp_preloaded = gc_ocr_loader_gomp_loaded ();
  limit = g_getenv ("OMP_THREAD_LIMIT");
  if (limit != NULL) {
    /* The user's choice stands; it is reported so it can be warned of. */
    load_info.user_omp_thread_limit = g_intern_string (limit);
  } else {
    /* Not thread-safe against a concurrent getenv() in another thread, but
     * this runs once, at the first state change, before any worker exists. */
    g_setenv ("OMP_THREAD_LIMIT", "1", FALSE);
  }

  path = library_path ();
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "Cannot load the OCR engine library %s: %s (reinstall gst-compliance, "
        "or set " GC_OCR_LIBRARY_ENV " to its path)", path, g_module_error ());
    return NULL;
  }
  if (!g_module_symbol (module, GC_OCR_API_SYMBOL, (gpointer *) & get_api)
      || get_api == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "%s is not the gst-compliance OCR engine (no symbol "
        GC_OCR_API_SYMBOL ")", path);
    g_module_close (module);
    return NULL;
  }
  api = get_api ();
  if (api == NULL || api->version != GC_OCR_API_VERSION
      || api->size < sizeof (GcOcrApi)) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "OCR engine library %s has interface version %u, expected %u",
        path, api ? api->version : 0, GC_OCR_API_VERSION);
    g_module_close (module);
    return NULL;
  }
  /* Tesseract and libgomp keep threads and state that do not survive
   * unloading; the engine stays for the life of the process. */
  g_module_make_resident (module);

  load_info.api = api;
  load_info.path = g_intern_string (path);
  loaded = TRUE;
  return &load_info;
}
