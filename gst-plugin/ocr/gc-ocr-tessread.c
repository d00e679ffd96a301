/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tesseract's reading of one prepared line (the engine's path without
 * PP-OCR; gc-ocr-engine.c says why each step is there): the symbols and
 * their boxes, then the re-reads that mend what chi_sim gets wrong (the
 * digit run with eng and a whitelist, CJK labels and words, Latin runs
 * with the second model) and the votes between readings. */
#include "gc-ocr-engine.h"

#include <string.h>

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF)
      || (c >= 0xFF00 && c <= 0xFFEF);
}

static gboolean
is_numberish (gunichar c)
{
  return g_unichar_isdigit (c) || c == '+' || c == '%';
}

/* Tesseract separates CJK characters (and the numbers among them: 已售10万+)
 * with spaces that are not on screen; spaces before Latin words and
 * currency signs (到手价 ¥89) are kept. */
gchar *
gc_ocr_normalise_text (const gchar * raw)
{
  GString *s = g_string_new (NULL);
  const gchar *p;
  gunichar prev = 0;

  for (p = raw; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
    if (c == ' ') {
      const gchar *q = p;
      gunichar next = 0;

      while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
        q++;
      if (*q)
        next = g_utf8_get_char (q);
      if (prev == 0 || next == 0 || prev == ' '
          || (is_cjk (prev) && (is_cjk (next) || is_numberish (next)))
          || (is_numberish (prev) && is_cjk (next))) {
        continue;
      }
    }
    g_string_append_unichar (s, c);
    prev = c;
  }
  return g_string_free (s, FALSE);
}

typedef struct
{
  gchar *text;
  gint x1, x2, y1, y2;
  gfloat conf;
  gfloat word_conf;             /* of the word the symbol belongs to */
  gboolean word_start;
  gsize text_pos;               /* where it went in the line's text */
} Symbol;

static void
symbol_clear (gpointer p)
{
  g_free (((Symbol *) p)->text);
}

static gboolean
symbol_is_digit (const Symbol * s)
{
  return s->text[0] >= '0' && s->text[0] <= '9' && s->text[1] == '\0';
}

static gboolean
symbol_is_cjk (const Symbol * s)
{
  return s->text[0] != '\0' && is_cjk (g_utf8_get_char (s->text));
}

static gboolean
text_is_currency (const gchar * t)
{
  return g_str_equal (t, "¥") || g_str_equal (t, "￥") || g_str_equal (t, "$")
      || g_str_equal (t, "€") || g_str_equal (t, "£");
}

/* A "CJK character" no taller and no wider than the digit beside it is a
 * currency sign the line model took for one: CJK glyphs stand a quarter
 * higher and are nearly twice as wide. */
static gboolean
sign_sized (const Symbol * c, const Symbol * digit)
{
  return symbol_is_cjk (c) && symbol_is_digit (digit)
      && c->y1 >= digit->y1 - 2
      && c->y2 <= digit->y2 + 2
      && (c->x2 - c->x1) * 10 <= (digit->x2 - digit->x1) * 13;
}

/* Appends what @api recognised last, symbol by symbol, to @symbols. */
static void
collect_symbols (TessBaseAPI * api, GArray * symbols)
{
  TessResultIterator *it = TessBaseAPIGetIterator (api);
  TessPageIterator *pit;
  gfloat word_conf = 0;

  if (it == NULL)
    return;
  pit = TessResultIteratorGetPageIterator (it);
  do {
    Symbol s = { 0 };
    char *t = TessResultIteratorGetUTF8Text (it, RIL_SYMBOL);

    if (t == NULL)
      continue;
    s.text = g_strdup (t);
    TessDeleteText (t);
    TessPageIteratorBoundingBox (pit, RIL_SYMBOL, &s.x1, &s.y1, &s.x2, &s.y2);
    s.word_start = TessPageIteratorIsAtBeginningOf (pit, RIL_WORD);
    s.conf = TessResultIteratorConfidence (it, RIL_SYMBOL);
    if (s.word_start || symbols->len == 0)
      word_conf = TessResultIteratorConfidence (it, RIL_WORD);
    s.word_conf = word_conf;
    g_array_append_val (symbols, s);
  } while (TessPageIteratorNext (pit, RIL_SYMBOL));
  TessResultIteratorDelete (it);
}

/* What chi_sim+eng makes of a currency sign in front of digits: ¥ as
 * Y/#/关, $ as S/§/£, € as E/C.  The eng re-read decides what it was. */
static gboolean
symbol_is_currencyish (const Symbol * s)
{
  static const gchar *const forms[] = {
    "¥", "￥", "$", "€", "£", "Y", "y", "#", "关", "羊", "半", "S", "s", "§",
    "E", "C", "e", NULL
  };
  guint i;

  for (i = 0; forms[i]; i++)
    if (g_str_equal (s->text, forms[i]))
      return TRUE;
  return FALSE;
}

