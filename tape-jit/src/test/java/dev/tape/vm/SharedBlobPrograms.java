package dev.tape.vm;

import dev.tape.format.ByteReader;
import dev.tape.format.ByteWriter;
import dev.tape.format.DecodeException;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SectionTag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * The shape of issue 12's first hole: many function-table rows that share one bytecode blob (the
 * format allows it), so a small file has many functions whose code is large. Row 0 is
 * {@code main(n: i64) -> (i64)}, which runs a loop {@code n} times calling rows 1 to
 * {@code min(rows, CALLED)} once each; rows 1 to {@code rows} share one blob of about 1,900 bytes:
 * {@code body(x: i64) -> (i64)}, a chain of {@code i64.div} (each a trap point and a call in the
 * compiled code, about 20 bytes of JVM bytecode) and {@code i64.add}, long enough that the body's
 * class is larger than main's.
 *
 * <p>{@code main} writes the files for the CLI measurements:
 * {@code java -cp ... dev.tape.vm.SharedBlobPrograms DIR ROWS...}.
 */
final class SharedBlobPrograms {
    /** rows that main calls */
    static final int CALLED = 16;
    /** div/add pairs in the shared body */
    static final int PAIRS = 220;

    private SharedBlobPrograms() {}

    /** @return what main(n) returns for a program with {@code rows} rows */
    static long expected(int rows, long n) {
        int called = Math.min(rows, CALLED);
        long acc = 0;
        for (long i = 0; i < n; i++) {
            for (int r = 0; r < called; r++) {
                acc = body(acc + i);
            }
        }
        return acc;
    }

    private static long body(long x) {
        long a = x;
        for (int k = 0; k < PAIRS; k++) {
            a = a + (a / 7);
        }
        return a;
    }

