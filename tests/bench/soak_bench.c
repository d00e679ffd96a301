/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Soak benchmark (issue 19): a live 1080p30 compliancebin for a long time.
 *
 *   build/tests/bench/soak_bench [--minutes N] [--engine auto|ppocr|tesseract]
 *       [--malloc-info DIR]
 *
 * Runs
 *
 *   videotestsrc is-live=true ! video/x-raw,1920x1080@30 !
 *   textoverlay (the price: right for 20 s, then wrong for 20 s) !
 *   compliancebin catalog=samples/catalog-cn.json evidence-dir=TMP !
 *   fakesink sync=true
 *
 * for N minutes (60 by default; 5 is the short variant) and prints, every
 * minute, the resident memory at rest, the peak (VmRSS read every 5 s),
 * the readings made and the violations raised; at the end the
 * price.mismatch violations raised against those expected (one per wrong
 * phase that lasted long enough to be confirmed), and the RSS growth after
 * the first minute.
 *
 * At rest: the frames and model activations in flight make RSS swing by
 * 100 MB within a minute (a detector run alone holds 50-100 MB), so a
 * reading taken at a random moment says more about whether a run was in
 * flight than about what is kept.  Measured: the lowest of a minute's
 * 5-s readings went 188-235 MB on a quiet machine while the bytes malloc
 * had handed out stayed at 102.5-103.7 MB.  So at the end of each minute
 * the bench holds the frames back (a blocking probe on textoverlay's
 * source pad) for REST_S seconds, long enough for every read in flight to
 * finish, hands freed memory back (malloc_trim: glibc keeps the worker
 * threads' freed blocks) and reads VmRSS, RssAnon (without the libraries'
 * pages), malloc's bytes in use and where the anonymous memory is (from
 * /proc/self/smaps: glibc's main heap, its thread arenas, and other
 * mappings, which hold the OCR engine's large tensor blocks, mapped on
 * their own and not counted by malloc), then lets the frames go: the
 * source, stopped meanwhile, catches up with a burst of late frames that
 * the analysis mostly skips.  The rests fall in the middle of a phase
 * (minute N ends PHASE_S / 2 s after a flip), so no phase loses its start
 * to them.  The growth compares the lowest rest reading of the W minutes
 * after the first with the lowest of the last W (W = (N - 1) / 2, at most
 * 10): a leak raises every reading, one that caught a straggler does not
 * lower either minimum.
 * Measured (1 h, quiet machine, PP-OCR, before the rest readings): RSS
 * floor 188 MB in minutes 2-11, 215 MB in minutes 51-60, readings 6,778.
 * Targets: growth < 5 MB after the first minute; every wrong phase
 * raised, no violation in a right one.  Exit 1 when a target is missed. */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHASE_S 20
/* Seconds the frames are held back before the rest readings (a detector
 * run takes 0.3-0.6 s, a queued sample as long again). */
#define REST_S 3

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline, *text;
  gint minute, minutes;
  guint64 readings;
  guint raised, raised_in_right, phases_wrong;
  /* Wrong phases in which price.mismatch was raised at least once (a
   * reading that flickers can end and raise it again in one phase). */
  guint phases_raised, last_raised_phase;
  gboolean wrong;
  /* Running time (s) of the first frame out of textoverlay with each new
   * price: a violation belongs to the phase its t_start falls in.  Neither
   * the wall clock at the flip nor at the message will do: on a busy
   * machine the streaming thread runs behind, so the new price reaches
   * frames captured before the flip, and confirmation and the bus add
   * their own delay.  Written by the streaming thread (the probe), read by
   * the main loop's bus watch: under lock. */
  GMutex lock;
  GArray *flips;
  gint flip_pending;            /* atomic: a new price waits for a frame */
  GArray *floors;               /* glong: each minute's RSS at rest */
  glong floor, peak;            /* this minute's at rest (lowest of the
                                 * rest readings) and peak, 0: none yet */
  /* malloc's bytes in use (allocated and not freed, in every arena and in
   * mmapped chunks), the lowest of this minute's rest readings: not the
   * OCR engine's large tensor blocks (mapped by the engine itself), nor
   * code and thread stacks. */
  glong heap_floor;
  glong anon_floor;             /* RssAnon, this minute's lowest */
  /* The rest readings (see the top): the frames are held back by
   * hold_probe on hold_pad while hold_id != 0. */
  GstPad *hold_pad;
  gulong hold_id;
  gint rest_reads;
  gint exit_code;
  const gchar *malloc_info_dir;   /* --malloc-info */
} Soak;

/* Resident memory after handing freed memory back to the system (glibc
 * keeps freed blocks of worker threads' arenas, which would read as growth
 * that is not there). */
