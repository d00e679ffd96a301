/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: rule packs (gc-rulepack.c) and the shipped cn, eu, us packs.
 *
 * The test environment points GST_COMPLIANCE_MODELS_DIR at the source
 * tree's models/, so these check the files that get installed. */
#include <gtest/gtest.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gc-error.h"
#include "gc-rulepack.h"
#include "gc-text.h"

namespace {

const char *const kPacks[] = { "cn", "eu", "us" };

std::string
rules_dir ()
{
  return std::string (gc_models_dir ()) + G_DIR_SEPARATOR_S "rules";
}

std::string
pack_path (const char *name)
{
  return rules_dir () + G_DIR_SEPARATOR_S + name + ".json";
}

GcRulePack *
load_shipped (const char *name)
{
  g_autoptr (GError) error = NULL;
  GcRulePack *pack = gc_rulepack_load (name, NULL, &error);
  EXPECT_NE (pack, nullptr) << name << ": " << (error ? error->message : "");
  return pack;
}

/* What gc_term_list_match() finds in @text once folded; "" for nothing. */
std::string
match (const GcTermList *list, const char *text)
{
  g_autofree gchar *folded = gc_text_fold (text);
  g_autofree gchar *hit = gc_term_list_match (list, folded);
  return hit ? hit : "";
}

/* eu.json, edited by @edit, serialised again: the base for every
 * validation case, so each test breaks exactly one thing in a real pack. */
std::string
edited_pack (const std::function<void (JsonObject *)> &edit)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  EXPECT_TRUE (json_parser_load_from_file (parser, pack_path ("eu").c_str (),
          &error)) << (error ? error->message : "");
  JsonNode *root = json_parser_get_root (parser);
  if (edit)
    edit (json_node_get_object (root));
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree gchar *text = json_generator_to_data (gen, NULL);
  return text;
}

JsonObject *
member_object (JsonObject *obj, const char *name)
{
  return json_object_get_object_member (obj, name);
}

JsonArray *
string_array (std::initializer_list<const char *> items)
{
  JsonArray *array = json_array_new ();
  for (const char *s : items)
    json_array_add_string_element (array, s);
  return array;
}

class TempDir : public ::testing::Test
{
protected:
  void SetUp () override
  {
    g_autoptr (GError) error = NULL;
    gchar *dir = g_dir_make_tmp ("gc-rulepack-XXXXXX", &error);
    ASSERT_NE (dir, nullptr) << error->message;
    tmp_ = dir;
    g_free (dir);
  }

  void TearDown () override
  {
    remove_tree (tmp_);
  }

  static void remove_tree (const std::string &path)
  {
    if (g_file_test (path.c_str (), G_FILE_TEST_IS_DIR)) {
      g_autoptr (GDir) dir = g_dir_open (path.c_str (), 0, NULL);
      const gchar *entry;
      while (dir && (entry = g_dir_read_name (dir)) != NULL)
        remove_tree (path + G_DIR_SEPARATOR_S + entry);
      g_rmdir (path.c_str ());
    } else {
      g_unlink (path.c_str ());
    }
  }

  std::string write (const std::string &name, const std::string &contents)
  {
    std::string path = tmp_ + G_DIR_SEPARATOR_S + name;
    g_autofree gchar *dir = g_path_get_dirname (path.c_str ());
    g_mkdir_with_parents (dir, 0700);
    g_autoptr (GError) error = NULL;
    EXPECT_TRUE (g_file_set_contents (path.c_str (), contents.data (),
            contents.size (), &error)) << (error ? error->message : "");
    return path;
  }

  /* Writes @contents as a pack file and loads it, expecting failure with
   * @code; returns the message, which must start with the file's path. */
  std::string load_error (const std::string &contents, GcErrorCode code,
      const char *file = "pack.json")
  {
    std::string path = write (file, contents);
    g_autoptr (GError) error = NULL;
    GcRulePack *pack = gc_rulepack_load_file (path.c_str (), &error);
    EXPECT_EQ (pack, nullptr);
    if (pack)
      gc_rulepack_unref (pack);
    if (error == NULL) {
      ADD_FAILURE () << "no error";
      return "";
    }
    EXPECT_TRUE (g_error_matches (error, GC_ERROR, code))
        << "code " << error->code << ": " << error->message;
    std::string msg = error->message;
    EXPECT_EQ (msg.rfind (path, 0), 0u) << msg;
    return msg;
  }

  std::string tmp_;
};

#define EXPECT_HAS(haystack, needle) \
  do { \
    std::string h_ = (haystack); \
    std::string n_ = (needle); \
    EXPECT_NE (h_.find (n_), std::string::npos) \
        << "\"" << h_ << "\" lacks \"" << n_ << "\""; \
  } while (0)

/* ---------------------------------------------------------------- */
/* Shipped packs                                                     */

TEST (RuleIds, InTableOrderTheFirstEightRequired)
{
  std::vector<std::string> ids, required;
  for (guint i = 0; gc_rule_ids[i] != NULL; i++) {
    ids.push_back (gc_rule_ids[i]);
    EXPECT_STREQ (gc_rule_defs[i].id, gc_rule_ids[i]);
    if (gc_rule_defs[i].first_release)
      required.push_back (gc_rule_ids[i]);
  }
  std::vector<std::string> expected = { "price.mismatch",
    "price.reference_inflated", "claim.absolute_term", "claim.medical",
    "claim.sales_inflated", "disclosure.missing", "product.undeclared",
    "product.prohibited", "disclosure.statement_missing",
    "price.raised_before_discount", "claim.audience_inflated",
    "gift.undisclosed", "gift.value_inflated" };
  EXPECT_EQ (ids, expected);
  expected.resize (8);
  EXPECT_EQ (required, expected) << "a pack written for the first release "
      "must still load: rules added since are optional";
}

TEST (RuleIds, WarningLineForTheStreamer)
{
  g_autofree gchar *en = gc_rule_warning_line ("price.mismatch", "¥89.00",
      "¥99.00", FALSE);
  EXPECT_STREQ (en, "price.mismatch · price differs from declared — on screen: "
      "¥89.00 · "
      "declared: ¥99.00");
  g_autofree gchar *zh = gc_rule_warning_line ("disclosure.missing", NULL,
      NULL, TRUE);
  EXPECT_STREQ (zh, "disclosure.missing · 缺少广告标识");
  /* A rule this build does not know keeps its id. */
  g_autofree gchar *other = gc_rule_warning_line ("x.new", "a", NULL, FALSE);
  EXPECT_STREQ (other, "x.new — on screen: a");
}

