package dev.portcullis.authz.identity.jwt;

/** Told about every fetch of an issuer's JWKS, for metrics and health. */
public interface JwksEvents {

    JwksEvents NONE = new JwksEvents() {
        @Override
        public void fetched(String issuer, int keys) {
        }

        @Override
        public void fetchFailed(String issuer, Exception cause) {
        }
    };

    void fetched(String issuer, int keys);

    void fetchFailed(String issuer, Exception cause);
}
