/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: records of violations as JSON (the report's
 * violation record, PRODUCT.md) and the append-only evidence log.
 *
 * The evidence log is DIR/evidence.jsonl: one JSON object per line, one
 * line per violation start and end, written and flushed as it happens.
 * It is opened for appending, so a pipeline that restarts never truncates
 * what an earlier run wrote.  GLib + json-glib only. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "gc-rules.h"

G_BEGIN_DECLS

#define GC_EVIDENCE_LOG_NAME "evidence.jsonl"

/* The report's violation record: rule, severity, t_start, t_end, sku,
 * observed, declared, legal_ref, evidence, bbox [x, y, w, h]. */
JsonNode *gc_violation_to_json (const GcViolation *v);

typedef struct _GcEvidenceLog GcEvidenceLog;

/* Creates @dir (and parents) when missing and opens the log for appending. */
GcEvidenceLog *gc_evidence_log_open (const gchar *dir, GError **error);
void gc_evidence_log_close (GcEvidenceLog *log);
const gchar *gc_evidence_log_dir (GcEvidenceLog *log);

/* One line: {"event": "start"|"end", "wall": ISO-8601, "source": @source,
 * ...the violation record...}.  Written and flushed before it returns. */
gboolean gc_evidence_log_append (GcEvidenceLog *log, const GcEvent *event,
    const gchar *source, GError **error);

/* File name (relative to the log's directory) for the evidence image of
 * @v: "%09d-%d.png" from the confirmation time in ms and the id. */
gchar *gc_evidence_image_name (const GcViolation *v);

G_END_DECLS
