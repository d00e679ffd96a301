/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* complianceoverlay under GstHarness: frames carrying hand-made verdict and
 * text metas go in; the label is read back with Tesseract, pixels are
 * compared per format family, the attached composition is blended by hand
 * and compared with the blended output, and buffers with nothing to draw
 * must come out as the very same buffer. */
#include <gtest/gtest.h>

#include "element-test.h"
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gstcompliancemeta.h"

namespace {

/* ------------------------------------------------------------------ */
/* Tesseract, through its C API.  This test's build (tests/elements) links
 * GStreamer only, so the few functions used are looked up at run time;
 * OMP_THREAD_LIMIT=1 comes from the test environment, before libgomp
 * loads with libtesseract. */

typedef struct TessBaseAPI TessBaseAPI;
struct Tess
{
  TessBaseAPI *(*create) ();
  int (*init3) (TessBaseAPI *, const char *, const char *);
  void (*set_psm) (TessBaseAPI *, int);
  int (*set_variable) (TessBaseAPI *, const char *, const char *);
  void (*set_image) (TessBaseAPI *, const unsigned char *, int, int, int, int);
  void (*set_resolution) (TessBaseAPI *, int);
  char *(*get_text) (TessBaseAPI *);
  void (*delete_text) (const char *);
  void (*end) (TessBaseAPI *);
  void (*destroy) (TessBaseAPI *);
  TessBaseAPI *api = nullptr;

  bool load ()
  {
    void *lib = dlopen ("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr)
      return false;
#define SYM(field, name) \
    *(void **) (&field) = dlsym (lib, name); \
    if (field == nullptr) return false;
    SYM (create, "TessBaseAPICreate");
    SYM (init3, "TessBaseAPIInit3");
    SYM (set_psm, "TessBaseAPISetPageSegMode");
    SYM (set_variable, "TessBaseAPISetVariable");
    SYM (set_image, "TessBaseAPISetImage");
    SYM (set_resolution, "TessBaseAPISetSourceResolution");
    SYM (get_text, "TessBaseAPIGetUTF8Text");
    SYM (delete_text, "TessDeleteText");
    SYM (end, "TessBaseAPIEnd");
    SYM (destroy, "TessBaseAPIDelete");
#undef SYM
    api = create ();
    if (init3 (api, "/usr/share/tesseract-ocr/5/tessdata", "chi_sim+eng") != 0)
      return false;
    set_psm (api, 7);           /* one line */
    set_variable (api, "debug_file", "/dev/null");
    return true;
  }

  /* Reads dark text on a light background; spaces removed (chi_sim puts
   * them between characters). */
  std::string read (const std::vector<guint8> &gray, int w, int h)
  {
    set_image (api, gray.data (), w, h, 1, w);
    set_resolution (api, 300);
    char *t = get_text (api);
    std::string s;
    for (const char *p = t; p && *p; p++)
      if (!g_ascii_isspace (*p))
        s += *p;
    delete_text (t);
    return s;
  }

  ~Tess ()
  {
    if (api) {
      end (api);
      destroy (api);
    }
  }
};

/* ------------------------------------------------------------------ */

const char *kCatalog = R"JSON({
  "schema": "gst-compliance-catalog/1",
  "jurisdiction": "CN",
  "currency": "CNY",
  "seller": {"name": "某某旗舰店"},
  "products": [
    {"sku": "A1001", "name": "保温杯", "price": 99.0, "category": "general",
     "sponsored": true, "sponsor": "Brand X"},
    {"sku": "B2002", "name": "蜂蜜", "price": 59.0, "category": "food"},
    {"sku": "M1", "name": "<b>&amp;</b> & <i>杯", "price": 1.5,
     "category": "general", "sponsored": true, "sponsor": "<b>Bold</b> &amp; &"},
    {"sku": "L1", "name": "@LONG@", "price": 2.0, "category": "general",
     "sponsored": true, "sponsor": "@LONG@"}
  ]
})JSON";

/* Label size and contrast of the shipped cn pack (models/rules/cn.json). */
const double kMinHeight = 0.045;

GstStaticPadTemplate hsrc = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw(ANY)"));
GstStaticPadTemplate hsink = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

struct Violation
{
  const char *rule, *observed, *declared;
  int x, y, w, h;
};

struct Reading
{
  const char *text;
  int x, y, w, h;
};

std::string caps_str (const char *format, int w, int h,
    const char *features = nullptr)
{
  gchar *s = g_strdup_printf ("video/x-raw%s%s%s,format=%s,width=%d,height=%d,"
      "framerate=30/1", features ? "(" : "", features ? features : "",
      features ? ")" : "", format, w, h);
  std::string r (s);
  g_free (s);
  return r;
}

