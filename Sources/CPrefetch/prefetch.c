// CPrefetch is header-only (include/CPrefetch.h); SwiftPM wants a source file in a C target.
#include "CPrefetch.h"
