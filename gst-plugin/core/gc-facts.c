/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: from one OCR'd line to typed facts.
 *
 * A line goes through four stages:
 *
 *  1. clean: cap the work to the first MAX_LINE_BYTES bytes, make it valid
 *     UTF-8, drop markup tags and decode entities, gc_text_fold() it (NFKC
 *     turns full-width digits and ￥ into ASCII and ¥, everything is lower
 *     case, white space is one ASCII space) and hold it as code points;
 *  2. tokenize: lexemes from one table (price, reference, sales, counter
 *     and discount keywords, currencies), numbers with the OCR repairs
 *     measured in DESIGN.md, Latin words, single characters, spaces;
 *  3. rules over the tokens, left to right: a number is dropped when it is
 *     part of a date, time, phone number, ratio, percentage, quantity,
 *     code, counter or discount; otherwise it is a sales figure when a
 *     sales word stands next to it, or a price when a currency stands next
 *     to it or a price keyword came shortly before it;
 *  4. the rule pack's term lists and the catalog's names are matched
 *     against the whole folded line.
 *
 * False prices are worse than missed ones: a missed price only delays a
 * check by a frame, an invented one raises a violation against a seller
 * who did nothing wrong.  So every doubtful number is dropped.
 */
#include "gc-facts.h"
#include "gc-text.h"

#include <math.h>
#include <string.h>

/* OCR lines are a few dozen characters; anything much longer is garbage or
 * hostile, and the work below must stay bounded per frame. */
#define MAX_LINE_BYTES 4096
#define MAX_LINE_CHARS 4096
/* Approximate name matching costs name length times line length: only for
 * lines a caption could really be. */
#define MAX_FUZZY_LINE_CHARS 256
#define MAX_FUZZY_NAME_CHARS 128
#define MIN_FUZZY_NAME_CHARS 3
#define FUZZY_SIMILARITY 0.8
/* Code points between the end of a price keyword and the number it
 * announces ("到手价 限时 ¥99", "deal of the day 19.99"). */
#define KEYWORD_REACH 12
/* More digits than this before the decimal point is no price or count
 * anyone shows; it also keeps every value far from overflow. */
#define MAX_PRICE_INT_DIGITS 15
#define MAX_SALES_INT_DIGITS 12
/* A run of this many digits without separators or currency is a phone,
 * order or tracking number. */
#define PHONE_MIN_DIGITS 7

typedef enum
{
  LEX_PRICE,                    /* announces a current price */
  LEX_PRICE_WEAK,               /* "for": "2 for 1" must not make a price of 1 */
  LEX_REFERENCE,                /* announces an "original" price */
  LEX_SALES,                    /* a sales word before or after the figure */
  LEX_SALES_BEFORE,
  LEX_SALES_AFTER,
  LEX_NOT_PRICE,                /* counters, ranks, codes, audience, phones */
  LEX_DISCOUNT,                 /* before an amount off: 立减, 满, save, over */
  LEX_DISCOUNT_NOUN,            /* before or after it: 优惠券, 运费, off, coupon */
  LEX_CURRENCY,                 /* before or after the amount */
  LEX_CURRENCY_BEFORE,
  LEX_CURRENCY_AFTER,
} LexClass;

typedef struct
{
  const gchar *text;            /* as gc_text_fold() leaves it */
  LexClass cls;
  const gchar *currency;        /* ISO code for the currency classes */
} Lexeme;

/* Where two entries overlap, the longest one at a position wins
 * ("券后价" over "券", "零售价" over "售价", "美元" over "元"), so
 * compounds are listed for what they mean as a whole. */
