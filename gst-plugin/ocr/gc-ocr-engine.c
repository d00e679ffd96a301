/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Tesseract side of the OCR engine: one TessBaseAPI for the configured
 * languages (psm 7, one line per call) and, for numbers, one `eng` instance
 * with a digit/currency whitelist.  All are created once and reused for
 * every frame.
 *
 * With a CJK language first and others after it ("chi_sim+eng", the
 * default), the first language gets an instance of its own that reads
 * every line, and the others one that reads only the runs of Latin
 * letters, digits and signs in it (reread_latin_runs).  Tesseract's own
 * combination reads the whole line again with the other languages
 * whenever it is unsure of a word (~70% of the lines of a sale), and then
 * often prefers their Latin guesses for Chinese words (限时秒杀 read as
 * "PRAYED ASS"); reading only the runs takes ~12% less CPU in a scan.
 * When the other language is eng, its instance also does the numeric
 * re-reads, with the whitelist set for them only.
 *
 * Measured on Tesseract 5.3 (Debian's fast LSTM tessdata):
 * - chi_sim+eng reads ¥ as Y, # or 关 with high confidence, and $ as 5 or 9
 *   with chi_sim alone; eng with a whitelist reads the digits of a price
 *   more reliably and in ~3 ms instead of 11-14 ms, so the digit run of a
 *   line is re-read with it and spliced back;
 * - the inverted-image retry (invert_threshold) doubles the cost of every
 *   low-confidence line; polarity is handled before Tesseract sees the
 *   line, so the retry is off.
 *
 * Tuning aid: with GC_OCR_DEBUG_DIR set to a directory, every prepared line
 * is written there as PNG (what Tesseract saw), with the edge map the
 * regions came from (regions-edges.png, regions-closed.png: the last
 * frame's), and the choices made for each line (channel, polarity,
 * re-reads, text) are printed on stderr.  The variable is read once per
 * process (gc_ocr_debug_dir()): set it before the first frame is read. */
#include "gc-ocr-engine.h"

#include "gc-error.h"

#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

void
gc_ocr_config_init (GcOcrConfig * config)
{
  memset (config, 0, sizeof (*config));
  config->tessdata_dir = GC_OCR_DEFAULT_TESSDATA_DIR;
  config->languages = GC_OCR_DEFAULT_LANGUAGES;
  config->numeric_reread = TRUE;
  config->text_height = GC_OCR_DEFAULT_TEXT_HEIGHT;
  config->threads = 1;
  config->engine = GC_OCR_ENGINE_AUTO;
}

GcOcrLine *
gc_ocr_line_copy (const GcOcrLine * line)
{
  GcOcrLine *copy = g_new (GcOcrLine, 1);

  *copy = *line;
  copy->text = g_strdup (line->text);
  return copy;
}

void
gc_ocr_line_free (GcOcrLine * line)
{
  if (line == NULL)
    return;
  g_free (line->text);
  g_free (line);
}

/* Debian splits tessdata into one package per language:
 * chi_sim -> tesseract-ocr-chi-sim. */
static gchar *
debian_package (const gchar * lang)
{
  g_autofree gchar *lower = g_ascii_strdown (lang, -1);

  g_strdelimit (lower, "_", '-');
  return g_strdup_printf ("tesseract-ocr-%s", lower);
}

static gboolean
check_languages (const gchar * dir, const gchar * languages, GError ** error)
{
  g_auto (GStrv) langs = NULL;
  guint i;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
        "Tesseract data directory %s does not exist (install the Debian "
        "packages tesseract-ocr-eng and tesseract-ocr-chi-sim, or point "
        "tessdata-dir at a directory holding *.traineddata)", dir);
    return FALSE;
  }
  langs = g_strsplit (languages, "+", -1);
  if (langs[0] == NULL || *languages == '\0') {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "No Tesseract language given (e.g. \"chi_sim+eng\")");
    return FALSE;
  }
  for (i = 0; langs[i]; i++) {
    g_autofree gchar *file = NULL, *path = NULL, *pkg = NULL;

    if (*langs[i] == '\0' || strchr (langs[i], '/') != NULL) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
          "Bad Tesseract language list \"%s\" (expected names joined by "
          "'+', e.g. \"chi_sim+eng\")", languages);
      return FALSE;
    }
    file = g_strconcat (langs[i], ".traineddata", NULL);
    path = g_build_filename (dir, file, NULL);
    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
      pkg = debian_package (langs[i]);
      g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
          "Tesseract language \"%s\" not found: %s does not exist "
          "(install the Debian package %s)", langs[i], path, pkg);
      return FALSE;
    }
  }
  return TRUE;
}

