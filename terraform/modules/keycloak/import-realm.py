#!/usr/bin/env python3
"""Imports one realm into Keycloak through its admin REST API, for the Portcullis keycloak module.

Run by the module's terraform_data resource (local-exec) whenever the realm it renders changes.
Input, all from the environment (never from the command line, which other users can read):

  KEYCLOAK_URL             base URL, e.g. http://127.0.0.1:8180
  KEYCLOAK_ADMIN_REALM     realm of the admin account (normally master)
  KEYCLOAK_ADMIN_CLIENT    public client for the admin login (normally admin-cli)
  KEYCLOAK_ADMIN_USER      admin user name
  KEYCLOAK_ADMIN_PASSWORD  admin password
  REALM_JSON               the realm representation to import
  REPLACE_EXISTING         "true": replace a realm of that name; otherwise refuse to touch it

The new realm is first imported under a scratch name, so that a representation Keycloak rejects
fails before the existing realm is touched; only then is the existing realm replaced. Messages name
the step and the HTTP status, never a secret. Exit codes: 0 imported, 1 refused or failed.
Standard library only: https://www.keycloak.org/docs-api/latest/rest-api/
"""
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_SECONDS = 60


class Keycloak:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.token = None

    def call(self, method, path, body=None, form=None):
        headers = {"Accept": "application/json"}
        data = None
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            return e.code, _error_text(e.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError) as e:
            fail(f"cannot reach Keycloak at {self.base}: {getattr(e, 'reason', e)}")

    def login(self, realm, client, user, password):
        status, body = self.call("POST", f"/realms/{q(realm)}/protocol/openid-connect/token", form={
            "grant_type": "password", "client_id": client, "username": user, "password": password})
        if status != 200:
            fail(f"admin login as '{user}' in realm '{realm}' failed with HTTP {status}")
        self.token = body["access_token"]

    def exists(self, realm):
        status, body = self.call("GET", f"/admin/realms/{q(realm)}")
        if status not in (200, 404):
            fail(f"reading realm '{realm}' failed with HTTP {status}: {body}")
        return status == 200

    def create(self, representation):
        return self.call("POST", "/admin/realms", body=representation)

    def delete(self, realm):
        status, body = self.call("DELETE", f"/admin/realms/{q(realm)}")
        if status != 204:
            fail(f"deleting realm '{realm}' failed with HTTP {status}: {body}")


def q(segment):
    return urllib.parse.quote(segment, safe="")


def _error_text(text):
    # Keycloak's error bodies name the offending field, never echo a secret; keep them short.
    try:
        parsed = json.loads(text)
        text = parsed.get("errorMessage") or parsed.get("error_description") or parsed.get("error") or text
    except (ValueError, AttributeError):
        pass
    return str(text)[:300]


def fail(message):
    print(f"import-realm: {message}", file=sys.stderr)
    sys.exit(1)


def required(name):
    value = os.environ.get(name, "")
    if not value:
        fail(f"environment variable {name} is not set")
    return value


def main():
    try:
        realm = json.loads(required("REALM_JSON"))
    except ValueError as e:
        fail(f"REALM_JSON is not valid JSON: {e}")
    name = realm.get("realm") if isinstance(realm, dict) else None
    if not name:
        fail("REALM_JSON has no 'realm' name")
    replace = os.environ.get("REPLACE_EXISTING", "false") == "true"

    keycloak = Keycloak(required("KEYCLOAK_URL"))
    keycloak.login(os.environ.get("KEYCLOAK_ADMIN_REALM", "master"),
                   os.environ.get("KEYCLOAK_ADMIN_CLIENT", "admin-cli"),
                   required("KEYCLOAK_ADMIN_USER"), required("KEYCLOAK_ADMIN_PASSWORD"))

    existing = keycloak.exists(name)
    if existing and not replace:
        fail(f"realm '{name}' already exists and replace_existing_realm is false: nothing was changed."
             " Set replace_existing_realm = true to let this module own and replace it.")

    # Dry run under a scratch name: Keycloak validates the whole representation, nothing else moves.
    scratch = f"{name}-import-check-{secrets.token_hex(4)}"
    status, body = keycloak.create(dict(realm, realm=scratch, id=None, enabled=False))
    if status != 201:
        fail(f"Keycloak rejected realm '{name}' (HTTP {status}): {body}; the existing realm was not touched")
    keycloak.delete(scratch)

    if existing:
        keycloak.delete(name)
    status, body = keycloak.create(realm)
    if status != 201:
        fail(f"creating realm '{name}' failed with HTTP {status}: {body}")
    print(f"import-realm: realm '{name}' imported ({len(realm.get('clients', []))} clients,"
          f" {len(realm.get('users', []))} users, {'replaced' if existing else 'new'})")


if __name__ == "__main__":
    main()
