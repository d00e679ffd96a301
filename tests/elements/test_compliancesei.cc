/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* compliancesei: under GstHarness with hand-built access units (insert,
 * extract, caps, budget, bad input), then in real pipelines: x264enc /
 * x265enc output carries the state, decodes bit-identically, survives
 * MP4, MPEG-TS, FLV and Matroska, and an analysis branch on a decoded
 * copy writes its verdicts into the untouched encoded stream. */
#include <gtest/gtest.h>

#include "element-test.h"
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gstcompliancemeta.h"

#if defined(__SANITIZE_ADDRESS__)
/* This test loads many third-party plugins (x264, x265, libav, the muxers)
 * whose process-lifetime allocations are not ours to fix.  Full stacks let
 * the suppressions below name them precisely instead of hiding every
 * g_malloc. */
extern "C" const char *
__asan_default_options ()
{
  return "fast_unwind_on_malloc=0";
}

extern "C" const char *
__lsan_default_suppressions ()
{
  return
      /* Allocated by library constructors: GLib's first quark block, which
       * GLib drops on purpose once more than 2048 quarks exist. */
      "leak:_dl_init\n"
      /* libx265 keeps encoder globals after x265_encoder_close. */
      "leak:libx265\n"
      /* OpenNI2 drivers, loaded with the openni2 plugin at registry scan. */
      "leak:libPSLink\n"
      "leak:libPS1080\n";
}
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

namespace {

using Bytes = std::vector<guint8>;

const char *kUuid = "8f6a1c3e-5b2d-4c71-9e04-c0a1c5e1f7d2";
const guint8 kUuidBytes[16] = { 0x8f, 0x6a, 0x1c, 0x3e, 0x5b, 0x2d, 0x4c, 0x71,
  0x9e, 0x04, 0xc0, 0xa1, 0xc5, 0xe1, 0xf7, 0xd2 };

const GstClockTime kFrame = GST_SECOND / 30;

bool
have (const char *factory)
{
  GstElementFactory *f = gst_element_factory_find (factory);
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

/* ------------------------------------------------------------------ */
/* Hand-built access units */

const Bytes kAud264 = { 0x09, 0xf0 };
const Bytes kSps264 = { 0x67, 0x42, 0x00, 0x1e, 0xab, 0x40 };
const Bytes kPps264 = { 0x68, 0xce, 0x38, 0x80 };
const Bytes kIdr264 = { 0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01, 0x23, 0x45 };
const Bytes kP264 = { 0x41, 0x9a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x10 };
const Bytes kVps265 = { 0x40, 0x01, 0x0c };
const Bytes kSps265 = { 0x42, 0x01, 0x01 };
const Bytes kPps265 = { 0x44, 0x01, 0xc1 };
const Bytes kIdr265 = { 0x26, 0x01, 0xaf, 0x00, 0x00, 0x03, 0x01, 0x77 };
const Bytes kTrail265 = { 0x02, 0x01, 0xd0, 0x00, 0x00, 0x03, 0x02 };

Bytes
frame (const std::vector<Bytes> &nals, guint length_size)
{
  Bytes out;
  for (auto &n : nals) {
    if (length_size == 0) {
      out.insert (out.end (), { 0, 0, 0, 1 });
    } else {
      for (guint i = 0; i < length_size; i++)
        out.push_back ((n.size () >> (8 * (length_size - 1 - i))) & 0xff);
    }
    out.insert (out.end (), n.begin (), n.end ());
  }
  return out;
}

struct Nal
{
  guint type;
  Bytes data;
};

/* Independent of the element: splits an AU the simple way. */
std::vector<Nal>
split (const Bytes &au, guint length_size, bool h265)
{
  std::vector<Nal> out;
  auto type = [h265] (const Bytes &d) {
    return h265 ? (guint) ((d[0] >> 1) & 0x3f) : (guint) (d[0] & 0x1f);
  };
  if (length_size) {
    gsize pos = 0;
    while (pos + length_size <= au.size ()) {
      gsize len = 0;
      for (guint i = 0; i < length_size; i++)
        len = (len << 8) | au[pos + i];
      Bytes d (au.begin () + pos + length_size, au.begin () + pos + length_size + len);
      out.push_back ({ type (d), d });
      pos += length_size + len;
    }
    return out;
  }
  std::vector<gsize> starts;
  for (gsize i = 0; i + 3 <= au.size (); i++)
    if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1)
      starts.push_back (i + 3);
  for (gsize k = 0; k < starts.size (); k++) {
    gsize end = k + 1 < starts.size () ? starts[k + 1] - 3 : au.size ();
    while (end > starts[k] && au[end - 1] == 0)
      end--;
    Bytes d (au.begin () + starts[k], au.begin () + end);
    out.push_back ({ type (d), d });
  }
  return out;
}

bool
has_our_uuid (const Nal &n, bool h265)
{
  gsize hs = h265 ? 2 : 1;
  /* type 5, one size byte (payloads here are < 239 bytes), then the UUID
   * (it has no zero bytes, so no escape bytes in it). */
  return n.data.size () > hs + 18 && n.data[hs] == 5
      && memcmp (&n.data[hs + 2], kUuidBytes, 16) == 0;
}

Bytes
buffer_bytes (GstBuffer *buf)
{
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_READ);
  Bytes b (map.data, map.data + map.size);
  gst_buffer_unmap (buf, &map);
  return b;
}

GstBuffer *
au_buffer (const Bytes &b, guint index, bool key)
{
  GstBuffer *buf = b.empty () ? gst_buffer_new () :
      gst_buffer_new_memdup (b.data (), b.size ());
  GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = index * kFrame;
  GST_BUFFER_DURATION (buf) = kFrame;
  if (!key)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  return buf;
}

/* The verdict a test stream carries at frame @i: A1001 clean, then a
 * price mismatch from frame 20, then B2002 clean from frame 40. */
