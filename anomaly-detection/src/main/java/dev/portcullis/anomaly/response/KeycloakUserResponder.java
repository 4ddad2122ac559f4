package dev.portcullis.anomaly.response;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.keycloak.OAuth2Constants;
import org.jboss.resteasy.client.jaxrs.internal.ResteasyClientBuilderImpl;
import org.keycloak.admin.client.JacksonProvider;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.admin.client.spi.ResteasyClientClassicProvider;
import org.keycloak.representations.idm.UserRepresentation;

import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.alert.AlertRecord;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

/**
 * Responds to an alert about a subject in Keycloak: revokes all the user's sessions (so refresh
 * tokens stop working; access tokens already issued live until they expire, which is why the
 * block-list response exists too) and disables the user, each switchable. Talks to the Keycloak
 * admin REST API through {@code keycloak-admin-client}, as a confidential client with the client
 * credentials grant whose service account needs only realm-management {@code view-users} and
 * {@code manage-users} (least privilege: it cannot change roles, clients or the realm).
 *
 * <p>Acts on {@code subject} alerts only. What an alert's subject is depends on the claim the
 * service takes subjects from ({@link SubjectClaim}): Keycloak's user id under {@code sub} (the
 * service's default), the username under {@code preferred_username}. The responder is told which and
 * looks users up that way alone: a user id looked up as a username finds nobody, so the response
 * would never act. The {@link ResponseRule} chooses severities and detectors, and protects accounts
 * that must never be locked out: a protected value may be the account's username or its id, and is
 * checked against the alert's subject and again against both of the account Keycloak finds, so that
 * protection written in the other form than the alerts use still protects. Failures (Keycloak down,
 * user missing) are outcomes, never exceptions.
 */
public final class KeycloakUserResponder implements Responder, AutoCloseable {

