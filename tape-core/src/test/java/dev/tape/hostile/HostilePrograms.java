package dev.tape.hostile;

import dev.tape.format.Opcode;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TapeBytes;
import dev.tape.program.ValueType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Programs (and non-programs) an attacker might hand the VM, built with {@link ProgramBuilder}.
 * {@link HostileProgramsTest} checks that each ends cleanly (a result, a {@code DecodeException},
 * a {@code VerifyException} or a trap: never a Java error), and {@link #files()} is what
 * {@code examples/hostile/} holds (regenerate with
 * {@code mvn -B -o test -pl tape-core -Dtest=HostileExamplesTest -Dtape.hostile.write=true}).
 */
public final class HostilePrograms {
    private HostilePrograms() {}

    /** Levels of {@link #deepRecursion()}: {@code rec(1,000,000)} calls down to {@code rec(0)}. */
    public static final int RECURSION_LEVELS = 1_000_000;
    /**
     * Frames {@link #deepRecursion()} needs: the entry, then {@code rec(n)} for n = 1,000,000 down
     * to 0.
     */
    public static final int RECURSION_FRAMES = RECURSION_LEVELS + 2;
    /** Registers of one {@code rec} frame: r0 effect, r1 n, r2 constant, r3 condition. */
    public static final int RECURSION_FRAME_REGS = 4;
    /** Functions in {@link #manyFunctions()}. */
    public static final int MANY_FUNCTIONS = 100_000;

    /**
     * {@code s = "ab"; loop { s = s ++ s }}: the string doubles every two instructions, so generous
     * fuel lets it reach any size. The heap limit stops it (64 MiB by default: after 25 doublings),
     * long before the JVM could run out of memory.
     */
    public static Program stringDoubling() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "double_forever");
        FunctionBuilder.Label loop = f.newLabel();
        f.constPool(1, pb.constant(new Constant.Str("ab")));
        f.jmp(loop);
        f.place(loop);
        f.emit(Opcode.STR_CONCAT, 1, 1, 1);
        f.jmp(loop);
        return pb.build();
    }

    /**
     * Builds two equal 8 MiB strings (22 doublings of "ab", then a copy; 32 MiB allocated in all),
     * then compares them forever: {@code loop { str.eq a b }}. Each comparison costs 1 fuel but
     * reads 8 MiB, so 10 million fuel would mean hours of work; the comparison scan budget (64 x
     * the heap limit: 4 GiB by default) stops it with {@code heap_limit_exceeded} in well under a
     * second.
     */
    public static Program stringCompareLoop() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "compare_forever");
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        FunctionBuilder.Label cmp = f.newLabel();
        f.constPool(1, pb.constant(new Constant.Str("ab"))).constPool(2, pb.constant(new Constant.Str("")))
                .constI64(3, 22).constI64(4, 0).constI64(5, 1).jmp(head);
        f.place(head).i64Gt(6, 3, 4).br(6, body, done);
        f.place(body).emit(Opcode.STR_CONCAT, 1, 1, 1).i64Sub(3, 3, 5).jmp(head);
        f.place(done).emit(Opcode.STR_CONCAT, 7, 1, 2).jmp(cmp);
        f.place(cmp).emit(Opcode.STR_EQ, 8, 1, 7).jmp(cmp);
        return pb.build();
    }

    /**
     * {@code main() = rec(1,000,000)} where {@code rec(n) = n == 0 ? 0 : rec(n - 1) + 1}: 1,000,002
     * frames of 4 registers ({@link #RECURSION_FRAME_REGS}) at the deepest point, about 8 million
     * instructions. With a call depth limit of {@link #RECURSION_FRAMES} and the default fuel and
     * register limits it returns 1,000,000; with the default call depth (1,024) it traps
     * {@code call_depth_exceeded}.
     */
    public static Program deepRecursion() {
        return deepRecursion(RECURSION_FRAME_REGS);
    }

    /**
     * @param frameRegs the register count of {@code rec}, 4 or more (more makes each frame bigger)
     * @return {@link #deepRecursion()} with that frame size
     */
    public static Program deepRecursion(int frameRegs) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(), List.of(ValueType.I64));
        int rec = pb.declareFunction(List.of(ValueType.I64), List.of(ValueType.I64));
        pb.functionName(main, "main");
        pb.functionName(rec, "rec");
        pb.function(main)
                .constI64(1, RECURSION_LEVELS)
                .call(0, rec, 0, new int[] {1}, new int[] {1})
                .ret(0, 1);
        FunctionBuilder f = pb.function(rec);
        FunctionBuilder.Label done = f.newLabel();
        FunctionBuilder.Label more = f.newLabel();
        f.constI64(2, 0).i64Eq(3, 1, 2).br(3, done, more);
        f.place(done).ret(0, 2);
        f.place(more)
                .constI64(2, 1)
                .i64Sub(1, 1, 2)
                .call(0, rec, 0, new int[] {1}, new int[] {1})
                .i64Add(1, 1, 2)
                .ret(0, 1);
        f.regCount(frameRegs);
        return pb.build();
    }

    /**
     * 100,000 functions: function i calls function i + 1 and returns its result + 1; the last
     * returns 0. Every function runs once, 100,000 frames deep, so it returns 99,999 with a call
     * depth limit of 100,000 and traps {@code call_depth_exceeded} with the default 1,024.
     */
    public static Program manyFunctions() {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < MANY_FUNCTIONS; i++) {
            pb.declareFunction(List.of(), List.of(ValueType.I64));
        }
        pb.functionName(0, "chain");
        for (int i = 0; i < MANY_FUNCTIONS; i++) {
            FunctionBuilder f = pb.function(i);
            if (i == MANY_FUNCTIONS - 1) {
                f.constI64(1, 0).ret(0, 1);
            } else {
                f.call(0, i + 1, 0, new int[0], new int[] {1}).constI64(2, 1).i64Add(1, 1, 2).ret(0, 1);
            }
        }
        return pb.build();
    }

    /** {@code loop {}}: traps {@code fuel_exceeded} at any fuel. */
    public static Program infiniteLoop() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "spin");
        FunctionBuilder.Label loop = f.newLabel();
        f.jmp(loop).place(loop).jmp(loop);
        return pb.build();
    }

    /**
     * {@code f() = f()} where f declares 65,536 registers (the verifier's most): each frame takes
     * 65,536 registers and each pending call 2 more, so the default register limit (8,388,608) is
     * reached by the call from frame 127, well before the call depth limit: it traps
     * {@code heap_limit_exceeded}.
     */
    public static Program registerBomb() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "fat_frames");
        f.call(0, 0, 0, new int[0], new int[0]).ret(0);
        f.regCount(65_536);
        return pb.build();
    }

    /**
     * {@code t = (); loop { t = (t, t) }}: every iteration allocates a tuple that shares the last
     * one twice (a DAG of depth n describing 2^n leaves). The heap limit counts each allocation, so
     * it traps {@code heap_limit_exceeded}; results are never expanded.
     */
    public static Program tupleBomb() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "nest_forever");
        FunctionBuilder.Label loop = f.newLabel();
        f.tupleNew(1).jmp(loop);
        f.place(loop).tupleNew(1, 1, 1).jmp(loop);
        return pb.build();
    }

    /**
     * {@code t = (); repeat 60 { t = (t, t) }; return t}: 60 small allocations make a result whose
     * literal would have 2^60 leaves. It returns (the run is cheap); rendering it must be bounded
     * ({@code ValueLiteral.format}).
     */
    public static Program tupleDag() {
        return repeatTuple(60, 2);
    }

    /**
     * {@code t = (); repeat 1,000,000 { t = (t) }; return t}: a result nested a million deep (about
     * 41 MB of heap, 5 million fuel). Rendering it must not overflow the Java stack.
     */
    public static Program deepTuple() {
        return repeatTuple(1_000_000, 1);
    }

    private static Program repeatTuple(int times, int width) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of(ValueType.AGG));
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        int[] elems = new int[width];
        java.util.Arrays.fill(elems, 1);
        f.tupleNew(1).constI64(2, times).constI64(3, 0).constI64(4, 1).jmp(head);
        f.place(head).i64Gt(5, 2, 3).br(5, body, done);
        f.place(body).tupleNew(1, elems).i64Sub(2, 2, 4).jmp(head);
        f.place(done).ret(0, 1);
        return pb.build();
    }

    /** The most arguments (and results) a function or host function can have: 65,535 (r0 is the effect). */
    public static final int WIDE = 65_535;

    /**
     * {@code loop { (r1..rN) = wide(r1..rN) }}, where {@code wide} takes N i64 arguments and returns
     * them ({@code ret} is its only instruction). Set-up: N instructions (r1 = 7, then N - 1 moves)
     * and a jump; then each turn costs 3 fuel (call, ret, jmp) and moves 2N values. With N =
     * {@link #WIDE} that is 131,070 values for 3 fuel: the copy budget (docs/SECURITY.md) stops it.
     *
     * @param n the width, 1 to {@link #WIDE}
     */
    public static Program wideCalls(int n) {
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = java.util.Collections.nCopies(n, ValueType.I64);
        int main = pb.declareFunction(List.of(), List.of());
        int wide = pb.declareFunction(types, types);
        pb.functionName(main, "main");
        pb.functionName(wide, "wide");
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
        }
        FunctionBuilder f = pb.function(main);
        FunctionBuilder.Label loop = f.newLabel();
        f.constI64(1, 7);
        for (int i = 2; i <= n; i++) {
            f.mov(i, 1);
        }
        f.jmp(loop).place(loop).call(0, wide, 0, regs, regs).jmp(loop);
        pb.function(wide).ret(0, regs);
        return pb.build();
    }

    /** The host symbol {@link #wideHostCalls(int)} calls: it takes N i64 values and returns them. */
    public static final String WIDE_SYMBOL = "hostile.echo";

    /**
     * {@code loop { (r1..rN) = host hostile.echo(r1..rN) }}: the host call version of
     * {@link #wideCalls(int)}. Set-up: N instructions and a jump; then each turn costs 2 fuel
     * (host_call, jmp), one host call, and boxes N arguments and checks N results.
     *
     * @param n the width, 1 to {@link #WIDE}
     */
    public static Program wideHostCalls(int n) {
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> types = java.util.Collections.nCopies(n, ValueType.I64);
        int sig = pb.hostSig(WIDE_SYMBOL, types, types);
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, "main");
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
        }
        FunctionBuilder.Label loop = f.newLabel();
        f.constI64(1, 7);
        for (int i = 2; i <= n; i++) {
            f.mov(i, 1);
        }
        f.jmp(loop).place(loop).hostCall(0, sig, 0, regs, regs).jmp(loop);
        return pb.build();
    }

    /** The name {@link #evilNames()} gives its function: a newline, a carriage return and ANSI escapes. */
    public static final String EVIL_NAME = "main\ntrap: fake line\r\u001b[2K\u001b[31mred\u001b[0m";

    /**
     * A function whose name (from the names section, chosen by the program's author) holds a
     * newline, a carriage return and terminal escape sequences, and that traps at once with code
     * 1. The trap's message names the function, so whatever prints it must escape it to stay on
     * one line.
     */
    public static Program evilNames() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).trap(1);
        pb.functionName(0, EVIL_NAME);
        return pb.build();
    }

    /**
     * A program that reads an i64 register as a string ({@code str.len} of an i64): the verifier
     * refuses it ({@code TypeMismatch}), so it never runs.
     */
    public static Program typeConfusion() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of(ValueType.U64));
        f.constI64(1, 0x4141_4141L).emit(Opcode.STR_LEN, 2, 1).ret(0, 2);
        return pb.buildUnchecked();
    }

    /**
     * One function declaring 65,536 registers whose body is 5,000 blocks of {@code jmp next} (a
     * 25 KB file): the type analysis would track 5,000 x 65,536 register states, so the verifier
     * refuses it quickly ({@code AnalysisBudgetExceeded}) instead of running out of memory.
     */
    public static Program jumpMaze() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label next = f.newLabel();
        for (int i = 0; i < 5_000; i++) {
            f.jmp(next);
            f.place(next);
            next = f.newLabel();
        }
        f.ret(0);
        f.regCount(65_536);
        return pb.build();
    }

    /**
     * 1,000 functions of one instruction ({@code ret r0}), each declaring 65,536 registers (a 10 KB
     * file): the verifier refuses it ({@code AnalysisBudgetExceeded}) instead of building 256 MB of
     * per-register tables.
     */
    public static Program fatFunctions() {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < 1_000; i++) {
            pb.addFunction(List.of(), List.of()).ret(0).regCount(65_536);
        }
        return pb.build();
    }

    /**
     * @param seed the seed
     * @param n how many bytes
     * @return random bytes that do not start with the container magic, so decoding fails at once
     */
    public static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        if (n > 0) {
            b[0] = (byte) 0x7f; // never 'E', so never the magic "EXTAPE\0\0"
        }
        return b;
    }

    /**
     * The minimal program ({@code ret r0}) with its symbols section claiming 4,294,967,295 symbols in
     * 5 bytes: the decoder must refuse the count from the bytes left, without trying to allocate
     * for it.
     */
    public static byte[] hugeCount() {
        return TapeBytes.minimal("ff ff ff ff 0f", TapeBytes.CONSTS, TapeBytes.TYPES, TapeBytes.BLOBS, TapeBytes.SPANS,
                TapeBytes.FUNCS, TapeBytes.SIGS, TapeBytes.HOSTS);
    }

    /**
     * @return the contents of {@code examples/hostile/}, by file name, in a stable order
     */
    public static Map<String, byte[]> files() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("string_doubling.tape", ProgramEncoder.encode(stringDoubling()));
        out.put("string_compare.tape", ProgramEncoder.encode(stringCompareLoop()));
        out.put("deep_recursion.tape", ProgramEncoder.encode(deepRecursion()));
        out.put("many_functions.tape", ProgramEncoder.encode(manyFunctions()));
        out.put("infinite_loop.tape", ProgramEncoder.encode(infiniteLoop()));
        out.put("register_bomb.tape", ProgramEncoder.encode(registerBomb()));
        out.put("tuple_bomb.tape", ProgramEncoder.encode(tupleBomb()));
        out.put("type_confusion.tape", ProgramEncoder.encode(typeConfusion()));
        out.put("jump_maze.tape", ProgramEncoder.encode(jumpMaze()));
        out.put("fat_functions.tape", ProgramEncoder.encode(fatFunctions()));
        out.put("evil_names.tape", ProgramEncoder.encode(evilNames()));
        out.put("random_bytes.tape", randomBytes(20261122L, 4096));
        out.put("huge_count.tape", hugeCount());
        return out;
    }
}
