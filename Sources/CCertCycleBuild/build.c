#include "CertCycleBuild.h"

#ifndef CERTCYCLE_COMMIT
#define CERTCYCLE_COMMIT ""
#endif

const char *certcycle_build_commit(void) { return CERTCYCLE_COMMIT; }