class Overlay : public ::testing::Test
{
protected:
  gchar *dir = nullptr;
  std::string catalog_path;
  GstHarness *h = nullptr;
  GstBus *bus = nullptr;
  GstVideoInfo info;

  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }

  void SetUp () override
  {
    dir = g_dir_make_tmp ("gc-overlay-XXXXXX", nullptr);
    std::string cat (kCatalog);
    std::string lng (10 * 1024, 'W');
    size_t at;
    while ((at = cat.find ("@LONG@")) != std::string::npos)
      cat.replace (at, 6, lng);
    gchar *p = g_build_filename (dir, "catalog.json", nullptr);
    EXPECT_TRUE (g_file_set_contents (p, cat.c_str (), -1, nullptr));
    catalog_path = p;
    g_free (p);
  }

  void TearDown () override
  {
    stop ();
    g_unlink (catalog_path.c_str ());
    g_rmdir (dir);
    g_free (dir);
  }

  void stop ()
  {
    if (h)
      gst_harness_teardown (h);
    h = nullptr;
    if (bus) {
      drain ();
      gst_object_unref (bus);
    }
    bus = nullptr;
  }

  std::vector<std::string> warnings, errors;
  void drain ()
  {
    GstMessage *m;
    while (bus && (m = gst_bus_pop (bus))) {
      gc_test::take_warning_or_error (m, warnings, errors);
      gst_message_unref (m);
    }
  }

  /* Builds the element with its properties set before the harness starts
   * it.  @sink_caps: what downstream accepts (default: the input caps,
   * plain); @downstream_meta: downstream's allocation query lists the
   * overlay composition meta. */
  void start (const std::string &props, const std::string &caps,
      const char *sink_caps = nullptr, bool downstream_meta = false)
  {
    stop ();
    GstElement *e = gst_element_factory_make ("complianceoverlay", nullptr);
    ASSERT_NE (e, nullptr) << "plugin not found; GST_PLUGIN_PATH="
        << g_getenv ("GST_PLUGIN_PATH");
    gc_test::set_props (e, props.c_str ());
    bus = gst_bus_new ();
    gst_element_set_bus (e, bus);
    h = gst_harness_new_empty ();
    gst_harness_add_element_full (h, e, &hsrc, "sink", &hsink, "src");
    gst_object_unref (e);
    if (downstream_meta)
      gst_harness_add_propose_allocation_meta (h,
          GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, nullptr);
    gst_harness_set_sink_caps_str (h, sink_caps ? sink_caps : caps.c_str ());
    gst_harness_set_src_caps_str (h, caps.c_str ());
    GstCaps *c = gst_caps_from_string (caps.c_str ());
    ASSERT_TRUE (gst_video_info_from_caps (&info, c));
    gst_caps_unref (c);
  }

  /* A frame of a grey gradient (every plane of every format gets bytes
   * that vary slowly), pts @i / 30 s. */
  GstBuffer *blank (int i = 0)
  {
    GstBuffer *buf = gst_harness_create_buffer (h, info.size);
    GstVideoFrame f;
    EXPECT_TRUE (gst_video_frame_map (&f, &info, buf, GST_MAP_WRITE));
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&f); p++) {
      guint8 *d = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, p);
      gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&f, p);
      gint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&f, p);
      if (GST_VIDEO_FORMAT_INFO_IS_TILED (info.finfo))
        rows = (gint) ((p + 1 < GST_VIDEO_FRAME_N_PLANES (&f) ?
                info.offset[p + 1] : info.size) - info.offset[p]) / stride;
      for (gint y = 0; y < rows; y++)
        memset (d + (gsize) y * stride, 0x50 + (y * 0x40) / MAX (rows, 1),
            stride);
    }
    gst_video_frame_unmap (&f);
    GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    return buf;
  }

  static void add_verdict (GstBuffer *buf, const char *sku,
      const char *sponsor, bool sponsored, guint fw, guint fh,
      std::vector<Violation> vs = {})
  {
    GstComplianceVerdictMeta *m = gst_buffer_add_compliance_verdict_meta (buf,
        GST_BUFFER_PTS (buf), fw, fh);
    gst_compliance_verdict_meta_set_product (m, sku, sponsor, sponsored,
        sponsored);
    for (auto &v : vs) {
      GstComplianceViolation cv = {};
      cv.rule = (gchar *) v.rule;
      cv.severity = (gchar *) "error";
      cv.sku = (gchar *) sku;
      cv.observed = (gchar *) v.observed;
      cv.declared = (gchar *) v.declared;
      cv.legal_ref = (gchar *) "test";
      cv.x = v.x;
      cv.y = v.y;
      cv.width = v.w;
      cv.height = v.h;
      gst_compliance_verdict_meta_add_violation (m, &cv);
    }
  }

  static void add_readings (GstBuffer *buf, guint fw, guint fh,
      std::vector<Reading> rs)
  {
    std::vector<GstComplianceReading> out;
    for (auto &r : rs) {
      GstComplianceReading cr = {};
      cr.text = (gchar *) r.text;
      cr.x = r.x;
      cr.y = r.y;
      cr.width = r.w;
      cr.height = r.h;
      cr.confidence = 0.9f;
      out.push_back (cr);
    }
    gst_buffer_add_compliance_text_meta (buf, GST_BUFFER_PTS (buf), fw, fh,
        out.data (), out.size ());
  }

  GstBuffer *sponsored (int i = 0, const char *sku = "A1001",
      const char *sponsor = "Brand X")
  {
    GstBuffer *b = blank (i);
    add_verdict (b, sku, sponsor, true, info.width, info.height);
    return b;
  }

  GstBuffer *push_pull (GstBuffer *in)
  {
    EXPECT_EQ (gst_harness_push (h, in), GST_FLOW_OK);
    GstBuffer *out = gst_harness_try_pull (h);
    EXPECT_NE (out, nullptr);
    return out;
  }

  /* Bytes of @a and @b as the frame's planes (padding excluded). */
  struct Diff
  {
    int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;  /* plane 0, in pixels */
    gsize changed = 0;
    bool empty () const { return changed == 0; }
  };

  Diff diff (GstBuffer *a, GstBuffer *b)
  {
    Diff d;
    GstVideoFrame fa, fb;
    EXPECT_TRUE (gst_video_frame_map (&fa, &info, a, GST_MAP_READ));
    EXPECT_TRUE (gst_video_frame_map (&fb, &info, b, GST_MAP_READ));
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&fa); p++) {
      const guint8 *pa = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, p);
      const guint8 *pb = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, p);
      gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&fa, p);
      gint comp[GST_VIDEO_MAX_COMPONENTS];
      gst_video_format_info_component (info.finfo, p, comp);
      gint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&fa, comp[0]);
      gint width_bytes = GST_VIDEO_FRAME_COMP_WIDTH (&fa, comp[0]) *
          GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, comp[0]);
      gint pstride = MAX (1, GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, comp[0]));
      if (width_bytes <= 0)
        width_bytes = stride;
      for (gint y = 0; y < rows; y++)
        for (gint x = 0; x < width_bytes; x++)
          if (pa[(gsize) y * stride + x] != pb[(gsize) y * stride + x]) {
            d.changed++;
            if (p == 0) {
              d.x0 = std::min (d.x0, x / pstride);
              d.x1 = std::max (d.x1, x / pstride);
              d.y0 = std::min (d.y0, y);
              d.y1 = std::max (d.y1, y);
            }
          }
    }
    gst_video_frame_unmap (&fa);
    gst_video_frame_unmap (&fb);
    return d;
  }

  /* The label's region as luma, inverted (dark text on light) for OCR. */
  std::vector<guint8> label_crop (GstBuffer *buf, int *w, int *hh)
  {
    GstVideoFrame f;
    EXPECT_TRUE (gst_video_frame_map (&f, &info, buf, GST_MAP_READ));
    int x0 = info.width / 2, y0 = 0;
    *w = info.width - x0;
    *hh = info.height * 15 / 100;
    std::vector<guint8> out ((size_t) *w * *hh);
    const guint8 *y = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0);
    for (int j = 0; j < *hh; j++)
      for (int i = 0; i < *w; i++)
        out[(size_t) j * *w + i] = 255 - y[(size_t) (y0 + j) * stride + x0 + i];
    gst_video_frame_unmap (&f);
    return out;
  }
};

