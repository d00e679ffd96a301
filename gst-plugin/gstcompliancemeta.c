/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: public metas. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcompliancemeta.h"

#include <gst/video/video.h>

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

static void
violation_clear (GstComplianceViolation * v)
{
  g_free (v->rule);
  g_free (v->severity);
  g_free (v->sku);
  g_free (v->observed);
  g_free (v->declared);
  g_free (v->legal_ref);
}

static void
verdict_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstComplianceVerdictMeta *m = (GstComplianceVerdictMeta *) meta;
  for (guint i = 0; i < m->n_violations; i++)
    violation_clear (&m->violations[i]);
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
  GstComplianceViolation *v = &meta->violations[meta->n_violations++];
  *v = *violation;
  v->rule = g_strdup (violation->rule);
  v->severity = g_strdup (violation->severity);
  v->sku = g_strdup (violation->sku);
  v->observed = g_strdup (violation->observed);
  v->declared = g_strdup (violation->declared);
  v->legal_ref = g_strdup (violation->legal_ref);
}
