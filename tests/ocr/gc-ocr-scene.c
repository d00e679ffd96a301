/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gc-ocr-scene.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#include <string.h>

static void
set_rgb (cairo_t * cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0,
      ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

/* xorshift32: g_rand per pixel would make a 1080p frame cost 30 ms. */
static inline guint32
next_random (guint32 * state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* Camera grain: +-@amount per channel, independent per pixel. */
static void
add_grain (cairo_surface_t * surface, gint w, gint h, guint32 seed, gint amount)
{
  guint32 state = seed * 2654435761u + 1;
  guint8 *data;
  gint x, y, c, stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (y = 0; y < h; y++) {
    for (x = 0; x < w; x++) {
      guint8 *p = data + (gsize) y * stride + x * 4;
      guint32 r = next_random (&state);

      for (c = 0; c < 3; c++) {
        gint v = p[c] + (gint) ((r >> (c * 8)) & 0xff) * (2 * amount + 1) / 256
            - amount;
        p[c] = CLAMP (v, 0, 255);
      }
    }
  }
  cairo_surface_mark_dirty (surface);
}

static void
paint_gradient (cairo_t * cr, gint w, gint h)
{
  cairo_pattern_t *p = cairo_pattern_create_linear (0, 0, w, h);

  cairo_pattern_add_color_stop_rgb (p, 0.0, 0.95, 0.35, 0.20);
  cairo_pattern_add_color_stop_rgb (p, 0.35, 0.85, 0.20, 0.60);
  cairo_pattern_add_color_stop_rgb (p, 0.7, 0.25, 0.45, 0.90);
  cairo_pattern_add_color_stop_rgb (p, 1.0, 0.20, 0.75, 0.55);
  cairo_set_source (cr, p);
  cairo_paint (cr);
  cairo_pattern_destroy (p);
}

/* Soft out-of-focus shapes, the way a studio background looks behind a
 * presenter: edges everywhere, none of them sharp like glyphs. */
static void
paint_photo (cairo_t * cr, gint w, gint h, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gint i;

  cairo_set_source_rgb (cr, 0.35, 0.30, 0.28);
  cairo_paint (cr);
  for (i = 0; i < 14; i++) {
    gdouble cx = g_rand_double_range (rand, 0, w);
    gdouble cy = g_rand_double_range (rand, 0, h);
    gdouble r = g_rand_double_range (rand, h * 0.08, h * 0.45);
    cairo_pattern_t *p = cairo_pattern_create_radial (cx, cy, 0, cx, cy, r);

    cairo_pattern_add_color_stop_rgba (p, 0, g_rand_double (rand),
        g_rand_double (rand), g_rand_double (rand), 0.9);
    cairo_pattern_add_color_stop_rgba (p, 1, 0, 0, 0, 0);
    cairo_set_source (cr, p);
    cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
    cairo_fill (cr);
    cairo_pattern_destroy (p);
  }
  g_rand_free (rand);
}

static void
ellipse (cairo_t * cr, gdouble cx, gdouble cy, gdouble rx, gdouble ry)
{
  cairo_save (cr);
  cairo_translate (cr, cx, cy);
  cairo_scale (cr, rx, ry);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
}

/* Heads: eyes, brows and mouths are small dark blobs in rows, the classic
 * false text candidates. */
static void
paint_faces (cairo_t * cr, gint w, gint h, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  cairo_pattern_t *room = cairo_pattern_create_linear (0, 0, 0, h);
  gint i;

  cairo_pattern_add_color_stop_rgb (room, 0, 0.85, 0.80, 0.70);
  cairo_pattern_add_color_stop_rgb (room, 1, 0.45, 0.35, 0.30);
  cairo_set_source (cr, room);
  cairo_paint (cr);
  cairo_pattern_destroy (room);
  for (i = 0; i < 3; i++) {
    gdouble cx = w * (0.2 + 0.3 * i) + g_rand_double_range (rand, -20, 20);
    gdouble cy = h * g_rand_double_range (rand, 0.35, 0.5);
    gdouble r = h * g_rand_double_range (rand, 0.10, 0.16);
    gdouble shade = g_rand_double_range (rand, 0.75, 1.0);

    /* shoulders, hair, face, eyes, brows, mouth */
    cairo_set_source_rgb (cr, g_rand_double (rand), 0.3, g_rand_double (rand));
    ellipse (cr, cx, cy + r * 2.4, r * 1.9, r * 1.2);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0.12, 0.08, 0.06);
    ellipse (cr, cx, cy - r * 0.25, r * 1.05, r * 1.2);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0.93 * shade, 0.74 * shade, 0.60 * shade);
    ellipse (cr, cx, cy, r * 0.85, r * 1.1);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
    ellipse (cr, cx - r * 0.35, cy - r * 0.15, r * 0.12, r * 0.08);
    ellipse (cr, cx + r * 0.35, cy - r * 0.15, r * 0.12, r * 0.08);
    cairo_fill (cr);
    cairo_set_line_width (cr, MAX (2, r * 0.05));
    cairo_move_to (cr, cx - r * 0.5, cy - r * 0.35);
    cairo_line_to (cr, cx - r * 0.2, cy - r * 0.38);
    cairo_move_to (cr, cx + r * 0.2, cy - r * 0.38);
    cairo_line_to (cr, cx + r * 0.5, cy - r * 0.35);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0.7, 0.25, 0.25);
    ellipse (cr, cx, cy + r * 0.5, r * 0.3, r * 0.09);
    cairo_fill (cr);
  }
  g_rand_free (rand);
}

