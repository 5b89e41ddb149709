package dev.tape.verify;

import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A fixed corpus of mutated programs and what loading them gives: every conformance vector,
 * mutated (from a fixed seed) in its bytes (bit flips, byte changes, insertions, deletions,
 * truncations, swaps) and in its function bodies (the same inside the code, register counts from
 * 0 to 2^24, bodies of other functions spliced in or appended, slices repeated up to 5,000 times,
 * LEB continuation runs, functions swapped), one line per program: the decode error (offset and
 * reason), the verify error (kind, function, pc, mnemonic, reason), or for an accepted program
 * its hash and each function's instruction count, register count and register types.
 *
 * <p>Uses only API that predates the flat decoder ({@code DecodedCode}), so {@link #main} run
 * against the tape-core of main at 291317c (its last commit before that change) wrote
 * {@code mutated-corpus.txt.gz} (gzipped), which {@link MutatedCorpusTest} compares with this build.
 */
final class MutatedCorpus {
    private MutatedCorpus() {}

    /** Byte-level and body-level mutants of each vector. */
    static final int BYTE_MUTANTS = 2;
    static final int BODY_MUTANTS = 6;

    /**
     * @param tapes the conformance vectors, sorted by name
     * @return one outcome line per program (the vectors themselves included)
     * @throws Exception when a file cannot be read
     */
    static List<String> outcomes(List<Path> tapes) throws Exception {
        return outcomes(tapes, Verifier::verify);
    }

    /**
     * @param tapes the conformance vectors, sorted by name
     * @param verify how each decoded program is verified
     * @return one outcome line per program (the vectors themselves included)
     * @throws Exception when a file cannot be read
     */
    static List<String> outcomes(List<Path> tapes, Verify verify) throws Exception {
        Random rnd = new Random(20261204L);
        List<byte[]> pool = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (Path f : tapes) {
            byte[] orig = Files.readAllBytes(f);
            String name = f.getFileName().toString();
            out.add(name + " orig " + outcome(orig, verify));
            for (int i = 0; i < BYTE_MUTANTS; i++) {
                byte[] m = mutateBytes(orig, rnd);
                out.add(name + " b" + i + " " + crc(m) + " " + outcome(m, verify));
            }
            for (int i = 0; i < BODY_MUTANTS; i++) {
                byte[] m = mutateBodies(orig, rnd, pool);
                out.add(name + " c" + i + " " + (m == null ? "-" : crc(m) + " " + outcome(m, verify)));
            }
        }
        return out;
    }

    private static String crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return b.length + ":" + Long.toHexString(c.getValue());
    }

    /** A way to verify a decoded program. */
    interface Verify {
        /**
         * @param p the decoded program
         * @return it verified
         * @throws VerifyException when it breaks a rule
         */
        VerifiedProgram verify(Program p);
    }

    /** What loading {@code data} and verifying it with {@code verify} gives, on one line. */
    static String outcome(byte[] data, Verify verify) {
        Program p;
        try {
            p = ProgramDecoder.decode(data);
        } catch (RuntimeException e) {
            return "DECODE " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
        } catch (Exception e) {
            return "DECODE " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
        }
        VerifiedProgram vp;
        try {
            vp = verify.verify(p);
        } catch (VerifyException e) {
            return "VERIFY " + e.kind() + " f" + e.func() + " pc" + e.pc() + " " + e.mnemonic() + " "
                    + oneLine(e.reason());
        }
        StringBuilder sb = new StringBuilder("OK ");
        for (byte b : vp.hash()) {
            sb.append(String.format("%02x", b & 0xff));
        }
        for (int f = 0; f < vp.functionCount(); f++) {
            sb.append(" f").append(f).append(':').append(vp.instructionCount(f)).append('/')
                    .append(vp.registerCount(f));
            StringBuilder types = new StringBuilder();
            for (int r = 0; r < vp.registerCount(f); r++) {
                types.append(vp.registerType(f, r)).append(',');
            }
            sb.append('#').append(Integer.toHexString(types.toString().hashCode()));
        }
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s == null ? "null" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static byte[] mutateBytes(byte[] b, Random r) {
        byte[] x = b.clone();
        int k = 1 + r.nextInt(3);
        for (int j = 0; j < k; j++) {
            int len = x.length;
            if (len == 0) {
                return x;
            }
            int p = r.nextInt(len);
            switch (r.nextInt(8)) {
                case 0 -> x[p] ^= (byte) (1 << r.nextInt(8));
                case 1 -> x = insert(x, p, (byte) r.nextInt(256));
                case 2 -> x = delete(x, p);
                case 3 -> x = Arrays.copyOf(x, p);
                case 4 -> x[p] = (byte) r.nextInt(256);
                case 5 -> x[p] = (byte) (r.nextBoolean() ? 0xff : 0x7f);
                case 6 -> x[p] = (byte) (x[p] + (r.nextBoolean() ? 1 : -1));
                default -> {
                    int q = r.nextInt(len);
                    byte t = x[p];
                    x[p] = x[q];
                    x[q] = t;
                }
            }
        }
        return x;
    }

    private static byte[] insert(byte[] c, int pos, byte v) {
        byte[] y = new byte[c.length + 1];
        System.arraycopy(c, 0, y, 0, pos);
        y[pos] = v;
        System.arraycopy(c, pos, y, pos + 1, c.length - pos);
        return y;
    }

    private static byte[] delete(byte[] c, int pos) {
        byte[] y = new byte[c.length - 1];
        System.arraycopy(c, 0, y, 0, pos);
        System.arraycopy(c, pos + 1, y, pos, c.length - pos - 1);
        return y;
    }

    /** Mutates function bodies and register counts and encodes the program again; null when it does not decode. */
    static byte[] mutateBodies(byte[] data, Random r, List<byte[]> pool) throws Exception {
        long seed = r.nextLong();
        Program p;
        try {
            p = ProgramDecoder.decode(data);
        } catch (Exception e) {
            return null;
        }
        Random rnd = new Random(seed);
        List<Function> fns = new ArrayList<>(p.functions());
        if (fns.isEmpty()) {
            return null;
        }
        for (Function f : fns) {
            if (pool.size() < 2000) {
                pool.add(f.code());
            }
        }
        int k = 1 + rnd.nextInt(3);
        for (int j = 0; j < k; j++) {
            int fi = rnd.nextInt(fns.size());
            Function f = fns.get(fi);
            byte[] c = f.code();
            int reg = f.regCount();
            int len = c.length;
            int pos = len == 0 ? 0 : rnd.nextInt(len);
            switch (rnd.nextInt(14)) {
                case 0 -> c = len == 0 ? c : flip(c, pos, (byte) (1 << rnd.nextInt(8)));
                case 1 -> c = len == 0 ? c : set(c, pos, (byte) rnd.nextInt(256));
                case 2 -> c = len == 0 ? c : set(c, pos, (byte) (c[pos] + (rnd.nextBoolean() ? 1 : -1)));
                case 3 -> c = Arrays.copyOf(c, pos);
                case 4 -> c = insert(c, pos, (byte) rnd.nextInt(256));
                case 5 -> c = len == 0 ? c : delete(c, pos);
                case 6 -> {
                    int[] opts = {0, 1, reg - 1, reg + 1, reg + 7, 255, 256, 65535, 65536, 65537, 1 << 20, 1 << 24};
                    reg = Math.max(0, opts[rnd.nextInt(opts.length)]);
                }
                case 7 -> {
                    byte[] y = Arrays.copyOf(c, len + 5);
                    Arrays.fill(y, len, len + 5, (byte) 0xff);
                    if (rnd.nextBoolean() && len > 0) {
                        System.arraycopy(y, len, y, pos, Math.min(5, len + 5 - pos));
                    }
                    c = y;
                }
                case 8 -> c = pool.get(rnd.nextInt(pool.size())).clone();
                case 9 -> {
                    byte[] o = pool.get(rnd.nextInt(pool.size()));
                    byte[] y = Arrays.copyOf(c, len + o.length);
                    System.arraycopy(o, 0, y, len, o.length);
                    c = y;
                }
                case 10 -> {
                    if (len > 0) {
                        int q = rnd.nextInt(len);
                        byte t = c[pos];
                        c[pos] = c[q];
                        c[q] = t;
                    }
                }
                case 11 -> {
                    if (len > 0) {
                        int q = Math.min(len, pos + 1 + rnd.nextInt(16));
                        int times = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 5000);
                        int w = q - pos;
                        byte[] y = new byte[len + w * times];
                        System.arraycopy(c, 0, y, 0, q);
                        for (int t = 0; t < times; t++) {
                            System.arraycopy(c, pos, y, q + t * w, w);
                        }
                        System.arraycopy(c, q, y, q + w * times, len - q);
                        c = y;
                    }
                }
                case 12 -> c = len == 0 ? c : set(c, pos, (byte) new int[] {0, 0x7f, 0x80, 0xff, 0x01, 0x40}[rnd.nextInt(6)]);
                default -> {
                    int q = rnd.nextInt(fns.size());
                    fns.set(fi, fns.get(q));
                    fns.set(q, f);
                    continue;
                }
            }
            fns.set(fi, new Function(f.argCount(), f.retCount(), reg, c, f.spans(), f.sig()));
        }
        RecordComponent[] rc = Program.class.getRecordComponents();
        Object[] vals = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            types[i] = rc[i].getType();
            vals[i] = rc[i].getName().equals("functions") ? fns : rc[i].getAccessor().invoke(p);
        }
        return ProgramEncoder.encode(Program.class.getDeclaredConstructor(types).newInstance(vals));
    }

    private static byte[] flip(byte[] c, int pos, byte bit) {
        c[pos] ^= bit;
        return c;
    }

    private static byte[] set(byte[] c, int pos, byte v) {
        c[pos] = v;
        return c;
    }

    /**
     * Writes the outcome lines of the vectors in {@code args[0]} to {@code args[1]}.
     *
     * @param args the conformance folder and the output file
     * @throws Exception when a file cannot be read or written
     */
    public static void main(String[] args) throws Exception {
        List<Path> tapes;
        try (var s = Files.list(Path.of(args[0]))) {
            tapes = s.filter(p -> p.getFileName().toString().endsWith(".tape")).sorted().toList();
        }
        Files.write(Path.of(args[1]), outcomes(tapes));
    }
}
