package dev.tape.bench;

import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * What loading a program costs in memory (issue 14: under 20 bytes allocated per input byte,
 * under 5 times the file size retained). For each program spec of {@link LoadBench} given
 * ({@code 20000x4 100000x0} when none), it decodes and verifies the file's bytes {@code copies}
 * times (default 4) holding every result, and reports per input byte: the heap the held
 * {@link VerifiedProgram}s keep (used heap after repeated {@link System#gc()} with them held,
 * less the used heap after the same without them, over the copies) and, for comparison, what held
 * decoded {@link Program}s alone keep; and the bytes this thread allocated for one decode and
 * verify ({@code com.sun.management.ThreadMXBean}, the mean of the copies after 5 warm-ups).
 *
 * <p>Run: {@code java -Xmx2g -cp tape-bench/target/benchmarks.jar dev.tape.bench.LoadMemory
 * [-copies N] [SPEC...]}. Prints one table row per spec.
 */
public final class LoadMemory {
    private LoadMemory() {}

    /**
     * @param args {@code [-copies N] [SPEC...]}
     * @throws Exception when a program does not decode or verify (it always does)
     */
    public static void main(String[] args) throws Exception {
        int copies = 4;
        java.util.List<String> specs = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-copies")) {
                copies = Integer.parseInt(args[++i]);
            } else {
                specs.add(args[i]);
            }
        }
        if (specs.isEmpty()) {
            specs = java.util.List.of("20000x4", "100000x0");
        }
        System.out.println("| program  | file bytes | verified retained B/B | decoded retained B/B | allocated B/B |");
        System.out.println("|----------|-----------:|----------------------:|---------------------:|--------------:|");
        for (String spec : specs) {
            byte[] bytes = LoadBench.encode(spec);
            double alloc = allocatedPerByte(bytes, copies);
            double verified = retained(bytes, copies, true) / copies / bytes.length;
            double decoded = retained(bytes, copies, false) / copies / bytes.length;
            System.out.println(String.format(Locale.ROOT, "| %-8s | %10d | %21.2f | %20.2f | %13.2f |", spec,
                    bytes.length, verified, decoded, alloc));
        }
    }

    private static double allocatedPerByte(byte[] bytes, int copies) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 5; i++) {
            Verifier.verify(ProgramDecoder.decode(bytes));
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < copies; i++) {
            Verifier.verify(ProgramDecoder.decode(bytes));
        }
        return (double) (threads.getThreadAllocatedBytes(id) - before) / copies / bytes.length;
    }

    /** @return the used heap the held copies keep, in bytes */
    private static double retained(byte[] bytes, int copies, boolean verify) {
        long base = usedAfterGc();
        Object[] held = new Object[copies];
        for (int i = 0; i < copies; i++) {
            Program p = ProgramDecoder.decode(bytes);
            held[i] = verify ? Verifier.verify(p) : p;
        }
        long with = usedAfterGc();
        // keep the copies reachable until after the measurement
        if (held[copies - 1] == null) {
            throw new IllegalStateException();
        }
        return with - base;
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
