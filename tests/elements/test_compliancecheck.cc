/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* compliancecheck under GstHarness: buffers carrying hand-made text metas
 * go in; verdict metas, compliance-violation messages and evidence come
 * out. */
#include <gtest/gtest.h>

#include "element-test.h"
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>
#include <json-glib/json-glib.h>

#include "gstcompliancemeta.h"

namespace {

const char *kCatalog = R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "stream_date": "2026-11-29",
  "seller": {"name": "某某旗舰店"},
  "products": [
    {"sku": "A1001", "name": "保温杯", "price": 99.0, "reference_price": 129.0,
     "category": "general", "sponsored": true, "sponsor": "Brand X", "sold": 12000},
    {"sku": "B2002", "name": "蜂蜜", "price": 59.0, "reference_price": 79.0,
     "category": "food", "sold": 500},
    {"sku": "D4004", "name": "烟花", "price": 10.0, "category": "prohibited"}
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 30.0},
               {"sku": "B2002", "start": 30.0, "end": 60.0}]
})JSON";

const char *kCaps = "video/x-raw,format=I420,width=320,height=240,framerate=2/1";

GstStaticPadTemplate hsrc = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
GstStaticPadTemplate hsink = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));

struct Reading
{
  const char *text;
  int x, y, w, h;
  bool struck;
};

struct Msg
{
  std::string event, rule, sku, observed, declared, legal_ref, severity, evidence;
  double t_start, t_end;
  std::vector<int> bbox;
};

class Check : public ::testing::Test
{
protected:
  gchar *dir = nullptr;
  std::string catalog_path;
  GstHarness *h = nullptr;
  GstElement *el = nullptr;
  GstBus *bus = nullptr;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }

  void SetUp () override
  {
    dir = g_dir_make_tmp ("gc-check-XXXXXX", nullptr);
    catalog_path = write_file ("catalog.json", kCatalog);
  }
  void TearDown () override
  {
    if (h)
      gst_harness_teardown (h);
    if (bus)
      gst_object_unref (bus);
    rm_rf (dir);
    g_free (dir);
  }

  static void rm_rf (const gchar *path)
  {
    GDir *d = g_dir_open (path, 0, nullptr);
    if (d) {
      const gchar *name;
      while ((name = g_dir_read_name (d))) {
        gchar *child = g_build_filename (path, name, nullptr);
        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          rm_rf (child);
        else
          g_unlink (child);
        g_free (child);
      }
      g_dir_close (d);
    }
    g_rmdir (path);
  }

  std::string write_file (const char *name, const char *contents)
  {
    gchar *p = g_build_filename (dir, name, nullptr);
    EXPECT_TRUE (g_file_set_contents (p, contents, -1, nullptr));
    std::string s (p);
    g_free (p);
    return s;
  }

  std::string path (const char *name)
  {
    gchar *p = g_build_filename (dir, name, nullptr);
    std::string s (p);
    g_free (p);
    return s;
  }

  /* Builds the element with properties set before it starts. */
  GstElement *make (const char *props)
  {
    GstElement *e = gst_element_factory_make ("compliancecheck", nullptr);
    EXPECT_NE (e, nullptr) << "plugin not found; GST_PLUGIN_PATH=" << g_getenv ("GST_PLUGIN_PATH");
    gc_test::set_props (e, props);
    return e;
  }

  void start (const char *props)
  {
    el = make (props);
    bus = gst_bus_new ();
    gst_element_set_bus (el, bus);
    h = gst_harness_new_empty ();
    gst_harness_add_element_full (h, el, &hsrc, "sink", &hsink, "src");
    gst_object_unref (el);    /* the harness holds it */
    gst_harness_set_src_caps_str (h, kCaps);
  }

  GstBuffer *push (double t, std::vector<Reading> readings, bool with_meta = true)
  {
    GstBuffer *buf = gst_harness_create_buffer (h, 320 * 240 * 3 / 2);
    gst_buffer_memset (buf, 0, 0x10, 320 * 240 * 3 / 2);
    GST_BUFFER_PTS (buf) = (GstClockTime) (t * GST_SECOND);
    GST_BUFFER_DURATION (buf) = GST_SECOND / 2;
    if (with_meta) {
      std::vector<GstComplianceReading> rs;
      for (auto &r : readings) {
        GstComplianceReading cr = {};
        cr.text = (gchar *) r.text;
        cr.x = r.x; cr.y = r.y; cr.width = r.w; cr.height = r.h;
        cr.confidence = 0.9f;
        cr.struck = r.struck;
        rs.push_back (cr);
      }
      gst_buffer_add_compliance_text_meta (buf, GST_BUFFER_PTS (buf), 320, 240,
          rs.data (), rs.size ());
    }
    EXPECT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
    return gst_harness_pull (h);
  }

  /* Pushes and drops the output, checking the verdict meta is there. */
  void feed (double t, std::vector<Reading> readings)
  {
    GstBuffer *out = push (t, readings);
    ASSERT_NE (out, nullptr);
    EXPECT_NE (gst_buffer_get_compliance_verdict_meta (out), nullptr);
    gst_buffer_unref (out);
  }

  /* gst_bus_pop_filtered() drops what does not match, so drain everything
   * once and sort it. */
  std::vector<Msg> pending_violations;
  std::vector<std::string> pending_warnings, pending_errors;

  void drain ()
  {
    GstMessage *m;
    while ((m = gst_bus_pop (bus))) {
      if (gc_test::take_warning_or_error (m, pending_warnings,
              pending_errors)) {
        /* taken */
      } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
          && gst_structure_has_name (gst_message_get_structure (m),
              "compliance-violation")) {
        const GstStructure *s = gst_message_get_structure (m);
        Msg v;
        auto str = [s] (const char *f) {
          const char *x = gst_structure_get_string (s, f);
          return std::string (x ? x : "");
        };
        v.event = str ("event");
        v.rule = str ("rule");
        v.sku = str ("sku");
        v.observed = str ("observed");
        v.declared = str ("declared");
        v.legal_ref = str ("legal_ref");
        v.severity = str ("severity");
        v.evidence = str ("evidence");
        gst_structure_get_double (s, "t_start", &v.t_start);
        gst_structure_get_double (s, "t_end", &v.t_end);
        const GValue *bbox = gst_structure_get_value (s, "bbox");
        for (guint i = 0; bbox && i < gst_value_array_get_size (bbox); i++)
          v.bbox.push_back (g_value_get_int (gst_value_array_get_value (bbox, i)));
        pending_violations.push_back (v);
      }
      gst_message_unref (m);
    }
  }

  std::vector<Msg> violations ()
  {
    drain ();
    std::vector<Msg> out;
    out.swap (pending_violations);
    return out;
  }

  std::vector<std::string> messages_of (GstMessageType type)
  {
    drain ();
    std::vector<std::string> out;
    out.swap (type == GST_MESSAGE_WARNING ? pending_warnings : pending_errors);
    return out;
  }
};

