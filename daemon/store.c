/*
 * store.c - the LMDB store (see truce/store.h). Being written.
 */
#include "truce/store.h"
