package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Traps raised inside {@link ClosureLoop} (an indirect call of a function of the wrong signature,
 * of a closure of the wrong signature, a closure's environment shorter than its function reads
 * ({@code agg_error}) or of another element type ({@code type_mismatch}), a depth trap from a closure
 * recursing through a closure it makes), and a closure capturing eight values read up to the last
 * index: each run, chosen by main's argument (0 to 5), ends as on the general path (calls traced,
 * {@code ClosureLoop} never entered) and as stepped, under every fuel limit with four depth limits, and every register limit from main's count up.
 */
class AttackClosureLoopTest {
    static final String SOURCE = """
            program closure_attack

            callsig unary = (i64) -> (i64)
            callsig binary = (i64, i64) -> (i64)

            func main(n: i64) -> (total: i64) {
                const.func r2, add_env
                const.i64 r3, 3
                const.i64 r16, 4
                const.i64 r17, 5
                const.i64 r18, 6
                const.i64 r19, 7
                const.i64 r20, 8
                const.i64 r21, 9
                const.i64 r22, 10
                tuple.new r4, [r3, r16, r17, r18, r19, r20, r21, r22]
                closure.new r5, r2, r4
                const.func r6, two
                const.func r12, rec
                tuple.new r13, [r3]
                closure.new r14, r12, r13
                const.func r23, two_env
                closure.new r24, r23, r13
                closure.new r25, r2, r13
                const.f64 r26, 1.5
                tuple.new r27, [r26]
                closure.new r28, r2, r27
                call.indirect r0, unary, r5, r0, [r1] -> [r7]
                const.i64 r8, 0
                i64.lt r9, r8, r1
                br r9, more, done
            more:
                const.i64 r8, 1
                i64.lt r9, r8, r1
                br r9, wrongsig, recurse
            wrongsig:
                const.i64 r8, 2
                i64.lt r9, r8, r1
                br r9, wrongclosure, bad
            bad:
                call.indirect r0, unary, r6, r0, [r7] -> [r10]
                ret r0, [r10]
            wrongclosure:
                const.i64 r8, 3
                i64.lt r9, r8, r1
                br r9, envs, wc
            wc:
                call.indirect r0, unary, r24, r0, [r7] -> [r10]
                ret r0, [r10]
            envs:
                const.i64 r8, 4
                i64.lt r9, r8, r1
                br r9, envtype, envshort
            envshort:
                call.indirect r0, unary, r25, r0, [r7] -> [r10]
                ret r0, [r10]
            envtype:
                call.indirect r0, unary, r28, r0, [r7] -> [r10]
                ret r0, [r10]
            recurse:
                call.indirect r0, unary, r14, r0, [r7] -> [r10]
                i64.add r7, r7, r10
                jmp done
            done:
                ret r0, [r7]
            }

            func add_env(env: agg tuple(i64, i64, i64, i64, i64, i64, i64, i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                tuple.get r3, r1, 1
                i64.add r4, r4, r3
                tuple.get r3, r1, 6
                i64.add r4, r4, r3
                tuple.get r3, r1, 7
                i64.add r4, r4, r3
                ret r0, [r4]
            }

            func rec(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                const.i64 r4, 0
                i64.lt r5, r4, r2
                br r5, again, stop
            again:
                const.func r6, rec
                closure.new r7, r6, r1
                i64.sub r8, r2, r3
                call.indirect r0, unary, r7, r0, [r8] -> [r9]
                i64.add r9, r9, r3
                ret r0, [r9]
            stop:
                ret r0, [r3]
            }

            func two(a: i64, b: i64) -> (i64) {
                i64.add r3, r1, r2
                ret r0, [r3]
            }

            func two_env(env: agg tuple(i64), a: i64, b: i64) -> (i64) {
                i64.add r4, r2, r3
                ret r0, [r4]
            }
            """;

