/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one codec per wire format: the bus messages (written and read only
 * by libgstcompliance-1.0) and the bridge between the core records and the
 * public metas.  Every field a violation carries must come back. */
#include <gtest/gtest.h>
#include <gst/gst.h>

#include "gstcompliancecore.h"
#include "gstcompliancemeta.h"

namespace {

class Messages : public ::testing::Test
{
protected:
  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }
};

GcViolation *
full_violation ()
{
  GcViolation *v = gc_violation_new ("price.mismatch");
  v->severity = g_strdup ("error");
  v->sku = g_strdup ("SKU-1");
  v->observed = g_strdup ("¥89.00");
  v->declared = g_strdup ("¥99.00");
  v->legal_ref = g_strdup ("明码标价和禁止价格欺诈规定 第十九条");
  v->evidence = g_strdup ("evidence/run-1-7.png");
  v->t_start = 12.5;
  v->t_end = 20.25;
  v->box = (GcBox) { 10, 20, 300, 40 };
  v->id = 7;
  return v;
}

void
expect_same (const GcViolation * a, const GcViolation * b)
{
  EXPECT_STREQ (a->rule, b->rule);
  EXPECT_STREQ (a->severity, b->severity);
  EXPECT_STREQ (a->sku, b->sku);
  EXPECT_STREQ (a->observed, b->observed);
  EXPECT_STREQ (a->declared, b->declared);
  EXPECT_STREQ (a->legal_ref, b->legal_ref);
  EXPECT_STREQ (a->evidence, b->evidence);
  EXPECT_DOUBLE_EQ (a->t_start, b->t_start);
  EXPECT_DOUBLE_EQ (a->t_end, b->t_end);
  EXPECT_EQ (a->box.x, b->box.x);
  EXPECT_EQ (a->box.y, b->box.y);
  EXPECT_EQ (a->box.w, b->box.w);
  EXPECT_EQ (a->box.h, b->box.h);
  EXPECT_EQ (a->id, b->id);
}

TEST_F (Messages, ViolationRoundTripKeepsEveryField)
{
  GcViolation *v = full_violation ();
  for (gboolean start : { (gboolean) TRUE, (gboolean) FALSE }) {
    GstMessage *msg = gst_compliance_violation_message_from_core (NULL, v,
        start, 5 * GST_SECOND);
    ASSERT_NE (msg, nullptr);
    EXPECT_STREQ (gst_structure_get_name (gst_message_get_structure (msg)),
        "compliance-violation");
    gboolean got_start = !start;
    GcViolation *back = gst_compliance_violation_message_to_core (msg,
        &got_start);
    ASSERT_NE (back, nullptr);
    EXPECT_EQ (got_start, start);
    expect_same (v, back);

    GstComplianceViolation mv;
    GstComplianceViolationEvent event;
    GstClockTime pts = 0;
    ASSERT_TRUE (gst_compliance_violation_message_parse (msg, &event, &mv,
            &pts));
    EXPECT_EQ (pts, 5 * GST_SECOND);
    EXPECT_EQ (event, start ? GST_COMPLIANCE_VIOLATION_START :
        GST_COMPLIANCE_VIOLATION_END);
    gst_compliance_violation_clear (&mv);
    EXPECT_EQ (mv.rule, nullptr);
    gc_violation_unref (back);
    gst_message_unref (msg);
  }
  gc_violation_unref (v);
}

TEST_F (Messages, AbsentStringsStayAbsent)
{
  GcViolation *v = gc_violation_new ("disclosure.missing");
  GstMessage *msg = gst_compliance_violation_message_from_core (NULL, v, TRUE,
      GST_CLOCK_TIME_NONE);
  const GstStructure *s = gst_message_get_structure (msg);
  EXPECT_FALSE (gst_structure_has_field (s, "sku"));
  EXPECT_FALSE (gst_structure_has_field (s, "evidence"));
  GstComplianceViolation mv;
  GstClockTime pts = 0;
  ASSERT_TRUE (gst_compliance_violation_message_parse (msg, NULL, &mv, &pts));
  EXPECT_EQ (pts, GST_CLOCK_TIME_NONE);
  EXPECT_EQ (mv.sku, nullptr);
  EXPECT_EQ (mv.evidence, nullptr);
  gst_compliance_violation_clear (&mv);
  gst_message_unref (msg);
  gc_violation_unref (v);
}

TEST_F (Messages, OtherMessagesAreNotParsed)
{
  GstMessage *eos = gst_message_new_eos (NULL);
  GstMessage *other = gst_message_new_element (NULL,
      gst_structure_new ("compliance-violation", "event", G_TYPE_STRING,
          "start", NULL));    /* no rule */
  GstComplianceViolation mv;
  GstComplianceReading *r = NULL;
  guint n = 5;
  EXPECT_FALSE (gst_compliance_violation_message_parse (eos, NULL, &mv, NULL));
  EXPECT_FALSE (gst_compliance_violation_message_parse (other, NULL, &mv,
          NULL));
  EXPECT_EQ (gst_compliance_violation_message_to_core (other, NULL), nullptr);
  EXPECT_FALSE (gst_compliance_text_message_parse (other, NULL, NULL, NULL,
          NULL, &r, &n));
  EXPECT_EQ (r, nullptr);
  gst_message_unref (eos);
  gst_message_unref (other);
}

