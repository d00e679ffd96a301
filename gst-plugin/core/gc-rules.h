/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the rule engine.
 *
 * Fed one analysed frame at a time (its running time and the lines read on
 * it), it keeps the state needed to decide which violations are active and
 * emits one start and one end event per continuous occurrence.  A condition
 * must hold on pack->confirm_frames consecutive analysed frames before its
 * violation starts (so one misread frame raises nothing), and be absent on
 * pack->release_frames consecutive analysed frames before it ends.
 *
 * The active product is, in order of precedence: the explicit setting
 * (gc_rules_set_active_sku), the catalog schedule at the frame's time, the
 * last catalog product name recognised on screen.
 *
 * Not thread-safe: one owner at a time (the element guards it).  GLib only. */
#pragma once

#include <glib.h>
#include "gc-catalog.h"
#include "gc-rulepack.h"
#include "gc-facts.h"

G_BEGIN_DECLS

typedef struct
{
  /*< private >*/
  gint ref_count;
  /*< public >*/
  gchar *rule;                  /* rule id */
  gchar *severity;
  gchar *sku;                   /* may be NULL (no active product) */
  gchar *observed;              /* what was on screen, e.g. "¥89.00" */
  gchar *declared;              /* what the catalog says, e.g. "¥99.00"; may be NULL */
  gchar *legal_ref;
  gdouble t_start;              /* seconds; first analysed frame it was seen on */
  gdouble t_end;                /* seconds; last analysed frame it was seen on */
  GcBox box;                    /* box of the offending text; 0x0 when none */
  gdouble t_confirmed;          /* frame the violation was confirmed on */
  gchar *evidence;              /* set by whoever saves the evidence; may be NULL */
  guint64 id;                   /* unique within one GcRules */
} GcViolation;

/* The optional string fields of a violation, in report order: each a
 * gchar* member of GcViolation, of the same name in the report, the
 * evidence log, the bus message and the public GstComplianceViolation
 * (whose GST_COMPLIANCE_VIOLATION_STRINGS lists the same names; a test
 * checks).  Copying, freeing, the JSON writer and the bridge to the public
 * record are derived from this list, so a new string field is added here
 * and in the two structs. */
#define GC_VIOLATION_STRINGS(X) \
  X (severity) X (sku) X (observed) X (declared) X (legal_ref) X (evidence)

/* Violations handed out (events, gc_rules_active_violations) are snapshots
 * that the engine never touches again, so they may be passed to other
 * threads. */
GcViolation *gc_violation_new (const gchar *rule);
GcViolation *gc_violation_copy (const GcViolation *v);
GcViolation *gc_violation_ref (GcViolation *v);
void gc_violation_unref (GcViolation *v);

typedef enum
{
  GC_EVENT_START,
  GC_EVENT_END,
} GcEventType;

typedef struct
{
  GcEventType type;
  GcViolation *violation;       /* owned reference */
} GcEvent;

void gc_event_free (GcEvent *event);

typedef struct _GcRules GcRules;

/* @catalog may be NULL: only the catalog-free rules run (absolute terms,
 * medical claims, undeclared product).  Takes its own references. */
GcRules *gc_rules_new (GcCatalog *catalog, GcRulePack *pack);
void gc_rules_free (GcRules *rules);

/* Date the stream is held on, for the reference-price window.  Defaults to
 * the catalog's stream_date, else today (local time). */
void gc_rules_set_stream_date (GcRules *rules, const GDate *date);
/* The rule pack to use: @rules (a pack name or file) when set, else the
 * catalog's jurisdiction in lower case, else "cn". */
gchar *gc_rules_pack_name (const gchar *rules, const GcCatalog *catalog);

/* Overrides pack->confirm_frames (>= 1). */
void gc_rules_set_confirm_frames (GcRules *rules, guint n);
/* NULL clears the explicit setting.  Returns FALSE (and changes nothing)
 * for a sku the catalog does not declare. */
gboolean gc_rules_set_active_sku (GcRules *rules, const gchar *sku);
/* When the overlay draws the disclosure label itself,
 * disclosure.missing does not fire. */
void gc_rules_set_label_drawn (GcRules *rules, gboolean drawn);
/* Replace the catalog (hot swap).  Open violations whose product no longer
 * exists end at the last frame time. */
void gc_rules_set_catalog (GcRules *rules, GcCatalog *catalog, GPtrArray *events);

/* Platform-attested audience figures (claim.audience_inflated): the
 * count of @kind ("viewers", "likes" or "followers") was @value from
 * running time @t (seconds) on, until a later figure of that kind.  A
 * figure shown on screen is judged against the last attested at or before
 * its frame; without one the rule is silent for it, and
 * gc_rules_audience_attested() tells whether any was given.  FALSE (and
 * nothing kept) for an unknown kind, a negative or non-finite value. */
gboolean gc_rules_add_attested (GcRules *rules, gdouble t, const gchar *kind,
    gdouble value);
gboolean gc_rules_audience_attested (GcRules *rules);
/* Reads attested figures from a JSON-lines file: one object a line,
 * {"t": SECONDS, "viewers": N, "likes": N, "followers": N} with t and at
 * least one count, t not decreasing; blank lines are skipped and other
 * members ignored.  On error nothing is kept and the message names the
 * file, the line and the field. */
gboolean gc_rules_load_metrics (GcRules *rules, const gchar *path,
    GError **error);

/* Feed one analysed frame at running time @t (seconds, non-decreasing).
 * Appends GcEvent* to @events (a GPtrArray with gc_event_free as free
 * func). */
void gc_rules_push_frame (GcRules *rules, gdouble t, const GcLine *lines,
    guint n_lines, GPtrArray *events);
/* Same, with facts already parsed (the caller keeps ownership). */
void gc_rules_push_facts (GcRules *rules, gdouble t, GPtrArray *facts,
    GPtrArray *events);
/* End of stream: every open violation ends at the last frame it was seen
 * on, and unconfirmed sightings are dropped. */
void gc_rules_finish (GcRules *rules, GPtrArray *events);
/* Flush (seek): like finish, and the next frame may have any time. */
void gc_rules_flush (GcRules *rules, GPtrArray *events);

/* State after the last frame.  The product is borrowed from the current
 * catalog: valid until the catalog is replaced. */
const GcProduct *gc_rules_active_product (GcRules *rules);
/* Where the active product came from: "explicit", "schedule", "screen" or
 * NULL when none is active. */
const gchar *gc_rules_active_source (GcRules *rules);
/* Violations active now (confirmed and not ended), as a new array of
 * snapshots (free with g_ptr_array_unref). */
GPtrArray *gc_rules_active_violations (GcRules *rules);
gboolean gc_rules_disclosure_required (GcRules *rules);
gboolean gc_rules_disclosure_visible (GcRules *rules);

G_END_DECLS
