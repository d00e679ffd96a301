/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the rule engine.
 *
 * Each analysed frame yields a set of *conditions*: a rule that would fire
 * on this frame, keyed by what makes two sightings the same occurrence
 * (rule, product and what was observed).  A tracker per key counts the
 * consecutive frames a condition holds and the consecutive frames it is
 * missing, which gives the confirmation (one misread frame raises nothing)
 * and the merging over time (one record per continuous occurrence). */
#include "gc-rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gc-error.h"
#include "gc-text.h"

#include <json-glib/json-glib.h>

/* ---------------------------------------------------------------- */
/* Violations */

GcViolation *
gc_violation_new (const gchar *rule)
{
  GcViolation *v = g_new0 (GcViolation, 1);
  v->ref_count = 1;
  v->rule = g_strdup (rule);
  return v;
}

GcViolation *
gc_violation_copy (const GcViolation *v)
{
  GcViolation *c = gc_violation_new (v->rule);
#define COPY(field) c->field = g_strdup (v->field);
  GC_VIOLATION_STRINGS (COPY)
#undef COPY
  c->t_start = v->t_start;
  c->t_end = v->t_end;
  c->box = v->box;
  c->t_confirmed = v->t_confirmed;
  c->id = v->id;
  return c;
}

GcViolation *
gc_violation_ref (GcViolation *v)
{
  g_atomic_int_inc (&v->ref_count);
  return v;
}

void
gc_violation_unref (GcViolation *v)
{
  if (v == NULL || !g_atomic_int_dec_and_test (&v->ref_count))
    return;
  g_free (v->rule);
#define FREE(field) g_free (v->field);
  GC_VIOLATION_STRINGS (FREE)
#undef FREE
  g_free (v);
}

void
gc_event_free (GcEvent *event)
{
  if (event == NULL)
    return;
  gc_violation_unref (event->violation);
  g_free (event);
}

/* ---------------------------------------------------------------- */
/* Engine state */

typedef struct
{
  GcViolation *v;               /* working copy; never handed out */
  guint seen_run;               /* consecutive frames the condition held */
  guint miss_run;               /* consecutive frames it did not (when active) */
  gboolean active;              /* confirmed and START emitted */
  gboolean seen_this_frame;
} Tracker;

struct _GcRules
{
  GcCatalog *catalog;           /* may be NULL */
  GcRulePack *pack;
  GDate stream_date;
  guint confirm_frames;
  guint release_frames;
  gboolean label_drawn;

  gchar *explicit_sku;
  gchar *screen_sku;            /* last product name recognised on screen */
  gchar *active_sku;            /* result of the last frame */
  const gchar *active_source;

  gboolean disclosure_required;
  gboolean disclosure_visible;

  /* disclosure.statement_missing: since when (running time, seconds) the
   * active product @statement_sku has been on without the statement its
   * category requires; < 0 while it is on screen or nothing is owed. */
  gchar *statement_sku;
  gdouble statement_missing_since;

  /* Attested audience figures, per kind (audience_kinds), of Attested in
   * time order. */
  GArray *attested[3];

  GHashTable *trackers;         /* key -> Tracker* */
  guint64 next_id;
};

typedef struct
{
  gdouble t, value;
} Attested;

static const gchar *const audience_kinds[] = { "viewers", "likes", "followers" };

static gint
audience_kind (const gchar *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (audience_kinds); i++)
    if (g_strcmp0 (kind, audience_kinds[i]) == 0)
      return (gint) i;
  return -1;
}

static void
tracker_free (Tracker *tr)
{
  gc_violation_unref (tr->v);
  g_free (tr);
}

GcRules *
gc_rules_new (GcCatalog *catalog, GcRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);

  GcRules *rules = g_new0 (GcRules, 1);
  rules->catalog = catalog ? gc_catalog_ref (catalog) : NULL;
  rules->pack = gc_rulepack_ref (pack);
  rules->confirm_frames = MAX (pack->confirm_frames, 1);
  rules->release_frames = MAX (pack->release_frames, 1);
  rules->trackers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) tracker_free);
  rules->next_id = 1;
  rules->statement_missing_since = -1;
  for (guint i = 0; i < G_N_ELEMENTS (rules->attested); i++)
    rules->attested[i] = g_array_new (FALSE, FALSE, sizeof (Attested));

  g_date_clear (&rules->stream_date, 1);
  if (catalog && catalog->has_stream_date) {
    rules->stream_date = catalog->stream_date;
  } else {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_date_set_dmy (&rules->stream_date, g_date_time_get_day_of_month (now),
        g_date_time_get_month (now), g_date_time_get_year (now));
  }
  return rules;
}

void
gc_rules_free (GcRules *rules)
{
  if (rules == NULL)
    return;
  g_hash_table_unref (rules->trackers);
  if (rules->catalog)
    gc_catalog_unref (rules->catalog);
  gc_rulepack_unref (rules->pack);
  g_free (rules->explicit_sku);
  g_free (rules->screen_sku);
  g_free (rules->active_sku);
  g_free (rules->statement_sku);
  for (guint i = 0; i < G_N_ELEMENTS (rules->attested); i++)
    g_array_unref (rules->attested[i]);
  g_free (rules);
}

