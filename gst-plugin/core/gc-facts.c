#include "gc-facts.h"
