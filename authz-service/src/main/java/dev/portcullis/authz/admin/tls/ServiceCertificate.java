package dev.portcullis.authz.admin.tls;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.pki.PkiCertificateRenewer;

/**
 * The service's own TLS certificate, issued from Vault PKI and renewed automatically: its state,
 * and renewal on an administrator's request (e.g. after a suspected key compromise, or to check
 * that renewal works before it is needed).
 */
public interface ServiceCertificate {

    /** The serial, validity, next renewal and last failure of the current certificate. */
    PkiCertificateRenewer.Status status();

    /**
     * Issues and installs a new certificate now: new connections get it once the listeners have
     * reloaded the files (open connections keep theirs).
     *
     * @throws KeyException when Vault cannot issue one (the current certificate stays)
     */
    PkiCertificateRenewer.Status renewNow() throws KeyException;
}
