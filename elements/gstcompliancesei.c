/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-compliancesei
 * @title: compliancesei
 *
 * Carries the compliance state in the encoded stream itself, as SEI
 * user_data_unregistered messages (H.264 SEI NAL type 6, H.265 prefix SEI
 * type 39) under the UUID in #GstComplianceSei:uuid, so that a platform
 * can audit a stream, or a recording, without running OCR again.  The
 * payload is the versioned format of gst-plugin/core/gc-sei.h: the pts of
 * the analysed frame, the active product, its sponsor, whether a
 * disclosure is required and visible, and the active violations (rule,
 * severity, sku, observed, declared, box, id, start time; not the legal
 * reference, which a reader takes from its own rule pack).  Strings are cut
 * to 64 bytes; a payload never exceeds 1 KiB, the lowest-severity
 * violations being left out (and the payload flagged truncated) past that.
 *
 * Input and output are parsed H.264 (stream-format byte-stream or avc) or
 * H.265 (byte-stream, hvc1 or hev1), alignment=au: put h264parse/h265parse
 * in front.  Other caps are refused at negotiation with an error naming
 * what was offered and what is accepted.  The coded pictures are never
 * touched, so the frames decoded from the output are the frames decoded
 * from the input.
 *
 * ## mode=insert (default)
 *
 * The state of each access unit comes from the #GstComplianceVerdictMeta on
 * the buffer, or from the analysis branch named by
 * #GstComplianceSei:source (below).  An SEI is written into the access unit
 * (before its first slice, so after the AUD, the parameter sets and any
 * SEI already there) when the state differs from the last one written (the
 * pts of the analysed frame aside) and on every keyframe, so that a viewer
 * joining late gets the state within one GOP.  The SEI never takes more
 * than #GstComplianceSei:max-bytes-per-second in any one-second window of
 * stream time; changes may use the whole budget, keyframe repeats only
 * three quarters of it.  A change that does not fit is written with the
 * first access unit that has room.  Access units without a known state get
 * nothing.
 *
 * Which encoders keep the verdict meta (it is registered with no tags) was
 * checked on GStreamer 1.22.0 (tests/elements/test_compliancesei.cc,
 * EncodersKeepTheVerdictMeta): x264enc, x265enc and openh264enc keep it
 * (GstVideoEncoder copies tag-less metas from the frame to the coded
 * buffer); h264parse and h265parse keep it on their output too.
 * avenc_h264_omx is registered but cannot open without OMX hardware, and
 * there is no plain avenc_h264 in Debian's gst-libav.  For other encoders,
 * and for streams that arrive encoded, use an analysis branch.
 *
 * ## Analysis branch: adding verdicts to an encoded stream without
 * re-encoding
 *
 * Set #GstComplianceSei:source to the name of an element in the same
 * pipeline whose output buffers carry a #GstComplianceVerdictMeta —
 * normally the compliancecheck of a branch that decodes a copy of the
 * stream.  compliancesei watches that element's src pad (a pad probe; the
 * branch's data flow is not changed) and keeps the last few seconds of
 * verdicts keyed by the pts of the decoded frame, which is the pts of the
 * access unit it was decoded from.  Each access unit then takes the
 * verdict of its own frame, or of the latest analysed frame before it.  A
 * meta on the access unit itself wins.  With
 * #GstComplianceSei:source-wait above 0, an access unit whose frame has not
 * been analysed yet waits that long for the branch (for files and
 * recordings, where the encoded branch would otherwise run ahead); with 0
 * (the default, for live ingest) it takes the latest verdict known, never
 * adding latency.  The wait ends early on EOS or flush of the branch.  Put
 * a queue at the head of both branches of the tee.
 *
 * |[
 * gst-launch-1.0 srtsrc uri=srt://:7001?mode=listener ! tsdemux ! h264parse !
 *     tee name=t
 *   t. ! queue ! compliancesei source=check ! mpegtsmux !
 *     srtsink uri=srt://ingest.example:7002
 *   t. ! queue leaky=downstream ! avdec_h264 ! videoconvert !
 *     complianceocr ! compliancecheck name=check catalog=products.json ! fakesink
 * ]| See samples/ingest-sei.sh.
 *
 * ## mode=extract
 *
 * Reads our SEI from each access unit (other SEI are ignored), attaches
 * the same #GstComplianceVerdictMeta to every access unit from the first
 * one carrying our SEI on (replacing any verdict meta that came from
 * upstream: the bitstream is the authority here), and posts the `compliance-violation` element
 * messages of compliancecheck (`event` "start" when a violation id first
 * appears, "end" when it is gone or at EOS; `t_end` is its start time plus
 * the span of analysed frames it was seen on).  A truncated payload does
 * not end the violations it left out.  Malformed SEI of ours are skipped
 * with one warning.
 *
 * |[
 * gst-launch-1.0 filesrc location=recorded.mp4 ! qtdemux ! h264parse !
 *     compliancesei mode=extract ! fakesink
 * ]|
 *
 * Threads: properties are guarded by the object lock; the codec, budget
 * and state of the stream belong to the streaming thread (set up in
 * start() and set_caps()); the analysis-branch store has its own lock and
 * is shared, reference counted, with the pad probe.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcompliancesei.h"

