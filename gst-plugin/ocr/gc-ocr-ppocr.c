/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PP-OCR side of the OCR engine: PaddleOCR's PP-OCRv4 text detector
 * (DB) and recognizer (SVTR-LCNet, CTC) run by ONNX Runtime's C API.
 *
 * ONNX Runtime is opened with dlopen at engine creation, not linked: a
 * machine without it still runs the Tesseract engine (engine=auto falls
 * back and says why), and the build needs only the C API header.  The
 * header may be older than the library (1.21 header, 1.30 library on
 * Debian 12): the C API is versioned and backward compatible, and we ask
 * for the header's version.
 *
 * Measured on this project's 2-core machine, one thread: rec ~24 ms for a
 * 48x320 line; det 173 ms at 544x960, 350 ms at 736x1280 (the published
 * models, when this was written; see DET_MODEL_FUSED for the folded ones:
 * det 72 ms and 135 ms, rec 10 ms on 2026-12-05).
 *
 * What the models expect (PaddleOCR's own pre- and post-processing):
 * - det: BGR, x/255 then ImageNet mean/std per channel, both sides a
 *   multiple of 32; output a text probability map at input size.  Text
 *   kernels are shrunk; a box is grown back by area * 1.5 / perimeter
 *   ("unclip").
 * - rec: BGR, height 48, (x/255 - 0.5) / 0.5, padded on the right with 0;
 *   output softmax over 6625 classes per 8 px: blank, the 6623 keys of
 *   ppocr_keys_v1.txt, and a space.
 *
 * Threading: a GcPpocr is used by one thread at a time; its sessions'
 * intra-op thread pools (threads - 1 extra threads each) belong to it.
 * The ONNX Runtime environment is shared by the process, reference
 * counted under env_lock; so is the tensor allocator registered with it,
 * which any thread of ONNX Runtime's may call: its memory comes from
 * gc-ocr-blocks.c. */
#include "gc-ocr-private.h"

#include "gc-error.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef GC_OCR_HAVE_ORT

/* Built without ONNX Runtime's header: PP-OCR cannot be opened, and says
 * so; engine=auto reads with Tesseract. */
GcPpocr *
gc_ppocr_new (const gchar * models_dir, const gchar * library, gint threads,
    GError ** error)
{
  g_set_error (error, GC_ERROR, GC_ERROR_IO, "PP-OCR: this build has no "
      "PP-OCR reader (ONNX Runtime's C API header was not found when it was "
      "configured: run tools/setup, then meson setup --reconfigure)");
  return NULL;
}

void
gc_ppocr_free (GcPpocr * pp)
{
  g_assert (pp == NULL);
}

gboolean
gc_ocr_pp_cut_at_edge (const GcOcrFrame * frame, const GcOcrBox * box)
{
  return FALSE;
}

const gchar *
gc_ppocr_library (GcPpocr * pp)
{
  g_return_val_if_reached (NULL);
}

const gchar *
gc_ppocr_models (GcPpocr * pp)
{
  g_return_val_if_reached (NULL);
}

guint
gc_ppocr_rec_calls (GcPpocr * pp)
{
  g_return_val_if_reached (0);
}

guint
gc_ppocr_det_calls (GcPpocr * pp)
{
  g_return_val_if_reached (0);
}

guint64
gc_ppocr_det_pixels (GcPpocr * pp)
{
  g_return_val_if_reached (0);
}

void
gc_ppocr_times (GcPpocr * pp, gint64 * det_us, gint64 * rec_us)
{
  g_return_if_reached ();
}

GArray *
gc_ppocr_detect (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * area, gint max_side, GError ** error)
{
  g_return_val_if_reached (NULL);
}

gboolean
gc_ppocr_recognize (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * boxes, guint n, gchar ** texts, gfloat * confidences,
    GArray ** xs, GError ** error)
{
  g_return_val_if_reached (FALSE);
}

#else

#include <onnxruntime_c_api.h>

#define DET_MODEL "ch_PP-OCRv4_det_infer.onnx"
#define REC_MODEL "ch_PP-OCRv4_rec_infer.onnx"
/* The same models with their per-layer scalar arithmetic folded into the
 * convolutions by tools/ppocr-fuse (tools/setup writes them beside the
 * published ones): the same outputs to float rounding, the detector 1.7x
 * and the recognizer 1.6x faster on one thread.  Taken when present and
 * folded from the published model beside it: the tool records that
 * model's SHA-256 in the folded one's metadata, so a directory whose
 * published models were replaced does not read with stale folded ones. */
#define DET_MODEL_FUSED "ch_PP-OCRv4_det_infer.fused.onnx"
#define REC_MODEL_FUSED "ch_PP-OCRv4_rec_infer.fused.onnx"
#define FUSED_FROM_KEY "gst-compliance.fused-from.sha256"
#define REC_KEYS "ppocr_keys_v1.txt"
#define ORT_LIBRARY "libonnxruntime.so.1"

/* PaddleOCR's defaults for PP-OCRv4 (tools/infer/utility.py). */
#define DET_THRESH 0.3f         /* probability a pixel is text */
/* Mean probability of a component's pixels.  PaddleOCR averages over the
 * component's rotated rectangle; over an upright box a tilted line (a
 * sign filmed at an angle) scores ~0.35 and was lost. */
#define DET_BOX_THRESH 0.6f
#define DET_UNCLIP 1.5f
#define DET_MIN_SIDE 3
#define REC_HEIGHT 48
/* Lines narrower than this are padded to it.  PaddleOCR pads every line
 * to 320 px (its training width); the recognizer's cost grows with the
 * width, and at 160 the realistic set, the real frames and the generated
 * sets read the same (a chat handle's colon may come out ":" instead of
 * "："), the set's scan 7% faster.  At 96 the same again, 3% faster
 * still; 160 keeps a margin. */
#define REC_MIN_WIDTH 160
#define REC_MAX_WIDTH 3200
/* Lines per recognizer call: one call with a batch is cheaper than one a
 * line, and lines of similar width are batched so padding stays small. */
#define REC_BATCH 8

static const gfloat det_mean[3] = { 0.485f, 0.456f, 0.406f };
static const gfloat det_std[3] = { 0.229f, 0.224f, 0.225f };

static GMutex env_lock;
static const OrtApi *ort;
static OrtEnv *ort_env;
static OrtMemoryInfo *tensor_info;      /* the allocator below's */
static gboolean tensor_registered;      /* with ort_env: sessions use it */
static guint env_users;
static void *ort_handle;
static gchar *ort_path;          /* the library opened, for messages */

struct _GcPpocr
{
  OrtSession *det;
  OrtSession *rec;
  OrtMemoryInfo *cpu;
  gchar *det_in, *det_out, *rec_in, *rec_out;
  gchar **keys;                 /* class i (1..n_keys) is keys[i - 1] */
  guint n_keys;
  gchar *library;               /* the ONNX Runtime that was opened */
  gchar *models;                /* which models were read, for the user */
  guint rec_calls;              /* recognizer runs, for tests */
  guint det_calls;
  guint64 det_pixels;
  gint64 det_us, rec_us;        /* time in each model, for the debug log */
};

#define ORT_OK(call, what) ort_ok ((call), (what), error)

static gboolean
ort_ok (OrtStatus * status, const gchar * what, GError ** error)
{
  if (status == NULL)
    return TRUE;
  g_set_error (error, GC_ERROR, GC_ERROR_IO, "PP-OCR: %s: %s", what,
      ort->GetErrorMessage (status));
  ort->ReleaseStatus (status);
  return FALSE;
}

/* Where ONNX Runtime is looked for: the caller's path, the environment,
 * next to the installed engine, the one tools/setup put in the build's
 * source tree, then the system's (Debian 13, Ubuntu 24.04). */
static GPtrArray *
library_candidates (const gchar * configured)
{
  GPtrArray *c = g_ptr_array_new_with_free_func (g_free);
  const gchar *env = g_getenv (GC_OCR_ONNXRUNTIME_ENV);

  if (configured && *configured) {
    g_ptr_array_add (c, g_strdup (configured));
    return c;
  }
  if (env && *env) {
    g_ptr_array_add (c, g_strdup (env));
    return c;
  }
#ifdef GC_OCR_ORT_INSTALLED
  g_ptr_array_add (c, g_strdup (GC_OCR_ORT_INSTALLED));
#endif
#ifdef GC_OCR_ORT_BUILD
  g_ptr_array_add (c, g_strdup (GC_OCR_ORT_BUILD));
#endif
  g_ptr_array_add (c, g_strdup (ORT_LIBRARY));
  return c;
}

static void *ORT_API_CALL
ort_tensor_alloc (OrtAllocator * self, size_t size)
{
  return gc_ocr_block_alloc_model (size);
}

static void ORT_API_CALL
ort_tensor_free (OrtAllocator * self, void *p)
{
  gc_ocr_block_free (p);
}

static const OrtMemoryInfo *ORT_API_CALL
ort_tensor_info (const OrtAllocator * self)
{
  return tensor_info;
}

static OrtAllocator tensor_allocator = {
  .version = ORT_API_VERSION,
  .Alloc = ort_tensor_alloc,
  .Free = ort_tensor_free,
  .Info = ort_tensor_info,
  .Reserve = ort_tensor_alloc,
};

static gboolean
env_acquire (const gchar * configured, gchar ** opened, GError ** error)
{
  G_GNUC_UNUSED g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&env_lock);
  g_autoptr (GPtrArray) candidates = NULL;
  g_autoptr (GString) tried = g_string_new (NULL);
  const OrtApiBase *(*get_base) (void);
  const OrtApiBase *base;
  guint i;

  if (ort_env != NULL) {
    env_users++;
    *opened = g_strdup (ort_path);
    return TRUE;
  }
  candidates = library_candidates (configured);
  for (i = 0; i < candidates->len && ort_handle == NULL; i++) {
    const gchar *path = g_ptr_array_index (candidates, i);

    /* A path with a slash is tried only when it exists; a bare soname
     * goes through the system's search. */
    if (strchr (path, '/') && !g_file_test (path, G_FILE_TEST_EXISTS)) {
      g_string_append_printf (tried, "%s%s (absent)", tried->len ? ", " : "",
          path);
      continue;
    }
    ort_handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
    if (ort_handle == NULL)
      g_string_append_printf (tried, "%s%s (%s)", tried->len ? ", " : "",
          path, dlerror ());
    else
      ort_path = g_strdup (path);
  }
  if (ort_handle == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO,
        "PP-OCR: ONNX Runtime not found: tried %s (run tools/setup, or set "
        GC_OCR_ONNXRUNTIME_ENV " to the path of libonnxruntime.so.1)",
        tried->str);
    return FALSE;
  }
  if (ort == NULL) {
    get_base = (const OrtApiBase * (*)(void)) dlsym (ort_handle,
        "OrtGetApiBase");
    base = get_base ? get_base () : NULL;
    ort = base ? base->GetApi (ORT_API_VERSION) : NULL;
    if (ort == NULL) {
      g_set_error (error, GC_ERROR, GC_ERROR_IO,
          "PP-OCR: %s does not offer ONNX Runtime's C API version %d "
          "(it is version %s; 1.%d or later is needed)", ort_path,
          ORT_API_VERSION, base ? base->GetVersionString () : "unknown",
          ORT_API_VERSION);
      dlclose (ort_handle);
      ort_handle = NULL;
      g_clear_pointer (&ort_path, g_free);
      return FALSE;
    }
  }
  if (!ORT_OK (ort->CreateEnv (ORT_LOGGING_LEVEL_ERROR, "gst-compliance",
              &ort_env), "creating the environment"))
    return FALSE;
  /* Sessions take their CPU memory from tensor_allocator
   * (session.use_env_allocators).  The environment is one per process: if
   * something else in it (another plugin using the same library) has
   * registered a CPU allocator already, ours is refused, and the sessions
   * use ONNX Runtime's own, which reads as well. */
  if (!ORT_OK (ort->CreateCpuMemoryInfo (OrtDeviceAllocator,
              OrtMemTypeDefault, &tensor_info), "creating the allocator")) {
    ort->ReleaseEnv (ort_env);
    ort_env = NULL;
    return FALSE;
  }
  {
    g_autoptr (GError) refused = NULL;

    tensor_registered = ort_ok (ort->RegisterAllocator (ort_env,
            &tensor_allocator), "registering the tensor allocator",
        &refused);
    if (!tensor_registered)
      g_warning ("%s; the models' memory comes from ONNX Runtime's own "
          "allocator", refused->message);
  }
  env_users = 1;
  *opened = g_strdup (ort_path);
  return TRUE;
}