/* Separators inside a number, and what the line engine makes of them. */
static gboolean
symbol_is_digit_punct (const Symbol * s)
{
  return g_str_equal (s->text, ".") || g_str_equal (s->text, ",")
      || g_str_equal (s->text, ";") || g_str_equal (s->text, "，")
      || g_str_equal (s->text, "。");
}

/* Letters the line engine puts inside numbers ("¥I1L29" for ¥129). */
static gboolean
symbol_is_digit_lookalike (const Symbol * s)
{
  /* A symbol emptied by a re-read ("") is none (strchr would find its
   * terminator). */
  return s->text[0] != '\0' && s->text[1] == '\0'
      && strchr ("IlL|Oo", s->text[0]) != NULL;
}

static gint
compare_ints (gconstpointer a, gconstpointer b)
{
  return *(const gint *) a - *(const gint *) b;
}

static gboolean
has_digit (const gchar * s)
{
  for (; *s; s++)
    if (*s >= '0' && *s <= '9')
      return TRUE;
  return FALSE;
}

/* The eng re-read costs ~3 ms per number; it is skipped where it cannot
 * help: every symbol of the run read with high confidence, a real sign,
 * nothing but digits and separators after it. */
#define CERTAIN_SYMBOL_CONFIDENCE 95.0f

static gboolean
run_is_certain (GArray * symbols, gint first, gint last, gint gap_left)
{
  const Symbol *a = &g_array_index (symbols, Symbol, first);
  gint k;

  /* Without a sign the re-read is what finds one chi_sim dropped. */
  if (gap_left >= 0 || !(g_str_equal (a->text, "¥")
          || g_str_equal (a->text, "$") || g_str_equal (a->text, "€")))
    return FALSE;
  for (k = first; k <= last; k++) {
    const Symbol *s = &g_array_index (symbols, Symbol, k);

    if (k > first && !symbol_is_digit (s) && !g_str_equal (s->text, ".")
        && !g_str_equal (s->text, ","))
      return FALSE;
    if (s->conf < CERTAIN_SYMBOL_CONFIDENCE)
      return FALSE;
  }
  return TRUE;
}

/* Re-reads symbols [first, last] (a digit run with its currency sign) with
 * the eng engine and its whitelist.  Returns the replacement text, or NULL
 * to keep the first reading. */
/* The LSTM's symbol boxes are approximate (a 5 may get its neighbour's
 * height); the heights compared below come from the ink in the symbol's
 * columns instead. */
static void
refine_symbol_rows (GArray * symbols, PIX * pix)
{
  gint w = pixGetWidth (pix), h = pixGetHeight (pix), wpl = pixGetWpl (pix);
  l_uint32 *data = pixGetData (pix);
  guint i;

  for (i = 0; i < symbols->len; i++) {
    Symbol *s = &g_array_index (symbols, Symbol, i);
    gint x0 = MAX (0, s->x1 + 1), x1 = MIN (w - 1, s->x2 - 1), x, y;
    gint top = -1, bottom = -1;

    for (y = 0; y < h && top < 0; y++)
      for (x = x0; x <= x1; x++)
        if (GET_DATA_BIT (data + (gsize) y * wpl, x)) {
          top = y;
          break;
        }
    for (y = h - 1; y >= 0 && bottom < 0; y--)
      for (x = x0; x <= x1; x++)
        if (GET_DATA_BIT (data + (gsize) y * wpl, x)) {
          bottom = y;
          break;
        }
    if (top >= 0) {
      s->y1 = top;
      s->y2 = bottom;
    }
  }
}

/* chi_sim+eng reads a $ as 5, S or § often, and a 5 as $ sometimes; the
 * eng re-read does not always fix it.  Of the glyphs found before prices
 * only $ reaches above and below the digits (its vertical bar), so the
 * symbol's height in front of a digit run decides. */
