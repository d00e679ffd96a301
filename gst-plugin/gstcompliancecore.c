/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: core records <-> public metas and messages. */
#include "gstcompliancecore.h"

void
gst_compliance_violation_from_core (GstComplianceViolation * out,
    const GcViolation * v)
{
  *out = (GstComplianceViolation) {
    .rule = v->rule,.t_start = v->t_start,.t_end = v->t_end,
    .x = v->box.x,.y = v->box.y,.width = v->box.w,.height = v->box.h,
    .id = v->id,
  };
  /* Both lists name the same members (test_messages checks). */
#define BORROW(field) out->field = v->field;
  GST_COMPLIANCE_VIOLATION_STRINGS (BORROW)
#undef BORROW
}

GcViolation *
gst_compliance_violation_to_core (const GstComplianceViolation * mv)
{
  GcViolation *v = gc_violation_new (mv->rule);

#define COPY(field) v->field = g_strdup (mv->field);
  GST_COMPLIANCE_VIOLATION_STRINGS (COPY)
#undef COPY
  v->t_start = mv->t_start;
  v->t_end = mv->t_end;
  v->box = (GcBox) {
  mv->x, mv->y, mv->width, mv->height};
  v->id = mv->id;
  return v;
}

GstMessage *
gst_compliance_violation_message_from_core (GstObject * src,
    const GcViolation * v, gboolean start, GstClockTime pts)
{
  GstComplianceViolation mv;

  gst_compliance_violation_from_core (&mv, v);
  return gst_compliance_violation_message_new (src, start ?
      GST_COMPLIANCE_VIOLATION_START : GST_COMPLIANCE_VIOLATION_END, &mv, pts);
}

GcViolation *
gst_compliance_violation_message_to_core (GstMessage * message,
    gboolean * start)
{
  GstComplianceViolation mv;
  GstComplianceViolationEvent event;

  if (!gst_compliance_violation_message_parse (message, &event, &mv, NULL))
    return NULL;
  GcViolation *v = gst_compliance_violation_to_core (&mv);
  gst_compliance_violation_clear (&mv);
  if (start)
    *start = event == GST_COMPLIANCE_VIOLATION_START;
  return v;
}

GcSeiState *
gst_compliance_verdict_meta_to_state (const GstComplianceVerdictMeta * meta)
{
  GcSeiState *s = gc_sei_state_new ();

  s->pts = meta->pts;           /* GST_CLOCK_TIME_NONE is GC_SEI_PTS_NONE */
  s->frame_width = meta->frame_width;
  s->frame_height = meta->frame_height;
  s->active_sku = g_strdup (meta->active_sku);
  s->sponsor = g_strdup (meta->sponsor);
  s->disclosure_required = meta->disclosure_required;
  s->disclosure_visible = meta->disclosure_visible;
  for (guint i = 0; i < meta->n_violations; i++)
    g_ptr_array_add (s->violations,
        gst_compliance_violation_to_core (&meta->violations[i]));
  return s;
}

GstComplianceVerdictMeta *
gst_buffer_add_compliance_verdict_meta_from_core (GstBuffer * buf,
    GstClockTime pts, guint frame_width, guint frame_height,
    const gchar * active_sku, const gchar * sponsor,
    gboolean disclosure_required, gboolean disclosure_visible,
    GPtrArray * violations)
{
  GstComplianceVerdictMeta *meta = gst_buffer_add_compliance_verdict_meta (buf,
      pts, frame_width, frame_height);

  if (meta == NULL)
    return NULL;
  gst_compliance_verdict_meta_set_product (meta, active_sku, sponsor,
      disclosure_required, disclosure_visible);
  for (guint i = 0; i < violations->len; i++) {
    GstComplianceViolation v;
    gst_compliance_violation_from_core (&v, g_ptr_array_index (violations, i));
    gst_compliance_verdict_meta_add_violation (meta, &v);
  }
  return meta;
}

GstComplianceVerdictMeta *
gst_buffer_add_compliance_verdict_meta_from_state (GstBuffer * buf,
    const GcSeiState * s)
{
  return gst_buffer_add_compliance_verdict_meta_from_core (buf, s->pts,
      s->frame_width, s->frame_height, s->active_sku, s->sponsor,
      s->disclosure_required, s->disclosure_visible, s->violations);
}
