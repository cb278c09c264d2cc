/*
 * rules_geo.c - the gazetteer's tables built by geogen at build time
 * (TRUCE_GEO_BLOB names the file), compiled in with the assembler's
 * .incbin; rules.c uses them when they were built from the same data.
 */
#include "extract_int.h"

#define TRUCE__STR2(x) #x
#define TRUCE__STR(x) TRUCE__STR2(x)

/* The assembler also measures the blob: no pointers to subtract here. */
__asm__(".section .rodata\n"
        ".globl truce__geo_blob\n"
        ".balign 16\n"
        "truce__geo_blob:\n"
        ".incbin \"" TRUCE__STR(TRUCE_GEO_BLOB) "\"\n"
                                                "truce__geo_blob_end:\n"
                                                ".balign 8\n"
                                                ".globl truce__geo_blob_len\n"
                                                "truce__geo_blob_len:\n"
                                                ".quad truce__geo_blob_end - truce__geo_blob\n"
                                                ".previous\n");

extern const uint64_t truce__geo_blob_len;

size_t truce__geo_blob_size(void)
{
	return (size_t)truce__geo_blob_len;
}
