/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gc-sei: the compliance state in SEI user_data_unregistered — payload
 * round trips, NAL building and parsing for H.264 and H.265, emulation
 * prevention, access-unit splitting, bad input, the byte budget. */
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "gc-error.h"
#include "gc-rulepack.h"
#include "gc-sei.h"
}

namespace {

using Bytes = std::vector<guint8>;

GcViolation *
violation (const char *rule, const char *severity, guint64 id)
{
  GcViolation *v = gc_violation_new (rule);
  v->severity = g_strdup (severity);
  v->sku = g_strdup ("A1001");
  v->observed = g_strdup ("¥89.00");
  v->declared = g_strdup ("¥99.00");
  v->legal_ref = g_strdup ("not carried");
  v->t_start = 12.345;
  v->box = { 100, 150, 120, 30 };
  v->id = id;
  return v;
}

GcSeiState *
sample_state ()
{
  GcSeiState *s = gc_sei_state_new ();
  s->pts = 1234567890;
  s->frame_width = 1280;
  s->frame_height = 720;
  s->active_sku = g_strdup ("A1001");
  s->sponsor = g_strdup ("Brand X");
  s->disclosure_required = TRUE;
  s->disclosure_visible = FALSE;
  GcViolation *v = violation (GC_RULE_PRICE_MISMATCH, "error", 7);
  gc_sei_state_add_violation (s, v);
  gc_violation_unref (v);
  v = violation ("custom.rule", "warning", 8);
  g_clear_pointer (&v->declared, g_free);
  v->box = { 0, 0, 0, 0 };
  gc_sei_state_add_violation (s, v);
  gc_violation_unref (v);
  return s;
}

Bytes
to_vec (GBytes *b)
{
  gsize n;
  const guint8 *d = (const guint8 *) g_bytes_get_data (b, &n);
  return Bytes (d, d + n);
}

Bytes
encode (const GcSeiState *s, gsize max = GC_SEI_MAX_PAYLOAD)
{
  GBytes *b = gc_sei_payload_encode (s, max);
  EXPECT_NE (b, nullptr);
  if (!b)
    return {};
  Bytes out = to_vec (b);
  g_bytes_unref (b);
  return out;
}

Bytes
build_nal (GcSeiCodec codec, const Bytes &payload)
{
  GBytes *b = gc_sei_build_nal (codec, payload.data (), payload.size ());
  EXPECT_NE (b, nullptr);
  Bytes out = to_vec (b);
  g_bytes_unref (b);
  return out;
}

GcViolation *
vat (const GcSeiState *s, guint i)
{
  return (GcViolation *) g_ptr_array_index (s->violations, i);
}

TEST (SeiPayload, RoundTripKeepsEveryCarriedField)
{
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes p = encode (s);
  EXPECT_EQ (p[0], GC_SEI_VERSION);
  EXPECT_LT (p.size (), 120u) << "compact";
  g_autoptr (GError) err = nullptr;
  g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), &err);
  ASSERT_NE (d, nullptr) << err->message;
  EXPECT_EQ (d->pts, 1234567890u);
  EXPECT_EQ (d->frame_width, 1280u);
  EXPECT_EQ (d->frame_height, 720u);
  EXPECT_STREQ (d->active_sku, "A1001");
  EXPECT_STREQ (d->sponsor, "Brand X");
  EXPECT_TRUE (d->disclosure_required);
  EXPECT_FALSE (d->disclosure_visible);
  EXPECT_FALSE (d->truncated);
  ASSERT_EQ (d->violations->len, 2u);
  GcViolation *v = vat (d, 0);
  EXPECT_STREQ (v->rule, "price.mismatch");
  EXPECT_STREQ (v->severity, "error");
  EXPECT_STREQ (v->sku, "A1001");
  EXPECT_STREQ (v->observed, "¥89.00");
  EXPECT_STREQ (v->declared, "¥99.00");
  EXPECT_EQ (v->legal_ref, nullptr) << "legal refs come from the reader's pack";
  EXPECT_DOUBLE_EQ (v->t_start, 12.345);
  EXPECT_EQ (v->box.x, 100);
  EXPECT_EQ (v->box.h, 30);
  EXPECT_EQ (v->id, 7u);
  v = vat (d, 1);
  EXPECT_STREQ (v->rule, "custom.rule") << "unknown ids travel as strings";
  EXPECT_STREQ (v->severity, "warning");
  EXPECT_EQ (v->declared, nullptr);
  EXPECT_EQ (v->box.w, 0);
  EXPECT_TRUE (gc_sei_state_equal (s, d));
}

