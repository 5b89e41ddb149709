package dev.tape.bench;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.format.Opcode;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;

/**
 * The benchmark workloads: each is a tape program whose entry function (function 0) takes
 * {@code n: i64} and returns one value, and a hand-written Java method that computes the same
 * result. The instruction count per iteration of each tape loop is given so that times can be read
 * as nanoseconds per instruction.
 *
 * <p>Loops are written as a compiler writes them: the test sits at the bottom of the body
 * ({@code lt}, {@code br}), with one guard before the loop, so no iteration runs a {@code jmp}.
 * The first six are built with {@link ProgramBuilder}; the last six (strings, string building,
 * arrays, closures, decimals, rules) are text assembly, {@code dev/tape/bench/LABEL.tasm} on the
 * class path, whose comments give each program's shape and result.
 */
public enum Workload {
    /** Sum of 0..n-1 with a counter: 4 instructions per iteration. */
    SUM_LOOP("sum_loop", 1_000_000L, 4, 6),
    /** Recursive Fibonacci: 4 instructions per leaf call, 10 per inner call. */
    FIB("fib", 25L, 0, 0),
    /** n calls of a 3-instruction add-one function: 4 + 3 instructions per iteration. */
    CALL_LOOP("call_loop", 1_000_000L, 7, 6),
    /** n host calls of an identity i64 function: 5 instructions per iteration. */
    HOST_LOOP("host_loop", 1_000_000L, 5, 6),
    /** n iterations of 9 float and integer instructions. */
    F64_LOOP("f64_loop", 1_000_000L, 9, 8),
    /** n iterations building a 2-tuple and reading both elements back: 7 instructions per iteration. */
    TUPLE_LOOP("tuple_loop", 200_000L, 7, 6),
    /**
     * n rounds of {@code str.concat}, {@code str.len}, {@code str.slice} on a rolling 11-byte
     * window: 7 instructions per round.
     */
    STR_LOOP("str_loop", 100_000L, 7, 10),
    /** A string built by n appends of {@code "ab"} ({@code str.concat}): 4 instructions per append. */
    STR_BUILD("str_build", 10_000L, 4, 9),
    /**
     * n 16-element i64 arrays built with {@code array.new} and summed by an indexed loop: 103
     * instructions per array.
     */
    ARRAY_LOOP("array_loop", 20_000L, 119, 6),
    /**
     * n {@code call.indirect} calls of a closure adding its captured value: 5 + 3 instructions per
     * iteration.
     */
    CLOSURE_LOOP("closure_loop", 300_000L, 8, 10),
    /** n decimal order lines ({@code i64.to_dec, dec.mul, dec.add, dec.add}): 7 instructions per iteration. */
    DEC_LOOP("dec_loop", 300_000L, 7, 8),
    /**
     * n orders built as structs and scored by a called function that reads the fields and branches:
     * 9 + 11 instructions per iteration, plus 2 for a bulk order and 3 for tier 3.
     */
    RULES("rules", 100_000L, 20, 9);

    /** The host symbol of the identity function {@link #HOST_LOOP} calls. */
    public static final String HOST_ID = "bench.id_i64";

    private final String label;
    private final long n;
    private final int perIteration;
    private final int fixed;

    Workload(String label, long n, int perIteration, int fixed) {
        this.label = label;
        this.n = n;
        this.perIteration = perIteration;
        this.fixed = fixed;
    }

    /** @return the workload's name, for example {@code sum_loop} */
    public String label() {
        return label;
    }

    /** @return the benchmark's argument n */
    public long n() {
        return n;
    }

    /**
     * @param label a name from {@link #label()}
     * @return the workload
     * @throws IllegalArgumentException when there is none by that name
     */
    public static Workload of(String label) {
        for (Workload w : values()) {
            if (w.label.equals(label)) {
                return w;
            }
        }
        throw new IllegalArgumentException("no workload " + label);
    }

    /**
     * Counts the instructions, hence the fuel, of one run from the programs' shapes (each loop's
     * instructions per iteration and the instructions before and after it), not by running them.
     *
     * @return the tape instructions one run executes, for n = {@link #n()}
     */
    public long instructions() {
        return instructions(n);
    }

