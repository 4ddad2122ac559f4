package dev.portcullis.cli.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;

import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.cli.CouldNotRunException;
import picocli.CommandLine.Option;

/**
 * The {@code --key} option: the local Ed25519 key file that signs checkpoints of an offline log.
 * Trade-off (docs/audit-log.md): whoever can read it can re-sign a rewritten log; keep it away
 * from the log, and give auditors its verifier key (printed, and written beside it as .vkey).
 */
final class SigningKeyOption {

    @Option(names = "--key", paramLabel = "FILE",
            description = "Ed25519 signing key file (signed-note format, mode 0600); created on first import if"
                    + " absent. Default: $XDG_CONFIG_HOME/portcullis/audit/<origin>.key")
    Path key;

    Path resolve(String origin) {
        if (key != null) {
            return key;
        }
        if (origin == null) {
            throw new CouldNotRunException("the log's origin file cannot be read, so its key file cannot be found"
                    + " by the log's name: pass --trusted-key (or --key)");
        }
        String config = System.getenv("XDG_CONFIG_HOME");
        Path base = config != null && !config.isBlank() ? Path.of(config) : Path.of(System.getProperty("user.home"), ".config");
        String safe = origin.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "_");
        return base.resolve("portcullis").resolve("audit").resolve(safe + ".key");
    }

    /** Loads the key, or creates it (0600) with {@code origin} as its name when the file does not exist. */
    LocalEd25519CheckpointSigner loadOrCreate(String origin, java.io.PrintWriter err) {
        Path file = resolve(origin);
        try {
            if (Files.exists(file)) {
                return LocalEd25519CheckpointSigner.load(file);
            }
            LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(origin, new SecureRandom());
            signer.writeKeyFile(file);
            Path vkey = vkeyFile(file);
            Files.writeString(vkey, signer.verifierKey() + "\n", StandardCharsets.US_ASCII);
            err.println("portcullis: created signing key " + file + " (mode 0600); give auditors its verifier key,"
                    + " written to " + vkey + ": " + signer.verifierKey());
            return signer;
        } catch (CheckpointException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot create signing key " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads an existing key, or returns null when there is none. */
    LocalEd25519CheckpointSigner loadIfPresent(String origin) {
        Path file = resolve(origin);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return LocalEd25519CheckpointSigner.load(file);
        } catch (CheckpointException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
    }

    static Path vkeyFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".vkey");
    }
}
