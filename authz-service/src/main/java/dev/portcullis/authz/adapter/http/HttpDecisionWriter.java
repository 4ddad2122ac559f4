package dev.portcullis.authz.adapter.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import dev.portcullis.authz.check.Decision;

/** Writes a {@link Decision} as the HTTP answer to a proxy's check. */
final class HttpDecisionWriter {

    private HttpDecisionWriter() {
    }

    static void write(Decision decision, HttpServletResponse response) throws IOException {
        response.setStatus(decision.status());
        decision.headers().forEach(response::setHeader);
        response.setHeader("Cache-Control", "no-store");
        if (decision.allow() || decision.body() == null) {
            response.setContentLength(0);
            return;
        }
        byte[] body = decision.body().getBytes(StandardCharsets.UTF_8);
        response.setContentType(decision.body().startsWith("{") ? "application/json" : "text/plain;charset=UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