void
gc_rules_set_stream_date (GcRules *rules, const GDate *date)
{
  g_return_if_fail (date != NULL && g_date_valid (date));
  rules->stream_date = *date;
}

void
gc_rules_set_confirm_frames (GcRules *rules, guint n)
{
  rules->confirm_frames = MAX (n, 1);
}

gboolean
gc_rules_set_active_sku (GcRules *rules, const gchar *sku)
{
  if (sku == NULL || *sku == '\0') {
    g_clear_pointer (&rules->explicit_sku, g_free);
    return TRUE;
  }
  if (rules->catalog == NULL || gc_catalog_find (rules->catalog, sku) == NULL)
    return FALSE;
  g_free (rules->explicit_sku);
  rules->explicit_sku = g_strdup (sku);
  return TRUE;
}

void
gc_rules_set_label_drawn (GcRules *rules, gboolean drawn)
{
  rules->label_drawn = drawn;
}

static void
emit (GPtrArray *events, GcEventType type, const GcViolation *v)
{
  if (events == NULL)
    return;
  GcEvent *ev = g_new0 (GcEvent, 1);
  ev->type = type;
  ev->violation = gc_violation_copy (v);
  g_ptr_array_add (events, ev);
}

/* Ends every tracker for which @pred holds (all when NULL). */
static void
end_trackers (GcRules *rules, gboolean (*pred) (Tracker *, gpointer),
    gpointer data, GPtrArray *events)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, rules->trackers);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    Tracker *tr = value;
    if (pred && !pred (tr, data))
      continue;
    if (tr->active)
      emit (events, GC_EVENT_END, tr->v);
    g_hash_table_iter_remove (&it);
  }
}

static gboolean
tracker_sku_gone (Tracker *tr, gpointer data)
{
  GcCatalog *catalog = data;
  return tr->v->sku != NULL && (catalog == NULL
      || gc_catalog_find (catalog, tr->v->sku) == NULL);
}

void
gc_rules_set_catalog (GcRules *rules, GcCatalog *catalog, GPtrArray *events)
{
  end_trackers (rules, tracker_sku_gone, catalog, events);

  if (catalog)
    gc_catalog_ref (catalog);
  if (rules->catalog)
    gc_catalog_unref (rules->catalog);
  rules->catalog = catalog;

  if (catalog && catalog->has_stream_date)
    rules->stream_date = catalog->stream_date;
  /* A sku the new catalog no longer declares cannot stay active. */
  if (rules->explicit_sku && (catalog == NULL
          || gc_catalog_find (catalog, rules->explicit_sku) == NULL))
    g_clear_pointer (&rules->explicit_sku, g_free);
  if (rules->screen_sku && (catalog == NULL
          || gc_catalog_find (catalog, rules->screen_sku) == NULL))
    g_clear_pointer (&rules->screen_sku, g_free);
  if (rules->active_sku && (catalog == NULL
          || gc_catalog_find (catalog, rules->active_sku) == NULL)) {
    g_clear_pointer (&rules->active_sku, g_free);
    rules->active_source = NULL;
  }
}

/* ---------------------------------------------------------------- */
/* Conditions of one frame */

typedef struct
{
  GcRules *rules;
  const GcProduct *product;
  gdouble t;                    /* the frame's running time, seconds */
  GHashTable *seen;             /* key -> GcViolation* (template) */
} Frame;

/* What a price.reference_inflated verdict was measured against, for the
 * report's "declared": the bound, and for transactions the window and the
 * sales it came from, so that an auditor can redo the arithmetic. */
/* The sales of @p from @first to @last (julian days), for an auditor:
 * "2026-11-24 ¥119.00, 2026-11-27 ¥109.00"; the first ten, then how many
 * more. */
#define LISTED_SALES 10
static gchar *
list_sales (const GcProduct *p, const GDate *first, const GDate *last,
    const gchar *currency)
{
  GString *s = g_string_new (NULL);
  guint32 from, to;
  guint n = 0;

  if (!g_date_valid (first) || !g_date_valid (last))
    return g_string_free (s, FALSE);
  from = g_date_get_julian (first);
  to = g_date_get_julian (last);
  for (guint i = 0; i < p->transactions->len; i++) {
    const GcPricePoint *pt =
        &g_array_index (p->transactions, GcPricePoint, i);
    guint32 day = g_date_get_julian (&pt->date);

    if (day < from || day > to)
      continue;
    if (n++ < LISTED_SALES) {
      gchar date[16];
      g_autofree gchar *price = gc_format_price (pt->price, currency);

      g_date_strftime (date, sizeof (date), "%Y-%m-%d", &pt->date);
      g_string_append_printf (s, "%s%s %s", n > 1 ? ", " : "", date, price);
    }
  }
  if (n > LISTED_SALES)
    g_string_append_printf (s, " and %u more", n - LISTED_SALES);
  return g_string_free (s, FALSE);
}

