# The peer of the authz benchmark: OPA alone deciding the same request with the same route table,
# verifying the RS256 token in Rego (io.jwt.decode_verify) against Keycloak's JWKS given as data
# (data.bench.jwks, written by bin/bench). No audit record is written: that is OPA alone.
package portcullis.opa_alone

import data.portcullis.authz

claims := payload if {
	[valid, _, payload] := io.jwt.decode_verify(input.token, {
		"cert": data.bench.jwks,
		"iss": data.bench.issuer,
		"aud": "orders-api",
	})
	valid
}

principal := {
	"authenticated": true,
	"subject": claims.preferred_username,
	"client_id": claims.azp,
	"roles": object.get(claims, ["realm_access", "roles"], []),
	"spiffe_id": null,
	"token_id": claims.jti,
} if claims

default principal := {"authenticated": false, "subject": null, "roles": [], "spiffe_id": null}

decision := d if {
	d := authz.decision with input as {
		"request": {"method": input.method, "path": input.path, "source_ip": null},
		"principal": principal,
		"now_ns": time.now_ns(),
	}
}