/* ------------------------------------------------------------------ */

TEST_F (Overlay, ClosedLoopLabelIsReadBackOnlyWhileSponsored)
{
  Tess tess;
  ASSERT_TRUE (tess.load ()) << "libtesseract.so.5 with chi_sim+eng";
  start ("catalog=" + catalog_path, caps_str ("I420", 1280, 720));

  /* Frames 0-9 and 30-39: a product that is not sponsored; 10-29: the
   * sponsored one. */
  int seen = 0, inside = 0, outside_clean = 0, outside = 0;
  for (int i = 0; i < 40; i++) {
    bool spons = i >= 10 && i < 30;
    GstBuffer *in = blank (i);
    add_verdict (in, spons ? "A1001" : "B2002", spons ? "Brand X" : nullptr,
        spons, 1280, 720);
    GstBuffer *out = push_pull (in);
    ASSERT_NE (out, nullptr);
    int w = 0, hh = 0;
    std::vector<guint8> crop = label_crop (out, &w, &hh);
    std::string text = tess.read (crop, w, hh);
    bool has_ad = text.find ("广告") != std::string::npos;
    bool has_sponsor = text.find ("Brand") != std::string::npos;
    if (spons) {
      inside++;
      EXPECT_TRUE (has_ad) << "frame " << i << " read \"" << text << "\"";
      EXPECT_TRUE (has_sponsor) << "frame " << i << " read \"" << text << "\"";
      seen += has_ad && has_sponsor;
    } else {
      outside++;
      EXPECT_FALSE (has_ad || has_sponsor) << "frame " << i << " read \""
          << text << "\"";
      outside_clean += !(has_ad || has_sponsor);
    }
    gst_buffer_unref (out);
  }
  EXPECT_EQ (seen, inside);
  EXPECT_EQ (outside_clean, outside);
}

