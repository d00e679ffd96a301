/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* complianceocr under GstHarness and in pipelines: frames with prices
 * rendered by textoverlay go in; the same pixels come out, one buffer per
 * buffer, carrying text metas and posting compliance-text messages.
 *
 * Accuracy belongs to the engine's tests: here a price counts as read when
 * its digits ("89.00") appear.
 *
 * Cost: every element started makes one Tesseract engine per worker
 * (~0.1 s, and seconds under AddressSanitizer).  So the cases use
 * languages=eng where Chinese is not what they test (the digits read the
 * same), threads=1 where the number of workers is not, and 640x360 frames
 * where the size is not; see sanitized() for what sanitizer builds do
 * differently. */
#include <gtest/gtest.h>

#include "element-test.h"
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "gstcompliancemeta.h"
#ifdef GC_HAVE_SCENE
#include "gc-ocr-scene.h"
#endif

namespace {

const char *kPrice = "到手价 ¥89.00";
const char *kFont = "Noto Sans CJK SC 40";

/* Sanitizer builds set GC_TEST_SANITIZED (tests/elements/meson.build; the
 * compiler's own flag covers running the binary by hand).  There an
 * engine costs seconds to make: Tesseract's initialisation does ~0.4
 * million allocations per language set, each unwound in full for leak
 * stacks (fast_unwind_on_malloc=0).  So there the suite repeats its
 * state-change cycles and frames fewer times (scaled()), starts one worker
 * instead of two where the second only widens a race, and a few cases that
 * only need some element keep one across their steps instead of starting
 * one per step; every case still runs, with the same checks.  The normal
 * build keeps the full counts (100 NULL<->PLAYING cycles). */
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsanBuild = true;
#else
constexpr bool kAsanBuild = false;
#endif

bool
sanitized ()
{
  static const bool set = kAsanBuild
      || g_getenv ("GC_TEST_SANITIZED") != nullptr;
  return set;
}

/* @plain in a normal build, @under_sanitizers in a sanitizer build. */
int
scaled (int plain, int under_sanitizers)
{
  return sanitized ()? under_sanitizers : plain;
}

GstStaticPadTemplate hsrc = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
GstStaticPadTemplate hsink = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));

/* A frame rendered once and pushed many times. */
struct Frame
{
  GstBuffer *buf = nullptr;
  std::string caps;

  Frame () = default;
  Frame (const Frame &) = delete;
  Frame &operator= (const Frame &) = delete;
  ~Frame ()
  {
    if (buf)
      gst_buffer_unref (buf);
  }
};

/* Renders @text (white, bottom left, as textoverlay draws it) on black in
 * @format.  "" renders a text-free frame. */
void
render (Frame &f, const char *text, const char *format, int w, int h,
    const char *pattern = "black")
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 pattern=%s ! "
      "video/x-raw,width=%d,height=%d,framerate=30/1 ! "
      "textoverlay name=t font-desc=\"%s\" valignment=bottom halignment=left ! "
      "videoconvert ! video/x-raw,format=%s ! appsink name=sink sync=false",
      pattern, w, h, kFont, format);
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc, &err);
  g_free (desc);
  ASSERT_NE (p, nullptr) << (err ? err->message : "");
  GstElement *t = gst_bin_get_by_name (GST_BIN (p), "t");
  g_object_set (t, "text", text, NULL);
  gst_object_unref (t);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  ASSERT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  GstSample *s = nullptr;
  g_signal_emit_by_name (sink, "pull-sample", &s);
  ASSERT_NE (s, nullptr);
  f.buf = gst_buffer_copy_deep (gst_sample_get_buffer (s));
  gchar *caps = gst_caps_to_string (gst_sample_get_caps (s));
  f.caps = caps;
  g_free (caps);
  gst_sample_unref (s);
  gst_object_unref (sink);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

std::string
caps_at_rate (const std::string &caps, int fps)
{
  GstCaps *c = gst_caps_from_string (caps.c_str ());
  gst_caps_set_simple (c, "framerate", GST_TYPE_FRACTION, fps, 1, NULL);
  gchar *s = gst_caps_to_string (c);
  std::string out (s);
  g_free (s);
  gst_caps_unref (c);
  return out;
}

bool
has_price (const GstComplianceTextMeta *m)
{
  for (guint i = 0; m && i < m->n_readings; i++)
    if (m->readings[i].text && strstr (m->readings[i].text, "89.00"))
      return true;
  return false;
}

std::string
describe (const GstComplianceTextMeta *m)
{
  std::string s;
  for (guint i = 0; m && i < m->n_readings; i++) {
    const GstComplianceReading *r = &m->readings[i];
    gchar *line = g_strdup_printf ("[%s @%d,%d %dx%d c=%.3f s=%d]", r->text,
        r->x, r->y, r->width, r->height, r->confidence, r->struck);
    s += line;
    g_free (line);
  }
  return s;
}

GstElement *
make (const char *props)
{
  GstElement *e = gst_element_factory_make ("complianceocr", nullptr);
  EXPECT_NE (e, nullptr) << "plugin not found; GST_PLUGIN_PATH="
      << g_getenv ("GST_PLUGIN_PATH");
  /* Under the sanitizers the element's cases read with Tesseract unless
   * they name an engine: PP-OCR's sessions cost ~1 s each to make there,
   * and the suite ran 870 s of its 900.  PP-OCR is covered under the
   * sanitizers by the cases below that ask for it and by ocr_engine's
   * OcrPp suites; the normal build reads with the default (auto). */
  if (e && sanitized ())
    gst_util_set_object_arg (G_OBJECT (e), "engine", "tesseract");
  gc_test::set_props (e, props);
  return e;
}

guint64
stat (GstElement *e, const char *name)
{
  guint64 v = 0;
  g_object_get (e, name, &v, NULL);
  return v;
}

struct TextMsg
{
  guint64 pts, running_time;
  int width, height;
  std::vector<std::string> texts;
};

