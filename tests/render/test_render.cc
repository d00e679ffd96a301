/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The overlay's pictures without GStreamer: sizes, literal text, contrast,
 * placement and the content cache. */
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gc-render.h"

namespace {

const GcStyle kStyle = { "Noto Sans CJK SC", 0xffffffffu, 0xcc000000u };

class Render : public ::testing::Test
{
protected:
  GcRenderer *r = nullptr;
  void SetUp () override { r = gc_renderer_new (); }
  void TearDown () override { gc_renderer_free (r); }

  /* Opaque-ish pixels whose colour is close to @argb's RGB. */
  static int count_colour (const GcImage *img, guint32 argb)
  {
    int n = 0;
    for (int y = 0; y < img->height; y++) {
      const guint32 *row = (const guint32 *) (img->data + y * img->stride);
      for (int x = 0; x < img->width; x++) {
        guint32 p = row[x];
        if ((p >> 24) < 0xf0)
          continue;
        int dr = (int) ((p >> 16) & 0xff) - (int) ((argb >> 16) & 0xff);
        int dg = (int) ((p >> 8) & 0xff) - (int) ((argb >> 8) & 0xff);
        int db = (int) (p & 0xff) - (int) (argb & 0xff);
        if (abs (dr) < 16 && abs (dg) < 16 && abs (db) < 16)
          n++;
      }
    }
    return n;
  }
};

TEST_F (Render, LabelIsAtLeastTheTextSizeAndHasText)
{
  GcImage *img = gc_render_label (r, "广告 · Brand X 赞助", &kStyle, 49, 1800);
  ASSERT_NE (img, nullptr);
  EXPECT_GE (img->height, 49);
  EXPECT_LT (img->height, 49 * 3);
  EXPECT_GT (img->width, img->height);
  EXPECT_LE (img->width, 1800);
  EXPECT_EQ (img->stride % 4, 0);
  /* White glyph pixels on the plate. */
  EXPECT_GT (count_colour (img, 0xffffffffu), 200);
  EXPECT_STREQ (img->text, "广告 · Brand X 赞助");
  gc_image_unref (img);
}

TEST_F (Render, SameContentIsCachedNotLaidOutAgain)
{
  GcImage *a = gc_render_label (r, "广告", &kStyle, 30, 600);
  guint64 layouts = gc_renderer_layout_count (r);
  GcImage *b = gc_render_label (r, "广告", &kStyle, 30, 600);
  EXPECT_EQ (a, b);
  EXPECT_EQ (gc_renderer_layout_count (r), layouts);
  /* Content and size are the key. */
  GcImage *c = gc_render_label (r, "广告 · Ad", &kStyle, 30, 600);
  GcImage *d = gc_render_label (r, "广告", &kStyle, 31, 600);
  EXPECT_NE (a, c);
  EXPECT_NE (a, d);
  EXPECT_EQ (gc_renderer_layout_count (r), layouts + 2);
  gc_image_unref (a);
  gc_image_unref (b);
  gc_image_unref (c);
  gc_image_unref (d);
}

TEST_F (Render, UnusedPicturesAreDroppedAfterAWhile)
{
  gc_image_unref (gc_render_label (r, "old", &kStyle, 20, 600));
  EXPECT_EQ (gc_renderer_cache_size (r), 1u);
  for (int i = 0; i < GC_RENDER_KEEP_FRAMES; i++) {
    gc_image_unref (gc_render_label (r, "kept", &kStyle, 20, 600));
    gc_renderer_end_frame (r);
  }
  EXPECT_EQ (gc_renderer_cache_size (r), 2u);
  gc_image_unref (gc_render_label (r, "kept", &kStyle, 20, 600));
  gc_renderer_end_frame (r);
  gc_renderer_end_frame (r);
  EXPECT_EQ (gc_renderer_cache_size (r), 1u);
}

TEST_F (Render, UserDataLivesAndDiesWithThePicture)
{
  static int freed = 0;
  freed = 0;
  GcImage *img = gc_render_solid (r, 10, 10, 0xff00ff00u);
  gc_image_set_user_data (img, GINT_TO_POINTER (1), [] (gpointer) { freed++; });
  gc_image_unref (img);
  EXPECT_EQ (freed, 0) << "the cache still holds it";
  gc_renderer_free (r);
  r = nullptr;
  EXPECT_EQ (freed, 1);
  r = gc_renderer_new ();
}

TEST_F (Render, MarkupIsShownLiterally)
{
  const char *texts[] = { "<b>&amp;</b>", "&", "<span foreground='red'>x",
    "a &lt; b", "<markup>&#x4e2d;" };
  for (const char *t : texts) {
    GcImage *img = gc_render_label (r, t, &kStyle, 24, 800);
    ASSERT_NE (img, nullptr) << t;
    EXPECT_STREQ (img->text, t);
    gc_image_unref (img);
  }
  /* "<b>x</b>" drawn literally is wider than "x" in bold would be. */
  GcImage *lit = gc_render_label (r, "<b>x</b>", &kStyle, 24, 800);
  GcImage *x = gc_render_label (r, "x", &kStyle, 24, 800);
  EXPECT_GT (lit->width, x->width * 3);
  gc_image_unref (lit);
  gc_image_unref (x);
}

TEST_F (Render, InvalidUtf8IsReplaced)
{
  const char bad[] = "Brand \xff\xfe X \xe5\xb9";
  GcImage *img = gc_render_label (r, bad, &kStyle, 24, 800);
  ASSERT_NE (img, nullptr);
  EXPECT_TRUE (g_utf8_validate (img->text, -1, nullptr));
  EXPECT_NE (strstr (img->text, "Brand "), nullptr);
  EXPECT_NE (strstr (img->text, "\xef\xbf\xbd"), nullptr);
  gc_image_unref (img);

  g_autofree gchar *s = gc_render_sanitize (bad, TRUE);
  EXPECT_TRUE (g_utf8_validate (s, -1, nullptr));
  g_autofree gchar *n = gc_render_sanitize (nullptr, TRUE);
  EXPECT_STREQ (n, "");
}

TEST_F (Render, ControlCharactersAndLineBreaksBecomeSpaces)
{
  g_autofree gchar *s = gc_render_sanitize ("a\nb\tc\rd\x01" "e", TRUE);
  EXPECT_STREQ (s, "a b c d e");
  g_autofree gchar *m = gc_render_sanitize ("a\nb", FALSE);
  EXPECT_STREQ (m, "a\nb");
}

TEST_F (Render, LongTextIsCutAndEllipsizedToTheWidth)
{
  std::string big (10 * 1024, 'W');
  std::string cjk;
  for (int i = 0; i < 4000; i++)
    cjk += "赞";
  for (const std::string &t : { big, cjk }) {
    g_autofree gchar *s = gc_render_sanitize (t.c_str (), TRUE);
    EXPECT_EQ (g_utf8_strlen (s, -1), GC_RENDER_MAX_CHARS + 1);
    EXPECT_TRUE (g_str_has_suffix (s, "\xe2\x80\xa6"));

    GcImage *img = gc_render_label (r, t.c_str (), &kStyle, 40, 640);
    ASSERT_NE (img, nullptr);
    EXPECT_LE (img->width, 640);
    EXPECT_LT (img->height, 40 * 3) << "one line, not wrapped";
    gc_image_unref (img);
  }
}

TEST_F (Render, BlockStacksLinesAndSkipsMissingOnes)
{
  const gchar *one[] = { "保温杯", nullptr, nullptr };
  const gchar *three[] = { "保温杯", "¥99.00", "某某旗舰店" };
  GcImage *a = gc_render_block (r, one, 3, 1.25, &kStyle, 20, 600);
  GcImage *b = gc_render_block (r, three, 3, 1.25, &kStyle, 20, 600);
  EXPECT_GT (b->height, a->height + 30);
  EXPECT_STREQ (b->text, "保温杯\n¥99.00\n某某旗舰店");
  gc_image_unref (a);
  gc_image_unref (b);
}

TEST_F (Render, SolidFillsEveryPixel)
{
  GcImage *img = gc_render_solid (r, 17, 9, 0xff102030u);
  EXPECT_EQ (img->width, 17);
  EXPECT_EQ (img->height, 9);
  EXPECT_EQ (count_colour (img, 0xff102030u), 17 * 9);
  gc_image_unref (img);
}

TEST_F (Render, BoxOutlinesAndCaptionsAbove)
{
  gint bx = -1, by = -1;
  GcImage *img = gc_render_box (r, 100, 40, 3, 0xff00ff00u, "到手价 ¥89",
      "Noto Sans CJK SC", 14, 400, &bx, &by);
  EXPECT_EQ (bx, 3);
  EXPECT_GT (by, 10) << "caption above the box";
  EXPECT_EQ (img->height, by + 40 + 3);
  /* Inside the box is transparent. */
  const guint32 *row = (const guint32 *) (img->data + (by + 20) * img->stride);
  EXPECT_EQ (row[bx + 50] >> 24, 0u);
  EXPECT_EQ (row[1] >> 24, 0xffu);
  gint bx2, by2;
  GcImage *again = gc_render_box (r, 100, 40, 3, 0xff00ff00u, "到手价 ¥89",
      "Noto Sans CJK SC", 14, 400, &bx2, &by2);
  EXPECT_EQ (again, img);
  EXPECT_EQ (bx2, bx);
  EXPECT_EQ (by2, by);
  gc_image_unref (img);
  gc_image_unref (again);
}

TEST (Contrast, WcagFigures)
{
  EXPECT_NEAR (gc_render_contrast (0xffffffffu, 0xff000000u), 21.0, 0.01);
  EXPECT_NEAR (gc_render_contrast (0xff777777u, 0xffffffffu), 4.48, 0.02);
  EXPECT_NEAR (gc_render_contrast (0xff123456u, 0xff123456u), 1.0, 1e-9);
}

TEST (Contrast, TranslucentPlateCountsTheWorstBackground)
{
  GcStyle s = { nullptr, 0xffffffffu, 0x33000000u };
  /* 20% black over white barely darkens it: white text is unreadable. */
  EXPECT_LT (gc_style_worst_contrast (&s), 2.0);
  EXPECT_TRUE (gc_style_enforce_contrast (&s, 4.5));
  EXPECT_EQ (s.plate_argb, 0xff000000u);
  EXPECT_GE (gc_style_worst_contrast (&s), 4.5);

  GcStyle ok = { nullptr, 0xffffffffu, 0xcc000000u };
  EXPECT_FALSE (gc_style_enforce_contrast (&ok, 4.5));
  EXPECT_EQ (ok.plate_argb, 0xcc000000u);
}

TEST (Contrast, LowContrastColoursAreReplaced)
{
  GcStyle s = { nullptr, 0xffffff00u, 0xffffffffu };   /* yellow on white */
  EXPECT_TRUE (gc_style_enforce_contrast (&s, 4.5));
  EXPECT_EQ (s.text_argb, 0xff000000u);
  EXPECT_GE (gc_style_worst_contrast (&s), 4.5);

  GcStyle hard = { nullptr, 0xff808080u, 0xff808080u };
  EXPECT_TRUE (gc_style_enforce_contrast (&hard, 7.0));
  EXPECT_GE (gc_style_worst_contrast (&hard), 7.0);
}

TEST (Place, Corners)
{
  gint x, y;
  gc_render_place (GC_CORNER_TOP_LEFT, 1920, 1080, 200, 50, 20, 0, &x, &y);
  EXPECT_EQ (x, 20);
  EXPECT_EQ (y, 20);
  gc_render_place (GC_CORNER_TOP_RIGHT, 1920, 1080, 200, 50, 20, 60, &x, &y);
  EXPECT_EQ (x, 1700);
  EXPECT_EQ (y, 80);
  gc_render_place (GC_CORNER_BOTTOM_LEFT, 1920, 1080, 200, 50, 20, 0, &x, &y);
  EXPECT_EQ (x, 20);
  EXPECT_EQ (y, 1010);
  gc_render_place (GC_CORNER_BOTTOM_RIGHT, 1920, 1080, 200, 50, 20, 60, &x,
      &y);
  EXPECT_EQ (x, 1700);
  EXPECT_EQ (y, 950);
  gc_render_place (GC_CORNER_TOP_RIGHT, 100, 100, 300, 50, 5, 0, &x, &y);
  EXPECT_EQ (x, 0);
}

}  // namespace
