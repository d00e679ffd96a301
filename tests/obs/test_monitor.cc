/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor behind the OBS filter (obs-compliance/gc-monitor.c), without
 * OBS: frames rendered like a live-shopping screen (a photo-like set with
 * grain, a product card) go in, and what comes out is what the filter
 * draws and reports: the violations, the disclosure label, the evidence
 * log and images, the status line.  Bad settings keep the last good ones;
 * an OCR engine that cannot start leaves nothing checked and says why. */
#include <gtest/gtest.h>

#include <glib/gstdio.h>

#include <string>
#include <vector>

#include "gc-monitor.h"
#include "gc-ocr-scene.h"

namespace {

const char *kCatalog = R"({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN", "currency": "CNY",
  "seller": {"name": "某某旗舰店"},
  "products": [
    {"sku": "A1001", "name": "保温杯", "aliases": ["保温杯 500ml"],
     "price": 99.0, "category": "general", "sponsored": true,
     "sponsor": "Brand X"},
    {"sku": "B2002", "name": "五常大米", "price": 59.9, "category": "food"}
  ]
})";

struct Log
{
  GMutex lock;
  std::vector<std::string> lines;
  Log () { g_mutex_init (&lock); }
  ~Log () { g_mutex_clear (&lock); }
  static void add (GLogLevelFlags level, const gchar *message, gpointer data)
  {
    Log *log = static_cast<Log *> (data);
    g_mutex_lock (&log->lock);
    log->lines.push_back (message);
    g_mutex_unlock (&log->lock);
  }
  bool has (const char *needle)
  {
    g_mutex_lock (&lock);
    bool found = false;
    for (auto &l : lines)
      found = found || l.find (needle) != std::string::npos;
    g_mutex_unlock (&lock);
    return found;
  }
};

class Monitor : public ::testing::Test
{
protected:
  gchar *dir = nullptr;
  std::string catalog;
  Log log;
  GcMonitor *monitor = nullptr;

  void SetUp () override
  {
    dir = g_dir_make_tmp ("gc-monitor-XXXXXX", NULL);
    catalog = std::string (dir) + "/catalog.json";
    ASSERT_TRUE (g_file_set_contents (catalog.c_str (), kCatalog, -1, NULL));
    monitor = gc_monitor_new (Log::add, &log);
  }
  void TearDown () override
  {
    gc_monitor_free (monitor);
    gchar *argv[] = { (gchar *) "rm", (gchar *) "-rf", dir, NULL };
    g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
        NULL, NULL, NULL);
    g_free (dir);
  }

  GcMonitorSettings settings (const char *evidence = nullptr)
  {
    GcMonitorSettings s = {};
    s.catalog = catalog.c_str ();
    s.engine = GC_OCR_ENGINE_AUTO;
    s.evidence_dir = evidence;
    s.source = "obs:Scene";
    return s;
  }

  /* A 1280x720 frame: the product's name and @price on a card over a
   * grainy studio shot; @seed changes the grain, as every camera frame
   * does. */
  static guint8 *screen (const char *price, guint32 seed, gint *stride)
  {
    SceneItem items[] = {
      { "保温杯 500ml", 80, 420, 46, 0x202020, FALSE, FALSE, TRUE, 0xf4f4f4 },
      { price, 80, 490, 72, 0xe0202a, FALSE, FALSE, TRUE, 0xf4f4f4 },
      { "3.2万人在看", 980, 40, 26, 0xffffff, FALSE, FALSE, TRUE, 0x303030 },
    };
    return scene_render (1280, 720, SCENE_BG_PHOTO, seed, items,
        G_N_ELEMENTS (items), stride);
  }

  /* Pushes @n frames showing @price, waiting for each to be read. */
  void show (const char *price, guint n, gdouble t0)
  {
    for (guint i = 0; i < n; i++) {
      gint stride;
      guint8 *f = screen (price, 7 + i, &stride);
      ASSERT_TRUE (gc_monitor_wait_idle (monitor, 60 * G_USEC_PER_SEC));
      EXPECT_TRUE (gc_monitor_push_frame (monitor, f, 1280, 720, stride,
              t0 + i));
      g_free (f);
    }
    ASSERT_TRUE (gc_monitor_wait_idle (monitor, 60 * G_USEC_PER_SEC));
  }

  static bool has_rule (GcMonitorView *v, const char *rule)
  {
    for (guint i = 0; i < v->violations->len; i++)
      if (g_strcmp0 (static_cast<GcViolation *> (g_ptr_array_index
                  (v->violations, i))->rule, rule) == 0)
        return true;
    return false;
  }
};

TEST_F (Monitor, NothingIsCheckedWithoutACatalog)
{
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  EXPECT_EQ (v->state, GC_MONITOR_IDLE);
  EXPECT_NE (strstr (v->status, "No catalog"), nullptr);
  EXPECT_FALSE (gc_monitor_wants_frame (monitor));
  guint8 px[16 * 16 * 4] = {};
  EXPECT_FALSE (gc_monitor_push_frame (monitor, px, 16, 16, 64, 0));
}

