/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A frame read with PP-OCR: the detector finds the lines (on demand,
 * gc-ocr-pplines.c), the tracker keeps the readings of lines whose glyphs
 * did not change or only moved, the recognizer reads the rest in batches,
 * and the text gets the repairs the recognizer needs.
 *
 * The tracker is the one the Tesseract path uses: per line it compares
 * the region's pixels, then the glyphs where the last reading came from,
 * then the binarised ink of the line (gc_ocr_prepare_line), so that a
 * price card over a panning, noisy camera keeps its reading; the same
 * preparation tells a struck-through price. */
#include "gc-ocr-private.h"

#include <stdio.h>
#include <string.h>

/* PaddleOCR's drop_score: below it a line is a guess. */
#define MIN_CONFIDENCE 0.5f

/* Languages the PP-OCRv4 Chinese model reads: Chinese, and the Latin
 * alphabet with the accents of these languages. */
static const gchar *const readable[] = {
  "chi_sim", "eng", "deu", "fra", "ita", "spa", "por", "nld", NULL
};

gchar *
gc_ocr_ppocr_lacks (const gchar * languages)
{
  g_auto (GStrv) langs = g_strsplit (languages ? languages : "", "+", -1);
  guint i;

  for (i = 0; langs[i]; i++)
    if (*langs[i] && !g_strv_contains (readable, langs[i]))
      return g_strdup (langs[i]);
  return NULL;
}

/* What the recognizer writes for what is on screen.  Each entry: a
 * character as read, what must stand before and after it for the repair
 * to apply (classes: 'd' a digit, '%' a percent sign, 0 anything), and
 * what it is. */
typedef struct
{
  const gchar *read;
  gchar before, after;
  const gchar *is;
} Confusion;

static const Confusion confusions[] = {
  /* "100% cure" read "10o% cure": a round glyph between digits or before
   * a percent sign is a zero. */
  {"o", 'd', 'd', "0"}, {"o", 'd', '%', "0"},
  {"O", 'd', 'd', "0"}, {"O", 'd', '%', "0"},
  /* The model's yuan sign is the fullwidth one; screens mostly use ¥. */
  {"￥", 0, 0, "¥"},
  /* A ¥ drawn in some faces (Noto Sans CJK's, outlined) comes out as a
   * question mark; before a price in a Chinese line it is the yuan sign
   * (class 'c': the line has a CJK character). */
  {"?", 'c', 'd', "¥"}, {"？", 'c', 'd', "¥"},
  /* ...or as a V or Y (a struck "原价 ¥150" read "原价 V150"); class 'y':
   * a Chinese line, and no Latin letter before it. */
  {"V", 'y', 'd', "¥"}, {"Y", 'y', 'd', "¥"},
};

static gboolean
has_cjk (const gchar * s)
{
  for (; *s; s = g_utf8_next_char (s)) {
    gunichar c = g_utf8_get_char (s);

    if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF))
      return TRUE;
  }
  return FALSE;
}

static gboolean
class_matches (gchar cls, gunichar c, gboolean cjk_line)
{
  switch (cls) {
    case 0:
      return TRUE;
    case 'c':
      return cjk_line;
    case 'y':
      return cjk_line && !(c < 0x80 && g_ascii_isalpha (c));
    case 'd':
      return c != 0 && g_unichar_isdigit (c);
    case '%':
      return c == '%';
    default:
      return FALSE;
  }
}

static gboolean
has_latin (const gchar * s)
{
  for (; *s; s++)
    if (g_ascii_isalpha (*s) && !strchr ("VYXvy", *s))
      return TRUE;
  return FALSE;
}

/* Repairs of Latin text that need more than a character's neighbours
 * (ASCII only; other bytes are left alone):
 * - a number whose zeros were read as letters: a run of digits, o/O and
 *   separators that starts with a digit, is three characters long or
 *   more and is not followed by a letter ("10,oo0+ sold" -> "10,000+
 *   sold"; never "20oz");
 * - a capital I read as a small l at the start of a word, before a
 *   consonant no English or German word starts "l" with ("lsolierflasche"
 *   -> "Isolierflasche", "ln stock" -> "In stock"; "lbs", "llama" and
 *   "lymph" stay);
 * - the pound unit read with a capital I after a number ("1 Ib" ->
 *   "1 lb", "2Ibs" -> "2lbs"). */
/* A byte of a word: an ASCII letter or digit, or part of a non-ASCII
 * character (ü in "Hülse": the l after it starts no word). */
static inline gboolean
word_byte (gchar c)
{
  return g_ascii_isalnum (c) || (guchar) c >= 0x80;
}