const Reading kAd = {"广告", 280, 0, 40, 20, false};

TEST_F (Check, EveryBufferCarriesTheVerdict)
{
  start (("catalog=" + catalog_path).c_str ());
  GstBuffer *out = push (0.0, {}, false);
  ASSERT_NE (out, nullptr);
  GstComplianceVerdictMeta *v = gst_buffer_get_compliance_verdict_meta (out);
  ASSERT_NE (v, nullptr);
  EXPECT_EQ (v->n_violations, 0u);
  gst_buffer_unref (out);

  feed (0.0, {kAd});
  out = push (0.5, {kAd});
  v = gst_buffer_get_compliance_verdict_meta (out);
  ASSERT_NE (v, nullptr);
  EXPECT_STREQ (v->active_sku, "A1001");
  EXPECT_STREQ (v->sponsor, "Brand X");
  EXPECT_TRUE (v->disclosure_required);
  EXPECT_TRUE (v->disclosure_visible);
  EXPECT_EQ (v->pts, GST_SECOND / 2);
  gst_buffer_unref (out);
}

TEST_F (Check, PriceMismatchStartsEndsWithEveryField)
{
  start (("catalog=" + catalog_path).c_str ());
  Reading price = {"到手价 ¥89.00", 100, 150, 120, 30, false};
  feed (1.0, {kAd, price});
  EXPECT_TRUE (violations ().empty ()) << "one frame must raise nothing";
  GstBuffer *out = push (1.5, {kAd, price});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "start");
  EXPECT_EQ (v[0].rule, "price.mismatch");
  EXPECT_EQ (v[0].severity, "error");
  EXPECT_EQ (v[0].sku, "A1001");
  EXPECT_EQ (v[0].observed, "¥89.00");
  EXPECT_EQ (v[0].declared, "¥99.00");
  EXPECT_FALSE (v[0].legal_ref.empty ());
  EXPECT_DOUBLE_EQ (v[0].t_start, 1.0);
  EXPECT_EQ (v[0].bbox, (std::vector<int>{100, 150, 120, 30}));
  GstComplianceVerdictMeta *vm = gst_buffer_get_compliance_verdict_meta (out);
  ASSERT_EQ (vm->n_violations, 1u);
  EXPECT_STREQ (vm->violations[0].rule, "price.mismatch");
  gst_buffer_unref (out);

  feed (2.0, {kAd, price});
  feed (2.5, {kAd});
  EXPECT_TRUE (violations ().empty ());
  out = push (3.0, {kAd});
  v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "end");
  EXPECT_DOUBLE_EQ (v[0].t_start, 1.0);
  EXPECT_DOUBLE_EQ (v[0].t_end, 2.0);
  EXPECT_EQ (gst_buffer_get_compliance_verdict_meta (out)->n_violations, 0u);
  gst_buffer_unref (out);
}

