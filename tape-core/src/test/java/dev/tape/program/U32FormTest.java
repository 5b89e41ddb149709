package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The one form of a declared u32 value ({@link U32}: its 32 bits in an {@code int}) that
 * {@link Function}'s counts share with {@link HostSig} and {@link AggShape}: at 0, 2^31-1, 2^31 and
 * 2^32-1 each gives the value as declared and as kept (2^31-1 from 2^31 on), and two functions
 * whose counts differ only above 2^31-1 are not equal (their kept counts are).
 */
class U32FormTest {
    private static final long[] EDGES = {0, Integer.MAX_VALUE, 1L << 31, (1L << 32) - 1};

    @Test
    void everyHolderGivesTheDeclaredAndTheKeptValueAtTheEdges() {
        FunctionSig sig = FunctionSig.of(List.of(), List.of());
        for (long v : EDGES) {
            int kept = (int) Math.min(v, Integer.MAX_VALUE);
            Function f = Function.declared(v, v, v, new byte[0], List.of(), sig);
            assertEquals(List.of(v, v, v), List.of(f.declaredArgCount(), f.declaredRetCount(), f.declaredRegCount()));
            assertEquals(List.of(kept, kept, kept), List.of(f.argCount(), f.retCount(), f.regCount()));
            HostSig h = HostSig.declared(v, 0, List.of(), List.of());
            assertEquals(v, h.declaredSymbolId());
            assertEquals(kept, h.symbolId());
            AggShape.Struct s = AggShape.Struct.declared(v);
            AggShape.Array a = AggShape.Array.declared(v);
            assertEquals(List.of(v, v), List.of(s.declaredTypeId(), a.declaredElemTypeId()));
            assertEquals(List.of(kept, kept), List.of(s.typeId(), a.elemTypeId()));
            AggShape.ArgShape arg = AggShape.ArgShape.declared(0, v, s);
            assertEquals(v, arg.declaredArg());
            assertEquals(Math.min(kept, Integer.MAX_VALUE - 1), arg.arg());
        }
    }

    @Test
    void valuesOutsideU32AreRefusedEverywhere() {
        FunctionSig sig = FunctionSig.of(List.of(), List.of());
        for (long bad : new long[] {-1, Long.MIN_VALUE, 1L << 32, Long.MAX_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> Function.declared(bad, 0, 1, new byte[0], List.of(), sig));
            assertThrows(IllegalArgumentException.class, () -> Function.declared(0, bad, 1, new byte[0], List.of(), sig));
            assertThrows(IllegalArgumentException.class, () -> Function.declared(0, 0, bad, new byte[0], List.of(), sig));
            assertThrows(IllegalArgumentException.class, () -> HostSig.declared(bad, 0, List.of(), List.of()));
            assertThrows(IllegalArgumentException.class, () -> AggShape.Struct.declared(bad));
            assertThrows(IllegalArgumentException.class, () -> AggShape.Array.declared(bad));
            assertThrows(IllegalArgumentException.class,
                    () -> AggShape.ArgShape.declared(0, bad, new AggShape.Struct(1)));
        }
        // the int constructor takes counts, not u32 bits: a negative one is refused
        assertThrows(IllegalArgumentException.class, () -> new Function(-1, 0, 1, new byte[0], List.of(), sig));
        assertThrows(IllegalArgumentException.class, () -> new Function(0, 0, -1, new byte[0], List.of(), sig));
    }

    /**
     * Each refusal names the field as the spec (and, for section 11, the reference's format notes)
     * names it, as the decoder's messages do ({@code has_arg_names}, {@code has_program_name}).
     */
    @Test
    void refusalsNameTheSpecsField() {
        FunctionSig sig = FunctionSig.of(List.of(), List.of());
        long bad = 1L << 32;
        assertMessage("arg_count 4294967296 is not a u32",
                () -> Function.declared(bad, 0, 1, new byte[0], List.of(), sig));
        assertMessage("ret_count 4294967296 is not a u32",
                () -> Function.declared(0, bad, 1, new byte[0], List.of(), sig));
        assertMessage("reg_count -1 is not a u32", () -> Function.declared(0, 0, -1, new byte[0], List.of(), sig));
        assertMessage("symbol_id 4294967296 is not a u32", () -> HostSig.declared(bad, 0, List.of(), List.of()));
        assertMessage("type_id 4294967296 is not a u32", () -> AggShape.Struct.declared(bad));
        assertMessage("elem_type_id 4294967296 is not a u32", () -> AggShape.Array.declared(bad));
        assertMessage("arg 4294967296 is not a u32", () -> AggShape.ArgShape.declared(0, bad, new AggShape.Struct(1)));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void functionsDifferingOnlyAbove2To31AreNotEqual() {
        FunctionSig sig = FunctionSig.of(List.of(), List.of());
        Function low = Function.declared(0, 0, 1L << 31, new byte[] {0}, List.of(), sig);
        Function high = Function.declared(0, 0, (1L << 32) - 1, new byte[] {0}, List.of(), sig);
        assertEquals(low.regCount(), high.regCount());
        assertNotEquals(low, high);
        assertEquals(high, Function.declared(0, 0, (1L << 32) - 1, new byte[] {0}, List.of(), sig));
        assertEquals(high.hashCode(), Function.declared(0, 0, (1L << 32) - 1, new byte[] {0}, List.of(), sig).hashCode());
        assertEquals(new Function(0, 0, 5, new byte[] {0}, List.of(), sig),
                Function.declared(0, 0, 5, new byte[] {0}, List.of(), sig));
    }
}
