package portcullis.terraform_test

import data.portcullis.terraform

tf(path, config) := {"path": path, "kind": "terraform", "config": config}

rules_of(files) := {f.rule | some f in terraform.findings with input as {"files": files}}

findings_of(files) := fs if {
	fs := terraform.findings with input as {"files": files}
}

# --- Transit keys -------------------------------------------------------------------------------

key(attrs) := {"resource": {"vault_transit_secret_backend_key": {"fields": [object.union({"backend": "transit", "name": "portcullis-fields"}, attrs)]}}}

test_exportable_transit_key_is_found_with_file_and_resource if {
	fs := findings_of([tf("modules/vault/main.tf", key({"exportable": true}))])
	fs == {{
		"rule": "PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE",
		"severity": "critical",
		"file": "modules/vault/main.tf",
		"resource": "vault_transit_secret_backend_key.fields",
		"message": "exportable = true lets anyone with read on the key's export path take the key out of Vault",
	}}
}

test_exportable_given_as_string_true_is_found if {
	rules_of([tf("main.tf", key({"exportable": "true"}))]) == {"PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE"}
}

test_computed_exportable_fails_closed if {
	some f in findings_of([tf("main.tf", key({"exportable": "${var.exportable}"}))])
	f.message == "exportable is computed (${var.exportable}); set it to false literally"
}

test_non_exportable_key_passes if {
	rules_of([tf("main.tf", key({"exportable": false}))]) == set()
	rules_of([tf("main.tf", key({}))]) == set()
}

test_plaintext_backup_is_found if {
	rules_of([tf("main.tf", key({"allow_plaintext_backup": true}))]) == {"PORTCULLIS_TF_TRANSIT_KEY_PLAINTEXT_BACKUP"}
}

# --- Vault policies -----------------------------------------------------------------------------

policy_file(path, paths) := {"path": path, "kind": "vault_policy", "config": {"path": paths}}

test_wildcard_path_in_policy_file_is_found if {
	fs := findings_of([policy_file("policies/svc.hcl", {"secret/*": [{"capabilities": ["read", "list"]}]})])
	fs == {{
		"rule": "PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH",
		"severity": "high",
		"file": "policies/svc.hcl",
		"resource": "path \"secret/*\"",
		"message": "path \"secret/*\" uses a wildcard and grants read, list",
	}}
}

test_plus_segment_wildcard_is_found if {
	rules_of([policy_file("p.hcl", {"transit/encrypt/+": [{"capabilities": ["update"]}]})]) == {"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH"}
}

test_wildcard_path_that_only_denies_passes if {
	rules_of([policy_file("p.hcl", {"secret/*": [{"capabilities": ["deny"]}]})]) == set()
}

test_exact_paths_pass if {
	rules_of([policy_file("p.hcl", {
		"transit/encrypt/portcullis-fields": [{"capabilities": ["update"]}],
		"auth/token/lookup-self": [{"capabilities": ["read"]}],
		"sys/health": [{}],
	})]) == set()
}

test_sudo_and_star_capabilities_are_found if {
	rules_of([policy_file("p.hcl", {"sys/mounts": [{"capabilities": ["sudo", "*"]}]})]) == {
		"PORTCULLIS_TF_VAULT_POLICY_SUDO",
		"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_CAPABILITY",
	}
}

test_inline_policy_of_a_vault_policy_resource_names_the_resource if {
	inline := {"path": "main.tf", "kind": "vault_policy", "resource": "vault_policy.admin", "config": {"path": {"secret/+/config": [{"capabilities": ["read"]}]}}}
	some f in findings_of([inline])
	f.resource == "vault_policy.admin path \"secret/+/config\""
	f.file == "main.tf"
}

test_policy_document_data_source_rules_are_checked if {
	doc := {"data": {"vault_policy_document": {"svc": [{"rule": [
		{"path": "kv/data/*", "capabilities": ["read"]},
		{"path": "transit/sign/portcullis-audit-checkpoint", "capabilities": ["update"]},
	]}]}}}
	fs := findings_of([tf("policy.tf", doc)])
	count(fs) == 1
	some f in fs
	f.resource == "data.vault_policy_document.svc"
	f.rule == "PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH"
}

# --- TLS ----------------------------------------------------------------------------------------

provider(name, body) := {"provider": {name: [body]}}

test_plain_http_vault_provider_is_found if {
	fs := findings_of([tf("prod/main.tf", provider("vault", {"address": "http://vault.internal:8200"}))])
	fs == {{
		"rule": "PORTCULLIS_TF_PLAINTEXT_HTTP",
		"severity": "high",
		"file": "prod/main.tf",
		"resource": "provider.vault",
		"message": "address = \"http://vault.internal:8200\" is plain HTTP",
	}}
}

test_plain_http_keycloak_provider_with_alias_is_found if {
	some f in findings_of([tf("main.tf", provider("keycloak", {"alias": "admin", "url": "HTTP://kc:8080"}))])
	f.resource == "provider.keycloak.admin"
}

test_plain_http_inside_a_vault_resource_is_found if {
	jwt := {"resource": {"vault_jwt_auth_backend": {"kc": [{"oidc_discovery_url": "https://kc/realms/p", "bound_issuer": "http://kc/realms/p"}]}}}
	some f in findings_of([tf("main.tf", jwt)])
	f.message == "bound_issuer = \"http://kc/realms/p\" is plain HTTP"
}

test_https_addresses_pass if {
	rules_of([tf("main.tf", provider("vault", {"address": "https://vault:8200"}))]) == set()
}

test_plain_http_in_a_dev_folder_is_allowed if {
	rules_of([tf("environments/dev/main.tf", provider("vault", {"address": "http://127.0.0.1:8200"}))]) == set()
}

