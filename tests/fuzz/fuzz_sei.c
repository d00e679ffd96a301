/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the SEI reader (gc-sei).
 *
 * The first input byte picks the codec (bit 0) and the framing (bits 1-3:
 * 0 byte-stream, 1..4 length-prefix size, else a bare payload or a bare
 * NAL unit); the rest is the untrusted data.  Beyond "does not crash or
 * read out of bounds", it checks what the reader promises: a state it
 * returns is within the format's bounds, and writing it again gives a
 * payload that reads back the same.  A broken promise aborts, which
 * libFuzzer reports like a crash. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gc-error.h"
#include "gc-sei.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) { \
      g_printerr ("fuzz_sei: invariant failed: %s (%s:%d)\n", #cond, \
          __FILE__, __LINE__); \
      abort (); \
    } \
  } G_STMT_END

static void
check_string (const gchar * s)
{
  if (s == NULL)
    return;
  CHECK (strlen (s) <= GC_SEI_MAX_STRING);
  CHECK (g_utf8_validate (s, -1, NULL));
}

static void
check_state (GcSeiCodec codec, GcSeiState * s)
{
  CHECK (s->violations->len <= GC_SEI_MAX_VIOLATIONS);
  check_string (s->active_sku);
  check_string (s->sponsor);
  for (guint i = 0; i < s->violations->len; i++) {
    GcViolation *v = g_ptr_array_index (s->violations, i);
    CHECK (v->rule && v->rule[0]);
    check_string (v->rule);
    check_string (v->sku);
    check_string (v->observed);
    check_string (v->declared);
    CHECK (v->box.x >= 0 && v->box.y >= 0 && v->box.w >= 0 && v->box.h >= 0);
    CHECK (v->t_start >= 0);
  }

  /* What was read can be written again, and reads back the same. */
  GBytes *payload = gc_sei_payload_encode (s, GC_SEI_MAX_PAYLOAD);
  CHECK (payload != NULL);
  gsize n;
  const guint8 *p = g_bytes_get_data (payload, &n);
  CHECK (n <= GC_SEI_MAX_PAYLOAD);
  GBytes *nal = gc_sei_build_nal (codec, p, n);
  CHECK (nal != NULL);
  gsize nal_size;
  const guint8 *nal_data = g_bytes_get_data (nal, &nal_size);
  GcSeiState *again = gc_sei_parse_nal (codec, nal_data, nal_size, NULL);
  CHECK (again != NULL);
  /* Re-encoding is canonical (no extension bytes, shortest varints), so
   * it is never longer than what was read and nothing is dropped. */
  CHECK (!again->truncated);
  CHECK (gc_sei_state_equal (s, again));
  CHECK (again->pts == s->pts);
  gc_sei_state_free (again);
  g_bytes_unref (nal);
  g_bytes_unref (payload);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean initialised = FALSE;

  if (!initialised) {
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    initialised = TRUE;
  }
  if (size < 1)
    return 0;

  GcSeiCodec codec = (data[0] & 1) ? GC_SEI_CODEC_H265 : GC_SEI_CODEC_H264;
  guint mode = (data[0] >> 1) & 7;
  const guint8 *body = data + 1;
  gsize len = size - 1;
  GError *error = NULL;
  GcSeiState *s;

  if (mode <= 4) {
    s = gc_sei_parse_au (codec, body, len, mode, &error);
    /* The AU helpers must agree with the parser on what is there. */
    gsize off;
    if (gc_sei_insertion_offset (codec, body, len, mode, &off))
      CHECK (off < len);
  } else if (mode == 5) {
    s = gc_sei_payload_decode (body, len, &error);
  } else {
    s = gc_sei_parse_nal (codec, body, len, &error);
  }

  if (s == NULL) {
    if (error) {
      CHECK (error->domain == GC_ERROR && error->code == GC_ERROR_PARSE);
      CHECK (g_utf8_validate (error->message, -1, NULL));
      g_error_free (error);
    }
    return 0;
  }
  CHECK (error == NULL);
  check_state (codec, s);
  gc_sei_state_free (s);
  return 0;
}
