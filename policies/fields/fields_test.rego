package portcullis.fields_test

import data.portcullis.fields

alice := {"subject": "alice", "client_id": "portcullis-cli", "spiffe_id": null, "roles": ["order-reader"]}

reader := {"subject": "rita", "client_id": "portcullis-cli", "spiffe_id": null, "roles": ["pii-reader"]}

clinician := {"subject": "carl", "client_id": null, "spiffe_id": null, "roles": ["clinician", "billing"]}

service := {"subject": null, "client_id": "orders-service", "spiffe_id": null, "roles": []}

workload := {"subject": null, "client_id": null, "spiffe_id": "spiffe://portcullis.test/ns/shop/sa/checkout", "roles": []}

anonymous := {"subject": null, "client_id": null, "spiffe_id": null, "roles": []}

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

test_a_workload_identity_is_authenticated if {
	decide("encrypt", workload, "acme", "order").allow
}

test_anonymous_is_denied if {
	d := decide("decrypt", anonymous, "acme", "patient")
	not d.allow
	d.reasons == ["unauthenticated"]
	d.fields == []
	d.readable_classes == []
}

test_unknown_tenant_is_denied if {
	d := decide("decrypt", reader, "initech", "patient")
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
