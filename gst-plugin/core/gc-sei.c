/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance core: the compliance state carried in H.264/H.265 SEI.
 * The wire format is described in gc-sei.h. */
#include "gc-sei.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gc-error.h"
#include "gc-rulepack.h"

const guint8 gc_sei_uuid[GC_SEI_UUID_SIZE] = {
  0x8f, 0x6a, 0x1c, 0x3e, 0x5b, 0x2d, 0x4c, 0x71,
  0x9e, 0x04, 0xc0, 0xa1, 0xc5, 0xe1, 0xf7, 0xd2,
};

/* H.264 nal_unit_type / H.265 nal_unit_type values we need. */
#define H264_NAL_SEI 6
#define H265_NAL_PREFIX_SEI 39
#define H265_NAL_SUFFIX_SEI 40
#define SEI_USER_DATA_UNREGISTERED 5

enum
{
  FLAG_DISCLOSURE_REQUIRED = 0x01,
  FLAG_DISCLOSURE_VISIBLE = 0x02,
  FLAG_TRUNCATED = 0x04,
  FLAG_PTS = 0x08,
  FLAG_SKU = 0x10,
  FLAG_SPONSOR = 0x20,
  FLAG_KNOWN = 0x3f,
};

enum
{
  VFLAG_SEVERITY_MASK = 0x03,
  VFLAG_SKU = 0x04,
  VFLAG_OBSERVED = 0x08,
  VFLAG_DECLARED = 0x10,
  VFLAG_BOX = 0x20,
  VFLAG_KNOWN = 0x3f,
};

static const gchar *const severities[] = { "error", "warning", "info" };

#define SEVERITY_NONE 3

GcSeiRule
gc_sei_rule_code (const gchar *rule)
{
  const GcRuleDef *d = gc_rule_def (rule);
  /* A rule added after the first release goes by id, which readers built
   * before it accept (gc-rulepack.h, GC_RULE_TABLE). */
  return d && d->first_release ? d->sei_code : GC_SEI_RULE_OTHER;
}

const gchar *
gc_sei_rule_name (GcSeiRule code)
{
  const GcRuleDef *d = code == GC_SEI_RULE_OTHER ? NULL
      : gc_rule_def_by_code (code);
  return d ? d->id : NULL;
}

/* ------------------------------------------------------------------ */
/* State */

GcSeiState *
gc_sei_state_new (void)
{
  GcSeiState *s = g_new0 (GcSeiState, 1);
  s->pts = GC_SEI_PTS_NONE;
  s->violations =
      g_ptr_array_new_with_free_func ((GDestroyNotify) gc_violation_unref);
  return s;
}

void
gc_sei_state_free (GcSeiState *state)
{
  if (state == NULL)
    return;
  g_free (state->active_sku);
  g_free (state->sponsor);
  g_ptr_array_unref (state->violations);
  g_free (state);
}

GcSeiState *
gc_sei_state_copy (const GcSeiState *state)
{
  GcSeiState *c = gc_sei_state_new ();
  c->pts = state->pts;
  c->frame_width = state->frame_width;
  c->frame_height = state->frame_height;
  c->active_sku = g_strdup (state->active_sku);
  c->sponsor = g_strdup (state->sponsor);
  c->disclosure_required = state->disclosure_required;
  c->disclosure_visible = state->disclosure_visible;
  c->truncated = state->truncated;
  for (guint i = 0; i < state->violations->len; i++)
    g_ptr_array_add (c->violations,
        gc_violation_ref (g_ptr_array_index (state->violations, i)));
  return c;
}

void
gc_sei_state_add_violation (GcSeiState *state, GcViolation *v)
{
  g_ptr_array_add (state->violations, gc_violation_ref (v));
}

