output "service_host" {
  description = "In-cluster DNS name of the authz-service."
  value       = "${kubernetes_service_v1.authz.metadata[0].name}.${var.namespace}.svc.cluster.local"
}

output "ports" {
  description = "Ports of the Service: https (HTTP ext_authz, auth_request, forwardAuth, /v1/decisions) and grpc (Envoy ext_authz)."
  value       = { https = local.ports.https, grpc = local.ports.grpc }
}

output "envoy_ext_authz_example" {
  description = "Example Envoy configuration (filter and cluster) that sends every request to Portcullis over gRPC, failing closed."
  value = templatefile("${path.module}/envoy-ext-authz.yaml.tftpl", {
    service_host = "${kubernetes_service_v1.authz.metadata[0].name}.${var.namespace}.svc.cluster.local"
    grpc_port    = local.ports.grpc
  })
}
