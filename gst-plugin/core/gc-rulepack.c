/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: jurisdiction rule packs.
 *
 * A pack is data that a compliance officer edits, so the loader is strict:
 * every field is checked, unknown fields are refused (a misspelt setting
 * would otherwise be silently ignored), and every message starts with the
 * file and names the field.  Nothing is half-loaded: any error frees the
 * pack and returns NULL. */
#include "gc-rulepack.h"
#include "gc-error.h"
#include "gc-paths.h"
#include "gc-text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#ifndef GC_MODELS_DIR
#define GC_MODELS_DIR "/usr/local/share/gst-compliance/models"
#endif

/* A pack is a few tens of KiB; anything this large is not a pack, and
 * reading it whole would only waste memory. */
#define GC_RULEPACK_MAX_SIZE (4 * 1024 * 1024)
/* The format nests three levels deep.  json-glib parses recursively, so a
 * file of a million '[' would overflow the stack: refuse deep nesting before
 * handing the data over. */
#define GC_RULEPACK_MAX_DEPTH 32
#define GC_TERM_MAX_CHARS 256

/* Stands in for an exception phrase in the text being matched.  It is not an
 * ASCII letter or digit, so it acts as a word boundary, and it can never be
 * part of a term (control characters are refused in terms). */
#define MASK_CHAR '\x1f'

#define RULE_ID(id, code, zh, en, first) id,
const gchar *const gc_rule_ids[] = { GC_RULE_TABLE (RULE_ID) NULL };
#undef RULE_ID

#define RULE_DEF(id, code, zh, en, first) { id, code, zh, en, first },
const GcRuleDef gc_rule_defs[] = {
  GC_RULE_TABLE (RULE_DEF) { NULL, 0, NULL, NULL, FALSE }
};
#undef RULE_DEF

const GcRuleDef *
gc_rule_def (const gchar *id)
{
  if (id == NULL)
    return NULL;
  for (const GcRuleDef *d = gc_rule_defs; d->id; d++)
    if (strcmp (d->id, id) == 0)
      return d;
  return NULL;
}

const GcRuleDef *
gc_rule_def_by_code (guint code)
{
  for (const GcRuleDef *d = gc_rule_defs; d->id; d++)
    if (d->sei_code == code)
      return d;
  return NULL;
}

gchar *
gc_rule_warning_line (const gchar *rule, const gchar *observed,
    const gchar *declared, gboolean zh)
{
  const GcRuleDef *def = rule ? gc_rule_def (rule) : NULL;
  const gchar *name = def ? (zh ? def->name_zh : def->name_en) : NULL;

  GString *line = g_string_new (rule ? rule : "?");
  if (name)
    g_string_append_printf (line, " · %s", name);
  if (observed)
    g_string_append_printf (line, zh ? " — 屏幕: %s" : " — on screen: %s",
        observed);
  if (declared)
    g_string_append_printf (line, zh ? " · 申报: %s" : " · declared: %s",
        declared);
  return g_string_free (line, FALSE);
}

static const gchar *const severities[] = { "error", "warning", "info", NULL };

static const gchar *const top_level_fields[] = {
  "$schema", "schema", "name", "jurisdiction", "title", "note",
  "confirm_frames", "release_frames", "price_tolerance",
  "reference_window_days", "reference_basis", "substantial_period_days",
  "raise_lookback_days",
  "sales_tolerance", "audience_tolerance", "rules",
  "absolute_terms", "medical_terms", "ad_labels", "prohibited_categories",
  "required_statements", "label", "label_sponsor", "default_language",
  "label_min_height", "label_min_contrast", NULL
};

static const gchar *const rule_fields[] = {
  "enabled", "severity", "legal_ref", "note", NULL
};

static const gchar *const term_list_fields[] = {
  "terms", "exceptions", "patterns", "note", NULL
};

/* ------------------------------------------------------------------ */
/* Term matching                                                       */

static inline gboolean
is_word_byte (gchar c)
{
  return g_ascii_isalnum (c);
}

/* Only terms that begin or end with an ASCII letter or digit need a word
 * boundary there: Chinese has no spaces between words, so CJK terms must
 * match as substrings, and "#1" must match in "#1 seller". */
static const gchar *
find_phrase (const gchar *text, const gchar *from, const gchar *phrase)
{
  gsize len = strlen (phrase);
  gboolean bound_start, bound_end;
  const gchar *p;

  if (len == 0)
    return NULL;
  bound_start = is_word_byte (phrase[0]);
  bound_end = is_word_byte (phrase[len - 1]);

  for (p = strstr (from, phrase); p != NULL; p = strstr (p, phrase)) {
    if ((!bound_start || p == text || !is_word_byte (p[-1])) &&
        (!bound_end || !is_word_byte (p[len])))
      return p;
    p = g_utf8_next_char (p);
  }
  return NULL;
}

/* Returns NULL when no exception occurs, so the common case allocates
 * nothing.  Each run of masked bytes becomes one MASK_CHAR rather than
 * nothing, so that removing an allowed phrase cannot join its neighbours
 * into a banned one. */
static gchar *
mask_exceptions (gchar **exceptions, const gchar *text)
{
  gsize len = strlen (text);
  g_autofree guint8 *masked = NULL;
  GString *out;

  if (exceptions == NULL)
    return NULL;

  for (guint i = 0; exceptions[i] != NULL; i++) {
    gsize elen = strlen (exceptions[i]);
    const gchar *p;

    for (p = find_phrase (text, text, exceptions[i]); p != NULL;
        p = find_phrase (text, g_utf8_next_char (p), exceptions[i])) {
      if (masked == NULL)
        masked = g_new0 (guint8, len);
      memset (masked + (p - text), 1, elen);
    }
  }
  if (masked == NULL)
    return NULL;

  out = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++) {
    if (!masked[i])
      g_string_append_c (out, text[i]);
    else if (i == 0 || !masked[i - 1])
      g_string_append_c (out, MASK_CHAR);
  }
  return g_string_free (out, FALSE);
}

