package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.program.ValueType;
import dev.tape.testing.MiniAsm;
import dev.tape.value.Value;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun} writes a decimal result's mantissa before it tests whether listing the slot
 * would box the full list of unboxed decimals; an {@code i64.to_dec} whose result register is its
 * own operand and that is handed back to {@code execute} must leave the operand's word as it found
 * it, since {@code execute} reads the operand again when it runs the instruction. A verified
 * program cannot write such a conversion (a register keeps one type), so the restore guards lowered
 * code that was not verified; the second test pins the verifier's refusal the run does not rely on.
 */
class DecimalRunHandBackWordTest {
    @Test
    void aHandedBackConversionIntoItsOwnOperandLeavesTheOperand() {
        ExecutionContext c = new ExecutionContext();
        for (int i = 0; i < ExecutionContext.DEC_SLOTS; i++) {
            c.decDirty(1000 + i);
        }
        int[] code = {
            // r2 = r2 + r1 (r2 unboxed already: no listing), r5 = to_dec(r5, 2) (r5 an i64: listing)
            Op.DEC_ADD, 2, 2, 1,
            Op.I64_TO_DEC, 5, 5, 2,
            Op.TRAP, 0,
        };
        long[] w = new long[8];
        Object[] r = new Object[8];
        r[1] = Value.decimal(5, 2);
        r[2] = Interpreter.DEC_SCALES[2];
        w[2] = 7;
        w[5] = 3;
        long p = DecimalRun.run(c, w, r, code, 0, 0, 100);
        assertEquals(4, (int) (p >>> 32), "handed back at the conversion");
        assertEquals(0, (int) p);
        assertTrue(c.decFull());
        assertNull(r[5]);
        assertEquals(3, w[5], "the conversion's operand, read again by execute");
        assertEquals(12, w[2]);
    }

    @Test
    void theVerifierRefusesAConversionIntoItsOwnOperand() {
        // r1 an i64 argument (r0 is the effect token), then r1 an i64 constant: each converted into itself
        MiniAsm fromArgument = new MiniAsm();
        fromArgument.function(List.of(ValueType.I64), List.of(), 2, MiniAsm.body()
                .op(Opcode.I64_TO_DEC, 1, 1, 2).op(Opcode.RET, 0, new int[0]));
        MiniAsm fromConstant = new MiniAsm();
        fromConstant.function(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CONST_I64, 1, 7).op(Opcode.I64_TO_DEC, 1, 1, 2).op(Opcode.RET, 0, new int[0]));
        for (MiniAsm a : List.of(fromArgument, fromConstant)) {
            VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(a.build()));
            assertEquals("UnstableRegTypeAt", e.kind(), e.getMessage());
        }
    }
}