TEST_F (Overlay, ClosedLoopEnglishLabelOfTheUsPack)
{
  Tess tess;
  ASSERT_TRUE (tess.load ());
  start ("rules=us", caps_str ("I420", 1280, 720));
  GstBuffer *out = push_pull (sponsored ());
  int w = 0, hh = 0;
  std::vector<guint8> crop = label_crop (out, &w, &hh);
  std::string text = tess.read (crop, w, hh);
  EXPECT_NE (text.find ("Sponsored"), std::string::npos) << text;
  EXPECT_NE (text.find ("Brand"), std::string::npos) << text;
  gst_buffer_unref (out);
}

/* Label region changed, the rest did not, per format family. */
class OverlayFormat : public Overlay,
    public ::testing::WithParamInterface<const char *>
{
};

TEST_P (OverlayFormat, OnlyTheLabelCornerChanges)
{
  const int W = 640, H = 360;
  start ("corner=top-right", caps_str (GetParam (), W, H));
  GstBuffer *in = sponsored ();
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out = push_pull (in);
  ASSERT_NE (out, nullptr);
  Diff d = diff (ref, out);
  ASSERT_FALSE (d.empty ()) << GetParam ();
  int margin = (int) lround (0.02 * H);
  int min_h = (int) ceil (kMinHeight * H);
  EXPECT_GE (d.y0, margin - 1);
  EXPECT_LE (d.x1, W - margin);
  EXPECT_GE (d.x0, W / 3) << "the label stays in the right part";
  EXPECT_LE (d.y1, H / 4) << "and in the top part";
  EXPECT_GE (d.y1 - d.y0 + 1, min_h) << "label at least the pack's height";
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
}

TEST_P (OverlayFormat, OtherCornersAndPixelateMask)
{
  const int W = 640, H = 360;
  start ("corner=bottom-left mask=pixelate", caps_str (GetParam (), W, H));
  GstBuffer *in = blank ();
  /* Something to pixelate: a pattern in the box. */
  {
    GstVideoFrame f;
    ASSERT_TRUE (gst_video_frame_map (&f, &info, in, GST_MAP_WRITE));
    guint8 *d = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0);
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&f, 0);
    for (int y = 100; y < 140; y++)
      for (int x = 300; x < 400; x++)
        d[y * stride + x * ps] = ((x / 2 + y / 3) % 2) ? 0x10 : 0xe0;
    gst_video_frame_unmap (&f);
  }
  add_verdict (in, "B2002", nullptr, false, W, H,
      {{"price.reference_inflated", "¥199", "¥129", 300, 100, 100, 40}});
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out = push_pull (in);
  Diff d = diff (ref, out);
  ASSERT_FALSE (d.empty ());
  /* Only the box changed (blocks aligned to chroma may reach one sample
   * beyond it). */
  EXPECT_GE (d.x0, 298);
  EXPECT_LE (d.x1, 401);
  EXPECT_GE (d.y0, 98);
  EXPECT_LE (d.y1, 141);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);

  /* Now sponsored: the label is at the bottom left. */
  in = sponsored (1);
  ref = gst_buffer_copy_deep (in);
  out = push_pull (in);
  d = diff (ref, out);
  ASSERT_FALSE (d.empty ());
  EXPECT_LE (d.x0, (int) lround (0.02 * H) + 1);
  EXPECT_GE (d.y0, H * 3 / 4);
  EXPECT_LE (d.x1, W * 2 / 3);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
}

INSTANTIATE_TEST_SUITE_P (Families, OverlayFormat,
    ::testing::Values ("I420", "NV12", "BGRA", "RGBA", "YUY2"));