test_plain_http_in_a_folder_marked_dev_by_a_local_is_allowed if {
	files := [
		tf("sandbox/locals.tf", {"locals": [{"portcullis_environment": "dev"}]}),
		tf("sandbox/main.tf", provider("vault", {"address": "http://127.0.0.1:8200"})),
	]
	rules_of(files) == set()
}

test_dev_marker_in_another_folder_does_not_relax if {
	files := [
		tf("sandbox/locals.tf", {"locals": [{"portcullis_environment": "dev"}]}),
		tf("prod/main.tf", provider("vault", {"address": "http://10.0.0.1:8200"})),
	]
	rules_of(files) == {"PORTCULLIS_TF_PLAINTEXT_HTTP"}
}

test_skip_tls_verify_is_found_even_in_dev if {
	fs := findings_of([tf("dev/main.tf", provider("vault", {"address": "https://vault", "skip_tls_verify": true}))])
	fs == {{
		"rule": "PORTCULLIS_TF_TLS_VERIFY_DISABLED",
		"severity": "high",
		"file": "dev/main.tf",
		"resource": "provider.vault",
		"message": "skip_tls_verify = true turns off certificate verification",
	}}
}

test_nested_insecure_setting_in_a_module_is_found if {
	mod := {"module": {"kc": [{"source": "./keycloak", "settings": {"tls_insecure_skip_verify": "true"}}]}}
	some f in findings_of([tf("main.tf", mod)])
	f.resource == "module.kc"
	f.message == "settings.tls_insecure_skip_verify = true turns off certificate verification"
}

test_tls_verification_left_on_passes if {
	rules_of([tf("main.tf", provider("kubernetes", {"insecure": false}))]) == set()
}

# --- containers ---------------------------------------------------------------------------------

deployment(containers) := {"resource": {"kubernetes_deployment_v1": {"authz": [{"spec": [{"template": [{"spec": [{"container": containers}]}]}]}]}}}

with_limits(name, limits) := {"name": name, "resources": [{"limits": limits}]}

test_container_without_limits_is_found if {
	fs := findings_of([tf("k8s/main.tf", deployment([{"name": "authz", "image": "portcullis"}]))])
	fs == {{
		"rule": "PORTCULLIS_TF_CONTAINER_NO_LIMITS",
		"severity": "medium",
		"file": "k8s/main.tf",
		"resource": "kubernetes_deployment_v1.authz",
		"message": "container \"authz\" has no cpu or memory limit",
	}}
}

test_container_with_only_a_memory_limit_is_found if {
	some f in findings_of([tf("main.tf", deployment([with_limits("authz", {"memory": "512Mi"})]))])
	f.message == "container \"authz\" has no cpu limit"
}

test_limits_written_as_a_block_are_accepted if {
	rules_of([tf("main.tf", deployment([with_limits("authz", [{"cpu": "1", "memory": "512Mi"}])]))]) == set()
}

test_every_container_needs_limits if {
	fs := findings_of([tf("main.tf", deployment([
		with_limits("authz", {"cpu": "1", "memory": "512Mi"}),
		{"resources": [{"requests": {"cpu": "1"}}]},
	]))])
	{f.message | some f in fs} == {"container \"?\" has no cpu or memory limit"}
}

test_manifest_containers_are_checked if {
	manifest := {"resource": {"kubernetes_manifest": {"opa": [{"manifest": {"spec": {"template": {"spec": {
		"containers": [{"name": "opa", "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}],
		"initContainers": [{"name": "init"}],
	}}}}}]}}}
	fs := findings_of([tf("main.tf", manifest)])
	{f.message | some f in fs} == {"container \"init\" has no cpu or memory limit"}
}

# --- the result ---------------------------------------------------------------------------------

test_result_lists_every_finding_sorted if {
	files := [
		tf("b.tf", key({"exportable": true})),
		policy_file("a.hcl", {"secret/*": [{"capabilities": ["read"]}]}),
	]
	r := terraform.result with input as {"files": files}
	r.count == 2
	[f.file | some f in r.findings] == ["a.hcl", "b.tf"]
}

test_every_rule_has_severity_title_and_fix if {
	every id, rule in terraform.rules {
		rule.severity in {"low", "medium", "high", "critical"}
		rule.title != ""
		rule.fix != ""
		startswith(id, "PORTCULLIS_TF_")
	}
}

test_no_files_no_findings if {
	r := terraform.result with input as {"files": []}
	r.count == 0
}

# --- Terraform JSON syntax (*.tf.json): a block is an object, or an array of objects -------------

test_json_syntax_block_given_as_an_object_is_checked if {
	rules_of([tf("main.tf.json", {"resource": {"vault_transit_secret_backend_key": {"fields": {"backend": "transit", "name": "k", "exportable": true}}}})]) == {"PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE"}
	rules_of([tf("main.tf.json", {"provider": {"vault": {"address": "http://vault.example:8200"}}})]) == {"PORTCULLIS_TF_PLAINTEXT_HTTP"}
	rules_of([tf("main.tf.json", {"data": {"vault_policy_document": {"p": {"rule": [{"path": "secret/*", "capabilities": ["read"]}]}}}})]) == {"PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH"}
}

test_json_syntax_container_given_as_an_object_is_checked if {
	pod := {"resource": {"kubernetes_pod_v1": {"p": {"spec": {"container": {"name": "c", "image": "nginx@sha256:0"}}}}}}
	rules_of([tf("main.tf.json", pod)]) == {"PORTCULLIS_TF_CONTAINER_NO_LIMITS"}
}