TEST (ShippedPacks, LoadWithEveryRuleCited)
{
  for (const char *name : kPacks) {
    SCOPED_TRACE (name);
    g_autoptr (GcRulePack) pack = load_shipped (name);
    ASSERT_NE (pack, nullptr);
    EXPECT_STREQ (pack->name, name);
    EXPECT_EQ (std::string (pack->path), pack_path (name));
    EXPECT_TRUE (pack->title && *pack->title);
    ASSERT_EQ (pack->rules->len, 13u);
    EXPECT_EQ (pack->warnings->len, 0u) << "every shipped pack lists every rule";
    for (guint i = 0; gc_rule_ids[i] != NULL; i++) {
      SCOPED_TRACE (gc_rule_ids[i]);
      const GcRuleInfo *rule = gc_rulepack_rule (pack, gc_rule_ids[i]);
      ASSERT_NE (rule, nullptr);
      EXPECT_EQ (rule, g_ptr_array_index (pack->rules, i));
      EXPECT_STREQ (rule->id, gc_rule_ids[i]);
      /* EU and US list three CN rules off: their statements have no fixed
       * wording by product category, their prior-price rules already
       * catch a raise, and they ask no gift to be marked with its name
       * and quantity (the packs' notes). */
      bool off = (g_str_equal (gc_rule_ids[i],
              GC_RULE_DISCLOSURE_STATEMENT_MISSING)
          || g_str_equal (gc_rule_ids[i],
              GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT)
          || g_str_equal (gc_rule_ids[i], GC_RULE_GIFT_UNDISCLOSED))
          && !g_str_equal (name, "cn");
      EXPECT_EQ (rule->enabled, !off);
      if (off)
        continue;
      EXPECT_TRUE (rule->legal_ref && strlen (rule->legal_ref) > 20);
      EXPECT_TRUE (g_str_equal (rule->severity, "error") ||
          g_str_equal (rule->severity, "warning") ||
          g_str_equal (rule->severity, "info")) << rule->severity;
      EXPECT_TRUE (gc_rulepack_rule_enabled (pack, gc_rule_ids[i]));
    }
  }
}

TEST (ShippedPacks, Settings)
{
  const struct
  {
    const char *name, *jurisdiction;
    guint window;
  } cases[] = { { "cn", "CN", 7 }, { "eu", "EU", 30 }, { "us", "US", 90 } };

  for (const auto &c : cases) {
    SCOPED_TRACE (c.name);
    g_autoptr (GcRulePack) pack = load_shipped (c.name);
    ASSERT_NE (pack, nullptr);
    EXPECT_STREQ (pack->jurisdiction, c.jurisdiction);
    EXPECT_EQ (pack->reference_window_days, c.window);
    /* SAMR order 56 art. 16 bounds a compared price by transactions; the
     * Omnibus directive and 16 CFR 233 by offered prices. */
    EXPECT_EQ (pack->reference_by_transactions, g_str_equal (c.name, "cn"));
    /* 16 CFR 233.1: a former price offered for a substantial period (US
     * only; the EU bound is the lowest of the 30 days). */
    EXPECT_EQ (pack->substantial_period_days,
        g_str_equal (c.name, "us") ? 28u : 0u);
    EXPECT_EQ (pack->confirm_frames, 2u);
    EXPECT_EQ (pack->release_frames, 2u);
    EXPECT_DOUBLE_EQ (pack->price_tolerance, 0.01);
    EXPECT_DOUBLE_EQ (pack->sales_tolerance, 0.0);
    EXPECT_DOUBLE_EQ (pack->label_min_height, 0.045);
    EXPECT_DOUBLE_EQ (pack->label_min_contrast, 4.5);
    for (const GcTermList *list : { &pack->absolute_terms,
            &pack->medical_terms, &pack->ad_labels }) {
      ASSERT_NE (list->terms, nullptr);
      /* CN: 广告 alone is an ad label (SAMR, 2016). */
      EXPECT_GE (g_strv_length (list->terms),
          list == &pack->ad_labels && g_str_equal (c.name, "cn") ? 1u : 5u);
      ASSERT_NE (list->exceptions, nullptr);
      ASSERT_NE (list->patterns, nullptr);
    }
  }
}

TEST (ShippedPacks, CitationsFromRulesMd)
{
  g_autoptr (GcRulePack) cn = load_shipped ("cn");
  g_autoptr (GcRulePack) eu = load_shipped ("eu");
  g_autoptr (GcRulePack) us = load_shipped ("us");
  ASSERT_TRUE (cn && eu && us);

  EXPECT_HAS (gc_rulepack_rule (cn, GC_RULE_CLAIM_ABSOLUTE_TERM)->legal_ref,
      "Advertising Law art. 9(3)");
  EXPECT_HAS (gc_rulepack_rule (cn, GC_RULE_CLAIM_MEDICAL)->legal_ref,
      "art. 17");
  EXPECT_HAS (gc_rulepack_rule (cn, GC_RULE_PRICE_REFERENCE_INFLATED)->legal_ref,
      "SAMR order 56");
  EXPECT_HAS (gc_rulepack_rule (eu, GC_RULE_PRICE_REFERENCE_INFLATED)->legal_ref,
      "98/6/EC art. 6a");
  EXPECT_HAS (gc_rulepack_rule (eu, GC_RULE_PRICE_MISMATCH)->legal_ref,
      "98/6/EC art. 3-4");
  EXPECT_HAS (gc_rulepack_rule (eu, GC_RULE_CLAIM_MEDICAL)->legal_ref,
      "annex I no. 17");
  EXPECT_HAS (gc_rulepack_rule (us, GC_RULE_DISCLOSURE_MISSING)->legal_ref,
      "16 CFR part 255");
  EXPECT_HAS (gc_rulepack_rule (us, GC_RULE_PRICE_REFERENCE_INFLATED)->legal_ref,
      "16 CFR 233.1");
  EXPECT_HAS (gc_rulepack_rule (us, GC_RULE_CLAIM_SALES_INFLATED)->legal_ref,
      "16 CFR part 465");
}

TEST (ShippedPacks, LabelTexts)
{
  g_autoptr (GcRulePack) cn = load_shipped ("cn");
  g_autoptr (GcRulePack) eu = load_shipped ("eu");
  g_autoptr (GcRulePack) us = load_shipped ("us");
  ASSERT_TRUE (cn && eu && us);

  EXPECT_STREQ (cn->default_language, "zh");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (cn->label_text, "zh"), "广告");
  EXPECT_HAS ((const char *) g_hash_table_lookup (cn->label_text, "en"), "广告");

  EXPECT_STREQ (eu->default_language, "en");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (eu->label_text, "en"), "Ad");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (eu->label_text, "de"), "Anzeige");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (eu->label_text, "fr"), "Publicité");

  EXPECT_STREQ (us->default_language, "en");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (us->label_text, "en"), "Ad");
  EXPECT_STREQ ((const char *) g_hash_table_lookup (us->label_sponsor_text, "en"),
      "Sponsored by %s");

  for (GcRulePack *pack : { cn, eu, us }) {
    SCOPED_TRACE (pack->name);
    EXPECT_EQ (g_hash_table_size (pack->label_text),
        g_hash_table_size (pack->label_sponsor_text));
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, pack->label_sponsor_text);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      std::string fmt = (const char *) value;
      size_t first = fmt.find ("%s");
      ASSERT_NE (first, std::string::npos) << fmt;
      EXPECT_EQ (fmt.find ('%', first + 1), std::string::npos) << fmt;
      EXPECT_EQ (fmt.find ('%'), first) << fmt;
    }
  }
}

/* The overlay's own label must count as a disclosure when the overlaid
 * stream is checked again. */