class Ocr : public ::testing::Test
{
public:
  GstHarness *h = nullptr;
  GstElement *el = nullptr;
  GstBus *bus = nullptr;
  std::vector<TextMsg> pending_texts;
  std::vector<std::string> pending_warnings, pending_errors;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }

  void TearDown () override { stop (); }

  void start (const char *props, const std::string &caps)
  {
    el = make (props);
    bus = gst_bus_new ();
    gst_element_set_bus (el, bus);
    h = gst_harness_new_empty ();
    gst_harness_add_element_full (h, el, &hsrc, "sink", &hsink, "src");
    gst_object_unref (el);      /* the harness holds it */
    gst_harness_set_src_caps_str (h, caps.c_str ());
  }

  void stop ()
  {
    if (h)
      gst_harness_teardown (h);
    h = nullptr;
    el = nullptr;
    if (bus)
      gst_object_unref (bus);
    bus = nullptr;
  }

  /* A running element handed from one case to the next (sanitizer builds
   * only, see sanitized()). */
  struct Kept
  {
    GstHarness *h = nullptr;
    GstElement *el = nullptr;
    GstBus *bus = nullptr;
  };

  void keep (Kept &k)
  {
    k.h = h;
    k.el = el;
    k.bus = bus;
    h = nullptr;
    el = nullptr;
    bus = nullptr;
  }

  void adopt (Kept &k)
  {
    h = k.h;
    el = k.el;
    bus = k.bus;
    k = Kept ();
  }

  static void drop (Kept &k)
  {
    if (k.h)
      gst_harness_teardown (k.h);
    if (k.bus)
      gst_object_unref (k.bus);
    k = Kept ();
  }

  /* A new stream in @caps on the running element, after an EOS: the flush
   * clears the EOS, and a caps change is what the element then sees. */
  void restream (const std::string &caps)
  {
    ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_flush_start ()));
    ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    gst_harness_set_src_caps_str (h, caps.c_str ());
  }

  /* A writable copy of @f at @pts, pushed; the output pulled. */
  GstBuffer *push (const Frame &f, GstClockTime pts,
      GstClockTime duration = GST_SECOND / 30)
  {
    GstBuffer *buf = gst_buffer_copy_deep (f.buf);
    GST_BUFFER_PTS (buf) = pts;
    GST_BUFFER_DURATION (buf) = duration;
    EXPECT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
    return gst_harness_try_pull (h);
  }

  /* gst_bus_pop_filtered() drops what does not match, so drain everything
   * once and sort it. */
  void drain ()
  {
    GstMessage *m;
    while ((m = gst_bus_pop (bus))) {
      if (gc_test::take_warning_or_error (m, pending_warnings,
              pending_errors)) {
        /* taken */
      } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
          && gst_structure_has_name (gst_message_get_structure (m),
              "compliance-text")) {
        const GstStructure *s = gst_message_get_structure (m);
        TextMsg t = {};
        EXPECT_TRUE (gst_structure_get_uint64 (s, "pts", &t.pts));
        EXPECT_TRUE (gst_structure_get_uint64 (s, "running-time",
                &t.running_time));
        EXPECT_TRUE (gst_structure_get_int (s, "width", &t.width));
        EXPECT_TRUE (gst_structure_get_int (s, "height", &t.height));
        const GValue *arr = gst_structure_get_value (s, "readings");
        EXPECT_TRUE (arr && GST_VALUE_HOLDS_ARRAY (arr));
        for (guint i = 0; arr && i < gst_value_array_get_size (arr); i++) {
          const GstStructure *r =
              gst_value_get_structure (gst_value_array_get_value (arr, i));
          int x, y, w, hh;
          double conf;
          gboolean struck;
          guint64 first;
          EXPECT_TRUE (gst_structure_has_name (r, "reading"));
          EXPECT_TRUE (gst_structure_get_int (r, "x", &x));
          EXPECT_TRUE (gst_structure_get_int (r, "y", &y));
          EXPECT_TRUE (gst_structure_get_int (r, "width", &w));
          EXPECT_TRUE (gst_structure_get_int (r, "height", &hh));
          EXPECT_TRUE (gst_structure_get_double (r, "confidence", &conf));
          EXPECT_TRUE (gst_structure_get_boolean (r, "struck", &struck));
          EXPECT_TRUE (gst_structure_get_uint64 (r, "first-seen", &first));
          const char *text = gst_structure_get_string (r, "text");
          t.texts.emplace_back (text ? text : "");
        }
        pending_texts.push_back (t);
      }
      gst_message_unref (m);
    }
  }

  std::vector<TextMsg> texts ()
  {
    drain ();
    std::vector<TextMsg> out;
    out.swap (pending_texts);
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

/* ------------------------------------------------------------------ */

TEST_F (Ocr, PropertiesHaveBlurbsAndDefaults)
{
  GstElement *e = make (nullptr);
  struct
  {
    const char *name;
    const char *def;
  } props[] = {
    {"mode", "live"}, {"interval", "500"}, {"languages", "chi_sim+eng"},
    {"tessdata-dir", nullptr}, {"roi", nullptr}, {"threads", "2"},
    {"min-confidence", "0"}, {"frames-seen", "0"}, {"frames-sampled", "0"},
    {"frames-skipped", "0"}, {"regions-read", "0"},
    {"mean-ms-per-read", "0"},
  };
  for (auto &p : props) {
    GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (e),
        p.name);
    ASSERT_NE (spec, nullptr) << p.name;
    EXPECT_GT (strlen (g_param_spec_get_blurb (spec)), 20u) << p.name;
    GValue v = G_VALUE_INIT;
    g_value_init (&v, spec->value_type);
    g_object_get_property (G_OBJECT (e), p.name, &v);
    if (p.def) {
      gchar *s = G_VALUE_HOLDS_ENUM (&v) ?
          g_strdup (g_enum_get_value (G_ENUM_CLASS (g_type_class_peek
                      (spec->value_type)), g_value_get_enum (&v))->value_nick) :
          G_VALUE_HOLDS_FLOAT (&v) || G_VALUE_HOLDS_DOUBLE (&v) ?
          g_strdup_printf ("%g", G_VALUE_HOLDS_FLOAT (&v) ?
              g_value_get_float (&v) : g_value_get_double (&v)) :
          gst_value_serialize (&v);
      EXPECT_STREQ (s, p.def) << p.name;
      g_free (s);
    } else {
      EXPECT_EQ (g_value_get_string (&v), nullptr) << p.name;
    }
    g_value_unset (&v);
  }
  gst_object_unref (e);
}

TEST_F (Ocr, ReplayAttachesToTheFrameItself)
{
  Frame f;
  render (f, kPrice, "I420", 1280, 720);
  start ("mode=replay interval=500 threads=1 languages=eng",
      caps_at_rate (f.caps, 2));
  for (int i = 0; i < 4; i++) {
    GstClockTime pts = i * GST_SECOND / 2;
    GstBuffer *out = push (f, pts, GST_SECOND / 2);
    ASSERT_NE (out, nullptr);
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    ASSERT_NE (m, nullptr) << "frame " << i;
    EXPECT_EQ (m->pts, pts);
    EXPECT_EQ (m->frame_width, 1280u);
    EXPECT_EQ (m->frame_height, 720u);
    EXPECT_TRUE (has_price (m)) << describe (m);
    for (guint j = 0; j < m->n_readings; j++) {
      /* The text stays: it was first seen on the first frame. */
      if (strstr (m->readings[j].text, "89.00")) {
        EXPECT_EQ (m->readings[j].first_seen, 0u);
      }
      /* textoverlay put it at the bottom left. */
      EXPECT_GT (m->readings[j].y, 360);
      EXPECT_LE (m->readings[j].y + m->readings[j].height, 720);
    }
    gst_buffer_unref (out);
  }
  auto t = texts ();
  ASSERT_EQ (t.size (), 4u);
  for (int i = 0; i < 4; i++) {
    EXPECT_EQ (t[i].pts, (guint64) i * GST_SECOND / 2);
    EXPECT_EQ (t[i].running_time, (guint64) i * GST_SECOND / 2);
    EXPECT_EQ (t[i].width, 1280);
    EXPECT_EQ (t[i].height, 720);
    bool found = false;
    for (auto &s : t[i].texts)
      found |= s.find ("89.00") != std::string::npos;
    EXPECT_TRUE (found);
  }
  EXPECT_EQ (stat (el, "frames-seen"), 4u);
  EXPECT_EQ (stat (el, "frames-sampled"), 4u);
  EXPECT_EQ (stat (el, "frames-skipped"), 0u);
  EXPECT_GE (stat (el, "regions-read"), 1u);
  gdouble ms = 0;
  g_object_get (el, "mean-ms-per-read", &ms, NULL);
  EXPECT_GT (ms, 0.0);
  EXPECT_TRUE (messages_of (GST_MESSAGE_WARNING).empty ());
}

TEST_F (Ocr, ReplaySamplesEveryIntervalOnly)
{
  Frame f;
  render (f, kPrice, "I420", 640, 360);
  start ("mode=replay interval=500 threads=1 languages=eng", f.caps);
  int with_meta = 0;
  for (int i = 0; i < 30; i++) {
    GstBuffer *out = push (f, gst_util_uint64_scale (i, GST_SECOND, 30));
    ASSERT_NE (out, nullptr);
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    if (m) {
      with_meta++;
      EXPECT_EQ (m->pts, GST_BUFFER_PTS (out));
      EXPECT_EQ (i % 15, 0) << "sampled frame " << i;
    }
    gst_buffer_unref (out);
  }
  EXPECT_EQ (with_meta, 2);
  EXPECT_EQ (stat (el, "frames-sampled"), 2u);
}

/* Serialises what a replay run attached to each frame. */
std::vector<std::string>
replay_run (Ocr *t, std::vector<const Frame *> frames)
{
  std::vector<std::string> out;
  for (size_t i = 0; i < frames.size (); i++) {
    GstBuffer *o = t->push (*frames[i], i * GST_SECOND / 2, GST_SECOND / 2);
    EXPECT_NE (o, nullptr);
    if (o == nullptr)
      break;
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (o);
    gchar *head = g_strdup_printf ("%" G_GUINT64_FORMAT ":",
        m ? m->pts : (guint64) - 1);
    std::string line = std::string (head) + describe (m);
    for (guint j = 0; m && j < m->n_readings; j++)
      line += "/" + std::to_string (m->readings[j].first_seen);
    g_free (head);
    out.push_back (line);
    gst_buffer_unref (o);
  }
  return out;
}

