/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: violation records and the evidence log. */
#include "gc-evidence.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "gc-error.h"

static void
add_string (JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_time (JsonBuilder *b, const gchar *name, gdouble t)
{
  json_builder_set_member_name (b, name);
  /* Milliseconds are as precise as a frame time needs, and keep reports
   * free of 12.000000000000002. */
  json_builder_add_double_value (b, isfinite (t) ? round (t * 1000.0) / 1000.0 : 0.0);
}

static void
add_violation_members (JsonBuilder *b, const GcViolation *v)
{
  add_string (b, "rule", v->rule);
  add_string (b, "severity", v->severity);
  add_time (b, "t_start", v->t_start);
  add_time (b, "t_end", v->t_end);
  add_string (b, "sku", v->sku);
  add_string (b, "observed", v->observed);
  add_string (b, "declared", v->declared);
  add_string (b, "legal_ref", v->legal_ref);
  add_string (b, "evidence", v->evidence);
  json_builder_set_member_name (b, "bbox");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, v->box.x);
  json_builder_add_int_value (b, v->box.y);
  json_builder_add_int_value (b, v->box.w);
  json_builder_add_int_value (b, v->box.h);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, (gint64) v->id);
}

JsonNode *
gc_violation_to_json (const GcViolation *v)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_violation_members (b, v);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

struct _GcEvidenceLog
{
  gchar *dir;
  gchar *path;
  FILE *file;
};

GcEvidenceLog *
gc_evidence_log_open (const gchar *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0) {
    int e = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "%s: cannot create evidence directory: %s", dir, g_strerror (e));
    return NULL;
  }
  g_autofree gchar *path = g_build_filename (dir, GC_EVIDENCE_LOG_NAME, NULL);
  /* Append: a restarted pipeline adds to what the last run wrote. */
  FILE *f = g_fopen (path, "ab");
  if (f == NULL) {
    int e = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "%s: cannot open evidence log for appending: %s", path, g_strerror (e));
    return NULL;
  }
  GcEvidenceLog *log = g_new0 (GcEvidenceLog, 1);
  log->dir = g_strdup (dir);
  log->path = g_steal_pointer (&path);
  log->file = f;
  return log;
}

void
gc_evidence_log_close (GcEvidenceLog *log)
{
  if (log == NULL)
    return;
  fclose (log->file);
  g_free (log->dir);
  g_free (log->path);
  g_free (log);
}

const gchar *
gc_evidence_log_dir (GcEvidenceLog *log)
{
  return log->dir;
}

gboolean
gc_evidence_log_append (GcEvidenceLog *log, const GcEvent *event,
    const gchar *source, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *wall = g_date_time_format_iso8601 (now);

  json_builder_begin_object (b);
  add_string (b, "event", event->type == GC_EVENT_START ? "start" : "end");
  add_string (b, "wall", wall);
  add_string (b, "source", source);
  add_violation_members (b, event->violation);
  json_builder_end_object (b);

  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree gchar *line = json_to_string (root, FALSE);
  /* One write of the whole line, then flush, so a crash or a full disk
   * leaves at most a torn last line, never a lost earlier one. */
  g_autofree gchar *with_nl = g_strconcat (line, "\n", NULL);
  size_t len = strlen (with_nl);
  if (fwrite (with_nl, 1, len, log->file) != len || fflush (log->file) != 0) {
    int e = errno;
    clearerr (log->file);
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s",
        log->path, g_strerror (e));
    return FALSE;
  }
  return TRUE;
}

gchar *
gc_evidence_image_name (const GcViolation *v)
{
  gdouble ms = isfinite (v->t_confirmed) ? MAX (v->t_confirmed, 0.0) * 1000.0 : 0.0;
  return g_strdup_printf ("%09" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ".png",
      (guint64) llround (ms), v->id);
}