static void
paint_background (cairo_t * cr, cairo_surface_t * surface, gint w, gint h,
    SceneBackground bg, guint32 seed)
{
  switch (bg) {
    case SCENE_BG_GRADIENT:
      paint_gradient (cr, w, h);
      break;
    case SCENE_BG_GRAINY:
      paint_gradient (cr, w, h);
      add_grain (surface, w, h, seed, 28);
      break;
    case SCENE_BG_PHOTO:
      paint_photo (cr, w, h, seed);
      add_grain (surface, w, h, seed, 10);
      break;
    case SCENE_BG_FACES:
      paint_faces (cr, w, h, seed);
      add_grain (surface, w, h, seed, 6);
      break;
    case SCENE_BG_BARS:{
      static const guint32 bars[] = { 0xc0c000, 0x00c0c0, 0x00c000,
        0xc000c0, 0xc00000, 0x0000c0, 0xe08020
      };
      gint i;
      for (i = 0; i < 7; i++) {
        set_rgb (cr, bars[i]);
        cairo_rectangle (cr, i * w / 7.0, 0, w / 7.0 + 1, h);
        cairo_fill (cr);
      }
      break;
    }
    case SCENE_BG_NOISE:{
      GRand *rand = g_rand_new_with_seed (seed);
      guint8 *data;
      gint x, y, stride;

      cairo_surface_flush (surface);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
          *(guint32 *) (data + y * stride + x * 4) =
              0xff000000 | (g_rand_int (rand) & 0xffffff);
      cairo_surface_mark_dirty (surface);
      g_rand_free (rand);
      break;
    }
    case SCENE_BG_DARK:
      set_rgb (cr, 0x202028);
      cairo_paint (cr);
      break;
    case SCENE_BG_LIGHT:
      set_rgb (cr, 0xf4f0e8);
      cairo_paint (cr);
      break;
  }
}

guint8 *
scene_render (gint width, gint height, SceneBackground bg, guint32 seed,
    SceneItem * items, guint n_items, gint * stride)
{
  cairo_surface_t *surface =
      cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  guint8 *out, *src;
  gint x, y, sstride;
  guint i;

  paint_background (cr, surface, width, height, bg, seed);

  for (i = 0; i < n_items; i++) {
    SceneItem *it = &items[i];
    PangoLayout *layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc =
        pango_font_description_from_string (it->font ? it->font :
        "Noto Sans CJK SC Bold");
    PangoRectangle ink, logical;

    pango_font_description_set_absolute_size (desc, it->px * PANGO_SCALE);
    pango_layout_set_font_description (layout, desc);
    pango_font_description_free (desc);
    pango_layout_set_text (layout, it->text, -1);
    pango_layout_get_pixel_extents (layout, &ink, &logical);
    it->ink_x = it->x + ink.x;
    it->ink_y = it->y + ink.y;
    it->ink_w = ink.width;
    it->ink_h = ink.height;

    if (it->panel) {
      gint m = it->px / 3;
      set_rgb (cr, it->panel_rgb);
      cairo_rectangle (cr, it->ink_x - m, it->ink_y - m, ink.width + 2 * m,
          ink.height + 2 * m);
      cairo_fill (cr);
    }
    if (it->shadow) {
      /* A hard drop shadow, as streaming overlays draw it. */
      gdouble d = MAX (2.0, it->px / 12.0);

      cairo_move_to (cr, it->x + d, it->y + d);
      pango_cairo_layout_path (cr, layout);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.85);
      cairo_fill (cr);
    }
    cairo_move_to (cr, it->x, it->y);
    pango_cairo_layout_path (cr, layout);
    if (it->outline) {
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_set_line_width (cr, MAX (2.0, it->px / 10.0));
      cairo_stroke_preserve (cr);
    }
    set_rgb (cr, it->fg);
    cairo_fill (cr);
    if (it->strike) {
      gdouble ly = it->ink_y + ink.height * 0.55;
      set_rgb (cr, it->fg);
      cairo_set_line_width (cr, MAX (2.0, it->px / 12.0));
      cairo_move_to (cr, it->ink_x - it->px * 0.1, ly);
      cairo_line_to (cr, it->ink_x + ink.width + it->px * 0.1, ly);
      cairo_stroke (cr);
    }
    g_object_unref (layout);
  }
  cairo_surface_flush (surface);

  sstride = cairo_image_surface_get_stride (surface);
  src = cairo_image_surface_get_data (surface);
  *stride = width * 4;
  out = g_malloc ((gsize) *stride * height);
  for (y = 0; y < height; y++) {
    for (x = 0; x < width; x++) {
      guint32 v = *(guint32 *) (src + y * sstride + x * 4);
      guint8 *d = out + (gsize) y * *stride + x * 4;
      d[0] = (v >> 16) & 0xff;
      d[1] = (v >> 8) & 0xff;
      d[2] = v & 0xff;
      d[3] = 0xff;
    }
  }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return out;
}