    /**
     * @param n the argument, 0 or more (for {@link #FIB} a small one: the count recurses as fib does)
     * @return the tape instructions one run with argument n executes
     */
    public long instructions(long n) {
        if (this == FIB) {
            // leaves (n < 2) run 4 instructions, inner calls 10
            long[] calls = fibCalls((int) n);
            return calls[0] * 4 + calls[1] * 10;
        }
        // the guard (constants, lt, br) before the loop and what follows it, ret included
        long total = n * perIteration + fixed;
        if (this == RULES) {
            // i in 0..n-1 with i & 15 > 10 (bulk: sub, jmp) and with i & 3 == 3 (const, add, jmp)
            long bulk = n / 16 * 5 + Math.max(0, n % 16 - 11);
            long premium = n / 4;
            total += 2 * bulk + 3 * premium;
        }
        return total;
    }

    private static long[] fibCalls(int n) {
        if (n < 2) {
            return new long[] {1, 0};
        }
        long[] a = fibCalls(n - 1);
        long[] b = fibCalls(n - 2);
        return new long[] {a[0] + b[0], a[1] + b[1] + 1};
    }

    /**
     * @return the program; its entry is function 0
     * @throws IllegalStateException when the assembly text of one of the last six is missing from
     *     the class path or does not assemble (a broken build)
     */
    public Program program() {
        if (ordinal() >= STR_LOOP.ordinal()) {
            return assemble();
        }
        ProgramBuilder pb = new ProgramBuilder();
        switch (this) {
            case SUM_LOOP -> sumLoop(pb);
            case FIB -> fib(pb);
            case CALL_LOOP -> callLoop(pb);
            case HOST_LOOP -> hostLoop(pb);
            case F64_LOOP -> f64Loop(pb);
            case TUPLE_LOOP -> tupleLoop(pb);
            default -> throw new AssertionError(this);
        }
        pb.functionName(0, label);
        return pb.build();
    }

    private Program assemble() {
        String file = label + ".tasm";
        try (InputStream in = Workload.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + file + " beside " + Workload.class.getName());
            }
            return Assembler.assemble(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (AsmException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return the verified program */
    public VerifiedProgram verified() {
        try {
            return Verifier.verify(program());
        } catch (VerifyException e) {
            throw new IllegalStateException(label + " does not verify: " + e.getMessage(), e);
        }
    }

    /**
     * @return the host the program needs ({@link Host#NONE} when it makes no host calls):
     *     {@link #HOST_LOOP}'s identity function bound as a word function (its calls pass
     *     {@code long}s, nothing boxed); {@link #boxedHost()} binds the same function over boxed values
     */
    public Host host() {
        if (this != HOST_LOOP) {
            return Host.NONE;
        }
        return new HostRegistry().registerWords(HOST_ID, Signature.of(List.of(I64), List.of(I64)), x -> x);
    }

    /**
     * @return {@link #host()} with {@link #HOST_LOOP}'s identity function bound as a
     *     {@link HostFunction} over boxed {@link Value}s instead (the binding before word functions);
     *     {@link Host#NONE} for the other workloads
     */
    public Host boxedHost() {
        if (this != HOST_LOOP) {
            return Host.NONE;
        }
        return new HostRegistry().register(HOST_ID, Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, results, ctx) -> results[0] = args[0]);
    }

    /**
     * Runs the hand-written Java version.
     *
     * @param n the argument
     * @return the result, as the tape program's result value
     */
    public Value java(long n) {
        return switch (this) {
            case SUM_LOOP -> Value.i64(JavaBaselines.sumLoop(n));
            case FIB -> Value.i64(JavaBaselines.fib(n));
            case CALL_LOOP -> Value.i64(JavaBaselines.callLoop(n));
            case HOST_LOOP -> Value.i64(JavaBaselines.hostLoop(n));
            case F64_LOOP -> Value.f64(JavaBaselines.f64Loop(n));
            case TUPLE_LOOP -> Value.i64(JavaBaselines.tupleLoop(n));
            case STR_LOOP -> Value.i64(JavaBaselines.strLoop(n));
            case STR_BUILD -> Value.i64(JavaBaselines.strBuild(n));
            case ARRAY_LOOP -> Value.i64(JavaBaselines.arrayLoop(n));
            case CLOSURE_LOOP -> Value.i64(JavaBaselines.closureLoop(n));
            case DEC_LOOP -> Value.decimal(JavaBaselines.decLoop(n), JavaBaselines.DEC_SCALE);
            case RULES -> Value.i64(JavaBaselines.rules(n));
        };
    }

    // Register conventions of the loops: r1 = n, r2 = accumulator, r3 = i, r4 = 1, cond = i < n.

    /**
     * Emits a counted loop {@code for (i = 0; i < n; i++) body} with the guard tested before the
     * first trip and at the bottom (no jmp per iteration), leaving the builder after the loop.
     *
     * @param f the function; r1 holds n
     * @param cond the register for {@code i < n}
     * @param body emits one iteration's work
     */
    static void countedLoop(FunctionBuilder f, int cond, Consumer<FunctionBuilder> body) {
        Label top = f.newLabel();
        Label done = f.newLabel();
        f.constI64(3, 0).constI64(4, 1).i64Lt(cond, 3, 1).br(cond, top, done);
        f.place(top);
        body.accept(f);
        f.i64Add(3, 3, 4).i64Lt(cond, 3, 1).br(cond, top, done);
        f.place(done);
    }

    /** @param f a function (i64) -> i64: emits sum of 0..n-1 and its ret */
    static void emitSumLoop(FunctionBuilder f) {
        f.constI64(2, 0);
        countedLoop(f, 5, b -> b.i64Add(2, 2, 3));
        f.ret(0, 2);
    }

    /**
     * Emits the recursive Fibonacci function.
     *
     * @param f a function (i64) -> i64
     * @param self its own id
     */
    static void emitFib(FunctionBuilder f, int self) {
        Label base = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 2).i64Lt(3, 1, 2).br(3, base, rec);
        f.place(base).ret(0, 1);
        f.place(rec)
                .constI64(4, 1)
                .i64Sub(5, 1, 4)
                .call(0, self, 0, new int[] {5}, new int[] {6})
                .i64Sub(7, 1, 2)
                .call(0, self, 0, new int[] {7}, new int[] {8})
                .i64Add(9, 6, 8)
                .ret(0, 9);
    }

