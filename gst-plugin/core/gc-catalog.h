/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the seller's catalog (PRODUCT.md "Catalog").
 *
 * Loaded all-or-nothing with json-glib: either a complete, validated
 * GcCatalog comes back, or NULL and a GError (domain GC_ERROR) whose message
 * names the file, the product (sku or index) and the field, and says what is
 * wrong.  A GcCatalog is immutable after loading and reference counted, so a
 * running element can swap a new one in whole while other threads still hold
 * the old one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_CATALOG_SCHEMA "gst-compliance-catalog/1"

typedef enum
{
  GC_CATEGORY_GENERAL,
  GC_CATEGORY_FOOD,
  GC_CATEGORY_COSMETICS,
  GC_CATEGORY_HEALTH,
  GC_CATEGORY_DRUG,
  GC_CATEGORY_PROHIBITED,
  /* Added with issue 17 (SAMR order 56 and the Advertising Law's special
   * categories): each may carry required statements and may be prohibited
   * from advertising by the rule pack. */
  GC_CATEGORY_HEALTH_FOOD,      /* 保健食品: "本品不能代替药物" (Ad Law art. 18) */
  GC_CATEGORY_OTC_DRUG,         /* 非处方药 (Ad Law art. 16) */
  GC_CATEGORY_RX_DRUG,          /* 处方药: no ads to the public (Ad Law art. 15) */
  GC_CATEGORY_MEDICAL_DEVICE,   /* 医疗器械 (Ad Law art. 16) */
} GcCategory;

#define GC_N_CATEGORIES (GC_CATEGORY_MEDICAL_DEVICE + 1)

/* Whether products of @category may state medical effects (Ad Law art.
 * 17: drugs, medical devices and medical treatment). */
gboolean gc_category_is_medical (GcCategory category);

const gchar *gc_category_to_string (GcCategory category);
/* Returns FALSE for an unknown name. */
gboolean gc_category_from_string (const gchar *name, GcCategory *out);

typedef struct
{
  GDate date;                   /* valid GDate */
  gdouble price;
} GcPricePoint;

/* A gift given with a product (SAMR order 56 art. 18: its name and
 * quantity must be shown, and a value shown for it must be its current
 * price at the venue). */
typedef struct
{
  gchar *name;
  gchar *folded;                /* name, gc_text_fold()ed: as lines are */
  gint64 quantity;              /* >= 1 */
  gboolean has_price;
  gdouble price;                /* its current price at the venue */
} GcGift;

typedef struct
{
  gchar *sku;
  gchar *name;
  gchar **aliases;              /* NULL-terminated, never NULL (may be empty) */
  gdouble price;
  gboolean has_reference_price;
  gdouble reference_price;
  GArray *price_history;        /* of GcPricePoint, sorted by date; never NULL */
  /* Sales at the venue (SAMR order 56 art. 16: the compared price is
   * bounded by transaction prices), of GcPricePoint sorted by date, several
   * a day allowed; never NULL (may be empty). */
  GArray *transactions;
  /* The manufacturer's suggested retail price (art. 16 para. 3: it may be
   * shown when labelled as such, e.g. 厂商建议零售价). */
  gboolean has_msrp;
  gdouble msrp;
  GcCategory category;
  gboolean sponsored;
  gchar *sponsor;               /* may be NULL */
  /* The advertisement approval number (广告批准文号) of a drug, medical
   * device or health food ad; may be NULL.  Reported with the category's
   * verdicts. */
  gchar *ad_approval;
  gboolean has_sold;
  gint64 sold;
  /* Claims the seller holds substantiation for (US pack: "#1",
   * "clinically proven", ...); matched case-insensitively against the
   * absolute-term that fired.  NULL-terminated, never NULL. */
  gchar **substantiated_claims;
  /* Gifts given with the product, of GcGift in file order; never NULL
   * (may be empty). */
  GArray *gifts;
} GcProduct;

