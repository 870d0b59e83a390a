// A number printed with a printf format, for journey maps and ranking metrics
// (Sources/Waymark/Render/JourneyMapContext.swift). Swift reaches printf only through a va_list,
// whose builder casts each argument at run time: about 19,000 instructions a number, where this call
// takes about 2,200 (counted with callgrind on a 2,000-page site).
#ifndef WAYMARK_FORMAT_DOUBLE_H
#define WAYMARK_FORMAT_DOUBLE_H

#include <stddef.h>
#include <stdio.h>

/// snprintf(buffer, size, format, value): `format` must take exactly one double.
static inline int waymark_format_double(char *buffer, size_t size, const char *format, double value) {
    return snprintf(buffer, size, format, value);
}

#endif