static gchar *
describe_basis (const GcReferenceBasis *basis, const GcProduct *p,
    const gchar *currency)
{
  g_autofree gchar *price = gc_format_price (basis->price, currency);
  gchar first[16] = "", last[16] = "", day[16] = "";

  if (g_date_valid (&basis->first))
    g_date_strftime (first, sizeof (first), "%Y-%m-%d", &basis->first);
  if (g_date_valid (&basis->last))
    g_date_strftime (last, sizeof (last), "%Y-%m-%d", &basis->last);
  if (g_date_valid (&basis->day))
    g_date_strftime (day, sizeof (day), "%Y-%m-%d", &basis->day);
  switch (basis->source) {
    case GC_REFERENCE_TRANSACTIONS:{
      /* The sales themselves, so that the lowest can be checked. */
      g_autofree gchar *sales = list_sales (p, &basis->first, &basis->last,
          currency);
      return g_strdup_printf ("%s (lowest of %u transaction%s %s..%s: %s)",
          price, basis->count, basis->count == 1 ? "" : "s", first, last,
          sales);
    }
    case GC_REFERENCE_LAST_TRANSACTION:
      return g_strdup_printf ("%s (last transaction, %s; none %s..%s)",
          price, day, first, last);
    case GC_REFERENCE_MSRP:
      return g_strdup_printf ("%s (MSRP)", price);
    case GC_REFERENCE_OFFERED:
      if (basis->needed > 0 && basis->count > 0)
        return g_strdup_printf ("%s (offered %u of the days %s..%s; %u "
            "needed)", price, basis->count, first, last, basis->needed);
      if (basis->needed > 0)
        return g_strdup_printf ("%s (lowest offered %s..%s; no price offered "
            "%u days)", price, first, last, basis->needed);
      return g_strdup_printf ("%s (lowest offered %s..%s)", price, first,
          last);
    case GC_REFERENCE_STATED:
      if (basis->count > 0)
        return g_strdup_printf ("%s (highest of %u transaction%s on %s)",
            price, basis->count, basis->count == 1 ? "" : "s", day);
      return g_strdup_printf ("%s (offered on %s)", price, day);
    case GC_REFERENCE_DECLARED:
      return g_strdup_printf ("%s (reference_price)", price);
    case GC_REFERENCE_NONE:
    default:
      if (day[0])
        return g_strdup_printf ("no transaction or offered price on %s", day);
      if (last[0])
        return g_strdup_printf ("no transaction on or before %s", last);
      return g_strdup ("no reference price declared");
  }
}

static void
frame_add (Frame *f, const gchar *rule, const gchar *observed,
    const gchar *declared, const GcBox *box)
{
  GcRulePack *pack = f->rules->pack;
  if (!gc_rulepack_rule_enabled (pack, rule))
    return;

  const gchar *sku = f->product ? f->product->sku : NULL;
  /* What makes two sightings the same occurrence: the rule, the product
   * and what was observed.  A different price on screen is a new
   * occurrence; the same claim read with a space more or less, or with a
   * full-width "！", is not ("10,000+sold" and "10,000+ sold": one claim
   * was reported twice). */
  g_autofree gchar *folded = gc_text_fold (observed ? observed : "");
  GString *same = g_string_new (NULL);
  for (const gchar *p = folded; *p; p++)
    if (*p != ' ')
      g_string_append_c (same, *p);
  gchar *key = g_strdup_printf ("%s\x1f%s\x1f%s", rule, sku ? sku : "",
      same->str);
  g_string_free (same, TRUE);
  if (g_hash_table_contains (f->seen, key)) {
    g_free (key);
    return;
  }

  const GcRuleInfo *info = gc_rulepack_rule (pack, rule);
  GcViolation *v = gc_violation_new (rule);
  v->severity = g_strdup (info->severity);
  v->legal_ref = g_strdup (info->legal_ref);
  v->sku = g_strdup (sku);
  v->observed = g_strdup (observed);
  v->declared = g_strdup (declared);
  if (box)
    v->box = *box;
  g_hash_table_insert (f->seen, key, v);
}

static const gchar *
catalog_currency (GcRules *rules)
{
  return rules->catalog ? rules->catalog->currency : NULL;
}

static gboolean
same_currency (const gchar *a, const gchar *b)
{
  /* A price shown without a currency is taken in the catalog's. */
  return a == NULL || b == NULL || g_ascii_strcasecmp (a, b) == 0;
}

static gboolean
claim_substantiated (const GcProduct *product, const gchar *term)
{
  if (product == NULL || term == NULL)
    return FALSE;
  g_autofree gchar *t = gc_text_fold (term);
  for (gchar **c = product->substantiated_claims; c && *c; c++) {
    g_autofree gchar *f = gc_text_fold (*c);
    if (g_strcmp0 (f, t) == 0)
      return TRUE;
  }
  return FALSE;
}

/* claim.audience_inflated: a viewer, like or follower figure on screen
 * above the one the platform attested for the frame's time (the last at
 * or before it) by more than the pack's tolerance.  Silent without an
 * attested figure of that kind: nothing to compare. */
