/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the replay report. */
#include "gc-report.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gc-error.h"
#include "gc-evidence.h"

#define DEFAULT_MERGE_GAP 2.0

typedef struct
{
  gchar *text;
  gdouble t_start, t_end;
  GcBox box;                    /* of the most confident sighting */
  gdouble confidence;           /* highest seen */
  guint frames;                 /* analysed frames it was read on */
} TextSpan;

typedef struct
{
  gchar *sku;
  gchar *name;
  gdouble t_start, t_end;
} ProductSpan;

typedef struct
{
  gchar *name;
  JsonNode *value;
} Extra;

struct _GcReport
{
  gchar *input;
  gdouble merge_gap;
  GPtrArray *texts;             /* TextSpan*, in order of first sighting */
  GHashTable *last_text;        /* text -> its latest TextSpan (borrowed) */
  GPtrArray *violations;        /* GcViolation*, in order of first event */
  GHashTable *violation_by_id;  /* guint64 id -> GcViolation (borrowed) */
  GPtrArray *products;          /* ProductSpan* */
  GPtrArray *extras;            /* Extra*, in order set */
  gchar *evidence_dir;
  gdouble duration;
  gdouble wall_s;
  guint64 frames_decoded, frames_analysed;
  gboolean unchecked;           /* coverage said not checked */
  gchar *unchecked_reason;
};

static void
text_span_free (TextSpan *s)
{
  g_free (s->text);
  g_free (s);
}

static void
product_span_free (ProductSpan *p)
{
  g_free (p->sku);
  g_free (p->name);
  g_free (p);
}

static void
extra_free (Extra *e)
{
  g_free (e->name);
  json_node_unref (e->value);
  g_free (e);
}

GcReport *
gc_report_new (const gchar *input)
{
  GcReport *r = g_new0 (GcReport, 1);

  r->input = g_strdup (input ? input : "");
  r->merge_gap = DEFAULT_MERGE_GAP;
  r->texts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_span_free);
  r->last_text = g_hash_table_new (g_str_hash, g_str_equal);
  r->violations =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_violation_unref);
  r->violation_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, NULL);
  r->products =
      g_ptr_array_new_with_free_func ((GDestroyNotify) product_span_free);
  r->extras = g_ptr_array_new_with_free_func ((GDestroyNotify) extra_free);
  return r;
}

void
gc_report_free (GcReport *r)
{
  if (!r)
    return;
  g_hash_table_unref (r->last_text);
  g_ptr_array_unref (r->texts);
  g_hash_table_unref (r->violation_by_id);
  g_ptr_array_unref (r->violations);
  g_ptr_array_unref (r->products);
  g_ptr_array_unref (r->extras);
  g_free (r->evidence_dir);
  g_free (r->unchecked_reason);
  g_free (r->input);
  g_free (r);
}

void
gc_report_set_merge_gap (GcReport *r, gdouble gap_s)
{
  g_return_if_fail (r != NULL);
  r->merge_gap = gap_s >= 0 ? gap_s : DEFAULT_MERGE_GAP;
}

void
gc_report_add_text (GcReport *r, gdouble t, const gchar *text,
    const GcBox *box, gdouble confidence)
{
  g_return_if_fail (r != NULL);
  if (!text || !g_utf8_validate (text, -1, NULL))
    return;

  g_autofree gchar *clean = g_strstrip (g_strdup (text));
  if (!*clean)
    return;

  TextSpan *s = g_hash_table_lookup (r->last_text, clean);
  /* Half a millisecond of slack: times arrive as rounded nanoseconds. */
  if (s && t >= s->t_start && t - s->t_end <= r->merge_gap + 0.0005) {
    s->t_end = MAX (s->t_end, t);
    s->frames++;
    if (confidence > s->confidence) {
      s->confidence = confidence;
      if (box)
        s->box = *box;
    }
    return;
  }

  s = g_new0 (TextSpan, 1);
  s->text = g_steal_pointer (&clean);
  s->t_start = s->t_end = t;
  s->confidence = confidence;
  s->frames = 1;
  if (box)
    s->box = *box;
  g_ptr_array_add (r->texts, s);
  g_hash_table_replace (r->last_text, s->text, s);
}