static gboolean
violation_equal (const GcViolation *a, const GcViolation *b)
{
  return a->id == b->id && g_strcmp0 (a->rule, b->rule) == 0
      && g_strcmp0 (a->severity, b->severity) == 0
      && g_strcmp0 (a->sku, b->sku) == 0
      && g_strcmp0 (a->observed, b->observed) == 0
      && g_strcmp0 (a->declared, b->declared) == 0
      && a->box.x == b->box.x && a->box.y == b->box.y
      && a->box.w == b->box.w && a->box.h == b->box.h;
}

gboolean
gc_sei_state_equal (const GcSeiState *a, const GcSeiState *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (g_strcmp0 (a->active_sku, b->active_sku) != 0
      || g_strcmp0 (a->sponsor, b->sponsor) != 0
      || !a->disclosure_required != !b->disclosure_required
      || !a->disclosure_visible != !b->disclosure_visible
      || a->frame_width != b->frame_width
      || a->frame_height != b->frame_height
      || a->violations->len != b->violations->len)
    return FALSE;
  for (guint i = 0; i < a->violations->len; i++)
    if (!violation_equal (g_ptr_array_index (a->violations, i),
            g_ptr_array_index (b->violations, i)))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Payload writer */

static void
put_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

static void
put_varint (GByteArray *out, guint64 v)
{
  do {
    guint8 b = v & 0x7f;
    v >>= 7;
    if (v)
      b |= 0x80;
    put_u8 (out, b);
  } while (v);
}

/* Writes @s cut to GC_SEI_MAX_STRING bytes without splitting a
 * character; invalid UTF-8 is repaired first so the reader's strict check
 * never rejects what we wrote. */
static void
put_string (GByteArray *out, const gchar *s)
{
  g_autofree gchar *valid = g_utf8_make_valid (s, -1);
  gsize len = strlen (valid);
  if (len > GC_SEI_MAX_STRING) {
    const gchar *end = valid + GC_SEI_MAX_STRING;
    /* Back up to the start of the character straddling the cut. */
    while (end > valid && ((guint8) * end & 0xc0) == 0x80)
      end--;
    len = end - valid;
  }
  put_varint (out, len);
  g_byte_array_append (out, (const guint8 *) valid, len);
}

static guint
severity_code (const gchar *severity)
{
  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    if (g_strcmp0 (severity, severities[i]) == 0)
      return i;
  return SEVERITY_NONE;
}

static guint64
clamp_coord (gint v)
{
  return v > 0 ? (guint64) v : 0;
}

static GByteArray *
encode_violation (const GcViolation *v)
{
  GByteArray *rec = g_byte_array_new ();
  GcSeiRule code = gc_sei_rule_code (v->rule);
  gboolean box = v->box.x || v->box.y || v->box.w || v->box.h;
  guint8 flags = severity_code (v->severity)
      | (v->sku ? VFLAG_SKU : 0)
      | (v->observed ? VFLAG_OBSERVED : 0)
      | (v->declared ? VFLAG_DECLARED : 0)
      | (box ? VFLAG_BOX : 0);

  put_u8 (rec, code);
  if (code == GC_SEI_RULE_OTHER)
    put_string (rec, v->rule ? v->rule : "");
  put_u8 (rec, flags);
  put_varint (rec, v->id);
  /* Times before the start or not numbers carry as 0. */
  gdouble ms = v->t_start * 1000.0;
  put_varint (rec, (isfinite (ms) && ms > 0) ?
      (guint64) MIN (ms + 0.5, 1e15) : 0);
  if (v->sku)
    put_string (rec, v->sku);
  if (v->observed)
    put_string (rec, v->observed);
  if (v->declared)
    put_string (rec, v->declared);
  if (box) {
    put_varint (rec, clamp_coord (v->box.x));
    put_varint (rec, clamp_coord (v->box.y));
    put_varint (rec, clamp_coord (v->box.w));
    put_varint (rec, clamp_coord (v->box.h));
  }
  return rec;
}

static gsize
varint_size (guint64 v)
{
  gsize n = 1;
  while (v >>= 7)
    n++;
  return n;
}

typedef struct
{
  guint index;
  guint severity;
} Ranked;

static gint
compare_ranked (gconstpointer a, gconstpointer b)
{
  const Ranked *ra = a, *rb = b;
  if (ra->severity != rb->severity)
    return ra->severity < rb->severity ? -1 : 1;
  return ra->index < rb->index ? -1 : (ra->index > rb->index);
}

GBytes *
gc_sei_payload_encode (const GcSeiState *state, gsize max_size)
{
  g_return_val_if_fail (state != NULL, NULL);
  max_size = MIN (max_size, GC_SEI_MAX_PAYLOAD);

  guint n = state->violations->len;
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (records,
        encode_violation (g_ptr_array_index (state->violations, i)));

  GByteArray *out = g_byte_array_new ();
  guint8 flags = (state->disclosure_required ? FLAG_DISCLOSURE_REQUIRED : 0)
      | (state->disclosure_visible ? FLAG_DISCLOSURE_VISIBLE : 0)
      | (state->pts != GC_SEI_PTS_NONE ? FLAG_PTS : 0)
      | (state->active_sku ? FLAG_SKU : 0)
      | (state->sponsor ? FLAG_SPONSOR : 0);
  put_u8 (out, GC_SEI_VERSION);
  gsize flags_pos = out->len;
  put_u8 (out, flags);
  if (state->pts != GC_SEI_PTS_NONE)
    put_varint (out, state->pts);
  put_varint (out, state->frame_width);
  put_varint (out, state->frame_height);
  if (state->active_sku)
    put_string (out, state->active_sku);
  if (state->sponsor)
    put_string (out, state->sponsor);

  /* The count is below 128, so its varint is one byte whatever is kept. */
  gsize used = out->len + 1;
  if (used > max_size) {
    g_byte_array_unref (out);
    return NULL;
  }

  /* Most severe first, earlier first within a severity: keep until the
   * next one does not fit. */
  g_autofree Ranked *ranked = g_new0 (Ranked, MAX (n, 1));
  for (guint i = 0; i < n; i++) {
    const GcViolation *v = g_ptr_array_index (state->violations, i);
    ranked[i].index = i;
    ranked[i].severity = severity_code (v->severity);
  }
  qsort (ranked, n, sizeof (Ranked), compare_ranked);
  g_autofree gboolean *keep = g_new0 (gboolean, MAX (n, 1));
  guint kept = 0;
  for (guint i = 0; i < n && kept < GC_SEI_MAX_VIOLATIONS; i++) {
    GByteArray *rec = g_ptr_array_index (records, ranked[i].index);
    gsize need = varint_size (rec->len) + rec->len;
    if (used + need > max_size)
      break;
    used += need;
    keep[ranked[i].index] = TRUE;
    kept++;
  }
  if (kept < n)
    out->data[flags_pos] |= FLAG_TRUNCATED;

  /* Kept records go out in the order the checker listed them. */
  put_varint (out, kept);
  for (guint i = 0; i < n; i++) {
    if (!keep[i])
      continue;
    GByteArray *rec = g_ptr_array_index (records, i);
    put_varint (out, rec->len);
    g_byte_array_append (out, rec->data, rec->len);
  }
  g_assert (out->len <= max_size);
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------ */
/* Payload reader */

typedef struct
{
  const guint8 *data;
  gsize size;
  gsize pos;
} Reader;

static gboolean
get_u8 (Reader *r, guint8 *v)
{
  if (r->pos >= r->size)
    return FALSE;
  *v = r->data[r->pos++];
  return TRUE;
}

static gboolean
get_varint (Reader *r, guint64 *v)
{
  guint64 value = 0;
  for (guint shift = 0; shift < 64; shift += 7) {
    guint8 b;
    if (!get_u8 (r, &b))
      return FALSE;
    /* The tenth byte may only hold the top bit of a 64-bit value. */
    if (shift == 63 && b > 1)
      return FALSE;
    value |= (guint64) (b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = value;
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
get_uint (Reader *r, guint max, guint *v)
{
  guint64 x;
  if (!get_varint (r, &x) || x > max)
    return FALSE;
  *v = (guint) x;
  return TRUE;
}

static gboolean
get_string (Reader *r, gchar **out)
{
  guint64 len;
  if (!get_varint (r, &len) || len > GC_SEI_MAX_STRING
      || len > r->size - r->pos)
    return FALSE;
  const gchar *s = (const gchar *) r->data + r->pos;
  if (memchr (s, 0, len) != NULL || !g_utf8_validate_len (s, len, NULL))
    return FALSE;
  *out = g_strndup (s, len);
  r->pos += len;
  return TRUE;
}

static GcViolation *
decode_violation (const guint8 *data, gsize size)
{
  Reader r = { data, size, 0 };
  guint8 code, flags;
  g_autofree gchar *rule = NULL;
  guint64 id, ms;

  if (!get_u8 (&r, &code)
      || (code != GC_SEI_RULE_OTHER && gc_sei_rule_name (code) == NULL))
    return NULL;
  if (code == GC_SEI_RULE_OTHER) {
    if (!get_string (&r, &rule) || rule[0] == '\0')
      return NULL;
  } else {
    rule = g_strdup (gc_sei_rule_name (code));
  }
  if (!get_u8 (&r, &flags) || (flags & ~VFLAG_KNOWN))
    return NULL;
  if (!get_varint (&r, &id) || !get_varint (&r, &ms) || ms > (guint64) 1e15)
    return NULL;

  GcViolation *v = gc_violation_new (rule);
  guint sev = flags & VFLAG_SEVERITY_MASK;
  v->severity = sev < G_N_ELEMENTS (severities) ?
      g_strdup (severities[sev]) : NULL;
  v->id = id;
  v->t_start = ms / 1000.0;
  v->t_end = v->t_start;
  v->t_confirmed = v->t_start;
  guint x = 0, y = 0, w = 0, h = 0;
  if (((flags & VFLAG_SKU) && !get_string (&r, &v->sku))
      || ((flags & VFLAG_OBSERVED) && !get_string (&r, &v->observed))
      || ((flags & VFLAG_DECLARED) && !get_string (&r, &v->declared))
      || ((flags & VFLAG_BOX) && !(get_uint (&r, G_MAXINT, &x)
              && get_uint (&r, G_MAXINT, &y) && get_uint (&r, G_MAXINT, &w)
              && get_uint (&r, G_MAXINT, &h)))) {
    gc_violation_unref (v);
    return NULL;
  }
  v->box.x = x;
  v->box.y = y;
  v->box.w = w;
  v->box.h = h;
  /* Bytes left in the record belong to a later minor revision. */
  return v;
}

GcSeiState *
gc_sei_payload_decode (const guint8 *data, gsize size, GError **error)
{
  Reader r = { data, size, 0 };
  guint8 version = 0, flags;
  guint64 count;

  if (data == NULL || size == 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "SEI payload: empty");
    return NULL;
  }
  if (size > GC_SEI_MAX_PAYLOAD) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
        "SEI payload: %" G_GSIZE_FORMAT " bytes, more than the %d allowed",
        size, GC_SEI_MAX_PAYLOAD);
    return NULL;
  }
  if (!get_u8 (&r, &version) || version != GC_SEI_VERSION) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
        "SEI payload: version %u, only %d is understood", version,
        GC_SEI_VERSION);
    return NULL;
  }

  g_autoptr (GcSeiState) s = gc_sei_state_new ();
  const gchar *what = "flags";
  if (!get_u8 (&r, &flags) || (flags & ~FLAG_KNOWN))
    goto bad;
  s->disclosure_required = (flags & FLAG_DISCLOSURE_REQUIRED) != 0;
  s->disclosure_visible = (flags & FLAG_DISCLOSURE_VISIBLE) != 0;
  s->truncated = (flags & FLAG_TRUNCATED) != 0;
  what = "pts";
  /* G_MAXUINT64 is our "none": a writer never sends it as a value. */
  if ((flags & FLAG_PTS) && (!get_varint (&r, &s->pts)
          || s->pts == GC_SEI_PTS_NONE))
    goto bad;
  what = "frame size";
  if (!get_uint (&r, G_MAXINT, &s->frame_width)
      || !get_uint (&r, G_MAXINT, &s->frame_height))
    goto bad;
  what = "active sku";
  if ((flags & FLAG_SKU) && !get_string (&r, &s->active_sku))
    goto bad;
  what = "sponsor";
  if ((flags & FLAG_SPONSOR) && !get_string (&r, &s->sponsor))
    goto bad;
  what = "violation count";
  if (!get_varint (&r, &count) || count > GC_SEI_MAX_VIOLATIONS)
    goto bad;
  what = "violation";
  for (guint i = 0; i < count; i++) {
    guint64 len;
    if (!get_varint (&r, &len) || len > r.size - r.pos)
      goto bad;
    GcViolation *v = decode_violation (r.data + r.pos, len);
    if (v == NULL)
      goto bad;
    g_ptr_array_add (s->violations, v);
    r.pos += len;
  }
  /* Bytes left belong to a later minor revision. */
  return g_steal_pointer (&s);

bad:
  g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
      "SEI payload: bad or truncated %s at byte %" G_GSIZE_FORMAT, what,
      r.pos);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* NAL units */