static void
repair_dollars (GArray * symbols)
{
  gint k, j;

  for (k = 0; k + 2 < (gint) symbols->len; k++) {
    Symbol *c = &g_array_index (symbols, Symbol, k);
    const Symbol *prev = k > 0 ? &g_array_index (symbols, Symbol, k - 1) : NULL;
    gint tops[16], bottoms[16], n = 0, top, bottom, tol;

    if (!(symbol_is_digit (c) || g_str_equal (c->text, "$")
            || g_str_equal (c->text, "S")
            || g_str_equal (c->text, "s") || g_str_equal (c->text, "§")
            || g_str_equal (c->text, "£")))
      continue;
    if (prev && (symbol_is_digit (prev) || symbol_is_digit_punct (prev)))
      continue;
    for (j = k + 1; j < (gint) symbols->len && n < 16; j++) {
      const Symbol *d = &g_array_index (symbols, Symbol, j);
      if (symbol_is_digit (d)) {
        tops[n] = d->y1;
        bottoms[n] = d->y2;
        n++;
      } else if (!symbol_is_digit_punct (d)) {
        break;
      }
    }
    if (n < 2)
      continue;
    /* The digits' common top and bottom: the median. */
    qsort (tops, n, sizeof (gint), compare_ints);
    qsort (bottoms, n, sizeof (gint), compare_ints);
    top = tops[n / 2];
    bottom = bottoms[n / 2];
    tol = MAX (2, (bottom - top) / 10);
    if (c->y1 <= top - tol && c->y2 >= bottom + tol) {
      g_free (c->text);
      c->text = g_strdup ("$");
    } else if (g_str_equal (c->text, "$") && c->y1 >= top - 1
        && c->y2 <= bottom + 1) {
      /* And a "$" no taller than the digits is a 5 ("月销5000+"). */
      g_free (c->text);
      c->text = g_strdup ("5");
    }
  }
}

static gchar *
reread_numeric (GcOcrEngine * engine, PIX * pix, GArray * symbols, gint first,
    gint last, gint left)
{
  Symbol *a = &g_array_index (symbols, Symbol, first);
  Symbol *b = &g_array_index (symbols, Symbol, last);
  gint margin = engine->text_height / 4;
  gint x1 = left >= 0 ? left : MAX (0, a->x1 - margin);
  gint x2 = MIN ((gint) pixGetWidth (pix), b->x2 + margin);
  g_autofree gchar *raw = NULL;
  gint conf;

  TessBaseAPISetImage2 (engine->num, pix);
  TessBaseAPISetRectangle (engine->num, x1, 0, x2 - x1, pixGetHeight (pix));
  if (engine->num == engine->alt)
    TessBaseAPISetVariable (engine->num, "tessedit_char_whitelist",
        NUMERIC_WHITELIST);
  {
    /* Tesseract allocates with new[]: its own TessDeleteText frees it. */
    char *t = TessBaseAPIGetUTF8Text (engine->num);

    if (t != NULL) {
      raw = g_strdup (t);
      TessDeleteText (t);
    }
  }
  conf = TessBaseAPIMeanTextConf (engine->num);
  if (engine->num == engine->alt)
    TessBaseAPISetVariable (engine->num, "tessedit_char_whitelist", "");
  if (raw == NULL)
    return NULL;
  g_strstrip (raw);
  if (GC_OCR_DEBUG)
    g_printerr ("eng re-read %d..%d: \"%s\" conf %d\n", x1, x2, raw, conf);
  if (!has_digit (raw))
    return NULL;
  /* A confident re-read wins if it saw as many digits (the margins may
   * catch a neighbour: "500ml" must not become "5001"); an unsure one is
   * still taken when it agrees with the first reading on the digits (it
   * then adds the sign, which chi_sim misreads). */
  {
    g_autoptr (GString) first_digits = g_string_new (NULL);
    g_autoptr (GString) re_digits = g_string_new (NULL);
    gint k;
    const gchar *p;

    for (k = first; k <= last; k++) {
      const gchar *t = g_array_index (symbols, Symbol, k).text;
      if (*t >= '0' && *t <= '9')
        g_string_append (first_digits, t);
    }
    for (p = raw; *p; p++)
      if (*p >= '0' && *p <= '9')
        g_string_append_c (re_digits, *p);
    if (first_digits->len != re_digits->len)
      return NULL;
    if (conf < 50 && !g_string_equal (first_digits, re_digits))
      return NULL;
  }
  /* Spaces inside a number are segmentation noise; a separator after the
   * last digit is the margin's neighbour ("+" forced into the whitelist). */
  {
    GString *compact = g_string_new (NULL);
    const gchar *p;

    for (p = raw; *p; p++)
      if (*p != ' ')
        g_string_append_c (compact, *p);
    while (compact->len > 0 && (compact->str[compact->len - 1] == '.'
            || compact->str[compact->len - 1] == ','))
      g_string_truncate (compact, compact->len - 1);
    return g_string_free (compact, FALSE);
  }
}

/* chi_sim+eng sometimes reads a short Chinese label beside a price as
 * Latin junk ("原价 ¥129" as "IR} ¥129", at some text sizes), which turns
 * an "original" price into a current one.  Read alone, the same span reads
 * right.  So a short, unsure, all-ASCII word right before a price is read
 * again on its own, and the re-read is kept only when it is Chinese and
 * surer. */