void
gc_report_add_violation_event (GcReport *r, const GcViolation *v,
    gboolean start)
{
  g_return_if_fail (r != NULL && v != NULL && v->rule != NULL);

  GcViolation *have = g_hash_table_lookup (r->violation_by_id, &v->id);
  if (!have) {
    have = gc_violation_copy (v);
    g_ptr_array_add (r->violations, have);
    g_hash_table_insert (r->violation_by_id, g_memdup2 (&v->id,
            sizeof (v->id)), have);
    return;
  }

  /* Later events know more: the end time, and the evidence image that was
   * named after the start was posted. */
  have->t_start = MIN (have->t_start, v->t_start);
  have->t_end = MAX (have->t_end, v->t_end);
  if (v->evidence && !have->evidence)
    have->evidence = g_strdup (v->evidence);
  if (!start && v->observed && !have->observed)
    have->observed = g_strdup (v->observed);
}

void
gc_report_add_product_span (GcReport *r, const gchar *sku, const gchar *name,
    gdouble t_start, gdouble t_end)
{
  g_return_if_fail (r != NULL && sku != NULL);
  ProductSpan *p = g_new0 (ProductSpan, 1);
  p->sku = g_strdup (sku);
  p->name = g_strdup (name);
  p->t_start = t_start;
  p->t_end = MAX (t_start, t_end);
  g_ptr_array_add (r->products, p);
}

void
gc_report_set_duration (GcReport *r, gdouble duration_s)
{
  g_return_if_fail (r != NULL);
  r->duration = isfinite (duration_s) && duration_s > 0 ? duration_s : 0;
}

gdouble
gc_report_get_duration (GcReport *r)
{
  g_return_val_if_fail (r != NULL, 0);
  return r->duration;
}

void
gc_report_set_stats (GcReport *r, gdouble wall_s, guint64 frames_decoded,
    guint64 frames_analysed)
{
  g_return_if_fail (r != NULL);
  r->wall_s = wall_s;
  r->frames_decoded = frames_decoded;
  r->frames_analysed = frames_analysed;
}

static gdouble round3 (gdouble v);

static const gchar *const reserved[] = {
  "schema", "input", "duration_s", "texts", "violations", "stats",
  "products", NULL
};

static void
set_extra (GcReport *r, const gchar *name, JsonNode *value)
{
  g_return_if_fail (r != NULL && name != NULL);
  if (g_strv_contains (reserved, name)) {
    g_warning ("gc_report: \"%s\" is a reserved report member", name);
    json_node_unref (value);
    return;
  }
  for (guint i = 0; i < r->extras->len; i++) {
    Extra *e = g_ptr_array_index (r->extras, i);
    if (g_str_equal (e->name, name)) {
      json_node_unref (e->value);
      e->value = value;
      return;
    }
  }
  Extra *e = g_new0 (Extra, 1);
  e->name = g_strdup (name);
  e->value = value;
  g_ptr_array_add (r->extras, e);
}

void
gc_report_set_string (GcReport *r, const gchar *name, const gchar *value)
{
  JsonNode *n = json_node_new (value ? JSON_NODE_VALUE : JSON_NODE_NULL);
  if (value)
    json_node_set_string (n, value);
  set_extra (r, name, n);
}

void
gc_report_set_double (GcReport *r, const gchar *name, gdouble value)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (n, round3 (value));
  set_extra (r, name, n);
}

void
gc_report_set_boolean (GcReport *r, const gchar *name, gboolean value)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_boolean (n, value);
  set_extra (r, name, n);
}

void
gc_report_set_coverage (GcReport *r, const gchar *method, guint64 units,
    gboolean checked, const gchar *reason)
{
  g_return_if_fail (r != NULL && method != NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, method);
  json_builder_set_member_name (b, g_str_equal (method, "sei")
      ? "sei_access_units" : "frames_analysed");
  json_builder_add_int_value (b, (gint64) units);
  json_builder_set_member_name (b, "checked");
  json_builder_add_boolean_value (b, checked);
  if (!checked && reason) {
    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, reason);
  }
  json_builder_end_object (b);
  set_extra (r, "coverage", json_builder_get_root (b));
  r->unchecked = !checked;
  g_free (r->unchecked_reason);
  r->unchecked_reason = checked ? NULL : g_strdup (reason);
}

