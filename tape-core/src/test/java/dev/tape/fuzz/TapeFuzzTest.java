package dev.tape.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz targets. In a normal build ({@code mvn verify}) each runs in regression mode: once on
 * the empty input and once on every file under
 * {@code src/test/resources/dev/tape/fuzz/TapeFuzzTestInputs/<method>/}. To fuzz one target for a
 * set time (only one fuzz test runs per fuzzing JVM), see {@code docs/SECURITY.md}, "Fuzzing":
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl tape-core -Dtest=TapeFuzzTest#run -Djazzer.max_duration=10m \
 *     -DargLine=-Xmx1g -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class TapeFuzzTest {
    /** (a) Raw bytes into the decoder: a program or a DecodeException, nothing else. */
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        FuzzChecks.decode(data);
    }

    /** (b) Decode and verify: a VerifiedProgram, DecodeException or VerifyException, nothing else. */
    @FuzzTest(maxDuration = "30s")
    void verify(byte[] data) {
        FuzzChecks.verify(data);
    }

    /** (c) Decode, verify and run function 0 three ways; results, fuel and traps must agree. */
    @FuzzTest(maxDuration = "30s")
    void run(byte[] data) {
        FuzzChecks.run(data);
    }
}