/* "chi_sim+eng" -> "chi_sim" and "eng": when the first of several
 * languages is CJK, returns it; @rest points into @languages. */
static gchar *
split_languages (const gchar * languages, const gchar ** rest)
{
  static const gchar *const cjk[] = { "chi_", "jpn", "kor", NULL };
  const gchar *plus = strchr (languages, '+');

  if (plus == NULL || plus[1] == '\0')
    return NULL;
  for (guint i = 0; cjk[i]; i++)
    if (g_str_has_prefix (languages, cjk[i])) {
      *rest = plus + 1;
      return g_strndup (languages, plus - languages);
    }
  return NULL;
}

static void
api_free (TessBaseAPI * api)
{
  if (api == NULL)
    return;
  TessBaseAPIEnd (api);
  TessBaseAPIDelete (api);
}

static TessBaseAPI *
create_api (const gchar * dir, const gchar * languages, GError ** error)
{
  TessBaseAPI *api = TessBaseAPICreate ();

  if (TessBaseAPIInit2 (api, dir, languages, OEM_LSTM_ONLY) != 0) {
    g_set_error (error, GC_ERROR, GC_ERROR_NOT_FOUND,
        "Tesseract could not load \"%s\" from %s", languages, dir);
    TessBaseAPIDelete (api);
    return NULL;
  }
  TessBaseAPISetVariable (api, "invert_threshold", "0");
  /* Keeps Tesseract's diagnostics off the application's stderr. */
  TessBaseAPISetVariable (api, "debug_file", "/dev/null");
  TessBaseAPISetPageSegMode (api, PSM_SINGLE_LINE);
  return api;
}

static gpointer helper_main (gpointer data);