TEST (SeiPayload, EmptyStateAndNoPts)
{
  g_autoptr (GcSeiState) s = gc_sei_state_new ();
  Bytes p = encode (s);
  EXPECT_LE (p.size (), 5u);
  g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), nullptr);
  ASSERT_NE (d, nullptr);
  EXPECT_EQ (d->pts, GC_SEI_PTS_NONE);
  EXPECT_EQ (d->active_sku, nullptr);
  EXPECT_EQ (d->violations->len, 0u);
}

/* The first release's rules go on the wire as one byte; a rule added
 * since goes by id (code 0), which readers built before it accept, and its
 * reserved code is still decoded. */
TEST (SeiPayload, EveryStableRuleIdHasACode)
{
  for (guint i = 0; gc_rule_ids[i]; i++) {
    const GcRuleDef *def = gc_rule_def (gc_rule_ids[i]);
    GcSeiRule code = gc_sei_rule_code (gc_rule_ids[i]);
    if (def->first_release)
      EXPECT_EQ (code, def->sei_code) << gc_rule_ids[i];
    else
      EXPECT_EQ (code, GC_SEI_RULE_OTHER) << gc_rule_ids[i];
    EXPECT_STREQ (gc_sei_rule_name (def->sei_code), gc_rule_ids[i]);
    g_autoptr (GcSeiState) s = gc_sei_state_new ();
    GcViolation *v = gc_violation_new (gc_rule_ids[i]);
    gc_sei_state_add_violation (s, v);
    gc_violation_unref (v);
    Bytes p = encode (s);
    if (def->first_release)
      EXPECT_LE (p.size (), 10u) << "a known id costs one byte";
    else
      EXPECT_LE (p.size (), 11u + strlen (gc_rule_ids[i])) << "by id";
    g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), nullptr);
    ASSERT_NE (d, nullptr);
    EXPECT_STREQ (vat (d, 0)->rule, gc_rule_ids[i]);
    /* A writer that uses the code is read too. */
    Bytes coded = { 1, 0, 0, 0, 1, 4, def->sei_code, 0, 0, 0 };
    g_autoptr (GcSeiState) c = gc_sei_payload_decode (coded.data (),
        coded.size (), nullptr);
    ASSERT_NE (c, nullptr) << gc_rule_ids[i];
    EXPECT_STREQ (vat (c, 0)->rule, gc_rule_ids[i]);
  }
  EXPECT_EQ (gc_sei_rule_name ((GcSeiRule) 99), nullptr);
}

TEST (SeiPayload, LongStringsAreCutAtACharacterBoundary)
{
  g_autoptr (GcSeiState) s = gc_sei_state_new ();
  std::string sku;
  for (int i = 0; i < 40; i++)
    sku += "价";                /* 3 bytes each: 64 falls inside one */
  s->active_sku = g_strdup (sku.c_str ());
  s->sponsor = g_strdup ("bad \xff utf8");
  Bytes p = encode (s);
  g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), nullptr);
  ASSERT_NE (d, nullptr);
  EXPECT_EQ (strlen (d->active_sku), 63u);
  EXPECT_TRUE (g_utf8_validate (d->active_sku, -1, nullptr));
  EXPECT_EQ (sku.compare (0, 63, d->active_sku), 0);
  EXPECT_TRUE (g_utf8_validate (d->sponsor, -1, nullptr));
}

