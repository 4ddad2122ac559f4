output "transit_path" {
  description = "Mount path of the Transit engine."
  value       = vault_mount.transit.path
}

output "transit_keys" {
  description = "The Transit keys, with the rotation period the Portcullis scheduler must use for each."
  value = {
    for name, key in vault_transit_secret_backend_key.key : name => {
      type                 = key.type
      rotation_period_days = var.transit_keys[name].rotation_period_days
    }
  }
}

output "pki_path" {
  description = "Mount path of the PKI engine."
  value       = vault_mount.pki.path
}

output "pki_roles" {
  description = "Names of the PKI roles: service (server certificates) and workload (SPIFFE client certificates)."
  value = {
    service  = vault_pki_secret_backend_role.service.name
    workload = vault_pki_secret_backend_role.workload.name
  }
}

output "pki_root_certificate" {
  description = "The root CA certificate (PEM), for trust bundles."
  value       = vault_pki_secret_backend_root_cert.root.certificate
}

output "approle_path" {
  description = "Mount path of the AppRole auth method."
  value       = vault_auth_backend.approle.path
}

output "approle_role_ids" {
  description = "Role IDs of the AppRoles by role name (half of an AppRole login; the secret ID is issued separately)."
  value       = { for name, role in vault_approle_auth_backend_role.role : name => role.role_id }
  sensitive   = true
}

output "policy_names" {
  description = "The policies written from the policies/*.hcl files."
  value       = sort(keys(vault_policy.policy))
}

output "kv_path" {
  description = "Mount path of the KV v2 engine with the rotation lease locks."
  value       = vault_mount.kv.path
}