#include <string.h>

#include "gc-sei.h"
#include "gstcompliancemeta.h"
#include "gstcompliancecore.h"

GST_DEBUG_CATEGORY_STATIC (gst_compliance_sei_debug);
#define GST_CAT_DEFAULT gst_compliance_sei_debug

enum
{
  PROP_0,
  PROP_MODE,
  PROP_MAX_BYTES_PER_SECOND,
  PROP_SOURCE,
  PROP_SOURCE_WAIT,
  PROP_UUID,
  PROP_SEI_FOUND,
};

#define DEFAULT_MODE GST_COMPLIANCE_SEI_MODE_INSERT
#define DEFAULT_MAX_BYTES_PER_SECOND 2000
#define DEFAULT_SOURCE_WAIT 0
/* Verdicts kept from the analysis branch: a few seconds at 60 fps, enough
 * for the encoded branch's queue to be that far behind. */
#define SOURCE_KEEP 512
/* Start code or length prefix in front of the SEI NAL unit. */
#define PREFIX_SIZE 4

G_DEFINE_ENUM_TYPE (GstComplianceSeiMode, gst_compliance_sei_mode,
    G_DEFINE_ENUM_VALUE (GST_COMPLIANCE_SEI_MODE_INSERT, "insert"),
    G_DEFINE_ENUM_VALUE (GST_COMPLIANCE_SEI_MODE_EXTRACT, "extract"));

/* ------------------------------------------------------------------ */
/* The analysis branch's verdicts, shared with the pad probe. */

typedef struct
{
  GstClockTime pts;
  GcSeiState *state;
} SourceEntry;

typedef struct
{
  gint ref_count;
  GMutex lock;
  GCond cond;
  GQueue entries;               /* SourceEntry*, in arrival (= pts) order */
  gboolean eos;
  gboolean flushing;
} SourceStore;

static void
source_entry_free (SourceEntry * e)
{
  gc_sei_state_free (e->state);
  g_free (e);
}

static SourceStore *
source_store_new (void)
{
  SourceStore *s = g_new0 (SourceStore, 1);
  s->ref_count = 1;
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  g_queue_init (&s->entries);
  return s;
}

static SourceStore *
source_store_ref (SourceStore * s)
{
  g_atomic_int_inc (&s->ref_count);
  return s;
}

static void
source_store_unref (SourceStore * s)
{
  if (!g_atomic_int_dec_and_test (&s->ref_count))
    return;
  g_queue_clear_full (&s->entries, (GDestroyNotify) source_entry_free);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s);
}

