package dev.portcullis.keys.rotation;

/** Told after each re-wrap batch how far the re-wrap of a key got (for a progress bar). */
@FunctionalInterface
public interface RewrapProgress {

    /** Does nothing. */
    RewrapProgress NONE = (done, failed, total) -> { };

    /**
     * @param done keys handled so far (re-wrapped, or found changed by a concurrent writer)
     * @param failed keys Transit could not re-wrap so far
     * @param total the number of keys to re-wrap when the repositories could count them, else -1
     */
    void onBatch(long done, long failed, long total);
}
