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
gc_text_strip_marks (const gchar *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const gchar *p = text; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (c == 0x00df) {          /* ß */
      g_string_append (out, "ss");
      continue;
    }
    if (c == 0x1e9e) {          /* capital ẞ */
      g_string_append (out, "SS");
      continue;
    }
    /* Latin-1 Supplement to Latin Extended-B, Latin Extended Additional:
     * a letter that decomposes into a Latin letter and combining marks
     * only is that letter. */
    if ((c >= 0x00c0 && c <= 0x024f) || (c >= 0x1e00 && c <= 0x1eff)) {
      gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
      gsize n = g_unichar_fully_decompose (c, FALSE, d, G_N_ELEMENTS (d));
      gboolean marks = n > 1 && d[0] < 0x0250;

      for (gsize i = 1; marks && i < n; i++)
        marks = d[i] >= 0x0300 && d[i] <= 0x036f;
      if (marks) {
        g_string_append_unichar (out, d[0]);
        continue;
      }
    }
    g_string_append_unichar (out, c);
  }
  return g_string_free (out, FALSE);
}

gchar *
gc_text_fold (const gchar *text)
{
  g_autofree gchar *marks = gc_text_fold_marks (text);

  return gc_text_strip_marks (marks);
}

gchar *
gc_text_fold_marks (const gchar *text)
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
