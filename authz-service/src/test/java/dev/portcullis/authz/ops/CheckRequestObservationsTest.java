package dev.portcullis.authz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.micrometer.observation.Observation;

class CheckRequestObservationsTest {

    private final CheckRequestObservations predicate = new CheckRequestObservations();

    private boolean observed(String method, String uri) {
        return predicate.test("http.server.requests",
                new ServerRequestObservationContext(new MockHttpServletRequest(method, uri), new MockHttpServletResponse()));
    }

    @Test
    void theCheckEndpointsAreNotObservedAsHttpServerRequests() {
        assertThat(observed("GET", "/v1/check")).isFalse();
        assertThat(observed("POST", "/v1/check/orders/1")).isFalse();
        assertThat(observed("POST", "/v1/decisions")).isFalse();
    }

    @Test
    void everyOtherEndpointIsObserved() {
        assertThat(observed("GET", "/v1/admin/keys")).isTrue();
        assertThat(observed("POST", "/v1/fields/encrypt")).isTrue();
        assertThat(observed("GET", "/v1/checks")).isTrue();
        assertThat(observed("GET", "/v1/decisions/x")).isTrue();
        assertThat(observed("GET", "/openapi.yaml")).isTrue();
    }

    @Test
    void otherObservationsAreNotConcerned() {
        assertThat(predicate.test("jdbc.query", new Observation.Context())).isTrue();
    }
}