static void
source_store_set_flushing (SourceStore * s, gboolean flushing)
{
  g_mutex_lock (&s->lock);
  s->flushing = flushing;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

/* ------------------------------------------------------------------ */

struct _GstComplianceSei
{
  GstBaseTransform parent;

  /* Properties; object lock. */
  GstComplianceSeiMode mode;
  guint max_bytes_per_second;
  gchar *source;
  guint source_wait;

  /* Streaming thread, between start() and stop(). */
  GstComplianceSeiMode active_mode;
  GcSeiCodec codec;
  guint nal_length_size;        /* 0: byte-stream */
  gboolean have_format;
  GcSeiBudget *budget;
  guint64 budget_clock;         /* stream time, never going back */
  GcSeiState *written;          /* insert: last state written */
  gboolean warned_budget;
  gboolean warned_no_slot;
  GcSeiState *current;          /* extract: last state read */
  GHashTable *open;             /* extract: id -> OpenViolation */
  gboolean warned_malformed;
  gint sei_found;               /* extract: access units with our SEI;
                                 * atomic, read by any thread */

  /* Analysis branch; set in start(), cleared in stop(). */
  SourceStore *store;
  GstPad *source_pad;
  gulong probe_id;
};

typedef struct
{
  GcViolation *v;               /* t_end kept up to date */
  guint64 first_pts;
} OpenViolation;

static void
open_violation_free (OpenViolation * o)
{
  gc_violation_unref (o->v);
  g_free (o);
}

/* What set_caps accepts; negotiation offers only this. */
#define SEI_CAPS \
  "video/x-h264, stream-format = (string) { byte-stream, avc }, " \
  "alignment = (string) au; " \
  "video/x-h265, stream-format = (string) { byte-stream, hvc1, hev1 }, " \
  "alignment = (string) au"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (SEI_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (SEI_CAPS));

#define gst_compliance_sei_parent_class parent_class
G_DEFINE_TYPE (GstComplianceSei, gst_compliance_sei, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (compliancesei, "compliancesei",
    GST_RANK_NONE, GST_TYPE_COMPLIANCE_SEI,
    GST_DEBUG_CATEGORY_INIT (gst_compliance_sei_debug, "compliancesei", 0,
        "compliance SEI writer and reader"));

/* ------------------------------------------------------------------ */
/* Analysis branch */

static GstPadProbeReturn
source_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SourceStore *store = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstComplianceVerdictMeta *meta = gst_buffer_get_compliance_verdict_meta
        (buf);
    if (meta == NULL)
      return GST_PAD_PROBE_OK;
    SourceEntry *e = g_new (SourceEntry, 1);
    e->pts = GST_BUFFER_PTS (buf);
    e->state = gst_compliance_verdict_meta_to_state (meta);
    g_mutex_lock (&store->lock);
    g_queue_push_tail (&store->entries, e);
    if (g_queue_get_length (&store->entries) > SOURCE_KEEP)
      source_entry_free (g_queue_pop_head (&store->entries));
    g_cond_broadcast (&store->cond);
    g_mutex_unlock (&store->lock);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_BOTH) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    g_mutex_lock (&store->lock);
    switch (GST_EVENT_TYPE (event)) {
      case GST_EVENT_EOS:
        /* Nothing more will come: nobody waits for it. */
        store->eos = TRUE;
        break;
      case GST_EVENT_FLUSH_STOP:
        g_queue_clear_full (&store->entries,
            (GDestroyNotify) source_entry_free);
        store->eos = FALSE;
        break;
      case GST_EVENT_STREAM_START:
        store->eos = FALSE;
        break;
      default:
        break;
    }
    g_cond_broadcast (&store->cond);
    g_mutex_unlock (&store->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* The verdict for the access unit at @pts: that of its own frame, else of
 * the latest frame before it; waits up to @wait_ms for the branch to get
 * there.  NULL when nothing before @pts is known. */
static GcSeiState *
source_lookup (SourceStore * store, GstClockTime pts, guint wait_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) wait_ms * 1000;
  GcSeiState *result = NULL;

  g_mutex_lock (&store->lock);
  for (;;) {
    SourceEntry *newest = g_queue_peek_tail (&store->entries);
    gboolean reached = newest && (!GST_CLOCK_TIME_IS_VALID (pts)
        || !GST_CLOCK_TIME_IS_VALID (newest->pts) || newest->pts >= pts);
    if (reached || store->eos || store->flushing || wait_ms == 0)
      break;
    if (!g_cond_wait_until (&store->cond, &store->lock, deadline))
      break;
  }
  SourceEntry *best = NULL;
  for (GList * l = store->entries.tail; l; l = l->prev) {
    SourceEntry *e = l->data;
    if (!GST_CLOCK_TIME_IS_VALID (pts) || !GST_CLOCK_TIME_IS_VALID (e->pts)
        || e->pts <= pts) {
      best = e;
      break;
    }
  }
  if (best)
    result = gc_sei_state_copy (best->state);
  g_mutex_unlock (&store->lock);
  return result;
}

static gboolean
connect_source (GstComplianceSei * self, const gchar * name)
{
  /* Search the whole pipeline: the analysis branch may sit in another
   * bin than ours. */
  GstObject *top = gst_object_ref (GST_OBJECT (self)), *parent;
  while ((parent = gst_object_get_parent (top))) {
    gst_object_unref (top);
    top = parent;
  }
  GstElement *source = GST_IS_BIN (top) ?
      gst_bin_get_by_name (GST_BIN (top), name) : NULL;
  gst_object_unref (top);
  if (source == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No element named \"%s\" in the pipeline (property source); it "
            "should name the compliancecheck of the analysis branch", name),
        (NULL));
    return FALSE;
  }
  GstPad *pad = gst_element_get_static_pad (source, "src");
  gst_object_unref (source);
  if (pad == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Element \"%s\" (property source) has no src pad", name), (NULL));
    return FALSE;
  }
  SourceStore *store = source_store_new ();
  self->source_pad = pad;
  self->probe_id = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
      source_probe, source_store_ref (store),
      (GDestroyNotify) source_store_unref);
  /* change_state() reads it from the application's thread. */
  GST_OBJECT_LOCK (self);
  self->store = store;
  GST_OBJECT_UNLOCK (self);
  GST_INFO_OBJECT (self, "taking verdicts from %s", name);
  return TRUE;
}