GcOcrEngine *
gc_ocr_engine_new (const GcOcrConfig * config, GError ** error)
{
  g_autoptr (GcOcrEngine) engine = g_new0 (GcOcrEngine, 1);
  GcOcrConfig defaults;
  const gchar *dir, *languages, *rest = NULL;
  g_autofree gchar *first = NULL;
  GError *helper_error = NULL;
  guint i;

  /* A process that reads frames for hours keeps only what it uses. */
  gc_ocr_malloc_tune ();
  g_mutex_init (&engine->team.lock);
  g_cond_init (&engine->team.wake);
  g_cond_init (&engine->team.done);
  gc_ocr_config_init (&defaults);
  if (config == NULL)
    config = &defaults;
  dir = config->tessdata_dir ? config->tessdata_dir : defaults.tessdata_dir;
  languages = config->languages ? config->languages : defaults.languages;
  engine->text_height = config->text_height > 0
      ? CLAMP (config->text_height, 16, 96) : GC_OCR_DEFAULT_TEXT_HEIGHT;
  engine->cjk = strstr (languages, "chi_") != NULL
      || strstr (languages, "jpn") != NULL || strstr (languages, "kor") != NULL;

  if (config->engine != GC_OCR_ENGINE_TESSERACT) {
    g_autoptr (GError) pp_error = NULL;
    g_autofree gchar *lacking = gc_ocr_ppocr_lacks (languages);

    if (lacking != NULL)
      g_set_error (&pp_error, GC_ERROR, GC_ERROR_INVALID,
          "PP-OCR: the model does not read the language %s (languages %s)",
          lacking, languages);
    else
      engine->pp = gc_ppocr_new (config->ppocr_models, config->onnxruntime,
          MAX (1, config->threads), &pp_error);
    if (engine->pp != NULL) {
      if (config->keep_memory) {
        engine->keep_memory = TRUE;
        gc_ocr_blocks_keep (TRUE);
      }
      engine->tessdata_dir = g_strdup (dir);
      engine->languages = g_strdup (languages);
      engine->description = g_strdup_printf ("ppocr (PP-OCRv4 det + rec, "
          "%s, ONNX Runtime %s, %d thread%s)", gc_ppocr_models (engine->pp),
          gc_ppocr_library (engine->pp), MAX (1, config->threads),
          config->threads > 1 ? "s" : "");
      return g_steal_pointer (&engine);
    }
    if (config->engine == GC_OCR_ENGINE_PPOCR) {
      g_propagate_error (error, g_steal_pointer (&pp_error));
      return NULL;
    }
    engine->description = g_strdup_printf ("tesseract (%s; ppocr not used: "
        "%s)", languages, pp_error->message);
  } else {
    engine->description = g_strdup_printf ("tesseract (%s)", languages);
  }

  if (!check_languages (dir, languages, error))
    return NULL;
  if (config->numeric_reread && !check_languages (dir, NUMERIC_LANGUAGE, error))
    return NULL;
  /* Looks libgomp up once, before Tesseract's first OpenMP region. */
  gc_ocr_omp_inline ();

  /* The helpers load their Tesseracts in their own threads, while this
   * one loads its own: ~0.4 s each otherwise, one after the other. */
  if (config->threads > 1) {
    guint n = MIN (config->threads, GC_OCR_MAX_THREADS) - 1;

    engine->helpers = g_new0 (Helper, n);
    for (i = 0; i < n; i++) {
      Helper *h = &engine->helpers[i];
      g_autofree gchar *name = g_strdup_printf ("ocr-helper-%u", i + 1);

      h->owner = engine;
      h->config = *config;
      h->config.tessdata_dir = dir;
      h->config.languages = languages;
      h->config.threads = 1;
      h->thread = g_thread_try_new (name, helper_main, h, error);
      if (h->thread == NULL)
        return NULL;
      engine->n_helpers++;
    }
  }

  engine->tessdata_dir = g_strdup (dir);
  engine->languages = g_strdup (languages);
  first = split_languages (languages, &rest);
  engine->api = create_api (dir, first ? first : languages, error);
  if (engine->api != NULL && first != NULL) {
    engine->alt = create_api (dir, rest, error);
    if (engine->alt == NULL)
      g_clear_pointer (&engine->api, api_free);
  }
  if (engine->api != NULL && config->numeric_reread) {
    /* One eng instance less per thread (~0.1 s of loading, ~20 MB). */
    if (engine->alt != NULL && g_str_equal (rest, NUMERIC_LANGUAGE))
      engine->num = engine->alt;
    else if ((engine->num = create_api (dir, NUMERIC_LANGUAGE, error)))
      TessBaseAPISetVariable (engine->num, "tessedit_char_whitelist",
          NUMERIC_WHITELIST);
  }

  g_mutex_lock (&engine->team.lock);
  for (i = 0; i < engine->n_helpers; i++) {
    Helper *h = &engine->helpers[i];

    while (!h->ready)
      g_cond_wait (&engine->team.done, &engine->team.lock);
    if (h->error != NULL && helper_error == NULL)
      helper_error = g_steal_pointer (&h->error);
    g_clear_error (&h->error);
  }
  g_mutex_unlock (&engine->team.lock);
  if (engine->api == NULL || (config->numeric_reread && engine->num == NULL)) {
    g_clear_error (&helper_error);
    return NULL;
  }
  if (helper_error != NULL) {
    g_propagate_error (error, helper_error);
    return NULL;
  }
  return g_steal_pointer (&engine);
}

