# Test fixture for the scan stage's IaC checks: an exportable Transit key and a wildcard Vault
# policy, the two mistakes the issue names. Never applied anywhere.

resource "vault_mount" "transit" {
  path = "transit"
  type = "transit"
}

resource "vault_transit_secret_backend_key" "fields" {
  backend          = vault_mount.transit.path
  name             = "portcullis-fields"
  type             = "aes256-gcm96"
  exportable       = true
  deletion_allowed = false
}

resource "vault_policy" "service" {
  name   = "portcullis-service"
  policy = <<-EOT
    path "transit/encrypt/portcullis-fields" {
      capabilities = ["update"]
    }
    path "secret/*" {
      capabilities = ["read", "list"]
    }
  EOT
}