TEST_F (Ocr, ReplayIsDeterministic)
{
  Frame a, b, c;
  render (a, kPrice, "I420", 640, 360);
  /* Colour bars: the hard background, where the engine may split or
   * garble lines; whatever it reads, it must read it the same way. */
  render (b, "原价 ¥129 已售10万+", "I420", 640, 360, "smpte");
  render (c, "", "I420", 640, 360, "smpte");
  std::vector<const Frame *> seq = { &a, &a, &b, &c, &a, &b };
  std::vector<std::string> runs[2];
  for (int run = 0; run < 2; run++) {
    /* The default two threads share each frame's lines: which one reads
     * which must not show. */
    start ("mode=replay interval=0 languages=eng", caps_at_rate (a.caps, 2));
    runs[run] = replay_run (this, seq);
    stop ();
  }
  ASSERT_EQ (runs[0].size (), seq.size ());
  EXPECT_EQ (runs[0], runs[1]);
  EXPECT_NE (runs[0][0].find ("89.00"), std::string::npos) << runs[0][0];
}

TEST_F (Ocr, LiveAttachesToALaterBufferWithThePtsOfTheFrameRead)
{
  Frame f;
  render (f, kPrice, "I420", 640, 360);
  start ("interval=500 threads=1 languages=eng", f.caps);
  std::set<GstClockTime> sampled;
  int metas = 0;
  for (int i = 0; i < 600 && metas < 3; i++) {
    GstClockTime pts = gst_util_uint64_scale (i, GST_SECOND, 30);
    if (i % 15 == 0)
      sampled.insert (pts);
    GstBuffer *out = push (f, pts);
    ASSERT_NE (out, nullptr);
    EXPECT_EQ (GST_BUFFER_PTS (out), pts);
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    if (m) {
      metas++;
      EXPECT_TRUE (sampled.count (m->pts)) << "meta pts " << m->pts
          << " is not a sampled frame's";
      EXPECT_LT (m->pts, pts) << "live readings ride on a later buffer";
      EXPECT_TRUE (has_price (m)) << describe (m);
    }
    gst_buffer_unref (out);
    g_usleep (10 * 1000);
  }
  EXPECT_EQ (metas, 3);
  auto t = texts ();
  EXPECT_EQ (t.size (), 3u);
  for (auto &m : t)
    EXPECT_TRUE (sampled.count (m.pts));
}

TEST_F (Ocr, LiveNeverBlocks)
{
  Frame f;
  render (f, kPrice, "I420", 1920, 1080, "smpte");
  /* Every frame a sample, one worker: nearly all of them find it busy. */
  start ("interval=0 threads=1 languages=eng", f.caps);
  /* 10 s of video; 3 s under sanitizers, where each read takes longer and
   * the point (pushes find the worker busy and do not wait) shows sooner. */
  const int n = scaled (300, 90);
  gint64 worst = 0, total = 0;
  for (int i = 0; i < n; i++) {
    GstBuffer *buf = gst_buffer_copy_deep (f.buf);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (i, GST_SECOND, 30);
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    gint64 t0 = g_get_monotonic_time ();
    ASSERT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
    gint64 dt = g_get_monotonic_time () - t0;
    worst = std::max (worst, dt);
    total += dt;
    GstBuffer *out = gst_harness_try_pull (h);
    ASSERT_NE (out, nullptr) << "one buffer out per buffer in (frame " << i << ")";
    gst_buffer_unref (out);
  }
  EXPECT_EQ (gst_harness_buffers_in_queue (h), 0u);
  /* A read of this frame takes tens of ms; a push only copies (at most)
   * and must not wait for one.  Generous bounds for sanitizer builds. */
  EXPECT_LT (worst, 40 * 1000) << "a push waited " << worst << " us";
  EXPECT_LT (total / n, 5 * 1000) << "mean push " << total / n << " us";
  EXPECT_EQ (stat (el, "frames-seen"), (guint64) n);
  EXPECT_GT (stat (el, "frames-skipped"), 0u);
  EXPECT_EQ (stat (el, "frames-sampled") + stat (el, "frames-skipped"),
      (guint64) n);
  GST_INFO ("worst push %" G_GINT64_FORMAT " us, mean %" G_GINT64_FORMAT
      " us, sampled %" G_GUINT64_FORMAT, worst, total / n,
      stat (el, "frames-sampled"));
}

TEST_F (Ocr, EosPostsTheReadsInFlight)
{
  Frame f;
  render (f, kPrice, "I420", 640, 360);
  start ("interval=500 threads=1 languages=eng", f.caps);
  GstBuffer *out = push (f, 0);
  ASSERT_NE (out, nullptr);
  EXPECT_EQ (gst_buffer_get_compliance_text_meta (out), nullptr)
      << "live mode cannot have read the frame yet";
  gst_buffer_unref (out);
  ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_eos ()));
  auto t = texts ();
  ASSERT_EQ (t.size (), 1u);
  EXPECT_EQ (t[0].pts, 0u);
  bool found = false;
  for (auto &s : t[0].texts)
    found |= s.find ("89.00") != std::string::npos;
  EXPECT_TRUE (found);
}

/* Every format: the same bytes come out, and the text is read.  Under
 * sanitizers one element per mode serves every format in turn, each format
 * a new stream (flush, caps change) after the previous one's EOS: two
 * engines instead of forty. */
class EachFormat : public Ocr, public ::testing::WithParamInterface<const char *>
{
public:
  static Kept kept[2];
  static void TearDownTestSuite ()
  {
    for (Kept &k : kept)
      drop (k);
  }
};

Ocr::Kept EachFormat::kept[2];

TEST_P (EachFormat, PassesThroughUnchangedAndIsRead)
{
  Frame f;
  render (f, kPrice, GetParam (), 640, 360);
  ASSERT_NE (f.buf, nullptr);
  gsize size = gst_buffer_get_size (f.buf);
  GstMapInfo ref;
  ASSERT_TRUE (gst_buffer_map (f.buf, &ref, GST_MAP_READ));

  for (int k = 0; k < 2; k++) {
    const char *mode = k ? "live" : "replay";
    std::string props = std::string ("interval=0 threads=1 languages=eng "
        "mode=") + mode;
    if (kept[k].h) {
      adopt (kept[k]);
      restream (f.caps);
    } else {
      start (props.c_str (), f.caps);
    }
    bool read = false;
    /* In live mode a read can outlast the four frames and the 3 s the
     * element waits for it at EOS when the machine is slow (sanitizers,
     * other jobs): frames keep coming, as in a stream, until one carries a
     * reading (for at most a minute). */
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    for (int i = 0; i < 4 || (k == 1 && !read
            && g_get_monotonic_time () < deadline); i++) {
      if (i >= 4)
        g_usleep (10 * 1000);
      GstBuffer *out = push (f, i * GST_SECOND / 30);
      ASSERT_NE (out, nullptr);
      ASSERT_EQ (gst_buffer_get_size (out), size);
      GstMapInfo map;
      ASSERT_TRUE (gst_buffer_map (out, &map, GST_MAP_READ));
      EXPECT_EQ (memcmp (map.data, ref.data, size), 0) << GetParam ()
          << " pixels changed";
      gst_buffer_unmap (out, &map);
      GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
      if (std::string (mode) == "replay") {
        EXPECT_NE (m, nullptr);
        EXPECT_TRUE (has_price (m)) << GetParam () << ": " << describe (m);
      }
      read |= has_price (m);
      gst_buffer_unref (out);
    }
    ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_eos ()));
    bool posted = false;
    for (auto &t : texts ())
      for (auto &s : t.texts)
        posted |= s.find ("89.00") != std::string::npos;
    EXPECT_TRUE (posted || read) << GetParam () << " " << mode;
    auto w = messages_of (GST_MESSAGE_WARNING);
    EXPECT_TRUE (w.empty ()) << GetParam () << ": " << (w.empty () ? "" : w[0]);
    if (sanitized ())
      keep (kept[k]);
    else
      stop ();
  }
  gst_buffer_unmap (f.buf, &ref);
}

