package dev.tape.bench;

import dev.tape.format.DecodeException;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.jit.Jit;
import dev.tape.vm.Vm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Decoding, verifying (type check and lowering) and compiling ({@code tape-jit}) a program of
 * {@value BigProgram#FUNCTIONS} functions.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DecodeVerifyBench {
    private byte[] bytes;
    private Program program;
    private VerifiedProgram verified;

    /** Builds and encodes the program once. */
    @Setup
    public void setup() {
        program = BigProgram.build(BigProgram.FUNCTIONS);
        bytes = ProgramEncoder.encode(program);
        try {
            verified = Verifier.verify(program);
        } catch (VerifyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the decoded program
     * @throws DecodeException never
     */
    @Benchmark
    public Program decode() throws DecodeException {
        return ProgramDecoder.decode(bytes);
    }

    /**
     * @return the verified program
     * @throws VerifyException never
     */
    @Benchmark
    public VerifiedProgram verify() throws VerifyException {
        return Verifier.verify(program);
    }

    /**
     * @return the verified program
     * @throws DecodeException never
     * @throws VerifyException never
     */
    @Benchmark
    public VerifiedProgram decodeVerify() throws DecodeException, VerifyException {
        return Verifier.verify(ProgramDecoder.decode(bytes));
    }

    /**
     * @return a VM with compiled code for every function ({@link Jit#precompile}: the cost of
     *     compiling all of them, which the tier otherwise spreads over the runs that reach them)
     */
    @Benchmark
    public Vm compile() {
        Vm vm = Jit.compile(verified, Workload.HOST_LOOP.host());
        Jit.precompile(vm);
        return vm;
    }
}
