/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: jurisdiction rule packs (models/rules/NAME.json).
 *
 * Everything that is law rather than code lives in the pack: term lists,
 * windows, tolerances, legal references, severities, the on-screen words
 * that count as an ad label and the label text to draw, per language.
 * A pack is immutable after loading and reference counted. */
#pragma once

#include <glib.h>
#include "gc-catalog.h"

G_BEGIN_DECLS

#define GC_RULEPACK_SCHEMA "gst-compliance-rules/1"

/* Stable rule identifiers (PRODUCT.md "Rules"). */
#define GC_RULE_PRICE_MISMATCH           "price.mismatch"
#define GC_RULE_PRICE_REFERENCE_INFLATED "price.reference_inflated"
#define GC_RULE_CLAIM_ABSOLUTE_TERM      "claim.absolute_term"
#define GC_RULE_CLAIM_MEDICAL            "claim.medical"
#define GC_RULE_CLAIM_SALES_INFLATED     "claim.sales_inflated"
#define GC_RULE_DISCLOSURE_MISSING       "disclosure.missing"
#define GC_RULE_PRODUCT_UNDECLARED       "product.undeclared"
#define GC_RULE_PRODUCT_PROHIBITED       "product.prohibited"
#define GC_RULE_DISCLOSURE_STATEMENT_MISSING "disclosure.statement_missing"
#define GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT "price.raised_before_discount"
#define GC_RULE_CLAIM_AUDIENCE_INFLATED  "claim.audience_inflated"
#define GC_RULE_GIFT_UNDISCLOSED         "gift.undisclosed"
#define GC_RULE_GIFT_VALUE_INFLATED      "gift.value_inflated"

/* Every rule, once: its id, its code in the SEI payload (gc-sei.h; a code
 * is on the wire: never renumber or reuse one), its name in Chinese and
 * English for the overlay's warnings, and whether it is a rule of the
 * first release.  Those every pack must list, and the SEI writer puts
 * their codes on the wire.  A rule added later keeps what was written for
 * the first release working: a pack without an entry for it still loads
 * (the rule is off for that pack and the pack's warnings say so, never a
 * silent "clean"), and the writer puts its id on the wire (code 0 and the
 * id), which readers built before it accept; its code is reserved and
 * decoded.  The id list, the SEI codes and the display names are derived
 * from this table; severities and legal references are in the packs. */
#define GC_RULE_TABLE(X) \
  X (GC_RULE_PRICE_MISMATCH, 1, "价格与申报不符", "price differs from declared", TRUE) \
  X (GC_RULE_PRICE_REFERENCE_INFLATED, 2, "划线原价虚高", "inflated original price", TRUE) \
  X (GC_RULE_CLAIM_ABSOLUTE_TERM, 3, "绝对化用语", "absolute claim", TRUE) \
  X (GC_RULE_CLAIM_MEDICAL, 4, "医疗功效用语", "medical claim", TRUE) \
  X (GC_RULE_CLAIM_SALES_INFLATED, 5, "销量虚标", "inflated sales figure", TRUE) \
  X (GC_RULE_DISCLOSURE_MISSING, 6, "缺少广告标识", "ad label missing", TRUE) \
  X (GC_RULE_PRODUCT_UNDECLARED, 7, "未申报商品", "undeclared product", TRUE) \
  X (GC_RULE_PRODUCT_PROHIBITED, 8, "禁售商品", "prohibited product", TRUE) \
  X (GC_RULE_DISCLOSURE_STATEMENT_MISSING, 9, "缺少法定提示语", "required statement missing", FALSE) \
  X (GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT, 10, "先提价后打折", "raised before the discount", FALSE) \
  X (GC_RULE_CLAIM_AUDIENCE_INFLATED, 11, "观看点赞数据虚标", "inflated audience figure", FALSE) \
  X (GC_RULE_GIFT_UNDISCLOSED, 12, "赠品未标明品名数量", "gift not named with its quantity", FALSE) \
  X (GC_RULE_GIFT_VALUE_INFLATED, 13, "赠品价值虚标", "inflated gift value", FALSE)

typedef struct
{
  const gchar *id;
  guint8 sei_code;              /* 1..255; 0 is "another rule, by id" */
  const gchar *name_zh, *name_en;
  gboolean first_release;       /* packs must list it; written by code */
} GcRuleDef;

/* NULL-terminated list of every rule id, in table order. */
extern const gchar *const gc_rule_ids[];
/* The table, ended by an entry whose id is NULL. */
extern const GcRuleDef gc_rule_defs[];

/* The table's entry for @id, or for the SEI code @code; NULL when none. */
const GcRuleDef *gc_rule_def (const gchar *id);
const GcRuleDef *gc_rule_def_by_code (guint code);
/* One line telling the streamer about a violation: "RULE · NAME — on
 * screen: OBSERVED · declared: DECLARED", in Chinese when @zh (@observed
 * and @declared may be NULL).  The overlay's and the OBS filter's
 * warnings. */
gchar *gc_rule_warning_line (const gchar *rule, const gchar *observed,
    const gchar *declared, gboolean zh);

typedef struct
{
  gchar *id;                    /* one of gc_rule_ids */
  gboolean enabled;
  gchar *severity;              /* "error" | "warning" | "info" */
  gchar *legal_ref;             /* citation printed in reports */
} GcRuleInfo;