INSTANTIATE_TEST_SUITE_P (Formats, EachFormat, ::testing::Values ("I420",
        "NV12", "YV12", "Y42B", "Y444", "RGBA", "BGRA", "RGBx", "BGRx", "xRGB",
        "ARGB", "RGB", "BGR", "GRAY8", "NV21", "YUY2", "UYVY", "ABGR", "xBGR",
        "Y41B"));

TEST_F (Ocr, SmallestAndLargestFramesPassThrough)
{
  /* Under sanitizers one element takes both sizes, the second as a caps
   * change. */
  for (auto sz : { std::make_pair (64, 64), std::make_pair (4096, 2160) }) {
    Frame f;
    render (f, sz.first > 64 ? kPrice : "", "I420", sz.first, sz.second);
    if (h)
      gst_harness_set_src_caps_str (h, f.caps.c_str ());
    else
      start ("mode=replay interval=0 threads=1 languages=eng", f.caps);
    GstBuffer *out = push (f, 0);
    ASSERT_NE (out, nullptr);
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    ASSERT_NE (m, nullptr);
    EXPECT_EQ (m->frame_width, (guint) sz.first);
    if (sz.first > 64) {
      EXPECT_TRUE (has_price (m)) << describe (m);
    }
    gst_buffer_unref (out);
    EXPECT_TRUE (messages_of (GST_MESSAGE_WARNING).empty ());
    if (!sanitized ())
      stop ();
  }
}

TEST_F (Ocr, TemplatesAdvertiseTheSizesRead)
{
  /* Sizes outside 64..4096 in each dimension are not accepted by the sink
   * pad, so upstream can negotiate another. */
  GstElement *e = gst_element_factory_make ("complianceocr", nullptr);
  ASSERT_NE (e, nullptr);
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  for (auto c : std::vector<std::pair<const char *, bool>> {
          {"width=64,height=64", true}, {"width=4096,height=2160", true},
          {"width=2160,height=3840", true}, {"width=4096,height=4096", true},
          {"width=64,height=48", false}, {"width=32,height=32", false},
          {"width=4097,height=2160", false}, {"width=1920,height=4100", false}}) {
    std::string str = std::string ("video/x-raw,format=I420,") + c.first
        + ",framerate=30/1";
    GstCaps *caps = gst_caps_from_string (str.c_str ());
    EXPECT_EQ ((bool) gst_pad_query_accept_caps (sink, caps), c.second) << str;
    gst_caps_unref (caps);
  }
  gst_object_unref (sink);
  gst_object_unref (e);
}

TEST_F (Ocr, VideoscaleInFrontNegotiatesASizeInRange)
{
  /* Tiny, 8K and tall portrait inputs: videoscale picks a size the
   * element reads (it may change the pixel aspect ratio to do so; the
   * scan tool picks one that keeps the shape). */
  struct { int w, h; } cases[] = { {64, 48}, {8192, 4320}, {2160, 5120} };
  for (auto &c : cases) {
    std::string desc = "videotestsrc num-buffers=1 ! video/x-raw,format=I420,"
        "width=" + std::to_string (c.w) + ",height=" + std::to_string (c.h)
        + " ! videoscale ! complianceocr name=ocr mode=replay interval=0 "
        "threads=1 languages=eng engine=tesseract ! fakesink";
    GError *err = nullptr;
    GstElement *p = gst_parse_launch (desc.c_str (), &err);
    ASSERT_NE (p, nullptr) << (err ? err->message : "");
    ASSERT_EQ (gst_element_set_state (p, GST_STATE_PLAYING),
        GST_STATE_CHANGE_ASYNC);
    GstBus *bus = gst_element_get_bus (p);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    ASSERT_NE (m, nullptr);
    EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS) << desc;
    gst_message_unref (m);
    GstElement *ocr = gst_bin_get_by_name (GST_BIN (p), "ocr");
    GstPad *sink = gst_element_get_static_pad (ocr, "sink");
    GstCaps *caps = gst_pad_get_current_caps (sink);
    ASSERT_NE (caps, nullptr);
    GstStructure *st = gst_caps_get_structure (caps, 0);
    int w = 0, h = 0;
    gst_structure_get_int (st, "width", &w);
    gst_structure_get_int (st, "height", &h);
    EXPECT_GE (w, 64) << desc;
    EXPECT_GE (h, 64) << desc;
    EXPECT_LE (w, 4096) << desc;
    EXPECT_LE (h, 4096) << desc;
    gst_caps_unref (caps);
    gst_object_unref (sink);
    gst_object_unref (ocr);
    gst_object_unref (bus);
    gst_element_set_state (p, GST_STATE_NULL);
    gst_object_unref (p);
  }
}

TEST_F (Ocr, ResolutionSwitchMidStream)
{
  Frame small, large;
  render (small, kPrice, "I420", 640, 360);
  render (large, kPrice, "I420", 1280, 720);
  /* Replay: each frame's meta has its own size. */
  start ("mode=replay interval=0 threads=1 languages=eng", small.caps);
  GstClockTime pts = 0;
  for (int round = 0; round < 2; round++) {
    for (const Frame *f : { &small, &large }) {
      gst_harness_set_src_caps_str (h, f->caps.c_str ());
      for (int i = 0; i < 2; i++, pts += GST_SECOND / 30) {
        GstBuffer *out = push (*f, pts);
        ASSERT_NE (out, nullptr);
        GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
        ASSERT_NE (m, nullptr);
        EXPECT_EQ (m->frame_width, f == &small ? 640u : 1280u);
        EXPECT_TRUE (has_price (m)) << describe (m);
        /* Boxes lie inside the frame they were read from. */
        for (guint j = 0; j < m->n_readings; j++)
          EXPECT_LE (m->readings[j].x + m->readings[j].width,
              (gint) m->frame_width);
        gst_buffer_unref (out);
      }
    }
  }
  stop ();

  /* Live: switching while reads are in flight; every push still comes
   * out, and the metas name the size of the frame they read.  Two workers
   * have reads of both sizes in flight at once (one under sanitizers). */
  start (sanitized ()? "interval=0 threads=1 languages=eng" :
      "interval=0 threads=2 languages=eng", small.caps);
  int n = 0, metas = 0;
  /* 120 frames of switching, then (on a machine busy enough that no read
   * finished meanwhile: the first includes loading the engine) more of
   * the last size until a read comes back, for at most 60 s: the live
   * element never waits, so only the frames after a read carry it. */
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (int i = 0; i < 120 || (metas == 0
          && g_get_monotonic_time () < give_up); i++) {
    const Frame *f = i >= 120 ? &large : (i / 20) % 2 ? &large : &small;
    if (i < 120 && i % 20 == 0)
      gst_harness_set_src_caps_str (h, f->caps.c_str ());
    GstBuffer *out = push (*f, gst_util_uint64_scale (i, GST_SECOND, 30));
    ASSERT_NE (out, nullptr);
    n++;
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    if (m) {
      metas++;
      EXPECT_TRUE (m->frame_width == 640u || m->frame_width == 1280u);
      EXPECT_EQ (m->frame_height * 16, m->frame_width * 9);
    }
    gst_buffer_unref (out);
    g_usleep (5000);
  }
  EXPECT_GE (n, 120) << "every push comes out";
  EXPECT_GT (metas, 0);
  EXPECT_TRUE (messages_of (GST_MESSAGE_WARNING).empty ());
}

TEST_F (Ocr, RoiLimitsWhereTextIsLookedFor)
{
  Frame f;
  render (f, kPrice, "I420", 1280, 720);
  /* The price is at the bottom left: the top half holds nothing. */
  start ("mode=replay interval=0 threads=1 languages=eng roi=0,0,1,0.5",
      f.caps);
  GstBuffer *out = push (f, 0);
  GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (m, nullptr);
  EXPECT_FALSE (has_price (m)) << describe (m);
  gst_buffer_unref (out);
  stop ();

  start ("mode=replay interval=0 threads=1 languages=eng "
      "roi=0.7,0,0.3,0.2;0,0.5,0.8,0.5", f.caps);
  out = push (f, 0);
  m = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (m, nullptr);
  EXPECT_TRUE (has_price (m)) << describe (m);
  for (guint j = 0; j < m->n_readings; j++)
    EXPECT_GE (m->readings[j].y, 360) << "boxes are in frame pixels";
  gst_buffer_unref (out);
}

