package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the inlined leaves' register room kept in a local ({@code LeafRoom}: computed in the
 * prologue and after each call-out, on the claim that within a run the register mark and the
 * depth limit only grow) and on the closure an inlined {@code call.indirect} checked last
 * ({@code ClosureCache}: the call skips the id read, checks and environment reads when the
 * register holds that very object).
 *
 * <p>{@code rec} loops over a cached closure site and a direct leaf; in the loop it recurses (so
 * that after the callee returns, the mark is higher than when the prologue read it, and every
 * level's local is its own frame's), calls a wide function on one iteration (the mark far above
 * the leaves' need), calls a host function that, by mode, runs a nested run of the same program
 * on another context of the same VM on this thread (with small limits of its own), suspends the
 * run, or passes its argument back, and switches the site's register between closures over the
 * same leaf with different environments, one rebuilt in the loop (a new, equal object each time),
 * one whose environment is too short (the real call traps in the leaf's frame), and one over a
 * function that is no leaf. Both tiers, and the interpreter stepped with an {@code INSTR} sink,
 * must agree at every call-depth limit (the inline site at the limit), at register limits across
 * every level's need, at every fuel limit; on contexts reused across runs with other limits; and
 * paused at every point, in frames, fuel, registers in use and snapshot bytes, with runs restored
 * from the snapshots, forked, stepped and resumed with suspended host calls completed.
 */
class AttackLeafRoomTest {
    /** main 0, rec 1, l0 2, l1 3, heavy 4, p6 5, p2 6, wide 7. */
    static final String TEXT = """
            program roomattack
            host hn = "h.nest" (i64) -> (i64)
            callsig one = (i64) -> (i64)
            func main(n: i64, mode: i64) -> (i64) {
                call r0, rec, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            func rec(n: i64, mode: i64) -> (i64) {
                const.func r3, l0
                const.func r4, heavy
                const.i64 r5, 3
                const.f64 r6, 0x7ff8dead0000beef
                const.i64 r7, 11
                const.pool r30, str:"env"
                tuple.new r8, [r5, r7, r6]
                tuple.new r9, [r7, r5, r6]
                tuple.new r31, [r30, r5, r7, r6]
                tuple.new r32, [r5]
                closure.new r10, r3, r8
                closure.new r11, r3, r9
                closure.new r12, r4, r8
                closure.new r33, r3, r32
                closure.new r34, r3, r31
                mov r13, r10
                const.i64 r14, 0
                const.i64 r15, 0
                const.i64 r16, 1
                const.i64 r17, 4
                jmp loop
            loop:
                i64.lt r18, r14, r17
                br r18, body, done
            body:
                call r0, p6, r0, [r16] -> [r19]
                call.indirect r0, one, r13, r0, [r14] -> [r19]
                i64.add r15, r15, r19
                i64.eq r20, r14, r16
                br r20, deep, after
            deep:
                i64.sub r21, r1, r16
                const.i64 r22, 0
                i64.lt r23, r22, r21
                br r23, dive, after
            dive:
                call r0, rec, r0, [r21, r2] -> [r24]
                i64.add r15, r15, r24
                jmp after
            after:
                call.indirect r0, one, r13, r0, [r15] -> [r19]
                i64.xor r15, r15, r19
                host_call r0, hn, r0, [r14] -> [r25]
                i64.add r15, r15, r25
                call r0, p2, r0, [r16] -> [r26]
                call r0, l1, r0, [r14] -> [r26]
                i64.add r15, r15, r26
                const.i64 r27, 2
                i64.eq r28, r14, r27
                br r28, wide, pick
            wide:
                call r0, wide, r0, [r14] -> [r26]
                i64.add r15, r15, r26
                jmp pick
            pick:
                i64.and r29, r14, r16
                i64.eq r35, r29, r16
                select r13, r35, r11, r10
                const.i64 r27, 7
                i64.eq r28, r2, r27
                br r28, short, again
            short:
                i64.eq r28, r1, r16
                select r13, r28, r33, r13
                jmp next
            again:
                const.i64 r27, 5
                i64.eq r28, r2, r27
                br r28, fresh, other
            fresh:
                closure.new r10, r3, r8
                jmp next
            other:
                const.i64 r27, 6
                i64.eq r28, r2, r27
                br r28, notleaf, strs
            notleaf:
                select r13, r35, r12, r13
                jmp next
            strs:
                const.i64 r27, 8
                i64.eq r28, r2, r27
                br r28, refs, next
            refs:
                select r13, r35, r34, r13
                jmp next
            next:
                i64.add r14, r14, r16
                jmp loop
            done:
                ret r0, [r15]
            }
            func l0(env: agg tuple(i64, i64, f64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                tuple.get r4, r1, 1
                i64.mul r3, r3, r2
                i64.add r3, r3, r4
                tuple.get r5, r1, 2
                f64.eq r6, r5, r5
                br r6, a, b
            a:
                i64.add r3, r3, r3
                jmp b
            b:
                ret r0, [r3]
            }
            func l1(x: i64) -> (i64) {
                const.i64 r2, 5
                i64.add r2, r2, r1
                ret r0, [r2]
            }
            func heavy(env: agg tuple(i64, i64, f64), x: i64) -> (i64) {
                tuple.get r3, r1, 1
                i64.div r3, r2, r3
                ret r0, [r3]
            }
            func p6(x: i64) -> (i64) {
                const.i64 r5, 1
                i64.div r2, r1, r5
                ret r0, [r2]
            }
            func p2(x: i64) -> (i64) {
                i64.div r1, r1, r1
                ret r0, [r1]
            }
            func wide(x: i64) -> (i64) {
                const.i64 r70, 3
                i64.div r2, r1, r70
                ret r0, [r2]
            }
            """;

    /** How the host function behaves, per run (the modes of {@code rec}'s second argument). */
    private static final long NEST = 1;
    private static final long WAIT = 2;

    /** The VM a host function's nested run uses: set once the VM is made. */
    private static final class Target {
        Vm vm;
        int nesting;
    }

    /**
     * {@code h.nest(x)}: in mode {@link #NEST} (the run's {@code mode % 3}), a nested run of
     * {@code rec(2, 0)} on a new context of the same VM with small limits (its result, or its trap
     * kind's ordinal plus 1000); in mode {@link #WAIT}, suspends the run when it can at {@code x}
     * 1 or 3; else {@code x + 40}.
     */
    static HostRegistry host(Target target, long[] mode) {
        Signature sig = Signature.of(List.of(ValueType.I64), List.of(ValueType.I64));
        return new HostRegistry().register("h.nest", sig, (HostFunction) (args, out, ctx) -> {
            long x = ((Value.I64) args[0]).value();
            if (mode[0] % 3 == NEST && target.nesting == 0 && x % 2 == 0) {
                target.nesting++;
                try {
                    Limits small = Limits.DEFAULT.withMaxRegisters(60 + (int) x).withMaxCallDepth(2 + x);
                    out[0] = target.vm.run(new ExecutionContext(), 1, List.of(Value.i64(2), Value.i64(0)), small,
                            null).get(0);
                } catch (Trap t) {
                    out[0] = Value.i64(1000 + t.kind().ordinal());
                } finally {
                    target.nesting--;
                }
            } else if (mode[0] % 3 == WAIT && ctx.canSuspend() && (x == 1 || x == 3)) {
                ctx.suspend();
            } else {
                out[0] = Value.i64(x + 40);
            }
        });
    }

    /** The program on both tiers, each VM's host running nested runs on that VM. */
    private record Pair(Vm interpreted, Vm compiled, long[] mode) {
        static Pair of(VerifiedProgram p) {
            long[] mode = {0};
            Target ti = new Target();
            Target tc = new Target();
            Vm i = new Vm(p, host(ti, mode));
            Vm c = Jit.compile(p, host(tc, mode));
            ti.vm = i;
            tc.vm = c;
            return new Pair(i, c, mode);
        }

        Tiers.Outcome run(Vm vm, ExecutionContext ctx, List<Value> args, Limits limits, TraceSink sink) {
            mode[0] = ((Value.I64) args.get(1)).value();
            return Tiers.run(vm, null, ctx, 0, args, limits, sink);
        }

        Tiers.Outcome check(List<Value> args, Limits limits, String what) {
            Tiers.Outcome a = run(interpreted, new ExecutionContext(), args, limits, null);
            Tiers.Outcome b = run(compiled, new ExecutionContext(), args, limits, null);
            Tiers.assertSame(a, b, () -> what + " " + limits);
            return a;
        }
    }

    /** An {@code INSTR} trace sink: a run with it is interpreted, one instruction at a time. */
    private static final class Steps implements TraceSink {
        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
        }
    }

    private static final long[] MODES = {0, 1, 2, 5, 6, 7, 8, 4};

    private static VerifiedProgram program() {
        return Tiers.verified(JitCornerCasesTest.asm(TEXT));
    }

    /** Every call-depth limit (the inline sites at the limit), register limits across every level's need, every fuel limit. */
    @Test
    void everyDepthRegisterAndFuelLimit() {
        Pair t = Pair.of(program());
        int[] shape = shape(t.compiled(), 1);
        assertEquals(2, shape[0], "rec keeps both its sites' closures");
        assertEquals(3, shape[1], "rec tests the room on its local at its three inlined sites");
        assertEquals(0, shape[2], "and nowhere on the context");
        int traps = 0;
        for (long mode : MODES) {
            for (long n : new long[] {1, 3}) {
                List<Value> args = List.of(Value.i64(n), Value.i64(mode));
                String what = "n " + n + " mode " + mode;
                Tiers.Outcome full = t.check(args, Limits.DEFAULT, what);
                traps += full.trapped() ? 1 : 0;
                for (long d = 0; d <= n + 2; d++) {
                    t.check(args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
                }
                for (int regs = 1; regs <= 80 * (int) n + 40; regs += n == 1 ? 1 : 3) {
                    t.check(args, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                }
                long used = full.used(Limits.DEFAULT);
                for (long fl = 0; fl <= used + 1; fl += n == 1 ? 1 : 5) {
                    long fuel = fl;
                    Limits limits = Limits.DEFAULT.withFuel(fuel);
                    Tiers.Outcome c = t.check(args, limits, what + " fuel " + fuel);
                    if (fuel % 11 == 0) {
                        Tiers.Outcome stepped = t.run(t.interpreted(), new ExecutionContext(), args, limits, new Steps());
                        Tiers.assertSame("stepped", stepped, "compiled", c, () -> what + " fuel " + fuel);
                        Tiers.Outcome tracedJit = t.run(t.compiled(), new ExecutionContext(), args, limits, new Steps());
                        Tiers.assertSame("compiled with a sink", tracedJit, "compiled", c, () -> what + " fuel " + fuel);
                    }
                }
            }
        }
        assertTrue(traps >= 2, "unlimited runs that trapped (short environment, no leaf): " + traps);
    }

    /**
     * One context per tier reused across runs with other limits: a deep run grows the register
     * files and frame records, then runs at smaller register and depth limits (the room the
     * prologue reads is the new run's), then the deep run again; {@code Jit.compileFramed}'s tier
     * (no leaf inline, no closure kept) on a third context alike.
     */
    @Test
    void contextsReusedAcrossLimits() {
        VerifiedProgram p = program();
        Pair t = Pair.of(p);
        // the profiler's tier too (every call a real call), its host's nested runs on it
        Target tf = new Target();
        Vm framed = Jit.compileFramed(p, host(tf, t.mode()), VmOptions.DEFAULT);
        tf.vm = framed;
        ExecutionContext ci = new ExecutionContext();
        ExecutionContext cc = new ExecutionContext();
        ExecutionContext cf = new ExecutionContext();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int k = 0; k < 400; k++) {
            long n = 1 + rnd.nextInt(20);
            long mode = MODES[rnd.nextInt(MODES.length)];
            Limits limits = switch (rnd.nextInt(4)) {
                case 0 -> Limits.DEFAULT;
                case 1 -> Limits.DEFAULT.withMaxRegisters(1 + rnd.nextInt(80 * (int) n + 60));
                case 2 -> Limits.DEFAULT.withMaxCallDepth(rnd.nextInt((int) n + 3));
                default -> Limits.DEFAULT.withFuel(rnd.nextInt(40 * (int) n + 40));
            };
            List<Value> args = List.of(Value.i64(n), Value.i64(mode));
            Tiers.Outcome a = t.run(t.interpreted(), ci, args, limits, null);
            Tiers.Outcome b = t.run(t.compiled(), cc, args, limits, null);
            Tiers.assertSame(a, b, () -> "run " + args + " " + limits);
            Tiers.Outcome f = t.run(framed, cf, args, limits, null);
            Tiers.assertSame("framed", f, "compiled", b, () -> "run " + args + " " + limits);
        }
    }

    /**
     * Paused at every fuel point on both tiers side by side, suspended host calls completed: frames,
     * fuel, registers in use, snapshot bytes; at some pauses a few interpreted steps on both, and
     * runs restored from the snapshot and forks ending alike.
     */
    @Test
    void pausedSteppedRestoredForked() {
        Pair t = Pair.of(program());
        int pauses = 0;
        int suspended = 0;
        for (long mode : MODES) {
            for (long n : new long[] {1, 3}) {
                for (long slice : new long[] {1, 4}) {
                    List<Value> args = List.of(Value.i64(n), Value.i64(mode));
                    t.mode()[0] = mode;
                    String what = "n " + n + " mode " + mode + " slice " + slice;
                    Limits limits = Limits.DEFAULT.withFuel(slice);
                    Run a = t.interpreted().start(0, args, limits);
                    Run b = t.compiled().start(0, args, limits);
                    Outcome oa = a.resume();
                    Outcome ob = b.resume();
                    while (true) {
                        assertEquals(Tiers.view(oa), Tiers.view(ob), what + " pause " + pauses);
                        if (!(oa instanceof Outcome.Paused)) {
                            break;
                        }
                        pauses++;
                        String at = what + " pause " + pauses;
                        assertEquals(a.frames(), b.frames(), at);
                        assertEquals(a.fuelRemaining(), b.fuelRemaining(), at);
                        assertEquals(a.registersInUse(), b.registersInUse(), at);
                        byte[] snap = b.snapshot();
                        assertArrayEquals(a.snapshot(), snap, at);
                        if (pauses % 5 == 1) {
                            assertEquals(finish(t.interpreted().restore(snap)), finish(t.compiled().restore(snap)),
                                    at + " restored");
                            assertEquals(finish(a.fork()), finish(b.fork()), at + " forked");
                        }
                        boolean wait = a.suspendedCall() != null;
                        assertEquals(wait, b.suspendedCall() != null, at);
                        if (wait) {
                            suspended++;
                            List<Value> back = List.of(Value.i64(pauses));
                            oa = a.resumeWith(back);
                            ob = b.resumeWith(back);
                        } else if (pauses % 3 == 0) {
                            a.addFuel(slice);
                            b.addFuel(slice);
                            long steps = 1 + pauses % 4;
                            oa = a.step(steps);
                            ob = b.step(steps);
                        } else {
                            a.addFuel(slice);
                            b.addFuel(slice);
                            oa = a.resume();
                            ob = b.resume();
                        }
                    }
                }
            }
        }
        assertTrue(pauses >= 1000, "pauses: " + pauses);
        assertTrue(suspended >= 8, "suspended host calls: " + suspended);
    }

    /**
     * @return in function {@code f}'s generated method: its reference compares (the closure sites
     *     that keep a closure) and {@code JitRuntime.leafMakeRoom} calls (the room tests on the
     *     local), both in the first copy of a peeled method ({@code LoopPeel}), and its
     *     {@code JitRuntime.leafRoom} calls
     */
    private static int[] shape(Vm vm, int f) {
        byte[] bytes = JitTestAccess.generate(((JitTier) vm.tier).view, f).bytes();
        int[] n = new int[3];
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                java.util.Set<org.objectweb.asm.Label> seen = new java.util.HashSet<>();
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitJumpInsn(int op, org.objectweb.asm.Label label) {
                        // the first copy's (a peeled method's steady copy jumps back to it, LoopPeel)
                        n[0] += op == Opcodes.IF_ACMPNE && !seen.contains(label) ? 1 : 0;
                    }

                    @Override
                    public void visitLabel(org.objectweb.asm.Label label) {
                        seen.add(label);
                    }

                    @Override
                    public void visitMethodInsn(int op, String owner, String called, String d, boolean itf) {
                        n[1] += called.equals("leafMakeRoom") ? 1 : 0;
                        n[2] += called.equals("leafRoom") ? 1 : 0;
                    }
                };
            }
        }, 0);
        return n;
    }

    /**
     * Runs a paused run to its end in slices of 50 fuel, completing suspended host calls.
     *
     * @return its end, its fuel left and its registers in use at each pause
     */
    private static List<Object> finish(Run r) {
        List<Object> seen = new ArrayList<>();
        Outcome end = null;
        while (true) {
            if (r.suspendedCall() != null) {
                end = r.resumeWith(List.of(Value.i64(seen.size())));
            } else {
                r.addFuel(50);
                end = r.resume();
            }
            if (!(end instanceof Outcome.Paused)) {
                break;
            }
            seen.add(r.registersInUse());
            seen.add(r.fuelRemaining());
        }
        seen.add(Tiers.view(end));
        seen.add(r.fuelRemaining());
        return seen;
    }
}
