# shellcheck shell=bash
# OpenTofu and the Terraform providers that the terraform/ code needs, built from the Go module
# proxy into the per-user cache, and the functions that run that code against the local stack.
# Same contract as bin/lib/tools.sh: pinned, idempotent, atomic (staging folder renamed into place),
# cached in $PORTCULLIS_CACHE/tools; a second run only checks a marker. Sourced after common.sh,
# versions.sh and tools.sh (it uses _install_once, with_lock and TOOLS_DIR).
#
# Nothing here uses a `terraform` binary or a provider that happens to be on the machine, nor any
# provider registry: the CLI configuration written by tf_cli_config allows only the local mirror.

# --- pins ------------------------------------------------------------------------------------------

# OpenTofu, the open-source Terraform. Its go.mod has a `replace` directive (its HCL fork), which
# `go install module@version` refuses, so it is built inside its own downloaded module, where the
# replace applies and its go.sum verifies every dependency.
TOFU_VERSION=1.12.6
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_MODULE_SUM='h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98='
# The Vault provider (MPL-2.0; also manages OpenBao, which speaks the Vault API). Its module path has
# no /v5 suffix, so the proxy serves its releases only as pseudo-versions: this one is the commit of
# the v5.9.0 release (its CHANGELOG heads "5.9.0 (April 22, 2026)").
TF_VAULT_PROVIDER_VERSION=5.9.0
TF_VAULT_PROVIDER_MODULE=github.com/hashicorp/terraform-provider-vault
TF_VAULT_PROVIDER_MODULE_VERSION=v1.9.1-0.20260422134934-5e9fcd457a99
TF_VAULT_PROVIDER_MODULE_SUM='h1:Y8APAoHlAT4+gXjv1X4cG96bWiYR8JgyZakAk94jPf4='
# The Keycloak provider (github.com/keycloak/terraform-provider-keycloak) is NOT built: the Go
# module proxy refuses every version of it (403 "This module version is not available", also under
# its old path github.com/mrparkers/...). terraform/modules/keycloak therefore needs no provider;
# see docs/terraform.md.
#
# One Go toolchain for every build: the same compiler, flags and sources give the same bytes, so the
# provider hashes in the committed .terraform.lock.hcl files hold on every machine. On a machine with
# another Go, the go command fetches this toolchain from the module proxy (golang.org/toolchain).
TF_GO_TOOLCHAIN=go1.26.8

TOFU_HOME="$TOOLS_DIR/opentofu-$TOFU_VERSION"
TOFU_BIN="$TOFU_HOME/tofu"
# A filesystem mirror in the layout OpenTofu expects:
#   HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION
TF_VAULT_PROVIDER_MIRROR="$TOOLS_DIR/tf-provider-vault-$TF_VAULT_PROVIDER_VERSION"
TF_CLI_CONFIG="$TOOLS_DIR/opentofu-$TOFU_VERSION-cli.tfrc"

# --- building ------------------------------------------------------------------------------------

# _go_module_dir MODULE VERSION SUM: downloads MODULE@VERSION through the module proxy (the go
# command checks it against the checksum database), checks that its hash is the pinned SUM, and
# prints the folder it was unpacked into.
_go_module_dir() {
  local module="$1" version="$2" sum="$3" json
  json="$(GOFLAGS=-mod=mod GOTOOLCHAIN="$TF_GO_TOOLCHAIN" go mod download -json "$module@$version")" \
    || { echo "go mod download $module@$version failed: $json" >&2; return 1; }
  GO_MODULE_JSON="$json" python3 - "$sum" "$module@$version" <<'PY'
import json, os, sys
info = json.loads(os.environ["GO_MODULE_JSON"])
if info.get("Error"):
    sys.exit("%s: %s" % (sys.argv[2], info["Error"]))
if info.get("Sum") != sys.argv[1]:
    sys.exit("%s: module hash %s is not the pinned %s" % (sys.argv[2], info.get("Sum"), sys.argv[1]))
print(info["Dir"])
PY
}

# _go_build MODULE_DIR PACKAGE OUTPUT [LDFLAGS]: a static, reproducible build of PACKAGE inside
# MODULE_DIR (so its go.mod, replace directives and go.sum apply), at low priority: the machine is
# shared.
_go_build() {
  local dir="$1" package="$2" output="$3" ldflags="-s -w${4:+ $4}"
  (cd "$dir" && GOTOOLCHAIN="$TF_GO_TOOLCHAIN" GOFLAGS='-mod=readonly -buildvcs=false' \
      CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
      nice -n 10 go build -trimpath -ldflags="$ldflags" -o "$output" "$package")
}

ensure_tofu() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build OpenTofu $TOFU_VERSION, and 'go' is not on the PATH" 2
  _install_once "opentofu-$TOFU_VERSION" "$TOFU_HOME" _build_tofu
}

