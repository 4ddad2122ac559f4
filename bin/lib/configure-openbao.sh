#!/usr/bin/env bash
# Configures a development OpenBao for Portcullis: the transit and pki engines, the keys, the PKI
# roles, the least-privilege policies and AppRole logins. Idempotent: safe to run on a server that
# is already configured. Expects BAO_ADDR and BAO_TOKEN (a root token of the dev server).
# Usage: configure-openbao.sh BAO_BINARY POLICY_DIR
set -o errexit -o nounset -o pipefail
bao="$1" policies="$2"

mounted() { "$bao" secrets list -format=json | grep -q "\"$1/\""; }
auth_enabled() { "$bao" auth list -format=json | grep -q "\"$1/\""; }

mounted transit || "$bao" secrets enable -path=transit transit
# Key-encryption key for field-level encryption, and the audit checkpoint signing key.
# Neither is exportable nor deletable (the defaults, stated explicitly). The KEK is a *derived* key:
# Portcullis binds each wrapped data key's associated data through the derivation context, because
# Transit's rewrap does not take associated_data (docs/keys.md).
"$bao" read transit/keys/portcullis-fields >/dev/null 2>&1 \
  || "$bao" write transit/keys/portcullis-fields type=aes256-gcm96 derived=true exportable=false allow_plaintext_backup=false >/dev/null
"$bao" read transit/keys/portcullis-audit-checkpoint >/dev/null 2>&1 \
  || "$bao" write transit/keys/portcullis-audit-checkpoint type=ed25519 exportable=false allow_plaintext_backup=false >/dev/null
"$bao" write transit/keys/portcullis-fields/config deletion_allowed=false >/dev/null
"$bao" write transit/keys/portcullis-audit-checkpoint/config deletion_allowed=false >/dev/null
# Derivation cannot be switched on later: an older non-derived key must be replaced by hand.
if ! "$bao" read -field=derived transit/keys/portcullis-fields | grep -qx true; then
  echo "transit/keys/portcullis-fields exists but is not a derived key; Portcullis refuses to use it." >&2
  echo "On a development server: recreate it (it cannot be deleted while deletion_allowed=false)." >&2
  exit 1
fi

# KV v2 for the rotation lease locks (check-and-set writes; one document per key).
mounted portcullis-kv || "$bao" secrets enable -path=portcullis-kv -version=2 kv
"$bao" write portcullis-kv/config cas_required=true max_versions=20 >/dev/null

if ! mounted pki; then
  "$bao" secrets enable -path=pki pki
  "$bao" secrets tune -max-lease-ttl=87600h pki
  "$bao" write -field=certificate pki/root/generate/internal \
    common_name="Portcullis development root CA" issuer_name=dev-root ttl=87600h >/dev/null
  "$bao" write pki/config/urls \
    issuing_certificates="$BAO_ADDR/v1/pki/ca" crl_distribution_points="$BAO_ADDR/v1/pki/crl"
fi
# Server certificates for Portcullis' own listeners: short-lived, loopback names only.
"$bao" write pki/roles/portcullis-service \
  allowed_domains=localhost allow_bare_domains=true allow_subdomains=false allow_ip_sans=true \
  server_flag=true client_flag=false key_type=ec key_bits=256 max_ttl=72h ttl=24h >/dev/null
# Workload client certificates carrying a SPIFFE ID in the URI SAN (mTLS callers, test clients).
"$bao" write pki/roles/portcullis-workload \
  allow_any_name=true enforce_hostnames=false allowed_uri_sans="spiffe://portcullis.test/*" \
  server_flag=false client_flag=true key_type=ec key_bits=256 max_ttl=72h ttl=24h >/dev/null

"$bao" policy write portcullis-service "$policies/portcullis-service.hcl" >/dev/null
"$bao" policy write portcullis-rotation "$policies/portcullis-rotation.hcl" >/dev/null

auth_enabled approle || "$bao" auth enable approle
"$bao" write auth/approle/role/portcullis-service token_policies=portcullis-service \
  token_ttl=1h token_max_ttl=24h secret_id_ttl=24h secret_id_num_uses=0 >/dev/null
"$bao" write auth/approle/role/portcullis-rotation token_policies=portcullis-rotation \
  token_ttl=1h token_max_ttl=24h secret_id_ttl=24h secret_id_num_uses=0 >/dev/null
echo "OpenBao configured: transit (portcullis-fields, portcullis-audit-checkpoint), kv (portcullis-kv), pki (portcullis-service, portcullis-workload), policies, approle"
