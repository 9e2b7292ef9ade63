// The target's one function is inline, in its header.
#include "CKimiPrefetch.h"