static const Lexeme lexemes[] = {
  /* current price */
  {"到手价", LEX_PRICE}, {"到手", LEX_PRICE}, {"现价", LEX_PRICE},
  {"售价", LEX_PRICE}, {"价格", LEX_PRICE}, {"秒杀价", LEX_PRICE},
  {"秒杀", LEX_PRICE}, {"直播价", LEX_PRICE}, {"直播间价", LEX_PRICE},
  {"券后价", LEX_PRICE}, {"券后", LEX_PRICE}, {"活动价", LEX_PRICE},
  {"特价", LEX_PRICE}, {"仅需", LEX_PRICE}, {"只需", LEX_PRICE},
  {"只要", LEX_PRICE}, {"仅售", LEX_PRICE}, {"折后价", LEX_PRICE},
  {"优惠价", LEX_PRICE}, {"抢购价", LEX_PRICE}, {"团购价", LEX_PRICE},
  {"会员价", LEX_PRICE}, {"拼团价", LEX_PRICE}, {"福利价", LEX_PRICE},
  {"限时价", LEX_PRICE}, {"惊喜价", LEX_PRICE}, {"粉丝价", LEX_PRICE},
  {"专享价", LEX_PRICE}, {"预售价", LEX_PRICE}, {"首发价", LEX_PRICE},
  {"now", LEX_PRICE}, {"only", LEX_PRICE}, {"price", LEX_PRICE},
  {"sale", LEX_PRICE}, {"sale price", LEX_PRICE}, {"deal", LEX_PRICE},
  {"deal price", LEX_PRICE}, {"just", LEX_PRICE}, {"our price", LEX_PRICE},
  {"your price", LEX_PRICE}, {"special price", LEX_PRICE},
  {"offer price", LEX_PRICE}, {"jetzt", LEX_PRICE}, {"nur", LEX_PRICE},
  {"preis", LEX_PRICE}, {"prix", LEX_PRICE},
  {"for", LEX_PRICE_WEAK},
  /* reference ("original") price */
  {"原价", LEX_REFERENCE}, {"划线价", LEX_REFERENCE},
  {"市场价", LEX_REFERENCE}, {"专柜价", LEX_REFERENCE},
  {"吊牌价", LEX_REFERENCE}, {"日常价", LEX_REFERENCE},
  {"参考价", LEX_REFERENCE}, {"建议零售价", LEX_REFERENCE},
  {"成交价", LEX_PRICE},
  {"厂商建议零售价", LEX_REFERENCE}, {"厂家建议零售价", LEX_REFERENCE},
  {"零售价", LEX_REFERENCE}, {"门市价", LEX_REFERENCE},
  {"门店价", LEX_REFERENCE}, {"指导价", LEX_REFERENCE},
  {"was", LEX_REFERENCE}, {"orig", LEX_REFERENCE},
  {"original", LEX_REFERENCE}, {"original price", LEX_REFERENCE},
  {"rrp", LEX_REFERENCE}, {"list", LEX_REFERENCE},
  {"list price", LEX_REFERENCE}, {"reg", LEX_REFERENCE},
  {"regular", LEX_REFERENCE}, {"regular price", LEX_REFERENCE},
  {"retail price", LEX_REFERENCE}, {"msrp", LEX_REFERENCE},
  {"suggested retail price", LEX_REFERENCE},
  {"manufacturer's suggested retail price", LEX_REFERENCE},
  {"compare at", LEX_REFERENCE}, {"compare-at", LEX_REFERENCE},
  {"compare at price", LEX_REFERENCE}, {"uvp", LEX_REFERENCE},
  {"statt", LEX_REFERENCE},
  /* sales and popularity claims */
  {"已售", LEX_SALES}, {"已卖", LEX_SALES}, {"已抢", LEX_SALES},
  {"已拼", LEX_SALES}, {"已买", LEX_SALES}, {"已购", LEX_SALES},
  {"已购买", LEX_SALES}, {"售出", LEX_SALES}, {"卖出", LEX_SALES},
  {"已售出", LEX_SALES}, {"已卖出", LEX_SALES}, {"已抢购", LEX_SALES},
  {"已付款", LEX_SALES}, {"已下单", LEX_SALES}, {"已团", LEX_SALES},
  {"sold", LEX_SALES}, {"orders", LEX_SALES}, {"sales", LEX_SALES},
  {"销量", LEX_SALES_BEFORE}, {"月销", LEX_SALES_BEFORE},
  {"月销量", LEX_SALES_BEFORE}, {"周销量", LEX_SALES_BEFORE},
  {"年销量", LEX_SALES_BEFORE}, {"总销量", LEX_SALES_BEFORE},
  {"累计销量", LEX_SALES_BEFORE}, {"累计销售", LEX_SALES_BEFORE},
  {"累计售出", LEX_SALES_BEFORE}, {"热销", LEX_SALES_BEFORE},
  {"bought by", LEX_SALES_BEFORE},
  {"付款", LEX_SALES_AFTER}, {"购买", LEX_SALES_AFTER},
  {"买过", LEX_SALES_AFTER}, {"拼单", LEX_SALES_AFTER},
  {"下单", LEX_SALES_AFTER}, {"成交", LEX_SALES_AFTER},
  {"抢购", LEX_SALES_AFTER}, {"bought", LEX_SALES_AFTER},
  {"purchased", LEX_SALES_AFTER}, {"purchases", LEX_SALES_AFTER},
  /* numbers that are neither prices nor sales */
  {"第", LEX_NOT_PRICE}, {"剩余", LEX_NOT_PRICE}, {"仅剩", LEX_NOT_PRICE},
  {"还剩", LEX_NOT_PRICE}, {"只剩", LEX_NOT_PRICE}, {"库存", LEX_NOT_PRICE},
  {"在线", LEX_NOT_PRICE}, {"观看", LEX_NOT_PRICE}, {"在看", LEX_NOT_PRICE},
  {"人气", LEX_NOT_PRICE}, {"围观", LEX_NOT_PRICE}, {"点赞", LEX_NOT_PRICE},
  {"粉丝", LEX_NOT_PRICE}, {"关注", LEX_NOT_PRICE}, {"想要", LEX_NOT_PRICE},
  {"倒计时", LEX_NOT_PRICE}, {"限购", LEX_NOT_PRICE},
  {"限量", LEX_NOT_PRICE}, {"排名", LEX_NOT_PRICE}, {"排行", LEX_NOT_PRICE},
  {"型号", LEX_NOT_PRICE}, {"货号", LEX_NOT_PRICE}, {"编号", LEX_NOT_PRICE},
  {"款号", LEX_NOT_PRICE}, {"序号", LEX_NOT_PRICE}, {"订单号", LEX_NOT_PRICE},
  {"批号", LEX_NOT_PRICE}, {"条码", LEX_NOT_PRICE}, {"代码", LEX_NOT_PRICE},
  {"尺码", LEX_NOT_PRICE}, {"规格", LEX_NOT_PRICE}, {"容量", LEX_NOT_PRICE},
  {"净含量", LEX_NOT_PRICE}, {"重量", LEX_NOT_PRICE}, {"电话", LEX_NOT_PRICE},
  {"热线", LEX_NOT_PRICE}, {"客服", LEX_NOT_PRICE}, {"手机", LEX_NOT_PRICE},
  {"尾号", LEX_NOT_PRICE}, {"房间号", LEX_NOT_PRICE},
  {"直播间号", LEX_NOT_PRICE}, {"链接", LEX_NOT_PRICE},
  {"sku", LEX_NOT_PRICE}, {"model", LEX_NOT_PRICE}, {"item", LEX_NOT_PRICE},
  {"art", LEX_NOT_PRICE}, {"no", LEX_NOT_PRICE}, {"nr", LEX_NOT_PRICE},
  {"id", LEX_NOT_PRICE}, {"code", LEX_NOT_PRICE}, {"lot", LEX_NOT_PRICE},
  {"batch", LEX_NOT_PRICE}, {"size", LEX_NOT_PRICE}, {"qty", LEX_NOT_PRICE},
  {"rank", LEX_NOT_PRICE}, {"top", LEX_NOT_PRICE}, {"stock", LEX_NOT_PRICE},
  {"viewers", LEX_NOT_PRICE}, {"watching", LEX_NOT_PRICE},
  {"likes", LEX_NOT_PRICE}, {"followers", LEX_NOT_PRICE},
  {"fans", LEX_NOT_PRICE}, {"limit", LEX_NOT_PRICE}, {"max", LEX_NOT_PRICE},
  {"tel", LEX_NOT_PRICE}, {"phone", LEX_NOT_PRICE}, {"call", LEX_NOT_PRICE},
  {"version", LEX_NOT_PRICE}, {"step", LEX_NOT_PRICE},
  {"page", LEX_NOT_PRICE}, {"room", LEX_NOT_PRICE}, {"ref", LEX_NOT_PRICE},
  /* amounts that are not what the product sells for */
  {"立减", LEX_DISCOUNT}, {"直降", LEX_DISCOUNT}, {"降价", LEX_DISCOUNT},
  {"减", LEX_DISCOUNT}, {"省", LEX_DISCOUNT}, {"优惠", LEX_DISCOUNT},
  {"返", LEX_DISCOUNT}, {"满", LEX_DISCOUNT}, {"领券", LEX_DISCOUNT},
  {"抵", LEX_DISCOUNT}, {"价值", LEX_DISCOUNT}, {"送", LEX_DISCOUNT},
  {"赠", LEX_DISCOUNT}, {"加价", LEX_DISCOUNT}, {"每期", LEX_DISCOUNT},
  {"分期", LEX_DISCOUNT}, {"月供", LEX_DISCOUNT},
  {"save", LEX_DISCOUNT}, {"extra", LEX_DISCOUNT}, {"worth", LEX_DISCOUNT},
  {"value", LEX_DISCOUNT}, {"over", LEX_DISCOUNT}, {"above", LEX_DISCOUNT},
  {"spend", LEX_DISCOUNT},
  {"优惠券", LEX_DISCOUNT_NOUN}, {"券", LEX_DISCOUNT_NOUN},
  {"红包", LEX_DISCOUNT_NOUN}, {"补贴", LEX_DISCOUNT_NOUN},
  {"返现", LEX_DISCOUNT_NOUN}, {"抵扣", LEX_DISCOUNT_NOUN},
  {"定金", LEX_DISCOUNT_NOUN}, {"订金", LEX_DISCOUNT_NOUN},
  {"运费", LEX_DISCOUNT_NOUN}, {"邮费", LEX_DISCOUNT_NOUN},
  {"差价", LEX_DISCOUNT_NOUN}, {"押金", LEX_DISCOUNT_NOUN},
  {"off", LEX_DISCOUNT_NOUN}, {"coupon", LEX_DISCOUNT_NOUN},
  {"rebate", LEX_DISCOUNT_NOUN}, {"discount", LEX_DISCOUNT_NOUN},
  {"shipping", LEX_DISCOUNT_NOUN}, {"deposit", LEX_DISCOUNT_NOUN},
  {"cashback", LEX_DISCOUNT_NOUN},
  /* currencies */
  {"¥", LEX_CURRENCY_BEFORE, "CNY"}, {"$", LEX_CURRENCY_BEFORE, "USD"},
  {"£", LEX_CURRENCY_BEFORE, "GBP"}, {"us$", LEX_CURRENCY_BEFORE, "USD"},
  {"hk$", LEX_CURRENCY_BEFORE, "HKD"}, {"€", LEX_CURRENCY, "EUR"},
  {"rmb", LEX_CURRENCY, "CNY"}, {"cny", LEX_CURRENCY, "CNY"},
  {"人民币", LEX_CURRENCY, "CNY"}, {"usd", LEX_CURRENCY, "USD"},
  {"eur", LEX_CURRENCY, "EUR"}, {"gbp", LEX_CURRENCY, "GBP"},
  {"hkd", LEX_CURRENCY, "HKD"},
  {"元", LEX_CURRENCY_AFTER, "CNY"}, {"美元", LEX_CURRENCY_AFTER, "USD"},
  {"欧元", LEX_CURRENCY_AFTER, "EUR"}, {"港元", LEX_CURRENCY_AFTER, "HKD"},
  {"港币", LEX_CURRENCY_AFTER, "HKD"}, {"英镑", LEX_CURRENCY_AFTER, "GBP"},
  {"euro", LEX_CURRENCY_AFTER, "EUR"}, {"euros", LEX_CURRENCY_AFTER, "EUR"},
};

/* Currency signs recovered from OCR confusions (DESIGN.md: chi_sim+eng
 * reads ¥ as Y or #, chi_sim alone as 关; $ is read as S). */
static const Lexeme lex_yen_repaired = { "¥", LEX_CURRENCY_BEFORE, "CNY" };
/* "7月1日成交价": the price of a stated day, a compared price; without the
 * day ("直播间成交价 ¥89") 成交价 announces the current price. */
static const Lexeme lex_stated_reference = { "成交价", LEX_REFERENCE };
static const Lexeme lex_dollar_repaired = { "$", LEX_CURRENCY_BEFORE, "USD" };

/* After a number (or its 万), these make it a date, time, rank, quantity
 * or count rather than an amount of money. */
static const gchar cjk_units[] =
    "月日年号点时分秒名位次期天周楼层届代款色码寸件个只瓶盒袋包支片斤克升"
    "人条单份箱套双对张台组粒颗罐桶枚卷档度米倍岁集头朵根毫公厘两吨尺座辆"
    "间页章节项种样步轮局场折成°";

static const gchar *const latin_units[] = {
  "ml", "l", "kg", "g", "mg", "oz", "lb", "lbs", "cm", "mm", "m", "km",
  "in", "inch", "inches", "ft", "pcs", "pc", "pack", "packs", "x", "gb",
  "tb", "mb", "mah", "w", "kw", "v", "hz", "mp", "px", "p", "fps", "day",
  "days", "hour", "hours", "hr", "hrs", "h", "min", "mins", "minute",
  "minutes", "sec", "secs", "second", "seconds", "s", "am", "pm", "st",
  "nd", "rd", "th", "left", "item", "items", "unit", "units", "people",
  "views", "comments", "reviews", "ratings", "stars", "piece", "pieces",
  "set", "sets", "year", "years", "yrs", "month", "months", "week",
  "weeks", "per", "pair", "pairs", "count", "ct", "qt", "gal", "k",
  NULL
};

