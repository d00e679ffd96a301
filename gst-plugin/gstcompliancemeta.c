/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: public metas. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcompliancemeta.h"

#include <gst/video/video.h>
#include <string.h>

/* No tags: a verdict is about the whole frame, not its colour space or
 * size, so converters and encoders must keep it. */
static const gchar *no_tags[] = { NULL };

/* Scale a box from the input to the output frame of a scale transform. */
static void
scale_box (gint * x, gint * y, gint * w, gint * h, guint in_w, guint in_h,
    guint out_w, guint out_h)
{
  if (in_w == 0 || in_h == 0 || (in_w == out_w && in_h == out_h))
    return;
  *x = (gint) gst_util_uint64_scale_int_round (MAX (*x, 0), out_w, in_w);
  *y = (gint) gst_util_uint64_scale_int_round (MAX (*y, 0), out_h, in_h);
  *w = (gint) gst_util_uint64_scale_int_round (MAX (*w, 0), out_w, in_w);
  *h = (gint) gst_util_uint64_scale_int_round (MAX (*h, 0), out_h, in_h);
}

/* Returns the output size for a transform we can follow, FALSE for one we
 * cannot (the meta is then dropped rather than left wrong). */
static gboolean
transform_size (GQuark type, gpointer data, guint in_w, guint in_h,
    guint * out_w, guint * out_h)
{
  if (GST_META_TRANSFORM_IS_COPY (type)) {
    *out_w = in_w;
    *out_h = in_h;
    return TRUE;
  }
  if (type == gst_video_meta_transform_scale_get_quark ()) {
    GstVideoMetaTransform *trans = data;
    *out_w = GST_VIDEO_INFO_WIDTH (trans->out_info);
    *out_h = GST_VIDEO_INFO_HEIGHT (trans->out_info);
    return TRUE;
  }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Text meta */

static gboolean
text_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  GstComplianceTextMeta *m = (GstComplianceTextMeta *) meta;
  m->pts = GST_CLOCK_TIME_NONE;
  m->frame_width = m->frame_height = 0;
  m->n_readings = 0;
  m->readings = NULL;
  return TRUE;
}

static void
text_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstComplianceTextMeta *m = (GstComplianceTextMeta *) meta;
  for (guint i = 0; i < m->n_readings; i++)
    g_free (m->readings[i].text);
  g_free (m->readings);
}

static gboolean
text_meta_transform (GstBuffer * dest, GstMeta * meta, GstBuffer * buffer,
    GQuark type, gpointer data)
{
  GstComplianceTextMeta *m = (GstComplianceTextMeta *) meta;
  guint w, h;

  if (!transform_size (type, data, m->frame_width, m->frame_height, &w, &h))
    return FALSE;
  GstComplianceTextMeta *d = gst_buffer_add_compliance_text_meta (dest, m->pts,
      w, h, m->readings, m->n_readings);
  if (d == NULL)
    return FALSE;
  for (guint i = 0; i < d->n_readings; i++) {
    GstComplianceReading *r = &d->readings[i];
    scale_box (&r->x, &r->y, &r->width, &r->height, m->frame_width,
        m->frame_height, w, h);
  }
  return TRUE;
}

GType
gst_compliance_text_meta_api_get_type (void)
{
  static GType type = 0;
  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstComplianceTextMetaAPI", no_tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

const GstMetaInfo *
gst_compliance_text_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *i =
        gst_meta_register (GST_COMPLIANCE_TEXT_META_API_TYPE,
        "GstComplianceTextMeta", sizeof (GstComplianceTextMeta),
        text_meta_init, text_meta_free, text_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) i);
  }
  return info;
}

GstComplianceTextMeta *
gst_buffer_add_compliance_text_meta (GstBuffer * buffer, GstClockTime pts,
    guint frame_width, guint frame_height,
    const GstComplianceReading * readings, guint n_readings)
{
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (n_readings == 0 || readings != NULL, NULL);

  GstComplianceTextMeta *m = (GstComplianceTextMeta *)
      gst_buffer_add_meta (buffer, GST_COMPLIANCE_TEXT_META_INFO, NULL);
  if (m == NULL)
    return NULL;
  m->pts = pts;
  m->frame_width = frame_width;
  m->frame_height = frame_height;
  m->n_readings = n_readings;
  m->readings = g_new0 (GstComplianceReading, MAX (n_readings, 1));
  for (guint i = 0; i < n_readings; i++) {
    m->readings[i] = readings[i];
    m->readings[i].text = g_utf8_make_valid (readings[i].text ?
        readings[i].text : "", -1);
  }
  return m;
}

