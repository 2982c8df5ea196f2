# Sourced by etcdj's scripts: sets JAVA_HOME to a JDK >= 21 (etcdj's language level), or exits with what to do.
# Order: $ETCDJ_JAVA_HOME, $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then `java` on PATH.
etcdj_java_major() { # prints the major version of the JDK at $1, from its release file
  local rel="$1/release" v
  [ -x "$1/bin/java" ] && [ -f "$rel" ] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  [ -n "$v" ] && echo "$v"
}
etcdj_find_java() {
  local cand major
  for cand in "${ETCDJ_JAVA_HOME:-}" "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    [ -n "$cand" ] || continue
    cand="${cand%/}"
    major=$(etcdj_java_major "$cand") || continue
    if [ "$major" -ge 21 ]; then echo "$cand"; return 0; fi
  done
  if command -v java >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(etcdj_java_major "$cand") && [ "$major" -ge 21 ] && { echo "$cand"; return 0; }
  fi
  return 1
}
if ! JAVA_HOME=$(etcdj_find_java); then
  echo "etcdj needs a JDK 21 or newer and found none (looked at \$ETCDJ_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm/*, java on PATH)." >&2
  echo "Install one (e.g. apt-get install openjdk-21-jdk-headless, or Temurin 21+) or point ETCDJ_JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME
JAVA_MAJOR=$(etcdj_java_major "$JAVA_HOME")
export JAVA_MAJOR
