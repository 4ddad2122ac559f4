# The Portcullis authz-service on Kubernetes: a Deployment whose pods run the service and an OPA
# sidecar (the policies arrive as a signed bundle), the Service the proxies call, a NetworkPolicy
# that denies everything else, a PodDisruptionBudget and a HorizontalPodAutoscaler. Every container
# has requests and limits, runs as a non-root user with a read-only root filesystem, no privilege
# escalation, no capabilities and the runtime's seccomp profile.

locals {
  labels = {
    "app.kubernetes.io/name"       = var.name
    "app.kubernetes.io/component"  = "authz"
    "app.kubernetes.io/part-of"    = "portcullis"
    "app.kubernetes.io/managed-by" = "terraform"
  }
  selector = {
    "app.kubernetes.io/name"      = var.name
    "app.kubernetes.io/component" = "authz"
  }

  ports = {
    https      = 8443 # HTTP ext_authz, nginx auth_request, Traefik forwardAuth, /v1/decisions
    grpc       = 9191 # Envoy ext_authz (gRPC v3)
    management = 9090 # health probes and Prometheus metrics
  }
  opa_port            = 8181 # pod-local only: OPA listens on 127.0.0.1
  opa_diagnostic_port = 8282 # /health for the kubelet's probes, nothing else

  # A UID/GID outside the range of any user in the images (Checkov CKV_K8S_40).
  run_as_user = 10001

  tenants_claim_properties = var.tenants_claim == null ? "" : join("\n", [
    "portcullis.identity.issuers[0].tenants-claim=${var.tenants_claim.claim}",
    "portcullis.identity.issuers[0].tenants-claim-prefix=${var.tenants_claim.prefix}",
  ])

  service_properties = <<-EOT
    # Rendered by terraform/modules/kubernetes. Secrets are files under /var/run/secrets/portcullis.
    server.address=0.0.0.0
    server.port=${local.ports.https}
    server.ssl.bundle=portcullis-server
    spring.ssl.bundle.pem.portcullis-server.keystore.certificate=file:/var/run/secrets/portcullis/tls/tls.crt
    spring.ssl.bundle.pem.portcullis-server.keystore.private-key=file:/var/run/secrets/portcullis/tls/tls.key
    spring.ssl.bundle.pem.portcullis-server.reload-on-update=true
    management.server.address=0.0.0.0
    management.server.port=${local.ports.management}
    management.endpoint.health.probes.enabled=true
    portcullis.grpc.port=${local.ports.grpc}
    portcullis.opa.url=http://127.0.0.1:${local.opa_port}
    portcullis.vault.address=${var.vault_address}
    portcullis.vault.approle.role-id-file=/var/run/secrets/portcullis/vault/role-id
    portcullis.vault.approle.secret-id-file=/var/run/secrets/portcullis/vault/secret-id
    portcullis.identity.issuers[0].discovery-url=${var.keycloak_issuer}/.well-known/openid-configuration
    portcullis.identity.issuers[0].audiences=${join(",", var.audiences)}
    ${local.tenants_claim_properties}
  EOT

  # https://www.openpolicyagent.org/docs/latest/configuration/ and .../management-bundles/
  opa_config = yamlencode({
    services = { bundles = { url = var.policy_bundle.service_url } }
    bundles = {
      portcullis = {
        service  = "bundles"
        resource = var.policy_bundle.resource
        polling  = { min_delay_seconds = 30, max_delay_seconds = 120 }
        signing  = { keyid = var.policy_bundle.signing_key_id }
      }
    }
    keys = {
      (var.policy_bundle.signing_key_id) = {
        key       = var.policy_bundle.signing_public_key
        algorithm = "ES256"
      }
    }
    decision_logs = { console = false } # Portcullis writes its own audit log
  })

  container_security_context = {
    run_as_non_root            = true
    run_as_user                = local.run_as_user
    run_as_group               = local.run_as_user
    read_only_root_filesystem  = true
    allow_privilege_escalation = false
    privileged                 = false
  }
}

resource "kubernetes_service_account_v1" "authz" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }
  # The service never talks to the Kubernetes API.
  automount_service_account_token = false
}