/* Each rule: the reading that fires it, and where it starts. */
struct RuleCase
{
  const char *rule;
  const char *props;            /* extra properties */
  double t0;
  std::vector<Reading> readings;
  const char *observed;
};

class EachRule : public Check, public ::testing::WithParamInterface<RuleCase> {};

TEST_P (EachRule, FiresAtTheRightTimeAndEndsWhenTextGoes)
{
  const RuleCase &c = GetParam ();
  std::string props = "catalog=" + catalog_path + (c.props ? std::string (" ") + c.props : "");
  start (props.c_str ());
  for (int i = 0; i < 3; i++)
    feed (c.t0 + i * 0.5, c.readings);
  auto v = violations ();
  ASSERT_GE (v.size (), 1u);
  const Msg *m = nullptr;
  for (auto &x : v)
    if (x.rule == c.rule)
      m = &x;
  ASSERT_NE (m, nullptr) << c.rule << " did not fire";
  EXPECT_EQ (m->event, "start");
  EXPECT_DOUBLE_EQ (m->t_start, c.t0);
  EXPECT_EQ (m->observed, c.observed);
  EXPECT_FALSE (m->legal_ref.empty ());
  /* The text goes (the ad label stays): it ends. */
  for (int i = 3; i < 6; i++)
    feed (c.t0 + i * 0.5, {kAd});
  bool ended = false;
  for (auto &x : violations ())
    if (x.rule == c.rule && x.event == "end") {
      ended = true;
      EXPECT_DOUBLE_EQ (x.t_end, c.t0 + 1.0);
    }
  EXPECT_TRUE (ended || std::string (c.rule) == "product.prohibited"
      || std::string (c.rule) == "disclosure.missing") << c.rule;
}

INSTANTIATE_TEST_SUITE_P (Rules, EachRule, ::testing::Values (
    RuleCase {"price.mismatch", nullptr, 2.0, {kAd, {"到手价 ¥89.00", 10, 10, 100, 20, false}}, "¥89.00"},
    RuleCase {"price.reference_inflated", nullptr, 2.0, {kAd, {"原价 ¥199", 10, 40, 100, 20, true}}, "¥199.00"},
    RuleCase {"claim.absolute_term", nullptr, 2.0, {kAd, {"全网最低价", 10, 70, 100, 20, false}}, "全网最低价"},
    RuleCase {"claim.medical", nullptr, 2.0, {kAd, {"喝了能治愈失眠", 10, 70, 100, 20, false}}, "治愈"},
    RuleCase {"claim.sales_inflated", nullptr, 2.0, {kAd, {"已售10万+", 10, 100, 100, 20, false}}, "已售10万+"},
    RuleCase {"product.undeclared", nullptr, 70.0, {{"到手价 ¥49", 10, 10, 100, 20, false}}, "¥49.00"},
    RuleCase {"product.prohibited", "active-sku=D4004", 2.0, {}, "烟花"},
    RuleCase {"disclosure.missing", nullptr, 2.0, {{"保温杯 热卖", 10, 10, 100, 20, false}}, "no ad label on screen"}),
    [] (const ::testing::TestParamInfo<RuleCase> &info) {
      std::string n = info.param.rule;
      for (auto &ch : n)
        if (ch == '.') ch = '_';
      return n;
    });

