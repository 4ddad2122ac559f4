package dev.portcullis.authz.adapter.http;

/** A check that does not say clearly what request it is about (answered with 400, never allowed). */
public final class BadCheckException extends Exception {

    private static final long serialVersionUID = 1L;

    public BadCheckException(String message) {
        super(message, null, false, false);
    }
}