void
gc_ocr_engine_free (GcOcrEngine * engine)
{
  guint i;

  if (engine == NULL)
    return;
  g_mutex_lock (&engine->team.lock);
  engine->team.quit = TRUE;
  g_cond_broadcast (&engine->team.wake);
  g_mutex_unlock (&engine->team.lock);
  for (i = 0; i < engine->n_helpers; i++) {
    g_thread_join (engine->helpers[i].thread);
    gc_ocr_engine_free (engine->helpers[i].engine);
    g_clear_error (&engine->helpers[i].error);
  }
  g_free (engine->helpers);
  g_mutex_clear (&engine->team.lock);
  g_cond_clear (&engine->team.wake);
  g_cond_clear (&engine->team.done);
  api_free (engine->api);
  if (engine->num != engine->alt)
    api_free (engine->num);
  api_free (engine->alt);
  api_free (engine->page);
  g_free (engine->tessdata_dir);
  g_free (engine->languages);
  gc_ppocr_free (engine->pp);
  if (engine->keep_memory)
    gc_ocr_blocks_keep (FALSE);
  api_free (engine->sign);
  g_free (engine->description);
  g_free (engine);
}

GcOcrEngineKind
gc_ocr_engine_kind (GcOcrEngine * engine)
{
  return engine->pp ? GC_OCR_ENGINE_PPOCR : GC_OCR_ENGINE_TESSERACT;
}

const gchar *
gc_ocr_engine_describe (GcOcrEngine * engine)
{
  return engine->description;
}

gboolean
gc_ocr_engine_chinese (GcOcrEngine * engine)
{
  return engine->cjk;
}

GcPpocr *
gc_ocr_engine_ppocr (GcOcrEngine * engine)
{
  return engine->pp;
}

const gchar *
gc_ocr_debug_dir (void)
{
  static gsize once = 0;
  static const gchar *dir = NULL;

  if (g_once_init_enter (&once)) {
    const gchar *env = g_getenv ("GC_OCR_DEBUG_DIR");

    /* Kept for the process, as the environment is. */
    dir = env && *env ? g_strdup (env) : NULL;
    g_once_init_leave (&once, 1);
  }
  return dir;
}

/* Signs only, and digits so that a digit is not forced into a sign. */
#define SIGN_WHITELIST "€£$0123456789"
/* Tesseract's word confidence a sign must reach.  Without the stroke of a
 * strike-through the glyph keeps the stroke's gap across its bars, and a
 * "€" read there is right but scores 0 (on the realistic set's struck
 * "24,99 €" and "UVP 29,99 €"; the gaps after unsigned numbers elsewhere
 * read as digits, $ or nothing): that read is taken as it comes. */
#define SIGN_CONFIDENCE 60
#define STRUCK_SIGN_CONFIDENCE 0

/* Tesseract's single-character read of @pix; NULL unless € or £ with at
 * least @confidence. */
static const gchar *
sign_of_pix (GcOcrEngine * engine, PIX * pix, gint confidence)
{
  const gchar *sign = NULL;
  char *text;

  TessBaseAPISetImage2 (engine->sign, pix);
  if (TessBaseAPIRecognize (engine->sign, NULL) == 0
      && TessBaseAPIMeanTextConf (engine->sign) >= confidence
      && (text = TessBaseAPIGetUTF8Text (engine->sign)) != NULL) {
    g_strstrip (text);
    if (g_str_equal (text, "€"))
      sign = "€";
    else if (g_str_equal (text, "£"))
      sign = "£";
    TessDeleteText (text);
  }
  TessBaseAPIClear (engine->sign);
  return sign;
}

/* @box of an RGBx @frame as grey levels, each pixel the brightest of its
 * R, G and B, scaled to @text_height: a saturated stroke (a red or blue
 * strike-through) is as light as a white card there, while grey or black
 * glyphs stay dark.  A struck "€" has the stroke right across its bars,
 * where no threshold of luma keeps the glyph without the stroke; this
 * crop is binarised with one Otsu threshold. */