typedef struct
{
  gchar *sku;
  gdouble start;                /* seconds of stream running time */
  gdouble end;
} GcScheduleEntry;

typedef struct _GcCatalog GcCatalog;

struct _GcCatalog
{
  /*< private >*/
  gint ref_count;
  /*< public, read-only >*/
  gchar *path;                  /* file it was loaded from, or "<memory>" */
  gchar *jurisdiction;          /* "CN", "EU", "US" (upper case) or NULL */
  gchar *currency;              /* ISO 4217, upper case, e.g. "CNY"; NULL if absent */
  gchar *seller_name;           /* may be NULL */
  gchar *seller_license;        /* may be NULL */
  gboolean has_stream_date;     /* optional "stream_date": "YYYY-MM-DD" */
  GDate stream_date;
  GPtrArray *products;          /* of GcProduct*, in file order */
  GArray *schedule;             /* of GcScheduleEntry, sorted by start */
  GPtrArray *warnings;          /* of gchar*: unknown fields etc. (never NULL) */
};

/* Load from a file.  The error message starts with the path. */
GcCatalog *gc_catalog_load_file (const gchar *path, GError **error);
/* Load from memory; @name is used in messages in place of a path. */
GcCatalog *gc_catalog_load_data (const gchar *data, gssize len,
    const gchar *name, GError **error);

GcCatalog *gc_catalog_ref (GcCatalog *catalog);
void gc_catalog_unref (GcCatalog *catalog);

const GcProduct *gc_catalog_find (const GcCatalog *catalog, const gchar *sku);

/* A product's name or alias as matched on screen: folded (gc_text_fold)
 * and in UCS-4. */
typedef struct
{
  const GcProduct *product;
  const gunichar *chars;
  glong n;
  /* gc_catalog_name_candidates: how many positions of the line start a
   * pair of adjacent characters that also occurs in the name (for a
   * one-character name: hold its character). */
  guint shared;
} GcCatalogName;

/* The names and aliases that share at least one pair of adjacent
 * characters (a one-character name: its character) with the line of @n
 * folded characters @line, with how many positions share one.  A name
 * within k edits of a part of the line shares at least n - 1 - 2k (the
 * q-gram bound), so a caller may skip those sharing fewer.  Looked up in
 * an index built at load: a catalog of 100,000 products costs a line no
 * more than a small one.  Appends GcCatalogName (valid while the catalog
 * lives) to @out, in catalog order. */
void gc_catalog_name_candidates (const GcCatalog *catalog,
    const gunichar *line, glong n, GArray *out);

/* TRUE when some product's price or reference price is @value (to the
 * cent).  A hash lookup. */
gboolean gc_catalog_declares_price (const GcCatalog *catalog, gdouble value);

/* The OCR languages (Tesseract's "a+b" form) a stream of this catalog is
 * read in when the user set none: Chinese and English for a Chinese
 * seller (jurisdiction CN, or a CNY/HKD/TWD currency, or neither given),
 * English alone otherwise (a Chinese model reads "Sponsored" as "广 a"). */
const gchar *gc_catalog_reading_languages (const GcCatalog *catalog);
/* The product the schedule says is on sale at running time @t (seconds),
 * or NULL. */
const GcProduct *gc_catalog_scheduled_at (const GcCatalog *catalog, gdouble t);

/* The highest "original" price the seller may show for @product on a stream
 * held on @stream_date with a look-back of @window_days (PRODUCT.md: the
 * lowest price in effect within the window before the stream when a
 * price_history is given, else reference_price).  Returns FALSE when the
 * product declares neither. */
gboolean gc_product_allowed_reference (const GcProduct *product,
    const GDate *stream_date, guint window_days, gdouble *out_price);