static gboolean
word_is_cjk (GArray * symbols, gint first, gint end)
{
  for (gint k = first; k < end; k++) {
    const gchar *t = g_array_index (symbols, Symbol, k).text;
    for (const gchar * p = t; *p; p = g_utf8_next_char (p))
      if (is_cjk (g_utf8_get_char (p)))
        return TRUE;
  }
  return FALSE;
}

/* Reads symbols first..end-1 (one word) again, alone, with the line
 * engine; replaces them when the re-read is Chinese and surer (and, with
 * @same_length, has as many characters). */
static void
reread_word (GcOcrEngine * engine, PIX * pix, GArray * symbols, gint first,
    gint end, gboolean same_length)
{
  Symbol *a = &g_array_index (symbols, Symbol, first);
  const Symbol *b = &g_array_index (symbols, Symbol, end - 1);
  gint x1 = MAX (0, a->x1 - 2);
  gint x2 = MIN ((gint) pixGetWidth (pix), b->x2 + 2);
  char *t;

  TessBaseAPISetRectangle (engine->api, x1, 0, x2 - x1, pixGetHeight (pix));
  t = TessBaseAPIGetUTF8Text (engine->api);
  if (t == NULL)
    return;
  g_autofree gchar *raw = g_strdup (t);
  gint reconf = TessBaseAPIMeanTextConf (engine->api);
  TessDeleteText (t);
  g_strstrip (raw);
  gboolean cjk = FALSE;
  for (const gchar * p = raw; *p; p = g_utf8_next_char (p))
    if (is_cjk (g_utf8_get_char (p)))
      cjk = TRUE;
  if (GC_OCR_DEBUG)
    g_printerr ("label re-read %d..%d: \"%s\" conf %d (was %.0f)\n", x1, x2,
        raw, reconf, a->word_conf);
  if (!cjk || reconf <= a->word_conf)
    return;
  if (same_length) {
    /* Without what the margins caught of the neighbours (a ":"). */
    gchar *e = raw + strlen (raw);

    while (e > raw && g_ascii_ispunct (e[-1]))
      *--e = '\0';
    if (g_utf8_strlen (raw, -1) != end - first)
      return;
  }
  g_free (a->text);
  a->text = g_strdup (raw);
  for (gint k = first + 1; k < end; k++) {
    Symbol *sym = &g_array_index (symbols, Symbol, k);
    g_free (sym->text);
    sym->text = g_strdup ("");
  }
}

/* chi_sim+eng sometimes reads a short Chinese label beside a price as
 * Latin junk ("原价 ¥129" as "IR} ¥129", at some text sizes), which turns
 * an "original" price into a current one.  Read alone, the same span reads
 * right.  So short, unsure, all-ASCII words right before a price (or
 * before a Chinese word that is) are read again on their own, right to
 * left, and a re-read is kept only when it is Chinese and surer. */
static void
reread_label_before_price (GcOcrEngine * engine, PIX * pix, GArray * symbols)
{
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint));
  gint n = symbols->len;

  for (gint k = 0; k < n; k++)
    if (k == 0 || g_array_index (symbols, Symbol, k).word_start)
      g_array_append_val (starts, k);

  gboolean before_price = FALSE;        /* the word to the right leads to one */
  for (gint w = (gint) starts->len - 1; w >= 0; w--) {
    gint first = g_array_index (starts, gint, w);
    gint end = w + 1 < (gint) starts->len
        ? g_array_index (starts, gint, w + 1) : n;
    const Symbol *next = end < n ? &g_array_index (symbols, Symbol, end) : NULL;

    if (next && (symbol_is_digit (next) || g_str_equal (next->text, "¥")
            || g_str_equal (next->text, "￥")))
      before_price = TRUE;

    gboolean latin = end - first <= 5;
    for (gint k = first; k < end && latin; k++) {
      const gchar *t = g_array_index (symbols, Symbol, k).text;
      latin = t[0] != 0 && (guchar) t[0] < 0x80 && t[1] == 0
          && !(t[0] >= '0' && t[0] <= '9');
    }
    if (before_price && latin
        && g_array_index (symbols, Symbol, first).word_conf < 60)
      reread_word (engine, pix, symbols, first, end, FALSE);
    /* Only a Chinese label carries the price context further left. */
    if (!word_is_cjk (symbols, first, end))
      before_price = FALSE;
  }
}

/* The CJK model alone sometimes misreads a short Chinese label before a
 * price over moving colours ("硕价 ¥129" for 原价 ¥129, which makes the
 * original price a current one); read alone, it reads right.  The up to 4
 * Chinese characters right before a price are read again when the model
 * was unsure of their words, and the re-read kept when it is Chinese, as
 * long and surer. */
