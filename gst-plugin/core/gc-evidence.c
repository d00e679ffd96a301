/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: violation records and the evidence log. */
#include "gc-evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
#define ADD(field) add_string (b, #field, v->field);
  GC_VIOLATION_STRINGS (ADD)
#undef ADD
  add_time (b, "t_start", v->t_start);
  add_time (b, "t_end", v->t_end);
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
  gchar *run;
  int fd;
  GMutex lock;                  /* one writer per process at a time */
};

/* Unique per process and open: time, pid, and a counter and random bits
 * for two opens in one second by one process. */
static gchar *
new_run_id (void)
{
  static gint counter;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  guint n = (guint) g_atomic_int_add (&counter, 1);
  return g_strdup_printf ("%s-%d-%04x", stamp, (int) getpid (),
      (g_random_int () + n * 0x9e37u) & 0xffff);
}

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
  int fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "%s: cannot open evidence log for appending: %s", path, g_strerror (e));
    return NULL;
  }
  GcEvidenceLog *log = g_new0 (GcEvidenceLog, 1);
  log->dir = g_strdup (dir);
  log->path = g_steal_pointer (&path);
  log->run = new_run_id ();
  log->fd = fd;
  g_mutex_init (&log->lock);
  return log;
}

void
gc_evidence_log_close (GcEvidenceLog *log)
{
  if (log == NULL)
    return;
  close (log->fd);
  g_mutex_clear (&log->lock);
  g_free (log->dir);
  g_free (log->path);
  g_free (log->run);
  g_free (log);
}

const gchar *
gc_evidence_log_dir (GcEvidenceLog *log)
{
  return log->dir;
}

const gchar *
gc_evidence_log_run (GcEvidenceLog *log)
{
  return log->run;
}

/* Appends @line (with its newline) as one record: under the process mutex
 * and an exclusive flock, in one write when the kernel takes it whole; a
 * write that fails part way is cut back to where it started. */
static gboolean
write_record (GcEvidenceLog *log, const gchar *line, GError **error)
{
  gsize len = strlen (line);
  int e = 0;

  g_mutex_lock (&log->lock);
  while (flock (log->fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      /* No locking on this file system (or a device): still one write. */
      break;
    }
  }
  struct stat st;
  gboolean regular = fstat (log->fd, &st) == 0 && S_ISREG (st.st_mode);
  off_t before = regular ? st.st_size : 0;
  gsize done = 0;
  while (done < len) {
    ssize_t n = write (log->fd, line + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      e = n < 0 ? errno : ENOSPC;
      break;
    }
    done += (gsize) n;
  }
  if (e != 0 && done > 0 && regular) {
    /* A torn line would make the log unparseable from here on.  (Should
     * the cut fail too, the write's error is the one reported.) */
    if (ftruncate (log->fd, before) != 0)
      g_debug ("%s: cannot cut back a torn line: %s", log->path,
          g_strerror (errno));
  }
  flock (log->fd, LOCK_UN);
  g_mutex_unlock (&log->lock);

  if (e != 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s",
        log->path, g_strerror (e));
    return FALSE;
  }
  return TRUE;
}

static void
begin_line (JsonBuilder *b, GcEvidenceLog *log, const gchar *event,
    const gchar *source)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *wall = g_date_time_format_iso8601 (now);

  json_builder_begin_object (b);
  add_string (b, "event", event);
  add_string (b, "wall", wall);
  add_string (b, "run", log->run);
  add_string (b, "source", source);
}

static gboolean
end_line (JsonBuilder *b, GcEvidenceLog *log, GError **error)
{
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree gchar *line = json_to_string (root, FALSE);
  g_autofree gchar *with_nl = g_strconcat (line, "\n", NULL);
  return write_record (log, with_nl, error);
}

gboolean
gc_evidence_log_append (GcEvidenceLog *log, const GcEvent *event,
    const gchar *source, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  begin_line (b, log, event->type == GC_EVENT_START ? "start" : "end", source);
  /* Images are referred to only by their own "evidence" line, written once
   * they are complete. */
  GcViolation v = *event->violation;
  v.evidence = NULL;
  add_violation_members (b, &v);
  return end_line (b, log, error);
}

gchar *
gc_evidence_image_name (GcEvidenceLog *log, const GcViolation *v)
{
  gdouble ms = isfinite (v->t_confirmed) ? MAX (v->t_confirmed, 0.0) * 1000.0 : 0.0;
  return g_strdup_printf ("%s-%09" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
      ".png", log->run, (guint64) llround (ms), v->id);
}

gchar *
gc_evidence_log_temp_path (GcEvidenceLog *log, const gchar *name)
{
  g_autofree gchar *tmp = g_strconcat (".", name, ".part", NULL);
  return g_build_filename (log->dir, tmp, NULL);
}

static int
fsync_path (const gchar *path, int flags)
{
  int fd = g_open (path, flags | O_CLOEXEC, 0);
  if (fd < 0)
    return errno;
  int e = fsync (fd) == 0 ? 0 : errno;
  close (fd);
  /* Directories on some file systems cannot be fsynced: not an error. */
  if ((flags & O_DIRECTORY) && (e == EINVAL || e == EBADF))
    e = 0;
  return e;
}

gboolean
gc_evidence_log_commit (GcEvidenceLog *log, const gchar *name,
    const GcViolation *v, const gchar *source, GError **error)
{
  g_autofree gchar *tmp = gc_evidence_log_temp_path (log, name);
  g_autofree gchar *path = g_build_filename (log->dir, name, NULL);

  int e = fsync_path (tmp, O_RDONLY);
  if (e == 0 && g_rename (tmp, path) != 0)
    e = errno;
  if (e != 0) {
    g_unlink (tmp);
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s",
        path, g_strerror (e));
    return FALSE;
  }
  /* The rename itself is durable before anything refers to it. */
  e = fsync_path (log->dir, O_RDONLY | O_DIRECTORY);
  if (e != 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot sync: %s",
        log->dir, g_strerror (e));
    return FALSE;
  }

  g_autoptr (JsonBuilder) b = json_builder_new ();
  begin_line (b, log, "evidence", source);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, (gint64) v->id);
  add_string (b, "rule", v->rule);
  add_string (b, "evidence", name);
  return end_line (b, log, error);
}
