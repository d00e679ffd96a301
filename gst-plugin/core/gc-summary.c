/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: scan reports merged into one summary (gc-summary.h). */
#include "gc-summary.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gc-error.h"
#include "gc-report.h"

typedef struct
{
  gchar *path;                  /* as given (or found in a directory) */
  gchar *canonical;
  gchar *link;                  /* relative to the summary where below it */
  gchar *html;                  /* canonical NAME.html beside it */
  gboolean has_html;            /* the scan wrote that page */
  const gchar *status;          /* static */
  guint violations;
  JsonNode *report;             /* the report, whole */
} Entry;

struct _GcSummary
{
  gchar *out_path;
  gchar *out_dir;               /* canonical */
  GPtrArray *entries;           /* of Entry* */
  GPtrArray *missing;           /* of gchar*: input, file, input, file... */
};

static void
entry_free (Entry *e)
{
  g_free (e->path);
  g_free (e->canonical);
  g_free (e->link);
  g_free (e->html);
  if (e->report)
    json_node_unref (e->report);
  g_free (e);
}

GcSummary *
gc_summary_new (const gchar *out_path)
{
  GcSummary *s = g_new0 (GcSummary, 1);
  g_autofree gchar *full = NULL;

  g_return_val_if_fail (out_path != NULL, NULL);
  s->out_path = g_strdup (out_path);
  full = g_canonicalize_filename (out_path, NULL);
  s->out_dir = g_path_get_dirname (full);
  s->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  s->missing = g_ptr_array_new_with_free_func (g_free);
  return s;
}

void
gc_summary_free (GcSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->out_path);
  g_free (s->out_dir);
  g_ptr_array_unref (s->entries);
  g_ptr_array_unref (s->missing);
  g_free (s);
}

/* @canonical relative to @dir (canonical) where it lies below it (the
 * summary and its reports can move together), else as it is. */
static gchar *
link_to (const gchar *dir, const gchar *canonical)
{
  gsize n = strlen (dir);

  if (strncmp (canonical, dir, n) == 0 && canonical[n] == '/')
    return g_strdup (canonical + n + 1);
  if (g_str_equal (dir, "/"))
    return g_strdup (canonical + 1);
  return g_strdup (canonical);
}

static const gchar *
member_string (JsonObject *o, const gchar *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
}

/* What the scan said of the recording: incomplete (it stopped early or met
 * damage), violations, not_checked (too little checked to call it clean),
 * or clean. */
static const gchar *
report_status (JsonObject *o, guint violations)
{
  JsonNode *complete = json_object_get_member (o, "complete");
  JsonObject *coverage = json_object_has_member (o, "coverage")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "coverage"))
      ? json_object_get_object_member (o, "coverage") : NULL;

  if (member_string (o, "error") || member_string (o, "damage")
      || (complete && JSON_NODE_HOLDS_VALUE (complete)
          && json_node_get_value_type (complete) == G_TYPE_BOOLEAN
          && !json_node_get_boolean (complete)))
    return "incomplete";
  if (violations > 0)
    return "violations";
  if (coverage && json_object_has_member (coverage, "checked")
      && !json_object_get_boolean_member (coverage, "checked"))
    return "not_checked";
  return "clean";
}

/* Parses @path: a report (TRUE, *@out set), a summary (TRUE, *@out NULL:
 * skipped), or neither (FALSE). */
static gboolean
read_report (const gchar *path, JsonNode **out, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) err = NULL;
  JsonObject *o;
  const gchar *schema;

  *out = NULL;
  if (!json_parser_load_from_file (parser, path, &err)) {
    g_set_error (error, GC_ERROR, g_error_matches (err, G_FILE_ERROR,
            G_FILE_ERROR_NOENT) || err->domain == G_FILE_ERROR
        ? GC_ERROR_IO : GC_ERROR_PARSE, "%s: %s", path, err->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: not a scan report "
        "(the top level is not an object)", path);
    return FALSE;
  }
  o = json_node_get_object (json_parser_get_root (parser));
  schema = member_string (o, "schema");
  if (g_strcmp0 (schema, GC_SUMMARY_SCHEMA) == 0)
    return TRUE;
  if (g_strcmp0 (schema, GC_REPORT_SCHEMA) != 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: not a scan report: "
        "its \"schema\" is %s%s%s, expected \"" GC_REPORT_SCHEMA "\"", path,
        schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
    return FALSE;
  }
  if (!json_object_has_member (o, "violations")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "violations"))) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: field "
        "\"violations\": expected an array", path);
    return FALSE;
  }
  *out = json_node_copy (json_parser_get_root (parser));
  return TRUE;
}

