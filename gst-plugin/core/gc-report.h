/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the replay report (PRODUCT.md, "Report JSON").
 *
 * Accumulates what a scan saw — readings, violation start/end events,
 * product spans, statistics — and writes it as the report JSON
 * ("gst-compliance-report/1") and as a self-contained HTML page.
 *
 * Readings are merged over time: a text read again within the merge gap of
 * its last sighting extends that entry's span; after a longer absence it
 * starts a new entry, so `texts` has one entry per continuous appearance.
 * Violations are keyed by the id their engine gave them: one entry per
 * continuous occurrence, whatever number of events named it.
 *
 * Not thread-safe: one owner.  GLib + json-glib only. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "gc-facts.h"
#include "gc-rules.h"

G_BEGIN_DECLS

#define GC_REPORT_SCHEMA "gst-compliance-report/1"

typedef struct _GcReport GcReport;

/* @input is written as given (path or URI). */
GcReport *gc_report_new (const gchar *input);
void gc_report_free (GcReport *report);

/* A reading seen again within @gap_s seconds of its last sighting extends
 * that sighting's span (default 2 s; callers pass about two sampling
 * intervals). */
void gc_report_set_merge_gap (GcReport *report, gdouble gap_s);

/* One reading on the analysed frame at @t seconds.  Empty or
 * whitespace-only @text is ignored. */
void gc_report_add_text (GcReport *report, gdouble t, const gchar *text,
    const GcBox *box, gdouble confidence);

/* A violation's start (@start TRUE) or end.  An end without a start (the
 * scan began in the middle of it) still records the occurrence. */
void gc_report_add_violation_event (GcReport *report, const GcViolation *v,
    gboolean start);

/* A product on sale from @t_start to @t_end (for the HTML timeline and the
 * report's "products" member).  @name may be NULL. */
void gc_report_add_product_span (GcReport *report, const gchar *sku,
    const gchar *name, gdouble t_start, gdouble t_end);

void gc_report_set_duration (GcReport *report, gdouble duration_s);
gdouble gc_report_get_duration (GcReport *report);
void gc_report_set_stats (GcReport *report, gdouble wall_s,
    guint64 frames_decoded, guint64 frames_analysed);

/* Extra top-level string members ("catalog", "rules", "source", ...);
 * NULL @value writes null.  Reserved names of the schema are refused. */
void gc_report_set_string (GcReport *report, const gchar *name,
    const gchar *value);
void gc_report_set_double (GcReport *report, const gchar *name,
    gdouble value);
void gc_report_set_boolean (GcReport *report, const gchar *name,
    gboolean value);

/* What was checked, the report's "coverage" member: @method "ocr" (text
 * read from @units analysed frames) or "sei" (@units access units carrying
 * compliance SEI); @checked FALSE when nothing or too little was checked to
 * call the recording clean, and @reason then says why.  The HTML page says
 * "Not checked" instead of "No violation found". */
void gc_report_set_coverage (GcReport *report, const gchar *method,
    guint64 units, gboolean checked, const gchar *reason);
/* A rule the run could not check, with why (claim.audience_inflated
 * without attested figures): listed in "rules_not_checked" as {"rule",
 * "reason"}, and in the HTML summary, so that its silence is not read as
 * compliance. */
void gc_report_add_rule_not_checked (GcReport *report, const gchar *rule,
    const gchar *reason);

/* The evidence directory.  A violation's "evidence" names its image as
 * compliancecheck does (the directory joined with the image's name); a
 * relative name is looked up from the working directory, then from @dir's
 * parent and in @dir. */
void gc_report_set_evidence_dir (GcReport *report, const gchar *dir);

/* Drops every violation's evidence name (the images were temporary). */
void gc_report_forget_evidence (GcReport *report);

guint gc_report_n_violations (GcReport *report);
guint gc_report_n_texts (GcReport *report);
/* "price.mismatch×2 claim.medical×1", rules sorted by name; "" when none. */
gchar *gc_report_violation_summary (GcReport *report);

/* Evidence paths in the JSON: absolute here; gc_report_write_json makes
 * them relative to the report file's directory.  A violation whose image
 * does not exist (not written, or not complete) has "evidence": null. */
JsonNode *gc_report_to_json (GcReport *report);
gchar *gc_report_to_html (GcReport *report);

/* Written to a temporary file beside @path and renamed over it, so a reader
 * never sees half a report.  Errors name @path. */
gboolean gc_report_write_json (GcReport *report, const gchar *path,
    GError **error);
gboolean gc_report_write_html (GcReport *report, const gchar *path,
    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcReport, gc_report_free)

/* Writes @len bytes of @data to @path beside it, then renames it there,
 * so a crash or a full disk never leaves a truncated file where the old
 * one was; a node that is not a regular file (/dev/null, a pipe) is
 * written to as it is.  The error (GC_ERROR_IO) names @path. */
gboolean gc_write_file (const gchar *path, const gchar *data, gsize len,
    GError **error);

G_END_DECLS
