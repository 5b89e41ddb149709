package dev.tape.bench;

import dev.tape.format.ByteReader;
import dev.tape.format.ByteWriter;
import dev.tape.format.DecodeException;
import dev.tape.format.Opcode;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SectionTag;
import dev.tape.program.ValueType;

import java.util.Collections;
import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * The worst shapes of issue 12's holes, as encoded {@code .tape} files, for {@link HostileBench}. Each
 * method's javadoc names the hole it exercises and what its run does; sizes are parameters so the
 * benchmark can pick what a 2-core machine runs in seconds.
 */
final class HostileShapes {
    /** div/add pairs in the shared body of {@link #sharedBlob} (about 1,100 bytes of blob). */
    private static final int PAIRS = 112;
    /** Most registers a function may declare (the verifier's limit): r0 and 65,535 more. */
    static final int WIDE = 65_535;

    private HostileShapes() {}

    /**
     * Hole 1: {@code rows} function-table rows sharing one code blob of about 1,100 bytes (a chain
     * of {@code i64.div}/{@code i64.add}); {@code main(n: i64) -> i64} loops {@code n} times calling
     * rows 1 to {@code called} once each. Built as in tape-jit's {@code SharedBlobPrograms}.
     *
     * @param rows rows sharing the blob, 1 or more
     * @param called rows main calls per iteration, 1 to rows
     * @return the file (two blobs, two span tables, rows + 1 functions)
     */
    static byte[] sharedBlob(int rows, int called) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        FunctionBuilder m = pb.function(main);
        FunctionBuilder.Label loop = m.newLabel();
        FunctionBuilder.Label body = m.newLabel();
        FunctionBuilder.Label done = m.newLabel();
        m.constI64(2, 0).constI64(3, 0).constI64(4, 1).jmp(loop);
        m.place(loop).i64Lt(5, 3, 1).br(5, body, done);
        m.place(body);
        for (int r = 0; r < called; r++) {
            m.i64Add(2, 2, 3).call(0, ids[r], 0, new int[] {2}, new int[] {2});
        }
        m.i64Add(3, 3, 4).jmp(loop);
        m.place(done).ret(0, 2);
        for (int r = 0; r < rows; r++) {
            FunctionBuilder f = pb.function(ids[r]).constI64(3, 7);
            for (int k = 0; k < 17; k++) {
                f.constI64(4, Long.MAX_VALUE - k);
            }
            for (int k = 0; k < PAIRS; k++) {
                f.i64Div(2, 1, 3).i64Add(1, 1, 2);
            }
            f.ret(0, 1);
        }
        return shareBlobs(ProgramEncoder.encode(pb.build()));
    }

    /**
     * Hole 2 (names): {@code main(n) = rec(n)}, {@code rec(n) = n == 0 ? trap 7 : rec(n - 1)}, and
     * {@code fillers} one-instruction functions with names of {@code nameLength} characters, so the
     * names section is {@code fillers x nameLength} bytes and the trap happens {@code n + 1} frames deep.
     *
     * @param fillers named filler functions
     * @param nameLength characters of each filler's name
     * @return the file
     */
    static byte[] deepTrapNames(int fillers, int nameLength) {
        ProgramBuilder pb = new ProgramBuilder();
        deepTrap(pb, 0);
        String pad = String.join("", Collections.nCopies(nameLength, "n"));
        for (int i = 0; i < fillers; i++) {
            pb.addFunction(List.of(), List.of()).ret(0);
            String id = Integer.toString(i);
            pb.functionName(pb.functionCount() - 1, pad.substring(id.length()) + id);
        }
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 2 (spans): the recursion of {@link #deepTrapNames} whose {@code rec} carries
     * {@code spans} span marks: one on each reachable instruction, the rest on {@code nop}s in an
     * unreachable block after its last {@code ret}.
     *
     * @param spans span entries in rec's table
     * @return the file
     */
    static byte[] deepTrapSpans(int spans) {
        ProgramBuilder pb = new ProgramBuilder();
        deepTrap(pb, spans);
        return ProgramEncoder.encode(pb.build());
    }

    private static void deepTrap(ProgramBuilder pb, int spans) {
        int main = pb.declareFunction(List.of(I64), List.of());
        int rec = pb.declareFunction(List.of(I64), List.of());
        pb.functionName(main, "main");
        pb.functionName(rec, "rec");
        pb.function(main).call(0, rec, 0, new int[] {1}, new int[0]).ret(0);
        FunctionBuilder f = pb.function(rec);
        FunctionBuilder.Label done = f.newLabel();
        FunctionBuilder.Label more = f.newLabel();
        FunctionBuilder.Label dead = f.newLabel();
        long span = 1;
        f.span(span++).constI64(2, 0).span(span++).i64Eq(3, 1, 2).span(span++).br(3, done, more);
        f.place(done).span(span++).trap(7);
        f.place(more).span(span++).constI64(2, 1).span(span++).i64Sub(1, 1, 2).span(span++)
                .call(0, rec, 0, new int[] {1}, new int[0]).span(span++).ret(0);
        if (spans > 0) {
            f.place(dead);
            while (span < spans) {
                f.span(span++).nop();
            }
            f.span(span).ret(0);
        }
    }

    /**
     * Hole 3 (calls): {@code main} declares 65,536 registers and runs
     * {@code loop { (r1..r65535) = wide(r1 x 65,535) }} where {@code wide} takes 65,535 i64
     * arguments and returns them: every iteration is 3 fuel ({@code call}, {@code ret},
     * {@code jmp}) and copies 131,070 registers. Ends on fuel.
     *
     * @return the file
     */
    static byte[] wideCalls() {
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = Collections.nCopies(WIDE, I64);
        int main = pb.declareFunction(List.of(), List.of());
        int wide = pb.declareFunction(types, types);
        pb.functionName(main, "main");
        pb.functionName(wide, "wide");
        int[] args = new int[WIDE];
        java.util.Arrays.fill(args, 1);
        int[] regs = range(1, WIDE);
        FunctionBuilder m = pb.function(main);
        FunctionBuilder.Label loop = m.newLabel();
        m.constI64(1, 42).jmp(loop);
        m.place(loop).call(0, wide, 0, args, regs).jmp(loop);
        pb.function(wide).ret(0, regs);
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 3 (host calls): {@code loop { (r1..r65535) = test.id(r1 x 65,535) }} through
     * {@code --host test}, whose {@code test.id} returns its arguments: 2 fuel a host call of 65,535
     * arguments and results. Ends on fuel.
     *
     * @return the file
     */
    static byte[] wideHostCalls() {
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = Collections.nCopies(WIDE, I64);
        int sig = pb.hostSig("test.id", types, types);
        FunctionBuilder m = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "main");
        int[] args = new int[WIDE];
        java.util.Arrays.fill(args, 1);
        FunctionBuilder.Label loop = m.newLabel();
        m.constI64(1, 42).jmp(loop);
        m.place(loop).hostCall(0, sig, 0, args, range(1, WIDE)).jmp(loop);
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 4: {@code s = "ab"} doubled {@code doublings} times, then {@code loop { std.print_str(s) }}.
     *
     * @param doublings doublings of "ab" (19: 1 MiB a print)
     * @return the file
     */
    static byte[] outputFlood(int doublings) {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig("std.print_str", List.of(ValueType.STR), List.of());
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "flood");
        FunctionBuilder.Label loop = f.newLabel();
        doubled(pb, f, doublings);
        f.jmp(loop);
        f.place(loop).hostCall(0, sig, 0, new int[] {1}, new int[0]).jmp(loop);
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 5: returns "ab" doubled {@code doublings} times (23: a 16 Mi-character string), which the
     * CLI prints cut at 1,048,576 characters.
     *
     * @param doublings doublings of "ab"
     * @return the file
     */
    static byte[] bigResult(int doublings) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of(ValueType.STR));
        pb.functionName(0, "big");
        doubled(pb, f, doublings);
        f.ret(0, 1);
        return ProgramEncoder.encode(pb.build());
    }

    /** Emits {@code r1 = "ab"; repeat doublings { r1 = r1 ++ r1 }} unrolled (straight-line code). */
    private static void doubled(ProgramBuilder pb, FunctionBuilder f, int doublings) {
        f.constPool(1, pb.constant(new Constant.Str("ab")));
        for (int i = 0; i < doublings; i++) {
            f.emit(Opcode.STR_CONCAT, 1, 1, 1);
        }
    }

    /** The name hole 6 gives functions and host symbols: a newline, a fake trap line, CR and ANSI colour. */
    static final String EVIL = "x\ntrap: fake line\r\u001b[2K\u001b[31mred\u001b[0m\u0007";

    /**
     * Hole 6: a function named {@link #EVIL} whose argument is named {@link #EVIL} too, that calls
     * the host symbol {@link #EVIL} (no host provides it: {@code host_call_failed} naming it).
     *
     * @return the file
     */
    static byte[] evilText() {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig(EVIL, List.of(), List.of());
        pb.addFunction(List.of(I64), List.of()).hostCall(0, sig, 0, new int[0], new int[0]).ret(0);
        pb.functionName(0, EVIL);
        pb.argName(0, 0, EVIL);
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 7: {@code n} named functions, function i calling i + 1 (the last returns), so a run with
     * a call depth of {@code n} enters every one; verify, disasm and {@code --trace call} name them all.
     *
     * @param n functions
     * @return the file
     */
    static byte[] namedChain(int n) {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < n; i++) {
            pb.declareFunction(List.of(), List.of());
            pb.functionName(i, "function_number_" + i);
        }
        for (int i = 0; i < n; i++) {
            FunctionBuilder f = pb.function(i);
            if (i + 1 < n) {
                f.call(0, i + 1, 0, new int[0], new int[0]);
            }
            f.ret(0);
        }
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 8 (frames): {@code f() = f()} with one register a frame, so only the call depth and fuel
     * limits stop it.
     *
     * @return the file
     */
    static byte[] oneRegisterRecursion() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).call(0, 0, 0, new int[0], new int[0]).ret(0);
        pb.functionName(0, "down");
        return ProgramEncoder.encode(pb.build());
    }

    /**
     * Hole 8 (decode): the minimal program with a constant pool of {@code count} unit constants of
     * one byte each.
     *
     * @param count constants
     * @return the file, about {@code count} bytes
     */
    static byte[] unitConstants(int count) {
        ProgramBuilder pb = new ProgramBuilder();
        pb.constant(new Constant.Unit());
        pb.addFunction(List.of(), List.of()).ret(0);
        byte[] file = ProgramEncoder.encode(pb.build());
        return rewrite(file, (tag, payload) -> {
            if (tag != SectionTag.CONST_POOL.tag()) {
                return payload;
            }
            ByteReader r = new ByteReader(payload, "consts");
            if (r.uleb64() != 1 || r.remaining() != 1) {
                throw new IllegalStateException("a unit constant is not one byte");
            }
            byte unit = (byte) r.u8();
            ByteWriter w = new ByteWriter();
            w.uleb(count);
            byte[] all = new byte[count];
            java.util.Arrays.fill(all, unit);
            w.bytes(all);
            return w.toByteArray();
        });
    }

    /**
     * Hole 9 and 10 (embedded): {@code main(n: i64) -> i64} is {@code n == 0 ? 0 : rec(n - 1) + 1}
     * where {@code rec} is main itself when {@code nestSymbol} is null, else the host function of that
     * symbol ({@code (i64) -> i64}); function 1, {@code tiny() -> i64}, returns 1.
     *
     * @param nestSymbol null for plain recursion, else the host symbol to call instead
     * @return the program
     */
    static Program counter(String nestSymbol) {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = nestSymbol == null ? -1 : pb.hostSig(nestSymbol, List.of(I64), List.of(I64));
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        pb.functionName(0, "main");
        FunctionBuilder.Label done = f.newLabel();
        FunctionBuilder.Label more = f.newLabel();
        f.constI64(2, 0).i64Eq(3, 1, 2).br(3, done, more);
        f.place(done).ret(0, 2);
        f.place(more).constI64(2, 1).i64Sub(1, 1, 2);
        if (sig < 0) {
            f.call(0, 0, 0, new int[] {1}, new int[] {1});
        } else {
            f.hostCall(0, sig, 0, new int[] {1}, new int[] {1});
        }
        f.i64Add(1, 1, 2).ret(0, 1);
        pb.addFunction(List.of(), List.of(I64)).constI64(1, 1).ret(0, 1);
        pb.functionName(1, "tiny");
        return pb.build();
    }

    private static int[] range(int from, int count) {
        int[] r = new int[count];
        for (int i = 0; i < count; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private interface SectionEdit {
        byte[] edit(int tag, byte[] payload) throws DecodeException;
    }

    private static byte[] rewrite(byte[] file, SectionEdit edit) {
        ByteReader r = new ByteReader(file, "file");
        ByteWriter out = new ByteWriter();
        try {
            out.bytes(r.bytes(12));
            while (r.remaining() > 0) {
                int tag = r.u8();
                int len = (int) r.uleb64();
                byte[] payload = edit.edit(tag, r.bytes(len));
                out.u8(tag);
                out.uleb(payload.length);
                out.bytes(payload);
            }
        } catch (DecodeException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Functions 1.. of an encoded program all name blob 1 and span table 1; only two of each stay. */
    private static byte[] shareBlobs(byte[] file) {
        return rewrite(file, (tag, payload) -> {
            if (tag == SectionTag.BYTECODE_BLOBS.tag() || tag == SectionTag.SPAN_TABLES.tag()) {
                return firstTwo(payload, tag == SectionTag.BYTECODE_BLOBS.tag());
            }
            return tag == SectionTag.FUNCTION_TABLE.tag() ? rowsToShared(payload) : payload;
        });
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
}
