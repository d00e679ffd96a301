/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance-scan: damage met on the way (see the comment at the top
 * of gst-compliance-scan.c). */
#include <stdio.h>
#include <string.h>

#include "scan.h"

/* ---- frames lost on the way -------------------------------------------- */

void
note_lost_locked (Scan *s, GstClockTime pts)
{
  if (!s->lost_frames++ || pts < s->first_lost)
    s->first_lost = pts;
}

/* A packetized H.264/H.265 frame is a run of NAL units, each after its
 * length: the lengths must add up to the frame exactly and each unit's
 * forbidden bit be 0.  Bytes overwritten across a length field break this
 * (the parser then drops the frame, or marks it a delta frame that the
 * sampling may skip, without a word), and it is seen even in frames that
 * are never decoded. */
static gboolean
nal_units_fit (Scan *s, GstBuffer *buf)
{
  GstMapInfo map;
  guint n = s->nal_length_size;
  gboolean ok = TRUE;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return TRUE;
  for (gsize off = 0; ok && off < map.size;) {
    guint32 len = 0;
    if (map.size - off < n) {
      ok = FALSE;
      break;
    }
    for (guint i = 0; i < n; i++)
      len = len << 8 | map.data[off + i];
    off += n;
    if (len == 0)               /* padding */
      continue;
    if (len > map.size - off || (map.data[off] & 0x80)
        || (s->hevc && (len < 2 || (map.data[off + 1] & 0x07) == 0)))
      ok = FALSE;
    off += len;
  }
  gst_buffer_unmap (buf, &map);
  return ok;
}

static GstPadProbeReturn
parser_sink_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  gboolean fit = nal_units_fit (s, buf);
  g_mutex_lock (&s->lock);
  if (!fit && (!s->malformed++ || pts < s->first_malformed))
    s->first_malformed = pts;
  g_array_append_val (s->parser_in, pts);
  /* Should the parser ever re-time frames, nothing matches: keep it small. */
  if (s->parser_in->len > 256)
    g_array_remove_index (s->parser_in, 0);
  g_mutex_unlock (&s->lock);
  return GST_PAD_PROBE_OK;
}

/* A frame left the parser: those that went in before it and never came
 * out were dropped. */
void
note_parsed_locked (Scan *s, GstClockTime pts)
{
  GArray *in = s->parser_in;
  guint i = 0;
  while (i < in->len && g_array_index (in, GstClockTime, i) != pts)
    i++;
  if (i == in->len)
    return;
  for (guint j = 0; j < i; j++)
    note_lost_locked (s, g_array_index (in, GstClockTime, j));
  g_array_remove_range (in, 0, i + 1);
}

/* Packetized H.264/H.265 (MP4, Matroska, FLV): one buffer is one frame, in
 * and out of the parser.  From a byte stream (MPEG-TS) the parser splits and
 * joins at will, so nothing can be told from what comes out.  Learns the
 * size of the NAL length fields from the codec data (avcC, hvcC). */
static gboolean
one_frame_per_buffer (Scan *s, GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (!caps || gst_caps_is_empty (caps))
    return FALSE;
  const GstStructure *st = gst_caps_get_structure (caps, 0);
  const gchar *format = gst_structure_get_string (st, "stream-format");
  gboolean avc = format && (g_str_equal (format, "avc")
      || g_str_equal (format, "avc3"));
  gboolean hevc = format && (g_str_equal (format, "hvc1")
      || g_str_equal (format, "hev1"));
  if (!avc && !hevc)
    return FALSE;
  guint n = 4;
  const GValue *v = gst_structure_get_value (st, "codec_data");
  GstBuffer *cd = v && GST_VALUE_HOLDS_BUFFER (v) ? gst_value_get_buffer (v)
      : NULL;
  guint8 b;
  if (cd && gst_buffer_extract (cd, avc ? 4 : 21, &b, 1) == 1)
    n = (b & 0x03) + 1;
  /* A length field of 3 bytes is not allowed. */
  if (n == 3)
    return FALSE;
  s->nal_length_size = n;
  s->hevc = hevc;
  return TRUE;
}

