package dev.tape.hostile;

import dev.tape.format.DecodeException;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each hostile program of {@link HostilePrograms} ends cleanly: a result, a rejection or a trap. */
class HostileProgramsTest {
    /** Encodes, decodes and verifies, as an embedder loading a file would. */
    static VerifiedProgram load(Program p) throws Exception {
        return Verifier.verify(ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }

    static Trap trap(Program p, Limits limits) throws Exception {
        Vm vm = new Vm(load(p), Host.NONE);
        return assertThrows(Trap.class, () -> vm.run(new ExecutionContext(), 0, List.of(), limits, null));
    }

    @Test
    void stringDoublingStopsAtTheHeapLimit() throws Exception {
        // fuel for 500 million instructions: only the heap limit can stop it
        Limits generous = Limits.DEFAULT.withFuel(500_000_000L);
        Vm vm = new Vm(load(HostilePrograms.stringDoubling()), Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        Trap t = assertThrows(Trap.class, () -> vm.run(ctx, 0, List.of(), generous, null));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind(), t.getMessage());
        assertEquals("double_forever", t.funcName());
        assertTrue(ctx.heapBytesAllocated() > Limits.DEFAULT_HEAP_BYTES);
        // about 25 doublings, so nearly all the fuel is left
        assertTrue(t.fuelRemaining() > 500_000_000L - 100, "fuel left " + t.fuelRemaining());
        // a smaller heap stops it sooner, a zero heap at the first concatenation
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, trap(HostilePrograms.stringDoubling(),
                generous.withMaxHeapBytes(1 << 20)).kind());
        Trap zero = trap(HostilePrograms.stringDoubling(), generous.withMaxHeapBytes(0));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, zero.kind());
        assertEquals(500_000_000L - 3, zero.fuelRemaining());
    }

    @Test
    void stringCompareLoopStopsAtTheScanBudget() throws Exception {
        Trap t = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> trap(HostilePrograms.stringCompareLoop(), Limits.DEFAULT));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind(), t.getMessage());
        assertTrue(t.detail().contains("comparisons"), t.detail());
        // 120 set-up instructions, then 512 comparisons (4 GiB / 8 MiB) and their jumps; the 513th traps
        assertEquals(Limits.DEFAULT_FUEL - 120 - 2 * 512 - 1, t.fuelRemaining());
    }

    @Test
    void millionDeepRecursionReturnsWithAMatchingDepthLimit() throws Exception {
        Vm vm = new Vm(load(HostilePrograms.deepRecursion()), Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        List<Value> out = vm.run(ctx, 0, List.of(),
                Limits.DEFAULT.withMaxCallDepth(HostilePrograms.RECURSION_FRAMES), null);
        assertEquals(List.of(Value.i64(HostilePrograms.RECURSION_LEVELS)), out);
        // 8 instructions per level, 4 for rec(0) and 3 for main: within the default fuel of 10 million
        assertEquals(Limits.DEFAULT_FUEL - 8L * HostilePrograms.RECURSION_LEVELS - 7, ctx.fuelRemaining());
    }

    @Test
    void millionDeepRecursionTrapsCleanlyBelowItsDepth() throws Exception {
        Trap t = trap(HostilePrograms.deepRecursion(),
                Limits.DEFAULT.withMaxCallDepth(HostilePrograms.RECURSION_FRAMES - 1));
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, t.kind());
        // a million frames: the trap keeps the innermost and outermost Trap.STACK_EDGE, and counts the rest
        assertEquals(2 * Trap.STACK_EDGE, t.stack().size());
        assertEquals(HostilePrograms.RECURSION_FRAMES - 1, t.stack().size() + t.elidedFrames());
        Trap d = trap(HostilePrograms.deepRecursion(), Limits.DEFAULT);
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, d.kind());
        assertEquals("rec", d.funcName());
        assertEquals(2 * Trap.STACK_EDGE, d.stack().size());
        assertEquals(Limits.DEFAULT_CALL_DEPTH, d.stack().size() + d.elidedFrames());
    }

    @Test
    void millionDeepRecursionWithFatFramesHitsTheRegisterLimit() throws Exception {
        // 9 registers a frame: 9,000,018 registers > 8,388,608
        Trap t = trap(HostilePrograms.deepRecursion(9),
                Limits.DEFAULT.withMaxCallDepth(HostilePrograms.RECURSION_FRAMES));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind(), t.getMessage());
        assertEquals("rec", t.funcName());
    }

    @Test
    void hundredThousandFunctionsDecodeVerifyAndRun() throws Exception {
        byte[] file = ProgramEncoder.encode(HostilePrograms.manyFunctions());
        Program p = ProgramDecoder.decode(file);
        assertEquals(HostilePrograms.MANY_FUNCTIONS, p.functions().size());
        VerifiedProgram vp = Verifier.verify(p);
        Vm vm = new Vm(vp, Host.NONE);
        List<Value> out = vm.run(new ExecutionContext(), 0, List.of(),
                Limits.DEFAULT.withMaxCallDepth(HostilePrograms.MANY_FUNCTIONS), null);
        assertEquals(List.of(Value.i64(HostilePrograms.MANY_FUNCTIONS - 1)), out);
        Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(), Limits.DEFAULT));
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, t.kind());
        assertEquals(Limits.DEFAULT_CALL_DEPTH - 1, t.func());
    }

    @Test
    void infiniteLoopRunsOutOfFuel() throws Exception {
        Trap t = trap(HostilePrograms.infiniteLoop(), Limits.DEFAULT);
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        assertEquals(0, t.fuelRemaining());
    }

    @Test
    void registerBombHitsTheRegisterLimit() throws Exception {
        Trap t = trap(HostilePrograms.registerBomb(), Limits.DEFAULT);
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind(), t.getMessage());
        // frame d needs 65,536 * d registers plus 2 for each of its d - 1 pending calls: 128 frames
        // would be 8,388,862 > 8,388,608, so the call from frame 127 traps
        assertEquals(Limits.DEFAULT_REGISTERS / 65_536 - 1, t.stack().size() + t.elidedFrames());
    }

    @Test
    void tupleBombHitsTheHeapLimit() throws Exception {
        Trap t = trap(HostilePrograms.tupleBomb(), Limits.DEFAULT.withFuel(Long.MAX_VALUE));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind(), t.getMessage());
    }

    @Test
    void hugeResultsRenderWithinBounds() throws Exception {
        for (Program p : List.of(HostilePrograms.tupleDag(), HostilePrograms.deepTuple())) {
            Vm vm = new Vm(load(p), Host.NONE);
            List<Value> out = vm.run(0, List.of(), Limits.DEFAULT);
            Value v = out.get(0);
            String shown = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ValueLiteral.format(v, 200));
            assertEquals(203, shown.length(), shown);
            assertTrue(shown.startsWith("tuple(tuple(") && shown.endsWith("..."), shown);
        }
    }

    @Test
    void aMillionDeepResultFormatsWholeAndTheDagIsRefused() throws Exception {
        Value deep = new Vm(load(HostilePrograms.deepTuple()), Host.NONE).run(0, List.of(), Limits.DEFAULT).get(0);
        String whole = ValueLiteral.format(deep);
        assertEquals("tuple(".repeat(1_000_000) + "tuple()" + ")".repeat(1_000_000), whole);
        assertEquals(deep, ValueLiteral.parse(whole));
        Value dag = new Vm(load(HostilePrograms.tupleDag()), Host.NONE).run(0, List.of(), Limits.DEFAULT).get(0);
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(IllegalArgumentException.class, () -> ValueLiteral.format(dag)));
        assertTrue(e.getMessage().startsWith("value too large to format"), e.getMessage());
    }

    @Test
    void evilNamesReachTheTrapVerbatim() throws Exception {
        // the core reports the name as the program gave it; printing it safely is the printer's job
        Trap t = trap(HostilePrograms.evilNames(), Limits.DEFAULT);
        assertEquals(TrapKind.TRAP_CODE, t.kind());
        assertEquals(1, t.code());
        assertEquals(HostilePrograms.EVIL_NAME, t.funcName());
        assertTrue(t.getMessage().contains("\n"));
    }

    @Test
    void typeConfusionIsRejectedByTheVerifier() {
        Program p = HostilePrograms.typeConfusion();
        VerifyException e = assertThrows(VerifyException.class, () -> load(p));
        assertEquals("TypeMismatch", e.kind());
    }

    @Test
    void verificationBombsAreRefusedQuickly() {
        for (Program p : List.of(HostilePrograms.jumpMaze(), HostilePrograms.fatFunctions())) {
            VerifyException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(VerifyException.class, () -> load(p)));
            assertEquals("AnalysisBudgetExceeded", e.kind());
        }
    }

    @Test
    void randomBytesAreRejectedByTheDecoder() {
        for (long seed = 0; seed < 200; seed++) {
            byte[] b = HostilePrograms.randomBytes(seed, (int) (seed * 37 % 5000));
            assertThrows(DecodeException.class, () -> ProgramDecoder.decode(b));
        }
        assertThrows(DecodeException.class, () -> ProgramDecoder.decode(HostilePrograms.randomBytes(20261122L, 4096)));
    }

    @Test
    void hugeCountIsRejectedWithoutAllocating() {
        DecodeException e = assertThrows(DecodeException.class, () -> ProgramDecoder.decode(HostilePrograms.hugeCount()));
        assertTrue(e.getMessage().contains("symbol count"), e.getMessage());
    }
}
