# Portcullis IaC rules over Terraform configuration, converted to JSON by hcl2json (the HCL parser
# Terraform itself uses), plus the Vault policy documents that configuration applies.
#
# Input (written by the Terraform converter of dev.portcullis.scan; run it on any folder with
#   `portcullis scan iac --terraform DIR`):
#   input.files [{"path": "modules/vault/main.tf", "kind": "terraform", "config": {..hcl2json..}}
#               |{"path": "modules/vault/policies/svc.hcl", "kind": "vault_policy", "config": {..}}
#               |{"path": "main.tf", "kind": "vault_policy", "resource": "vault_policy.svc",
#                 "config": {..}}]   (a policy written inline in a vault_policy resource)
# Output:
#   data.portcullis.terraform.findings  set of {rule, severity, file, resource, message}
#   data.portcullis.terraform.result    {"findings": [..sorted..], "count": n}
#   data.portcullis.terraform.rules     the rule catalog: {id: {severity, title, fix}}
#
# Dev environments: plain-HTTP addresses are allowed only in files under a folder named dev,
# development or local, or in a folder whose Terraform sets
# `locals { portcullis_environment = "dev" }`. Nothing else is relaxed there.
package portcullis.terraform

rules := {
	"PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE": {
		"severity": "critical",
		"title": "Transit key is exportable",
		"fix": "set exportable = false (the default): key-encryption keys never leave Vault",
	},
	"PORTCULLIS_TF_TRANSIT_KEY_PLAINTEXT_BACKUP": {
		"severity": "critical",
		"title": "Transit key allows a plaintext backup",
		"fix": "set allow_plaintext_backup = false (the default)",
	},
	"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH": {
		"severity": "high",
		"title": "Vault policy grants capabilities on a wildcard path",
		"fix": "name each path exactly (no * or +), one block per key or mount the service needs",
	},
	"PORTCULLIS_TF_VAULT_POLICY_SUDO": {
		"severity": "high",
		"title": "Vault policy grants sudo",
		"fix": "remove sudo: it unlocks root-protected endpoints; give that to a break-glass policy only",
	},
	"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_CAPABILITY": {
		"severity": "high",
		"title": "Vault policy grants the capability *",
		"fix": "list the capabilities the caller needs (read, update, ...)",
	},
	"PORTCULLIS_TF_PLAINTEXT_HTTP": {
		"severity": "high",
		"title": "Vault or Keycloak address without TLS",
		"fix": "use an https:// address; plain HTTP is allowed only in a marked dev environment",
	},
	"PORTCULLIS_TF_TLS_VERIFY_DISABLED": {
		"severity": "high",
		"title": "TLS certificate verification is disabled",
		"fix": "remove the setting and trust the server's CA (ca_cert_file / ca_cert) instead",
	},
	"PORTCULLIS_TF_CONTAINER_NO_LIMITS": {
		"severity": "medium",
		"title": "Container without CPU and memory limits",
		"fix": "add resources { limits = { cpu = \"...\", memory = \"...\" } } to the container",
	},
}

result := {
	"findings": [f | some key in sort({k | some x in findings; k := finding_key(x)}); some f in findings; finding_key(f) == key],
	"count": count(findings),
}

finding_key(f) := sprintf("%s|%s|%s|%s", [f.file, f.resource, f.rule, f.message])

finding(rule, file, resource, message) := {
	"rule": rule,
	"severity": rules[rule].severity,
	"file": file,
	"resource": resource,
	"message": message,
}

# --- what the input holds -----------------------------------------------------------------------

terraform_files contains f if {
	some f in input.files
	f.kind == "terraform"
}

# Every block with a body: resources, data sources, providers, modules, named as Terraform does.
# hcl2json gives each block as an array of bodies; Terraform's JSON syntax (*.tf.json) allows a
# single object too, so both are read.
blocks contains {"file": f.path, "type": type, "address": sprintf("%s.%s", [type, name]), "body": body} if {
	some f in terraform_files
	some type, named in f.config.resource
	some name, bodies in named
	some body in as_list(bodies)
}

blocks contains {"file": f.path, "type": type, "address": sprintf("data.%s.%s", [type, name]), "body": body} if {
	some f in terraform_files
	some type, named in f.config.data
	some name, bodies in named
	some body in as_list(bodies)
}

blocks contains {"file": f.path, "type": name, "address": provider_address(name, body), "body": body} if {
	some f in terraform_files
	some name, bodies in f.config.provider
	some body in as_list(bodies)
}

blocks contains {"file": f.path, "type": "module", "address": sprintf("module.%s", [name]), "body": body} if {
	some f in terraform_files
	some name, bodies in f.config.module
	some body in as_list(bodies)
}

provider_address(name, body) := sprintf("provider.%s.%s", [name, body.alias]) if is_string(body.alias)

provider_address(name, body) := sprintf("provider.%s", [name]) if not is_string(object.get(body, "alias", null))