static void
reread_cjk_labels (GcOcrEngine * engine, PIX * pix, GArray * symbols)
{
  for (gint k = 1; k < (gint) symbols->len; k++) {
    const Symbol *s = &g_array_index (symbols, Symbol, k);
    gint first = k - 1;
    gfloat conf = 100;

    if (!symbol_is_digit (s) && !text_is_currency (s->text))
      continue;
    if (!symbol_is_cjk (&g_array_index (symbols, Symbol, first)))
      continue;
    while (first > 0 && k - first < 4
        && symbol_is_cjk (&g_array_index (symbols, Symbol, first - 1)))
      first--;
    for (gint j = first; j < k; j++)
      conf = MIN (conf, g_array_index (symbols, Symbol, j).word_conf);
    if (conf < 60) {
      /* reread_word compares with the first symbol's word. */
      g_array_index (symbols, Symbol, first).word_conf = conf;
      reread_word (engine, pix, symbols, first, k, TRUE);
    }
  }
}

/* Latin runs the CJK model read with every symbol at least this sure, and
 * nothing but a sign and digits in them, are not read again. */
#define LATIN_CERTAIN 95.0f
/* The other model's reading of a run replaces the CJK model's unless that
 * one is surer by more than this many confidence points (mean over the
 * run): RUN_MARGIN when there are digits, WORD_MARGIN for words alone. */
#define RUN_MARGIN 2
#define WORD_MARGIN 5
/* A digit the two read differently is the other model's only when it is
 * surer of it by more than this. */
#define DIGIT_MARGIN 3

/* A digit (or separator) the two models read differently goes to the
 * model of the line's script unless the other is surer of it by more than
 * DIGIT_MARGIN: @c, the CJK model's, replaces @e, the other's, in a line
 * with Chinese (@cjk_line); in a Latin line the other model keeps it. */
static void
vote (const Symbol * c, Symbol * e, gboolean cjk_line)
{
  if (g_str_equal (c->text, e->text))
    return;
  if (cjk_line ? c->conf + DIGIT_MARGIN >= e->conf
      : c->conf > e->conf + DIGIT_MARGIN) {
    g_free (e->text);
    e->text = g_strdup (c->text);
    e->conf = c->conf;
  }
}

/* Reads symbols [first, last] again with the other languages' model, over
 * their span widened by a quarter of the text height (a whole one at the
 * line's ends), or to the neighbour where the gap is wide (it may hold a
 * sign the CJK model dropped: "限时 ¥9.90" read "限时9.90").  Replaces
 * them, and returns how many symbols took their place, when the re-read
 * wins; 0 otherwise.  With @sign_left / @sign_right the first / last
 * symbol is a CJK character that may be a currency sign: the re-read must
 * see one there. */
