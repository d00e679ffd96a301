/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built plugin loads into GStreamer and is found in the registry under
 * the name the contract fixes (PRODUCT.md: plugin name `compliance`). */
#include <gtest/gtest.h>
#include <gst/gst.h>

class Registry : public ::testing::Test
{
protected:
  static void SetUpTestSuite () { gst_init (nullptr, nullptr); }
};

TEST_F (Registry, PluginIsFoundAndLoads)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), "compliance");
  ASSERT_NE (plugin, nullptr) << "GST_PLUGIN_PATH=" << g_getenv ("GST_PLUGIN_PATH");

  GstPlugin *loaded = gst_plugin_load (plugin);
  ASSERT_NE (loaded, nullptr);
  EXPECT_TRUE (gst_plugin_is_loaded (loaded));
  EXPECT_STREQ (gst_plugin_get_name (loaded), "compliance");
  EXPECT_STREQ (gst_plugin_get_license (loaded), "LGPL");
  const gchar *filename = gst_plugin_get_filename (loaded);
  ASSERT_NE (filename, nullptr);
  EXPECT_TRUE (g_str_has_suffix (filename, "libgstcompliance.so")) << filename;
  gst_object_unref (loaded);
  gst_object_unref (plugin);
}
