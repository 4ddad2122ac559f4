# shellcheck shell=bash
# The short tour that `bin/dev up` prints: real tokens from Keycloak, real requests through nginx,
# each answered by Portcullis. Sourced by bin/dev after the stack is up.

# keycloak_password_token USER PASSWORD: an access token for USER from the public client.
keycloak_password_token() {
  curl --silent --fail --max-time 10 \
    -d grant_type=password -d client_id=portcullis-cli -d scope=openid \
    --data-urlencode "username=$1" --data-urlencode "password=$2" \
    "$KEYCLOAK_ISSUER/protocol/openid-connect/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# _save_audit_verifier_keys: adds the verifier keys the service publishes (admin API, as sec-admin)
# to $STACK_STATE/audit-verifier-keys.txt. The stack signs checkpoints with a Transit key of its
# in-memory OpenBao, which is a new key after every fresh start while the audit log stays: verifying
# the whole log needs every key it was ever signed with. (A real auditor pins keys through a second
# channel, docs/keys.md; for the local stack the service's word is enough.)
_save_audit_verifier_keys() {
  local file="$STACK_STATE/audit-verifier-keys.txt" admin keys
  admin="$(keycloak_password_token sec-admin sec-admin)" || { warn "no sec-admin token: verifier keys not saved"; return 0; }
  keys="$(curl --silent --fail --max-time 10 --cacert "$STACK_STATE/tls/ca.pem" -H "Authorization: Bearer $admin" \
    "https://127.0.0.1:$PORT_AUTHZ_HTTPS/v1/admin/audit/verifier-keys" \
    | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["keys"]))')" \
    || { warn "the admin API gave no verifier keys: not saved"; return 0; }
  printf '%s\n' "$keys" >>"$file"
  sort -u -o "$file" "$file"
}

# _demo_request TITLE EXPECTED_STATUS CURL_ARGS...: one request through nginx, with its answer.
_demo_request() {
  local title="$1" expected="$2"; shift 2
  local out status body
  out="$(curl --silent --max-time 10 --write-out '\n%{http_code}' "$@" "http://127.0.0.1:$PORT_NGINX/orders/1")" || true
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
  if [[ "$status" == "$expected" ]]; then
    printf '    %s✓%s %-44s → %s\n' "$_c_green" "$_c_off" "$title" "$status"
  else
    printf '    %s✗%s %-44s → %s (expected %s)\n' "$_c_red" "$_c_off" "$title" "$status" "$expected"
    WALKTHROUGH_FAILED=1
  fi
  [[ -n "$body" ]] && printf '      %s%s%s\n' "$_c_dim" "$(printf '%s' "$body" | head -c 300)" "$_c_off"
  return 0
}

walkthrough() {
  WALKTHROUGH_FAILED=0
  step "Walkthrough: requests through nginx (http://127.0.0.1:$PORT_NGINX), each decided by Portcullis"
  local alice bob tampered
  alice="$(keycloak_password_token alice alice)" || die "Keycloak refused a token for alice; log: $(_logfile keycloak)"
  bob="$(keycloak_password_token bob bob)" || die "Keycloak refused a token for bob; log: $(_logfile keycloak)"
  info "got access tokens for alice (role order-reader) and bob (no roles) from Keycloak"
  # Flip one character of the signature: the token still parses, its signature no longer verifies.
  local last="${alice: -2:1}"
  tampered="${alice:0:${#alice}-2}$([[ "$last" == A ]] && echo B || echo A)${alice: -1}"

  _demo_request "alice GET /orders/1"                 200 -H "Authorization: Bearer $alice"
  _demo_request "bob GET /orders/1 (no role)"         403 -H "Authorization: Bearer $bob"
  _demo_request "no token"                            401
  _demo_request "alice's token with a forged signature" 401 -H "Authorization: Bearer $tampered"

  echo
  step "Where to look next"
  _save_audit_verifier_keys
  info "audit log:      $STACK_STATE/audit"
  info "                (bin/portcullis audit verify --log-dir $STACK_STATE/audit --trusted-key $STACK_STATE/audit-verifier-keys.txt)"
  info "metrics:        http://127.0.0.1:$PORT_AUTHZ_MGMT/actuator/prometheus"
  info "health:         http://127.0.0.1:$PORT_AUTHZ_MGMT/actuator/health"
  info "policies:       policies/authz (OPA reloads them on save)"
  info "server logs:    bin/dev logs [openbao|opa|keycloak|authz|nginx] [-f]"
  info "stop:           bin/dev down"
  if (( WALKTHROUGH_FAILED )); then
    echo
    die "the walkthrough did not go as expected; see bin/dev logs authz"
  fi
}
