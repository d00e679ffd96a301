/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public metas survive what the design relies on: buffer copies,
 * videoconvert, and videoscale (with boxes rescaled). */
#include <gtest/gtest.h>
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gstcompliancemeta.h"

namespace {

class Meta : public ::testing::Test
{
protected:
  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }
};

GstBuffer *
frame_with_metas (guint w, guint h)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, w, h);
  GstBuffer *buf = gst_buffer_new_allocate (nullptr, info.size, nullptr);
  gst_buffer_memset (buf, 0, 0x80, info.size);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;

  GstComplianceReading r[2] = {};
  r[0].text = (gchar *) "到手价 ¥89.00";
  r[0].x = 100; r[0].y = 200; r[0].width = 80; r[0].height = 40;
  r[0].confidence = 0.9f;
  r[1].text = (gchar *) "原价 <b>&¥129";
  r[1].x = 0; r[1].y = 0; r[1].width = 20; r[1].height = 10;
  r[1].struck = TRUE;
  gst_buffer_add_compliance_text_meta (buf, 42, w, h, r, 2);

  GstComplianceVerdictMeta *v = gst_buffer_add_compliance_verdict_meta (buf,
      42, w, h);
  gst_compliance_verdict_meta_set_product (v, "A1001", "Brand X", TRUE, FALSE);
  GstComplianceViolation viol = {};
  viol.rule = (gchar *) "price.mismatch";
  viol.severity = (gchar *) "error";
  viol.sku = (gchar *) "A1001";
  viol.observed = (gchar *) "¥89.00";
  viol.declared = (gchar *) "¥99.00";
  viol.legal_ref = (gchar *) "Price Law";
  viol.x = 100; viol.y = 200; viol.width = 80; viol.height = 40;
  viol.id = 7;
  gst_compliance_verdict_meta_add_violation (v, &viol);
  return buf;
}

TEST_F (Meta, AddAndRead)
{
  GstBuffer *buf = frame_with_metas (320, 240);
  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (buf);
  ASSERT_NE (t, nullptr);
  EXPECT_EQ (t->pts, 42u);
  ASSERT_EQ (t->n_readings, 2u);
  EXPECT_STREQ (t->readings[0].text, "到手价 ¥89.00");
  EXPECT_STREQ (t->readings[1].text, "原价 <b>&¥129");
  EXPECT_TRUE (t->readings[1].struck);

  GstComplianceVerdictMeta *v = gst_buffer_get_compliance_verdict_meta (buf);
  ASSERT_NE (v, nullptr);
  EXPECT_STREQ (v->active_sku, "A1001");
  EXPECT_STREQ (v->sponsor, "Brand X");
  EXPECT_TRUE (v->disclosure_required);
  EXPECT_FALSE (v->disclosure_visible);
  ASSERT_EQ (v->n_violations, 1u);
  EXPECT_STREQ (v->violations[0].rule, "price.mismatch");
  EXPECT_EQ (v->violations[0].id, 7u);
  gst_buffer_unref (buf);
}

TEST_F (Meta, InvalidUtf8IsRepairedNotKept)
{
  GstBuffer *buf = gst_buffer_new ();
  GstComplianceReading r = {};
  r.text = (gchar *) "\xff\xfe price";
  gst_buffer_add_compliance_text_meta (buf, 0, 10, 10, &r, 1);
  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (buf);
  EXPECT_TRUE (g_utf8_validate (t->readings[0].text, -1, nullptr));
  gst_buffer_unref (buf);
}

TEST_F (Meta, SurvivesBufferCopy)
{
  GstBuffer *buf = frame_with_metas (320, 240);
  GstBuffer *copy = gst_buffer_copy_deep (buf);
  gst_buffer_unref (buf);
  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (copy);
  ASSERT_NE (t, nullptr);
  EXPECT_STREQ (t->readings[0].text, "到手价 ¥89.00");
  GstComplianceVerdictMeta *v = gst_buffer_get_compliance_verdict_meta (copy);
  ASSERT_NE (v, nullptr);
  EXPECT_STREQ (v->violations[0].observed, "¥89.00");
  gst_buffer_unref (copy);
}