/* Finds the parser in front of the decoder (decodebin puts a capsfilter
 * between them) and watches what goes into it. */
void
watch_parser (Scan *s, GstPad *decoder_sink)
{
  GstPad *pad = gst_pad_get_peer (decoder_sink);
  for (guint hop = 0; pad && hop < 4; hop++) {
    GstElement *e = gst_pad_get_parent_element (pad);
    gst_object_unref (pad);
    pad = NULL;
    if (!e)
      break;
    GstElementFactory *f = gst_element_get_factory (e);
    const gchar *klass = f ? gst_element_factory_get_metadata (f,
        GST_ELEMENT_METADATA_KLASS) : NULL;
    GstPad *sink = gst_element_get_static_pad (e, "sink");
    gst_object_unref (e);
    if (!sink)
      break;
    if (klass && strstr (klass, "Parser")) {
      if (one_frame_per_buffer (s, sink))
        gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, parser_sink_probe,
            s, NULL);
      gst_object_unref (sink);
      break;
    }
    pad = gst_pad_get_peer (sink);
    gst_object_unref (sink);
  }
  if (pad)
    gst_object_unref (pad);
}

/* ---- damage the decoder patches over ------------------------------------ */

/* libav's H.264 decoder (like its other error-resilient ones: MPEG-1/2/4,
 * H.263) repairs a damaged slice by guessing the broken macroblocks from
 * their neighbours and the previous frame, and outputs the frame as if it
 * were whole: avcodec_receive_frame() succeeds, GstVideoDecoder posts
 * nothing, and gst-libav 1.22 sets GST_BUFFER_FLAG_CORRUPTED only on frames
 * decoded without their reference frames (which output-corrupt=FALSE drops
 * before they come out; the in-flight check above sees those).  The one
 * trace is libav's log, which gst-libav passes to GStreamer's debug log in
 * its "libav" category (no object, line 0).  These messages mean the coded
 * data itself is bad; the ones about missing reference frames are left
 * out, since dropping the frames no sample needs causes them on intact
 * files too. */
static const gchar *const libav_damage[] = {
  "concealing ",                /* ... DC, AC, MV errors in I frame: patched */
  "error while decoding MB",    /* a slice broke off */
  "decode_slice_header error",
  "Invalid NAL unit size",      /* the frame cannot even be split */
  "Error splitting the input into NAL units",
  "no frame!",
};

static void
note_libav_message (Scan *s, const gchar *m)
{
  gboolean damage = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (libav_damage) && !damage; i++)
    damage = g_str_has_prefix (m, libav_damage[i]);
  if (!damage)
    return;

  g_mutex_lock (&s->lock);
  /* The damaged frame is one of those the decoder holds: a few for its
   * threads and B-frame reordering, and, when the frames between samples
   * are skipped, the last one before the skip until the next keyframe
   * pushes it out. */
  GstClockTime lo = s->last_in, hi = s->last_in;
  for (guint i = 0; i < s->in_flight->len; i++) {
    GstClockTime p = g_array_index (s->in_flight, GstClockTime, i);
    if (!GST_CLOCK_TIME_IS_VALID (lo) || p < lo)
      lo = p;
    if (!GST_CLOCK_TIME_IS_VALID (hi) || p > hi)
      hi = p;
  }
  if (g_str_has_prefix (m, "concealing "))
    s->concealed++;
  if (!s->first_conceal) {
    s->first_conceal = g_strchomp (g_strdup (m));
    s->first_concealed = lo;
    s->first_concealed_hi = hi;
  }
  g_mutex_unlock (&s->lock);
}

static void
libav_log (GstDebugCategory *cat, GstDebugLevel level, const gchar *file,
    const gchar *function, gint line, GObject *object,
    GstDebugMessage *message, gpointer user_data)
{
  Scan *s = user_data;
  if (cat == g_atomic_pointer_get (&s->libav_cat)) {
    if (line == 0 && !object)
      note_libav_message (s, gst_debug_message_get (message));
    /* Let through only what the user's own threshold would have. */
    if ((gint) level > g_atomic_int_get (&s->libav_level))
      return;
  }
  if (s->log_forward)
    gst_debug_log_default (cat, level, file, function, line, object, message,
        NULL);
}