_build_tofu() {
  local staging="$1" dir
  dir="$(_go_module_dir "$TOFU_MODULE" "v$TOFU_VERSION" "$TOFU_MODULE_SUM")" || return 1
  info "building $TOFU_MODULE/cmd/tofu@v$TOFU_VERSION (about 5 minutes on 2 cores)"
  # version.dev=no is what OpenTofu's release builds set: without it the binary calls itself a
  # development build ("1.12.6-dev").
  _go_build "$dir" ./cmd/tofu "$staging/tofu" '-X github.com/opentofu/opentofu/version.dev=no' \
      >"$staging/build.log" 2>&1 \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
  TF_CLI_CONFIG_FILE=/dev/null "$staging/tofu" version | grep -qx "OpenTofu v$TOFU_VERSION" \
    || { echo "the built tofu does not report version $TOFU_VERSION" >&2; return 1; }
}

ensure_tf_providers() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build the Terraform providers, and 'go' is not on the PATH" 2
  _install_once "tf-provider-vault-$TF_VAULT_PROVIDER_VERSION" "$TF_VAULT_PROVIDER_MIRROR" _build_vault_provider
}

_build_vault_provider() {
  local staging="$1" dir target
  dir="$(_go_module_dir "$TF_VAULT_PROVIDER_MODULE" "$TF_VAULT_PROVIDER_MODULE_VERSION" "$TF_VAULT_PROVIDER_MODULE_SUM")" || return 1
  target="$staging/registry.opentofu.org/hashicorp/vault/$TF_VAULT_PROVIDER_VERSION/linux_amd64"
  mkdir -p "$target"
  info "building $TF_VAULT_PROVIDER_MODULE@$TF_VAULT_PROVIDER_MODULE_VERSION (v$TF_VAULT_PROVIDER_VERSION; about 10 minutes on 2 cores)"
  _go_build "$dir" . "$target/terraform-provider-vault_v$TF_VAULT_PROVIDER_VERSION" >"$staging/build.log" 2>&1 \
    || { tail -n 20 "$staging/build.log" >&2; return 1; }
}

# tf_cli_config: writes the OpenTofu CLI configuration that installs providers only from the local
# mirrors (no registry, no other source) and never phones home.
tf_cli_config() {
  local tmp
  tmp="$(mktemp "$TF_CLI_CONFIG.XXXXXX")"
  cat >"$tmp" <<EOF
# Written by bin/lib/terraform-tools.sh. Providers come only from the local mirror of providers
# built from the Go module proxy; any other provider fails to install.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$TF_VAULT_PROVIDER_MIRROR"
    include = ["registry.opentofu.org/hashicorp/vault"]
  }
}
EOF
  mv "$tmp" "$TF_CLI_CONFIG"
}

# ensure_terraform_toolchain: OpenTofu, the providers and the CLI configuration; exports the
# environment every tofu call needs.
ensure_terraform_toolchain() {
  ensure_tofu
  ensure_tf_providers
  tf_cli_config
  export TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  unset TF_PLUGIN_CACHE_DIR
}

# --- the dev environment (the local stack, configured by terraform/environments/dev) ------------

TF_DEV_ENVIRONMENT="$PORTCULLIS_ROOT/terraform/environments/dev"

# _tf_dev STATE_DIR TOFU_ARGS...: runs tofu on terraform/environments/dev with its working data
# (.terraform) and its state in STATE_DIR, one per stack, so that stacks never share state. The
# addresses and credentials come from the stack's variables (stack_profile, load_stack_secrets),
# passed as TF_VAR_* in the environment, never on a command line.
_tf_dev() {
  local state_dir="$1"; shift
  # The state and the logs hold the stack's development secrets: owner-only files.
  (umask 077
  TF_DATA_DIR="$state_dir/.terraform" \
  TF_VAR_openbao_addr="http://127.0.0.1:$PORT_OPENBAO" \
  TF_VAR_openbao_token="$OPENBAO_ROOT_TOKEN" \
  TF_VAR_openbao_audit_file="$state_dir/openbao-audit.log" \
  TF_VAR_keycloak_url="http://127.0.0.1:$PORT_KEYCLOAK" \
  TF_VAR_keycloak_admin_password="$KEYCLOAK_ADMIN_PASSWORD" \
  TF_VAR_orders_service_secret="$ORDERS_SERVICE_SECRET" \
  TF_VAR_portcullis_introspection_secret="$PORTCULLIS_INTROSPECTION_SECRET" \
  TF_VAR_portcullis_responder_secret="$PORTCULLIS_RESPONDER_SECRET" \
    "$TOFU_BIN" -chdir="$TF_DEV_ENVIRONMENT" "$@")
}