/* What a sales figure counts: "10万+人已买", "已抢5000件", "10k+ people
 * bought". */
static const gchar cjk_count_units[] = "人件单份笔个次";
static const gchar *const latin_count_units[] = {
  "people", "customers", "buyers", "units", "items", "times", "pcs", NULL
};

typedef enum
{
  TOK_SPACE,
  TOK_CHAR,                     /* any single code point not otherwise taken */
  TOK_WORD,                     /* a run of ASCII letters that is no lexeme */
  TOK_LEX,
  TOK_NUM,
} TokKind;

typedef struct
{
  TokKind kind;
  guint start, end;             /* code point range in Parser.u */
  const Lexeme *lex;            /* TOK_LEX */
  /* A currency recovered from "S": only stands before a price-shaped
   * amount ("S19.99") or in a price context, never in "Galaxy S23". */
  gboolean weak;
  gboolean used;                /* claimed by a number already */
  gsize raw;                    /* TOK_NUM: offset of its digits in Parser.raw */
} Token;

typedef struct
{
  const GcLine *line;
  const GcRulePack *pack;
  const GcCatalog *catalog;
  GPtrArray *facts;
  gchar *folded;
  gunichar *u;
  guint n;
  gboolean cjk;                 /* the line holds Han characters */
  gboolean price_context;       /* a price keyword anywhere, or struck */
  GArray *toks;
  /* Digits and separators of every number, OCR repairs applied, each
   * NUL-terminated. */
  GString *raw;
  /* The price keyword waiting for its number. */
  const Lexeme *pending;
  guint pending_end;
  /* A reference keyword after a date ("7月1日成交价"): the date's month
   * and day, 0 when none. */
  guint pending_month, pending_day;
  /* The line offers a gift (find_gifts): where its gift word ends, in
   * bytes of folded, -1 when it offers none. */
  gint gift_end;
  gboolean gift_line;
  /* 买一送一: the gift is the product itself, given gift_same_count
   * times (0: not said). */
  gboolean gift_same;
  gint64 gift_same_count;
} Parser;

typedef struct
{
  gdouble value;
  guint int_digits;
  guint frac_digits;
  gboolean plain;               /* no separators at all */
} Amount;

/* ---- characters ---- */

static inline gboolean
is_digit (gunichar c)
{
  return c >= '0' && c <= '9';
}

static inline gboolean
is_latin (gunichar c)
{
  return c < 0x80 && g_ascii_isalpha ((gchar) c);
}

static inline gboolean
is_alnum (gunichar c)
{
  return is_digit (c) || is_latin (c);
}

/* Read as 0 or 1 by OCR: O/o, l, I (folded to i), |. */
static inline gboolean
is_confusable (gunichar c)
{
  return c == 'o' || c == 'l' || c == 'i' || c == '|';
}

static gboolean
utf8_set_contains (const gchar *set, gunichar c)
{
  for (const gchar *s = set; *s; s = g_utf8_next_char (s))
    if (g_utf8_get_char (s) == c)
      return TRUE;
  return FALSE;
}

static gboolean
strv_contains_ucs4 (const gchar *const *list, const gunichar *u, guint len)
{
  for (guint k = 0; list[k]; k++) {
    const gchar *w = list[k];
    guint i = 0;
    while (i < len && w[i] && (gunichar) (guchar) w[i] == u[i])
      i++;
    if (i == len && w[i] == '\0')
      return TRUE;
  }
  return FALSE;
}

/* ---- cleaning ---- */