GByteArray *
gc_sei_add_emulation_prevention (const guint8 *rbsp, gsize size)
{
  GByteArray *out = g_byte_array_sized_new (size + size / 64 + 4);
  guint zeros = 0;
  for (gsize i = 0; i < size; i++) {
    /* 00 00 followed by 00..03 would read as a start code (or an escape):
     * break the run. */
    if (zeros >= 2 && rbsp[i] <= 3) {
      put_u8 (out, 0x03);
      zeros = 0;
    }
    put_u8 (out, rbsp[i]);
    zeros = rbsp[i] == 0 ? zeros + 1 : 0;
  }
  return out;
}

GByteArray *
gc_sei_remove_emulation_prevention (const guint8 *ebsp, gsize size)
{
  GByteArray *out = g_byte_array_sized_new (size);
  guint zeros = 0;
  for (gsize i = 0; i < size; i++) {
    if (zeros >= 2 && ebsp[i] == 0x03) {
      zeros = 0;
      continue;
    }
    put_u8 (out, ebsp[i]);
    zeros = ebsp[i] == 0 ? zeros + 1 : 0;
  }
  return out;
}

static void
put_sei_number (GByteArray *out, gsize v)
{
  while (v >= 255) {
    put_u8 (out, 0xff);
    v -= 255;
  }
  put_u8 (out, v);
}

