package dev.portcullis.authz.adapter.http;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.Globals;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Has Tomcat read a TLS request's client certificate chain at the start of its pipeline, before
 * Spring's filter chain, instead of where the check first asks for it ({@link ServletRequests#peerCertificates}).
 *
 * <p>Why: Tomcat gets the chain from the JDK's {@code SSLSession}, which throws
 * {@code SSLPeerUnverifiedException} when the client sent no certificate, as every caller on
 * loopback without mTLS does. The exception records the stack it is created on, and at the check
 * endpoint that stack is some seventy frames of filters and MVC deep: 4-6 % of the service's CPU
 * per check (async-profiler, docs/benchmarks.md). Here it is a dozen. Tomcat reads the TLS
 * attributes once per request and keeps them, so everything later reads the same values as before.
 */
public final class EarlyTlsAttributesValve extends ValveBase {

    public EarlyTlsAttributesValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.isSecure()) {
            request.getAttribute(Globals.CERTIFICATES_ATTR);
        }
        getNext().invoke(request, response);
    }
}