static void
audience_condition (Frame *f, const GcFact *fact)
{
  GcRules *rules = f->rules;
  gint k = audience_kind (fact->key);
  const Attested *at = NULL;

  if (k < 0)
    return;
  for (guint i = 0; i < rules->attested[k]->len; i++) {
    const Attested *a = &g_array_index (rules->attested[k], Attested, i);
    if (a->t > f->t)
      break;
    at = a;
  }
  if (at == NULL
      || fact->value <= at->value * (1.0 + rules->pack->audience_tolerance))
    return;
  g_autofree gchar *declared = g_strdup_printf ("attested %.0f %s at %.1f s",
      at->value, fact->key, at->t);
  frame_add (f, GC_RULE_CLAIM_AUDIENCE_INFLATED, fact->text, declared,
      &fact->box);
}

/* The active product's gift whose name (folded) is on @line (folded). */
static const GcGift *
gift_on_line (const GcProduct *p, const gchar *line)
{
  for (guint i = 0; line && i < p->gifts->len; i++) {
    const GcGift *g = &g_array_index (p->gifts, GcGift, i);

    if (g->folded[0] && strstr (line, g->folded))
      return g;
  }
  return NULL;
}

/* "杯套 ×1 (¥19.00), 杯刷 ×2" for "declared". */
static gchar *
describe_gifts (const GcProduct *p, const gchar *currency)
{
  GString *s;

  if (p->gifts->len == 0)
    return g_strdup ("no gift declared");
  s = g_string_new (NULL);
  for (guint i = 0; i < p->gifts->len; i++) {
    const GcGift *g = &g_array_index (p->gifts, GcGift, i);

    g_string_append_printf (s, "%s%s ×%" G_GINT64_FORMAT, i ? ", " : "",
        g->name, g->quantity);
    if (g->has_price) {
      g_autofree gchar *price = gc_format_price (g->price, currency);
      g_string_append_printf (s, " (%s)", price);
    }
  }
  return g_string_free (s, FALSE);
}

/* gift.undisclosed and gift.value_inflated (SAMR order 56 art. 18): a gift
 * on screen must show its name and quantity as the catalog declares them,
 * and a value shown for it must be its current price.  "买一送一" gives the
 * product itself: named, and its value is the product's price. */
static void
gift_condition (Frame *f, const GcFact *fact)
{
  const GcProduct *p = f->product;
  const gchar *currency = catalog_currency (f->rules);
  gboolean same = g_strcmp0 (fact->key, "same") == 0;
  const GcGift *gift;
  gdouble price = 0;
  gboolean has_price = FALSE;
  const gchar *name = NULL;

  if (p == NULL)
    return;
  gift = same ? NULL : gift_on_line (p, fact->text);
  if (!same) {
    g_autofree gchar *declared = describe_gifts (p, currency);
    g_autofree gchar *observed = NULL;

    /* What was observed keys the occurrence: the line itself goes to
     * "declared", so that a flickering reading stays one occurrence. */
    if (gift == NULL) {
      observed = g_strdup ("gift not named");
      g_autofree gchar *with_line = g_strdup_printf ("%s; the line: \"%s\"",
          declared, fact->text);
      g_free (declared);
      declared = g_steal_pointer (&with_line);
    } else if (fact->quantity == 0)
      observed = g_strdup_printf ("%s, no quantity", gift->name);
    else if (fact->quantity != gift->quantity)
      observed = g_strdup_printf ("%s ×%" G_GINT64_FORMAT, gift->name,
          fact->quantity);
    if (observed)
      frame_add (f, GC_RULE_GIFT_UNDISCLOSED, observed, declared, &fact->box);
  }
  if (!fact->has_value)
    return;

  if (same) {
    name = p->name;
    price = p->price;
    has_price = TRUE;
  } else {
    /* Unnamed on the line: the product's gift priced highest, the most
     * the value may say; its only gift even unpriced (which backs no
     * value). */
    if (gift == NULL) {
      for (guint i = 0; i < p->gifts->len; i++) {
        const GcGift *g = &g_array_index (p->gifts, GcGift, i);
        if (g->has_price && (gift == NULL || g->price > gift->price))
          gift = g;
      }
      if (gift == NULL && p->gifts->len == 1)
        gift = &g_array_index (p->gifts, GcGift, 0);
    }
    if (gift) {
      name = gift->name;
      price = gift->price;
      has_price = gift->has_price;
    }
  }
  g_autofree gchar *observed = gc_format_price (fact->value,
      fact->currency ? fact->currency : currency);
  g_autofree gchar *declared = NULL;
  if (name == NULL)
    declared = describe_gifts (p, currency);
  else if (!has_price)
    declared = g_strdup_printf ("%s: no current price declared", name);
  else if (fact->value > price + f->rules->pack->price_tolerance
      || !same_currency (fact->currency, currency)) {
    g_autofree gchar *current = gc_format_price (price, currency);
    declared = g_strdup_printf ("%s: current price %s", name, current);
  }
  if (declared)
    frame_add (f, GC_RULE_GIFT_VALUE_INFLATED, observed, declared,
        &fact->box);
}

