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
 * folded to one ASCII space, trimmed, and Latin letters without their
 * diacritics (gc_text_strip_marks()): OCR drops them (PP-OCR reads
 * "Hält" as "Halt", "Spülmaschinenfest" as "Spulmaschinenfest"), so
 * "Marktführer" and "Publicité" on screen are found however they were
 * read. */
gchar *gc_text_fold (const gchar *text);

/* gc_text_fold() keeping the diacritics: what a match is shown as. */
gchar *gc_text_fold_marks (const gchar *text);

/* @text (valid UTF-8) with the diacritics of Latin letters dropped: é to
 * e, Ü to U, ß to ss.  Every other character, regular expression syntax
 * included, stays as it is. */
gchar *gc_text_strip_marks (const gchar *text);

G_END_DECLS