TEST (ShippedPacks, DrawnLabelsAreRecognised)
{
  for (const char *name : kPacks) {
    SCOPED_TRACE (name);
    g_autoptr (GcRulePack) pack = load_shipped (name);
    ASSERT_NE (pack, nullptr);
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, pack->label_text);
    while (g_hash_table_iter_next (&iter, &key, &value))
      EXPECT_NE (match (&pack->ad_labels, (const char *) value), "")
          << (const char *) value;
    g_hash_table_iter_init (&iter, pack->label_sponsor_text);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      std::string text = (const char *) value;
      text.replace (text.find ("%s"), 2, "Acme");
      EXPECT_NE (match (&pack->ad_labels, text.c_str ()), "") << text;
    }
  }
}

TEST (ShippedPacks, CnAbsoluteTermsFromRulesMd)
{
  g_autoptr (GcRulePack) cn = load_shipped ("cn");
  ASSERT_NE (cn, nullptr);
  for (const char *term : { "最佳", "最好", "最低价", "全网最低", "第一", "唯一",
          "首个", "顶级", "国家级", "世界级", "极致", "100%", "史无前例", "绝无仅有",
          "最高级", "万能" })
    EXPECT_TRUE (g_strv_contains (cn->absolute_terms.terms, term)) << term;
  for (const char *term : { "治愈", "根治", "治疗", "疗效", "药到病除", "无副作用",
          "消炎", "抗癌", "降血压", "降血糖" })
    EXPECT_TRUE (g_strv_contains (cn->medical_terms.terms, term)) << term;
}

TEST (ShippedPacks, SchemaFileCoversEveryRule)
{
  std::string path = std::string (gc_models_dir ()) + G_DIR_SEPARATOR_S
      "rules.schema.json";
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  ASSERT_TRUE (json_parser_load_from_file (parser, path.c_str (), &error))
      << error->message;
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  EXPECT_STREQ (json_object_get_string_member (root, "$schema"),
      "https://json-schema.org/draft/2020-12/schema");
  JsonObject *rules = member_object (member_object (root, "properties"), "rules");
  JsonArray *required = json_object_get_array_member (rules, "required");
  JsonObject *props = member_object (rules, "properties");
  guint n_required = 0;
  for (guint i = 0; gc_rule_ids[i] != NULL; i++) {
    EXPECT_TRUE (json_object_has_member (props, gc_rule_ids[i]))
        << gc_rule_ids[i];
    if (!gc_rule_defs[i].first_release)
      continue;
    ASSERT_LT (n_required, json_array_get_length (required));
    EXPECT_STREQ (json_array_get_string_element (required, n_required++),
        gc_rule_ids[i]);
  }
  EXPECT_EQ (json_array_get_length (required), n_required);
  EXPECT_EQ (json_object_get_size (props), g_strv_length ((gchar **) gc_rule_ids));
}

/* ---------------------------------------------------------------- */
/* Loading                                                           */

TEST (Load, ModelsDirFromEnvironment)
{
  const char *env = g_getenv ("GST_COMPLIANCE_MODELS_DIR");
  ASSERT_NE (env, nullptr) << "the test environment sets it";
  EXPECT_STREQ (gc_models_dir (), env);
}

TEST (Load, ByNameInExplicitDir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load ("us", gc_models_dir (), &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_STREQ (pack->name, "us");
}

TEST (Load, UnknownNameListsKnownPacks)
{
  g_autoptr (GError) error = NULL;
  GcRulePack *pack = gc_rulepack_load ("xx", NULL, &error);
  EXPECT_EQ (pack, nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_NOT_FOUND));
  EXPECT_EQ (std::string (error->message),
      "unknown rule pack \"xx\": known packs are cn, eu, us (in " + rules_dir () + ")");
}

TEST (Load, NameIsCaseSensitive)
{
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load ("CN", NULL, &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_NOT_FOUND));
  EXPECT_HAS (error->message, "known packs are cn, eu, us");
}

TEST (Load, EmptyName)
{
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load ("", NULL, &error), nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_INVALID));
}

TEST_F (TempDir, UnknownNameListsWhatTheDirHolds)
{
  write ("rules/zz.json", "{}");
  write ("rules/aa.json", "{}");
  write ("rules/README.md", "not a pack");
  write ("rules/Upper.json", "{}");
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load ("cn", tmp_.c_str (), &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_NOT_FOUND));
  EXPECT_EQ (std::string (error->message), "unknown rule pack \"cn\": known "
      "packs are aa, zz (in " + tmp_ + G_DIR_SEPARATOR_S "rules)");
}

TEST_F (TempDir, UnknownNameInEmptyDir)
{
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load ("cn", tmp_.c_str (), &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_NOT_FOUND));
  EXPECT_HAS (error->message, "no packs found in " + tmp_);
}

TEST_F (TempDir, ByPath)
{
  std::string path = write ("custom/strict.json", edited_pack (nullptr));
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load (path.c_str (), NULL, &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_EQ (std::string (pack->path), path);
  EXPECT_STREQ (pack->name, "eu") << "the name in the file wins";
  EXPECT_EQ (pack->reference_window_days, 30u);
}

TEST_F (TempDir, ByRelativeJsonName)
{
  write ("mine.json", edited_pack ([](JsonObject *root) {
        json_object_remove_member (root, "name");
      }));
  g_autofree gchar *cwd = g_get_current_dir ();
  ASSERT_EQ (g_chdir (tmp_.c_str ()), 0);
  g_autoptr (GError) error = NULL;
  GcRulePack *pack = gc_rulepack_load ("mine.json", "/nonexistent", &error);
  ASSERT_EQ (g_chdir (cwd), 0);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_STREQ (pack->name, "mine") << "no name in the file: its base name";
  EXPECT_STREQ (pack->path, "mine.json");
  gc_rulepack_unref (pack);
}

TEST_F (TempDir, ByNameMustCarryThatName)
{
  write ("rules/cn.json", edited_pack (nullptr));
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load ("cn", tmp_.c_str (), &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_INVALID));
  EXPECT_HAS (error->message, "cn.json: name: \"eu\" does not match");
}

TEST_F (TempDir, MissingFile)
{
  std::string path = tmp_ + "/absent.json";
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load (path.c_str (), NULL, &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_IO));
  EXPECT_EQ (std::string (error->message).rfind (path, 0), 0u);
}

TEST_F (TempDir, DirectoryIsNotAPack)
{
  g_autoptr (GError) error = NULL;
  std::string path = tmp_ + "/dir.json";
  g_mkdir (path.c_str (), 0700);
  EXPECT_EQ (gc_rulepack_load_file (path.c_str (), &error), nullptr);
  EXPECT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_IO));
}