gchar *
gc_term_list_match (const GcTermList *list, const gchar *folded_text)
{
  g_autofree gchar *valid = NULL;
  g_autofree gchar *masked = NULL;
  const gchar *text;
  const gchar *best = NULL;
  glong best_chars = 0;

  if (list == NULL || folded_text == NULL || *folded_text == '\0')
    return NULL;

  /* Callers are meant to pass gc_text_fold() output, but GRegex refuses
   * invalid UTF-8 and the byte-wise boundary test assumes it. */
  if (!g_utf8_validate (folded_text, -1, NULL))
    folded_text = valid = g_utf8_make_valid (folded_text, -1);

  masked = mask_exceptions (list->exceptions, folded_text);
  text = masked ? masked : folded_text;

  /* Longest wins, so that a report names 最低价 rather than 最低, and ties go
   * to the term listed first: the result does not depend on the text's
   * word order. */
  for (guint i = 0; list->terms != NULL && list->terms[i] != NULL; i++) {
    const gchar *term = list->terms[i];
    glong chars;

    if (find_phrase (text, text, term) == NULL)
      continue;
    chars = g_utf8_strlen (term, -1);
    if (chars > best_chars) {
      best = list->shown ? list->shown[i] : term;
      best_chars = chars;
    }
  }
  if (best != NULL)
    return g_strdup (best);

  if (list->patterns == NULL || list->patterns->len == 0)
    return NULL;

  {
    /* Patterns run on each unmasked stretch on its own, so that a match
     * cannot span an allowed phrase (预防.{0,8}病 across a disclaimer). */
    const gchar separator[] = { MASK_CHAR, '\0' };
    g_auto (GStrv) segments = g_strsplit (text, separator, -1);

    for (guint i = 0; i < list->patterns->len; i++) {
      GRegex *re = g_ptr_array_index (list->patterns, i);

      for (guint s = 0; segments[s] != NULL; s++) {
        g_autoptr (GMatchInfo) info = NULL;

        if (segments[s][0] == '\0')
          continue;
        if (g_regex_match (re, segments[s], 0, &info))
          return g_match_info_fetch (info, 0);
      }
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Pack lifetime                                                       */

static void
rule_info_free (GcRuleInfo *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->id);
  g_free (rule->severity);
  g_free (rule->legal_ref);
  g_free (rule);
}

static void
term_list_clear (GcTermList *list)
{
  g_clear_pointer (&list->terms, g_strfreev);
  g_clear_pointer (&list->shown, g_strfreev);
  g_clear_pointer (&list->exceptions, g_strfreev);
  g_clear_pointer (&list->patterns, g_ptr_array_unref);
}

static void
gc_rulepack_free (GcRulePack *pack)
{
  g_free (pack->name);
  g_free (pack->path);
  g_free (pack->jurisdiction);
  g_free (pack->title);
  g_clear_pointer (&pack->rules, g_ptr_array_unref);
  term_list_clear (&pack->absolute_terms);
  term_list_clear (&pack->medical_terms);
  term_list_clear (&pack->ad_labels);
  for (guint i = 0; i < GC_N_CATEGORIES; i++)
    term_list_clear (&pack->statements[i]);
  g_clear_pointer (&pack->warnings, g_ptr_array_unref);
  g_clear_pointer (&pack->label_text, g_hash_table_unref);
  g_clear_pointer (&pack->label_sponsor_text, g_hash_table_unref);
  g_free (pack->default_language);
  g_free (pack);
}

/* Packs are shared between streaming threads (one per element), hence the
 * atomic count. */
GcRulePack *
gc_rulepack_ref (GcRulePack *pack)
{
  g_return_val_if_fail (pack != NULL, NULL);
  g_atomic_int_inc (&pack->ref_count);
  return pack;
}

void
gc_rulepack_unref (GcRulePack *pack)
{
  if (pack == NULL)
    return;
  if (g_atomic_int_dec_and_test (&pack->ref_count))
    gc_rulepack_free (pack);
}

const GcRuleInfo *
gc_rulepack_rule (const GcRulePack *pack, const gchar *id)
{
  if (pack == NULL || id == NULL || pack->rules == NULL)
    return NULL;
  for (guint i = 0; i < pack->rules->len; i++) {
    const GcRuleInfo *rule = g_ptr_array_index (pack->rules, i);
    if (g_str_equal (rule->id, id))
      return rule;
  }
  return NULL;
}

gboolean
gc_rulepack_rule_enabled (const GcRulePack *pack, const gchar *id)
{
  const GcRuleInfo *rule = gc_rulepack_rule (pack, id);
  return rule != NULL && rule->enabled;
}

const gchar *
gc_models_dir (void)
{
  const gchar *dir = g_getenv ("GST_COMPLIANCE_MODELS_DIR");

  if (dir != NULL && *dir != '\0')
    return dir;
#ifdef GC_SOURCE_MODELS_DIR
  /* Run from the build tree: the source tree's packs. */
  if (gc_paths_uninstalled ((gconstpointer) gc_models_dir))
    return GC_SOURCE_MODELS_DIR;
#endif
  return GC_MODELS_DIR;
}

/* ------------------------------------------------------------------ */
/* Validation helpers                                                  */

typedef struct
{
  const gchar *source;          /* file path or caller's name, starts messages */
  GError **error;
} Ctx;

static gboolean fail (Ctx *ctx, GcErrorCode code, const gchar *field,
    const gchar *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Ctx *ctx, GcErrorCode code, const gchar *field, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (field != NULL)
    g_set_error (ctx->error, GC_ERROR, code, "%s: %s: %s", ctx->source, field,
        msg);
  else
    g_set_error (ctx->error, GC_ERROR, code, "%s: %s", ctx->source, msg);
  return FALSE;
}

/* Syntax-level errors carry a position, in the form json-glib uses and
 * editors understand: FILE:LINE:COLUMN: message. */
static gboolean fail_at (Ctx *ctx, guint line, guint col, const gchar *format,
    ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail_at (Ctx *ctx, guint line, guint col, const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (ctx->error, GC_ERROR, GC_ERROR_PARSE, "%s:%u:%u: %s",
      ctx->source, line, col, msg);
  return FALSE;
}

static const gchar *
node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      break;
  }
  switch (json_node_get_value_type (node)) {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number";
    default:
      return "a value";
  }
}

static gboolean
is_string_node (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING;
}

static gchar *
join_field (const gchar *parent, const gchar *member)
{
  return parent ? g_strdup_printf ("%s.%s", parent, member) : g_strdup (member);
}

/* Every member must be one the format knows. */
static gboolean
check_members (Ctx *ctx, JsonObject *obj, const gchar *field,
    const gchar *const *allowed)
{
  g_autoptr (GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next) {
    const gchar *name = l->data;

    if (!g_strv_contains (allowed, name)) {
      g_autofree gchar *f = join_field (field, name);
      return fail (ctx, GC_ERROR_INVALID, f, "unknown field");
    }
  }
  return TRUE;
}

static JsonNode *
require_member (Ctx *ctx, JsonObject *obj, const gchar *parent,
    const gchar *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL) {
    g_autofree gchar *f = join_field (parent, member);
    fail (ctx, GC_ERROR_INVALID, f, "missing (required)");
  }
  return node;
}

