package dev.tape.program;

import java.util.Arrays;
import java.util.Random;

/** Random corruptions of a byte array: bit flips, overwrites, insertions, deletions, truncation. */
public final class Mutations {
    private Mutations() {}

    /**
     * @param in the bytes (not changed)
     * @param rnd the randomness
     * @return a copy with one to four random mutations applied
     */
    public static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
            b = once(b, rnd);
        }
        return b;
    }

    private static byte[] once(byte[] b, Random rnd) {
        int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
        switch (rnd.nextInt(6)) {
            case 0 -> {
                if (b.length > 0) {
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 1 -> {
                if (b.length > 0) {
                    b[at] = (byte) interesting(rnd);
                }
                return b;
            }
            case 2 -> {
                byte[] out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, at);
                out[at] = (byte) interesting(rnd);
                System.arraycopy(b, at, out, at + 1, b.length - at);
                return out;
            }
            case 3 -> {
                if (b.length == 0) {
                    return b;
                }
                byte[] out = new byte[b.length - 1];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + 1, out, at, b.length - at - 1);
                return out;
            }
            case 4 -> {
                return Arrays.copyOf(b, at);
            }
            default -> {
                // Append a random section-like tail.
                byte[] out = Arrays.copyOf(b, b.length + 2 + rnd.nextInt(4));
                for (int i = b.length; i < out.length; i++) {
                    out[i] = (byte) interesting(rnd);
                }
                return out;
            }
        }
    }

    private static int interesting(Random rnd) {
        int[] values = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0x09, 0x0b, 0x0c};
        return rnd.nextBoolean() ? values[rnd.nextInt(values.length)] : rnd.nextInt(256);
    }
}
