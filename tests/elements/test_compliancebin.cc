/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* compliancebin: the three elements in one, properties proxied, and a real
 * pipeline from rendered text to a violation with the label drawn. */
#include <gtest/gtest.h>
#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include "gstcompliancemeta.h"
#include <glib/gstdio.h>

#include <string>
#include <vector>

namespace {

const char *kCatalog = R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "products": [
    {"sku": "A1001", "name": "保温杯", "price": 99.0, "reference_price": 129.0,
     "category": "general", "sponsored": true, "sponsor": "Brand X"}
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 600.0}]
})JSON";

class Bin : public ::testing::Test
{
protected:
  gchar *dir = nullptr;
  std::string catalog;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }
  void SetUp () override
  {
    dir = g_dir_make_tmp ("gc-bin-XXXXXX", nullptr);
    gchar *p = g_build_filename (dir, "catalog.json", nullptr);
    ASSERT_TRUE (g_file_set_contents (p, kCatalog, -1, nullptr));
    catalog = p;
    g_free (p);
  }
  void TearDown () override
  {
    g_unlink (catalog.c_str ());
    g_rmdir (dir);
    g_free (dir);
  }
};

GstElement *
child (GstElement *bin, const char *name)
{
  return gst_bin_get_by_name (GST_BIN (bin), name);
}

TEST_F (Bin, EveryWritableChildPropertyIsProxied)
{
  /* What can be set on the three elements can be set on the bin (the two
   * modes as ocr-mode and overlay-mode; label-drawn is the bin's to set):
   * a property added to an element and forgotten here fails this. */
  GstElement *bin = gst_element_factory_make ("compliancebin", nullptr);
  ASSERT_NE (bin, nullptr);
  for (const char *name : {"ocr", "check", "overlay"}) {
    GstElement *c = child (bin, name);
    ASSERT_NE (c, nullptr) << name;
    guint n = 0;
    GParamSpec **specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (c), &n);
    for (guint i = 0; i < n; i++) {
      const gchar *prop = specs[i]->name;
      if (!(specs[i]->flags & G_PARAM_WRITABLE)
          || g_str_equal (prop, "label-drawn")
          || specs[i]->owner_type == GST_TYPE_OBJECT
          || specs[i]->owner_type == GST_TYPE_BASE_TRANSFORM)
        continue;
      std::string want = g_str_equal (prop, "mode")
          ? std::string (g_str_equal (name, "ocr") ? "ocr" : "overlay") + "-mode"
          : prop;
      EXPECT_NE (g_object_class_find_property (G_OBJECT_GET_CLASS (bin),
              want.c_str ()), nullptr) << name << "." << prop
          << " is not a compliancebin property";
    }
    g_free (specs);
    gst_object_unref (c);
  }
  gst_object_unref (bin);
}

TEST_F (Bin, ProxiesPropertiesToTheRightChildren)
{
  GstElement *bin = gst_element_factory_make ("compliancebin", nullptr);
  ASSERT_NE (bin, nullptr);
  g_object_set (bin, "catalog", catalog.c_str (), "rules", "eu",
      "interval", 250u, "overlay-mode", 1 /* preview */, "active-sku", "A1001",
      NULL);
  gst_util_set_object_arg (G_OBJECT (bin), "ocr-mode", "replay");

  GstElement *ocr = child (bin, "ocr"), *check = child (bin, "check"),
      *overlay = child (bin, "overlay");
  ASSERT_TRUE (ocr && check && overlay);
  gchar *s = nullptr;
  g_object_get (check, "catalog", &s, NULL);
  EXPECT_EQ (std::string (s), catalog);
  g_free (s);
  g_object_get (overlay, "catalog", &s, NULL);
  EXPECT_EQ (std::string (s), catalog);
  g_free (s);
  g_object_get (overlay, "rules", &s, NULL);
  EXPECT_STREQ (s, "eu");
  g_free (s);
  g_object_get (check, "active-sku", &s, NULL);
  EXPECT_STREQ (s, "A1001");
  g_free (s);
  guint interval = 0;
  g_object_get (ocr, "interval", &interval, NULL);
  EXPECT_EQ (interval, 250u);
  gint mode = -1;
  g_object_get (overlay, "mode", &mode, NULL);
  EXPECT_EQ (mode, 1);
  gchar *ocr_mode = nullptr;
  GValue v = G_VALUE_INIT;
  g_value_init (&v, G_PARAM_SPEC_VALUE_TYPE (
          g_object_class_find_property (G_OBJECT_GET_CLASS (ocr), "mode")));
  g_object_get_property (G_OBJECT (ocr), "mode", &v);
  ocr_mode = g_strdup (g_enum_get_value (G_ENUM_CLASS (g_type_class_peek (
                  G_VALUE_TYPE (&v))), g_value_get_enum (&v))->value_nick);
  EXPECT_STREQ (ocr_mode, "replay");
  g_free (ocr_mode);
  g_value_unset (&v);

  /* Reading back goes to the first target. */
  g_object_get (bin, "catalog", &s, NULL);
  EXPECT_EQ (std::string (s), catalog);
  g_free (s);

  /* The overlay draws the label, so the checker is told. */
  gboolean drawn = FALSE;
  g_object_get (check, "label-drawn", &drawn, NULL);
  EXPECT_TRUE (drawn);

  gst_object_unref (ocr);
  gst_object_unref (check);
  gst_object_unref (overlay);
  gst_object_unref (bin);
}