static void
fix_latin_words (GString * s)
{
  gchar *t = s->str;
  gsize n = s->len, i;

  for (i = 0; i < n; i++) {
    gboolean start = i == 0 || !word_byte (t[i - 1]);

    if (start && g_ascii_isdigit (t[i])) {
      gsize j = i;
      gboolean letters = FALSE;

      while (j < n && (g_ascii_isdigit (t[j]) || t[j] == 'o' || t[j] == 'O'
              || ((t[j] == ',' || t[j] == '.') && j + 1 < n
                  && (g_ascii_isdigit (t[j + 1]) || t[j + 1] == 'o'
                      || t[j + 1] == 'O')))) {
        letters |= t[j] == 'o' || t[j] == 'O';
        j++;
      }
      if (letters && j - i >= 3 && !(j < n && g_ascii_isalpha (t[j])))
        for (gsize k = i; k < j; k++)
          if (t[k] == 'o' || t[k] == 'O')
            t[k] = '0';
      /* "1 Ib", "2Ibs": the unit after the number. */
      gsize u = j;
      if (u < n && t[u] == ' ')
        u++;
      if (u + 1 < n && t[u] == 'I' && t[u + 1] == 'b'
          && (u + 2 == n || !g_ascii_isalpha (t[u + 2])
              || (t[u + 2] == 's' && (u + 3 == n
                      || !g_ascii_isalpha (t[u + 3])))))
        t[u] = 'l';
      i = j > i ? j - 1 : i;
      continue;
    }
    if (start && t[i] == 'l' && i + 2 < n && t[i + 1] != '\0'
        && strchr ("cdfghjkmnpqrstvwxz", t[i + 1]) && word_byte (t[i + 2]))
      t[i] = 'I';
    else if (start && t[i] == 'l' && i + 1 < n && t[i + 1] == 'n'
        && (i + 2 == n || t[i + 2] == ' '))
      t[i] = 'I';
  }
}

/* The € sign, which the model does not know, read as a capital E right
 * after a decimal price ("UVP 29,99 E" on a held-out copy of the
 * realistic set): an E standing alone there (not "EUR", not "Each") is
 * the sign. */
static gchar *
euro_after_price (const gchar * s)
{
  static GRegex *re;

  if (g_once_init_enter (&re)) {
    GRegex *r = g_regex_new ("(\\d[.,]\\d\\d) ?E(?![\\p{L}\\p{N}])",
        G_REGEX_OPTIMIZE, 0, NULL);

    g_once_init_leave (&re, r);
  }
  return g_regex_replace (re, s, -1, 0, "\\1 €", 0, NULL);
}

gchar *
gc_ocr_ppocr_fix_text (const gchar * raw)
{
  return gc_ocr_ppocr_fix_text_in (raw, FALSE);
}

gchar *
gc_ocr_ppocr_fix_text_in (const gchar * raw, gboolean chinese)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const gchar *p;
  gunichar prev = 0;
  /* A number alone ("? 59.9", a struck "V198") in a Chinese stream is
   * read as in a Chinese line. */
  gboolean cjk_line = has_cjk (raw) || (chinese && !has_latin (raw));

  for (p = raw; *p; p = g_utf8_next_char (p)) {
    const gchar *q = g_utf8_next_char (p);
    gunichar next;

    /* A sign is often read with a space before its number ("? 79"). */
    if (*q == ' ' && g_ascii_isdigit (q[1]))
      q++;
    next = *q ? g_utf8_get_char (q) : 0;
    const gchar *out = NULL;
    gsize len = g_utf8_next_char (p) - p;
    guint i;

    for (i = 0; i < G_N_ELEMENTS (confusions) && out == NULL; i++) {
      const Confusion *c = &confusions[i];

      if (strlen (c->read) == len && strncmp (p, c->read, len) == 0
          && class_matches (c->before, prev, cjk_line)
          && class_matches (c->after, next, cjk_line))
        out = c->is;
    }
    if (out) {
      g_string_append (s, out);
      /* "? 79" was "¥79". */
      if (g_str_equal (out, "¥") && p[len] == ' ' && g_ascii_isdigit (p[len + 1]))
        p++;
    } else {
      g_string_append_len (s, p, len);
    }
    prev = g_utf8_get_char (out ? out : p);
  }
  if (!cjk_line) {
    g_autofree gchar *euro = NULL;

    fix_latin_words (s);
    euro = euro_after_price (s->str);
    if (euro)
      g_string_assign (s, euro);
  }
  return gc_ocr_normalise_text (s->str);
}

static gboolean
is_sign (gunichar c)
{
  return c == '$' || c == 0xA5 || c == 0xFFE5 || c == 0x20AC || c == 0xA3
      || c == '?' || c == 0xFF1F;
}

/* A price the recognizer read without a sign ("49,90", "24.50": digits, a
 * separator, two decimals, no sign next to it): the glyph just before or
 * after it is read again for € and £, which the model does not know. */
