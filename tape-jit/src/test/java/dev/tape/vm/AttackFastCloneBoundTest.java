package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.internal.CompileView;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attack-f25's unchecked bound (docs/SECURITY.md, {@code FastClone}'s javadoc): a fast clone whose
 * fuel runs out runs on only to its next fuel test, so the work past the fuel's end is at most
 * {@code (nest + 1) * MAX_CODE} word instructions, once a run; the run then traps out of fuel as
 * the interpreter does. The program: {@code g}, pure and as long as a clone may be, runs its
 * longest forward path (no test on it) and then calls itself one level down, at every level.
 *
 * <p>The work is counted in a test-only variant of the generated class: its clones, copied into a
 * class of their own, with a call of {@link Probe#seen} after each store of the fuel (each block's
 * charge, each read back after a call): the lowest fuel seen, below 0, is what was charged past
 * the fuel's end (a block is charged whole at its start, so this counts at least what ran).
 */
class AttackFastCloneBoundTest {
    /** The variant's side channel: the lowest fuel a clone stored. */
    static final class Probe {
        private Probe() {}

        static long min;

        /** Called by the variant after each store of the fuel. */
        static void seen(long fuel) {
            if (fuel < min) {
                min = fuel;
            }
        }
    }

    /** {@code FastClone.MAX_CODE}: most ints of lowered code a function may have to get a clone */
    private static final int MAX_CODE = maxCode();

    private static int maxCode() {
        try {
            var f = Class.forName("dev.tape.jit.FastClone").getDeclaredField("MAX_CODE");
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * main calls g(0) (which returns at once) and g(n); g(a, b) runs {@code adds} {@code nop}s (one
     * int of lowered code each: the most instructions a clone's code holds) and a compare on its
     * forward path, and for {@code a > 0} calls g(a - 1, b) and returns its result.
     */
    static String deep(int adds) {
        StringBuilder s = new StringBuilder("""
                program deep
                func main(n: i64) -> (i64) {
                    const.i64 r2, 0
                    call r0, g, r0, [r2, r2] -> [r3]
                    call r0, g, r0, [r1, r2] -> [r4]
                    ret r0, [r4]
                }
                func g(a: i64, b: i64) -> (i64) {
                    const.i64 r3, 1
                    const.i64 r4, 0
                """);
        for (int i = 0; i < adds; i++) {
            s.append("    nop\n");
        }
        s.append("""
                    i64.lt r5, r4, r1
                    br r5, deeper, done
                deeper:
                    i64.sub r6, r1, r3
                    call r0, g, r0, [r6, r2] -> [r7]
                    ret r0, [r7]
                done:
                    ret r0, [r2]
                }
                """);
        return s.toString();
    }

    /** the instructions of g's forward path from its entry through its call and ret (adds + 7) */
    private static int path(int adds) {
        return adds + 7;
    }

    /** @return main's class bytes when g has a clone in it, else null */
    private static byte[] withClone(VerifiedProgram vp) {
        Vm vm = Jit.compile(vp, Host.NONE);
        CompileView view = ((JitTier) vm.tier).view;
        byte[] bytes = JitTestAccess.generate(view, 0).bytes();
        boolean[] found = {false};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                found[0] |= name.equals("fast1");
                return null;
            }
        }, 0);
        return found[0] ? bytes : null;
    }

    private static VerifiedProgram verified(String src) {
        try {
            return JitLeafInlineTest.verified(src);
        } catch (Exception e) {
            throw new AssertionError(src, e);
        }
    }

    /** the largest g's additions, once found */
    private static int largest;

    /**
     * The largest g that still gets a clone (its lowered code at most {@code MAX_CODE} ints; more
     * additions only lengthen it): its additions, by bisection.
     */
    private static synchronized int largest() {
        if (largest == 0) {
            int lo = 1;
            int hi = MAX_CODE;
            assertNotNull(withClone(verified(deep(lo))), "the smallest g gets no clone");
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (withClone(verified(deep(mid))) != null) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            largest = lo;
        }
        return largest;
    }

    private static int variants;

    /**
     * The clones of {@code bytes} (methods {@code fast*}) in a class of their own in this package,
     * calling {@link Probe#seen} after each store of the fuel; its {@code fast1}.
     */
    private static MethodHandle probed(byte[] bytes) throws Exception {
        ClassReader r = new ClassReader(bytes);
        String old = r.getClassName();
        String name = "dev/tape/vm/FastCloneBoundProbe" + variants++;
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        r.accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int version, int access, String n, String sig, String sup, String[] itf) {
                super.visit(version, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, "java/lang/Object", null);
            }

            @Override
            public void visitSource(String source, String debug) {
            }

            @Override
            public void visitNestHost(String host) {
            }

