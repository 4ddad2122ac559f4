package dev.portcullis.keys.rotation;

/**
 * The result of re-wrapping one key's stored data keys to version {@code toVersion}.
 *
 * @param rewrapped keys moved to {@code toVersion}
 * @param changed keys a concurrent writer replaced first (left as the writer stored them)
 * @param failed keys Transit refused to re-wrap (tampered, or wrong associated data); they keep
 *     their old version, so {@code min_decryption_version} is not raised past it
 */
public record RewrapReport(String keyName, int toVersion, long rewrapped, long changed, long failed, int batches) {

    public boolean complete() {
        return failed == 0;
    }
}
