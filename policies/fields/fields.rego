# Portcullis field policy: which fields of a document type are sensitive (their data class, how
# and under whose key they are encrypted) and which classes a caller may read in clear.
#
# Input (built by dev.portcullis.fields.policy.OpaHttpFieldAccessPolicy):
#   input.operation       "encrypt" | "decrypt"
#   input.tenant          the tenant whose document it is
#   input.document_type   e.g. "patient"
#   input.principal       {subject, client_id, spiffe_id, roles: [string], tenants: [string]}
#                         (null when unknown); tenants are those the caller's verified identity
#                         names (its token's tenants claim), never the request's
# Data (policies/fields/data.json, i.e. data.fields):
#   schemas[document_type]   [{path, class, mode, key, blind_index}]: path is a JSONPath (the
#                            subset field-crypto supports), class e.g. pii/pci/phi, mode
#                            randomized|deterministic, key tenant|subject, blind_index bool
#   tenants[tenant].grants   {role: [class]}: who may read which class in that tenant
#   tenants[tenant].workloads  [SPIFFE ID]: workloads that belong to the tenant, when they call
#                            with their certificate alone (with a token, the token's tenants count)
# Output, data.portcullis.fields.decision:
#   {"allow": bool, "fields": [rule], "readable_classes": [string], "reasons": [string]}
# Deny by default: an unknown operation, tenant or document type, an unauthenticated caller, or a
# caller that is not a member of the tenant, means allow=false and no readable class (decrypt then
# masks everything). Only a tenant's members encrypt or decrypt its documents (otherwise anyone
# could use a tenant's keys, e.g. to test guessed values against its deterministic ciphertexts and
# blind indexes), and read grants are per tenant: a role granted in one tenant opens nothing in
# another, even for a member of both.
package portcullis.fields

operations := {"encrypt", "decrypt"}

decision := {
	"allow": false,
	"fields": [],
	"readable_classes": [],
	"reasons": sort(problems),
} if {
	count(problems) > 0
} else := {
	"allow": true,
	"fields": data.fields.schemas[input.document_type],
	"readable_classes": sort(readable_classes),
	"reasons": sort(reasons),
}

# --- why not --------------------------------------------------------------------------------

# Each check is a helper rule, so that a missing input member makes the check fail (and the
# problem appear) instead of making the whole expression undefined.
problems contains "unknown_operation" if not known_operation

problems contains "unauthenticated" if not authenticated

problems contains "unknown_tenant" if not known_tenant

problems contains "unknown_document_type" if not known_document_type

problems contains "not_a_tenant_member" if {
	authenticated
	known_tenant
	not member
}

known_operation if input.operation in operations

known_tenant if data.fields.tenants[input.tenant]

known_document_type if data.fields.schemas[input.document_type]

authenticated if is_string(input.principal.subject)

authenticated if is_string(input.principal.client_id)

authenticated if is_string(input.principal.spiffe_id)

member if input.tenant in input.principal.tenants

# A workload's certificate makes it a member only when no token came with it: a person's token
# sent over a member workload's connection must still name the tenant itself.
member if {
	is_string(input.principal.spiffe_id)
	not is_string(input.principal.subject)
	not is_string(input.principal.client_id)
	input.principal.spiffe_id in data.fields.tenants[input.tenant].workloads
}

# --- what may be read -----------------------------------------------------------------------

grants contains [role, class] if {
	input.operation == "decrypt"
	some role in input.principal.roles
	some class in data.fields.tenants[input.tenant].grants[role]
}

readable_classes contains class if some [_, class] in grants

reasons contains sprintf("grant:%s:%s", [role, class]) if some [role, class] in grants

reasons contains "no_read_grant" if {
	input.operation == "decrypt"
	count(grants) == 0
}

reasons contains "encrypt" if input.operation == "encrypt"
