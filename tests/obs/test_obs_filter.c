/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OBS filter in a real libobs, headless: run under xvfb-run, libobs
 * starts with OBS_NIX_PLATFORM_X11_EGL and the libobs-opengl module (Mesa's
 * llvmpipe), loads build/obs-compliance/obs-compliance.so and OBS's own
 * image-source and text-freetype2 modules, and renders a scene that holds
 * an image source (a live-shopping set: grainy studio shot, product card,
 * viewer count) and a text source showing a wrong price.  The filter is put on the scene (a sync filter, as OBS
 * offers it there), and the test reads back OBS's own output frames:
 *
 * - the violation is reported (filter status line, evidence log, OBS log);
 * - the disclosure label's pixels are in the output, in the chosen corner,
 *   and everything outside it is the scene untouched;
 * - preview mode draws the boxes of what was read;
 * - a bad catalog is reported and the last good one stays in force;
 * - an OCR model that is missing leaves the output untouched and says why;
 * - removing and re-adding the filter 50 times while frames render never
 *   crashes (the sanitizer run checks for leaks);
 * - on an async source (a camera fed from its own thread) it works too.
 *
 * Usage: test_obs_filter PLUGIN.so PLUGIN_DATA_DIR */
#include <obs.h>
#include <util/platform.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "gc-ocr-scene.h"
#include "obs-headless.h"

#define W 1280
#define H 720

static int failures;

#define CHECK(cond, ...) do { \
    if (!(cond)) { \
      fprintf (stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf (stderr, __VA_ARGS__); \
      fprintf (stderr, "\n"); \
      failures++; \
    } else { \
      fprintf (stderr, "ok   %s\n", #cond); \
    } \
  } while (0)

/* ------------------------------------------------------------------ */
/* The scene: OBS's own image source showing a live-shopping set (a
 * grainy studio shot, the product's card, the viewer count), and OBS's
 * own FreeType text source showing the price over it. */

static gboolean
write_set_png (const char *path)
{
  SceneItem items[] = {
    {"保温杯 500ml", 80, 420, 46, 0x202020, FALSE, FALSE, TRUE, 0xf4f4f4},
    {"3.2万人在看", 40, 40, 26, 0xffffff, FALSE, FALSE, TRUE, 0x303030},
  };
  gint stride;
  guint8 *px = scene_render (W, H, SCENE_BG_PHOTO, 11, items,
      G_N_ELEMENTS (items), &stride);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      W, H);
  guint8 *dst = cairo_image_surface_get_data (surface);
  gint dstride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      const guint8 *p = px + y * stride + 4 * x;
      ((guint32 *) (dst + y * dstride))[x] = 0xff000000u
          | ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
    }
  cairo_surface_mark_dirty (surface);
  gboolean ok = cairo_surface_write_to_png (surface, path)
      == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy (surface);
  g_free (px);
  return ok;
}

