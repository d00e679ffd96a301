/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: text normalisation shared by the facts parser and
 * term matching.  GLib only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Valid UTF-8 copy of @text (invalid bytes become U+FFFD), length-limited
 * input (@len may be -1 for NUL-terminated). */
gchar *gc_text_make_valid (const gchar *text, gssize len);

/* For matching: valid UTF-8, NFKC (full-width digits, letters and
 * punctuation become ASCII; ￥ becomes ¥), lower-cased, runs of white space
 * folded to one ASCII space, trimmed. */
gchar *gc_text_fold (const gchar *text);

G_END_DECLS
