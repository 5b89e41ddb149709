package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import dev.tape.testing.EmptyBodyPrograms;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Functions whose bytecode is empty: the verifier accepts them as the reference does (whether or
 * not anything calls them); running one traps {@code invalid_entry} at pc 0 of that function,
 * after charging 1 fuel, as the run's entry, by {@code call}, {@code call.indirect} or a closure.
 */
class EmptyBodyTest {
    private static Vm vm(Program p) throws VerifyException {
        return new Vm(Verifier.verify(p), Host.NONE);
    }

    private static Trap trap(Program p, int entry, Limits limits) throws VerifyException {
        Vm vm = vm(p);
        return assertThrows(Trap.class, () -> vm.run(entry, List.of(), limits));
    }

    @Test
    void anUncalledEmptyFunctionIsAcceptedAndTheOthersRun() throws Exception {
        VerifiedProgram vp = Verifier.verify(EmptyBodyPrograms.uncalled());
        assertEquals(0, vp.instructionCount(1));
        assertEquals(List.of(Value.i64(7)), new Vm(vp, Host.NONE).run(0, List.of(), Limits.DEFAULT));
    }

    @Test
    void anEmptyBodySurvivesTheBinaryFormat() throws Exception {
        // the .tape form: a function-table row with a 0-byte bytecode range, and its span entry
        Program p = ProgramDecoder.decode(ProgramEncoder.encode(EmptyBodyPrograms.direct()));
        assertEquals(0, p.functions().get(1).codeLength());
        Trap t = trap(p, 0, Limits.DEFAULT);
        assertEquals(TrapKind.INVALID_ENTRY, t.kind());
        assertEquals(EmptyBodyPrograms.SPAN, t.span());
    }

    @Test
    void runningItAsTheEntryTraps() throws Exception {
        Trap t = trap(EmptyBodyPrograms.uncalled(), 1, Limits.DEFAULT);
        assertEquals(TrapKind.INVALID_ENTRY, t.kind());
        assertEquals(1, t.func());
        assertEquals(0, t.pc());
        assertFalse(t.hasSpan(), t.getMessage());
        assertEquals(Limits.DEFAULT.fuel() - 1, t.fuelRemaining());
        assertEquals(1, t.stack().size());
    }

    @Test
    void callingItTrapsInsideIt() throws Exception {
        for (Program p : List.of(EmptyBodyPrograms.direct(), EmptyBodyPrograms.indirect(),
                EmptyBodyPrograms.closure())) {
            Trap t = trap(p, 0, Limits.DEFAULT);
            assertEquals(TrapKind.INVALID_ENTRY, t.kind(), t.getMessage());
            assertEquals(1, t.func());
            assertEquals(0, t.pc());
            assertEquals(EmptyBodyPrograms.SPAN, t.span());
            assertEquals(2, t.stack().size(), t.getMessage());
            assertEquals(0, t.stack().get(1).func());
        }
        // direct: const.i64 (1 fuel), call (1), the empty body (1)
        assertEquals(Limits.DEFAULT.fuel() - 3, trap(EmptyBodyPrograms.direct(), 0, Limits.DEFAULT).fuelRemaining());
    }

    @Test
    void itsOneUnitOfFuelIsChargedFirst() throws Exception {
        Trap t = trap(EmptyBodyPrograms.direct(), 0, Limits.DEFAULT.withFuel(2));
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        assertEquals(1, t.func());
        assertEquals(0, t.pc());
        t = trap(EmptyBodyPrograms.uncalled(), 1, Limits.DEFAULT.withFuel(0));
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        assertEquals(1, t.func());
    }

    @Test
    void theCallDepthLimitComesFirst() throws Exception {
        Trap t = trap(EmptyBodyPrograms.direct(), 0, Limits.DEFAULT.withMaxCallDepth(1));
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, t.kind());
        assertEquals(0, t.func());
    }

    @Test
    void theRegisterRulesStillApply() throws Exception {
        // no register for the effect token, or fewer than 1 + arguments: refused as the reference does
        VerifyException e = assertThrows(VerifyException.class,
                () -> Verifier.verify(EmptyBodyPrograms.emptyWith(List.of(), 0)));
        assertEquals("ArgCountExceedsRegs", e.kind());
        e = assertThrows(VerifyException.class,
                () -> Verifier.verify(EmptyBodyPrograms.emptyWith(List.of(ValueType.I64), 1)));
        assertEquals("ArgCountExceedsRegs", e.kind());
        Verifier.verify(EmptyBodyPrograms.emptyWith(List.of(ValueType.I64, ValueType.STR), 3));
    }
}
