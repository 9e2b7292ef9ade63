#ifndef KIMI_TOK_CPCRE2_SHIM_H
#define KIMI_TOK_CPCRE2_SHIM_H
// kimi-tok works on UTF-8 bytes, so it uses PCRE2's 8-bit library.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