dirname(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if parts := split(path, "/")

dev_folder_names := {"dev", "development", "local"}

dev_environment(path) if {
	some segment in array.slice(split(path, "/"), 0, count(split(path, "/")) - 1)
	segment in dev_folder_names
}

dev_environment(path) if {
	some f in terraform_files
	dirname(f.path) == dirname(path)
	some l in f.config.locals
	l.portcullis_environment == "dev"
}

truthy(v) if v == true

truthy(v) if v == "true"

expression(v) if {
	is_string(v)
	contains(v, "${")
}

# --- Transit keys -------------------------------------------------------------------------------

findings contains finding(
	"PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE", b.file, b.address,
	"exportable = true lets anyone with read on the key's export path take the key out of Vault",
) if {
	some b in blocks
	b.type == "vault_transit_secret_backend_key"
	truthy(b.body.exportable)
}

# Fail closed: a computed value cannot be shown to be false.
findings contains finding(
	"PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE", b.file, b.address,
	sprintf("exportable is computed (%s); set it to false literally", [b.body.exportable]),
) if {
	some b in blocks
	b.type == "vault_transit_secret_backend_key"
	expression(b.body.exportable)
}

findings contains finding(
	"PORTCULLIS_TF_TRANSIT_KEY_PLAINTEXT_BACKUP", b.file, b.address,
	"allow_plaintext_backup = true lets a backup carry the key in plaintext",
) if {
	some b in blocks
	b.type == "vault_transit_secret_backend_key"
	truthy(b.body.allow_plaintext_backup)
}

# --- Vault policies -----------------------------------------------------------------------------

# One entry per path block of every policy document: policy files, inline policies, and the
# rule blocks of vault_policy_document data sources.
policy_paths contains {"file": f.path, "resource": policy_resource(f, path), "path": path, "capabilities": caps} if {
	some f in input.files
	f.kind == "vault_policy"
	some path, bodies in f.config.path
	some body in as_list(bodies)
	caps := object.get(body, "capabilities", [])
}

policy_paths contains {"file": b.file, "resource": b.address, "path": rule.path, "capabilities": object.get(rule, "capabilities", [])} if {
	some b in blocks
	b.type == "vault_policy_document"
	some rule in b.body.rule
}

policy_resource(f, path) := sprintf("%s path %q", [f.resource, path]) if is_string(f.resource)

policy_resource(f, path) := sprintf("path %q", [path]) if not is_string(object.get(f, "resource", null))

granting(caps) if {
	some c in caps
	c != "deny"
}

findings contains finding(
	"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH", p.file, p.resource,
	sprintf("path %q uses a wildcard and grants %s", [p.path, concat(", ", p.capabilities)]),
) if {
	some p in policy_paths
	regex.match(`[*+]`, p.path)
	granting(p.capabilities)
}

findings contains finding(
	"PORTCULLIS_TF_VAULT_POLICY_SUDO", p.file, p.resource,
	sprintf("path %q grants sudo", [p.path]),
) if {
	some p in policy_paths
	"sudo" in p.capabilities
}

findings contains finding(
	"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_CAPABILITY", p.file, p.resource,
	sprintf("path %q grants every capability (*)", [p.path]),
) if {
	some p in policy_paths
	"*" in p.capabilities
}

# --- TLS everywhere -----------------------------------------------------------------------------

vault_or_keycloak(type) if startswith(type, "vault")

vault_or_keycloak(type) if startswith(type, "keycloak")

findings contains finding(
	"PORTCULLIS_TF_PLAINTEXT_HTTP", b.file, b.address,
	sprintf("%s = %q is plain HTTP", [concat(".", [sprintf("%v", [x]) | some x in path]), value]),
) if {
	some b in blocks
	vault_or_keycloak(b.type)
	walk(b.body, [path, value])
	is_string(value)
	startswith(lower(value), "http://")
	not dev_environment(b.file)
}

insecure_settings := {
	"skip_tls_verify",
	"tls_skip_verify",
	"tls_insecure_skip_verify",
	"insecure_skip_verify",
	"skip_tls_verification",
	"insecure",
}

findings contains finding(
	"PORTCULLIS_TF_TLS_VERIFY_DISABLED", b.file, b.address,
	sprintf("%s = true turns off certificate verification", [concat(".", [sprintf("%v", [x]) | some x in path])]),
) if {
	some b in blocks
	walk(b.body, [path, value])
	count(path) > 0
	path[count(path) - 1] in insecure_settings
	truthy(value)
}

# --- containers ---------------------------------------------------------------------------------

container_keys := {"container", "init_container", "containers", "initContainers"}

containers contains {"block": b, "container": c} if {
	some b in blocks
	startswith(b.type, "kubernetes_")
	walk(b.body, [path, value])
	count(path) > 0
	path[count(path) - 1] in container_keys
	some c in as_list(value)
	is_object(c)
}

# resources and limits are blocks (lists) in the kubernetes provider's HCL, and objects in a
# kubernetes_manifest.
as_list(v) := v if is_array(v)

as_list(v) := [v] if is_object(v)

limit(c, kind) if {
	some r in as_list(c.resources)
	some l in as_list(r.limits)
	l[kind]
}

findings contains finding(
	"PORTCULLIS_TF_CONTAINER_NO_LIMITS", x.block.file, x.block.address,
	sprintf("container %q has no %s limit", [object.get(x.container, "name", "?"), concat(" or ", missing)]),
) if {
	some x in containers
	missing := [kind | some kind in ["cpu", "memory"]; not limit(x.container, kind)]
	count(missing) > 0
}
