package dev.portcullis.authz.testing;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/** Asks a running service about {@code GET /orders/1} the way nginx does: {@code /v1/check} with {@code X-Original-*}, from loopback. */
public final class Checker {

    private final AuthzService service;
    private final HttpClient http;

    public Checker(AuthzService service) {
        this(service, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    public Checker(AuthzService service, HttpClient http) {
        this.service = service;
        this.http = http;
    }

    public HttpResponse<String> check(String token) {
        return check("GET", "/orders/1", token);
    }

    public HttpResponse<String> check(String method, String uri, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/v1/check"))
                .header("X-Original-Method", method)
                .header("X-Original-URI", uri)
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the check itself failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String decisionId(HttpResponse<String> response) {
        return response.headers().firstValue("x-portcullis-decision-id")
                .orElseThrow(() -> new AssertionError("no decision id in the answer (HTTP " + response.statusCode() + ")"));
    }

    /**
     * Repeats the check until an answer satisfies {@code wanted} (a wait for a state, such as a
     * dependency coming back; not a measurement), and returns it; fails with the last answer when
     * the state is not reached within {@code limit}.
     */
    public HttpResponse<String> awaitAnswer(String token, Predicate<HttpResponse<String>> wanted, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            HttpResponse<String> answer = check(token);
            if (wanted.test(answer)) {
                return answer;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no wanted answer within " + limit + "; last: HTTP " + answer.statusCode()
                        + " " + answer.body());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
