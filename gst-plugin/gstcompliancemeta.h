/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance: public metas for applications.
 *
 * GstComplianceTextMeta carries what complianceocr read on a frame;
 * GstComplianceVerdictMeta carries what compliancecheck concluded.  Both
 * are registered with no tags, so GstBaseTransform's default
 * transform_meta, videoconvert/videoscale and GstVideoEncoder keep them.
 * Boxes are in the pixel coordinates of the frame the meta names
 * (frame_width x frame_height): videoscale copies tag-less metas as they
 * are, so a consumer maps boxes by the ratio of its own frame size to
 * frame_width/frame_height.  An element that calls the transform with
 * gst_video_meta_transform_scale_get_quark() gets the boxes rescaled. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Readings */

typedef struct
{
  gchar *text;                  /* UTF-8, as read (never Pango markup) */
  gint x, y, width, height;     /* box in frame pixels */
  gfloat confidence;            /* 0..1 */
  gboolean struck;              /* a strike-through stroke was found */
  /* Running time at which this reading was first seen unchanged, so a
   * consumer can tell how long it has been on screen. */
  GstClockTime first_seen;
} GstComplianceReading;

typedef struct
{
  GstMeta meta;

  /* pts of the frame the readings were read from (in live mode this is an
   * earlier frame than the buffer carrying the meta). */
  GstClockTime pts;
  guint frame_width;
  guint frame_height;
  guint n_readings;
  GstComplianceReading *readings;
} GstComplianceTextMeta;

GType gst_compliance_text_meta_api_get_type (void);
#define GST_COMPLIANCE_TEXT_META_API_TYPE (gst_compliance_text_meta_api_get_type ())
const GstMetaInfo *gst_compliance_text_meta_get_info (void);
#define GST_COMPLIANCE_TEXT_META_INFO (gst_compliance_text_meta_get_info ())

#define gst_buffer_get_compliance_text_meta(b) \
  ((GstComplianceTextMeta *) gst_buffer_get_meta ((b), GST_COMPLIANCE_TEXT_META_API_TYPE))

/* Adds a meta with copies of @readings. */
GstComplianceTextMeta *gst_buffer_add_compliance_text_meta (GstBuffer * buffer,
    GstClockTime pts, guint frame_width, guint frame_height,
    const GstComplianceReading * readings, guint n_readings);

/* ------------------------------------------------------------------ */
/* Verdicts */

typedef struct
{
  gchar *rule;                  /* stable rule id, e.g. "price.mismatch" */
  gchar *severity;              /* "error" | "warning" | "info" */
  gchar *sku;                   /* may be NULL */
  gchar *observed;              /* may be NULL */
  gchar *declared;              /* may be NULL */
  gchar *legal_ref;
  gdouble t_start;              /* seconds of running time */
  gint x, y, width, height;     /* box of the offending text; 0 when none */
  guint64 id;                   /* unique per compliancecheck instance */
  /* Added after the first release of this header (appended, so the
   * fields above keep their offsets; the struct grew). */
  gdouble t_end;                /* seconds; last analysed frame it was seen on */
  gchar *evidence;              /* path of the evidence image; may be NULL */
} GstComplianceViolation;

/* The optional string fields of #GstComplianceViolation, each a gchar*
 * member named as its field in the "compliance-violation" message. */
#define GST_COMPLIANCE_VIOLATION_STRINGS(X) \
  X (severity) X (sku) X (observed) X (declared) X (legal_ref) X (evidence)

typedef struct
{
  GstMeta meta;

  /* pts of the analysed frame this verdict was reached on. */
  GstClockTime pts;
  guint frame_width;
  guint frame_height;
  gchar *active_sku;            /* NULL when no product is active */
  gchar *sponsor;               /* sponsor of the active product, may be NULL */
  gboolean disclosure_required; /* the active product is sponsored */
  gboolean disclosure_visible;  /* an ad label is on screen (or drawn by us) */
  guint n_violations;
  GstComplianceViolation *violations;  /* active now */
} GstComplianceVerdictMeta;

GType gst_compliance_verdict_meta_api_get_type (void);
#define GST_COMPLIANCE_VERDICT_META_API_TYPE (gst_compliance_verdict_meta_api_get_type ())
const GstMetaInfo *gst_compliance_verdict_meta_get_info (void);
#define GST_COMPLIANCE_VERDICT_META_INFO (gst_compliance_verdict_meta_get_info ())

