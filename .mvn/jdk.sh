# Finds a JDK 21 or newer and exports JAVA_HOME to it; sourced (POSIX sh) by ./mvnw and ./sdfleet.
#
# Why: the build compiles for release 21, and many machines have an older default `java` (Debian 12's is 17) with a
# newer JDK installed beside it. Order: $JAVA_HOME if it is 21+, else the newest 21+ JDK among `java` on PATH and the
# usual install folders. With none, one line says what to install, and the caller stops.

sdfleet_java_major() { # $1 = a JDK home; prints its major version, or nothing
  if [ -r "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
  fi
}

sdfleet_is_jdk21() { # $1 = a folder; true if it is a JDK (java and javac) of version 21 or newer
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sdfleet_major=$(sdfleet_java_major "$1")
  [ -n "$sdfleet_major" ] && [ "$sdfleet_major" -ge 21 ]
}

sdfleet_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && sdfleet_is_jdk21 "$JAVA_HOME"; then
    return 0
  fi
  sdfleet_best="" sdfleet_best_major=0
  case $- in *f*) sdfleet_noglob=1 ;; *) sdfleet_noglob=0 ;; esac
  set +f # mvnw runs with `set -f`; the search needs its globs
  sdfleet_path_java=$(command -v java 2>/dev/null || true)
  if [ -n "$sdfleet_path_java" ]; then
    sdfleet_path_java=$(readlink -f "$sdfleet_path_java" 2>/dev/null || printf %s "$sdfleet_path_java")
    sdfleet_path_home=${sdfleet_path_java%/bin/java}
  else
    sdfleet_path_home=""
  fi
  # SDFLEET_JDK_SEARCH (globs, space-separated) replaces the usual folders; the tests use it.
  for sdfleet_dir in "$sdfleet_path_home" ${SDFLEET_JDK_SEARCH:-/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/*}; do
    [ -n "$sdfleet_dir" ] && sdfleet_is_jdk21 "$sdfleet_dir" || continue
    if [ "$sdfleet_major" -gt "$sdfleet_best_major" ]; then
      sdfleet_best=$sdfleet_dir sdfleet_best_major=$sdfleet_major
    fi
  done
  [ "$sdfleet_noglob" = 0 ] || set -f
  if [ -z "$sdfleet_best" ]; then
    echo "sdfleet needs a JDK 21 or newer and found none (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm, ~/.sdkman, ~/.jdks): install one (e.g. Temurin 21: https://adoptium.net, or 'apt-get install openjdk-21-jdk') and set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME=$sdfleet_best
  export JAVA_HOME
}