TEST_F (Ocr, MinConfidenceDropsReadings)
{
  Frame f;
  render (f, kPrice, "I420", 640, 360);
  start ("mode=replay interval=0 threads=1 languages=eng min-confidence=1.0",
      f.caps);
  GstBuffer *out = push (f, 0);
  GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
  ASSERT_NE (m, nullptr) << "an empty reading is still attached";
  EXPECT_EQ (m->n_readings, 0u) << describe (m);
  gst_buffer_unref (out);
}

/* Start-up failures: the state change fails with a message. */
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

TEST_F (Ocr, MissingTessdataDirFails)
{
  std::string msg = start_error (make ("engine=tesseract "
          "tessdata-dir=/nonexistent/tessdata"));
  EXPECT_NE (msg.find ("/nonexistent/tessdata"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("tesseract-ocr"), std::string::npos) << msg;
}

/* What start() says it took: the engine-used property and an INFO
 * message on the bus. */
std::string
start_info (GstElement *e, std::string *info)
{
  GstBus *b = gst_bus_new ();
  gst_element_set_bus (e, b);
  EXPECT_NE (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  GstMessage *m = gst_bus_pop_filtered (b, GST_MESSAGE_INFO);
  if (m) {
    GError *err = nullptr;
    gst_message_parse_info (m, &err, nullptr);
    *info = err->message;
    g_error_free (err);
    gst_message_unref (m);
  }
  gchar *used = nullptr;
  g_object_get (e, "engine-used", &used, NULL);
  std::string text = used ? used : "";
  g_free (used);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, nullptr);
  gst_object_unref (b);
  gst_object_unref (e);
  return text;
}

/* tools/setup installs PP-OCR and folds its models: auto takes it, with
 * the folded models, and says so. */
TEST_F (Ocr, AutoTakesPpocrAndSaysSo)
{
  std::string info;
  std::string used = start_info (make ("engine=auto threads=1"), &info);
  EXPECT_EQ (used.rfind ("ppocr", 0), 0u) << used;
  EXPECT_NE (used.find ("folded by tools/ppocr-fuse"), std::string::npos)
      << used << " (tools/setup writes the folded models)";
  EXPECT_NE (info.find ("OCR engine: ppocr"), std::string::npos) << info;
}

/* Without the models, engine=ppocr fails the state change naming what is
 * missing and how to get it; auto falls back to Tesseract, naming the
 * same. */
TEST_F (Ocr, MissingPpocrModelsFailOrFallBack)
{
  g_setenv ("GST_COMPLIANCE_PPOCR_MODELS", "/nonexistent/ppocr", TRUE);
  std::string msg = start_error (make ("engine=ppocr threads=1"));
  EXPECT_NE (msg.find ("/nonexistent/ppocr/ch_PP-OCRv4_det_infer.onnx"),
      std::string::npos) << msg;
  EXPECT_NE (msg.find ("tools/setup"), std::string::npos) << msg;

  std::string info;
  std::string used = start_info (make ("engine=auto threads=1"), &info);
  g_unsetenv ("GST_COMPLIANCE_PPOCR_MODELS");
  EXPECT_EQ (used.rfind ("tesseract", 0), 0u) << used;
  EXPECT_NE (used.find ("/nonexistent/ppocr"), std::string::npos) << used;
  EXPECT_NE (info.find ("OCR engine: tesseract"), std::string::npos) << info;
}

TEST_F (Ocr, MissingLanguageFails)
{
  std::string msg = start_error (make ("languages=eng+kor_vert_xx"));
  EXPECT_NE (msg.find ("kor_vert_xx"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("tesseract-ocr-"), std::string::npos) << msg;
}

TEST_F (Ocr, BadRoiFailsWithTheSyntax)
{
  struct
  {
    const char *roi;
    const char *says;
  } cases[] = {
    {"0,0.6,1", "has 3 numbers"},
    {"0,0.6,1,0.4;0.7,zero,0.3,0.2", "\"zero\" is not a number"},
    {"0,0.6,1,0.6", "inside the frame"},
    {"0,0,-1,1", "inside the frame"},
  };
  for (auto &c : cases) {
    GstElement *e = make (nullptr);
    g_object_set (e, "roi", c.roi, NULL);
    std::string msg = start_error (e);
    EXPECT_NE (msg.find (c.says), std::string::npos) << msg;
    EXPECT_NE (msg.find ("x,y,width,height"), std::string::npos) << msg;
    EXPECT_NE (msg.find (c.roi), std::string::npos) << msg;
  }
}

TEST_F (Ocr, ZeroThreadsFails)
{
  std::string msg = start_error (make ("threads=0"));
  EXPECT_NE (msg.find ("threads"), std::string::npos) << msg;
}

/* The loader loads the engine once per process, so a missing library is
 * tried in a child process of this very test program. */
/* Disabled: it is not a test on its own but the child process that
 * EngineLibraryMissingFails runs explicitly. */
TEST_F (Ocr, DISABLED_ChildEngineLibraryMissing)
{
  ASSERT_NE (g_getenv ("GC_OCR_TEST_CHILD"), nullptr)
      << "runs as the child of EngineLibraryMissingFails";
  std::string msg = start_error (make (nullptr));
  EXPECT_NE (msg.find ("/nonexistent/libgstcompliance-ocr.so"),
      std::string::npos) << msg;
  EXPECT_NE (msg.find ("GST_COMPLIANCE_OCR_LIBRARY"), std::string::npos) << msg;
}

TEST_F (Ocr, EngineLibraryMissingFails)
{
  gchar *self = g_file_read_link ("/proc/self/exe", nullptr);
  ASSERT_NE (self, nullptr);
  gchar **env = g_get_environ ();
  env = g_environ_setenv (env, "GST_COMPLIANCE_OCR_LIBRARY",
      "/nonexistent/libgstcompliance-ocr.so", TRUE);
  env = g_environ_setenv (env, "GC_OCR_TEST_CHILD", "1", TRUE);
  /* The child only checks a message; under the sanitizers LeakSanitizer's
   * tracer crashes at its exit on the dynamic TLS of the plugins the
   * registry loads ("Tracer caught signal 11", with the test passed).
   * This process's leaks are still checked. */
  const gchar *asan = g_environ_getenv (env, "ASAN_OPTIONS");
  if (asan != NULL) {
    gchar *no_leaks = g_strconcat (asan, ":detect_leaks=0", NULL);
    env = g_environ_setenv (env, "ASAN_OPTIONS", no_leaks, TRUE);
    g_free (no_leaks);
  }
  const gchar *argv[] = { self,
    "--gtest_filter=Ocr.DISABLED_ChildEngineLibraryMissing",
    "--gtest_also_run_disabled_tests", nullptr };
  gchar *out = nullptr;
  gint status = -1;
  GError *err = nullptr;
  ASSERT_TRUE (g_spawn_sync (nullptr, (gchar **) argv, env,
          G_SPAWN_DEFAULT, nullptr, nullptr, &out, nullptr, &status, &err))
      << (err ? err->message : "");
  EXPECT_TRUE (g_spawn_check_wait_status (status, nullptr)) << out;
  EXPECT_NE (std::string (out).find ("[  PASSED  ] 1 test"), std::string::npos)
      << out;
  g_free (out);
  g_strfreev (env);
  g_free (self);
}

/* Threads of the element: its workers ("ocr-worker-N"), the engine's
 * helpers ("ocr-helper-N"), and every thread they start (ONNX Runtime's
 * pools, libgomp's), which inherit the starter's name; not the threads of
 * GLib and GStreamer, which come and go on their own time (the process's
 * whole count once read 3 for 2 on a busy machine).  By task id. */
std::set<std::string>
element_threads ()
{
  std::set<std::string> ids;
  GDir *d = g_dir_open ("/proc/self/task", 0, nullptr);
  if (d) {
    const char *tid;
    while ((tid = g_dir_read_name (d))) {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm",
          tid);
      g_autofree char *comm = NULL;
      if (g_file_get_contents (path, &comm, nullptr, nullptr)
          && g_str_has_prefix (comm, "ocr-"))
        ids.insert (tid);
    }
    g_dir_close (d);
  }
  return ids;
}

/* The element's threads not in @kept once at most @allowed are left: the
 * element joins its threads before the state change to NULL returns, but
 * a joined thread's task stays in /proc/self/task until the kernel reaps
 * it, a moment later, longer on a loaded machine.  So the set is read
 * again for up to 20 s: a thread left running never leaves, a joined one
 * always does. */
std::set<std::string>
threads_left (const std::set<std::string> &kept, size_t allowed)
{
  std::set<std::string> left;
  for (int i = 0; i < 2000; i++) {
    left.clear ();
    for (const std::string &t : element_threads ())
      if (!kept.count (t))
        left.insert (t);
    if (left.size () <= allowed)
      break;
    g_usleep (10 * 1000);
  }
  return left;
}

TEST_F (Ocr, HundredNullPlayingCyclesLeaveNothingBehind)
{
  /* A cycle costs the two engines' initialisation: ~0.2 s here, ~15 s
   * under sanitizers, where 2 cycles still show that a restart works and
   * leaves no thread (and LSan sees every engine freed). */
  /* What earlier tests left: ONNX Runtime keeps a thread of its own for
   * the process once it has run (seen: one). */
  std::set<std::string> kept = element_threads ();
  /* eng alone: chi_sim would double the cost without testing anything
   * more.  PP-OCR's sessions (and their thread pools) cost ~1 s a cycle:
   * fewer cycles of it. */
  struct
  {
    const char *props;
    int cycles;
  } runs[] = {
    {"engine=tesseract threads=2 languages=eng", scaled (100, 2)},
    {"engine=ppocr threads=2", scaled (5, 1)},
  };
  for (auto &r : runs) {
    GstElement *e = make (r.props);
    for (int i = 0; i < r.cycles; i++) {
      ASSERT_NE (gst_element_set_state (e, GST_STATE_PLAYING),
          GST_STATE_CHANGE_FAILURE) << r.props << " cycle " << i;
      ASSERT_GT (element_threads ().size (), kept.size ()) << r.props
          << " cycle " << i << ": no worker seen while PLAYING";
      ASSERT_EQ (gst_element_set_state (e, GST_STATE_NULL),
          GST_STATE_CHANGE_SUCCESS) << r.props << " cycle " << i;
      /* The first cycle of an engine may leave its runtime's own thread
       * for the process; no later cycle may leave any. */
      std::set<std::string> left = threads_left (kept, i == 0 ? 1 : 0);
      ASSERT_LE (left.size (), i == 0 ? 1u : 0u) << r.props << " cycle "
          << i << ": threads left running";
      kept.insert (left.begin (), left.end ());
    }
    gst_object_unref (e);
  }
}

TEST_F (Ocr, CyclesWhileReading)
{
  Frame f;
  render (f, kPrice, "I420", 1280, 720);
  /* Two workers, both reading when the teardown comes. */
  for (int i = 0; i < scaled (5, 1); i++) {
    start ("interval=0 threads=2 languages=eng", f.caps);
    for (int j = 0; j < 10; j++) {
      GstBuffer *out = push (f, j * GST_SECOND / 30);
      gst_buffer_unref (out);
    }
    /* Teardown while reads are in flight. */
    stop ();
  }
}

/* ------------------------------------------------------------------ */
/* A shared worker pool (property pool): many streams, one set of engines. */

/* One stream's complianceocr in its own harness. */
struct PoolStream
{
  GstHarness *h = nullptr;
  GstElement *el = nullptr;

  bool start (const char *props, const std::string &caps)
  {
    el = make (props);
    h = gst_harness_new_empty ();
    gst_harness_add_element_full (h, el, &hsrc, "sink", &hsink, "src");
    gst_object_unref (el);
    gst_harness_set_src_caps_str (h, caps.c_str ());
    return GST_STATE (el) == GST_STATE_PLAYING;
  }

  /* The text meta of the buffer that left for @f at @pts ("" without). */
  std::string push (const Frame &f, GstClockTime pts)
  {
    GstBuffer *buf = gst_buffer_copy_deep (f.buf);
    GST_BUFFER_PTS (buf) = pts;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 2;
    EXPECT_EQ (gst_harness_push (h, buf), GST_FLOW_OK);
    GstBuffer *out = gst_harness_try_pull (h);
    std::string text;
    if (out) {
      GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
      text = m ? describe (m) : "";
      gst_buffer_unref (out);
    }
    return text;
  }

  void stop ()
  {
    if (h)
      gst_harness_teardown (h);
    h = nullptr;
    el = nullptr;
  }

  ~PoolStream () { stop (); }
};

/* Reads @f once through a pool that then stops: ONNX Runtime keeps a
 * thread of its own for the process once it has run (named after the
 * thread that started it), not ours to count among what a pool leaves. */
bool
warm_up_pool (const Frame &f)
{
  PoolStream warm;
  if (!warm.start ("mode=replay threads=1 languages=eng pool=warm-up",
          f.caps))
    return false;
  warm.push (f, 0);
  return true;
}

/* Two streams read side by side through one pool of one worker: each gets
 * the readings of its own frames (trackers are per stream, not per pool
 * worker), and only the pool's thread reads, none of the elements' own. */
TEST_F (Ocr, PoolSharedByTwoStreamsReadsEachItsOwn)
{
  Frame a, b;
  render (a, kPrice, "I420", 640, 360);
  render (b, "原价 ¥45.50", "I420", 640, 360);
  ASSERT_TRUE (warm_up_pool (a));
  std::set<std::string> before = element_threads ();
  PoolStream sa, sb;
  ASSERT_TRUE (sa.start ("mode=replay interval=0 threads=1 languages=eng "
          "pool=two-streams", caps_at_rate (a.caps, 2)));
  ASSERT_TRUE (sb.start ("mode=replay interval=0 threads=1 languages=eng "
          "pool=two-streams", caps_at_rate (b.caps, 2)));
  std::vector<std::string> got_a, got_b;
  std::thread tb ([&] {
        for (int i = 0; i < 4; i++)
          got_b.push_back (sb.push (i % 2 ? b : a, i * GST_SECOND / 2));
      });
  for (int i = 0; i < 4; i++)
    got_a.push_back (sa.push (a, i * GST_SECOND / 2));
  tb.join ();
  for (int i = 0; i < 4; i++) {
    EXPECT_NE (got_a[i].find ("89.00"), std::string::npos) << got_a[i];
    EXPECT_EQ (got_a[i].find ("45.50"), std::string::npos) << got_a[i];
    const char *want = i % 2 ? "45.50" : "89.00";
    const char *other = i % 2 ? "89.00" : "45.50";
    EXPECT_NE (got_b[i].find (want), std::string::npos) << i << got_b[i];
    EXPECT_EQ (got_b[i].find (other), std::string::npos) << i << got_b[i];
  }
  /* One reader thread for both (ONNX Runtime's or libgomp's threads, named
   * after their starter, aside: Tesseract's engine starts none). */
  int pool_threads = 0, own_workers = 0;
  for (const std::string &tid : element_threads ()) {
    if (before.count (tid))
      continue;
    g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm",
        tid.c_str ());
    g_autofree char *comm = NULL;
    if (!g_file_get_contents (path, &comm, nullptr, nullptr))
      continue;
    pool_threads += g_str_has_prefix (comm, "ocr-pool-");
    own_workers += g_str_has_prefix (comm, "ocr-worker-");
  }
  EXPECT_GE (pool_threads, 1);
  EXPECT_EQ (own_workers, 0);
  EXPECT_EQ (stat (sa.el, "frames-sampled"), 4u);
  EXPECT_EQ (stat (sb.el, "frames-sampled"), 4u);
  sa.stop ();
  sb.stop ();
  std::set<std::string> left = threads_left (before, 0);
  std::string names;
  for (const std::string &tid : left) {
    g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm",
        tid.c_str ());
    g_autofree char *comm = NULL;
    if (g_file_get_contents (path, &comm, nullptr, nullptr))
      names += std::string (" ") + g_strstrip (comm);
  }
  EXPECT_TRUE (left.empty ()) << "the last element to stop stops the pool;"
      " left:" << names;
}

