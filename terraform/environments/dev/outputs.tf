output "keycloak_issuer" {
  description = "Issuer of the development realm."
  value       = module.keycloak.issuer
}

output "transit_keys" {
  description = "Transit keys and the rotation period the service's scheduler must use."
  value       = module.vault.transit_keys
}

output "pki_roles" {
  description = "PKI roles for the service and workload certificates."
  value       = module.vault.pki_roles
}

output "approle_role_ids" {
  description = "AppRole role IDs of the service and the rotation job."
  value       = module.vault.approle_role_ids
  sensitive   = true
}

output "keycloak_realm_json" {
  description = "The realm representation imported into the local Keycloak (holds its development secrets)."
  value       = module.keycloak.realm_json
  sensitive   = true
}