/* OBS's own modules for the image and text sources. */
static gboolean
load_obs_module (const char *name)
{
  g_autofree gchar *bin = g_strdup_printf ("%s/%s.so", OBS_PLUGINS_DIR, name);
  g_autofree gchar *data = g_strdup_printf ("%s/%s", OBS_PLUGINS_DATA_DIR,
      name);
  if (!obs_headless_load (bin, data)) {
    fprintf (stderr, "OBS's image and text sources come with obs-studio "
        "(apt-get install obs-studio)\n");
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* A camera: an async source (OBS_SOURCE_ASYNC_VIDEO) fed from its own
 * thread at 30 fps, as a capture card or webcam is; the filter on it goes
 * through OBS's async frame path. */

typedef struct
{
  obs_source_t *source;
  GThread *thread;
  gint stop;
  guint8 *pixels;               /* RGBA, W x H */
} Camera;

static const char *
camera_name (void *unused)
{
  return "test camera";
}

static gpointer
camera_feed (gpointer data)
{
  Camera *c = data;
  struct obs_source_frame2 frame = {
    .data = {c->pixels},
    .linesize = {W * 4},
    .width = W,.height = H,
    .format = VIDEO_FORMAT_RGBA,
    .range = VIDEO_RANGE_FULL,
  };
  while (!g_atomic_int_get (&c->stop)) {
    frame.timestamp = os_gettime_ns ();
    obs_source_output_video2 (c->source, &frame);
    g_usleep (33333);
  }
  return NULL;
}

static void *
camera_create (obs_data_t * settings, obs_source_t * source)
{
  Camera *c = g_new0 (Camera, 1);
  c->source = source;
  SceneItem items[] = {
    {"保温杯 500ml", 80, 420, 46, 0x202020, FALSE, FALSE, TRUE, 0xf4f4f4},
    {"¥89.00", 80, 500, 72, 0xe0202a, FALSE, FALSE, TRUE, 0xf4f4f4},
  };
  gint stride;
  c->pixels = scene_render (W, H, SCENE_BG_FACES, 5, items,
      G_N_ELEMENTS (items), &stride);
  g_assert (stride == W * 4);
  c->thread = g_thread_new ("test-camera", camera_feed, c);
  return c;
}

static void
camera_destroy (void *data)
{
  Camera *c = data;
  g_atomic_int_set (&c->stop, 1);
  g_thread_join (c->thread);
  g_free (c->pixels);
  g_free (c);
}

/* ------------------------------------------------------------------ */
/* OBS's output, read back */

static GMutex out_lock;
static guint8 *out_frame;       /* RGBA, W x H */
static guint64 out_count;

static void
on_frame (void *param, struct video_data *frame)
{
  g_mutex_lock (&out_lock);
  if (out_frame == NULL)
    out_frame = g_malloc (W * H * 4);
  /* BGRA (the output format that reads back right with llvmpipe here:
   * RGBA and the YUV ones came back black) to RGBA. */
  for (int y = 0; y < H; y++) {
    const guint8 *s = frame->data[0] + y * frame->linesize[0];
    guint8 *d = out_frame + y * W * 4;
    for (int x = 0; x < W; x++) {
      d[4 * x] = s[4 * x + 2];
      d[4 * x + 1] = s[4 * x + 1];
      d[4 * x + 2] = s[4 * x];
      d[4 * x + 3] = s[4 * x + 3];
    }
  }
  out_count++;
  g_mutex_unlock (&out_lock);
}

/* A copy of an output frame rendered after this call. */
static guint8 *
grab (void)
{
  g_mutex_lock (&out_lock);
  guint64 want = out_count + 3;
  g_mutex_unlock (&out_lock);
  for (int i = 0; i < 500; i++) {
    g_usleep (10000);
    g_mutex_lock (&out_lock);
    if (out_count >= want) {
      guint8 *copy = g_memdup2 (out_frame, W * H * 4);
      g_mutex_unlock (&out_lock);
      return copy;
    }
    g_mutex_unlock (&out_lock);
  }
  return NULL;
}

/* Pixels of @a and @b in the rectangle that differ by more than @tol. */
static guint
count_diff (const guint8 * a, const guint8 * b, int x0, int y0, int x1,
    int y1, int tol)
{
  guint n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      for (int c = 0; c < 3; c++) {
        int d = a[(y * W + x) * 4 + c] - b[(y * W + x) * 4 + c];
        if (d > tol || d < -tol) {
          n++;
          break;
        }
      }
  return n;
}

/* Pixels in the rectangle whose R, G, B fall within [lo, hi] each. */
static guint
count_colour (const guint8 * f, int x0, int y0, int x1, int y1,
    const int lo[3], const int hi[3])
{
  guint n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      const guint8 *p = f + (y * W + x) * 4;
      if (p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1]
          && p[2] >= lo[2] && p[2] <= hi[2])
        n++;
    }
  return n;
}

/* An output frame whose top right (where the label goes) differs from
 * @before's, waiting up to 10 s for one: a loaded machine makes OBS repeat
 * frames rendered before the label; then the last frame, to be checked. */
