// CWide is header-only (include/CWide.h); SwiftPM wants a source file in a C target.
#include "CWide.h"
