/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: error domain shared by every core module.
 *
 * The core is GLib-only: nothing under gst-plugin/core includes gst/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_ERROR (gc_error_quark ())
GQuark gc_error_quark (void);

typedef enum
{
  GC_ERROR_IO,          /* file cannot be read or written */
  GC_ERROR_PARSE,       /* malformed JSON (message carries line:column) */
  GC_ERROR_INVALID,     /* well-formed but violates the format (field, product named) */
  GC_ERROR_NOT_FOUND,   /* unknown rule pack name, unknown sku, ... */
} GcErrorCode;

G_END_DECLS