TEST (SeiPayload, OversizedStateDropsLowestSeverityAndFlagsTruncation)
{
  g_autoptr (GcSeiState) s = gc_sei_state_new ();
  const char *sev[] = { "info", "warning", "error" };
  for (guint i = 0; i < 30; i++) {
    GcViolation *v = violation (GC_RULE_CLAIM_ABSOLUTE_TERM, sev[i % 3], i);
    g_free (v->observed);
    v->observed = g_strdup (std::string (60, 'a' + i % 26).c_str ());
    gc_sei_state_add_violation (s, v);
    gc_violation_unref (v);
  }
  Bytes p = encode (s);
  EXPECT_LE (p.size (), (gsize) GC_SEI_MAX_PAYLOAD);
  g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), nullptr);
  ASSERT_NE (d, nullptr);
  EXPECT_TRUE (d->truncated);
  ASSERT_GT (d->violations->len, 0u);
  ASSERT_LT (d->violations->len, 30u);
  guint errors = 0, infos = 0;
  for (guint i = 0; i < d->violations->len; i++) {
    errors += g_strcmp0 (vat (d, i)->severity, "error") == 0;
    infos += g_strcmp0 (vat (d, i)->severity, "info") == 0;
  }
  EXPECT_EQ (errors, 10u) << "every error is kept";
  EXPECT_EQ (infos, 0u) << "infos go first";
  /* Kept records stay in the checker's order. */
  for (guint i = 1; i < d->violations->len; i++)
    EXPECT_LT (vat (d, i - 1)->id, vat (d, i)->id);

  /* A tighter cap keeps fewer; one below the bare state fails. */
  Bytes small = encode (s, 100);
  EXPECT_LE (small.size (), 100u);
  EXPECT_EQ (gc_sei_payload_encode (s, 2), nullptr);
}

TEST (SeiPayload, BadInputIsRejectedCleanly)
{
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes p = encode (s);
  /* Every truncation of a valid payload is rejected, never read past. */
  for (gsize n = 0; n < p.size (); n++) {
    g_autoptr (GError) err = nullptr;
    guint8 *copy = (guint8 *) g_memdup2 (p.data (), n);
    GcSeiState *d = gc_sei_payload_decode (copy, n, &err);
    g_free (copy);
    if (d) {
      /* Only a cut right after a whole record can parse, and then it has
       * said fewer records than it claims: impossible, so none parse. */
      gc_sei_state_free (d);
      ADD_FAILURE () << "truncated to " << n << " bytes parsed";
    } else {
      ASSERT_NE (err, nullptr);
      EXPECT_TRUE (g_error_matches (err, GC_ERROR, GC_ERROR_PARSE));
    }
  }

  g_autoptr (GError) err = nullptr;
  Bytes bad = p;
  bad[0] = 2;
  EXPECT_EQ (gc_sei_payload_decode (bad.data (), bad.size (), &err), nullptr);
  EXPECT_NE (std::string (err->message).find ("version 2"), std::string::npos);
  g_clear_error (&err);

  bad = p;
  bad[1] |= 0x80;               /* unknown flag */
  EXPECT_EQ (gc_sei_payload_decode (bad.data (), bad.size (), nullptr), nullptr);

  Bytes big (GC_SEI_MAX_PAYLOAD + 1, 0);
  big[0] = 1;
  EXPECT_EQ (gc_sei_payload_decode (big.data (), big.size (), &err), nullptr);
  g_clear_error (&err);

  /* A string length beyond the limit, a NUL in a string, bad UTF-8. */
  Bytes str = { 1, 0x10, 0, 0, 65 };
  str.resize (5 + 65, 'a');
  EXPECT_EQ (gc_sei_payload_decode (str.data (), str.size (), nullptr), nullptr);
  Bytes nul = { 1, 0x10, 0, 0, 3, 'a', 0, 'b', 0 };
  EXPECT_EQ (gc_sei_payload_decode (nul.data (), nul.size (), nullptr), nullptr);
  Bytes utf = { 1, 0x10, 0, 0, 2, 0xc3, 0x28, 0 };
  EXPECT_EQ (gc_sei_payload_decode (utf.data (), utf.size (), nullptr), nullptr);
  /* An overlong varint, too many violations, an unknown rule code. */
  Bytes varint = { 1, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x7f, 0, 0, 0 };
  EXPECT_EQ (gc_sei_payload_decode (varint.data (), varint.size (), nullptr), nullptr);
  Bytes many = { 1, 0, 0, 0, GC_SEI_MAX_VIOLATIONS + 1 };
  EXPECT_EQ (gc_sei_payload_decode (many.data (), many.size (), nullptr), nullptr);
  Bytes code = { 1, 0, 0, 0, 1, 4, 200, 0, 0, 0 };
  EXPECT_EQ (gc_sei_payload_decode (code.data (), code.size (), nullptr), nullptr);
  /* A record length past the end. */
  Bytes rec = { 1, 0, 0, 0, 1, 50, 1, 0, 0, 0 };
  EXPECT_EQ (gc_sei_payload_decode (rec.data (), rec.size (), nullptr), nullptr);
  EXPECT_EQ (gc_sei_payload_decode (nullptr, 0, nullptr), nullptr);
}