TEST (LoadData, LengthLimitedAndNamed)
{
  std::string text = edited_pack (nullptr);
  std::string with_garbage = text + "}}} not json";
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load_data (with_garbage.data (),
      text.size (), "inline", &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_STREQ (pack->path, "inline");
  EXPECT_STREQ (pack->name, "eu");
}

TEST (LoadData, ErrorsStartWithTheGivenName)
{
  g_autoptr (GError) error = NULL;
  EXPECT_EQ (gc_rulepack_load_data ("{}", -1, "inline", &error), nullptr);
  ASSERT_TRUE (g_error_matches (error, GC_ERROR, GC_ERROR_INVALID));
  EXPECT_EQ (std::string (error->message), "inline: schema: missing (required)");
}

TEST (LoadData, NameDefaultsToBaseName)
{
  std::string text = edited_pack ([](JsonObject *root) {
        json_object_remove_member (root, "name");
      });
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load_data (text.c_str (), -1,
      "somewhere/custom.json", &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_STREQ (pack->name, "custom");
}

TEST (Lifetime, RefUnref)
{
  GcRulePack *pack = load_shipped ("eu");
  ASSERT_NE (pack, nullptr);
  EXPECT_EQ (gc_rulepack_ref (pack), pack);
  gc_rulepack_unref (pack);
  EXPECT_STREQ (pack->name, "eu");
  gc_rulepack_unref (pack);
  gc_rulepack_unref (NULL);
}

TEST (Lookup, UnknownRuleAndDisabledRule)
{
  std::string text = edited_pack ([](JsonObject *root) {
        JsonObject *rule = member_object (member_object (root, "rules"),
            "claim.absolute_term");
        json_object_set_boolean_member (rule, "enabled", FALSE);
        json_object_set_string_member (rule, "severity", "info");
      });
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load_data (text.c_str (), -1,
      "t", &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_EQ (gc_rulepack_rule (pack, "no.such.rule"), nullptr);
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack, "no.such.rule"));
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack, GC_RULE_CLAIM_ABSOLUTE_TERM));
  EXPECT_STREQ (gc_rulepack_rule (pack, GC_RULE_CLAIM_ABSOLUTE_TERM)->severity,
      "info");
  EXPECT_TRUE (gc_rulepack_rule_enabled (pack, GC_RULE_CLAIM_MEDICAL));
}

/* ---------------------------------------------------------------- */
/* Validation: one broken thing per case, message names file and field */

TEST_F (TempDir, MissingRuleIdIsNamed)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_remove_member (member_object (root, "rules"),
            "product.prohibited");
        json_object_remove_member (member_object (root, "rules"),
            "claim.medical");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": rules: missing rule \"claim.medical\", \"product.prohibited\"");
}

/* A pack written before disclosure.statement_missing existed (no entry,
 * no required_statements, no prohibited_categories) still loads: the new
 * rule is off and the pack's warnings say it is not checked; only the
 * category "prohibited" is prohibited, and nothing is owed on screen. */
TEST (NewRules, APackFromTheFirstReleaseLoadsAndSaysWhatIsNotChecked)
{
  std::string text = edited_pack ([](JsonObject *root) {
        json_object_remove_member (member_object (root, "rules"),
            "disclosure.statement_missing");
        json_object_remove_member (member_object (root, "rules"),
            "price.raised_before_discount");
        json_object_remove_member (member_object (root, "rules"),
            "claim.audience_inflated");
        json_object_remove_member (member_object (root, "rules"),
            "gift.undisclosed");
        json_object_remove_member (member_object (root, "rules"),
            "gift.value_inflated");
        json_object_remove_member (root, "required_statements");
        json_object_remove_member (root, "prohibited_categories");
      });
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load_data (text.c_str (), -1,
      "old.json", &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack,
          GC_RULE_DISCLOSURE_STATEMENT_MISSING));
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack,
          GC_RULE_PRICE_RAISED_BEFORE_DISCOUNT));
  EXPECT_EQ (pack->raise_lookback_days, 30u) << "the default";
  EXPECT_EQ (pack->audience_tolerance, 0.1) << "the default";
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack, GC_RULE_GIFT_UNDISCLOSED));
  EXPECT_FALSE (gc_rulepack_rule_enabled (pack, GC_RULE_GIFT_VALUE_INFLATED));
  EXPECT_EQ (pack->substantial_period_days, 0u) << "the default";
  ASSERT_EQ (pack->warnings->len, 5u);
  EXPECT_HAS ((const char *) g_ptr_array_index (pack->warnings, 0),
      "rules: no entry for \"disclosure.statement_missing\" (a rule newer "
      "than this pack): not checked");
  EXPECT_HAS ((const char *) g_ptr_array_index (pack->warnings, 1),
      "rules: no entry for \"price.raised_before_discount\"");
  EXPECT_EQ (pack->prohibited_categories, 1u << GC_CATEGORY_PROHIBITED);
  for (guint c = 0; c < GC_N_CATEGORIES; c++)
    EXPECT_EQ (pack->statements[c].terms, nullptr) << c;

  /* The shipped CN pack: rx_drug prohibited, three statements owed. */
  g_autoptr (GcRulePack) cn = load_shipped ("cn");
  ASSERT_NE (cn, nullptr);
  EXPECT_EQ (cn->prohibited_categories, (1u << GC_CATEGORY_PROHIBITED)
      | (1u << GC_CATEGORY_RX_DRUG));
  EXPECT_EQ (cn->statement_grace, 10.0);
  EXPECT_EQ (match (&cn->statements[GC_CATEGORY_HEALTH_FOOD],
          "温馨提示 本品不能代替药物"), "本品不能代替药物");
  EXPECT_NE (cn->statements[GC_CATEGORY_OTC_DRUG].terms, nullptr);
  EXPECT_NE (cn->statements[GC_CATEGORY_MEDICAL_DEVICE].terms, nullptr);
  EXPECT_EQ (cn->statements[GC_CATEGORY_GENERAL].terms, nullptr);
}

TEST_F (TempDir, RaiseLookbackIsAWholeNumberOfDays)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_int_member (root, "raise_lookback_days", 0);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": raise_lookback_days: must be an integer from 1 to 3660 "
      "(got 0)");
  msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_string_member (root, "raise_lookback_days", "30");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": raise_lookback_days: expected an integer");
  g_autoptr (GcRulePack) cn = load_shipped ("cn");
  EXPECT_EQ (cn->raise_lookback_days, 30u);
}

TEST_F (TempDir, SubstantialPeriodIsWithinTheWindow)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_int_member (root, "substantial_period_days", 45);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": substantial_period_days: 45 is longer than "
      "reference_window_days (30): no price could qualify");
  msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_double_member (root, "substantial_period_days", 2.5);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": substantial_period_days: ");
}

TEST_F (TempDir, ProhibitedCategoriesAreCatalogCategories)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_array_member (root, "prohibited_categories",
            string_array ({"prohibited", "guns"}));
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": prohibited_categories[1]: \"guns\" is not a catalog "
      "category");
  msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_string_member (root, "prohibited_categories", "rx_drug");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": prohibited_categories: expected an array, got a string");
}

/* eu.json has no required_statements: each case adds a valid one
 * (grace 5 s, an OTC notice) and breaks one thing in it. */
std::string
pack_with_statements (const std::function<void (JsonObject *)> &breakit)
{
  return edited_pack ([&breakit](JsonObject *root) {
        JsonObject *st = json_object_new ();
        JsonObject *list = json_object_new ();
        json_object_set_array_member (list, "terms",
            string_array ({"Read the leaflet"}));
        json_object_set_double_member (st, "grace_seconds", 5);
        json_object_set_object_member (st, "otc_drug", list);
        json_object_set_object_member (root, "required_statements", st);
        if (breakit)
          breakit (st);
      });
}