static gchar *
restore_signs (GcOcrEngine * engine, const GcOcrFrame * frame,
    const gchar * text, GArray * xs, const GcOcrBox * box)
{
  g_autofree gunichar *u = g_utf8_to_ucs4_fast (text, -1, NULL);
  glong n = 0, i;
  GString *out;

  while (u[n])
    n++;
  if (xs == NULL || (glong) xs->len != n)
    return g_strdup (text);
  out = g_string_new (NULL);
  for (i = 0; i < n; i++) {
    glong a = i, b, j, k;
    const gchar *sign = NULL;
    gboolean before_has = FALSE, after_has = FALSE;
    gint x0, x1, pitch;

    if (!g_unichar_isdigit (u[i]) || (i > 0 && g_unichar_isdigit (u[i - 1]))) {
      g_string_append_unichar (out, u[i]);
      continue;
    }
    for (b = a; b + 1 < n && (g_unichar_isdigit (u[b + 1])
            || ((u[b + 1] == '.' || u[b + 1] == ',') && b + 2 < n
                && g_unichar_isdigit (u[b + 2]))); b++);
    /* Only a decimal price: d+[.,]dd at the run's end. */
    if (!(b - a >= 3 && (u[b - 2] == '.' || u[b - 2] == ','))) {
      for (j = a; j <= b; j++)
        g_string_append_unichar (out, u[j]);
      i = b;
      continue;
    }
    for (k = a - 1; k >= 0 && u[k] == ' '; k--);
    before_has = k >= 0 && is_sign (u[k]);
    for (k = b + 1; k < n && u[k] == ' '; k++);
    after_has = k < n && is_sign (u[k]);
    x0 = g_array_index (xs, gint, a);
    x1 = g_array_index (xs, gint, b);
    pitch = MAX (2, (x1 - x0) / MAX (1, (gint) (b - a)));
    if (!before_has && !after_has) {
      /* The sign stands in the gap between the number and the character
       * the model read before (or after) it, or between the number and
       * the box's end (widened: the box may end on the sign). */
      gint lo = box->x - pitch, hi = frame->width;

      for (k = a - 1; k >= 0 && u[k] == ' '; k--);
      if (k >= 0)
        lo = g_array_index (xs, gint, k) + pitch / 2;
      lo = MAX (MAX (lo, x0 - pitch * 3), 0);
      if (x0 - pitch / 3 - lo >= pitch / 2) {
        GcOcrBox left = { lo, box->y, x0 - pitch / 3 - lo, box->height };
        sign = gc_ocr_engine_read_sign (engine, frame, &left);
        if (sign) {
          g_string_append (out, sign);
          sign = NULL;
          before_has = TRUE;
        }
      }
      for (k = b + 1; k < n && u[k] == ' '; k++);
      if (k < n)
        hi = g_array_index (xs, gint, k) - pitch / 2;
      hi = MIN (hi, x1 + pitch * 3);
      if (!before_has && hi - (x1 + pitch / 2 + 1) >= pitch / 2) {
        GcOcrBox right = { x1 + pitch / 2 + 1, box->y,
          hi - (x1 + pitch / 2 + 1), box->height };
        sign = gc_ocr_engine_read_sign (engine, frame, &right);
      }
    }
    for (j = a; j <= b; j++)
      g_string_append_unichar (out, u[j]);
    if (sign)
      g_string_append_printf (out, " %s", sign);
    i = b;
  }
  return g_string_free (out, FALSE);
}

/* A strike-through on the line: a thin run of rows where nearly every
 * pixel between the text's first and last columns differs from the
 * background (the box's border) in one flat colour, with glyph rows above
 * and below it.  The preparation's own test works on its binarisation,
 * which a light grey price struck with a coloured line on a white card
 * defeats (the ink it keeps is the stroke alone); either test's word
 * counts (both flag the flat edge of a viewer-count pill at times, which
 * is harmless: a struck line matters only where it holds a price). */
#define STRIKE_DIFF 28          /* luma levels from the background */
#define STRIKE_COVER 0.9        /* share of the text's width */
#define STRIKE_MAX_ROWS 0.2     /* of the box height, for a thin stroke */
#define STRIKE_FLAT 24          /* luma spread along the stroke */
#define STRIKE_TEXT_MIN 0.08    /* coverage of a row through glyphs */
/* A glyph pixel differs from the background by this much: less than the
 * stroke, which is drawn to stand out, while a light grey price on a gold
 * or cream card is only 25-30 levels from it. */
#define STRIKE_TEXT_DIFF 14
#define STRIKE_TEXT_MAX 0.85

static gint
compare_ints (gconstpointer a, gconstpointer b)
{
  return *(const gint *) a - *(const gint *) b;
}

