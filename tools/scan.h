/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-compliance-scan's parts: the scan's state, shared by
 *   gst-compliance-scan.c  options, pipeline, messages, report (main),
 *   scan-sampling.c        decoding only what is analysed (the probes
 *                          around the decoder, the GOP decisions),
 *   scan-damage.c          damage met on the way (frames lost, NAL units
 *                          that do not fit, libav's concealment log).
 * Which thread owns which field is said at each group of fields. */
#pragma once

#include <gst/gst.h>

#include "gc-catalog.h"
#include "gc-report.h"

#define EXIT_CLEAN 0
#define EXIT_VIOLATIONS 1
#define EXIT_ERROR 2
/* Nothing, or too little to call the recording clean, was checked. */
#define EXIT_UNCHECKED 3

#define DEFAULT_INTERVAL_MS 1000
/* OCR threads: complianceocr takes 1 to 16; by default one per processor,
 * but not more than 8 Tesseract instances (~56 MB each). */
#define MAX_THREADS 16
#define DEFAULT_MAX_THREADS 8
/* No buffer moved for this long: the input is stuck (a corrupt file can
 * make a demuxer spin or wait forever).  OCR of one frame takes well under
 * a second, preroll of a network URI may take longer. */
#define STALL_TIMEOUT_S 20
/* While our own elements are busy (the OCR engine loading its models, OCR
 * of a frame) the input is not what is stuck.  Under AddressSanitizer on a
 * loaded machine loading the models alone takes 20 s; the limit still
 * stands, only longer, so that the tool never hangs. */
#define BUSY_STALL_TIMEOUT_S 600
#define PROGRESS_PERIOD_MS 250

typedef struct
{
  /* Options. */
  gchar *catalog_path;
  gchar *report_path;
  gchar *html_path;
  gchar *rules;
  gchar *evidence_dir;
  gchar *metrics_path;          /* --metrics: attested audience figures */
  gchar *annotated_path;
  gchar *annotated_mode;        /* complianceoverlay's mode, NULL: review */
  gboolean from_sei;
  gint interval_ms;
  gint threads;                 /* OCR threads (complianceocr threads) */
  gchar *engine;                /* complianceocr engine: auto|ppocr|tesseract */
  gchar *input;
  gchar *uri;
  /* A batch (issue 16): the INPUTs given, or read from --inputs (each
   * with its own catalog or NULL), --report-dir, the one --task to scan,
   * and --merge. */
  gchar **inputs;
  gchar **input_catalogs;
  gchar *inputs_path;
  gchar *report_dir;
  gint task;
  gboolean merge;

  GcCatalog *catalog;
  GstElement *pipeline;
  GstElement *decodebin;
  GstElement *sei;              /* --from-sei: the compliancesei extracting */
  guint confirm_frames;         /* analysed frames confirming a violation */
  gboolean skipping;            /* decode only what is analysed */

  /* Set in streaming threads, read by the main thread. */
  GMutex lock;
  gboolean video_linked;
  gchar *video_caps;            /* of the first video pad, for messages */
  gboolean have_decoder;
  gchar *link_error;

  /* Sampling grid and GOP learning: decoder threads only. */
  GstClockTime t0;              /* first coded frame's pts: grid anchor */
  GstClockTime interval;
  GstClockTime last_key;
  GstClockTime gop;             /* largest keyframe spacing seen */
  GstClockTime next_sample;     /* behind the decoder */
  GstClockTime key_serves;      /* grid point the last keyframe serves */
  /* Keyframes that serve the grid point after them (pairs of GstClockTime:
   * the keyframe's pts, the grid point), from the probe in front of the
   * decoder to the one behind it; lock. */
  GArray *early_keys;

  /* The analysed frames' size when the input is outside what the OCR
   * engine reads (fit_caps_probe), and the input's: boxes in the report
   * are mapped back to the input's pixels; lock. */
  gint in_w, in_h, fit_w, fit_h;
  GstElement *fit;              /* the capsfilter that sets it */

  /* Atomics: progress and statistics. */
  gint still;                   /* the input is a still image */
  gint progress_mark;           /* bumps on every buffer anywhere */
  gint busy;                    /* our elements starting or analysing */
  gint frames_decoded;
  gint frames_dropped_coded;
  GstClockTime position;        /* last pts that reached the sink; lock */
  /* Coded frames handed to the decoder that have not come out yet, by pts;
   * lock.  One that never comes out (skipped by the decoder as corrupt)
   * is damage. */
  GArray *in_flight;
  GstClockTime coded_end;       /* end of the last coded frame seen; lock */
  /* Coded frames the parser in front of the decoder took in and has not
   * passed on yet, in order; lock.  One it never passes on was too damaged
   * to parse: h264parse drops such a frame and says so only in its debug
   * log.  (Decoder streaming thread: parser_watched.) */
  GArray *parser_in;
  gboolean parser_watched;
  /* Frames whose NAL units do not fit together; lock. */
  guint malformed;
  GstClockTime first_malformed;
  guint nal_length_size;        /* 0: not packetized H.264/H.265 */
  gboolean hevc;
  guint lost_frames;            /* lock */
  GstClockTime first_lost;      /* lock */
  /* Frames the decoder repaired and output as if they were fine (libav's
   * error concealment), seen in its log; lock. */
  guint concealed;
  GstClockTime first_concealed; /* between this ... */
  GstClockTime first_concealed_hi;      /* ... and this */
  gchar *first_conceal;
  GstClockTime last_in;         /* last pts handed to the decoder; lock */

  /* libav's log (see libav_log). */
  GstDebugCategory *libav_cat;  /* atomic */
  gint libav_level;             /* the user's threshold for it; atomic */
  gboolean log_forward;         /* we stand in for the default log function */

  guint64 frames_analysed;
  guint decode_warnings;
  gdouble first_warning_at;
  gchar *first_warning;
  /* A network input (any URI but file://): its source's last warning
   * ("Connection timeout. Trying to reconnect"), for the stall message. */
  gboolean network;
  gchar *source_warning;
} Scan;

static inline gdouble
ns_to_s (guint64 ns)
{
  return GST_CLOCK_TIME_IS_VALID (ns) ? (gdouble) ns / GST_SECOND : 0.0;
}

/* scan-sampling.c */
/* deep-element-added of the pipeline: finds the video decoder and puts
 * the sampling and damage probes around it. */
void deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
    gpointer user_data);

/* scan-damage.c */
/* A frame at @pts that went in and never came out (s->lock held). */
void note_lost_locked (Scan *s, GstClockTime pts);
/* The parser in front of the decoder passed on the frame at @pts (s->lock
 * held). */
void note_parsed_locked (Scan *s, GstClockTime pts);
/* Watches the parser feeding @decoder_sink for frames it drops. */
void watch_parser (Scan *s, GstPad *decoder_sink);
/* libav's log: taken over for the scan (hook_log, unhook_log), and read
 * for the frames it conceals once a libav decoder is in (watch_libav). */
void hook_log (Scan *s);
void unhook_log (Scan *s);
void watch_libav (Scan *s);
/* The damage met on the way, in one sentence; NULL when none. */
gchar *describe_damage (Scan *s);

