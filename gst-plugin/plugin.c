/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: the `compliance` plugin.
 *
 * Registers every element of the project.  Elements live in elements/, one
 * file each; the work they do lives in gst-plugin/core (GLib only). */
#include <gst/gst.h>

#include "gstcompliancecheck.h"
#include "gstcomplianceocr.h"
#include "gstcomplianceoverlay.h"
#include "gstcompliancesei.h"
#include "gstcompliancebin.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (compliancecheck, plugin);
  ret |= GST_ELEMENT_REGISTER (complianceocr, plugin);
  ret |= GST_ELEMENT_REGISTER (complianceoverlay, plugin);
  ret |= GST_ELEMENT_REGISTER (compliancesei, plugin);
  ret |= GST_ELEMENT_REGISTER (compliancebin, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, compliance,
    "Live-commerce compliance: reads on-screen prices and claims, checks them "
    "against the seller's catalog and a jurisdiction's rules, draws the "
    "required disclosures and carries the verdicts in the stream",
    plugin_init, VERSION, "LGPL", "gst-compliance", "gst-compliance")
