/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gc-error.h"

G_DEFINE_QUARK (gc-error-quark, gc_error)