static gboolean
decode_entity (const gchar *amp, GString *out, const gchar **end)
{
  static const struct
  {
    const gchar *name;
    const gchar *text;
  } named[] = {
    {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
    {"nbsp", " "}, {"yen", "¥"}, {"euro", "€"}, {"pound", "£"},
  };
  const gchar *name = amp + 1;
  const gchar *semi = name;
  gsize len;

  while (*semi && *semi != ';' && semi - name < 10)
    semi++;
  if (*semi != ';' || semi == name)
    return FALSE;
  len = semi - name;

  if (name[0] == '#') {
    gchar digits[12] = { 0, };
    gboolean hex = len > 1 && (name[1] == 'x' || name[1] == 'X');
    const gchar *first = name + (hex ? 2 : 1);
    gchar *stop = NULL;
    guint64 cp;

    if (first >= semi)
      return FALSE;
    memcpy (digits, first, semi - first);
    cp = g_ascii_strtoull (digits, &stop, hex ? 16 : 10);
    if (stop == digits || *stop != '\0' || cp == 0 || cp > 0x10FFFF
        || !g_unichar_validate ((gunichar) cp))
      return FALSE;
    g_string_append_unichar (out, (gunichar) cp);
  } else {
    guint k;
    for (k = 0; k < G_N_ELEMENTS (named); k++)
      if (strlen (named[k].name) == len && strncmp (name, named[k].name, len) == 0)
        break;
    if (k == G_N_ELEMENTS (named))
      return FALSE;
    g_string_append (out, named[k].text);
  }
  *end = semi + 1;
  return TRUE;
}

/* OCR output fed through subtitle or web tooling arrives with <b>…</b> and
 * &amp;; neither is on screen. */
static gchar *
strip_markup (const gchar *text)
{
  GString *out = g_string_sized_new (strlen (text));
  const gchar *p = text;

  while (*p) {
    if (*p == '<' && (p[1] == '/' || p[1] == '!' || g_ascii_isalpha (p[1]))) {
      const gchar *q = p + 1;
      while (*q && *q != '>' && *q != '<' && q - p < 256)
        q++;
      if (*q == '>') {
        p = q + 1;
        continue;
      }
    }
    if (*p == '&' && decode_entity (p, out, &p))
      continue;
    g_string_append_c (out, *p);
    p++;
  }
  return g_string_free (out, FALSE);
}

/* ---- tokens ---- */

static Token *
token_at (const Parser *p, gint k)
{
  if (k < 0 || (guint) k >= p->toks->len)
    return NULL;
  return &g_array_index (p->toks, Token, k);
}

static gboolean
is_currency_class (LexClass cls)
{
  return cls == LEX_CURRENCY || cls == LEX_CURRENCY_BEFORE
      || cls == LEX_CURRENCY_AFTER;
}

static gboolean
is_currency_token (const Token *t, gboolean before)
{
  if (t == NULL || t->kind != TOK_LEX || !is_currency_class (t->lex->cls))
    return FALSE;
  return t->lex->cls == LEX_CURRENCY
      || t->lex->cls == (before ? LEX_CURRENCY_BEFORE : LEX_CURRENCY_AFTER);
}

static gboolean
is_char_token (const Parser *p, gint k, gunichar c)
{
  const Token *t = token_at (p, k);
  return t && t->kind == TOK_CHAR && p->u[t->start] == c;
}

static gboolean
is_lex_token (const Parser *p, gint k, LexClass cls)
{
  const Token *t = token_at (p, k);
  return t && t->kind == TOK_LEX && t->lex->cls == cls;
}

static gint
skip_space (const Parser *p, gint k)
{
  const Token *t = token_at (p, k);
  return (t && t->kind == TOK_SPACE) ? k + 1 : k;
}

static gint
skip_space_back (const Parser *p, gint k)
{
  const Token *t = token_at (p, k);
  return (t && t->kind == TOK_SPACE) ? k - 1 : k;
}

static guint
match_text (const Parser *p, guint i, const gchar *text)
{
  guint j = i;

  for (const gchar *s = text; *s; s = g_utf8_next_char (s)) {
    if (j >= p->n || p->u[j] != g_utf8_get_char (s))
      return 0;
    j++;
  }
  return j - i;
}

/* Longest lexeme at @i.  Latin lexemes match whole words only, so "now" is
 * not found in "known" nor "sold" in "soldier"; digits may touch them
 * ("99rmb", "was129"). */
static guint
match_lexeme (const Parser *p, guint i, const Lexeme **out)
{
  guint best = 0;

  if (is_latin (p->u[i]) && i > 0 && is_latin (p->u[i - 1]))
    return 0;
  for (guint k = 0; k < G_N_ELEMENTS (lexemes); k++) {
    guint len = match_text (p, i, lexemes[k].text);
    if (len <= best)
      continue;
    if (is_latin (p->u[i + len - 1]) && i + len < p->n
        && is_latin (p->u[i + len]))
      continue;
    best = len;
    *out = &lexemes[k];
  }
  return best;
}

static gboolean
repair_currency (const Parser *p, guint i, Token *t)
{
  gunichar c = p->u[i];
  gunichar prev = i > 0 ? p->u[i - 1] : ' ';

  if (i + 1 >= p->n || !is_digit (p->u[i + 1]) || is_alnum (prev))
    return FALSE;
  if (p->cjk && (c == 'y' || c == '#' || c == 0x5173 /* 关 */ )) {
    t->lex = &lex_yen_repaired;
  } else if (c == 's') {
    t->lex = &lex_dollar_repaired;
    t->weak = TRUE;
  } else {
    return FALSE;
  }
  t->kind = TOK_LEX;
  t->end = i + 1;
  return TRUE;
}

static gboolean
follows_currency (const Parser *p)
{
  gint k = skip_space_back (p, (gint) p->toks->len - 1);
  return is_currency_token (token_at (p, k), TRUE);
}

/* A number: digits, '.' and ',' between digits, and the letters OCR
 * substitutes for 0 and 1.  Those count when they sit between digits
 * ("1O9.00", "1|9"), lead the number right after a currency sign ("¥l29"),
 * or, for O only, end it after a currency sign ("$4O").  Nothing else is
 * guessed: "10l" stays 10 and a unit. */
static gboolean
scan_number (Parser *p, guint i, Token *t)
{
  gboolean after_currency = follows_currency (p);
  guint j = i;
  gsize start = p->raw->len;

  if (is_confusable (p->u[j])) {
    guint k = j;
    if (!after_currency)
      return FALSE;
    while (k < p->n && is_confusable (p->u[k]))
      k++;
    if (k >= p->n || !is_digit (p->u[k]))
      return FALSE;
    for (; j < k; j++)
      g_string_append_c (p->raw, p->u[j] == 'o' ? '0' : '1');
  } else if (!is_digit (p->u[j])) {
    return FALSE;
  }

  while (j < p->n) {
    gunichar c = p->u[j];
    if (is_digit (c)) {
      g_string_append_c (p->raw, (gchar) c);
      j++;
    } else if ((c == '.' || c == ',') && j + 1 < p->n && is_digit (p->u[j + 1])) {
      g_string_append_c (p->raw, (gchar) c);
      j++;
    } else if (is_confusable (c) && is_digit (p->u[j - 1])) {
      guint k = j;
      gboolean all_o = TRUE;
      while (k < p->n && is_confusable (p->u[k])) {
        all_o = all_o && p->u[k] == 'o';
        k++;
      }
      if (!((k < p->n && is_digit (p->u[k]))
              || (after_currency && all_o && (k >= p->n || !is_alnum (p->u[k])))))
        break;
      for (; j < k; j++)
        g_string_append_c (p->raw, p->u[j] == 'o' ? '0' : '1');
    } else {
      break;
    }
  }
  g_string_append_c (p->raw, '\0');
  t->kind = TOK_NUM;
  t->raw = start;
  t->end = j;
  return TRUE;
}

static void
tokenize (Parser *p)
{
  guint i = 0;

  while (i < p->n) {
    gunichar c = p->u[i];
    Token t = { 0, };
    const Lexeme *lex = NULL;
    guint len;

    t.start = i;
    if (c == ' ') {
      t.kind = TOK_SPACE;
      t.end = i + 1;
    } else if (!is_digit (c) && (len = match_lexeme (p, i, &lex)) > 0) {
      t.kind = TOK_LEX;
      t.lex = lex;
      t.end = i + len;
      if (lex->cls == LEX_PRICE || lex->cls == LEX_PRICE_WEAK
          || lex->cls == LEX_REFERENCE)
        p->price_context = TRUE;
    } else if (repair_currency (p, i, &t) || scan_number (p, i, &t)) {
      /* filled in */
    } else if (is_latin (c)) {
      t.kind = TOK_WORD;
      t.end = i + 1;
      while (t.end < p->n && is_latin (p->u[t.end]))
        t.end++;
    } else {
      t.kind = TOK_CHAR;
      t.end = i + 1;
    }
    g_array_append_val (p->toks, t);
    i = t.end;
  }
}

/* ---- amounts ---- */

/* Which of '.' and ',' is the decimal mark: with both, the last one
 * ("1.299,00 €", "$1,299.00"); with one of them, once, before exactly three
 * digits, neither: it groups thousands ("¥1,299", "1.299 €").  No price on
 * screen has three decimals, and OCR swaps ',' and '.' too often to trust
 * the currency's convention.  Otherwise it is decimal ("12,99 €", "99.00").
 * Groups after the first must have three digits and the first must not
 * start with 0, which turns away "2026.11.29" and "0.299". */
static gboolean
parse_amount (const gchar *raw, guint max_int_digits, Amount *out)
{
  guint n_dot = 0, n_comma = 0, groups = 0, group_len = 0;
  const gchar *last_sep = NULL;
  gchar decimal = 0, group = 0;
  gboolean in_frac = FALSE;
  g_autoptr (GString) num = g_string_sized_new (32);

  for (const gchar *s = raw; *s; s++) {
    if (*s == '.' || *s == ',') {
      n_dot += *s == '.';
      n_comma += *s == ',';
      last_sep = s;
    }
  }
  if (n_dot && n_comma) {
    decimal = *last_sep;
    group = decimal == '.' ? ',' : '.';
    if ((decimal == '.' ? n_dot : n_comma) != 1)
      return FALSE;
  } else if (n_dot + n_comma == 1) {
    if (strlen (last_sep + 1) == 3)
      group = *last_sep;
    else
      decimal = *last_sep;
  } else if (n_dot + n_comma > 1) {
    group = n_dot ? '.' : ',';
  }

  memset (out, 0, sizeof (*out));
  for (const gchar *s = raw; *s; s++) {
    if (*s == group) {
      if (groups == 0 ? (group_len < 1 || group_len > 3) : group_len != 3)
        return FALSE;
      groups++;
      group_len = 0;
    } else if (*s == decimal) {
      if (groups > 0 && group_len != 3)
        return FALSE;
      in_frac = TRUE;
      g_string_append_c (num, '.');
    } else {
      if (in_frac) {
        out->frac_digits++;
      } else {
        out->int_digits++;
        group_len++;
      }
      g_string_append_c (num, *s);
    }
  }
  if (!in_frac && groups > 0 && group_len != 3)
    return FALSE;
  if (groups > 0 && raw[0] == '0')
    return FALSE;
  if (out->int_digits == 0 || out->int_digits > max_int_digits)
    return FALSE;
  out->plain = group == 0 && decimal == 0;
  out->value = g_ascii_strtod (num->str, NULL);
  return isfinite (out->value);
}

/* 万 and friends multiply the number before them.  w is the pinyin
 * shorthand for 万 ("1.2w"), but also a watt: try_price() keeps it only
 * next to yuan.  k and m only ever multiply counts ("1.5K sold"), never
 * prices. */
static gdouble
multiplier_at (const Parser *p, gint k, gboolean sales)
{
  const Token *t = token_at (p, k);
  gunichar c;

  if (t == NULL || t->end != t->start + 1)
    return 0;
  c = p->u[t->start];
  if (t->kind == TOK_CHAR) {
    switch (c) {
      case 0x4e07:             /* 万 */
        return 1e4;
      case 0x5343:             /* 千 */
        return 1e3;
      case 0x4ebf:             /* 亿 */
        return 1e8;
      case 0x767e:             /* 百 */
        return 1e2;
      default:
        return 0;
    }
  }
  if (t->kind == TOK_WORD) {
    if (c == 'w')
      return 1e4;
    if (c == 'k' && sales)
      return 1e3;
    if (c == 'm' && sales)
      return 1e6;
  }
  return 0;
}

/* ---- facts ---- */

/* The reference words that state the compared price is the
 * manufacturer's suggested retail price (SAMR order 56 art. 16 para. 3:
 * 厂商建议零售价; MSRP, RRP, UVP). */
static gboolean
is_msrp_label (const Lexeme *lex)
{
  static const gchar *const labels[] = {
    "厂商建议零售价", "厂家建议零售价", "建议零售价", "msrp", "rrp", "uvp",
    "suggested retail price", "manufacturer's suggested retail price", NULL
  };

  return g_strv_contains (labels, lex->text);
}

static void
add_fact (Parser *p, GcFactKind kind, gdouble value, const gchar *currency,
    gchar *text, const gchar *key)
{
  GcFact *f;

  /* The same reading twice on one line ("¥99 ¥99") is one fact. */
  for (guint i = 0; i < p->facts->len; i++) {
    const GcFact *o = g_ptr_array_index (p->facts, i);
    if (o->kind == kind && o->value == value
        && g_strcmp0 (o->currency, currency) == 0
        && g_strcmp0 (o->key, key) == 0) {
      g_free (text);
      return;
    }
  }
  f = g_new0 (GcFact, 1);
  f->kind = kind;
  f->value = value;
  f->currency = g_strdup (currency);
  f->text = text;
  f->key = g_strdup (key);
  f->box = p->line->box;
  f->confidence = p->line->confidence;
  g_ptr_array_add (p->facts, f);
}

/* The token that governs a number from before it, looking past spaces,
 * ':' and '.' ("库存: 100", "No. 5") and, with @past_currency, past a
 * currency sign ("立减¥20"). */
static gint
context_before (const Parser *p, gint k, gboolean past_currency)
{
  for (gint j = k - 1; j >= 0; j--) {
    const Token *t = token_at (p, j);
    if (t->kind == TOK_SPACE || is_char_token (p, j, ':')
        || is_char_token (p, j, '.'))
      continue;
    if (past_currency && is_currency_token (t, TRUE))
      continue;
    return j;
  }
  return -1;
}

static gboolean
is_chain_separator (gunichar c)
{
  return c == '-' || c == '/' || c == ':' || c == '~' || c == '*'
      || c == 0x00d7 /* × */  || c == 0x2013 || c == 0x2014 || c == 0x301c;
}

/* The currency after the number at @k (past its 万 and a space), if any. */
static Token *
currency_after (const Parser *p, gint k)
{
  gint j = k + 1;
  Token *t;

  if (multiplier_at (p, j, FALSE) > 0)
    j++;
  t = token_at (p, skip_space (p, j));
  return is_currency_token (t, FALSE) ? t : NULL;
}

static gboolean
is_digit_group (const Parser *p, const Token *t, guint min, guint max)
{
  guint len = t->end - t->start;

  if (len < min || len > max)
    return FALSE;
  for (guint i = t->start; i < t->end; i++)
    if (!is_digit (p->u[i]))
      return FALSE;
  return TRUE;
}

/* Dates (2026-11-29, 11/29), times (20:00), phone numbers (138-1234-5678,
 * 400 820 8820), ratios (3/10) and ranges are numbers joined to numbers.
 * One space joins them too when the second is shaped like a digit group
 * and has no currency of its own ("iPhone 15 999元" is a price); "¥ 1 299"
 * is then too doubtful to read as one price, so it is read as none. */
static gboolean
joined (const Parser *p, gint first, gint second)
{
  const Token *a = token_at (p, first), *sep = token_at (p, first + 1);
  const Token *b = token_at (p, second);

  if (a == NULL || b == NULL || a->kind != TOK_NUM || b->kind != TOK_NUM
      || second != first + 2)
    return FALSE;
  if (sep->kind == TOK_CHAR && is_chain_separator (p->u[sep->start]))
    return TRUE;
  return sep->kind == TOK_SPACE && is_digit_group (p, a, 1, 4)
      && is_digit_group (p, b, 3, 4) && currency_after (p, second) == NULL;
}

static gboolean
is_chained (const Parser *p, gint k)
{
  return joined (p, k - 2, k) || joined (p, k, k + 2);
}

static gboolean
is_unit (const Parser *p, gint k, const gchar *cjk_set,
    const gchar *const *latin_set)
{
  const Token *t = token_at (p, k);

  if (t == NULL)
    return FALSE;
  if (t->kind == TOK_CHAR)
    return utf8_set_contains (cjk_set, p->u[t->start]);
  if (t->kind == TOK_WORD)
    return strv_contains_ucs4 (latin_set, p->u + t->start, t->end - t->start);
  return FALSE;
}

static gchar *
span_text (const Parser *p, gint first, gint last)
{
  const Token *a = token_at (p, first), *b = token_at (p, last);
  return g_ucs4_to_utf8 (p->u + a->start, b->end - a->start, NULL, NULL, NULL);
}

/* "89 已售10万+": a sales word with a figure of its own after it belongs
 * to that figure, not to the number before it. */
static gboolean
sales_word_has_figure (const Parser *p, gint s)
{
  for (gint j = s + 1; j < (gint) p->toks->len; j++) {
    const Token *t = token_at (p, j);
    if (t->kind == TOK_SPACE || is_char_token (p, j, ':'))
      continue;
    return t->kind == TOK_NUM;
  }
  return FALSE;
}

/* A sales or popularity claim: a sales word before the figure ("已售10万+",
 * "sold: 1,234") or after it with its unit ("10万+人已买", "5K+ bought").
 * Returns TRUE when the number was taken, as a claim or as an unreadable
 * one, so that it is not looked at as a price. */
static gboolean
try_sales (Parser *p, gint k)
{
  const Token *t = token_at (p, k);
  gint pre = context_before (p, k, FALSE);
  gboolean before = is_lex_token (p, pre, LEX_SALES)
      || is_lex_token (p, pre, LEX_SALES_BEFORE);
  gboolean after;
  gint first = before ? pre : k, last = k, j = k + 1, unit = -1, s;
  gdouble mult = multiplier_at (p, j, TRUE), value;
  Amount a;

  if (mult > 0) {
    last = j++;
  } else {
    mult = 1;
  }
  if (is_char_token (p, j, '+'))
    last = j++;
  j = skip_space (p, j);
  if (is_unit (p, j, cjk_count_units, latin_count_units))
    unit = j++;
  s = skip_space (p, j);
  after = is_lex_token (p, s, LEX_SALES_AFTER) || (is_lex_token (p, s, LEX_SALES)
      && !sales_word_has_figure (p, s));
  if (!before && !after)
    return FALSE;
  /* "¥89 已售…": money is not a count. */
  if (is_currency_token (token_at (p, skip_space_back (p, k - 1)), TRUE))
    return FALSE;
  if (after)
    last = s;
  else if (unit >= 0)
    last = unit;

  if (!parse_amount (p->raw->str + t->raw, MAX_SALES_INT_DIGITS, &a))
    return TRUE;
  value = a.value * mult;
  /* A count is whole: "已售1.5" is a misread, not one and a half sales. */
  if (fabs (value - round (value)) > 0.01)
    return TRUE;
  add_fact (p, GC_FACT_SALES, round (value), NULL, span_text (p, first, last),
      NULL);
  for (gint i = first; i <= last; i++)
    token_at (p, i)->used = TRUE;
  return TRUE;
}

/* Catalog-guided repair of a dollar sign read as a digit.  chi_sim reads
 * "$19.99" as "519.99" or "919.99" (DESIGN.md), and nothing in the glyphs
 * tells that 5 from a real one.  The catalog decides: only when it is priced
 * in USD, the line has a price context, dropping the first digit gives a
 * price or reference price the catalog declares, and the number as read is
 * none of them, is it taken as a dollar amount.  Otherwise the number
 * stands as read: a wrong repair would invent a price. */
static gboolean
catalog_dollar_repair (const Parser *p, const gchar *raw, gdouble *value)
{
  Amount whole, rest;

  if (p->catalog == NULL || p->catalog->products == NULL
      || g_strcmp0 (p->catalog->currency, "USD") != 0 || !p->price_context)
    return FALSE;
  if ((raw[0] != '5' && raw[0] != '9') || !g_ascii_isdigit (raw[1]))
    return FALSE;
  if (!parse_amount (raw, MAX_PRICE_INT_DIGITS, &whole)
      || !parse_amount (raw + 1, MAX_PRICE_INT_DIGITS, &rest))
    return FALSE;
  if (gc_catalog_declares_price (p->catalog, whole.value)
      || !gc_catalog_declares_price (p->catalog, rest.value))
    return FALSE;
  *value = rest.value;
  return TRUE;
}

static void
try_price (Parser *p, gint k)
{
  const Token *t = token_at (p, k);
  const gchar *raw = p->raw->str + t->raw;
  const Token *prev = token_at (p, k - 1), *next;
  Token *cur = NULL, *c;
  gint after = k + 1, ns, tail, ctx;
  gdouble mult = multiplier_at (p, after, FALSE), value;
  gboolean pending_ok;
  const gchar *currency = NULL;
  g_autofree gchar *key = NULL;
  GcFactKind kind;
  Amount a;

  c = token_at (p, skip_space_back (p, k - 1));
  if (is_currency_token (c, TRUE) && !c->used)
    cur = c;

  /* "65W快充" is watts: w stands for 万 in a price only next to yuan. */
  if (mult > 0 && token_at (p, after)->kind == TOK_WORD) {
    const Token *money = cur ? cur : currency_after (p, k);
    if (money == NULL || g_strcmp0 (money->lex->currency, "CNY") != 0)
      mult = 0;
  }
  if (mult > 0)
    after++;
  else
    mult = 1;

  /* "A1001", "X200", "Galaxy S23", "#1" outside Chinese text. */
  if (cur == NULL && prev && (prev->kind == TOK_WORD
          || (prev->kind == TOK_CHAR && p->u[prev->start] == '#')))
    return;
  next = token_at (p, after);
  /* "500ml", "8pm", "2x", "65w": letters glued to the number. */
  if (next && next->kind == TOK_WORD)
    return;
  /* "99+ comments", "99+条评论" */
  if (cur == NULL && is_char_token (p, after, '+'))
    return;
  ns = skip_space (p, after);
  if (is_unit (p, ns, cjk_units, latin_units) || is_char_token (p, ns, '%'))
    return;
  ctx = context_before (p, k, TRUE);
  if (is_lex_token (p, ctx, LEX_NOT_PRICE) || is_lex_token (p, ctx, LEX_DISCOUNT)
      || is_lex_token (p, ctx, LEX_DISCOUNT_NOUN))
    return;

  next = token_at (p, ns);
  tail = ns;
  /* "到手价1¥99": a digit with no currency of its own right before a
   * signed amount is a misread (a colon, a gap, a sticker's edge read as
   * "1"); the keyword and the sign both name the signed amount. */
  if (cur == NULL && next && next->kind == TOK_LEX
      && next->lex->cls == LEX_CURRENCY_BEFORE) {
    const Token *amount = token_at (p, skip_space (p, ns + 1));
    if (amount && amount->kind == TOK_NUM)
      return;
  }
  if (cur == NULL && is_currency_token (next, FALSE) && !next->used) {
    cur = (Token *) next;
    tail = skip_space (p, ns + 1);
  }
  /* "$10 off", "$5 coupon", "5元优惠券", "8元运费"; on a gift's line
   * "($25 value)" (but "$19.99 value pack" is a price). */
  if (is_lex_token (p, tail, LEX_DISCOUNT_NOUN)
      || (p->gift_line && is_lex_token (p, tail, LEX_DISCOUNT)
          && strcmp (token_at (p, tail)->lex->text, "value") == 0))
    return;

  if (!parse_amount (raw, MAX_PRICE_INT_DIGITS, &a))
    return;
  if (cur == NULL && a.plain && a.int_digits >= PHONE_MIN_DIGITS)
    return;

  pending_ok = p->pending != NULL && t->start - p->pending_end <= KEYWORD_REACH
      && (p->pending->cls != LEX_PRICE_WEAK || a.frac_digits > 0
      || a.int_digits >= 2);
  if (cur && cur->weak && a.frac_digits != 2 && !pending_ok && !p->line->struck)
    return;

  value = a.value * mult;
  if (cur) {
    currency = cur->lex->currency;
  } else if (mult == 1 && catalog_dollar_repair (p, raw, &value)) {
    currency = "USD";
  } else if (!pending_ok && !p->line->struck) {
    return;
  }

  kind = (p->line->struck || (pending_ok && p->pending->cls == LEX_REFERENCE))
      ? GC_FACT_REFERENCE_PRICE : GC_FACT_PRICE;
  if (kind == GC_FACT_REFERENCE_PRICE && pending_ok
      && p->pending->cls == LEX_REFERENCE) {
    if (is_msrp_label (p->pending))
      key = g_strdup ("msrp");
    else if (p->pending_month > 0)
      key = g_strdup_printf ("date:%02u-%02u", p->pending_month,
          p->pending_day);
  }
  add_fact (p, kind, value, currency, gc_format_price (value, currency), key);
  if (cur)
    cur->used = TRUE;
  if (pending_ok)
    p->pending = NULL;
}

/* The whole number of the token at @k when it is one of 1..@max, else 0. */
static guint
small_number (const Parser *p, gint k, guint max)
{
  const Token *t = token_at (p, k);
  guint v = 0;

  if (t == NULL || t->kind != TOK_NUM || t->end - t->start > 2)
    return 0;
  for (guint i = t->start; i < t->end; i++) {
    if (!is_digit (p->u[i]))
      return 0;
    v = v * 10 + g_unichar_digit_value (p->u[i]);
  }
  return v <= max ? v : 0;
}

/* The day a reference keyword at @k says its price is of: "7月1日成交价",
 * "7月1号的成交价", "7/1成交价", "07-01 成交价".  FALSE when no date
 * stands right before it. */
static gboolean
stated_date (const Parser *p, gint k, guint *month, guint *day)
{
  gint j = skip_space_back (p, k - 1);

  if (is_char_token (p, j, 0x7684 /* 的 */ ))
    j = skip_space_back (p, j - 1);
  if (is_char_token (p, j, 0x65e5 /* 日 */ ) || is_char_token (p, j,
          0x53f7 /* 号 */ )) {
    j = skip_space_back (p, j - 1);
    *day = small_number (p, j, 31);
    j = skip_space_back (p, j - 1);
    if (*day == 0 || !is_char_token (p, j, 0x6708 /* 月 */ ))
      return FALSE;
    *month = small_number (p, skip_space_back (p, j - 1), 12);
    return *month != 0;
  }
  *day = small_number (p, j, 31);
  if (*day == 0 || !(is_char_token (p, j - 1, '/')
          || is_char_token (p, j - 1, '-')))
    return FALSE;
  *month = small_number (p, j - 2, 12);
  return *month != 0;
}

static void
find_amounts (Parser *p)
{
  for (guint k = 0; k < p->toks->len; k++) {
    const Token *t = token_at (p, k);

    if (t->kind == TOK_LEX && (t->lex->cls == LEX_PRICE
            || t->lex->cls == LEX_PRICE_WEAK || t->lex->cls == LEX_REFERENCE)) {
      p->pending = t->lex;
      p->pending_end = t->end;
      p->pending_month = p->pending_day = 0;
      if ((t->lex->cls == LEX_REFERENCE || strcmp (t->lex->text, "成交价") == 0)
          && stated_date (p, (gint) k, &p->pending_month, &p->pending_day)
          && t->lex->cls != LEX_REFERENCE)
        p->pending = &lex_stated_reference;
      continue;
    }
    if (t->kind != TOK_NUM || t->used)
      continue;
    if (is_chained (p, k))
      continue;
    if (is_char_token (p, skip_space (p, k + 1), '%'))
      continue;
    if (try_sales (p, k))
      continue;
    try_price (p, k);
  }
}

static void
find_terms (Parser *p, const GcTermList *list, GcFactKind kind)
{
  gchar *term = gc_term_list_match (list, p->folded);

  if (term)
    add_fact (p, kind, 0, NULL, term, term);
}

/* Audience figures the platform's UI (or a sticker imitating it) shows:
 * "3.2万人在看", "10万+点赞", "粉丝 1.2w", "2.4K watching".  Matched on the
 * folded line (NFKC, lower case), apart from prices and sales. */
static const struct
{
  const gchar *pattern;
  const gchar *kind;
} audience_patterns[] = {
  /* figure, then what it counts */
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿|k|m)?\\s*\\+?\\s*人?\\s*(?:正在看|在看|观看|在线|围观)",
      "viewers"},
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿|k|m)?\\s*\\+?\\s*(?:人)?\\s*(?:点赞|赞(?!助))", "likes"},
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿|k|m)?\\s*\\+?\\s*(?:粉丝)", "followers"},
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(k|m)?\\s*\\+?\\s*(?:watching|viewers|live viewers)\\b",
      "viewers"},
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(k|m)?\\s*\\+?\\s*likes\\b", "likes"},
  {"(\\d[\\d,]*(?:\\.\\d+)?)\\s*(k|m)?\\s*\\+?\\s*(?:followers|fans)\\b", "followers"},
  /* what it counts, then the figure */
  {"(?:观看人数|在线人数|观看|在线)\\s*[:：]?\\s*(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿)?", "viewers"},
  {"(?:点赞|点赞数)\\s*[:：]?\\s*(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿)?", "likes"},
  {"(?:粉丝|粉丝数)\\s*[:：]?\\s*(\\d[\\d,]*(?:\\.\\d+)?)\\s*(万|w|亿)?", "followers"},
};