static void
disconnect_source (GstComplianceSei * self)
{
  if (self->source_pad) {
    gst_pad_remove_probe (self->source_pad, self->probe_id);
    gst_clear_object (&self->source_pad);
    self->probe_id = 0;
  }
  GST_OBJECT_LOCK (self);
  SourceStore *store = g_steal_pointer (&self->store);
  GST_OBJECT_UNLOCK (self);
  if (store)
    source_store_unref (store);
}

/* ------------------------------------------------------------------ */
/* Insert */

/* Puts @mem at byte @offset of @buf without copying the data around it. */
static void
insert_memory_at (GstBuffer * buf, gsize offset, GstMemory * mem)
{
  guint idx, len;
  gsize skip;

  if (offset >= gst_buffer_get_size (buf)) {
    gst_buffer_append_memory (buf, mem);
    return;
  }
  if (!gst_buffer_find_memory (buf, offset, 1, &idx, &len, &skip)) {
    gst_buffer_append_memory (buf, mem);
    return;
  }
  if (skip > 0) {
    GstMemory *whole = gst_buffer_get_memory (buf, idx);
    GstMemory *head = gst_memory_share (whole, 0, skip);
    GstMemory *tail = gst_memory_share (whole, skip, -1);
    gst_memory_unref (whole);
    gst_buffer_replace_memory (buf, idx, head);
    gst_buffer_insert_memory (buf, idx + 1, tail);
    idx++;
  }
  gst_buffer_insert_memory (buf, idx, mem);
}

/* The largest payload that fits the budget and the length prefix. */
static gsize
payload_room (GstComplianceSei * self, guint rate)
{
  /* NAL header, type, 0xFF-coded size, UUID, trailing bits, and room for
   * emulation prevention (one byte in three at worst, but zero runs are
   * rare in the payload: a 1/8 margin, checked again after building). */
  gsize overhead = PREFIX_SIZE + 2 + 1 + 5 + GC_SEI_UUID_SIZE + 1;
  gsize room = rate > overhead ? rate - overhead : 0;
  room -= room / 8;
  if (self->nal_length_size == 1)
    room = MIN (room, 255 - 32);
  else if (self->nal_length_size == 2)
    room = MIN (room, 65535 - 32);
  return MIN (room, GC_SEI_MAX_PAYLOAD);
}