static JsonObject *
want_object (Ctx *ctx, JsonNode *node, const gchar *field)
{
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    fail (ctx, GC_ERROR_INVALID, field, "expected an object, got %s",
        node_kind (node));
    return NULL;
  }
  return json_node_get_object (node);
}

static JsonArray *
want_array (Ctx *ctx, JsonNode *node, const gchar *field)
{
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    fail (ctx, GC_ERROR_INVALID, field, "expected an array, got %s",
        node_kind (node));
    return NULL;
  }
  return json_node_get_array (node);
}

static const gchar *
want_string (Ctx *ctx, JsonNode *node, const gchar *field)
{
  const gchar *s;

  if (!is_string_node (node)) {
    fail (ctx, GC_ERROR_INVALID, field, "expected a string, got %s",
        node_kind (node));
    return NULL;
  }
  s = json_node_get_string (node);
  if (s == NULL || *s == '\0') {
    fail (ctx, GC_ERROR_INVALID, field, "must not be empty");
    return NULL;
  }
  return s;
}

static gboolean
want_bool (Ctx *ctx, JsonNode *node, const gchar *field, gboolean *out)
{
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (ctx, GC_ERROR_INVALID, field, "expected true or false, got %s",
        node_kind (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
want_uint (Ctx *ctx, JsonNode *node, const gchar *field, gint64 min,
    gint64 max, guint *out)
{
  gint64 v;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (ctx, GC_ERROR_INVALID, field, "expected an integer, got %s",
        node_kind (node));
  v = json_node_get_int (node);
  if (v < min || v > max)
    return fail (ctx, GC_ERROR_INVALID, field,
        "must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
        " (got %" G_GINT64_FORMAT ")", min, max, v);
  *out = (guint) v;
  return TRUE;
}

static gboolean
want_number (Ctx *ctx, JsonNode *node, const gchar *field, gdouble min,
    gboolean min_exclusive, gdouble max, gdouble *out)
{
  gdouble v;
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return fail (ctx, GC_ERROR_INVALID, field, "expected a number, got %s",
        node_kind (node));
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    v = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    v = json_node_get_double (node);
  else
    return fail (ctx, GC_ERROR_INVALID, field, "expected a number, got %s",
        node_kind (node));

  if (!isfinite (v))
    return fail (ctx, GC_ERROR_INVALID, field, "must be a finite number");
  if (v < 0 && min >= 0)
    return fail (ctx, GC_ERROR_INVALID, field, "must not be negative (got %g)",
        v);
  if (min_exclusive ? v <= min : v < min)
    return fail (ctx, GC_ERROR_INVALID, field, "must be %s %g (got %g)",
        min_exclusive ? "greater than" : "at least", min, v);
  if (v > max)
    return fail (ctx, GC_ERROR_INVALID, field, "must be at most %g (got %g)",
        max, v);
  *out = v;
  return TRUE;
}

static gboolean
matches_regex (const gchar *pattern, const gchar *s)
{
  return g_regex_match_simple (pattern, s, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */

static gboolean
parse_rules (Ctx *ctx, JsonObject *root, GcRulePack *pack)
{
  JsonNode *node = require_member (ctx, root, NULL, "rules");
  JsonObject *obj;
  g_autoptr (GList) members = NULL;
  g_autoptr (GString) missing = NULL;

  if (node == NULL || (obj = want_object (ctx, node, "rules")) == NULL)
    return FALSE;

  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next) {
    if (!g_strv_contains (gc_rule_ids, l->data)) {
      g_autofree gchar *known = g_strjoinv (", ", (gchar **) gc_rule_ids);
      return fail (ctx, GC_ERROR_INVALID, "rules",
          "unknown rule id \"%s\" (known: %s)", (const gchar *) l->data, known);
    }
  }

  /* Name every missing id at once: a new rule added to the code is missing
   * from every pack, and one run should say everything to add. */
  for (guint i = 0; gc_rule_ids[i] != NULL; i++) {
    if (json_object_has_member (obj, gc_rule_ids[i]))
      continue;
    if (!gc_rule_defs[i].first_release)
      continue;
    if (missing == NULL)
      missing = g_string_new (NULL);
    else
      g_string_append (missing, ", ");
    g_string_append_printf (missing, "\"%s\"", gc_rule_ids[i]);
  }
  if (missing != NULL)
    return fail (ctx, GC_ERROR_INVALID, "rules", "missing rule %s (every rule "
        "needs an entry, disabled or not)", missing->str);

  pack->rules =
      g_ptr_array_new_with_free_func ((GDestroyNotify) rule_info_free);
  for (guint i = 0; gc_rule_ids[i] != NULL; i++) {
    const gchar *id = gc_rule_ids[i];
    g_autofree gchar *field = g_strdup_printf ("rules[\"%s\"]", id);
    g_autofree gchar *f_enabled = g_strdup_printf ("%s.enabled", field);
    g_autofree gchar *f_severity = g_strdup_printf ("%s.severity", field);
    g_autofree gchar *f_ref = g_strdup_printf ("%s.legal_ref", field);
    g_autofree gchar *f_note = g_strdup_printf ("%s.note", field);
    JsonObject *robj;
    JsonNode *n;
    GcRuleInfo *rule;
    const gchar *severity, *legal_ref;
    gboolean enabled = TRUE;

    if (!json_object_has_member (obj, id)) {
      /* An optional rule (added after the first release) the pack does
       * not list: off, and said. */
      rule = g_new0 (GcRuleInfo, 1);
      rule->id = g_strdup (id);
      rule->enabled = FALSE;
      rule->severity = g_strdup ("error");
      rule->legal_ref = g_strdup ("");
      g_ptr_array_add (pack->rules, rule);
      g_ptr_array_add (pack->warnings, g_strdup_printf ("rules: no entry for "
              "\"%s\" (a rule newer than this pack): not checked; add "
              "one, enabled or not, to decide", id));
      continue;
    }
    robj = want_object (ctx, json_object_get_member (obj, id), field);
    if (robj == NULL)
      return FALSE;
    if (!check_members (ctx, robj, field, rule_fields))
      return FALSE;

    if ((n = require_member (ctx, robj, field, "enabled")) == NULL ||
        !want_bool (ctx, n, f_enabled, &enabled))
      return FALSE;
    if ((n = require_member (ctx, robj, field, "severity")) == NULL ||
        (severity = want_string (ctx, n, f_severity)) == NULL)
      return FALSE;
    if (!g_strv_contains (severities, severity))
      return fail (ctx, GC_ERROR_INVALID, f_severity,
          "\"%s\" is not one of error, warning, info", severity);
    if ((n = require_member (ctx, robj, field, "legal_ref")) == NULL ||
        (legal_ref = want_string (ctx, n, f_ref)) == NULL)
      return FALSE;
    if ((n = json_object_get_member (robj, "note")) != NULL &&
        !is_string_node (n))
      return fail (ctx, GC_ERROR_INVALID, f_note, "expected a string, got %s",
          node_kind (n));

    rule = g_new0 (GcRuleInfo, 1);
    rule->id = g_strdup (id);
    rule->enabled = enabled;
    rule->severity = g_strdup (severity);
    rule->legal_ref = g_strdup (legal_ref);
    g_ptr_array_add (pack->rules, rule);
  }
  return TRUE;
}

static gboolean
has_control_char (const gchar *s)
{
  for (const gchar *p = s; *p; p = g_utf8_next_char (p)) {
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  }
  return FALSE;
}

static gchar **
strip_all (gchar **phrases)
{
  guint n = g_strv_length (phrases);
  gchar **out = g_new0 (gchar *, n + 1);

  for (guint i = 0; i < n; i++)
    out[i] = gc_text_strip_marks (phrases[i]);
  return out;
}

static void
strip_in_place (gchar **phrases)
{
  for (guint i = 0; phrases[i] != NULL; i++) {
    gchar *stripped = gc_text_strip_marks (phrases[i]);

    g_free (phrases[i]);
    phrases[i] = stripped;
  }
}

/* Phrases are folded here, once, so that matching is a plain byte search on
 * folded text.  Duplicates (often only after folding: "NO.1" and "no.1")
 * are dropped silently: they are harmless. */
static gboolean
parse_phrases (Ctx *ctx, JsonObject *obj, const gchar *parent,
    const gchar *member, gboolean required, gchar ***out)
{
  g_autofree gchar *field = join_field (parent, member);
  JsonNode *node = json_object_get_member (obj, member);
  JsonArray *array;
  g_autoptr (GPtrArray) phrases = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (node == NULL) {
    if (required)
      return fail (ctx, GC_ERROR_INVALID, field, "missing (required)");
    *out = g_new0 (gchar *, 1);
    return TRUE;
  }
  if ((array = want_array (ctx, node, field)) == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++) {
    g_autofree gchar *f = g_strdup_printf ("%s[%u]", field, i);
    const gchar *raw = want_string (ctx, json_array_get_element (array, i), f);
    gchar *folded;

    if (raw == NULL)
      return FALSE;
    folded = gc_text_fold_marks (raw);
    if (*folded == '\0') {
      g_free (folded);
      return fail (ctx, GC_ERROR_INVALID, f, "\"%s\" is empty once white space "
          "is folded", raw);
    }
    if (has_control_char (folded)) {
      g_free (folded);
      return fail (ctx, GC_ERROR_INVALID, f, "contains a control character");
    }
    if (g_utf8_strlen (folded, -1) > GC_TERM_MAX_CHARS) {
      g_free (folded);
      return fail (ctx, GC_ERROR_INVALID, f, "longer than %d characters",
          GC_TERM_MAX_CHARS);
    }
    if (g_hash_table_contains (seen, folded)) {
      g_free (folded);
      continue;
    }
    g_hash_table_add (seen, folded);
    g_ptr_array_add (phrases, folded);
  }
  g_ptr_array_add (phrases, NULL);
  *out = (gchar **) g_ptr_array_free (g_steal_pointer (&phrases), FALSE);
  return TRUE;
}

static gboolean
parse_patterns (Ctx *ctx, JsonObject *obj, const gchar *parent,
    GPtrArray **out)
{
  g_autofree gchar *field = join_field (parent, "patterns");
  JsonNode *node = json_object_get_member (obj, "patterns");
  JsonArray *array;
  g_autoptr (GPtrArray) patterns =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);

  if (node != NULL) {
    if ((array = want_array (ctx, node, field)) == NULL)
      return FALSE;
    for (guint i = 0; i < json_array_get_length (array); i++) {
      g_autofree gchar *f = g_strdup_printf ("%s[%u]", field, i);
      const gchar *pattern =
          want_string (ctx, json_array_get_element (array, i), f);
      g_autoptr (GError) re_error = NULL;
      GRegex *re;

      if (pattern == NULL)
        return FALSE;
      /* Caseless although the text is folded: a pattern written with an
       * upper-case letter would otherwise silently never match.  NOTEMPTY:
       * a pattern that can match nothing ("a|") would fire on every line. */
      /* Matched against text without diacritics (gc_text_fold()). */
      g_autofree gchar *stripped = gc_text_strip_marks (pattern);

      re = g_regex_new (stripped, G_REGEX_CASELESS, G_REGEX_MATCH_NOTEMPTY,
          &re_error);
      if (re == NULL)
        return fail (ctx, GC_ERROR_INVALID, f, "pattern \"%s\" does not "
            "compile: %s", pattern, re_error->message);
      g_ptr_array_add (patterns, re);
    }
  }
  *out = g_steal_pointer (&patterns);
  return TRUE;
}

/* The term list @member of @obj (under @parent, for error messages). */
static gboolean
parse_term_list_in (Ctx *ctx, JsonObject *obj, const gchar *parent,
    const gchar *member, GcTermList *list)
{
  JsonNode *node = require_member (ctx, obj, parent, member);
  g_autofree gchar *field = join_field (parent, member);
  JsonObject *lobj;
  JsonNode *note;

  if (node == NULL || (lobj = want_object (ctx, node, field)) == NULL)
    return FALSE;
  if (!check_members (ctx, lobj, field, term_list_fields))
    return FALSE;
  if ((note = json_object_get_member (lobj, "note")) != NULL &&
      !is_string_node (note)) {
    g_autofree gchar *f = join_field (field, "note");
    return fail (ctx, GC_ERROR_INVALID, f, "expected a string, got %s",
        node_kind (note));
  }
  if (!parse_phrases (ctx, lobj, field, "terms", TRUE, &list->shown)
      || !parse_phrases (ctx, lobj, field, "exceptions", FALSE,
          &list->exceptions)
      || !parse_patterns (ctx, lobj, field, &list->patterns))
    return FALSE;
  /* Matched without diacritics (see gc_text_fold()), shown with them. */
  list->terms = strip_all (list->shown);
  strip_in_place (list->exceptions);
  return TRUE;
}

static gboolean
parse_term_list (Ctx *ctx, JsonObject *root, const gchar *field,
    GcTermList *list)
{
  return parse_term_list_in (ctx, root, NULL, field, list);
}

/* "prohibited_categories": categories whose products may not be offered
 * (CN: also rx_drug, Advertising Law art. 15).  Optional: packs written
 * before it prohibit the category "prohibited" only. */
static gboolean
parse_prohibited (Ctx *ctx, JsonObject *root, GcRulePack *pack)
{
  JsonNode *node = json_object_get_member (root, "prohibited_categories");
  JsonArray *array;

  pack->prohibited_categories = 1u << GC_CATEGORY_PROHIBITED;
  if (node == NULL)
    return TRUE;
  if ((array = want_array (ctx, node, "prohibited_categories")) == NULL)
    return FALSE;
  pack->prohibited_categories = 0;
  for (guint i = 0; i < json_array_get_length (array); i++) {
    g_autofree gchar *f = g_strdup_printf ("prohibited_categories[%u]", i);
    const gchar *name = want_string (ctx, json_array_get_element (array, i), f);
    GcCategory category;

    if (name == NULL)
      return FALSE;
    if (!gc_category_from_string (name, &category))
      return fail (ctx, GC_ERROR_INVALID, f, "\"%s\" is not a catalog "
          "category", name);
    pack->prohibited_categories |= 1u << category;
  }
  return TRUE;
}

/* "required_statements": {"grace_seconds": S, "note": ..., CATEGORY:
 * term list, ...}.  Optional; without it nothing is required. */
static gboolean
parse_statements (Ctx *ctx, JsonObject *root, GcRulePack *pack)
{
  JsonNode *node = json_object_get_member (root, "required_statements");
  const gchar *field = "required_statements";
  g_autoptr (GList) members = NULL;
  JsonObject *obj;

  pack->statement_grace = 0;
  if (node == NULL)
    return TRUE;
  if ((obj = want_object (ctx, node, field)) == NULL)
    return FALSE;
  if ((node = require_member (ctx, obj, field, "grace_seconds")) == NULL ||
      !want_number (ctx, node, "required_statements.grace_seconds", 0, FALSE,
          3600, &pack->statement_grace))
    return FALSE;
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next) {
    const gchar *name = l->data;
    GcCategory category;

    if (g_str_equal (name, "grace_seconds"))
      continue;
    if (g_str_equal (name, "note")) {
      if (!is_string_node (json_object_get_member (obj, name)))
        return fail (ctx, GC_ERROR_INVALID, "required_statements.note",
            "expected a string, got %s",
            node_kind (json_object_get_member (obj, name)));
      continue;
    }
    if (!gc_category_from_string (name, &category)) {
      g_autofree gchar *f = join_field (field, name);
      return fail (ctx, GC_ERROR_INVALID, f, "not a catalog category");
    }
    if (!parse_term_list_in (ctx, obj, field, name,
            &pack->statements[category]))
      return FALSE;
  }
  return TRUE;
}

/* The sponsor's name is substituted by whoever draws the label; any other
 * '%' would be read as a conversion (or left as is, depending on how it is
 * substituted), so the format is kept to exactly one %s. */
static gboolean
check_sponsor_format (Ctx *ctx, const gchar *field, const gchar *text)
{
  guint n_s = 0;

  for (const gchar *p = strchr (text, '%'); p; p = strchr (p + 1, '%')) {
    /* Quote the '%' with the whole character after it, if any. */
    int quoted = p[1] ? (int) (g_utf8_next_char (p + 1) - p) : 1;

    if (p[1] == 's') {
      n_s++;
      continue;
    }
    return fail (ctx, GC_ERROR_INVALID, field, "\"%s\": only one %%s is "
        "allowed, no other %% (found \"%.*s\")", text, quoted, p);
  }
  if (n_s != 1)
    return fail (ctx, GC_ERROR_INVALID, field, "\"%s\" must contain exactly "
        "one %%s for the sponsor's name (found %u)", text, n_s);
  return TRUE;
}

static gboolean
parse_label_table (Ctx *ctx, JsonObject *root, const gchar *field,
    gboolean sponsor, GHashTable **out)
{
  JsonNode *node = require_member (ctx, root, NULL, field);
  JsonObject *obj;
  g_autoptr (GList) members = NULL;
  g_autoptr (GHashTable) table =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (node == NULL || (obj = want_object (ctx, node, field)) == NULL)
    return FALSE;

  members = json_object_get_members (obj);
  if (members == NULL)
    return fail (ctx, GC_ERROR_INVALID, field, "needs at least one language");

  for (GList *l = members; l != NULL; l = l->next) {
    const gchar *lang = l->data;
    g_autofree gchar *f = g_strdup_printf ("%s.%s", field, lang);
    const gchar *text;

    if (!matches_regex ("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", lang))
      return fail (ctx, GC_ERROR_INVALID, f, "\"%s\" is not a language code "
          "(zh, en, pt-BR, ...)", lang);
    text = want_string (ctx, json_object_get_member (obj, lang), f);
    if (text == NULL)
      return FALSE;
    if (sponsor) {
      if (!check_sponsor_format (ctx, f, text))
        return FALSE;
    } else if (strchr (text, '%') != NULL) {
      return fail (ctx, GC_ERROR_INVALID, f, "\"%s\": plain text, must not "
          "contain %%", text);
    }
    g_hash_table_insert (table, g_strdup (lang), g_strdup (text));
  }
  *out = g_steal_pointer (&table);
  return TRUE;
}

/* The overlay draws these texts, and the checker must then see them as a
 * disclosure when it reads the overlaid stream back (a recording, an
 * ingest).  A label that ad_labels does not recognise would make the pack
 * flag its own label as missing. */
static gboolean
check_label_recognised (Ctx *ctx, const GcRulePack *pack, const gchar *field,
    GHashTable *table, gboolean sponsor)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_autofree gchar *f = g_strdup_printf ("%s.%s", field, (const gchar *) key);
    g_autofree gchar *text = NULL;
    g_autofree gchar *folded = NULL;
    g_autofree gchar *hit = NULL;

    if (sponsor) {
      g_auto (GStrv) parts = g_strsplit (value, "%s", 2);
      text = g_strjoinv (" ", parts);
    } else {
      text = g_strdup (value);
    }
    folded = gc_text_fold (text);
    hit = gc_term_list_match (&pack->ad_labels, folded);
    if (hit == NULL)
      return fail (ctx, GC_ERROR_INVALID, f, "\"%s\" is not recognised by "
          "ad_labels, so the drawn label would not count as a disclosure",
          (const gchar *) value);
  }
  return TRUE;
}