static void
env_release (void)
{
  G_GNUC_UNUSED g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&env_lock);

  if (--env_users > 0)
    return;
  if (tensor_registered)
    ort->ReleaseStatus (ort->UnregisterAllocator (ort_env, tensor_info));
  tensor_registered = FALSE;
  ort->ReleaseMemoryInfo (tensor_info);
  tensor_info = NULL;
  ort->ReleaseEnv (ort_env);
  ort_env = NULL;
  /* The library stays mapped: ONNX Runtime registers process-wide state
   * (its logging and thread-local data) that dlclose would pull from
   * under threads still ending. */
}

/* Where the models are looked for: the caller's directory, the
 * environment, the installed models, then the ones tools/setup put in the
 * build's source tree.  The first directory holding the detector is
 * taken. */
static gchar *
find_models (const gchar * configured, GError ** error)
{
  const gchar *env = g_getenv (GC_OCR_PPOCR_MODELS_ENV);
  const gchar *candidates[4] = { NULL };
  g_autoptr (GString) tried = g_string_new (NULL);
  guint n = 0, i;

  if (configured && *configured)
    candidates[n++] = configured;
  else if (env && *env)
    candidates[n++] = env;
  else {
#ifdef GC_OCR_PPOCR_INSTALLED
    candidates[n++] = GC_OCR_PPOCR_INSTALLED;
#endif
#ifdef GC_OCR_PPOCR_BUILD
    candidates[n++] = GC_OCR_PPOCR_BUILD;
#endif
  }
  for (i = 0; i < n; i++) {
    g_autofree gchar *det = g_build_filename (candidates[i], DET_MODEL, NULL);
    g_autofree gchar *rec = g_build_filename (candidates[i], REC_MODEL, NULL);
    g_autofree gchar *keys = g_build_filename (candidates[i], REC_KEYS, NULL);
    const gchar *absent = !g_file_test (det, G_FILE_TEST_IS_REGULAR) ? det
        : !g_file_test (rec, G_FILE_TEST_IS_REGULAR) ? rec
        : !g_file_test (keys, G_FILE_TEST_IS_REGULAR) ? keys : NULL;

    if (absent == NULL)
      return g_strdup (candidates[i]);
    g_string_append_printf (tried, "%s%s", tried->len ? ", " : "", absent);
  }
  g_set_error (error, GC_ERROR, GC_ERROR_IO,
      "PP-OCR: models not found: %s absent (run tools/setup, or set "
      GC_OCR_PPOCR_MODELS_ENV " to a directory holding " DET_MODEL ", "
      REC_MODEL " and " REC_KEYS ")", n ? tried->str : "no directory known");
  return NULL;
}