TEST_F (Monitor, WrongPriceOpensAViolationWithEvidenceAndTheLabel)
{
  std::string evidence = std::string (dir) + "/evidence";
  GcMonitorSettings s = settings (evidence.c_str ());
  s.source = "obs:before";
  g_autoptr (GError) error = NULL;
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, &error));
  EXPECT_TRUE (gc_monitor_wants_frame (monitor));
  /* The host learns its source's name later (an OBS filter is given its
   * settings before it is put on a source). */
  gc_monitor_set_source (monitor, "obs:Scene");

  show ("¥89.00", 4, 0.0);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  ASSERT_EQ (v->state, GC_MONITOR_CHECKING) << v->status;
  EXPECT_EQ (v->analysed, 4u);
  EXPECT_TRUE (has_rule (v, "price.mismatch")) << v->status;
  EXPECT_NE (strstr (v->status, "price.mismatch"), nullptr) << v->status;
  EXPECT_NE (strstr (v->status, "A1001"), nullptr) << v->status;
  /* Sponsored: the label the filter must draw, with the sponsor. */
  ASSERT_NE (v->label, nullptr);
  EXPECT_NE (strstr (v->label, "广告"), nullptr) << v->label;
  EXPECT_NE (strstr (v->label, "Brand X"), nullptr) << v->label;
  EXPECT_GT (v->label_min_height, 0.0);
  /* What was read, for the preview: the price among it, boxed. */
  bool price_read = false;
  for (guint i = 0; i < v->readings->len; i++) {
    auto &r = g_array_index (v->readings, GcMonitorReading, i);
    price_read = price_read || (strstr (r.text, "89") && r.box.w > 0);
  }
  EXPECT_TRUE (price_read);
  EXPECT_TRUE (log.has ("violation price.mismatch"));

  /* The evidence log has the start line and an image of the frame. */
  std::string jsonl = evidence + "/evidence.jsonl";
  g_autofree gchar *text = NULL;
  ASSERT_TRUE (g_file_get_contents (jsonl.c_str (), &text, NULL, NULL));
  EXPECT_NE (strstr (text, "\"event\":\"start\""), nullptr) << text;
  EXPECT_NE (strstr (text, "price.mismatch"), nullptr);
  EXPECT_NE (strstr (text, "obs:Scene"), nullptr);
  EXPECT_EQ (strstr (text, "obs:before"), nullptr);
  const GcViolation *viol = NULL;
  for (guint i = 0; i < v->violations->len; i++) {
    auto *c = static_cast<GcViolation *> (g_ptr_array_index (v->violations, i));
    if (g_strcmp0 (c->rule, "price.mismatch") == 0)
      viol = c;
  }
  ASSERT_NE (viol, nullptr);
  ASSERT_NE (viol->evidence, nullptr);
  EXPECT_TRUE (g_file_test (viol->evidence, G_FILE_TEST_IS_REGULAR))
      << viol->evidence;

  /* Freeing ends it: the "end" line is written. */
  gc_monitor_free (monitor);
  monitor = gc_monitor_new (Log::add, &log);
  g_free (text);
  text = NULL;
  ASSERT_TRUE (g_file_get_contents (jsonl.c_str (), &text, NULL, NULL));
  EXPECT_NE (strstr (text, "\"event\":\"end\""), nullptr) << text;
}

TEST_F (Monitor, RightPriceStaysClean)
{
  GcMonitorSettings s = settings ();
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  show ("¥99.00", 4, 0.0);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  ASSERT_EQ (v->state, GC_MONITOR_CHECKING) << v->status;
  EXPECT_EQ (v->violations->len, 0u) << v->status;
  EXPECT_NE (strstr (v->status, "no violation open"), nullptr) << v->status;
  /* Sponsored still: the label is drawn, so it is never missing. */
  EXPECT_NE (v->label, nullptr);
  EXPECT_FALSE (log.has ("violation "));
}

TEST_F (Monitor, BadCatalogKeepsTheLastGoodOne)
{
  GcMonitorSettings s = settings ();
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));

  std::string bad = std::string (dir) + "/bad.json";
  ASSERT_TRUE (g_file_set_contents (bad.c_str (),
          "{\"schema\": \"gst-compliance-catalog/1\", \"products\": [{\"sku\": 5}]}",
          -1, NULL));
  GcMonitorSettings b = s;
  b.catalog = bad.c_str ();
  g_autoptr (GError) error = NULL;
  EXPECT_FALSE (gc_monitor_configure (monitor, &b, &error));
  ASSERT_NE (error, nullptr);
  EXPECT_NE (strstr (error->message, "bad.json"), nullptr) << error->message;

  std::string missing = std::string (dir) + "/nope.json";
  b.catalog = missing.c_str ();
  g_clear_error (&error);
  EXPECT_FALSE (gc_monitor_configure (monitor, &b, &error));
  EXPECT_NE (strstr (error->message, "nope.json"), nullptr) << error->message;

  /* An unknown product on sale is an error too, naming it. */
  b = s;
  b.active_sku = "Z9";
  g_clear_error (&error);
  EXPECT_FALSE (gc_monitor_configure (monitor, &b, &error));
  EXPECT_NE (strstr (error->message, "Z9"), nullptr) << error->message;

  /* An unknown rule pack, naming it. */
  b = s;
  b.rules = "mars";
  g_clear_error (&error);
  EXPECT_FALSE (gc_monitor_configure (monitor, &b, &error));
  EXPECT_NE (strstr (error->message, "mars"), nullptr) << error->message;

  /* The good catalog still checks. */
  g_auto (GStrv) products = gc_monitor_products (monitor);
  ASSERT_EQ (g_strv_length (products), 2u);
  EXPECT_STREQ (products[0], "A1001\t保温杯");
  show ("¥89.00", 3, 0.0);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  EXPECT_TRUE (has_rule (v, "price.mismatch")) << v->status;
}

