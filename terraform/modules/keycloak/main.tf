# The Keycloak realm that Portcullis trusts: realm roles, groups, the public and
# confidential clients with their audience mappers, and (for development) users.
#
# Why no keycloak provider: the Keycloak Terraform provider (keycloak/terraform-provider-keycloak)
# cannot be obtained where this project builds its tools (the Go module proxy refuses every version
# of it), and no provider registry is reachable. So this module renders Keycloak's own realm
# representation (https://www.keycloak.org/docs-api/latest/rest-api/#RealmRepresentation) from its
# variables and imports it with import-realm.py through the admin REST API. The rendered realm is
# the single source: a change to any input replaces the realm (after a dry run under a scratch name),
# and a second plan with the same inputs shows no changes. What it does not do, unlike a provider:
# notice changes made in Keycloak behind Terraform's back (see docs/terraform.md).

locals {
  confidential_ids = keys(var.confidential_clients)

  # The audience mapper sits on each client rather than in a shared client scope: a realm
  # representation that lists clientScopes replaces Keycloak's built-in ones (profile, email,
  # roles, ...), and tokens would lose their realm roles.
  audience_mappers = {
    for id, client in merge(var.public_clients, var.confidential_clients) : id => length(client.audiences) == 0 ? null : [
      for audience in client.audiences : {
        name           = "audience ${audience}"
        protocol       = "openid-connect"
        protocolMapper = "oidc-audience-mapper"
        config = {
          "included.custom.audience"  = audience
          "access.token.claim"        = "true"
          "id.token.claim"            = "false"
          "introspection.token.claim" = "true"
        }
      }
    ]
  }
  audiences = sort(distinct(flatten([for c in merge(var.public_clients, var.confidential_clients) : c.audiences])))

  # Tenant membership in access tokens: Keycloak's group membership mapper with full paths (its
  # values include the user's other groups too; Portcullis keeps only those under /tenants/).
  tenants_mapper = {
    name           = "tenant membership"
    protocol       = "openid-connect"
    protocolMapper = "oidc-group-membership-mapper"
    config = {
      "claim.name"                = var.tenants_claim
      "full.path"                 = "true"
      "access.token.claim"        = "true"
      "id.token.claim"            = "false"
      "userinfo.token.claim"      = "false"
      "introspection.token.claim" = "true"
    }
  }
  client_mappers = {
    for id, mappers in local.audience_mappers : id => concat(mappers == null ? [] : mappers, [local.tenants_mapper])
  }
  tenant_groups = length(var.tenants) == 0 ? [] : [
    { name = "tenants", subGroups = [for t in var.tenants : { name = t }] }
  ]

  realm = {
    realm                 = var.realm
    displayName           = var.display_name
    enabled               = true
    sslRequired           = var.ssl_required
    accessTokenLifespan   = var.access_token_lifespan_seconds
    ssoSessionIdleTimeout = var.sso_session_idle_timeout_seconds
    revokeRefreshToken    = true
    bruteForceProtected   = var.brute_force_protected

    roles = {
      realm = [for name, description in var.realm_roles : { name = name, description = description }]
    }

    groups = concat([for name, roles in var.groups : { name = name, realmRoles = roles }], local.tenant_groups)

    clients = concat(
      [
        for id, client in var.public_clients : {
          clientId                  = id
          name                      = client.name
          publicClient              = true
          standardFlowEnabled       = true
          directAccessGrantsEnabled = client.direct_access_grants_enabled
          redirectUris              = client.redirect_uris
          attributes                = { "pkce.code.challenge.method" = "S256" }
          protocolMappers           = local.client_mappers[id]
          defaultClientScopes       = client.default_scopes
        }
      ],
      [
        for id, client in var.confidential_clients : {
          clientId                  = id
          name                      = client.name
          publicClient              = false
          clientAuthenticatorType   = "client-secret"
          secret                    = var.client_secrets[id]
          standardFlowEnabled       = false
          directAccessGrantsEnabled = false
          serviceAccountsEnabled    = client.service_accounts_enabled
          protocolMappers           = local.client_mappers[id]
          defaultClientScopes       = client.default_scopes
        }
      ]
    )

    users = concat(
      [
        for name, user in var.users : {
          username      = name
          enabled       = true
          email         = user.email
          emailVerified = true
          firstName     = user.first_name
          lastName      = user.last_name
          credentials   = [{ type = "password", value = var.user_passwords[name], temporary = false }]
          realmRoles    = user.realm_roles
          groups = concat(user.groups == null ? [] : [for g in user.groups : "/${g}"],
          [for t in user.tenants : "/tenants/${t}"])
        }
      ],
      [
        for id, client in var.confidential_clients : {
          username               = "service-account-${id}"
          enabled                = true
          serviceAccountClientId = id
          clientRoles            = client.service_account_roles
          groups                 = [for t in client.tenants : "/tenants/${t}"]
        } if client.service_accounts_enabled && (length(client.service_account_roles) > 0 || length(client.tenants) > 0)
      ]
    )
  }
}

resource "terraform_data" "realm" {
  # Any change of the rendered realm (secrets included, through their hash) replaces it.
  triggers_replace = {
    realm           = sha256(jsonencode(local.realm))
    keycloak_url    = var.keycloak_url
    replace_allowed = var.replace_existing_realm
  }

  input = {
    realm    = var.realm
    issuer   = "${trimsuffix(var.keycloak_url, "/")}/realms/${var.realm}"
    clients  = sort(concat(keys(var.public_clients), local.confidential_ids))
    users    = sort(keys(var.users))
    roles    = sort(keys(var.realm_roles))
    audience = local.audiences
  }

  provisioner "local-exec" {
    command = "${var.python} ${path.module}/import-realm.py"
    environment = {
      KEYCLOAK_URL            = var.keycloak_url
      KEYCLOAK_ADMIN_REALM    = var.admin_realm
      KEYCLOAK_ADMIN_CLIENT   = var.admin_client_id
      KEYCLOAK_ADMIN_USER     = var.admin_username
      KEYCLOAK_ADMIN_PASSWORD = var.admin_password
      REALM_JSON              = jsonencode(local.realm)
      REPLACE_EXISTING        = tostring(var.replace_existing_realm)
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for id in local.confidential_ids : contains(keys(var.client_secrets), id)])
      error_message = "Every confidential client needs a secret in client_secrets."
    }
    precondition {
      condition     = alltrue([for name in keys(var.users) : contains(keys(var.user_passwords), name)])
      error_message = "Every user needs a password in user_passwords."
    }
    precondition {
      condition = alltrue(flatten([
        [for roles in values(var.groups) : [for r in roles : contains(keys(var.realm_roles), r)]],
        [for u in values(var.users) : [for r in(u.realm_roles == null ? [] : u.realm_roles) : contains(keys(var.realm_roles), r)]],
      ]))
      error_message = "Groups and users may only name realm roles declared in realm_roles."
    }
    precondition {
      condition = !contains(keys(var.groups), "tenants") && alltrue(flatten([
        [for u in values(var.users) : [for t in u.tenants : contains(var.tenants, t)]],
        [for c in values(var.confidential_clients) : [for t in c.tenants : contains(var.tenants, t)]],
      ]))
      error_message = "Users and clients may only belong to tenants declared in tenants, and no group may be named tenants (it holds them)."
    }
  }
}
