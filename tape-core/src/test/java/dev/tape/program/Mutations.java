package dev.tape.program;

import dev.tape.format.ByteReader;
import dev.tape.format.ByteWriter;
import dev.tape.format.DecodeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Random corruptions of a byte array: bit flips, overwrites, insertions, deletions, truncation;
 * and, for a {@code .tape} file, the same inside one section's payload with the section length
 * fixed up, so that corruption reaches the section decoders instead of the framing.
 */
public final class Mutations {
    private Mutations() {}

    /**
     * @param in the bytes (not changed)
     * @param rnd the randomness
     * @return a copy with one to four random mutations applied
     */
    public static byte[] mutate(byte[] in, Random rnd) {
        if (rnd.nextBoolean()) {
            byte[] framed = mutateOnePayload(in, rnd);
            if (framed != null) {
                return framed;
            }
        }
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

    /** @return the file with one section payload corrupted and re-framed, or null if unframeable */
    private static byte[] mutateOnePayload(byte[] file, Random rnd) {
        if (file.length < 12) {
            return null;
        }
        List<int[]> sections = new ArrayList<>();
        ByteReader r = new ByteReader(file, 12, file.length, 0, "frame");
        try {
            while (!r.atEnd()) {
                int tag = r.u8();
                int len = r.index("length");
                int start = r.position();
                r.bytes(len);
                sections.add(new int[] {tag, start, len});
            }
        } catch (DecodeException e) {
            return null;
        }
        if (sections.isEmpty()) {
            return null;
        }
        int victim = rnd.nextInt(sections.size());
        ByteWriter w = new ByteWriter();
        w.bytes(Arrays.copyOf(file, 12));
        for (int i = 0; i < sections.size(); i++) {
            int[] s = sections.get(i);
            byte[] payload = Arrays.copyOfRange(file, s[1], s[1] + s[2]);
            if (i == victim) {
                for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                    payload = once(payload, rnd);
                }
            }
            w.u8(s[0]);
            w.uleb(payload.length);
            w.bytes(payload);
        }
        return w.toByteArray();
    }
}