static guint8 *
grab_labelled (const guint8 * before)
{
  for (int i = 0; i < 100; i++) {
    guint8 *f = grab ();
    if (f && count_diff (before, f, W / 2, 0, W, H / 6, 12) > 3000)
      return f;
    g_free (f);
    g_usleep (100000);
  }
  return grab ();
}

/* The first frame within 10 s that is @before again: frames rendered
 * before a filter was removed still come out for a while when the machine
 * is busy (OBS queues them), NULL if none does. */
static guint8 *
grab_unchanged (const guint8 * before)
{
  for (int i = 0; i < 100; i++) {
    guint8 *f = grab ();
    if (f && count_diff (before, f, 0, 0, W, H, 3) == 0)
      return f;
    g_free (f);
    g_usleep (100000);
  }
  return NULL;
}

static char *
filter_status (obs_source_t * filter)
{
  obs_properties_t *props = obs_source_properties (filter);
  obs_property_t *p = obs_properties_get (props, "status");
  char *s = g_strdup (p ? obs_property_description (p) : "");
  obs_properties_destroy (props);
  return s;
}

/* Waits up to @seconds for the status line to contain @needle. */
static char *
wait_status (obs_source_t * filter, const char *needle, int seconds)
{
  char *s = NULL;
  for (int i = 0; i < seconds * 10; i++) {
    g_free (s);
    s = filter_status (filter);
    if (strstr (s, needle))
      break;
    g_usleep (100000);
  }
  return s;
}

static obs_source_t *
make_filter (const char *name, const char *catalog, const char *evidence,
    int engine)
{
  obs_data_t *settings = obs_data_create ();
  obs_data_set_string (settings, "catalog", catalog);
  if (evidence)
    obs_data_set_string (settings, "evidence_dir", evidence);
  obs_data_set_int (settings, "interval_ms", 250);
  obs_data_set_int (settings, "corner", 1);     /* top right */
  obs_data_set_int (settings, "engine", engine);
  obs_source_t *f = obs_source_create ("gc_compliance_filter", name, settings,
      NULL);
  obs_data_release (settings);
  return f;
}

static const char *kCatalog = "{\n"
    "  \"schema\": \"gst-compliance-catalog/1\",\n"
    "  \"jurisdiction\": \"CN\", \"currency\": \"CNY\",\n"
    "  \"products\": [{\"sku\": \"A1001\", \"name\": \"保温杯\",\n"
    "    \"aliases\": [\"保温杯 500ml\"], \"price\": 99.0,\n"
    "    \"category\": \"general\", \"sponsored\": true}]\n" "}\n";