TEST_F (TempDir, RequiredStatementsAreCheckedFieldByField)
{
  {
    std::string text = pack_with_statements (nullptr);
    g_autoptr (GError) error = NULL;
    g_autoptr (GcRulePack) pack = gc_rulepack_load_data (text.c_str (), -1,
        "t", &error);
    ASSERT_NE (pack, nullptr) << error->message;
    EXPECT_EQ (pack->statement_grace, 5.0);
    EXPECT_EQ (match (&pack->statements[GC_CATEGORY_OTC_DRUG],
            "please read the leaflet"), "read the leaflet");
  }
  std::string msg = load_error (pack_with_statements ([](JsonObject *st) {
        json_object_remove_member (st, "grace_seconds");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": required_statements.grace_seconds: missing (required)");
  msg = load_error (pack_with_statements ([](JsonObject *st) {
        json_object_set_int_member (st, "grace_seconds", -1);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": required_statements.grace_seconds:");
  msg = load_error (pack_with_statements ([](JsonObject *st) {
        JsonObject *list = json_object_new ();
        json_object_set_array_member (list, "terms", string_array ({"x"}));
        json_object_set_object_member (st, "vitamins", list);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": required_statements.vitamins: not a catalog category");
  msg = load_error (pack_with_statements ([](JsonObject *st) {
        json_object_remove_member (member_object (st, "otc_drug"), "terms");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": required_statements.otc_drug.terms: missing (required)");
}

TEST_F (TempDir, UnknownRuleId)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        JsonObject *rules = member_object (root, "rules");
        JsonObject *copy = json_object_ref (member_object (rules, "price.mismatch"));
        json_object_set_object_member (rules, "price.mismatched", copy);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": rules: unknown rule id \"price.mismatched\" (known: "
      "price.mismatch, ");
}

TEST_F (TempDir, BadSeverity)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_string_member (member_object (member_object (root,
                    "rules"), "claim.medical"), "severity", "fatal");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": rules[\"claim.medical\"].severity: \"fatal\" is not one of "
      "error, warning, info");
}

TEST_F (TempDir, EmptyLegalRef)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_string_member (member_object (member_object (root,
                    "rules"), "price.mismatch"), "legal_ref", "");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": rules[\"price.mismatch\"].legal_ref: must not be empty");
}

TEST_F (TempDir, ConfirmFramesZero)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_int_member (root, "confirm_frames", 0);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": confirm_frames: must be an integer from 1 to 1000 (got 0)");
}

TEST_F (TempDir, ReleaseFramesNotInteger)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_double_member (root, "release_frames", 2.5);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": release_frames: expected an integer, got a number");
}

TEST_F (TempDir, NegativePriceTolerance)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_double_member (root, "price_tolerance", -0.01);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": price_tolerance: must not be negative (got -0.01)");
}

TEST_F (TempDir, NegativeSalesTolerance)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_int_member (root, "sales_tolerance", -1);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": sales_tolerance: must not be negative (got -1)");
}

TEST_F (TempDir, RegexThatDoesNotCompile)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_array_member (member_object (root, "medical_terms"),
            "patterns", string_array ({ "预防.{0,8}病", "预防(" }));
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": medical_terms.patterns[1]: pattern \"预防(\" does not compile: ");

  /* and it passes GRegex's own explanation on */
  g_autoptr (GError) re_error = NULL;
  EXPECT_EQ (g_regex_new ("预防(", G_REGEX_CASELESS, (GRegexMatchFlags) 0,
          &re_error), nullptr);
  ASSERT_NE (re_error, nullptr);
  EXPECT_HAS (msg, re_error->message);
}

TEST_F (TempDir, WrongTypes)
{
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (root, "confirm_frames", "2");
          }), GC_ERROR_INVALID),
      ": confirm_frames: expected an integer, got a string");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_array_member (root, "rules", json_array_new ());
          }), GC_ERROR_INVALID),
      ": rules: expected an object, got an array");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            JsonArray *terms = json_array_new ();
            json_array_add_int_element (terms, 1);
            json_object_set_array_member (member_object (root, "absolute_terms"),
                "terms", terms);
          }), GC_ERROR_INVALID),
      ": absolute_terms.terms[0]: expected a string, got an integer");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (member_object (member_object (root,
                        "rules"), "claim.medical"), "enabled", "yes");
          }), GC_ERROR_INVALID),
      ": rules[\"claim.medical\"].enabled: expected true or false, got a string");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_null_member (root, "label_min_height");
          }), GC_ERROR_INVALID),
      ": label_min_height: expected a number, got null");
  EXPECT_HAS (load_error ("[1, 2]", GC_ERROR_INVALID),
      ": expected a JSON object at the top level, got an array");
}

TEST_F (TempDir, ReferenceBasis)
{
  write ("tx.json", edited_pack ([](JsonObject *root) {
        json_object_remove_member (root, "name");
        json_object_set_string_member (root, "reference_basis",
            "transactions");
      }));
  g_autoptr (GError) error = NULL;
  std::string path = tmp_ + "/tx.json";
  g_autoptr (GcRulePack) pack = gc_rulepack_load (path.c_str (), NULL,
      &error);
  ASSERT_NE (pack, nullptr) << error->message;
  EXPECT_TRUE (pack->reference_by_transactions);

  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (root, "reference_basis", "sales");
          }), GC_ERROR_INVALID),
      ": reference_basis: \"sales\": expected \"transactions\" or "
      "\"offered_prices\"");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_int_member (root, "reference_basis", 1);
          }), GC_ERROR_INVALID),
      ": reference_basis: expected a string, got an integer");
}

TEST_F (TempDir, MissingField)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_remove_member (root, "reference_window_days");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": reference_window_days: missing (required)");

  msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_remove_member (member_object (root, "ad_labels"), "terms");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": ad_labels.terms: missing (required)");
}

TEST_F (TempDir, UnknownFieldIsRefused)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_int_member (root, "confirm_frame", 3);
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": confirm_frame: unknown field");

  msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_array_member (member_object (root, "ad_labels"),
            "exception", string_array ({ "ad-free" }));
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": ad_labels.exception: unknown field");
}

TEST_F (TempDir, WrongSchema)
{
  std::string msg = load_error (edited_pack ([](JsonObject *root) {
        json_object_set_string_member (root, "schema", "gst-compliance-catalog/1");
      }), GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": schema: \"gst-compliance-catalog/1\" is not supported");
}

TEST_F (TempDir, SponsorLabelNeedsExactlyOnePercentS)
{
  auto with_sponsor = [&](const char *text) {
    return load_error (edited_pack ([text](JsonObject *root) {
          json_object_set_string_member (member_object (root, "label_sponsor"),
              "en", text);
        }), GC_ERROR_INVALID);
  };
  EXPECT_HAS (with_sponsor ("Sponsored"),
      ": label_sponsor.en: \"Sponsored\" must contain exactly one %s for the "
      "sponsor's name (found 0)");
  EXPECT_HAS (with_sponsor ("Sponsored by %s and %s"), "(found 2)");
  EXPECT_HAS (with_sponsor ("Sponsored %d by %s"),
      ": label_sponsor.en: \"Sponsored %d by %s\": only one %s is allowed, no "
      "other % (found \"%d\")");
  EXPECT_HAS (with_sponsor ("100% sponsored by %s"), "found \"% \"");
  EXPECT_HAS (with_sponsor ("Sponsored by %s%"), "found \"%\"");
  EXPECT_HAS (with_sponsor ("Sponsorisé par %s %é"), "found \"%é\"");
}

