// Everything is in include/CByteClasses.h (inlined into Swift); a C target needs one source file.
#include "CByteClasses.h"
