#!/usr/bin/env bash
# Checks the release artifacts: run after `mvn -B -Prelease -DskipTests package` (see .ci/CheckArtifacts.java):
# every library jar's Automatic-Module-Name, Java 17 bytecode, sources and Javadoc jars, and the POM
# metadata Maven Central requires, read from the reactor's effective POM.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
mvn -B -q -Prelease help:effective-pom -Doutput="$PWD/target/effective-pom.xml" >/dev/null
java .ci/CheckArtifacts.java "$PWD" target/effective-pom.xml
