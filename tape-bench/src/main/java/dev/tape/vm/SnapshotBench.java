package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.verify.Verifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Snapshot size and speed ({@code docs/SNAPSHOT.md}): writing a paused run's state to bytes and
 * reading it back into a fresh context, for two states: {@code deep}, a recursion paused 10,000
 * frames deep (5 live registers a frame), and {@code aggregates}, a loop paused after building a
 * 10,000-element linked list of tuples that each hold an i64, a shared string and a fresh decimal.
 * Setup prints each snapshot's size. In package {@code dev.tape.vm} for the package-private codec.
 * {@code apiSnapshot} and {@code apiRestore} do the same through the public API: {@link Run#snapshot()}
 * of a {@link Run} paused for fuel at the same point, and {@link Vm#restore(byte[])} of its bytes
 * (which also makes the {@link Run}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SnapshotBench {
    /** The paused state. */
    @Param({"deep", "aggregates"})
    public String state;

    static final String DEEP = """
            program deep
            func down(n: i64) -> (i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, done, more
            done:
                ret r0, [r2]
            more:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, down, r0, [r5] -> [r6]
                i64.add r7, r6, r4
                ret r0, [r7]
            }
            """;

    static final String AGGREGATES = """
            program aggregates
            func build(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.pool r4, str:"a string every element shares"
                tuple.new r5, [r2]
                mov r6, r2
                jmp loop
            loop:
                i64.lt r7, r6, r1
                br r7, body, end
            body:
                i64.to_dec r8, r6, 2
                tuple.new r5, [r6, r4, r8, r5]
                i64.add r6, r6, r3
                jmp loop
            end:
                ret r0, [r6]
            }
            """;

    private Vm vm;
    private byte[] bytes;
    private ExecutionContext paused;
    private final ExecutionContext target = new ExecutionContext();
    /** the same paused state as a public {@link Run} */
    private Run run;
    private byte[] apiBytes;

    /** Runs the program to the pause point and writes its snapshot once. */
    @Setup
    public void setup() throws Exception {
        boolean deep = state.equals("deep");
        vm = new Vm(Verifier.verify(Assembler.assemble(deep ? DEEP : AGGREGATES, state + ".tasm")), Host.NONE);
        Limits limits = Limits.DEFAULT.withMaxCallDepth(20_000);
        paused = new ExecutionContext();
        paused.reset(limits, null, 0);
        paused.ensureRegisters(vm.funcs[0].regCount());
        paused.w[1] = deep ? 20_000 : 1_000_000;
        paused.depth = 1;
        // deep: 6 instructions a level to the call, 10,000 levels; aggregates: 6 a list element, 10,000 elements
        long steps = deep ? 6L * 10_000 : 6 + 6L * 10_000;
        if (Interpreter.execute(vm, paused, steps) != Interpreter.OUT_OF_FUEL) {
            throw new IllegalStateException("the run ended before its pause point");
        }
        bytes = Snapshots.write(vm, paused);
        run = vm.start(0, java.util.List.of(dev.tape.value.Value.i64(deep ? 20_000 : 1_000_000)),
                limits.withFuel(steps));
        if (!(run.resume() instanceof Outcome.Paused)) {
            throw new IllegalStateException("the run did not pause");
        }
        run.addFuel(Limits.DEFAULT_FUEL);
        apiBytes = run.snapshot();
        System.out.println();
        System.out.println("snapshot " + state + ": " + bytes.length + " bytes (through the Run API: "
                + apiBytes.length + "), depth " + paused.depth);
    }

    /** @return the snapshot of the paused state */
    @Benchmark
    public byte[] write() {
        return Snapshots.write(vm, paused);
    }

    /** @return the context the snapshot was read into */
    @Benchmark
    public ExecutionContext read() {
        SnapshotReader.read(vm, bytes, target);
        return target;
    }

    /** @return the snapshot of the paused {@link Run} */
    @Benchmark
    public byte[] apiSnapshot() {
        return run.snapshot();
    }

    /** @return the run restored from its snapshot, paused */
    @Benchmark
    public Run apiRestore() {
        return vm.restore(apiBytes);
    }
}