static gboolean
load_keys (GcPpocr * pp, const gchar * path, GError ** error)
{
  g_autofree gchar *contents = NULL;
  gsize len;
  gchar **lines;
  guint n;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (!g_utf8_validate (contents, len, NULL)) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "PP-OCR: %s is not UTF-8", path);
    return FALSE;
  }
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  /* A final newline leaves an empty last entry. */
  if (n > 0 && lines[n - 1][0] == '\0') {
    g_free (lines[n - 1]);
    lines[--n] = NULL;
  }
  for (guint i = 0; i < n; i++)
    g_strchomp (lines[i]);
  pp->keys = lines;
  pp->n_keys = n;
  return TRUE;
}

static gboolean
open_session (const gchar * dir, const gchar * file, gint threads,
    OrtSession ** session, gchar ** in_name, gchar ** out_name,
    GError ** error)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autofree gchar *what = g_strdup_printf ("loading %s", path);
  OrtSessionOptions *options = NULL;
  OrtAllocator *alloc = NULL;
  char *name = NULL;
  gboolean ok;

  ok = ORT_OK (ort->CreateSessionOptions (&options), what)
      && ORT_OK (ort->SetIntraOpNumThreads (options, MAX (1, threads)), what)
      && ORT_OK (ort->SetInterOpNumThreads (options, 1), what)
      /* Worker threads that spin between runs would eat the core the
       * other stages of the pipeline need. */
      && ORT_OK (ort->AddSessionConfigEntry (options,
              "session.intra_op.allow_spinning", "0"), what)
      /* Crops and lines come in a new shape at nearly every run: a memory
       * pattern cached per shape, and an arena that keeps its largest
       * size for good, grow the resident memory of a live pipeline for
       * hours.  Plain allocations cost about as much here. */
      && ORT_OK (ort->DisableMemPattern (options), what)
      && ORT_OK (ort->DisableCpuMemArena (options), what)
      && ORT_OK (ort->AddSessionConfigEntry (options,
              "session.use_env_allocators", tensor_registered ? "1" : "0"),
          what)
      && ORT_OK (ort->SetSessionGraphOptimizationLevel (options,
              ORT_ENABLE_ALL), what)
      && ORT_OK (ort->CreateSession (ort_env, path, options, session), what);
  if (options)
    ort->ReleaseSessionOptions (options);
  if (!ok)
    return FALSE;
  if (!ORT_OK (ort->GetAllocatorWithDefaultOptions (&alloc), what))
    return FALSE;
  if (!ORT_OK (ort->SessionGetInputName (*session, 0, alloc, &name), what))
    return FALSE;
  *in_name = g_strdup (name);
  if (!ORT_OK (ort->AllocatorFree (alloc, name), what))
    return FALSE;
  if (!ORT_OK (ort->SessionGetOutputName (*session, 0, alloc, &name), what))
    return FALSE;
  *out_name = g_strdup (name);
  if (!ORT_OK (ort->AllocatorFree (alloc, name), what))
    return FALSE;
  return TRUE;
}

