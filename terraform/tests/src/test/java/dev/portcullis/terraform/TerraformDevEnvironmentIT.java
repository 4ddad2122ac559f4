package dev.portcullis.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;

/**
 * Issue 9, "applied for real": {@code terraform/environments/dev} applied by OpenTofu (built from the
 * Go module proxy, with the Vault provider built the same way) to a fresh OpenBao and to the stack's
 * Keycloak, through {@code tf_apply_dev_environment} of bin/lib/terraform-tools.sh, the function the
 * local stack calls. Everything is then checked through the servers' own APIs, by what the
 * configuration allows and refuses, and a second plan must show no changes.
 *
 * <p>The realm {@code portcullis} of the stack's Keycloak is replaced by an identical one (same
 * clients, users and secrets from the stack file); its signing keys change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TerraformDevEnvironmentIT {

    /** The first run builds OpenTofu and the Vault provider from source. */
    private static final Duration LIMIT = Duration.ofMinutes(60);
    private static final String REALM = "portcullis";

    private final Path root = Shell.repositoryRoot();
    private LocalStack stack;
    private Path stateDir;
    private OpenBaoDevServer openBao;
    private Http bao;
    private Http keycloak;
    private Map<String, String> environment;

    @BeforeAll
    void applyTheDevEnvironment() throws IOException {
        stack = LocalStack.require();
        // Fresh state every run, like the fresh OpenBao: the test must not depend on an earlier run.
        stateDir = stack.stateDir().resolve("terraform-it");
        deleteRecursively(stateDir);
        Files.createDirectories(stateDir);
        // The audit device is declared in OpenBao's configuration, as the stack will declare it.
        Path auditConfig = stateDir.resolve("openbao-audit.hcl");
        Shell.Result config = Shell.run(root, Map.of(), LIMIT, List.of("bash", "-c",
                "source bin/lib/common.sh && source bin/lib/versions.sh && source bin/lib/tools.sh"
                        + " && source bin/lib/terraform-tools.sh && tf_openbao_audit_config \"$1\" \"$2\"",
                "terraform-it", auditConfig.toString(), stateDir.resolve("openbao-audit.log").toString()));
        assertThat(config.exitCode()).as(config.toString()).isZero();
        openBao = OpenBaoDevServer.start(stack.path("openbao.bin"), auditConfig, stateDir.resolve("openbao.log"));
        bao = openBao.client();
        URI keycloakUrl = stack.uri("keycloak.url");
        keycloak = new Http(keycloakUrl, Map.of());

        environment = new HashMap<>();
        environment.put("PORT_OPENBAO", Integer.toString(openBao.port()));
        environment.put("OPENBAO_ROOT_TOKEN", openBao.rootToken());
        environment.put("PORT_KEYCLOAK", Integer.toString(keycloakUrl.getPort()));
        environment.put("KEYCLOAK_ADMIN_PASSWORD", stack.get("keycloak.admin-password"));
        environment.put("ORDERS_SERVICE_SECRET", stack.get("keycloak.orders-service.secret"));
        environment.put("PORTCULLIS_INTROSPECTION_SECRET", stack.get("keycloak.introspection.secret"));
        environment.put("PORTCULLIS_RESPONDER_SECRET", stack.get("keycloak.responder.secret"));

        Shell.Result apply = terraform("tf_apply_dev_environment");
        assertThat(apply.exitCode()).as("tofu apply: %s\napply.log:\n%s", apply, log("apply.log")).isZero();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @AfterAll
    void stopOpenBao() {
        if (openBao != null) {
            openBao.close();
        }
    }

    private Shell.Result terraform(String function, String... arguments) {
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "source bin/lib/common.sh && source bin/lib/versions.sh && source bin/lib/tools.sh"
                        + " && source bin/lib/terraform-tools.sh && " + function + " \"$@\"",
                "terraform-it", stateDir.toString()));
        command.addAll(List.of(arguments));
        return Shell.run(root, environment, LIMIT, command);
    }

    private String log(String name) {
        try {
            Path file = stateDir.resolve(name);
            return Files.exists(file) ? Files.readString(file) : "(no " + name + ")";
        } catch (IOException e) {
            return "(unreadable " + name + ": " + e + ")";
        }
    }

    // --- a second plan ------------------------------------------------------------------------

    @Test
    @Order(1)
    void secondPlanShowsNoChanges() {
        Shell.Result plan = terraform("tf_plan_dev_environment");

        assertThat(plan.exitCode()).as("tofu plan -detailed-exitcode: %s\nplan.log:\n%s", plan, log("plan.log")).isZero();
        assertThat(log("plan.log")).contains("No changes.");
    }


    // --- the keycloak module does not take over a realm it does not own ----------------------

    @Test
    @Order(2)
    void keycloakModuleRefusesToReplaceAnExistingRealmUnlessAllowedAndChangesNothing() throws IOException {
        String aliceBefore = userId("alice");
        Path data = Files.createDirectories(stateDir.resolve("existing-realm"));
        Map<String, String> env = new HashMap<>(environment);
        env.put("TF_DATA_DIR", data.resolve(".terraform").toString());
        env.put("TF_VAR_keycloak_url", stack.get("keycloak.url"));
        env.put("TF_VAR_admin_password", stack.get("keycloak.admin-password"));
        String fixture = root.resolve("terraform/tests/fixtures/keycloak-existing-realm").toString();
        Shell.Result apply = Shell.run(root, env, LIMIT, List.of("bash", "-c",
                "source bin/lib/common.sh && source bin/lib/versions.sh && source bin/lib/tools.sh"
                        + " && source bin/lib/terraform-tools.sh && ensure_terraform_toolchain"
                        + " && \"$TOFU_BIN\" -chdir=\"$1\" init -input=false -no-color >/dev/null"
                        + " && \"$TOFU_BIN\" -chdir=\"$1\" apply -input=false -no-color -auto-approve"
                        + " -state=\"$2/fixture.tfstate\"",
                "terraform-it", fixture, data.toString()));

        assertThat(apply.exitCode()).as(apply.toString()).isNotZero();
        // OpenTofu wraps the provisioner's message at 80 columns.
        assertThat(apply.output().replaceAll("\\s+", " "))
                .contains("realm 'portcullis' already exists and replace_existing_realm is false: nothing was changed");
        assertThat(apply.output()).doesNotContain(stack.get("keycloak.admin-password"));
        // The realm is the one Terraform applied before: same user, and no role "intruder".
        assertThat(userId("alice")).isEqualTo(aliceBefore);
        Http admin = keycloakAdmin();
        assertThat(admin.get("/admin/realms/" + REALM + "/roles/intruder").status()).isEqualTo(404);
    }

    private Http keycloakAdmin() {
        Http.Response token = keycloak.postForm("/realms/master/protocol/openid-connect/token", Map.of(
                "grant_type", "password", "client_id", "admin-cli", "username", "admin",
                "password", stack.get("keycloak.admin-password")));
        assertThat(token.status()).as("admin login: HTTP %d", token.status()).isEqualTo(200);
        return new Http(stack.uri("keycloak.url"),
                Map.of("Authorization", "Bearer " + token.body().path("access_token").asString()));
    }

    private String userId(String username) {
        JsonNode users = keycloakAdmin().get("/admin/realms/" + REALM + "/users?exact=true&username=" + username).body();
        assertThat(users.size()).as("users named %s", username).isEqualTo(1);
        return users.get(0).path("id").asString();
    }

    // --- Transit ------------------------------------------------------------------------------

    @Test
    void transitKeysAreNotExportableNotDeletableAndHaveABackstopRotation() {
        JsonNode fields = bao.get("/v1/transit/keys/portcullis-fields").body().path("data");
        assertThat(fields.path("type").asString()).isEqualTo("aes256-gcm96");
        assertThat(fields.path("exportable").asBoolean(true)).isFalse();
        assertThat(fields.path("allow_plaintext_backup").asBoolean(true)).isFalse();
        assertThat(fields.path("deletion_allowed").asBoolean(true)).isFalse();
        assertThat(fields.path("derived").asBoolean(false)).isTrue();
        assertThat(fields.path("auto_rotate_period").asLong()).isEqualTo(35L * 86400);

        JsonNode checkpoint = bao.get("/v1/transit/keys/portcullis-audit-checkpoint").body().path("data");
        assertThat(checkpoint.path("type").asString()).isEqualTo("ed25519");
        assertThat(checkpoint.path("exportable").asBoolean(true)).isFalse();
        assertThat(checkpoint.path("deletion_allowed").asBoolean(true)).isFalse();
        assertThat(checkpoint.path("auto_rotate_period").asLong()).isEqualTo(100L * 86400);
    }

    @Test
    void exportingOrDeletingAKeyIsRefusedEvenToTheRootToken() {
        Http.Response export = bao.get("/v1/transit/export/encryption-key/portcullis-fields");
        assertThat(export.status()).as(export.toString()).isEqualTo(400);
        assertThat(export.text()).contains("not exportable");

        Http.Response delete = send("DELETE", "/v1/transit/keys/portcullis-audit-checkpoint");
        assertThat(delete.status()).as(delete.toString()).isEqualTo(400);
        assertThat(bao.get("/v1/transit/keys/portcullis-audit-checkpoint").status()).isEqualTo(200);
    }

    private Http.Response send(String method, String path) {
        // java.net.http has no DELETE with the Http helper's headers; a tiny one-off request.
        try {
            var request = java.net.http.HttpRequest.newBuilder(URI.create(openBao.address() + path))
                    .header("X-Vault-Token", openBao.rootToken())
                    .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            var response = java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Http.Response(response.statusCode(), Http.JSON.missingNode(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- policies and AppRoles ----------------------------------------------------------------

    @Test
    void policiesAreTheKeyRotationModulesHclFilesVerbatim() throws IOException {
        for (String name : List.of("portcullis-service", "portcullis-rotation")) {
            String expected = Files.readString(root.resolve("terraform/modules/vault/policies/" + name + ".hcl"));
            JsonNode policy = bao.get("/v1/sys/policies/acl/" + name).body().path("data");
            assertThat(policy.path("policy").asString()).as(name).isEqualTo(expected);
        }
    }

    @Test
    void appRolesCarryOnlyTheirOwnPolicyAndAreBoundToLoopback() {
        for (String name : List.of("portcullis-service", "portcullis-rotation")) {
            JsonNode role = bao.get("/v1/auth/approle/role/" + name).body().path("data");
            assertThat(strings(role.path("token_policies"))).as(name).containsExactly(name);
            assertThat(role.path("token_no_default_policy").asBoolean(false)).as(name).isTrue();
            assertThat(strings(role.path("token_bound_cidrs"))).as(name).containsExactly("127.0.0.1");
            assertThat(strings(role.path("secret_id_bound_cidrs"))).as(name).containsExactly("127.0.0.1/32");
            assertThat(role.path("token_ttl").asLong()).isEqualTo(3600);
        }
    }

    @Test
    void serviceLoginMayEncryptWithItsKeyButNotRotateExportOrReadOtherMounts() {
        Http service = Http.openBao(openBao.address(), appRoleLogin("portcullis-service"));

        Http.Response encrypt = service.postJson("/v1/transit/encrypt/portcullis-fields",
                Map.of("plaintext", "aGVsbG8=", "context", "cmVjb3JkLTQy"));
        assertThat(encrypt.status()).as(encrypt.toString()).isEqualTo(200);
        assertThat(encrypt.body().path("data").path("ciphertext").asString()).startsWith("vault:v1:");

        assertThat(service.postJson("/v1/transit/keys/portcullis-fields/rotate", Map.of()).status()).isEqualTo(403);
        assertThat(service.get("/v1/transit/export/encryption-key/portcullis-fields").status()).isEqualTo(403);
        assertThat(service.get("/v1/sys/mounts").status()).isEqualTo(403);
        assertThat(service.get("/v1/portcullis-kv/data/rotation-locks/portcullis-fields").status()).isEqualTo(403);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it rotates portcullis-fields
    void rotationLoginMayRotateAndRaiseMinDecryptionVersionAndTerraformLeavesThatAlone() {
        Http rotation = Http.openBao(openBao.address(), appRoleLogin("portcullis-rotation"));

        assertThat(rotation.postJson("/v1/transit/keys/portcullis-fields/rotate", Map.of()).status()).isIn(200, 204);
        Http.Response raise = rotation.postJson("/v1/transit/keys/portcullis-fields/config",
                Map.of("min_decryption_version", 2));
        assertThat(raise.status()).as(raise.toString()).isIn(200, 204);
        // Nothing else about the key may be changed by the rotation job.
        Http.Response weaken = rotation.postJson("/v1/transit/keys/portcullis-fields/config",
                Map.of("deletion_allowed", true));
        assertThat(weaken.status()).as(weaken.toString()).isEqualTo(403);
        assertThat(rotation.postJson("/v1/transit/encrypt/portcullis-fields",
                Map.of("plaintext", "aGVsbG8=", "context", "cmVjb3JkLTQy")).status()).isEqualTo(403);

        JsonNode key = bao.get("/v1/transit/keys/portcullis-fields").body().path("data");
        assertThat(key.path("latest_version").asInt()).isEqualTo(2);
        assertThat(key.path("min_decryption_version").asInt()).isEqualTo(2);

        // ignore_changes: Terraform must not plan to lower min_decryption_version again.
        Shell.Result plan = terraform("tf_plan_dev_environment");
        assertThat(plan.exitCode()).as("plan after rotation: %s\nplan.log:\n%s", plan, log("plan.log")).isZero();
    }

    private String appRoleLogin(String role) {
        String roleId = bao.get("/v1/auth/approle/role/" + role + "/role-id").body().path("data").path("role_id").asString();
        String secretId = bao.postJson("/v1/auth/approle/role/" + role + "/secret-id", Map.of())
                .body().path("data").path("secret_id").asString();
        Http.Response login = new Http(URI.create(openBao.address()), Map.of())
                .postJson("/v1/auth/approle/login", Map.of("role_id", roleId, "secret_id", secretId));
        assertThat(login.status()).as("AppRole login %s: %s", role, login.status()).isEqualTo(200);
        JsonNode auth = login.body().path("auth");
        assertThat(strings(auth.path("policies"))).containsExactly(role);
        return auth.path("client_token").asString();
    }

    // --- KV, PKI, audit -----------------------------------------------------------------------

    @Test
    void rotationLockStoreRequiresCheckAndSet() {
        JsonNode config = bao.get("/v1/portcullis-kv/config").body().path("data");
        assertThat(config.path("cas_required").asBoolean(false)).isTrue();
        assertThat(config.path("max_versions").asInt()).isEqualTo(20);
    }

    @Test
    void serviceRoleIssuesLoopbackServerCertificatesOnly() {
        Http.Response ok = bao.postJson("/v1/pki/issue/portcullis-service",
                Map.of("common_name", "localhost", "ip_sans", "127.0.0.1", "ttl", "1h"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.body().path("data").path("certificate").asString()).startsWith("-----BEGIN CERTIFICATE-----");

        Http.Response other = bao.postJson("/v1/pki/issue/portcullis-service", Map.of("common_name", "example.com"));
        assertThat(other.status()).as(other.toString()).isEqualTo(400);

        JsonNode role = bao.get("/v1/pki/roles/portcullis-service").body().path("data");
        assertThat(role.path("server_flag").asBoolean(false)).isTrue();
        assertThat(role.path("client_flag").asBoolean(true)).isFalse();
        assertThat(role.path("max_ttl").asLong()).isEqualTo(72L * 3600);
    }

    @Test
    void workloadRoleIssuesClientCertificatesOnlyForTheSpiffeTrustDomain() {
        Http.Response ok = bao.postJson("/v1/pki/issue/portcullis-workload",
                Map.of("common_name", "orders", "uri_sans", "spiffe://portcullis.test/orders", "ttl", "1h"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);

        Http.Response foreign = bao.postJson("/v1/pki/issue/portcullis-workload",
                Map.of("common_name", "orders", "uri_sans", "spiffe://evil.test/orders"));
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(400);

        JsonNode role = bao.get("/v1/pki/roles/portcullis-workload").body().path("data");
        assertThat(role.path("client_flag").asBoolean(false)).isTrue();
        assertThat(role.path("server_flag").asBoolean(true)).isFalse();
    }

    @Test
    void auditDeviceRecordsRequestsWithSecretsHashed() throws IOException {
        JsonNode devices = bao.get("/v1/sys/audit").body().path("data");
        JsonNode device = devices.path("portcullis-file/");
        assertThat(device.path("type").asString()).as(devices.toString()).isEqualTo("file");
        assertThat(device.path("options").path("log_raw").asString()).isEqualTo("false");

        // A request carrying a recognizable secret value: the audit log must hold only its HMAC.
        String marker = "terraform-it-" + System.nanoTime();
        bao.postJson("/v1/transit/encrypt/portcullis-fields",
                Map.of("plaintext", java.util.Base64.getEncoder().encodeToString(marker.getBytes()), "context", "eA=="));
        String audit = Files.readString(stateDir.resolve("openbao-audit.log"));
        assertThat(audit).contains("transit/encrypt/portcullis-fields").contains("hmac-sha256:");
        assertThat(audit).doesNotContain(openBao.rootToken());
        assertThat(audit).doesNotContain(java.util.Base64.getEncoder().encodeToString(marker.getBytes()));
    }

    // --- Keycloak -----------------------------------------------------------------------------

    private Http.Response passwordGrant(String user, String password) {
        return keycloak.postForm("/realms/" + REALM + "/protocol/openid-connect/token", Map.of(
                "grant_type", "password", "client_id", "portcullis-cli", "username", user, "password", password));
    }

    private Http.Response clientCredentials(String clientId, String secret) {
        return keycloak.postForm("/realms/" + REALM + "/protocol/openid-connect/token", Map.of(
                "grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asString()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.asString());
        }
        return out;
    }

    @Test
    void usersGetTheirRealmRolesAndTheOrdersApiAudience() {
        JsonNode alice = Http.claims(passwordGrant("alice", "alice").body().path("access_token").asString());
        assertThat(alice.path("iss").asString()).isEqualTo(stack.get("keycloak.url") + "/realms/" + REALM);
        assertThat(strings(alice.path("aud"))).contains("orders-api");
        assertThat(strings(alice.path("realm_access").path("roles"))).contains("order-reader").doesNotContain("security-admin");

        JsonNode admin = Http.claims(passwordGrant("sec-admin", "sec-admin").body().path("access_token").asString());
        assertThat(strings(admin.path("realm_access").path("roles"))).contains("security-admin").doesNotContain("order-reader");

        JsonNode bob = Http.claims(passwordGrant("bob", "bob").body().path("access_token").asString());
        assertThat(strings(bob.path("realm_access").path("roles"))).doesNotContain("order-reader", "security-admin");

        assertThat(passwordGrant("alice", "wrong").status()).isEqualTo(401);
    }

    @Test
    void tokensListTenantMembershipAsGroupsUnderTenants() {
        JsonNode alice = Http.claims(passwordGrant("alice", "alice").body().path("access_token").asString());
        assertThat(strings(alice.path("tenants"))).contains("/tenants/acme").doesNotContain("/tenants/globex");
        JsonNode admin = Http.claims(passwordGrant("sec-admin", "sec-admin").body().path("access_token").asString());
        assertThat(strings(admin.path("tenants"))).noneMatch(g -> g.startsWith("/tenants/"));

        JsonNode service = Http.claims(clientCredentials("orders-service", stack.get("keycloak.orders-service.secret"))
                .body().path("access_token").asString());
        assertThat(strings(service.path("tenants"))).contains("/tenants/acme", "/tenants/globex");
    }

    @Test
    void ordersServiceGetsServiceTokensForTheOrdersApiWithItsSecretOnly() {
        Http.Response ok = clientCredentials("orders-service", stack.get("keycloak.orders-service.secret"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        JsonNode claims = Http.claims(ok.body().path("access_token").asString());
        assertThat(strings(claims.path("aud"))).contains("orders-api");
        assertThat(claims.path("azp").asString()).isEqualTo("orders-service");

        assertThat(clientCredentials("orders-service", "not-the-secret").status()).isEqualTo(401);
    }

    @Test
    void authzClientMayIntrospectButNotGetTokensOfItsOwn() {
        String token = passwordGrant("alice", "alice").body().path("access_token").asString();
        Http.Response introspection = keycloak.postForm("/realms/" + REALM + "/protocol/openid-connect/token/introspect", Map.of(
                "client_id", "portcullis-authz", "client_secret", stack.get("keycloak.introspection.secret"), "token", token));
        assertThat(introspection.status()).as(introspection.toString()).isEqualTo(200);
        assertThat(introspection.body().path("active").asBoolean(false)).isTrue();

        // No service account: client credentials are refused.
        Http.Response own = clientCredentials("portcullis-authz", stack.get("keycloak.introspection.secret"));
        assertThat(own.status()).as(own.toString()).isIn(400, 401);
    }

    @Test
    void responderServiceAccountMayManageUsersOfTheRealm() {
        Http.Response token = clientCredentials("portcullis-responder", stack.get("keycloak.responder.secret"));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        Http asResponder = new Http(stack.uri("keycloak.url"),
                Map.of("Authorization", "Bearer " + token.body().path("access_token").asString()));

        Http.Response users = asResponder.get("/admin/realms/" + REALM + "/users?username=alice&exact=true");
        assertThat(users.status()).as(users.toString()).isEqualTo(200);
        assertThat(users.body().size()).isEqualTo(1);
        // ...but nothing in other realms.
        assertThat(asResponder.get("/admin/realms/master/users").status()).isIn(401, 403);
    }
}
