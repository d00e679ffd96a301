/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See gc-paths.h. */
#define _GNU_SOURCE
#include "gc-paths.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#ifndef GC_BUILD_ROOT
#define GC_BUILD_ROOT ""
#endif

static gboolean
loaded_from_build (gconstpointer symbol)
{
  Dl_info info;
  g_autofree gchar *real = NULL, *root = NULL;
  const gchar *file;
  gsize n;

  if (GC_BUILD_ROOT[0] == '\0' || dladdr (symbol, &info) == 0)
    return FALSE;
  /* A program's own symbols come with the name it was started by. */
  file = info.dli_fname != NULL && strchr (info.dli_fname, '/') != NULL
      ? info.dli_fname : "/proc/self/exe";
  real = realpath (file, NULL);
  root = realpath (GC_BUILD_ROOT, NULL);
  if (real == NULL || root == NULL)
    return FALSE;
  n = strlen (root);
  return strncmp (real, root, n) == 0 && real[n] == '/';
}

gboolean
gc_paths_uninstalled (gconstpointer symbol)
{
  /* The answer cannot change while the process runs; it is asked each
   * time a rule pack or the engine is looked up. */
  static gsize answer;

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, loaded_from_build (symbol) ? 2 : 1);
  return answer == 2;
}
