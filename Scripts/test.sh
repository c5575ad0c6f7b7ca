#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run runs it too): starts the
# throwaway PostgreSQL server on 127.0.0.1 that the shared store tests need, unless one is
# already set ($CERTCYCLE_TEST_POSTGRES_URL) or CERTCYCLE_SKIP_POSTGRES=1, then runs swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CERTCYCLE_SKIP_POSTGRES:-}" != 1 ] && [ -z "${CERTCYCLE_TEST_POSTGRES_URL:-}" ]; then
  eval "$(bash Scripts/test-postgres.sh start)"
fi
swift test "$@"
