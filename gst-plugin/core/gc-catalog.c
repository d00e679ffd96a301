#include "gc-catalog.h"
