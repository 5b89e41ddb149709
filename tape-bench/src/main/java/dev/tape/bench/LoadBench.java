package dev.tape.bench;

import dev.tape.format.DecodeException;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
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
 * Decoding and verifying issue 14's two program sizes from their bytes: {@code 20000x4}, 20,000
 * {@link BigProgram} functions with four guard steps each (3.78 MB, the size the issue's
 * reference measurement used), and {@code 100000x0}, 100,000 plain ones. Megabytes per second
 * are {@link #bytes()} over the time; {@code -prof gc}'s {@code gc.alloc.rate.norm} over
 * {@link #bytes()} gives the bytes allocated per input byte. {@link LoadMemory} measures what a
 * verified program keeps.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class LoadBench {
    /** The program: functions x guard steps per function ({@link BigProgram#build(int, int)}). */
    @Param({"20000x4", "100000x0"})
    public String program;

    private byte[] bytes;

    /** Builds and encodes the program once, and prints its size. */
    @Setup
    public void setup() {
        bytes = encode(program);
        System.out.println("\n" + program + ": " + bytes.length + " bytes");
    }

    /**
     * @param spec functions x guard steps, for example {@code 20000x4}
     * @return the encoded {@link BigProgram}
     * @throws IllegalArgumentException when the spec is malformed
     */
    static byte[] encode(String spec) {
        String[] parts = spec.split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected FUNCTIONSxGUARDS, got " + spec);
        }
        return ProgramEncoder.encode(BigProgram.build(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
    }

    /** @return the encoded program's size in bytes */
    public int bytes() {
        return bytes.length;
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
}
