package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.jfr.HostCallEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled host call of a one-to-three-word function does not end its block: the block's fuel,
 * the call's included, is charged at the block's start, and a trap inside the call (the
 * host-call limit, a function that throws) or after it in the block (a division by zero) gives
 * back the fuel of the block's instructions that did not run. Random loops whose body is one such
 * block of word host calls and arithmetic end alike on both tiers under every fuel limit and every
 * host-call limit (results, trap kind, pc, span, stack, fuel left, host calls, heap bytes), and
 * paused at every slice of fuel (frames, fuel left, snapshot bytes, runs restored on either tier).
 * A method without calls publishes its Java stack share once, in its prologue: a word function
 * called from such a compiled callee sees the callee's share, less than its caller's, at every
 * call, also after nested runs it starts itself.
 */
class JitWordHostBlockTest {
    static final Signature SIG1 = Signature.of(List.of(I64), List.of(I64));
    static final Signature SIG2 = Signature.of(List.of(I64, I64), List.of(I64));

    /** w.f(a) = 3a + 1, throwing for a mod 61 = 17. */
    static long f(long a) {
        if (Math.floorMod(a, 61) == 17) {
            throw new IllegalStateException("f refuses " + a);
        }
        return 3 * a + 1;
    }

    /** w.g(a, b) = a xor (b - 7). */
    static long g(long a, long b) {
        return a ^ (b - 7);
    }

    static HostRegistry host() {
        return new HostRegistry().registerWords("w.f", SIG1, JitWordHostBlockTest::f)
                .registerWords("w.g", SIG2, JitWordHostBlockTest::g);
    }

