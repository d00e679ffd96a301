/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What gst-compliance-scan and gst-compliance-ingest both need before and
 * while they build their pipelines.  Compiled into each tool (with its own
 * GC_BUILD_PLUGIN_DIR). */
#pragma once

#include <gst/gst.h>

/* Before anything loads: OMP_THREAD_LIMIT=1 unless the user set it.
 * libgomp (brought in by gst-libav: libavfilter -> libvidstab) reads it
 * once, when loaded, and Debian's Tesseract with OpenMP threads costs ~3x
 * the CPU for nothing on this workload. */
void gc_tool_init_env (void);

/* Run from the build tree (the program holding @symbol was loaded from
 * it): the elements built with it, whatever GST_PLUGIN_PATH says. */
void gc_tool_use_build_plugins (gconstpointer symbol);

/* A new element of @factory (named @name, or automatically when NULL), or
 * NULL with an error saying what to install. */
GstElement *gc_tool_make_element (const gchar * factory, const gchar * name,
    GError ** error);

/* Prints "PROGRAM: MESSAGE" on stderr; returns 2, the tools' error exit. */
int gc_tool_fail (const gchar * format, ...) G_GNUC_PRINTF (1, 2);
