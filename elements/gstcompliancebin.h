/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: compliancebin element. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_COMPLIANCE_BIN (gst_compliance_bin_get_type ())
G_DECLARE_FINAL_TYPE (GstComplianceBin, gst_compliance_bin, GST,
    COMPLIANCE_BIN, GstBin)

GST_ELEMENT_REGISTER_DECLARE (compliancebin);

G_END_DECLS
