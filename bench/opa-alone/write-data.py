"""Writes the data OPA alone needs to verify tokens itself: Keycloak's JWKS and the issuer."""
import json
import sys
import urllib.request

issuer, out = sys.argv[1], sys.argv[2]
jwks = urllib.request.urlopen(issuer + "/protocol/openid-connect/certs", timeout=10).read().decode()
with open(out, "w") as f:
    json.dump({"jwks": jwks, "issuer": issuer}, f)
