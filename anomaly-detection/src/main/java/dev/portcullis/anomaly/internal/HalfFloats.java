package dev.portcullis.anomaly.internal;

/**
 * Baselines stored as IEEE 754 half-precision values in a {@code short[]}: two bytes per number
 * instead of four, with about three significant digits, which is ample for a rate's mean and
 * spread and keeps per-entity state small.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    public static float get(short[] values, int i) {
        return Float.float16ToFloat(values[i]);
    }

    public static void set(short[] values, int i, float value) {
        values[i] = Float.floatToFloat16(Math.min(value, 65_000f));
    }
}
