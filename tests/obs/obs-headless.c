/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "obs-headless.h"

#include <obs-nix-platform.h>
#include <dlfcn.h>
#include <stdio.h>

Display *
obs_headless_start (int width, int height, enum video_format format)
{
  /* obs_shutdown unloads the graphics module, and with it Mesa's driver:
   * what those keep in globals until exit then looks leaked, with frames
   * LeakSanitizer can no longer name (7 KB in 258 blocks, the same with a
   * libobs program that never loads our plugin).  Kept loaded, they are
   * reachable, and a leak of ours is reported with its stack. */
  dlopen ("libobs-opengl.so.1", RTLD_NOW | RTLD_NODELETE);
  dlopen ("libEGL_mesa.so.0", RTLD_NOW | RTLD_NODELETE);
  dlopen ("/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so", RTLD_NOW
      | RTLD_NODELETE);

  Display *display = XOpenDisplay (NULL);
  if (display == NULL) {
    fprintf (stderr, "no X display: run under xvfb-run (apt-get install "
        "xvfb xauth)\n");
    return NULL;
  }
  obs_set_nix_platform (OBS_NIX_PLATFORM_X11_EGL);
  obs_set_nix_platform_display (display);
  if (!obs_startup ("en-US", NULL, NULL)) {
    fprintf (stderr, "obs_startup failed\n");
    XCloseDisplay (display);
    return NULL;
  }
  /* Full range for RGB read-backs, partial for the encoders' NV12. */
  gboolean rgb = format == VIDEO_FORMAT_BGRA || format == VIDEO_FORMAT_RGBA;
  struct obs_video_info vi = {
    .graphics_module = "libobs-opengl",
    .fps_num = 30,.fps_den = 1,
    .base_width = width,.base_height = height,
    .output_width = width,.output_height = height,
    .output_format = format,
    .gpu_conversion = true,
    .colorspace = VIDEO_CS_709,
    .range = rgb ? VIDEO_RANGE_FULL : VIDEO_RANGE_PARTIAL,
    .scale_type = OBS_SCALE_BILINEAR,
  };
  int rv = obs_reset_video (&vi);
  if (rv != OBS_VIDEO_SUCCESS) {
    fprintf (stderr, "obs_reset_video: %d (no OpenGL through EGL? Mesa's "
        "libegl-mesa0 and libgl1-mesa-dri are needed)\n", rv);
    obs_shutdown ();
    XCloseDisplay (display);
    return NULL;
  }
  return display;
}

void
obs_headless_stop (Display * display)
{
  /* Released sources are destroyed on OBS's destruction thread; shutting
   * down meanwhile unloads modules under them (text-freetype2 crashed in
   * FT_Done_Face, 1 run in 3).  A scene's destruction queues its items'
   * sources behind the mark one wait sets: wait again, a few times. */
  for (int i = 0; i < 8; i++) {
    obs_wait_for_destroy_queue ();
    g_usleep (20000);
  }
  obs_shutdown ();
  if (display)
    XCloseDisplay (display);
}

gboolean
obs_headless_load (const char *bin, const char *data)
{
  obs_module_t *module = NULL;
  int rv = obs_open_module (&module, bin, data);
  if (rv != MODULE_SUCCESS || !obs_init_module (module)) {
    fprintf (stderr, "cannot load the OBS module %s (%d)\n", bin, rv);
    return FALSE;
  }
  return TRUE;
}