TEST_F (Messages, TextRoundTrip)
{
  GstComplianceReading in[2] = {};
  in[0].text = (gchar *) "到手价 ¥89.00";
  in[0].x = 1; in[0].y = 2; in[0].width = 300; in[0].height = 40;
  in[0].confidence = 0.75f;
  in[0].struck = TRUE;
  in[0].first_seen = 3 * GST_SECOND;
  in[1].text = (gchar *) "广告";
  in[1].first_seen = GST_CLOCK_TIME_NONE;
  GstMessage *msg = gst_compliance_text_message_new (NULL, 4 * GST_SECOND,
      GST_SECOND, 1920, 1080, in, 2);
  GstClockTime pts, rt;
  guint w, h, n;
  GstComplianceReading *out;
  ASSERT_TRUE (gst_compliance_text_message_parse (msg, &pts, &rt, &w, &h,
          &out, &n));
  EXPECT_EQ (pts, 4 * GST_SECOND);
  EXPECT_EQ (rt, GST_SECOND);
  EXPECT_EQ (w, 1920u);
  EXPECT_EQ (h, 1080u);
  ASSERT_EQ (n, 2u);
  EXPECT_STREQ (out[0].text, in[0].text);
  EXPECT_EQ (out[0].x, 1);
  EXPECT_EQ (out[0].y, 2);
  EXPECT_EQ (out[0].width, 300);
  EXPECT_EQ (out[0].height, 40);
  EXPECT_FLOAT_EQ (out[0].confidence, 0.75f);
  EXPECT_TRUE (out[0].struck);
  EXPECT_EQ (out[0].first_seen, 3 * GST_SECOND);
  EXPECT_STREQ (out[1].text, "广告");
  EXPECT_FALSE (out[1].struck);
  EXPECT_EQ (out[1].first_seen, GST_CLOCK_TIME_NONE);
  gst_compliance_readings_free (out, n);
  gst_message_unref (msg);

  /* A read that found nothing is news too: an empty array. */
  msg = gst_compliance_text_message_new (NULL, 0, 0, 64, 64, NULL, 0);
  ASSERT_TRUE (gst_compliance_text_message_parse (msg, NULL, NULL, NULL, NULL,
          &out, &n));
  EXPECT_EQ (n, 0u);
  gst_compliance_readings_free (out, n);
  gst_message_unref (msg);
}

/* core verdict -> meta -> core verdict -> SEI -> core verdict: what the
 * SEI carries survives the whole way. */
TEST_F (Messages, VerdictThroughMetaAndSei)
{
  GcSeiState *state = gc_sei_state_new ();
  state->pts = 2 * GST_SECOND;
  state->frame_width = 1280;
  state->frame_height = 720;
  state->active_sku = g_strdup ("SKU-1");
  state->sponsor = g_strdup ("品牌方");
  state->disclosure_required = TRUE;
  state->disclosure_visible = FALSE;
  g_ptr_array_add (state->violations, full_violation ());

  GstBuffer *buf = gst_buffer_new ();
  GstComplianceVerdictMeta *meta =
      gst_buffer_add_compliance_verdict_meta_from_state (buf, state);
  ASSERT_NE (meta, nullptr);
  ASSERT_EQ (meta->n_violations, 1u);
  EXPECT_STREQ (meta->violations[0].evidence, "evidence/run-1-7.png");
  EXPECT_DOUBLE_EQ (meta->violations[0].t_end, 20.25);
  GcSeiState *back = gst_compliance_verdict_meta_to_state (meta);
  ASSERT_EQ (back->violations->len, 1u);
  expect_same ((GcViolation *) g_ptr_array_index (state->violations, 0),
      (GcViolation *) g_ptr_array_index (back->violations, 0));
  EXPECT_TRUE (gc_sei_state_equal (state, back));

  GBytes *payload = gc_sei_payload_encode (back, 4096);
  ASSERT_NE (payload, nullptr);
  gsize size;
  const guint8 *data = (const guint8 *) g_bytes_get_data (payload, &size);
  GcSeiState *decoded = gc_sei_payload_decode (data, size, NULL);
  ASSERT_NE (decoded, nullptr);
  EXPECT_TRUE (gc_sei_state_equal (state, decoded));
  gc_sei_state_free (decoded);
  g_bytes_unref (payload);
  gc_sei_state_free (back);
  gst_buffer_unref (buf);
  gc_sei_state_free (state);
}

/* The core and the public record list the same string fields: the bridge
 * copies one list's members by the other's names. */
TEST_F (Messages, CoreAndPublicListTheSameStrings)
{
#define NAME(field) #field " "
  EXPECT_STREQ (GC_VIOLATION_STRINGS (NAME),
      GST_COMPLIANCE_VIOLATION_STRINGS (NAME));
#undef NAME
}

}  // namespace
