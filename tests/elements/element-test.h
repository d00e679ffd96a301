/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the element tests (GoogleTest under GstHarness). */
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

namespace gc_test {

/* Sets "key=value key2=value2" on @e as gst-launch would (enums by nick,
 * booleans, numbers), before the element starts. */
inline void
set_props (GstElement *e, const char *props)
{
  if (e == nullptr || props == nullptr)
    return;
  gchar **kv = g_strsplit (props, " ", -1);
  for (gchar **p = kv; *p; p++) {
    gchar **pair = g_strsplit (*p, "=", 2);
    if (pair[0] && pair[1])
      gst_util_set_object_arg (G_OBJECT (e), pair[0], pair[1]);
    g_strfreev (pair);
  }
  g_strfreev (kv);
}

/* A WARNING or ERROR message: its text appended to @warnings or @errors
 * (with " | " and the debug text when @with_debug), TRUE.  Any other
 * message: FALSE, nothing taken. */
inline bool
take_warning_or_error (GstMessage *m, std::vector<std::string> &warnings,
    std::vector<std::string> &errors, bool with_debug = false)
{
  GstMessageType type = GST_MESSAGE_TYPE (m);
  if (type != GST_MESSAGE_WARNING && type != GST_MESSAGE_ERROR)
    return false;
  GError *err = nullptr;
  gchar *dbg = nullptr;
  if (type == GST_MESSAGE_WARNING)
    gst_message_parse_warning (m, &err, &dbg);
  else
    gst_message_parse_error (m, &err, &dbg);
  std::string text = err->message;
  if (with_debug)
    text += std::string (" | ") + (dbg ? dbg : "");
  (type == GST_MESSAGE_WARNING ? warnings : errors).push_back (text);
  g_error_free (err);
  g_free (dbg);
  return true;
}

/* The non-empty lines of the file at @path (none when it cannot be read). */
inline std::vector<std::string>
read_lines (const std::string &path)
{
  gchar *contents = nullptr;
  std::vector<std::string> out;
  if (!g_file_get_contents (path.c_str (), &contents, nullptr, nullptr))
    return out;
  gchar **lines = g_strsplit (contents, "\n", -1);
  for (gchar **l = lines; *l; l++)
    if (**l)
      out.emplace_back (*l);
  g_strfreev (lines);
  g_free (contents);
  return out;
}

}  // namespace gc_test
