/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-compliancebin
 * @title: compliancebin
 *
 * The common case in one element: complianceocr ! compliancecheck !
 * complianceoverlay.  It reads the text on screen, checks it against the
 * catalog and the rule pack, and draws the required disclosure label (and,
 * on request, the product card; in preview mode also the warnings and
 * reading boxes).  Because the label is drawn here, the inner
 * compliancecheck runs with label-drawn=true, so disclosure.missing never
 * fires for a stream that passed through this element.
 *
 * The properties of the three elements are proxied under the same names,
 * except the two `mode`s, which become #GstComplianceBin:ocr-mode (live or
 * replay) and #GstComplianceBin:overlay-mode (viewer or preview);
 * #GstComplianceBin:catalog and #GstComplianceBin:rules are given to both
 * the checker and the overlay.  The inner elements are also reachable as
 * "ocr", "check" and "overlay" (GstChildProxy: `ocr::threads=1`), and their
 * messages (`compliance-text`, `compliance-violation`) reach the bus
 * unchanged.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! compliancebin catalog=products.json !
 *     videoconvert ! x264enc tune=zerolatency ! flvmux ! rtmp2sink location=rtmp://...
 * ]|
 *
 * Threads: the bin has no state of its own; property access is forwarded
 * to the children, which guard their own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcompliancebin.h"

#include "gstcompliancecheck.h"
#include "gstcomplianceocr.h"
#include "gstcomplianceoverlay.h"

GST_DEBUG_CATEGORY_STATIC (gst_compliance_bin_debug);
#define GST_CAT_DEFAULT gst_compliance_bin_debug

struct _GstComplianceBin
{
  GstBin parent;

  GstElement *ocr;
  GstElement *check;
  GstElement *overlay;
};

typedef enum
{
  TO_OCR = 1 << 0,
  TO_CHECK = 1 << 1,
  TO_OVERLAY = 1 << 2,
} Target;

/* Bin property -> the children's property of that name (child_name when
 * it differs).  The first target is where its spec and value come from. */
typedef struct
{
  const gchar *name;
  const gchar *child_name;
  Target targets;
} Proxy;

static const Proxy proxies[] = {
  {"catalog", NULL, TO_CHECK | TO_OVERLAY},
  {"rules", NULL, TO_CHECK | TO_OVERLAY},
  {"active-sku", NULL, TO_CHECK},
  {"evidence-dir", NULL, TO_CHECK},
  {"confirm-frames", NULL, TO_CHECK},
  {"stream-date", NULL, TO_CHECK},
  {"metrics", NULL, TO_CHECK},
  {"ocr-mode", "mode", TO_OCR},
  {"engine", NULL, TO_OCR},
  {"interval", NULL, TO_OCR},
  {"languages", NULL, TO_OCR},
  {"tessdata-dir", NULL, TO_OCR},
  {"roi", NULL, TO_OCR},
  {"threads", NULL, TO_OCR},
  {"min-confidence", NULL, TO_OCR},
  {"pool", NULL, TO_OCR},
  {"overlay-mode", "mode", TO_OVERLAY},
  {"language", NULL, TO_OVERLAY},
  {"show-card", NULL, TO_OVERLAY},
  {"mask", NULL, TO_OVERLAY},
  {"corner", NULL, TO_OVERLAY},
  {"font", NULL, TO_OVERLAY},
  {"scale", NULL, TO_OVERLAY},
  {"text-color", NULL, TO_OVERLAY},
  {"plate-color", NULL, TO_OVERLAY},
  {"mask-color", NULL, TO_OVERLAY},
  {"warning-color", NULL, TO_OVERLAY},
  {"box-color", NULL, TO_OVERLAY},
};