TEST (SeiPayload, LaterRevisionsMayAppendFields)
{
  /* A record with two extra bytes and a payload with an extra tail. */
  Bytes p = { 1, 0, 0, 0, 1, 6, 1, 0, 5, 0, 0xaa, 0xbb, 0xcc };
  g_autoptr (GcSeiState) d = gc_sei_payload_decode (p.data (), p.size (), nullptr);
  ASSERT_NE (d, nullptr);
  ASSERT_EQ (d->violations->len, 1u);
  EXPECT_STREQ (vat (d, 0)->rule, "price.mismatch");
  EXPECT_EQ (vat (d, 0)->id, 5u);
}

/* ------------------------------------------------------------------ */

TEST (SeiEmulation, ZeroRunsAreEscapedAndRestored)
{
  struct Case { Bytes in, out; } cases[] = {
    { {0, 0, 0}, {0, 0, 3, 0} },
    { {0, 0, 1}, {0, 0, 3, 1} },
    { {0, 0, 2}, {0, 0, 3, 2} },
    { {0, 0, 3}, {0, 0, 3, 3} },
    { {0, 0, 4}, {0, 0, 4} },
    { {0, 0, 0, 0, 0}, {0, 0, 3, 0, 0, 3, 0} },
    { {1, 0, 0, 1, 0, 0, 1}, {1, 0, 0, 3, 1, 0, 0, 3, 1} },
    { {0, 0}, {0, 0} },
  };
  for (auto &c : cases) {
    g_autoptr (GByteArray) e = gc_sei_add_emulation_prevention (c.in.data (), c.in.size ());
    EXPECT_EQ (Bytes (e->data, e->data + e->len), c.out);
    g_autoptr (GByteArray) r = gc_sei_remove_emulation_prevention (e->data, e->len);
    EXPECT_EQ (Bytes (r->data, r->data + r->len), c.in);
  }
}

/* No 00 00 0x (x <= 2) may appear inside an escaped NAL unit. */
void
expect_no_start_code (const Bytes &nal)
{
  for (gsize i = 0; i + 2 < nal.size (); i++)
    ASSERT_FALSE (nal[i] == 0 && nal[i + 1] == 0 && nal[i + 2] <= 2)
        << "start code emulated at byte " << i;
}

class SeiNal : public ::testing::TestWithParam<GcSeiCodec> {};

TEST_P (SeiNal, BuildsAWellFormedUserDataUnregisteredNal)
{
  GcSeiCodec codec = GetParam ();
  Bytes payload = { 1, 2, 3 };
  Bytes nal = build_nal (codec, payload);
  gsize hs = codec == GC_SEI_CODEC_H264 ? 1 : 2;
  if (codec == GC_SEI_CODEC_H264) {
    EXPECT_EQ (nal[0], 0x06);
  } else {
    EXPECT_EQ (nal[0], 39 << 1);
    EXPECT_EQ (nal[1], 0x01);
  }
  EXPECT_EQ (nal[hs], 5) << "payload type user_data_unregistered";
  EXPECT_EQ (nal[hs + 1], 16 + 3) << "payload size";
  EXPECT_EQ (memcmp (&nal[hs + 2], gc_sei_uuid, 16), 0);
  EXPECT_EQ (Bytes (nal.begin () + hs + 18, nal.begin () + hs + 21), payload);
  EXPECT_EQ (nal.back (), 0x80) << "rbsp trailing bits";
  EXPECT_EQ (nal.size (), hs + 2 + 16 + 3 + 1);
}

