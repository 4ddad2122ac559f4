package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class OpaRevisionWatcherTest {

    private static byte[] answer(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static final String A = "{\"id\":\"policies/authz/authz.rego\",\"raw\":\"package portcullis.authz\\n\",\"ast\":{\"x\":1}}";
    private static final String B = "{\"id\":\"policies/fields/fields.rego\",\"raw\":\"package portcullis.fields\\n\",\"ast\":{\"y\":2}}";

    @Test
    void theOrderInWhichOpaListsModulesDoesNotChangeTheRevision() throws IOException {
        // OPA lists modules in Go map order: the same set comes back in different orders.
        assertThat(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + A + "," + B + "]}")))
                .isEqualTo(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + B + "," + A + "]}")));
    }

    @Test
    void aChangedModuleSourceChangesTheRevision() throws IOException {
        String changed = A.replace("package portcullis.authz\\n", "package portcullis.authz\\n# edited\\n");
        assertThat(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + A + "," + B + "]}")))
                .isNotEqualTo(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + changed + "," + B + "]}")));
    }

    @Test
    void anAddedOrRemovedModuleChangesTheRevision() throws IOException {
        assertThat(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + A + "]}")))
                .isNotEqualTo(OpaRevisionWatcher.policyModules(answer("{\"result\":[" + A + "," + B + "]}")));
    }

    @Test
    void anAnswerThatIsNotAModuleListIsAnError() {
        assertThatThrownBy(() -> OpaRevisionWatcher.policyModules(answer("<html>")))
                .isInstanceOf(IOException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> OpaRevisionWatcher.policyModules(answer("{\"result\":{}}")))
                .isInstanceOf(IOException.class).hasMessageContaining("without a result list");
    }
}