static GRegex *audience_regex[G_N_ELEMENTS (audience_patterns)];

static gpointer
compile_audience (gpointer unused)
{
  for (guint i = 0; i < G_N_ELEMENTS (audience_patterns); i++)
    audience_regex[i] = g_regex_new (audience_patterns[i].pattern,
        G_REGEX_OPTIMIZE, 0, NULL);
  return NULL;
}

/* "1,234" -> 1234 (commas before three digits), "3.2" with "万" -> 32000;
 * -1 for what is no count. */
static gdouble
audience_value (const gchar *digits, const gchar *unit)
{
  g_autoptr (GString) plain = g_string_new (NULL);
  gdouble v, mult = 1;
  gchar *end;

  for (const gchar *c = digits; *c; c++)
    if (*c != ',')
      g_string_append_c (plain, *c);
  v = g_ascii_strtod (plain->str, &end);
  if (*end != '\0' || !isfinite (v) || v < 0 || v > 1e12)
    return -1;
  if (unit && *unit) {
    if (g_str_equal (unit, "万") || g_str_equal (unit, "w"))
      mult = 1e4;
    else if (g_str_equal (unit, "亿"))
      mult = 1e8;
    else if (g_str_equal (unit, "k"))
      mult = 1e3;
    else if (g_str_equal (unit, "m"))
      mult = 1e6;
  }
  v = round (v * mult);
  return v;
}

