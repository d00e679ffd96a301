/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* End to end: clips with rendered on-screen text go through
 * complianceocr ! compliancecheck.  Each rule fires on its clip, at the
 * clip's time, and a fully compliant clip raises nothing. */
#include <gtest/gtest.h>
#include <gst/gst.h>
#include <glib/gstdio.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace {

/* A1001 is sponsored and scheduled 0-600 s, sold at ¥129 in the window
 * and at ¥159 on 1 July, and comes with one 杯套 worth ¥19; D4004 is
 * prohibited; R5005 a prescription drug (prohibited in the CN pack); H6006
 * health food, which owes 本品不能代替药物 on screen; K7007's offered price
 * went from ¥99 to ¥129 four days before the stream (and sold at ¥129
 * since). */
const char *kCatalog = R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "stream_date": "2026-11-29",
  "products": [
    {"sku": "A1001", "name": "保温杯", "price": 99.0, "reference_price": 129.0,
     "category": "general", "sponsored": true, "sponsor": "Brand X", "sold": 12000,
     "transactions": [{"date": "2026-07-01", "price": 159.0},
       {"date": "2026-11-24", "price": 129.0}],
     "gifts": [{"name": "杯套", "quantity": 1, "price": 19.0}]},
    {"sku": "D4004", "name": "烟花", "price": 10.0, "category": "prohibited"},
    {"sku": "R5005", "name": "处方药片", "price": 10.0, "category": "rx_drug"},
    {"sku": "H6006", "name": "鱼油", "price": 99.0, "category": "health_food"},
    {"sku": "K7007", "name": "电饭煲", "price": 89.0,
     "price_history": [{"date": "2026-10-01", "price": 99.0},
       {"date": "2026-11-25", "price": 129.0}],
     "transactions": [{"date": "2026-11-01", "price": 99.0},
       {"date": "2026-11-26", "price": 129.0}]}
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 600.0}]
})JSON";

struct Clip
{
  const char *name;
  std::vector<const char *> lines;  /* rendered top to bottom */
  const char *props;                /* extra compliancecheck properties */
  std::vector<std::string> expect;  /* rules that must start, sorted */
  bool with_catalog = true;
};

struct Event
{
  std::string rule, observed;
  double t_start;
};

class PipelineRules : public ::testing::TestWithParam<Clip>
{
protected:
  gchar *dir = nullptr;
  std::string catalog;
  /* The CN pack with no grace for required statements, so that
   * disclosure.statement_missing fires at the start of a 3 s clip. */
  std::string nograce;
  /* The platform attests 12,000 viewers from the start. */
  std::string metrics;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }
  void SetUp () override
  {
    dir = g_dir_make_tmp ("gc-e2e-XXXXXX", nullptr);
    gchar *p = g_build_filename (dir, "catalog.json", nullptr);
    ASSERT_TRUE (g_file_set_contents (p, kCatalog, -1, nullptr));
    catalog = p;
    g_free (p);

    gchar *cn = g_build_filename (g_getenv ("GST_COMPLIANCE_MODELS_DIR"),
        "rules", "cn.json", nullptr);
    gchar *text = nullptr;
    ASSERT_TRUE (g_file_get_contents (cn, &text, nullptr, nullptr)) << cn;
    std::string pack (text);
    g_free (text);
    g_free (cn);
    size_t at = pack.find ("\"grace_seconds\": 10");
    ASSERT_NE (at, std::string::npos);
    pack.replace (at, strlen ("\"grace_seconds\": 10"), "\"grace_seconds\": 0");
    p = g_build_filename (dir, "cn-nograce.json", nullptr);
    ASSERT_TRUE (g_file_set_contents (p, pack.c_str (), -1, nullptr));
    nograce = p;
    g_free (p);
    p = g_build_filename (dir, "metrics.jsonl", nullptr);
    ASSERT_TRUE (g_file_set_contents (p, "{\"t\": 0, \"viewers\": 12000}\n",
            -1, nullptr));
    metrics = p;
    g_free (p);
  }
  void TearDown () override
  {
    g_unlink (catalog.c_str ());
    if (!nograce.empty ())
      g_unlink (nograce.c_str ());
    if (!metrics.empty ())
      g_unlink (metrics.c_str ());
    g_rmdir (dir);
    g_free (dir);
  }

  /* 3 s at 4 fps, 640x360, every frame analysed (replay, 250 ms).  One
   * textoverlay per line, stacked; white text on a dark background, as
   * live-sale overlays are.  24 pt is a size at which chi_sim+eng reads
   * 原价 beside a price as Latin junk, which the engine's label re-read
   * must repair, or the compliant clip raises price.mismatch. */
  /* The clip's properties, "@NOGRACE" standing for that pack's path and
   * "@METRICS" for the metrics file's. */
  std::string props_of (const Clip &c)
  {
    std::string props = c.props ? c.props : "";
    size_t at = props.find ("@NOGRACE");
    if (at != std::string::npos)
      props.replace (at, strlen ("@NOGRACE"), "\"" + nograce + "\"");
    at = props.find ("@METRICS");
    if (at != std::string::npos)
      props.replace (at, strlen ("@METRICS"), "\"" + metrics + "\"");
    return props;
  }

  std::vector<Event> run (const Clip &c)
  {
    std::string launch = "videotestsrc pattern=solid-color foreground-color=0xff203040 "
        "num-buffers=12 ! video/x-raw,width=640,height=360,framerate=4/1";
    int y = 40;
    for (const char *l : c.lines) {
      launch += std::string (" ! textoverlay text=\"") + l + "\" "
          "font-desc=\"Noto Sans CJK SC 24\" valignment=top halignment=left "
          "xpad=40 ypad=" + std::to_string (y) + " shaded-background=false";
      y += 70;
    }
    /* One OCR thread: the rules are under test here, not the threads (and
     * every Tesseract costs seconds to start under the sanitizers). */
    launch += " ! videoconvert ! complianceocr mode=replay interval=250 threads=1 ! "
        "compliancecheck " + (c.with_catalog ? "catalog=\"" + catalog + "\" " : "")
        + props_of (c) + " ! fakesink";

    GError *err = nullptr;
    GstElement *pipe = gst_parse_launch (launch.c_str (), &err);
    EXPECT_NE (pipe, nullptr) << (err ? err->message : "");
    if (!pipe)
      return {};
    GstBus *bus = gst_element_get_bus (pipe);
    EXPECT_NE (gst_element_set_state (pipe, GST_STATE_PLAYING),
        GST_STATE_CHANGE_FAILURE);
    std::vector<Event> out;
    for (bool done = false; !done;) {
      GstMessage *m = gst_bus_timed_pop (bus, 120 * GST_SECOND);
      if (m == nullptr) {
        ADD_FAILURE () << "pipeline stalled";
        break;
      }
      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS) {
        done = true;
      } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
        GError *e = nullptr;
        gst_message_parse_error (m, &e, nullptr);
        ADD_FAILURE () << e->message;
        g_error_free (e);
        done = true;
      } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT) {
        const GstStructure *s = gst_message_get_structure (m);
        if (gst_structure_has_name (s, "compliance-violation")
            && g_strcmp0 (gst_structure_get_string (s, "event"), "start") == 0) {
          Event e;
          e.rule = gst_structure_get_string (s, "rule");
          const char *obs = gst_structure_get_string (s, "observed");
          e.observed = obs ? obs : "";
          gst_structure_get_double (s, "t_start", &e.t_start);
          out.push_back (e);
        }
      }
      gst_message_unref (m);
    }
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (pipe);
    return out;
  }
};

