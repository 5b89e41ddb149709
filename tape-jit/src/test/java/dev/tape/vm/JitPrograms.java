package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.AggShape;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;

import java.util.List;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.I64;

/**
 * Hand-built programs for the compiled-tier tests, each with the answer it must give worked out
 * here in plain Java (so tests can check the tiers against the right answer, not only against
 * each other).
 */
final class JitPrograms {
    private JitPrograms() {}

    /** The probe host's symbol: {@code (i64) -> (i64)}, charges {@code x mod 3} fuel, returns {@code x + 1}. */
    static final String CHARGE = "probe.charge";

    /** The host of {@link #work()}: {@link #CHARGE}. Stateless, so it may serve many threads. */
    static HostRegistry host() {
        return new HostRegistry().register(CHARGE, Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, results, ctx) -> {
                    long x = ((Value.I64) args[0]).value();
                    ctx.chargeFuel(Math.floorMod(x, 3));
                    results[0] = Value.i64(x + 1);
                });
    }

    /**
     * {@link #work()} and where its division is.
     *
     * @param program the program
     * @param divPc the byte pc of the {@code i64.div} in function 0
     * @param divSpan the span in force there
     */
    record Work(Program program, int divPc, long divSpan) {}

    /**
     * {@code main(n: i64, d: i64) -> (i64, agg)}: a loop of {@code n} turns whose body calls a
     * helper (with a branch), calls the {@link #CHARGE} host (which charges fuel), builds a tuple
     * and projects from it, divides 100 by {@code d - i} in the middle of a block (so
     * {@code d} in {@code [0, n)} traps {@code div_by_zero} with instructions of its block left
     * unrun), and calls a closure through {@code call.indirect}. It returns the sum and the
     * tuple {@code (sum, n)}. Every part has its own span. See {@link #workSum} for the answer.
     */
    static Work work() {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64, I64), List.of(I64, AGG));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        int adder = pb.declareFunction(List.of(AGG, I64), List.of(I64));
        pb.functionName(main, "main");
        pb.functionName(helper, "helper");
        pb.functionName(adder, "adder");
        pb.argShape(adder, 0, new AggShape.Tuple(List.of(I64)));
        int sig = pb.callSig(List.of(I64), List.of(I64));
        int charge = pb.hostSig(CHARGE, List.of(I64), List.of(I64));

        FunctionBuilder f = pb.function(main);
        Label head = f.newLabel();
        Label body = f.newLabel();
        Label exit = f.newLabel();
        f.span(1).constI64(3, 0).constI64(4, 0).constI64(5, 1).constI64(11, 100).constFunc(14, adder).jmp(head);
        f.place(head).span(2).i64Lt(6, 4, 1).br(6, body, exit);
        f.place(body).span(3)
                .call(0, helper, 0, new int[] {4}, new int[] {7})
                .i64Add(3, 3, 7)
                .hostCall(0, charge, 0, new int[] {4}, new int[] {8})
                .i64Add(3, 3, 8)
                .tupleNew(9, 3, 4).tupleGet(10, 9, 0).i64Add(3, 10, 4)
                .span(4).i64Sub(12, 2, 4);
        int divPc = f.pc();
        f.i64Div(13, 11, 12).i64Add(3, 3, 13)
                .span(5).tupleNew(15, 4).closureNew(16, 14, 15)
                .callIndirect(0, sig, 16, 0, new int[] {3}, new int[] {17})
                .i64Add(3, 17, 5)
                .i64Add(4, 4, 5).jmp(head);
        f.place(exit).span(6).tupleNew(18, 3, 1).ret(0, 3, 18);

        FunctionBuilder h = pb.function(helper);
        Label small = h.newLabel();
        Label big = h.newLabel();
        h.span(7).constI64(2, 2).i64Mul(3, 1, 2).constI64(4, 1).i64Add(5, 3, 4).constI64(6, 3).i64Lt(7, 1, 6)
                .br(7, small, big);
        h.place(small).ret(0, 5);
        h.place(big).span(8).mov(8, 5).ret(0, 8);

        pb.function(adder).span(9).tupleGet(3, 1, 0).i64Add(4, 2, 3).ret(0, 4);
        return new Work(pb.build(), divPc, 4);
    }

    /**
     * @return what {@link #work()} returns for {@code n} and {@code d}, or null when it traps
     *     {@code div_by_zero}
     */
    static Long workSum(long n, long d) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += 2 * i + 1;
            sum += i + 1;
            sum += i;
            if (d - i == 0) {
                return null;
            }
            sum += 100 / (d - i);
            sum = sum + i + 1;
        }
        return sum;
    }

    /** @return the fuel {@link #work()}'s host calls charge for {@code n} and {@code d} (those made) */
    static long workCharges(long n, long d) {
        long c = 0;
        for (long i = 0; i < n; i++) {
            c += i % 3;
            if (d - i == 0) {
                break;
            }
        }
        return c;
    }

    /** What the bottom frame of {@link #countdown} does. */
    enum Bottom {
        /** returns 0 */
        RETURN,
        /** divides by zero: the run traps with every frame on the stack */
        TRAP,
        /** calls the host {@code probe.depth}, then returns 0 */
        HOST
    }

    /** The host {@link #countdown} calls at its bottom frame with {@link Bottom#HOST}: {@code () -> ()}. */
    static final String DEPTH = "probe.depth";

    /** @return a host for {@link #countdown}'s {@link #DEPTH} that does nothing */
    static HostRegistry depthHost() {
        return new HostRegistry().register(DEPTH, Signature.of(List.of(), List.of()),
                (HostFunction) (args, results, ctx) -> { });
    }

    /**
     * {@code down(n: i64) -> i64}: {@code n == 0 ? 0 : down(n - 1) + 1}, so it returns n and
     * recurses n frames deep (n + 1 frames in all). Each frame above the bottom runs 8
     * instructions (const, eq, br, const, sub, call, add, ret; with {@code indirect}, a
     * {@code const.func} and {@code call.indirect} on itself instead of the call: 9); the bottom
     * runs 4 (const, eq, br, ret), or traps at its 4th, or with a host call runs 5.
     *
     * @param callPc receives the byte pc of the recursive call
     */
    static Program countdown(boolean indirect, Bottom bottom, int[] callPc) {
        ProgramBuilder pb = new ProgramBuilder();
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        pb.functionName(down, "down");
        int sig = pb.callSig(List.of(I64), List.of(I64));
        int probe = pb.hostSig(DEPTH, List.of(), List.of());
        FunctionBuilder f = pb.function(down);
        Label base = f.newLabel();
        Label rec = f.newLabel();
        f.span(1).constI64(2, 0).i64Eq(3, 1, 2).br(3, base, rec);
        f.place(base).span(2);
        if (bottom == Bottom.TRAP) {
            f.i64Div(8, 1, 2);
        } else if (bottom == Bottom.HOST) {
            f.hostCall(0, probe, 0, new int[0], new int[0]);
        }
        f.ret(0, 2);
        f.place(rec).span(3).constI64(4, 1).i64Sub(5, 1, 4);
        if (indirect) {
            f.constFunc(10, down);
            callPc[0] = f.pc();
            f.callIndirect(0, sig, 10, 0, new int[] {5}, new int[] {6});
        } else {
            callPc[0] = f.pc();
            f.call(0, down, 0, new int[] {5}, new int[] {6});
        }
        f.i64Add(7, 6, 4).ret(0, 7);
        return pb.build();
    }

    /**
     * A program of functions {@code f_k(x: i64) -> i64} of {@code k} straight-line additions each
     * ({@code acc = acc + x}, so {@code f_k(x) = k * x}), for each k of {@code sizes}, and an entry
     * {@code main(x: i64) -> i64} (function 0) that calls each directly and through
     * {@code call.indirect} and returns the sum of all results. Function {@code 1 + j} has
     * {@code sizes[j]} additions; with {@code callBack}, each also calls {@code main}'s small
     * helper {@code twice} (the last function) once, which is compiled even where the caller is
     * not, and adds its result (2x).
     */
    static Program straightLine(int[] sizes, boolean callBack) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int[] ids = new int[sizes.length];
        for (int j = 0; j < sizes.length; j++) {
            ids[j] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        int twice = pb.declareFunction(List.of(I64), List.of(I64));
        int sig = pb.callSig(List.of(I64), List.of(I64));
        FunctionBuilder m = pb.function(main);
        m.constI64(2, 0);
        for (int j = 0; j < sizes.length; j++) {
            m.call(0, ids[j], 0, new int[] {1}, new int[] {3}).i64Add(2, 2, 3);
            m.constFunc(4, ids[j]).callIndirect(0, sig, 4, 0, new int[] {1}, new int[] {3}).i64Add(2, 2, 3);
        }
        m.ret(0, 2);
        for (int j = 0; j < sizes.length; j++) {
            FunctionBuilder f = pb.function(ids[j]);
            f.constI64(2, 0);
            for (int k = 0; k < sizes[j]; k++) {
                f.i64Add(2, 2, 1);
            }
            if (callBack) {
                f.call(0, twice, 0, new int[] {1}, new int[] {3}).i64Add(2, 2, 3);
            }
            f.ret(0, 2);
        }
        pb.function(twice).i64Add(2, 1, 1).ret(0, 2);
        return pb.build();
    }

    /** @return what {@link #straightLine} returns for x */
    static long straightLineSum(int[] sizes, boolean callBack, long x) {
        long sum = 0;
        for (int k : sizes) {
            sum += 2 * ((long) k * x + (callBack ? 2 * x : 0));
        }
        return sum;
    }
}
