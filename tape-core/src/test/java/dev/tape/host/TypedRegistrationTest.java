package dev.tape.host;

import dev.tape.asm.Assembler;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.LinkException;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed {@code register...} methods of {@link HostRegistry}, run through a program. */
class TypedRegistrationTest {
    static final VerifiedProgram PROGRAM = Verifier.verify(Assembler.assemble("""
            host now = "t.now" () -> (i64)
            host neg = "t.neg" (i64) -> (i64)
            host add = "t.add" (i64, i64) -> (i64)
            host sqrt = "t.sqrt" (f64) -> (f64)
            host hypot = "t.hypot" (f64, f64) -> (f64)
            host upper = "t.upper" (str) -> (str)
            host log = "t.log" (str) -> ()

            func ints(a: i64, b: i64) -> (i64, i64, i64) {
                host_call r0, now, r0, [] -> [r3]
                host_call r0, neg, r0, [r1] -> [r4]
                host_call r0, add, r0, [r1, r2] -> [r5]
                ret r0, [r3, r4, r5]
            }
            func floats(a: f64, b: f64) -> (f64, f64) {
                host_call r0, sqrt, r0, [r1] -> [r3]
                host_call r0, hypot, r0, [r1, r2] -> [r4]
                ret r0, [r3, r4]
            }
            func text(s: str) -> (str) {
                host_call r0, upper, r0, [r1] -> [r2]
                host_call r0, log, r0, [r2] -> []
                ret r0, [r2]
            }
            """, "typed.tasm"));

    @Test
    void everyShapeRunsThroughAProgram() {
        List<String> logged = new ArrayList<>();
        HostRegistry host = new HostRegistry()
                .registerLong("t.now", () -> 42)
                .registerLong("t.neg", a -> -a)
                .registerLong("t.add", Math::addExact)
                .registerDouble("t.sqrt", Math::sqrt)
                .registerDouble("t.hypot", Math::hypot)
                .registerString("t.upper", s -> s.toUpperCase())
                .registerConsumer("t.log", logged::add);
        Vm vm = new Vm(PROGRAM, host);
        assertEquals(List.of(Value.of(42), Value.of(-3), Value.of(7)),
                vm.function("ints").call(Value.of(3), Value.of(4)));
        assertEquals(List.of(Value.of(3.0), Value.of(15.0)), vm.function("floats").call(Value.of(9.0), Value.of(12.0)));
        assertEquals(List.of(Value.of("ÉTÉ")), vm.function("text").call(Value.of("été")));
        assertEquals(List.of("ÉTÉ"), logged);
        // what the lambda throws is a host_call_failed trap naming the exception
        Trap t = assertThrows(Trap.class, () -> vm.function("ints").call(Value.of(Long.MAX_VALUE), Value.of(1)));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("t.add", t.hostSymbol());
        assertTrue(t.detail().startsWith("ArithmeticException"), t.detail());
    }

    @Test
    void aTypedRegistrationIsCheckedAgainstTheDeclaredSignatureAtLinkTime() {
        HostRegistry host = new HostRegistry()
                .registerLong("t.now", () -> 42)
                .registerLong("t.neg", (a, b) -> a)          // the program declares (i64) -> (i64)
                .registerLong("t.add", (a, b) -> a + b)
                .registerLong("t.sqrt", a -> a)               // the program declares (f64) -> (f64)
                .registerDouble("t.hypot", Math::hypot)
                .registerString("t.upper", s -> s)
                .registerConsumer("t.log", s -> { });
        LinkException e = assertThrows(LinkException.class, () -> new Vm(PROGRAM, host));
        assertEquals(2, e.problems().size());
        assertEquals("t.neg (i64) -> (i64): signature mismatch, the host offers (i64, i64) -> (i64)",
                e.problems().get(0).describe());
        assertEquals("t.sqrt (f64) -> (f64): signature mismatch, the host offers (i64) -> (i64)",
                e.problems().get(1).describe());
    }

    @Test
    void offeredListsTheSignaturesOfASymbol() {
        HostRegistry host = new HostRegistry().registerLong("a", x -> x).registerDouble("a", x -> x);
        assertEquals(List.of(Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                Signature.of(List.of(ValueType.F64), List.of(ValueType.F64))), host.offered("a"));
        assertEquals(List.of(), host.offered("b"));
        assertThrows(IllegalArgumentException.class, () -> host.registerLong("a", x -> x));
        assertEquals("(i64, i64) -> ()", Signature.of(List.of(ValueType.I64, ValueType.I64), List.of()).toString());
    }

    @Test
    void aNullSymbolSignatureOrFunctionIsRefusedAtRegistration() {
        Signature sig = Signature.of(List.of(ValueType.I64), List.of(ValueType.I64));
        HostFunction fn = (args, results, ctx) -> results[0] = args[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HostRegistry().register(null, sig, fn));
        assertEquals("a host function needs a symbol, a signature and a function; the symbol is null", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HostRegistry().register("a", null, fn))
                .getMessage().endsWith("the signature is null"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new HostRegistry().register("a", sig, (HostFunction) null)).getMessage().endsWith("the function is null"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new HostRegistry().register("a", sig, (HostFunction.Simple) null)).getMessage().endsWith("the function is null"));
        assertThrows(IllegalArgumentException.class, () -> new HostRegistry().registerLong(null, x -> x));
        assertThrows(IllegalArgumentException.class, () -> new HostRegistry().registerWords(null, sig, (WordFunction.Of1) x -> x));
        // nothing was registered by the refusals
        HostRegistry host = new HostRegistry();
        assertThrows(IllegalArgumentException.class, () -> host.register(null, sig, fn));
        assertEquals(List.of(), host.offered("a"));
    }
}