/* ------------------------------------------------------------------ */
/* Verdict meta */

static gboolean
verdict_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  GstComplianceVerdictMeta *m = (GstComplianceVerdictMeta *) meta;
  m->pts = GST_CLOCK_TIME_NONE;
  m->frame_width = m->frame_height = 0;
  m->active_sku = NULL;
  m->sponsor = NULL;
  m->disclosure_required = FALSE;
  m->disclosure_visible = FALSE;
  m->n_violations = 0;
  m->violations = NULL;
  return TRUE;
}

void
gst_compliance_violation_clear (GstComplianceViolation * v)
{
  g_return_if_fail (v != NULL);
  g_clear_pointer (&v->rule, g_free);
#define CLEAR(field) g_clear_pointer (&v->field, g_free);
  GST_COMPLIANCE_VIOLATION_STRINGS (CLEAR)
#undef CLEAR
}

/* @out = @in with its own copies of the strings. */
static void
violation_copy (GstComplianceViolation * out, const GstComplianceViolation * in)
{
  *out = *in;
  out->rule = g_strdup (in->rule);
#define COPY(field) out->field = g_strdup (in->field);
  GST_COMPLIANCE_VIOLATION_STRINGS (COPY)
#undef COPY
}

static void
verdict_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstComplianceVerdictMeta *m = (GstComplianceVerdictMeta *) meta;
  for (guint i = 0; i < m->n_violations; i++)
    gst_compliance_violation_clear (&m->violations[i]);
  g_free (m->violations);
  g_free (m->active_sku);
  g_free (m->sponsor);
}

static gboolean
verdict_meta_transform (GstBuffer * dest, GstMeta * meta, GstBuffer * buffer,
    GQuark type, gpointer data)
{
  GstComplianceVerdictMeta *m = (GstComplianceVerdictMeta *) meta;
  guint w, h;

  if (!transform_size (type, data, m->frame_width, m->frame_height, &w, &h))
    return FALSE;
  GstComplianceVerdictMeta *d = gst_buffer_add_compliance_verdict_meta (dest,
      m->pts, w, h);
  if (d == NULL)
    return FALSE;
  gst_compliance_verdict_meta_set_product (d, m->active_sku, m->sponsor,
      m->disclosure_required, m->disclosure_visible);
  for (guint i = 0; i < m->n_violations; i++) {
    gst_compliance_verdict_meta_add_violation (d, &m->violations[i]);
    GstComplianceViolation *v = &d->violations[d->n_violations - 1];
    scale_box (&v->x, &v->y, &v->width, &v->height, m->frame_width,
        m->frame_height, w, h);
  }
  return TRUE;
}

GType
gst_compliance_verdict_meta_api_get_type (void)
{
  static GType type = 0;
  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstComplianceVerdictMetaAPI",
        no_tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

const GstMetaInfo *
gst_compliance_verdict_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *i =
        gst_meta_register (GST_COMPLIANCE_VERDICT_META_API_TYPE,
        "GstComplianceVerdictMeta", sizeof (GstComplianceVerdictMeta),
        verdict_meta_init, verdict_meta_free, verdict_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) i);
  }
  return info;
}

GstComplianceVerdictMeta *
gst_buffer_add_compliance_verdict_meta (GstBuffer * buffer, GstClockTime pts,
    guint frame_width, guint frame_height)
{
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  GstComplianceVerdictMeta *m = (GstComplianceVerdictMeta *)
      gst_buffer_add_meta (buffer, GST_COMPLIANCE_VERDICT_META_INFO, NULL);
  if (m == NULL)
    return NULL;
  m->pts = pts;
  m->frame_width = frame_width;
  m->frame_height = frame_height;
  return m;
}