void
gc_report_add_rule_not_checked (GcReport *r, const gchar *rule,
    const gchar *reason)
{
  JsonArray *list = NULL;
  JsonObject *o;

  g_return_if_fail (r != NULL && rule != NULL);
  for (guint i = 0; i < r->extras->len; i++) {
    Extra *e = g_ptr_array_index (r->extras, i);
    if (g_str_equal (e->name, "rules_not_checked")
        && JSON_NODE_HOLDS_ARRAY (e->value))
      list = json_node_get_array (e->value);
  }
  if (list == NULL) {
    JsonNode *n = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (n, json_array_new ());
    set_extra (r, "rules_not_checked", n);
    list = json_node_get_array (n);
  }
  o = json_object_new ();
  json_object_set_string_member (o, "rule", rule);
  json_object_set_string_member (o, "reason", reason ? reason : "");
  json_array_add_object_element (list, o);
}

void
gc_report_set_evidence_dir (GcReport *r, const gchar *dir)
{
  g_return_if_fail (r != NULL);
  g_free (r->evidence_dir);
  r->evidence_dir = g_strdup (dir);
}

void
gc_report_forget_evidence (GcReport *r)
{
  g_return_if_fail (r != NULL);
  for (guint i = 0; i < r->violations->len; i++) {
    GcViolation *v = g_ptr_array_index (r->violations, i);
    g_clear_pointer (&v->evidence, g_free);
  }
}

guint
gc_report_n_violations (GcReport *r)
{
  g_return_val_if_fail (r != NULL, 0);
  return r->violations->len;
}

guint
gc_report_n_texts (GcReport *r)
{
  g_return_val_if_fail (r != NULL, 0);
  return r->texts->len;
}

static gint
compare_violations (gconstpointer a, gconstpointer b)
{
  const GcViolation *va = *(const GcViolation **) a;
  const GcViolation *vb = *(const GcViolation **) b;
  if (va->t_start != vb->t_start)
    return va->t_start < vb->t_start ? -1 : 1;
  gint c = g_strcmp0 (va->rule, vb->rule);
  if (c)
    return c;
  return va->id < vb->id ? -1 : va->id > vb->id;
}

static gint
compare_texts (gconstpointer a, gconstpointer b)
{
  const TextSpan *sa = *(const TextSpan **) a;
  const TextSpan *sb = *(const TextSpan **) b;
  if (sa->t_start != sb->t_start)
    return sa->t_start < sb->t_start ? -1 : 1;
  if (sa->box.y != sb->box.y)
    return sa->box.y < sb->box.y ? -1 : 1;
  return g_strcmp0 (sa->text, sb->text);
}

/* Sorting functions get pointers to the elements. */
static gint
compare_strp (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static gint
compare_strp_data (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return compare_strp (a, b);
}

/* Sorted copies, so writing a report twice (JSON then HTML) gives the same
 * order and never reorders the lookup tables' referents. */
static GPtrArray *
sorted (GPtrArray *in, GCompareFunc cmp)
{
  GPtrArray *out = g_ptr_array_sized_new (in->len);
  for (guint i = 0; i < in->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (in, i));
  g_ptr_array_sort (out, cmp);
  return out;
}

gchar *
gc_report_violation_summary (GcReport *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < r->violations->len; i++) {
    GcViolation *v = g_ptr_array_index (r->violations, i);
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, v->rule));
    g_hash_table_insert (counts, v->rule, GUINT_TO_POINTER (n + 1));
  }
  g_autofree const gchar **rules =
      (const gchar **) g_hash_table_get_keys_as_array (counts, NULL);
  g_qsort_with_data (rules, g_hash_table_size (counts), sizeof (gchar *),
      compare_strp_data, NULL);
  GString *s = g_string_new (NULL);
  for (guint i = 0; rules[i]; i++)
    g_string_append_printf (s, "%s%s×%u", i ? " " : "", rules[i],
        GPOINTER_TO_UINT (g_hash_table_lookup (counts, rules[i])));
  return g_string_free (s, FALSE);
}

/* Times to the millisecond, ratios to three places: enough for any reader,
 * and it keeps 12.000000000000002 out of reports. */
static gdouble
round3 (gdouble v)
{
  return isfinite (v) ? round (v * 1000.0) / 1000.0 : 0.0;
}

static void
add_double (JsonBuilder *b, const gchar *name, gdouble v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, round3 (v));
}

static void
add_box (JsonBuilder *b, const GcBox *box)
{
  json_builder_set_member_name (b, "bbox");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, box->x);
  json_builder_add_int_value (b, box->y);
  json_builder_add_int_value (b, box->w);
  json_builder_add_int_value (b, box->h);
  json_builder_end_array (b);
}

/* The image file @evidence (as a violation names it) refers to, or NULL:
 * absolute, or relative to the working directory, or (older names)
 * relative to the directory holding the evidence directory. */