gboolean
gc_ocr_pp_struck_through (const GcOcrFrame * f, const GcOcrBox * box)
{
  g_autoptr (GArray) border = g_array_new (FALSE, FALSE, sizeof (gint));
  gint x, y, bg, cx0 = G_MAXINT, cx1 = -1;
  gint x0 = box->x, y0 = box->y, x1 = box->x + box->width - 1;
  gint y1 = box->y + box->height - 1;

  if (box->width < 8 || box->height < 6)
    return FALSE;
  for (x = x0; x <= x1; x++) {
    gint v = gc_ocr_luma_at (f, x, y0), w = gc_ocr_luma_at (f, x, y1);
    g_array_append_val (border, v);
    g_array_append_val (border, w);
  }
  g_array_sort (border, compare_ints);
  bg = g_array_index (border, gint, border->len / 2);
  /* The text's extent: columns holding any ink. */
  for (x = x0; x <= x1; x++)
    for (y = y0 + box->height / 4; y <= y1 - box->height / 4; y++)
      if (ABS (gc_ocr_luma_at (f, x, y) - bg) > STRIKE_DIFF) {
        cx0 = MIN (cx0, x);
        cx1 = MAX (cx1, x);
        break;
      }
  if (cx1 - cx0 < box->height)
    return FALSE;
  {
    gint n = cx1 - cx0 + 1, rows = box->height, r;
    g_autofree gdouble *cover = g_new0 (gdouble, rows);
    g_autofree gboolean *stroke = g_new0 (gboolean, rows);

    for (y = y0; y <= y1; y++) {
      gint ink = 0, text = 0;
      gdouble sum = 0, sum2 = 0;

      for (x = cx0; x <= cx1; x++) {
        gint v = gc_ocr_luma_at (f, x, y);

        ink += ABS (v - bg) > STRIKE_DIFF;
        text += ABS (v - bg) > STRIKE_TEXT_DIFF;
        sum += v;
        sum2 += (gdouble) v * v;
      }
      cover[y - y0] = (gdouble) text / n;
      /* A stroke is one colour along its length; a row through bold or
       * outlined glyphs alternates fill, outline and gaps. */
      stroke[y - y0] = ink >= STRIKE_COVER * n
          && sum2 / n - (sum / n) * (sum / n) <= STRIKE_FLAT * STRIKE_FLAT;
    }
    /* Thin, and through text: glyph rows (partly covered) just above and
     * below it; the flat edge of a panel inside the box has background or
     * panel on one side.  Anywhere but the box's first and last rows: the
     * detector's box may sit off the text's middle. */
    for (r = 2; r < rows - 1; r++) {
      gint a = r, b, above, below;

      if (!stroke[r])
        continue;
      for (b = a; b + 1 < rows && stroke[b + 1]; b++);
      r = b;
      if (b - a + 1 > MAX (2, STRIKE_MAX_ROWS * rows) || b + 1 >= rows)
        continue;
      above = a - 2;
      below = MIN (b + 2, rows - 1);
      if (cover[above] > STRIKE_TEXT_MIN && cover[above] < STRIKE_TEXT_MAX
          && cover[below] > STRIKE_TEXT_MIN && cover[below] < STRIKE_TEXT_MAX)
        return TRUE;
    }
  }
  return FALSE;
}

#define STRUCK_NUMBER_CONFIDENCE 0.85f

static gboolean
digits_alone (const gchar * text)
{
  const gchar *p;
  gboolean digit = FALSE;

  for (p = text; *p; p++) {
    if (g_ascii_isdigit (*p))
      digit = TRUE;
    else if (*p != '.' && *p != ',' && *p != ' ')
      return FALSE;
  }
  return digit;
}

static GcOcrLine *
make_line (GcOcrEngine * engine, const GcOcrFrame * frame,
    const gchar * raw, GArray * xs, gfloat confidence, const GcOcrBox * box,
    const GcOcrPrepared * prep)
{
  g_autofree gchar *fixed = NULL, *text = NULL, *umlauts = NULL;
  GcOcrLine *line;

  if (raw == NULL || confidence < MIN_CONFIDENCE) {
    if (GC_OCR_DEBUG)
      fprintf (stderr, "ppocr line %d,%d %dx%d: \"%s\" dropped (%.2f)\n",
          box->x, box->y, box->width, box->height, raw ? raw : "",
          confidence);
    return NULL;
  }
  umlauts = gc_ocr_restore_umlauts (frame, raw, xs, box, prep);
  text = restore_signs (engine, frame, umlauts, xs, box);
  fixed = gc_ocr_ppocr_fix_text_in (text, gc_ocr_engine_chinese (engine));
  if (GC_OCR_DEBUG)
    fprintf (stderr, "ppocr line %d,%d %dx%d: \"%s\" -> \"%s\" (%.2f)\n",
        box->x, box->y, box->width, box->height, raw, fixed, confidence);
  if (*fixed == '\0')
    return NULL;
  /* Text cut by the frame's edge: its words are what is on screen, but a
   * number in it may be part of one ("¥12" of a "¥129" sliding in). */
  if (strpbrk (fixed, "0123456789") && gc_ocr_pp_cut_at_edge (frame, box)) {
    if (GC_OCR_DEBUG)
      fprintf (stderr, "ppocr line %d,%d %dx%d: dropped, cut by the frame's "
          "edge and holding a number\n", box->x, box->y, box->width,
          box->height);
    return NULL;
  }
  line = g_new0 (GcOcrLine, 1);
  line->text = g_steal_pointer (&fixed);
  line->confidence = confidence;
  /* The preparation's ink box is wrong where its binarisation kept only
   * part of the text (a light struck price: the stroke alone). */
  line->box = prep && prep->pix && prep->ink_box.width * 2 >= box->width
      ? prep->ink_box : *box;
  line->struck = (prep && prep->pix && prep->struck)
      || gc_ocr_pp_struck_through (frame, box);
  /* A number alone on a struck line is taken for an "original" price; a
   * doubtful one is more often shapes read as digits (floating hearts
   * read "800") than a price. */
  if (line->struck && confidence < STRUCK_NUMBER_CONFIDENCE
      && digits_alone (line->text))
    line->struck = FALSE;
  return line;
}

