/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fresh process for OcrMalloc.FrameSizedBlocksComeFromTheArenaAndGoBack:
 * tunes malloc as an engine does (gc_ocr_malloc_tune), then a new thread,
 * with a new arena of its own, allocates a frame-sized block, writes it and
 * frees it.  Prints "tuned=0|1 mapped=N kept=N": the bytes of the block
 * that were a mapping of their own (glibc's default for the first large
 * block) and those its arena still held after the free (a thread arena's
 * top under glibc's raised trim threshold).  In the test process itself
 * the thread would reuse an arena earlier tests fragmented. */
#include "gc-ocr-private.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_BYTES (8u << 20)

static struct mallinfo2 before, held, after;

static gpointer
frame_thread (gpointer data)
{
  /* volatile: the compiler may not drop the malloc/free pair. */
  guint8 *volatile p;

  /* The arena is made at the thread's first allocation: take it first. */
  free (malloc (64));
  before = mallinfo2 ();
  p = malloc (FRAME_BYTES);
  memset ((guint8 *) p, 1, FRAME_BYTES);
  held = mallinfo2 ();
  free (p);
  after = mallinfo2 ();
  return NULL;
}

int
main (void)
{
  gboolean tuned = gc_ocr_malloc_tune ();
  GThread *t = g_thread_new ("frame", frame_thread, NULL);

  g_thread_join (t);
  printf ("tuned=%d mapped=%zu kept=%zu\n", tuned,
      held.hblkhd > before.hblkhd ? held.hblkhd - before.hblkhd : 0,
      after.arena > before.arena ? after.arena - before.arena : 0);
  return 0;
}