/* price.raised_before_discount (SAMR order 56 art. 17 (2)): the compared
 * price is one the seller raised inside the reference window, above every
 * price of the look-back before it.  "declared" gives the raise and the
 * prices it rose above, for the auditor. */
static void
raised_condition (Frame *f, const GcFact *fact, const gchar *observed)
{
  GcRules *rules = f->rules;
  GcRulePack *pack = rules->pack;
  const gchar *currency = catalog_currency (rules);
  GcPriceRaise r;
  gchar on[16] = "", first[16] = "", last[16] = "";

  if (!gc_rulepack_rule_enabled (pack, GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT)
      || !gc_product_price_raised (f->product, &rules->stream_date,
          pack->reference_window_days, pack->raise_lookback_days, fact->value,
          pack->price_tolerance, &r))
    return;
  g_date_strftime (on, sizeof (on), "%Y-%m-%d", &r.raised_on);
  g_date_strftime (first, sizeof (first), "%Y-%m-%d", &r.first);
  g_date_strftime (last, sizeof (last), "%Y-%m-%d", &r.last);
  g_autofree gchar *to = gc_format_price (r.raised_to, currency);
  g_autofree gchar *before = gc_format_price (r.before, currency);
  g_autofree gchar *declared = g_strdup_printf ("raised to %s on %s; at most "
      "%s %s..%s (%u %s)", to, on, before, first, last, r.count,
      r.from_transactions ? (r.count == 1 ? "transaction" : "transactions")
      : (r.count == 1 ? "offered price" : "offered prices"));
  frame_add (f, GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT, observed, declared,
      &fact->box);
}

/* disclosure.statement_missing: the active product's category requires a
 * statement (the pack's required_statements) and none has been on screen
 * for more than the pack's grace period.  The period starts when the
 * product becomes active, or when the statement leaves the screen. */
static void
statement_condition (Frame *f, gboolean seen)
{
  GcRules *rules = f->rules;
  const GcProduct *p = f->product;
  const GcTermList *owed = p ? &rules->pack->statements[p->category] : NULL;

  if (owed == NULL || owed->terms == NULL || owed->terms[0] == NULL || seen) {
    rules->statement_missing_since = -1;
    g_clear_pointer (&rules->statement_sku, g_free);
    return;
  }
  if (rules->statement_missing_since < 0
      || g_strcmp0 (rules->statement_sku, p->sku) != 0) {
    rules->statement_missing_since = f->t;
    g_free (rules->statement_sku);
    rules->statement_sku = g_strdup (p->sku);
  }
  if (f->t - rules->statement_missing_since >= rules->pack->statement_grace) {
    g_autofree gchar *declared = g_strdup_printf ("category %s: \"%s\"%s%s",
        gc_category_to_string (p->category),
        owed->shown ? owed->shown[0] : owed->terms[0],
        p->ad_approval ? ", ad approval " : "",
        p->ad_approval ? p->ad_approval : "");
    frame_add (f, GC_RULE_DISCLOSURE_STATEMENT_MISSING,
        "required statement not on screen", declared, NULL);
  }
}

