/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: many scan reports merged into one summary (a QA
 * batch: one report per recording, e.g. one per Slurm array task).
 *
 * The summary ("gst-compliance-summary/1", models/summary.schema.json)
 * holds every report whole, as it was written, with its status and
 * counts, and the totals over them, so that it equals the single reports
 * combined; an HTML index links each recording's own page.  GLib and
 * json-glib only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GC_SUMMARY_SCHEMA "gst-compliance-summary/1"

typedef struct _GcSummary GcSummary;

/* A summary to be written to @out_path (JSON): the links in it are made
 * relative to that file's directory where they lie below it. */
GcSummary *gc_summary_new (const gchar *out_path);
void gc_summary_free (GcSummary *summary);

/* Adds the report at @path.  A directory adds every "*.json" report in
 * it, by name (a summary found there is skipped: it may be this one from
 * an earlier run).  FALSE, with an error naming the file, for a file that
 * is not a gst-compliance-report/1 report or that was added already; the
 * summary is then unchanged.  In a directory, the summary's own path is
 * skipped only when it holds a summary: a report there is refused (the
 * summary would replace it). */
gboolean gc_summary_add (GcSummary *summary, const gchar *path,
    GError **error);

/* A recording of the batch whose report @file is not there (its task
 * failed before writing it, or never ran): listed under "missing", never
 * silently left out. */
void gc_summary_add_missing (GcSummary *summary, const gchar *input,
    const gchar *file);
guint gc_summary_n_missing (const GcSummary *summary);

/* Whether @path is one of the reports added or the HTML page beside one
 * (an output there would replace it). */
gboolean gc_summary_holds (const GcSummary *summary, const gchar *path);

guint gc_summary_n_reports (const GcSummary *summary);
/* The "input" of the @i-th report added (NULL when it names none). */
const gchar *gc_summary_input (const GcSummary *summary, guint i);
/* Reports by status: "clean", "violations", "not_checked" (the scan
 * checked too little to call it clean), "incomplete" (the scan stopped
 * early or met damage: it carries an "error" or "damage"). */
guint gc_summary_count (const GcSummary *summary, const gchar *status);

/* Writes the JSON to the path given to gc_summary_new(). */
gboolean gc_summary_write_json (const GcSummary *summary, GError **error);
/* Writes a self-contained HTML index: totals, and one row a recording
 * with its status, its violations by rule and links to its report (the
 * HTML page next to the JSON, NAME.html, when there is one). */
gboolean gc_summary_write_html (const GcSummary *summary, const gchar *path,
    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcSummary, gc_summary_free)

G_END_DECLS
