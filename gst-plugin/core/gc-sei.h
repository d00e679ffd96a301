/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the compliance state carried in H.264/H.265 SEI.
 *
 * A verdict (active product, disclosure flags, active violations, the pts
 * of the analysed frame) is serialised into a compact, versioned payload
 * and wrapped in an SEI user_data_unregistered message (payload type 5)
 * under our own UUID (gc_sei_uuid).  The same module finds those messages
 * again in an access unit, in Annex B byte-stream or length-prefixed
 * (avc/hvc1/hev1) form.
 *
 * Payload, version 1 (all integers are unsigned LEB128 varints unless
 * noted; a string is a varint byte length then that many bytes of UTF-8,
 * no NUL, at most GC_SEI_MAX_STRING bytes):
 *
 *   u8     version (1)
 *   u8     flags: 0x01 disclosure required, 0x02 disclosure visible,
 *                 0x04 truncated (violations were left out to fit),
 *                 0x08 pts present, 0x10 active sku present,
 *                 0x20 sponsor present; other bits must be 0
 *   varint pts in ns (when flagged)
 *   varint frame width, varint frame height
 *   string active sku (when flagged), string sponsor (when flagged)
 *   varint number of violation records (<= GC_SEI_MAX_VIOLATIONS)
 *   record*: varint record length, then the record:
 *     u8     rule code (GcSeiRule); 0 is followed by the rule id as string
 *     u8     0x03 severity (0 error, 1 warning, 2 info, 3 none),
 *            0x04 sku, 0x08 observed, 0x10 declared, 0x20 box present
 *     varint id
 *     varint t_start in ms
 *     string sku / observed / declared (when flagged)
 *     4 varints x, y, width, height (when flagged)
 *     bytes a later minor revision appended (skipped)
 *   bytes a later minor revision appended (ignored)
 *
 * A reader rejects another version byte: a version 2 changes what the
 * fields mean.  Additions that old readers may skip go at the end of a
 * record or of the payload.
 *
 * GLib only; every parser here takes untrusted bytes and checks every
 * bound (there is a libFuzzer target on gc_sei_parse_au). */
#pragma once

#include <glib.h>
#include "gc-rules.h"

G_BEGIN_DECLS

#define GC_SEI_VERSION 1
/* Largest payload written (the UUID not counted); longer ones are
 * rejected by the reader. */
#define GC_SEI_MAX_PAYLOAD 1024
/* Strings are cut to this many bytes (at a UTF-8 character boundary). */
#define GC_SEI_MAX_STRING 64
#define GC_SEI_MAX_VIOLATIONS 64
#define GC_SEI_UUID_SIZE 16

/* Our user_data_unregistered UUID, 8f6a1c3e-5b2d-4c71-9e04-c0a1c5e1f7d2. */
extern const guint8 gc_sei_uuid[GC_SEI_UUID_SIZE];
/* The same, formatted as above. */
#define GC_SEI_UUID_STRING "8f6a1c3e-5b2d-4c71-9e04-c0a1c5e1f7d2"

typedef enum
{
  GC_SEI_CODEC_H264,
  GC_SEI_CODEC_H265,
} GcSeiCodec;

/* A rule's code in the payload: its sei_code in the core's rule table
 * (gc-rulepack.h, GC_RULE_TABLE), or GC_SEI_RULE_OTHER, followed by the
 * rule id as a string, for a rule the table does not know and for one
 * added after the first release (written by id so that readers built
 * before it still read the stream; its code is decoded all the same). */
typedef guint8 GcSeiRule;
#define GC_SEI_RULE_OTHER 0

/* Rule id <-> wire code; GC_SEI_RULE_OTHER / NULL when not one of ours. */
GcSeiRule gc_sei_rule_code (const gchar *rule);
const gchar *gc_sei_rule_name (GcSeiRule code);

typedef struct
{
  /* pts of the analysed frame in ns; G_MAXUINT64 when unknown. */
  guint64 pts;
  guint frame_width;
  guint frame_height;
  gchar *active_sku;            /* may be NULL */
  gchar *sponsor;               /* may be NULL */
  gboolean disclosure_required;
  gboolean disclosure_visible;
  /* Set by the decoder when the writer had to leave violations out. */
  gboolean truncated;
  /* GcViolation*, owned.  Carried: rule, severity, sku, observed,
   * declared, box, id, t_start (to the ms).  Not carried: legal_ref,
   * evidence, t_end, t_confirmed (a reader takes them from its rule
   * pack and its own timing). */
  GPtrArray *violations;
} GcSeiState;

#define GC_SEI_PTS_NONE G_MAXUINT64

GcSeiState *gc_sei_state_new (void);
void gc_sei_state_free (GcSeiState *state);
GcSeiState *gc_sei_state_copy (const GcSeiState *state);
/* Takes a reference to @v. */
void gc_sei_state_add_violation (GcSeiState *state, GcViolation *v);
/* Same state as far as the payload can tell, the pts aside: what decides
 * whether a change has to be written. */
