package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.ConformanceHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where fuel runs out and where calls trap, at the boundaries the conformance vectors leave out,
 * with the expected function, pc and span read off the reference's interpreter (execution_tape
 * vm.rs, {@code run_body}), on both tiers:
 * <ul>
 *   <li>Fuel: the loop checks {@code ctx.fuel == 0} before each instruction and then takes 1, so a
 *   budget of N runs exactly N instructions and traps {@code fuel_exceeded} at the next one, at
 *   the current frame's pc and the span in force there ({@code cur_span}); after a {@code call}
 *   that is the callee's pc 0, after a {@code ret} the caller's instruction after the call; a
 *   budget of 0 traps at the entry's pc 0, and a {@code trap} instruction is paid for first.</li>
 *   <li>Host calls: the host's extra charge is {@code ctx.fuel.saturating_sub(extra)} after the
 *   call, an unsigned 64-bit subtraction (charges of 2^63 and more included), so the trap lands on
 *   the next instruction; a failing host costs only the host_call's 1; the count is checked
 *   ({@code host_calls >= max_host_calls}) at the host_call, after its fuel.</li>
 *   <li>Call depth: {@code call} checks {@code frames.len() >= max_call_depth} first (the entry
 *   frame counts), at the call's pc; {@code call.indirect} likewise checks the depth before the
 *   callee's signature.</li>
 * </ul>
 * The expectations come from that source and the instructions' encoded sizes, not from running
 * this implementation.
 */
class ReferenceFuelTrapsTiersTest {
    private static final String PROGRAM = """
            host charge = "test.charge" (u64) -> ()
            host fail = "test.fail" () -> ()
            callsig unary = (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 5
                call r0, leaf, r0, [r2] -> [r3]
                ret r0, [r3]
            }
            func leaf(a: i64) -> (i64) {
                i64.add r2, r1, r1
                .span 7
                ret r0, [r2]
            }
            func charged(x: u64) -> (i64) {
                host_call r0, charge, r0, [r1] -> []
                const.i64 r2, 1
                ret r0, [r2]
            }
            func failing() -> () {
                host_call r0, fail, r0, [] -> []
                ret r0, []
            }
            func twice(x: u64) -> () {
                host_call r0, charge, r0, [r1] -> []
                host_call r0, charge, r0, [r1] -> []
                ret r0, []
            }
            func trapping() -> () {
                trap 3
            }
            func indirectBad() -> (i64) {
                const.func r1, takesF64
                const.i64 r2, 3
                call.indirect r0, unary, r1, r0, [r2] -> [r3]
                ret r0, [r3]
            }
            func takesF64(x: f64) -> (i64) {
                const.i64 r2, 1
                ret r0, [r2]
            }
            func indirectGood() -> (i64) {
                const.func r1, same
                const.i64 r2, 3
                call.indirect r0, unary, r1, r0, [r2] -> [r3]
                ret r0, [r3]
            }
            func same(x: i64) -> (i64) {
                ret r0, [r1]
            }
            """;
    private static final int MAIN = 0;
    private static final int CHARGED = 2;
    private static final int FAILING = 3;
    private static final int TWICE = 4;
    private static final int TRAPPING = 5;
    private static final int INDIRECT_BAD = 6;
    private static final int INDIRECT_GOOD = 8;
    private static final long U64_MAX = -1L;

    private static Tiers tiers() {
        return Tiers.of(Assembler.assemble(PROGRAM, "fueltraps.tasm"), new ConformanceHost());
    }

    /** The returned values as literals, or "trap KIND at fF pc P span S". */
    private static String outcome(Tiers t, int entry, Limits limits, String... args) {
        List<Value> values = new ArrayList<>();
        for (String a : args) {
            values.add(ValueLiteral.parse(a));
        }
        Tiers.Outcome o = t.check(entry, values, limits, "entry " + entry + " " + List.of(args) + " " + limits);
        if (!o.trapped()) {
            return String.join(", ", o.literals());
        }
        return "trap " + o.trap().label() + " at f" + o.trap().func() + " pc " + o.trap().pc() + " span "
                + Trap.spanText(o.trap().span());
    }

    private static Limits fuel(long f) {
        return Limits.of(f, 256, 1_000_000);
    }

