#!/usr/bin/env python3
"""Imports the development realm `portcullis` into a running Keycloak through its admin REST API.

The realm is replaced on every run, so the server always holds exactly what keycloak-realm.json
says (no drift between runs). Client secrets come from the environment (the stack's 0600 secrets
file), never from the repository. Standard library only.
"""
import json
import os
import string
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["KEYCLOAK_URL"].rstrip("/")
HERE = os.path.dirname(os.path.abspath(__file__))


def request(method, path, token=None, body=None, form=None):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def main():
    status, tokens = request("POST", "/realms/master/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": "admin-cli",
        "username": "admin", "password": os.environ["KEYCLOAK_ADMIN_PASSWORD"]})
    if status != 200:
        sys.exit(f"Keycloak admin login failed with HTTP {status}")
    token = tokens["access_token"]

    with open(os.path.join(HERE, "keycloak-realm.json")) as f:
        template = string.Template(f.read())
    realm = json.loads(template.substitute(
        ORDERS_SERVICE_SECRET=os.environ["ORDERS_SERVICE_SECRET"],
        PORTCULLIS_INTROSPECTION_SECRET=os.environ["PORTCULLIS_INTROSPECTION_SECRET"],
        PORTCULLIS_RESPONDER_SECRET=os.environ["PORTCULLIS_RESPONDER_SECRET"]))

    status, _ = request("GET", "/admin/realms/" + realm["realm"], token)
    if status == 200:
        status, body = request("DELETE", "/admin/realms/" + realm["realm"], token)
        if status != 204:
            sys.exit(f"deleting the old realm failed with HTTP {status}: {body}")
    status, body = request("POST", "/admin/realms", token, body=realm)
    if status != 201:
        sys.exit(f"creating realm {realm['realm']} failed with HTTP {status}: {body}")
    print(f"realm {realm['realm']} imported")


if __name__ == "__main__":
    main()