GcOcrLine *
gc_ocr_ppocr_read_region (GcOcrEngine * engine, const GcOcrFrame * frame,
    const GcOcrBox * box, GError ** error)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GArray) xs = NULL;
  gfloat confidence;
  GcOcrPrepared prep;
  GcOcrLine *line;

  if (!gc_ppocr_recognize (gc_ocr_engine_ppocr (engine), frame, box, 1,
          &text, &confidence, &xs, error))
    return NULL;
  if (!gc_ocr_prepare_line (frame, box, GC_OCR_DEFAULT_TEXT_HEIGHT, &prep))
    memset (&prep, 0, sizeof (prep));
  line = make_line (engine, frame, text, xs, confidence, box, &prep);
  gc_ocr_prepared_clear (&prep);
  return line;
}

/* One detected line and what became of it. */
typedef struct
{
  GcOcrBox box;
  GcOcrPrepared prep;           /* prep.pix NULL: not prepared */
  gboolean ink_known;           /* the tracker has these glyphs */
  gboolean done;                /* reused, or nothing there */
  GcOcrLine *line;
} Item;

/* The detector splits a line at wide word gaps ("风冷无霜  强劲动力",
 * "原价  ¥129"); the facts parser needs a label and its price on one line,
 * as Tesseract's path gives them; a label is often much smaller than its
 * price ("到手价" beside a 73 px "2480").  Neighbours on one row (heights
 * within 2.5x, overlapping by most of the smaller, the gap under ROW_GAP
 * of the larger height) are joined, left to right.  A struck part is
 * never joined to one that is not: the strike marks the reference
 * price, not its neighbours. */
#define ROW_GAP 0.8

static gboolean
same_row (const GcOcrLine * a, const GcOcrLine * b)
{
  gint ha = a->box.height, hb = b->box.height;
  gint top = MAX (a->box.y, b->box.y);
  gint bottom = MIN (a->box.y + ha, b->box.y + hb);
  gint gap = b->box.x - (a->box.x + a->box.width);

  return a->struck == b->struck && 2 * MAX (ha, hb) <= 5 * MIN (ha, hb)
      && (bottom - top) * 10 >= MIN (ha, hb) * 6
      && gap * 10 >= -MIN (ha, hb) * 6 && gap <= ROW_GAP * MAX (ha, hb);
}

/* A button beside a price is a thing of its own: a price on a white card
 * and the red "Kaufen" button after it were read "19,99 € Kaufen", and the
 * button was lost as a caption.  A piece is a button (a badge) when the
 * inside of its box is mostly one colour (luma within PLATE_SPREAD of the
 * median for PLATE_SHARE of it: the glyphs are the rest) and the ring
 * PLATE_RING pixels around the box is mostly another, PLATE_APART away in
 * a channel.  A piece after a price (its text ends in a digit or a
 * currency sign) that is a badge of a colour not the price's is not
 * joined to it.  A label before its price ("原价", "到手价") is joined
 * whatever it is drawn on: the facts need it. */
#define PLATE_RING 3
#define PLATE_SPREAD 16
#define PLATE_SHARE 0.45
#define PLATE_APART 60

static guint8
median_of (const guint * hist, guint n)
{
  guint i, seen = 0;

  for (i = 0; i < 256; i++) {
    seen += hist[i];
    if (seen * 2 >= n)
      return i;
  }
  return 255;
}

/* The main colour of @box's inside (@ring FALSE) or of the ring around it
 * (TRUE), when one colour holds @share of it. */