static gint
reread_run (GcOcrEngine * engine, PIX * pix, GArray * symbols, gint first,
    gint last, gboolean sign_left, gboolean sign_right, gboolean cjk_line)
{
  gint n = symbols->len, th = engine->text_height;
  const Symbol *a = &g_array_index (symbols, Symbol, first);
  const Symbol *b = &g_array_index (symbols, Symbol, last);
  gint x1 = a->x1 - th / 4, x2 = b->x2 + th / 4, lo, hi;
  gfloat sum = 0, resum = 0, mean, remean;
  g_autoptr (GArray) re = g_array_new (FALSE, TRUE, sizeof (Symbol));
  g_autoptr (GArray) cd = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr (GArray) ed = g_array_new (FALSE, FALSE, sizeof (gint));

  g_array_set_clear_func (re, symbol_clear);
  if (first > 0) {
    gint px2 = g_array_index (symbols, Symbol, first - 1).x2 + 1;
    if (a->x1 - px2 > th / 2)
      x1 = px2;
  } else {
    x1 = a->x1 - th;
  }
  if (last + 1 < n) {
    gint nx1 = g_array_index (symbols, Symbol, last + 1).x1 - 1;
    if (nx1 - b->x2 > th / 2)
      x2 = nx1;
  } else {
    x2 = b->x2 + th;
  }
  x1 = MAX (0, x1);
  x2 = MIN ((gint) pixGetWidth (pix), x2);
  if (x2 - x1 < 4)
    return 0;

  TessBaseAPISetRectangle (engine->alt, x1, 0, x2 - x1, pixGetHeight (pix));
  if (TessBaseAPIRecognize (engine->alt, NULL) != 0)
    return 0;
  engine->alt_reads++;
  collect_symbols (engine->alt, re);

  /* What the re-read saw beyond the run's ends (a quarter of the text
   * height of slack: the CJK model's boxes are approximate) is not the
   * run's: a neighbour's edge, or noise in a gap between words ("500ml
   * 8限时").  Only a sign is taken from there, and whatever the line's own
   * ends hold. */
  lo = first == 0 ? x1 : a->x1 - th / 4;
  hi = last + 1 == n ? x2 : b->x2 + th / 4;
  for (gint k = (gint) re->len - 1; k >= 0; k--) {
    Symbol *r = &g_array_index (re, Symbol, k);
    gint c = (r->x1 + r->x2) / 2;

    if ((c < lo || c > hi) && !text_is_currency (r->text)) {
      gboolean start = r->word_start;

      g_array_remove_index (re, k);
      if (start && k < (gint) re->len)
        g_array_index (re, Symbol, k).word_start = TRUE;
    } else {
      resum += r->conf;
    }
  }
  for (gint k = first; k <= last; k++)
    sum += g_array_index (symbols, Symbol, k).conf;
  mean = sum / (last - first + 1);
  remean = re->len ? resum / re->len : -1;
  if (GC_OCR_DEBUG) {
    g_autoptr (GString) was = g_string_new (NULL);
    g_autoptr (GString) now = g_string_new (NULL);

    for (gint k = first; k <= last; k++)
      g_string_append (was, g_array_index (symbols, Symbol, k).text);
    for (guint k = 0; k < re->len; k++)
      g_string_append (now, g_array_index (re, Symbol, k).text);
    g_printerr ("latin re-read %d..%d: \"%s\" conf %.0f (was \"%s\" %.0f)\n",
        x1, x2, now->str, remean, was->str, mean);
  }
  if (re->len == 0)
    return 0;
  if (sign_left && !text_is_currency (g_array_index (re, Symbol, 0).text))
    return 0;
  if (sign_right
      && !text_is_currency (g_array_index (re, Symbol, re->len - 1).text))
    return 0;

  /* With as many digits in both readings, each digit (and a separator
   * between two) is voted on (vote(): eng reads 9 as 5 at some sizes,
   * chi_sim 2 as 0).  With more digits in the re-read around the first
   * reading's, the extra ones are the neighbours' edges ("2.3万" re-read
   * "2.35"), unless the first had a letter there ("YL29"): the first
   * reading stays.  With other differences (chi_sim reads a $ or € as a
   * digit: "Was520.99"), the reading surer by a margin wins, eng on a
   * tie. */
  g_autoptr (GString) cdigits = g_string_new (NULL);
  g_autoptr (GString) edigits = g_string_new (NULL);
  gboolean lookalike = FALSE;
  for (gint k = first; k <= last; k++) {
    const Symbol *c = &g_array_index (symbols, Symbol, k);

    lookalike |= symbol_is_digit_lookalike (c);
    if (symbol_is_digit (c)) {
      g_array_append_val (cd, k);
      g_string_append (cdigits, c->text);
    }
  }
  for (gint k = 0; k < (gint) re->len; k++)
    if (symbol_is_digit (&g_array_index (re, Symbol, k))) {
      g_array_append_val (ed, k);
      g_string_append (edigits, g_array_index (re, Symbol, k).text);
    }
  if (cd->len > 0 && ed->len > cd->len && !lookalike
      && strstr (edigits->str, cdigits->str) != NULL)
    return 0;
  if (cd->len == ed->len && cd->len > 0) {
    for (guint i = 0; i < cd->len; i++) {
      gint ci = g_array_index (cd, gint, i), ei = g_array_index (ed, gint, i);

      vote (&g_array_index (symbols, Symbol, ci), &g_array_index (re, Symbol,
              ei), cjk_line);
      /* And the separator after the digit, "9.90" read "9,90". */
      if (i + 1 < cd->len && g_array_index (cd, gint, i + 1) == ci + 2
          && g_array_index (ed, gint, i + 1) == ei + 2
          && symbol_is_digit_punct (&g_array_index (symbols, Symbol, ci + 1))
          && symbol_is_digit_punct (&g_array_index (re, Symbol, ei + 1)))
        vote (&g_array_index (symbols, Symbol, ci + 1),
            &g_array_index (re, Symbol, ei + 1), cjk_line);
    }
  } else if (remean + (cd->len + ed->len ? RUN_MARGIN : WORD_MARGIN) < mean) {
    return 0;
  }

  g_array_index (re, Symbol, 0).word_start = a->word_start;
  g_array_remove_range (symbols, first, last - first + 1);
  /* The symbols move into @symbols: @re must not free their text. */
  g_array_set_clear_func (re, NULL);
  g_array_insert_vals (symbols, first, re->data, re->len);
  return re->len;
}

/* The CJK model read the line; the runs of other symbols in it (letters,
 * digits, signs) are read again by the other languages' model, which
 * knows them better. */
