/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: the bridge between the GLib-only core records and the
 * public metas and messages.  The one place a violation or a verdict is
 * converted between the two; the elements and the scan tool use it.
 * Internal: not installed (the core types are not public).
 *
 * A verdict's fields: the core record is GcViolation (gc-rules.h) and,
 * for a whole verdict, GcSeiState (gc-sei.h); the public ones are
 * GstComplianceViolation and GstComplianceVerdictMeta; the bus messages'
 * field lists are written and read only in gstcompliancemeta.c.  Adding
 * a string field to a violation: the member in the two structs and its
 * name in their two lists (GC_VIOLATION_STRINGS in gc-rules.h,
 * GST_COMPLIANCE_VIOLATION_STRINGS in gstcompliancemeta.h): two files.
 * Copies, frees, the messages, the JSON of the report and evidence log and
 * this bridge follow from the lists; the SEI carries a fixed set
 * (gc-sei.c, versioned). */
#pragma once

#include <gst/gst.h>

#include "gc-rules.h"
#include "gc-sei.h"
#include "gstcompliancemeta.h"

G_BEGIN_DECLS

/* @out's strings are borrowed from @v. */
void gst_compliance_violation_from_core (GstComplianceViolation * out,
    const GcViolation * v);
GcViolation *gst_compliance_violation_to_core (const GstComplianceViolation *
    v);

GstMessage *gst_compliance_violation_message_from_core (GstObject * src,
    const GcViolation * v, gboolean start, GstClockTime pts);
/* A new core violation from a "compliance-violation" message; NULL when
 * @message is not one.  @start may be NULL. */
GcViolation *gst_compliance_violation_message_to_core (GstMessage * message,
    gboolean * start);

GcSeiState *gst_compliance_verdict_meta_to_state (const
    GstComplianceVerdictMeta * meta);
GstComplianceVerdictMeta *gst_buffer_add_compliance_verdict_meta_from_state
    (GstBuffer * buffer, const GcSeiState * state);
/* The same from the verdict's parts (@violations: GcViolation*), for a
 * caller that holds them already: compliancecheck on every buffer, where
 * building a GcSeiState first would copy each string twice. */
GstComplianceVerdictMeta *gst_buffer_add_compliance_verdict_meta_from_core
    (GstBuffer * buffer, GstClockTime pts, guint frame_width,
    guint frame_height, const gchar * active_sku, const gchar * sponsor,
    gboolean disclosure_required, gboolean disclosure_visible,
    GPtrArray * violations);

G_END_DECLS