static gboolean
plate_colour (const GcOcrFrame * frame, const GcOcrBox * box, gboolean ring,
    gdouble share, guint8 rgb[3])
{
  guint hist[4][256] = { {0} };
  guint n = 0, near = 0, c;
  gint pad = ring ? PLATE_RING : 0;
  gint x0 = box->x - pad, y0 = box->y - pad;
  gint x1 = box->x + box->width + pad, y1 = box->y + box->height + pad;
  gint x, y, luma;

  if (frame == NULL || frame->format != GC_OCR_FORMAT_RGBX || x0 < 0
      || y0 < 0 || x1 > frame->width || y1 > frame->height)
    return FALSE;
  for (y = y0; y < y1; y++)
    for (x = x0; x < x1; x++) {
      const guint8 *p;

      if (ring && x >= box->x && x < box->x + box->width && y >= box->y
          && y < box->y + box->height)
        continue;
      p = frame->data + (gsize) y * frame->stride + (gsize) x * 4;
      for (c = 0; c < 3; c++)
        hist[c][p[c]]++;
      hist[3][gc_ocr_luma_at (frame, x, y)]++;
      n++;
    }
  if (n < 20)
    return FALSE;
  luma = median_of (hist[3], n);
  for (x = MAX (0, luma - PLATE_SPREAD); x <= MIN (255, luma + PLATE_SPREAD);
      x++)
    near += hist[3][x];
  if (near < share * n)
    return FALSE;
  for (c = 0; c < 3; c++)
    rgb[c] = median_of (hist[c], n);
  return TRUE;
}

static gboolean
apart (const guint8 a[3], const guint8 b[3])
{
  guint c;

  for (c = 0; c < 3; c++)
    if (ABS ((gint) a[c] - (gint) b[c]) >= PLATE_APART)
      return TRUE;
  return FALSE;
}

static gboolean
button_after_price (const GcOcrFrame * frame, const GcOcrLine * a,
    const GcOcrLine * b)
{
  const gchar *end;
  gunichar last;
  guint8 inside[3], around[3], price[3];

  if (frame == NULL || *a->text == '\0')
    return FALSE;
  end = g_utf8_prev_char (a->text + strlen (a->text));
  last = g_utf8_get_char (end);
  if (!g_unichar_isdigit (last) && !is_sign (last)
      && g_unichar_type (last) != G_UNICODE_CURRENCY_SYMBOL)
    return FALSE;
  return plate_colour (frame, &b->box, FALSE, PLATE_SHARE, inside)
      && plate_colour (frame, &b->box, TRUE, PLATE_SHARE, around)
      && apart (inside, around)
      && plate_colour (frame, &a->box, FALSE, PLATE_SHARE, price)
      && apart (inside, price);
}

static gint
compare_x (gconstpointer pa, gconstpointer pb)
{
  const GcOcrLine *a = *(GcOcrLine * const *) pa, *b = *(GcOcrLine * const *) pb;

  return a->box.x < b->box.x ? -1 : a->box.x > b->box.x;
}

static gint
compare_y (gconstpointer pa, gconstpointer pb)
{
  const GcOcrLine *a = *(GcOcrLine * const *) pa, *b = *(GcOcrLine * const *) pb;

  if (a->box.y != b->box.y)
    return a->box.y < b->box.y ? -1 : 1;
  return a->box.x < b->box.x ? -1 : a->box.x > b->box.x;
}

/* A piece of a line read twice (a kept box and a fresh one over the same
 * struck price, "$34.99" and "99"): a line lying mostly inside a larger
 * one whose text holds its text is dropped. */
#define PIECE_INSIDE 0.7

static gboolean
piece_of (const GcOcrLine * piece, const GcOcrLine * whole)
{
  gint64 area = (gint64) piece->box.width * piece->box.height;

  return area < (gint64) whole->box.width * whole->box.height
      && gc_ocr_box_overlap (&piece->box, &whole->box) >= PIECE_INSIDE * area
      && strstr (whole->text, piece->text) != NULL;
}

void
gc_ocr_join_rows (GPtrArray * lines, const GcOcrFrame * frame)
{
  guint i, j;

  for (i = 0; i < lines->len; i++)
    for (j = 0; j < lines->len; j++)
      if (i != j && piece_of (g_ptr_array_index (lines, i),
              g_ptr_array_index (lines, j))) {
        g_ptr_array_remove_index (lines, i--);
        break;
      }
  g_ptr_array_sort (lines, compare_x);
  for (i = 0; i < lines->len; i++) {
    GcOcrLine *a = g_ptr_array_index (lines, i);

    for (j = i + 1; j < lines->len; j++) {
      GcOcrLine *b = g_ptr_array_index (lines, j);
      gchar *text;
      if (!same_row (a, b) || button_after_price (frame, a, b))
        continue;
      text = g_strconcat (a->text, " ", b->text, NULL);
      g_free (a->text);
      /* Repairs that need the whole line ("到手" + "?268"). */
      a->text = gc_ocr_ppocr_fix_text (text);
      g_free (text);
      gc_ocr_box_union (&a->box, &b->box);
      a->confidence = MIN (a->confidence, b->confidence);
      a->reused = a->reused && b->reused;
      g_ptr_array_remove_index (lines, j);
      /* b is freed; a grew: look again from its new right end. */
      j = i;
    }
  }
  g_ptr_array_sort (lines, compare_y);
}