static PIX *
brightest_channel (const GcOcrFrame * frame, const GcOcrBox * box,
    gint text_height)
{
  gint pad = box->height / 4 + 2, x, y;
  gint x0 = MAX (0, box->x - pad), y0 = MAX (0, box->y - pad);
  gint x1 = MIN (frame->width, box->x + box->width + pad);
  gint y1 = MIN (frame->height, box->y + box->height + pad);
  PIX *gray, *scaled, *binary = NULL;

  if (x1 - x0 < 4 || y1 - y0 < 4 || box->height < 4)
    return NULL;
  gray = pixCreate (x1 - x0, y1 - y0, 8);
  for (y = y0; y < y1; y++) {
    const guint8 *in = frame->data + (gsize) y * frame->stride + (gsize) x0 * 4;
    l_uint32 *line = pixGetData (gray) + (gsize) (y - y0) * pixGetWpl (gray);

    for (x = x0; x < x1; x++, in += 4)
      SET_DATA_BYTE (line, x - x0, MAX (MAX (in[0], in[1]), in[2]));
  }
  scaled = pixScale (gray, (l_float32) text_height / box->height,
      (l_float32) text_height / box->height);
  pixDestroy (&gray);
  if (scaled == NULL)
    return NULL;
  /* One Otsu threshold over the whole crop. */
  if (pixOtsuAdaptiveThreshold (scaled, pixGetWidth (scaled),
          pixGetHeight (scaled), 0, 0, 0.0, NULL, &binary) != 0)
    binary = NULL;
  pixDestroy (&scaled);
  return binary;
}

const gchar *
gc_ocr_engine_read_sign (GcOcrEngine * engine, const GcOcrFrame * frame,
    const GcOcrBox * box)
{
  GcOcrPrepared prep;
  const gchar *sign = NULL;
  PIX *bright;

  if (engine->sign == NULL && !engine->sign_failed) {
    g_autoptr (GError) error = NULL;

    engine->sign = check_languages (engine->tessdata_dir, NUMERIC_LANGUAGE,
        &error) ? create_api (engine->tessdata_dir, NUMERIC_LANGUAGE, &error)
        : NULL;
    if (engine->sign == NULL) {
      g_debug ("no sign re-reads: %s", error ? error->message : "");
      engine->sign_failed = TRUE;
      return NULL;
    }
    TessBaseAPISetVariable (engine->sign, "tessedit_char_whitelist",
        SIGN_WHITELIST);
    TessBaseAPISetPageSegMode (engine->sign, PSM_SINGLE_CHAR);
  }
  if (engine->sign == NULL)
    return NULL;
  if (gc_ocr_prepare_line (frame, box, engine->text_height, &prep)) {
    sign = sign_of_pix (engine, prep.pix, SIGN_CONFIDENCE);
    gc_ocr_prepared_clear (&prep);
  }
  if (sign || frame->format != GC_OCR_FORMAT_RGBX)
    return sign;
  /* Again without a coloured stroke: a struck "24,99 €". */
  bright = brightest_channel (frame, box, engine->text_height);
  if (bright) {
    sign = sign_of_pix (engine, bright, STRUCK_SIGN_CONFIDENCE);
    /* Then without what touches the crop's edge (the tail of the digit
     * before the sign, the edge of the card); not at once, as the rest of
     * the stroke may tie the sign to that digit. */
    if (sign == NULL) {
      PIX *clean = pixRemoveBorderConnComps (bright, 8);

      if (clean) {
        sign = sign_of_pix (engine, clean, STRUCK_SIGN_CONFIDENCE);
        pixDestroy (&clean);
      }
    }
    pixDestroy (&bright);
  }
  return sign;
}

GcOcrLine *
gc_ocr_engine_read_region (GcOcrEngine * engine, const GcOcrFrame * frame,
    const GcOcrBox * box, GError ** error)
{
  GcOcrPrepared prep;
  GcOcrLine *line;

  if (!gc_ocr_frame_check (frame, error))
    return NULL;
  if (box->x < 0 || box->y < 0 || box->width <= 0 || box->height <= 0
      || box->x + box->width > frame->width
      || box->y + box->height > frame->height) {
    g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
        "OCR: region %d,%d %dx%d outside the %dx%d frame", box->x, box->y,
        box->width, box->height, frame->width, frame->height);
    return NULL;
  }
  if (engine->pp)
    return gc_ocr_ppocr_read_region (engine, frame, box, error);
  if (!gc_ocr_prepare_line (frame, box, engine->text_height, &prep))
    return NULL;
  line = gc_ocr_tess_read_line (engine, &prep, box);
  gc_ocr_prepared_clear (&prep);
  return line;
}

