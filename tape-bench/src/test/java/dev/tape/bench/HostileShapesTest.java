package dev.tape.bench;

import dev.tape.host.ConformanceHost;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile benchmark's shapes are what their javadoc says (at small sizes, on both tiers): otherwise
 * its table would measure something else, for example a verify error instead of the run.
 */
class HostileShapesTest {
    private static List<Vm> tiers(byte[] file, Host host) throws Exception {
        VerifiedProgram v = Verifier.verify(ProgramDecoder.decode(file));
        // lazy linking: outputFlood runs without the std host to trap at the host call
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        return List.of(new Vm(v, host, lazy), Jit.compile(v, host, lazy));
    }

    private static Trap trap(Vm vm, List<Value> args, Limits limits) {
        return assertThrows(Trap.class, () -> vm.run(0, args, limits));
    }

    @Test
    void sharedBlobRowsShareOneBlobAndRun() throws Exception {
        byte[] file = HostileShapes.sharedBlob(300, 300);
        Program p = ProgramDecoder.decode(file);
        assertEquals(301, p.functions().size());
        assertTrue(file.length < 20_000, "300 rows of a 1.1 KB body fit in " + file.length + " bytes");
        Value first = null;
        for (Vm vm : tiers(file, Host.NONE)) {
            Value r = vm.run(0, List.of(Value.i64(1)), Limits.DEFAULT).get(0);
            first = first == null ? r : first;
            assertEquals(first, r, "both tiers agree");
        }
    }

    @Test
    void deepTrapsReachTheTrapWithTheirSpans() throws Exception {
        Limits deep = Limits.DEFAULT.withMaxCallDepth(1_002);
        for (byte[] file : List.of(HostileShapes.deepTrapSpans(5_000), HostileShapes.deepTrapNames(2_000, 100))) {
            for (Vm vm : tiers(file, Host.NONE)) {
                Trap t = trap(vm, List.of(Value.i64(1_000)), deep);
                assertEquals(TrapKind.TRAP_CODE, t.kind());
                assertEquals(7, t.code());
                assertEquals(1, t.func());
                assertEquals(4, t.span(), "the span of rec's trap instruction");
            }
        }
        assertEquals(2_002, ProgramDecoder.decode(HostileShapes.deepTrapNames(2_000, 100)).functions().size());
    }

    @Test
    void wideCallsRunUntilFuelRunsOut() throws Exception {
        for (byte[] file : List.of(HostileShapes.wideCalls(), HostileShapes.wideHostCalls())) {
            for (Vm vm : tiers(file, new ConformanceHost())) {
                Trap t = trap(vm, List.of(), Limits.DEFAULT.withFuel(20));
                assertEquals(TrapKind.FUEL_EXCEEDED, t.kind(), "wide calls succeed until fuel ends: " + t);
            }
        }
    }

    @Test
    void unitConstantsAreOneByteEach() throws Exception {
        byte[] file = HostileShapes.unitConstants(10_000);
        assertEquals(10_000, ProgramDecoder.decode(file).constants().size());
        assertTrue(file.length > 10_000 && file.length < 10_100, "about one byte a constant: " + file.length);
    }

    @Test
    void namedChainEntersEveryFunction() throws Exception {
        byte[] file = HostileShapes.namedChain(500);
        assertEquals("function_number_499", ProgramDecoder.decode(file).functionName(499));
        for (Vm vm : tiers(file, Host.NONE)) {
            assertEquals(List.of(), vm.run(0, List.of(), Limits.DEFAULT.withMaxCallDepth(500)));
            assertEquals(TrapKind.CALL_DEPTH_EXCEEDED,
                    trap(vm, List.of(), Limits.DEFAULT.withMaxCallDepth(499)).kind());
        }
    }

    @Test
    void counterCountsAndTinyReturnsOne() throws Exception {
        VerifiedProgram v = Verifier.verify(HostileShapes.counter(null));
        for (Vm vm : List.of(new Vm(v, Host.NONE), Jit.compile(v, Host.NONE))) {
            assertEquals(List.of(Value.i64(1_000)), vm.run(0, List.of(Value.i64(1_000)), Limits.DEFAULT));
            assertEquals(List.of(Value.i64(1)), vm.run(1, List.of(), Limits.DEFAULT));
        }
    }

    @Test
    void outputFloodAndBigResultBuildTheirStrings() throws Exception {
        for (Vm vm : tiers(HostileShapes.bigResult(10), Host.NONE)) {
            Value.Str s = (Value.Str) vm.run(0, List.of(), Limits.DEFAULT).get(0);
            assertEquals(2 << 10, s.length());
        }
        for (Vm vm : tiers(HostileShapes.outputFlood(3), Host.NONE)) {
            assertEquals(TrapKind.HOST_CALL_FAILED, trap(vm, List.of(), Limits.DEFAULT).kind(),
                    "no host provides std.print_str here");
        }
    }
}