gboolean gc_sei_state_equal (const GcSeiState *a, const GcSeiState *b);

/* Serialises @state into at most @max_size bytes (clamped to
 * GC_SEI_MAX_PAYLOAD).  Strings are cut to GC_SEI_MAX_STRING bytes.  When
 * not every violation fits, the lowest-severity ones (info, then warning,
 * then error; later ones first within a severity) are left out and the
 * truncated flag is set.  Returns NULL only if not even the state without
 * violations fits in @max_size. */
GBytes *gc_sei_payload_encode (const GcSeiState *state, gsize max_size);
/* Strict: NULL with GC_ERROR_PARSE for anything malformed, truncated,
 * oversized or of another version. */
GcSeiState *gc_sei_payload_decode (const guint8 *data, gsize size,
    GError **error);

/* A complete SEI NAL unit (header included, no start code or length
 * prefix) holding one user_data_unregistered message with our UUID and
 * @payload: H.264 nal_unit_type 6, H.265 prefix SEI (39).  Emulation
 * prevention is applied.  NULL if @payload is larger than
 * GC_SEI_MAX_PAYLOAD. */
GBytes *gc_sei_build_nal (GcSeiCodec codec, const guint8 *payload,
    gsize payload_size);

/* Escaping of the bytes after the NAL header (exposed for tests). */
GByteArray *gc_sei_add_emulation_prevention (const guint8 *rbsp, gsize size);
GByteArray *gc_sei_remove_emulation_prevention (const guint8 *ebsp,
    gsize size);

/* Our state from one SEI NAL unit (header included).  Returns NULL with
 * no error when the NAL is fine but holds none of our messages, NULL with
 * an error when it is malformed or our message is, and the state of the
 * last of our messages otherwise. */
GcSeiState *gc_sei_parse_nal (GcSeiCodec codec, const guint8 *nal,
    gsize size, GError **error);

/* One NAL unit of an access unit. */
typedef struct
{
  gsize offset;                 /* of the NAL header in the AU */
  gsize size;                   /* NAL unit size, header included */
  gsize prefix_offset;          /* where its start code / length prefix starts */
  guint type;                   /* nal_unit_type */
} GcSeiNal;

/* Splits an access unit into NAL units.  @nal_length_size 0 means Annex B
 * byte-stream, 1..4 a length-prefixed stream (avc/hvc1/hev1).  Returns
 * FALSE with GC_ERROR_PARSE when a length prefix runs past the end or the
 * byte-stream has no start code; the NALs found so far are kept. */
gboolean gc_sei_split_au (GcSeiCodec codec, const guint8 *data, gsize size,
    guint nal_length_size, GArray *nals, GError **error);

/* Our state from an access unit: the last of our messages in it.  NULL
 * with no error when there is none. */
GcSeiState *gc_sei_parse_au (GcSeiCodec codec, const guint8 *data, gsize size,
    guint nal_length_size, GError **error);

/* Byte offset in @data where an SEI NAL (with its prefix) belongs: before
 * the first VCL NAL unit (so after any AUD, parameter sets and existing
 * SEI, whose buffering-period message must stay first).  FALSE when the AU
 * has no VCL NAL unit or cannot be split. */
gboolean gc_sei_insertion_offset (GcSeiCodec codec, const guint8 *data,
    gsize size, guint nal_length_size, gsize *offset);

/* The length-prefix size from avcC / hvcC codec_data; 0 when it is not
 * valid codec data. */
guint gc_sei_nal_length_size (GcSeiCodec codec, const guint8 *codec_data,
    gsize size);

/* ------------------------------------------------------------------ */
/* Byte budget */

typedef enum
{
  /* A state change: may use the whole budget. */
  GC_SEI_PRIORITY_CHANGE,
  /* A repeat for late joiners (keyframes): leaves a quarter of the
   * budget free for changes. */
  GC_SEI_PRIORITY_REPEAT,
} GcSeiPriority;

typedef struct _GcSeiBudget GcSeiBudget;

/* At most @bytes_per_second bytes in any window of one second. */
GcSeiBudget *gc_sei_budget_new (guint bytes_per_second);
void gc_sei_budget_free (GcSeiBudget *budget);
void gc_sei_budget_set_rate (GcSeiBudget *budget, guint bytes_per_second);
/* Whether @bytes may be written at stream time @t_ns (non-decreasing; a
 * jump back resets the window); when it may, they are counted. */
gboolean gc_sei_budget_take (GcSeiBudget *budget, guint64 t_ns, gsize bytes,
    GcSeiPriority priority);
/* Forget what was written (flush, restart). */
void gc_sei_budget_reset (GcSeiBudget *budget);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcSeiState, gc_sei_state_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcSeiBudget, gc_sei_budget_free)

G_END_DECLS
