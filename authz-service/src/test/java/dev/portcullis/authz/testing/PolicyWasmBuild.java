package dev.portcullis.authz.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.portcullis.testing.LocalStack;

/** The project's {@code policies/} compiled to Wasm by {@code bin/lib/policy-wasm.sh}, as {@code bin/dev} compiles it. */
public final class PolicyWasmBuild {

    private PolicyWasmBuild() {
    }

    /** Builds {@code authz-wasm.tar.gz} in {@code directory} with the stack's OPA and returns its path. */
    public static Path build(LocalStack stack, Path directory) throws IOException, InterruptedException {
        Path bundle = directory.resolve("authz-wasm.tar.gz");
        Path log = directory.resolve("policy-wasm.log");
        Process build = new ProcessBuilder(stack.path("repo.dir").resolve("bin/lib/policy-wasm.sh").toString(),
                stack.get("opa.bin"), stack.path("repo.dir").resolve("policies").toString(), bundle.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!build.waitFor(120, TimeUnit.SECONDS)) {
            build.destroyForcibly();
            throw new IllegalStateException("bin/lib/policy-wasm.sh did not finish within 120 s");
        }
        if (build.exitValue() != 0) {
            throw new IllegalStateException("bin/lib/policy-wasm.sh failed: " + Files.readString(log));
        }
        return bundle;
    }
}