static gchar *
evidence_path (GcReport *r, const gchar *evidence)
{
  if (!evidence || !*evidence)
    return NULL;
  if (g_path_is_absolute (evidence) || g_file_test (evidence,
          G_FILE_TEST_IS_REGULAR))
    return g_canonicalize_filename (evidence, NULL);
  if (!r->evidence_dir)
    return NULL;
  g_autofree gchar *parent = g_path_get_dirname (r->evidence_dir);
  g_autofree gchar *p = g_build_filename (parent, evidence, NULL);
  if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
    return g_canonicalize_filename (p, NULL);
  g_autofree gchar *base = g_path_get_basename (evidence);
  g_autofree gchar *in_dir = g_build_filename (r->evidence_dir, base, NULL);
  return g_canonicalize_filename (in_dir, NULL);
}

/* @to relative to the directory @from_dir; both absolute and canonical. */
static gchar *
relative_to (const gchar *from_dir, const gchar *to)
{
  g_auto (GStrv) a = g_strsplit (from_dir, G_DIR_SEPARATOR_S, -1);
  g_auto (GStrv) b = g_strsplit (to, G_DIR_SEPARATOR_S, -1);
  guint i = 0;
  while (a[i] && b[i] && b[i + 1] && strcmp (a[i], b[i]) == 0)
    i++;
  GString *out = g_string_new (NULL);
  for (guint j = i; a[j]; j++) {
    if (*a[j])
      g_string_append (out, ".." G_DIR_SEPARATOR_S);
  }
  for (guint j = i; b[j]; j++) {
    if (!*b[j])
      continue;
    g_string_append (out, b[j]);
    if (b[j + 1])
      g_string_append_c (out, G_DIR_SEPARATOR);
  }
  return g_string_free (out, FALSE);
}

/* A violation's evidence as the report shows it: the image if it exists
 * (complete: images are renamed into place only once written), relative
 * to @report_dir when there is one, else absolute; NULL when there is
 * no image. */
static gchar *
evidence_for_report (GcReport *r, const gchar *evidence,
    const gchar *report_dir)
{
  g_autofree gchar *path = evidence_path (r, evidence);
  if (!path || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  if (!report_dir)
    return g_steal_pointer (&path);
  return relative_to (report_dir, path);
}

static JsonNode *
report_to_json (GcReport *r, const gchar *report_dir)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) texts = sorted (r->texts, compare_texts);
  g_autoptr (GPtrArray) violations = sorted (r->violations,
      compare_violations);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, GC_REPORT_SCHEMA);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, r->input);
  add_double (b, "duration_s", r->duration);

  json_builder_set_member_name (b, "texts");
  json_builder_begin_array (b);
  for (guint i = 0; i < texts->len; i++) {
    TextSpan *s = g_ptr_array_index (texts, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "text");
    json_builder_add_string_value (b, s->text);
    add_double (b, "t_start", s->t_start);
    add_double (b, "t_end", s->t_end);
    add_box (b, &s->box);
    add_double (b, "confidence", CLAMP (s->confidence, 0.0, 1.0));
    json_builder_set_member_name (b, "frames");
    json_builder_add_int_value (b, s->frames);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "violations");
  json_builder_begin_array (b);
  for (guint i = 0; i < violations->len; i++) {
    const GcViolation *v = g_ptr_array_index (violations, i);
    JsonNode *node = gc_violation_to_json (v);
    g_autofree gchar *evidence = evidence_for_report (r, v->evidence,
        report_dir);
    JsonObject *o = json_node_get_object (node);
    if (evidence)
      json_object_set_string_member (o, "evidence", evidence);
    else
      json_object_set_null_member (o, "evidence");
    json_builder_add_value (b, node);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "products");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->products->len; i++) {
    ProductSpan *p = g_ptr_array_index (r->products, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "sku");
    json_builder_add_string_value (b, p->sku);
    json_builder_set_member_name (b, "name");
    if (p->name)
      json_builder_add_string_value (b, p->name);
    else
      json_builder_add_null_value (b);
    add_double (b, "t_start", p->t_start);
    add_double (b, "t_end", p->t_end);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "stats");
  json_builder_begin_object (b);
  add_double (b, "wall_s", r->wall_s);
  json_builder_set_member_name (b, "frames_decoded");
  json_builder_add_int_value (b, (gint64) r->frames_decoded);
  json_builder_set_member_name (b, "frames_analysed");
  json_builder_add_int_value (b, (gint64) r->frames_analysed);
  add_double (b, "speed_x", r->wall_s > 0 ? r->duration / r->wall_s : 0.0);
  json_builder_end_object (b);

  for (guint i = 0; i < r->extras->len; i++) {
    Extra *e = g_ptr_array_index (r->extras, i);
    json_builder_set_member_name (b, e->name);
    json_builder_add_value (b, json_node_copy (e->value));
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
gc_report_to_json (GcReport *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return report_to_json (r, NULL);
}

/* Write beside @path, then rename: a crash or a full disk never leaves a
 * truncated report where the old one was.  What exists there and is not a
 * regular file (/dev/null, a pipe, a device) is written to as it is:
 * renaming over it would replace the node with a file. */
gboolean
gc_write_file (const gchar *path, const gchar *data, gsize len,
    GError **error)
{
  g_autoptr (GError) err = NULL;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode)) {
    FILE *f;
    gboolean ok;

    if (S_ISDIR (st.st_mode)) {
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: is a directory", path);
      return FALSE;
    }
    f = g_fopen (path, "wb");
    ok = f != NULL && fwrite (data, 1, len, f) == len;
    if (f != NULL && fclose (f) != 0)
      ok = FALSE;
    if (!ok) {
      int e = errno;
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s",
          path, g_strerror (e));
    }
    return ok;
  }
  if (!g_file_set_contents (path, data, len, &err)) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot write: %s", path,
        err->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
