package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
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
        assertTrue(t.detail().startsWith("Trap: trap: trap_code(7) at 1 (boom)"), t.detail());
    }
}