void
add_verdict (GstBuffer *buf, guint i)
{
  GstComplianceVerdictMeta *m = gst_buffer_add_compliance_verdict_meta (buf,
      GST_BUFFER_PTS (buf), 320, 240);
  if (i < 40)
    gst_compliance_verdict_meta_set_product (m, "A1001", "Brand X", TRUE, TRUE);
  else
    gst_compliance_verdict_meta_set_product (m, "B2002", nullptr, FALSE, FALSE);
  if (i >= 20 && i < 40) {
    GstComplianceViolation v = {};
    v.rule = (gchar *) "price.mismatch";
    v.severity = (gchar *) "error";
    v.sku = (gchar *) "A1001";
    v.observed = (gchar *) "¥89.00";
    v.declared = (gchar *) "¥99.00";
    v.legal_ref = (gchar *) "价格法";
    v.t_start = 20 * kFrame / (double) GST_SECOND;
    v.x = 10; v.y = 20; v.width = 100; v.height = 30;
    v.id = 1;
    gst_compliance_verdict_meta_add_violation (m, &v);
  }
}

/* What the test schedule says a verdict at analysed frame @i holds. */
void
expect_schedule (const GstComplianceVerdictMeta *m, const std::string &where)
{
  ASSERT_TRUE (GST_CLOCK_TIME_IS_VALID (m->pts)) << where;
  guint i = (guint) ((m->pts + kFrame / 2) / kFrame);
  EXPECT_STREQ (m->active_sku, i < 40 ? "A1001" : "B2002") << where << " frame " << i;
  EXPECT_EQ (m->disclosure_required, i < 40) << where;
  EXPECT_EQ (m->n_violations, (i >= 20 && i < 40) ? 1u : 0u) << where << " frame " << i;
  if (m->n_violations == 1) {
    EXPECT_STREQ (m->violations[0].rule, "price.mismatch");
    EXPECT_STREQ (m->violations[0].observed, "¥89.00");
    EXPECT_EQ (m->violations[0].width, 100);
  }
}

struct Msg
{
  std::string event, rule, sku, observed;
  double t_start = 0, t_end = 0;
};

/* Drains @bus: violation messages, warnings and errors. */
struct BusLog
{
  std::vector<Msg> violations;
  std::vector<std::string> warnings, errors;

  void take (GstMessage *m)
  {
    if (gc_test::take_warning_or_error (m, warnings, errors, true)) {
      /* taken */
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (gst_message_get_structure (m), "compliance-violation")) {
      const GstStructure *s = gst_message_get_structure (m);
      auto str = [s] (const char *f) {
        const char *x = gst_structure_get_string (s, f);
        return std::string (x ? x : "");
      };
      Msg v;
      v.event = str ("event");
      v.rule = str ("rule");
      v.sku = str ("sku");
      v.observed = str ("observed");
      gst_structure_get_double (s, "t_start", &v.t_start);
      gst_structure_get_double (s, "t_end", &v.t_end);
      violations.push_back (v);
    }
  }
  void drain (GstBus *bus)
  {
    GstMessage *m;
    while ((m = gst_bus_pop (bus))) {
      take (m);
      gst_message_unref (m);
    }
  }
};

GstStaticPadTemplate hsrc = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
GstStaticPadTemplate hsink = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

class Sei : public ::testing::Test
{
protected:
  std::vector<GstHarness *> harnesses;
  std::vector<GstBus *> buses;
  gchar *dir = nullptr;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }

  void TearDown () override
  {
    for (auto h : harnesses)
      gst_harness_teardown (h);
    for (auto b : buses)
      gst_object_unref (b);
    if (dir) {
      GDir *d = g_dir_open (dir, 0, nullptr);
      const gchar *name;
      while (d && (name = g_dir_read_name (d))) {
        gchar *p = g_build_filename (dir, name, nullptr);
        g_unlink (p);
        g_free (p);
      }
      if (d)
        g_dir_close (d);
      g_rmdir (dir);
      g_free (dir);
    }
  }

  std::string path (const char *name)
  {
    if (!dir)
      dir = g_dir_make_tmp ("gc-sei-XXXXXX", nullptr);
    gchar *p = g_build_filename (dir, name, nullptr);
    std::string s (p);
    g_free (p);
    return s;
  }

  GstHarness *harness (const char *props, const char *caps, GstBus **bus_out = nullptr)
  {
    GstElement *e = gst_element_factory_make ("compliancesei", nullptr);
    EXPECT_NE (e, nullptr) << "plugin not found; GST_PLUGIN_PATH=" << g_getenv ("GST_PLUGIN_PATH");
    gc_test::set_props (e, props);
    GstBus *bus = gst_bus_new ();
    gst_element_set_bus (e, bus);
    buses.push_back (bus);
    if (bus_out)
      *bus_out = bus;
    GstHarness *h = gst_harness_new_empty ();
    gst_harness_add_element_full (h, e, &hsrc, "sink", &hsink, "src");
    gst_object_unref (e);
    if (caps)
      gst_harness_set_src_caps_str (h, caps);
    harnesses.push_back (h);
    return h;
  }
};

const char *kH264Caps = "video/x-h264,stream-format=byte-stream,alignment=au";

TEST_F (Sei, UuidPropertyAndDefaults)
{
  GstElement *e = gst_element_factory_make ("compliancesei", nullptr);
  ASSERT_NE (e, nullptr);
  gchar *uuid = nullptr;
  guint rate = 0;
  gint mode = -1;
  g_object_get (e, "uuid", &uuid, "max-bytes-per-second", &rate, "mode", &mode, NULL);
  EXPECT_STREQ (uuid, kUuid);
  EXPECT_EQ (rate, 2000u);
  EXPECT_EQ (mode, 0);
  g_free (uuid);
  gst_object_unref (e);
}

/* Insert on H.264 byte-stream: placement, change/keyframe policy; then
 * extract reads the same state and posts start/end. */