/* The SHA-256 of a file, hex; computed once a process for each path,
 * size and modification time (the two models: ~50 ms), under a lock:
 * engines are made by any thread.  NULL when it cannot be read. */
static gchar *
file_sha256 (const gchar * path)
{
  static GMutex lock;
  static GHashTable *known;     /* "path size mtime" -> hex, for good */
  g_autofree gchar *key = NULL, *data = NULL;
  GStatBuf st;
  gchar *sum;
  gsize len;

  if (g_stat (path, &st) != 0)
    return NULL;
  key = g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, path,
      (gint64) st.st_size, (gint64) st.st_mtime);
  g_mutex_lock (&lock);
  sum = known ? g_strdup (g_hash_table_lookup (known, key)) : NULL;
  g_mutex_unlock (&lock);
  if (sum != NULL)
    return sum;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data,
      len);
  g_mutex_lock (&lock);
  if (known == NULL)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (known, g_steal_pointer (&key), g_strdup (sum));
  g_mutex_unlock (&lock);
  return sum;
}

/* What tools/ppocr-fuse recorded in a folded model: the SHA-256 of the
 * model it was folded from, or NULL. */
static gchar *
fused_from (OrtSession * session)
{
  OrtModelMetadata *meta = NULL;
  OrtAllocator *alloc = NULL;
  OrtStatus *status;
  char *value = NULL;
  gchar *out = NULL;

  status = ort->SessionGetModelMetadata (session, &meta);
  if (status == NULL)
    status = ort->GetAllocatorWithDefaultOptions (&alloc);
  if (status == NULL)
    status = ort->ModelMetadataLookupCustomMetadataMap (meta, alloc,
        FUSED_FROM_KEY, &value);
  if (status == NULL && value != NULL) {
    out = g_strdup (value);
    status = ort->AllocatorFree (alloc, value);
  }
  if (status != NULL)
    ort->ReleaseStatus (status);
  if (meta != NULL)
    ort->ReleaseModelMetadata (meta);
  return out;
}

static void
close_session (OrtSession ** session, gchar ** in_name, gchar ** out_name)
{
  if (*session != NULL)
    ort->ReleaseSession (*session);
  *session = NULL;
  g_clear_pointer (in_name, g_free);
  g_clear_pointer (out_name, g_free);
}

/* Opens the folded model when the directory holds one folded from the
 * published model beside it (*folded: TRUE), else the published one,
 * adding to @notes why a folded one there was not taken. */
static gboolean
open_model (const gchar * dir, const gchar * fused, const gchar * plain,
    gint threads, OrtSession ** session, gchar ** in_name, gchar ** out_name,
    gboolean * folded, GString * notes, GError ** error)
{
  g_autofree gchar *fused_path = g_build_filename (dir, fused, NULL);

  *folded = FALSE;
  if (g_file_test (fused_path, G_FILE_TEST_IS_REGULAR)) {
    g_autofree gchar *plain_path = g_build_filename (dir, plain, NULL);
    g_autofree gchar *want = NULL, *from = NULL;
    g_autoptr (GError) fused_error = NULL;

    if (open_session (dir, fused, threads, session, in_name, out_name,
            &fused_error)) {
      want = file_sha256 (plain_path);
      from = fused_from (*session);
      if (want != NULL && from != NULL && g_ascii_strcasecmp (want, from) == 0) {
        *folded = TRUE;
        return TRUE;
      }
      g_string_append_printf (notes, "%s%s was not folded from the %s beside "
          "it", notes->len ? "; " : "", fused_path, plain);
    } else {
      g_string_append_printf (notes, "%s%s", notes->len ? "; " : "",
          fused_error->message);
    }
    close_session (session, in_name, out_name);
  }
  return open_session (dir, plain, threads, session, in_name, out_name,
      error);
}

GcPpocr *
gc_ppocr_new (const gchar * models_dir, const gchar * library, gint threads,
    GError ** error)
{
  g_autoptr (GcPpocr) pp = NULL;
  g_autofree gchar *dir = NULL, *keys = NULL, *opened = NULL;
  g_autoptr (GString) notes = g_string_new (NULL);
  gboolean det_folded = FALSE, rec_folded = FALSE;

  /* Models first: a missing file is the likelier and cheaper failure. */
  dir = find_models (models_dir, error);
  if (dir == NULL)
    return NULL;
  if (!env_acquire (library, &opened, error))
    return NULL;
  pp = g_new0 (GcPpocr, 1);
  pp->library = g_steal_pointer (&opened);
  keys = g_build_filename (dir, REC_KEYS, NULL);
  if (!load_keys (pp, keys, error)
      || !ORT_OK (ort->CreateCpuMemoryInfo (OrtArenaAllocator,
              OrtMemTypeDefault, &pp->cpu), "memory info")
      || !open_model (dir, DET_MODEL_FUSED, DET_MODEL, threads, &pp->det,
          &pp->det_in, &pp->det_out, &det_folded, notes, error)
      || !open_model (dir, REC_MODEL_FUSED, REC_MODEL, threads, &pp->rec,
          &pp->rec_in, &pp->rec_out, &rec_folded, notes, error))
    return NULL;
  if (det_folded && rec_folded)
    pp->models = g_strdup ("folded by tools/ppocr-fuse");
  else if (notes->len > 0)
    pp->models = g_strdup_printf ("as published: %s: run tools/setup "
        "again, or tools/ppocr-fuse", notes->str);
  else
    pp->models = g_strdup ("as published: tools/setup folds them to read "
        "1.4x faster");
  return g_steal_pointer (&pp);
}