# _tf_dev_init STATE_DIR: tofu init against the local mirror; the committed lock file must match
# the providers built here (-lockfile=readonly), so a provider that differs fails the run.
_tf_dev_init() {
  local state_dir="$1"
  # tofu runs in terraform/environments/dev (-chdir): a relative path would land there.
  [[ "$state_dir" == /* ]] || { echo "STATE_DIR must be an absolute path, not '$state_dir'" >&2; return 2; }
  ensure_terraform_toolchain
  mkdir -p "$state_dir" && chmod 700 "$state_dir"
  _tf_dev "$state_dir" init -input=false -no-color -lockfile=readonly \
      -backend-config="path=$state_dir/dev.tfstate" >"$state_dir/init.log" 2>&1 \
    || { tail -n 20 "$state_dir/init.log" >&2; echo "tofu init failed; log: $state_dir/init.log" >&2; return 1; }
}

# tf_apply_dev_environment [STATE_DIR]: configures the stack's OpenBao and Keycloak with
# terraform/environments/dev (the modules vault and keycloak). STATE_DIR defaults to
# $STACK_STATE/terraform. Needs PORT_OPENBAO, OPENBAO_ROOT_TOKEN, PORT_KEYCLOAK,
# KEYCLOAK_ADMIN_PASSWORD, ORDERS_SERVICE_SECRET, PORTCULLIS_INTROSPECTION_SECRET and
# PORTCULLIS_RESPONDER_SECRET, as bin/lib/stack.sh sets them. Output goes to STATE_DIR/apply.log.
#
# A dev-mode OpenBao starts empty every time while this state remembers the last run: the refresh
# at the start of the apply notices what is gone and creates it again.
#
# The keycloak module cannot see the server (it has no provider): when the realm is missing although
# the state says it was imported (a fresh Keycloak database, e.g. bin/test's), the realm is imported
# again (-replace), so the stack never runs without it.
tf_apply_dev_environment() {
  local state_dir="${1:-$STACK_STATE/terraform}" replace=()
  _tf_dev_init "$state_dir" || return 1
  if ! curl --silent --fail --max-time 10 --output /dev/null \
      "http://127.0.0.1:$PORT_KEYCLOAK/realms/portcullis/.well-known/openid-configuration"; then
    replace=(-replace=module.keycloak.terraform_data.realm)
  fi
  _tf_dev "$state_dir" apply -input=false -auto-approve -no-color "${replace[@]}" >"$state_dir/apply.log" 2>&1 \
    || { grep -E -A14 '^(Error|│ Error)' "$state_dir/apply.log" | head -n 60 >&2
         echo "tofu apply failed; log: $state_dir/apply.log" >&2; return 1; }
  grep -E '^Apply complete' "$state_dir/apply.log" >&2 || true
}

# tf_plan_dev_environment [STATE_DIR]: exit 0 when the servers match terraform/environments/dev,
# 2 when an apply would change something, 1 on error (tofu plan -detailed-exitcode).
tf_plan_dev_environment() {
  local state_dir="${1:-$STACK_STATE/terraform}" rc=0
  _tf_dev_init "$state_dir" || return 1
  _tf_dev "$state_dir" plan -input=false -no-color -detailed-exitcode >"$state_dir/plan.log" 2>&1 || rc=$?
  return "$rc"
}

# tf_output_dev_environment STATE_DIR NAME: prints the output NAME of the last apply (raw; a
# sensitive output too, so keep what it prints out of logs).
tf_output_dev_environment() {
  local state_dir="$1" name="$2"
  [[ "$state_dir" == /* ]] || { echo "tf_output_dev_environment: STATE_DIR must be an absolute path" >&2; return 2; }
  ensure_terraform_toolchain
  _tf_dev "$state_dir" output -no-color -raw "$name"
}

# tf_openbao_audit_config FILE AUDIT_LOG: writes the OpenBao server configuration stanza that
# declares Portcullis' audit device (OpenBao refuses audit devices created through the API), for
# `bao server -dev ... -config=FILE`. Path and options are the ones terraform/modules/vault checks:
# file device portcullis-file/, JSON, secrets HMAC'd (log_raw = false), mode 0600.
tf_openbao_audit_config() {
  local file="$1" audit_log="$2" tmp
  tmp="$(mktemp "$file.XXXXXX")"
  cat >"$tmp" <<EOF_AUDIT
# Written by bin/lib/terraform-tools.sh (tf_openbao_audit_config).
audit "file" "portcullis-file" {
  description = "Portcullis: every request and response, secrets HMAC'd"
  options {
    file_path     = "$audit_log"
    log_raw       = "false"
    hmac_accessor = "true"
    mode          = "0600"
    format        = "json"
  }
}
EOF_AUDIT
  mv "$tmp" "$file"
}