GBytes *
gc_sei_build_nal (GcSeiCodec codec, const guint8 *payload, gsize payload_size)
{
  if (payload_size > GC_SEI_MAX_PAYLOAD || (payload == NULL && payload_size))
    return NULL;

  g_autoptr (GByteArray) rbsp = g_byte_array_new ();
  put_sei_number (rbsp, SEI_USER_DATA_UNREGISTERED);
  put_sei_number (rbsp, GC_SEI_UUID_SIZE + payload_size);
  g_byte_array_append (rbsp, gc_sei_uuid, GC_SEI_UUID_SIZE);
  if (payload_size)
    g_byte_array_append (rbsp, payload, payload_size);
  put_u8 (rbsp, 0x80);          /* rbsp_stop_one_bit and alignment */

  GByteArray *nal = g_byte_array_new ();
  if (codec == GC_SEI_CODEC_H264) {
    /* forbidden_zero_bit 0, nal_ref_idc 0 (SEI is never referenced). */
    put_u8 (nal, H264_NAL_SEI);
  } else {
    /* nal_unit_type 39, nuh_layer_id 0, nuh_temporal_id_plus1 1. */
    put_u8 (nal, H265_NAL_PREFIX_SEI << 1);
    put_u8 (nal, 0x01);
  }
  g_autoptr (GByteArray) escaped =
      gc_sei_add_emulation_prevention (rbsp->data, rbsp->len);
  g_byte_array_append (nal, escaped->data, escaped->len);
  return g_byte_array_free_to_bytes (nal);
}