/* Takes tasks of the current batch until none is left; @engine is the
 * taking thread's own.  Returns how many it took. */
static gint
run_tasks (Team * team, GcOcrEngine * engine)
{
  gint i, taken = 0;

  while ((i = g_atomic_int_add (&team->next, 1)) < team->n_tasks) {
    Task *t = &team->tasks[i];

    taken++;

    /* The pixels changed; the glyphs may not have: preparing the line
     * costs ~1 ms, reading it ~15. */
    if (!gc_ocr_prepare_line (team->frame, t->box, engine->text_height,
            &t->prep))
      continue;
    if (team->tracker && gc_ocr_tracker_has_ink (team->tracker, t->box,
            &t->prep))
      t->ink_known = TRUE;
    else
      t->line = gc_ocr_tess_read_line (engine, &t->prep, t->box);
  }
  return taken;
}

static gpointer
helper_main (gpointer data)
{
  Helper *h = data;
  Team *team = &h->owner->team;
  guint64 seen = 0;
  GError *error = NULL;
  GcOcrEngine *engine = gc_ocr_engine_new (&h->config, &error);

  g_mutex_lock (&team->lock);
  h->engine = engine;
  h->error = error;
  h->ready = TRUE;
  g_cond_broadcast (&team->done);
  /* Without an engine the owner fails and quits. */
  while (engine == NULL && !team->quit)
    g_cond_wait (&team->wake, &team->lock);
  for (;;) {
    while (!team->quit && team->batch == seen)
      g_cond_wait (&team->wake, &team->lock);
    if (team->quit)
      break;
    seen = team->batch;
    g_mutex_unlock (&team->lock);
    g_atomic_int_add (&h->owner->helper_tasks, run_tasks (team, h->engine));
    g_mutex_lock (&team->lock);
    team->busy--;
    g_cond_signal (&team->done);
  }
  g_mutex_unlock (&team->lock);
  return NULL;
}

/* Runs @tasks on the calling thread and every helper; returns when all
 * are done. */
static void
run_batch (GcOcrEngine * engine, const GcOcrFrame * frame,
    GcOcrTracker * tracker, Task * tasks, gint n_tasks)
{
  Team *team = &engine->team;
  /* One task is read here alone. */
  gboolean shared = engine->n_helpers > 0 && n_tasks > 1;

  team->frame = frame;
  team->tracker = tracker;
  team->tasks = tasks;
  team->n_tasks = n_tasks;
  g_atomic_int_set (&team->next, 0);
  if (shared) {
    g_mutex_lock (&team->lock);
    team->busy = engine->n_helpers;
    team->batch++;
    g_cond_broadcast (&team->wake);
    g_mutex_unlock (&team->lock);
  }
  run_tasks (team, engine);
  if (shared) {
    g_mutex_lock (&team->lock);
    while (team->busy > 0)
      g_cond_wait (&team->done, &team->lock);
    g_mutex_unlock (&team->lock);
  }
  team->tasks = NULL;
  team->frame = NULL;
  team->tracker = NULL;
}

static gint
compare_task_width (gconstpointer pa, gconstpointer pb, gpointer unused)
{
  const Task *a = pa, *b = pb;

  if (a->box->width != b->box->width)
    return a->box->width > b->box->width ? -1 : 1;
  return a->region < b->region ? -1 : a->region > b->region;
}

guint
gc_ocr_engine_helper_tasks (GcOcrEngine * engine)
{
  return (guint) g_atomic_int_get (&engine->helper_tasks);
}

GcOcrLine *
gc_ocr_line_reused (const GcOcrLine * known, guint id)
{
  GcOcrLine *line = gc_ocr_line_copy (known);

  line->reused = TRUE;
  line->track_id = id;
  return line;
}