static void
frame_conditions (Frame *f, GPtrArray *facts)
{
  GcRules *rules = f->rules;
  GcRulePack *pack = rules->pack;
  const GcProduct *p = f->product;
  const gchar *currency = catalog_currency (rules);
  gboolean ad_label_seen = FALSE, statement_seen = FALSE;
  const GcFact *first_price = NULL;

  for (guint i = 0; i < facts->len; i++) {
    const GcFact *fact = g_ptr_array_index (facts, i);

    switch (fact->kind) {
      case GC_FACT_PRICE:
        if (first_price == NULL)
          first_price = fact;
        if (p && (fabs (fact->value - p->price) > pack->price_tolerance
                || !same_currency (fact->currency, currency))) {
          g_autofree gchar *declared = gc_format_price (p->price, currency);
          g_autofree gchar *observed = gc_format_price (fact->value,
              fact->currency ? fact->currency : currency);
          frame_add (f, GC_RULE_PRICE_MISMATCH, observed, declared, &fact->box);
        }
        break;
      case GC_FACT_REFERENCE_PRICE:{
        if (first_price == NULL)
          first_price = fact;
        if (p == NULL)
          break;
        GcReferenceBasis basis;
        gboolean backed;
        g_autofree gchar *observed = gc_format_price (fact->value,
            fact->currency ? fact->currency : currency);
        if (g_strcmp0 (fact->key, "msrp") == 0 && p->has_msrp) {
          /* Art. 16 para. 3: a price labelled as the manufacturer's
           * suggested retail price is judged by what it states. */
          memset (&basis, 0, sizeof (basis));
          basis.source = GC_REFERENCE_MSRP;
          basis.price = p->msrp;
          backed = TRUE;
        } else if (fact->key && g_str_has_prefix (fact->key, "date:")) {
          /* Art. 16 para. 2: a compared price that states its day is
           * judged by that day. */
          guint month = 0, day = 0;

          if (sscanf (fact->key + 5, "%2u-%2u", &month, &day) != 2)
            month = day = 0;
          backed = gc_product_stated_basis (p, &rules->stream_date, month, day,
              pack->reference_window_days, pack->reference_by_transactions,
              pack->substantial_period_days, &basis);
        } else
          backed = gc_product_reference_basis (p, &rules->stream_date,
              pack->reference_window_days, pack->reference_by_transactions,
              pack->substantial_period_days, &basis);
        if (g_strcmp0 (fact->key, "msrp") != 0)
          raised_condition (f, fact, observed);
        if (!backed) {
          /* A crossed-out price with nothing declared to back it. */
          g_autofree gchar *declared = describe_basis (&basis, p, currency);
          frame_add (f, GC_RULE_PRICE_REFERENCE_INFLATED, observed, declared,
              &fact->box);
        } else if (fact->value > basis.price + pack->price_tolerance
            || !same_currency (fact->currency, currency)) {
          g_autofree gchar *declared = describe_basis (&basis, p, currency);
          frame_add (f, GC_RULE_PRICE_REFERENCE_INFLATED, observed, declared,
              &fact->box);
        }
        break;
      }
      case GC_FACT_SALES:
        if (p && p->has_sold
            && fact->value > (gdouble) p->sold * (1.0 + pack->sales_tolerance)) {
          g_autofree gchar *declared = g_strdup_printf ("%" G_GINT64_FORMAT
              " sold", p->sold);
          frame_add (f, GC_RULE_CLAIM_SALES_INFLATED, fact->text, declared,
              &fact->box);
        }
        break;
      case GC_FACT_AD_LABEL:
        ad_label_seen = TRUE;
        break;
      case GC_FACT_ABSOLUTE_TERM:
        if (!claim_substantiated (p, fact->key))
          frame_add (f, GC_RULE_CLAIM_ABSOLUTE_TERM, fact->key, NULL,
              &fact->box);
        break;
      case GC_FACT_MEDICAL_CLAIM:
        if (p == NULL || !gc_category_is_medical (p->category)) {
          g_autofree gchar *declared = p ? g_strdup_printf ("category %s",
              gc_category_to_string (p->category)) : NULL;
          frame_add (f, GC_RULE_CLAIM_MEDICAL, fact->key, declared,
              &fact->box);
        }
        break;
      case GC_FACT_PRODUCT_NAME:
        break;
      case GC_FACT_AUDIENCE:
        audience_condition (f, fact);
        break;
      case GC_FACT_GIFT:
        gift_condition (f, fact);
        break;
      case GC_FACT_STATEMENT:
        if (p && g_strcmp0 (fact->key,
                gc_category_to_string (p->category)) == 0)
          statement_seen = TRUE;
        break;
    }
  }

  if (p == NULL && first_price != NULL) {
    g_autofree gchar *observed = gc_format_price (first_price->value,
        first_price->currency ? first_price->currency : currency);
    /* One occurrence however the prices change while nothing is declared. */
    frame_add (f, GC_RULE_PRODUCT_UNDECLARED, NULL,
        rules->catalog ? "no product active" : "no catalog", &first_price->box);
    GcViolation *v = g_hash_table_lookup (f->seen,
        GC_RULE_PRODUCT_UNDECLARED "\x1f\x1f");
    if (v && v->observed == NULL)
      v->observed = g_strdup (observed);
  }

  rules->disclosure_required = p != NULL && p->sponsored;
  rules->disclosure_visible = ad_label_seen || rules->label_drawn;
  if (rules->disclosure_required && !rules->disclosure_visible) {
    g_autofree gchar *label = gc_rulepack_format_label (pack, NULL, p->sponsor,
        FALSE);
    g_autofree gchar *declared = g_strdup_printf ("sponsored: label \"%s\"",
        label);
    frame_add (f, GC_RULE_DISCLOSURE_MISSING, "no ad label on screen",
        declared, NULL);
  }

  if (p != NULL && (pack->prohibited_categories & (1u << p->category))) {
    g_autofree gchar *declared = g_strdup_printf ("category %s",
        gc_category_to_string (p->category));
    frame_add (f, GC_RULE_PRODUCT_PROHIBITED, p->name, declared, NULL);
  }

  statement_condition (f, statement_seen);
}

/* ---------------------------------------------------------------- */
/* Active product */

static void
update_active (GcRules *rules, gdouble t, GPtrArray *facts)
{
  /* The name seen with the highest confidence on this frame becomes the
   * screen's product; it stays until another name is seen. */
  const GcFact *best = NULL;
  for (guint i = 0; i < facts->len; i++) {
    const GcFact *fact = g_ptr_array_index (facts, i);
    if (fact->kind == GC_FACT_PRODUCT_NAME && fact->key
        && (best == NULL || fact->confidence > best->confidence))
      best = fact;
  }
  if (best && rules->catalog && gc_catalog_find (rules->catalog, best->key)) {
    g_free (rules->screen_sku);
    rules->screen_sku = g_strdup (best->key);
  }

  const gchar *sku = NULL;
  const gchar *source = NULL;
  if (rules->catalog) {
    const GcProduct *sched;
    if (rules->explicit_sku) {
      sku = rules->explicit_sku;
      source = "explicit";
    } else if ((sched = gc_catalog_scheduled_at (rules->catalog, t))) {
      sku = sched->sku;
      source = "schedule";
    } else if (rules->screen_sku) {
      sku = rules->screen_sku;
      source = "screen";
    }
  }
  if (g_strcmp0 (sku, rules->active_sku) != 0) {
    g_free (rules->active_sku);
    rules->active_sku = g_strdup (sku);
  }
  rules->active_source = source;
}

