package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attack-f25's unchecked item (b): a class at the clones' limit ({@code FastClone.MAX_CLASS_BYTES},
 * 16,000 bytes of clones' bytecode summing {@code FastClone.bytesBound}) with its method at the
 * method limit, the largest class a function's compile makes with clones. As docs/SECURITY.md
 * says: a site whose callee's clones would pass the clones' limit makes a real call (main's class
 * holds two of the three largest clones); a method too large with its fast entries is generated
 * again without them, at step 0, before anything else is dropped; the class stays under
 * {@code JitTier.MAX_CLASS_BYTES}; and every one runs with the interpreter's results, traps and
 * fuel.
 */
class AttackFastCloneClassBytesTest {
    /**
     * main calls g1, g2 and g3 with 0 (they return at once), then with n (chained), then adds 1
     * {@code pad} times; each g is pure, calls itself (so no inliner takes it), sets r255 (256
     * registers) and runs {@code adds} additions: a clone as large as {@code bytesBound} allows.
     */
    static String program(int adds, int pad) {
        StringBuilder s = new StringBuilder("""
                program wide
                func main(n: i64) -> (i64) {
                    const.i64 r2, 0
                    const.i64 r4, 1
                    call r0, g1, r0, [r2, r2] -> [r3]
                    call r0, g2, r0, [r2, r2] -> [r5]
                    call r0, g3, r0, [r2, r2] -> [r6]
                    call r0, g1, r0, [r1, r4] -> [r7]
                    call r0, g2, r0, [r1, r7] -> [r8]
                    call r0, g3, r0, [r1, r8] -> [r9]
                """);
        for (int k = 0; k < pad; k++) {
            s.append("    i64.add r9, r9, r4\n");
        }
        s.append("    ret r0, [r9]\n}\n");
        for (int g = 1; g <= 3; g++) {
            s.append("func g").append(g).append("(a: i64, b: i64) -> (i64) {\n")
                    .append("    const.i64 r3, ").append(g).append('\n')
                    .append("    const.i64 r4, 0\n")
                    .append("    i64.add r255, r2, r3\n");
            for (int k = 0; k < adds; k++) {
                s.append("    i64.add r2, r2, r255\n");
            }
            s.append("""
                        i64.lt r5, r4, r1
                        br r5, deeper, done
                    deeper:
                        const.i64 r3, 1
                        i64.sub r6, r1, r3
                        call r0, G, r0, [r6, r2] -> [r7]
                        ret r0, [r7]
                    done:
                        ret r0, [r2]
                    }
                    """.replace("G", "g" + g));
        }
        return s.toString();
    }

    private static int reflectInt(String cls, String field) throws Exception {
        var f = Class.forName(cls).getDeclaredField(field);
        f.setAccessible(true);
        return f.getInt(null);
    }

    /** {@code FastClone.bytesBound} of function {@code g} */
    private static int bytesBound(CompileView view, int g) throws Exception {
        Method m = Class.forName("dev.tape.jit.FastClone").getDeclaredMethod("bytesBound", LoweredFunction.class);
        m.setAccessible(true);
        return (int) m.invoke(null, view.function(g));
    }

    private static CompileView view(String src) {
        VerifiedProgram vp;
        try {
            vp = JitLeafInlineTest.verified(src);
        } catch (Exception e) {
            throw new AssertionError(src, e);
        }
        Vm vm = Jit.compile(vp, Host.NONE);
        return ((JitTier) vm.tier).view;
    }

    /** @return the names of the clones ({@code fast*}) in main's class, and its size in [0] of {@code size} */
    private static Set<String> clones(CompileView view, int[] size) {
        byte[] bytes = JitTestAccess.generate(view, 0).bytes();
        size[0] = bytes.length;
        Set<String> names = new TreeSet<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                if (name.startsWith("fast")) {
                    names.add(name);
                }
                return null;
            }
        }, 0);
        return names;
    }

    /** The most additions a g may have and keep its clone (g1's clone still in main's class). */
    private static int largestAdds() {
        int lo = 1;
        int hi = 200;
        assertTrue(clones(view(program(lo, 0)), new int[1]).contains("fast1"), "the smallest g has no clone");
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (clones(view(program(mid, 0)), new int[1]).contains("fast1")) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The largest pad at which main's method fits with its fast entries (step 0, one generation). */
    private static int largestPad(int adds) {
        int lo = 0;
        int hi = 4_000;
        assertEquals(List.of(1, 0), steps(adds, lo), "pad 0");
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (steps(adds, mid).equals(List.of(1, 0))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static List<Integer> steps(int adds, int pad) {
        int[] st = JitTestAccess.steps(view(program(adds, pad)), 0);
        return List.of(st[0], st[1]);
    }

    @Test
    void theLargestClassWithClonesFitsAndRunsAsTheInterpreter() throws Exception {
        int limit = reflectInt("dev.tape.jit.FastClone", "MAX_CLASS_BYTES");
        int adds = largestAdds();
        CompileView v = view(program(adds, 0));
        int b1 = bytesBound(v, 1);
        int b2 = bytesBound(v, 2);
        int b3 = bytesBound(v, 3);
        // g1 and g2 fill the clones' limit: g3's site makes a real call
        assertTrue(b1 + b2 <= limit && b1 + b2 + b3 > limit, b1 + " + " + b2 + " + " + b3 + " against " + limit);
        assertTrue(b1 + b2 > limit * 9 / 10, "the clones fill the limit: " + (b1 + b2) + " of " + limit);
        int[] size = new int[1];
        assertEquals(Set.of("fast1", "fast2"), clones(v, size), "adds " + adds);

        int pad = largestPad(adds);
        // fits with its fast entries at the last pad; one more: generated again without them, at step 0
        assertEquals(List.of(2, 0), steps(adds, pad + 1), "pad " + (pad + 1));
        int[] big = new int[1];
        assertEquals(Set.of("fast1", "fast2"), clones(view(program(adds, pad)), big), "pad " + pad);
        assertTrue(big[0] <= JitTier.MAX_CLASS_BYTES, "main's class " + big[0] + " bytes");
        assertTrue(big[0] > size[0], "main's class grew with its pad: " + size[0] + " -> " + big[0]);
        assertEquals(Set.of(), clones(view(program(adds, pad + 1)), new int[1]), "pad " + (pad + 1));

        for (int p : new int[] {0, pad, pad + 1}) {
            VerifiedProgram vp = JitLeafInlineTest.verified(program(adds, p));
            Tiers t = Tiers.of(vp, Host.NONE);
            for (long n : new long[] {0, 1, 3, 20}) {
                List<Value> args = List.of(Value.i64(n));
                String what = "pad " + p + " n " + n;
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
                for (long fuel = 0; fuel <= used + 1; fuel += 1 + used / 40) {
                    t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                t.check(0, args, Limits.DEFAULT.withFuel(used - 1), what + " fuel " + (used - 1));
                for (long depth = 2; depth <= 24; depth += 5) {
                    t.check(0, args, Limits.DEFAULT.withMaxCallDepth(depth), what + " depth " + depth);
                }
            }
            Vm vm = Jit.compile(vp, Host.NONE);
            ExecutionContext ctx = new ExecutionContext();
            vm.run(ctx, 0, List.of(Value.i64(20)), Limits.DEFAULT, null);
            // main's sites enter the clones up to pad; past it, only g's own self-call sites do
            assertTrue(ctx.fastEntries > 0, "pad " + p + ": the clones were entered");
        }
    }
}