GPtrArray *
gc_ocr_engine_read_frame (GcOcrEngine * engine, const GcOcrFrame * frame,
    GcOcrTracker * tracker, GError ** error)
{
  g_autoptr (GArray) regions = NULL;
  g_autofree Task *tasks = NULL;
  g_autofree GcOcrLine **known_lines = NULL;
  g_autofree gint *task_of = NULL;
  GPtrArray *lines;
  gint n_tasks = 0;
  guint i;

  if (!gc_ocr_frame_check (frame, error))
    return NULL;
  if (engine->pp)
    return gc_ocr_ppocr_read_frame (engine, frame,
        tracker, error);
  lines = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_ocr_line_free);
  /* Overlays stay up for seconds: most sampled frames of a static shot are
   * the last one again, and cost only this comparison. */
  if (tracker && gc_ocr_tracker_frame_unchanged (tracker, frame)) {
    gc_ocr_tracker_reuse_all (tracker, lines);
    return lines;
  }
  regions = gc_ocr_find_regions (frame, error);
  if (regions == NULL) {
    g_ptr_array_unref (lines);
    return NULL;
  }
  if (tracker)
    gc_ocr_tracker_begin (tracker);

  /* First the tracker's cheap looks, in this thread: the region's pixels,
   * then the glyphs where the last reading came from.  What is left
   * becomes a task for the engine's threads. */
  tasks = g_new0 (Task, MAX (1, regions->len));
  known_lines = g_new0 (GcOcrLine *, MAX (1, regions->len));
  task_of = g_new (gint, MAX (1, regions->len));
  for (i = 0; i < regions->len; i++) {
    const GcOcrBox *box = &g_array_index (regions, GcOcrBox, i);
    const GcOcrLine *known = NULL;
    guint id;

    task_of[i] = -1;
    if (tracker && (gc_ocr_tracker_lookup (tracker, frame, box, &known, &id)
            || gc_ocr_tracker_lookup_glyphs (tracker, frame, box, &known,
                &id))) {
      if (known)
        known_lines[i] = gc_ocr_line_reused (known, id);
      continue;
    }
    tasks[n_tasks].box = box;
    tasks[n_tasks].region = i;
    task_of[i] = n_tasks++;
  }

  /* Longest lines first, so that the threads finish together. */
  g_qsort_with_data (tasks, n_tasks, sizeof (Task), compare_task_width, NULL);
  for (i = 0; i < (guint) n_tasks; i++)
    task_of[tasks[i].region] = i;
  run_batch (engine, frame, tracker, tasks, n_tasks);

  /* Then, in region order, what the tasks found goes into the tracker and
   * the result: the same whichever thread did what. */
  for (i = 0; i < regions->len; i++) {
    const GcOcrBox *box = &g_array_index (regions, GcOcrBox, i);
    const GcOcrLine *known = NULL;
    GcOcrLine *line;
    Task *t;
    guint id;

    if (task_of[i] < 0) {
      if (known_lines[i])
        g_ptr_array_add (lines, known_lines[i]);
      continue;
    }
    t = &tasks[task_of[i]];
    line = g_steal_pointer (&t->line);
    if (t->ink_known) {
      if (gc_ocr_tracker_lookup_ink (tracker, frame, box, &t->prep, &known,
              &id)) {
        if (known) {
          line = gc_ocr_line_reused (known, id);
          line->box = t->prep.ink_box;
          g_ptr_array_add (lines, line);
        }
        gc_ocr_prepared_clear (&t->prep);
        continue;
      }
      /* A region stored earlier in this frame took the entry's place. */
      line = gc_ocr_tess_read_line (engine, &t->prep, box);
    }
    if (tracker) {
      id = gc_ocr_tracker_store (tracker, frame, box, line,
          t->prep.pix ? &t->prep : NULL);
      if (line)
        line->track_id = id;
    }
    gc_ocr_prepared_clear (&t->prep);
    if (line)
      g_ptr_array_add (lines, line);
  }
  if (tracker)
    gc_ocr_tracker_end (tracker);
  return lines;
}

