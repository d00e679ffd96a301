/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance-scan: decoding only what is analysed (see the comment at
 * the top of gst-compliance-scan.c). */
#include <string.h>

#include "scan.h"

/* ---- decode skipping --------------------------------------------------- */

static GstClockTime
grid_ceil (Scan *s, GstClockTime t)
{
  /* First grid point at or after @t. */
  if (t <= s->t0)
    return s->t0;
  guint64 k = (t - s->t0 + s->interval - 1) / s->interval;
  return s->t0 + k * s->interval;
}

static GstPadProbeReturn decide_coded (Scan *s, GstBuffer *buf,
    GstClockTime pts, GstClockTime dur, GstClockTime slack);

/* Keyframes off the grid (a scene cut moves every later GOP; an encoder
 * may start its GOPs anywhere): with GOPs as long as the interval, each
 * grid point falls inside a GOP, and sampling it exactly would decode the
 * GOP up to there, ~15 frames of 60 for a sample.  When no later grid
 * point of the GOP needs a frame of it, the keyframe itself serves the
 * grid point after it, up to half an interval early: the samples stay an
 * interval apart and only keyframes are decoded.  Recorded for the probe
 * behind the decoder, which takes that keyframe as the grid point's
 * sample. */
static void
note_early_key (Scan *s, GstClockTime pts, GstClockTime slack)
{
  GstClockTime g, next_key, horizon;

  s->key_serves = GST_CLOCK_TIME_NONE;
  if (!GST_CLOCK_TIME_IS_VALID (s->gop) || !GST_CLOCK_TIME_IS_VALID (s->t0))
    return;
  g = grid_ceil (s, pts > slack ? pts - slack : 0);
  if (g <= pts + slack || g - pts > s->interval / 2)
    return;                     /* on the grid, or too far from it */
  next_key = pts + s->gop;
  horizon = next_key > s->interval / 4 ? next_key - s->interval / 4 : 0;
  if (g + s->interval + slack < horizon)
    return;                     /* frames up to a later grid point are decoded */
  s->key_serves = g;
  g_mutex_lock (&s->lock);
  g_array_append_val (s->early_keys, pts);
  g_array_append_val (s->early_keys, g);
  g_mutex_unlock (&s->lock);
}

/* The grid point the frame at @pts serves ahead of time, or
 * GST_CLOCK_TIME_NONE; forgets the keyframes before it (dropped by the
 * decoder). */
static GstClockTime
take_early_key (Scan *s, GstClockTime pts)
{
  GstClockTime served = GST_CLOCK_TIME_NONE;

  g_mutex_lock (&s->lock);
  while (s->early_keys->len >= 2) {
    GstClockTime key = g_array_index (s->early_keys, GstClockTime, 0);

    if (key > pts)
      break;
    if (key == pts)
      served = g_array_index (s->early_keys, GstClockTime, 1);
    g_array_remove_range (s->early_keys, 0, 2);
  }
  g_mutex_unlock (&s->lock);
  return served;
}

static GstPadProbeReturn
decoder_sink_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime dur = GST_BUFFER_DURATION (buf);
  GstClockTime slack = GST_CLOCK_TIME_IS_VALID (dur) ? dur / 2 : 5 * GST_MSECOND;

  g_atomic_int_inc (&s->progress_mark);
  if (G_UNLIKELY (!s->parser_watched)) {
    /* Linked and flowing by now. */
    s->parser_watched = TRUE;
    watch_parser (s, pad);
  }
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime end = pts + (GST_CLOCK_TIME_IS_VALID (dur) ? dur : 0);
    g_mutex_lock (&s->lock);
    if (!GST_CLOCK_TIME_IS_VALID (s->coded_end) || end > s->coded_end)
      s->coded_end = end;
    note_parsed_locked (s, pts);
    g_mutex_unlock (&s->lock);
  }
  if (decide_coded (s, buf, pts, dur, slack) == GST_PAD_PROBE_DROP) {
    g_atomic_int_inc (&s->frames_dropped_coded);
    return GST_PAD_PROBE_DROP;
  }
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    g_mutex_lock (&s->lock);
    g_array_append_val (s->in_flight, pts);
    s->last_in = pts;
    g_mutex_unlock (&s->lock);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