void
gc_ppocr_free (GcPpocr * pp)
{
  if (pp == NULL)
    return;
  if (pp->det)
    ort->ReleaseSession (pp->det);
  if (pp->rec)
    ort->ReleaseSession (pp->rec);
  if (pp->cpu)
    ort->ReleaseMemoryInfo (pp->cpu);
  g_free (pp->det_in);
  g_free (pp->det_out);
  g_free (pp->rec_in);
  g_free (pp->rec_out);
  g_strfreev (pp->keys);
  g_free (pp->models);
  if (pp->library) {
    g_free (pp->library);
    env_release ();
  }
  g_free (pp);
}

const gchar *
gc_ppocr_library (GcPpocr * pp)
{
  return pp->library;
}

const gchar *
gc_ppocr_models (GcPpocr * pp)
{
  return pp->models;
}

guint
gc_ppocr_rec_calls (GcPpocr * pp)
{
  return pp->rec_calls;
}

guint
gc_ppocr_det_calls (GcPpocr * pp)
{
  return pp->det_calls;
}

guint64
gc_ppocr_det_pixels (GcPpocr * pp)
{
  return pp->det_pixels;
}

void
gc_ppocr_times (GcPpocr * pp, gint64 * det_us, gint64 * rec_us)
{
  *det_us = pp->det_us;
  *rec_us = pp->rec_us;
}

/* The frame's pixel at (x, y) as B, G, R (the models' channel order). */
static inline void
pixel_bgr (const GcOcrFrame * f, gint x, gint y, gfloat bgr[3])
{
  const guint8 *row = f->data + (gsize) y * f->stride;

  if (f->format == GC_OCR_FORMAT_GRAY8) {
    bgr[0] = bgr[1] = bgr[2] = row[x];
  } else {
    const guint8 *p = row + x * 4;
    bgr[0] = p[2];
    bgr[1] = p[1];
    bgr[2] = p[0];
  }
}

/* Resamples @src (inside the frame) to @dw x @dh, planar B, G, R floats
 * of 0..255 at @out (plane stride @plane, row stride @row): the mean of
 * the source pixels under each output pixel when shrinking (text edges
 * alias with nearest or plain bilinear), bilinear when growing. */
static void
resample (const GcOcrFrame * f, const GcOcrBox * src, gint dw, gint dh,
    gfloat * out, gsize plane, gsize row)
{
  gdouble sx = (gdouble) src->width / dw, sy = (gdouble) src->height / dh;
  gint x, y;

  for (y = 0; y < dh; y++) {
    for (x = 0; x < dw; x++) {
      gfloat acc[3] = { 0, 0, 0 }, p[3];
      gsize o = (gsize) y * row + x;

      if (sx > 1.0 || sy > 1.0) {
        gint x0 = src->x + (gint) (x * sx), x1 = src->x + (gint) ((x + 1) * sx);
        gint y0 = src->y + (gint) (y * sy), y1 = src->y + (gint) ((y + 1) * sy);
        gint n = 0, i, j;

        x1 = CLAMP (MAX (x1, x0 + 1), 1, f->width);
        y1 = CLAMP (MAX (y1, y0 + 1), 1, f->height);
        x0 = MIN (x0, x1 - 1);
        y0 = MIN (y0, y1 - 1);
        for (j = y0; j < y1; j++)
          for (i = x0; i < x1; i++) {
            pixel_bgr (f, i, j, p);
            acc[0] += p[0];
            acc[1] += p[1];
            acc[2] += p[2];
            n++;
          }
        acc[0] /= n;
        acc[1] /= n;
        acc[2] /= n;
      } else {
        gdouble fx = src->x + (x + 0.5) * sx - 0.5;
        gdouble fy = src->y + (y + 0.5) * sy - 0.5;
        gint ix = (gint) floor (fx), iy = (gint) floor (fy), c;
        gfloat ax = (gfloat) (fx - ix), ay = (gfloat) (fy - iy);
        gint ix1 = CLAMP (ix + 1, 0, f->width - 1);
        gint iy1 = CLAMP (iy + 1, 0, f->height - 1);
        gfloat q00[3], q01[3], q10[3], q11[3];

        ix = CLAMP (ix, 0, f->width - 1);
        iy = CLAMP (iy, 0, f->height - 1);
        pixel_bgr (f, ix, iy, q00);
        pixel_bgr (f, ix1, iy, q01);
        pixel_bgr (f, ix, iy1, q10);
        pixel_bgr (f, ix1, iy1, q11);
        for (c = 0; c < 3; c++)
          acc[c] = (q00[c] * (1 - ax) + q01[c] * ax) * (1 - ay)
              + (q10[c] * (1 - ax) + q11[c] * ax) * ay;
      }
      out[o] = acc[0];
      out[o + plane] = acc[1];
      out[o + 2 * plane] = acc[2];
    }
  }
}

/* Runs @session on one float tensor; returns the output (to release) and
 * its data and shape. */