static gboolean
write_sei (GstComplianceSei * self, GstBuffer * buf, const GcSeiState * state,
    GcSeiPriority priority, guint rate)
{
  gsize room = payload_room (self, rate);
  g_autoptr (GBytes) payload = room ? gc_sei_payload_encode (state, room) :
      NULL;
  if (payload == NULL) {
    if (!self->warned_budget)
      GST_ELEMENT_WARNING (self, STREAM, ENCODE,
          ("max-bytes-per-second=%u is too small for one SEI; nothing is "
              "written", rate), (NULL));
    self->warned_budget = TRUE;
    return FALSE;
  }
  gsize psize;
  const guint8 *pdata = g_bytes_get_data (payload, &psize);
  g_autoptr (GBytes) nal = gc_sei_build_nal (self->codec, pdata, psize);
  gsize nal_size = g_bytes_get_size (nal);
  if (self->nal_length_size && self->nal_length_size < 4
      && nal_size >= (1u << (8 * self->nal_length_size)))
    return FALSE;

  if (!gc_sei_budget_take (self->budget, self->budget_clock,
          PREFIX_SIZE + nal_size, priority))
    return FALSE;

  GstMapInfo map;
  gsize offset;
  gboolean found = FALSE;
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    found = gc_sei_insertion_offset (self->codec, map.data, map.size,
        self->nal_length_size, &offset);
    gst_buffer_unmap (buf, &map);
  }
  if (!found) {
    if (!self->warned_no_slot)
      GST_WARNING_OBJECT (self, "access unit without a slice (or not "
          "parseable): no SEI in it");
    self->warned_no_slot = TRUE;
    return FALSE;
  }

  guint8 *bytes = g_malloc (PREFIX_SIZE + nal_size);
  if (self->nal_length_size == 0) {
    static const guint8 start_code[PREFIX_SIZE] = { 0, 0, 0, 1 };
    memcpy (bytes, start_code, PREFIX_SIZE);
    memcpy (bytes + PREFIX_SIZE, g_bytes_get_data (nal, NULL), nal_size);
    nal_size += PREFIX_SIZE;
  } else {
    guint n = self->nal_length_size;
    for (guint i = 0; i < n; i++)
      bytes[i] = (nal_size >> (8 * (n - 1 - i))) & 0xff;
    memcpy (bytes + n, g_bytes_get_data (nal, NULL), nal_size);
    nal_size += n;
  }
  insert_memory_at (buf, offset, gst_memory_new_wrapped (0, bytes, nal_size,
          0, nal_size, bytes, g_free));
  GST_LOG_OBJECT (self, "SEI of %" G_GSIZE_FORMAT " bytes (%s) at %"
      G_GSIZE_FORMAT " in AU %" GST_TIME_FORMAT, nal_size,
      priority == GC_SEI_PRIORITY_CHANGE ? "change" : "repeat", offset,
      GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
  return TRUE;
}

static void
insert (GstComplianceSei * self, GstBuffer * buf, guint rate, guint wait_ms)
{
  g_autoptr (GcSeiState) state = NULL;
  GstComplianceVerdictMeta *meta = gst_buffer_get_compliance_verdict_meta (buf);

  if (meta)
    state = gst_compliance_verdict_meta_to_state (meta);
  else if (self->store)
    state = source_lookup (self->store, GST_BUFFER_PTS (buf), wait_ms);
  if (state == NULL)
    return;

  gboolean changed = !gc_sei_state_equal (state, self->written);
  gboolean keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (!changed && !keyframe)
    return;
  if (write_sei (self, buf, state, changed ? GC_SEI_PRIORITY_CHANGE :
          GC_SEI_PRIORITY_REPEAT, rate)) {
    g_clear_pointer (&self->written, gc_sei_state_free);
    self->written = g_steal_pointer (&state);
  } else if (changed) {
    GST_DEBUG_OBJECT (self, "change deferred: byte budget spent");
  }
}

/* ------------------------------------------------------------------ */
/* Extract */

static void
post_violation (GstComplianceSei * self, const GcViolation * v, gboolean start,
    guint64 pts)
{
  GST_INFO_OBJECT (self, "%s %s sku=%s t=%.3f-%.3f", start ? "start" : "end",
      v->rule, GST_STR_NULL (v->sku), v->t_start, v->t_end);
  gst_element_post_message (GST_ELEMENT (self),
      gst_compliance_violation_message_from_core (GST_OBJECT (self), v, start,
          pts == GC_SEI_PTS_NONE ? GST_CLOCK_TIME_NONE : pts));
}

static void
end_all_open (GstComplianceSei * self)
{
  if (self->open == NULL)
    return;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->open);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    OpenViolation *o = value;
    post_violation (self, o->v, FALSE, GC_SEI_PTS_NONE);
    g_hash_table_iter_remove (&it);
  }
}