    /**
     * @param rows function-table rows sharing the body's blob (at least 1)
     * @return the file: rows + 1 functions, two blobs
     */
    static byte[] file(int rows) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        // main: acc = 0; i = 0; while (i < n) { acc = row_k(acc + i) for each called row; i += 1 }
        FunctionBuilder m = pb.function(main);
        FunctionBuilder.Label loop = m.newLabel();
        FunctionBuilder.Label body = m.newLabel();
        FunctionBuilder.Label done = m.newLabel();
        m.constI64(2, 0).constI64(3, 0).constI64(4, 1).jmp(loop);
        m.place(loop).i64Lt(5, 3, 1).br(5, body, done);
        m.place(body);
        for (int r = 0; r < Math.min(rows, CALLED); r++) {
            m.i64Add(2, 2, 3).call(0, ids[r], 0, new int[] {2}, new int[] {2});
        }
        m.i64Add(3, 3, 4).jmp(loop);
        m.place(done).ret(0, 2);
        for (int r = 0; r < rows; r++) {
            FunctionBuilder f = pb.function(ids[r]).constI64(3, 7);
            for (int k = 0; k < 17; k++) {
                f.constI64(4, Long.MAX_VALUE - k); // ballast: 12 bytes of blob each
            }
            for (int k = 0; k < PAIRS; k++) {
                f.i64Div(2, 1, 3).i64Add(1, 1, 2);
            }
            f.ret(0, 1);
        }
        return shareBlobs(ProgramEncoder.encode(pb.build()));
    }

    /**
     * Rows that share one blob and recurse through each other: row 0 is {@code main(n: i64, k: i64)
     * -> (i64)}, which calls row {@code 1 + (k mod rows)} with {@code n}; rows 1 to {@code rows}
     * share the blob {@code down(n: i64, x: i64) -> (i64)}: at {@code n <= 0} it returns {@code x};
     * else it computes {@code q = 1000 / (n - trapAt)} ({@code div_by_zero} at {@code n == trapAt})
     * and returns {@code q + down(n - 1, x + n)}, its call naming row 1. So every frame below the
     * entry's callee runs row 1, and the entry's callee, of another row, shares row 1's compiled
     * method with its own entry in the code image.
     *
     * @param rows rows sharing the blob (at least 1)
     * @param trapAt the {@code n} at which {@code down} divides by zero (negative: never)
     * @return the program
     */
    static Program recursive(int rows, long trapAt) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64, I64), List.of(I64));
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = pb.declareFunction(List.of(I64, I64), List.of(I64));
        }
        FunctionBuilder m = pb.function(main);
        FunctionBuilder.Label[] to = new FunctionBuilder.Label[rows];
        m.constI64(3, rows);
        for (int r = 0; r < rows; r++) {
            to[r] = m.newLabel();
        }
        // k mod rows, then a chain of compares picks the row
        m.i64Rem(4, 2, 3);
        for (int r = 0; r < rows; r++) {
            FunctionBuilder.Label next = m.newLabel();
            m.constI64(5, r).i64Eq(6, 4, 5).br(6, to[r], next);
            m.place(next);
        }
        m.ret(0, 1);
        for (int r = 0; r < rows; r++) {
            m.place(to[r]).call(0, ids[r], 0, new int[] {1, 2}, new int[] {7}).ret(0, 7);
        }
        for (int r = 0; r < rows; r++) {
            FunctionBuilder f = pb.function(ids[r]);
            FunctionBuilder.Label leaf = f.newLabel();
            FunctionBuilder.Label rec = f.newLabel();
            f.constI64(3, 0).i64Le(4, 1, 3).br(4, leaf, rec);
            f.place(leaf).ret(0, 2);
            f.place(rec).constI64(5, trapAt).i64Sub(5, 1, 5).constI64(6, 1000).i64Div(6, 6, 5)
                    .constI64(7, 1).i64Sub(8, 1, 7).i64Add(9, 2, 1)
                    .call(0, ids[0], 0, new int[] {8, 9}, new int[] {10})
                    .i64Add(11, 6, 10).ret(0, 11);
        }
        try {
            return ProgramDecoder.decode(shareBlobs(ProgramEncoder.encode(pb.build())));
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the program of {@link #file} */
    static Program program(int rows) {
        try {
            return ProgramDecoder.decode(file(rows));
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Rewrites an encoded program whose functions 1.. have equal code and spans so that they all
     * name blob 1 and span table 1: the blob and span sections keep only two entries.
     */
    private static byte[] shareBlobs(byte[] file) {
        ByteReader r = new ByteReader(file, "file");
        ByteWriter out = new ByteWriter();
        try {
            out.bytes(r.bytes(12));
            while (r.remaining() > 0) {
                int tag = r.u8();
                int len = (int) r.uleb64();
                byte[] payload = r.bytes(len);
                if (tag == SectionTag.BYTECODE_BLOBS.tag() || tag == SectionTag.SPAN_TABLES.tag()) {
                    payload = firstTwo(payload, tag == SectionTag.BYTECODE_BLOBS.tag());
                } else if (tag == SectionTag.FUNCTION_TABLE.tag()) {
                    payload = rowsToShared(payload);
                }
                out.u8(tag);
                out.uleb(payload.length);
                out.bytes(payload);
            }
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] firstTwo(byte[] payload, boolean blobs) throws DecodeException {
        ByteReader r = new ByteReader(payload, "section");
        r.uleb64();
        ByteWriter w = new ByteWriter();
        w.uleb(2);
        for (int i = 0; i < 2; i++) {
            int n = (int) r.uleb64();
            w.uleb(n);
            for (int k = 0; k < (blobs ? 1 : 2 * n); k++) {
                if (blobs) {
                    w.bytes(r.bytes(n));
                } else {
                    w.uleb(r.uleb64());
                }
            }
        }
        return w.toByteArray();
    }

    private static byte[] rowsToShared(byte[] payload) throws DecodeException {
        ByteReader r = new ByteReader(payload, "section");
        int n = (int) r.uleb64();
        ByteWriter w = new ByteWriter();
        w.uleb(n);
        for (int i = 0; i < n; i++) {
            w.uleb(r.uleb64());
            w.uleb(r.uleb64());
            w.uleb(r.uleb64());
            r.uleb64();
            r.uleb64();
            w.uleb(Math.min(i, 1));
            w.uleb(Math.min(i, 1));
        }
        return w.toByteArray();
    }

    /** Writes {@code shared_blob_<rows>.tape} into a folder for each row count given. */
    public static void main(String[] args) throws IOException {
        List<Path> written = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path p = Path.of(args[0], "shared_blob_" + args[i] + ".tape");
            Files.write(p, file(Integer.parseInt(args[i])));
            written.add(p);
        }
        for (Path p : written) {
            System.out.println(p + " " + Files.size(p) + " bytes");
        }
    }
}
