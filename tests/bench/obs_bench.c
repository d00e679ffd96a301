/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OBS render-thread time per frame with and without the compliance
 * filter, at 1080p30, in a real libobs (headless: run it with
 * tests/bench/obs_bench.sh, which starts Xvfb).
 *
 * The scene holds a "camera": a 1920x1080 live-shopping screen with a
 * product card and a price, re-uploaded every frame from 8 renderings
 * with different sensor grain, as a capture source does.  A probe filter,
 * outermost on the scene, times each frame's render of everything inside
 * it on the render thread, and a second probe, innermost, times the
 * scene's own render; their difference, frame by frame, is what the
 * compliance filter between them cost (without it: the probes' own
 * overhead), whatever the scene's render time does meanwhile.
 * The same run measures the chain without the compliance filter (the
 * baseline), then with it, then without it again, and prints medians,
 * p95 and the ratio, and the CPU the filter's worker threads used
 * ("gc-monitor" threads, from /proc/self/task).
 *
 * Usage: obs_bench PLUGIN.so PLUGIN_DATA_DIR CATALOG [SECONDS] [INTERVAL_MS] */
#include <obs.h>
#include <util/platform.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gc-ocr-scene.h"
#include "obs-headless.h"

#define W 1920
#define H 1080
#define N_GRAIN 8
#define N_FRAMES (2 * N_GRAIN)

/* Two prices, each in 8 grains; the camera switches price every 4 s and
 * drifts a few pixels, so the filter's tracker has real work to do. */
static guint8 *frames[N_FRAMES];

/* ------------------------------------------------------------------ */
/* The camera */

typedef struct
{
  gs_texture_t *tex;
  guint64 n;
} Camera;

static const char *
camera_name (void *unused)
{
  return "bench camera";
}

static void *
camera_create (obs_data_t * settings, obs_source_t * source)
{
  return g_new0 (Camera, 1);
}

static void
camera_destroy (void *data)
{
  Camera *c = data;
  obs_enter_graphics ();
  gs_texture_destroy (c->tex);
  obs_leave_graphics ();
  g_free (c);
}

static uint32_t
camera_width (void *data)
{
  return W;
}

static uint32_t
camera_height (void *data)
{
  return H;
}

static void
camera_render (void *data, gs_effect_t * effect)
{
  Camera *c = data;
  if (c->tex == NULL)
    c->tex = gs_texture_create (W, H, GS_RGBA, 1, NULL, GS_DYNAMIC);
  guint64 n = c->n++;
  guint price = (n / 120) % 2;
  gs_texture_set_image (c->tex, frames[price * N_GRAIN + n % N_GRAIN], W * 4,
      false);
  int drift = (int) (n % 90) - 45;
  obs_source_draw (c->tex, drift / 3, drift / 5, 0, 0, false);
}

/* ------------------------------------------------------------------ */
/* The probe */

static GMutex probe_lock;
static GArray *probe_ns;        /* guint64 per frame */
static uint64_t inner_ns;       /* the inner probe's time in this frame */

static const char *
probe_name (void *unused)
{
  return "bench probe";
}

typedef struct
{
  obs_source_t *source;
  gboolean inner;
} Probe;

static void *
probe_create (obs_data_t * settings, obs_source_t * source)
{
  Probe *p = g_new0 (Probe, 1);
  p->source = source;
  p->inner = obs_data_get_bool (settings, "inner");
  return p;
}

static void
probe_destroy (void *data)
{
  g_free (data);
}

static void
probe_render (void *data, gs_effect_t * effect)
{
  Probe *p = data;
  uint64_t t0 = os_gettime_ns ();
  if (!p->inner)
    inner_ns = 0;
  obs_source_skip_video_filter (p->source);
  uint64_t dt = os_gettime_ns () - t0;
  if (p->inner) {
    inner_ns = dt;
    return;
  }
  /* What ran between the two probes: the compliance filter, or nothing. */
  dt -= MIN (dt, inner_ns);
  g_mutex_lock (&probe_lock);
  if (probe_ns)
    g_array_append_val (probe_ns, dt);
  g_mutex_unlock (&probe_lock);
}

/* ------------------------------------------------------------------ */