static OrtValue *
run (GcPpocr * pp, OrtSession * session, const gchar * in_name,
    const gchar * out_name, gfloat * data, const int64_t * shape,
    gsize rank, const gfloat ** out, int64_t * out_shape, gsize out_rank,
    GError ** error)
{
  OrtValue *input = NULL, *output = NULL;
  OrtTensorTypeAndShapeInfo *info = NULL;
  gsize count = 1, i, n_dims = 0;
  gboolean ok;

  for (i = 0; i < rank; i++)
    count *= shape[i];
  if (!ORT_OK (ort->CreateTensorWithDataAsOrtValue (pp->cpu, data,
              count * sizeof (gfloat), shape, rank,
              ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &input), "input tensor"))
    return NULL;
  gc_ocr_blocks_run (TRUE);
  ok = ORT_OK (ort->Run (session, NULL, &in_name, (const OrtValue * const *)
          &input, 1, &out_name, 1, &output), "running a model");
  gc_ocr_blocks_run (FALSE);
  ok = ok
      && ORT_OK (ort->GetTensorTypeAndShape (output, &info), "output shape")
      && ORT_OK (ort->GetDimensionsCount (info, &n_dims), "output shape");
  if (ok && n_dims != out_rank) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "PP-OCR: the model's output has %zu dimensions, not %zu: not a "
        "PP-OCRv4 model", n_dims, out_rank);
    ok = FALSE;
  }
  ok = ok && ORT_OK (ort->GetDimensions (info, out_shape, out_rank),
      "output shape")
      && ORT_OK (ort->GetTensorMutableData (output, (void **) out),
      "output data");
  if (info)
    ort->ReleaseTensorTypeAndShapeInfo (info);
  ort->ReleaseValue (input);
  if (!ok && output) {
    ort->ReleaseValue (output);
    output = NULL;
  }
  return output;
}

/* The frame's EDGE_COLUMNS columns from @col on rows y0..y1 hold ink:
 * their luma spans more than EDGE_INK levels. */
#define EDGE_COLUMNS 6
#define EDGE_INK 60

static gboolean
ink_at_edge (const GcOcrFrame * f, gint y0, gint y1, gint col)
{
  gint x, y, lo = 255, hi = 0;

  y0 = CLAMP (y0, 0, f->height - 1);
  y1 = CLAMP (y1, y0 + 1, f->height);
  for (y = y0; y < y1; y++)
    for (x = col; x < col + EDGE_COLUMNS; x++) {
      gfloat bgr[3];
      gint luma;

      pixel_bgr (f, x, y, bgr);
      luma = (gint) (0.114f * bgr[0] + 0.587f * bgr[1] + 0.299f * bgr[2]);
      lo = MIN (lo, luma);
      hi = MAX (hi, luma);
    }
  return hi - lo > EDGE_INK;
}

gboolean
gc_ocr_pp_cut_at_edge (const GcOcrFrame * frame, const GcOcrBox * box)
{
  return (box->x == 0 && ink_at_edge (frame, box->y, box->y + box->height, 0))
      || (box->x + box->width == frame->width && box->x + box->width
          >= EDGE_COLUMNS && ink_at_edge (frame, box->y,
              box->y + box->height, frame->width - EDGE_COLUMNS));
}

/* Connected components of the thresholded probability map, each an
 * axis-aligned box grown back from the shrunk kernel. */
static void
det_boxes (const gfloat * prob, gint w, gint h, gdouble fx, gdouble fy,
    const GcOcrBox * area, const GcOcrFrame * frame, GArray * boxes)
{
  gint frame_w = frame->width, frame_h = frame->height;
  /* Frame-sized scratch (4.6 MB at 736x1280) kept out of the arenas. */
  guint8 *seen = gc_ocr_block_alloc ((gsize) w * h);
  gint *stack = gc_ocr_block_alloc ((gsize) w * h * sizeof (gint));
  gint x, y;

  if (seen == NULL || stack == NULL)
    g_error ("det_boxes: out of memory for a %dx%d probability map", w, h);
  memset (seen, 0, (gsize) w * h);

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gint i = y * w + x, top = 0, x0 = x, x1 = x, y0 = y, y1 = y, n = 0;
      gdouble sum = 0, d, bw, bh;
      gboolean cut_left, cut_right;
      GcOcrDetBox box;

      if (seen[i] || prob[i] <= DET_THRESH)
        continue;
      seen[i] = 1;
      stack[top++] = i;
      while (top > 0) {
        gint j = stack[--top], jx = j % w, jy = j / w, k;
        static const gint dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };

        sum += prob[j];
        n++;
        x0 = MIN (x0, jx);
        x1 = MAX (x1, jx);
        y0 = MIN (y0, jy);
        y1 = MAX (y1, jy);
        for (k = 0; k < 4; k++) {
          gint nx = jx + dx[k], ny = jy + dy[k], m;

          if (nx < 0 || ny < 0 || nx >= w || ny >= h)
            continue;
          m = ny * w + nx;
          if (!seen[m] && prob[m] > DET_THRESH) {
            seen[m] = 1;
            stack[top++] = m;
          }
        }
      }
      bw = x1 - x0 + 1;
      bh = y1 - y0 + 1;
      if (MIN (bw, bh) < DET_MIN_SIDE)
        continue;
      box.score = (gfloat) (sum / n);
      if (box.score < DET_BOX_THRESH)
        continue;
      d = bw * bh * DET_UNCLIP / (2 * (bw + bh));
      /* Text cut by the frame's left or right edge (a card sliding in)
       * would give a wrong price ("¥12" of "¥129").  The kernel is
       * shrunk, and a glyph cut in two is often not detected at all, so
       * cut text may end short of the edge by about a glyph (twice the
       * unclip distance); it is cut when the frame's edge columns hold ink
       * on the line's rows, whole when they show background (a big price
       * 16 px from the edge).  Only at the frame's own edges, not a
       * detection area's.  A cut line's box is taken to the edge, where
       * gc_ocr_pp_cut_at_edge() finds it again: the reader keeps its words
       * (a caption running to the edge) but not a number in it. */
      cut_left = area->x == 0 && x0 <= 2 * d
          && ink_at_edge (frame, (gint) floor ((y0 - d) * fy) + area->y,
          (gint) ceil ((y1 + 1 + d) * fy) + area->y, 0);
      cut_right = area->x + area->width == frame_w && x1 + 1 + 2 * d >= w
          && ink_at_edge (frame, (gint) floor ((y0 - d) * fy) + area->y,
          (gint) ceil ((y1 + 1 + d) * fy) + area->y, frame_w - EDGE_COLUMNS);
      {
        gdouble ux0 = x0 - d, ux1 = x1 + 1 + d, uy0 = y0 - d, uy1 = y1 + 1 + d;
        gint X0 = area->x + (gint) floor (ux0 * fx);
        gint X1 = area->x + (gint) ceil (ux1 * fx);
        gint Y0 = area->y + (gint) floor (uy0 * fy);
        gint Y1 = area->y + (gint) ceil (uy1 * fy);

        if (cut_left)
          X0 = 0;
        if (cut_right)
          X1 = frame_w;
        X0 = CLAMP (X0, 0, frame_w - 1);
        Y0 = CLAMP (Y0, 0, frame_h - 1);
        X1 = CLAMP (X1, X0 + 1, frame_w);
        Y1 = CLAMP (Y1, Y0 + 1, frame_h);
        if (MIN (X1 - X0, Y1 - Y0) < DET_MIN_SIDE + 2)
          continue;
        box.box = (GcOcrBox) { X0, Y0, X1 - X0, Y1 - Y0 };
      }
      g_array_append_val (boxes, box);
    }
  gc_ocr_block_free (stack);
  gc_ocr_block_free (seen);
}

