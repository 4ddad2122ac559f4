# Vault policy of the key-rotation job: what the service may do, plus rotate its keys and raise
# their min_decryption_version. It cannot export or delete keys, nor change any other setting
# that would weaken them: the config endpoint is limited to min_decryption_version.
# Applied by the Terraform vault module and by the local stack (bin/lib/configure-openbao.sh).

path "transit/keys/portcullis-fields" {
  capabilities = ["read"]
}
path "transit/keys/portcullis-audit-checkpoint" {
  capabilities = ["read"]
}
path "transit/keys/portcullis-fields/rotate" {
  capabilities = ["update"]
}
path "transit/keys/portcullis-audit-checkpoint/rotate" {
  capabilities = ["update"]
}
path "transit/keys/portcullis-fields/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "min_decryption_version" = []
  }
}
path "transit/keys/portcullis-audit-checkpoint/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "min_decryption_version" = []
  }
}

# Re-wrap what was wrapped under older versions.
path "transit/rewrap/portcullis-fields" {
  capabilities = ["update"]
}

# Renew and look up its own token.
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

# The rotation lease locks (KV v2, check-and-set writes; see docs/keys.md). One document per key;
# a lock is released by writing an expired lease, so no delete capability is needed.
path "portcullis-kv/data/rotation-locks/portcullis-fields" {
  capabilities = ["create", "read", "update"]
}
path "portcullis-kv/data/rotation-locks/portcullis-audit-checkpoint" {
  capabilities = ["create", "read", "update"]
}