/* Elements of one pool read with one configuration: another is refused,
 * naming the pool and both settings. */
TEST_F (Ocr, PoolRefusesAnotherConfiguration)
{
  Frame a;
  render (a, kPrice, "I420", 640, 360);
  PoolStream sa;
  ASSERT_TRUE (sa.start ("mode=replay threads=1 languages=eng "
          "pool=one-config", a.caps));
  std::string msg = start_error (make ("languages=chi_sim+eng threads=1 "
          "pool=one-config"));
  EXPECT_NE (msg.find ("one-config"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("languages=eng"), std::string::npos) << msg;
  EXPECT_NE (msg.find ("languages=chi_sim+eng"), std::string::npos) << msg;
  /* The first stream reads on. */
  EXPECT_NE (sa.push (a, 0).find ("89.00"), std::string::npos);
}

/* A busy stream next to a quiet one on a pool of one worker: while the
 * quiet stream's read waits, the busy one gets at most the read it had in
 * the pool before (and hands in its next one): first come, first served,
 * one read in the pool per stream. */
TEST_F (Ocr, PoolServesAQuietStreamBetweenABusyOnesReads)
{
  Frame a, b;
  render (a, kPrice, "I420", 640, 360);
  render (b, "原价 ¥45.50", "I420", 640, 360);
  PoolStream busy, quiet;
  ASSERT_TRUE (busy.start ("mode=replay interval=0 threads=1 languages=eng "
          "pool=fair", caps_at_rate (a.caps, 2)));
  ASSERT_TRUE (quiet.start ("mode=replay interval=0 threads=1 languages=eng "
          "pool=fair", caps_at_rate (b.caps, 2)));
  std::atomic<bool> done (false);
  std::thread tb ([&] {
        /* Changing frames: every read is a real read. */
        for (int i = 0; !done; i++)
          busy.push (i % 2 ? a : b, i * GST_SECOND / 2);
      });
  for (int i = 0; i < 4; i++) {
    g_usleep (50 * 1000);
    guint64 before = stat (busy.el, "frames-sampled");
    std::string got = quiet.push (b, i * GST_SECOND / 2);
    guint64 after = stat (busy.el, "frames-sampled");
    EXPECT_NE (got.find ("45.50"), std::string::npos) << got;
    EXPECT_LE (after - before, 2u) << "the busy stream was served "
        << after - before << " times while the quiet one waited";
  }
  done = true;
  tb.join ();
  EXPECT_GE (stat (busy.el, "frames-sampled"), 4u);
}

/* Streams stopping while their reads wait in the pool or are being read
 * (live mode, three streams, one worker), then a new stream on the same
 * pool name: nothing is left behind, nothing crashes. */
TEST_F (Ocr, PoolStreamsStopWhileTheirReadsWait)
{
  Frame a;
  render (a, kPrice, "I420", 1280, 720);
  ASSERT_TRUE (warm_up_pool (a));
  std::set<std::string> before = element_threads ();
  for (int round = 0; round < scaled (3, 1); round++) {
    PoolStream s[3];
    for (auto &st : s)
      ASSERT_TRUE (st.start ("interval=0 threads=1 languages=eng "
              "pool=teardown", a.caps));
    for (int j = 0; j < 5; j++)
      for (auto &st : s)
        st.push (a, j * GST_SECOND / 30);
    /* The middle one first: its read may be queued behind the others. */
    s[1].stop ();
    s[0].stop ();
    s[2].stop ();
  }
  EXPECT_TRUE (threads_left (before, 0).empty ());
  PoolStream again;
  ASSERT_TRUE (again.start ("mode=replay threads=1 languages=eng "
          "pool=teardown", a.caps));
  EXPECT_NE (again.push (a, 0).find ("89.00"), std::string::npos);
}

#ifdef GC_HAVE_SCENE
/* Text sliding in, as live-commerce overlays animate: "到手价 ¥129" enters
 * from the right edge over 24 frames (easing out, the last steps a pixel
 * or two) and rests, on a studio-like background at 720p.  In replay mode
 * with every frame read, once it rests the buffers carry the exact price,
 * boxed where it rests: the change tracker looked at it again as it moved
 * (read it, or found its glyphs' ink unchanged and moved the box along),
 * rather than keeping what it read while the text was moving or still
 * partly outside the frame ("¥12") where it was read, and from then on
 * keeps that reading without reading again.  What the engine reads of the clipped frames is
 * judged in tests/ocr (PriceSlidingInIsNeverReadClipped); the readings of
 * every frame are printed here as "[ocr-slide-element]" lines. */
TEST_F (Ocr, PriceSlidingInIsReadAgainWhereItRests)
{
  const gint w = 1280, hh = 720, rest = 880;
  const guint entrance = 24, still = 8, settle = 3;
  const char *text = "到手价 ¥129", *want = "¥129";
  std::vector<SceneItem> drawn;
  struct Frames : std::vector<GstBuffer *>
  {
    ~Frames ()
    {
      for (GstBuffer *b : *this)
        gst_buffer_unref (b);
    }
  } frames;
  for (guint i = 0; i < entrance + still; i++) {
    SceneItem it = { text, scene_slide_x (w, rest, entrance, i), 560, 44,
      0xffffff, TRUE, FALSE, FALSE, 0, 0, 0, 0, 0, TRUE, NULL };
    gint stride;
    guint8 *data = scene_render (w, hh, SCENE_BG_PHOTO, 1, &it, 1, &stride);
    frames.push_back (gst_buffer_new_wrapped (data, (gsize) stride * hh));
    drawn.push_back (it);
  }
  Frame f;
  f.caps = "video/x-raw,format=RGBx,width=1280,height=720,framerate=30/1";
  /* The product's default languages: a Chinese label beside the price. */
  start ("mode=replay interval=0 threads=1", f.caps);

  guint first_exact = G_MAXUINT;
  guint64 read_moving = 0;
  for (guint i = 0; i < frames.size (); i++) {
    guint64 before = stat (el, "regions-read");
    f.buf = frames[i];
    GstBuffer *out = push (f, gst_util_uint64_scale (i, GST_SECOND, 30));
    f.buf = nullptr;
    ASSERT_NE (out, nullptr);
    guint64 read = stat (el, "regions-read") - before;
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    ASSERT_NE (m, nullptr) << "frame " << i;
    gboolean at_rest = i >= entrance;
    const GstComplianceReading *exact = nullptr;
    std::string prices;
    for (guint j = 0; j < m->n_readings; j++) {
      gchar *price = scene_extract_price (m->readings[j].text);
      if (price) {
        prices += std::string (prices.empty ()? "" : " ") + price;
        if (strcmp (price, want) == 0)
          exact = &m->readings[j];
        else if (at_rest)
          ADD_FAILURE () << "frame " << i << " at rest carries " << price
              << ": " << describe (m);
      }
      g_free (price);
    }
    printf ("[ocr-slide-element] #%02u x=%4d%s regions read %" G_GUINT64_FORMAT
        ": %s price %s\n", i, drawn[i].x, at_rest ? " rest" : "", read,
        describe (m).c_str (), prices.empty ()? "-" : prices.c_str ());
    if (at_rest && exact && first_exact == G_MAXUINT)
      first_exact = i;
    if (!at_rest && drawn[i].ink_x + drawn[i].ink_w < w)
      read_moving += read;
    if (at_rest && first_exact != G_MAXUINT) {
      /* Once read, it stays, and it is the reading of where the text
       * rests, not a box kept from a frame where it was moving. */
      EXPECT_NE (exact, nullptr) << "frame " << i << ": " << describe (m);
      if (exact) {
        EXPECT_LE (ABS (exact->x - drawn[i].ink_x), 8) << describe (m);
        EXPECT_LE (exact->x + exact->width, w) << describe (m);
      }
    }
    /* Still pixels are not read again. */
    if (i >= entrance + settle) {
      EXPECT_EQ (read, 0u) << "frame " << i << " at rest was read again";
    }
    gst_buffer_unref (out);
  }
  /* The last Tesseract read of it: while it moved, in full view. */
  EXPECT_GT (read_moving, 0u) << "the text was never read in full view";
  EXPECT_LT (first_exact, entrance + settle) << "the price at rest was not "
      "read within " << settle << " frames of coming to rest";
}
#endif

TEST_F (Ocr, FlushingSeekDropsReadsOfBeforeTheSeek)
{
  Frame f;
  render (f, kPrice, "I420", 640, 360);
  /* Two workers: two reads of before the seek in flight (one under
   * sanitizers). */
  start (sanitized ()? "interval=0 threads=1 languages=eng" :
      "interval=0 threads=2 languages=eng", f.caps);
  for (int i = 0; i < 5; i++)
    gst_buffer_unref (push (f, i * GST_SECOND / 30));
  ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_flush_start ()));
  ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  GstSegment seg;
  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = 100 * GST_SECOND;
  seg.time = 100 * GST_SECOND;
  ASSERT_TRUE (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  int metas = 0;
  for (int i = 0; i < 200 && metas < 2; i++) {
    GstClockTime pts = 100 * GST_SECOND + i * GST_SECOND / 30;
    GstBuffer *out = push (f, pts);
    ASSERT_NE (out, nullptr);
    GstComplianceTextMeta *m = gst_buffer_get_compliance_text_meta (out);
    if (m) {
      metas++;
      EXPECT_GE (m->pts, 100 * GST_SECOND) << "a read of before the seek";
    }
    gst_buffer_unref (out);
    g_usleep (10 * 1000);
  }
  EXPECT_EQ (metas, 2);
  for (auto &t : texts ()) {
    if (t.pts >= 100 * GST_SECOND) {
      EXPECT_EQ (t.running_time, t.pts - 100 * GST_SECOND);
    }
  }
}