static gboolean
parse_labels (Ctx *ctx, JsonObject *root, GcRulePack *pack)
{
  JsonNode *node;
  const gchar *lang;
  GHashTableIter iter;
  gpointer key;

  if (!parse_label_table (ctx, root, "label", FALSE, &pack->label_text) ||
      !parse_label_table (ctx, root, "label_sponsor", TRUE,
          &pack->label_sponsor_text))
    return FALSE;

  /* Same languages in both, so that whoever draws never has to fall back
   * from one table but not the other. */
  g_hash_table_iter_init (&iter, pack->label_text);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (!g_hash_table_contains (pack->label_sponsor_text, key))
      return fail (ctx, GC_ERROR_INVALID, "label_sponsor", "no entry for "
          "\"%s\" (label has one)", (const gchar *) key);
  }
  g_hash_table_iter_init (&iter, pack->label_sponsor_text);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (!g_hash_table_contains (pack->label_text, key))
      return fail (ctx, GC_ERROR_INVALID, "label", "no entry for \"%s\" "
          "(label_sponsor has one)", (const gchar *) key);
  }

  if ((node = require_member (ctx, root, NULL, "default_language")) == NULL ||
      (lang = want_string (ctx, node, "default_language")) == NULL)
    return FALSE;
  if (!g_hash_table_contains (pack->label_text, lang))
    return fail (ctx, GC_ERROR_INVALID, "default_language", "\"%s\" has no "
        "entry in label", lang);
  pack->default_language = g_strdup (lang);

  if ((node = require_member (ctx, root, NULL, "label_min_height")) == NULL ||
      !want_number (ctx, node, "label_min_height", 0, TRUE, 1,
          &pack->label_min_height))
    return FALSE;
  if ((node = require_member (ctx, root, NULL, "label_min_contrast")) == NULL ||
      !want_number (ctx, node, "label_min_contrast", 1, FALSE, 21,
          &pack->label_min_contrast))
    return FALSE;

  return check_label_recognised (ctx, pack, "label", pack->label_text, FALSE) &&
      check_label_recognised (ctx, pack, "label_sponsor",
      pack->label_sponsor_text, TRUE);
}

