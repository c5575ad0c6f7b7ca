#ifndef CERTCYCLE_BUILD_H
#define CERTCYCLE_BUILD_H

/// The git commit the binary was built from ("" when unknown): set by Scripts/package-deb.sh
/// through the CERTCYCLE_COMMIT environment variable, which Package.swift turns into a define.
const char *certcycle_build_commit(void);

#endif
