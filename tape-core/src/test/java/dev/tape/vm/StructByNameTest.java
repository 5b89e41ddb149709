package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Struct types found by their field names, and structs crossing the host boundary: a struct a
 * host returns is an {@code agg} of unknown shape to the verifier (as in the reference), so a
 * program reads it through a function whose argument declares the shape.
 */
class StructByNameTest {
    static final String SOURCE = """
            struct Point = { x: i64, y: i64 }
            struct Stats = { min: i64, max: i64 }
            array ints = i64
            host stats = "app.stats" (i64, i64) -> (agg)

            func spread(a: i64, b: i64) -> (i64) {
                host_call r0, stats, r0, [r1, r2] -> [r3]
                call r0, width, r0, [r3] -> [r4]
                ret r0, [r4]
            }
            func width(s: agg struct Stats) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                i64.sub r4, r3, r2
                ret r0, [r4]
            }
            """;

    @Test
    void structTypesAreFoundByFieldNames() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(SOURCE, "structs.tasm"));
        TypeTable types = p.program().types();
        assertEquals(1, types.structId("min", "max"));
        assertEquals(0, types.structId("x", "y"));
        assertEquals(List.of("min", "max"), types.fieldNames(1));
        assertEquals(1, types.fieldIndex(1, "max"));
        assertEquals(0, types.arrayElemId(ValueType.I64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> types.structId("lo", "hi"));
        assertEquals("the program has no struct type with fields [lo, hi]; its struct types are: @0 [x, y], "
                + "@1 [min, max]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> types.structId("max", "min"));
        assertThrows(IllegalArgumentException.class, () -> types.fieldIndex(1, "avg"));
        assertThrows(IllegalArgumentException.class, () -> types.arrayElemId(ValueType.STR));
    }

    @Test
    void twoStructTypesWithTheSameFieldNamesAreAmbiguous() {
        TypeTable types = Verifier.verify(Assembler.assemble("""
                struct A = { x: i64 }
                struct B = { x: f64 }
                """, "dup.tasm")).program().types();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> types.structId("x"));
        assertEquals("struct types [0, 1] all have fields [x]: use a type id", e.getMessage());
    }

    @Test
    void aHostReturnsAStructByNameAndTheProgramReadsItThroughAShapedArgument() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(SOURCE, "structs.tasm"));
        int stats = p.program().types().structId("min", "max");
        HostRegistry host = new HostRegistry().register("app.stats",
                Signature.of(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.AGG)),
                (HostFunction.Simple) a -> new Value[] {Value.struct(stats,
                        Value.of(Math.min(a[0].asLong(), a[1].asLong())), Value.of(Math.max(a[0].asLong(), a[1].asLong())))});
        Vm vm = new Vm(p, host);
        assertEquals(List.of(Value.of(7)), vm.function("spread").call(Value.of(9), Value.of(2)));
        Aggregate s = Value.struct(stats, Value.of(1), Value.of(5));
        assertEquals(List.of(Value.of(4)), vm.function("width").call(s));
    }

    @Test
    void readingAHostResultStructDirectlyIsRefusedAsTheReferenceRefusesIt() {
        // the host signature says only "agg": struct.get gives a value of unknown type, which the
        // verifier refuses where a typed value is needed (the reference's UnknownTypeAtUse)
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(Assembler.assemble("""
                struct Stats = { min: i64, max: i64 }
                host stats = "app.stats" (i64, i64) -> (agg)
                func direct(a: i64, b: i64) -> (i64) {
                    host_call r0, stats, r0, [r1, r2] -> [r3]
                    struct.get r4, r3, 0
                    ret r0, [r4]
                }
                """, "direct.tasm")));
        assertEquals("UnknownTypeAtUse", e.kind());
    }
}
