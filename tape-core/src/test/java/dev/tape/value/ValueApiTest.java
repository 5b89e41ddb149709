package dev.tape.value;

import dev.tape.program.ValueType;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Typed accessors, factories and {@code toString} of {@link Value}. */
class ValueApiTest {
    @Test
    void accessorsReturnTheValue() {
        assertEquals(5L, Value.of(5).asLong());
        assertEquals(-1L, Value.u64(-1).asUnsignedLong());
        assertEquals(true, Value.of(true).asBoolean());
        assertEquals(2.5, Value.of(2.5).asDouble());
        assertEquals(new BigDecimal("12.34"), Value.decimal(1234, 2).asDecimal());
        assertEquals("héllo", Value.of("héllo").asString());
        assertArrayEquals(new byte[] {1, 2}, Value.bytes(new byte[] {1, 2}).asBytes());
        assertEquals(3, Value.func(3).asFunction());
        Aggregate t = Value.tuple(Value.of(1), Value.of("a"));
        assertEquals(t, t.asAggregate());
    }

    @Test
    void aWrongKindNamesTheActualType() {
        ClassCastException e = assertThrows(ClassCastException.class, () -> Value.of("5").asLong());
        assertEquals("expected i64, the value is str", e.getMessage());
        assertEquals("expected str, the value is i64",
                assertThrows(ClassCastException.class, () -> Value.of(5).asString()).getMessage());
        assertEquals("expected u64, the value is i64",
                assertThrows(ClassCastException.class, () -> Value.of(5).asUnsignedLong()).getMessage());
        assertEquals("expected f64, the value is obj<7>",
                assertThrows(ClassCastException.class, () -> new Value.Obj(7, 1).asDouble()).getMessage());
        assertEquals("expected agg, the value is unit",
                assertThrows(ClassCastException.class, () -> Value.UNIT.asAggregate()).getMessage());
        assertThrows(ClassCastException.class, () -> Value.of(1).asBoolean());
        assertThrows(ClassCastException.class, () -> Value.of(1).asBytes());
        assertThrows(ClassCastException.class, () -> Value.of(1).asDecimal());
        assertThrows(ClassCastException.class, () -> Value.of(1).asFunction());
    }

    @Test
    void factoriesCopyWhatTheyAreGiven() {
        Value[] elems = {Value.of(1), Value.of(2)};
        Aggregate t = Value.tuple(elems);
        elems[0] = Value.of(99);
        assertEquals(Value.of(1), t.get(0));
        byte[] raw = {1, 2, 3};
        Value.Bytes b = Value.bytes(raw);
        raw[0] = 9;
        assertEquals(1, b.get(0));
        byte[] out = b.asBytes();
        out[1] = 9;
        assertEquals(2, b.get(1));
        Aggregate s = Value.struct(2, Value.of(1), Value.of(2));
        assertEquals(Aggregate.Kind.STRUCT, s.aggKind());
        assertEquals(2, s.typeId());
        Aggregate a = Value.array(0, Value.of(1), Value.of(2));
        assertEquals(Aggregate.Kind.ARRAY, a.aggKind());
        assertEquals(List.of(Value.of(1), Value.of(2)), a.elements());
        assertThrows(IllegalArgumentException.class, () -> Value.array(0, Value.of(1), Value.of("x")));
        assertThrows(IllegalArgumentException.class, () -> Value.struct(-1));
        assertThrows(IllegalArgumentException.class, () -> Value.tuple(Value.of(1), null));
    }

    @Test
    void toStringIsTheValueLiteralForEveryKind() {
        List<Value> all = List.of(Value.UNIT, Value.of(true), Value.of(-5), Value.u64(-1), Value.of(1.5),
                Value.f64Bits(0x7ff8000000000001L), Value.decimal(-1234, 2), Value.bytes(new byte[] {0, (byte) 0xff}),
                Value.of("a \"q\"\n"), new Value.Obj(7, 9), Value.func(3),
                new Value.Closure(1, Value.tuple(Value.of(1))), Value.tuple(Value.of(1), Value.of("x")),
                Value.struct(0, Value.of(2)), Value.array(1, Value.of(1.5)));
        for (Value v : all) {
            String s = v.toString();
            assertEquals(ValueLiteral.format(v), s);
            assertEquals(v, ValueLiteral.parse(s), s);
        }
        assertEquals("i64:-5", Value.of(-5).toString());
        assertEquals("bool:true", Value.of(true).toString());
        assertEquals("str:\"hi\"", Value.of("hi").toString());
    }

    @Test
    void typesOfTheFactories() {
        assertEquals(ValueType.I64, Value.of(1L).type());
        assertEquals(ValueType.F64, Value.of(1.0).type());
        assertEquals(ValueType.BOOL, Value.of(false).type());
        assertEquals(ValueType.STR, Value.of("").type());
    }

    @Test
    void noPublicWayToReachOrHandOverAValuesArrays() throws Exception {
        assertEquals(0, Aggregate.class.getConstructors().length);
        for (Class<?> c : List.of(Value.Bytes.class, Value.Str.class, Aggregate.class)) {
            for (java.lang.reflect.Method m : c.getMethods()) {
                if (m.getReturnType().isArray()) {
                    // every public array getter returns a copy
                    assertTrue(List.of("toByteArray", "toUtf8", "asBytes").contains(m.getName()), c + "." + m.getName());
                }
                if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == byte[].class) {
                    assertEquals("fromUtf8", m.getName(), c + "." + m.getName());
                }
            }
        }
        byte[] utf8 = {'a', 'b'};
        Value.Str s = Value.Str.fromUtf8(utf8);
        utf8[0] = 'z';
        s.toUtf8()[1] = 'z';
        assertEquals("ab", s.asString());
        // the no-copy accessor refuses callers outside the VM and the verifier
        IllegalCallerException e = null;
        try {
            ValueInternals.get(MethodHandles.lookup());
        } catch (IllegalCallerException x) {
            e = x;
        }
        assertTrue(e != null && e.getMessage().contains("dev.tape.value.ValueApiTest may not use it"), String.valueOf(e));
    }

    @Test
    void internalsRefuseALookupMovedIntoTheVmPackage() throws ClassNotFoundException {
        // a lookup of this class moved to a class of dev.tape.vm (Lookup.in), the public lookup
        // moved there, or a private lookup in it (privateLookupIn, where the module system allows
        // one: on the class path it has full privilege access) names an allowed package but is not
        // the class's own: refused
        Class<?> vm = Class.forName("dev.tape.vm.Texts");
        List<MethodHandles.Lookup> lookups = new ArrayList<>(List.of(MethodHandles.lookup().in(vm),
                MethodHandles.publicLookup().in(vm)));
        try {
            lookups.add(MethodHandles.privateLookupIn(vm, MethodHandles.lookup()));
        } catch (IllegalAccessException x) {
            // a named module that does not open dev.tape.vm: no such lookup can be made at all
        }
        for (MethodHandles.Lookup moved : lookups) {
            IllegalCallerException e = null;
            try {
                ValueInternals.get(moved);
            } catch (IllegalCallerException x) {
                e = x;
            }
            assertTrue(e != null && e.getMessage().contains("dev.tape.vm.Texts (through a lookup that is not its own)"),
                    String.valueOf(e));
        }
    }
}