TEST_F (TempDir, LabelProblems)
{
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (root, "default_language", "ja");
          }), GC_ERROR_INVALID),
      ": default_language: \"ja\" has no entry in label");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_remove_member (member_object (root, "label_sponsor"), "de");
          }), GC_ERROR_INVALID),
      ": label_sponsor: no entry for \"de\"");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (member_object (root, "label"), "en",
                "Hello");
          }), GC_ERROR_INVALID),
      ": label.en: \"Hello\" is not recognised by ad_labels");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (member_object (root, "label"), "en",
                "100% Ad");
          }), GC_ERROR_INVALID),
      ": label.en: \"100% Ad\": plain text, must not contain %");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_string_member (member_object (root, "label"), "EN",
                "Ad");
          }), GC_ERROR_INVALID),
      ": label.EN: \"EN\" is not a language code");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_double_member (root, "label_min_height", 0);
          }), GC_ERROR_INVALID),
      ": label_min_height: must be greater than 0 (got 0)");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_double_member (root, "label_min_contrast", 30);
          }), GC_ERROR_INVALID),
      ": label_min_contrast: must be at most 21 (got 30)");
}

TEST_F (TempDir, TermProblems)
{
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_array_member (member_object (root, "absolute_terms"),
                "exceptions", string_array ({ "ok", "  " }));
          }), GC_ERROR_INVALID),
      ": absolute_terms.exceptions[1]: \"  \" is empty once white space is folded");
  EXPECT_HAS (load_error (edited_pack ([](JsonObject *root) {
            json_object_set_array_member (member_object (root, "absolute_terms"),
                "terms", string_array ({ "bad\x01term" }));
          }), GC_ERROR_INVALID),
      ": absolute_terms.terms[0]: contains a control character");
}

TEST_F (TempDir, MalformedJsonHasLineAndColumn)
{
  std::string msg = load_error ("{\n  \"schema\": \"gst-compliance-rules/1\",\n"
      "  \"name\": ,\n}\n", GC_ERROR_PARSE);
  EXPECT_TRUE (g_regex_match_simple ("^.*pack\\.json:3:[0-9]+: ", msg.c_str (),
          (GRegexCompileFlags) 0, (GRegexMatchFlags) 0)) << msg;
}

TEST_F (TempDir, DuplicateMemberIsAnError)
{
  std::string text = edited_pack (nullptr);
  /* a second "claim.medical" entry, as a copy-and-paste slip would make */
  size_t at = text.find ("\"price.mismatch\"");
  ASSERT_NE (at, std::string::npos);
  text.insert (at, "\"claim.medical\" : { \"enabled\" : false, \"severity\" : "
      "\"info\", \"legal_ref\" : \"x\" },\n");
  std::string msg = load_error (text, GC_ERROR_PARSE);
  EXPECT_HAS (msg, "member \"claim.medical\" appears twice");
  EXPECT_TRUE (g_regex_match_simple ("^.*pack\\.json:[0-9]+:[0-9]+: ",
          msg.c_str (), (GRegexCompileFlags) 0, (GRegexMatchFlags) 0)) << msg;
}

TEST_F (TempDir, InvalidUtf8HasPosition)
{
  std::string msg = load_error ("{\n  \"title\": \"ab\xff\"\n}", GC_ERROR_PARSE);
  EXPECT_HAS (msg, "pack.json:2:15: not valid UTF-8");
}

TEST_F (TempDir, DeepNestingIsRefused)
{
  std::string deep (100000, '[');
  std::string msg = load_error (deep, GC_ERROR_PARSE);
  EXPECT_HAS (msg, "pack.json:1:33: nested more than 32 levels deep");
}

TEST_F (TempDir, EmptyFile)
{
  EXPECT_HAS (load_error ("", GC_ERROR_PARSE), ": empty file");
  EXPECT_HAS (load_error (" \n\t ", GC_ERROR_PARSE), ": empty file");
}

TEST_F (TempDir, FileOver4MiBIsRefused)
{
  std::string big = edited_pack ([](JsonObject *root) {
        json_object_set_string_member (root, "note",
            std::string (4 * 1024 * 1024, 'x').c_str ());
      });
  std::string msg = load_error (big, GC_ERROR_INVALID);
  EXPECT_HAS (msg, ": too large: a rule pack may not exceed 4 MiB");
}

TEST_F (TempDir, ByteOrderMarkIsAccepted)
{
  std::string path = write ("bom.json", "\xef\xbb\xbf" + edited_pack (nullptr));
  g_autoptr (GError) error = NULL;
  g_autoptr (GcRulePack) pack = gc_rulepack_load_file (path.c_str (), &error);
  EXPECT_NE (pack, nullptr) << (error ? error->message : "");
}

/* ---------------------------------------------------------------- */
/* Term matching                                                     */

class Match : public ::testing::Test
{
protected:
  static void SetUpTestSuite ()
  {
    cn_ = load_shipped ("cn");
    eu_ = load_shipped ("eu");
    us_ = load_shipped ("us");
  }

  static void TearDownTestSuite ()
  {
    g_clear_pointer (&cn_, gc_rulepack_unref);
    g_clear_pointer (&eu_, gc_rulepack_unref);
    g_clear_pointer (&us_, gc_rulepack_unref);
  }

  void SetUp () override
  {
    ASSERT_TRUE (cn_ && eu_ && us_);
  }

  /* A pack whose absolute_terms list is exactly @terms, @exceptions,
   * @patterns (the rest from eu.json). */
  static GcRulePack *custom (std::initializer_list<const char *> terms,
      std::initializer_list<const char *> exceptions,
      std::initializer_list<const char *> patterns)
  {
    std::string text = edited_pack ([&](JsonObject *root) {
          JsonObject *list = member_object (root, "absolute_terms");
          json_object_set_array_member (list, "terms", string_array (terms));
          json_object_set_array_member (list, "exceptions",
              string_array (exceptions));
          json_object_set_array_member (list, "patterns",
              string_array (patterns));
        });
    g_autoptr (GError) error = NULL;
    GcRulePack *pack = gc_rulepack_load_data (text.c_str (), -1, "custom",
        &error);
    EXPECT_NE (pack, nullptr) << (error ? error->message : "");
    return pack;
  }

  static GcRulePack *cn_, *eu_, *us_;
};

GcRulePack *Match::cn_ = NULL;
GcRulePack *Match::eu_ = NULL;
GcRulePack *Match::us_ = NULL;

TEST_F (Match, AsciiWordBoundaries)
{
  const GcTermList *ad = &us_->ad_labels;
  EXPECT_EQ (match (ad, "#ad"), "#ad");
  EXPECT_EQ (match (ad, "Ad: new drop"), "ad");
  EXPECT_EQ (match (ad, "ad"), "ad");
  EXPECT_EQ (match (ad, "this is an AD."), "ad");
  EXPECT_EQ (match (ad, "广告ad"), "ad");
  EXPECT_EQ (match (ad, "add to cart"), "");
  EXPECT_EQ (match (ad, "read more"), "");
  EXPECT_EQ (match (ad, "adidas"), "");
  EXPECT_EQ (match (ad, "#adidas"), "");
  EXPECT_EQ (match (ad, "bad ads"), "");
  EXPECT_EQ (match (ad, "unsponsored review"), "");
}