    /** @param f a function taking n in r1: emits the f64 loop, leaving the f64 accumulator in r2 (no ret) */
    static void emitF64Loop(FunctionBuilder f) {
        f.constF64(2, 0.0).constF64(5, 0.5).constF64(6, 1.5);
        countedLoop(f, 7, b -> b
                .unary(Opcode.I64_TO_F64, 8, 3)
                .binary(Opcode.F64_MUL, 9, 8, 5)
                .binary(Opcode.F64_ADD, 10, 9, 6)
                .binary(Opcode.F64_DIV, 11, 10, 6)
                .binary(Opcode.F64_SUB, 12, 11, 5)
                .binary(Opcode.F64_ADD, 2, 2, 12));
    }

    private static void sumLoop(ProgramBuilder pb) {
        emitSumLoop(pb.addFunction(List.of(I64), List.of(I64)));
    }

    private static void fib(ProgramBuilder pb) {
        int id = pb.declareFunction(List.of(I64), List.of(I64));
        emitFib(pb.function(id), id);
    }

    private static void callLoop(ProgramBuilder pb) {
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int addOne = pb.declareFunction(List.of(I64), List.of(I64));
        pb.function(addOne).constI64(2, 1).i64Add(3, 1, 2).ret(0, 3);
        f.constI64(2, 0);
        countedLoop(f, 5, b -> b.call(0, addOne, 0, new int[] {2}, new int[] {2}));
        f.ret(0, 2);
    }

    private static void hostLoop(ProgramBuilder pb) {
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int sig = pb.hostSig(HOST_ID, List.of(I64), List.of(I64));
        f.constI64(2, 0);
        countedLoop(f, 5, b -> b.hostCall(0, sig, 0, new int[] {3}, new int[] {6}).i64Add(2, 2, 6));
        f.ret(0, 2);
    }

    private static void f64Loop(ProgramBuilder pb) {
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(F64));
        emitF64Loop(f);
        f.ret(0, 2);
    }

    private static void tupleLoop(ProgramBuilder pb) {
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        f.constI64(2, 0);
        countedLoop(f, 5, b -> b.tupleNew(6, 3, 2).tupleGet(7, 6, 0).tupleGet(8, 6, 1).i64Add(2, 7, 8));
        f.ret(0, 2);
    }
}