TEST_F (Overlay, NothingToDrawIsTheSameBuffer)
{
  start ("mode=preview", caps_str ("I420", 320, 240));

  /* No meta at all. */
  GstBuffer *in = blank ();
  GstBuffer *out = push_pull (in);
  EXPECT_EQ (out, in);
  gst_buffer_unref (out);

  /* A verdict with nothing to show. */
  in = blank (1);
  add_verdict (in, "B2002", nullptr, false, 320, 240);
  out = push_pull (in);
  EXPECT_EQ (out, in);
  gst_buffer_unref (out);

  /* Shared (not writable): still not copied. */
  in = blank (2);
  add_verdict (in, "B2002", nullptr, false, 320, 240);
  gst_buffer_ref (in);
  ASSERT_FALSE (gst_buffer_is_writable (in));
  out = push_pull (in);
  EXPECT_EQ (out, in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  /* Violations without boxes in viewer mode draw nothing either. */
  start ("mode=viewer", caps_str ("I420", 320, 240));
  in = blank (3);
  add_verdict (in, "B2002", nullptr, false, 320, 240,
      {{"claim.absolute_term", "最好", nullptr, 0, 0, 0, 0}});
  add_readings (in, 320, 240, {{"最好", 10, 10, 50, 20}});
  out = push_pull (in);
  EXPECT_EQ (out, in);
  gst_buffer_unref (out);
}

TEST_F (Overlay, SharedBufferIsCopiedBeforeDrawing)
{
  start ("", caps_str ("I420", 320, 240));
  GstBuffer *in = sponsored ();
  GstBuffer *ref = gst_buffer_copy_deep (in);
  gst_buffer_ref (in);
  GstBuffer *out = push_pull (in);
  EXPECT_NE (out, in);
  EXPECT_TRUE (diff (ref, in).empty ()) << "the shared input is untouched";
  EXPECT_FALSE (diff (ref, out).empty ());
  EXPECT_NE (gst_buffer_get_compliance_verdict_meta (out), nullptr);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_buffer_unref (ref);
}

/* Feeds the same preview frame through the attach path and the blend path;
 * blending the attached composition by hand must give the blended frame. */
TEST_F (Overlay, MetaPathAndBlendPathGiveTheSamePicture)
{
  const char *props_base = "mode=preview show-card=true mask=pixelate catalog=";
  std::string props = props_base + catalog_path;
  auto frame = [this] () {
    GstBuffer *b = blank ();
    add_verdict (b, "A1001", "Brand X", true, 320, 180,
        {{"price.mismatch", "¥89.00", "¥99.00", 100, 50, 60, 20}});
    add_readings (b, 320, 180, {{"到手价 ¥89.00", 100, 50, 60, 20},
        {"<b>&amp;", 20, 120, 80, 20}});
    return b;
  };

  std::string meta_caps = caps_str ("I420", 640, 360,
      "memory:SystemMemory, meta:GstVideoOverlayComposition");
  start (props, caps_str ("I420", 640, 360), meta_caps.c_str (), true);
  GstCaps *out_caps = gst_pad_get_current_caps (h->sinkpad);
  ASSERT_NE (out_caps, nullptr);
  EXPECT_TRUE (gst_caps_features_contains (gst_caps_get_features (out_caps, 0),
          GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION));
  gst_caps_unref (out_caps);
  GstBuffer *in = frame ();
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *attached = push_pull (in);
  EXPECT_TRUE (diff (ref, attached).empty ()) << "attached, not blended";
  GstVideoOverlayCompositionMeta *cm =
      gst_buffer_get_video_overlay_composition_meta (attached);
  ASSERT_NE (cm, nullptr);
  /* mask, 2 boxes, banner, card, label. */
  EXPECT_EQ (gst_video_overlay_composition_n_rectangles (cm->overlay), 6u);
  GstVideoOverlayComposition *comp =
      gst_video_overlay_composition_ref (cm->overlay);
  gst_buffer_unref (attached);

  /* The blend path with a solid mask: in attach mode pixelate is solid. */
  start ("mode=preview show-card=true mask=solid catalog=" + catalog_path,
      caps_str ("I420", 640, 360));
  GstBuffer *blended = push_pull (frame ());
  EXPECT_EQ (gst_buffer_get_video_overlay_composition_meta (blended), nullptr);

  GstVideoFrame f;
  ASSERT_TRUE (gst_video_frame_map (&f, &info, ref, GST_MAP_READWRITE));
  ASSERT_TRUE (gst_video_overlay_composition_blend (comp, &f));
  gst_video_frame_unmap (&f);
  Diff d = diff (ref, blended);
  EXPECT_TRUE (d.empty ()) << d.changed << " bytes differ";
  gst_video_overlay_composition_unref (comp);
  gst_buffer_unref (ref);
  gst_buffer_unref (blended);
}

TEST_F (Overlay, FeatureCapsWithoutTheMetaInTheQueryBlend)
{
  std::string meta_caps = caps_str ("I420", 320, 240,
      "memory:SystemMemory, meta:GstVideoOverlayComposition");
  start ("", caps_str ("I420", 320, 240), meta_caps.c_str (), false);
  GstBuffer *in = sponsored ();
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out = push_pull (in);
  EXPECT_EQ (gst_buffer_get_video_overlay_composition_meta (out), nullptr);
  EXPECT_FALSE (diff (ref, out).empty ());
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
}

TEST_F (Overlay, UpstreamCompositionIsKeptAndExtended)
{
  std::string meta_caps = caps_str ("I420", 320, 240,
      "memory:SystemMemory, meta:GstVideoOverlayComposition");
  start ("", meta_caps, meta_caps.c_str (), true);
  GstBuffer *in = sponsored ();
  GstBuffer *pix = gst_buffer_new_allocate (nullptr, 4 * 4 * 4, nullptr);
  gst_buffer_memset (pix, 0, 0xff, 64);
  gst_buffer_add_video_meta (pix, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, 4, 4);
  GstVideoOverlayRectangle *r = gst_video_overlay_rectangle_new_raw (pix, 0, 0,
      4, 4, GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
  GstVideoOverlayComposition *up = gst_video_overlay_composition_new (r);
  gst_buffer_add_video_overlay_composition_meta (in, up);
  GstBuffer *out = push_pull (in);
  GstVideoOverlayCompositionMeta *cm =
      gst_buffer_get_video_overlay_composition_meta (out);
  ASSERT_NE (cm, nullptr);
  ASSERT_EQ (gst_video_overlay_composition_n_rectangles (cm->overlay), 2u);
  EXPECT_EQ (gst_video_overlay_composition_get_rectangle (cm->overlay, 0), r);
  gst_buffer_unref (out);
  gst_video_overlay_composition_unref (up);
  gst_video_overlay_rectangle_unref (r);
  gst_buffer_unref (pix);
}

TEST_F (Overlay, SameContentReusesTheComposition)
{
  std::string meta_caps = caps_str ("I420", 320, 240,
      "memory:SystemMemory, meta:GstVideoOverlayComposition");
  start ("", caps_str ("I420", 320, 240), meta_caps.c_str (), true);
  GstBuffer *a = push_pull (sponsored (0));
  GstBuffer *b = push_pull (sponsored (1));
  GstBuffer *c = push_pull (sponsored (2, "A1001", "Brand Y"));
  auto comp = [] (GstBuffer *x) {
    return gst_buffer_get_video_overlay_composition_meta (x)->overlay;
  };
  EXPECT_EQ (comp (a), comp (b)) << "laid out and converted once";
  EXPECT_NE (comp (b), comp (c)) << "new sponsor, new picture";
  gst_buffer_unref (a);
  gst_buffer_unref (b);
  gst_buffer_unref (c);
}

TEST_F (Overlay, MarkupAndBrokenTextAreDrawnLiterally)
{
  /* The label's width with @sponsor, from the changed pixels. */
  auto width_for = [this] (const char *sponsor) {
    GstBuffer *in = sponsored (0, "A1001", sponsor);
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out = push_pull (in);
    Diff d = diff (ref, out);
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
    return d.empty () ? 0 : d.x1 - d.x0 + 1;
  };
  start ("rules=us", caps_str ("I420", 1280, 720));
  int plain = width_for ("X");
  int bold = width_for ("<b>X</b>");
  int amp = width_for ("&");
  int entity = width_for ("&amp;");
  ASSERT_GT (plain, 0);
  /* Markup would have vanished (and "&amp;" become "&"). */
  EXPECT_GT (bold, plain + 40);
  EXPECT_GT (entity, amp + 30);

  /* None of these may crash, in any text the overlay draws. */
  std::string big (10 * 1024, 'x');
  std::string invalid = "Brand \xff\xfe\xc3 <b>&amp; &";
  const char *nasty[] = { "<b>&amp;", "&", "<span", invalid.c_str (),
    big.c_str (), "\xe5\xb9", "" };
  start ("mode=preview show-card=true catalog=" + catalog_path,
      caps_str ("I420", 640, 360));
  int i = 0;
  for (const char *s : nasty) {
    for (const char *sku : { "A1001", "M1", "L1" }) {
      GstBuffer *in = blank (i++);
      add_verdict (in, sku, s, true, 640, 360,
          {{"price.mismatch", s, s, 10, 10, 100, 20}});
      add_readings (in, 640, 360, {{s, 10, 40, 200, 30}});
      GstBuffer *out = push_pull (in);
      ASSERT_NE (out, nullptr);
      gst_buffer_unref (out);
    }
  }
  drain ();
  EXPECT_TRUE (errors.empty ());
}

TEST_F (Overlay, PreviewDrawsWarningsAndBoxesViewerDoesNot)
{
  auto run = [this] (const char *mode) {
    start (std::string ("mask=none mode=") + mode,
        caps_str ("I420", 640, 360));
    GstBuffer *in = blank ();
    add_verdict (in, "B2002", nullptr, false, 640, 360,
        {{"price.mismatch", "¥89.00", "¥99.00", 200, 150, 100, 30}});
    add_readings (in, 640, 360, {{"到手价 ¥89.00", 200, 150, 100, 30}});
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out = push_pull (in);
    Diff d = diff (ref, out);
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
    return d;
  };
  EXPECT_TRUE (run ("viewer").empty ());
  Diff p = run ("preview");
  EXPECT_FALSE (p.empty ());
  /* The banner goes on the edge opposite the (top-right) label. */
  EXPECT_GE (p.y1, 360 * 3 / 4);
}

/* A QA reviewer's copy (gst-compliance-scan --annotated) shows what the
 * stream showed: the violating line's pixels are unchanged inside its
 * outline, and no label is drawn where the source had none, while
 * viewer mode covers the line and adds the label. */
TEST_F (Overlay, ReviewHidesNothingAndAddsNoLabel)
{
  const int bx = 200, by = 150, bw = 100, bh = 30;
  auto changed_in = [this] (GstBuffer *a, GstBuffer *b, int x0, int y0,
      int x1, int y1) {
    GstVideoFrame fa, fb;
    gsize n = 0;
    EXPECT_TRUE (gst_video_frame_map (&fa, &info, a, GST_MAP_READ));
    EXPECT_TRUE (gst_video_frame_map (&fb, &info, b, GST_MAP_READ));
    const guint8 *pa = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, 0);
    const guint8 *pb = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&fa, 0);
    for (int y = y0; y < y1; y++)
      for (int x = x0; x < x1; x++)
        n += pa[(gsize) y * stride + x] != pb[(gsize) y * stride + x];
    gst_video_frame_unmap (&fa);
    gst_video_frame_unmap (&fb);
    return n;
  };
  auto run = [&] (const char *mode, gsize *inside, gsize *corner,
      gsize *all) {
    start (std::string ("mask=solid show-card=true catalog=") + catalog_path
        + " mode=" + mode, caps_str ("I420", 640, 360));
    GstBuffer *in = blank ();
    add_verdict (in, "B2002", "Brand X", true, 640, 360,
        {{"price.mismatch", "¥89.00", "¥99.00", bx, by, bw, bh}});
    add_readings (in, 640, 360, {{"到手价 ¥89.00", bx, by, bw, bh}});
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out = push_pull (in);
    ASSERT_NE (out, nullptr);
    *inside = changed_in (ref, out, bx, by, bx + bw, by + bh);
    /* The label's corner (top-right), away from the line. */
    *corner = changed_in (ref, out, 640 * 3 / 5, 0, 640, 360 / 4);
    *all = diff (ref, out).changed;
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
    drain ();
  };
  gsize inside, corner, all;
  run ("review", &inside, &corner, &all);
  EXPECT_EQ (inside, 0u) << "the violating line was covered";
  EXPECT_EQ (corner, 0u) << "a label or card was drawn";
  EXPECT_GT (all, 0u) << "no outline, box or banner was drawn";
  run ("viewer", &inside, &corner, &all);
  EXPECT_GT (inside, (gsize) (bw * bh / 2)) << "viewer mode masks the line";
  EXPECT_GT (corner, 0u) << "viewer mode draws the label";
}