static void
reread_latin_runs (GcOcrEngine * engine, PIX * pix, GArray * symbols,
    gboolean cjk_line)
{
  gboolean image_set = FALSE;
  gint a = 0;

  while (a < (gint) symbols->len) {
    gint n = symbols->len, b, first, last, done = 0;
    gfloat min = 100;
    gboolean letters = FALSE, wanted = FALSE, left, right;

    if (symbol_is_cjk (&g_array_index (symbols, Symbol, a))
        || g_array_index (symbols, Symbol, a).text[0] == '\0') {
      a++;
      continue;
    }
    for (b = a; b + 1 < n; b++) {
      const Symbol *s = &g_array_index (symbols, Symbol, b + 1);

      if (symbol_is_cjk (s) || s->text[0] == '\0')
        break;
    }
    for (gint k = a; k <= b; k++) {
      const Symbol *s = &g_array_index (symbols, Symbol, k);

      min = MIN (min, s->conf);
      if (g_ascii_isalpha (s->text[0]) || g_str_equal (s->text, "#"))
        letters = TRUE;
      if (g_ascii_isalnum (s->text[0]) || text_is_currency (s->text)
          || g_str_equal (s->text, "#"))
        wanted = TRUE;
    }
    /* A sign the CJK model took for a character of its own next to the
     * digits ("49,90 所" for 49,90 €, "闻59.9" for ¥59.9). */
    left = a > 0 && sign_sized (&g_array_index (symbols, Symbol, a - 1),
        &g_array_index (symbols, Symbol, a));
    right = b + 1 < n && sign_sized (&g_array_index (symbols, Symbol, b + 1),
        &g_array_index (symbols, Symbol, b));
    /* Punctuation alone is left as read; so is a sign and digits the CJK
     * model was sure of. */
    if (!wanted || (!letters && !left && !right && min >= LATIN_CERTAIN)) {
      a = b + 1;
      continue;
    }
    if (!image_set) {
      TessBaseAPISetImage2 (engine->alt, pix);
      image_set = TRUE;
    }
    first = left ? a - 1 : a;
    last = right ? b + 1 : b;
    if (left || right)
      done = reread_run (engine, pix, symbols, first, last, left, right,
          cjk_line);
    if (done == 0) {
      first = a;
      done = reread_run (engine, pix, symbols, a, b, FALSE, FALSE,
          cjk_line);
    }
    a = done > 0 ? first + done : b + 1;
  }
}

guint
gc_ocr_engine_alt_reads (GcOcrEngine * engine)
{
  return engine->alt_reads;
}

