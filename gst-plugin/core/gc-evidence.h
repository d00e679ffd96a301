/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: records of violations as JSON (the report's
 * violation record, PRODUCT.md) and the append-only evidence log.
 *
 * The evidence log is DIR/evidence.jsonl: one JSON object per line, one
 * line per violation start and end and per evidence image, written as it
 * happens.  It is opened for appending, so a pipeline that restarts never
 * truncates what an earlier run wrote.  GLib + json-glib only. */
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

/* The evidence log is shared: several pipelines and scans may append to
 * one directory at once.  Every record is one write(2) under an exclusive
 * flock(2) (and a mutex, for threads of one process), so lines never tear
 * or interleave; a write that fails half way (a full disk) is cut back, so
 * no torn line is left.  Each open log has a run id, unique per process
 * and open, that names its images and is in every line it writes.
 *
 * Evidence images are written under a temporary name
 * (gc_evidence_log_temp_path), then gc_evidence_log_commit fsyncs and
 * renames them and only then appends the "evidence" line that refers to
 * them: a crash or a full disk leaves at most an unreferenced temporary
 * file, never a reference to a partial image.  Start and end lines carry
 * "evidence": null; the image of violation ID is named by the "evidence"
 * line with the same run and id, relative to the log's directory.
 *
 * The log may be used from any thread. */

/* Creates @dir (and parents) when missing and opens the log for appending. */
GcEvidenceLog *gc_evidence_log_open (const gchar *dir, GError **error);
void gc_evidence_log_close (GcEvidenceLog *log);
const gchar *gc_evidence_log_dir (GcEvidenceLog *log);
/* "YYYYMMDDTHHMMSSZ-PID-XXXX": in every line and image name of this log. */
const gchar *gc_evidence_log_run (GcEvidenceLog *log);

/* One line: {"event": "start"|"end", "wall": ISO-8601, "run": RUN,
 * "source": @source, ...the violation record with "evidence": null...}.
 * Written before it returns. */
gboolean gc_evidence_log_append (GcEvidenceLog *log, const GcEvent *event,
    const gchar *source, GError **error);

/* File name (relative to the log's directory) for the evidence image of
 * @v: "RUN-%09d-%d.png" from the confirmation time in ms and the id. */
gchar *gc_evidence_image_name (GcEvidenceLog *log, const GcViolation *v);

/* Where to write the image @name before it is complete: a hidden
 * temporary file in the log's directory. */
gchar *gc_evidence_log_temp_path (GcEvidenceLog *log, const gchar *name);

/* The image at gc_evidence_log_temp_path (@name) is complete: fsync it,
 * rename it to @name, and append {"event": "evidence", "wall", "run",
 * "source", "id", "rule", "evidence": @name}.  On failure the temporary
 * file is removed and nothing refers to it. */
gboolean gc_evidence_log_commit (GcEvidenceLog *log, const gchar *name,
    const GcViolation *v, const gchar *source, GError **error);

G_END_DECLS