TEST_F (Match, NumberOneBoundaries)
{
  const GcTermList *abs = &us_->absolute_terms;
  EXPECT_EQ (match (abs, "#1 seller"), "#1");
  EXPECT_EQ (match (abs, "the #1 choice"), "#1");
  EXPECT_EQ (match (abs, "#10 in stock"), "");
  EXPECT_EQ (match (abs, "no. 1 brand"), "no. 1");
  EXPECT_EQ (match (abs, "see no. 12"), "");
  EXPECT_EQ (match (abs, "size 1"), "");
  EXPECT_EQ (match (abs, "step #1: open the lid"), "") << "exception";
}

TEST_F (Match, CnExceptions)
{
  const GcTermList *abs = &cn_->absolute_terms;
  EXPECT_EQ (match (abs, "本店最新款"), "");
  EXPECT_EQ (match (abs, "最新到货"), "");
  EXPECT_EQ (match (abs, "最后一天"), "");
  EXPECT_EQ (match (abs, "最近很火"), "");
  EXPECT_EQ (match (abs, "第一件原价 第二件半价"), "");
  EXPECT_EQ (match (abs, "每人最多限购2件"), "");
  EXPECT_EQ (match (abs, "100%纯棉"), "");
  EXPECT_EQ (match (abs, "全网最低价"), "全网最低价");
  EXPECT_EQ (match (abs, "最新款 全网最低价"), "全网最低价");
  EXPECT_EQ (match (abs, "销量第一"), "销量第一");
  EXPECT_EQ (match (abs, "国家级品质"), "国家级");
  EXPECT_EQ (match (abs, "100%有效"), "100%");
  EXPECT_EQ (match (abs, "最香的辣条"), "最") << "bare 最 catches unlisted compounds";

  const GcTermList *ad = &cn_->ad_labels;
  EXPECT_EQ (match (ad, "广告"), "广告");
  EXPECT_EQ (match (ad, "商业广告"), "广告");
  EXPECT_EQ (match (ad, "商业推广"), "") << "only 广告 identifies an ad in CN";
  EXPECT_EQ (match (ad, "推广"), "");
  EXPECT_EQ (match (ad, "赞助"), "");
  EXPECT_EQ (match (ad, "根据广告法"), "");
  EXPECT_EQ (match (ad, "Ad"), "") << "Latin Ad is not a CN disclosure";
}

TEST_F (Match, EnglishExceptions)
{
  EXPECT_EQ (match (&eu_->absolute_terms, "Lowest price in the last 30 days: €19.99"), "");
  EXPECT_EQ (match (&eu_->absolute_terms, "Niedrigster Preis der letzten 30 Tage"), "");
  EXPECT_EQ (match (&eu_->absolute_terms, "Lowest price ever!"), "lowest price ever");
  EXPECT_EQ (match (&us_->medical_terms, "Dog treats, 2 for $5"), "");
  EXPECT_EQ (match (&us_->medical_terms, "cures under UV in 60s"), "");
  EXPECT_EQ (match (&us_->medical_terms, "cures acne overnight"), "cures");
  EXPECT_EQ (match (&us_->ad_labels, "ad-free streaming"), "");
  EXPECT_EQ (match (&eu_->ad_labels, "Not sponsored"), "");
  EXPECT_EQ (match (&eu_->ad_labels, "keine Werbung"), "");
}

TEST_F (Match, CaseInsensitive)
{
  EXPECT_EQ (match (&eu_->absolute_terms, "BEST EVER deal"), "best ever");
  EXPECT_EQ (match (&eu_->ad_labels, "SPONSORED"), "sponsored");
  EXPECT_EQ (match (&eu_->ad_labels, "WERBUNG"), "werbung");
  EXPECT_EQ (match (&eu_->ad_labels, "PUBLICITÉ"), "publicité");
  EXPECT_EQ (match (&us_->medical_terms, "No Side Effects"), "no side effects");
}

/* OCR drops diacritics (PP-OCR reads "Hält" as "Halt"): terms, exceptions
 * and patterns match without them, and a term is shown with them. */
TEST_F (Match, DiacriticsTheReaderDroppedStillMatch)
{
  EXPECT_EQ (match (&eu_->absolute_terms, "Der Marktfuhrer fur Kaffee"),
      "marktführer");
  EXPECT_EQ (match (&eu_->absolute_terms, "Marktführer"), "marktführer");
  EXPECT_EQ (match (&eu_->absolute_terms, "Le NUMERO 1 du cafe"),
      "numéro 1");
  EXPECT_EQ (match (&eu_->ad_labels, "Publicite"), "publicité");
  EXPECT_EQ (match (&eu_->ad_labels, "PUBBLICITA"), "pubblicità");
  EXPECT_EQ (match (&eu_->ad_labels, "Partenariat remunere"),
      "partenariat rémunéré");
  EXPECT_EQ (match (&eu_->medical_terms, "wirkt entzundungshemmend"),
      "entzündungshemmend");
  /* Exceptions too: no label in "sans publicité", however it was read. */
  EXPECT_EQ (match (&eu_->ad_labels, "100% sans publicite"), "");
  EXPECT_EQ (match (&eu_->ad_labels, "senza pubblicità"), "");
  /* Patterns written with diacritics match text read without them. */
  EXPECT_NE (match (&eu_->medical_terms, "Dieser Tee bekampft Entzundungen"),
      "");
  EXPECT_NE (match (&eu_->medical_terms, "Ce the previent le diabete"), "");
  EXPECT_NE (match (&eu_->medical_terms, "Ce thé prévient le diabète"), "");
}

TEST (TextFold, DropsLatinDiacriticsOnly)
{
  auto fold = [] (const char *t) {
    g_autofree gchar *f = gc_text_fold (t);
    return std::string (f);
  };
  EXPECT_EQ (fold ("Hält 24 Stunden  kalt"), "halt 24 stunden kalt");
  EXPECT_EQ (fold ("Größe ÉLAN Ça Ñandú Łódź"), "grosse elan ca nandu łodz");
  /* Other scripts are left alone: kana keep their voicing marks. */
  EXPECT_EQ (fold ("最佳 が ＡＢＣ"), "最佳 が abc");
  g_autofree gchar *marks = gc_text_fold_marks ("Hält ＡＢＣ");
  EXPECT_STREQ (marks, "hält abc");
  /* Regular expression syntax survives. */
  g_autofree gchar *re = gc_text_strip_marks ("\\b(?:bekämpft|heilt)\\S+[àé]{0,2}$");
  EXPECT_STREQ (re, "\\b(?:bekampft|heilt)\\S+[ae]{0,2}$");
}

TEST_F (Match, FullWidthInputIsFolded)
{
  EXPECT_EQ (match (&cn_->absolute_terms, "销量ＮＯ．１"), "no.1");
  EXPECT_EQ (match (&us_->absolute_terms, "＃１ seller"), "#1");
  EXPECT_EQ (match (&us_->ad_labels, "［ＡＤ］"), "ad");
  EXPECT_EQ (match (&cn_->absolute_terms, "１００％有效"), "100%");
}