static void
diff_violations (GstComplianceSei * self, const GcSeiState * state)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash,
      g_int64_equal);

  for (guint i = 0; i < state->violations->len; i++) {
    GcViolation *v = g_ptr_array_index (state->violations, i);
    g_hash_table_add (seen, &v->id);
    OpenViolation *o = g_hash_table_lookup (self->open, &v->id);
    if (o == NULL) {
      o = g_new0 (OpenViolation, 1);
      o->v = gc_violation_copy (v);
      o->first_pts = state->pts;
      g_hash_table_insert (self->open, &o->v->id, o);
      post_violation (self, o->v, TRUE, state->pts);
    } else if (state->pts != GC_SEI_PTS_NONE
        && o->first_pts != GC_SEI_PTS_NONE && state->pts >= o->first_pts) {
      o->v->t_end = o->v->t_start + (gdouble) (state->pts - o->first_pts) /
          GST_SECOND;
    }
  }

  /* Left out of a truncated payload is not ended. */
  if (state->truncated)
    return;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, self->open);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    OpenViolation *o = value;
    if (g_hash_table_contains (seen, &o->v->id))
      continue;
    post_violation (self, o->v, FALSE, state->pts);
    g_hash_table_iter_remove (&it);
  }
}

static gboolean
drop_verdict_meta (GstBuffer * buf, GstMeta ** meta, gpointer user_data)
{
  if ((*meta)->info->api == GST_COMPLIANCE_VERDICT_META_API_TYPE)
    *meta = NULL;
  return TRUE;
}

static void
extract (GstComplianceSei * self, GstBuffer * buf)
{
  GstMapInfo map;
  g_autoptr (GError) err = NULL;
  GcSeiState *state = NULL;

  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    state = gc_sei_parse_au (self->codec, map.data, map.size,
        self->nal_length_size, &err);
    gst_buffer_unmap (buf, &map);
  }
  if (err) {
    if (!self->warned_malformed)
      GST_ELEMENT_WARNING (self, STREAM, DECODE,
          ("Skipped a malformed access unit or compliance SEI"),
          ("at %" GST_TIME_FORMAT ": %s", GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
              err->message));
    else
      GST_DEBUG_OBJECT (self, "malformed: %s", err->message);
    self->warned_malformed = TRUE;
  }
  if (state) {
    g_atomic_int_inc (&self->sei_found);
    diff_violations (self, state);
    g_clear_pointer (&self->current, gc_sei_state_free);
    self->current = state;
  }
  /* What the bitstream says is the verdict here: a meta that came along
   * from upstream (an encoder keeps them) must not shadow it. */
  gst_buffer_foreach_meta (buf, drop_verdict_meta, NULL);
  if (self->current)
    gst_buffer_add_compliance_verdict_meta_from_state (buf, self->current);
}

/* ------------------------------------------------------------------ */
/* GstBaseTransform */

static gboolean gst_compliance_sei_stop (GstBaseTransform * trans);

static gboolean
gst_compliance_sei_start (GstBaseTransform * trans)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (trans);

  GST_OBJECT_LOCK (self);
  self->active_mode = self->mode;
  guint rate = self->max_bytes_per_second;
  g_autofree gchar *source = g_strdup (self->source);
  GST_OBJECT_UNLOCK (self);

  self->have_format = FALSE;
  self->budget = gc_sei_budget_new (rate);
  self->budget_clock = 0;
  self->warned_budget = self->warned_no_slot = self->warned_malformed = FALSE;
  g_atomic_int_set (&self->sei_found, 0);
  self->open = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
      (GDestroyNotify) open_violation_free);

  if (source && *source && self->active_mode == GST_COMPLIANCE_SEI_MODE_INSERT
      && !connect_source (self, source)) {
    /* GstBaseTransform does not call stop() after a failed start(). */
    gst_compliance_sei_stop (trans);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_compliance_sei_stop (GstBaseTransform * trans)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (trans);

  disconnect_source (self);
  g_clear_pointer (&self->budget, gc_sei_budget_free);
  g_clear_pointer (&self->written, gc_sei_state_free);
  g_clear_pointer (&self->current, gc_sei_state_free);
  g_clear_pointer (&self->open, g_hash_table_unref);
  self->have_format = FALSE;
  return TRUE;
}