GPtrArray *
scene_x264_roundtrip (guint8 * const *frames, guint n, gint width,
    gint height, gint stride, gint kbps, guint hold, guint pick,
    GError ** error)
{
  g_autofree gchar *dir = NULL, *in = NULL, *out = NULL, *pipeline = NULL;
  g_autofree gchar *err_text = NULL, *contents = NULL;
  g_auto (GStrv) argv = NULL, envp = NULL;
  g_autofree gchar *registry = NULL;
  GPtrArray *result = NULL;
  FILE *f;
  gsize len = 0, frame_size = (gsize) width * 4 * height;
  gint status = 0;
  guint i, k;
  gint y;

  g_return_val_if_fail (pick < hold, NULL);
  dir = g_dir_make_tmp ("gc-ocr-x264-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  in = g_build_filename (dir, "in.rgbx", NULL);
  out = g_build_filename (dir, "out.rgbx", NULL);
  f = g_fopen (in, "wb");
  if (f == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot write %s",
        in);
    goto done;
  }
  for (i = 0; i < n; i++)
    for (k = 0; k < hold; k++)
      for (y = 0; y < height; y++)
        fwrite (frames[i] + (gsize) y * stride, 1, (gsize) width * 4, f);
  fclose (f);

  /* tune=zerolatency and a short GOP: what a live ingest encoder does. */
  pipeline = g_strdup_printf ("gst-launch-1.0 -q filesrc location=%s ! "
      "rawvideoparse width=%d height=%d format=rgbx framerate=30/1 ! "
      "videoconvert ! video/x-raw,format=I420 ! x264enc bitrate=%d "
      "tune=zerolatency speed-preset=veryfast key-int-max=60 threads=1 ! "
      "h264parse ! "
      "avdec_h264 ! videoconvert ! video/x-raw,format=RGBx ! "
      "filesink location=%s", in, width, height, kbps, out);
  if (!g_shell_parse_argv (pipeline, NULL, &argv, error))
    goto done;
  /* Only the system's plugins are needed; the project's own (perhaps a
   * sanitizer build, which cannot load into gst-launch) stay out, with a
   * registry of their own. */
  envp = g_get_environ ();
  envp = g_environ_unsetenv (envp, "GST_PLUGIN_PATH");
  envp = g_environ_unsetenv (envp, "GST_PLUGIN_PATH_1_0");
  /* libx264 reads heap memory it never wrote: glibc's MALLOC_PERTURB_
   * (random per `meson test` run) would change the encoding. */
  envp = g_environ_unsetenv (envp, "MALLOC_PERTURB_");
  registry = g_build_filename (dir, "registry.bin", NULL);
  envp = g_environ_setenv (envp, "GST_REGISTRY", registry, TRUE);
  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_SEARCH_PATH
          | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text, &status,
          error))
    goto done;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
        "%s failed: %s", pipeline, err_text ? err_text : "");
    goto done;
  }
  if (!g_file_get_contents (out, &contents, &len, error))
    goto done;
  if (len != frame_size * n * hold) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "x264 round trip gave %" G_GSIZE_FORMAT " bytes, expected %"
        G_GSIZE_FORMAT, len, frame_size * n * hold);
    goto done;
  }
  result = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < n; i++)
    g_ptr_array_add (result, g_memdup2 (contents + frame_size * (i * hold
                + pick), frame_size));

done:
  if (in)
    g_unlink (in);
  if (out)
    g_unlink (out);
  if (registry)
    g_unlink (registry);
  g_rmdir (dir);
  return result;
}

gchar *
scene_extract_price (const gchar * text)
{
  static const gchar *const signs[] = { "¥", "￥", "$", "€", "£", NULL };
  const gchar *p;

  for (p = text; *p; p = g_utf8_next_char (p)) {
    guint i;

    for (i = 0; signs[i]; i++) {
      gsize len = strlen (signs[i]);
      if (strncmp (p, signs[i], len) == 0 && p[len] >= '0' && p[len] <= '9') {
        const gchar *e = p + len;
        while ((*e >= '0' && *e <= '9') || ((*e == '.' || *e == ',')
                && e[1] >= '0' && e[1] <= '9'))
          e++;
        return g_strndup (p, e - p);
      }
    }
  }
  return NULL;
}

gint
scene_slide_x (gint from_x, gint rest_x, guint frames, guint i)
{
  gdouble left;

  if (frames == 0 || i >= frames)
    return rest_x;
  /* Quadratic ease-out: the distance left shrinks with the square of the
   * time left. */
  left = (gdouble) (frames - i) / frames;
  return rest_x + (gint) ((from_x - rest_x) * left * left + 0.5);
}