/* Wraps the frame for Tesseract, without our preparation. */
static PIX *
frame_to_pix (const GcOcrFrame * frame)
{
  gint x, y;
  PIX *pix;

  if (frame->format == GC_OCR_FORMAT_GRAY8) {
    pix = pixCreate (frame->width, frame->height, 8);
    for (y = 0; y < frame->height; y++) {
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);
      const guint8 *row = frame->data + (gsize) y * frame->stride;
      for (x = 0; x < frame->width; x++)
        SET_DATA_BYTE (line, x, row[x]);
    }
  } else {
    pix = pixCreate (frame->width, frame->height, 32);
    for (y = 0; y < frame->height; y++) {
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);
      const guint8 *row = frame->data + (gsize) y * frame->stride;
      for (x = 0; x < frame->width; x++) {
        const guint8 *p = row + x * 4;
        composeRGBPixel (p[0], p[1], p[2], line + x);
      }
    }
  }
  pixSetResolution (pix, 300, 300);
  return pix;
}

GPtrArray *
gc_ocr_engine_read_page (GcOcrEngine * engine, const GcOcrFrame * frame,
    gint psm, GError ** error)
{
  GPtrArray *lines;
  TessResultIterator *it;
  TessBaseAPI *api;
  PIX *pix;

  if (!gc_ocr_frame_check (frame, error))
    return NULL;
  if (engine->pp)
    return gc_ocr_ppocr_read_frame (engine, frame,
        NULL, error);
  /* The baseline reads with all the languages in one Tesseract. */
  if (engine->alt == NULL)
    api = engine->api;
  else if (engine->page == NULL && (engine->page =
          create_api (engine->tessdata_dir, engine->languages, error)) == NULL)
    return NULL;
  else
    api = engine->page;
  lines = g_ptr_array_new_with_free_func ((GDestroyNotify) gc_ocr_line_free);
  pix = frame_to_pix (frame);
  TessBaseAPISetPageSegMode (api, (TessPageSegMode) psm);
  /* The baseline is Tesseract as users run it: inverted retry included. */
  TessBaseAPISetVariable (api, "invert_threshold", "0.7");
  TessBaseAPISetImage2 (api, pix);
  if (TessBaseAPIRecognize (api, NULL) == 0
      && (it = TessBaseAPIGetIterator (api)) != NULL) {
    TessPageIterator *pit = TessResultIteratorGetPageIterator (it);

    do {
      char *t = TessResultIteratorGetUTF8Text (it, RIL_TEXTLINE);
      GcOcrLine *line;
      gint x1, y1, x2, y2;

      if (t == NULL)
        continue;
      line = g_new0 (GcOcrLine, 1);
      line->text = gc_ocr_normalise_text (t);
      TessDeleteText (t);
      TessPageIteratorBoundingBox (pit, RIL_TEXTLINE, &x1, &y1, &x2, &y2);
      line->box = (GcOcrBox) { x1, y1, x2 - x1, y2 - y1 };
      line->confidence = TessResultIteratorConfidence (it, RIL_TEXTLINE) / 100.0f;
      if (*line->text)
        g_ptr_array_add (lines, line);
      else
        gc_ocr_line_free (line);
    } while (TessPageIteratorNext (pit, RIL_TEXTLINE));
    TessResultIteratorDelete (it);
  }
  TessBaseAPIClear (api);
  TessBaseAPISetVariable (api, "invert_threshold", "0");
  TessBaseAPISetPageSegMode (api, PSM_SINGLE_LINE);
  pixDestroy (&pix);
  return lines;
}

static const GcOcrApi api_table = {
  .version = GC_OCR_API_VERSION,
  .size = sizeof (GcOcrApi),
  .config_init = gc_ocr_config_init,
  .engine_new = gc_ocr_engine_new,
  .engine_free = gc_ocr_engine_free,
  .find_regions = gc_ocr_find_regions,
  .read_region = gc_ocr_engine_read_region,
  .read_frame = gc_ocr_engine_read_frame,
  .read_page = gc_ocr_engine_read_page,
  .tracker_new = gc_ocr_tracker_new,
  .tracker_free = gc_ocr_tracker_free,
  .tracker_reset = gc_ocr_tracker_reset,
  .line_copy = gc_ocr_line_copy,
  .line_free = gc_ocr_line_free,
  .engine_kind = gc_ocr_engine_kind,
  .engine_describe = gc_ocr_engine_describe,
};

const GcOcrApi *
gc_ocr_get_api (void)
{
  return &api_table;
}
