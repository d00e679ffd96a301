/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Large short-lived memory of the OCR engine: the models' activations and
 * weights (ONNX Runtime allocates them through gc-ocr-ppocr.c's allocator,
 * registered with its environment), our input tensors, and the frame-sized
 * scratch planes of the region finder and the detector's box search.
 *
 * Why not malloc.  With plain malloc the resident memory of a live
 * pipeline at rest swung by 40 MB from minute to minute and crept up over
 * an hour (27 MB, then 15.7 MB once the tensors were mapped), while the
 * bytes in use stayed flat (96.5-102 MB).  A read allocates and frees
 * hundreds of blocks of 64 KB-25 MB in the worker's thread arena; glibc
 * maps such a block on its own only until one is freed (the threshold then
 * rises to its size), after which they come from the arena, and the
 * small long-lived allocations made between them scatter over its pages
 * (fragmentation that malloc_trim cannot give back).  In a 2-minute live
 * run 7,400 blocks of 128-256 KB, 260 luma planes (0.5 MB) and 90 pairs of
 * the detector's box-search planes (1-4 MB) went through the arenas.
 *
 * Mapping every block on its own and unmapping it when freed made a read
 * 3x slower (1.64 M page faults against 0.20 M for three reads: faults
 * cost ~4.5 us each on this VM).  So a block of BLOCK_MAPPED_MIN or more
 * is a mapping of its own whose size is rounded up to a class (a quarter
 * of its power of two), and a block freed while a model runs is kept for
 * the next block of its class, in a cache of at most BLOCK_CACHE_BYTES
 * (least recently freed go first).  Nearly all the reuse is within a run
 * (keeping the cache between runs saved 1 mapping in 49), so the cache is
 * emptied whenever no model is running (in any engine: two workers whose
 * runs overlap share it): at rest the process holds what is in use and
 * nothing else.  A scan of a recording has no rest to keep small, and
 * there the blocks mapped afresh at each read were most of the kernel's
 * time (the kernel zeroes every new huge page): an engine made with
 * keep_memory (complianceocr in replay mode) keeps the cache, up to
 * BLOCK_KEEP_BYTES, between its runs while it lives.  On a 40 s 1080p
 * clip of the realistic set that took the scan's system time from 3.1 s
 * to 1.5 s and its wall time from 8.6 s to 7.3 s (peak resident memory
 * 389 MB to 441 MB).  Blocks of 2 MB or more are backed by huge pages (see
 * block_map): three reads of a 720p frame fault 29 k pages and take 1.2 s,
 * against 201 k and 2.8 s with malloc.  Smaller blocks come from malloc.
 * A header before the block holds its mapping's length (0: malloc); it
 * keeps ONNX Runtime's 64-byte alignment.
 *
 * Threading: any thread may allocate and free (ONNX Runtime's included);
 * the cache and the count of running models are under block_lock, the
 * counters atomic. */
#include "gc-ocr-private.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCK_HEADER 64
/* Under AddressSanitizer our own blocks come from malloc, so that our
 * writes into input tensors and scratch planes stay checked (and malloc
 * is ASan's: its thresholds are not glibc's to set); ONNX Runtime's are
 * mapped as in any build (gc_ocr_block_alloc_model). */
#if defined(__SANITIZE_ADDRESS__)
#define BLOCK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCK_ASAN 1
#endif
#endif
#define BLOCK_MODEL_MAPPED_MIN (64 * 1024)
#ifdef BLOCK_ASAN
#define BLOCK_MAPPED_MIN G_MAXSIZE
#else
#define BLOCK_MAPPED_MIN BLOCK_MODEL_MAPPED_MIN
#endif
#define BLOCK_HUGE ((gsize) 2 << 20)
#define BLOCK_CACHE_BYTES (64u << 20)
/* While an engine keeps its memory: a whole read of a 640x360 frame takes
 * 64-128 MB of blocks (with 64 MB the next read mapped 42 of its 53 blocks
 * afresh, with 128 MB none). */
#define BLOCK_KEEP_BYTES (128u << 20)
#define BLOCK_CACHE_BLOCKS 256

typedef struct
{
  gpointer base;
  gsize len;
  guint64 freed;                /* when, in frees: the oldest goes first */
} Block;

static GMutex block_lock;
static Block block_cache[BLOCK_CACHE_BLOCKS];   /* under the lock */
static guint block_cached;
static gsize block_cached_bytes;
static guint64 block_frees;
static guint block_runs;               /* models running, under the lock */
static guint block_keepers;     /* engines keeping memory, under the lock */
static guint64 block_made;     /* atomic: blocks allocated */
static gint64 block_held;      /* atomic: blocks not yet freed */
static guint64 block_mapped;   /* atomic: mappings made */

/* A mapped block's length for @size bytes: header included, rounded up to
 * a quarter of its power of two, then to pages (to huge pages from
 * BLOCK_HUGE on). */
static gsize
block_class (gsize size, gsize page)
{
  gsize need = size + BLOCK_HEADER, step = 1;

  while (step <= need / 2)
    step <<= 1;
  step = MAX (step / 4, page);
  need = (need + step - 1) / step * step;
  if (need >= BLOCK_HUGE)
    need = (need + BLOCK_HUGE - 1) / BLOCK_HUGE * BLOCK_HUGE;
  return need;
}

/* A new mapping of @len bytes.  One of BLOCK_HUGE or more is aligned to
 * BLOCK_HUGE and asked to be backed by huge pages (transparent huge
 * pages in "madvise" mode, Debian's default): a 4 KB page fault costs
 * ~4.5 us on this VM, and a 15 MB activation faulted in 4 KB pages costs
 * 17 ms, in 2 MB pages a few. */
static gpointer
block_map (gsize len)
{
  guint8 *raw, *aligned;
  gsize span, head, tail;

  if (len < BLOCK_HUGE) {
    raw = mmap (NULL, len, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return raw == MAP_FAILED ? NULL : raw;
  }
  span = len + BLOCK_HUGE;
  raw = mmap (NULL, span, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    return NULL;
  aligned = (guint8 *) (((guintptr) raw + BLOCK_HUGE - 1)
      & ~(guintptr) (BLOCK_HUGE - 1));
  head = aligned - raw;
  tail = span - head - len;
  if (head)
    munmap (raw, head);
  if (tail)
    munmap (aligned + len, tail);
#ifdef MADV_HUGEPAGE
  madvise (aligned, len, MADV_HUGEPAGE);
#endif
  return aligned;
}

static gpointer
block_alloc (gsize size, gsize mapped_min)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE), len = 0;
  void *base = NULL;

  if (size > G_MAXSIZE / 2)
    return NULL;
  if (size >= mapped_min) {
    guint i, best = G_MAXUINT;

    len = block_class (size, page);
    g_mutex_lock (&block_lock);
    for (i = 0; i < block_cached; i++)
      if (block_cache[i].len == len && (best == G_MAXUINT
              || block_cache[i].freed > block_cache[best].freed))
        best = i;
    if (best != G_MAXUINT) {
      base = block_cache[best].base;
      block_cached_bytes -= len;
      block_cache[best] = block_cache[--block_cached];
    }
    g_mutex_unlock (&block_lock);
    if (base == NULL) {
      base = block_map (len);
      if (base == NULL)
        return NULL;
      __atomic_add_fetch (&block_mapped, 1, __ATOMIC_RELAXED);
    }
  } else if (posix_memalign (&base, BLOCK_HEADER, size + BLOCK_HEADER))
    return NULL;
  *(gsize *) base = len;
  __atomic_add_fetch (&block_made, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch (&block_held, 1, __ATOMIC_RELAXED);
  return (guint8 *) base + BLOCK_HEADER;
}

gpointer
gc_ocr_block_alloc (gsize size)
{
  return block_alloc (size, BLOCK_MAPPED_MIN);
}

/* ONNX Runtime's own code is not instrumented, so AddressSanitizer checks
 * nothing in the blocks it allocates: they are mapped and cached in every
 * build.  From ASan's malloc every large block is a fresh mapping: a
 * 30 s scan faulted 14 M pages and spent half its time in the kernel. */
gpointer
gc_ocr_block_alloc_model (gsize size)
{
  return block_alloc (size, BLOCK_MODEL_MAPPED_MIN);
}

void
gc_ocr_block_free (gpointer p)
{
  Block gone[BLOCK_CACHE_BLOCKS + 1];
  guint n_gone = 0, i;
  guint8 *base;
  gsize len, cap;

  if (p == NULL)
    return;
  __atomic_sub_fetch (&block_held, 1, __ATOMIC_RELAXED);
  base = (guint8 *) p - BLOCK_HEADER;
  len = *(gsize *) base;
  if (len == 0) {
    free (base);
    return;
  }
  g_mutex_lock (&block_lock);
  /* Kept only while a model runs, or an engine keeps it (see the top). */
  cap = block_keepers > 0 ? BLOCK_KEEP_BYTES : BLOCK_CACHE_BYTES;
  if ((block_runs == 0 && block_keepers == 0) || len > cap)
    gone[n_gone++] = (Block) { base, len, 0 };
  else {
    /* Room for it: the least recently freed go. */
    while (block_cached == BLOCK_CACHE_BLOCKS
        || block_cached_bytes + len > cap) {
      guint oldest = 0;
      for (i = 1; i < block_cached; i++)
        if (block_cache[i].freed < block_cache[oldest].freed)
          oldest = i;
      gone[n_gone++] = block_cache[oldest];
      block_cached_bytes -= block_cache[oldest].len;
      block_cache[oldest] = block_cache[--block_cached];
    }
    block_cache[block_cached++] = (Block) { base, len, ++block_frees };
    block_cached_bytes += len;
  }
  g_mutex_unlock (&block_lock);
  for (i = 0; i < n_gone; i++)
    munmap (gone[i].base, gone[i].len);
}

/* Empties the cache into @gone (room for BLOCK_CACHE_BLOCKS), under the
 * lock; the caller unmaps them after it. */
static guint
take_cache (Block * gone)
{
  guint n = block_cached;

  memcpy (gone, block_cache, n * sizeof (Block));
  block_cached = 0;
  block_cached_bytes = 0;
  return n;
}

/* Counts one user of the cache in or out (@counter: block_runs or
 * block_keepers); when neither a run nor a keeping engine is left, the
 * cache's blocks go back to the system. */
static void
count_user (guint * counter, gboolean in)
{
  Block gone[BLOCK_CACHE_BLOCKS];
  guint n_gone = 0, i;

  g_mutex_lock (&block_lock);
  if (in)
    (*counter)++;
  else if (--(*counter) == 0 && block_runs == 0 && block_keepers == 0)
    n_gone = take_cache (gone);
  g_mutex_unlock (&block_lock);
  for (i = 0; i < n_gone; i++)
    munmap (gone[i].base, gone[i].len);
}

/* A model starts or ends running. */
void
gc_ocr_blocks_run (gboolean starts)
{
  count_user (&block_runs, starts);
}

/* An engine starts or stops keeping its memory; with a model running
 * (another engine's), the cache goes when the last run ends. */
void
gc_ocr_blocks_keep (gboolean keep)
{
  count_user (&block_keepers, keep);
}


void
gc_ocr_blocks_stats (guint64 * made, gint64 * held, guint64 * mapped,
    gsize * cached)
{
  *made = __atomic_load_n (&block_made, __ATOMIC_RELAXED);
  *held = __atomic_load_n (&block_held, __ATOMIC_RELAXED);
  *mapped = __atomic_load_n (&block_mapped, __ATOMIC_RELAXED);
  g_mutex_lock (&block_lock);
  *cached = block_cached_bytes;
  g_mutex_unlock (&block_lock);
}

/* glibc's thresholds for a process that runs the engine for hours.
 *
 * By default glibc moves its mmap threshold up to the largest block freed
 * so far (a 1080p video buffer: 3-8 MB) and its trim threshold to twice
 * that, and a thread arena gives back the free memory at its top only
 * above the trim threshold; malloc_trim() does not trim a thread arena's
 * top at all.  Every thread that allocates (the OCR workers, ONNX
 * Runtime's kernels, GStreamer's streaming threads) keeps up to that much
 * of its highest use resident, and the highest use creeps up as rarer
 * frames come: a live 1080p compliancebin at rest grew by 15.7 MB in an
 * hour (thread arenas 50 -> 65-77 MB) with the bytes in use flat.
 *
 * A fixed trim threshold of 1 MB gives a thread arena's top back as it is
 * freed; a fixed mmap threshold of 32 MB (glibc's own ceiling) keeps
 * frame-sized blocks in the arenas, where they are reused, instead of a
 * mapping and page faults each (a fixed 128 KB or 1 MB threshold cost
 * 9-11% of the realistic set's scan time; this one 1.5%, within noise).
 * Measured with tests/bench/soak_bench: 4 minutes grew by 7.1 MB before,
 * 0.1 MB after.
 *
 * The setting is the process's, so it is left alone where someone chose:
 * GST_COMPLIANCE_MALLOC=keep, or glibc's own MALLOC_TRIM_THRESHOLD_,
 * MALLOC_MMAP_THRESHOLD_ or a glibc.malloc.*_threshold tunable. */
#define MALLOC_TRIM_BYTES (1 << 20)
#define MALLOC_MMAP_BYTES (32 << 20)

gboolean
gc_ocr_malloc_should_tune (const gchar * const *envp)
{
  const gchar *tunables;
  const gchar *mine = g_environ_getenv ((gchar **) envp,
      "GST_COMPLIANCE_MALLOC");

  if (mine != NULL && g_ascii_strcasecmp (mine, "keep") == 0)
    return FALSE;
  if (g_environ_getenv ((gchar **) envp, "MALLOC_TRIM_THRESHOLD_")
      || g_environ_getenv ((gchar **) envp, "MALLOC_MMAP_THRESHOLD_"))
    return FALSE;
  tunables = g_environ_getenv ((gchar **) envp, "GLIBC_TUNABLES");
  if (tunables && (strstr (tunables, "glibc.malloc.trim_threshold")
          || strstr (tunables, "glibc.malloc.mmap_threshold")))
    return FALSE;
  return TRUE;
}

gboolean
gc_ocr_malloc_tune (void)
{
  static gsize once;
  static gboolean tuned;

  if (g_once_init_enter (&once)) {
#if defined(__GLIBC__) && !defined(BLOCK_ASAN)
    g_auto (GStrv) env = g_get_environ ();

    if (gc_ocr_malloc_should_tune ((const gchar * const *) env)) {
      tuned = mallopt (M_MMAP_THRESHOLD, MALLOC_MMAP_BYTES) == 1
          && mallopt (M_TRIM_THRESHOLD, MALLOC_TRIM_BYTES) == 1;
      if (tuned)
        g_debug ("malloc: mmap threshold %d MB, trim threshold %d MB "
            "(GST_COMPLIANCE_MALLOC=keep leaves them alone)",
            MALLOC_MMAP_BYTES >> 20, MALLOC_TRIM_BYTES >> 20);
    }
#endif
    g_once_init_leave (&once, 1);
  }
  return tuned;
}