TEST_F (Match, TermsAreFoldedAtLoad)
{
  g_autoptr (GcRulePack) pack = custom ({ "ＮＯ．１", "Best   EVER", "no.1" }, {}, {});
  ASSERT_NE (pack, nullptr);
  const GcTermList *list = &pack->absolute_terms;
  ASSERT_EQ (g_strv_length (list->terms), 2u) << "duplicates after folding dropped";
  EXPECT_STREQ (list->terms[0], "no.1");
  EXPECT_STREQ (list->terms[1], "best ever");
}

TEST_F (Match, LongestWins)
{
  EXPECT_EQ (match (&cn_->absolute_terms, "今天最低价"), "最低价");
  EXPECT_EQ (match (&cn_->absolute_terms, "全网最低"), "全网最低");
  EXPECT_EQ (match (&us_->absolute_terms, "lowest price ever"), "lowest price ever");

  g_autoptr (GcRulePack) pack = custom ({ "最低", "最低价", "aa", "bb" }, {}, {});
  ASSERT_NE (pack, nullptr);
  EXPECT_EQ (match (&pack->absolute_terms, "最低价"), "最低价");
  EXPECT_EQ (match (&pack->absolute_terms, "bb aa"), "aa") << "ties: pack order";
}

TEST_F (Match, Patterns)
{
  EXPECT_EQ (match (&cn_->medical_terms, "可以预防心脑血管疾病"), "预防心脑血管疾病");
  EXPECT_EQ (match (&cn_->medical_terms, "帮助降低血压"), "降低血压");
  EXPECT_EQ (match (&cn_->medical_terms, "治疗失眠"), "治疗") << "terms before patterns";
  EXPECT_EQ (match (&cn_->medical_terms, "本品不能代替药物治疗疾病"), "")
      << "a required disclaimer is not a claim";
  EXPECT_EQ (match (&us_->medical_terms, "fights stubborn acne"), "fights stubborn acne");
  EXPECT_EQ (match (&us_->ad_labels, "#NikePartner"), "#nikepartner");
  EXPECT_EQ (match (&us_->ad_labels, "#partner"), "");
  EXPECT_EQ (match (&eu_->absolute_terms, "The World’s Best blender"), "world’s best");
}

TEST_F (Match, ExceptionsNeitherJoinNorBridge)
{
  g_autoptr (GcRulePack) pack = custom ({ "ab", "好吃" }, { "xyz", "最新" },
      { "c.{0,5}d" });
  ASSERT_NE (pack, nullptr);
  const GcTermList *list = &pack->absolute_terms;
  EXPECT_EQ (match (list, "好最新吃"), "") << "removing 最新 must not join 好吃";
  EXPECT_EQ (match (list, "c xyz d"), "") << "a pattern must not span an exception";
  EXPECT_EQ (match (list, "cxyzd"), "cxyzd")
      << "xyz inside a word is not the exception";
  EXPECT_EQ (match (list, "c12d"), "c12d");
  EXPECT_EQ (match (list, "xyz c1d"), "c1d");
  EXPECT_EQ (match (list, "ab"), "ab");
}

TEST_F (Match, EmptyAndNull)
{
  EXPECT_EQ (match (&cn_->absolute_terms, ""), "");
  EXPECT_EQ (match (&cn_->absolute_terms, "   "), "");
  EXPECT_EQ (gc_term_list_match (&cn_->absolute_terms, NULL), nullptr);
  EXPECT_EQ (gc_term_list_match (NULL, "最佳"), nullptr);
  GcTermList empty = { NULL, NULL, NULL };
  EXPECT_EQ (gc_term_list_match (&empty, "最佳"), nullptr);
}

TEST_F (Match, InvalidUtf8)
{
  g_autofree gchar *folded = gc_text_fold ("\xff\xfe最佳\xc0");
  ASSERT_TRUE (g_utf8_validate (folded, -1, NULL));
  g_autofree gchar *hit = gc_term_list_match (&cn_->absolute_terms, folded);
  EXPECT_STREQ (hit, "最佳");

  /* and straight in, without folding first */
  g_autofree gchar *raw = gc_term_list_match (&cn_->medical_terms,
      "\xff" "预防\xfe高血压病");
  EXPECT_NE (raw, nullptr);
}

}  // namespace

TEST (RulePackLabel, FormatsSponsorAsTextNeverAsFormat)
{
  GError *err = nullptr;
  GcRulePack *cn = gc_rulepack_load ("cn", nullptr, &err);
  ASSERT_NE (cn, nullptr) << err->message;
  gchar *plain = gc_rulepack_format_label (cn, nullptr, nullptr, FALSE);
  EXPECT_STREQ (plain, "广告");
  gchar *sp = gc_rulepack_format_label (cn, "zh", "Brand %s%n <b>&", FALSE);
  EXPECT_STREQ (sp, "广告 · Brand %s%n <b>& 赞助");
  gchar *fallback = gc_rulepack_format_label (cn, "xx", "", FALSE);
  EXPECT_STREQ (fallback, "广告");
  /* For drawing, the sponsor is isolated: a right-to-left override in
   * the catalog (U+202E) ends with it. */
  gchar *iso = gc_rulepack_format_label (cn, "zh", "\u202e" "Brand X", TRUE);
  EXPECT_STREQ (iso, "广告 · \u2068\u202e" "Brand X\u2069 赞助");
  g_free (iso);
  g_free (plain);
  g_free (sp);
  g_free (fallback);
  gc_rulepack_unref (cn);

  GcRulePack *us = gc_rulepack_load ("us", nullptr, &err);
  ASSERT_NE (us, nullptr) << err->message;
  gchar *en = gc_rulepack_format_label (us, "en", "Brand X", FALSE);
  EXPECT_NE (strstr (en, "Brand X"), nullptr) << en;
  EXPECT_EQ (strstr (en, "%s"), nullptr) << en;
  g_free (en);
  gc_rulepack_unref (us);
}

/* The one rule table: every id once, a wire code each (never 0, never
 * shared), a name in both languages; the id list is the table's. */
TEST (RuleTable, OneEntryPerRuleWithCodeAndNames)
{
  std::set<std::string> ids;
  std::set<guint> codes;
  guint n = 0;
  for (const GcRuleDef *d = gc_rule_defs; d->id; d++, n++) {
    EXPECT_TRUE (ids.insert (d->id).second) << d->id;
    EXPECT_NE (d->sei_code, 0u) << d->id;
    EXPECT_TRUE (codes.insert (d->sei_code).second) << d->id;
    EXPECT_TRUE (d->name_zh && *d->name_zh) << d->id;
    EXPECT_TRUE (d->name_en && *d->name_en) << d->id;
    EXPECT_EQ (gc_rule_def (d->id), d);
    EXPECT_EQ (gc_rule_def_by_code (d->sei_code), d);
    ASSERT_NE (gc_rule_ids[n], nullptr);
    EXPECT_STREQ (gc_rule_ids[n], d->id);
  }
  EXPECT_EQ (gc_rule_ids[n], nullptr);
  EXPECT_GE (n, 8u);
  EXPECT_EQ (gc_rule_def ("no.such_rule"), nullptr);
  EXPECT_EQ (gc_rule_def (nullptr), nullptr);
  EXPECT_EQ (gc_rule_def_by_code (0), nullptr);
}
