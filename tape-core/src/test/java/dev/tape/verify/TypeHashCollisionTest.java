package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tape.program.CallSig;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ValueType#hashCode()} is fixed ({@code 31 x kind + Long.hashCode(hostType)}), so a file
 * can name many distinct obj types of one hash: {@code obj<k x 2^32 + k>} all hash to 11 x 31.
 * The verifier's hash maps keyed by value types (signature keys, a function's obj type ids, the
 * register-type arrays shared between functions) then searched all the colliding keys on every
 * look-up, since neither a type nor a list of them is ordered: 40,000 call signatures (440 KB)
 * took 244 s to verify, a host call of 16,000 such results (176 KB) 32 s, 4,000 functions of
 * 1,000 registers whose last register holds such a type (226 KB) 97 s (8,000 of 200 registers,
 * as here: over 100 s). Their keys are ordered now, so a look-up among colliding keys costs a
 * logarithm of them (each test here takes a few seconds at most, the time limit is for the
 * machine's load).
 */
class TypeHashCollisionTest {
    /** obj types that all have one hash code */
    private static ValueType colliding(long k) {
        return ValueType.obj((k << 32) | k);
    }

    private static Program decoded(Program p) {
        return ProgramDecoder.decode(ProgramEncoder.encode(p));
    }

    @Test
    void manyCallSignaturesOfCollidingTypes() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.ret(0);
        f.regCount(1);
        Program base = pb.build();
        List<CallSig> sigs = new ArrayList<>();
        for (long k = 1; k <= 40_000; k++) {
            sigs.add(new CallSig(List.of(colliding(k)), List.of()));
        }
        // and one equal to the first, which must get the same key
        sigs.add(new CallSig(List.of(colliding(1)), List.of()));
        Program p = decoded(new Program(base.symbols(), base.constants(), base.types(), base.functions(),
                base.hostSigs(), sigs, base.argShapes(), base.names()));
        VerifiedProgram v = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Verifier.verify(p));
        assertEquals(1, v.program().functions().size());
    }

    @Test
    void aHostCallOfManyCollidingResultTypes() {
        int n = 30_000;
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> rets = new ArrayList<>();
        for (long k = 1; k <= n; k++) {
            rets.add(colliding(k));
        }
        int sig = pb.hostSig("env.many", List.of(), rets);
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        int[] regs = new int[n];
        for (int i = 0; i < n; i++) {
            regs[i] = i + 1;
        }
        f.hostCall(0, sig, 0, new int[0], regs);
        f.ret(0);
        f.regCount(n + 1);
        Program p = decoded(pb.build());
        VerifiedProgram v = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Verifier.verify(p));
        assertEquals(colliding(1), v.registerType(0, 1));
        assertEquals(colliding(n), v.registerType(0, n));
    }

    @Test
    void manyFunctionsWhoseRegisterTypesCollide() {
        int n = 8_000;
        int regs = 200;
        ProgramBuilder pb = new ProgramBuilder();
        for (long k = 1; k <= n; k++) {
            int sig = pb.hostSig("env.f" + k, List.of(), List.of(colliding(k)));
            FunctionBuilder f = pb.addFunction(List.of(), List.of());
            f.hostCall(0, sig, 0, new int[0], new int[] {regs - 1});
            f.ret(0);
            f.regCount(regs);
        }
        Program p = decoded(pb.build());
        VerifiedProgram v = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Verifier.verify(p));
        for (int k = 0; k < n; k++) {
            assertEquals(colliding(k + 1), v.registerType(k, regs - 1));
            assertEquals(ValueType.UNIT, v.registerType(k, regs - 2));
        }
    }
}
