package dev.portcullis.authz.policy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A policy compiled to Wasm, as {@code bin/lib/policy-wasm.sh} writes it with
 * {@code opa build -t wasm}: a gzipped tar with {@code /policy.wasm} and a {@code /.manifest} that
 * names the module's entrypoint and whose revision is {@code sources-sha256:<hex>}, the fingerprint
 * ({@link PolicySources#digest}) of the Rego files the module was compiled from. The service
 * compares that fingerprint with the one of the modules OPA serves. It has to be stamped at build
 * time: the Rego files {@code opa build} writes into a Wasm bundle are rewritten by the compiler
 * (comments gone, the entrypoint's rules moved into the module), so they cannot be compared with
 * OPA's. The bundle's other files ({@code data.json}, the rewritten Rego) are not used: the data the
 * module sees is what OPA holds, mirrored.
 *
 * <p>The revision is a claim made by whoever built the bundle; the bundle is configuration, as
 * trusted as the service's other files, and the build script fingerprints the very files it
 * compiles. Read with limits (the whole archive, each entry), and refused with a message that
 * names what is wrong: not a gzipped tar, no {@code policy.wasm}, the entrypoint not in the
 * manifest, no fingerprint in the revision, or an entry larger than the limit.
 */
public final class WasmPolicyBundle {

    private static final long MAX_ENTRY_BYTES = 32L * 1024 * 1024;
    private static final long MAX_TOTAL_BYTES = 64L * 1024 * 1024;
    private static final int MAX_ENTRIES = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern FINGERPRINT = Pattern.compile("sources-sha256:([0-9a-f]{64})");

    private final byte[] module;
    private final String sourcesDigest;
    private final String entrypoint;

    /** The bundle cannot be used; the message says why. */
    public static final class InvalidBundle extends IOException {
        InvalidBundle(String message) {
            super(message);
        }

        InvalidBundle(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private WasmPolicyBundle(byte[] module, String sourcesDigest, String entrypoint) {
        this.module = module;
        this.sourcesDigest = sourcesDigest;
        this.entrypoint = entrypoint;
    }

    /**
     * @param entrypoint the decision's path as {@code opa build -e} was given it, e.g.
     *     {@code portcullis/authz/decision}
     */
    public static WasmPolicyBundle read(Path bundle, String entrypoint) throws IOException {
        Objects.requireNonNull(entrypoint, "entrypoint cannot be null");
        if (!Files.isRegularFile(bundle)) {
            throw new InvalidBundle(bundle + " is not a file");
        }
        byte[] module = null;
        byte[] manifest = null;
        long total = 0;
        int entries = 0;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(bundle));
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw new InvalidBundle(bundle + ": more than " + MAX_ENTRIES + " entries");
                }
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName().replaceFirst("^/+", "");
                if (!name.equals("policy.wasm") && !name.equals(".manifest")) {
                    continue;
                }
                byte[] content = readLimited(tar, bundle, name);
                total += content.length;
                if (total > MAX_TOTAL_BYTES) {
                    throw new InvalidBundle(bundle + ": more than " + MAX_TOTAL_BYTES + " bytes of module and manifest");
                }
                if (name.equals("policy.wasm")) {
                    module = content;
                } else {
                    manifest = content;
                }
            }
        } catch (InvalidBundle e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            // commons-compress reports a damaged archive either way.
            throw new InvalidBundle(bundle + " is not a gzipped tar (an OPA bundle): " + e.getMessage(), e);
        }
        if (module == null) {
            throw new InvalidBundle(bundle + " has no policy.wasm: build it with opa build -t wasm");
        }
        if (manifest == null) {
            throw new InvalidBundle(bundle + " has no .manifest");
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (RuntimeException e) {
            throw new InvalidBundle(bundle + ": its .manifest is not JSON", e);
        }
        if (!declares(root, entrypoint)) {
            throw new InvalidBundle(bundle + ": its manifest does not name the entrypoint " + entrypoint
                    + " (build it with -e " + entrypoint + ")");
        }
        Matcher fingerprint = FINGERPRINT.matcher(root.path("revision").asString(""));
        if (!fingerprint.matches()) {
            throw new InvalidBundle(bundle + ": its revision is not sources-sha256:<fingerprint of the Rego sources>;"
                    + " without it the module cannot be matched against the policy OPA serves"
                    + " (build it with bin/lib/policy-wasm.sh)");
        }
        return new WasmPolicyBundle(module, fingerprint.group(1), entrypoint);
    }

    private static boolean declares(JsonNode root, String entrypoint) {
        for (JsonNode wasm : root.path("wasm")) {
            if (entrypoint.equals(wasm.path("entrypoint").asString(""))
                    && "/policy.wasm".equals(wasm.path("module").asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] readLimited(InputStream in, Path bundle, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            read += n;
            if (read > MAX_ENTRY_BYTES) {
                throw new InvalidBundle(bundle + ": " + name + " is larger than " + MAX_ENTRY_BYTES + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** The compiled module (a copy: the bundle stays as read). */
    public byte[] module() {
        return module.clone();
    }

    /** The fingerprint of the Rego sources the module was compiled from ({@link PolicySources#digest}). */
    public String sourcesDigest() {
        return sourcesDigest;
    }

    public String entrypoint() {
        return entrypoint;
    }
}
