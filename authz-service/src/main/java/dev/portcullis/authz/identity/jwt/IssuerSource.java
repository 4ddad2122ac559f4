package dev.portcullis.authz.identity.jwt;

import java.io.IOException;

/**
 * Where the settings of one trusted issuer come from: fixed, or discovered from its OIDC
 * discovery document (which may be unreachable for a while when the issuer starts after us).
 */
public interface IssuerSource {

    /** The exact {@code iss} value this source is for, known before resolving. */
    String issuer();

    /** The issuer's complete settings. @throws IOException when they cannot be obtained now */
    IssuerSettings resolve() throws IOException;

    /** A source of settings that are already complete. */
    static IssuerSource of(IssuerSettings settings) {
        return new IssuerSource() {
            @Override
            public String issuer() {
                return settings.issuer();
            }

            @Override
            public IssuerSettings resolve() {
                return settings;
            }
        };
    }
}
