/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared OCR worker pool of complianceocr (see gstcomplianceocrpool.h
 * for what it promises and who owns what). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstcomplianceocrpool.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gc-error.h"

typedef struct
{
  GcOcrPool *pool;
  guint index;
  GThread *thread;
  /* Worker thread only (read by others once ready, until quit). */
  GcOcrEngine *engine;
  /* Pool lock. */
  gboolean ready;
  GError *init_error;
  GcOcrPoolSlot *running;
} PoolWorker;

struct _GcOcrPool
{
  gchar *name;
  gint refs;                    /* pools_lock */
  const GcOcrApi *api;
  GcOcrEngineKind engine;
  gchar *languages;
  gchar *tessdata_dir;
  gint nice_increment;

  GMutex lock;
  GCond cond;                   /* a slot queued, a run ended, quit */
  GQueue queue;                 /* GcOcrPoolSlot, first come first served */
  gboolean quit;
  PoolWorker *workers;
  guint n_workers;
};

static GMutex pools_lock;
static GHashTable *pools;       /* name -> GcOcrPool, pools_lock */

static const gchar *
kind_name (GcOcrEngineKind kind)
{
  switch (kind) {
    case GC_OCR_ENGINE_PPOCR:
      return "ppocr";
    case GC_OCR_ENGINE_TESSERACT:
      return "tesseract";
    default:
      return "auto";
  }
}

static gpointer
pool_worker_main (gpointer data)
{
  PoolWorker *w = data;
  GcOcrPool *pool = w->pool;
  GcOcrConfig config;
  GError *err = NULL;
  int nice;
  id_t tid;

  pool->api->config_init (&config);
  config.languages = pool->languages;
  config.tessdata_dir = pool->tessdata_dir;
  config.engine = pool->engine;
  /* One thread each: the pool's workers are what share the cores. */
  config.threads = 1;
  /* A pool serves many streams and is seldom at rest: its engines keep
   * the models' memory between reads (at 16 streams of the ingest bench a
   * read took 294 ms instead of 381 ms, and 8.5% of the samples were
   * dropped instead of 27.9%). */
  config.keep_memory = TRUE;
  w->engine = pool->api->engine_new (&config, &err);

  /* Background work, as complianceocr's own workers. */
  tid = (id_t) syscall (SYS_gettid);
  errno = 0;
  nice = getpriority (PRIO_PROCESS, tid);
  if (errno == 0)
    (void) setpriority (PRIO_PROCESS, tid,
        MIN (nice + pool->nice_increment, 19));

  g_mutex_lock (&pool->lock);
  w->ready = TRUE;
  w->init_error = err;
  g_cond_broadcast (&pool->cond);
  while (w->engine != NULL && !pool->quit) {
    GcOcrPoolSlot *slot = g_queue_pop_head (&pool->queue);

    if (slot == NULL) {
      g_cond_wait (&pool->cond, &pool->lock);
      continue;
    }
    slot->queued = FALSE;
    w->running = slot;
    g_mutex_unlock (&pool->lock);

    slot->run (slot, w->engine);

    g_mutex_lock (&pool->lock);
    w->running = NULL;
    g_cond_broadcast (&pool->cond);
  }
  g_mutex_unlock (&pool->lock);

  g_clear_pointer (&w->engine, pool->api->engine_free);
  return NULL;
}

static void
pool_free (GcOcrPool * pool)
{
  g_mutex_lock (&pool->lock);
  pool->quit = TRUE;
  g_cond_broadcast (&pool->cond);
  g_mutex_unlock (&pool->lock);
  for (guint i = 0; i < pool->n_workers; i++) {
    if (pool->workers[i].thread)
      g_thread_join (pool->workers[i].thread);
    g_clear_error (&pool->workers[i].init_error);
  }
  g_free (pool->workers);
  g_queue_clear (&pool->queue);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->cond);
  g_free (pool->name);
  g_free (pool->languages);
  g_free (pool->tessdata_dir);
  g_free (pool);
}

