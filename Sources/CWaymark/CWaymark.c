// Everything is in the headers under include/ (inlined into Swift); a C target needs one source file.
#include "ByteClasses.h"
#include "FormatDouble.h"
