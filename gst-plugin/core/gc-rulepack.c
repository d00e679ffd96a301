#include "gc-rulepack.h"
