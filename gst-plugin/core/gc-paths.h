/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: where the installed or the uninstalled files are.
 *
 * A program or plugin built by meson and run from its build tree (the
 * README's GST_PLUGIN_PATH=build/gst-plugin, or build/tools/...) uses the
 * files of that build and its source tree: the rule packs in models/, the
 * OCR engine library next to the plugin.  An installed copy uses the
 * installed files.  Which one is running is told by where the code that
 * asks was loaded from, so nothing needs setting. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the library or program holding @symbol (any function of it)
 * was loaded from this build's tree. */
gboolean gc_paths_uninstalled (gconstpointer symbol);

G_END_DECLS