#define gst_buffer_get_compliance_verdict_meta(b) \
  ((GstComplianceVerdictMeta *) gst_buffer_get_meta ((b), GST_COMPLIANCE_VERDICT_META_API_TYPE))

/* Adds an empty verdict; fill it with the setters below. */
GstComplianceVerdictMeta *gst_buffer_add_compliance_verdict_meta (GstBuffer *
    buffer, GstClockTime pts, guint frame_width, guint frame_height);
void gst_compliance_verdict_meta_set_product (GstComplianceVerdictMeta * meta,
    const gchar * sku, const gchar * sponsor, gboolean disclosure_required,
    gboolean disclosure_visible);
/* Appends a copy of @violation. */
void gst_compliance_verdict_meta_add_violation (GstComplianceVerdictMeta *
    meta, const GstComplianceViolation * violation);

/* Frees the strings of @violation (not @violation itself), as filled by
 * gst_compliance_violation_message_parse(). */
void gst_compliance_violation_clear (GstComplianceViolation * violation);

/* ------------------------------------------------------------------ */
/* Bus messages
 *
 * The elements post what they find as element messages.  These functions
 * are the one place their fields are written and read: the elements, the
 * scan tool and third-party applications all use them.
 *
 * "compliance-violation" (compliancecheck, and compliancesei reading SEI),
 * one when a violation starts and one when it ends:
 *   event       string   "start" | "end"
 *   rule, severity, sku, observed, declared, legal_ref, evidence
 *               string   as in #GstComplianceViolation; absent when NULL
 *   t_start, t_end
 *               gdouble  seconds of running time
 *   bbox        #GstValueArray of 4 gint: x, y, width, height
 *   id          guint64
 *   pts         guint64  of the analysed frame; GST_CLOCK_TIME_NONE when
 *                        unknown
 *
 * "compliance-text" (complianceocr), one per frame read:
 *   pts         guint64  of the frame read
 *   running-time guint64 of that frame; GST_CLOCK_TIME_NONE when unknown
 *   width, height gint   of that frame: boxes are in its pixels
 *   readings    #GstValueArray of "reading" structures, top to bottom:
 *               text (string), x, y, width, height (gint), confidence
 *               (gdouble, 0..1), struck (gboolean), first-seen (guint64)
 *   A read that found nothing has an empty array. */

#define GST_COMPLIANCE_VIOLATION_MESSAGE "compliance-violation"
#define GST_COMPLIANCE_TEXT_MESSAGE "compliance-text"

typedef enum
{
  GST_COMPLIANCE_VIOLATION_START,
  GST_COMPLIANCE_VIOLATION_END,
} GstComplianceViolationEvent;

GstMessage *gst_compliance_violation_message_new (GstObject * src,
    GstComplianceViolationEvent event, const GstComplianceViolation * violation,
    GstClockTime pts);
/* FALSE when @message is not a "compliance-violation" message or has no
 * rule.  On TRUE, @violation holds copies: free them with
 * gst_compliance_violation_clear().  @event and @pts may be NULL. */
gboolean gst_compliance_violation_message_parse (GstMessage * message,
    GstComplianceViolationEvent * event, GstComplianceViolation * violation,
    GstClockTime * pts);

GstMessage *gst_compliance_text_message_new (GstObject * src,
    GstClockTime pts, GstClockTime running_time, guint frame_width,
    guint frame_height, const GstComplianceReading * readings,
    guint n_readings);
/* FALSE when @message is not a "compliance-text" message.  On TRUE,
 * *@readings is a new array of *@n_readings readings (at least one element
 * allocated): free it with gst_compliance_readings_free().  Readings that
 * are not structures are skipped; missing fields read as 0.  Any output
 * pointer but @readings/@n_readings may be NULL. */
gboolean gst_compliance_text_message_parse (GstMessage * message,
    GstClockTime * pts, GstClockTime * running_time, guint * frame_width,
    guint * frame_height, GstComplianceReading ** readings,
    guint * n_readings);
void gst_compliance_readings_free (GstComplianceReading * readings,
    guint n_readings);

G_END_DECLS