TEST_F (Check, CompliantFramesRaiseNothing)
{
  start (("catalog=" + catalog_path).c_str ());
  for (int i = 0; i < 8; i++)
    feed (i * 0.5, {kAd, {"到手价 ¥99.00", 10, 10, 100, 20, false},
                           {"原价 ¥129", 10, 40, 100, 20, true},
                           {"已售1.2万", 10, 70, 100, 20, false}});
  gst_harness_push_event (h, gst_event_new_eos ());
  EXPECT_TRUE (violations ().empty ());
}

TEST_F (Check, OneMisreadFrameRaisesNothing)
{
  start (("catalog=" + catalog_path).c_str ());
  for (int i = 0; i < 6; i++)
    feed (i * 0.5, {kAd, {i == 2 ? "到手价 ¥89.00" : "到手价 ¥99.00", 10, 10, 100, 20, false}});
  gst_harness_push_event (h, gst_event_new_eos ());
  EXPECT_TRUE (violations ().empty ());
}

TEST_F (Check, EosEndsOpenViolations)
{
  start (("catalog=" + catalog_path).c_str ());
  for (int i = 0; i < 3; i++)
    feed (i * 0.5, {kAd, {"全网第一", 10, 10, 100, 20, false}});
  ASSERT_EQ (violations ().size (), 1u);
  gst_harness_push_event (h, gst_event_new_eos ());
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "end");
  EXPECT_DOUBLE_EQ (v[0].t_end, 1.0);
}

TEST_F (Check, ActiveSkuChangesWhilePlaying)
{
  start (("catalog=" + catalog_path).c_str ());
  feed (0, {kAd, {"到手价 ¥59", 10, 10, 100, 20, false}});
  feed (0.5, {kAd, {"到手价 ¥59", 10, 10, 100, 20, false}});
  ASSERT_EQ (violations ().size (), 1u) << "¥59 is not A1001's price";
  g_object_set (el, "active-sku", "B2002", NULL);
  feed (1.0, {{"到手价 ¥59", 10, 10, 100, 20, false}});
  GstBuffer *out = push (1.5, {{"到手价 ¥59", 10, 10, 100, 20, false}});
  EXPECT_STREQ (gst_buffer_get_compliance_verdict_meta (out)->active_sku, "B2002");
  gst_buffer_unref (out);
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "end");
  EXPECT_EQ (v[0].sku, "A1001");
}

TEST_F (Check, CustomEventSwitchesProduct)
{
  start (("catalog=" + catalog_path).c_str ());
  GstStructure *s = gst_structure_new ("compliance-set-product", "sku",
      G_TYPE_STRING, "D4004", NULL);
  EXPECT_TRUE (gst_harness_push_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
  feed (0, {});
  feed (0.5, {});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].rule, "product.prohibited");
  gchar *sku = nullptr;
  g_object_get (el, "active-sku", &sku, NULL);
  EXPECT_STREQ (sku, "D4004");
  g_free (sku);

  /* Upstream, as an application sends it from the sink side. */
  s = gst_structure_new ("compliance-set-product", "sku", G_TYPE_STRING, "", NULL);
  EXPECT_TRUE (gst_harness_push_upstream_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, s)));
  GstBuffer *out = push (1.0, {kAd});
  EXPECT_STREQ (gst_buffer_get_compliance_verdict_meta (out)->active_sku, "A1001");
  gst_buffer_unref (out);
}

/* claim.audience_inflated: the attested figures come as a custom event
 * (downstream or upstream) or from the metrics file; a figure on screen
 * above them (10% tolerance) is a violation, one within them is not. */