void
hook_log (Scan *s)
{
  /* Standing in for the default log function (stderr) lets us keep to the
   * user what only our raised threshold lets through.  A debug log sent to
   * a file (GST_DEBUG_FILE) is left alone, and gets libav's messages too. */
  const gchar *file = g_getenv ("GST_DEBUG_FILE");
  if (!file || !*file)
    s->log_forward = gst_debug_remove_log_function (gst_debug_log_default) > 0;
  gst_debug_add_log_function (libav_log, s, NULL);
}

void
unhook_log (Scan *s)
{
  GstDebugCategory *cat = g_atomic_pointer_get (&s->libav_cat);

  gst_debug_remove_log_function (libav_log);
  /* The user's threshold back, so that the next scan of a batch reads
   * theirs, not the one raised here. */
  if (cat)
    gst_debug_category_set_threshold (cat,
        (GstDebugLevel) g_atomic_int_get (&s->libav_level));
  if (s->log_forward)
    gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  s->log_forward = FALSE;
}

/* Called once libav's plugin is loaded (its decoder was just made). */
void
watch_libav (Scan *s)
{
  GstDebugCategory *cat = NULL;
  GST_DEBUG_CATEGORY_GET (cat, "libav");
  if (!cat || g_atomic_pointer_get (&s->libav_cat))
    return;
  GstDebugLevel user = gst_debug_category_get_threshold (cat);
  g_atomic_int_set (&s->libav_level, user);
  g_atomic_pointer_set (&s->libav_cat, cat);
  /* "concealing ..." is logged at INFO. */
  if (user < GST_LEVEL_INFO)
    gst_debug_category_set_threshold (cat, GST_LEVEL_INFO);
}

/* The damage met on the way, in one sentence for the user and the report;
 * NULL when there was none. */
gchar *
describe_damage (Scan *s)
{
  g_autoptr (GString) parts = g_string_new (NULL);
  gdouble first = -1;

#define PART(t, ...) G_STMT_START { \
    if (parts->len) g_string_append (parts, "; "); \
    g_string_append_printf (parts, __VA_ARGS__); \
    if (first < 0 || (t) < first) first = (t); } G_STMT_END

  if (s->lost_frames)
    PART (ns_to_s (s->first_lost), "%u frame%s could not be decoded, the "
        "first at %.1f s", s->lost_frames, s->lost_frames == 1 ? "" : "s",
        ns_to_s (s->first_lost));
  if (s->malformed)
    PART (ns_to_s (s->first_malformed), "%u frame%s with broken NAL units, "
        "the first at %.1f s", s->malformed, s->malformed == 1 ? "" : "s",
        ns_to_s (s->first_malformed));
  if (s->first_conceal) {
    /* Which of the frames the decoder held is not known: say between. */
    gdouble lo = ns_to_s (s->first_concealed);
    gdouble hi = ns_to_s (s->first_concealed_hi);
    g_autofree gchar *when = hi - lo >= 0.05
        ? g_strdup_printf ("between %.1f and %.1f s", lo, hi)
        : g_strdup_printf ("at %.1f s", lo);
    if (s->concealed)
      PART (lo, "%u damaged frame%s patched over by the decoder and analysed "
          "as decoded, the first %s (libav: \"%s\")", s->concealed,
          s->concealed == 1 ? "" : "s", when, s->first_conceal);
    else
      PART (lo, "the decoder met damaged data %s (libav: \"%s\")", when,
          s->first_conceal);
  }
  if (s->decode_warnings)
    PART (s->first_warning_at, "%u decoder error%s, the first near %.1f s: "
        "%s", s->decode_warnings, s->decode_warnings == 1 ? "" : "s",
        s->first_warning_at, s->first_warning);
#undef PART

  if (!parts->len)
    return NULL;
  return g_strdup_printf ("corrupt data near %.1f s: %s", first, parts->str);
}

