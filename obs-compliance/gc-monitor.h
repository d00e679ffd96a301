/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance monitor: the checking half of a video filter that is not a
 * GStreamer element (the OBS filter).  It takes a copy of a frame now and
 * then, reads it with the OCR engine, runs the rule pack against the
 * catalog, writes the evidence log, and keeps a view (the label to draw,
 * the violations open, a status line) that the host reads whenever it
 * draws.  GLib, the core and the OCR loader only: no GStreamer, no OBS.
 *
 * Threads.  One worker thread, started by gc_monitor_new, owns the OCR
 * engine and tracker, the rules and the evidence images; it is the only
 * one that reads.  Every other call may come from any thread and never
 * waits for a read: gc_monitor_push_frame copies the frame into the one
 * slot and returns (FALSE, counted as dropped, when the worker still has
 * one), gc_monitor_view returns the latest view under a mutex held for a
 * pointer swap.  gc_monitor_configure parses the catalog and the rule
 * pack on the caller's thread (milliseconds), so its errors come back at
 * once; the worker applies them before its next frame.  The OCR engine
 * is created on the worker (loading models takes 0.1-1 s), never on the
 * caller's thread. */
#pragma once
#include <glib.h>
#include "gc-ocr.h"
#include "gc-rules.h"

G_BEGIN_DECLS

typedef struct
{
  const gchar *catalog;         /* catalog file; NULL or "": nothing is checked */
  const gchar *rules;           /* NULL, "" or "auto": from the catalog; else a pack name or file */
  const gchar *active_sku;      /* NULL or "": the catalog's schedule, or what is on screen */
  GcOcrEngineKind engine;
  const gchar *evidence_dir;    /* NULL or "": no evidence log */
  const gchar *source;          /* names the source in evidence lines */
} GcMonitorSettings;

typedef struct
{
  gchar *text;
  GcBox box;
} GcMonitorReading;

typedef enum
{
  GC_MONITOR_IDLE,              /* no catalog: nothing is checked */
  GC_MONITOR_STARTING,          /* the OCR engine is being loaded */
  GC_MONITOR_CHECKING,
  GC_MONITOR_FAILED,            /* the OCR engine could not start: nothing is checked */
} GcMonitorState;

/* What the host draws and shows, as of the last frame read.  Immutable
 * once returned; hold it as long as needed. */
typedef struct
{
  gint ref_count;
  GcMonitorState state;
  gchar *status;                /* one line for the user */
  gchar *label;                 /* the disclosure label to draw; NULL: none */
  gdouble label_min_height;     /* the pack's minimum, a fraction of the frame height */
  gdouble label_min_contrast;
  gboolean chinese;             /* the pack's language is Chinese: warnings in Chinese */
  GPtrArray *violations;        /* GcViolation, open now */
  GArray *readings;             /* GcMonitorReading, of the last frame read */
  gint frame_width, frame_height; /* of the frame the boxes are in */
  guint64 analysed;             /* frames read */
  guint64 dropped;              /* frames offered while the worker was busy */
} GcMonitorView;

/* Called from the worker (and from gc_monitor_configure's thread) for
 * each violation start and end, and for errors the user should see. */
typedef void (*GcMonitorLogFunc) (GLogLevelFlags level, const gchar * message,
    gpointer user_data);

typedef struct _GcMonitor GcMonitor;

GcMonitor *gc_monitor_new (GcMonitorLogFunc log, gpointer user_data);
/* Stops the worker after the frame it is reading, ends the violations
 * still open (their "end" lines reach the evidence log) and frees all. */
void gc_monitor_free (GcMonitor * monitor);

/* Loads the catalog, the rule pack and the evidence directory @settings
 * name.  On an error (naming the file and what is wrong) nothing changes:
 * the last good settings stay in force. */
gboolean gc_monitor_configure (GcMonitor * monitor,
    const GcMonitorSettings * settings, GError ** error);

/* TRUE when a frame pushed now would be read: there is a catalog, the
 * engine did not fail, and the worker's slot is free.  The host uses it to
 * skip the GPU readback when it would be wasted. */
gboolean gc_monitor_wants_frame (GcMonitor * monitor);

/* Copies a frame (R, G, B, A bytes per pixel) taken at @t seconds (any
 * clock that only goes forward) for the worker.  Never waits: FALSE when
 * the worker still has a frame (the frame is dropped and counted) or
 * nothing is checked. */
gboolean gc_monitor_push_frame (GcMonitor * monitor, const guint8 * rgba,
    gint width, gint height, gint stride, gdouble t);

/* Blocks until the worker has read every frame pushed so far, or
 * @timeout_us passed.  For tests and for draining; never on a render
 * thread. */
gboolean gc_monitor_wait_idle (GcMonitor * monitor, gint64 timeout_us);

GcMonitorView *gc_monitor_view (GcMonitor * monitor);
GcMonitorView *gc_monitor_view_ref (GcMonitorView * view);
void gc_monitor_view_unref (GcMonitorView * view);

/* Names the source in the evidence lines written from now on (the host's
 * source may be renamed, or known only after the settings were given).
 * Cheap: any thread, every frame if need be. */
void gc_monitor_set_source (GcMonitor * monitor, const gchar * source);

/* The products of the catalog in force, as "SKU\tNAME" strings (for a
 * list in the host's UI); NULL-terminated, free with g_strfreev. */
gchar **gc_monitor_products (GcMonitor * monitor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcMonitorView, gc_monitor_view_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcMonitor, gc_monitor_free)

G_END_DECLS