decide_coded (Scan *s, GstBuffer *buf, GstClockTime pts, GstClockTime dur,
    GstClockTime slack)
{
  if (!s->skipping || !GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  if (!GST_CLOCK_TIME_IS_VALID (s->t0))
    s->t0 = pts;

  if (!GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
    /* The largest spacing seen, so that an early keyframe (a scene cut)
     * never makes us drop frames a later sample needs. */
    if (GST_CLOCK_TIME_IS_VALID (s->last_key) && pts > s->last_key) {
      GstClockTime d = pts - s->last_key;
      if (!GST_CLOCK_TIME_IS_VALID (s->gop) || d > s->gop)
        s->gop = d;
    }
    s->last_key = pts;
    g_debug ("keyframe at %" GST_TIME_FORMAT ", GOP %" GST_TIME_FORMAT,
        GST_TIME_ARGS (pts), GST_TIME_ARGS (s->gop));
    note_early_key (s, pts, slack);
    return GST_PAD_PROBE_OK;
  }

  /* Until two keyframes were seen the GOP is unknown: decode everything. */
  if (!GST_CLOCK_TIME_IS_VALID (s->gop) || !GST_CLOCK_TIME_IS_VALID (s->last_key)
      || pts < s->last_key)
    return GST_PAD_PROBE_OK;

  /* The last sample point before the next keyframe is expected.  A sample
   * point less than a quarter interval before a keyframe is served by the
   * keyframe (a slightly late sample): scene-cut keyframes shift GOPs off
   * the grid, and without this one frame of misalignment would force a
   * whole GOP to be decoded. */
  GstClockTime next_key = s->last_key + s->gop;
  GstClockTime tol = s->interval / 4;
  GstClockTime horizon = next_key > tol ? next_key - tol : 0;
  GstClockTime first = grid_ceil (s, s->last_key + slack + 1);
  if (first == s->key_serves)
    first += s->interval;
  gboolean needed = FALSE;
  if (first + slack < horizon) {
    GstClockTime last = first;
    while (last + s->interval + slack < horizon)
      last += s->interval;
    /* A reference frame is needed by the frames decoded after it: with
     * B-frames, one shown just after the last sample point is decoded
     * before frames shown up to it, and they refer to it.  Its decoding
     * time tells. */
    GstClockTime order = pts, dts = GST_BUFFER_DTS (buf);
    if (!GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DROPPABLE)
        && GST_CLOCK_TIME_IS_VALID (dts) && dts < pts)
      order = dts;
    needed = order <= last + slack;
  }
  /* Nothing refers to a droppable frame: it is needed only if a sample
   * point falls on it. */
  if (needed && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DROPPABLE)
      && GST_CLOCK_TIME_IS_VALID (dur)) {
    GstClockTime g = grid_ceil (s, pts > slack ? pts - slack : 0);
    needed = g <= pts + dur;
  }
  return needed ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
decoder_src_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Scan *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime dur = GST_BUFFER_DURATION (buf);
  GstClockTime slack = GST_CLOCK_TIME_IS_VALID (dur) ? dur / 2 : 5 * GST_MSECOND;

  g_atomic_int_inc (&s->frames_decoded);
  g_atomic_int_inc (&s->progress_mark);
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    /* Frames come out in presentation order: whatever went in with an
     * earlier pts and is still waiting was dropped by the decoder. */
    g_mutex_lock (&s->lock);
    for (guint i = 0; i < s->in_flight->len;) {
      GstClockTime p = g_array_index (s->in_flight, GstClockTime, i);
      if (p == pts) {
        g_array_remove_index (s->in_flight, i);
      } else if (p < pts) {
        note_lost_locked (s, p);
        g_array_remove_index (s->in_flight, i);
      } else {
        i++;
      }
    }
    g_mutex_unlock (&s->lock);
  }
  if (!s->skipping || !GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  /* The frame at or just after each grid point is the sample; the grid
   * never re-anchors, so it stays the one the coded-side probe predicts. */
  if (!GST_CLOCK_TIME_IS_VALID (s->next_sample))
    s->next_sample = GST_CLOCK_TIME_IS_VALID (s->t0) ? s->t0 : pts;
  GstClockTime served = take_early_key (s, pts);
  if (GST_CLOCK_TIME_IS_VALID (served) && served >= s->next_sample) {
    s->next_sample = grid_ceil (s, served + slack + 1);
    return GST_PAD_PROBE_OK;
  }
  if (pts + slack < s->next_sample)
    return GST_PAD_PROBE_DROP;
  s->next_sample = grid_ceil (s, pts + slack + 1);
  return GST_PAD_PROBE_OK;
}

void
deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
    gpointer user_data)
{
  Scan *s = user_data;
  GstElementFactory *f = gst_element_get_factory (element);
  if (!f)
    return;
  const gchar *klass =
      gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS);
  if (!klass || !strstr (klass, "Decoder") || !strstr (klass, "Video"))
    return;

  g_mutex_lock (&s->lock);
  gboolean first = !s->have_decoder;
  s->have_decoder = TRUE;
  g_mutex_unlock (&s->lock);
  if (!first)
    return;

  /* Corrupt frames are better dropped than analysed as garbage; the
   * frames that never come out, the decoder's warnings and libav's log
   * tell the user where the damage is. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element),
          "output-corrupt"))
    g_object_set (element, "output-corrupt", FALSE, NULL);
  if (!g_strcmp0 (gst_plugin_feature_get_plugin_name (GST_PLUGIN_FEATURE (f)),
          "libav"))
    watch_libav (s);

  g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");
  g_autoptr (GstPad) src = gst_element_get_static_pad (element, "src");
  if (sink)
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, decoder_sink_probe, s,
        NULL);
  if (src)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, decoder_src_probe, s,
        NULL);
}