static void
find_audience (Parser *p)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, compile_audience, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (audience_patterns); i++) {
    g_autoptr (GMatchInfo) m = NULL;

    if (audience_regex[i] == NULL
        || !g_regex_match (audience_regex[i], p->folded, 0, &m))
      continue;
    while (g_match_info_matches (m)) {
      g_autofree gchar *digits = g_match_info_fetch (m, 1);
      g_autofree gchar *unit = g_match_info_fetch (m, 2);
      gdouble v = audience_value (digits, unit);

      if (v >= 0)
        add_fact (p, GC_FACT_AUDIENCE, v, NULL, g_match_info_fetch (m, 0),
            audience_patterns[i].kind);
      g_match_info_next (m, NULL);
    }
  }
}

/* Gifts (SAMR order 56 art. 18).  A line offers one when it says 赠品,
 * 赠送, 送 or "free gift", but not 送货, 配送, 发送 (chat), 送给 (a present
 * to someone), 送我 (a viewer asking, in the chat), the shipping insurance
 * (运费险), the stream's own tipping gifts (灯牌, 小心心) or a coupon
 * ("满199送50元券"), and is no question ("有赠品吗?" in the chat). */
static const gchar gift_word_pattern[] =
    "赠品|赠送(?!运费险)|加赠|附赠"
    "|(?<!配|运|快递|派|护|接|欢|推|发|寄|传|输)送"
    "(?!货|达|到|给|礼|人|出|餐|去|回|检|审|修|往|别|我|运费险|灯牌|小心心"
    "|[^,，。;；!！]{0,8}(?:券|红包|积分|金币))"
    "|赠(?![送品]|运费险|[^,，。;；!！]{0,8}(?:券|红包|积分|金币))"
    "|(?<![a-z])(?:free gifts?|bonus gifts?|gifts? with purchase|free bonus|gwp"
    "|comes with a free|includes a free|get a free)(?![a-z])";