static guint
header_size (GcSeiCodec codec)
{
  return codec == GC_SEI_CODEC_H264 ? 1 : 2;
}

static guint
nal_type (GcSeiCodec codec, const guint8 *nal)
{
  return codec == GC_SEI_CODEC_H264 ? (nal[0] & 0x1f) : ((nal[0] >> 1) & 0x3f);
}

static gboolean
is_sei (GcSeiCodec codec, guint type)
{
  return codec == GC_SEI_CODEC_H264 ? type == H264_NAL_SEI :
      (type == H265_NAL_PREFIX_SEI || type == H265_NAL_SUFFIX_SEI);
}

/* NAL units an SEI must precede: slices, and in H.264 the SVC/MVC prefix
 * and extension NAL units that travel with them. */
static gboolean
is_vcl (GcSeiCodec codec, guint type)
{
  if (codec == GC_SEI_CODEC_H264)
    return (type >= 1 && type <= 5) || type == 14 || type == 20;
  return type <= 31;
}

/* Reads an SEI number (payload type or size): a run of 0xFF bytes each
 * adding 255, then a last byte. */
static gboolean
get_sei_number (Reader *r, gsize *v)
{
  gsize value = 0;
  guint8 b;
  do {
    if (!get_u8 (r, &b))
      return FALSE;
    value += b;
  } while (b == 0xff);
  *v = value;
  return TRUE;
}

