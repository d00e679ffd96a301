/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: compliancesei element. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

typedef enum
{
  GST_COMPLIANCE_SEI_MODE_INSERT,
  GST_COMPLIANCE_SEI_MODE_EXTRACT,
} GstComplianceSeiMode;

GType gst_compliance_sei_mode_get_type (void);
#define GST_TYPE_COMPLIANCE_SEI_MODE (gst_compliance_sei_mode_get_type ())

#define GST_TYPE_COMPLIANCE_SEI (gst_compliance_sei_get_type ())
G_DECLARE_FINAL_TYPE (GstComplianceSei, gst_compliance_sei, GST,
    COMPLIANCE_SEI, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (compliancesei);

G_END_DECLS