TEST_F (Sei, H264ByteStreamInsertThenExtract)
{
  GstHarness *ins = harness (nullptr, kH264Caps);
  GstBus *bus = nullptr;
  GstHarness *ext = harness ("mode=extract", kH264Caps, &bus);

  guint with_sei = 0, last_written = 0;
  for (guint i = 0; i < 60; i++) {
    bool key = i % 15 == 0;
    Bytes in = key ? frame ({ kAud264, kSps264, kPps264, kIdr264 }, 0)
        : frame ({ kAud264, kP264 }, 0);
    GstBuffer *buf = au_buffer (in, i, key);
    add_verdict (buf, i);
    GstBuffer *out = gst_harness_push_and_pull (ins, buf);
    ASSERT_NE (out, nullptr);
    Bytes ob = buffer_bytes (out);
    auto nals = split (ob, 0, false);
    bool sei = false;
    for (gsize k = 0; k < nals.size (); k++) {
      if (nals[k].type == 6) {
        sei = true;
        EXPECT_TRUE (has_our_uuid (nals[k], false));
        ASSERT_LT (k + 1, nals.size ());
        EXPECT_TRUE (nals[k + 1].type == 5 || nals[k + 1].type == 1)
            << "SEI right before the slice";
        EXPECT_GT (k, 0u);
        EXPECT_EQ (nals[0].type, 9u) << "AUD stays first";
      }
    }
    /* Written on each change (0, 20, 40) and each keyframe only. */
    bool expect = key || i == 20 || i == 40;
    EXPECT_EQ (sei, expect) << "frame " << i;
    with_sei += sei;
    /* Without the SEI, the AU is unchanged. */
    Bytes stripped;
    for (auto &n : nals)
      if (n.type != 6) {
        stripped.insert (stripped.end (), { 0, 0, 0, 1 });
        stripped.insert (stripped.end (), n.data.begin (), n.data.end ());
      }
    EXPECT_EQ (stripped, in) << "frame " << i;

    /* To the extractor, without the meta the encoder kept. */
    GstBuffer *plain = gst_buffer_new_memdup (ob.data (), ob.size ());
    gst_buffer_copy_into (plain, out, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
    GST_BUFFER_FLAGS (plain) = GST_BUFFER_FLAGS (out);
    gst_buffer_unref (out);
    GstBuffer *x = gst_harness_push_and_pull (ext, plain);
    ASSERT_NE (x, nullptr);
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (x);
    ASSERT_NE (m, nullptr) << "frame " << i;
    if (expect)
      last_written = i;
    EXPECT_EQ (m->pts, last_written * kFrame) << "the state last written, frame " << i;
    expect_schedule (m, "extract");
    EXPECT_EQ (m->frame_width, 320u);
    gst_buffer_unref (x);
  }
  EXPECT_EQ (with_sei, 6u);
  gst_harness_push_event (ext, gst_event_new_eos ());
  BusLog log;
  log.drain (bus);
  ASSERT_EQ (log.violations.size (), 2u);
  EXPECT_EQ (log.violations[0].event, "start");
  EXPECT_EQ (log.violations[0].rule, "price.mismatch");
  EXPECT_EQ (log.violations[0].observed, "¥89.00");
  EXPECT_NEAR (log.violations[0].t_start, 20 / 30.0, 0.001);
  EXPECT_EQ (log.violations[1].event, "end");
  EXPECT_NEAR (log.violations[1].t_end, 30 / 30.0, 0.001)
      << "last analysed frame it was seen on (the keyframe at 30)";
  EXPECT_TRUE (log.errors.empty ());
  EXPECT_TRUE (log.warnings.empty ());
}

/* avc (4-byte lengths, codec_data) and H.265 byte-stream / hvc1. */
struct FormatCase
{
  const char *name;
  bool h265;
  guint length_size;
};

class SeiFormats : public Sei, public ::testing::WithParamInterface<FormatCase> {};

TEST_P (SeiFormats, RoundTrip)
{
  const FormatCase &c = GetParam ();
  std::string caps;
  GstBuffer *cd = nullptr;
  if (c.h265) {
    caps = std::string ("video/x-h265,alignment=au,stream-format=") +
        (c.length_size ? "hvc1" : "byte-stream");
    if (c.length_size) {
      Bytes hvcc (23, 0);
      hvcc[0] = 1;
      hvcc[21] = 0xfc | (c.length_size - 1);
      cd = gst_buffer_new_memdup (hvcc.data (), hvcc.size ());
    }
  } else {
    caps = std::string ("video/x-h264,alignment=au,stream-format=") +
        (c.length_size ? "avc" : "byte-stream");
    if (c.length_size) {
      Bytes avcc = { 1, 0x42, 0, 0x1e, (guint8) (0xfc | (c.length_size - 1)), 0xe0, 0 };
      cd = gst_buffer_new_memdup (avcc.data (), avcc.size ());
    }
  }
  GstCaps *gcaps = gst_caps_from_string (caps.c_str ());
  if (cd) {
    gst_caps_set_simple (gcaps, "codec_data", GST_TYPE_BUFFER, cd, NULL);
    gst_buffer_unref (cd);
  }
  GstHarness *ins = harness (nullptr, nullptr);
  gst_harness_set_src_caps (ins, gst_caps_ref (gcaps));
  GstHarness *ext = harness ("mode=extract", nullptr);
  gst_harness_set_src_caps (ext, gcaps);

  for (guint i = 0; i < 45; i++) {
    bool key = i % 15 == 0;
    std::vector<Bytes> nals;
    if (c.h265)
      nals = key ? std::vector<Bytes>{ kVps265, kSps265, kPps265, kIdr265 }
          : std::vector<Bytes>{ kTrail265 };
    else
      nals = key ? std::vector<Bytes>{ kSps264, kPps264, kIdr264 }
          : std::vector<Bytes>{ kP264 };
    Bytes in = frame (nals, c.length_size);
    GstBuffer *buf = au_buffer (in, i, key);
    add_verdict (buf, i);
    GstBuffer *out = gst_harness_push_and_pull (ins, buf);
    ASSERT_NE (out, nullptr);
    Bytes ob = buffer_bytes (out);
    auto parts = split (ob, c.length_size, c.h265);
    guint sei_type = c.h265 ? 39 : 6;
    gsize n_sei = 0, total = 0;
    for (gsize k = 0; k < parts.size (); k++) {
      total += parts[k].data.size ();
      if (parts[k].type == sei_type) {
        n_sei++;
        EXPECT_TRUE (has_our_uuid (parts[k], c.h265));
        EXPECT_EQ (k + 1, parts.size () - 1) << "SEI right before the slice";
      }
    }
    EXPECT_EQ (n_sei, (key || i == 20 || i == 40) ? 1u : 0u) << "frame " << i;
    EXPECT_EQ (total + parts.size () * (c.length_size ? c.length_size : 4), ob.size ())
        << "lengths consistent";
    GstBuffer *plain = gst_buffer_new_memdup (ob.data (), ob.size ());
    gst_buffer_copy_into (plain, out, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
    gst_buffer_unref (out);
    GstBuffer *x = gst_harness_push_and_pull (ext, plain);
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (x);
    ASSERT_NE (m, nullptr) << "frame " << i;
    expect_schedule (m, c.name);
    gst_buffer_unref (x);
  }
}

INSTANTIATE_TEST_SUITE_P (Formats, SeiFormats, ::testing::Values (
    FormatCase {"h264_avc4", false, 4},
    FormatCase {"h264_avc2", false, 2},
    FormatCase {"h265_bytestream", true, 0},
    FormatCase {"h265_hvc1", true, 4}),
    [] (const ::testing::TestParamInfo<FormatCase> &i) { return std::string (i.param.name); });

TEST_F (Sei, BudgetIsNeverExceeded)
{
  GstHarness *h = harness ("max-bytes-per-second=600", kH264Caps);
  std::vector<std::pair<GstClockTime, gsize>> written;
  guint changes_written = 0;
  for (guint i = 0; i < 120; i++) {
    bool key = i % 10 == 0;
    Bytes in = frame ({ key ? kIdr264 : kP264 }, 0);
    GstBuffer *buf = au_buffer (in, i, key);
    /* A different state on every frame. */
    GstComplianceVerdictMeta *m = gst_buffer_add_compliance_verdict_meta (buf,
        GST_BUFFER_PTS (buf), 320, 240);
    gchar *sku = g_strdup_printf ("SKU-%u-with-a-long-name-to-cost-bytes", i);
    gst_compliance_verdict_meta_set_product (m, sku, nullptr, FALSE, FALSE);
    g_free (sku);
    GstBuffer *out = gst_harness_push_and_pull (h, buf);
    gsize extra = gst_buffer_get_size (out) - in.size ();
    if (extra) {
      written.emplace_back (GST_BUFFER_PTS (out), extra);
      changes_written++;
    }
    gst_buffer_unref (out);
  }
  ASSERT_GT (changes_written, 8u) << "the budget is used";
  ASSERT_LT (changes_written, 60u) << "and limits";
  for (gsize i = 0; i < written.size (); i++) {
    gsize sum = 0;
    for (gsize j = i; j < written.size () && written[j].first < written[i].first + GST_SECOND; j++)
      sum += written[j].second;
    EXPECT_LE (sum, 600u) << "window from " << written[i].first;
  }
}

TEST_F (Sei, BudgetTooSmallWarnsOnce)
{
  GstBus *bus;
  GstHarness *h = harness ("max-bytes-per-second=20", kH264Caps, &bus);
  for (guint i = 0; i < 3; i++) {
    GstBuffer *buf = au_buffer (frame ({ kIdr264 }, 0), i, true);
    add_verdict (buf, i);
    GstBuffer *out = gst_harness_push_and_pull (h, buf);
    EXPECT_EQ (gst_buffer_get_size (out), frame ({ kIdr264 }, 0).size ());
    gst_buffer_unref (out);
  }
  BusLog log;
  log.drain (bus);
  ASSERT_EQ (log.warnings.size (), 1u);
  EXPECT_NE (log.warnings[0].find ("max-bytes-per-second"), std::string::npos);
}

TEST_F (Sei, NoStateNoSei)
{
  GstHarness *h = harness (nullptr, kH264Caps);
  Bytes in = frame ({ kAud264, kIdr264 }, 0);
  GstBuffer *out = gst_harness_push_and_pull (h, au_buffer (in, 0, true));
  EXPECT_EQ (buffer_bytes (out), in);
  gst_buffer_unref (out);
}

/* Caps that are not parsed, AU-aligned H.264/H.265 fail with a message
 * that says what is needed. */
TEST_F (Sei, WrongCapsAreRefusedClearly)
{
  const char *bad[] = {
    "video/x-raw,format=I420,width=320,height=240,framerate=30/1",
    "video/x-h264,stream-format=byte-stream,alignment=nal",
    "video/x-vp8",
  };
  for (const char *caps : bad) {
    GstBus *bus;
    GstHarness *h = harness (nullptr, nullptr, &bus);
    gst_harness_set_src_caps_str (h, caps);
    GstBuffer *buf = au_buffer (frame ({ kIdr264 }, 0), 0, true);
    EXPECT_NE (gst_harness_push (h, buf), GST_FLOW_OK) << caps;
    BusLog log;
    log.drain (bus);
    ASSERT_FALSE (log.errors.empty ()) << caps;
    EXPECT_NE (log.errors[0].find ("H.264"), std::string::npos) << log.errors[0];
    EXPECT_NE (log.errors[0].find ("alignment=au"), std::string::npos) << log.errors[0];
    std::string media (caps, strcspn (caps, ","));
    EXPECT_NE (log.errors[0].find ("Offered: " + media), std::string::npos) << log.errors[0];
  }
  /* avc without codec_data: the NAL length size is unknown. */
  GstBus *bus;
  GstHarness *h = harness (nullptr, nullptr, &bus);
  gst_harness_set_src_caps_str (h, "video/x-h264,stream-format=avc,alignment=au");
  EXPECT_NE (gst_harness_push (h, au_buffer (frame ({ kIdr264 }, 4), 0, true)), GST_FLOW_OK);
  BusLog log;
  log.drain (bus);
  ASSERT_FALSE (log.errors.empty ());
  EXPECT_NE (log.errors[0].find ("codec_data"), std::string::npos) << log.errors[0];
}

TEST_F (Sei, MalformedSeiIsSkippedWithOneWarning)
{
  GstBus *bus;
  GstHarness *h = harness ("mode=extract", kH264Caps, &bus);
  /* Ours with a bad version; ours cut short; a size running past the
   * end; random bytes; a length-less junk AU. */
  Bytes uuid (kUuidBytes, kUuidBytes + 16);
  Bytes bad_version = { 0x06, 0x05, 0x13 };
  bad_version.insert (bad_version.end (), uuid.begin (), uuid.end ());
  bad_version.insert (bad_version.end (), { 9, 0, 0, 0x80 });
  Bytes cut = { 0x06, 0x05, 0x40 };
  cut.insert (cut.end (), uuid.begin (), uuid.end ());
  Bytes lie = { 0x06, 0x05, 0xff, 0xff, 0xff, 0x01 };
  std::vector<Bytes> aus = {
    frame ({ bad_version, kIdr264 }, 0),
    frame ({ cut, kIdr264 }, 0),
    frame ({ lie, kIdr264 }, 0),
    { 0x12, 0x34, 0x56, 0x78 },
    {},
  };
  for (guint i = 0; i < aus.size (); i++) {
    GstBuffer *out = gst_harness_push_and_pull (h, au_buffer (aus[i], i, true));
    ASSERT_NE (out, nullptr);
    EXPECT_EQ (gst_buffer_get_compliance_verdict_meta (out), nullptr);
    gst_buffer_unref (out);
  }
  BusLog log;
  log.drain (bus);
  EXPECT_EQ (log.warnings.size (), 1u);
  EXPECT_TRUE (log.errors.empty ());
  EXPECT_TRUE (log.violations.empty ());
}

/* ------------------------------------------------------------------ */
/* Real pipelines */

struct RunResult
{
  BusLog log;
  bool eos = false;
};

RunResult
run (GstElement *pipeline, GstClockTime timeout = 120 * GST_SECOND)
{
  RunResult r;
  GstBus *bus = gst_element_get_bus (pipeline);
  EXPECT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  for (;;) {
    GstMessage *m = gst_bus_timed_pop (bus, timeout);
    if (!m) {
      ADD_FAILURE () << "pipeline timed out";
      break;
    }
    r.log.take (m);
    bool done = GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR;
    r.eos = GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
    gst_message_unref (m);
    if (done)
      break;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return r;
}

GstElement *
parse (const std::string &desc)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &err);
  EXPECT_EQ (err, nullptr) << desc << ": " << (err ? err->message : "");
  if (err)
    g_error_free (err);
  return p;
}

GstElement *
by_name (GstElement *pipeline, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  EXPECT_NE (e, nullptr) << name;
  return e;
}

/* Adds the test schedule's verdict to every raw frame passing @name. */
void
stamp_verdicts (GstElement *pipeline, const char *name)
{
  GstElement *e = by_name (pipeline, name);
  GstPad *pad = gst_element_get_static_pad (e, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [] (GstPad *, GstPadProbeInfo *info, gpointer) -> GstPadProbeReturn {
        GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
        add_verdict (buf, (guint) ((GST_BUFFER_PTS (buf) + kFrame / 2) / kFrame));
        GST_PAD_PROBE_INFO_DATA (info) = buf;
        return GST_PAD_PROBE_OK;
      }, nullptr, nullptr);
  gst_object_unref (pad);
  gst_object_unref (e);
}

/* Calls @fn on every buffer reaching the sink pad of @name. */
void
watch (GstElement *pipeline, const char *name, std::function<void (GstBuffer *)> *fn)
{
  GstElement *e = by_name (pipeline, name);
  GstPad *pad = gst_element_get_static_pad (e, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [] (GstPad *, GstPadProbeInfo *info, gpointer data) -> GstPadProbeReturn {
        (*(std::function<void (GstBuffer *)> *) data) (GST_PAD_PROBE_INFO_BUFFER (info));
        return GST_PAD_PROBE_OK;
      }, fn, nullptr);
  gst_object_unref (pad);
  gst_object_unref (e);
}

std::string
checksum (GstBuffer *buf)
{
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_READ);
  gchar *c = g_compute_checksum_for_data (G_CHECKSUM_SHA256, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  std::string s (c);
  g_free (c);
  return s;
}

const char *kRaw = "videotestsrc num-buffers=60 pattern=ball ! "
    "video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! identity name=stamp";

struct Codec
{
  const char *name, *enc, *parse, *dec, *caps;
};

const Codec kH264 = { "h264", "x264enc key-int-max=15 bframes=0", "h264parse",
  "avdec_h264", "video/x-h264" };
const Codec kH265 = { "h265", "x265enc key-int-max=15 option-string=bframes=0",
  "h265parse", "avdec_h265", "video/x-h265" };

/* The frames decoded from compliancesei's output are those decoded from
 * its input, and its output carries the SEI. */
void
check_bit_identical (const Codec &c)
{
  std::string desc = std::string (kRaw) + " ! " + c.enc + " ! tee name=t "
      "t. ! queue ! " + c.parse + " ! " + c.dec + " ! fakesink name=a "
      "t. ! queue ! compliancesei ! " + c.parse + " ! tee name=t2 "
      "t2. ! queue ! " + c.dec + " ! fakesink name=b "
      "t2. ! queue ! compliancesei mode=extract ! fakesink name=x";
  GstElement *p = parse (desc);
  ASSERT_NE (p, nullptr);
  stamp_verdicts (p, "stamp");
  std::vector<std::string> a, b;
  guint metas = 0, aus = 0;
  std::function<void (GstBuffer *)> fa = [&] (GstBuffer *buf) { a.push_back (checksum (buf)); };
  std::function<void (GstBuffer *)> fb = [&] (GstBuffer *buf) { b.push_back (checksum (buf)); };
  std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
    aus++;
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (buf);
    if (m) {
      metas++;
      expect_schedule (m, c.name);
    }
  };
  watch (p, "a", &fa);
  watch (p, "b", &fb);
  watch (p, "x", &fx);
  RunResult r = run (p);
  gst_object_unref (p);
  ASSERT_TRUE (r.eos) << (r.log.errors.empty () ? "" : r.log.errors[0]);
  ASSERT_EQ (a.size (), 60u);
  EXPECT_EQ (a, b) << "decoded frames differ";
  EXPECT_EQ (aus, 60u);
  EXPECT_EQ (metas, 60u);
  /* Extract's start and end of the mismatch; the end at EOS or at 40. */
  ASSERT_EQ (r.log.violations.size (), 2u);
  EXPECT_EQ (r.log.violations[0].event, "start");
  EXPECT_EQ (r.log.violations[1].event, "end");
}

