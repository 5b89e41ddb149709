package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run-visible state never depends on which equal values are one Java object, nor on a string's
 * spare room: a host returning one string and one byte string object every time (kept from its
 * first call and compared with its later ones), a pool constant loaded again by the same
 * instruction, strings appended in place, appended to by a loser of the buffer's room (a copy),
 * compared with themselves, with equal strings over other arrays and with the strings they were
 * appended to. Every way of running it ends alike, on every counter (results, fuel, host calls,
 * heap bytes, scanned bytes, copy units): one-shot on each tier, again and again on one VM (whose
 * pool constants and host values earlier runs used), stepped and paused at every instruction, and
 * moved at every pause through a snapshot into a fresh VM of the other tier, whose snapshot is the
 * same bytes; and a run restored at an earlier pause writes the run's own snapshot at a later one.
 */
class AttackSharedValuesTiersTest {
    static final String PROGRAM = """
            program sharedtiers

            host s = "t.s" () -> (str)
            host b = "t.b" () -> (bytes)

            func main(n: i64) -> (i64, str, bool, bool, bool, bool, bool, bool) {
                const.i64 r3, 0
                const.i64 r4, 1
                call r0, pool, r0, [] -> [r5]
                host_call r0, s, r0, [] -> [r23]
                const.pool r19, str:""
                const.bool r13, false
                const.bool r14, false
                const.bool r15, false
                const.bool r16, false
                const.bool r17, false
                const.bool r21, false
                jmp head
            head:
                i64.lt r6, r3, r1
                br r6, body, done
            body:
                host_call r0, s, r0, [] -> [r7]
                host_call r0, b, r0, [] -> [r8]
                str.concat r9, r5, r7
                str.concat r10, r9, r7
                str.concat r11, r10, r5
                str.concat r12, r10, r5
                str.eq r13, r11, r12
                str.eq r14, r7, r23
                call r0, pool, r0, [] -> [r22]
                str.eq r15, r5, r22
                bytes.eq r16, r8, r8
                str.eq r17, r10, r9
                str.concat r19, r19, r7
                str.concat r19, r19, r22
                str.eq r21, r19, r19
                i64.add r3, r3, r4
                jmp head
            done:
                ret r0, [r3, r19, r13, r14, r15, r16, r17, r21]
            }

            func pool() -> (str) {
                const.pool r1, str:"ab"
                ret r0, [r1]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));
    static final Value.Str STR = Value.str("héllo, host");
    static final Value.Bytes BYTES = Value.bytes(new byte[] {9, 8, 7, 6});
    static final List<Value> ARGS = List.of(Value.i64(12));
    static final Limits LIMITS = Limits.DEFAULT;

    static HostRegistry host() {
        return new HostRegistry()
                .register("t.s", Signature.of(List.of(), List.of(ValueType.STR)), (args, out, ctx) -> out[0] = STR)
                .register("t.b", Signature.of(List.of(), List.of(ValueType.BYTES)), (args, out, ctx) -> out[0] = BYTES);
    }

    static Vm vm(boolean jit) {
        return jit ? Jit.compile(P, host()) : new Vm(P, host());
    }

    static String describe(Outcome o, ExecutionContext c) {
        return new StringBuilder(RunPropertiesTest.valuesOrTrap(o)).append(" fuel ").append(c.fuelRemaining()).append(" host ").append(c.hostCallsMade())
                .append(" heap ").append(c.heapBytes).append(" scanned ").append(c.scannedBytes)
                .append(" copied ").append(c.copiedUnits).toString();
    }

    static String oneShot(Vm vm) {
        ExecutionContext c = new ExecutionContext();
        return describe(vm.start(c, 0, ARGS, LIMITS, null).resume(), c);
    }

    @Test
    void everyWayOfRunningCountsAlike() {
        Vm interp = vm(false);
        Vm jit = vm(true);
        String want = oneShot(interp);
        assertTrue(want.startsWith("ok [i64:12, str:\"héllo, hostab"), want);
        // equal over other arrays, one object, a pool constant and its load again, one byte string, lengths differ
        assertTrue(want.contains("bool:true, bool:true, bool:true, bool:true, bool:false, bool:true]"), want);
        for (int again = 0; again < 3; again++) {
            assertEquals(want, oneShot(interp), "the interpreter, run " + again + " on one VM");
            assertEquals(want, oneShot(jit), "the compiled tier, run " + again + " on one VM");
        }
        assertEquals(want, oneShot(vm(true)), "a fresh compiled VM");
        int paused = 0;
        for (long k = 1; ; k++) {
            boolean any = false;
            for (boolean onJit : new boolean[] {false, true}) {
                Vm vm = onJit ? jit : interp;
                ExecutionContext c = new ExecutionContext();
                Run run = vm.start(c, 0, ARGS, LIMITS, null);
                Outcome o = run.step(k);
                if (!(o instanceof Outcome.Paused)) {
                    assertEquals(want, describe(o, c), "stepped " + k + " on " + (onJit ? "compiled" : "interpreted"));
                    continue;
                }
                any = true;
                byte[] snap = run.snapshot();
                Vm other = vm(!onJit);
                ExecutionContext d = new ExecutionContext();
                Run moved = other.restore(d, snap, LIMITS, null);
                assertArrayEquals(snap, moved.snapshot(), "restored after " + k);
                assertEquals(want, describe(run.resume(), c), "paused after " + k + " and resumed");
                assertEquals(want, describe(moved.resume(), d), "moved after " + k + " to the other tier");
            }
            if (!any) {
                break;
            }
            paused++;
        }
        assertTrue(paused > 200, "paused " + paused);
    }

    /** The run itself and the runs restored at every earlier pause write the same snapshot at every later one. */
    @Test
    void snapshotsAtLaterPausesAreTheSameBytesAfterEarlierRestores() {
        for (boolean onJit : new boolean[] {false, true}) {
            Vm vm = vm(onJit);
            for (long k2 = 30; k2 < 120; k2 += 13) {
                Run itself = vm.start(new ExecutionContext(), 0, ARGS, LIMITS, null);
                assertTrue(itself.step(k2) instanceof Outcome.Paused);
                byte[] want = itself.snapshot();
                for (long k1 = 1; k1 < k2; k1 += 3) {
                    Run r = vm.start(new ExecutionContext(), 0, ARGS, LIMITS, null);
                    assertTrue(r.step(k1) instanceof Outcome.Paused);
                    Run back = vm(!onJit).restore(r.snapshot());
                    assertTrue(back.step(k2 - k1) instanceof Outcome.Paused);
                    assertTrue(Arrays.equals(want, back.snapshot()), "restored at " + k1 + ", written at " + k2
                            + (onJit ? " (compiled first)" : " (interpreted first)"));
                }
            }
        }
    }
}