gc_report_write_json (GcReport *r, const gchar *path, GError **error)
{
  g_return_val_if_fail (r != NULL && path != NULL, FALSE);
  /* Evidence paths are relative to the report file, so the report and
   * its images can be moved together; into a pipe or a device they are
   * absolute. */
  GStatBuf st;
  g_autofree gchar *report_dir = NULL;
  if (g_stat (path, &st) != 0 || S_ISREG (st.st_mode)) {
    g_autofree gchar *full = g_canonicalize_filename (path, NULL);
    report_dir = g_path_get_dirname (full);
  }
  g_autoptr (JsonNode) root = report_to_json (r, report_dir);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  gsize len = 0;
  g_autofree gchar *data = json_generator_to_data (gen, &len);
  g_autofree gchar *with_nl = g_strconcat (data, "\n", NULL);
  return gc_write_file (path, with_nl, len + 1, error);
}

/* ---- HTML ---------------------------------------------------------------
 * Well-formed XHTML served as HTML: every element closed, every string
 * escaped, so a test (or a QA tool) can parse it as XML.  No external
 * resources: the page is mailed around as one file. */

static void
esc (GString *s, const gchar *text)
{
  if (!text)
    return;
  /* Readings come from OCR: never trust them to be valid UTF-8 markup. */
  if (!g_utf8_validate (text, -1, NULL)) {
    g_autofree gchar *valid = g_utf8_make_valid (text, -1);
    g_autofree gchar *e = g_markup_escape_text (valid, -1);
    g_string_append (s, e);
    return;
  }
  g_autofree gchar *e = g_markup_escape_text (text, -1);
  g_string_append (s, e);
}

/* A value from a catalog or the screen in the page's body: isolated, so a
 * right-to-left override in it (U+202E) cannot reorder the text around
 * it. */
static void
esc_bdi (GString *s, const gchar *text)
{
  g_string_append (s, "<bdi>");
  esc (s, text);
  g_string_append (s, "</bdi>");
}

/* The same inside an SVG title or text, where no element may go: the
 * isolate characters FSI ... PDI. */
static void
esc_isolated (GString *s, const gchar *text)
{
  g_string_append (s, "\u2068");
  esc (s, text);
  g_string_append (s, "\u2069");
}

static void
append_num (GString *s, const gchar *format, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* Locale-independent: a German locale must not write "12,5" into SVG. */
  g_string_append (s, g_ascii_formatd (buf, sizeof buf, format,
          isfinite (v) ? v : 0.0));
}

static void
append_time (GString *s, gdouble t)
{
  gint64 ms = (gint64) llround (MAX (t, 0.0) * 1000.0);
  g_string_append_printf (s, "%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT
      ".%01" G_GINT64_FORMAT, ms / 60000, (ms / 1000) % 60, (ms % 1000) / 100);
}

static const gchar *const rule_colours[] = {
  "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
  "#17becf", "#7f7f7f",
};