TEST_F (Sei, H264DecodesBitIdenticalAndCarriesTheState)
{
  if (!have ("x264enc") || !have ("avdec_h264"))
    GTEST_SKIP () << "x264enc or avdec_h264 missing";
  check_bit_identical (kH264);
}

TEST_F (Sei, H265DecodesBitIdenticalAndCarriesTheState)
{
  if (!have ("x265enc") || !have ("avdec_h265"))
    GTEST_SKIP () << "x265enc or avdec_h265 missing";
  check_bit_identical (kH265);
}

/* Encode, insert, mux to a file; demux, extract. */
struct MuxCase
{
  const char *name;
  const char *mux, *demux;
  bool h265;
};

class SeiMux : public Sei, public ::testing::WithParamInterface<MuxCase> {};

TEST_P (SeiMux, SeiSurvivesMuxAndDemux)
{
  const MuxCase &mc = GetParam ();
  const Codec &c = mc.h265 ? kH265 : kH264;
  if (!have (mc.h265 ? "x265enc" : "x264enc"))
    GTEST_SKIP () << "no encoder";
  std::string file = path ((std::string ("out.") + mc.name).c_str ());
  GstElement *p = parse (std::string (kRaw) + " ! " + c.enc + " ! compliancesei ! "
      + c.parse + " ! " + mc.mux + " ! filesink location=" + file);
  ASSERT_NE (p, nullptr);
  stamp_verdicts (p, "stamp");
  RunResult w = run (p);
  gst_object_unref (p);
  ASSERT_TRUE (w.eos) << (w.log.errors.empty () ? "" : w.log.errors[0]);

  p = parse ("filesrc location=" + file + " ! " + mc.demux + " name=d d. ! "
      + c.parse + " ! compliancesei mode=extract ! fakesink name=x");
  ASSERT_NE (p, nullptr);
  guint aus = 0, metas = 0;
  std::vector<std::string> skus;
  std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
    aus++;
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (buf);
    if (!m)
      return;
    metas++;
    expect_schedule (m, mc.name);
    if (skus.empty () || skus.back () != m->active_sku)
      skus.push_back (m->active_sku);
  };
  watch (p, "x", &fx);
  RunResult r = run (p);
  gst_object_unref (p);
  ASSERT_TRUE (r.eos) << (r.log.errors.empty () ? "" : r.log.errors[0]);
  EXPECT_EQ (aus, 60u);
  EXPECT_EQ (metas, 60u) << "the first AU carries the state, every AU gets it";
  EXPECT_EQ (skus, (std::vector<std::string>{ "A1001", "B2002" }));
  ASSERT_EQ (r.log.violations.size (), 2u);
  EXPECT_EQ (r.log.violations[0].event, "start");
  EXPECT_EQ (r.log.violations[0].rule, "price.mismatch");
  EXPECT_EQ (r.log.violations[1].event, "end");
  EXPECT_TRUE (r.log.warnings.empty ()) << r.log.warnings[0];
}