/* Accepts every caps event so that the refusal of unsupported caps reaches
 * sink_event, which says why; negotiation itself offers only SEI_CAPS. */
static gboolean
gst_compliance_sei_accept_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps)
{
  if (direction == GST_PAD_SINK)
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->accept_caps (trans,
      direction, caps);
}

static gboolean
check_caps (GstComplianceSei * self, GstCaps * caps)
{
  g_autoptr (GstCaps) ours = gst_static_pad_template_get_caps (&sink_template);
  if (gst_caps_is_fixed (caps) && gst_caps_is_subset (caps, ours))
    return TRUE;
  g_autofree gchar *got = gst_caps_to_string (caps);
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("compliancesei needs parsed H.264 (stream-format byte-stream or avc) "
          "or H.265 (byte-stream, hvc1 or hev1) with alignment=au; put "
          "h264parse or h265parse in front. Offered: %s", got),
      ("accepted: %s", SEI_CAPS));
  return FALSE;
}

static gboolean
gst_compliance_sei_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (trans);
  const GstStructure *s = gst_caps_get_structure (incaps, 0);
  const gchar *format = gst_structure_get_string (s, "stream-format");

  self->codec = gst_structure_has_name (s, "video/x-h265") ?
      GC_SEI_CODEC_H265 : GC_SEI_CODEC_H264;
  self->nal_length_size = 0;
  if (g_strcmp0 (format, "byte-stream") != 0) {
    const GValue *v = gst_structure_get_value (s, "codec_data");
    GstBuffer *cd = v && G_VALUE_HOLDS (v, GST_TYPE_BUFFER) ?
        gst_value_get_buffer (v) : NULL;
    GstMapInfo map;
    if (cd && gst_buffer_map (cd, &map, GST_MAP_READ)) {
      self->nal_length_size = gc_sei_nal_length_size (self->codec, map.data,
          map.size);
      gst_buffer_unmap (cd, &map);
    }
    if (self->nal_length_size == 0) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("stream-format=%s without valid codec_data: the NAL length size "
              "is unknown", format), (NULL));
      return FALSE;
    }
  }
  self->have_format = TRUE;
  GST_INFO_OBJECT (self, "%s %s, NAL length size %u",
      self->codec == GC_SEI_CODEC_H264 ? "H.264" : "H.265", format,
      self->nal_length_size);
  return TRUE;
}

