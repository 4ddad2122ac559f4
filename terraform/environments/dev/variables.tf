variable "openbao_addr" {
  description = "Address of the local OpenBao, e.g. http://127.0.0.1:8200."
  type        = string

  validation {
    condition     = can(regex("^http://127\\.0\\.0\\.1:[0-9]+$", var.openbao_addr))
    error_message = "The dev environment only talks to an OpenBao on 127.0.0.1 (http://127.0.0.1:PORT)."
  }
}

variable "openbao_token" {
  description = "Root token of the local (dev-mode) OpenBao."
  type        = string
  sensitive   = true
}

variable "openbao_audit_file" {
  description = "File the OpenBao audit device writes to (in the stack's state folder)."
  type        = string
}

variable "keycloak_url" {
  description = "Address of the local Keycloak, e.g. http://127.0.0.1:8180."
  type        = string

  validation {
    condition     = can(regex("^http://127\\.0\\.0\\.1:[0-9]+$", var.keycloak_url))
    error_message = "The dev environment only talks to a Keycloak on 127.0.0.1 (http://127.0.0.1:PORT)."
  }
}

variable "keycloak_admin_password" {
  description = "Password of the bootstrap admin of the local Keycloak."
  type        = string
  sensitive   = true
}

variable "orders_service_secret" {
  description = "Client secret of orders-service (generated per stack by bin/lib/stack.sh)."
  type        = string
  sensitive   = true
}

variable "portcullis_introspection_secret" {
  description = "Client secret of portcullis-authz (token introspection)."
  type        = string
  sensitive   = true
}

variable "portcullis_responder_secret" {
  description = "Client secret of portcullis-responder (the anomaly responder)."
  type        = string
  sensitive   = true
}

variable "demo_user_passwords" {
  description = "Passwords of the demo users. The defaults are the local stack's published demo credentials (shared contract), for this throw-away environment only."
  type        = map(string)
  sensitive   = true
  default = {
    "alice"     = "alice"
    "bob"       = "bob"
    "sec-admin" = "sec-admin"
  }
}
