# shellcheck shell=bash
# Shared helpers for bin/dev, bin/test and bin/portcullis: messages, the JDK, the tool cache.
# Sourced, never executed.

set -o errexit -o nounset -o pipefail

PORTCULLIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Tools are cached per user, outside the clone, so every clone on this machine shares them.
PORTCULLIS_CACHE="${PORTCULLIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis}"
# Runtime state (PID files, logs, server data) is per clone: two clones never share a running stack.
PORTCULLIS_STATE_ROOT="${PORTCULLIS_STATE_ROOT:-$PORTCULLIS_ROOT/.portcullis}"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _c_bold=$'\e[1m' _c_red=$'\e[31m' _c_green=$'\e[32m' _c_yellow=$'\e[33m' _c_dim=$'\e[2m' _c_off=$'\e[0m'
else
  _c_bold='' _c_red='' _c_green='' _c_yellow='' _c_dim='' _c_off=''
fi

step() { printf '%s==>%s %s\n' "$_c_bold" "$_c_off" "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
ok()   { printf '    %s✓%s %s\n' "$_c_green" "$_c_off" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$_c_yellow" "$_c_off" "$*" >&2; }
# die MESSAGE [EXIT]: one line that says what failed and what to do, then exit (default 1).
die()  { printf '%serror:%s %s\n' "$_c_red" "$_c_off" "$1" >&2; exit "${2:-1}"; }

# The Java feature version of a java binary ("17", "21", "25"), or empty when it does not run.
java_feature_version() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

# Exports JAVA_HOME (and PATH) for a JDK >= 21, in this order of preference: JAVA_HOME, the `java`
# on the PATH, then the newest JDK under /usr/lib/jvm (e.g. the Temurin JDK beside OpenJDK 17).
select_jdk() {
  local candidate version newest='' newest_version=0
  if [[ -n "${JAVA_HOME:-}" ]] && is_jdk_21_or_newer "$JAVA_HOME"; then
    newest="$JAVA_HOME"
  elif command -v javac >/dev/null 2>&1 \
      && candidate="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")" \
      && is_jdk_21_or_newer "$candidate"; then
    newest="$candidate"
  else
    for candidate in /usr/lib/jvm/*; do
      is_jdk_21_or_newer "$candidate" || continue
      version="$(java_feature_version "$candidate/bin/java")"
      if (( version > newest_version )); then newest="$candidate"; newest_version="$version"; fi
    done
  fi
  [[ -n "$newest" ]] || die "no JDK 21 or newer found (looked at JAVA_HOME, javac on the PATH, /usr/lib/jvm); install one, e.g. Temurin 21" 2
  export JAVA_HOME="$newest"
  export PATH="$JAVA_HOME/bin:$PATH"
}

is_jdk_21_or_newer() {
  local version
  [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 1
  version="$(java_feature_version "$1/bin/java")"
  [[ -n "$version" ]] && (( version >= 21 ))
}

# Runs the pinned Maven (the wrapper downloads it once into ~/.m2/wrapper, checked by SHA-256).
mvnw() {
  "$PORTCULLIS_ROOT/mvnw" -f "$PORTCULLIS_ROOT/pom.xml" "$@"
}

# with_lock NAME COMMAND...: runs COMMAND while holding an exclusive per-user lock, so that two
# scripts provisioning the same tool at once do not both write it.
with_lock() {
  local name="$1"; shift
  mkdir -p "$PORTCULLIS_CACHE/locks"
  (
    flock -w 900 9 || die "timed out waiting for the lock on $name ($PORTCULLIS_CACHE/locks/$name.lock)" 2
    "$@"
  ) 9>"$PORTCULLIS_CACHE/locks/$name.lock"
}

# random_secret: 32 random bytes, URL-safe base64, for development-only credentials.
random_secret() {
  head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}
