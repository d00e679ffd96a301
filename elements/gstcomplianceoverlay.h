/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: complianceoverlay element. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_COMPLIANCE_OVERLAY (gst_compliance_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstComplianceOverlay, gst_compliance_overlay, GST,
    COMPLIANCE_OVERLAY, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (complianceoverlay);

/**
 * GstComplianceOverlayMode:
 * @GST_COMPLIANCE_OVERLAY_MODE_VIEWER: what viewers may see: the
 *   disclosure label, the product card when asked for, the masks
 * @GST_COMPLIANCE_OVERLAY_MODE_PREVIEW: the streamer's preview: all of the
 *   above plus the warnings banner and a box around every reading
 * @GST_COMPLIANCE_OVERLAY_MODE_REVIEW: a reviewer's copy of what the stream
 *   showed: a box around every reading with its text, the box of every
 *   violation with its rule, the warnings banner; no label, card or mask,
 *   so nothing shown is hidden or added
 */
typedef enum
{
  GST_COMPLIANCE_OVERLAY_MODE_VIEWER,
  GST_COMPLIANCE_OVERLAY_MODE_PREVIEW,
  GST_COMPLIANCE_OVERLAY_MODE_REVIEW,
} GstComplianceOverlayMode;

/**
 * GstComplianceOverlayMask:
 * @GST_COMPLIANCE_OVERLAY_MASK_NONE: violating text is left visible
 * @GST_COMPLIANCE_OVERLAY_MASK_SOLID: covered with a solid rectangle
 * @GST_COMPLIANCE_OVERLAY_MASK_PIXELATE: pixelated (solid when the overlay
 *   is attached as a meta rather than blended)
 */
typedef enum
{
  GST_COMPLIANCE_OVERLAY_MASK_NONE,
  GST_COMPLIANCE_OVERLAY_MASK_SOLID,
  GST_COMPLIANCE_OVERLAY_MASK_PIXELATE,
} GstComplianceOverlayMask;

/**
 * GstComplianceOverlayCorner:
 * Where the disclosure label (and the product card under it) goes.
 */
typedef enum
{
  GST_COMPLIANCE_OVERLAY_CORNER_TOP_LEFT,
  GST_COMPLIANCE_OVERLAY_CORNER_TOP_RIGHT,
  GST_COMPLIANCE_OVERLAY_CORNER_BOTTOM_LEFT,
  GST_COMPLIANCE_OVERLAY_CORNER_BOTTOM_RIGHT,
} GstComplianceOverlayCorner;

#define GST_TYPE_COMPLIANCE_OVERLAY_MODE (gst_compliance_overlay_mode_get_type ())
#define GST_TYPE_COMPLIANCE_OVERLAY_MASK (gst_compliance_overlay_mask_get_type ())
#define GST_TYPE_COMPLIANCE_OVERLAY_CORNER (gst_compliance_overlay_corner_get_type ())
GType gst_compliance_overlay_mode_get_type (void);
GType gst_compliance_overlay_mask_get_type (void);
GType gst_compliance_overlay_corner_get_type (void);

G_END_DECLS