/* Whether most of @box lies in one of @areas. */
static gboolean
inside_any (const GcOcrBox * box, GArray * areas)
{
  guint i;

  for (i = 0; i < areas->len; i++)
    if (gc_ocr_box_overlap (box, &g_array_index (areas, GcOcrBox, i)) * 2
        >= box->width * box->height)
      return TRUE;
  return FALSE;
}

/* The tracker's looks for one line box: pixels, glyphs where the reading
 * was, glyphs that moved, then the prepared ink.  Returns FALSE when the
 * box was kept from an earlier frame (@stale) and its text is not known:
 * it is to be detected again. */
static gboolean
look_up (GcOcrTracker * tracker, const GcOcrFrame * frame, Item * it,
    gboolean stale)
{
  const GcOcrLine *known = NULL;
  guint id;

  const gchar *how = NULL;

  if (tracker && gc_ocr_tracker_lookup (tracker, frame, &it->box, &known, &id))
    how = "pixels";
  else if (tracker && gc_ocr_tracker_lookup_glyphs (tracker, frame, &it->box,
          &known, &id))
    how = "glyphs";
  else if (tracker && gc_ocr_tracker_lookup_sketch (tracker, frame, &it->box,
          &known, &id))
    how = "sketch";
  if (how) {
    if (GC_OCR_DEBUG)
      fprintf (stderr, "ppocr kept %d,%d %dx%d by its %s: \"%s\"\n",
          it->box.x, it->box.y, it->box.width, it->box.height, how,
          known ? known->text : "");
    it->line = known ? gc_ocr_line_reused (known, id) : NULL;
    it->done = TRUE;
    return TRUE;
  }
  if (stale)
    return FALSE;
  if (tracker && (gc_ocr_tracker_lookup_moved (tracker, frame, &it->box,
              &known, &id) || gc_ocr_tracker_lookup_sketch_moved (tracker,
              frame, &it->box, &known, &id))) {
    it->line = gc_ocr_line_reused (known, id);
    it->done = TRUE;
    return TRUE;
  }
  if (!gc_ocr_prepare_line (frame, &it->box, GC_OCR_DEFAULT_TEXT_HEIGHT,
          &it->prep))
    memset (&it->prep, 0, sizeof (it->prep));
  if (tracker && it->prep.pix
      && gc_ocr_tracker_has_ink (tracker, &it->box, &it->prep))
    it->ink_known = TRUE;
  return TRUE;
}

/* Kept boxes whose text changed (@stale, no longer in @items) are
 * detected again in crops around them; in the layout they give way to the
 * boxes found there, and those (unless a line already looked up holds
 * them) are added to @items and looked up. */
static gboolean
redetect (GcPpocr * pp, const GcOcrFrame * frame, GcOcrTracker * tracker,
    GArray * items, GArray * stale, GError ** error)
{
  GArray *layout, *empty;
  guint *since_full, i, j, n = items->len;
  g_autoptr (GArray) found = NULL;
  g_autoptr (GArray) known = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));

  layout = gc_ocr_tracker_layout (tracker, frame, &empty, &since_full);
  found = gc_ocr_pp_detect_around (pp, frame, stale, error);
  if (found == NULL)
    return FALSE;
  for (i = 0; i < stale->len; i++)
    for (j = 0; j < layout->len; j++)
      if (memcmp (&g_array_index (layout, GcOcrBox, j),
              &g_array_index (stale, GcOcrBox, i), sizeof (GcOcrBox)) == 0) {
        g_array_remove_index (layout, j);
        break;
      }
  for (i = 0; i < n; i++)
    g_array_append_val (known, g_array_index (items, Item, i).box);
  for (i = 0; i < found->len; i++) {
    const GcOcrBox *b = &g_array_index (found, GcOcrBox, i);
    Item it = { 0 };

    if (inside_any (b, known))
      continue;
    g_array_append_val (layout, *b);
    it.box = *b;
    look_up (tracker, frame, &it, FALSE);
    g_array_append_val (items, it);
  }
  return TRUE;
}

static gint
compare_item_y (gconstpointer pa, gconstpointer pb)
{
  const Item *a = pa, *b = pb;

  if (a->box.y != b->box.y)
    return a->box.y < b->box.y ? -1 : 1;
  return a->box.x < b->box.x ? -1 : a->box.x > b->box.x;
}