/* A line whose kernel broke in two (a strike-through across "¥129") gives
 * two boxes over the same text once grown back: read twice, once with the
 * stroke and once without, it would be both a reference and a current
 * price.  Boxes overlapping by half the smaller become their union. */
static void
drop_overlaps (GArray * boxes)
{
  guint i, j;

  for (i = 0; i < boxes->len; i++) {
    GcOcrBox *a = &g_array_index (boxes, GcOcrDetBox, i).box;

    for (j = i + 1; j < boxes->len; j++) {
      GcOcrBox *b = &g_array_index (boxes, GcOcrDetBox, j).box;
      gint64 area_a = (gint64) a->width * a->height;
      gint64 area_b = (gint64) b->width * b->height;

      if (gc_ocr_box_overlap (a, b) * 2 < MIN (area_a, area_b))
        continue;
      /* The two kernels were one line. */
      gc_ocr_box_union (a, b);
      g_array_remove_index (boxes, j);
      j = i;
    }
  }
}

static gint
round32 (gdouble v)
{
  return MAX (32, (gint) (round (v / 32.0)) * 32);
}

GArray *
gc_ppocr_detect (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * area, gint max_side, GError ** error)
{
  GcOcrBox whole = { 0, 0, frame->width, frame->height };
  gfloat *input;
  gdouble ratio = 1.0;
  gint w, h, c;
  gsize plane, i;
  int64_t shape[4], out_shape[4];
  const gfloat *prob;
  OrtValue *output;
  GArray *boxes;
  gint64 t0;

  if (area == NULL)
    area = &whole;
  /* A crop is scaled as the whole frame would be, so that the detector
   * sees text at the size it sees it in whole frames, at a fraction of
   * the cost. */
  if (max_side > 0 && MAX (frame->width, frame->height) > max_side)
    ratio = (gdouble) max_side / MAX (frame->width, frame->height);
  w = round32 (area->width * ratio);
  h = round32 (area->height * ratio);
  plane = (gsize) w * h;
  input = gc_ocr_block_alloc (3 * plane * sizeof (gfloat));
  if (input == NULL) {
    g_set_error (error, GC_ERROR, GC_ERROR_IO, "PP-OCR: out of memory for "
        "a %dx%d detector input", w, h);
    return NULL;
  }
  resample (frame, area, w, h, input, plane, w);
  for (c = 0; c < 3; c++) {
    gfloat *p = input + c * plane;
    gfloat scale = 1.0f / (255.0f * det_std[c]);
    gfloat shift = det_mean[c] / det_std[c];

    for (i = 0; i < plane; i++)
      p[i] = p[i] * scale - shift;
  }
  shape[0] = 1;
  shape[1] = 3;
  shape[2] = h;
  shape[3] = w;
  t0 = g_get_monotonic_time ();
  output = run (pp, pp->det, pp->det_in, pp->det_out, input, shape, 4, &prob,
      out_shape, 4, error);
  pp->det_us += g_get_monotonic_time () - t0;
  gc_ocr_block_free (input);
  if (output == NULL)
    return NULL;
  pp->det_calls++;
  pp->det_pixels += plane;
  boxes = g_array_new (FALSE, FALSE, sizeof (GcOcrDetBox));
  if (out_shape[2] == h && out_shape[3] == w)
    det_boxes (prob, w, h, (gdouble) area->width / w,
        (gdouble) area->height / h, area, frame, boxes);
  ort->ReleaseValue (output);
  drop_overlaps (boxes);
  /* Where the detector's time goes (whole frames, crops that held text,
   * crops that were empty), one line a run. */
  if (GC_OCR_DEBUG)
    fprintf (stderr, "ppocr det %d,%d %dx%d as %dx%d: %u boxes, %.1f ms\n",
        area->x, area->y, area->width, area->height, w, h, boxes->len,
        (g_get_monotonic_time () - t0) / 1000.0);
  return boxes;
}

static gint
rec_width (const GcOcrBox * box)
{
  gint w = (gint) ceil ((gdouble) REC_HEIGHT * box->width / MAX (1,
          box->height));
  return CLAMP (w, 1, REC_MAX_WIDTH);
}

