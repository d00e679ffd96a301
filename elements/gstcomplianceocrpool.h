/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process-wide pool of OCR workers shared by complianceocr elements
 * (their `pool` property): one engine per worker thread, serving the
 * elements' reads in the order they were handed in.  Each element has at
 * most one read in the pool at a time, so first come, first served is round
 * robin over the elements: a busy stream waits its turn like the others and
 * cannot starve them.  GStreamer-free (GLib and the OCR loader's table).
 *
 * Threads: the pools are found by name under one process-wide mutex; each
 * pool's queue, the slots being read and the quit flag are guarded by the
 * pool's own mutex.  A worker thread owns its engine (made and freed in it).
 * A slot's run function is called in a worker thread without any pool lock
 * held. */
#pragma once

#include <glib.h>

#include "gc-ocr.h"

G_BEGIN_DECLS

typedef struct _GcOcrPool GcOcrPool;
typedef struct _GcOcrPoolSlot GcOcrPoolSlot;

/* Reads what the slot's owner prepared, with a worker's @engine. */
typedef void (*GcOcrPoolRunFunc) (GcOcrPoolSlot * slot, GcOcrEngine * engine);

/* One client's place in the pool, embedded in the client; zero it, then
 * set run. */
struct _GcOcrPoolSlot
{
  GcOcrPoolRunFunc run;
  /* Pool lock. */
  gboolean queued;
};

/* The pool called @name, made with @n_threads workers whose engines take
 * @config when it does not exist yet (waiting for the engines: an engine
 * error fails here), else the existing one, whose configuration must be
 * the same (engine, languages, tessdata directory): the error says what
 * differs.  A later caller's @n_threads is ignored. */
GcOcrPool *gc_ocr_pool_acquire (const gchar * name, const GcOcrApi * api,
    const GcOcrConfig * config, guint n_threads, gint nice_increment,
    GError ** error);
/* Drops a reference; the last one stops the workers and frees the pool.
 * No slot of the caller may be queued or running (gc_ocr_pool_detach). */
void gc_ocr_pool_release (GcOcrPool * pool);

/* Which reader the workers' engines took. */
const gchar *gc_ocr_pool_describe (GcOcrPool * pool);
guint gc_ocr_pool_n_threads (GcOcrPool * pool);

/* Queues @slot: a worker calls slot->run once.  The slot must not be
 * queued or running already. */
void gc_ocr_pool_submit (GcOcrPool * pool, GcOcrPoolSlot * slot);
/* Takes @slot out of the queue (its run is then not called) and waits
 * until no worker runs it. */
void gc_ocr_pool_detach (GcOcrPool * pool, GcOcrPoolSlot * slot);

G_END_DECLS
