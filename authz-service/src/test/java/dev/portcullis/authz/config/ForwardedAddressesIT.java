package dev.portcullis.authz.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.catalina.Valve;
import org.apache.catalina.valves.RemoteIpValve;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.testing.LocalStack;

/**
 * The caller's address is the socket's, also where Spring Boot would otherwise believe
 * {@code X-Forwarded-For} on its own: on Kubernetes it installs Tomcat's {@code RemoteIpValve},
 * which trusts every private address as a proxy, so that any pod could claim to be 127.0.0.1 and
 * pass the check endpoints' loopback rule. (The tests run on loopback, where a forged header
 * would change nothing visible; so they look at the running service's valves.)
 */
class ForwardedAddressesIT {

    private static List<Valve> remoteIpValves(Map<String, String> properties) throws IOException {
        AuthzService.Builder builder = AuthzService.builder(LocalStack.require(),
                Files.createTempDirectory("portcullis-forwarded-it-").resolve("service"));
        properties.forEach(builder::property);
        try (AuthzService service = builder.start()) {
            TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) service.context()).getWebServer();
            return Arrays.stream(server.getTomcat().getEngine().getPipeline().getValves())
                    .filter(RemoteIpValve.class::isInstance).toList();
        }
    }

    @Test
    void onKubernetesTheServiceDoesNotTakeTheCallersAddressFromForwardedHeaders() throws IOException {
        assertThat(remoteIpValves(Map.of("spring.main.cloud-platform", "kubernetes"))).isEmpty();
    }

    @Test
    void thatLookWouldFindTheValveOfAServiceThatBelievedForwardedHeaders() throws IOException {
        assertThat(remoteIpValves(Map.of("spring.main.cloud-platform", "kubernetes", "server.forward-headers-strategy", "native")))
                .hasSize(1);
    }
}
