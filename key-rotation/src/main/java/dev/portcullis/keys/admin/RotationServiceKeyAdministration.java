package dev.portcullis.keys.admin;

import java.util.List;
import java.util.Objects;

import dev.portcullis.audit.Actor;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.rotation.KeyRotationService;
import dev.portcullis.keys.rotation.KeyStatus;
import dev.portcullis.keys.rotation.RewrapProgress;
import dev.portcullis.keys.rotation.RewrapReport;
import dev.portcullis.keys.rotation.RotationOutcome;

/** The {@link KeyAdministration} of a {@link KeyRotationService}. */
public final class RotationServiceKeyAdministration implements KeyAdministration {

    private final KeyRotationService service;

    public RotationServiceKeyAdministration(KeyRotationService service) {
        this.service = Objects.requireNonNull(service, "service cannot be null");
    }

    @Override
    public List<ManagedKey> list() {
        return List.copyOf(service.catalog().keys());
    }

    @Override
    public List<KeyStatus> statusAll() {
        return service.statusAll();
    }

    @Override
    public KeyStatus status(String name) {
        return service.status(name);
    }

    @Override
    public RotationOutcome rotate(String name, Actor actor) {
        return service.rotateNow(name, Objects.requireNonNull(actor, "actor cannot be null"));
    }

    @Override
    public RewrapReport rewrap(String name, Actor actor, RewrapProgress progress) {
        return service.rewrapNow(name, Objects.requireNonNull(actor, "actor cannot be null"), progress);
    }
}