    /**
     * main(n): a closure that calls itself (passed as its argument) n levels deep through
     * {@code call.indirect}, every call made in {@code ClosureLoop} (its environment, 1, the step), so the frame records and register files grow under
     * {@code ClosureLoop}'s stops for room; first an indirect call of a function of 2,001 registers
     * raises the register mark, so that from about 16 to about 160 levels only the frame records'
     * room stops {@code ClosureLoop}.
     */
    static final String DEEP = """
            program closure_deep

            callsig unary = (i64) -> (i64)
            callsig withc = (closure, i64) -> (i64)

            func main(n: i64) -> (total: i64) {
                const.func r2, rec
                const.i64 r3, 1
                tuple.new r4, [r3]
                closure.new r5, r2, r4
                const.func r7, wide
                call.indirect r0, unary, r7, r0, [r1] -> [r8]
                call.indirect r0, withc, r5, r0, [r5, r1] -> [r6]
                ret r0, [r6]
            }

            func wide(x: i64) -> (i64) {
                const.i64 r2000, 0
                ret r0, [r1]
            }

            func rec(env: agg tuple(i64), f: closure, x: i64) -> (i64) {
                tuple.get r4, r1, 0
                const.i64 r5, 0
                i64.lt r6, r5, r3
                br r6, again, stop
            again:
                i64.sub r8, r3, r4
                call.indirect r0, withc, r2, r0, [r2, r8] -> [r9]
                i64.add r9, r9, r4
                ret r0, [r9]
            stop:
                ret r0, [r4]
            }
            """;

    /** The depths around the default depth limit (1,024 frames: main and 1,023 closure calls). */
    static final long[] DEEP_NS = {0, 1, 15, 16, 17, 100, 1021, 1022, 1023, 1100};

    @Test
    void deepClosureRecursionEndsAsOnTheGeneralPathAndStepped() {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(DEEP, "closure_deep.tasm")), new HostRegistry());
        List<String> outcomes = new ArrayList<>();
        for (long n : DEEP_NS) {
            for (int maxRegs : new int[] {Limits.DEFAULT.maxRegisters(), 4_000, 12_000, 13_000}) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(maxRegs);
                String where = "n " + n + ", registers " + maxRegs;
                String fast = AttackCallLoopTest.same(vm, null, n, limits, where);
                outcomes.add(fast.substring(0, fast.indexOf(' ')));
            }
        }
        // n 1,021 and 1,022 fit in 13,000 registers, not 12,000; n 1,023 and 1,100 pass the depth limit
        assertEquals(List.of("ok", "HEAP_LIMIT_EXCEEDED", "CALL_DEPTH_EXCEEDED"), outcomes.stream().distinct().toList());
        assertEquals(28, outcomes.stream().filter("ok"::equals).count(), outcomes::toString);
    }

    @Test
    void trapsInsideClosureLoopEndAsOnTheGeneralPathAndStepped() {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(SOURCE, "closure_attack.tasm")), new HostRegistry());
        List<String> kinds = new ArrayList<>();
        for (long n = 0; n <= 5; n++) {
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            ClosureCallLoopTest.outcome(vm, new ExecutionContext(), n, Limits.DEFAULT, all);
            // every register limit from main's own count up (a stop for room at each call of the recursion)
            int regs = vm.image.regCounts()[0];
            for (int maxRegs = regs; maxRegs <= regs + 200; maxRegs++) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(maxRegs);
                String where = "n " + n + ", registers " + maxRegs;
                AttackCallLoopTest.kind(kinds, AttackCallLoopTest.same(vm, null, n, limits, where));
            }
            for (long depth : new long[] {Limits.DEFAULT.maxCallDepth(), 3, 2, 1}) {
                for (long fuel = 0; fuel <= all.count + 2; fuel++) {
                    Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth);
                    String where = "n " + n + ", fuel " + fuel + ", depth " + depth;
                    AttackCallLoopTest.kind(kinds, AttackCallLoopTest.same(vm, null, n, limits, where));
                }
            }
        }
        // a register limit traps as heap_limit_exceeded
        assertEquals(List.of("HEAP_LIMIT_EXCEEDED", "ok", "FUEL_EXCEEDED", "CALL_DEPTH_EXCEEDED", "ARITY_MISMATCH",
                "AGG_ERROR", "TYPE_MISMATCH"), kinds);
    }
}