/* more_rbsp_data(): something other than the stop bit and alignment
 * zeros is left. */
static gboolean
more_rbsp_data (const Reader *r)
{
  if (r->pos >= r->size)
    return FALSE;
  gsize last = r->size - 1;
  while (last > r->pos && r->data[last] == 0)
    last--;
  return !(last == r->pos && r->data[last] == 0x80);
}

GcSeiState *
gc_sei_parse_nal (GcSeiCodec codec, const guint8 *nal, gsize size,
    GError **error)
{
  guint hs = header_size (codec);
  if (nal == NULL || size < hs || (nal[0] & 0x80)
      || !is_sei (codec, nal_type (codec, nal))) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE, "not an SEI NAL unit");
    return NULL;
  }

  g_autoptr (GByteArray) rbsp =
      gc_sei_remove_emulation_prevention (nal + hs, size - hs);
  Reader r = { rbsp->data, rbsp->len, 0 };
  g_autoptr (GcSeiState) found = NULL;

  while (more_rbsp_data (&r)) {
    gsize type, len;
    if (!get_sei_number (&r, &type) || !get_sei_number (&r, &len)
        || len > r.size - r.pos) {
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
          "SEI message header runs past the end of the NAL unit");
      return NULL;
    }
    const guint8 *body = r.data + r.pos;
    r.pos += len;
    if (type != SEI_USER_DATA_UNREGISTERED || len < GC_SEI_UUID_SIZE
        || memcmp (body, gc_sei_uuid, GC_SEI_UUID_SIZE) != 0)
      continue;
    GcSeiState *s = gc_sei_payload_decode (body + GC_SEI_UUID_SIZE,
        len - GC_SEI_UUID_SIZE, error);
    if (s == NULL)
      return NULL;
    g_clear_pointer (&found, gc_sei_state_free);
    found = s;
  }
  return g_steal_pointer (&found);
}

