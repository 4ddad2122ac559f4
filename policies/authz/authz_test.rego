package portcullis.authz_test

import data.portcullis.authz

now := time.parse_rfc3339_ns("2026-11-23T12:00:00Z")

alice := {
	"authenticated": true, "subject": "alice", "client_id": "portcullis-cli",
	"roles": ["order-reader"], "spiffe_id": null, "token_id": "t-alice",
}

bob := {
	"authenticated": true, "subject": "bob", "client_id": "portcullis-cli",
	"roles": [], "spiffe_id": null, "token_id": "t-bob",
}

admin := {
	"authenticated": true, "subject": "sec-admin", "client_id": "portcullis-cli",
	"roles": ["security-admin"], "spiffe_id": null,
}

anonymous := {"authenticated": false, "subject": null, "roles": [], "spiffe_id": null}

checkout := {
	"authenticated": true, "subject": null, "roles": [],
	"spiffe_id": "spiffe://portcullis.test/ns/shop/sa/checkout",
}

rogue_workload := {
	"authenticated": true, "subject": null, "roles": [],
	"spiffe_id": "spiffe://portcullis.test/ns/shop/sa/rogue",
}

req(method, path) := {"method": method, "path": path, "source_ip": "10.1.2.3", "id": "d-1"}

decide(principal, method, path) := d if {
	d := authz.decision with input as {"request": req(method, path), "principal": principal, "now_ns": now}
}

test_alice_reads_an_order if {
	d := decide(alice, "GET", "/orders/42")
	d.allow == true
	d.status == 200
	d.reasons == ["role:order-reader"]
	d.headers["x-portcullis-route"] == "orders-read"
}

test_method_is_matched_case_insensitively if {
	decide(alice, "get", "/orders/42").allow == true
}

test_alice_cannot_write_an_order if {
	d := decide(alice, "DELETE", "/orders/42")
	d.allow == false
	d.status == 403
	d.reasons == ["no_matching_route"]
}

test_order_route_does_not_match_nested_paths if {
	decide(alice, "GET", "/orders/42/items").reasons == ["no_matching_route"]
}

test_bob_without_role_is_forbidden_and_told_which_role if {
	d := decide(bob, "GET", "/orders/1")
	d.allow == false
	d.status == 403
	"missing_role:order-reader" in d.reasons
	"not_granted" in d.reasons
}

test_anonymous_on_a_protected_route_is_unauthenticated if {
	d := decide(anonymous, "GET", "/orders/1")
	d.allow == false
	d.status == 401
	d.reasons == ["authentication_required"]
}

test_admin_routes_need_security_admin if {
	decide(admin, "POST", "/admin/keys/rotate").allow == true
	decide(alice, "GET", "/admin/keys").allow == false
	decide(alice, "GET", "/admin/keys").status == 403
}

test_everything_else_is_denied if {
	d := decide(admin, "GET", "/payments/1")
	d.allow == false
	d.reasons == ["no_matching_route"]
}

test_allowed_workload_by_spiffe_id if {
	d := decide(checkout, "GET", "/orders/7")
	d.allow == true
	d.reasons == ["spiffe:spiffe://portcullis.test/ns/shop/sa/checkout"]
}

test_unlisted_workload_is_denied if {
	d := decide(rogue_workload, "GET", "/orders/7")
	d.allow == false
	"spiffe_id_not_allowed" in d.reasons
}

test_workload_only_route_denies_people_with_a_reason if {
	d := authz.decision with input as {"request": req("GET", "/internal/x"), "principal": alice, "now_ns": now}
		with data.authz.routes as [{"name": "internal", "methods": ["GET"], "path": "/internal/*", "spiffe_ids": ["spiffe://x/y"]}]
	d.allow == false
	d.reasons == ["not_granted"]
}

test_route_without_grants_denies_with_reason if {
	d := authz.decision with input as {"request": req("GET", "/closed/x"), "principal": alice, "now_ns": now}
		with data.authz.routes as [{"name": "closed", "methods": ["GET"], "path": "/closed/*"}]
	d.allow == false
	"route_has_no_grants" in d.reasons
}

test_public_route_allows_anonymous if {
	d := authz.decision with input as {"request": req("GET", "/status"), "principal": anonymous, "now_ns": now}
		with data.authz.routes as [{"name": "status", "methods": ["*"], "path": "/status", "public": true}]
	d.allow == true
	d.reasons == ["public:status"]
}

blocklist(key, until) := {"entries": {key: {"until": until, "reason": "anomaly", "alert_id": "01JD4V9Q6ZK8M2X3N4P5R6S7T8"}}}

test_blocked_subject_is_denied_until_expiry if {
	d := decide(alice, "GET", "/orders/1") with data.portcullis.blocklist as blocklist("subject:alice", "2026-11-23T13:00:00Z")
	d.allow == false
	d.status == 403
	d.reasons == ["blocked:subject:alice"]
}