static gboolean
add_file (GcSummary *s, const gchar *path, gboolean from_dir, GError **error)
{
  g_autofree gchar *canonical = g_canonicalize_filename (path, NULL);
  g_autofree gchar *base = NULL;
  JsonNode *report = NULL;
  JsonObject *o;
  Entry *e;

  for (guint i = 0; i < s->entries->len; i++) {
    Entry *seen = g_ptr_array_index (s->entries, i);
    if (g_str_equal (seen->canonical, canonical)) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: given twice "
          "(as %s already)", path, seen->path);
      return FALSE;
    }
  }
  if (!read_report (path, &report, error))
    return FALSE;
  if (report == NULL) {
    if (from_dir)
      return TRUE;              /* a summary beside the reports */
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: a summary, not a "
        "scan report: give the reports it was made of", path);
    return FALSE;
  }

  o = json_node_get_object (report);
  e = g_new0 (Entry, 1);
  e->path = g_strdup (path);
  e->canonical = g_steal_pointer (&canonical);
  e->link = link_to (s->out_dir, e->canonical);
  e->report = report;
  e->violations = json_array_get_length (json_object_get_array_member (o,
          "violations"));
  e->status = report_status (o, e->violations);
  /* The scan writes NAME.html next to NAME.json in a batch. */
  base = g_str_has_suffix (e->canonical, ".json")
      ? g_strndup (e->canonical, strlen (e->canonical) - 5)
      : g_strdup (e->canonical);
  e->html = g_strconcat (base, ".html", NULL);
  e->has_html = g_file_test (e->html, G_FILE_TEST_IS_REGULAR);
  g_ptr_array_add (s->entries, e);
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

gboolean
gc_summary_add (GcSummary *s, const gchar *path, GError **error)
{
  g_return_val_if_fail (s != NULL && path != NULL, FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GError) err = NULL;
    g_autoptr (GDir) dir = g_dir_open (path, 0, &err);
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    g_autofree gchar *out = g_canonicalize_filename (s->out_path, NULL);
    guint before = s->entries->len;
    const gchar *name;

    if (dir == NULL) {
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: %s", path, err->message);
      return FALSE;
    }
    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_suffix (name, ".json"))
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
    g_ptr_array_sort (names, compare_names);
    for (guint i = 0; i < names->len; i++) {
      const gchar *file = g_ptr_array_index (names, i);
      g_autofree gchar *c = g_canonicalize_filename (file, NULL);

      if (g_str_equal (c, out)) {
        /* This summary from an earlier run is skipped; a report there
         * would be replaced by the summary. */
        JsonNode *r = NULL;

        if (read_report (file, &r, NULL) && r == NULL)
          continue;
        if (r)
          json_node_unref (r);
        g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: the summary "
            "would be written over it: give the summary another path", file);
        g_ptr_array_set_size (s->entries, before);
        return FALSE;
      }
      if (!add_file (s, file, TRUE, error)) {
        g_ptr_array_set_size (s->entries, before);
        return FALSE;
      }
    }
    if (s->entries->len == before) {
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND, "%s: no scan report "
          "(*.json) in it", path);
      return FALSE;
    }
    return TRUE;
  }
  return add_file (s, path, FALSE, error);
}

guint
gc_summary_n_reports (const GcSummary *s)
{
  return s->entries->len;
}

const gchar *
gc_summary_input (const GcSummary *s, guint i)
{
  g_return_val_if_fail (i < s->entries->len, NULL);
  return member_string (json_node_get_object (((Entry *)
              g_ptr_array_index (s->entries, i))->report), "input");
}

void
gc_summary_add_missing (GcSummary *s, const gchar *input, const gchar *file)
{
  g_autofree gchar *canonical = g_canonicalize_filename (file, NULL);

  g_ptr_array_add (s->missing, g_strdup (input));
  g_ptr_array_add (s->missing, link_to (s->out_dir, canonical));
}

guint
gc_summary_n_missing (const GcSummary *s)
{
  return s->missing->len / 2;
}