/* ------------------------------------------------------------------ */
/* Access units */

static void
add_nal (GcSeiCodec codec, GArray *nals, const guint8 *data, gsize prefix,
    gsize offset, gsize size)
{
  /* Too short for a header: nothing to classify, nothing to insert
   * before. */
  if (size < header_size (codec))
    return;
  GcSeiNal n = { offset, size, prefix, nal_type (codec, data + offset) };
  g_array_append_val (nals, n);
}

/* Offset of the next 00 00 01 at or after @from, or @size. */
static gsize
find_start_code (const guint8 *data, gsize size, gsize from)
{
  for (gsize i = from; i + 3 <= size; i++) {
    if (data[i + 2] > 1) {
      i += 2;                   /* no start code can end at i+1 or i+2 */
      continue;
    }
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
      return i;
  }
  return size;
}

gboolean
gc_sei_split_au (GcSeiCodec codec, const guint8 *data, gsize size,
    guint nal_length_size, GArray *nals, GError **error)
{
  g_return_val_if_fail (nals != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (nals) == sizeof (GcSeiNal),
      FALSE);
  if (data == NULL)
    size = 0;

  if (nal_length_size > 4) {
    g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
        "NAL length size %u is not 1..4", nal_length_size);
    return FALSE;
  }

  if (nal_length_size == 0) {
    gsize sc = find_start_code (data, size, 0);
    if (sc == size) {
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
          "no start code in a byte-stream access unit");
      return FALSE;
    }
    /* A zero before the first 00 00 01 makes it a 4-byte start code. */
    gsize prefix = sc > 0 && data[sc - 1] == 0 ? sc - 1 : sc;
    while (sc < size) {
      gsize start = sc + 3;
      gsize next = find_start_code (data, size, start);
      gsize end = next;
      /* Zeros before the next start code are trailing_zero_8bits (or the
       * next one's leading zero), not NAL data. */
      while (end > start && data[end - 1] == 0)
        end--;
      add_nal (codec, nals, data, prefix, start, end - start);
      prefix = end;
      sc = next;
    }
    return TRUE;
  }

  gsize pos = 0;
  while (pos < size) {
    if (size - pos < nal_length_size) {
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
          "NAL length prefix cut at byte %" G_GSIZE_FORMAT, pos);
      return FALSE;
    }
    gsize len = 0;
    for (guint i = 0; i < nal_length_size; i++)
      len = (len << 8) | data[pos + i];
    gsize start = pos + nal_length_size;
    if (len > size - start) {
      g_set_error (error, GC_ERROR, GC_ERROR_PARSE,
          "NAL unit of %" G_GSIZE_FORMAT " bytes at byte %" G_GSIZE_FORMAT
          " runs past the end of the access unit", len, pos);
      return FALSE;
    }
    add_nal (codec, nals, data, pos, start, len);
    pos = start + len;
  }
  return TRUE;
}

GcSeiState *
gc_sei_parse_au (GcSeiCodec codec, const guint8 *data, gsize size,
    guint nal_length_size, GError **error)
{
  g_autoptr (GArray) nals = g_array_new (FALSE, FALSE, sizeof (GcSeiNal));
  g_autoptr (GcSeiState) found = NULL;
  g_autoptr (GError) first_error = NULL;

  /* A broken NAL unit (or a broken tail) does not hide a good SEI of ours
   * elsewhere in the AU: errors only count when nothing was found. */
  gc_sei_split_au (codec, data, size, nal_length_size, nals, &first_error);
  for (guint i = 0; i < nals->len; i++) {
    const GcSeiNal *n = &g_array_index (nals, GcSeiNal, i);
    if (!is_sei (codec, n->type))
      continue;
    GError *nal_error = NULL;
    GcSeiState *s = gc_sei_parse_nal (codec, data + n->offset, n->size,
        &nal_error);
    if (nal_error) {
      if (first_error == NULL)
        first_error = nal_error;
      else
        g_error_free (nal_error);
      continue;
    }
    if (s == NULL)
      continue;
    g_clear_pointer (&found, gc_sei_state_free);
    found = s;
  }
  if (found == NULL && first_error) {
    g_propagate_error (error, g_steal_pointer (&first_error));
    return NULL;
  }
  return g_steal_pointer (&found);
}