TEST_F (Check, AttestedAudienceByEventAndFile)
{
  start (("catalog=" + catalog_path).c_str ());
  GstStructure *s = gst_structure_new ("compliance-metrics", "viewers",
      G_TYPE_INT, 31650, NULL);
  EXPECT_TRUE (gst_harness_push_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
  feed (0, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  feed (0.5, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  EXPECT_TRUE (violations ().empty ()) << "within the attested count";
  /* Upstream, from the application, with its own time (an integer). */
  s = gst_structure_new ("compliance-metrics", "viewers", G_TYPE_DOUBLE,
      12000.0, "t", G_TYPE_INT, 0, NULL);
  EXPECT_TRUE (gst_harness_push_upstream_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, s)));
  feed (1.0, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  feed (1.5, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].rule, "claim.audience_inflated");
  /* Its own time, given as an integer, not the next frame's (1.0 s). */
  EXPECT_EQ (v[0].declared, "attested 12000 viewers at 0.0 s");
  /* A figure that is no count is said, not taken. */
  s = gst_structure_new ("compliance-metrics", "likes", G_TYPE_STRING,
      "many", NULL);
  EXPECT_TRUE (gst_harness_push_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
  feed (2.0, {kAd});
  bool warned = false;
  for (const std::string &w : messages_of (GST_MESSAGE_WARNING))
    warned |= w.find ("\"likes\" is not a count") != std::string::npos;
  EXPECT_TRUE (warned);
}

TEST_F (Check, HotCatalogSwapByProperty)
{
  start (("catalog=" + catalog_path).c_str ());
  Reading p = {"到手价 ¥89.00", 10, 10, 100, 20, false};
  feed (0, {kAd, p});
  feed (0.5, {kAd, p});
  ASSERT_EQ (violations ().size (), 1u);

  /* The seller lowers the declared price: the mismatch ends. */
  std::string cheaper = kCatalog;
  cheaper.replace (cheaper.find ("\"price\": 99.0"), 13, "\"price\": 89.0");
  std::string p2 = write_file ("catalog2.json", cheaper.c_str ());
  g_object_set (el, "catalog", p2.c_str (), NULL);
  feed (1.0, {kAd, p});
  feed (1.5, {kAd, p});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "end");
  EXPECT_TRUE (messages_of (GST_MESSAGE_WARNING).empty ());
}

TEST_F (Check, BadCatalogWhileRunningIsRefusedAndOldStays)
{
  start (("catalog=" + catalog_path).c_str ());
  std::string bad = write_file ("bad.json",
      R"({"schema": "gst-compliance-catalog/1", "products": [{"sku": "X", "name": "x", "price": -5}]})");
  g_object_set (el, "catalog", bad.c_str (), NULL);
  auto w = messages_of (GST_MESSAGE_WARNING);
  ASSERT_EQ (w.size (), 1u);
  EXPECT_NE (w[0].find ("bad.json"), std::string::npos) << w[0];
  EXPECT_NE (w[0].find ("price"), std::string::npos) << w[0];
  gchar *prop = nullptr;
  g_object_get (el, "catalog", &prop, NULL);
  EXPECT_EQ (std::string (prop), catalog_path);
  g_free (prop);
  /* The old catalog still judges. */
  Reading p = {"到手价 ¥89.00", 10, 10, 100, 20, false};
  feed (0, {kAd, p});
  feed (0.5, {kAd, p});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].declared, "¥99.00");
}

TEST_F (Check, CatalogChangedOnDiskIsSwappedIn)
{
  start (("catalog=" + catalog_path).c_str ());
  Reading p = {"到手价 ¥89.00", 10, 10, 100, 20, false};
  feed (0, {kAd, p});
  feed (0.5, {kAd, p});
  ASSERT_EQ (violations ().size (), 1u);
  std::string cheaper = kCatalog;
  cheaper.replace (cheaper.find ("\"price\": 99.0"), 13, "\"price\": 89.0");
  /* mtime granularity and the once-a-second poll. */
  g_usleep (1100 * 1000);
  write_file ("catalog.json", cheaper.c_str ());
  g_usleep (1100 * 1000);
  feed (1.0, {kAd, p});
  feed (1.5, {kAd, p});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].event, "end");

  /* A broken edit on disk is refused once, with a warning. */
  g_usleep (1100 * 1000);
  write_file ("catalog.json", "{ \"schema\": ");
  g_usleep (1100 * 1000);
  feed (2.0, {kAd, p});
  g_usleep (1100 * 1000);
  feed (2.5, {kAd, p});
  auto w = messages_of (GST_MESSAGE_WARNING);
  ASSERT_EQ (w.size (), 1u);
  EXPECT_NE (w[0].find ("catalog.json"), std::string::npos) << w[0];
  EXPECT_TRUE (violations ().empty ()) << "89 still matches the catalog in use";
}

