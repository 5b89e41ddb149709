package dev.tape.format;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Instruction#of}'s scalar operands are exact integers: a {@code Number} that is not a
 * {@code Long}, {@code Integer}, {@code Short} or {@code Byte} (a {@code BigInteger} past 64 bits, a
 * {@code Double} with a fraction, NaN) used to be narrowed by {@link Number#longValue()}, so
 * {@code mov r0, 2^64} silently became {@code mov r0, r0} and {@code 1.9} register 1, though the
 * method promises an {@code IllegalArgumentException} for a value out of its encoding's range; and a
 * {@code Boolean}, documented for {@code imm_bool} only, was taken as 1 or 0 by any operand (a
 * register, a pool index). Both are refused now, on every opcode's every scalar operand, with the
 * wording {@code FunctionBuilder} uses for the same mistakes.
 */
class AttackInstructionOperandTest {
    private static Object[] zeros(Opcode op) {
        Object[] args = new Object[op.operands().size()];
        for (int k = 0; k < args.length; k++) {
            args[k] = op.operands().get(k).kind() == OperandKind.REG_LIST ? new int[0] : (Object) 0L;
        }
        return args;
    }

    @Test
    void aNumberThatIsNotAnExactIntegerIsRefusedOnEveryScalarOperand() {
        Object[] inexact = {BigInteger.ONE.shiftLeft(64), BigInteger.ONE.shiftLeft(64).add(BigInteger.ONE), 1.9, 0.5f,
            Double.NaN, new BigDecimal("2.5"), new AtomicLong(3)};
        int checked = 0;
        for (Opcode op : Opcode.values()) {
            for (int i = 0; i < op.operands().size(); i++) {
                Operand o = op.operands().get(i);
                if (o.kind() == OperandKind.REG_LIST) {
                    continue;
                }
                for (Object v : inexact) {
                    Object[] args = zeros(op);
                    args[i] = v;
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Instruction.of(op, args),
                            op.mnemonic() + "." + o.name() + " = " + v);
                    assertEquals(op.mnemonic() + "." + o.name() + " needs an integer, got " + v.getClass().getSimpleName(),
                            e.getMessage());
                    checked++;
                }
            }
        }
        assertEquals(true, checked > 100, "operands checked: " + checked);
    }

    @Test
    void aBooleanIsTakenOnlyByABooleanImmediate() {
        int bools = 0;
        for (Opcode op : Opcode.values()) {
            for (int i = 0; i < op.operands().size(); i++) {
                Operand o = op.operands().get(i);
                if (o.kind() == OperandKind.REG_LIST) {
                    continue;
                }
                Object[] args = zeros(op);
                args[i] = Boolean.TRUE;
                if (o.kind() == OperandKind.IMM_BOOL) {
                    Object[] ones = zeros(op);
                    ones[i] = 1L;
                    assertEquals(Instruction.of(op, ones).value(i), Instruction.of(op, args).value(i));
                    bools++;
                } else {
                    assertEquals(op.mnemonic() + "." + o.name() + " needs an integer, got Boolean",
                            assertThrows(IllegalArgumentException.class, () -> Instruction.of(op, args)).getMessage());
                }
            }
        }
        assertEquals(true, bools > 0);
    }

    @Test
    void theIntegralTypesAreTakenExactly() {
        Object[] same = {7L, 7, (short) 7, (byte) 7};
        for (Object v : same) {
            assertEquals(7L, Instruction.of(Opcode.MOV, 0, v).value(1));
        }
    }
}