GstBuffer *
through (const char *launch, guint w, guint h)
{
  GstHarness *hr = gst_harness_new_parse (launch);
  gchar *caps = g_strdup_printf ("video/x-raw,format=I420,width=%u,height=%u,"
      "framerate=30/1", w, h);
  gst_harness_set_src_caps_str (hr, caps);
  g_free (caps);
  EXPECT_EQ (gst_harness_push (hr, frame_with_metas (w, h)), GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull (hr);
  gst_harness_teardown (hr);
  return out;
}

TEST_F (Meta, SurvivesVideoconvert)
{
  GstBuffer *out = through ("videoconvert ! capsfilter caps=video/x-raw,format=RGBA", 320, 240);
  ASSERT_NE (out, nullptr);
  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (t, nullptr);
  EXPECT_EQ (t->readings[0].x, 100);
  ASSERT_NE (gst_buffer_get_compliance_verdict_meta (out), nullptr);
  gst_buffer_unref (out);
}

TEST_F (Meta, VideoscaleKeepsMetaWithItsFrameSize)
{
  GstBuffer *out = through ("videoscale ! capsfilter caps=video/x-raw,width=160,height=120",
      320, 240);
  ASSERT_NE (out, nullptr);
  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (t, nullptr);
  /* Boxes still refer to the 320x240 frame they were read on. */
  EXPECT_EQ (t->frame_width, 320u);
  EXPECT_EQ (t->frame_height, 240u);
  EXPECT_EQ (t->readings[0].x, 100);
  ASSERT_NE (gst_buffer_get_compliance_verdict_meta (out), nullptr);
  gst_buffer_unref (out);
}

TEST_F (Meta, ScaleTransformRescalesBoxes)
{
  GstBuffer *in = frame_with_metas (320, 240);
  GstBuffer *out = gst_buffer_new ();
  GstVideoInfo in_info, out_info;
  gst_video_info_set_format (&in_info, GST_VIDEO_FORMAT_I420, 320, 240);
  gst_video_info_set_format (&out_info, GST_VIDEO_FORMAT_I420, 160, 120);
  GstVideoMetaTransform trans = { &in_info, &out_info };
  GQuark scale = gst_video_meta_transform_scale_get_quark ();

  GstMeta *tm = (GstMeta *) gst_buffer_get_compliance_text_meta (in);
  ASSERT_TRUE (tm->info->transform_func (out, tm, in, scale, &trans));
  GstMeta *vm = (GstMeta *) gst_buffer_get_compliance_verdict_meta (in);
  ASSERT_TRUE (vm->info->transform_func (out, vm, in, scale, &trans));

  GstComplianceTextMeta *t = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (t, nullptr);
  EXPECT_EQ (t->frame_width, 160u);
  EXPECT_EQ (t->frame_height, 120u);
  EXPECT_EQ (t->readings[0].x, 50);
  EXPECT_EQ (t->readings[0].y, 100);
  EXPECT_EQ (t->readings[0].width, 40);
  EXPECT_EQ (t->readings[0].height, 20);
  GstComplianceVerdictMeta *v = gst_buffer_get_compliance_verdict_meta (out);
  ASSERT_NE (v, nullptr);
  EXPECT_EQ (v->violations[0].x, 50);
  EXPECT_EQ (v->violations[0].width, 40);
  EXPECT_STREQ (v->active_sku, "A1001");

  /* A transform it cannot follow drops the meta rather than keep wrong
   * boxes. */
  GstBuffer *other = gst_buffer_new ();
  EXPECT_FALSE (tm->info->transform_func (other, tm, in,
          g_quark_from_static_string ("gst-compliance-test-unknown"), nullptr));
  EXPECT_EQ (gst_buffer_get_compliance_text_meta (other), nullptr);
  gst_buffer_unref (other);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
}

}  // namespace