/* ------------------------------------------------------------------ */
/* Pipelines */

struct BusLog
{
  std::vector<std::string> errors;
  std::vector<std::string> violations;      /* "event rule observed" */
  int texts = 0;
};

void
run_to_eos (GstElement *p, BusLog &log, GstClockTime timeout = 120 * GST_SECOND)
{
  GstBus *b = gst_element_get_bus (p);
  EXPECT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  for (;;) {
    GstMessage *m = gst_bus_timed_pop (b, timeout);
    if (m == nullptr) {
      ADD_FAILURE () << "timeout";
      break;
    }
    bool end = false;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *err = nullptr;
      gst_message_parse_error (m, &err, nullptr);
      log.errors.emplace_back (err->message);
      g_error_free (err);
      end = true;
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS) {
      end = true;
    } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT) {
      const GstStructure *s = gst_message_get_structure (m);
      if (gst_structure_has_name (s, "compliance-text"))
        log.texts++;
      if (gst_structure_has_name (s, "compliance-violation")) {
        const char *ev = gst_structure_get_string (s, "event");
        const char *rule = gst_structure_get_string (s, "rule");
        const char *obs = gst_structure_get_string (s, "observed");
        log.violations.push_back (std::string (ev ? ev : "") + " "
            + (rule ? rule : "") + " " + (obs ? obs : ""));
      }
    }
    gst_message_unref (m);
    if (end)
      break;
  }
  gst_object_unref (b);
  gst_element_set_state (p, GST_STATE_NULL);
}