static guint64
monitor_cpu_ticks (void)
{
  guint64 ticks = 0;
  GDir *dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;
  while (dir && (tid = g_dir_read_name (dir))) {
    g_autofree gchar *comm_path = g_strdup_printf ("/proc/self/task/%s/comm",
        tid);
    g_autofree gchar *comm = NULL;
    if (!g_file_get_contents (comm_path, &comm, NULL, NULL)
        || !g_str_has_prefix (comm, "gc-monitor"))
      continue;
    g_autofree gchar *stat_path = g_strdup_printf ("/proc/self/task/%s/stat",
        tid);
    g_autofree gchar *stat = NULL;
    if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
      continue;
    /* Fields after the ")" that ends comm: 14 and 15 are utime, stime. */
    const gchar *p = strrchr (stat, ')');
    g_auto (GStrv) f = g_strsplit (p ? p + 2 : "", " ", -1);
    if (g_strv_length (f) > 13)
      ticks += g_ascii_strtoull (f[11], NULL, 10)
          + g_ascii_strtoull (f[12], NULL, 10);
  }
  if (dir)
    g_dir_close (dir);
  return ticks;
}

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

typedef struct
{
  double median_ms, p95_ms, mean_ms, max_ms;
  guint n;
  double worker_cpu;            /* cores */
  guint32 lagged;
} Phase;

static Phase
measure (const char *name, int seconds)
{
  Phase ph = { 0 };
  g_usleep (2 * G_USEC_PER_SEC);        /* settle */
  g_mutex_lock (&probe_lock);
  probe_ns = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_mutex_unlock (&probe_lock);
  guint32 lagged0 = obs_get_lagged_frames ();
  guint64 cpu0 = monitor_cpu_ticks ();
  gint64 t0 = g_get_monotonic_time ();
  g_usleep ((gulong) seconds * G_USEC_PER_SEC);
  gint64 t1 = g_get_monotonic_time ();
  guint64 cpu1 = monitor_cpu_ticks ();
  ph.lagged = obs_get_lagged_frames () - lagged0;
  g_mutex_lock (&probe_lock);
  GArray *a = probe_ns;
  probe_ns = NULL;
  g_mutex_unlock (&probe_lock);

  g_array_sort (a, cmp_u64);
  ph.n = a->len;
  if (a->len > 0) {
    guint64 sum = 0;
    for (guint i = 0; i < a->len; i++)
      sum += g_array_index (a, guint64, i);
    ph.median_ms = g_array_index (a, guint64, a->len / 2) / 1e6;
    ph.p95_ms = g_array_index (a, guint64, a->len * 95 / 100) / 1e6;
    ph.max_ms = g_array_index (a, guint64, a->len - 1) / 1e6;
    ph.mean_ms = (double) sum / a->len / 1e6;
  }
  g_array_unref (a);
  /* cpu1 < cpu0 when the workers of an earlier phase ended since. */
  ph.worker_cpu = cpu1 >= cpu0 ? (double) (cpu1 - cpu0)
      / sysconf (_SC_CLK_TCK) / ((t1 - t0) / 1e6) : 0;
  printf ("%-24s frames %5u  median %6.3f ms  p95 %6.3f ms  mean %6.3f ms  "
      "max %7.3f ms  lagged %u  worker CPU %.2f cores\n", name, ph.n,
      ph.median_ms, ph.p95_ms, ph.mean_ms, ph.max_ms, ph.lagged,
      ph.worker_cpu);
  fflush (stdout);
  return ph;
}