static const gchar *
colour_for (GPtrArray *rules, const gchar *rule)
{
  for (guint i = 0; i < rules->len; i++)
    if (g_str_equal (g_ptr_array_index (rules, i), rule))
      return rule_colours[i % G_N_ELEMENTS (rule_colours)];
  return rule_colours[0];
}

static void
html_timeline (GcReport *r, GString *s, GPtrArray *violations)
{
  const gdouble left = 170, width = 760, row = 26;
  gdouble duration = r->duration;
  g_autoptr (GPtrArray) rules = g_ptr_array_new ();

  for (guint i = 0; i < violations->len; i++) {
    GcViolation *v = g_ptr_array_index (violations, i);
    duration = MAX (duration, v->t_end);
    gboolean seen = FALSE;
    for (guint j = 0; j < rules->len && !seen; j++)
      seen = g_str_equal (g_ptr_array_index (rules, j), v->rule);
    if (!seen)
      g_ptr_array_add (rules, v->rule);
  }
  for (guint i = 0; i < r->products->len; i++)
    duration = MAX (duration,
        ((ProductSpan *) g_ptr_array_index (r->products, i))->t_start);
  if (duration <= 0)
    duration = 1;
  g_ptr_array_sort (rules, compare_strp);

  guint rows = 1 + rules->len;
  gdouble height = 30 + rows * row;
  const gdouble scale = width / duration;

  g_string_append (s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "class=\"timeline\" role=\"img\" viewBox=\"0 0 ");
  append_num (s, "%.0f", left + width + 20);
  g_string_append_c (s, ' ');
  append_num (s, "%.0f", height);
  g_string_append (s, "\" width=\"100%\">\n");

  /* Axis: ten ticks or fewer, on whole seconds. */
  gdouble step = MAX (1.0, ceil (duration / 10.0));
  for (gdouble t = 0; t <= duration + 1e-9; t += step) {
    gdouble x = left + t * scale;
    g_string_append (s, "<line class=\"tick\" x1=\"");
    append_num (s, "%.1f", x);
    g_string_append (s, "\" x2=\"");
    append_num (s, "%.1f", x);
    g_string_append (s, "\" y1=\"18\" y2=\"");
    append_num (s, "%.0f", height);
    g_string_append (s, "\"/><text class=\"axis\" x=\"");
    append_num (s, "%.1f", x);
    g_string_append (s, "\" y=\"12\">");
    append_time (s, t);
    g_string_append (s, "</text>\n");
  }

  /* Row 0: products on sale. */
  g_string_append (s, "<text class=\"lane\" x=\"4\" y=\"");
  append_num (s, "%.0f", 30 + row * 0.5 + 4);
  g_string_append (s, "\">products</text>\n");
  for (guint i = 0; i < r->products->len; i++) {
    ProductSpan *p = g_ptr_array_index (r->products, i);
    gdouble x = left + p->t_start * scale;
    gdouble w = MAX (2.0, (MIN (p->t_end, duration) - p->t_start) * scale);
    g_string_append (s, "<g><title>");
    esc_isolated (s, p->sku);
    if (p->name) {
      g_string_append (s, " ");
      esc_isolated (s, p->name);
    }
    g_string_append (s, "</title><rect class=\"product\" x=\"");
    append_num (s, "%.1f", x);
    g_string_append (s, "\" y=\"24\" width=\"");
    append_num (s, "%.1f", w);
    g_string_append_printf (s, "\" height=\"%d\" fill=\"%s\"/>",
        (gint) row - 4, i % 2 ? "#9ecae1" : "#c6dbef");
    g_string_append (s, "<text class=\"bar\" x=\"");
    append_num (s, "%.1f", x + 3);
    g_string_append (s, "\" y=\"");
    append_num (s, "%.0f", 24 + row * 0.5 + 2);
    g_string_append (s, "\">");
    esc_isolated (s, p->sku);
    g_string_append (s, "</text></g>\n");
  }

  for (guint i = 0; i < rules->len; i++) {
    const gchar *rule = g_ptr_array_index (rules, i);
    gdouble y = 24 + (i + 1) * row;
    g_string_append (s, "<text class=\"lane\" x=\"4\" y=\"");
    append_num (s, "%.0f", y + row * 0.5 + 2);
    g_string_append (s, "\">");
    esc (s, rule);
    g_string_append (s, "</text>\n");
    for (guint j = 0; j < violations->len; j++) {
      GcViolation *v = g_ptr_array_index (violations, j);
      if (!g_str_equal (v->rule, rule))
        continue;
      g_string_append_printf (s, "<a href=\"#v%u\"><title>", j + 1);
      esc (s, v->rule);
      g_string_append (s, " ");
      append_time (s, v->t_start);
      g_string_append (s, "–");
      append_time (s, v->t_end);
      if (v->observed) {
        g_string_append (s, ": ");
        esc_isolated (s, v->observed);
      }
      g_string_append (s, "</title><rect x=\"");
      append_num (s, "%.1f", left + v->t_start * scale);
      g_string_append (s, "\" y=\"");
      append_num (s, "%.0f", y);
      g_string_append (s, "\" width=\"");
      append_num (s, "%.1f", MAX (3.0, (v->t_end - v->t_start) * scale));
      g_string_append_printf (s, "\" height=\"%d\" fill=\"%s\"/></a>\n",
          (gint) row - 4, colour_for (rules, rule));
    }
  }
  g_string_append (s, "</svg>\n");
}

