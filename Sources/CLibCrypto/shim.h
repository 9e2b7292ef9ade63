#ifndef KIMI_TOK_CLIBCRYPTO_SHIM_H
#define KIMI_TOK_CLIBCRYPTO_SHIM_H
// SHA-256 of the vocabulary file, from the system's libcrypto (OpenSSL).
#include <openssl/sha.h>
#endif