static gboolean
parse_pack (Ctx *ctx, JsonNode *root_node, GcRulePack *pack)
{
  JsonObject *root;
  JsonNode *node;
  const gchar *s;

  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    return fail (ctx, GC_ERROR_INVALID, NULL, "expected a JSON object at the "
        "top level, got %s", node_kind (root_node));
  root = json_node_get_object (root_node);

  /* Schema first: for some other kind of file (a catalog, a report) that is
   * the one useful thing to say. */
  if ((node = require_member (ctx, root, NULL, "schema")) == NULL ||
      (s = want_string (ctx, node, "schema")) == NULL)
    return FALSE;
  if (!g_str_equal (s, GC_RULEPACK_SCHEMA))
    return fail (ctx, GC_ERROR_INVALID, "schema", "\"%s\" is not supported "
        "(expected \"%s\")", s, GC_RULEPACK_SCHEMA);
  if (!check_members (ctx, root, NULL, top_level_fields))
    return FALSE;

  if ((node = json_object_get_member (root, "$schema")) != NULL &&
      !is_string_node (node))
    return fail (ctx, GC_ERROR_INVALID, "$schema", "expected a string, got %s",
        node_kind (node));
  if ((node = json_object_get_member (root, "note")) != NULL &&
      !is_string_node (node))
    return fail (ctx, GC_ERROR_INVALID, "note", "expected a string, got %s",
        node_kind (node));

  if ((node = json_object_get_member (root, "name")) != NULL) {
    if ((s = want_string (ctx, node, "name")) == NULL)
      return FALSE;
    if (!matches_regex ("^[a-z0-9][a-z0-9._-]{0,63}$", s))
      return fail (ctx, GC_ERROR_INVALID, "name", "\"%s\" is not a pack name "
          "(lower-case letters, digits, '.', '_', '-')", s);
    g_free (pack->name);
    pack->name = g_strdup (s);
  }

  if ((node = require_member (ctx, root, NULL, "jurisdiction")) == NULL ||
      (s = want_string (ctx, node, "jurisdiction")) == NULL)
    return FALSE;
  if (!matches_regex ("^[A-Z]{2}(-[A-Z0-9]{1,3})?$", s))
    return fail (ctx, GC_ERROR_INVALID, "jurisdiction", "\"%s\" is not a "
        "jurisdiction code (CN, EU, US, US-CA)", s);
  pack->jurisdiction = g_strdup (s);

  if ((node = require_member (ctx, root, NULL, "title")) == NULL ||
      (s = want_string (ctx, node, "title")) == NULL)
    return FALSE;
  pack->title = g_strdup (s);

  if ((node = require_member (ctx, root, NULL, "confirm_frames")) == NULL ||
      !want_uint (ctx, node, "confirm_frames", 1, 1000, &pack->confirm_frames))
    return FALSE;
  if ((node = require_member (ctx, root, NULL, "release_frames")) == NULL ||
      !want_uint (ctx, node, "release_frames", 1, 1000, &pack->release_frames))
    return FALSE;
  if ((node = require_member (ctx, root, NULL, "price_tolerance")) == NULL ||
      !want_number (ctx, node, "price_tolerance", 0, FALSE, 1e6,
          &pack->price_tolerance))
    return FALSE;
  node = require_member (ctx, root, NULL, "reference_window_days");
  if (node == NULL ||
      !want_uint (ctx, node, "reference_window_days", 1, 3660,
          &pack->reference_window_days))
    return FALSE;
  /* Optional: packs written before it judge offered prices. */
  pack->reference_by_transactions = FALSE;
  if (json_object_has_member (root, "reference_basis")) {
    const gchar *basis;

    node = json_object_get_member (root, "reference_basis");
    if ((basis = want_string (ctx, node, "reference_basis")) == NULL)
      return FALSE;
    if (g_strcmp0 (basis, "transactions") == 0)
      pack->reference_by_transactions = TRUE;
    else if (g_strcmp0 (basis, "offered_prices") != 0)
      return fail (ctx, GC_ERROR_INVALID, "reference_basis", "\"%s\": "
          "expected \"transactions\" or \"offered_prices\"", basis);
  }
  /* Optional: 0 (the default) bounds a compared price by the lowest
   * offered in the window. */
  pack->substantial_period_days = 0;
  if ((node = json_object_get_member (root, "substantial_period_days")) != NULL
      && !want_uint (ctx, node, "substantial_period_days", 0, 3660,
          &pack->substantial_period_days))
    return FALSE;
  if (pack->substantial_period_days > pack->reference_window_days)
    return fail (ctx, GC_ERROR_INVALID, "substantial_period_days", "%u is "
        "longer than reference_window_days (%u): no price could qualify",
        pack->substantial_period_days, pack->reference_window_days);
  /* Optional: packs written before it look 30 days back. */
  pack->raise_lookback_days = 30;
  if ((node = json_object_get_member (root, "raise_lookback_days")) != NULL
      && !want_uint (ctx, node, "raise_lookback_days", 1, 3660,
          &pack->raise_lookback_days))
    return FALSE;
  if ((node = require_member (ctx, root, NULL, "sales_tolerance")) == NULL ||
      !want_number (ctx, node, "sales_tolerance", 0, FALSE, 1000,
          &pack->sales_tolerance))
    return FALSE;
  /* Optional: packs written before it allow 10%. */
  pack->audience_tolerance = 0.1;
  if ((node = json_object_get_member (root, "audience_tolerance")) != NULL
      && !want_number (ctx, node, "audience_tolerance", 0, FALSE, 1000,
          &pack->audience_tolerance))
    return FALSE;

  return parse_rules (ctx, root, pack) &&
      parse_term_list (ctx, root, "absolute_terms", &pack->absolute_terms) &&
      parse_term_list (ctx, root, "medical_terms", &pack->medical_terms) &&
      parse_term_list (ctx, root, "ad_labels", &pack->ad_labels) &&
      parse_prohibited (ctx, root, pack) &&
      parse_statements (ctx, root, pack) &&
      parse_labels (ctx, root, pack);
}