TEST_P (SeiNal, RoundTripWithEmulationPreventionAndLongSizes)
{
  GcSeiCodec codec = GetParam ();
  /* A state whose payload is full of zeros (pts 0, empty strings, ids 0)
   * and, separately, sizes that need 0xFF-coding. */
  g_autoptr (GcSeiState) s = gc_sei_state_new ();
  s->pts = 0;
  s->active_sku = g_strdup ("");
  for (guint i = 0; i < 30; i++) {
    GcViolation *v = gc_violation_new ("x");
    v->severity = g_strdup ("error");
    v->sku = g_strdup ("");
    v->observed = g_strdup (std::string (i, 'o').c_str ());
    v->box = { 0, 0, 0, 1 };
    v->id = i;
    gc_sei_state_add_violation (s, v);
    gc_violation_unref (v);
  }
  Bytes p = encode (s);
  ASSERT_GT (p.size (), 255u + 255u) << "size coded with two 0xFF bytes";
  Bytes nal = build_nal (codec, p);
  gsize hs = codec == GC_SEI_CODEC_H264 ? 1 : 2;
  EXPECT_EQ (nal[hs + 1], 0xff);
  expect_no_start_code (nal);
  g_autoptr (GError) err = nullptr;
  g_autoptr (GcSeiState) d = gc_sei_parse_nal (codec, nal.data (), nal.size (), &err);
  ASSERT_NE (d, nullptr) << (err ? err->message : "not found");
  EXPECT_TRUE (gc_sei_state_equal (s, d));
  EXPECT_EQ (d->pts, 0u);

  /* Zero-heavy small payloads, exhaustively over a few shapes. */
  for (guint n = 0; n < 40; n++) {
    Bytes zeros = { 1, 0x08 };
    zeros.resize (2 + n, 0);
    Bytes z = build_nal (codec, zeros);
    expect_no_start_code (z);
  }
}

TEST_P (SeiNal, ForeignSeiIsIgnoredAndOursFoundAmongOthers)
{
  GcSeiCodec codec = GetParam ();
  gsize hs = codec == GC_SEI_CODEC_H264 ? 1 : 2;
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes ours = build_nal (codec, encode (s));
  /* Prepend a recovery point (type 6, 1 byte) and another UUID's
   * user data (type 5) in the same NAL. */
  Bytes nal (ours.begin (), ours.begin () + hs);
  Bytes other = { 6, 1, 0x84, 5, 17 };
  for (int i = 0; i < 16; i++)
    other.push_back (0x11);
  other.push_back (0x42);
  nal.insert (nal.end (), other.begin (), other.end ());
  nal.insert (nal.end (), ours.begin () + hs, ours.end ());
  g_autoptr (GcSeiState) d = gc_sei_parse_nal (codec, nal.data (), nal.size (), nullptr);
  ASSERT_NE (d, nullptr);
  EXPECT_STREQ (d->active_sku, "A1001");

  /* Only foreign messages: nothing, and no error. */
  Bytes foreign (ours.begin (), ours.begin () + hs);
  foreign.insert (foreign.end (), other.begin (), other.end ());
  foreign.push_back (0x80);
  g_autoptr (GError) err = nullptr;
  EXPECT_EQ (gc_sei_parse_nal (codec, foreign.data (), foreign.size (), &err), nullptr);
  EXPECT_EQ (err, nullptr);
}