/* Greedy CTC: the best class per step, repeats and blanks dropped. */
static gchar *
ctc_decode (GcPpocr * pp, const gfloat * probs, gint steps, gint classes,
    gfloat * confidence, GArray * xs, const GcOcrBox * box, gint width)
{
  GString *s = g_string_new (NULL);
  gint t, prev = -1, kept = 0;
  gdouble sum = 0;

  for (t = 0; t < steps; t++) {
    const gfloat *p = probs + (gsize) t * classes;
    gint best = 0, k;

    for (k = 1; k < classes; k++)
      if (p[k] > p[best])
        best = k;
    if (best != 0 && best != prev) {
      const gchar *key = (guint) best <= pp->n_keys ? pp->keys[best - 1] : " ";

      g_string_append (s, key);
      if (xs) {
        /* Each step is 8 px of the 48 px high line; keys are one
         * character. */
        gint x = box->x + (gint) ((t * 8 + 4) * (gdouble) box->width / width);
        glong c, chars = g_utf8_strlen (key, -1);

        for (c = 0; c < chars; c++)
          g_array_append_val (xs, x);
      }
      sum += p[best];
      kept++;
    }
    prev = best;
  }
  *confidence = kept ? (gfloat) (sum / kept) : 0.0f;
  return g_string_free (s, FALSE);
}

/* A batch's lines are padded to its widest: a line joins the batch only
 * while that costs at most this factor over its own width. */
#define REC_BATCH_SPREAD 1.5

static gint
compare_width (gconstpointer a, gconstpointer b, gpointer data)
{
  const GcOcrBox *boxes = data;
  gint wa = rec_width (&boxes[*(const gint *) a]);
  gint wb = rec_width (&boxes[*(const gint *) b]);

  return wa < wb ? -1 : wa > wb;
}

gboolean
gc_ppocr_recognize (GcPpocr * pp, const GcOcrFrame * frame,
    const GcOcrBox * boxes, guint n, gchar ** texts, gfloat * confidences,
    GArray ** xs, GError ** error)
{
  g_autofree gint *order = g_new (gint, MAX (1, n));
  guint i, start, count;

  for (i = 0; i < n; i++) {
    order[i] = i;
    texts[i] = NULL;
    confidences[i] = 0;
  }
  g_qsort_with_data (order, n, sizeof (gint), compare_width, (gpointer) boxes);
  for (start = 0; start < n; start += count) {
    guint b;
    gint width = REC_MIN_WIDTH;
    gint first = MAX (REC_MIN_WIDTH, rec_width (&boxes[order[start]]));

    count = 1;
    /* Sorted narrowest first: the batch grows while its widest line stays
     * within REC_BATCH_SPREAD of its narrowest. */
    while (start + count < n && count < REC_BATCH
        && rec_width (&boxes[order[start + count]]) <= first * REC_BATCH_SPREAD)
      count++;
    gfloat *input;
    gsize plane, item;
    int64_t shape[4], out_shape[3];
    const gfloat *probs;
    OrtValue *output;
    gint64 t0;

    for (b = 0; b < count; b++)
      width = MAX (width, rec_width (&boxes[order[start + b]]));
    plane = (gsize) width * REC_HEIGHT;
    item = 3 * plane;
    input = gc_ocr_block_alloc (item * count * sizeof (gfloat));
    if (input == NULL) {
      g_set_error (error, GC_ERROR, GC_ERROR_IO, "PP-OCR: out of memory for "
          "%u lines of %d px", count, width);
      for (i = 0; i < n; i++)
        g_clear_pointer (&texts[i], g_free);
      return FALSE;
    }
    /* Lines narrower than the batch's widest are padded with 0. */
    memset (input, 0, item * count * sizeof (gfloat));
    for (b = 0; b < count; b++) {
      const GcOcrBox *box = &boxes[order[start + b]];
      gint w = rec_width (box), c, y, x;
      gfloat *p = input + b * item;

      resample (frame, box, w, REC_HEIGHT, p, plane, width);
      for (c = 0; c < 3; c++)
        for (y = 0; y < REC_HEIGHT; y++)
          for (x = 0; x < w; x++) {
            gfloat *v = p + c * plane + (gsize) y * width + x;
            *v = *v / 127.5f - 1.0f;
          }
    }
    shape[0] = count;
    shape[1] = 3;
    shape[2] = REC_HEIGHT;
    shape[3] = width;
    t0 = g_get_monotonic_time ();
    output = run (pp, pp->rec, pp->rec_in, pp->rec_out, input, shape, 4,
        &probs, out_shape, 3, error);
    pp->rec_us += g_get_monotonic_time () - t0;
    if (GC_OCR_DEBUG)
      fprintf (stderr, "ppocr rec %u lines of %d px: %.1f ms\n", count,
          width, (g_get_monotonic_time () - t0) / 1000.0);
    gc_ocr_block_free (input);
    if (output == NULL) {
      for (i = 0; i < n; i++)
        g_clear_pointer (&texts[i], g_free);
      return FALSE;
    }
    pp->rec_calls++;
    if (out_shape[0] != count || out_shape[2] != (int64_t) pp->n_keys + 2) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
          "PP-OCR: the recognizer gives %" G_GINT64_FORMAT " classes for "
          "%u keys in " REC_KEYS ": model and keys do not match",
          (gint64) out_shape[2], pp->n_keys);
      ort->ReleaseValue (output);
      for (i = 0; i < n; i++)
        g_clear_pointer (&texts[i], g_free);
      return FALSE;
    }
    for (b = 0; b < count; b++) {
      gint idx = order[start + b];

      if (xs)
        xs[idx] = g_array_new (FALSE, FALSE, sizeof (gint));
      texts[idx] = ctc_decode (pp, probs + (gsize) b * out_shape[1] *
          out_shape[2], (gint) out_shape[1], (gint) out_shape[2],
          &confidences[idx], xs ? xs[idx] : NULL, &boxes[idx],
          rec_width (&boxes[idx]));
    }
    ort->ReleaseValue (output);
  }
  return TRUE;
}

#endif /* GC_OCR_HAVE_ORT */