    @Test
    void fuelRunsOutAtTheNextInstructionAcrossCallAndReturn() {
        Tiers t = tiers();
        // main: const.i64 (pc 0, 3 bytes), call (pc 3, 8 bytes), ret (pc 11); leaf: i64.add (pc 0), ret (pc 4, span 7)
        String[] expected = {
            "trap fuel_exceeded at f0 pc 0 span none",
            "trap fuel_exceeded at f0 pc 3 span none",
            "trap fuel_exceeded at f1 pc 0 span none",
            "trap fuel_exceeded at f1 pc 4 span 7",
            "trap fuel_exceeded at f0 pc 11 span none",
            "i64:10",
            "i64:10",
        };
        for (int f = 0; f < expected.length; f++) {
            assertEquals(expected[f], outcome(t, MAIN, fuel(f), "i64:1"), "fuel " + f);
        }
        assertEquals("trap fuel_exceeded at f5 pc 0 span none", outcome(t, TRAPPING, fuel(0)));
        assertEquals("trap trap_code(3) at f5 pc 0 span none", outcome(t, TRAPPING, fuel(1)));
    }

    @Test
    void aHostChargeSaturatesAndTheNextInstructionTraps() {
        Tiers t = tiers();
        // charged: host_call (pc 0, 7 bytes), const.i64 (pc 7), ret (pc 10)
        assertEquals("i64:1", outcome(t, CHARGED, fuel(3), "u64:0"));
        assertEquals("trap fuel_exceeded at f2 pc 10 span none", outcome(t, CHARGED, fuel(2), "u64:0"));
        assertEquals("trap fuel_exceeded at f2 pc 10 span none", outcome(t, CHARGED, fuel(3), "u64:1"));
        assertEquals("i64:1", outcome(t, CHARGED, fuel(4), "u64:1"));
        assertEquals("trap fuel_exceeded at f2 pc 7 span none", outcome(t, CHARGED, fuel(3), "u64:2"));
        assertEquals("trap fuel_exceeded at f2 pc 7 span none",
                outcome(t, CHARGED, fuel(100), "u64:9223372036854775808"));
        assertEquals("trap fuel_exceeded at f2 pc 7 span none",
                outcome(t, CHARGED, fuel(100), "u64:18446744073709551615"));
        // a budget of 2^64-1: 2^64-2 left after the host_call
        assertEquals("trap fuel_exceeded at f2 pc 7 span none",
                outcome(t, CHARGED, fuel(U64_MAX), "u64:18446744073709551614"));
        assertEquals("trap fuel_exceeded at f2 pc 10 span none",
                outcome(t, CHARGED, fuel(U64_MAX), "u64:18446744073709551613"));
        assertEquals("i64:1", outcome(t, CHARGED, fuel(U64_MAX), "u64:18446744073709551612"));
    }

    @Test
    void hostFailuresAndTheHostCallLimitTrapAtTheHostCall() {
        Tiers t = tiers();
        assertEquals("trap host_call_failed at f3 pc 0 span none", outcome(t, FAILING, fuel(1)));
        assertEquals("trap fuel_exceeded at f3 pc 0 span none", outcome(t, FAILING, fuel(0)));
        // twice: host_call (pc 0), host_call (pc 7), ret (pc 14)
        assertEquals("trap host_call_limit_exceeded at f4 pc 0 span none",
                outcome(t, TWICE, Limits.of(100, 256, 0), "u64:0"));
        assertEquals("trap host_call_limit_exceeded at f4 pc 7 span none",
                outcome(t, TWICE, Limits.of(100, 256, 1), "u64:0"));
        assertEquals("", outcome(t, TWICE, Limits.of(100, 256, 2), "u64:0"));
    }

    @Test
    void theCallDepthIsCheckedFirstAtTheCall() {
        Tiers t = tiers();
        assertEquals("trap call_depth_exceeded at f0 pc 3 span none", outcome(t, MAIN, Limits.of(100, 1, 0), "i64:1"));
        assertEquals("i64:10", outcome(t, MAIN, Limits.of(100, 2, 0), "i64:1"));
        // const.func (pc 0, 3 bytes), const.i64 (pc 3), call.indirect (pc 6)
        assertEquals("trap call_depth_exceeded at f6 pc 6 span none", outcome(t, INDIRECT_BAD, Limits.of(100, 1, 0)));
        assertEquals("trap type_mismatch at f6 pc 6 span none", outcome(t, INDIRECT_BAD, Limits.of(100, 2, 0)));
        assertEquals("trap call_depth_exceeded at f8 pc 6 span none", outcome(t, INDIRECT_GOOD, Limits.of(100, 1, 0)));
        assertEquals("i64:3", outcome(t, INDIRECT_GOOD, Limits.of(100, 2, 0)));
        // indirectGood: 3 instructions, then same's ret (f9 pc 0), then its own ret (pc 15)
        assertEquals("trap fuel_exceeded at f9 pc 0 span none", outcome(t, INDIRECT_GOOD, fuel(3)));
        assertEquals("trap fuel_exceeded at f8 pc 15 span none", outcome(t, INDIRECT_GOOD, fuel(4)));
    }
}
