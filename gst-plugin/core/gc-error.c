#include "gc-error.h"

G_DEFINE_QUARK (gc-error-quark, gc_error)