/* ---------------------------------------------------------------- */
/* Frames */

void
gc_rules_push_facts (GcRules *rules, gdouble t, GPtrArray *facts,
    GPtrArray *events)
{
  g_return_if_fail (rules != NULL && facts != NULL);

  update_active (rules, t, facts);

  Frame f = {
    .rules = rules,
    .product = gc_rules_active_product (rules),
    .t = t,
    .seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        (GDestroyNotify) gc_violation_unref),
  };
  frame_conditions (&f, facts);

  GHashTableIter it;
  gpointer key, value;

  /* Conditions seen on this frame. */
  g_hash_table_iter_init (&it, f.seen);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    GcViolation *tmpl = value;
    Tracker *tr = g_hash_table_lookup (rules->trackers, key);
    if (tr == NULL) {
      tr = g_new0 (Tracker, 1);
      tr->v = gc_violation_ref (tmpl);
      tr->v->t_start = t;
      g_hash_table_insert (rules->trackers, g_strdup (key), tr);
    } else {
      tr->v->box = tmpl->box;
    }
    tr->seen_this_frame = TRUE;
    tr->seen_run++;
    tr->miss_run = 0;
    tr->v->t_end = t;
    if (!tr->active && tr->seen_run >= rules->confirm_frames) {
      tr->active = TRUE;
      tr->v->id = rules->next_id++;
      tr->v->t_confirmed = t;
      emit (events, GC_EVENT_START, tr->v);
    }
  }

  /* Conditions missing on this frame: unconfirmed sightings are dropped at
   * once; confirmed ones end after release_frames misses. */
  g_hash_table_iter_init (&it, rules->trackers);
  while (g_hash_table_iter_next (&it, &key, &value)) {
    Tracker *tr = value;
    if (tr->seen_this_frame) {
      tr->seen_this_frame = FALSE;
      continue;
    }
    if (!tr->active) {
      g_hash_table_iter_remove (&it);
      continue;
    }
    tr->miss_run++;
    if (tr->miss_run >= rules->release_frames) {
      emit (events, GC_EVENT_END, tr->v);
      g_hash_table_iter_remove (&it);
    }
  }

  g_hash_table_unref (f.seen);
}

void
gc_rules_push_frame (GcRules *rules, gdouble t, const GcLine *lines,
    guint n_lines, GPtrArray *events)
{
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gc_fact_free);

  for (guint i = 0; i < n_lines; i++) {
    g_autoptr (GPtrArray) line_facts = gc_facts_parse_line (&lines[i],
        rules->pack, rules->catalog);
    /* Move the facts over without copying. */
    g_ptr_array_set_free_func (line_facts, NULL);
    for (guint j = 0; j < line_facts->len; j++)
      g_ptr_array_add (facts, g_ptr_array_index (line_facts, j));
  }
  gc_rules_push_facts (rules, t, facts, events);
}

void
gc_rules_finish (GcRules *rules, GPtrArray *events)
{
  end_trackers (rules, NULL, NULL, events);
}

void
gc_rules_flush (GcRules *rules, GPtrArray *events)
{
  end_trackers (rules, NULL, NULL, events);
  g_clear_pointer (&rules->screen_sku, g_free);
  g_clear_pointer (&rules->active_sku, g_free);
  rules->active_source = NULL;
  rules->disclosure_required = FALSE;
  rules->disclosure_visible = FALSE;
  rules->statement_missing_since = -1;
  g_clear_pointer (&rules->statement_sku, g_free);
}

/* ---------------------------------------------------------------- */
/* State */

const GcProduct *
gc_rules_active_product (GcRules *rules)
{
  if (rules->catalog == NULL || rules->active_sku == NULL)
    return NULL;
  return gc_catalog_find (rules->catalog, rules->active_sku);
}

const gchar *
gc_rules_active_source (GcRules *rules)
{
  return rules->active_sku ? rules->active_source : NULL;
}

static gint
compare_by_id (gconstpointer a, gconstpointer b)
{
  const GcViolation *va = *(GcViolation * const *) a;
  const GcViolation *vb = *(GcViolation * const *) b;
  return (va->id > vb->id) - (va->id < vb->id);
}

GPtrArray *
gc_rules_active_violations (GcRules *rules)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) gc_violation_unref);
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, rules->trackers);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Tracker *tr = value;
    if (tr->active)
      g_ptr_array_add (out, gc_violation_copy (tr->v));
  }
  /* Hash order is not stable; callers (metas, reports) want one. */
  g_ptr_array_sort (out, compare_by_id);
  return out;
}