/* Start-up failures: the state change fails with the loader's message. */
std::string
start_error (GstElement *e)
{
  GstBus *b = gst_bus_new ();
  gst_element_set_bus (e, b);
  GstStateChangeReturn ret = gst_element_set_state (e, GST_STATE_PLAYING);
  EXPECT_EQ (ret, GST_STATE_CHANGE_FAILURE);
  std::string text;
  GstMessage *m = gst_bus_pop_filtered (b, GST_MESSAGE_ERROR);
  if (m) {
    GError *err = nullptr;
    gst_message_parse_error (m, &err, nullptr);
    text = err->message;
    g_error_free (err);
    gst_message_unref (m);
  }
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, nullptr);
  gst_object_unref (b);
  gst_object_unref (e);
  return text;
}

TEST_F (Check, BadCatalogFailsTheStateChange)
{
  std::string bad = write_file ("bad.json", R"({"schema": "gst-compliance-catalog/1",
    "products": [{"sku": "A1", "name": "x", "price": 1},
                 {"sku": "A1", "name": "y", "price": 2}]})");
  std::string msg = start_error (make (("catalog=" + bad).c_str ()));
  EXPECT_NE (msg.find ("bad.json"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("A1"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("duplicate"), std::string::npos) << msg;
}

TEST_F (Check, MissingCatalogFailsTheStateChange)
{
  std::string msg = start_error (make ("catalog=/nonexistent/products.json"));
  EXPECT_NE (msg.find ("/nonexistent/products.json"), std::string::npos) << msg;
}

TEST_F (Check, UnknownRulePackFailsAndListsKnownOnes)
{
  std::string msg = start_error (make ("rules=xx"));
  EXPECT_NE (msg.find ("xx"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("cn"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("eu"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("us"), std::string::npos) << msg;
}

TEST_F (Check, BadStreamDateFails)
{
  std::string msg = start_error (make ("stream-date=yesterday"));
  EXPECT_NE (msg.find ("stream-date"), std::string::npos) << msg;
}

TEST_F (Check, MetricsFileAndItsErrors)
{
  std::string m = write_file ("metrics.jsonl",
      "{\"t\": 0, \"viewers\": 1000}\n");
  start (("catalog=" + catalog_path + " metrics=" + m).c_str ());
  feed (0, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  feed (0.5, {kAd, {"3.2万人在看", 10, 10, 100, 20, false}});
  auto v = violations ();
  ASSERT_EQ (v.size (), 1u);
  EXPECT_EQ (v[0].rule, "claim.audience_inflated");
  EXPECT_EQ (v[0].declared, "attested 1000 viewers at 0.0 s");

  std::string bad = write_file ("bad.jsonl", "{\"t\": 0, \"viewers\": 1}\n"
      "{\"t\": 1}\n");
  std::string msg = start_error (make (("metrics=" + bad).c_str ()));
  EXPECT_NE (msg.find ("bad.jsonl:2: no figure"), std::string::npos) << msg;
}

TEST_F (Check, NoCatalogRunsCatalogFreeRules)
{
  start (nullptr);
  for (int i = 0; i < 2; i++)
    feed (i * 0.5, {{"到手价 ¥89", 10, 10, 100, 20, false},
                    {"根治失眠", 10, 40, 100, 20, false}});
  auto v = violations ();
  std::vector<std::string> rules;
  for (auto &m : v)
    rules.push_back (m.rule);
  std::sort (rules.begin (), rules.end ());
  EXPECT_EQ (rules, (std::vector<std::string>{"claim.medical", "product.undeclared"}));
}


TEST_F (Check, EvidenceLogAndImageSurviveRestart)
{
  std::string ev = path ("evidence");
  for (int run = 0; run < 2; run++) {
    start (("catalog=" + catalog_path + " evidence-dir=" + ev).c_str ());
    Reading p = {"到手价 ¥89.00", 100, 100, 80, 20, false};
    feed (0, {kAd, p});
    feed (0.5, {kAd, p});
    auto v = violations ();
    ASSERT_EQ (v.size (), 1u);
    /* The directory joined with RUN-MS-ID.png. */
    EXPECT_EQ (v[0].evidence.rfind (ev + "/", 0), 0u) << v[0].evidence;
    EXPECT_TRUE (g_str_has_suffix (v[0].evidence.c_str (), ".png"));
    gst_harness_push_event (h, gst_event_new_eos ());
    auto end = violations ();
    ASSERT_EQ (end.size (), 1u);
    EXPECT_EQ (end[0].evidence, v[0].evidence);
    /* Stopping drains the image writer. */
    gst_harness_teardown (h);
    h = nullptr;
    gst_object_unref (bus);
    bus = nullptr;

    std::string png = v[0].evidence;
    gchar *data = nullptr;
    gsize len = 0;
    ASSERT_TRUE (g_file_get_contents (png.c_str (), &data, &len, nullptr)) << png;
    ASSERT_GT (len, 8u);
    EXPECT_EQ (memcmp (data, "\x89PNG\r\n\x1a\n", 8), 0);
    g_free (data);
  }
  auto lines = gc_test::read_lines (ev + "/evidence.jsonl");
  ASSERT_EQ (lines.size (), 6u) << "start, end and evidence per run, nothing truncated";
  JsonParser *parser = json_parser_new ();
  ASSERT_TRUE (json_parser_load_from_data (parser, lines[0].c_str (), -1, nullptr));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  EXPECT_STREQ (json_object_get_string_member (o, "event"), "start");
  EXPECT_STREQ (json_object_get_string_member (o, "rule"), "price.mismatch");
  EXPECT_STREQ (json_object_get_string_member (o, "observed"), "¥89.00");
  JsonArray *bbox = json_object_get_array_member (o, "bbox");
  EXPECT_EQ (json_array_get_int_element (bbox, 0), 100);
  /* Per run: start first, then its end and its image's line; the image
   * named is in the directory, and each run has its own id. */
  std::map<std::string, std::vector<std::string>> events;
  std::set<std::string> images;
  for (auto &line : lines) {
    ASSERT_TRUE (json_parser_load_from_data (parser, line.c_str (), -1, nullptr)) << line;
    o = json_node_get_object (json_parser_get_root (parser));
    std::string run = json_object_get_string_member (o, "run");
    std::string event = json_object_get_string_member (o, "event");
    events[run].push_back (event);
    if (event == "evidence") {
      std::string name = json_object_get_string_member (o, "evidence");
      EXPECT_EQ (name.rfind (run + "-", 0), 0u) << name;
      EXPECT_TRUE (g_file_test ((ev + "/" + name).c_str (), G_FILE_TEST_IS_REGULAR));
      images.insert (name);
    } else {
      EXPECT_TRUE (json_object_get_null_member (o, "evidence")) << line;
    }
  }
  ASSERT_EQ (events.size (), 2u);
  for (auto &[run, evs] : events) {
    ASSERT_EQ (evs.size (), 3u) << run;
    EXPECT_EQ (evs[0], "start");
    std::multiset<std::string> rest (evs.begin () + 1, evs.end ());
    EXPECT_EQ (rest, (std::multiset<std::string>{"end", "evidence"}));
  }
  EXPECT_EQ (images.size (), 2u);
  g_object_unref (parser);
}

TEST_F (Check, UnwritableEvidenceDirWarnsAndStreamGoesOn)
{
  std::string file = write_file ("not-a-dir", "x");
  start (("catalog=" + catalog_path + " evidence-dir=" + file + "/sub").c_str ());
  auto w = messages_of (GST_MESSAGE_WARNING);
  ASSERT_EQ (w.size (), 1u);
  EXPECT_NE (w[0].find ("not-a-dir"), std::string::npos) << w[0];
  Reading p = {"到手价 ¥89.00", 100, 100, 80, 20, false};
  feed (0, {kAd, p});
  feed (0.5, {kAd, p});
  EXPECT_EQ (violations ().size (), 1u);
}

TEST_F (Check, DiskFullWarnsOnceAndStreamGoesOn)
{
  std::string ev = path ("ev");
  g_mkdir (ev.c_str (), 0755);
  ASSERT_EQ (symlink ("/dev/full", (ev + "/evidence.jsonl").c_str ()), 0);
  start (("catalog=" + catalog_path + " evidence-dir=" + ev).c_str ());
  for (int i = 0; i < 4; i++)
    feed (i * 0.5, {kAd, {i < 2 ? "全网第一" : "到手价 ¥89", 10, 10, 100, 20, false}});
  EXPECT_EQ (violations ().size (), 3u);
  auto w = messages_of (GST_MESSAGE_WARNING);
  EXPECT_EQ (w.size (), 1u);
}

TEST_F (Check, RestartCyclesLeaveNothingBehind)
{
  GstElement *e = make (("catalog=" + catalog_path + " evidence-dir=" + path ("cyc")).c_str ());
  for (int i = 0; i < 20; i++) {
    ASSERT_NE (gst_element_set_state (e, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    ASSERT_EQ (gst_element_set_state (e, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (e);
}

}  // namespace
