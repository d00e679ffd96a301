/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: compliancecheck element. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_COMPLIANCE_CHECK (gst_compliance_check_get_type ())
G_DECLARE_FINAL_TYPE (GstComplianceCheck, gst_compliance_check, GST,
    COMPLIANCE_CHECK, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (compliancecheck);

/* Custom event an application sends (downstream or upstream, e.g. with
 * gst_element_send_event()) to switch the active product:
 * structure "compliance-set-product", field "sku" (string; NULL or ""
 * clears the explicit setting). */
#define GST_COMPLIANCE_SET_PRODUCT_EVENT "compliance-set-product"
/* Custom event with the platform's attested audience figures: fields
 * "viewers", "likes", "followers" (any of them, numbers) and optionally
 * "t" (running time, seconds; default the next analysed frame's). */
#define GST_COMPLIANCE_METRICS_EVENT "compliance-metrics"

G_END_DECLS