    /**
     * main(n, k): n turns of one block of {@code ops} random instructions over r5..r10 (word host
     * calls of w.f and w.g, i64.add, sub, mul and div, which traps on a zero divisor), the turn
     * counter and k mixed in, its last result added to r4; returns r4.
     */
    static String program(Random rnd, int ops) {
        StringBuilder s = new StringBuilder("""
                program wordblock
                host hf = "w.f" (i64) -> (i64)
                host hg = "w.g" (i64, i64) -> (i64)
                func main(n: i64, k: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.i64 r6, 3
                    const.i64 r7, 5
                    const.i64 r8, 7
                    const.i64 r9, 11
                    const.i64 r10, 13
                    const.i64 r11, 1
                    jmp head
                head:
                    i64.lt r12, r3, r1
                    br r12, body, done
                body:
                    i64.add r5, r5, r3
                    i64.add r6, r6, r2
                """);
        int last = 5;
        for (int j = 0; j < ops; j++) {
            int d = 5 + rnd.nextInt(6);
            int a = 5 + rnd.nextInt(6);
            int b = 5 + rnd.nextInt(6);
            switch (rnd.nextInt(6)) {
                case 0, 1 -> s.append("    host_call r0, hf, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                case 2 -> s.append("    host_call r0, hg, r0, [r").append(a).append(", r").append(b).append("] -> [r")
                        .append(d).append("]\n");
                case 3 -> s.append("    i64.add r").append(d).append(", r").append(a).append(", r").append(b).append('\n');
                case 4 -> s.append("    i64.").append(rnd.nextBoolean() ? "sub" : "mul").append(" r").append(d)
                        .append(", r").append(a).append(", r").append(b).append('\n');
                default -> {
                    // a divisor of (r mod 5): zero in about one turn in five
                    s.append("    const.i64 r13, 5\n    i64.rem r14, r").append(b).append(", r13\n");
                    s.append("    i64.div r").append(d).append(", r").append(a).append(", r14\n");
                }
            }
            last = d;
        }
        s.append("    i64.add r4, r4, r").append(last).append('\n');
        s.append(LOOP_END);
        return s.toString();
    }

    /** The end of every generated program's loop body and its exit (after the last instruction's sum). */
    static final String LOOP_END = """
                i64.add r3, r3, r11
                jmp head
            done:
                ret r0, [r4]
            }
            """;

    static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    @Test
    void randomBlocksOfWordHostCallsEndAlikeUnderEveryFuelAndHostCallLimit() {
        Random rnd = new Random(0x5eed14);
        int trapped = 0;
        int finished = 0;
        for (int p = 0; p < 24; p++) {
            String text = program(rnd, 2 + rnd.nextInt(7));
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            Tiers t = Tiers.ofWords(vp, host());
            assertEquals(1, Jit.precompile(t.compiled), text);
            List<Value> a = args(1 + rnd.nextInt(12), rnd.nextInt(40) - 20);
            if (p < 3) {
                // hot, so that C2's code is what the short runs use
                for (int k = 0; k < 300; k++) {
                    t.check(0, args(30, k), Limits.DEFAULT, "hot " + k);
                }
            }
            Tiers.Outcome whole = t.check(0, a, Limits.DEFAULT, text + a);
            if (whole.trapped()) {
                trapped++;
            } else {
                finished++;
            }
            long used = whole.used(Limits.DEFAULT);
            assertTrue(used > 0 && used < 5_000, "uses " + used);
            t.everyFuelTrapsBelow(0, a, whole, text + a);
            for (long calls = 0; calls <= whole.hostCalls() + 1; calls++) {
                Tiers.Outcome o = t.check(0, a, Limits.DEFAULT.withMaxHostCalls(calls), text + a + " calls " + calls);
                if (calls < whole.hostCalls()) {
                    assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, o.kind(), text + a + " calls " + calls);
                }
            }
        }
        // the random programs trap (f refuses, a division by zero) and finish
        assertTrue(trapped >= 3 && finished >= 3, trapped + " trapped, " + finished + " finished");
    }

    @Test
    void randomBlocksOfWordHostCallsPauseAlikeAtEverySlice() throws Exception {
        Random rnd = new Random(0xb10c);
        int pauses = 0;
        for (int p = 0; p < 8; p++) {
            String text = program(rnd, 2 + rnd.nextInt(7));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(1, Jit.precompile(t.compiled), text);
            List<Value> a = args(1 + rnd.nextInt(8), rnd.nextInt(40) - 20);
            Vm vm = t.interpreted;
            boolean[] read = JitResume.mayRead(vm.image.code(), vm.image.entry(0), vm.funcs[0].codeLength(),
                    vm.funcs[0]);
            for (long slice = 1; slice <= 40; slice++) {
                pauses += t.lockstep(0, a, slice, 7, text + a + " slice " + slice, (x, y, n) -> {
                    assertEquals(x.hostCallsMade(), y.hostCallsMade());
                    assertEquals(x.position(), y.position());
                    assertEquals(readOnly(x.registers(0), read), readOnly(y.registers(0), read));
                });
            }
        }
        assertTrue(pauses > 1_000, pauses + " pauses");
    }

    /**
     * The registers some instruction may read. (A register that none reads, only written, is
     * not kept alike: a compiled frame resumed from the register files reloads only those some
     * instruction reads, and a later hand-over writes its local, 0, back; snapshots leave such
     * registers out.)
     */
    private static List<Value> readOnly(List<Value> regs, boolean[] read) {
        List<Value> out = new ArrayList<>();
        for (int r = 0; r < regs.size(); r++) {
            out.add(read[r] ? regs.get(r) : null);
        }
        return out;
    }

    /**
     * main(n) calls leaf(i) n times, making a host call of its own before each; leaf loops over
     * word host calls of w.s, which notes the Java stack share it sees and, at some calls, starts a
     * nested run on a context of its own.
     */
    static final String STACKS = """
            program stacks
            host hs = "w.s" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, -1
                jmp head
            head:
                i64.lt r6, r2, r1
                br r6, body, done
            body:
                host_call r0, hs, r0, [r5] -> [r7]
                call r0, leaf, r0, [r2] -> [r8]
                i64.add r3, r3, r8
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            func leaf(k: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 4
                jmp lh
            lh:
                i64.lt r6, r2, r5
                br r6, lb, ld
            lb:
                i64.add r7, r1, r2
                host_call r0, hs, r0, [r7] -> [r8]
                i64.add r3, r3, r8
                i64.add r2, r2, r4
                jmp lh
            ld:
                ret r0, [r3]
            }
            """;

    @Test
    void aCalleeWithoutCallsPublishesItsOwnStackShareForEveryHostCall() {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(STACKS));
        List<long[]> seen = new ArrayList<>();
        Vm[] self = new Vm[1];
        HostRegistry h = new HostRegistry().registerWords("w.s", SIG1, a -> {
            seen.add(new long[] {a, JitTier.stackLeft()[0], Tiers.compiledFramesOnStack()});
            if (a >= 0 && a % 3 == 1) {
                // a nested run on a context of its own: it puts the share back as it found it
                List<Value> r = self[0].run(new ExecutionContext(), 1, List.of(Value.i64(-100)), Limits.DEFAULT,
                        null);
                assertNotNull(r);
            }
            return a + 1;
        });
        Vm vm = Jit.compile(vp, h);
        self[0] = vm;
        assertEquals(2, Jit.precompile(vm));
        for (int round = 0; round < 200; round++) {
            seen.clear();
            List<Value> r = vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, null);
            // main's 5 host calls give 0 each; leaf(i) gives 4i + 10 (the 4 calls of i + j + 1)
            assertEquals(List.of(Value.i64(4 * 10 + 50)), r);
            long mainShare = -1;
            long leafShare = -1;
            int outer = 0;
            for (long[] s : seen) {
                if (s[2] == 1 && s[0] == -1) {
                    // main's own call, its frame the only compiled one
                    mainShare = mainShare < 0 ? s[1] : mainShare;
                    assertEquals(mainShare, s[1], "main's share, round " + round);
                    outer++;
                } else if (s[2] == 2) {
                    // leaf's calls in the outer run, whatever nested runs ran before them
                    leafShare = leafShare < 0 ? s[1] : leafShare;
                    assertEquals(leafShare, s[1], "leaf's share, round " + round);
                    outer++;
                }
            }
            assertEquals(25, outer, "the outer run's host calls, round " + round);
            assertTrue(leafShare >= 0 && leafShare < mainShare && mainShare < JitRuntime.STACK_WORDS,
                    "leaf's share " + leafShare + " under main's " + mainShare + ", round " + round);
        }
    }

    /** main(n, k): n turns of w.t(i) then w.f(i), summing w.f's results; w.t(k) starts a recording. */
    static final String LATE = """
            program late
            host ht = "w.t" (i64) -> (i64)
            host hf = "w.f" (i64) -> (i64)
            func main(n: i64, k: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 0
                const.i64 r5, 1
                jmp head
            head:
                i64.lt r6, r3, r1
                br r6, body, done
            body:
                host_call r0, ht, r0, [r3] -> [r7]
                host_call r0, hf, r0, [r3] -> [r8]
                i64.add r4, r4, r8
                i64.add r3, r3, r5
                jmp head
            done:
                ret r0, [r4]
            }
            """;

    /** A recording of {@code dev.tape.HostCall} events, started by {@link #start}. */
    private static final class Late implements AutoCloseable {
        Recording rec;

        void start() {
            rec = new Recording();
            rec.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            rec.start();
        }

        /** @return the w.f events of the recording, 0 when none was started */
        long wf(Path file) throws Exception {
            if (rec == null) {
                return 0;
            }
            rec.stop();
            rec.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                    .filter(e -> e.getString("symbol").equals("w.f")).count();
        }

        @Override
        public void close() {
            if (rec != null) {
                rec.close();
            }
        }
    }

    /**
     * A run that is going when a recording starts records its word calls from its next look at
     * whether a recording wants {@code dev.tape.HostCall} events (its start, a resume): a
     * {@link Run} paused on fuel and resumed after the recording started has every later call
     * recorded, on both tiers; a one-shot run whose host function starts the recording has none of
     * its calls recorded, whether or not the Flight Recorder had started in this JVM before the
     * run, on both tiers alike (when no recording wanted the events at the run's start; when one
     * did, each call asks, {@code AttackHostCallRecordingSwapTest}).
     */
    @Test
    void aRecordingStartedDuringARunRecordsTheSameCallsOnBothTiers(@TempDir Path dir) throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(LATE));
        Late[] late = new Late[1];
        long[] trigger = {-1};
        HostRegistry h = new HostRegistry().registerWords("w.f", SIG1, a -> a + 1).registerWords("w.t", SIG1, a -> {
            if (a == trigger[0]) {
                late[0].start();
            }
            return 0;
        });
        Vm[] tiers = {new Vm(vp, h), Jit.compile(vp, h)};
        assertEquals(1, Jit.precompile(tiers[1]));
        int files = 0;
        for (Vm vm : tiers) {
            for (int k = 0; k < 50; k++) {
                assertEquals(List.of(Value.i64(40 * 41 / 2)), vm.run(new ExecutionContext(), 0, args(40, -1),
                        Limits.DEFAULT, null));
            }
            // one-shot: w.t(10) starts the recording, before w.f(10)
            trigger[0] = 10;
            try (Late l = new Late()) {
                late[0] = l;
                assertEquals(List.of(Value.i64(40 * 41 / 2)), vm.run(new ExecutionContext(), 0, args(40, 10),
                        Limits.DEFAULT, null));
                assertEquals(0, l.wf(dir.resolve("a" + files++ + ".jfr")), "one-shot, " + vm);
            }
            // a Run paused on fuel, the recording started while it is paused
            trigger[0] = -1;
            Run run = vm.start(0, args(40, -1), Limits.DEFAULT.withFuel(97));
            assertTrue(run.resume() instanceof Outcome.Paused);
            long made = run.hostCallsMade();
            try (Late l = new Late()) {
                l.start();
                run.addFuel(1_000_000);
                assertTrue(run.resume() instanceof Outcome.Done, "the run ends");
                assertEquals(40 - made / 2, l.wf(dir.resolve("b" + files++ + ".jfr")), "resumed, " + vm);
            }
        }
    }
}