INSTANTIATE_TEST_SUITE_P (Containers, SeiMux, ::testing::Values (
    MuxCase {"h264_mp4", "mp4mux", "qtdemux", false},
    MuxCase {"h264_ts", "mpegtsmux", "tsdemux", false},
    MuxCase {"h264_flv", "flvmux", "flvdemux", false},
    MuxCase {"h264_mkv", "matroskamux", "matroskademux", false},
    MuxCase {"h265_mp4", "mp4mux", "qtdemux", true},
    MuxCase {"h265_ts", "mpegtsmux", "tsdemux", true},
    MuxCase {"h265_mkv", "matroskamux", "matroskademux", true}),
    [] (const ::testing::TestParamInfo<MuxCase> &i) { return std::string (i.param.name); });

/* Which encoders (and parsers after them) keep the tag-less verdict meta:
 * the element docs list the result. */
TEST_F (Sei, EncodersKeepTheVerdictMeta)
{
  struct Enc { const char *enc, *parse; bool expect_kept; } encs[] = {
    { "x264enc", "h264parse", true },
    { "x265enc", "h265parse", true },
    { "openh264enc", "h264parse", true },
  };
  for (auto &e : encs) {
    gchar *factory = g_strndup (e.enc, strcspn (e.enc, " "));
    bool present = have (factory);
    g_free (factory);
    if (!present) {
      std::printf ("encoder %s: not installed\n", e.enc);
      continue;
    }
    GstElement *p = parse (std::string ("videotestsrc num-buffers=20 ! "
        "video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! identity name=stamp ! ")
        + e.enc + " ! identity name=enc ! " + e.parse + " ! fakesink name=x");
    ASSERT_NE (p, nullptr);
    stamp_verdicts (p, "stamp");
    guint direct = 0, parsed = 0, total = 0;
    std::function<void (GstBuffer *)> fe = [&] (GstBuffer *buf) {
      total++;
      direct += gst_buffer_get_compliance_verdict_meta (buf) != nullptr;
    };
    std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
      parsed += gst_buffer_get_compliance_verdict_meta (buf) != nullptr;
    };
    watch (p, "enc", &fe);
    watch (p, "x", &fx);
    RunResult r = run (p);
    gst_object_unref (p);
    std::printf ("encoder %s: %u/%u coded buffers keep the meta, %u after %s%s\n",
        e.enc, direct, total, parsed, e.parse, r.eos ? "" : " (pipeline failed)");
    ASSERT_TRUE (r.eos) << e.enc << ": " << (r.log.errors.empty () ? "" : r.log.errors[0]);
    if (e.expect_kept) {
      EXPECT_EQ (direct, total) << e.enc;
      EXPECT_EQ (parsed, total) << e.parse;
    }
  }
  if (have ("avenc_h264_omx")) {
    GstElement *p = parse ("videotestsrc num-buffers=2 ! video/x-raw,format=I420,width=320,height=240 ! avenc_h264_omx ! fakesink");
    RunResult r = run (p, 20 * GST_SECOND);
    gst_object_unref (p);
    std::printf ("encoder avenc_h264_omx: %s\n", r.eos ? "works here" :
        ("does not run here: " + (r.log.errors.empty () ? std::string ("?") : r.log.errors[0])).c_str ());
  }
}

