#!/usr/bin/env bash
# Runs the Windows test suite of a module in a Windows x64 JVM under Wine (the iocp engine for real).
#
#   .ci/wine-test.sh [MODULE [TEST-PATTERN]]     defaults: core; the iocp engine's tests, the shared completion model's and engine selection's
#
# Examples:
#   .ci/wine-test.sh                                     # core: iocp unit, engine and conformance tests
#   .ci/wine-test.sh reactor-adapter '**/*Test'          # another module, once it has the windows-wine profile
#
# Prepares Wine and the Windows JRE first (.ci/wine-setup.sh, idempotent). The module's own dependencies
# from this reactor are built by Maven in the same invocation (-am), tests of those modules are not run
# under Wine (only the named module's, through -Dtest with failIfNoSpecifiedTests=false).
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE="${1:-core}"
TESTS="${2:-io/fileflux/core/iocp/**/*Test,io/fileflux/core/completion/**/*Test,io/fileflux/core/EnginesTest}"

JVM="$(bash .ci/wine-setup.sh | tail -n 1)"
export WINEDEBUG=-all

# Wine's own server outlives the test JVM; stop the one this run started so CI does not wait on it.
WINEPREFIX_DIR="$(dirname "$(dirname "$(dirname "$JVM")")")/prefix"
cleanup() { WINEPREFIX="$WINEPREFIX_DIR" wineserver -k >/dev/null 2>&1 || true; }
trap cleanup EXIT

mvn -B -ntp -pl "$MODULE" -am -Pwindows-wine \
    -Dfileflux.wine.jvm="$JVM" \
    -Dtest="$TESTS" -Dsurefire.failIfNoSpecifiedTests=false \
    test
