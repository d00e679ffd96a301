/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tool-common.h"

#include <stdio.h>

#include "gc-paths.h"

void
gc_tool_init_env (void)
{
  g_setenv ("OMP_THREAD_LIMIT", "1", FALSE);
}

void
gc_tool_use_build_plugins (gconstpointer symbol)
{
#ifdef GC_BUILD_PLUGIN_DIR
  if (gc_paths_uninstalled (symbol))
    gst_registry_scan_path (gst_registry_get (), GC_BUILD_PLUGIN_DIR);
#endif
}

GstElement *
gc_tool_make_element (const gchar *factory, const gchar *name,
    GError **error)
{
  GstElement *e = gst_element_factory_make (factory, name);
  if (!e)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "GStreamer element \"%s\" is missing (run tools/setup, or check "
        "GST_PLUGIN_PATH for the compliance plugin)", factory);
  return e;
}

int
gc_tool_fail (const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *m = NULL;

  va_start (ap, format);
  m = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "%s: %s\n", g_get_prgname (), m);
  return 2;
}