/* Ingest without re-encoding: a tee feeds the encoded stream untouched to
 * compliancesei and a decoded copy to compliancecheck; compliancesei
 * writes the check's verdicts into the encoded stream. */
TEST_F (Sei, AnalysisBranchWritesVerdictsIntoTheUntouchedStream)
{
  if (!have ("x264enc") || !have ("avdec_h264"))
    GTEST_SKIP () << "x264enc or avdec_h264 missing";
  /* The recording to ingest, without any SEI. */
  std::string in = path ("in.ts"), out = path ("out.ts"), catalog = path ("catalog.json");
  ASSERT_TRUE (g_file_set_contents (catalog.c_str (), R"({
    "schema": "gst-compliance-catalog/1", "jurisdiction": "CN", "currency": "CNY",
    "stream_date": "2026-11-29", "seller": {"name": "S"},
    "products": [{"sku": "D4004", "name": "烟花", "price": 10.0, "category": "prohibited"}]
  })", -1, nullptr));
  GstElement *p = parse (std::string (kRaw) + " ! " + kH264.enc + " ! h264parse ! mpegtsmux ! filesink location=" + in);
  RunResult w = run (p);
  gst_object_unref (p);
  ASSERT_TRUE (w.eos);

  p = parse ("filesrc location=" + in + " ! tsdemux ! h264parse ! tee name=t "
      "t. ! queue ! compliancesei source=check source-wait=10000 ! h264parse ! "
      "mpegtsmux ! filesink location=" + out + " "
      "t. ! queue ! avdec_h264 ! videoconvert name=conv ! "
      "compliancecheck name=check catalog=" + catalog + " active-sku=D4004 ! fakesink");
  ASSERT_NE (p, nullptr);
  /* Stands in for complianceocr: every decoded frame is "analysed" (no
   * text on it), which is enough for product.prohibited. */
  GstElement *conv = by_name (p, "conv");
  GstPad *pad = gst_element_get_static_pad (conv, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [] (GstPad *, GstPadProbeInfo *info, gpointer) -> GstPadProbeReturn {
        GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
        gst_buffer_add_compliance_text_meta (buf, GST_BUFFER_PTS (buf), 320, 240, nullptr, 0);
        GST_PAD_PROBE_INFO_DATA (info) = buf;
        return GST_PAD_PROBE_OK;
      }, nullptr, nullptr);
  gst_object_unref (pad);
  gst_object_unref (conv);
  RunResult r = run (p);
  gst_object_unref (p);
  ASSERT_TRUE (r.eos) << (r.log.errors.empty () ? "" : r.log.errors[0]);

  /* The output decodes to the input's frames... */
  auto decode = [&] (const std::string &file) {
    std::vector<std::string> sums;
    GstElement *d = parse ("filesrc location=" + file + " ! tsdemux ! h264parse ! avdec_h264 ! fakesink name=a");
    std::function<void (GstBuffer *)> fa = [&] (GstBuffer *buf) { sums.push_back (checksum (buf)); };
    watch (d, "a", &fa);
    RunResult dr = run (d);
    gst_object_unref (d);
    EXPECT_TRUE (dr.eos);
    return sums;
  };
  auto a = decode (in), b = decode (out);
  ASSERT_EQ (a.size (), 60u);
  EXPECT_EQ (a, b);

  /* ...and carries the check's verdicts, frame-accurately. */
  GstElement *x = parse ("filesrc location=" + out + " ! tsdemux ! h264parse ! compliancesei mode=extract ! fakesink name=x");
  guint metas = 0, prohibited = 0;
  std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (buf);
    if (!m)
      return;
    metas++;
    EXPECT_STREQ (m->active_sku, "D4004");
    if (m->n_violations == 1 && g_strcmp0 (m->violations[0].rule, "product.prohibited") == 0)
      prohibited++;
  };
  watch (x, "x", &fx);
  RunResult xr = run (x);
  gst_object_unref (x);
  ASSERT_TRUE (xr.eos);
  EXPECT_EQ (metas, 60u);
  /* Confirmed on the second analysed frame, active to the end. */
  EXPECT_EQ (prohibited, 59u);
  ASSERT_EQ (xr.log.violations.size (), 2u);
  EXPECT_EQ (xr.log.violations[0].rule, "product.prohibited");
  EXPECT_EQ (xr.log.violations[0].sku, "D4004");
}

