# Vault (or OpenBao) as Portcullis needs it: the Transit keys that never leave Vault, the PKI that
# issues the service's and the workloads' certificates, the least-privilege policies and the
# AppRole logins of the service and of the rotation job, and an audit device.
# https://developer.hashicorp.com/vault/docs/secrets/transit, .../secrets/pki, .../auth/approle

locals {
  # One source for the policies: the key-rotation module's files, also used by the local stack.
  policies = {
    "portcullis-service"  = file("${path.module}/policies/portcullis-service.hcl")
    "portcullis-rotation" = file("${path.module}/policies/portcullis-rotation.hcl")
  }
}

# --- audit ------------------------------------------------------------------------------------------

locals {
  audit_path = "portcullis-file"
  # Every request and response, with secrets HMAC'd (log_raw = false).
  audit_options = {
    file_path     = var.audit_file_path
    log_raw       = "false"
    hmac_accessor = "true"
    mode          = "0600"
    format        = "json"
  }
}

# Vault: enabled here, first, so that what follows is audited too. OpenBao refuses audit devices
# created through the API ("use declarative, config-based audit device management"), because a
# file audit device lets whoever creates it write to any path the server can: there the server's
# configuration declares it (bin/lib/terraform-tools.sh, tf_openbao_audit_config, writes that
# stanza) and audit_device_managed_here is false.
resource "vault_audit" "file" {
  count = var.audit_device_managed_here ? 1 : 0

  type        = "file"
  path        = local.audit_path
  description = "Portcullis: every request and response, secrets HMAC'd"
  options     = local.audit_options
}

# Either way the module refuses to configure a server that audits nothing: it reads the enabled
# devices back and fails unless ours is there, writing to file with secrets HMAC'd.
data "vault_generic_secret" "audit_devices" {
  path       = "sys/audit"
  depends_on = [vault_audit.file]
}

locals {
  audit_device  = try(jsondecode(data.vault_generic_secret.audit_devices.data_json)["${local.audit_path}/"], null)
  audit_enabled = nonsensitive(local.audit_device != null && try(local.audit_device.type == "file" && local.audit_device.options.log_raw == "false", false))
}

resource "terraform_data" "audit_device_present" {
  input = local.audit_path

  lifecycle {
    precondition {
      condition     = local.audit_enabled
      error_message = "Vault has no file audit device at ${local.audit_path}/ with log_raw = false. On Vault set audit_device_managed_here = true; on OpenBao declare it in the server configuration (see docs/terraform.md)."
    }
  }
}

# --- Transit ----------------------------------------------------------------------------------------

resource "vault_mount" "transit" {
  path        = var.transit_path
  type        = "transit"
  description = "Portcullis key-encryption and signing keys (never exported)"

  depends_on = [terraform_data.audit_device_present]
}

resource "vault_transit_secret_backend_key" "key" {
  for_each = var.transit_keys

  backend = vault_mount.transit.path
  name    = each.key
  type    = each.value.type
  derived = each.value.derived

  # The key material never leaves Vault, and the keys cannot be deleted through the API: a deleted
  # key-encryption key would make every record encrypted under it unreadable.
  exportable             = false
  allow_plaintext_backup = false
  deletion_allowed       = false
  auto_rotate_period     = each.value.vault_backstop_rotation_days * 86400

  lifecycle {
    # The rotation job raises these after re-wrapping; Terraform must not lower them again.
    ignore_changes = [min_decryption_version, min_encryption_version]
  }
}

# --- KV v2 for the rotation lease locks ---------------------------------------------------------------

# Only one rotation job instance rotates a key at a time: it holds a lease written with
# check-and-set, so cas_required makes every write conditional.
resource "vault_mount" "kv" {
  path        = var.kv_path
  type        = "kv"
  options     = { version = "2" }
  description = "Portcullis rotation lease locks"

  depends_on = [terraform_data.audit_device_present]
}