TEST_P (SeiNal, MalformedNalsAreRejected)
{
  GcSeiCodec codec = GetParam ();
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes nal = build_nal (codec, encode (s));
  for (gsize n = 0; n < nal.size () - 1; n++) {
    g_autoptr (GError) err = nullptr;
    guint8 *copy = (guint8 *) g_memdup2 (nal.data (), n);
    GcSeiState *d = gc_sei_parse_nal (codec, copy, n, &err);
    g_free (copy);
    EXPECT_EQ (d, nullptr) << "cut to " << n;
    if (d)
      gc_sei_state_free (d);
  }
  /* A size claiming more than there is. */
  gsize hs = codec == GC_SEI_CODEC_H264 ? 1 : 2;
  Bytes lie (nal.begin (), nal.begin () + hs);
  Bytes body = { 5, 0xff, 0xff, 0x10 };
  lie.insert (lie.end (), body.begin (), body.end ());
  g_autoptr (GError) err = nullptr;
  EXPECT_EQ (gc_sei_parse_nal (codec, lie.data (), lie.size (), &err), nullptr);
  EXPECT_NE (err, nullptr);
  /* Not an SEI NAL at all. */
  Bytes slice = { 0x65, 0x88, 0x80 };
  if (codec == GC_SEI_CODEC_H265)
    slice = { 0x26, 0x01, 0xaf };
  EXPECT_EQ (gc_sei_parse_nal (codec, slice.data (), slice.size (), nullptr), nullptr);
}

INSTANTIATE_TEST_SUITE_P (Codecs, SeiNal,
    ::testing::Values (GC_SEI_CODEC_H264, GC_SEI_CODEC_H265),
    [] (const ::testing::TestParamInfo<GcSeiCodec> &i) {
      return std::string (i.param == GC_SEI_CODEC_H264 ? "H264" : "H265");
    });

/* ------------------------------------------------------------------ */

Bytes
annexb (const std::vector<Bytes> &nals, bool long_codes = true)
{
  Bytes out;
  for (auto &n : nals) {
    if (long_codes)
      out.push_back (0);
    out.insert (out.end (), { 0, 0, 1 });
    out.insert (out.end (), n.begin (), n.end ());
  }
  return out;
}

Bytes
length_prefixed (const std::vector<Bytes> &nals, guint size)
{
  Bytes out;
  for (auto &n : nals) {
    for (guint i = 0; i < size; i++)
      out.push_back ((n.size () >> (8 * (size - 1 - i))) & 0xff);
    out.insert (out.end (), n.begin (), n.end ());
  }
  return out;
}

const Bytes kAud = { 0x09, 0xf0 };
const Bytes kSps = { 0x67, 0x42, 0x00, 0x1e };
const Bytes kPps = { 0x68, 0xce, 0x38, 0x80 };
const Bytes kIdr = { 0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01, 0x23 };

TEST (SeiAccessUnit, InsertionGoesBeforeTheFirstSliceAndParsesBack)
{
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes sei = build_nal (GC_SEI_CODEC_H264, encode (s));
  for (bool long_codes : { true, false }) {
    Bytes au = annexb ({ kAud, kSps, kPps, kIdr }, long_codes);
    gsize off = 0;
    ASSERT_TRUE (gc_sei_insertion_offset (GC_SEI_CODEC_H264, au.data (), au.size (), 0, &off));
    EXPECT_EQ (off, (long_codes ? 4u : 3u) * 3 + kAud.size () + kSps.size () + kPps.size ());
    Bytes with (au.begin (), au.begin () + off);
    with.insert (with.end (), { 0, 0, 0, 1 });
    with.insert (with.end (), sei.begin (), sei.end ());
    with.insert (with.end (), au.begin () + off, au.end ());
    g_autoptr (GArray) nals = g_array_new (FALSE, FALSE, sizeof (GcSeiNal));
    ASSERT_TRUE (gc_sei_split_au (GC_SEI_CODEC_H264, with.data (), with.size (), 0, nals, nullptr));
    ASSERT_EQ (nals->len, 5u);
    EXPECT_EQ (g_array_index (nals, GcSeiNal, 3).type, 6u);
    EXPECT_EQ (g_array_index (nals, GcSeiNal, 4).type, 5u);
    EXPECT_EQ (g_array_index (nals, GcSeiNal, 4).size, kIdr.size ());
    g_autoptr (GcSeiState) d = gc_sei_parse_au (GC_SEI_CODEC_H264, with.data (), with.size (), 0, nullptr);
    ASSERT_NE (d, nullptr);
    EXPECT_TRUE (gc_sei_state_equal (s, d));
  }

  for (guint ls : { 1u, 2u, 4u }) {
    Bytes au = length_prefixed ({ kSps, kPps, sei, kIdr }, ls);
    g_autoptr (GcSeiState) d = gc_sei_parse_au (GC_SEI_CODEC_H264, au.data (), au.size (), ls, nullptr);
    ASSERT_NE (d, nullptr) << ls;
    Bytes plain = length_prefixed ({ kSps, kIdr }, ls);
    gsize off = 0;
    ASSERT_TRUE (gc_sei_insertion_offset (GC_SEI_CODEC_H264, plain.data (), plain.size (), ls, &off));
    EXPECT_EQ (off, ls + kSps.size ());
    EXPECT_EQ (gc_sei_parse_au (GC_SEI_CODEC_H264, plain.data (), plain.size (), ls, nullptr), nullptr);
  }
}

