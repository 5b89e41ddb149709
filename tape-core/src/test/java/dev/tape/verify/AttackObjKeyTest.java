package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.asm.Assembler;
import dev.tape.program.ValueType;
import org.junit.jupiter.api.Test;

/**
 * {@code TypeChecker}'s obj type ids keyed by {@code ObjKey}: obj types of one hash code but other
 * host type ids ({@code obj<0>}, {@code obj<2^32 + 1>}, {@code obj<2^64 - 1>} and
 * {@code obj<2^63>}, {@code obj<2^63 + 2^32 + 1>}, ...: {@code Long.hashCode} of each pair is
 * equal) stay distinct types, as the reference keeps them: a program that hands one where the
 * other is declared is refused, at a return, a join and a call, and the same programs with equal
 * ids are accepted.
 */
class AttackObjKeyTest {
    /** Pairs of distinct host type ids of one {@code Long.hashCode}. */
    private static final long[][] PAIRS = {{0L, (1L << 32) | 1L}, {-1L, 0L}, {Long.MIN_VALUE, Long.MIN_VALUE | (1L << 32) | 1L},
        {5L, (7L << 32) | 2L}, {0xFFFF_FFFFL, 0xFFFF_FFFFL << 32}};

    private static String u(long id) {
        return Long.toUnsignedString(id);
    }

    private static void verify(String src) throws Exception {
        Verifier.verify(Assembler.assemble(src, "obj.tasm"));
    }

    /** main returns what {@code env.b} gives, declared as {@code declared}. */
    private static String ret(long got, long declared) {
        return "host b = \"env.b\" () -> (obj<" + u(got) + ">)\n"
                + "func main() -> (obj<" + u(declared) + ">) {\n"
                + "    host_call r0, b, r0, [] -> [r1]\n"
                + "    ret r0, [r1]\n}\n";
    }

    /** r1 is env.a's result on one path and env.b's on the other, then returned as obj<a>. */
    private static String join(long a, long b) {
        return "host a = \"env.a\" () -> (obj<" + u(a) + ">)\n"
                + "host b = \"env.b\" () -> (obj<" + u(b) + ">)\n"
                + "func main(c: bool) -> (obj<" + u(a) + ">) {\n"
                + "    br r1, one, two\n"
                + "one:\n"
                + "    host_call r0, a, r0, [] -> [r2]\n"
                + "    jmp end\n"
                + "two:\n"
                + "    host_call r0, b, r0, [] -> [r2]\n"
                + "    jmp end\n"
                + "end:\n"
                + "    ret r0, [r2]\n}\n";
    }

    /** env.b's result passed to a function taking obj<a>. */
    private static String call(long a, long b) {
        return "host b = \"env.b\" () -> (obj<" + u(b) + ">)\n"
                + "func main() -> () {\n"
                + "    host_call r0, b, r0, [] -> [r1]\n"
                + "    call r0, take, r0, [r1] -> []\n"
                + "    ret r0, []\n}\n"
                + "func take(x: obj<" + u(a) + ">) -> () {\n"
                + "    ret r0, []\n}\n";
    }

    @Test
    void collidingObjTypesStayDistinct() throws Exception {
        for (long[] p : PAIRS) {
            assertEquals(ValueType.obj(p[0]).hashCode(), ValueType.obj(p[1]).hashCode(), u(p[0]) + " " + u(p[1]));
            for (int turn = 0; turn < 2; turn++) {
                long a = p[turn];
                long b = p[1 - turn];
                String what = u(a) + " against " + u(b);
                assertThrows(VerifyException.class, () -> verify(ret(b, a)), what);
                assertThrows(VerifyException.class, () -> verify(join(a, b)), what);
                assertThrows(VerifyException.class, () -> verify(call(a, b)), what);
                verify(ret(a, a));
                verify(join(a, a));
                verify(call(a, a));
            }
        }
    }
}
