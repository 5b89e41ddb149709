package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzChecks;
import dev.tape.fuzz.FuzzHost;
import dev.tape.gen.ValidPrograms;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer fuzz targets that run verified programs on both tiers and require them to be
 * indistinguishable: {@link #tiers} decodes arbitrary bytes, {@link #validPrograms} makes a
 * program with tape-core's test generator ({@link ValidPrograms}, whose programs hold the
 * compiled tier's counted loops, {@code CountedLoop}, which random bytes almost never form) from
 * a seed and a fuel limit in the input. In a normal build ({@code mvn verify}) each runs in
 * regression mode: once on the empty input and once on every file under
 * {@code src/test/resources/dev/tape/vm/JitFuzzTestInputs/<method>/} ({@code tiers/} started from
 * the 372 conformance vectors and tape-core's {@code run} corpus; {@code validPrograms/} holds
 * seeds whose programs have a chunk). To fuzz one for a set time, see {@code docs/SECURITY.md},
 * "Fuzzing":
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl tape-jit -am -Dtest=JitFuzzTest#tiers -Djazzer.max_duration=10m \
 *     -DargLine=-Xmx1g -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class JitFuzzTest {
    /**
     * Decode, verify, and run function 0 with arguments of its exact types (derived from the
     * input's hash, as tape-core's {@code run} target does) under {@link FuzzChecks#LIMITS},
     * against the deterministic {@link FuzzHost}: on the interpreter, on the compiled tier with a
     * fresh context, and on the compiled tier again reusing that context. All three must end the
     * same way in every detail {@link Tiers} describes (results by bits, or every field of the
     * trap; fuel left, host calls made, heap bytes; every host call as the host saw it). A
     * {@code DecodeException} or {@code VerifyException} is fine; a trap of any kind but
     * {@code internal_error} is fine when both tiers agree on it. Also, every function small
     * enough to compile must have been compiled: the compiler leaves a function it fails on to
     * the interpreter silently, which would hide a compiler bug from the comparison.
     */
    @FuzzTest(maxDuration = "30s")
    void tiers(byte[] data) {
        check(data);
    }

    /**
     * The body of {@link #tiers}, for replaying an input outside Jazzer.
     *
     * @param data the input
     * @throws AssertionError on a finding: the tiers differ, the reused context differs, a run
     *     trapped {@code internal_error}, or the compiler left a function that fits to the interpreter
     */
    static void check(byte[] data) {
        VerifiedProgram vp = FuzzChecks.verify(data);
        if (vp == null || vp.program().functions().isEmpty()) {
            return;
        }
        check(vp, FuzzChecks.entryArgs(vp, data), FuzzChecks.LIMITS);
    }

    /**
     * A program of {@link ValidPrograms} run on both tiers as {@link #tiers} runs one. The input's
     * first 8 bytes (big-endian, zeros past its end) are the generator's seed, the next 4 (an
     * unsigned int {@code u}) the fuel: {@code MAX_FUEL - u mod (MAX_FUEL + 1)}, so the empty input
     * runs with the most and others anywhere down to none, inside a chunk's trips too. The
     * program goes through the encoder and the decoder before the verifier, as a file would.
     */
    @FuzzTest(maxDuration = "30s")
    void validPrograms(byte[] data) {
        checkGenerated(data);
    }

    /** The most fuel {@link #validPrograms} gives a run: enough for a chunk of most programs' loops. */
    static final long MAX_FUEL = 1_000_000;

    /**
     * The body of {@link #validPrograms}, for replaying an input outside Jazzer.
     *
     * @param data the input
     * @return the verified program it ran
     * @throws AssertionError on a finding, as {@link #check(byte[])}; or when the generated program
     *     does not decode and verify (the generator's promise)
     */
    static VerifiedProgram checkGenerated(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(data, 12));
        long seed = b.getLong();
        long fuel = MAX_FUEL - Integer.toUnsignedLong(b.getInt()) % (MAX_FUEL + 1);
        Program prog = ValidPrograms.program(seed);
        VerifiedProgram vp = FuzzChecks.verify(ProgramEncoder.encode(prog));
        if (vp == null) {
            throw new AssertionError("seed " + seed + ": the generated program does not decode and verify");
        }
        check(vp, FuzzArgs.forFunction(prog, 0, seed), FuzzChecks.LIMITS.withFuel(fuel));
        return vp;
    }

    /**
     * Runs function 0 of {@code vp} the three ways of {@link #tiers} and compares them.
     *
     * @param vp a verified program with at least one function
     * @param args function 0's arguments
     * @param limits the runs' limits
     * @throws AssertionError on a finding
     */
    static void check(VerifiedProgram vp, List<Value> args, Limits limits) {
        Tiers t = Tiers.of(vp, FuzzHost.INSTANCE);
        requireCompiled(Jit.compile(vp, FuzzHost.INSTANCE, Tiers.LAZY));
        Tiers.Outcome interpreted = t.interpret(0, args, limits);
        ExecutionContext ctx = new ExecutionContext();
        Tiers.Outcome compiled = Tiers.run(t.compiled, t.compiledHost, ctx, 0, args, limits, null);
        Tiers.Outcome reused = Tiers.run(t.compiled, t.compiledHost, ctx, 0, args, limits, null);
        noInternalError(interpreted, "interpreted");
        noInternalError(compiled, "compiled");
        noInternalError(reused, "compiled, reused context");
        Tiers.assertSame("interpreted", interpreted, "compiled", compiled, () -> "function 0, args " + args);
        Tiers.assertSame("compiled", compiled, "compiled, reused context", reused, () -> "function 0, args " + args);
    }

    /**
     * The checked-in corpus is not vacuous: many of its inputs verify and have function 0
     * compiled, and those that verify and run compiled code from a host call show that the
     * compiled tier really ran (not only the interpreter twice).
     */
    @Test
    void corpusReachesCompiledCode() throws IOException, URISyntaxException {
        Path dir = Path.of(JitFuzzTest.class.getResource("JitFuzzTestInputs/tiers").toURI());
        int verified = 0;
        int entryCompiled = 0;
        long hostCallsFromCompiledCode = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            byte[] data = Files.readAllBytes(f);
            VerifiedProgram vp = FuzzChecks.verify(data);
            if (vp == null || vp.program().functions().isEmpty()) {
                continue;
            }
            verified++;
            Tiers t = Tiers.of(vp, FuzzHost.INSTANCE);
            t.compile(0, FuzzChecks.entryArgs(vp, data), FuzzChecks.LIMITS);
            // compiled as it ran
            if (t.compiled.tier instanceof JitTier jt && jt.handles[0] != null) {
                entryCompiled++;
            }
            hostCallsFromCompiledCode += t.compiledHost.fromCompiledCode;
        }
        assertTrue(verified >= 200, "inputs that verify: " + verified + " of " + files.size());
        assertTrue(entryCompiled >= verified * 9 / 10, "function 0 compiled in " + entryCompiled + " of " + verified);
        assertTrue(hostCallsFromCompiledCode >= 20, "host calls from compiled code: " + hostCallsFromCompiledCode);
    }

    /**
     * The checked-in corpus of {@link #validPrograms} is not vacuous: every input's program has a
     * chunk (a {@code Math.min} call of a chunk preamble) in a compiled method, and the fuel
     * limits are spread: at least two runs, but not all, end out of fuel.
     */
    @Test
    void validProgramsCorpusHasChunks() throws IOException, URISyntaxException {
        Path dir = Path.of(JitFuzzTest.class.getResource("JitFuzzTestInputs/validPrograms").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        int outOfFuel = 0;
        for (Path f : files) {
            byte[] data = Files.readAllBytes(f);
            VerifiedProgram vp = checkGenerated(data);
            Vm vm = Jit.compile(vp, FuzzHost.INSTANCE, Tiers.LAZY);
            Jit.precompile(vm);
            int chunks = 0;
            for (int fn = 0; fn < vm.funcs.length; fn++) {
                if (((JitTier) vm.tier).handles[fn] != null) {
                    chunks += CountedLoopPrograms.preambles((JitTier) vm.tier, fn);
                }
            }
            assertTrue(chunks > 0, f + ": no chunk");
            ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(data, 12));
            long seed = b.getLong();
            long fuel = MAX_FUEL - Integer.toUnsignedLong(b.getInt()) % (MAX_FUEL + 1);
            Tiers.Outcome o = Tiers.of(vp, FuzzHost.INSTANCE).interpret(0,
                    FuzzArgs.forFunction(vp.program(), 0, seed), FuzzChecks.LIMITS.withFuel(fuel));
            outOfFuel += o.kind() == TrapKind.FUEL_EXCEEDED ? 1 : 0;
        }
        assertTrue(files.size() >= 8, "inputs: " + files.size());
        assertTrue(outOfFuel >= 2 && outOfFuel < files.size(), "runs out of fuel: " + outOfFuel + " of " + files.size());
    }

    private static void noInternalError(Tiers.Outcome o, String which) {
        if (o.kind() == TrapKind.INTERNAL_ERROR) {
            throw new AssertionError("the " + which + " run trapped internal_error: " + o);
        }
    }

    /**
     * Compiles every function of a fresh compiled-tier VM now and requires that every function whose
     * method is certainly under the compile size limit ({@link JitTestAccess#sizeBound}) has compiled
     * code (the runs compile only what they reach). Larger functions may be left to the
     * interpreter by design; the compiler also leaves a function to the interpreter when it fails
     * on it or the JVM refuses its class, both bugs.
     */
    private static void requireCompiled(Vm vm) {
        Jit.precompile(vm);
        JitTier tier = (JitTier) vm.tier;
        for (int f = 0; f < vm.funcs.length; f++) {
            if (JitTestAccess.sizeBound(vm.funcs[f]) <= JitTestAccess.maxMethodBytes() && tier.handles[f] == null) {
                throw new AssertionError("function " + f + " fits the compile size limit but was left to the "
                        + "interpreter (the compiler failed on it or the JVM refused its class); "
                        + Jit.compiledFunctions(vm) + " of " + vm.funcs.length + " functions compiled");
            }
        }
    }
}
