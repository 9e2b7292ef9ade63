// The target's functions are inline, in its header.
#include "CKimiAtomics.h"