static GcOcrLine *
read_prepared (GcOcrEngine * engine, GcOcrPrepared * prep)
{
  g_autoptr (GArray) symbols = g_array_new (FALSE, TRUE, sizeof (Symbol));
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree gchar *normalised = NULL;
  GcOcrLine *line;
  gint conf, i;
  gboolean line_has_cjk;

  g_array_set_clear_func (symbols, symbol_clear);
  TessBaseAPISetImage2 (engine->api, prep->pix);
  if (TessBaseAPIRecognize (engine->api, NULL) != 0)
    return NULL;
  conf = TessBaseAPIMeanTextConf (engine->api);
  collect_symbols (engine->api, symbols);
  line_has_cjk = word_is_cjk (symbols, 0, symbols->len);
  if (engine->alt) {
    reread_latin_runs (engine, prep->pix, symbols, line_has_cjk);
    reread_cjk_labels (engine, prep->pix, symbols);
  }
  if (engine->cjk)
    reread_label_before_price (engine, prep->pix, symbols);
  refine_symbol_rows (symbols, prep->pix);
  repair_dollars (symbols);

  for (i = 0; i < (gint) symbols->len; i++) {
    Symbol *s = &g_array_index (symbols, Symbol, i);
    gint first = i, last = i, j, gap_left = -1;
    g_autofree gchar *replacement = NULL;

    if (!symbol_is_digit (s)) {
      s->text_pos = text->len;
      if (s->word_start && text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, s->text);
      continue;
    }
    /* A digit run: its currency sign, digits, separators between digits,
     * and letters misread for digits between them. */
    for (j = i - 1; j >= 0 && j >= i - 3; j--) {
      const Symbol *b = &g_array_index (symbols, Symbol, j);
      /* Or a ¥ the line engine took for a CJK character. */
      if (symbol_is_currencyish (b) || sign_sized (b, s)) {
        first = j;
        break;
      }
      if (!symbol_is_digit_lookalike (b))
        break;
    }
    for (j = i + 1; j < (gint) symbols->len; j++) {
      Symbol *n = &g_array_index (symbols, Symbol, j);
      const Symbol *after = j + 1 < (gint) symbols->len
          ? &g_array_index (symbols, Symbol, j + 1) : NULL;
      if (symbol_is_digit (n))
        last = j;
      else if (symbol_is_digit_lookalike (n) && after && symbol_is_digit (after))
        continue;
      else if (!symbol_is_digit_punct (n))
        break;
    }
    /* chi_sim sometimes drops a ¥ altogether, leaving a wide gap before
     * the digits or folding it into the box of the character before (one
     * CJK character is about as wide as the text is high) or of the first
     * digit.  That stretch
     * is re-read too, and a sign found there is kept. */
    if (first == i) {
      const Symbol *prev = i > 0 ? &g_array_index (symbols, Symbol, i - 1) : NULL;
      gint prev_x2 = prev ? prev->x2 : 0;

      const Symbol *next = i + 1 <= last
          ? &g_array_index (symbols, Symbol, i + 1) : NULL;

      if (s->x1 - prev_x2 > engine->text_height / 2)
        gap_left = prev_x2 + 2;
      else if (next && symbol_is_digit (next)
          && (s->x2 - s->x1) * 10 > (next->x2 - next->x1) * 16)
        gap_left = MAX (0, s->x1 - 2);  /* "¥8" boxed as one wide "8" */
      else if (prev && is_cjk (g_utf8_get_char (prev->text))
          && (prev->x2 - prev->x1) * 10 > engine->text_height * 13)
        gap_left = prev->x1 + engine->text_height;
    }
    if (engine->num && !run_is_certain (symbols, first, last, gap_left))
      replacement = reread_numeric (engine, prep->pix, symbols, first, last,
          gap_left);
    if (GC_OCR_DEBUG)
      g_printerr ("numeric run %d..%d (sign \"%s\"): re-read \"%s\"\n", first,
          last, g_array_index (symbols, Symbol, first).text,
          replacement ? replacement : "(kept)");

    if (first < i) {
      Symbol *cur = &g_array_index (symbols, Symbol, first);
      /* The sign (and what followed it) is already in @text; take it back
       * to rewrite it. */
      g_string_truncate (text, cur->text_pos);
      if (cur->word_start && text->len > 0)
        g_string_append_c (text, ' ');
      if (replacement && !(replacement[0] >= '0' && replacement[0] <= '9')) {
        /* The eng re-read saw the sign itself. */
      } else {
        const gchar *sign = cur->text;
        /* In a Chinese line a Y/#/关 before digits is the yuan sign. */
        if (g_str_equal (sign, "§"))
          sign = "$";
        else if (g_str_equal (sign, "E") || g_str_equal (sign, "C")
            || g_str_equal (sign, "e") || g_str_equal (sign, "S")
            || g_str_equal (sign, "s") || !symbol_is_currencyish (cur))
          ;                     /* unconfirmed: as read */
        else if (!g_str_equal (sign, "$") && !g_str_equal (sign, "€")
            && !g_str_equal (sign, "£") && (line_has_cjk || engine->cjk
                || g_str_equal (sign, "￥")))
          sign = "¥";
        g_string_append (text, sign);
        if (replacement == NULL)
          for (j = first + 1; j < i; j++)
            g_string_append (text, g_array_index (symbols, Symbol, j).text);
      }
    } else if (s->word_start && text->len > 0) {
      g_string_append_c (text, ' ');
    }
    if (replacement) {
      const gchar *r = replacement;
      /* Without a sign in the first reading, one seen by the re-read is
       * the margin's neighbour, not part of the number. */
      if (first == i && gap_left < 0)
        while (*r && !(*r >= '0' && *r <= '9'))
          r++;
      g_string_append (text, r);
    } else {
      for (j = i; j <= last; j++)
        g_string_append (text, g_array_index (symbols, Symbol, j).text);
    }
    i = last;
  }

  normalised = gc_ocr_normalise_text (text->str);
  if (GC_OCR_DEBUG)
    g_printerr ("line \"%s\"\n", text->str);
  if (*normalised == '\0')
    return NULL;
  line = g_new0 (GcOcrLine, 1);
  line->text = g_steal_pointer (&normalised);
  line->box = prep->ink_box;
  line->confidence = CLAMP (conf, 0, 100) / 100.0f;
  line->struck = prep->struck;
  return line;
}

/* Reads a prepared line; with GC_OCR_DEBUG_DIR, keeps what Tesseract saw. */
GcOcrLine *
gc_ocr_tess_read_line (GcOcrEngine * engine, GcOcrPrepared * prep,
    const GcOcrBox * box)
{
  GcOcrLine *line = read_prepared (engine, prep);

  if (GC_OCR_DEBUG) {
    /* What Tesseract saw, for tuning the preparation. */
    static gint count;
    g_autofree gchar *name = g_strdup_printf ("%s/line-%04d-%d-%d.png",
        gc_ocr_debug_dir (), g_atomic_int_add (&count, 1), box->x,
        box->y);
    pixWrite (name, prep->pix, IFF_PNG);
  }
  return line;
}