resource "kubernetes_config_map_v1" "authz" {
  metadata {
    name      = "${var.name}-config"
    namespace = var.namespace
    labels    = local.labels
  }
  data = {
    "application.properties" = local.service_properties
    "opa.yaml"               = local.opa_config
  }
}

resource "kubernetes_deployment_v1" "authz" {
  # checkov:skip=CKV_K8S_14:Both images are variables (no default) whose validation accepts only a @sha256 digest, which Checkov cannot see through.
  # checkov:skip=CKV_K8S_43:Both images are variables (no default) whose validation accepts only a @sha256 digest, which Checkov cannot see through.
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    # The HorizontalPodAutoscaler owns the replica count after the first apply.
    replicas = var.replicas_min

    selector {
      match_labels = local.selector
    }

    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }

    template {
      metadata {
        labels = local.labels
        annotations = {
          # A new configuration rolls the pods.
          "portcullis.dev/config-sha256" = sha256(join("\n", [local.service_properties, local.opa_config]))
        }
      }

      spec {
        service_account_name             = kubernetes_service_account_v1.authz.metadata[0].name
        automount_service_account_token  = false
        enable_service_links             = false
        termination_grace_period_seconds = 30

        security_context {
          run_as_non_root = true
          run_as_user     = local.run_as_user
          run_as_group    = local.run_as_user
          fs_group        = local.run_as_user
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        # Spread replicas over nodes and zones, so one node or zone going away leaves most of them.
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.selector
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "topology.kubernetes.io/zone"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.selector
          }
        }

        container {
          name              = "authz"
          image             = var.image
          image_pull_policy = "Always"
          args              = ["--spring.config.additional-location=file:/etc/portcullis/"]

          port {
            name           = "https"
            container_port = local.ports.https
          }
          port {
            name           = "grpc"
            container_port = local.ports.grpc
          }
          port {
            name           = "management"
            container_port = local.ports.management
          }

          env {
            name  = "JAVA_TOOL_OPTIONS"
            value = "-XX:MaxRAMPercentage=70 -Djava.io.tmpdir=/tmp"
          }

          resources {
            requests = {
              cpu    = var.resources.service.cpu_request
              memory = var.resources.service.memory_request
            }
            limits = {
              cpu    = var.resources.service.cpu_limit
              memory = var.resources.service.memory_limit
            }
          }

          security_context {
            run_as_non_root            = local.container_security_context.run_as_non_root
            run_as_user                = local.container_security_context.run_as_user
            run_as_group               = local.container_security_context.run_as_group
            read_only_root_filesystem  = local.container_security_context.read_only_root_filesystem
            allow_privilege_escalation = local.container_security_context.allow_privilege_escalation
            privileged                 = local.container_security_context.privileged
            capabilities {
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          startup_probe {
            http_get {
              path = "/actuator/health/liveness"
              port = "management"
            }
            period_seconds    = 5
            failure_threshold = 30
          }
          liveness_probe {
            http_get {
              path = "/actuator/health/liveness"
              port = "management"
            }
            period_seconds    = 10
            failure_threshold = 3
          }
          readiness_probe {
            http_get {
              path = "/actuator/health/readiness"
              port = "management"
            }
            period_seconds    = 5
            failure_threshold = 2
          }

          volume_mount {
            name       = "config"
            mount_path = "/etc/portcullis"
            read_only  = true
          }
          volume_mount {
            name       = "tls"
            mount_path = "/var/run/secrets/portcullis/tls"
            read_only  = true
          }
          volume_mount {
            name       = "vault-approle"
            mount_path = "/var/run/secrets/portcullis/vault"
            read_only  = true
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        container {
          name              = "opa"
          image             = var.opa_image
          image_pull_policy = "Always"
          args = [
            "run", "--server",
            "--addr=127.0.0.1:${local.opa_port}",
            "--diagnostic-addr=0.0.0.0:${local.opa_diagnostic_port}",
            "--config-file=/etc/opa/opa.yaml",
            "--log-format=json",
          ]

          port {
            name           = "opa-diag"
            container_port = local.opa_diagnostic_port
          }

          resources {
            requests = {
              cpu    = var.resources.opa.cpu_request
              memory = var.resources.opa.memory_request
            }
            limits = {
              cpu    = var.resources.opa.cpu_limit
              memory = var.resources.opa.memory_limit
            }
          }

          security_context {
            run_as_non_root            = local.container_security_context.run_as_non_root
            run_as_user                = local.container_security_context.run_as_user
            run_as_group               = local.container_security_context.run_as_group
            read_only_root_filesystem  = local.container_security_context.read_only_root_filesystem
            allow_privilege_escalation = local.container_security_context.allow_privilege_escalation
            privileged                 = local.container_security_context.privileged
            capabilities {
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          # Ready only once the signed bundle is activated: until then the service would get no
          # decision, and it denies.
          readiness_probe {
            http_get {
              path = "/health?bundles"
              port = "opa-diag"
            }
            period_seconds = 5
          }
          liveness_probe {
            http_get {
              path = "/health"
              port = "opa-diag"
            }
            period_seconds = 10
          }

          volume_mount {
            name       = "config"
            mount_path = "/etc/opa"
            read_only  = true
          }
        }

        volume {
          name = "config"
          config_map {
            name = kubernetes_config_map_v1.authz.metadata[0].name
          }
        }
        volume {
          name = "tls"
          secret {
            secret_name  = var.tls_secret
            default_mode = "0400"
          }
        }
        volume {
          name = "vault-approle"
          secret {
            secret_name  = var.vault_approle_secret
            default_mode = "0400"
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            medium     = "Memory"
            size_limit = "64Mi"
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [spec[0].replicas] # owned by the HorizontalPodAutoscaler
  }
}

resource "kubernetes_service_v1" "authz" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    type     = "ClusterIP"
    selector = local.selector
    port {
      name        = "https"
      port        = local.ports.https
      target_port = "https"
    }
    port {
      name         = "grpc"
      port         = local.ports.grpc
      target_port  = "grpc"
      app_protocol = "kubernetes.io/h2c"
    }
  }
}

# Deny by default, in both directions; then allow the proxies in, the monitoring scrape, DNS and the
# listed dependencies out. OPA's API (127.0.0.1) is not reachable from outside the pod at all.
resource "kubernetes_network_policy_v1" "authz" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    pod_selector {
      match_labels = local.selector
    }
    policy_types = ["Ingress", "Egress"]

    ingress {
      from {
        namespace_selector {
          match_labels = var.proxy_namespace_labels
        }
        pod_selector {
          match_labels = var.proxy_pod_labels
        }
      }
      ports {
        protocol = "TCP"
        port     = tostring(local.ports.https)
      }
      ports {
        protocol = "TCP"
        port     = tostring(local.ports.grpc)
      }
    }

    ingress {
      from {
        namespace_selector {
          match_labels = var.monitoring_namespace_labels
        }
      }
      ports {
        protocol = "TCP"
        port     = tostring(local.ports.management)
      }
    }

    egress {
      to {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = "kube-system" }
        }
        pod_selector {
          match_labels = { "k8s-app" = "kube-dns" }
        }
      }
      ports {
        protocol = "UDP"
        port     = "53"
      }
      ports {
        protocol = "TCP"
        port     = "53"
      }
    }

    dynamic "egress" {
      for_each = var.egress_cidrs
      content {
        to {
          ip_block {
            cidr = egress.value.cidr
          }
        }
        dynamic "ports" {
          for_each = egress.value.ports
          content {
            protocol = "TCP"
            port     = tostring(ports.value)
          }
        }
      }
    }
  }
}

# Voluntary disruptions (node drains, upgrades) take at most one pod at a time.
resource "kubernetes_pod_disruption_budget_v1" "authz" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    max_unavailable = "1"
    selector {
      match_labels = local.selector
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "authz" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    min_replicas = var.replicas_min
    max_replicas = var.replicas_max
    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = kubernetes_deployment_v1.authz.metadata[0].name
    }
    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = var.cpu_target_utilization
        }
      }
    }
    behavior {
      # Scale up quickly under a burst; scale down slowly so a short lull does not drop capacity.
      scale_up {
        stabilization_window_seconds = 0
        select_policy                = "Max"
        policy {
          type           = "Percent"
          value          = 100
          period_seconds = 30
        }
      }
      scale_down {
        stabilization_window_seconds = 300
        select_policy                = "Min"
        policy {
          type           = "Pods"
          value          = 1
          period_seconds = 60
        }
      }
    }
  }
}
