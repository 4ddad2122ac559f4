# shellcheck shell=bash
# The scan stage's own tools, installed like bin/lib/tools.sh installs the stack's: pinned, into
# the per-user cache, idempotent, atomic (built in a staging folder, renamed into place). Sourced
# after common.sh, versions.sh and tools.sh (it reuses _install_once and ensure_opa).
#
#   ensure_checkov    Checkov (IaC scanner) from PyPI in its own venv     -> $CHECKOV_BIN
#   ensure_hcl2json   hcl2json (HCL -> JSON, hashicorp/hcl/v2) from Go     -> $HCL2JSON_BIN
#   ensure_scan_tools all of the above plus OPA
#   scan_tool_options the matching `portcullis scan` options (--opa, --checkov, --hcl2json)

# Checkov, from PyPI. Its ~100 dependencies are held at the tested versions by
# ci/tools/checkov-constraints.txt (versions, not hashes: the wheels differ per Python version and
# platform, and CI runners bring their own Python).
CHECKOV_VERSION=3.3.30
# hcl2json, built from its Go module (go.sum and the Go checksum database verify it). It parses
# with hashicorp/hcl/v2, the parser Terraform itself uses.
HCL2JSON_VERSION=0.6.9

CHECKOV_HOME="$TOOLS_DIR/checkov-$CHECKOV_VERSION"
CHECKOV_BIN="$CHECKOV_HOME/bin/checkov"
HCL2JSON_BIN="$TOOLS_DIR/hcl2json-$HCL2JSON_VERSION/hcl2json"

ensure_checkov() {
  command -v python3 >/dev/null 2>&1 || die "Checkov needs python3 (3.9 or newer) on the PATH" 2
  _install_once "checkov-$CHECKOV_VERSION" "$CHECKOV_HOME" _install_checkov
}

_install_checkov() {
  local staging="$1"
  info "installing checkov==$CHECKOV_VERSION from PyPI into a venv (about a minute)"
  python3 -m venv "$staging/venv" || return 1
  "$staging/venv/bin/pip" install --quiet --disable-pip-version-check \
      -c "$PORTCULLIS_ROOT/ci/tools/checkov-constraints.txt" "checkov==$CHECKOV_VERSION" \
      >"$staging/install.log" 2>&1 \
    || { tail -n 20 "$staging/install.log" >&2; return 1; }
  # A venv records its own path in its scripts, which the rename into place would break: the
  # wrapper runs Checkov's module with the venv's interpreter, found relative to the wrapper.
  mkdir -p "$staging/bin"
  cat >"$staging/bin/checkov" <<'WRAPPER'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$here/venv/bin/python3" -c 'import sys; from checkov.main import Checkov; sys.exit(Checkov().run())' "$@"
WRAPPER
  chmod +x "$staging/bin/checkov"
  [[ "$("$staging/bin/checkov" --version 2>/dev/null)" == "$CHECKOV_VERSION" ]] \
    || { echo "checkov --version did not print $CHECKOV_VERSION" >&2; return 1; }
}

ensure_hcl2json() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build hcl2json $HCL2JSON_VERSION, and 'go' is not on the PATH" 2
  _install_once "hcl2json-$HCL2JSON_VERSION" "$TOOLS_DIR/hcl2json-$HCL2JSON_VERSION" _build_hcl2json
}

_build_hcl2json() {
  local staging="$1"
  info "building github.com/tmccombs/hcl2json@v$HCL2JSON_VERSION with $(go version | cut -d' ' -f3)"
  GOBIN="$staging" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install "github.com/tmccombs/hcl2json@v$HCL2JSON_VERSION" >"$staging/build.log" 2>&1 \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
  echo 'a = 1' | "$staging/hcl2json" >/dev/null
}

ensure_scan_tools() {
  ensure_opa
  ensure_hcl2json
  ensure_checkov
}

# The `portcullis scan` options that point it at the tools installed here.
scan_tool_options() {
  printf '%s\n' --opa "$OPA_BIN" --hcl2json "$HCL2JSON_BIN" --checkov "$CHECKOV_BIN"
}