TEST_F (Bin, DefaultsAreTheChildrensDefaults)
{
  GstElement *bin = gst_element_factory_make ("compliancebin", nullptr);
  GstElement *ocr = child (bin, "ocr");
  const char *names[] = {"interval", "threads", "min-confidence", "languages"};
  for (const char *n : names) {
    GParamSpec *a = g_object_class_find_property (G_OBJECT_GET_CLASS (bin), n);
    GParamSpec *b = g_object_class_find_property (G_OBJECT_GET_CLASS (ocr), n);
    ASSERT_TRUE (a && b) << n;
    EXPECT_EQ (G_PARAM_SPEC_VALUE_TYPE (a), G_PARAM_SPEC_VALUE_TYPE (b)) << n;
    EXPECT_TRUE (g_param_values_cmp (a, g_param_spec_get_default_value (a),
            g_param_spec_get_default_value (b)) == 0) << n;
    EXPECT_STREQ (g_param_spec_get_blurb (a), g_param_spec_get_blurb (b)) << n;
  }
  gst_object_unref (ocr);
  gst_object_unref (bin);
}

TEST_F (Bin, BadCatalogFailsTheStateChange)
{
  gchar *bad = g_build_filename (dir, "bad.json", nullptr);
  ASSERT_TRUE (g_file_set_contents (bad, "{\"schema\": 3}", -1, nullptr));
  GstElement *pipe = gst_parse_launch ("videotestsrc num-buffers=1 ! "
      "compliancebin name=b ! fakesink", nullptr);
  ASSERT_NE (pipe, nullptr);
  GstElement *bin = gst_bin_get_by_name (GST_BIN (pipe), "b");
  g_object_set (bin, "catalog", bad, NULL);
  gst_object_unref (bin);
  EXPECT_EQ (gst_element_set_state (pipe, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  GError *err = nullptr;
  gst_message_parse_error (m, &err, nullptr);
  EXPECT_NE (std::string (err->message).find ("bad.json"), std::string::npos)
      << err->message;
  EXPECT_NE (std::string (err->message).find ("schema"), std::string::npos)
      << err->message;
  g_error_free (err);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  g_unlink (bad);
  g_free (bad);
}

/* Rendered text → OCR → check → overlay: a wrong price raises
 * price.mismatch; the sponsored product's missing on-screen label does not
 * raise disclosure.missing because the bin draws it. */
TEST_F (Bin, PipelineFromRenderedTextToViolation)
{
  std::string launch = "videotestsrc pattern=black num-buffers=24 ! "
      "video/x-raw,width=640,height=360,framerate=4/1 ! "
      "textoverlay text=\"到手价 ¥89.00\" font-desc=\"Noto Sans CJK SC 28\" "
      "valignment=center halignment=center shaded-background=false ! "
      "videoconvert ! compliancebin name=b ocr-mode=replay interval=250 "
      "catalog=\"" + catalog + "\" ! fakesink";
  GError *err = nullptr;
  GstElement *pipe = gst_parse_launch (launch.c_str (), &err);
  ASSERT_NE (pipe, nullptr) << (err ? err->message : "");
  GstBus *bus = gst_element_get_bus (pipe);
  ASSERT_NE (gst_element_set_state (pipe, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);

  std::vector<std::string> starts;
  bool eos = false;
  while (!eos) {
    GstMessage *m = gst_bus_timed_pop (bus, 60 * GST_SECOND);
    ASSERT_NE (m, nullptr) << "pipeline stalled";
    switch (GST_MESSAGE_TYPE (m)) {
      case GST_MESSAGE_EOS:
        eos = true;
        break;
      case GST_MESSAGE_ERROR:{
        GError *e = nullptr;
        gst_message_parse_error (m, &e, nullptr);
        ADD_FAILURE () << e->message;
        g_error_free (e);
        eos = true;
        break;
      }
      case GST_MESSAGE_ELEMENT:{
        const GstStructure *s = gst_message_get_structure (m);
        if (gst_structure_has_name (s, "compliance-violation")
            && g_strcmp0 (gst_structure_get_string (s, "event"), "start") == 0)
          starts.push_back (std::string (gst_structure_get_string (s, "rule"))
              + " " + gst_structure_get_string (s, "observed"));
        break;
      }
      default:
        break;
    }
    gst_message_unref (m);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);

  EXPECT_EQ (starts, std::vector<std::string> {"price.mismatch ¥89.00"});
}

}  // namespace

namespace {

struct Swap
{
  GstElement *bin;
  std::string other;
  int frame = 0;
  /* Per output frame: the verdict's sponsor and the label drawn. */
  std::vector<std::pair<std::string, std::string>> seen;
};

GstPadProbeReturn
note_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Swap *w = static_cast<Swap *> (data);
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstComplianceVerdictMeta *v = gst_buffer_get_compliance_verdict_meta (buf);
  GstElement *overlay = gst_bin_get_by_name (GST_BIN (w->bin), "overlay");
  gchar *label = nullptr;
  g_object_get (overlay, "label", &label, NULL);
  gst_object_unref (overlay);
  w->seen.emplace_back (v && v->sponsor ? v->sponsor : "", label ? label : "");
  g_free (label);
  /* Mid-stream, as an application would: another sponsor. */
  if (++w->frame == 12)
    g_object_set (w->bin, "catalog", w->other.c_str (), NULL);
  return GST_PAD_PROBE_OK;
}

}  // namespace

TEST_F (Bin, CatalogSwapReachesTheLabelInTheSameFrameAsTheVerdict)
{
  std::string other_json = kCatalog;
  other_json.replace (other_json.find ("Brand X"), 7, "Brand Y");
  gchar *other = g_build_filename (dir, "other.json", nullptr);
  ASSERT_TRUE (g_file_set_contents (other, other_json.c_str (), -1, nullptr));
  std::string launch = "videotestsrc pattern=black num-buffers=30 ! "
      "video/x-raw,width=320,height=240,framerate=10/1 ! "
      "compliancebin name=b ocr-mode=replay interval=1000 engine=tesseract "
      "catalog=\"" + catalog + "\" ! fakesink name=sink";
  GError *err = nullptr;
  GstElement *pipe = gst_parse_launch (launch.c_str (), &err);
  ASSERT_NE (pipe, nullptr) << (err ? err->message : "");
  Swap w;
  w.bin = gst_bin_get_by_name (GST_BIN (pipe), "b");
  w.other = other;
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, note_frame, &w, nullptr);
  gst_object_unref (pad);
  gst_object_unref (sink);
  ASSERT_NE (gst_element_set_state (pipe, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  ASSERT_NE (m, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (w.bin);
  gst_object_unref (pipe);
  g_unlink (other);
  g_free (other);

  ASSERT_EQ (w.seen.size (), 30u);
  int x = 0, y = 0;
  for (size_t i = 0; i < w.seen.size (); i++) {
    const auto &[sponsor, label] = w.seen[i];
    /* Every frame: the label names the sponsor its own verdict names. */
    ASSERT_FALSE (sponsor.empty ()) << "frame " << i;
    EXPECT_NE (label.find (sponsor), std::string::npos)
        << "frame " << i << ": verdict " << sponsor << ", label " << label;
    x += sponsor == "Brand X";
    y += sponsor == "Brand Y";
  }
  EXPECT_GE (x, 12);
  EXPECT_GE (y, 10) << "the swap did not reach the verdicts";
}