int
main (int argc, char **argv)
{
  if (argc < 4) {
    fprintf (stderr, "usage: %s PLUGIN.so PLUGIN_DATA_DIR CATALOG [SECONDS] "
        "[INTERVAL_MS]\n", argv[0]);
    return 2;
  }
  int seconds = argc > 4 ? atoi (argv[4]) : 20;
  int interval = argc > 5 ? atoi (argv[5]) : 1000;

  for (int i = 0; i < N_FRAMES; i++) {
    SceneItem items[] = {
      {"保温杯 500ml", 120, 640, 64, 0x202020, FALSE, FALSE, TRUE, 0xf4f4f4},
      {i < N_GRAIN ? "¥89.00" : "¥99.00", 120, 740, 108, 0xe0202a, FALSE,
          FALSE, TRUE, 0xf4f4f4},
      {"3.2万人在看", 60, 60, 36, 0xffffff, FALSE, FALSE, TRUE, 0x303030},
    };
    gint stride;
    frames[i] = scene_render (W, H, SCENE_BG_PHOTO, 100 + i % N_GRAIN, items,
        G_N_ELEMENTS (items), &stride);
  }

  Display *display = obs_headless_start (W, H, VIDEO_FORMAT_NV12);
  if (display == NULL || !obs_headless_load (argv[1], argv[2]))
    return 1;
  struct obs_source_info camera = {
    .id = "gc_bench_camera",.type = OBS_SOURCE_TYPE_INPUT,
    .output_flags = OBS_SOURCE_VIDEO,
    .get_name = camera_name,.create = camera_create,
    .destroy = camera_destroy,.get_width = camera_width,
    .get_height = camera_height,.video_render = camera_render,
  };
  obs_register_source (&camera);
  struct obs_source_info probe = {
    .id = "gc_bench_probe",.type = OBS_SOURCE_TYPE_FILTER,
    .output_flags = OBS_SOURCE_VIDEO,
    .get_name = probe_name,.create = probe_create,
    .destroy = probe_destroy,.video_render = probe_render,
  };
  obs_register_source (&probe);
  obs_post_load_modules ();

  obs_source_t *cam = obs_source_create ("gc_bench_camera", "camera", NULL,
      NULL);
  obs_scene_t *scene = obs_scene_create ("Scene");
  obs_scene_add (scene, cam);
  obs_source_t *scene_src = obs_scene_get_source (scene);
  obs_set_output_source (0, scene_src);
  obs_source_t *probe_filter = obs_source_create ("gc_bench_probe", "probe",
      NULL, NULL);
  obs_data_t *inner_settings = obs_data_create ();
  obs_data_set_bool (inner_settings, "inner", true);
  obs_source_t *inner_probe = obs_source_create ("gc_bench_probe",
      "inner probe", inner_settings, NULL);
  obs_data_release (inner_settings);

  printf ("OBS %s, %dx%d at 30 fps, compliance filter sampling every %d ms, "
      "%d s per phase\n", obs_get_version_string (), W, H, interval, seconds);

  /* Filters render from the last added: outer probe, [filter,] inner
   * probe, the scene. */
  obs_source_filter_add (scene_src, inner_probe);
  obs_source_filter_add (scene_src, probe_filter);
  Phase a = measure ("without filter", seconds);

  obs_data_t *settings = obs_data_create ();
  obs_data_set_string (settings, "catalog", argv[3]);
  obs_data_set_int (settings, "interval_ms", interval);
  obs_source_t *filter = obs_source_create ("gc_compliance_filter",
      "Compliance", settings, NULL);
  obs_data_release (settings);
  /* Added last, so the probe is still the outermost. */
  obs_source_filter_remove (scene_src, probe_filter);
  obs_source_filter_add (scene_src, filter);
  obs_source_filter_add (scene_src, probe_filter);
  Phase b = measure ("with compliance filter", seconds);
  obs_properties_t *props = obs_source_properties (filter);
  printf ("filter status: %s\n", obs_property_description (obs_properties_get
          (props, "status")));
  obs_properties_destroy (props);

  obs_source_filter_remove (scene_src, filter);
  obs_source_release (filter);
  Phase c = measure ("without filter, again", seconds);

  double base = (a.median_ms + c.median_ms) / 2;
  printf ("filter's render-thread time per frame: median %.3f ms, p95 %.3f "
      "ms, mean %.3f ms, max %.3f ms (%.1fx the probes' own %.3f ms); "
      "workers %.2f cores\n", b.median_ms, b.p95_ms, b.mean_ms, b.max_ms,
      base > 0 ? b.median_ms / base : 0, base, b.worker_cpu);

  obs_source_filter_remove (scene_src, probe_filter);
  obs_source_release (probe_filter);
  obs_source_filter_remove (scene_src, inner_probe);
  obs_source_release (inner_probe);
  obs_set_output_source (0, NULL);
  obs_scene_release (scene);
  obs_source_release (cam);
  obs_headless_stop (display);
  for (int i = 0; i < N_FRAMES; i++)
    g_free (frames[i]);
  return 0;
}
