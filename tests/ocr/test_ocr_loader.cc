/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader: the engine arrives through GModule, with OMP_THREAD_LIMIT=1
 * set before libtesseract (and libgomp) are loaded. */
#include <gtest/gtest.h>
#include <string.h>

#include <gmodule.h>

#include "gc-error.h"
#include "gc-ocr-loader.h"

TEST (OcrLoader, LoadsEngineWithSingleThreadedOpenMP)
{
  /* Test environments set OMP_THREAD_LIMIT themselves; take it away to see
   * the loader set it, as it must for users who never heard of it. */
  g_unsetenv ("OMP_THREAD_LIMIT");
  if (g_getenv (GC_OCR_LIBRARY_ENV) == NULL)
    g_setenv (GC_OCR_LIBRARY_ENV, GC_OCR_BUILD_LIBRARY, TRUE);

  ASSERT_FALSE (gc_ocr_loader_gomp_loaded ())
      << "this test must not link libtesseract or libgomp";

  g_autoptr (GError) error = NULL;
  const GcOcrLoadInfo *info = gc_ocr_loader_load (&error);
  ASSERT_NE (info, nullptr) << error->message;
  ASSERT_NE (info->api, nullptr);
  EXPECT_FALSE (info->gomp_preloaded);
  EXPECT_EQ (info->user_omp_thread_limit, nullptr);
  EXPECT_STREQ (g_getenv ("OMP_THREAD_LIMIT"), "1");
  EXPECT_TRUE (gc_ocr_loader_gomp_loaded ());

  /* Loaded once: the same table again. */
  EXPECT_EQ (gc_ocr_loader_load (NULL), info);

  /* The table works: a region-free frame reads as nothing. */
  static guint8 gray[64 * 64];
  memset (gray, 128, sizeof (gray));
  GcOcrFrame frame = { gray, GC_OCR_FORMAT_GRAY8, 64, 64, 64 };
  g_autoptr (GArray) regions = info->api->find_regions (&frame, &error);
  ASSERT_NE (regions, nullptr);
  EXPECT_EQ (regions->len, 0u);

  /* Loaded like this, libtesseract's OpenMP regions still run inline in
   * the engine library (gc-ocr-omp.c), not in libgomp: reading a line
   * ("18" drawn in blocks) runs hundreds of them. */
  GModule *module = g_module_open (info->path, G_MODULE_BIND_LOCAL);
  ASSERT_NE (module, nullptr);
  guint (*inline_regions) (void) = NULL;
  ASSERT_TRUE (g_module_symbol (module, "gc_ocr_omp_inline_regions",
          (gpointer *) & inline_regions));
  EXPECT_EQ (inline_regions (), 0u);
  static const char *const digits[7] = {   /* "18", 5x7 cells of 3x3 px */
    "..#.. .###.",
    ".##.. #...#",
    "..#.. #...#",
    "..#.. .###.",
    "..#.. #...#",
    "..#.. #...#",
    ".###. .###.",
  };
  for (gint row = 0; row < 7; row++)
    for (gint col = 0; digits[row][col]; col++)
      if (digits[row][col] == '#')
        for (gint y = 0; y < 3; y++)
          memset (gray + (20 + row * 3 + y) * 64 + 14 + col * 3, 20, 3);
  GcOcrConfig config;
  info->api->config_init (&config);
  config.engine = GC_OCR_ENGINE_TESSERACT;
  config.languages = "eng";
  GcOcrEngine *engine = info->api->engine_new (&config, &error);
  ASSERT_NE (engine, nullptr) << error->message;
  GcOcrBox box = { 4, 12, 56, 40 };
  GcOcrLine *line = info->api->read_region (engine, &frame, &box, &error);
  EXPECT_EQ (error, nullptr);
  if (line)
    info->api->line_free (line);
  EXPECT_GT (inline_regions (), 100u);
  info->api->engine_free (engine);
  g_module_close (module);
}
