variable "keycloak_url" {
  description = "Base URL of Keycloak's HTTP API, e.g. https://keycloak.example.com (no trailing /realms)."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+(/.*)?$", var.keycloak_url))
    error_message = "keycloak_url must be an http(s) URL."
  }
}

variable "admin_realm" {
  description = "Realm of the admin account used to import the realm."
  type        = string
  default     = "master"
}

variable "admin_client_id" {
  description = "Public client used for the admin login."
  type        = string
  default     = "admin-cli"
}

variable "admin_username" {
  description = "Admin account that may create and replace realms."
  type        = string
}

variable "admin_password" {
  description = "Password of admin_username."
  type        = string
  sensitive   = true
}

variable "replace_existing_realm" {
  description = <<-EOT
    Whether this module owns the realm and may replace an existing realm of the same name (its
    users, sessions and signing keys go with it). When false, an existing realm makes the apply
    fail without changing anything.
  EOT
  type        = bool
  default     = false
}

variable "realm" {
  description = "Name of the realm; the token issuer is KEYCLOAK_URL/realms/REALM."
  type        = string
  default     = "portcullis"
}

variable "display_name" {
  description = "Display name of the realm."
  type        = string
  default     = "Portcullis"
}

variable "access_token_lifespan_seconds" {
  description = "Lifetime of access tokens; short, so that a revoked user loses access quickly."
  type        = number
  default     = 300
}

variable "sso_session_idle_timeout_seconds" {
  description = "Idle timeout of an SSO session."
  type        = number
  default     = 1800
}

variable "brute_force_protected" {
  description = "Keycloak's own brute-force lockout. Portcullis' anomaly detection also watches failed logins."
  type        = bool
  default     = true
}

variable "ssl_required" {
  description = "Keycloak's sslRequired: all, external (plain HTTP only from private addresses) or none."
  type        = string
  default     = "all"

  validation {
    condition     = contains(["all", "external"], var.ssl_required)
    error_message = "ssl_required must be all or external; none is not allowed."
  }
}

variable "realm_roles" {
  description = "Realm roles by name, with their descriptions."
  type        = map(string)
}

variable "groups" {
  description = "Groups by name, with the realm roles their members get."
  type        = map(list(string))
  default     = {}
}

variable "tenants" {
  description = <<-EOT
    Tenants, each a subgroup of the group "tenants" (/tenants/NAME). Every client's tokens list the
    groups of their user in the claim named by tenants_claim, with full paths, so that Portcullis
    (tenants-claim-prefix=/tenants/) knows which tenants a caller belongs to; the field policy lets
    only members encrypt or read a tenant's documents. Names as Portcullis' tenants: 1 to 62 of
    A-Z a-z 0-9 . _ -.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.tenants : can(regex("^[A-Za-z0-9._-]{1,62}$", t))])
    error_message = "Tenant names are 1 to 62 characters of A-Z a-z 0-9 . _ -."
  }
}

variable "tenants_claim" {
  description = "The access-token claim that lists a user's groups (tenants among them, under /tenants/)."
  type        = string
  default     = "tenants"
}

variable "public_clients" {
  description = <<-EOT
    Public clients (people: browser, CLI), PKCE S256 required. audiences: each adds that audience
    (aud) to the client's access tokens. default_scopes: null keeps the realm's default client scopes.
  EOT
  type = map(object({
    name                         = string
    redirect_uris                = list(string)
    direct_access_grants_enabled = optional(bool, false)
    audiences                    = optional(list(string), [])
    default_scopes               = optional(list(string))
  }))
  default = {}
}

variable "confidential_clients" {
  description = <<-EOT
    Confidential clients (services). Their secrets come from client_secrets. audiences and
    default_scopes as for public_clients. service_account_roles gives the client's service account
    roles of other clients, e.g. {"realm-management" = ["view-users"]}.
  EOT
  type = map(object({
    name                     = string
    service_accounts_enabled = bool
    audiences                = optional(list(string), [])
    default_scopes           = optional(list(string))
    service_account_roles    = optional(map(list(string)), {})
    tenants                  = optional(list(string), [])
  }))
  default = {}
}

variable "client_secrets" {
  description = "Secret of each confidential client, by client id (at least 32 characters)."
  type        = map(string)
  sensitive   = true
  default     = {}

  validation {
    condition     = alltrue([for s in values(var.client_secrets) : length(s) >= 32])
    error_message = "Every client secret must be at least 32 characters long."
  }
}

variable "users" {
  description = "Users by user name (for development and demos; real users come from the identity provider)."
  type = map(object({
    email       = string
    first_name  = string
    last_name   = string
    realm_roles = optional(list(string))
    groups      = optional(list(string))
    tenants     = optional(list(string), [])
  }))
  default = {}
}

variable "user_passwords" {
  description = "Password of each user, by user name. For development environments only."
  type        = map(string)
  sensitive   = true
  default     = {}
}

variable "python" {
  description = "Python 3 interpreter that runs the import script (standard library only)."
  type        = string
  default     = "python3"
}
