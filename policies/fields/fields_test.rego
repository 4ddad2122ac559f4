package portcullis.fields_test

import data.portcullis.fields

alice := {"subject": "alice", "client_id": "portcullis-cli", "spiffe_id": null, "roles": ["order-reader"], "tenants": ["acme"]}

reader := {"subject": "rita", "client_id": "portcullis-cli", "spiffe_id": null, "roles": ["pii-reader"], "tenants": ["acme"]}

# pii-reader is granted in globex too: rita there is this reader, a member of both tenants.
reader_of_both := object.union(reader, {"tenants": ["acme", "globex"]})

clinician := {"subject": "carl", "client_id": null, "spiffe_id": null, "roles": ["clinician", "billing"], "tenants": ["acme", "globex"]}

service := {"subject": null, "client_id": "orders-service", "spiffe_id": null, "roles": [], "tenants": ["acme"]}

workload := {"subject": null, "client_id": null, "spiffe_id": "spiffe://portcullis.test/ns/shop/sa/checkout", "roles": [], "tenants": []}

anonymous := {"subject": null, "client_id": null, "spiffe_id": null, "roles": [], "tenants": []}

decide(op, principal, tenant, doc_type) := d if {
	d := fields.decision with input as {
		"operation": op, "tenant": tenant, "document_type": doc_type, "principal": principal,
	}
}

test_alice_without_pii_grant_reads_nothing_in_clear if {
	d := decide("decrypt", alice, "acme", "patient")
	d.allow
	d.readable_classes == []
	d.reasons == ["no_read_grant"]
	count(d.fields) == 6
}

test_reader_with_pii_grant_reads_pii_only if {
	d := decide("decrypt", reader, "acme", "patient")
	d.allow
	d.readable_classes == ["pii"]
	d.reasons == ["grant:pii-reader:pii"]
}

test_roles_add_up if {
	d := decide("decrypt", clinician, "acme", "patient")
	d.readable_classes == ["pci", "phi", "pii"]
	d.reasons == ["grant:billing:pci", "grant:clinician:phi", "grant:clinician:pii"]
}

test_grants_do_not_cross_tenants if {
	d := decide("decrypt", clinician, "globex", "patient")
	d.allow
	d.readable_classes == []
}

test_encrypt_returns_the_rules_and_no_read_grant if {
	d := decide("encrypt", service, "acme", "order")
	d.allow
	d.readable_classes == []
	d.reasons == ["encrypt"]
	d.fields == data.fields.schemas.order
}

test_a_workload_listed_by_the_tenant_is_a_member if {
	decide("encrypt", workload, "acme", "order").allow
}

test_a_token_over_a_member_workloads_connection_needs_its_own_membership if {
	# A globex-only reader's token, sent through acme's checkout workload (mTLS and a token merge
	# into one principal): the workload's membership is not the person's.
	gina := {
		"subject": "gina", "client_id": "portcullis-cli", "roles": ["pii-reader"], "tenants": ["globex"],
		"spiffe_id": "spiffe://portcullis.test/ns/shop/sa/checkout",
	}
	d := decide("decrypt", gina, "acme", "patient")
	not d.allow
	d.reasons == ["not_a_tenant_member"]
	decide("decrypt", gina, "globex", "patient").readable_classes == ["pii"]
}

test_a_workload_not_listed_by_the_tenant_is_not_a_member if {
	d := decide("encrypt", workload, "globex", "order")
	not d.allow
	d.reasons == ["not_a_tenant_member"]
}

test_a_role_granted_in_another_tenant_reads_nothing_without_membership if {
	# rita is pii-reader, globex grants pii-reader pii, but rita belongs to acme only.
	d := decide("decrypt", reader, "globex", "patient")
	not d.allow
	d.reasons == ["not_a_tenant_member"]
	d.readable_classes == []
	d.fields == []
}

test_a_member_of_both_tenants_reads_what_each_grants if {
	decide("decrypt", reader_of_both, "globex", "patient").readable_classes == ["pii"]
	decide("decrypt", reader_of_both, "acme", "patient").readable_classes == ["pii"]
}

test_encrypt_needs_membership if {
	d := decide("encrypt", service, "globex", "order")
	not d.allow
	d.reasons == ["not_a_tenant_member"]
	d.fields == []
}

test_membership_comes_only_from_the_principal if {
	# A tenants list elsewhere in the input (as a request could carry one) is not membership.
	d := fields.decision with input as {
		"operation": "decrypt", "tenant": "globex", "document_type": "patient",
		"principal": reader, "tenants": ["globex"],
	}
	d.reasons == ["not_a_tenant_member"]
}

test_a_principal_without_tenants_is_no_member if {
	d := decide("decrypt", object.remove(reader, ["tenants"]), "acme", "patient")
	not d.allow
	d.reasons == ["not_a_tenant_member"]
}

test_anonymous_is_denied if {
	d := decide("decrypt", anonymous, "acme", "patient")
	not d.allow
	d.reasons == ["unauthenticated"]
	d.fields == []
	d.readable_classes == []
}

test_unknown_tenant_is_denied if {
	d := decide("decrypt", object.union(reader, {"tenants": ["initech"]}), "initech", "patient")
	not d.allow
	d.reasons == ["unknown_tenant"]
}

test_unknown_document_type_is_denied if {
	d := decide("encrypt", service, "acme", "invoice")
	not d.allow
	d.reasons == ["unknown_document_type"]
}

test_unknown_operation_is_denied if {
	d := decide("delete", reader, "acme", "patient")
	not d.allow
	d.reasons == ["unknown_operation"]
}

test_missing_input_is_denied_with_every_reason if {
	d := fields.decision with input as {}
	not d.allow
	d.reasons == ["unauthenticated", "unknown_document_type", "unknown_operation", "unknown_tenant"]
}

test_every_schema_rule_is_well_formed if {
	every rules in data.fields.schemas {
		every rule in rules {
			startswith(rule.path, "$")
			rule.class in data.fields.classes
			rule.mode in {"randomized", "deterministic"}
			rule.key in {"tenant", "subject"}
			is_boolean(rule.blind_index)
		}
	}
}

test_every_grant_names_a_known_class if {
	every t in data.fields.tenants {
		every classes in t.grants {
			every class in classes {
				class in data.fields.classes
			}
		}
	}
}

test_every_tenant_workload_is_a_spiffe_id if {
	every t in data.fields.tenants {
		every id in object.get(t, "workloads", []) {
			startswith(id, "spiffe://")
		}
	}
}
