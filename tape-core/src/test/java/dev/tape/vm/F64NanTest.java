package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The NaN rule of f64 add, sub, mul, div and rem ({@link Numerics#nanBits}): a NaN result is the first
 * operand if it is a NaN, else the second, quieted; an invalid operation on numbers gives
 * {@code 0xfff8000000000000}. The expected bits below are worked out by hand from that rule (and
 * agree with the reference's vectors {@code f64_add_1}, {@code f64_add_4}, {@code f64_div_2},
 * {@code f64_rem_5}). Operand order decides even for add and mul, whatever HotSpot does with them:
 * each case also runs in a loop long enough for the interpreter's loop to be JIT-compiled.
 */
public class F64NanTest {
    static final long QA = 0x7ff8_0000_0000_0001L;
    static final long QB = 0xfff8_0000_0000_0002L;
    static final long SA = 0x7ff0_0000_0000_0005L;
    static final long SB = 0xfff0_0000_0000_0007L;
    static final long ONE = 0x3ff0_0000_0000_0000L;
    static final long ZERO = 0L;
    static final long INF = 0x7ff0_0000_0000_0000L;
    static final long DEFAULT = 0xfff8_0000_0000_0000L;

    /**
     * One case: function {@code func} of {@link #program()} applied to {@code a} and {@code b}.
     *
     * @param func the function (0 add, 1 sub, 2 mul, 3 div, 4 rem)
     * @param a the left operand's bits
     * @param b the right operand's bits
     * @param expected the result's bits
     */
    public record Case(int func, long a, long b, long expected) {
        @Override
        public String toString() {
            return OPS[func] + "(" + Long.toHexString(a) + ", " + Long.toHexString(b) + ")";
        }
    }

    private static final Opcode[] OPS = {Opcode.F64_ADD, Opcode.F64_SUB, Opcode.F64_MUL, Opcode.F64_DIV,
        Opcode.F64_REM};

    /** every case, for every operation */
    public static final List<Case> CASES = cases();

    private static List<Case> cases() {
        List<Case> out = new java.util.ArrayList<>();
        for (int op = 0; op < OPS.length; op++) {
            out.add(new Case(op, QA, QB, QA));
            out.add(new Case(op, QB, QA, QB));
            out.add(new Case(op, SA, SB, 0x7ff8_0000_0000_0005L));
            out.add(new Case(op, SB, QA, 0xfff8_0000_0000_0007L));
            out.add(new Case(op, ONE, SB, 0xfff8_0000_0000_0007L));
            out.add(new Case(op, QB, ONE, QB));
            out.add(new Case(op, ONE, QA, QA));
        }
        out.add(new Case(0, INF, INF | Long.MIN_VALUE, DEFAULT));
        out.add(new Case(1, INF, INF, DEFAULT));
        out.add(new Case(2, ZERO, INF, DEFAULT));
        out.add(new Case(2, INF | Long.MIN_VALUE, ZERO, DEFAULT));
        out.add(new Case(3, ZERO, ZERO, DEFAULT));
        out.add(new Case(3, INF, INF, DEFAULT));
        out.add(new Case(4, ONE, ZERO, DEFAULT));
        out.add(new Case(4, INF, ONE, DEFAULT));
        out.add(new Case(0, ONE, ONE, 0x4000_0000_0000_0000L));
        out.add(new Case(4, ONE, INF, ONE));
        // special operands whose result is a number
        out.add(new Case(3, ONE, ZERO, INF));
        out.add(new Case(3, ONE, ZERO | Long.MIN_VALUE, INF | Long.MIN_VALUE));
        out.add(new Case(3, ONE, INF, ZERO));
        out.add(new Case(1, ONE, INF, INF | Long.MIN_VALUE));
        out.add(new Case(2, INF, ONE | Long.MIN_VALUE, INF | Long.MIN_VALUE));
        out.add(new Case(0, INF, INF, INF));
        return List.copyOf(out);
    }

    /**
     * Five functions {@code (a: f64, b: f64, n: i64) -> f64}, one per operation in {@link Case}
     * order; each computes {@code op(a, b)} {@code max(n, 1)} times and returns the last result.
     *
     * @return the program
     */
    public static Program program() {
        ProgramBuilder pb = new ProgramBuilder();
        for (Opcode op : OPS) {
            FunctionBuilder f = pb.addFunction(List.of(F64, F64, I64), List.of(F64));
            Label loop = f.newLabel();
            Label exit = f.newLabel();
            f.constI64(5, 1).constI64(6, 0).jmp(loop);
            f.place(loop).binary(op, 4, 1, 2).i64Add(6, 6, 5).i64Lt(7, 6, 3).br(7, loop, exit);
            f.place(exit).ret(0, 4);
        }
        return pb.build();
    }

    /** @return the arguments of a case's function, looping {@code n} times */
    public static List<Value> args(Case c, long n) {
        return List.of(Value.f64Bits(c.a()), Value.f64Bits(c.b()), Value.i64(n));
    }

    /** @return the bits of the single f64 result in hex, or the results as text if they are not that */
    public static String hex(List<Value> out) {
        return out.size() == 1 && out.get(0) instanceof Value.F64 f ? hex(f.bits()) : String.valueOf(out);
    }

    /** @return the bits in hex */
    public static String hex(long bits) {
        return "0x" + Long.toHexString(bits);
    }

    @Test
    void nanHelperFollowsTheRule() {
        assertEquals(QA, Numerics.nanBits(QA, QB));
        assertEquals(QB, Numerics.nanBits(QB, QA));
        assertEquals(0x7ff8_0000_0000_0005L, Numerics.nanBits(SA, QB));
        assertEquals(0xfff8_0000_0000_0007L, Numerics.nanBits(ZERO, SB));
        assertEquals(DEFAULT, Numerics.nanBits(INF, ONE));
    }

    @Test
    void everyCaseOnceAndInAHotLoop() throws Exception {
        Vm vm = new Vm(Verifier.verify(program()), new HostRegistry());
        for (int round = 0; round < 3; round++) {
            for (Case c : CASES) {
                for (long n : new long[] {1, 20_000}) {
                    List<Value> out = vm.run(c.func(), args(c, n), Limits.DEFAULT);
                    assertEquals(hex(c.expected()), hex(out), c + " n " + n + " round " + round);
                }
            }
        }
    }
}
