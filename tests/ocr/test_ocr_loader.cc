/* The loader: the engine arrives through GModule, with OMP_THREAD_LIMIT=1
 * set before libtesseract (and libgomp) are loaded. */
#include <gtest/gtest.h>
#include <string.h>

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
}
