// Classifies 64 bytes of text at once for the glossary's word scanner (Sources/Waymark/Graph/TermMatcher.swift):
// one bit per byte, so that finding where words start and end takes a few instructions per word
// instead of several per byte. SSE2 (every x86-64 processor); plain C elsewhere.
#ifndef WAYMARK_C_BYTE_CLASSES_H
#define WAYMARK_C_BYTE_CLASSES_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit k of `word` is set when byte k is an ASCII letter or digit, of `join` when it is a space, a tab
/// or a hyphen (they join the words of a phrase), of `high` when it is 0x80 or above (UTF-8 beyond ASCII).
typedef struct {
    uint64_t word;
    uint64_t join;
    uint64_t high;
} waymark_byte_classes;

/// The classes of the 64 bytes at `p`, all of which must be readable.
static inline waymark_byte_classes waymark_classify64(const uint8_t *p) {
    waymark_byte_classes c = {0, 0, 0};
#if defined(__SSE2__)
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        // Unsigned range checks through signed compares: 'a'...'z' (after setting 0x20) move to -128...-103,
        // '0'...'9' to -128...-119; every other byte, 0x80 and above included, lands outside.
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8(31)), _mm_set1_epi8(-102));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(80)), _mm_set1_epi8(-118));
        __m128i join = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
        c.word |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(letter, digit)) << (16 * k);
        c.join |= (uint64_t)(uint16_t)_mm_movemask_epi8(join) << (16 * k);
        c.high |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * k);
    }
#else
    for (int k = 0; k < 64; k++) {
        uint8_t b = p[k];
        uint64_t bit = (uint64_t)1 << k;
        if ((uint8_t)((b | 0x20) - 'a') < 26 || (uint8_t)(b - '0') < 10) c.word |= bit;
        if (b == ' ' || b == '\t' || b == '-') c.join |= bit;
        if (b >= 0x80) c.high |= bit;
    }
#endif
    return c;
}

#endif