TEST_F (Overlay, BoxesOfAnotherFrameSizeAreMapped)
{
  start ("mask=solid", caps_str ("I420", 640, 360));
  GstBuffer *in = blank ();
  /* The verdict was reached on a 1280x720 frame. */
  add_verdict (in, "B2002", nullptr, false, 1280, 720,
      {{"price.mismatch", "¥89.00", "¥99.00", 400, 300, 200, 60}});
  GstBuffer *ref = gst_buffer_copy_deep (in);
  GstBuffer *out = push_pull (in);
  Diff d = diff (ref, out);
  EXPECT_EQ (d.x0, 200);
  EXPECT_EQ (d.y0, 150);
  EXPECT_EQ (d.x1, 299);
  EXPECT_EQ (d.y1, 179);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
}

TEST_F (Overlay, LowContrastColoursAreCorrectedWithAWarning)
{
  start ("text-color=0xffffffff plate-color=0x20ffffff",
      caps_str ("BGRA", 640, 360));
  GstBuffer *in = sponsored ();
  GstBuffer *out = push_pull (in);
  drain ();
  ASSERT_EQ (warnings.size (), 1u);
  EXPECT_NE (warnings[0].find ("contrast"), std::string::npos);
  gst_buffer_unref (out);
}

TEST_F (Overlay, BadCatalogOrRulesFailTheStart)
{
  GstElement *e = gst_element_factory_make ("complianceoverlay", nullptr);
  g_object_set (e, "rules", "atlantis", nullptr);
  GstBus *b = gst_bus_new ();
  gst_element_set_bus (e, b);
  EXPECT_EQ (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  GstMessage *m = gst_bus_pop_filtered (b, GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  gst_message_unref (m);
  gst_element_set_state (e, GST_STATE_NULL);

  g_object_set (e, "rules", nullptr, "catalog", "/nonexistent/c.json",
      nullptr);
  EXPECT_EQ (gst_element_set_state (e, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  m = gst_bus_pop_filtered (b, GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  GError *err = nullptr;
  gst_message_parse_error (m, &err, nullptr);
  EXPECT_NE (strstr (err->message, "/nonexistent/c.json"), nullptr)
      << err->message;
  g_error_free (err);
  gst_message_unref (m);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, nullptr);
  gst_object_unref (b);
  gst_object_unref (e);
}

TEST_F (Overlay, PropertiesHaveTheirDefaults)
{
  GstElement *e = gst_element_factory_make ("complianceoverlay", nullptr);
  gchar *font = nullptr, *rules = nullptr;
  gint mode, mask, corner;
  gboolean card;
  gdouble scale;
  g_object_get (e, "font", &font, "rules", &rules, "mode", &mode, "mask",
      &mask, "corner", &corner, "show-card", &card, "scale", &scale, nullptr);
  EXPECT_STREQ (font, "Noto Sans CJK SC");
  EXPECT_EQ (rules, nullptr);
  EXPECT_EQ (mode, 0);
  EXPECT_EQ (mask, 1);
  EXPECT_EQ (corner, 1);
  EXPECT_FALSE (card);
  EXPECT_DOUBLE_EQ (scale, 1.0);
  gst_util_set_object_arg (G_OBJECT (e), "mode", "preview");
  gst_util_set_object_arg (G_OBJECT (e), "corner", "bottom-left");
  gst_util_set_object_arg (G_OBJECT (e), "mask", "pixelate");
  g_object_get (e, "mode", &mode, "corner", &corner, "mask", &mask, nullptr);
  EXPECT_EQ (mode, 1);
  EXPECT_EQ (corner, 2);
  EXPECT_EQ (mask, 2);
  g_free (font);
  gst_object_unref (e);
}

/* Every format the sink template offers for blending negotiates, and the
 * label changes the frame. */
TEST_F (Overlay, EveryFormatInTheCapsNegotiatesAndBlends)
{
  GstElementFactory *f = gst_element_factory_find ("complianceoverlay");
  ASSERT_NE (f, nullptr);
  GstCaps *tmpl = nullptr;
  for (const GList *l = gst_element_factory_get_static_pad_templates (f); l;
      l = l->next) {
    GstStaticPadTemplate *t = (GstStaticPadTemplate *) l->data;
    if (t->direction == GST_PAD_SINK)
      tmpl = gst_static_caps_get (&t->static_caps);
  }
  gst_object_unref (f);
  ASSERT_NE (tmpl, nullptr);

  std::vector<std::string> formats;
  for (guint i = 0; i < gst_caps_get_size (tmpl); i++) {
    GstCapsFeatures *feat = gst_caps_get_features (tmpl, i);
    if (!gst_caps_features_is_equal (feat,
            GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY))
      continue;
    const GValue *list = gst_structure_get_value (gst_caps_get_structure (tmpl,
            i), "format");
    for (guint j = 0; j < gst_value_list_get_size (list); j++)
      formats.emplace_back (g_value_get_string (gst_value_list_get_value (list,
                  j)));
  }
  gst_caps_unref (tmpl);
  ASSERT_GT (formats.size (), 20u);

  int n = 0;
  for (const std::string &fmt : formats) {
    SCOPED_TRACE (fmt);
    /* Tiled formats need whole tiles: 256x256 is a multiple of all. */
    start ("scale=2", caps_str (fmt.c_str (), 256, 256));
    GstCaps *negotiated = gst_pad_get_current_caps (h->sinkpad);
    ASSERT_NE (negotiated, nullptr);
    GstVideoInfo out_info;
    ASSERT_TRUE (gst_video_info_from_caps (&out_info, negotiated));
    EXPECT_EQ (GST_VIDEO_INFO_FORMAT (&out_info),
        gst_video_format_from_string (fmt.c_str ()));
    gst_caps_unref (negotiated);
    GstBuffer *in = sponsored ();
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out = push_pull (in);
    ASSERT_NE (out, nullptr);
    GstMapInfo a, b;
    gst_buffer_map (ref, &a, GST_MAP_READ);
    gst_buffer_map (out, &b, GST_MAP_READ);
    ASSERT_EQ (a.size, b.size);
    EXPECT_NE (memcmp (a.data, b.data, a.size), 0) << "nothing was drawn";
    gst_buffer_unmap (ref, &a);
    gst_buffer_unmap (out, &b);
    gst_buffer_unref (ref);
    gst_buffer_unref (out);
    n++;
  }
  EXPECT_EQ (n, (int) formats.size ());
}

}  // namespace