/* "买一送一", "买2赠1": the gift is the product itself. */
static const gchar gift_same_pattern[] =
    "买\\s*([0-9]{1,2}|[一二两三四五六七八九十])\\s*[送赠]\\s*([0-9]{1,2}|[一二两三四五六七八九十])";
/* The quantity, looked for after the gift word: "×2", "1个", "十二片". */
static const gchar gift_quantity_pattern[] =
    "(?:(?<![a-z])[x×*]\\s*([0-9]{1,3})(?![0-9.]))"
    "|(?:(?<![0-9.])([0-9]{1,3}|[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
    "\\s*(?:个|件|份|盒|瓶|支|包|袋|张|只|套|双|片|罐|条|台|把|本|块|枚|粒|颗"
    "|pcs|pc|pieces?|sets?|packs?|bottles?|units?)(?![a-z]))";
static const gchar gift_value_pattern[] =
    "(?:价值|价值约|worth|valued at|value)\\s*:?\\s*约?\\s*([¥$€£])?\\s*([0-9][0-9,]*(?:\\.[0-9]+)?)\\s*(元|美元|欧元|英镑)?"
    "|([¥$€£])\\s*([0-9][0-9,]*(?:\\.[0-9]+)?)\\s*value";
static const gchar question_pattern[] = "(?:吗|呢|\\?)\\s*$";

static GRegex *gift_word_regex, *gift_same_regex, *gift_quantity_regex,
    *gift_value_regex, *question_regex;

static gpointer
compile_gifts (gpointer unused)
{
  gift_word_regex = g_regex_new (gift_word_pattern, G_REGEX_OPTIMIZE, 0, NULL);
  gift_same_regex = g_regex_new (gift_same_pattern, G_REGEX_OPTIMIZE, 0, NULL);
  gift_quantity_regex = g_regex_new (gift_quantity_pattern, G_REGEX_OPTIMIZE,
      0, NULL);
  gift_value_regex = g_regex_new (gift_value_pattern, G_REGEX_OPTIMIZE, 0,
      NULL);
  question_regex = g_regex_new (question_pattern, G_REGEX_OPTIMIZE, 0, NULL);
  return NULL;
}

/* "2" -> 2, "两" -> 2, "十二" -> 12, "二十" -> 20; 0 for anything else. */
static gint64
small_count (const gchar *s)
{
  static const gchar *const numerals[] = {
    "一", "二", "三", "四", "五", "六", "七", "八", "九"
  };
  gint64 tens = 0, units = 0;
  const gchar *ten;

  if (s == NULL || *s == '\0')
    return 0;
  if (g_ascii_isdigit (*s))
    return g_ascii_strtoll (s, NULL, 10);
  ten = strstr (s, "十");
  for (guint pass = 0; pass < 2; pass++) {
    /* Before 十 the tens (none: one ten), after it (or alone) the units. */
    const gchar *from = pass == 0 ? s : (ten ? ten + strlen ("十") : s);
    gsize len = pass == 0 ? (ten ? (gsize) (ten - s) : 0) : strlen (from);
    gint64 d = 0;

    if (pass == 0 && ten == NULL)
      continue;
    if (len > 0) {
      if (strncmp (from, "两", len) == 0 && len == strlen ("两"))
        d = 2;
      for (guint i = 0; d == 0 && i < G_N_ELEMENTS (numerals); i++)
        if (len == strlen (numerals[i]) && strncmp (from, numerals[i], len) == 0)
          d = i + 1;
      if (d == 0)
        return 0;
    } else if (pass == 0)
      d = 1;
    if (pass == 0)
      tens = d;
    else
      units = d;
  }
  return tens * 10 + units;
}

/* Whether the line offers a gift, and where the words that offer it end
 * ("买一送一" included: the product itself). */
static void
find_gift_word (Parser *p)
{
  static GOnce once = G_ONCE_INIT;
  g_autoptr (GMatchInfo) m = NULL;
  gint start, end;

  g_once (&once, compile_gifts, NULL);
  p->gift_end = -1;
  p->gift_line = FALSE;
  p->gift_same = FALSE;
  p->gift_same_count = 0;
  if (gift_word_regex == NULL || gift_same_regex == NULL
      || gift_quantity_regex == NULL || gift_value_regex == NULL
      || question_regex == NULL
      || g_regex_match (question_regex, p->folded, 0, NULL))
    return;
  if (g_regex_match (gift_same_regex, p->folded, 0, &m)) {
    g_autofree gchar *given = g_match_info_fetch (m, 2);

    p->gift_same = TRUE;
    p->gift_same_count = small_count (given);
  } else {
    g_clear_pointer (&m, g_match_info_free);
    if (!g_regex_match (gift_word_regex, p->folded, 0, &m))
      return;
  }
  if (g_match_info_fetch_pos (m, 0, &start, &end)) {
    p->gift_end = end;
    p->gift_line = TRUE;
  }
}

static const gchar *
sign_currency (const gchar *sign, const gchar *word)
{
  if (g_strcmp0 (sign, "¥") == 0 || g_strcmp0 (word, "元") == 0)
    return "CNY";
  if (g_strcmp0 (sign, "$") == 0 || g_strcmp0 (word, "美元") == 0)
    return "USD";
  if (g_strcmp0 (sign, "€") == 0 || g_strcmp0 (word, "欧元") == 0)
    return "EUR";
  if (g_strcmp0 (sign, "£") == 0 || g_strcmp0 (word, "英镑") == 0)
    return "GBP";
  return NULL;
}

/* A non-empty group @i of @m, or NULL. */
static gchar *
fetch_group (GMatchInfo *m, gint i)
{
  gchar *g = g_match_info_fetch (m, i);

  if (g && *g == '\0')
    g_clear_pointer (&g, g_free);
  return g;
}

static void
find_gifts (Parser *p)
{
  g_autoptr (GMatchInfo) m = NULL;
  gint64 quantity = 0;
  const gchar *key = NULL, *currency = NULL;
  gboolean has_value = FALSE;
  gdouble value = 0;
  GcFact *f;

  if (!p->gift_line)
    return;
  if (p->gift_same) {
    key = "same";
    quantity = p->gift_same_count;
  }

  if (g_regex_match (gift_value_regex, p->folded, 0, &m)) {
    gint g = 1;
    g_autofree gchar *sign = NULL, *digits = NULL, *word = NULL;
    g_autoptr (GString) plain = g_string_new (NULL);
    gchar *end;

    if ((digits = fetch_group (m, 2)) == NULL) {
      g = 4;
      digits = fetch_group (m, 5);
    } else
      word = fetch_group (m, 3);
    sign = fetch_group (m, g);
    for (const gchar *c = digits; c && *c; c++)
      if (*c != ',')
        g_string_append_c (plain, *c);
    value = g_ascii_strtod (plain->str, &end);
    if (plain->len > 0 && *end == '\0' && isfinite (value) && value < 1e12) {
      has_value = TRUE;
      currency = sign_currency (sign, word);
    }
  }
  g_clear_pointer (&m, g_match_info_free);

  /* The quantity after the words that offer the gift: "库存23件 送杯刷×2"
   * gives 2, "买2件送杯套1个" 1. */
  if (quantity == 0 && g_regex_match_full (gift_quantity_regex, p->folded, -1,
          MAX (p->gift_end, 0), 0, &m, NULL)) {
    g_autofree gchar *x = fetch_group (m, 1), *n = fetch_group (m, 2);

    quantity = small_count (x ? x : n);
  }

  f = g_new0 (GcFact, 1);
  f->kind = GC_FACT_GIFT;
  f->value = has_value ? value : 0;
  f->has_value = has_value;
  f->currency = g_strdup (has_value ? currency : NULL);
  f->text = g_strdup (p->folded);
  f->key = g_strdup (key);
  f->quantity = quantity;
  f->box = p->line->box;
  f->confidence = p->line->confidence;
  g_ptr_array_add (p->facts, f);
}