            @Override
            public void visitNestMember(String member) {
            }

            @Override
            public void visitInnerClass(String n, String outer, String inner, int access) {
            }

            @Override
            public org.objectweb.asm.FieldVisitor visitField(int access, String n, String desc, String sig, Object v) {
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String n, String desc, String sig, String[] ex) {
                if (!n.startsWith("fast")) {
                    return null;
                }
                // the fuel is the last parameter: (J...J, ExecutionContext, int, long)
                int fuel = 0;
                for (org.objectweb.asm.Type t : org.objectweb.asm.Type.getArgumentTypes(desc)) {
                    fuel += t.getSize();
                }
                fuel -= 2;
                int fuelSlot = fuel;
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, n, desc, sig, ex)) {
                    @Override
                    public void visitVarInsn(int opcode, int slot) {
                        super.visitVarInsn(opcode, slot);
                        if (opcode == Opcodes.LSTORE && slot == fuelSlot) {
                            super.visitVarInsn(Opcodes.LLOAD, slot);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/tape/vm/AttackFastCloneBoundTest$Probe",
                                    "seen", "(J)V", false);
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n2, String d2, boolean itf) {
                        super.visitMethodInsn(opcode, owner.equals(old) ? name : owner, n2, d2, itf);
                    }
                };
            }
        }, 0);
        Class<?> c = MethodHandles.lookup().defineClass(w.toByteArray());
        return MethodHandles.lookup().findStatic(c, "fast1", MethodType.methodType(long.class, long.class,
                long.class, ExecutionContext.class, int.class, long.class));
    }

    /**
     * The clone of the longest g, entered with a = 10,000 at every nesting budget 0-40 and every
     * fuel from 0 to three levels' paths: it bails (nothing returned), and the instructions charged
     * past the fuel's end are at most {@code (nest + 1) * MAX_CODE}; with no fuel at all, the
     * longest path of every level ran, {@code (nest + 1)} paths exactly.
     */
    @Test
    void theWorkPastTheFuelsEndIsBoundedByTheNest() throws Throwable {
        int adds = largest();
        assertTrue(path(adds) > MAX_CODE * 3 / 4, "g's path " + path(adds) + " of " + MAX_CODE);
        MethodHandle fast = probed(withClone(JitLeafInlineTest.verified(deep(adds))));
        int checked = 0;
        for (int nest = 0; nest <= 40; nest++) {
            for (long fuel = 0; fuel <= 3L * path(adds); fuel += fuel < 2L * path(adds) ? 1 : 7) {
                Probe.min = 0;
                ExecutionContext c = new ExecutionContext();
                String what = "nest " + nest + " fuel " + fuel;
                try {
                    long r = (long) fast.invokeExact(10_000L, 0L, c, nest, fuel);
                    throw new AssertionError(what + ": returned " + r);
                } catch (JitRuntime.Bail expected) {
                    // out of fuel or of nesting
                }
                long past = -Probe.min;
                assertTrue(past <= (long) (nest + 1) * MAX_CODE, what + ": " + past + " past the fuel's end");
                if (fuel == 0) {
                    assertEquals((long) (nest + 1) * path(adds), past, what);
                }
                checked++;
            }
        }
        assertTrue(checked > 1_000, "checked " + checked);
    }

    /**
     * The runs on both tiers: deep enough that g's clone runs out of fuel at every level, they
     * trap out of fuel at the same pc with the same fuel left ({@link Tiers#check}), the clone was
     * entered, and the bail's re-run traps (nothing of the bailed clone's work is seen).
     */
    @Test
    void theRunThenTrapsOutOfFuelAsTheInterpreterDoes() throws Exception {
        int adds = largest();
        VerifiedProgram vp = JitLeafInlineTest.verified(deep(adds));
        Tiers t = Tiers.of(vp, Host.NONE);
        List<Value> args = List.of(Value.i64(60));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "full");
        long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
        for (long fuel = 0; fuel < used; fuel += fuel < 3L * path(adds) ? 1 : 13) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
            assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), "fuel " + fuel);
        }
        for (long depth = 3; depth <= 70; depth += 7) {
            t.check(0, args, Limits.DEFAULT.withFuel(used / 2).withMaxCallDepth(depth), "depth " + depth);
        }
        Vm vm = Jit.compile(vp, Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        try {
            vm.run(ctx, 0, args, Limits.DEFAULT.withFuel(used - 1), null);
            throw new AssertionError("ran with too little fuel");
        } catch (Trap e) {
            assertEquals(TrapKind.FUEL_EXCEEDED, e.kind());
        }
        assertTrue(ctx.fastEntries > 0, "g's clone was entered");
        assertNotNull(withClone(vp));
    }
}