int
main (int argc, char **argv)
{
  if (argc != 3) {
    fprintf (stderr, "usage: %s PLUGIN.so PLUGIN_DATA_DIR\n", argv[0]);
    return 2;
  }
  g_autofree gchar *dir = g_dir_make_tmp ("gc-obs-XXXXXX", NULL);
  g_autofree gchar *catalog = g_build_filename (dir, "catalog.json", NULL);
  g_autofree gchar *bad = g_build_filename (dir, "bad.json", NULL);
  g_autofree gchar *evidence = g_build_filename (dir, "evidence", NULL);
  g_autofree gchar *no_models = g_build_filename (dir, "no-models", NULL);
  g_autofree gchar *set_png = g_build_filename (dir, "set.png", NULL);
  if (!write_set_png (set_png)) {
    fprintf (stderr, "cannot write %s\n", set_png);
    return 1;
  }
  g_file_set_contents (catalog, kCatalog, -1, NULL);
  g_file_set_contents (bad, "{\"schema\": \"gst-compliance-catalog/1\", "
      "\"products\": [{\"sku\": \"A1\", \"price\": \"cheap\"}]}", -1, NULL);
  g_mkdir (no_models, 0700);

  Display *display = obs_headless_start (W, H, VIDEO_FORMAT_BGRA);
  if (display == NULL)
    return 1;
  gboolean loaded = obs_headless_load (argv[1], argv[2]);
  CHECK (loaded, "loading %s", argv[1]);
  if (!loaded)
    return 1;
  if (!load_obs_module ("image-source") || !load_obs_module ("text-freetype2"))
    return 1;
  struct obs_source_info camera = {
    .id = "gc_test_camera",
    .type = OBS_SOURCE_TYPE_INPUT,
    .output_flags = OBS_SOURCE_ASYNC_VIDEO,
    .get_name = camera_name,
    .create = camera_create,
    .destroy = camera_destroy,
  };
  obs_register_source (&camera);
  obs_post_load_modules ();

  const char *name = obs_source_get_display_name ("gc_compliance_filter");
  CHECK (name && strcmp (name, "Compliance (gst-compliance)") == 0,
      "display name %s", name ? name : "(none)");
  CHECK (obs_get_source_output_flags ("gc_compliance_filter")
      == OBS_SOURCE_VIDEO, "a sync video filter, offered on scenes");

  obs_data_t *is = obs_data_create ();
  obs_data_set_string (is, "file", set_png);
  obs_source_t *src = obs_source_create ("image_source", "studio", is, NULL);
  obs_data_release (is);
  /* The price as streamers put it up: white, outlined, over the picture. */
  obs_data_t *ts = obs_data_create ();
  obs_data_t *font = obs_data_create ();
  obs_data_set_string (font, "face", "Noto Sans CJK SC");
  obs_data_set_string (font, "style", "Bold");
  obs_data_set_int (font, "size", 84);
  obs_data_set_int (font, "flags", 1);  /* bold */
  obs_data_set_obj (ts, "font", font);
  obs_data_release (font);
  obs_data_set_string (ts, "text", "¥89.00");
  obs_data_set_bool (ts, "outline", true);
  obs_source_t *text_src = obs_source_create ("text_ft2_source_v2", "price",
      ts, NULL);
  obs_data_release (ts);
  obs_scene_t *scene = obs_scene_create ("Scene");
  obs_scene_add (scene, src);
  obs_sceneitem_t *price_item = obs_scene_add (scene, text_src);
  struct vec2 pos = {.x = 80.0f,.y = 500.0f };
  obs_sceneitem_set_pos (price_item, &pos);
  obs_source_t *scene_src = obs_scene_get_source (scene);
  obs_set_output_source (0, scene_src);
  obs_add_raw_video_callback (NULL, on_frame, NULL);

  guint8 *base = grab ();
  CHECK (base != NULL, "OBS renders frames");
  if (base == NULL)
    return 1;

  /* 1. The filter on the scene: the violation, the label. */
  obs_source_t *filter = make_filter ("Compliance", catalog, evidence,
      0 /* auto */ );
  obs_source_filter_add (scene_src, filter);
  char *status = wait_status (filter, "price.mismatch", 120);
  CHECK (strstr (status, "price.mismatch") != NULL, "status: %s", status);
  CHECK (strstr (status, "¥89.00") != NULL, "status: %s", status);
  g_free (status);

  g_autofree gchar *jsonl = g_build_filename (evidence, "evidence.jsonl",
      NULL);
  g_autofree gchar *log = NULL;
  CHECK (g_file_get_contents (jsonl, &log, NULL, NULL), "%s", jsonl);
  CHECK (log && strstr (log, "price.mismatch") && strstr (log, "obs:Scene"),
      "evidence: %s", log ? log : "");

  guint8 *out = grab_labelled (base);
  /* The label: top right, within the margin, on a dark plate. */
  guint label_px = count_diff (base, out, W / 2, 0, W, H / 6, 12);
  const int dark_lo[3] = { 0, 0, 0 }, dark_hi[3] = { 70, 70, 70 };
  const int white_lo[3] = { 225, 225, 225 }, white_hi[3] = { 255, 255, 255 };
  guint plate = count_colour (out, W / 2, 0, W, H / 6, dark_lo, dark_hi);
  guint plate_before = count_colour (base, W / 2, 0, W, H / 6, dark_lo,
      dark_hi);
  guint text = count_colour (out, W / 2, 0, W, H / 6, white_lo, white_hi);
  guint text_before = count_colour (base, W / 2, 0, W, H / 6, white_lo,
      white_hi);
  CHECK (label_px > 3000, "%u label pixels changed", label_px);
  CHECK (plate > plate_before + 2000, "plate %u, before %u", plate,
      plate_before);
  CHECK (text > text_before + 150, "label text %u, before %u", text,
      text_before);
  /* The rest of the picture is the scene untouched. */
  guint elsewhere = count_diff (base, out, 0, H / 6, W, H, 3)
      + count_diff (base, out, 0, 0, W / 2, H / 6, 3);
  CHECK (elsewhere == 0, "%u pixels changed outside the label", elsewhere);
  g_free (out);

  /* 2. Preview mode: the boxes of what was read. */
  obs_data_t *fs = obs_source_get_settings (filter);
  obs_data_set_bool (fs, "preview", true);
  obs_source_update (filter, fs);
  g_usleep (1500000);
  out = grab ();
  const int green_lo[3] = { 0, 180, 50 }, green_hi[3] = { 70, 255, 140 };
  guint green = count_colour (out, 0, 0, W, H, green_lo, green_hi);
  guint green_before = count_colour (base, 0, 0, W, H, green_lo, green_hi);
  CHECK (green > green_before + 500, "preview boxes: %u green px, before %u",
      green, green_before);
  /* The warnings banner, opposite the label: across the bottom. */
  const int red_lo[3] = { 170, 0, 0 }, red_hi[3] = { 255, 70, 100 };
  guint red = count_colour (out, W / 4, H * 4 / 5, W * 3 / 4, H, red_lo,
      red_hi);
  guint red_before = count_colour (base, W / 4, H * 4 / 5, W * 3 / 4, H,
      red_lo, red_hi);
  CHECK (red > red_before + 3000, "warnings banner: %u red px, before %u",
      red, red_before);
  /* The README's picture of the filter on a scene: OBS's own output. */
  const gchar *shot = g_getenv ("GC_OBS_SCREENSHOT");
  if (shot && out) {
    FILE *fp = fopen (shot, "wb");
    if (fp) {
      fprintf (fp, "P6 %d %d 255\n", W, H);
      for (int i = 0; i < W * H; i++)
        fwrite (out + 4 * i, 1, 3, fp);
      fclose (fp);
    }
  }
  g_free (out);
  obs_data_set_bool (fs, "preview", false);

  /* 3. A bad catalog: said, and the last good one stays. */
  obs_data_set_string (fs, "catalog", bad);
  obs_source_update (filter, fs);
  /* OBS applies a video source's settings on its next video tick. */
  status = wait_status (filter, "not applied", 10);
  CHECK (strstr (status, "bad.json") != NULL, "status: %s", status);
  CHECK (strstr (status, "not applied") != NULL, "status: %s", status);
  g_free (status);
  g_usleep (1000000);
  out = grab ();
  CHECK (count_diff (base, out, W / 2, 0, W, H / 6, 12) > 3000,
      "the label stays with the last good catalog");
  g_free (out);
  obs_data_release (fs);
  obs_source_filter_remove (scene_src, filter);
  obs_source_release (filter);

  /* 3b. On the image source itself rather than the scene: a source that
   * draws with the effect it is given.  It shows the product (the price
   * is the text source's), so the label is drawn and nothing is wrong. */
  filter = make_filter ("Compliance on source", catalog, NULL, 0);
  obs_source_filter_add (src, filter);
  status = wait_status (filter, "product A1001", 120);
  CHECK (strstr (status, "product A1001: no violation open") != NULL,
      "status: %s", status);
  g_free (status);
  out = grab_labelled (base);
  label_px = count_diff (base, out, W / 2, 0, W, H / 6, 12);
  CHECK (label_px > 3000, "on the source: %u label pixels changed",
      label_px);
  elsewhere = count_diff (base, out, 0, H / 6, W, H, 3);
  CHECK (elsewhere == 0, "on the source: %u pixels changed elsewhere",
      elsewhere);
  g_free (out);
  obs_source_filter_remove (src, filter);
  obs_source_release (filter);

  /* The source's filter gone, the picture is as it was.  (On a busy
   * machine OBS still hands out frames rendered with it for a while:
   * step 4 took one of them for its own, once in a CI run.) */
  out = grab_unchanged (base);
  CHECK (out != NULL, "the picture is not back to the source's without "
      "the filter");
  g_free (out);

  /* 4. A missing model: the source untouched, and why. */
  g_setenv ("GST_COMPLIANCE_PPOCR_MODELS", no_models, TRUE);
  filter = make_filter ("Compliance 2", catalog, NULL, 1 /* ppocr */ );
  obs_source_filter_add (scene_src, filter);
  status = wait_status (filter, "Not checking", 60);
  CHECK (strstr (status, "Not checking") && strstr (status, "no-models"),
      "status: %s", status);
  g_free (status);
  /* Frames rendered with the filter in place, a second of them. */
  g_usleep (1000000);
  out = grab ();
  guint changed = out ? count_diff (base, out, 0, 0, W, H, 3) : G_MAXUINT;
  CHECK (changed == 0, "%u pixels changed with no OCR model", changed);
  g_free (out);
  obs_source_filter_remove (scene_src, filter);
  obs_source_release (filter);
  g_unsetenv ("GST_COMPLIANCE_PPOCR_MODELS");

  /* 5. Removed and re-added 50 times while frames render. */
  for (int i = 0; i < 50; i++) {
    filter = make_filter ("Compliance churn", catalog, NULL, 2);
    obs_source_filter_add (scene_src, filter);
    g_usleep (20000 + (i % 5) * 40000);
    obs_source_filter_remove (scene_src, filter);
    obs_source_release (filter);
  }
  out = grab ();
  CHECK (out != NULL, "still rendering after 50 adds and removes");
  if (out)
    CHECK (count_diff (base, out, 0, 0, W, H, 3) == 0,
        "no label left behind");
  g_free (out);

  /* 6. On an async source (a camera), in front of the whole scene. */
  obs_source_t *cam = obs_source_create ("gc_test_camera", "camera", NULL,
      NULL);
  obs_scene_add (scene, cam);
  /* Its first frames take a moment to reach the output. */
  guint8 *cam_base = NULL;
  for (int i = 0; i < 100; i++) {
    g_free (cam_base);
    cam_base = grab ();
    if (cam_base && count_diff (base, cam_base, 0, 0, W, H, 12) > W * H / 2)
      break;
    g_usleep (100000);
  }
  /* Two frames of the camera in a row: they are the same picture. */
  out = grab ();
  CHECK (cam_base && out && count_diff (cam_base, out, 0, 0, W, H, 3) == 0,
      "the camera shows its picture steadily");
  g_free (out);
  filter = make_filter ("Compliance on camera", catalog, NULL, 0);
  obs_source_filter_add (cam, filter);
  status = wait_status (filter, "price.mismatch", 120);
  CHECK (strstr (status, "price.mismatch") != NULL, "camera: status: %s",
      status);
  g_free (status);
  out = cam_base ? grab_labelled (cam_base) : grab ();
  CHECK (cam_base && out, "camera frames rendered");
  if (cam_base && out) {
    label_px = count_diff (cam_base, out, W / 2, 0, W, H / 6, 12);
    CHECK (label_px > 3000, "camera: %u label pixels changed", label_px);
    elsewhere = count_diff (cam_base, out, 0, H / 6, W, H, 3);
    CHECK (elsewhere == 0, "camera: %u pixels changed elsewhere", elsewhere);
  }
  g_free (out);
  g_free (cam_base);
  obs_source_filter_remove (cam, filter);
  obs_source_release (filter);
  obs_source_release (cam);

  obs_remove_raw_video_callback (on_frame, NULL);
  obs_set_output_source (0, NULL);
  obs_scene_release (scene);
  obs_source_release (text_src);
  obs_source_release (src);
  g_free (base);
  obs_headless_stop (display);
  g_free (out_frame);

  g_autofree gchar *rm = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (rm) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  fprintf (stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