gboolean
gc_sei_insertion_offset (GcSeiCodec codec, const guint8 *data, gsize size,
    guint nal_length_size, gsize *offset)
{
  g_autoptr (GArray) nals = g_array_new (FALSE, FALSE, sizeof (GcSeiNal));

  if (!gc_sei_split_au (codec, data, size, nal_length_size, nals, NULL))
    return FALSE;
  for (guint i = 0; i < nals->len; i++) {
    const GcSeiNal *n = &g_array_index (nals, GcSeiNal, i);
    if (is_vcl (codec, n->type)) {
      *offset = n->prefix_offset;
      return TRUE;
    }
  }
  return FALSE;
}

guint
gc_sei_nal_length_size (GcSeiCodec codec, const guint8 *codec_data, gsize size)
{
  if (codec_data == NULL)
    return 0;
  if (codec == GC_SEI_CODEC_H264) {
    /* avcC: configurationVersion 1, ..., lengthSizeMinusOne in byte 4. */
    if (size < 7 || codec_data[0] != 1)
      return 0;
    return (codec_data[4] & 0x03) + 1;
  }
  /* hvcC: lengthSizeMinusOne in byte 21.  Some muxers wrote version 0. */
  if (size < 23 || codec_data[0] > 1)
    return 0;
  return (codec_data[21] & 0x03) + 1;
}

/* ------------------------------------------------------------------ */
/* Byte budget */

typedef struct
{
  guint64 t;
  gsize bytes;
} Spent;

struct _GcSeiBudget
{
  guint rate;
  GQueue spent;                 /* of Spent*, oldest first */
  gsize total;                  /* sum over spent */
  guint64 last_t;
  gboolean have_last;
};

GcSeiBudget *
gc_sei_budget_new (guint bytes_per_second)
{
  GcSeiBudget *b = g_new0 (GcSeiBudget, 1);
  b->rate = bytes_per_second;
  g_queue_init (&b->spent);
  return b;
}

void
gc_sei_budget_reset (GcSeiBudget *budget)
{
  g_queue_clear_full (&budget->spent, g_free);
  budget->total = 0;
  budget->have_last = FALSE;
}

void
gc_sei_budget_free (GcSeiBudget *budget)
{
  if (budget == NULL)
    return;
  gc_sei_budget_reset (budget);
  g_free (budget);
}

void
gc_sei_budget_set_rate (GcSeiBudget *budget, guint bytes_per_second)
{
  budget->rate = bytes_per_second;
}

gboolean
gc_sei_budget_take (GcSeiBudget *budget, guint64 t_ns, gsize bytes,
    GcSeiPriority priority)
{
  if (budget->have_last && t_ns < budget->last_t)
    gc_sei_budget_reset (budget);
  budget->last_t = t_ns;
  budget->have_last = TRUE;

  /* What was written more than a second ago no longer counts. */
  Spent *head;
  while ((head = g_queue_peek_head (&budget->spent))
      && head->t + G_USEC_PER_SEC * 1000 <= t_ns) {
    budget->total -= head->bytes;
    g_free (g_queue_pop_head (&budget->spent));
  }

  gsize limit = budget->rate;
  if (priority == GC_SEI_PRIORITY_REPEAT)
    limit = limit / 4 * 3;
  if (budget->total + bytes > limit)
    return FALSE;

  Spent *s = g_new (Spent, 1);
  s->t = t_ns;
  s->bytes = bytes;
  g_queue_push_tail (&budget->spent, s);
  budget->total += bytes;
  return TRUE;
}