/* Starts the workers and waits for their engines. */
static GcOcrPool *
pool_new (const gchar * name, const GcOcrApi * api,
    const GcOcrConfig * config, guint n_threads, gint nice_increment,
    GError ** error)
{
  GcOcrPool *pool = g_new0 (GcOcrPool, 1);
  GError *init_error = NULL;

  pool->name = g_strdup (name);
  pool->refs = 1;
  pool->api = api;
  pool->engine = config->engine;
  pool->languages = g_strdup (config->languages);
  pool->tessdata_dir = g_strdup (config->tessdata_dir);
  pool->nice_increment = nice_increment;
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->cond);
  g_queue_init (&pool->queue);
  pool->n_workers = MAX (n_threads, 1);
  pool->workers = g_new0 (PoolWorker, pool->n_workers);

  for (guint i = 0; i < pool->n_workers && init_error == NULL; i++) {
    PoolWorker *w = &pool->workers[i];
    g_autofree gchar *tname = g_strdup_printf ("ocr-pool-%u", i);

    w->pool = pool;
    w->index = i;
    w->thread = g_thread_try_new (tname, pool_worker_main, w, &init_error);
  }

  g_mutex_lock (&pool->lock);
  for (guint i = 0; i < pool->n_workers && init_error == NULL; i++) {
    PoolWorker *w = &pool->workers[i];
    while (w->thread && !w->ready)
      g_cond_wait (&pool->cond, &pool->lock);
    if (w->init_error)
      init_error = g_error_copy (w->init_error);
  }
  g_mutex_unlock (&pool->lock);

  if (init_error) {
    g_propagate_error (error, init_error);
    pool_free (pool);
    return NULL;
  }
  return pool;
}

GcOcrPool *
gc_ocr_pool_acquire (const gchar * name, const GcOcrApi * api,
    const GcOcrConfig * config, guint n_threads, gint nice_increment,
    GError ** error)
{
  GcOcrPool *pool;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  /* Held while a new pool's engines load: a second element asking for the
   * same pool meanwhile must wait for it, not make another. */
  g_mutex_lock (&pools_lock);
  if (pools == NULL)
    pools = g_hash_table_new (g_str_hash, g_str_equal);
  pool = g_hash_table_lookup (pools, name);
  if (pool) {
    if (pool->engine != config->engine
        || g_strcmp0 (pool->languages, config->languages) != 0
        || g_strcmp0 (pool->tessdata_dir, config->tessdata_dir) != 0) {
      g_set_error (error, GC_ERROR, GC_ERROR_INVALID,
          "OCR pool \"%s\" already runs engine=%s languages=%s "
          "tessdata-dir=%s; this element asks for engine=%s languages=%s "
          "tessdata-dir=%s: give it the same settings or another pool name",
          name, kind_name (pool->engine), pool->languages,
          pool->tessdata_dir ? pool->tessdata_dir : "(default)",
          kind_name (config->engine), config->languages,
          config->tessdata_dir ? config->tessdata_dir : "(default)");
      pool = NULL;
    } else {
      pool->refs++;
    }
  } else {
    pool = pool_new (name, api, config, n_threads, nice_increment, error);
    if (pool)
      g_hash_table_insert (pools, pool->name, pool);
  }
  g_mutex_unlock (&pools_lock);
  return pool;
}

void
gc_ocr_pool_release (GcOcrPool * pool)
{
  gboolean last;

  g_mutex_lock (&pools_lock);
  last = --pool->refs == 0;
  if (last)
    g_hash_table_remove (pools, pool->name);
  g_mutex_unlock (&pools_lock);
  if (last)
    pool_free (pool);
}

const gchar *
gc_ocr_pool_describe (GcOcrPool * pool)
{
  return pool->api->engine_describe (pool->workers[0].engine);
}

guint
gc_ocr_pool_n_threads (GcOcrPool * pool)
{
  return pool->n_workers;
}

void
gc_ocr_pool_submit (GcOcrPool * pool, GcOcrPoolSlot * slot)
{
  g_mutex_lock (&pool->lock);
  g_warn_if_fail (!slot->queued);
  slot->queued = TRUE;
  g_queue_push_tail (&pool->queue, slot);
  /* Every waiter wakes (workers and detachers share the condition); an
   * idle worker takes it. */
  g_cond_broadcast (&pool->cond);
  g_mutex_unlock (&pool->lock);
}

void
gc_ocr_pool_detach (GcOcrPool * pool, GcOcrPoolSlot * slot)
{
  gboolean running;

  g_mutex_lock (&pool->lock);
  if (slot->queued) {
    g_queue_remove (&pool->queue, slot);
    slot->queued = FALSE;
  }
  do {
    running = FALSE;
    for (guint i = 0; i < pool->n_workers; i++)
      running |= pool->workers[i].running == slot;
    if (running)
      g_cond_wait (&pool->cond, &pool->lock);
  } while (running);
  g_mutex_unlock (&pool->lock);
}