/* A statement the pack requires for some category ("本品不能代替药物"):
 * keyed by the category, so that the rules know which requirement it
 * meets. */
static void
find_statements (Parser *p)
{
  for (guint c = 0; c < GC_N_CATEGORIES; c++) {
    gchar *term;

    if (p->pack->statements[c].terms == NULL)
      continue;
    term = gc_term_list_match (&p->pack->statements[c], p->folded);
    if (term)
      add_fact (p, GC_FACT_STATEMENT, 0, NULL, term,
          gc_category_to_string ((GcCategory) c));
  }
}

static gboolean
at_word_edge (const Parser *p, guint start, guint end, const gunichar *pat,
    guint m)
{
  if (is_alnum (pat[0]) && start > 0 && is_alnum (p->u[start - 1]))
    return FALSE;
  if (is_alnum (pat[m - 1]) && end < p->n && is_alnum (p->u[end]))
    return FALSE;
  return TRUE;
}

/* Whether some part of the line is within @budget edits of @pat and stands
 * at word edges.  Sellers' variant of Levenshtein (a match may start
 * anywhere), carrying where each alignment started so that the edges can
 * be checked: "thermos" is not in "thermostat". */
static gboolean
approximately_on_line (const Parser *p, const gunichar *pat, guint m,
    guint budget)
{
  g_autofree guint *prev = g_new (guint, p->n + 1);
  g_autofree guint *row = g_new (guint, p->n + 1);
  g_autofree guint *prev_start = g_new (guint, p->n + 1);
  g_autofree guint *row_start = g_new (guint, p->n + 1);

  for (guint j = 0; j <= p->n; j++) {
    prev[j] = 0;
    prev_start[j] = j;
  }
  for (guint i = 1; i <= m; i++) {
    guint *tmp;
    row[0] = i;
    row_start[0] = 0;
    for (guint j = 1; j <= p->n; j++) {
      guint d = prev[j - 1] + (pat[i - 1] != p->u[j - 1]), st = prev_start[j - 1];
      if (prev[j] + 1 < d) {
        d = prev[j] + 1;
        st = prev_start[j];
      }
      if (row[j - 1] + 1 < d) {
        d = row[j - 1] + 1;
        st = row_start[j - 1];
      }
      row[j] = d;
      row_start[j] = st;
    }
    tmp = prev;
    prev = row;
    row = tmp;
    tmp = prev_start;
    prev_start = row_start;
    row_start = tmp;
  }
  for (guint j = 1; j <= p->n; j++)
    if (prev[j] <= budget && at_word_edge (p, prev_start[j], j, pat, m))
      return TRUE;
  return FALSE;
}

/* A name is on the line when it occurs in it at word edges (for Latin
 * names, so "cup" is not found in "cupboard"), or, for names of three
 * characters or more, when some part of the line is within the OCR error
 * budget of it (similarity 1 - distance / length >= FUZZY_SIMILARITY). */
static gboolean
name_on_line (const Parser *p, const GcCatalogName *name)
{
  const gunichar *pat = name->chars;
  glong m = name->n;
  guint budget = 0;

  if (m >= MIN_FUZZY_NAME_CHARS && m <= MAX_FUZZY_NAME_CHARS
      && p->n <= MAX_FUZZY_LINE_CHARS)
    budget = (guint) floor ((1.0 - FUZZY_SIMILARITY) * m + 1e-9);
  /* The q-gram bound: a name within @budget edits of a part of the line
   * shares at least m - 1 - 2 * budget of its character pairs with it. */
  if ((glong) name->shared < MAX (1, m - 1 - 2 * (glong) budget))
    return FALSE;

  for (guint i = 0; (glong) i + m <= (glong) p->n; i++) {
    if (memcmp (p->u + i, pat, m * sizeof (gunichar)) == 0
        && at_word_edge (p, i, i + m, pat, m))
      return TRUE;
  }
  if (budget == 0)
    return FALSE;
  return approximately_on_line (p, pat, m, budget);
}

static void
find_products (Parser *p)
{
  g_autoptr (GArray) names = g_array_new (FALSE, FALSE, sizeof (GcCatalogName));
  const GcProduct *last = NULL;

  gc_catalog_name_candidates (p->catalog, p->u, p->n, names);
  for (guint i = 0; i < names->len; i++) {
    const GcCatalogName *name = &g_array_index (names, GcCatalogName, i);

    /* A product's names are next to each other: one fact per product. */
    if (name->product == last || !name_on_line (p, name))
      continue;
    last = name->product;
    add_fact (p, GC_FACT_PRODUCT_NAME, 0, NULL, g_strdup (name->product->name),
        name->product->sku);
  }
}

/* ---- public ---- */

const gchar *
gc_fact_kind_to_string (GcFactKind kind)
{
  switch (kind) {
    case GC_FACT_PRICE:
      return "price";
    case GC_FACT_REFERENCE_PRICE:
      return "reference_price";
    case GC_FACT_SALES:
      return "sales";
    case GC_FACT_AD_LABEL:
      return "ad_label";
    case GC_FACT_ABSOLUTE_TERM:
      return "absolute_term";
    case GC_FACT_MEDICAL_CLAIM:
      return "medical_claim";
    case GC_FACT_PRODUCT_NAME:
      return "product_name";
    case GC_FACT_STATEMENT:
      return "statement";
    case GC_FACT_AUDIENCE:
      return "audience";
    case GC_FACT_GIFT:
      return "gift";
  }
  return "unknown";
}

void
gc_fact_free (GcFact *fact)
{
  if (fact == NULL)
    return;
  g_free (fact->currency);
  g_free (fact->text);
  g_free (fact->key);
  g_free (fact);
}

GcFact *
gc_fact_copy (const GcFact *fact)
{
  GcFact *copy;

  if (fact == NULL)
    return NULL;
  copy = g_memdup2 (fact, sizeof (GcFact));
  copy->currency = g_strdup (fact->currency);
  copy->text = g_strdup (fact->text);
  copy->key = g_strdup (fact->key);
  return copy;
}

gchar *
gc_format_price (gdouble value, const gchar *currency)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE + 320];

  /* No "-0.00" in a report. */
  if (value == 0)
    value = 0;
  g_ascii_formatd (buf, sizeof (buf), "%.2f", value);
  if (currency == NULL || *currency == '\0')
    return g_strdup (buf);
  if (strcmp (currency, "CNY") == 0)
    return g_strconcat ("¥", buf, NULL);
  if (strcmp (currency, "USD") == 0)
    return g_strconcat ("$", buf, NULL);
  if (strcmp (currency, "EUR") == 0)
    return g_strconcat ("€", buf, NULL);
  return g_strconcat (currency, " ", buf, NULL);
}

GPtrArray *
gc_facts_parse_line (const GcLine *line, const GcRulePack *pack,
    const GcCatalog *catalog)
{
  GPtrArray *facts = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_fact_free);
  g_autofree gchar *valid = NULL, *clean = NULL;
  Parser p = { 0, };
  glong n = 0;

  if (line == NULL || line->text == NULL || line->text[0] == '\0')
    return facts;

  valid = gc_text_make_valid (line->text, strnlen (line->text, MAX_LINE_BYTES));
  clean = strip_markup (valid);
  p.folded = gc_text_fold (clean);
  p.u = g_utf8_to_ucs4_fast (p.folded, -1, &n);
  if (n > MAX_LINE_CHARS) {
    /* NFKC can expand a few characters a lot; keep the cap. */
    n = MAX_LINE_CHARS;
    *g_utf8_offset_to_pointer (p.folded, MAX_LINE_CHARS) = '\0';
  }
  p.n = (guint) n;
  p.line = line;
  p.pack = pack;
  p.catalog = catalog;
  p.facts = facts;
  p.price_context = line->struck;
  for (guint i = 0; i < p.n && !p.cjk; i++)
    p.cjk = g_unichar_get_script (p.u[i]) == G_UNICODE_SCRIPT_HAN;
  p.toks = g_array_new (FALSE, TRUE, sizeof (Token));
  p.raw = g_string_sized_new (64);

  tokenize (&p);
  find_gift_word (&p);
  find_amounts (&p);
  if (pack) {
    find_terms (&p, &pack->ad_labels, GC_FACT_AD_LABEL);
    find_terms (&p, &pack->absolute_terms, GC_FACT_ABSOLUTE_TERM);
    find_terms (&p, &pack->medical_terms, GC_FACT_MEDICAL_CLAIM);
    find_statements (&p);
  }
  find_audience (&p);
  find_gifts (&p);
  if (catalog)
    find_products (&p);

  g_string_free (p.raw, TRUE);
  g_array_unref (p.toks);
  g_free (p.u);
  g_free (p.folded);
  return facts;
}