#define gst_compliance_bin_parent_class parent_class
G_DEFINE_TYPE (GstComplianceBin, gst_compliance_bin, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (compliancebin, "compliancebin",
    GST_RANK_NONE, GST_TYPE_COMPLIANCE_BIN,
    GST_DEBUG_CATEGORY_INIT (gst_compliance_bin_debug, "compliancebin", 0,
        "compliance bin"));

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw(ANY)"));

static const gchar *
child_prop (const Proxy * p)
{
  return p->child_name ? p->child_name : p->name;
}

static GType
first_target_type (Target t)
{
  if (t & TO_CHECK)
    return GST_TYPE_COMPLIANCE_CHECK;
  if (t & TO_OCR)
    return GST_TYPE_COMPLIANCE_OCR;
  return GST_TYPE_COMPLIANCE_OVERLAY;
}

static GstElement *
first_target (GstComplianceBin * self, Target t)
{
  if (t & TO_CHECK)
    return self->check;
  if (t & TO_OCR)
    return self->ocr;
  return self->overlay;
}

/* A copy of the child's spec under the bin's name: same type, range,
 * default, blurb and mutability, so gst-inspect-1.0 shows the truth. */
static GParamSpec *
copy_pspec (GParamSpec * src, const gchar * name)
{
  GParamFlags flags = (src->flags & (G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY
          | GST_PARAM_MUTABLE_PAUSED | GST_PARAM_MUTABLE_PLAYING
          | GST_PARAM_CONTROLLABLE)) | G_PARAM_STATIC_STRINGS
      | GST_PARAM_DOC_SHOW_DEFAULT;
  const gchar *nick = g_param_spec_get_nick (src);
  const gchar *blurb = g_param_spec_get_blurb (src);
  GType type = G_PARAM_SPEC_TYPE (src);

  if (type == G_TYPE_PARAM_STRING)
    return g_param_spec_string (name, nick, blurb,
        G_PARAM_SPEC_STRING (src)->default_value, flags);
  if (type == G_TYPE_PARAM_BOOLEAN)
    return g_param_spec_boolean (name, nick, blurb,
        G_PARAM_SPEC_BOOLEAN (src)->default_value, flags);
  if (type == G_TYPE_PARAM_UINT) {
    GParamSpecUInt *s = G_PARAM_SPEC_UINT (src);
    return g_param_spec_uint (name, nick, blurb, s->minimum, s->maximum,
        s->default_value, flags);
  }
  if (type == G_TYPE_PARAM_INT) {
    GParamSpecInt *s = G_PARAM_SPEC_INT (src);
    return g_param_spec_int (name, nick, blurb, s->minimum, s->maximum,
        s->default_value, flags);
  }
  if (type == G_TYPE_PARAM_FLOAT) {
    GParamSpecFloat *s = G_PARAM_SPEC_FLOAT (src);
    return g_param_spec_float (name, nick, blurb, s->minimum, s->maximum,
        s->default_value, flags);
  }
  if (type == G_TYPE_PARAM_DOUBLE) {
    GParamSpecDouble *s = G_PARAM_SPEC_DOUBLE (src);
    return g_param_spec_double (name, nick, blurb, s->minimum, s->maximum,
        s->default_value, flags);
  }
  if (type == G_TYPE_PARAM_ENUM) {
    GParamSpecEnum *s = G_PARAM_SPEC_ENUM (src);
    return g_param_spec_enum (name, nick, blurb, G_PARAM_SPEC_VALUE_TYPE (src),
        s->default_value, flags);
  }
  g_error ("compliancebin: cannot proxy property %s of type %s", name,
      g_type_name (type));
  return NULL;
}

static void
gst_compliance_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstComplianceBin *self = GST_COMPLIANCE_BIN (object);

  if (prop_id == 0 || prop_id > G_N_ELEMENTS (proxies)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  const Proxy *p = &proxies[prop_id - 1];
  if (p->targets & TO_CHECK)
    g_object_set_property (G_OBJECT (self->check), child_prop (p), value);
  if (p->targets & TO_OCR)
    g_object_set_property (G_OBJECT (self->ocr), child_prop (p), value);
  if (p->targets & TO_OVERLAY)
    g_object_set_property (G_OBJECT (self->overlay), child_prop (p), value);
}

static void
gst_compliance_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstComplianceBin *self = GST_COMPLIANCE_BIN (object);

  if (prop_id == 0 || prop_id > G_N_ELEMENTS (proxies)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  const Proxy *p = &proxies[prop_id - 1];
  g_object_get_property (G_OBJECT (first_target (self, p->targets)),
      child_prop (p), value);
}

static void
gst_compliance_bin_class_init (GstComplianceBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_compliance_bin_set_property;
  gobject_class->get_property = gst_compliance_bin_get_property;

  for (guint i = 0; i < G_N_ELEMENTS (proxies); i++) {
    const Proxy *p = &proxies[i];
    GObjectClass *child = g_type_class_ref (first_target_type (p->targets));
    GParamSpec *src = g_object_class_find_property (child, child_prop (p));
    g_assert (src != NULL);
    g_object_class_install_property (gobject_class, i + 1,
        copy_pspec (src, p->name));
    g_type_class_unref (child);
  }

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Compliance bin", "Filter/Analyzer/Video",
      "Reads on-screen text, checks it against the catalog and the rules, "
      "and draws the required disclosures: complianceocr ! compliancecheck "
      "! complianceoverlay", "gst-compliance developers");
}

static void
gst_compliance_bin_init (GstComplianceBin * self)
{
  self->ocr = g_object_new (GST_TYPE_COMPLIANCE_OCR, "name", "ocr", NULL);
  /* The overlay below draws the label, so a missing one on screen is not
   * a violation of this stream. */
  self->check = g_object_new (GST_TYPE_COMPLIANCE_CHECK, "name", "check",
      "label-drawn", TRUE, NULL);
  self->overlay = g_object_new (GST_TYPE_COMPLIANCE_OVERLAY, "name", "overlay",
      NULL);
  gst_bin_add_many (GST_BIN (self), self->ocr, self->check, self->overlay,
      NULL);
  if (!gst_element_link_many (self->ocr, self->check, self->overlay, NULL))
    g_critical ("compliancebin: cannot link its elements");

  GstPad *target = gst_element_get_static_pad (self->ocr, "sink");
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);
  GstPad *ghost = gst_ghost_pad_new_from_template ("sink", target,
      gst_element_class_get_pad_template (klass, "sink"));
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), ghost);

  target = gst_element_get_static_pad (self->overlay, "src");
  ghost = gst_ghost_pad_new_from_template ("src", target,
      gst_element_class_get_pad_template (klass, "src"));
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), ghost);
}
