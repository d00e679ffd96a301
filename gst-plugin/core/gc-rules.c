#include "gc-rules.h"