void
gst_compliance_verdict_meta_set_product (GstComplianceVerdictMeta * meta,
    const gchar * sku, const gchar * sponsor, gboolean disclosure_required,
    gboolean disclosure_visible)
{
  g_return_if_fail (meta != NULL);
  g_free (meta->active_sku);
  meta->active_sku = g_strdup (sku);
  g_free (meta->sponsor);
  meta->sponsor = g_strdup (sponsor);
  meta->disclosure_required = disclosure_required;
  meta->disclosure_visible = disclosure_visible;
}

void
gst_compliance_verdict_meta_add_violation (GstComplianceVerdictMeta * meta,
    const GstComplianceViolation * violation)
{
  g_return_if_fail (meta != NULL && violation != NULL);
  meta->violations = g_renew (GstComplianceViolation, meta->violations,
      meta->n_violations + 1);
  violation_copy (&meta->violations[meta->n_violations++], violation);
}

/* ------------------------------------------------------------------ */
/* Messages: the one writer and reader of each field list */

GstMessage *
gst_compliance_violation_message_new (GstObject * src,
    GstComplianceViolationEvent event, const GstComplianceViolation * v,
    GstClockTime pts)
{
  g_return_val_if_fail (v != NULL && v->rule != NULL, NULL);

  GstStructure *s = gst_structure_new (GST_COMPLIANCE_VIOLATION_MESSAGE,
      "event", G_TYPE_STRING,
      event == GST_COMPLIANCE_VIOLATION_END ? "end" : "start",
      "rule", G_TYPE_STRING, v->rule,
      "t_start", G_TYPE_DOUBLE, v->t_start,
      "t_end", G_TYPE_DOUBLE, v->t_end,
      "id", G_TYPE_UINT64, v->id, "pts", G_TYPE_UINT64, (guint64) pts, NULL);
#define SET(field) if (v->field) \
    gst_structure_set (s, #field, G_TYPE_STRING, v->field, NULL);
  GST_COMPLIANCE_VIOLATION_STRINGS (SET)
#undef SET

  GValue bbox = G_VALUE_INIT, item = G_VALUE_INIT;
  gint coords[4] = { v->x, v->y, v->width, v->height };
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

gboolean
gst_compliance_violation_message_parse (GstMessage * message,
    GstComplianceViolationEvent * event, GstComplianceViolation * v,
    GstClockTime * pts)
{
  g_return_val_if_fail (GST_IS_MESSAGE (message) && v != NULL, FALSE);

  const GstStructure *s = gst_message_get_structure (message);
  if (s == NULL || !gst_structure_has_name (s, GST_COMPLIANCE_VIOLATION_MESSAGE)
      || gst_structure_get_string (s, "rule") == NULL)
    return FALSE;
  memset (v, 0, sizeof (*v));
  v->rule = g_strdup (gst_structure_get_string (s, "rule"));
#define GET(field) v->field = g_strdup (gst_structure_get_string (s, #field));
  GST_COMPLIANCE_VIOLATION_STRINGS (GET)
#undef GET
  gst_structure_get_double (s, "t_start", &v->t_start);
  gst_structure_get_double (s, "t_end", &v->t_end);
  gst_structure_get_uint64 (s, "id", &v->id);
  const GValue *bbox = gst_structure_get_value (s, "bbox");
  if (bbox && GST_VALUE_HOLDS_ARRAY (bbox)
      && gst_value_array_get_size (bbox) == 4) {
    gint *c[4] = { &v->x, &v->y, &v->width, &v->height };
    for (guint i = 0; i < 4; i++) {
      const GValue *item = gst_value_array_get_value (bbox, i);
      *c[i] = G_VALUE_HOLDS_INT (item) ? g_value_get_int (item) : 0;
    }
  }
  if (event)
    *event = !g_strcmp0 (gst_structure_get_string (s, "event"), "end")
        ? GST_COMPLIANCE_VIOLATION_END : GST_COMPLIANCE_VIOLATION_START;
  if (pts) {
    guint64 p = GST_CLOCK_TIME_NONE;
    gst_structure_get_uint64 (s, "pts", &p);
    *pts = p;
  }
  return TRUE;
}

GstMessage *
gst_compliance_text_message_new (GstObject * src, GstClockTime pts,
    GstClockTime running_time, guint frame_width, guint frame_height,
    const GstComplianceReading * readings, guint n_readings)
{
  GValue array = G_VALUE_INIT;
  GstStructure *s;

  g_return_val_if_fail (n_readings == 0 || readings != NULL, NULL);
  g_value_init (&array, GST_TYPE_ARRAY);
  for (guint i = 0; i < n_readings; i++) {
    const GstComplianceReading *r = &readings[i];
    GValue v = G_VALUE_INIT;

    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("reading",
            "text", G_TYPE_STRING, r->text ? r->text : "",
            "x", G_TYPE_INT, r->x, "y", G_TYPE_INT, r->y,
            "width", G_TYPE_INT, r->width, "height", G_TYPE_INT, r->height,
            "confidence", G_TYPE_DOUBLE, (gdouble) r->confidence,
            "struck", G_TYPE_BOOLEAN, r->struck,
            "first-seen", G_TYPE_UINT64, (guint64) r->first_seen, NULL));
    gst_value_array_append_and_take_value (&array, &v);
  }
  s = gst_structure_new (GST_COMPLIANCE_TEXT_MESSAGE,
      "pts", G_TYPE_UINT64, (guint64) pts,
      "running-time", G_TYPE_UINT64, (guint64) running_time,
      "width", G_TYPE_INT, (gint) frame_width,
      "height", G_TYPE_INT, (gint) frame_height, NULL);
  gst_structure_take_value (s, "readings", &array);
  return gst_message_new_element (src, s);
}

gboolean
gst_compliance_text_message_parse (GstMessage * message, GstClockTime * pts,
    GstClockTime * running_time, guint * frame_width, guint * frame_height,
    GstComplianceReading ** readings, guint * n_readings)
{
  g_return_val_if_fail (GST_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (readings != NULL && n_readings != NULL, FALSE);

  const GstStructure *s = gst_message_get_structure (message);
  if (s == NULL || !gst_structure_has_name (s, GST_COMPLIANCE_TEXT_MESSAGE))
    return FALSE;
  guint64 p = GST_CLOCK_TIME_NONE, rt = GST_CLOCK_TIME_NONE;
  gint w = 0, h = 0;
  gst_structure_get_uint64 (s, "pts", &p);
  gst_structure_get_uint64 (s, "running-time", &rt);
  gst_structure_get_int (s, "width", &w);
  gst_structure_get_int (s, "height", &h);
  if (pts)
    *pts = p;
  if (running_time)
    *running_time = rt;
  if (frame_width)
    *frame_width = (guint) MAX (w, 0);
  if (frame_height)
    *frame_height = (guint) MAX (h, 0);

  const GValue *array = gst_structure_get_value (s, "readings");
  guint n = array && GST_VALUE_HOLDS_ARRAY (array)
      ? gst_value_array_get_size (array) : 0;
  *readings = g_new0 (GstComplianceReading, MAX (n, 1));
  *n_readings = 0;
  for (guint i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (array, i);
    if (!GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    const GstStructure *rs = gst_value_get_structure (v);
    GstComplianceReading *r = &(*readings)[(*n_readings)++];
    gdouble confidence = 0;
    guint64 first_seen = GST_CLOCK_TIME_NONE;

    r->text = g_strdup (gst_structure_get_string (rs, "text"));
    if (r->text == NULL)
      r->text = g_strdup ("");
    gst_structure_get_int (rs, "x", &r->x);
    gst_structure_get_int (rs, "y", &r->y);
    gst_structure_get_int (rs, "width", &r->width);
    gst_structure_get_int (rs, "height", &r->height);
    gst_structure_get_double (rs, "confidence", &confidence);
    r->confidence = (gfloat) confidence;
    gst_structure_get_boolean (rs, "struck", &r->struck);
    gst_structure_get_uint64 (rs, "first-seen", &first_seen);
    r->first_seen = first_seen;
  }
  return TRUE;
}

void
gst_compliance_readings_free (GstComplianceReading * readings,
    guint n_readings)
{
  if (readings == NULL)
    return;
  for (guint i = 0; i < n_readings; i++)
    g_free (readings[i].text);
  g_free (readings);
}