test_expired_block_no_longer_applies if {
	d := decide(alice, "GET", "/orders/1") with data.portcullis.blocklist as blocklist("subject:alice", "2026-11-23T11:59:59Z")
	d.allow == true
}

test_block_by_ip_client_token_and_spiffe if {
	decide(alice, "GET", "/orders/1").allow == true
	not allowed_with_block(alice, "ip:10.1.2.3")
	not allowed_with_block(alice, "client:portcullis-cli")
	not allowed_with_block(alice, "token:t-alice")
	not allowed_with_block(checkout, "spiffe:spiffe://portcullis.test/ns/shop/sa/checkout")
	allowed_with_block(alice, "subject:bob")
}

test_block_of_an_ipv6_network_denies_every_address_in_it if {
	v6 := {
		"method": "GET", "path": "/orders/1", "source_ip": "2001:db8:1:2::99",
		"source_network": "2001:db8:1:2:0:0:0:0/64", "id": "d-6",
	}
	block := blocklist("ip:2001:db8:1:2:0:0:0:0/64", "2030-01-01T00:00:00Z")
	d := authz.decision with input as {"request": v6, "principal": alice, "now_ns": now}
		with data.portcullis.blocklist as block
	d.allow == false
	d.reasons == ["blocked:ip:2001:db8:1:2:0:0:0:0/64"]

	other := object.union(v6, {"source_ip": "2001:db8:1:3::99", "source_network": "2001:db8:1:3:0:0:0:0/64"})
	authz.decision.allow with input as {"request": other, "principal": alice, "now_ns": now}
		with data.portcullis.blocklist as block
}

test_block_of_an_ipv4_address_denies_its_ipv4_mapped_spelling if {
	mapped := {"method": "GET", "path": "/orders/1", "source_ip": "::ffff:203.0.113.7", "source_network": "203.0.113.7", "id": "d-7"}
	d := authz.decision with input as {"request": mapped, "principal": alice, "now_ns": now}
		with data.portcullis.blocklist as blocklist("ip:203.0.113.7", "2030-01-01T00:00:00Z")
	d.reasons == ["blocked:ip:203.0.113.7"]
}

allowed_with_block(principal, key) if {
	d := decide(principal, "GET", "/orders/1") with data.portcullis.blocklist as blocklist(key, "2030-01-01T00:00:00Z")
	d.allow == true
}

test_default_decision_when_input_is_missing if {
	d := authz.decision with input as {}
	d.allow == false
}

# --- route paths: segments, with glob.match's answer; glob.match when a route asks for it ---------

segment_patterns := ["/orders/*", "/admin/**", "/status", "/", "", "*", "/a/*/**", "/a/*/c", "orders/*", "/*/*"]

request_paths := [
	"/orders/1", "/orders/", "/orders", "/orders/1/items", "/admin", "/admin/", "/admin/keys",
	"/admin/keys/k1", "/adminx/y", "/status", "/status/", "/", "", "abc", "/a/b/", "/a//", "/a/b/c",
	"/a/b/c/d", "orders/1", "/orders/1.json", "//", "/x/y",
]

test_segment_patterns_match_as_glob_match_does if {
	every pattern in segment_patterns {
		every path in request_paths {
			# Two steps: opa fmt drops the parentheses of a == (b > 0), and a == b > 0 is (a == b) > 0.
			matched := count([1 | authz.path_matches({"path": pattern}, path)]) > 0
			glob.match(pattern, ["/"], path) == matched
		}
	}
}

test_a_glob_route_is_read_by_glob_match if {
	authz.path_matches({"path": "/orders/*.json", "glob": true}, "/orders/1.json")
	authz.path_matches({"path": "/orders/{1,2}", "glob": true}, "/orders/2")
	not authz.path_matches({"path": "/orders/{1,2}", "glob": true}, "/orders/3")
	not authz.path_matches({"path": "/orders/*.json"}, "/orders/1.json")
	not authz.path_matches({"path": "/orders/*", "glob": "yes"}, "/orders/1")
}

test_a_glob_route_decides if {
	d := decide(alice, "GET", "/reports/2026.csv") with data.authz.routes as [{
		"name": "reports", "methods": ["GET"], "path": "/reports/*.csv", "glob": true, "roles": ["order-reader"],
	}]
	d.allow
}

test_the_route_table_has_no_unsupported_paths if {
	count(authz.unsupported_route_paths) == 0
}

test_unsupported_route_paths_are_reported if {
	names := authz.unsupported_route_paths with data.authz.routes as [
		{"name": "plain", "path": "/orders/*"},
		{"name": "tail", "path": "/admin/**"},
		{"name": "star-inside", "path": "/orders/*.json"},
		{"name": "middle-tail", "path": "/a/**/c"},
		{"name": "alternatives", "path": "/orders/{1,2}"},
		{"name": "glob", "path": "/orders/{1,2}", "glob": true},
		{"name": "all", "path": "**"},
	]
	names == {"star-inside", "middle-tail", "alternatives", "all"}
}