static gboolean
gst_compliance_sei_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      if (!check_caps (self, caps)) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    }
    case GST_EVENT_FLUSH_START:
      if (self->store)
        source_store_set_flushing (self->store, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      if (self->store)
        source_store_set_flushing (self->store, FALSE);
      if (self->budget)
        gc_sei_budget_reset (self->budget);
      self->budget_clock = 0;
      /* A viewer starting here needs the state again. */
      g_clear_pointer (&self->written, gc_sei_state_free);
      end_all_open (self);
      g_clear_pointer (&self->current, gc_sei_state_free);
      break;
    case GST_EVENT_SEGMENT:
      if (self->budget)
        gc_sei_budget_reset (self->budget);
      self->budget_clock = 0;
      break;
    case GST_EVENT_EOS:
      end_all_open (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static GstFlowReturn
gst_compliance_sei_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (trans);

  if (!self->have_format)
    return GST_FLOW_NOT_NEGOTIATED;

  if (self->active_mode == GST_COMPLIANCE_SEI_MODE_EXTRACT) {
    extract (self, buf);
    return GST_FLOW_OK;
  }

  GST_OBJECT_LOCK (self);
  guint rate = self->max_bytes_per_second;
  guint wait_ms = self->source_wait;
  GST_OBJECT_UNLOCK (self);
  gc_sei_budget_set_rate (self->budget, rate);

  /* Decode order: DTS grows where PTS jumps around B-frames; never let the
   * budget's clock go back within a segment. */
  GstClockTime ts = GST_BUFFER_DTS_OR_PTS (buf);
  if (GST_CLOCK_TIME_IS_VALID (ts))
    self->budget_clock = MAX (self->budget_clock, ts);
  insert (self, buf, rate, wait_ms);
  return GST_FLOW_OK;
}

static GstStateChangeReturn
gst_compliance_sei_change_state (GstElement * element,
    GstStateChange transition)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (element);

  /* A streaming thread waiting for the analysis branch must not hold up
   * the pads' deactivation. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    GST_OBJECT_LOCK (self);
    SourceStore *store = self->store ? source_store_ref (self->store) : NULL;
    GST_OBJECT_UNLOCK (self);
    if (store) {
      source_store_set_flushing (store, TRUE);
      source_store_unref (store);
    }
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
gst_compliance_sei_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_MAX_BYTES_PER_SECOND:
      self->max_bytes_per_second = g_value_get_uint (value);
      break;
    case PROP_SOURCE:
      g_free (self->source);
      self->source = g_value_dup_string (value);
      break;
    case PROP_SOURCE_WAIT:
      self->source_wait = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_sei_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_MAX_BYTES_PER_SECOND:
      g_value_set_uint (value, self->max_bytes_per_second);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_SOURCE_WAIT:
      g_value_set_uint (value, self->source_wait);
      break;
    case PROP_UUID:
      g_value_set_string (value, GC_SEI_UUID_STRING);
      break;
    case PROP_SEI_FOUND:
      g_value_set_uint64 (value,
          (guint64) (guint) g_atomic_int_get (&self->sei_found));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_compliance_sei_finalize (GObject * object)
{
  GstComplianceSei *self = GST_COMPLIANCE_SEI (object);

  g_free (self->source);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_compliance_sei_class_init (GstComplianceSeiClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = gst_compliance_sei_set_property;
  gobject_class->get_property = gst_compliance_sei_get_property;
  gobject_class->finalize = gst_compliance_sei_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "insert: write the compliance state into the stream as SEI; "
          "extract: read it back, attach verdict metas and post "
          "compliance-violation messages", GST_TYPE_COMPLIANCE_SEI_MODE,
          DEFAULT_MODE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_BYTES_PER_SECOND,
      g_param_spec_uint ("max-bytes-per-second", "Max bytes per second",
          "Insert: SEI bytes written in any one second of stream time never "
          "exceed this (state changes first, keyframe repeats within three "
          "quarters of it); payloads are trimmed to fit. 0 writes nothing",
          0, G_MAXINT, DEFAULT_MAX_BYTES_PER_SECOND, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SOURCE,
      g_param_spec_string ("source", "Source",
          "Insert: name of the element (normally the compliancecheck of an "
          "analysis branch decoding a copy of this stream) whose output "
          "verdicts are written into access units without a verdict meta of "
          "their own. Unset: only the metas on the buffers", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SOURCE_WAIT,
      g_param_spec_uint ("source-wait", "Source wait",
          "Insert with source: milliseconds an access unit waits for the "
          "analysis branch to reach its frame (for files; 0 for live "
          "streams: take the latest verdict, never add latency)", 0, 60000,
          DEFAULT_SOURCE_WAIT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_DOC_SHOW_DEFAULT |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_UUID,
      g_param_spec_string ("uuid", "UUID",
          "UUID of the SEI user_data_unregistered messages written and read",
          GC_SEI_UUID_STRING, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_SEI_FOUND,
      g_param_spec_uint64 ("sei-found", "SEI found",
          "Extract: access units carrying a compliance SEI since the element "
          "last started (0 after a whole stream: the stream was never "
          "checked, or its SEI were lost)", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Compliance SEI", "Codec/Video/Parser",
      "Writes the compliance state of each frame into H.264/H.265 SEI "
      "user-data-unregistered messages, and reads it back",
      "gst-compliance developers");
  gst_type_mark_as_plugin_api (GST_TYPE_COMPLIANCE_SEI_MODE, 0);

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_compliance_sei_change_state);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_compliance_sei_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_compliance_sei_stop);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_compliance_sei_accept_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_compliance_sei_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_compliance_sei_sink_event);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_compliance_sei_transform_ip);
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
gst_compliance_sei_init (GstComplianceSei * self)
{
  self->mode = DEFAULT_MODE;
  self->max_bytes_per_second = DEFAULT_MAX_BYTES_PER_SECOND;
  self->source_wait = DEFAULT_SOURCE_WAIT;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