/* samples/ingest-sei.sh, run on files: same topology as above, through
 * gst-launch-1.0. */
TEST_F (Sei, SampleIngestScriptOnFiles)
{
  if (UNDER_ASAN)
    GTEST_SKIP () << "gst-launch-1.0 cannot load a sanitizer-built plugin";
  const char *src_dir = g_getenv ("GST_COMPLIANCE_SOURCE_DIR");
  if (!src_dir || !have ("x264enc") || !have ("avdec_h264"))
    GTEST_SKIP () << "needs the source dir, x264enc and avdec_h264";
  gchar *gst_launch = g_find_program_in_path ("gst-launch-1.0");
  if (!gst_launch)
    GTEST_SKIP () << "gst-launch-1.0 not in PATH";
  g_free (gst_launch);
  std::string in = path ("in.ts"), out = path ("out.ts"), catalog = path ("catalog.json");
  ASSERT_TRUE (g_file_set_contents (catalog.c_str (), R"({
    "schema": "gst-compliance-catalog/1", "jurisdiction": "CN", "currency": "CNY",
    "stream_date": "2026-11-29", "seller": {"name": "S"},
    "products": [{"sku": "A1001", "name": "保温杯", "price": 99.0, "category": "general",
                  "sponsored": true, "sponsor": "Brand X"}]
  })", -1, nullptr));
  GstElement *p = parse (std::string (kRaw) + " ! " + kH264.enc + " ! h264parse ! mpegtsmux ! filesink location=" + in);
  ASSERT_TRUE (run (p).eos);
  gst_object_unref (p);

  std::string script = std::string (src_dir) + "/samples/ingest-sei.sh";
  /* No OCR here (another element's job, tested with a probe above): the
   * check runs no rule without readings, but still attaches a verdict to
   * every frame, and that is what must reach the output. */
  std::string analysis = "compliancecheck name=check catalog=" + catalog + " active-sku=A1001";
  gchar **env = g_get_environ ();
  env = g_environ_setenv (env, "GC_ANALYSIS", analysis.c_str (), TRUE);
  const gchar *argv[] = { "bash", script.c_str (), in.c_str (), out.c_str (), catalog.c_str (), nullptr };
  gint status = -1;
  gchar *err_out = nullptr;
  GError *err = nullptr;
  ASSERT_TRUE (g_spawn_sync (nullptr, (gchar **) argv, env,
      (GSpawnFlags) (G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL), nullptr, nullptr, nullptr, &err_out, &status, &err))
      << err->message;
  g_strfreev (env);
  EXPECT_TRUE (g_spawn_check_wait_status (status, nullptr)) << err_out;
  g_free (err_out);

  GstElement *x = parse ("filesrc location=" + out + " ! tsdemux ! h264parse ! compliancesei mode=extract ! fakesink name=x");
  guint metas = 0;
  std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (buf);
    if (!m)
      return;
    metas++;
    EXPECT_EQ (m->n_violations, 0u);
    EXPECT_EQ (m->frame_width, 320u);
  };
  watch (x, "x", &fx);
  ASSERT_TRUE (run (x).eos);
  gst_object_unref (x);
  EXPECT_EQ (metas, 60u);
}

