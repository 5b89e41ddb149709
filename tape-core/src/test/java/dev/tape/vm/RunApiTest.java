package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostRegistry;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Function handles by name, null limits, and traps of other runs met inside a run. */
class RunApiTest {
    /** {@link SnapshotPrograms#FIB} and a function 1 that traps. */
    static final VerifiedProgram FIB = Verifier.verify(Assembler.assemble(SnapshotPrograms.FIB + """
            func boom() -> () {
                trap 7
            }
            """, "fib.tasm"));

    @Test
    void functionHandlesByName() {
        Vm vm = new Vm(FIB, Host.NONE);
        FunctionHandle fib = vm.function("fib");
        assertEquals(0, fib.id());
        assertEquals("fib", fib.name());
        assertEquals("fib (i64) -> (i64)", fib.toString());
        assertEquals(List.of(Value.of(6765)), fib.call(Value.of(20)));
        Trap fuel = assertThrows(Trap.class, () -> fib.call(Limits.of(100, 100, 0), Value.of(20)));
        assertEquals(TrapKind.FUEL_EXCEEDED, fuel.kind());
        Trap arity = assertThrows(Trap.class, () -> fib.call());
        assertEquals(TrapKind.ARITY_MISMATCH, arity.kind());
        assertEquals(1, vm.function("boom").id());
        assertEquals(1, vm.function(1).id());
    }

    @Test
    void aMissingFunctionNameIsAClearError() {
        Vm vm = new Vm(FIB, Host.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vm.function("nope"));
        assertEquals("the program has no function named \"nope\" (it has fib, boom)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vm.function(2));
        assertThrows(IllegalArgumentException.class, () -> vm.function(-1));
        assertEquals(-1, vm.functionId("nope"));
    }

    @Test
    void nullLimitsAreAnIllegalArgumentNotANullPointer() {
        Vm vm = new Vm(FIB, Host.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vm.run(0, List.of(Value.of(1)), null));
        assertTrue(e.getMessage().contains("limits"));
        assertThrows(IllegalArgumentException.class, () -> vm.run(null, 0, List.of(Value.of(1)), Limits.DEFAULT, null));
        assertThrows(IllegalArgumentException.class, () -> vm.function("fib").call((Limits) null, Value.of(1)));
    }

    @Test
    void anotherRunsTrapLetOutOfATraceSinkIsAnInternalError() {
        Vm vm = new Vm(FIB, Host.NONE);
        TraceSink sink = new TraceSink() {
            @Override
            public void callEnter(int func, int depth) {
                vm.run(1, List.of(), Limits.DEFAULT); // traps trap_code 7; Trap is unchecked now
            }
        };
        Trap t = assertThrows(Trap.class, () -> vm.run(new ExecutionContext(), 0, List.of(Value.of(3)),
                Limits.DEFAULT, sink));
        assertEquals(TrapKind.INTERNAL_ERROR, t.kind());
        assertTrue(t.detail().startsWith("Trap: "), t.detail());
    }

    @Test
    void anotherRunsTrapInAHostFunctionIsAHostCallFailure() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble("""
                host nested = "app.nested" (i64) -> (i64)
                func main(a: i64) -> (i64) {
                    host_call r0, nested, r0, [r1] -> [r2]
                    ret r0, [r2]
                }
                """, "nested.tasm"));
        Vm inner = new Vm(FIB, Host.NONE);
        HostRegistry host = new HostRegistry().registerLong("app.nested", a -> {
            inner.run(1, List.of(), Limits.DEFAULT);
            return a;
        });
        Trap t = assertThrows(Trap.class, () -> new Vm(p, host).run(0, List.of(Value.of(1)), Limits.DEFAULT));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("app.nested", t.hostSymbol());
        assertTrue(t.detail().startsWith("in nested run (depth 1): trap: trap_code(7) at 1 (boom)"), t.detail());
    }

    /**
     * Runs nested through a host function that throws the nested run's trap on, {@code levels}
     * deep, the innermost trapping {@code trap_code(7)}: the outermost trap says the nesting once,
     * with its depth and the innermost trap's words, whatever the depth.
     */
    private static Trap chain(int levels) {
        VerifiedProgram p = Verifier.verify(Assembler.assemble("""
                host nested = "app.nested" (i64) -> (i64)
                func main(a: i64) -> (i64) {
                    host_call r0, nested, r0, [r1] -> [r2]
                    ret r0, [r2]
                }
                """, "nested.tasm"));
        Vm inner = new Vm(FIB, Host.NONE);
        Vm[] self = new Vm[1];
        HostRegistry host = new HostRegistry().registerLong("app.nested", a -> {
            if (a <= 1) {
                inner.run(1, List.of(), Limits.DEFAULT);
            } else {
                // each level's own context: the caller's is in use
                self[0].run(new ExecutionContext(), 0, List.of(Value.of(a - 1)), Limits.DEFAULT, null);
            }
            return a;
        });
        self[0] = new Vm(p, host);
        return assertThrows(Trap.class, () -> self[0].run(0, List.of(Value.of(levels)), Limits.DEFAULT));
    }

    @Test
    void aTrapThrownOnThroughNestedRunsSaysTheNestingOnce() {
        String innermost = "trap: trap_code(7) at 1 (boom) pc 0 span none: trap instruction";
        for (int levels : new int[] {1, 2, 3, Vm.MAX_RUN_NESTING - 1}) {
            Trap t = chain(levels);
            assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
            assertEquals("app.nested", t.hostSymbol());
            assertEquals("in nested run (depth " + levels + "): " + innermost, t.detail(), levels + " levels");
            assertEquals("trap: host_call_failed at 0 (main) pc 0 span none host app.nested: " + t.detail(),
                    t.getMessage());
        }
        // one level more: the innermost run (the 65th) refused, said once too
        Trap t = chain(Vm.MAX_RUN_NESTING);
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("in nested run (depth " + Vm.MAX_RUN_NESTING + "): trap: call_depth_exceeded at 1 (boom) pc 0"
                + " span none: runs nested through host functions on this thread would be 65 deep; the limit is 64",
                t.detail());
    }

    /** A host's own trap whose words look like a nesting's: depth taken only from a number that fits. */
    @Test
    void aDetailThatOnlyLooksNestedIsTakenWhole() {
        for (String d : new String[] {"in nested run (depth x): a", "in nested run (depth 99999999999): a",
                "in nested run (depth 0): a", "in nested run (depth 2147483647): a", "in nested run (depth 3)"}) {
            Trap forged = new Trap(TrapKind.HOST_CALL_FAILED, 0, 0, null, 0, Trap.NO_SPAN, "h", 0, d, List.of(), 0);
            assertEquals("in nested run (depth 1): " + forged.getMessage(), forged.hostCallDetail(), d);
            assertEquals(forged.hostCallDetail(), HostFailedException.detailOf(forged), d);
        }
        Trap forged = new Trap(TrapKind.HOST_CALL_FAILED, 0, 0, null, 0, Trap.NO_SPAN, "h", 0,
                "in nested run (depth 41): a", List.of(), 0);
        assertEquals("in nested run (depth 42): a", forged.hostCallDetail());
        assertEquals("in nested run (depth 42): a", HostFailedException.detailOf(forged));
        Trap other = new Trap(TrapKind.DIV_BY_ZERO, 0, 0, null, 0, Trap.NO_SPAN, null, 0,
                "in nested run (depth 41): a", List.of(), 0);
        assertEquals("in nested run (depth 1): " + other.getMessage(), other.hostCallDetail());
        assertEquals("in nested run (depth 1): " + other.getMessage(), HostFailedException.detailOf(other));
    }
}
