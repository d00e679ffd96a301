/* gst-compliance: the `compliance` plugin.
 *
 * Registers every element of the project.  Elements live in elements/, one
 * file each; the work they do lives in gst-plugin/core (GLib only). */
#include <gst/gst.h>

static gboolean
plugin_init (GstPlugin * plugin)
{
  /* Elements register here as they land (GST_ELEMENT_REGISTER). */
  return TRUE;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, compliance,
    "Live-commerce compliance: reads on-screen prices and claims, checks them "
    "against the seller's catalog and a jurisdiction's rules, draws the "
    "required disclosures and carries the verdicts in the stream",
    plugin_init, VERSION, "LGPL", "gst-compliance", "gst-compliance")