TEST_F (Ocr, PipelineWithComplianceCheckFlagsAWrongPrice)
{
  gchar *dir = g_dir_make_tmp ("gc-ocr-XXXXXX", nullptr);
  gchar *catalog = g_build_filename (dir, "catalog.json", nullptr);
  ASSERT_TRUE (g_file_set_contents (catalog, R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "stream_date": "2026-11-29",
  "seller": {"name": "某某旗舰店"},
  "products": [
    {"sku": "A1001", "name": "保温杯", "price": 99.0, "reference_price": 129.0,
     "category": "general", "sold": 12000}
  ],
  "schedule": [{"sku": "A1001", "start": 0.0, "end": 60.0}]
})JSON", -1, nullptr));
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=8 pattern=black ! "
      "video/x-raw,width=640,height=360,framerate=2/1 ! "
      "textoverlay text=\"%s\" font-desc=\"%s\" ! "
      "complianceocr mode=replay interval=500 threads=1 languages=eng ! "
      "compliancecheck catalog=%s ! fakesink", kPrice, kFont, catalog);
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc, &err);
  ASSERT_NE (p, nullptr) << (err ? err->message : "");
  BusLog log;
  run_to_eos (p, log);
  gst_object_unref (p);
  EXPECT_TRUE (log.errors.empty ()) << log.errors[0];
  EXPECT_EQ (log.texts, 8);
  bool mismatch = false;
  for (auto &v : log.violations)
    mismatch |= v.rfind ("start price.mismatch", 0) == 0
        && v.find ("89.00") != std::string::npos;
  std::string all;
  for (auto &v : log.violations)
    all += v + "; ";
  EXPECT_TRUE (mismatch) << all;
  g_unlink (catalog);
  g_rmdir (dir);
  g_free (catalog);
  g_free (dir);
  g_free (desc);
}

TEST_F (Ocr, PipelineFlushingSeekAndLatency)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true pattern=black ! "
      "video/x-raw,width=640,height=360,framerate=30/1 ! "
      "textoverlay text=\"%s\" font-desc=\"%s\" ! "
      "complianceocr name=ocr interval=200 threads=1 languages=eng ! "
      "fakesink name=sink", kPrice, kFont);
  GstElement *p = gst_parse_launch (desc, nullptr);
  g_free (desc);
  ASSERT_NE (p, nullptr);
  ASSERT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  ASSERT_EQ (gst_element_get_state (p, nullptr, nullptr, 10 * GST_SECOND),
      GST_STATE_CHANGE_SUCCESS);

  /* No latency of its own: the pipeline's is the live source's frame. */
  GstQuery *q = gst_query_new_latency ();
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  ASSERT_TRUE (gst_pad_peer_query (pad, q));
  gboolean live;
  GstClockTime min, max;
  gst_query_parse_latency (q, &live, &min, &max);
  EXPECT_TRUE (live);
  EXPECT_EQ (min, GST_SECOND / 30);
  gst_query_unref (q);
  gst_object_unref (pad);
  gst_object_unref (sink);

  g_usleep (G_USEC_PER_SEC);
  for (int i = 0; i < 3; i++) {
    EXPECT_TRUE (gst_element_seek_simple (p, GST_FORMAT_TIME,
            (GstSeekFlags) (GST_SEEK_FLAG_FLUSH), 0));
    g_usleep (300 * 1000);
  }
  /* Sampling and reading go on after the seeks.  How soon depends on the
   * machine (a read takes seconds under AddressSanitizer next to other
   * work, and a flushing seek drops the reads in flight): wait for it, up
   * to a minute, rather than for a fixed time. */
  GstElement *ocr = gst_bin_get_by_name (GST_BIN (p), "ocr");
  GstBus *b = gst_element_get_bus (p);
  int texts = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline
      && (texts == 0 || stat (ocr, "frames-sampled") <= 3u)) {
    GstMessage *m = gst_bus_timed_pop (b, 50 * GST_MSECOND);
    if (m == nullptr)
      continue;
    EXPECT_NE (GST_MESSAGE_TYPE (m), GST_MESSAGE_ERROR);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (gst_message_get_structure (m),
            "compliance-text"))
      texts++;
    gst_message_unref (m);
  }
  EXPECT_GT (stat (ocr, "frames-sampled"), 3u);
  EXPECT_GT (texts, 0);
  gst_object_unref (b);
  gst_object_unref (ocr);
  EXPECT_EQ (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (p);
}

}  // namespace
