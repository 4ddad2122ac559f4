variable "transit_path" {
  description = "Mount path of the Transit engine that holds Portcullis' key-encryption and signing keys."
  type        = string
  default     = "transit"
}

variable "transit_keys" {
  description = <<-EOT
    Transit keys by name. rotation_period_days is the period of the Portcullis rotation scheduler
    (it rotates, re-wraps and raises min_decryption_version, each step an audit event); it is an
    output for the service's configuration. vault_backstop_rotation_days, when not 0, makes Vault
    rotate the key on its own if the scheduler has not done so for that long (a safety net, so it
    must be longer than the scheduler's period). derived keys take a derivation context on every
    call: Portcullis binds each wrapped data key's associated data through it (Transit's rewrap
    takes no associated_data; docs/keys.md).
  EOT
  type = map(object({
    type                         = string
    derived                      = optional(bool, false)
    rotation_period_days         = number
    vault_backstop_rotation_days = number
  }))
  default = {
    "portcullis-fields" = {
      type                         = "aes256-gcm96"
      derived                      = true
      rotation_period_days         = 30
      vault_backstop_rotation_days = 35
    }
    "portcullis-audit-checkpoint" = {
      type                         = "ed25519"
      rotation_period_days         = 90
      vault_backstop_rotation_days = 100
    }
  }

  validation {
    condition     = alltrue([for k in values(var.transit_keys) : contains(["aes256-gcm96", "chacha20-poly1305", "ed25519", "ecdsa-p256", "ecdsa-p384"], k.type)])
    error_message = "Each transit key type must be one of aes256-gcm96, chacha20-poly1305 (encryption) or ed25519, ecdsa-p256, ecdsa-p384 (signing)."
  }
  validation {
    condition     = alltrue([for k in values(var.transit_keys) : k.rotation_period_days >= 1 && (k.vault_backstop_rotation_days == 0 || k.vault_backstop_rotation_days > k.rotation_period_days)])
    error_message = "rotation_period_days must be at least 1, and vault_backstop_rotation_days either 0 (off) or longer than rotation_period_days."
  }
}

variable "kv_path" {
  description = "Mount path of the KV v2 engine that holds the rotation job's lease locks (check-and-set writes)."
  type        = string
  default     = "portcullis-kv"
}

variable "kv_max_versions" {
  description = "Versions KV v2 keeps of each lock document."
  type        = number
  default     = 20
}

variable "pki_path" {
  description = "Mount path of the PKI engine that issues the service's and the workloads' certificates."
  type        = string
  default     = "pki"
}

variable "pki_max_lease_ttl_hours" {
  description = "Longest lifetime the PKI mount allows (it bounds the root CA too)."
  type        = number
  default     = 87600
}

variable "pki_root_common_name" {
  description = "Common name of the root CA that this module generates inside Vault (the key never leaves Vault)."
  type        = string
}

variable "pki_root_issuer_name" {
  description = "Name of the root CA's issuer in the PKI mount."
  type        = string
  default     = "root"
}

variable "pki_root_ttl_hours" {
  description = "Lifetime of the root CA."
  type        = number
  default     = 87600
}

variable "pki_urls_base" {
  description = "Public address of Vault written into certificates as the issuing-CA and CRL location (e.g. https://vault.example.com:8200)."
  type        = string
}

variable "pki_service_allowed_domains" {
  description = "Names that the service certificates (role portcullis-service) may carry."
  type        = list(string)
}

variable "pki_service_allow_subdomains" {
  description = "Whether service certificates may be issued for subdomains of pki_service_allowed_domains."
  type        = bool
  default     = false
}

variable "pki_workload_allowed_uri_sans" {
  description = "SPIFFE IDs (URI SANs, glob) that workload client certificates (role portcullis-workload) may carry."
  type        = list(string)

  validation {
    condition     = alltrue([for u in var.pki_workload_allowed_uri_sans : startswith(u, "spiffe://") && u != "spiffe://*"])
    error_message = "Workload URI SANs must be SPIFFE IDs within a named trust domain (spiffe://TRUST-DOMAIN/...)."
  }
}

variable "pki_cert_ttl_hours" {
  description = "Default lifetime of issued certificates; short, because the service renews them before expiry."
  type        = number
  default     = 24
}

variable "pki_cert_max_ttl_hours" {
  description = "Longest lifetime a caller may ask for."
  type        = number
  default     = 72
}

variable "approle_path" {
  description = "Mount path of the AppRole auth method."
  type        = string
  default     = "approle"
}

variable "approle_bound_cidrs" {
  description = "Networks from which the AppRole secret IDs may log in and their tokens may be used (empty: anywhere)."
  type        = list(string)
  default     = []
}

variable "approle_token_ttl_seconds" {
  description = "Lifetime of the tokens the AppRoles issue (renewable up to approle_token_max_ttl_seconds)."
  type        = number
  default     = 3600
}

variable "approle_token_max_ttl_seconds" {
  description = "Longest lifetime of an AppRole token, renewals included."
  type        = number
  default     = 86400
}

variable "approle_secret_id_ttl_seconds" {
  description = "Lifetime of an AppRole secret ID; the deployment issues fresh ones (response-wrapped)."
  type        = number
  default     = 86400
}

variable "audit_device_managed_here" {
  description = "true: this module enables the file audit device through the API (Vault). false: the server's configuration declares it (OpenBao refuses API-created audit devices); the module only checks that it is there."
  type        = bool
  default     = true
}

variable "audit_file_path" {
  description = "File the Vault audit device writes to (every request and response, secrets HMAC'd). Use \"stdout\" to log to the server's output."
  type        = string
}