/* ------------------------------------------------------------------ */
/* Reading and parsing                                                 */

/* 1-based line and column (in characters) of byte @offset. */
static void
position_of (const gchar *data, gsize offset, guint *line, guint *col)
{
  *line = 1;
  *col = 1;
  for (gsize i = 0; i < offset; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *col = 1;
    } else if (((guchar) data[i] & 0xc0) != 0x80) {
      (*col)++;
    }
  }
}

/* Cheap checks json-glib does not make, or makes without a position. */
static gboolean
precheck (Ctx *ctx, const gchar *data, gsize len)
{
  const gchar *end;
  guint depth = 0, line, col;
  gboolean in_string = FALSE;

  if (!g_utf8_validate_len (data, len, &end)) {
    position_of (data, end - data, &line, &col);
    return fail_at (ctx, line, col, "not valid UTF-8 (or a NUL byte)");
  }

  for (gsize i = 0; i < len; i++) {
    gchar c = data[i];

    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
      continue;
    }
    if (c == '"') {
      in_string = TRUE;
    } else if (c == '{' || c == '[') {
      if (++depth > GC_RULEPACK_MAX_DEPTH) {
        position_of (data, i, &line, &col);
        return fail_at (ctx, line, col, "nested more than %d levels deep",
            GC_RULEPACK_MAX_DEPTH);
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* json-glib keeps the last of two members with the same name without a
 * word; in a pack that is almost always a copy-and-paste slip (a rule
 * entered twice, the second overriding the first), so it is an error.  The
 * "object-member" signal is emitted once per member parsed, after it has
 * been set: more emissions than members means a duplicate. */
typedef struct
{
  GHashTable *counts;           /* JsonObject* -> number of members parsed */
  gchar *name;
  guint line, col;
} DupCheck;

static void
on_object_member (JsonParser *parser, JsonObject *object,
    const gchar *member_name, gpointer user_data)
{
  DupCheck *dup = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (dup->counts, object)) + 1;

  g_hash_table_insert (dup->counts, object, GUINT_TO_POINTER (n));
  if (n > json_object_get_size (object) && dup->name == NULL) {
    dup->name = g_strdup (member_name);
    dup->line = json_parser_get_current_line (parser);
    dup->col = json_parser_get_current_pos (parser);
  }
}

static gchar *
default_name (const gchar *source)
{
  g_autofree gchar *base = g_path_get_basename (source);

  if (g_str_has_suffix (base, ".json") && strlen (base) > 5)
    base[strlen (base) - 5] = '\0';
  return g_steal_pointer (&base);
}

static GcRulePack *
load_buffer (const gchar *data, gsize len, const gchar *source, GError **error)
{
  Ctx ctx = { source, error };
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;
  g_autoptr (GHashTable) counts = NULL;
  DupCheck dup = { NULL, NULL, 0, 0 };
  JsonNode *root;
  GcRulePack *pack;

  if (len > GC_RULEPACK_MAX_SIZE) {
    /* No byte count: a file is only read up to just past the limit. */
    fail (&ctx, GC_ERROR_INVALID, NULL, "too large: a rule pack may not "
        "exceed %d MiB", GC_RULEPACK_MAX_SIZE / (1024 * 1024));
    return NULL;
  }
  /* Editors on Windows like to start files with a byte-order mark. */
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
    data += 3;
    len -= 3;
  }
  if (!precheck (&ctx, data, len))
    return NULL;

  parser = json_parser_new_immutable ();
  counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  dup.counts = counts;
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member),
      &dup);

  if (!json_parser_load_from_data (parser, data, len, &json_error)) {
    const gchar *msg = json_error->message;

    g_free (dup.name);
    /* json-glib says "<data>:LINE:COL: Parse error: ..."; put the file
     * name where it belongs. */
    if (g_str_has_prefix (msg, "<data>:"))
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "%s:%s", source,
          msg + strlen ("<data>:"));
    else
      fail (&ctx, GC_ERROR_PARSE, NULL, "%s", msg);
    return NULL;
  }
  if (dup.name != NULL) {
    fail_at (&ctx, dup.line, dup.col, "member \"%s\" appears twice in the "
        "same object", dup.name);
    g_free (dup.name);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL) {
    fail (&ctx, GC_ERROR_PARSE, NULL, "empty file, expected a JSON object");
    return NULL;
  }

  pack = g_new0 (GcRulePack, 1);
  pack->ref_count = 1;
  pack->warnings = g_ptr_array_new_with_free_func (g_free);
  pack->path = g_strdup (source);
  pack->name = default_name (source);
  if (!parse_pack (&ctx, root, pack)) {
    gc_rulepack_unref (pack);
    return NULL;
  }
  return pack;
}

