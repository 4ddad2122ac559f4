# The local development stack (bin/dev, bin/test): OpenBao and Keycloak on 127.0.0.1, configured by
# the same modules that configure production. Addresses and credentials are variables (the stack
# passes them as TF_VAR_* from its 0600 secrets file); nothing secret is committed.

provider "vault" {
  address = var.openbao_addr
  token   = var.openbao_token
  # The provider works with a child token of the root token, limited to this run.
  max_lease_ttl_seconds = 1200
}

module "vault" {
  source = "../../modules/vault"

  pki_root_common_name          = "Portcullis development root CA"
  pki_urls_base                 = var.openbao_addr
  pki_service_allowed_domains   = ["localhost"]
  pki_workload_allowed_uri_sans = ["spiffe://portcullis.test/*"]
  approle_bound_cidrs           = ["127.0.0.1/32"]
  # OpenBao: the audit device is declared in the server's configuration (tf_openbao_audit_config);
  # the module checks that it is enabled and HMACs secrets.
  audit_device_managed_here = false
  audit_file_path           = var.openbao_audit_file
}

module "keycloak" {
  source = "../../modules/keycloak"

  keycloak_url           = var.keycloak_url
  admin_username         = "admin"
  admin_password         = var.keycloak_admin_password
  replace_existing_realm = true # the stack's Keycloak is throw-away: this code owns the realm

  realm        = "portcullis"
  display_name = "Portcullis (development)"
  # Plain HTTP on 127.0.0.1 only (the validation of keycloak_url), which "external" allows.
  ssl_required = "external"
  # Off in development: the anomaly-detection demos replay failed logins and must not lock users out.
  brute_force_protected = false

  realm_roles = {
    "order-reader"   = "May read orders (demo route GET /orders/{id})"
    "security-admin" = "Portcullis administrators (/admin/**, the admin API)"
  }
  groups = {
    "order-readers"   = ["order-reader"]
    "security-admins" = ["security-admin"]
  }
  # Field encryption's tenants (policies/fields data); members only encrypt or read a tenant's documents.
  tenants = ["acme", "globex"]

  public_clients = {
    "portcullis-cli" = {
      name                         = "Portcullis CLI and demo (people)"
      redirect_uris                = ["http://127.0.0.1/*", "http://localhost/*"]
      direct_access_grants_enabled = true # dev only: the demo and the tests log in with a password
      audiences                    = ["orders-api"]
    }
  }
  confidential_clients = {
    "orders-service" = {
      name                     = "Orders service (service to service)"
      service_accounts_enabled = true
      audiences                = ["orders-api"]
      tenants                  = ["acme", "globex"]
    }
    "portcullis-authz" = {
      name                     = "Portcullis authz-service (token introspection only)"
      service_accounts_enabled = false
    }
    "portcullis-responder" = {
      name                     = "Portcullis anomaly responder (revoke sessions, disable users)"
      service_accounts_enabled = true
      service_account_roles    = { "realm-management" = ["manage-users", "view-users"] }
    }
  }
  client_secrets = {
    "orders-service"       = var.orders_service_secret
    "portcullis-authz"     = var.portcullis_introspection_secret
    "portcullis-responder" = var.portcullis_responder_secret
  }

  users = {
    "alice" = {
      email       = "alice@portcullis.test"
      first_name  = "Alice"
      last_name   = "Reader"
      realm_roles = ["order-reader"]
      tenants     = ["acme"]
    }
    "bob" = {
      email      = "bob@portcullis.test"
      first_name = "Bob"
      last_name  = "Noroles"
      tenants    = ["acme"]
    }
    "sec-admin" = {
      email       = "sec-admin@portcullis.test"
      first_name  = "Sec"
      last_name   = "Admin"
      realm_roles = ["security-admin"]
    }
  }
  user_passwords = var.demo_user_passwords
}
