/* gst-compliance: the `compliance` plugin.
 *
 * Registers every element of the project.  Elements live in elements/, one
 * file each; the work they do lives in gst-plugin/core (GLib only). */
#include <gst/gst.h>

#include "gstcompliancecheck.h"
#ifdef HAVE_ELEMENT_COMPLIANCEOCR
#include "gstcomplianceocr.h"
#endif
#ifdef HAVE_ELEMENT_COMPLIANCEOVERLAY
#include "gstcomplianceoverlay.h"
#endif
#ifdef HAVE_ELEMENT_COMPLIANCESEI
#include "gstcompliancesei.h"
#endif
#ifdef HAVE_ELEMENT_COMPLIANCEBIN
#include "gstcompliancebin.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (compliancecheck, plugin);
#ifdef HAVE_ELEMENT_COMPLIANCEOCR
  ret |= GST_ELEMENT_REGISTER (complianceocr, plugin);
#endif
#ifdef HAVE_ELEMENT_COMPLIANCEOVERLAY
  ret |= GST_ELEMENT_REGISTER (complianceoverlay, plugin);
#endif
#ifdef HAVE_ELEMENT_COMPLIANCESEI
  ret |= GST_ELEMENT_REGISTER (compliancesei, plugin);
#endif
#ifdef HAVE_ELEMENT_COMPLIANCEBIN
  ret |= GST_ELEMENT_REGISTER (compliancebin, plugin);
#endif
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, compliance,
    "Live-commerce compliance: reads on-screen prices and claims, checks them "
    "against the seller's catalog and a jurisdiction's rules, draws the "
    "required disclosures and carries the verdicts in the stream",
    plugin_init, VERSION, "LGPL", "gst-compliance", "gst-compliance")
