# Portcullis authorization policy: one decision for every request a proxy or service asks about.
#
# Input (built by the authz-service from its CheckContext and the verified Principal):
#   input.request   {method, path, protocol, source_ip, source_network (an IPv6 source's /64, an
#                   IPv4-mapped source's IPv4 address, else null), id}
#   input.principal {authenticated, subject, client_id, roles, tenants, scopes, spiffe_id,
#                    issuer, auth_methods, token_id}
#   input.now_ns    the service's clock, so that every decision about the same request is the same
# Data:
#   data.authz.routes        the route table: which roles or workloads may call which routes;
#                             each {name, methods, path, roles?, spiffe_ids?, public?, glob?},
#                             path in segments ("*" one segment, a trailing "/**" any rest) or,
#                             with "glob": true, a glob.match pattern (see path_matches)
#   data.portcullis.blocklist.entries   principals blocked by anomaly responses, with an expiry
#                             (pushed at run time by the anomaly responder; absent means empty)
# Output, data.portcullis.authz.decision:
#   {"allow": bool, "status": int, "reasons": [string], "headers": {string: string}}
# Deny by default: no matching route, no grant, or a block means deny; every decision says why.
package portcullis.authz

default decision := {
	"allow": false,
	"status": 403,
	"reasons": ["default_deny"],
	"headers": {},
}

decision := deny(403, blocks) if {
	count(blocks) > 0
} else := deny(403, {"no_matching_route"}) if {
	count(matching_routes) == 0
} else := allowed if {
	count(grants) > 0
} else := deny(401, {"authentication_required"}) if {
	not input.principal.authenticated
} else := deny(403, missing | {"not_granted"})

deny(status, reasons) := {
	"allow": false,
	"status": status,
	"reasons": sort(reasons),
	"headers": {},
}

allowed := {
	"allow": true,
	"status": 200,
	"reasons": sort(grants),
	"headers": {"x-portcullis-route": concat(",", sort({r.name | some r in matching_routes}))},
}

# --- routes ------------------------------------------------------------------------------------

matching_routes contains route if {
	some route in data.authz.routes
	method_matches(route)
	path_matches(route, input.request.path)
}

# A route's path is "/"-separated segments: a literal segment, "*" for any one segment, and "**"
# as the last segment (after a "/") for any rest, empty included; for these shapes the answer is
# glob.match's with "/" as the separator (authz_test.rego checks it on a grid). A route with
# "glob": true has its path read by glob.match itself (wildcards inside a segment, "?", classes,
# alternatives). Segments take a few string built-ins; glob.match, where the policy runs compiled
# to Wasm in the service, compiles a regular expression on every call (docs/benchmarks.md).
path_matches(route, path) if {
	route.glob == true
	glob.match(route.path, ["/"], path)
}

path_matches(route, path) if {
	not route.glob
	segments_match(route.path, split(path, "/"))
}

segments_match(pattern, have) if {
	not endswith(pattern, "/**")
	want := split(pattern, "/")
	count(want) == count(have)
	count([i | some i, segment in want; segment != "*"; segment != have[i]]) == 0
}

segments_match(pattern, have) if {
	endswith(pattern, "/**")
	want := split(trim_suffix(pattern, "/**"), "/")
	count(have) > count(want)
	count([i | some i, segment in want; segment != "*"; segment != have[i]]) == 0
}

# Routes whose path holds glob syntax that the segment form reads literally (so it would match
# only that literal text): a route table with any of them is wrong; authz_test.rego checks
# data.json, and an operator can ask OPA for data.portcullis.authz.unsupported_route_paths.
unsupported_route_paths contains route.name if {
	some route in data.authz.routes
	not route.glob
	not segment_pattern(route.path)
}

segment_pattern(pattern) if {
	pattern != "**"
	segments := split(trim_suffix(pattern, "/**"), "/")
	every segment in segments {
		plain_segment(segment)
	}
}

plain_segment("*")

plain_segment(segment) if {
	every c in {"*", "?", "[", "]", "{", "}", "\\", "!"} {
		not contains(segment, c)
	}
}

method_matches(route) if "*" in route.methods

method_matches(route) if upper(input.request.method) in route.methods

# --- grants: why a request may pass ------------------------------------------------------------

# Reasons and keys are built with concat, not sprintf: compiled to Wasm (the service's in-process
# policy), concat runs inside the module while sprintf is a call out to the host that serialises
# its arguments to JSON and back. Every value concatenated is a string (checked, or a member of
# the principal's string roles); a non-string in the route table makes its reason undefined, and
# a public route whose name is not a string grants nothing (deny), as its allowed headers would fail too.

# A person (or a service account) holding one of the route's roles.
grants contains concat("", ["role:", role]) if {
	input.principal.authenticated
	some route in matching_routes
	some role in object.get(route, "roles", [])
	role in object.get(input.principal, "roles", [])
}

# A workload on the service-to-service allow-list, identified by the SPIFFE ID of its certificate.
grants contains concat("", ["spiffe:", id]) if {
	input.principal.authenticated
	id := input.principal.spiffe_id
	is_string(id)
	some route in matching_routes
	id in object.get(route, "spiffe_ids", [])
}

# A route anyone may call, authenticated or not.
grants contains concat("", ["public:", route.name]) if {
	some route in matching_routes
	object.get(route, "public", false) == true
}

# Why an authenticated caller matched a route but was not granted it.
missing contains concat("", ["missing_role:", role]) if {
	some route in matching_routes
	some role in object.get(route, "roles", [])
}

missing contains "spiffe_id_not_allowed" if {
	some route in matching_routes
	count(object.get(route, "spiffe_ids", [])) > 0
	is_string(input.principal.spiffe_id)
}

missing contains "route_has_no_grants" if {
	some route in matching_routes
	count(object.get(route, "roles", [])) == 0
	count(object.get(route, "spiffe_ids", [])) == 0
}

# --- block list --------------------------------------------------------------------------------

blocks contains concat("", ["blocked:", key]) if {
	some key in principal_keys
	entry := data.portcullis.blocklist.entries[key]
	time.parse_rfc3339_ns(entry.until) > input.now_ns
}

principal_keys contains concat("", ["subject:", input.principal.subject]) if is_string(input.principal.subject)

principal_keys contains concat("", ["client:", input.principal.client_id]) if is_string(input.principal.client_id)

principal_keys contains concat("", ["spiffe:", input.principal.spiffe_id]) if is_string(input.principal.spiffe_id)

principal_keys contains concat("", ["token:", input.principal.token_id]) if is_string(input.principal.token_id)

principal_keys contains concat("", ["ip:", input.request.source_ip]) if is_string(input.request.source_ip)

# The network a block names for this source when it is not the address as spelled (the service
# computes it): an IPv6 source's /64 (one host can use every address of it), or the IPv4 address
# of an IPv4-mapped source.
principal_keys contains concat("", ["ip:", input.request.source_network]) if is_string(input.request.source_network)