/* A list of terms that one rule matches against on-screen text. */
typedef struct
{
  gchar **terms;                /* literal, matched after gc_text_fold(); NULL-terminated */
  gchar **shown;                /* terms[i] with its diacritics: what a match returns */
  gchar **exceptions;           /* phrases that contain a term but are allowed */
  GPtrArray *patterns;          /* of GRegex*, matched against folded text */
} GcTermList;

typedef struct _GcRulePack GcRulePack;

struct _GcRulePack
{
  /*< private >*/
  gint ref_count;
  /*< public, read-only >*/
  gchar *name;                  /* "cn", "eu", "us" or the file's basename */
  gchar *path;
  gchar *jurisdiction;          /* "CN", "EU", "US" */
  gchar *title;
  guint confirm_frames;         /* analysed frames a reading must be seen on (>= 1) */
  guint release_frames;         /* analysed frames without it before it ends (>= 1) */
  gdouble price_tolerance;      /* absolute, in currency units */
  guint reference_window_days;  /* look-back for the allowed reference price */
  /* "reference_basis": "transactions" (CN, SAMR order 56 art. 16: the
   * catalog's transactions bound a compared price) or "offered_prices"
   * (default: price_history, then reference_price). */
  gboolean reference_by_transactions;
  /* "substantial_period_days" (US, 16 CFR 233.1: a former price offered
   * for a reasonably substantial period): with offered prices, a compared
   * price may be the highest price offered on at least this many days of
   * the window; 0 (default): the lowest offered in it (EU Omnibus). */
  guint substantial_period_days;
  /* price.raised_before_discount: the days before the reference window
   * whose prices a compared price raised inside the window is measured
   * against ("raise_lookback_days", default 30). */
  guint raise_lookback_days;
  gdouble sales_tolerance;      /* relative: fires when shown > sold * (1 + t) */
  /* claim.audience_inflated: fires when a figure shown > the attested one
   * * (1 + t) ("audience_tolerance", default 0.1: a display rounds 31,500
   * up to 3.2万, and the count moves between samples). */
  gdouble audience_tolerance;
  GPtrArray *rules;             /* of GcRuleInfo*, one per gc_rule_ids entry */
  GcTermList absolute_terms;
  GcTermList medical_terms;
  GcTermList ad_labels;         /* on-screen words that count as a disclosure */
  /* Categories whose products may not be offered at all (bit 1 << category;
   * "prohibited_categories", default only "prohibited"). */
  guint prohibited_categories;
  /* "required_statements": what must be on screen while a product of a
   * category is active (health food: 本品不能代替药物), per GcCategory;
   * terms NULL where nothing is required.  The statement may be missing
   * for statement_grace seconds before disclosure.statement_missing
   * fires. */
  GcTermList statements[GC_N_CATEGORIES];
  gdouble statement_grace;
  /* What loading noticed but did not refuse (an optional rule without an
   * entry, so not checked); of gchar*, never NULL. */
  GPtrArray *warnings;
  /* Label to draw, per language code ("zh", "en", "de", ...).  Values may
   * contain one "%s" for the sponsor's name in the *_sponsor table. */
  GHashTable *label_text;       /* lang -> text */
  GHashTable *label_sponsor_text; /* lang -> text with %s */
  gchar *default_language;
  gdouble label_min_height;     /* fraction of frame height */
  gdouble label_min_contrast;   /* WCAG contrast ratio */
};

/* @name_or_path: "cn", "eu", "us" (looked up in @models_dir, or the
 * installed models dir when NULL) or a path to a pack file.  An unknown name
 * fails with GC_ERROR_NOT_FOUND and lists the known ones. */
GcRulePack *gc_rulepack_load (const gchar *name_or_path,
    const gchar *models_dir, GError **error);
GcRulePack *gc_rulepack_load_file (const gchar *path, GError **error);
GcRulePack *gc_rulepack_load_data (const gchar *data, gssize len,
    const gchar *name, GError **error);

GcRulePack *gc_rulepack_ref (GcRulePack *pack);
void gc_rulepack_unref (GcRulePack *pack);

/* Never NULL for an id in gc_rule_ids. */
const GcRuleInfo *gc_rulepack_rule (const GcRulePack *pack, const gchar *id);
gboolean gc_rulepack_rule_enabled (const GcRulePack *pack, const gchar *id);

/* Default directory holding the shipped packs: $GST_COMPLIANCE_MODELS_DIR
 * if set, else the source tree's models/ when the caller runs from the
 * build tree (gc-paths.h), else the installed datadir. */
const gchar *gc_models_dir (void);

/* Which term of @list occurs in @folded_text (already gc_text_fold()ed),
 * outside any exception phrase.  Returns a newly allocated copy of the
 * matched term as the pack wrote it, folded but with its diacritics (or
 * of the regex match, from @folded_text), or NULL. */
gchar *gc_term_list_match (const GcTermList *list, const gchar *folded_text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcRulePack, gc_rulepack_unref)

G_END_DECLS

G_BEGIN_DECLS

/* The disclosure label to draw in @lang (NULL: the pack's default
 * language; an unknown language falls back to it): the pack's
 * label_sponsor text with @sponsor put in place of its "%s" when @sponsor
 * is given, else the plain label.  @sponsor is inserted as text, never
 * used as a format; with @isolate (for drawing) it is put between FSI and
 * PDI (U+2068, U+2069), so bidi controls in it cannot reorder the pack's
 * words around it.  Newly allocated; never NULL. */
gchar *gc_rulepack_format_label (const GcRulePack *pack, const gchar *lang,
    const gchar *sponsor, gboolean isolate);

G_END_DECLS
