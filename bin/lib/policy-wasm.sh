#!/usr/bin/env bash
# Compiles the authorization policy to Wasm for the service's in-process engine, from the Rego
# files OPA serves (POLICY_DIR without *_test.rego and testdata/, as `opa run` is started with),
# and stamps the bundle's revision with the fingerprint of exactly those files' sources:
#   sources-sha256:<hex>   hex = SHA-256 over the sorted hex SHA-256 of each file's bytes
# (PolicySources.digest in authz-service). The service compares it with the fingerprint of the
# modules OPA serves and decides in-process only while the two are equal; the modules written
# into a Wasm bundle are rewritten by the compiler, so the fingerprint has to be taken here.
# Usage: policy-wasm.sh OPA_BINARY POLICY_DIR OUT.tar.gz
set -o errexit -o nounset -o pipefail
opa="$1" dir="$2" out="$3"
entrypoint="portcullis/authz/decision"

sources=$(find "$dir" -name testdata -prune -o -type f -name '*.rego' ! -name '*_test.rego' -print)
[[ -n "$sources" ]] || { echo "policy-wasm.sh: no Rego files under $dir" >&2; exit 1; }
fingerprint=$(printf '%s\n' "$sources" | while IFS= read -r f; do sha256sum "$f" | cut -d' ' -f1; done \
  | LC_ALL=C sort | tr -d '\n' | sha256sum | cut -d' ' -f1)

# Written beside the target and renamed into place: a reader never sees half a bundle.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"$opa" build -t wasm -e "$entrypoint" --ignore='*_test.rego' --ignore=testdata \
  --revision "sources-sha256:$fingerprint" -o "$tmp" "$dir"
mv -f "$tmp" "$out"
trap - EXIT
echo "sources-sha256:$fingerprint"
