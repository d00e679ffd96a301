/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: shared element helpers. */
#include "gstcomplianceutil.h"

static void
set_string (GstStructure * s, const gchar * name, const gchar * value)
{
  if (value)
    gst_structure_set (s, name, G_TYPE_STRING, value, NULL);
}

GstMessage *
gst_compliance_violation_message_new (GstObject * src, const GcViolation * v,
    gboolean start, GstClockTime pts)
{
  GstStructure *s = gst_structure_new ("compliance-violation",
      "event", G_TYPE_STRING, start ? "start" : "end",
      "rule", G_TYPE_STRING, v->rule,
      "t_start", G_TYPE_DOUBLE, v->t_start,
      "t_end", G_TYPE_DOUBLE, v->t_end,
      "id", G_TYPE_UINT64, v->id, "pts", G_TYPE_UINT64, (guint64) pts, NULL);
  set_string (s, "severity", v->severity);
  set_string (s, "sku", v->sku);
  set_string (s, "observed", v->observed);
  set_string (s, "declared", v->declared);
  set_string (s, "legal_ref", v->legal_ref);
  set_string (s, "evidence", v->evidence);

  GValue bbox = G_VALUE_INIT, item = G_VALUE_INIT;
  gint coords[4] = { v->box.x, v->box.y, v->box.w, v->box.h };
  g_value_init (&bbox, GST_TYPE_ARRAY);
  g_value_init (&item, G_TYPE_INT);
  for (guint i = 0; i < 4; i++) {
    g_value_set_int (&item, coords[i]);
    gst_value_array_append_value (&bbox, &item);
  }
  gst_structure_take_value (s, "bbox", &bbox);
  g_value_unset (&item);

  return gst_message_new_element (src, s);
}

void
gst_compliance_violation_from_core (GstComplianceViolation * out,
    const GcViolation * v)
{
  out->rule = v->rule;
  out->severity = v->severity;
  out->sku = v->sku;
  out->observed = v->observed;
  out->declared = v->declared;
  out->legal_ref = v->legal_ref;
  out->t_start = v->t_start;
  out->x = v->box.x;
  out->y = v->box.y;
  out->width = v->box.w;
  out->height = v->box.h;
  out->id = v->id;
}