static glong
rss_kb (glong *anon_kb)
{
  gchar *status = NULL;
  malloc_trim (0);
  glong kb = 0;
  *anon_kb = 0;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL)) {
    const gchar *at = strstr (status, "VmRSS:");
    if (at)
      kb = strtol (at + 6, NULL, 10);
    /* Anonymous pages only: not the shared libraries' code and data,
     * which fault in as new paths run. */
    at = strstr (status, "RssAnon:");
    if (at)
      *anon_kb = strtol (at + 8, NULL, 10);
  }
  g_free (status);
  return kb;
}

/* Frames out of textoverlay: the first after a flip is where the new price
 * starts (videotestsrc is-live stamps running time). */
static GstPadProbeReturn
text_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Soak *s = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (g_atomic_int_compare_and_exchange (&s->flip_pending, 1, 0)) {
    gdouble t = (gdouble) GST_BUFFER_PTS (buf) / GST_SECOND;
    g_mutex_lock (&s->lock);
    g_array_append_val (s->flips, t);
    g_mutex_unlock (&s->lock);
  }
  return GST_PAD_PROBE_OK;
}

static gboolean
flip_price (gpointer data)
{
  Soak *s = data;
  g_atomic_int_set (&s->flip_pending, 1);
  s->wrong = !s->wrong;
  if (s->wrong)
    s->phases_wrong++;
  g_object_set (s->text, "text", s->wrong ? "到手价 ¥89" : "到手价 ¥99", NULL);
  return G_SOURCE_CONTINUE;
}

/* Every 5 s: the peak. */
static gboolean
sample_rss (gpointer data)
{
  Soak *s = data;
  glong anon;
  glong rss = rss_kb (&anon);
  if (rss > s->peak)
    s->peak = rss;
  return G_SOURCE_CONTINUE;
}

static GstPadProbeReturn
hold_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  /* A blocking probe: the frame waits here until the probe is removed. */
  return GST_PAD_PROBE_OK;
}

/* Where the anonymous memory at rest is (not a figure the bench judges;
 * for finding what grows). */
