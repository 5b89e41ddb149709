package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Not a test: the measurement behind docs/SECURITY.md's worst-case compile figures ("The compiled
 * tier"). Thread CPU time of one function's compile, generation only, no class defined
 * ({@code JitTestAccess.steps}, which makes every method generation of the size fallback that
 * {@code JitTier} would), on a fresh VM each time, 80 times, the last 40 counted: the fallback
 * program of {@link JitFallbackStepsTest} padded to fit only at the last step, padded to fit at no
 * step, the latter with unreachable adds filling it to {@code JitTier.MAX_CODE_INTS}, and a plain
 * function of 1,000 adds (fits at once) and of 2,030 (refused at its first generation); next to an
 * interpreted run of 20,005 fuel ({@code JitTier.FUEL_PER_CLASS}), the fuel that pays for a
 * compile past a VM's free ones. Run from the repository's root after
 * {@code mvn -B -o -q -pl tape-jit -am test-compile}, with the test classpath (tape-jit's and
 * tape-core's classes and test classes, ASM, JUnit's API):
 * {@code java -cp CP dev.tape.vm.CompileCostMain 823 824 1181} (last pad that fits at step 9, first
 * that fits nowhere, dead adds to the cap), or {@code ... CompileCostMain scan FROM TO BY} to find
 * those pads again when the compiler changes.
 */
public final class CompileCostMain {
    private CompileCostMain() {}

    /** The program with {@code dead} unreachable adds (and a {@code ret}) after main's {@code ret}. */
    static String deadTail(String src, int dead) {
        StringBuilder d = new StringBuilder();
        for (int k = 0; k < dead; k++) {
            d.append("    i64.add r2, r2, r4\n");
        }
        d.append("    ret r0, [r2]\n");
        int at = src.indexOf("    ret r0, [r2]\n}") + "    ret r0, [r2]\n".length();
        return src.substring(0, at) + d + src.substring(at);
    }

    /** A main of {@code n} adds. */
    static String adds(int n) {
        StringBuilder s = new StringBuilder("program adds\nfunc main(n: i64) -> (total: i64) {\n    const.i64 r2, 0\n    const.i64 r4, 1\n");
        for (int k = 0; k < n; k++) {
            s.append("    i64.add r2, r2, r4\n");
        }
        return s.append("    ret r0, [r2]\n}\n").toString();
    }

    /** Prints main's code length, generations, step and compile times in ms. */
    static void measure(String what, String src) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        VerifiedProgram p0 = JitLeafInlineTest.verified(src);
        int ints = p0.program().functions().get(0).codeLength();
        long[] t = new long[80];
        int[] s = null;
        for (int i = 0; i < t.length; i++) {
            VerifiedProgram p = JitLeafInlineTest.verified(src);
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            long a = mx.getCurrentThreadCpuTime();
            s = JitTestAccess.steps(tier.view, 0);
            t[i] = mx.getCurrentThreadCpuTime() - a;
        }
        long[] last = Arrays.copyOfRange(t, 40, 80);
        Arrays.sort(last);
        System.out.printf("%-40s ints %5d gens %2d step %2d  ms min %.2f med %.2f p90 %.2f max %.2f%n", what, ints, s[0], s[1],
                last[0] / 1e6, last[20] / 1e6, last[36] / 1e6, last[39] / 1e6);
    }

    /** thread CPU of interpreted runs of 20,000 fuel (a loop of 4,000 trips of 5 instructions) */
    static void interp() throws Exception {
        // (tape-core's sum_loop text: the same loop of 5 instructions a turn)
        Vm vm = new Vm(JitLeafInlineTest.verified(dev.tape.testing.SumText.SUM), Host.NONE);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] t = new long[400];
        for (int i = 0; i < t.length; i++) {
            ExecutionContext c = new ExecutionContext();
            long a = mx.getCurrentThreadCpuTime();
            vm.run(c, 0, java.util.List.of(dev.tape.value.Value.i64(4000)), Limits.DEFAULT, null);
            t[i] = mx.getCurrentThreadCpuTime() - a;
        }
        long[] last = Arrays.copyOfRange(t, 200, 400);
        Arrays.sort(last);
        System.out.printf("%-40s ms min %.3f med %.3f max %.3f%n", "interpreted, 20,005 fuel", last[0] / 1e6, last[100] / 1e6, last[199] / 1e6);
    }

    /**
     * @param a {@code FITS_LAST NONE DEAD}, or {@code scan FROM TO BY}
     * @throws Exception when a program does not verify
     */
    public static void main(String[] a) throws Exception {
        if (a.length > 0 && a[0].equals("scan")) {
            for (int pad = Integer.parseInt(a[1]); pad <= Integer.parseInt(a[2]); pad += Integer.parseInt(a[3])) {
                VerifiedProgram p = JitLeafInlineTest.verified(JitFallbackStepsTest.program(pad));
                JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
                int[] s = JitTestAccess.steps(tier.view, 0);
                System.out.println("pad " + pad + " gens " + s[0] + " step " + s[1] + " ints " + p.program().functions().get(0).codeLength());
            }
            return;
        }
        int fitsLast = Integer.parseInt(a[0]);
        int none = Integer.parseInt(a[1]);
        int dead = Integer.parseInt(a[2]);
        for (int round = 0; round < 2; round++) {
            interp();
            measure("step program, pad " + fitsLast, JitFallbackStepsTest.program(fitsLast));
            measure("step program, pad " + none, JitFallbackStepsTest.program(none));
            measure("pad " + none + " + " + dead + " dead adds", deadTail(JitFallbackStepsTest.program(none), dead));
            measure("1,000 adds", adds(1000));
            measure("2,030 adds", adds(2030));
        }
    }
}