static void
html_row (GString *s, const gchar *key, const gchar *value)
{
  g_string_append (s, "<tr><th>");
  esc (s, key);
  g_string_append (s, "</th><td>");
  if (value)
    esc_bdi (s, value);
  else
    g_string_append (s, "<span class=\"none\">—</span>");
  g_string_append (s, "</td></tr>\n");
}

static const gchar html_style[] =
    "body{font-family:sans-serif;margin:2em auto;max-width:1000px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4;font-weight:600}"
    ".ok{color:#2a7d2a}.bad{color:#b00020}.none{color:#999}"
    ".timeline text{font-size:11px;font-family:sans-serif}"
    ".timeline .tick{stroke:#ddd}.timeline .bar{font-size:10px}"
    "article{border:1px solid #ddd;border-left:6px solid #b00020;padding:.5em 1em;margin:1em 0}"
    "article img{max-width:100%;border:1px solid #ccc}"
    ".sev-warning{border-left-color:#ff7f0e}.sev-info{border-left-color:#1f77b4}";

gchar *
gc_report_to_html (GcReport *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  g_autoptr (GPtrArray) texts = sorted (r->texts, compare_texts);
  g_autoptr (GPtrArray) violations = sorted (r->violations,
      compare_violations);
  GString *s = g_string_sized_new (16384);
  g_autofree gchar *summary = gc_report_violation_summary (r);

  g_string_append (s, "<!DOCTYPE html>\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\"/>\n<title>Compliance report: ");
  esc (s, r->input);
  g_string_append_printf (s, "</title>\n<style>%s</style>\n</head>\n<body>\n",
      html_style);

  g_string_append (s, "<h1>Compliance report</h1>\n<section id=\"summary\">\n");
  if (r->violations->len)
    g_string_append_printf (s, "<p class=\"bad\"><strong>%u violation%s</strong>: ",
        r->violations->len, r->violations->len == 1 ? "" : "s");
  else if (r->unchecked) {
    /* Never "clean" for what was not checked. */
    g_string_append (s, "<p class=\"bad\"><strong>Not checked</strong>: ");
    esc (s, r->unchecked_reason ? r->unchecked_reason : "");
  } else
    g_string_append (s, "<p class=\"ok\"><strong>No violation found</strong>");
  esc (s, summary);
  g_string_append (s, "</p>\n<table>\n");
  html_row (s, "Input", r->input);
  g_autofree gchar *dur = NULL;
  {
    g_autoptr (GString) t = g_string_new (NULL);
    append_time (t, r->duration);
    g_string_append (t, " (");
    append_num (t, "%.1f", r->duration);
    g_string_append (t, " s)");
    dur = g_strdup (t->str);
  }
  html_row (s, "Duration", dur);
  for (guint i = 0; i < r->extras->len; i++) {
    Extra *e = g_ptr_array_index (r->extras, i);
    if (g_str_equal (e->name, "rules_not_checked")
        && JSON_NODE_HOLDS_ARRAY (e->value)) {
      JsonArray *a = json_node_get_array (e->value);
      for (guint k = 0; k < json_array_get_length (a); k++) {
        JsonObject *o = json_array_get_object_element (a, k);
        g_autofree gchar *line = g_strdup_printf ("%s: %s",
            json_object_get_string_member (o, "rule"),
            json_object_get_string_member (o, "reason"));
        html_row (s, "Not checked", line);
      }
    } else if (JSON_NODE_HOLDS_VALUE (e->value)
        && json_node_get_value_type (e->value) == G_TYPE_STRING)
      html_row (s, e->name, json_node_get_string (e->value));
    else if (JSON_NODE_HOLDS_VALUE (e->value)
        && json_node_get_value_type (e->value) == G_TYPE_BOOLEAN)
      html_row (s, e->name, json_node_get_boolean (e->value) ? "yes" : "no");
  }
  {
    g_autoptr (GString) t = g_string_new (NULL);
    append_num (t, "%.2f", r->wall_s);
    g_string_append (t, " s");
    if (r->wall_s > 0) {
      g_string_append (t, " (");
      append_num (t, "%.1f", r->duration / r->wall_s);
      g_string_append (t, "× real time)");
    }
    html_row (s, "Scan time", t->str);
    g_string_truncate (t, 0);
    g_string_append_printf (t, "%" G_GUINT64_FORMAT " decoded, %"
        G_GUINT64_FORMAT " analysed", r->frames_decoded, r->frames_analysed);
    html_row (s, "Frames", t->str);
  }
  g_string_append (s, "</table>\n</section>\n");

  g_string_append (s, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
  html_timeline (r, s, violations);
  g_string_append (s, "</section>\n");

  g_string_append (s, "<section id=\"violations\">\n<h2>Violations</h2>\n");
  if (!violations->len)
    g_string_append (s, "<p>None.</p>\n");
  for (guint i = 0; i < violations->len; i++) {
    GcViolation *v = g_ptr_array_index (violations, i);
    g_string_append_printf (s, "<article id=\"v%u\" class=\"sev-", i + 1);
    esc (s, v->severity ? v->severity : "error");
    g_string_append_printf (s, "\">\n<h3>%u. ", i + 1);
    esc (s, v->rule);
    g_string_append (s, " <small>(");
    esc (s, v->severity ? v->severity : "error");
    g_string_append (s, ")</small></h3>\n<table>\n");
    g_autoptr (GString) when = g_string_new (NULL);
    append_time (when, v->t_start);
    g_string_append (when, " – ");
    append_time (when, v->t_end);
    html_row (s, "Time", when->str);
    html_row (s, "Product", v->sku);
    html_row (s, "Observed on screen", v->observed);
    html_row (s, "Declared", v->declared);
    html_row (s, "Legal reference", v->legal_ref);
    g_string_append (s, "</table>\n");

    g_autofree gchar *path = evidence_path (r, v->evidence);
    g_autofree gchar *png = NULL;
    gsize len = 0;
    if (path && g_file_get_contents (path, &png, &len, NULL) && len > 0) {
      g_autofree gchar *b64 = g_base64_encode ((const guchar *) png, len);
      g_string_append (s, "<img alt=\"evidence: ");
      esc (s, v->rule);
      g_string_append (s, "\" src=\"data:image/png;base64,");
      g_string_append (s, b64);
      g_string_append (s, "\"/>\n");
    } else {
      g_string_append (s, "<p class=\"none\">No evidence image");
      if (v->evidence) {
        g_string_append (s, " (");
        esc (s, v->evidence);
        g_string_append (s, " not found)");
      }
      g_string_append (s, ".</p>\n");
    }
    g_string_append (s, "</article>\n");
  }
  g_string_append (s, "</section>\n");

  g_string_append (s, "<section id=\"texts\">\n<h2>Text on screen</h2>\n");
  if (!texts->len)
    g_string_append (s, "<p>None read.</p>\n");
  else
    g_string_append (s, "<table>\n<tr><th>From</th><th>To</th><th>Text</th>"
        "<th>Confidence</th></tr>\n");
  for (guint i = 0; i < texts->len; i++) {
    TextSpan *t = g_ptr_array_index (texts, i);
    g_string_append (s, "<tr><td>");
    append_time (s, t->t_start);
    g_string_append (s, "</td><td>");
    append_time (s, t->t_end);
    g_string_append (s, "</td><td>");
    esc_bdi (s, t->text);
    g_string_append (s, "</td><td>");
    append_num (s, "%.2f", t->confidence);
    g_string_append (s, "</td></tr>\n");
  }
  if (texts->len)
    g_string_append (s, "</table>\n");
  g_string_append (s, "</section>\n</body>\n</html>\n");
  return g_string_free (s, FALSE);
}

gboolean
gc_report_write_html (GcReport *r, const gchar *path, GError **error)
{
  g_return_val_if_fail (r != NULL && path != NULL, FALSE);
  g_autofree gchar *html = gc_report_to_html (r);
  return gc_write_file (path, html, strlen (html), error);
}