gboolean
gc_summary_holds (const GcSummary *s, const gchar *path)
{
  g_autofree gchar *c = NULL;

  if (path == NULL)
    return FALSE;
  c = g_canonicalize_filename (path, NULL);
  for (guint i = 0; i < s->entries->len; i++) {
    Entry *e = g_ptr_array_index (s->entries, i);

    if (g_str_equal (c, e->canonical) || g_str_equal (c, e->html))
      return TRUE;
  }
  return FALSE;
}

guint
gc_summary_count (const GcSummary *s, const gchar *status)
{
  guint n = 0;

  for (guint i = 0; i < s->entries->len; i++)
    n += g_str_equal (((Entry *) g_ptr_array_index (s->entries, i))->status,
        status);
  return n;
}

static gint
compare_keys (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (a, b);
}

/* Violations by rule over every report (@e: one report only), sorted by
 * rule id: a table of rule -> count. */
static GTree *
count_rules (const GcSummary *s, const Entry *only)
{
  GTree *t = g_tree_new_full (compare_keys, NULL, g_free, NULL);

  for (guint i = 0; i < s->entries->len; i++) {
    Entry *e = g_ptr_array_index (s->entries, i);
    JsonArray *v;

    if (only && e != only)
      continue;
    v = json_object_get_array_member (json_node_get_object (e->report),
        "violations");
    for (guint k = 0; k < json_array_get_length (v); k++) {
      JsonNode *n = json_array_get_element (v, k);
      const gchar *rule = JSON_NODE_HOLDS_OBJECT (n)
          ? member_string (json_node_get_object (n), "rule") : NULL;
      gpointer old;

      if (rule == NULL)
        rule = "(no rule)";
      old = g_tree_lookup (t, rule);
      g_tree_replace (t, g_strdup (rule),
          GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
    }
  }
  return t;
}

static gboolean
add_rule_count (gpointer key, gpointer value, gpointer data)
{
  json_builder_set_member_name (data, key);
  json_builder_add_int_value (data, GPOINTER_TO_UINT (value));
  return FALSE;
}

static const gchar *const statuses[] = {
  "clean", "violations", "not_checked", "incomplete"
};

gboolean
gc_summary_write_json (const GcSummary *s, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GTree) rules = count_rules (s, NULL);
  g_autofree gchar *data = NULL, *with_nl = NULL;
  guint total = 0;
  gsize len = 0;

  g_return_val_if_fail (s != NULL, FALSE);
  for (guint i = 0; i < s->entries->len; i++)
    total += ((Entry *) g_ptr_array_index (s->entries, i))->violations;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, GC_SUMMARY_SCHEMA);
  json_builder_set_member_name (b, "recordings");
  json_builder_add_int_value (b, s->entries->len);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  for (guint k = 0; k < G_N_ELEMENTS (statuses); k++) {
    json_builder_set_member_name (b, statuses[k]);
    json_builder_add_int_value (b, gc_summary_count (s, statuses[k]));
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "violations");
  json_builder_add_int_value (b, total);
  /* Recordings of the batch without a report: never left out silently. */
  json_builder_set_member_name (b, "missing");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < s->missing->len; i += 2) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "input");
    json_builder_add_string_value (b, g_ptr_array_index (s->missing, i));
    json_builder_set_member_name (b, "file");
    json_builder_add_string_value (b, g_ptr_array_index (s->missing, i + 1));
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "by_rule");
  json_builder_begin_object (b);
  g_tree_foreach (rules, add_rule_count, b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "reports");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->entries->len; i++) {
    Entry *e = g_ptr_array_index (s->entries, i);
    const gchar *input = member_string (json_node_get_object (e->report),
        "input");

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "file");
    json_builder_add_string_value (b, e->link);
    if (e->has_html) {
      g_autofree gchar *html_link = link_to (s->out_dir, e->html);
      json_builder_set_member_name (b, "html");
      json_builder_add_string_value (b, html_link);
    }
    json_builder_set_member_name (b, "input");
    if (input)
      json_builder_add_string_value (b, input);
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "status");
    json_builder_add_string_value (b, e->status);
    json_builder_set_member_name (b, "violations");
    json_builder_add_int_value (b, e->violations);
    json_builder_set_member_name (b, "report");
    json_builder_add_value (b, json_node_copy (e->report));
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &len);
  with_nl = g_strconcat (data, "\n", NULL);
  return gc_write_file (s->out_path, with_nl, len + 1, error);
}

static void
esc (GString *out, const gchar *text)
{
  g_autofree gchar *e = g_markup_escape_text (text ? text : "", -1);

  g_string_append (out, e);
}

