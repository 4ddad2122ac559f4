package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code opa build -t wasm} bundles, and refusing what is not one, with a precise message. */
class WasmPolicyBundleTest {

    private static final String ENTRYPOINT = "portcullis/authz/decision";
    private static final String FINGERPRINT = "7147de71f20cea237524b59ebad5694481b43570c9f0f47e9adf6ba1c0154511";
    private static final String MANIFEST = "{\"revision\":\"sources-sha256:" + FINGERPRINT + "\",\"roots\":[\"\"],\"wasm\":[{\"entrypoint\":\""
            + ENTRYPOINT + "\",\"module\":\"/policy.wasm\"}],\"rego_version\":1}";
    private static final byte[] MODULE = {0, 'a', 's', 'm', 1, 0, 0, 0};
    private static final String AUTHZ = "package portcullis.authz\n\ndefault decision := {}\n";

    @TempDir
    Path dir;

    @Test
    void keepsTheModuleAndTheFingerprintItsRevisionCarries() throws IOException {
        Path bundle = bundle(Map.of("/policy.wasm", MODULE, "/.manifest", utf8(MANIFEST), "/data.json", utf8("{}"),
                "/build/policies/authz/authz.rego", utf8(AUTHZ)));

        WasmPolicyBundle read = WasmPolicyBundle.read(bundle, ENTRYPOINT);

        assertThat(read.module()).isEqualTo(MODULE);
        assertThat(read.sourcesDigest()).isEqualTo(FINGERPRINT);
        assertThat(read.entrypoint()).isEqualTo(ENTRYPOINT);
    }

    @Test
    void aMissingFileIsNamedAsSuch() {
        assertThatThrownBy(() -> WasmPolicyBundle.read(dir.resolve("absent.tar.gz"), ENTRYPOINT))
                .isInstanceOf(WasmPolicyBundle.InvalidBundle.class)
                .hasMessageEndingWith("absent.tar.gz is not a file");
    }

    @Test
    void aFileThatIsNotAGzippedTarIsRefused() throws IOException {
        Path notGzip = Files.writeString(dir.resolve("bundle.tar.gz"), "policy.wasm");
        assertThatThrownBy(() -> WasmPolicyBundle.read(notGzip, ENTRYPOINT))
                .isInstanceOf(WasmPolicyBundle.InvalidBundle.class)
                .hasMessageContaining("is not a gzipped tar (an OPA bundle)");
    }

    @Test
    void aBundleWithoutAWasmModuleIsRefused() throws IOException {
        Path bundle = bundle(Map.of("/.manifest", utf8(MANIFEST), "/authz.rego", utf8(AUTHZ)));
        assertThatThrownBy(() -> WasmPolicyBundle.read(bundle, ENTRYPOINT))
                .hasMessageContaining("has no policy.wasm: build it with opa build -t wasm");
    }

    @Test
    void aModuleBuiltForAnotherEntrypointIsRefused() throws IOException {
        Path bundle = bundle(Map.of("/policy.wasm", MODULE, "/.manifest", utf8(MANIFEST.replace(ENTRYPOINT, "other/allow")),
                "/authz.rego", utf8(AUTHZ)));
        assertThatThrownBy(() -> WasmPolicyBundle.read(bundle, ENTRYPOINT))
                .hasMessageContaining("its manifest does not name the entrypoint " + ENTRYPOINT);
    }

    @Test
    void aBundleWhoseRevisionIsNotASourcesFingerprintIsRefused() throws IOException {
        for (String revision : List.of("", "v1.2.3", "sources-sha256:" + FINGERPRINT.substring(1),
                "sources-sha256:" + FINGERPRINT.toUpperCase(java.util.Locale.ROOT))) {
            Path bundle = bundle(Map.of("/policy.wasm", MODULE,
                    "/.manifest", utf8(MANIFEST.replace("sources-sha256:" + FINGERPRINT, revision))));
            assertThatThrownBy(() -> WasmPolicyBundle.read(bundle, ENTRYPOINT)).as(revision)
                    .hasMessageContaining("its revision is not sources-sha256:<fingerprint of the Rego sources>");
        }
    }

    @Test
    void aBundleWithoutAManifestIsRefused() throws IOException {
        Path bundle = bundle(Map.of("/policy.wasm", MODULE));
        assertThatThrownBy(() -> WasmPolicyBundle.read(bundle, ENTRYPOINT)).hasMessageEndingWith("has no .manifest");
    }

    @Test
    void aManifestThatIsNotJsonIsRefused() throws IOException {
        Path bundle = bundle(Map.of("/policy.wasm", MODULE, "/.manifest", utf8("{wasm"), "/authz.rego", utf8(AUTHZ)));
        assertThatThrownBy(() -> WasmPolicyBundle.read(bundle, ENTRYPOINT))
                .hasMessageContaining("its .manifest is not JSON");
    }

    private Path bundle(Map<String, byte[]> entries) throws IOException {
        Path file = dir.resolve("bundle.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : new LinkedHashMap<>(entries).entrySet()) {
                TarArchiveEntry header = new TarArchiveEntry(entry.getKey());
                header.setSize(entry.getValue().length);
                tar.putArchiveEntry(header);
                tar.write(entry.getValue());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