static void
print_smaps (void)
{
  gchar *text = NULL;
  gchar **lines;
  glong heap = 0, arenas = 0, other = 0, big = 0;
  gint n_arenas = 0, n_other = 0;
  glong *cur = NULL;
  if (!g_file_get_contents ("/proc/self/smaps", &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (gchar **l = lines; *l; l++) {
    unsigned long a, b;
    char perm[8];
    unsigned long off, inode;
    char dev[16];
    char name[512] = "";
    if (sscanf (*l, "%lx-%lx %7s %lx %15s %lu %511s", &a, &b, perm, &off, dev,
            &inode, name) >= 6 && strchr (*l, '-') < strchr (*l, ' ')) {
      cur = NULL;
      if (!strcmp (name, "[heap]"))
        cur = &heap;
      else if (inode == 0 && name[0] == '\0') {
        gboolean aligned = (a % (64UL << 20)) == 0;
        cur = aligned ? &arenas : &other;
        if (aligned)
          n_arenas++;
      }
      continue;
    }
    if (cur && g_str_has_prefix (*l, "Anonymous:")) {
      glong kb = strtol (*l + 10, NULL, 10);
      *cur += kb;
      if (cur == &other && kb > 0) {
        n_other++;
        if (kb >= 1024)
          big += kb;
      }
    }
  }
  printf ("      smaps: main heap %.1f MB, %d thread arenas %.1f MB, other "
      "anonymous %.1f MB in %d mappings (%.1f MB in mappings of 1 MB+)\n",
      heap / 1024.0, n_arenas, arenas / 1024.0, other / 1024.0, n_other,
      big / 1024.0);
  g_strfreev (lines);
  g_free (text);
}

/* Every 0.5 s after REST_S seconds of holding: three readings, the lowest
 * kept; then the frames go and the minute is printed. */
static gboolean
rest_read (gpointer data)
{
  Soak *s = data;
  glong anon;
  glong rss = rss_kb (&anon);
  struct mallinfo2 mi = mallinfo2 ();
  glong heap = (glong) ((mi.uordblks + mi.hblkhd) / 1024);

  if (s->floor == 0 || rss < s->floor)
    s->floor = rss;
  if (s->anon_floor == 0 || anon < s->anon_floor)
    s->anon_floor = anon;
  if (s->heap_floor == 0 || heap < s->heap_floor)
    s->heap_floor = heap;
  if (++s->rest_reads < 3)
    return G_SOURCE_CONTINUE;
  gst_pad_remove_probe (s->hold_pad, s->hold_id);
  s->hold_id = 0;
  g_array_append_val (s->floors, s->floor);
  printf ("  minute %3d: RSS at rest %7.1f MB (anonymous %7.1f MB, heap in "
      "use %7.1f MB), peak %7.1f MB, %" G_GUINT64_FORMAT " readings, "
      "price.mismatch raised in %u of %u wrong phases\n", s->minute,
      s->floor / 1024.0, s->anon_floor / 1024.0, s->heap_floor / 1024.0,
      s->peak / 1024.0, s->readings, s->phases_raised, s->phases_wrong);
  print_smaps ();
  if (s->malloc_info_dir) {
    g_autofree gchar *name = g_strdup_printf ("%s/minute-%03d.xml",
        s->malloc_info_dir, s->minute);
    FILE *f = fopen (name, "w");

    if (f) {
      malloc_info (0, f);
      fclose (f);
    }
  }
  s->floor = s->peak = s->heap_floor = s->anon_floor = 0;
  fflush (stdout);
  if (s->minute >= s->minutes)
    g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
start_rest (gpointer data)
{
  Soak *s = data;
  s->rest_reads = 0;
  s->floor = s->heap_floor = s->anon_floor = 0;
  g_timeout_add (500, rest_read, s);
  return G_SOURCE_REMOVE;
}

static gboolean
every_minute (gpointer data)
{
  Soak *s = data;
  sample_rss (s);
  s->minute++;
  s->hold_id = gst_pad_add_probe (s->hold_pad, GST_PAD_PROBE_TYPE_BLOCK |
      GST_PAD_PROBE_TYPE_BUFFER, hold_probe, NULL, NULL);
  g_timeout_add_seconds (REST_S, start_rest, s);
  return s->minute >= s->minutes ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* The minutes start half a phase in, so that the rests fall mid-phase. */
static gboolean
start_minutes (gpointer data)
{
  g_timeout_add_seconds (60, every_minute, data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  Soak *s = data;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    fprintf (stderr, "soak_bench: error: %s\n", err->message);
    g_error_free (err);
    s->exit_code = 2;
    g_main_loop_quit (s->loop);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
    const GstStructure *st = gst_message_get_structure (msg);
    if (gst_structure_has_name (st, "compliance-text"))
      s->readings++;
    else if (gst_structure_has_name (st, "compliance-violation")
        && !g_strcmp0 (gst_structure_get_string (st, "event"), "start")
        && !g_strcmp0 (gst_structure_get_string (st, "rule"),
            "price.mismatch")) {
      gdouble t = 0;
      guint phase = 0;
      gst_structure_get_double (st, "t_start", &t);
      g_mutex_lock (&s->lock);
      while (phase < s->flips->len
          && g_array_index (s->flips, gdouble, phase) <= t)
        phase++;
      g_mutex_unlock (&s->lock);
      /* Phase 0 is right, 1 wrong, 2 right...; wrong phase k is the
       * ((k + 1) / 2)-th. */
      s->raised++;
      if (phase % 2 == 0)
        s->raised_in_right++;
      else if (s->last_raised_phase != (phase + 1) / 2) {
        s->last_raised_phase = (phase + 1) / 2;
        s->phases_raised++;
      }
    }
  }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gint minutes = 60;
  gchar *engine = NULL, *malloc_info_dir = NULL;
  GOptionEntry entries[] = {
    {"minutes", 'm', 0, G_OPTION_ARG_INT, &minutes, "Minutes to run (60)",
        "N"},
    {"engine", 'e', 0, G_OPTION_ARG_STRING, &engine, "OCR engine (auto)",
        "E"},
    {"malloc-info", 0, 0, G_OPTION_ARG_FILENAME, &malloc_info_dir,
        "Write glibc's malloc_info at each rest into DIR/minute-N.xml "
          "(per-arena sizes and free chunks)", "DIR"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- compliancebin soak");
  GError *err = NULL;
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || minutes < 2) {
    g_printerr ("%s\n", err ? err->message : "--minutes: give 2 or more");
    return 2;
  }
  g_option_context_free (ctx);
#ifdef GC_PLUGIN_BUILDDIR
  if (g_getenv ("GST_PLUGIN_PATH") == NULL)
    g_setenv ("GST_PLUGIN_PATH", GC_PLUGIN_BUILDDIR, TRUE);
  if (g_getenv ("GST_REGISTRY") == NULL)
    g_setenv ("GST_REGISTRY", GC_PLUGIN_BUILDDIR "/bench-registry.bin", TRUE);
#endif
  gst_init (&argc, &argv);

  gchar *evidence = g_dir_make_tmp ("soak-evidence-XXXXXX", NULL);
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true pattern=ball ! "
      "video/x-raw,width=1920,height=1080,framerate=30/1 ! textoverlay "
      "name=price text=\"到手价 ¥99\" font-desc=\"Noto Sans CJK SC 48\" "
      "valignment=top halignment=left ! compliancebin catalog=%s "
      "active-sku=A1001 engine=%s evidence-dir=%s ! fakesink sync=true",
      GC_SAMPLE_CATALOG, engine ? engine : "auto", evidence);
  Soak s = { 0, };
  s.minutes = minutes;
  s.malloc_info_dir = malloc_info_dir;
  s.flips = g_array_new (FALSE, FALSE, sizeof (gdouble));
  s.floors = g_array_new (FALSE, FALSE, sizeof (glong));
  g_mutex_init (&s.lock);
  s.pipeline = gst_parse_launch (desc, &err);
  if (!s.pipeline) {
    g_printerr ("soak_bench: %s\n", err->message);
    return 2;
  }
  s.text = gst_bin_get_by_name (GST_BIN (s.pipeline), "price");
  GstPad *text_src = gst_element_get_static_pad (s.text, "src");
  gst_pad_add_probe (text_src, GST_PAD_PROBE_TYPE_BUFFER, text_probe, &s,
      NULL);
  s.hold_pad = text_src;
  s.loop = g_main_loop_new (NULL, FALSE);
  GstBus *bus = gst_element_get_bus (s.pipeline);
  gst_bus_add_watch (bus, on_message, &s);
  printf ("soak_bench: live 1080p30 compliancebin (engine %s), the price "
      "right then wrong every %d s, %d minutes\n", engine ? engine : "auto",
      PHASE_S, minutes);
  gst_element_set_state (s.pipeline, GST_STATE_PLAYING);
  g_timeout_add_seconds (PHASE_S, flip_price, &s);
  g_timeout_add_seconds (5, sample_rss, &s);
  g_timeout_add_seconds (PHASE_S / 2, start_minutes, &s);
  g_main_loop_run (s.loop);
  gboolean last_wrong_unconfirmed = s.wrong;
  if (s.hold_id)
    gst_pad_remove_probe (s.hold_pad, s.hold_id);
  gst_element_set_state (s.pipeline, GST_STATE_NULL);

  if (s.exit_code == 0) {
    /* The phase running at the end may be too young to be confirmed. */
    guint expected = s.phases_wrong - (last_wrong_unconfirmed ? 1 : 0);
    /* Every minute was read: the loop quits after the last one's rest. */
    guint n = s.floors->len, w = CLAMP ((n - 1) / 2, 1, 10);
    glong first = g_array_index (s.floors, glong, 0);
    glong last = g_array_index (s.floors, glong, n - 1);
    glong growth = last - first;
    glong base = G_MAXLONG, end = G_MAXLONG;
    for (guint i = 1; n >= 3 && i <= w; i++)
      base = MIN (base, g_array_index (s.floors, glong, i));
    for (guint i = n - w; n >= 3 && i < n; i++)
      end = MIN (end, g_array_index (s.floors, glong, i));
    printf ("soak_bench: price.mismatch raised in %u of %u wrong phases (+%u "
        "for the last, maybe too short), %u times in all, %u starting while "
        "the price was right\n", s.phases_raised, expected,
        last_wrong_unconfirmed ? 1 : 0, s.raised, s.raised_in_right);
    printf ("soak_bench: RSS at rest in minute 1 %.1f MB, in the last %.1f MB "
        "(%+.1f MB)\n", first / 1024.0, last / 1024.0,
        growth / 1024.0);
    if (n >= 3) {
      growth = end - base;
      printf ("soak_bench: lowest at rest in minutes 2-%u %.1f MB, in minutes "
          "%u-%u %.1f MB: growth %.1f MB (target < 5 MB)\n", w + 1,
          base / 1024.0, n - w + 1, n, end / 1024.0, growth / 1024.0);
    } else
      printf ("soak_bench: growth %.1f MB (target < 5 MB; under 3 minutes, "
          "minute 1 against the last)\n", growth / 1024.0);
    if (growth >= 5 * 1024 || s.phases_raised < expected
        || s.raised_in_right > 0)
      s.exit_code = 1;
  }
  gst_object_unref (bus);
  gst_object_unref (s.hold_pad);
  gst_object_unref (s.text);
  gst_object_unref (s.pipeline);
  g_main_loop_unref (s.loop);
  g_array_unref (s.flips);
  g_array_unref (s.floors);
  g_mutex_clear (&s.lock);
  /* The evidence written is the bench's own: removed. */
  GDir *dir = g_dir_open (evidence, 0, NULL);
  const gchar *name;
  while (dir && (name = g_dir_read_name (dir))) {
    gchar *p = g_build_filename (evidence, name, NULL);
    g_unlink (p);
    g_free (p);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (evidence);
  g_free (evidence);
  g_free (desc);
  g_free (engine);
  g_free (malloc_info_dir);
  return s.exit_code;
}