TEST_F (Monitor, ProductSwitchedLive)
{
  GcMonitorSettings s = settings ();
  s.active_sku = "B2002";
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  show ("¥59.90", 3, 0.0);
  {
    g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
    EXPECT_EQ (v->violations->len, 0u) << v->status;
    EXPECT_EQ (v->label, nullptr);      /* B2002 is not sponsored */
    EXPECT_NE (strstr (v->status, "B2002"), nullptr) << v->status;
  }
  s.active_sku = "A1001";
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  show ("¥59.90", 3, 3.0);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  EXPECT_TRUE (has_rule (v, "price.mismatch")) << v->status;
  EXPECT_NE (v->label, nullptr);
}

TEST_F (Monitor, MissingModelLeavesTheSourceAloneAndSaysWhy)
{
  /* PP-OCR asked for by name, its models nowhere. */
  g_setenv ("GST_COMPLIANCE_PPOCR_MODELS", dir, TRUE);
  GcMonitorSettings s = settings ();
  s.engine = GC_OCR_ENGINE_PPOCR;
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  gint stride;
  guint8 *f = screen ("¥89.00", 1, &stride);
  EXPECT_TRUE (gc_monitor_push_frame (monitor, f, 1280, 720, stride, 0));
  ASSERT_TRUE (gc_monitor_wait_idle (monitor, 60 * G_USEC_PER_SEC));
  g_unsetenv ("GST_COMPLIANCE_PPOCR_MODELS");
  {
    g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
    EXPECT_EQ (v->state, GC_MONITOR_FAILED);
    EXPECT_EQ (v->label, nullptr);
    EXPECT_NE (strstr (v->status, "Not checking"), nullptr) << v->status;
    EXPECT_NE (strstr (v->status, dir), nullptr) << v->status;
  }
  EXPECT_TRUE (log.has ("nothing is checked"));
  EXPECT_FALSE (gc_monitor_wants_frame (monitor));
  EXPECT_FALSE (gc_monitor_push_frame (monitor, f, 1280, 720, stride, 1));

  /* Settings again (the user picked another engine): it tries again. */
  s.engine = GC_OCR_ENGINE_TESSERACT;
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  EXPECT_TRUE (gc_monitor_push_frame (monitor, f, 1280, 720, stride, 2));
  ASSERT_TRUE (gc_monitor_wait_idle (monitor, 60 * G_USEC_PER_SEC));
  g_free (f);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  EXPECT_EQ (v->state, GC_MONITOR_CHECKING) << v->status;
}

/* Frames offered faster than they are read are dropped and counted,
 * never queued: every frame is either read or dropped. */
TEST_F (Monitor, BusyWorkerDropsAndCounts)
{
  GcMonitorSettings s = settings ();
  ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
  gint stride;
  guint8 *f = screen ("¥99.00", 3, &stride);
  guint accepted = 0;
  for (guint i = 0; i < 40; i++)
    accepted += gc_monitor_push_frame (monitor, f, 1280, 720, stride, i * 0.01);
  ASSERT_TRUE (gc_monitor_wait_idle (monitor, 120 * G_USEC_PER_SEC));
  g_free (f);
  g_autoptr (GcMonitorView) v = gc_monitor_view (monitor);
  EXPECT_GE (accepted, 1u);
  EXPECT_LT (accepted, 40u);
  EXPECT_EQ (v->analysed, accepted);
  EXPECT_EQ (v->analysed + v->dropped, 40u);
}

/* Freed while it reads: the free waits for the read, nothing leaks
 * (the sanitizer run checks). */
TEST_F (Monitor, FreedWhileReading)
{
  /* Tesseract: the quickest engine to start, 3 rounds (PP-OCR's 5 took
   * 45 s of the sanitizer run). */
  GcMonitorSettings s = settings ();
  s.engine = GC_OCR_ENGINE_TESSERACT;
  for (guint round = 0; round < 3; round++) {
    ASSERT_TRUE (gc_monitor_configure (monitor, &s, NULL));
    gint stride;
    guint8 *f = screen ("¥89.00", round, &stride);
    EXPECT_TRUE (gc_monitor_push_frame (monitor, f, 1280, 720, stride, 0));
    g_free (f);
    gc_monitor_free (monitor);
    monitor = gc_monitor_new (Log::add, &log);
  }
}

}  // namespace