/* A link as an href: percent-escaped, and an absolute path as a file URI. */
static void
href (GString *out, const gchar *link)
{
  g_autofree gchar *e = g_uri_escape_string (link, "/", TRUE);

  g_string_append (out, "<a href=\"");
  if (link[0] == '/')
    g_string_append (out, "file://");
  esc (out, e);
  g_string_append (out, "\">");
}

static gboolean
add_rule_text (gpointer key, gpointer value, gpointer data)
{
  GString *out = data;

  if (out->len > 0)
    g_string_append (out, ", ");
  g_string_append_printf (out, "%s ×%u", (const gchar *) key,
      GPOINTER_TO_UINT (value));
  return FALSE;
}

gboolean
gc_summary_write_html (const GcSummary *s, const gchar *path, GError **error)
{
  g_autoptr (GString) h = g_string_new (NULL);
  g_autoptr (GTree) rules = count_rules (s, NULL);
  g_autoptr (GString) all = g_string_new (NULL);
  g_autofree gchar *full = NULL, *dir = NULL;
  guint total = 0;

  g_return_val_if_fail (s != NULL && path != NULL, FALSE);
  /* Links relative to the page, which may sit elsewhere than the JSON. */
  full = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (full);

  for (guint i = 0; i < s->entries->len; i++)
    total += ((Entry *) g_ptr_array_index (s->entries, i))->violations;
  g_tree_foreach (rules, add_rule_text, all);

  g_string_append (h, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
      "<head><meta charset=\"utf-8\"/><title>gst-compliance: batch summary"
      "</title><style>body{font-family:sans-serif;margin:2em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
      "padding:4px 8px;text-align:left}.violations{color:#b00020}"
      ".incomplete{color:#b06000}.not_checked{color:#666}.clean{color:#1b7a1b}"
      "</style></head><body>\n<h1>Batch summary</h1>\n");
  g_string_append_printf (h, "<p id=\"totals\">%u recording%s: ",
      s->entries->len, s->entries->len == 1 ? "" : "s");
  for (guint k = 0; k < G_N_ELEMENTS (statuses); k++)
    g_string_append_printf (h, "%s%u %s", k ? ", " : "",
        gc_summary_count (s, statuses[k]), statuses[k]);
  if (s->missing->len)
    g_string_append_printf (h, ", %u missing", gc_summary_n_missing (s));
  g_string_append_printf (h, "; %u violation%s", total, total == 1 ? "" : "s");
  if (all->len) {
    g_string_append (h, " (");
    esc (h, all->str);
    g_string_append (h, ")");
  }
  g_string_append (h, ".</p>\n<table><tr><th>recording</th><th>status</th>"
      "<th>violations</th><th>by rule</th><th>report</th></tr>\n");
  for (guint i = 0; i < s->entries->len; i++) {
    Entry *e = g_ptr_array_index (s->entries, i);
    g_autoptr (GTree) mine = count_rules (s, e);
    g_autoptr (GString) by = g_string_new (NULL);
    g_autofree gchar *json_link = link_to (dir, e->canonical);
    g_autofree gchar *html_link = e->has_html ? link_to (dir, e->html) : NULL;
    const gchar *input = member_string (json_node_get_object (e->report),
        "input");

    g_tree_foreach (mine, add_rule_text, by);
    g_string_append (h, "<tr><td>");
    esc (h, input ? input : e->path);
    g_string_append_printf (h, "</td><td class=\"%s\">%s</td><td>%u</td><td>",
        e->status, e->status, e->violations);
    esc (h, by->str);
    g_string_append (h, "</td><td>");
    if (html_link) {
      href (h, html_link);
      g_string_append (h, "page</a> · ");
    }
    href (h, json_link);
    g_string_append (h, "JSON</a></td></tr>\n");
  }
  for (guint i = 0; i + 1 < s->missing->len; i += 2) {
    g_string_append (h, "<tr><td>");
    esc (h, g_ptr_array_index (s->missing, i));
    g_string_append (h, "</td><td class=\"incomplete\">missing</td><td>"
        "</td><td>no report: its scan failed or never ran</td><td>");
    esc (h, g_ptr_array_index (s->missing, i + 1));
    g_string_append (h, "</td></tr>\n");
  }
  g_string_append (h, "</table>\n</body></html>\n");
  return gc_write_file (path, h->str, h->len, error);
}