TEST (SeiAccessUnit, H265PrefixSeiGoesAfterParameterSets)
{
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes sei = build_nal (GC_SEI_CODEC_H265, encode (s));
  Bytes aud = { 0x46, 0x01, 0x50 }, vps = { 0x40, 0x01, 0x0c }, sps = { 0x42, 0x01, 0x01 },
      pps = { 0x44, 0x01, 0xc1 }, idr = { 0x26, 0x01, 0xaf, 0x00, 0x00, 0x03, 0x00 },
      trail = { 0x02, 0x01, 0xd0 };
  Bytes au = annexb ({ aud, vps, sps, pps, idr });
  gsize off = 0;
  ASSERT_TRUE (gc_sei_insertion_offset (GC_SEI_CODEC_H265, au.data (), au.size (), 0, &off));
  EXPECT_EQ (off, 4u * 4 + 12);
  Bytes au2 = annexb ({ sei, trail });
  g_autoptr (GcSeiState) d = gc_sei_parse_au (GC_SEI_CODEC_H265, au2.data (), au2.size (), 0, nullptr);
  ASSERT_NE (d, nullptr);
  EXPECT_TRUE (gc_sei_state_equal (s, d));
  /* The same bytes read as H.264 are not our SEI. */
  EXPECT_EQ (gc_sei_parse_au (GC_SEI_CODEC_H264, au2.data (), au2.size (), 0, nullptr), nullptr);
}

TEST (SeiAccessUnit, BrokenAccessUnitsFailCleanly)
{
  g_autoptr (GError) err = nullptr;
  g_autoptr (GArray) nals = g_array_new (FALSE, FALSE, sizeof (GcSeiNal));
  Bytes junk = { 0x12, 0x34, 0x56 };
  EXPECT_FALSE (gc_sei_split_au (GC_SEI_CODEC_H264, junk.data (), junk.size (), 0, nals, &err));
  g_clear_error (&err);
  Bytes lie = { 0, 0, 0, 200, 0x65, 0x00 };
  EXPECT_FALSE (gc_sei_split_au (GC_SEI_CODEC_H264, lie.data (), lie.size (), 4, nals, &err));
  EXPECT_NE (std::string (err->message).find ("past the end"), std::string::npos);
  g_clear_error (&err);
  Bytes cut = { 0, 0 };
  EXPECT_FALSE (gc_sei_split_au (GC_SEI_CODEC_H264, cut.data (), cut.size (), 4, nals, &err));
  g_clear_error (&err);
  EXPECT_FALSE (gc_sei_split_au (GC_SEI_CODEC_H264, cut.data (), cut.size (), 5, nals, &err));
  g_clear_error (&err);
  gsize off;
  EXPECT_FALSE (gc_sei_insertion_offset (GC_SEI_CODEC_H264, junk.data (), junk.size (), 0, &off));
  Bytes no_vcl = annexb ({ kSps, kPps });
  EXPECT_FALSE (gc_sei_insertion_offset (GC_SEI_CODEC_H264, no_vcl.data (), no_vcl.size (), 0, &off));
  /* Empty NAL units and start codes at the very end. */
  Bytes odd = { 0, 0, 1, 0, 0, 1, 0x65, 0, 0, 1 };
  EXPECT_TRUE (gc_sei_split_au (GC_SEI_CODEC_H264, odd.data (), odd.size (), 0, nals, nullptr));

  /* A good SEI followed by a broken length prefix is still found. */
  g_autoptr (GcSeiState) s = sample_state ();
  Bytes sei = build_nal (GC_SEI_CODEC_H264, encode (s));
  Bytes au = length_prefixed ({ sei }, 4);
  au.insert (au.end (), { 0, 0, 9, 9, 1 });
  g_autoptr (GcSeiState) d = gc_sei_parse_au (GC_SEI_CODEC_H264, au.data (), au.size (), 4, &err);
  EXPECT_NE (d, nullptr);
  EXPECT_EQ (err, nullptr);
  /* A corrupt SEI of ours is an error, not a crash. */
  Bytes bad = sei;
  bad[1 + 2 + 16] = 9;          /* version byte */
  Bytes au2 = annexb ({ bad, kIdr });
  EXPECT_EQ (gc_sei_parse_au (GC_SEI_CODEC_H264, au2.data (), au2.size (), 0, &err), nullptr);
  ASSERT_NE (err, nullptr);
}

