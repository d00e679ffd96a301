/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libobs without a desktop, for the OBS filter's test and benchmark: an
 * X display from xvfb-run, OBS_NIX_PLATFORM_X11_EGL and the libobs-opengl
 * module (Mesa's llvmpipe), 30 fps. */
#pragma once

#include <obs.h>
#include <X11/Xlib.h>
#include <glib.h>

G_BEGIN_DECLS

/* Starts libobs with a @width x @height canvas and output in @format.
 * NULL, with what is missing on stderr, when it cannot. */
Display *obs_headless_start (int width, int height, enum video_format format);
void obs_headless_stop (Display * display);

/* Opens and initialises the module @bin with its data in @data. */
gboolean obs_headless_load (const char *bin, const char *data);

G_END_DECLS
