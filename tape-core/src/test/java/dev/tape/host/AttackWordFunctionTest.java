package dev.tape.host;

import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link WordFunction}'s boxed view ({@link WordFunction#call}) given what its javadoc says it
 * refuses: values that are not words, null values, arrays shorter than its signature; and the
 * exceptions of the function passed through as they are.
 */
class AttackWordFunctionTest {
    static final Signature I1 = Signature.of(List.of(ValueType.I64), List.of(ValueType.BOOL));
    static final Signature W2 = Signature.of(List.of(ValueType.U64, ValueType.F64), List.of(ValueType.F64, ValueType.BOOL));

    @Test
    void theBoxedViewRefusesWhatItsJavadocSays() throws Exception {
        WordFunction one = WordFunction.of(I1, (WordFunction.Of1) a -> a);
        WordFunction arrays = WordFunction.ofArrays(W2, (a, r, c) -> {
            r[0] = a[1];
            r[1] = a[0];
        });
        Value[] out = new Value[1];
        assertThrows(IllegalArgumentException.class, () -> one.call(new Value[] {Value.UNIT}, out, null));
        assertThrows(IllegalArgumentException.class, () -> one.call(new Value[] {Value.str("x")}, out, null));
        assertThrows(NullPointerException.class, () -> one.call(new Value[] {null}, out, null));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> one.call(new Value[0], out, null));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> one.call(new Value[] {Value.i64(1)}, new Value[0],
                null));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> arrays.call(new Value[] {Value.u64(1)},
                new Value[2], null));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> arrays.call(
                new Value[] {Value.u64(1), Value.f64(2)}, new Value[1], null));
        // any word kind passes as its word: a u64 where the signature says i64, a bool result of any word
        one.call(new Value[] {Value.u64(-2L)}, out, null);
        assertEquals(Value.bool(true), out[0]);
        Value[] two = new Value[2];
        arrays.call(new Value[] {Value.u64(Long.MIN_VALUE), Value.f64Bits(0x7ff0000000000001L)}, two, null);
        assertEquals(List.of(Value.f64Bits(0x7ff0000000000001L), Value.bool(true)), List.of(two));
    }

    @Test
    void whatTheFunctionThrowsPassesThrough() {
        WordFunction arity = WordFunction.ofArrays(W2, (a, r, c) -> {
            throw new HostReturnArityException(2, 1);
        });
        Value[] args = {Value.u64(1), Value.f64(2)};
        assertThrows(HostReturnArityException.class, () -> arity.call(args, new Value[2], null));
        WordFunction failed = WordFunction.of(I1, (WordFunction.Of1) a -> {
            throw new HostFailedException("no");
        });
        assertEquals("no", assertThrows(HostFailedException.class,
                () -> failed.call(new Value[] {Value.i64(1)}, new Value[1], null)).getMessage());
    }

    @Test
    void registeringANullSignatureOrFunctionIsRefused() {
        HostRegistry h = new HostRegistry();
        assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", null, (WordFunction.Of1) a -> a));
        assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", null, (WordFunction.Of2) (a, b) -> a));
        assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", null,
                (WordFunction.Of3) (a, b, c) -> a));
        assertThrows(IllegalArgumentException.class, () -> h.registerWordArrays("x", null, (a, r, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", I1, (WordFunction.Of1) null));
        assertThrows(IllegalArgumentException.class, () -> h.registerWordArrays("x", W2, null));
        assertEquals(List.of(), h.offered("x"));
    }
}
