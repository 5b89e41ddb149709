package dev.tape.program;

import dev.tape.format.Access;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;

import java.util.List;

/**
 * The checks {@link FunctionBuilder} applies to the operands given to its emit methods: an
 * integral operand's Java type, a register's range, the register shape {@code unary} and
 * {@code binary} require, and the operand list their errors name. Split out of
 * {@link FunctionBuilder}, whose class comment describes the rules; every error is an
 * {@link IllegalArgumentException}.
 */
final class OperandChecks {
    private OperandChecks() {
    }

    /**
     * @param schema an opcode's operands
     * @return their names as a list in parentheses, like {@code (dst, a, b)}
     */
    static String operandNames(List<Operand> schema) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < schema.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(schema.get(i).name());
        }
        return b.append(")").toString();
    }

    /**
     * @param where the operand as errors name it ({@code mov.dst})
     * @param v the operand, not null
     * @return its value, when it is a {@code Long}, {@code Integer}, {@code Short} or {@code Byte}
     * @throws IllegalArgumentException when it is of another type
     */
    static long integral(String where, Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException(where + " needs an integer, got " + v.getClass().getSimpleName());
    }

    /**
     * @param where the operand as errors name it ({@code mov.dst})
     * @param r a register index
     * @throws IllegalArgumentException when it is not 0 to {@code Integer.MAX_VALUE - 1}
     */
    static void checkReg(String where, long r) {
        if (r < 0 || r >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": register " + r + " is out of range (0 to "
                    + (Integer.MAX_VALUE - 1) + ")");
        }
    }

    /**
     * Checks that an opcode's operands are {@code n} registers, the first written, the others read.
     *
     * @param opcode the opcode
     * @param n 2 (dst, a) or 3 (dst, a, b)
     * @throws IllegalArgumentException when the opcode is null or of another shape
     */
    static void requireRegShape(Opcode opcode, int n) {
        if (opcode == null) {
            throw new IllegalArgumentException("opcode is null");
        }
        List<Operand> ops = opcode.operands();
        boolean ok = ops.size() == n;
        for (int i = 0; ok && i < n; i++) {
            ok = ops.get(i).kind() == OperandKind.REG
                    && ops.get(i).access() == (i == 0 ? Access.WRITE : Access.READ);
        }
        if (!ok) {
            throw new IllegalArgumentException(opcode.mnemonic() + " is not of the shape dst"
                    + (n == 2 ? ", a" : ", a, b") + " (operands " + operandNames(ops) + ")");
        }
    }
}