TEST_P (PipelineRules, FiresOnItsClipOnly)
{
  const Clip &c = GetParam ();
  std::vector<Event> events = run (c);
  std::vector<std::string> rules;
  std::string seen;
  for (auto &e : events) {
    rules.push_back (e.rule);
    seen += e.rule + " (" + e.observed + ") ";
    /* Two analysed frames confirm it: it was first seen at the start. */
    EXPECT_LE (e.t_start, 0.5) << e.rule;
  }
  std::sort (rules.begin (), rules.end ());
  rules.erase (std::unique (rules.begin (), rules.end ()), rules.end ());
  EXPECT_EQ (rules, c.expect) << "clip " << c.name << " raised: " << seen;
}

INSTANTIATE_TEST_SUITE_P (Clips, PipelineRules, ::testing::Values (
    Clip {"compliant", {"广告", "到手价 ¥99.00", "原价 ¥129", "已售1.2万"}, nullptr, {}},
    Clip {"price_mismatch", {"广告", "到手价 ¥89.00"}, nullptr, {"price.mismatch"}},
    Clip {"reference_inflated", {"广告", "原价 ¥199"}, nullptr, {"price.reference_inflated"}},
    Clip {"absolute_term", {"广告", "全网最低价"}, nullptr, {"claim.absolute_term"}},
    Clip {"medical", {"广告", "喝了能治愈失眠"}, nullptr, {"claim.medical"}},
    Clip {"sales_inflated", {"广告", "已售10万+"}, nullptr, {"claim.sales_inflated"}},
    Clip {"disclosure_missing", {"保温杯 热卖中"}, nullptr, {"disclosure.missing"}},
    Clip {"undeclared", {"到手价 ¥49"}, nullptr, {"product.undeclared"}, false},
    Clip {"prohibited", {"烟花 限时特惠"}, "active-sku=D4004", {"product.prohibited"}},
    Clip {"rx_drug", {"处方药片 限时特惠"}, "active-sku=R5005", {"product.prohibited"}},
    Clip {"statement_missing", {"鱼油 到手价 ¥99.00"},
        "active-sku=H6006 rules=@NOGRACE", {"disclosure.statement_missing"}},
    Clip {"raised_before_discount", {"原价 ¥129"}, "active-sku=K7007",
        {"price.raised_before_discount"}},
    Clip {"statement_shown", {"鱼油 到手价 ¥99.00", "本品不能代替药物"},
        "active-sku=H6006 rules=@NOGRACE", {}},
    /* Issue 17: a compared price that states its day is judged by that
     * day's sales; gifts by the catalog's; audience figures by the
     * platform's. */
    Clip {"reference_stated", {"广告", "7月1日成交价 ¥159"}, nullptr, {}},
    Clip {"reference_stated_wrong_day", {"广告", "11月20日成交价 ¥159"}, nullptr,
        {"price.reference_inflated"}},
    Clip {"gift_shown", {"广告", "赠 杯套1个 价值¥19"}, nullptr, {}},
    Clip {"gift_undisclosed", {"广告", "下单就送杯套"}, nullptr,
        {"gift.undisclosed"}},
    Clip {"gift_value_inflated", {"广告", "赠 杯套1个 价值¥59"}, nullptr,
        {"gift.value_inflated"}},
    Clip {"audience_inflated", {"广告", "3.2万人在看"}, "metrics=@METRICS",
        {"claim.audience_inflated"}},
    Clip {"audience_unattested", {"广告", "3.2万人在看"}, nullptr, {}}),
    [] (const ::testing::TestParamInfo<Clip> &info) { return std::string (info.param.name); });

}  // namespace
