# Vault policy of the authz-service: it may use its own keys and nothing else.
# It cannot create, rotate, configure, export or delete keys, nor read any other secret.
# Applied by the Terraform vault module and by the local stack (bin/lib/configure-openbao.sh).

# Field-encryption key-encryption key: wrap and unwrap data keys, re-wrap after rotation.
path "transit/encrypt/portcullis-fields" {
  capabilities = ["update"]
}
path "transit/decrypt/portcullis-fields" {
  capabilities = ["update"]
}
path "transit/rewrap/portcullis-fields" {
  capabilities = ["update"]
}
path "transit/datakey/wrapped/portcullis-fields" {
  capabilities = ["update"]
}
path "transit/datakey/plaintext/portcullis-fields" {
  capabilities = ["update"]
}

# Audit checkpoint signing key: sign checkpoints, verify them.
path "transit/sign/portcullis-audit-checkpoint" {
  capabilities = ["update"]
}
path "transit/verify/portcullis-audit-checkpoint" {
  capabilities = ["update"]
}

# Key metadata (versions, public keys, min_decryption_version): read only.
path "transit/keys/portcullis-fields" {
  capabilities = ["read"]
}
path "transit/keys/portcullis-audit-checkpoint" {
  capabilities = ["read"]
}

# The service's own TLS certificate, short-lived.
path "pki/issue/portcullis-service" {
  capabilities = ["update"]
}

# Renew and look up its own token.
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