TEST (SeiAccessUnit, LengthSizeFromCodecData)
{
  Bytes avcc = { 1, 0x42, 0, 0x1e, 0xff, 0xe1, 0 };
  EXPECT_EQ (gc_sei_nal_length_size (GC_SEI_CODEC_H264, avcc.data (), avcc.size ()), 4u);
  avcc[4] = 0xfd;
  EXPECT_EQ (gc_sei_nal_length_size (GC_SEI_CODEC_H264, avcc.data (), avcc.size ()), 2u);
  EXPECT_EQ (gc_sei_nal_length_size (GC_SEI_CODEC_H264, avcc.data (), 5), 0u);
  Bytes hvcc (23, 0);
  hvcc[0] = 1;
  hvcc[21] = 0x0f;
  EXPECT_EQ (gc_sei_nal_length_size (GC_SEI_CODEC_H265, hvcc.data (), hvcc.size ()), 4u);
  EXPECT_EQ (gc_sei_nal_length_size (GC_SEI_CODEC_H265, hvcc.data (), 22), 0u);
}

/* ------------------------------------------------------------------ */

TEST (SeiBudget, NeverMoreThanTheRateInAnySecond)
{
  g_autoptr (GcSeiBudget) b = gc_sei_budget_new (1000);
  const guint64 ms = 1000000;
  /* 100-byte writes every 10 ms: 10 fit in any second. */
  std::vector<guint64> written;
  for (guint64 t = 0; t < 5000; t += 10)
    if (gc_sei_budget_take (b, t * ms, 100, GC_SEI_PRIORITY_CHANGE))
      written.push_back (t);
  for (gsize i = 0; i < written.size (); i++) {
    gsize in_window = 0;
    for (gsize j = i; j < written.size () && written[j] < written[i] + 1000; j++)
      in_window++;
    EXPECT_LE (in_window * 100, 1000u);
  }
  EXPECT_GE (written.size (), 45u);
}

TEST (SeiBudget, RepeatsLeaveRoomForChanges)
{
  g_autoptr (GcSeiBudget) b = gc_sei_budget_new (1000);
  EXPECT_TRUE (gc_sei_budget_take (b, 0, 700, GC_SEI_PRIORITY_REPEAT));
  EXPECT_FALSE (gc_sei_budget_take (b, 1, 100, GC_SEI_PRIORITY_REPEAT));
  EXPECT_TRUE (gc_sei_budget_take (b, 2, 300, GC_SEI_PRIORITY_CHANGE));
  EXPECT_FALSE (gc_sei_budget_take (b, 3, 1, GC_SEI_PRIORITY_CHANGE));
  EXPECT_TRUE (gc_sei_budget_take (b, 1000000002ull, 1000, GC_SEI_PRIORITY_CHANGE));
  /* Time going back (a new segment) starts over. */
  EXPECT_TRUE (gc_sei_budget_take (b, 5, 1000, GC_SEI_PRIORITY_CHANGE));
  EXPECT_FALSE (gc_sei_budget_take (b, 6, 2000, GC_SEI_PRIORITY_CHANGE));
}

}  // namespace
