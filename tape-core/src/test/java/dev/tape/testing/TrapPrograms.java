package dev.tape.testing;

import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.vm.Trap;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * Programs for traps at span ids across the whole unsigned 64-bit range and at any depth, shared
 * by the interpreter's and the compiled tier's tests.
 */
public final class TrapPrograms {
    private TrapPrograms() {}

    /** 2^63, the smallest span id that is negative as a {@code long}. */
    public static final long SPAN_2_63 = Long.MIN_VALUE;
    /** 2^64-1, the largest span id. */
    public static final long SPAN_MAX = -1L;
    /** The span of {@link #deep}'s entry to {@code down}, before its branch. */
    public static final long SPAN_DOWN = 5;

    /**
     * {@code main(n: i64) -> i64} (function 0, no span anywhere) returns {@code down(n)};
     * {@code down(n)} (function 1) is {@code n == 0 ? bottom : down(n - 1) + 1} where its entry is
     * under span {@link #SPAN_DOWN}, its recursive call under {@link #SPAN_MAX} (2^64-1), and its
     * bottom under {@link #SPAN_2_63} (2^63). The bottom divides 0 by 0 (a trap with n + 2 frames:
     * the bottom, n calls of {@code down}, {@code main}) or returns 0. Each frame of {@code down}
     * holds a string in a register, so reused contexts can be checked for stale references.
     *
     * @param trap whether the bottom traps
     * @return the program and where its frames stand
     */
    public static Deep deep(boolean trap) {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        pb.functionName(main, "main");
        pb.functionName(down, "down");
        int str = pb.constant(new Constant.Str("a value of the run"));
        FunctionBuilder m = pb.function(main);
        int mainCall = m.pc();
        m.call(0, down, 0, new int[] {1}, new int[] {2}).ret(0, 2);
        FunctionBuilder f = pb.function(down);
        FunctionBuilder.Label base = f.newLabel();
        FunctionBuilder.Label rec = f.newLabel();
        f.span(SPAN_DOWN).constPool(7, str).constI64(2, 0).i64Eq(3, 1, 2).br(3, base, rec);
        f.place(base).span(SPAN_2_63);
        int bottom = f.pc();
        if (trap) {
            f.i64Div(4, 1, 2).ret(0, 4);
        } else {
            f.ret(0, 2);
        }
        f.place(rec).constI64(4, 1).i64Sub(5, 1, 4).span(SPAN_MAX);
        int downCall = f.pc();
        f.call(0, down, 0, new int[] {5}, new int[] {6}).i64Add(6, 6, 4).ret(0, 6);
        return new Deep(pb.build(), mainCall, downCall, bottom);
    }

    /**
     * {@link #deep}'s program and the byte pcs of its frames.
     *
     * @param program the program
     * @param mainCall the pc of {@code main}'s call
     * @param downCall the pc of {@code down}'s recursive call
     * @param bottom the pc of the bottom's division (or return)
     */
    public record Deep(Program program, int mainCall, int downCall, int bottom) {
        /**
         * @param n the argument of {@code main}
         * @return the whole call stack of the trap {@code main(n)} raises, innermost first
         */
        public List<Trap.Frame> wholeStack(int n) {
            List<Trap.Frame> out = new ArrayList<>();
            out.add(new Trap.Frame(1, "down", bottom, SPAN_2_63));
            for (int i = 0; i < n; i++) {
                out.add(new Trap.Frame(1, "down", downCall, SPAN_MAX));
            }
            out.add(new Trap.Frame(0, "main", mainCall, Trap.NO_SPAN));
            return out;
        }

        /**
         * @param n the argument of {@code main}
         * @return what {@link Trap#stack()} holds for that trap: the whole stack, or its innermost
         *     and outermost {@link Trap#STACK_EDGE} frames
         */
        public List<Trap.Frame> keptStack(int n) {
            List<Trap.Frame> all = wholeStack(n);
            if (all.size() <= 2 * Trap.STACK_EDGE) {
                return all;
            }
            List<Trap.Frame> out = new ArrayList<>(all.subList(0, Trap.STACK_EDGE));
            out.addAll(all.subList(all.size() - Trap.STACK_EDGE, all.size()));
            return out;
        }
    }
}
