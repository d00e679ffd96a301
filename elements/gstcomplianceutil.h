/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: what several elements share — turning core records into
 * bus messages and metas.  Plugin-internal. */
#pragma once

#include <gst/gst.h>

#include "gc-rules.h"
#include "gstcompliancemeta.h"

G_BEGIN_DECLS

/* Element message "compliance-violation" for a violation's start or end.
 * Fields: event ("start"|"end"), rule, severity, sku, observed, declared,
 * legal_ref, evidence (strings, absent when NULL), t_start, t_end (double,
 * seconds of running time), bbox (GstValueArray of 4 ints: x, y, w, h),
 * id (guint64), pts (guint64, of the analysed frame, may be
 * GST_CLOCK_TIME_NONE). */
GstMessage *gst_compliance_violation_message_new (GstObject * src,
    const GcViolation * v, gboolean start, GstClockTime pts);

/* Copies @v's fields into the meta's record (borrowed strings). */
void gst_compliance_violation_from_core (GstComplianceViolation * out,
    const GcViolation * v);

G_END_DECLS