resource "vault_kv_secret_backend_v2" "kv" {
  mount        = vault_mount.kv.path
  cas_required = true
  max_versions = var.kv_max_versions
}

# --- PKI --------------------------------------------------------------------------------------------

resource "vault_mount" "pki" {
  path                      = var.pki_path
  type                      = "pki"
  description               = "Portcullis service and workload certificates"
  default_lease_ttl_seconds = var.pki_cert_ttl_hours * 3600
  max_lease_ttl_seconds     = var.pki_max_lease_ttl_hours * 3600

  depends_on = [terraform_data.audit_device_present]
}

resource "vault_pki_secret_backend_root_cert" "root" {
  backend     = vault_mount.pki.path
  type        = "internal" # the CA key is generated in Vault and never returned
  common_name = var.pki_root_common_name
  issuer_name = var.pki_root_issuer_name
  ttl         = tostring(var.pki_root_ttl_hours * 3600)
  key_type    = "ec"
  key_bits    = 384
}

resource "vault_pki_secret_backend_config_urls" "urls" {
  backend                 = vault_mount.pki.path
  issuing_certificates    = ["${var.pki_urls_base}/v1/${vault_mount.pki.path}/ca"]
  crl_distribution_points = ["${var.pki_urls_base}/v1/${vault_mount.pki.path}/crl"]
}

# Server certificates for Portcullis' own listeners: short-lived, for the listed names only.
resource "vault_pki_secret_backend_role" "service" {
  backend            = vault_mount.pki.path
  name               = "portcullis-service"
  allowed_domains    = var.pki_service_allowed_domains
  allow_bare_domains = true
  allow_subdomains   = var.pki_service_allow_subdomains
  allow_glob_domains = false
  allow_any_name     = false
  allow_ip_sans      = true
  enforce_hostnames  = true
  server_flag        = true
  client_flag        = false
  key_type           = "ec"
  key_bits           = 256
  ttl                = tostring(var.pki_cert_ttl_hours * 3600)
  max_ttl            = tostring(var.pki_cert_max_ttl_hours * 3600)

  depends_on = [vault_pki_secret_backend_root_cert.root]
}

# Workload client certificates that carry a SPIFFE ID in the URI SAN (mTLS callers).
resource "vault_pki_secret_backend_role" "workload" {
  backend           = vault_mount.pki.path
  name              = "portcullis-workload"
  allow_any_name    = true
  enforce_hostnames = false
  allowed_uri_sans  = var.pki_workload_allowed_uri_sans
  server_flag       = false
  client_flag       = true
  key_type          = "ec"
  key_bits          = 256
  ttl               = tostring(var.pki_cert_ttl_hours * 3600)
  max_ttl           = tostring(var.pki_cert_max_ttl_hours * 3600)

  depends_on = [vault_pki_secret_backend_root_cert.root]
}

# --- policies and AppRole ---------------------------------------------------------------------------

resource "vault_policy" "policy" {
  for_each = local.policies

  name   = each.key
  policy = each.value
}

resource "vault_auth_backend" "approle" {
  type        = "approle"
  path        = var.approle_path
  description = "Portcullis service and rotation job logins"

  depends_on = [terraform_data.audit_device_present]
}

# One AppRole per policy: the service and the rotation job log in separately, each with only its
# own policy. Secret IDs are not created here (they would sit in the Terraform state): the
# deployment issues them, response-wrapped, when it starts a workload.
resource "vault_approle_auth_backend_role" "role" {
  for_each = vault_policy.policy

  backend                 = vault_auth_backend.approle.path
  role_name               = each.key
  token_policies          = [each.value.name]
  token_ttl               = var.approle_token_ttl_seconds
  token_max_ttl           = var.approle_token_max_ttl_seconds
  token_bound_cidrs       = var.approle_bound_cidrs
  secret_id_bound_cidrs   = var.approle_bound_cidrs
  secret_id_ttl           = var.approle_secret_id_ttl_seconds
  secret_id_num_uses      = 0
  token_no_default_policy = true
}