/* Stops one chunk past the limit, so that a huge file (or /dev/zero) is
 * refused without being read whole. */
static gchar *
read_bounded (const gchar *path, gsize *len_out, GError **error)
{
  FILE *f = g_fopen (path, "rb");
  GString *buf;
  gchar chunk[65536];
  gsize n;

  if (f == NULL) {
    int err = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot open: %s", path,
        g_strerror (err));
    return NULL;
  }

  buf = g_string_new (NULL);
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0) {
    g_string_append_len (buf, chunk, n);
    if (buf->len > GC_RULEPACK_MAX_SIZE)
      break;
  }
  if (ferror (f)) {
    int err = errno;
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "%s: cannot read: %s", path,
        g_strerror (err));
    fclose (f);
    g_string_free (buf, TRUE);
    return NULL;
  }
  fclose (f);
  *len_out = buf->len;
  return g_string_free (buf, FALSE);
}

GcRulePack *
gc_rulepack_load_file (const gchar *path, GError **error)
{
  g_autofree gchar *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((data = read_bounded (path, &len, error)) == NULL)
    return NULL;
  return load_buffer (data, len, path, error);
}

GcRulePack *
gc_rulepack_load_data (const gchar *data, gssize len, const gchar *name,
    GError **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL || *name == '\0')
    name = "<data>";
  if (len < 0)
    len = strlen (data);
  return load_buffer (data, len, name, error);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Sorted names of the packs in @rules_dir, for the "unknown pack" message,
 * or NULL when it holds none. */
