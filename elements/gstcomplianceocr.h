/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: complianceocr element. */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_COMPLIANCE_OCR (gst_compliance_ocr_get_type ())
G_DECLARE_FINAL_TYPE (GstComplianceOcr, gst_compliance_ocr, GST,
    COMPLIANCE_OCR, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE (complianceocr);

/**
 * GstComplianceOcrMode:
 * @GST_COMPLIANCE_OCR_MODE_LIVE: the streaming thread never waits for OCR;
 *   sampled frames are copied to a free worker (or skipped when none is
 *   free) and the readings ride on a later buffer with the pts of the
 *   frame they were read from
 * @GST_COMPLIANCE_OCR_MODE_REPLAY: every sampled frame is read, in order,
 *   and the readings ride on that frame itself; the streaming thread waits,
 *   and the same input gives the same output
 */
typedef enum
{
  GST_COMPLIANCE_OCR_MODE_LIVE,
  GST_COMPLIANCE_OCR_MODE_REPLAY,
} GstComplianceOcrMode;

#define GST_TYPE_COMPLIANCE_OCR_MODE (gst_compliance_ocr_mode_get_type ())
GType gst_compliance_ocr_mode_get_type (void);

/**
 * GstComplianceOcrEngine:
 * @GST_COMPLIANCE_OCR_ENGINE_AUTO: PP-OCR when ONNX Runtime and the models
 *   are found and the languages are ones it reads, else Tesseract; which
 *   one was taken, and why, is posted as an INFO message at start
 * @GST_COMPLIANCE_OCR_ENGINE_PPOCR: PP-OCRv4 detection and recognition
 *   (ONNX Runtime); the state change fails when it is missing
 * @GST_COMPLIANCE_OCR_ENGINE_TESSERACT: classic region finding and
 *   Tesseract
 */
typedef enum
{
  GST_COMPLIANCE_OCR_ENGINE_AUTO,
  GST_COMPLIANCE_OCR_ENGINE_PPOCR,
  GST_COMPLIANCE_OCR_ENGINE_TESSERACT,
} GstComplianceOcrEngine;

#define GST_TYPE_COMPLIANCE_OCR_ENGINE (gst_compliance_ocr_engine_get_type ())
GType gst_compliance_ocr_engine_get_type (void);

G_END_DECLS
