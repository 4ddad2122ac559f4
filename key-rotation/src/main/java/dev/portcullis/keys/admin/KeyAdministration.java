package dev.portcullis.keys.admin;

import java.util.List;

import dev.portcullis.audit.Actor;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.rotation.KeyStatus;
import dev.portcullis.keys.rotation.RewrapProgress;
import dev.portcullis.keys.rotation.RewrapReport;
import dev.portcullis.keys.rotation.RotationOutcome;

/**
 * What an administrator may do with the managed keys, as the service's admin API exposes it
 * ({@code /v1/admin/keys}, JSON shapes in docs/keys.md and {@link KeyAdminJson}). Every call that
 * changes a key is audited with the given actor.
 */
public interface KeyAdministration {

    /** Every key of the catalog. */
    List<ManagedKey> list();

    /** The status of every Transit key, read from Vault now. */
    List<KeyStatus> statusAll() throws KeyException;

    /** The status of {@code name}, read from Vault now. */
    KeyStatus status(String name) throws KeyException;

    /** Rotates {@code name} now, re-wraps and raises the minimum; CONFLICT when another instance is at it. */
    RotationOutcome rotate(String name, Actor actor) throws KeyException;

    /** Re-wraps the stored keys of {@code name} and raises the minimum, telling {@code progress} per batch. */
    RewrapReport rewrap(String name, Actor actor, RewrapProgress progress) throws KeyException;
}