/* samples/ingest-sei.sh with its own analysis chain (complianceocr !
 * compliancecheck): a wrong price rendered into the video reaches the
 * untouched encoded stream as a price.mismatch carried in SEI. */
TEST_F (Sei, SampleIngestScriptWithRealAnalysis)
{
  if (UNDER_ASAN)
    GTEST_SKIP () << "gst-launch-1.0 cannot load a sanitizer-built plugin";
  const char *src_dir = g_getenv ("GST_COMPLIANCE_SOURCE_DIR");
  ASSERT_NE (src_dir, nullptr);
  std::string in = path ("in-ocr.ts"), out = path ("out-ocr.ts"), catalog = path ("catalog-ocr.json");
  ASSERT_TRUE (g_file_set_contents (catalog.c_str (), R"({
    "schema": "gst-compliance-catalog/1", "jurisdiction": "CN", "currency": "CNY",
    "products": [{"sku": "A1001", "name": "保温杯", "price": 99.0, "category": "general"}],
    "schedule": [{"sku": "A1001", "start": 0.0, "end": 600.0}]
  })", -1, nullptr));
  GstElement *p = parse ("videotestsrc pattern=black num-buffers=40 ! "
      "video/x-raw,width=640,height=360,framerate=10/1 ! "
      "textoverlay text=\"到手价 ¥89.00\" font-desc=\"Noto Sans CJK SC 28\" ! "
      "x264enc key-int-max=10 ! h264parse ! mpegtsmux ! filesink location=" + in);
  ASSERT_TRUE (run (p).eos);
  gst_object_unref (p);

  std::string script = std::string (src_dir) + "/samples/ingest-sei.sh";
  gchar **env = g_get_environ ();
  env = g_environ_unsetenv (env, "GC_ANALYSIS");
  const gchar *argv[] = { "bash", script.c_str (), in.c_str (), out.c_str (), catalog.c_str (), nullptr };
  gint status = -1;
  gchar *err_out = nullptr;
  GError *err = nullptr;
  ASSERT_TRUE (g_spawn_sync (nullptr, (gchar **) argv, env,
      (GSpawnFlags) (G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL), nullptr, nullptr, nullptr, &err_out, &status, &err))
      << err->message;
  g_strfreev (env);
  EXPECT_TRUE (g_spawn_check_wait_status (status, nullptr)) << err_out;
  g_free (err_out);

  GstElement *x = parse ("filesrc location=" + out + " ! tsdemux ! h264parse ! compliancesei mode=extract ! fakesink name=x");
  guint with_mismatch = 0;
  std::function<void (GstBuffer *)> fx = [&] (GstBuffer *buf) {
    GstComplianceVerdictMeta *m = gst_buffer_get_compliance_verdict_meta (buf);
    for (guint i = 0; m && i < m->n_violations; i++)
      if (g_strcmp0 (m->violations[i].rule, "price.mismatch") == 0
          && g_strcmp0 (m->violations[i].observed, "¥89.00") == 0)
        with_mismatch++;
  };
  watch (x, "x", &fx);
  ASSERT_TRUE (run (x).eos);
  gst_object_unref (x);
  /* Confirmed on the second analysed frame (500 ms apart) and kept to the
   * end: most of the 40 access units carry it. */
  EXPECT_GE (with_mismatch, 20u);
}

TEST_F (Sei, MissingSourceFailsTheStateChange)
{
  GstElement *p = parse ("fakesrc ! compliancesei source=nothere ! fakesink");
  GstBus *bus = gst_element_get_bus (p);
  EXPECT_EQ (gst_element_set_state (p, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  BusLog log;
  log.drain (bus);
  ASSERT_FALSE (log.errors.empty ());
  EXPECT_NE (log.errors[0].find ("nothere"), std::string::npos) << log.errors[0];
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
}

}  // namespace
