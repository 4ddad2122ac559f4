package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Globals;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.Test;

class EarlyTlsAttributesValveTest {

    /** A request that records which attributes were asked for, secure or not. */
    static final class RecordingRequest extends Request {
        final List<String> asked = new ArrayList<>();
        final boolean secure;

        RecordingRequest(boolean secure) {
            super(new Connector(), new org.apache.coyote.Request());
            this.secure = secure;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public Object getAttribute(String name) {
            asked.add(name);
            return null;
        }
    }

    /** The rest of the pipeline: counts the requests handed on, and what had been asked by then. */
    static final class NextValve extends ValveBase {
        final List<List<String>> seen = new ArrayList<>();

        @Override
        public void invoke(Request request, Response response) {
            seen.add(List.copyOf(((RecordingRequest) request).asked));
        }
    }

    /** What the next valve had seen asked of the request when it received it, once per hand-over. */
    private static List<List<String>> handedOn(boolean secure) throws Exception {
        EarlyTlsAttributesValve valve = new EarlyTlsAttributesValve();
        NextValve next = new NextValve();
        valve.setNext(next);
        valve.invoke(new RecordingRequest(secure), null);
        return next.seen;
    }

    @Test
    void aTlsRequestHasItsClientCertificateChainReadBeforeThePipelineGoesOn() throws Exception {
        assertThat(handedOn(true)).containsExactly(List.of(Globals.CERTIFICATES_ATTR));
    }

    @Test
    void aPlainRequestIsHandedOnWithoutAskingForTlsAttributes() throws Exception {
        assertThat(handedOn(false)).containsExactly(List.of());
    }

    @Test
    void itSupportsAsyncRequestsLikeTheRestOfThePipeline() {
        assertThat(new EarlyTlsAttributesValve().isAsyncSupported()).isTrue();
    }
}
