package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Attack on the thirteenth audit's shape keys: functions of one shape share one method, which
 * must read what differs between them (pool constants, host functions, callees, struct types of
 * one layout) at run time. Pairs that differ only there run compiled (every function compiled
 * first, so the second of a pair runs the first one's method where their shapes are equal) and
 * must end as the interpreter does.
 */
class AttackShapeSharingTest {
    private static final String SOURCE = """
            host ha = "h.a" (i64) -> (i64)
            host hb = "h.b" (i64) -> (i64)
            const ka = str:"a"
            const kb = str:"bbbbbbb"
            struct S = { f: i64, g: i64 }
            struct T = { g: i64, f: i64 }
            func pa(x: i64) -> (i64) {
                const.pool r2, ka
                str.len r3, r2
                u64.to_i64 r4, r3
                i64.add r1, r1, r4
                ret r0, [r1]
            }
            func pb(x: i64) -> (i64) {
                const.pool r2, kb
                str.len r3, r2
                u64.to_i64 r4, r3
                i64.add r1, r1, r4
                ret r0, [r1]
            }
            func xa(x: i64) -> (i64) {
                host_call r0, ha, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func xb(x: i64) -> (i64) {
                host_call r0, hb, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func ca(x: i64) -> (i64) {
                call r0, pa, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func cb(x: i64) -> (i64) {
                call r0, pb, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func sa(x: i64) -> (i64) {
                const.i64 r2, 1000
                struct.new r3, S, [r1, r2]
                struct.get r4, r3, 0
                ret r0, [r4]
            }
            func sb(x: i64) -> (i64) {
                const.i64 r2, 1000
                struct.new r3, T, [r1, r2]
                struct.get r4, r3, 0
                ret r0, [r4]
            }
            """;

    @Test
    void pairsOfOneShapeEndAsTheInterpreterDoes() throws Exception {
        HostRegistry host = new HostRegistry()
                .register("h.a", Signature.of(List.of(I64), List.of(I64)),
                        (HostFunction) (args, out, ctx) -> out[0] = Value.i64(((Value.I64) args[0]).value() * 2))
                .register("h.b", Signature.of(List.of(I64), List.of(I64)),
                        (HostFunction) (args, out, ctx) -> out[0] = Value.i64(((Value.I64) args[0]).value() + 100));
        Tiers t = Tiers.of(Verifier.verify(Assembler.assemble(SOURCE, "sharing.tasm")), host);
        Jit.precompile(t.compiled);
        int n = t.compiled.funcs.length;
        assertEquals(8, n);
        assertEquals(n, Jit.compiledFunctions(t.compiled));
        for (int f = 0; f < n; f++) {
            for (long x : new long[] {0, 5, -3}) {
                t.check(f, List.of(Value.i64(x)), Limits.DEFAULT, "function " + f + " x " + x);
            }
        }
        // the first three pairs' results differ (each reads its own constant, host, callee; the
        // structs differ in type only)
        for (int f = 0; f < 6; f += 2) {
            assertNotEquals(t.interpret(f, List.of(Value.i64(5)), Limits.DEFAULT),
                    t.interpret(f + 1, List.of(Value.i64(5)), Limits.DEFAULT), "pair " + f);
        }
        // the premise: pa and pb (pool constants only) share one shape, so pb runs pa's method
        assertEquals(0, JitTier.shapeOrder(t.compiled, 0, 1));
    }
}