GPtrArray *
gc_ocr_ppocr_read_frame (GcOcrEngine * engine, const GcOcrFrame * frame,
    GcOcrTracker * tracker, GError ** error)
{
  GcPpocr *pp = gc_ocr_engine_ppocr (engine);
  gint64 t_start = g_get_monotonic_time ();
  g_autoptr (GArray) dets = NULL;
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  g_autoptr (GArray) stale = g_array_new (FALSE, FALSE, sizeof (GcOcrBox));
  g_autoptr (GArray) item_array = g_array_new (FALSE, TRUE, sizeof (Item));
  Item *items;
  g_autofree GcOcrBox *to_read = NULL;
  g_autofree gint *read_item = NULL;
  g_autofree gchar **texts = NULL;
  g_autofree gfloat *confidences = NULL;
  g_autofree GArray **xs = NULL;
  GPtrArray *lines;
  guint i, n_items, n_read = 0;

  lines = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_ocr_line_free);
  if (tracker && gc_ocr_tracker_frame_unchanged (tracker, frame)) {
    gc_ocr_tracker_reuse_all (tracker, lines);
    gc_ocr_join_rows (lines, frame);
    return lines;
  }
  dets = gc_ocr_pp_find_lines (pp, frame, tracker, fresh, error);
  if (dets == NULL) {
    g_ptr_array_unref (lines);
    return NULL;
  }
  if (tracker)
    gc_ocr_tracker_begin (tracker);

  for (i = 0; i < dets->len; i++) {
    Item it = { 0 };

    it.box = g_array_index (dets, GcOcrBox, i);
    if (look_up (tracker, frame, &it, tracker && !inside_any (&it.box, fresh)))
      g_array_append_val (item_array, it);
    else
      g_array_append_val (stale, it.box);
  }
  if (stale->len > 0 && !redetect (pp, frame, tracker, item_array, stale,
          error)) {
    for (i = 0; i < item_array->len; i++) {
      gc_ocr_prepared_clear (&g_array_index (item_array, Item, i).prep);
      g_clear_pointer (&g_array_index (item_array, Item, i).line,
          gc_ocr_line_free);
    }
    gc_ocr_tracker_end (tracker);
    g_ptr_array_unref (lines);
    return NULL;
  }
  /* Top to bottom, so that the result and the tracker do not depend on
   * which lines needed detecting or reading again. */
  g_array_sort (item_array, compare_item_y);
  items = (Item *) item_array->data;
  n_items = item_array->len;
  to_read = g_new (GcOcrBox, MAX (1, n_items));
  read_item = g_new (gint, MAX (1, n_items));
  for (i = 0; i < n_items; i++) {
    if (items[i].done || items[i].ink_known)
      continue;
    read_item[n_read] = i;
    to_read[n_read++] = items[i].box;
  }

  texts = g_new0 (gchar *, MAX (1, n_read));
  confidences = g_new0 (gfloat, MAX (1, n_read));
  xs = g_new0 (GArray *, MAX (1, n_read));
  if (n_read > 0 && !gc_ppocr_recognize (pp, frame, to_read, n_read, texts,
          confidences, xs, error)) {
    for (i = 0; i < n_items; i++) {
      gc_ocr_prepared_clear (&items[i].prep);
      g_clear_pointer (&items[i].line, gc_ocr_line_free);
    }
    if (tracker)
      gc_ocr_tracker_end (tracker);
    g_ptr_array_unref (lines);
    return NULL;
  }
  for (i = 0; i < n_read; i++) {
    Item *it = &items[read_item[i]];

    it->line = make_line (engine, frame, texts[i], xs[i], confidences[i],
        &it->box, &it->prep);
    g_free (texts[i]);
    if (xs[i])
      g_array_unref (xs[i]);
  }

  for (i = 0; i < n_items; i++) {
    Item *it = &items[i];
    GcOcrLine *line = g_steal_pointer (&it->line);
    const GcOcrLine *known = NULL;
    guint id;

    if (it->done) {
      if (line)
        g_ptr_array_add (lines, line);
      continue;
    }
    if (it->ink_known) {
      if (gc_ocr_tracker_lookup_ink (tracker, frame, &it->box, &it->prep,
              &known, &id)) {
        if (known) {
          line = gc_ocr_line_reused (known, id);
          line->box = it->prep.ink_box;
          g_ptr_array_add (lines, line);
        }
        gc_ocr_prepared_clear (&it->prep);
        continue;
      }
      /* A line stored earlier in this frame took the entry's place. */
      line = gc_ocr_ppocr_read_region (engine, frame, &it->box, NULL);
    }
    if (tracker) {
      id = gc_ocr_tracker_store (tracker, frame, &it->box, line,
          it->prep.pix ? &it->prep : NULL);
      if (line)
        line->track_id = id;
    }
    gc_ocr_prepared_clear (&it->prep);
    if (line)
      g_ptr_array_add (lines, line);
  }
  if (tracker)
    gc_ocr_tracker_end (tracker);
  gc_ocr_join_rows (lines, frame);
  if (GC_OCR_DEBUG) {
    gint64 det_us, rec_us;

    gc_ppocr_times (pp, &det_us, &rec_us);
    fprintf (stderr, "ppocr frame: %u lines (%u detected again), %u read, "
        "%.0f ms; so far detector %u runs %.0f ms, recognizer %u runs "
        "%.0f ms\n", n_items, stale->len, n_read,
        (g_get_monotonic_time () - t_start) / 1000.0, gc_ppocr_det_calls (pp),
        det_us / 1000.0, gc_ppocr_rec_calls (pp), rec_us / 1000.0);
  }
  return lines;
}