    public static final String NAME = "keycloak-user";
    /**
     * What a Keycloak user id may look like here: a UUID by default, and at least no path
     * separator or dot segment, as the id becomes part of the admin API's URL.
     */
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,254}");
    /** Default bound on connecting to Keycloak and on each of its answers. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Keycloak keycloak;
    private final String realm;
    private final SubjectClaim subjectClaim;
    private final ResponseMode mode;
    private final ResponseRule rule;
    private final boolean revokeSessions;
    private final boolean disableUser;

    private KeycloakUserResponder(Builder b) {
        this.realm = b.realm;
        this.subjectClaim = b.subjectClaim;
        this.mode = b.mode;
        this.rule = b.rule;
        this.revokeSessions = b.revokeSessions;
        this.disableUser = b.disableUser;
        // Bounded waits: responses run one after another on the dispatcher's thread, so a Keycloak
        // that accepts connections and never answers would otherwise hold back every later response
        // (and the outcome that audits this one) for ever.
        ResteasyClientBuilderImpl http = ResteasyClientClassicProvider.createClientBuilder();
        http.register(JacksonProvider.class, 100);
        http.connectTimeout(b.timeout.toMillis(), TimeUnit.MILLISECONDS);
        http.readTimeout(b.timeout.toMillis(), TimeUnit.MILLISECONDS);
        this.keycloak = KeycloakBuilder.builder()
                .serverUrl(b.serverUrl.toString())
                .realm(b.realm)
                .grantType(OAuth2Constants.CLIENT_CREDENTIALS)
                .clientId(b.clientId)
                .clientSecret(b.clientSecret)
                .resteasyClient(http.build())
                .build();
    }

    /**
     * A responder for {@code realm} on the Keycloak at {@code serverUrl}, whose alerts name users as
     * {@code subjectClaim} does, authenticating as the confidential client {@code clientId} with
     * {@code clientSecret}.
     */
    public static Builder builder(URI serverUrl, String realm, SubjectClaim subjectClaim, String clientId,
            String clientSecret) {
        return new Builder(serverUrl, realm, subjectClaim, clientId, clientSecret);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResponseMode mode() {
        return mode;
    }

    @Override
    public List<ResponseOutcome> respond(AlertRecord record) {
        if (mode == ResponseMode.OFF) {
            return List.of();
        }
        String subject = record.alert().entity().value();
        String target = "keycloak:" + realm + "/user/" + subject;
        String whyNot = rule.whyNot(record.alert());
        if (whyNot != null) {
            return List.of(outcome("respond", ResponseOutcome.Status.NOT_APPLICABLE, target, whyNot));
        }
        if (subjectClaim == SubjectClaim.SUB && !USER_ID.matcher(subject).matches()) {
            return List.of(outcome("respond", ResponseOutcome.Status.NOT_APPLICABLE, target,
                    "the subject is not a Keycloak user id (subjects are taken from the sub claim)"));
        }
        List<ResponseOutcome> outcomes = new ArrayList<>(2);
        try {
            RealmResource realmResource = keycloak.realm(realm);
            UserRepresentation match = find(realmResource, subject);
            if (match == null) {
                return List.of(outcome("respond", ResponseOutcome.Status.NOT_APPLICABLE, target,
                        "no user with that " + subjectClaim.lookedUpBy + " in realm " + realm));
            }
            if (rule.isProtected(match.getUsername()) || rule.isProtected(match.getId())) {
                // The alert's subject passed the rule; the account Keycloak found is a protected one,
                // named in the rule by its username or by its id, whichever the alert did not use.
                return List.of(outcome("respond", ResponseOutcome.Status.NOT_APPLICABLE, target,
                        "user " + match.getUsername() + " is protected from automatic responses"));
            }
            UserResource user = realmResource.users().get(match.getId());
            if (revokeSessions) {
                int sessions = user.getUserSessions().size();
                if (mode == ResponseMode.DRY_RUN) {
                    outcomes.add(outcome("revoke-sessions", ResponseOutcome.Status.WOULD_APPLY, target,
                            "would revoke " + sessions + " session(s)"));
                } else {
                    user.logout();
                    outcomes.add(outcome("revoke-sessions", ResponseOutcome.Status.APPLIED, target,
                            "revoked " + sessions + " session(s)"));
                }
            }
            if (disableUser) {
                UserRepresentation rep = user.toRepresentation();
                if (!Boolean.TRUE.equals(rep.isEnabled())) {
                    outcomes.add(outcome("disable-user", ResponseOutcome.Status.NOT_APPLICABLE, target,
                            "user is already disabled"));
                } else if (mode == ResponseMode.DRY_RUN) {
                    outcomes.add(outcome("disable-user", ResponseOutcome.Status.WOULD_APPLY, target, "would disable the user"));
                } else {
                    rep.setEnabled(false);
                    user.update(rep);
                    outcomes.add(outcome("disable-user", ResponseOutcome.Status.APPLIED, target, "disabled the user"));
                }
            }
        } catch (WebApplicationException e) {
            outcomes.add(outcome(nextAction(outcomes), ResponseOutcome.Status.FAILED, target,
                    "Keycloak answered HTTP " + e.getResponse().getStatus()));
        } catch (ProcessingException e) {
            outcomes.add(outcome(nextAction(outcomes), ResponseOutcome.Status.FAILED, target,
                    "Keycloak could not be reached or its answer could not be read ("
                            + rootCause(e).getClass().getSimpleName() + ")"));
        }
        return outcomes;
    }

    /**
     * The one user {@code subject} names, or null: by id under {@code sub}, by exact username under
     * {@code preferred_username}. What Keycloak answers is checked against the subject, so that only
     * the user it names is ever acted on.
     */
    private UserRepresentation find(RealmResource realmResource, String subject) {
        if (subjectClaim == SubjectClaim.SUB) {
            try {
                UserRepresentation user = realmResource.users().get(subject).toRepresentation();
                return user != null && subject.equals(user.getId()) ? user : null;
            } catch (NotFoundException e) {
                return null;
            }
        }
        // Keycloak keeps user names in lower case and matches them so: the same comparison here.
        List<UserRepresentation> found = realmResource.users().searchByUsername(subject, true).stream()
                .filter(u -> subject.equalsIgnoreCase(u.getUsername())).toList();
        return found.size() == 1 ? found.getFirst() : null;
    }

    private String nextAction(List<ResponseOutcome> done) {
        if (revokeSessions && done.isEmpty()) {
            return "revoke-sessions";
        }
        return disableUser ? "disable-user" : "respond";
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private ResponseOutcome outcome(String action, ResponseOutcome.Status status, String target, String detail) {
        return new ResponseOutcome(NAME, action, mode, status, target, detail);
    }

    @Override
    public void close() {
        keycloak.close();
    }

    @Override
    public String toString() {
        return "KeycloakUserResponder[realm=" + realm + ", subjectClaim=" + subjectClaim.claimName() + ", mode=" + mode
                + ", secret=[redacted]]";
    }

    /**
     * The token claim the service takes subjects from ({@code portcullis.identity.issuers[*].subject-claim}),
     * which decides how an alert's subject names a Keycloak user. Only the two claims that name a
     * Keycloak user are possible: any other (an e-mail address, a custom claim) could name nobody, or
     * the wrong account.
     */
    public enum SubjectClaim {
        /** {@code sub}: Keycloak's user id (a UUID); the user is fetched by id. The service's default claim. */
        SUB("sub", "id"),
        /** {@code preferred_username}: the username; the user is searched for by exact username. */
        PREFERRED_USERNAME("preferred_username", "username");

        private final String claimName;
        private final String lookedUpBy;

        SubjectClaim(String claimName, String lookedUpBy) {
            this.claimName = claimName;
            this.lookedUpBy = lookedUpBy;
        }

        /** The claim's name in a token, e.g. {@code sub}. */
        public String claimName() {
            return claimName;
        }

        /**
         * The subject claim named {@code claimName}.
         *
         * @throws IllegalArgumentException for a claim that names no Keycloak user this responder can find
         */
        public static SubjectClaim fromClaimName(String claimName) {
            for (SubjectClaim c : values()) {
                if (c.claimName.equals(claimName)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("the Keycloak response finds users by the subject claim sub (their id) or"
                    + " preferred_username (their username) only, and subjects are taken from '" + claimName
                    + "': take subjects from one of those, or turn the Keycloak response off");
        }
    }

    /** Configures a {@link KeycloakUserResponder}: mode OFF, both actions on, high and critical alerts. */
    public static final class Builder {
        private final URI serverUrl;
        private final String realm;
        private final SubjectClaim subjectClaim;
        private final String clientId;
        private final String clientSecret;
        private ResponseMode mode = ResponseMode.OFF;
        private ResponseRule rule = ResponseRule.of(Set.of(EntityKind.SUBJECT));
        private boolean revokeSessions = true;
        private boolean disableUser = true;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(URI serverUrl, String realm, SubjectClaim subjectClaim, String clientId, String clientSecret) {
            this.serverUrl = Objects.requireNonNull(serverUrl, "serverUrl cannot be null");
            this.realm = Objects.requireNonNull(realm, "realm cannot be null");
            this.subjectClaim = Objects.requireNonNull(subjectClaim, "subjectClaim cannot be null");
            this.clientId = Objects.requireNonNull(clientId, "clientId cannot be null");
            this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret cannot be null");
        }

        public Builder mode(ResponseMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode cannot be null");
            return this;
        }

        /** Which alerts to act on; only {@code subject} alerts are ever acted on, whatever the rule says. */
        public Builder rule(ResponseRule rule) {
            Objects.requireNonNull(rule, "rule cannot be null");
            this.rule = new ResponseRule(rule.minSeverity(), rule.detectors(), Set.of(EntityKind.SUBJECT),
                    rule.protectedValues());
            return this;
        }

        /** How long connecting to Keycloak, and then each answer, may take (default {@link #DEFAULT_TIMEOUT}). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout cannot be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder revokeSessions(boolean on) {
            this.revokeSessions = on;
            return this;
        }

        public Builder disableUser(boolean on) {
            this.disableUser = on;
            return this;
        }

        public KeycloakUserResponder build() {
            return new KeycloakUserResponder(this);
        }
    }
}
