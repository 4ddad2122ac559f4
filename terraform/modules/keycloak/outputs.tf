output "realm" {
  description = "Name of the realm."
  value       = terraform_data.realm.output.realm
}

output "issuer" {
  description = "Token issuer (iss) of the realm, for the authz-service's configuration."
  value       = terraform_data.realm.output.issuer
}

output "client_ids" {
  description = "Client ids in the realm."
  value       = terraform_data.realm.output.clients
}

output "audiences" {
  description = "Audiences that the clients' audience mappers add to access tokens."
  value       = terraform_data.realm.output.audience
}

output "tenants_claim" {
  description = "For the authz-service: portcullis.identity.issuers[N].tenants-claim (tenants-claim-prefix is tenants_claim_prefix)."
  value       = var.tenants_claim
}

output "tenants_claim_prefix" {
  description = "For the authz-service: portcullis.identity.issuers[N].tenants-claim-prefix."
  value       = "/tenants/"
}

output "realm_json" {
  description = "The realm representation this module imports (JSON; holds the client secrets and user passwords)."
  value       = jsonencode(local.realm)
  sensitive   = true
}
