variable "namespace" {
  description = "Existing namespace to deploy into (not default)."
  type        = string

  validation {
    condition     = var.namespace != "default" && var.namespace != "kube-system"
    error_message = "Deploy Portcullis into its own namespace, not default or kube-system."
  }
}

variable "name" {
  description = "Name of the Deployment, Service and related objects."
  type        = string
  default     = "portcullis-authz"
}

variable "image" {
  description = "authz-service image, pinned by digest (REGISTRY/REPOSITORY@sha256:...)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.image))
    error_message = "Pin the authz-service image by digest (…@sha256:<64 hex>), never by a mutable tag."
  }
}

variable "opa_image" {
  description = "Open Policy Agent image for the sidecar, pinned by digest (use the -static variant: no shell)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.opa_image))
    error_message = "Pin the OPA image by digest (…@sha256:<64 hex>), never by a mutable tag."
  }
}

variable "replicas_min" {
  description = "Fewest replicas the HorizontalPodAutoscaler keeps (at least 2: the service is in every request's path)."
  type        = number
  default     = 3

  validation {
    condition     = var.replicas_min >= 2
    error_message = "replicas_min must be at least 2, so that one pod can be disrupted without an outage."
  }
}

variable "replicas_max" {
  description = "Most replicas the HorizontalPodAutoscaler may run."
  type        = number
  default     = 10
}

variable "cpu_target_utilization" {
  description = "Average CPU utilization (percent of the request) the autoscaler aims for."
  type        = number
  default     = 60
}

variable "resources" {
  description = "Requests and limits of the service container and the OPA sidecar."
  type = object({
    service = object({ cpu_request = string, cpu_limit = string, memory_request = string, memory_limit = string })
    opa     = object({ cpu_request = string, cpu_limit = string, memory_request = string, memory_limit = string })
  })
  default = {
    service = { cpu_request = "500m", cpu_limit = "2", memory_request = "512Mi", memory_limit = "768Mi" }
    opa     = { cpu_request = "100m", cpu_limit = "500m", memory_request = "128Mi", memory_limit = "256Mi" }
  }
}

variable "policy_bundle" {
  description = <<-EOT
    Where the OPA sidecar downloads the signed policy bundle (policies/ built with `opa build
    --signing-key`): service_url and resource (the bundle's path on that service), and the PEM
    public key that verifies the bundle's signature. OPA refuses an unsigned or wrongly signed bundle.
  EOT
  type = object({
    service_url        = string
    resource           = string
    signing_key_id     = string
    signing_public_key = string
  })

  validation {
    condition     = startswith(var.policy_bundle.service_url, "https://")
    error_message = "The policy bundle must be fetched over https."
  }
}

variable "keycloak_issuer" {
  description = "Issuer (iss) of the tokens the service accepts, e.g. https://keycloak.example.com/realms/portcullis."
  type        = string
}

variable "tenants_claim" {
  description = <<-EOT
    Where tokens list the caller's tenants (the keycloak module's tenants_claim and
    tenants_claim_prefix outputs). Null: tokens name no tenant, and field encryption refuses every
    token caller (members only).
  EOT
  type = object({
    claim  = string
    prefix = string
  })
  default = null
}

variable "audiences" {
  description = "Audiences (aud) the service requires on tokens."
  type        = list(string)
}

variable "vault_address" {
  description = "Address of Vault (https)."
  type        = string

  validation {
    condition     = startswith(var.vault_address, "https://")
    error_message = "The service talks to Vault over https only."
  }
}

variable "vault_approle_secret" {
  description = "Name of the Kubernetes Secret holding the service's AppRole login (keys role-id and secret-id), mounted as files."
  type        = string
}

variable "tls_secret" {
  description = "Name of the kubernetes.io/tls Secret with the service's certificate and key (issued by the Vault PKI role portcullis-service)."
  type        = string
}

variable "proxy_namespace_labels" {
  description = "Labels of the namespaces whose pods (the proxies: Envoy, nginx, ingress) may call the service."
  type        = map(string)
}

variable "proxy_pod_labels" {
  description = "Labels of the proxy pods within those namespaces that may call the service."
  type        = map(string)
}

variable "monitoring_namespace_labels" {
  description = "Labels of the namespace whose pods may scrape /actuator/prometheus on the management port."
  type        = map(string)
}

variable "egress_cidrs" {
  description = "Networks the pods may reach besides DNS: Vault, Keycloak, PostgreSQL (audit store), the bundle server."
  type = map(object({
    cidr  = string
    ports = list(number)
  }))
}