typedef enum
{
  GC_REFERENCE_NONE,            /* nothing backs a compared price */
  GC_REFERENCE_TRANSACTIONS,    /* lowest transaction within the window */
  GC_REFERENCE_LAST_TRANSACTION,        /* none within: the last before it */
  GC_REFERENCE_DECLARED,        /* reference_price */
  GC_REFERENCE_MSRP,            /* a line labelled as the MSRP, and msrp */
  /* price_history over the window: the lowest price offered in it, or
   * with a substantial period, the highest offered for that long. */
  GC_REFERENCE_OFFERED,
  /* A line that states the day ("7月1日成交价"): that day's transactions,
   * or the price offered that day. */
  GC_REFERENCE_STATED,
} GcReferenceSource;

typedef struct
{
  GcReferenceSource source;
  gdouble price;                /* the highest compared price allowed */
  /* TRANSACTIONS, LAST_TRANSACTION, OFFERED: the window */
  GDate first, last;
  /* LAST_TRANSACTION: the sale's day; STATED: the day stated */
  GDate day;
  /* TRANSACTIONS: sales within the window; STATED: sales that day (0: the
   * offered price); OFFERED with a substantial period: the days the price
   * was offered in the window (0: no price was offered that long, so the
   * lowest) */
  guint count;
  guint needed;                 /* OFFERED: the substantial period, 0 if none */
} GcReferenceBasis;

/* What bounds a compared ("original") price of @product on a stream held
 * on @stream_date.  With @by_transactions (SAMR order 56 art. 16 para. 2)
 * and transactions declared: the lowest transaction price in the
 * @window_days days before the stream day, or when there was none, the
 * last transaction price before them (the lowest of that day's); FALSE
 * (source NONE) when no sale precedes the window's end.  Otherwise, or
 * without transactions: with a price_history reaching into the window,
 * the lowest price offered in it (EU Omnibus art. 6a), or with
 * @substantial_days > 0 (16 CFR 233.1: a former price offered for a
 * reasonably substantial period) the highest price offered on at least
 * that many days of the window, if one was (source OFFERED); else
 * reference_price (source DECLARED).  Dates the basis cannot use are
 * invalid GDates. */
gboolean gc_product_reference_basis (const GcProduct *product,
    const GDate *stream_date, guint window_days, gboolean by_transactions,
    guint substantial_days, GcReferenceBasis *out);

/* What bounds a compared price whose line states its day, @month/@day
 * ("7月1日成交价", SAMR order 56 art. 16 para. 2: judged by what it
 * states): the day is the last such date on or before @stream_date.  With
 * transactions declared, the highest sale of that day (FALSE, source NONE
 * with the day, when there was none); else with a price_history, the price
 * offered that day; else, or without a stream date, the basis of
 * gc_product_reference_basis(). */
gboolean gc_product_stated_basis (const GcProduct *product,
    const GDate *stream_date, guint month, guint day, guint window_days,
    gboolean by_transactions, guint substantial_days, GcReferenceBasis *out);

/* A compared price that was raised shortly before the discount (SAMR order
 * 56 art. 17 (2)): the offered price set inside the window, and the
 * highest price of the look-back before the window it rose above. */
typedef struct
{
  gdouble raised_to;            /* the offered price set inside the window */
  GDate raised_on;
  gdouble before;               /* the highest price of the look-back */
  GDate first, last;            /* the look-back */
  guint count;                  /* prices it is the highest of */
  gboolean from_transactions;   /* those prices were sales, not offers */
} GcPriceRaise;

/* Whether @shown, a compared price on a stream held on @stream_date, was
 * raised inside the @window_days days before the stream day (an entry of
 * price_history there sets the offered price to @shown or more, above the
 * offered price before it) and is above every price of the @lookback_days
 * days before that window: the sales then, or when there were none, the
 * offered prices in effect then (@tolerance either way).  FALSE when not,
 * or when the catalog does not tell (no raise in the history, nothing
 * known of the look-back). */
gboolean gc_product_price_raised (const GcProduct *product,
    const GDate *stream_date, guint window_days, guint lookback_days,
    gdouble shown, gdouble tolerance, GcPriceRaise *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcCatalog, gc_catalog_unref)

G_END_DECLS