gboolean
gc_rules_disclosure_required (GcRules *rules)
{
  return rules->disclosure_required;
}

gboolean
gc_rules_disclosure_visible (GcRules *rules)
{
  return rules->disclosure_visible;
}

gchar *
gc_rules_pack_name (const gchar *rules, const GcCatalog *catalog)
{
  if (rules && *rules)
    return g_strdup (rules);
  if (catalog && catalog->jurisdiction)
    return g_ascii_strdown (catalog->jurisdiction, -1);
  return g_strdup ("cn");
}

/* ---------------------------------------------------------------- */
/* Attested audience figures */

gboolean
gc_rules_add_attested (GcRules *rules, gdouble t, const gchar *kind,
    gdouble value)
{
  gint k;
  Attested a = { t, value };

  g_return_val_if_fail (rules != NULL, FALSE);
  k = audience_kind (kind);
  if (k < 0 || !isfinite (t) || !isfinite (value) || value < 0)
    return FALSE;
  /* Kept in time order whatever order they come in. */
  guint i = rules->attested[k]->len;
  while (i > 0 && g_array_index (rules->attested[k], Attested, i - 1).t > t)
    i--;
  g_array_insert_val (rules->attested[k], i, a);
  return TRUE;
}

gboolean
gc_rules_audience_attested (GcRules *rules)
{
  g_return_val_if_fail (rules != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (rules->attested); i++)
    if (rules->attested[i]->len > 0)
      return TRUE;
  return FALSE;
}

/* A metrics file holds a figure a second for a day at most. */
#define METRICS_MAX_SIZE (64 * 1024 * 1024)

gboolean
gc_rules_load_metrics (GcRules *rules, const gchar *path, GError **error)
{
  g_autofree gchar *data = NULL;
  g_autoptr (GError) io = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (Attested));
  g_autoptr (GArray) kinds = g_array_new (FALSE, FALSE, sizeof (gint));
  gsize len = 0;
  gdouble last_t = -G_MAXDOUBLE;

  g_return_val_if_fail (rules != NULL && path != NULL, FALSE);
  if (!g_file_get_contents (path, &data, &len, &io)) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot read: %s", path,
        io->message);
    return FALSE;
  }
  if (len > METRICS_MAX_SIZE || memchr (data, '\0', len) != NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: not a JSON-lines "
        "metrics file (%s)", path, len > METRICS_MAX_SIZE ? "over 64 MiB"
        : "binary data");
    return FALSE;
  }
  lines = g_strsplit (data, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) perr = NULL;
    JsonObject *obj;
    JsonNode *tn;
    guint found = 0;
    gdouble t;

    g_strstrip (lines[n]);
    if (lines[n][0] == '\0')
      continue;
    if (!json_parser_load_from_data (parser, lines[n], -1, &perr)
        || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "%s:%u: expected one "
          "JSON object a line%s%s", path, n + 1, perr ? ": " : "",
          perr ? perr->message : "");
      return FALSE;
    }
    obj = json_node_get_object (json_parser_get_root (parser));
    tn = json_object_get_member (obj, "t");
    if (tn == NULL || !JSON_NODE_HOLDS_VALUE (tn)
        || (json_node_get_value_type (tn) != G_TYPE_DOUBLE
            && json_node_get_value_type (tn) != G_TYPE_INT64)) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s:%u: field \"t\": "
          "%s", path, n + 1, tn ? "expected a number of seconds"
          : "missing (required)");
      return FALSE;
    }
    t = json_node_get_double (tn);
    if (!isfinite (t) || t < 0 || t < last_t) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s:%u: field \"t\": "
          "%g %s", path, n + 1, t, t < 0 || !isfinite (t)
          ? "is not a time (seconds >= 0)" : "is before the line above");
      return FALSE;
    }
    last_t = t;
    for (guint k = 0; k < G_N_ELEMENTS (audience_kinds); k++) {
      JsonNode *vn = json_object_get_member (obj, audience_kinds[k]);
      gdouble v;

      if (vn == NULL)
        continue;
      if (!JSON_NODE_HOLDS_VALUE (vn)
          || (json_node_get_value_type (vn) != G_TYPE_DOUBLE
              && json_node_get_value_type (vn) != G_TYPE_INT64)
          || !isfinite (v = json_node_get_double (vn)) || v < 0) {
        g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s:%u: field "
            "\"%s\": expected a count >= 0", path, n + 1, audience_kinds[k]);
        return FALSE;
      }
      Attested a = { t, v };
      gint kk = (gint) k;
      g_array_append_val (got, a);
      g_array_append_val (kinds, kk);
      found++;
    }
    if (found == 0) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s:%u: no figure "
          "(expected \"viewers\", \"likes\" or \"followers\")", path, n + 1);
      return FALSE;
    }
  }
  if (got->len == 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: no attested figure "
        "in it", path);
    return FALSE;
  }
  for (guint i = 0; i < got->len; i++) {
    const Attested *a = &g_array_index (got, Attested, i);
    gc_rules_add_attested (rules, a->t,
        audience_kinds[g_array_index (kinds, gint, i)], a->value);
  }
  return TRUE;
}