static gchar *
list_known_packs (const gchar *rules_dir)
{
  g_autoptr (GDir) dir = g_dir_open (rules_dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;

  if (dir == NULL)
    return NULL;
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *stem = NULL;

    if (!g_str_has_suffix (entry, ".json"))
      continue;
    stem = g_strndup (entry, strlen (entry) - 5);
    if (matches_regex ("^[a-z]{2,8}$", stem))
      g_ptr_array_add (names, g_steal_pointer (&stem));
  }
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (gchar **) names->pdata);
}

GcRulePack *
gc_rulepack_load (const gchar *name_or_path, const gchar *models_dir,
    GError **error)
{
  g_autofree gchar *rules_dir = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *known = NULL;
  GcRulePack *pack;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name_or_path == NULL || *name_or_path == '\0') {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "no rule pack given "
        "(a name such as cn, eu, us, or a path to a pack file)");
    return NULL;
  }

  if (strchr (name_or_path, '/') != NULL ||
      strchr (name_or_path, G_DIR_SEPARATOR) != NULL ||
      g_str_has_suffix (name_or_path, ".json"))
    return gc_rulepack_load_file (name_or_path, error);

  if (models_dir == NULL)
    models_dir = gc_models_dir ();
  rules_dir = g_build_filename (models_dir, "rules", NULL);

  if (matches_regex ("^[a-z]{2,8}$", name_or_path)) {
    path = g_strdup_printf ("%s" G_DIR_SEPARATOR_S "%s.json", rules_dir,
        name_or_path);
    if (g_file_test (path, G_FILE_TEST_EXISTS)) {
      if ((pack = gc_rulepack_load_file (path, error)) == NULL)
        return NULL;
      /* A file copied over another pack's name would have every report
       * cite the wrong jurisdiction under the right name. */
      if (!g_str_equal (pack->name, name_or_path)) {
        g_set_error (error, GC_ERROR, GC_ERROR_INVALID, "%s: name: \"%s\" "
            "does not match the file name \"%s\"", path, pack->name,
            name_or_path);
        gc_rulepack_unref (pack);
        return NULL;
      }
      return pack;
    }
  }

  known = list_known_packs (rules_dir);
  if (known != NULL)
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND, "unknown rule pack "
        "\"%s\": known packs are %s (in %s)", name_or_path, known, rules_dir);
  else
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND, "unknown rule pack "
        "\"%s\": no packs found in %s (set GST_COMPLIANCE_MODELS_DIR, or give "
        "a path to a pack file)", name_or_path, rules_dir);
  return NULL;
}

gchar *
gc_rulepack_format_label (const GcRulePack *pack, const gchar *lang,
    const gchar *sponsor, gboolean isolate)
{
  const gchar *def = pack->default_language;
  const gchar *plain = NULL, *with_sponsor = NULL;

  if (lang) {
    plain = g_hash_table_lookup (pack->label_text, lang);
    with_sponsor = g_hash_table_lookup (pack->label_sponsor_text, lang);
  }
  if (plain == NULL && def) {
    plain = g_hash_table_lookup (pack->label_text, def);
    with_sponsor = g_hash_table_lookup (pack->label_sponsor_text, def);
  }
  if (sponsor && *sponsor && with_sponsor) {
    /* The loader guarantees exactly one %s and no other %. */
    const gchar *at = strstr (with_sponsor, "%s");
    if (at) {
      g_autofree gchar *valid = g_utf8_make_valid (sponsor, -1);
      GString *out = g_string_new_len (with_sponsor, at - with_sponsor);
      /* Isolated (FSI ... PDI) for drawing: bidi controls in the
       * catalog's name (U+202E) stay inside it and cannot reorder the
       * pack's words. */
      if (isolate)
        g_string_append (out, "\u2068");
      g_string_append (out, valid);
      if (isolate)
        g_string_append (out, "\u2069");
      g_string_append (out, at + 2);
      return g_string_free (out, FALSE);
    }
  }
  return g_strdup (plain ? plain : "Ad");
}
