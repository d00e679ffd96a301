/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: text normalisation. */
#include "gc-text.h"

#include <string.h>

gchar *
gc_text_make_valid (const gchar *text, gssize len)
{
  if (text == NULL)
    return g_strdup ("");
  return g_utf8_make_valid (text, len);
}

gchar *
gc_text_fold (const gchar *text)
{
  g_autofree gchar *valid = gc_text_make_valid (text, -1);
  /* NFKC maps full-width digits, Latin letters and punctuation (and U+3000
   * ideographic space) to their ASCII forms, which is what OCR output of
   * Chinese screens is full of. */
  g_autofree gchar *nfkc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKC);
  g_autofree gchar *lower = g_utf8_strdown (nfkc ? nfkc : valid, -1);
  GString *out = g_string_sized_new (strlen (lower));
  gboolean pending_space = FALSE;

  for (const gchar *p = lower; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_isspace (c)) {
      pending_space = out->len > 0;
      continue;
    }
    if (pending_space)
      g_string_append_c (out, ' ');
    pending_space = FALSE;
    g_string_append_unichar (out, c);
  }
  return g_string_free (out, FALSE);
}
