package dev.tape.format;

import java.util.Arrays;
import java.util.List;

/**
 * One decoded instruction: its opcode, its byte offset and length in the function's bytecode, and
 * its operand values in schema order ({@link Opcode#operands()}).
 *
 * <p>A scalar operand (register, immediate, id, pc) is read with {@link #value(int)} (or
 * {@link #reg(int)} for a register); a register list with {@link #list(int)}. Each operand, and
 * each register of a list, also remembers how many bytes it took, so that a padded
 * (non-canonical) LEB128 encoding can be written back byte for byte. Instances are immutable.
 */
public final class Instruction {
    private final Opcode opcode;
    private final int pc;
    private final int length;
    private final long[] values;
    /** Register lists as their u32 values (null for scalar operands). */
    private final long[][] lists;
    /** the encoded width of each scalar operand (for a list, of its count), 4 bits each, 1 to 10 */
    private final long widths;
    /** The encoded width of each register of each list (null for scalar operands). */
    private final int[][] listWidths;

    private Instruction(Opcode opcode, int pc, int length, long[] values, long[][] lists, long widths,
                        int[][] listWidths) {
        this.opcode = opcode;
        this.pc = pc;
        this.length = length;
        this.values = values;
        this.lists = lists;
        this.widths = widths;
        this.listWidths = listWidths;
    }

    /**
     * Makes an instruction to encode, with canonical operand widths.
     *
     * @param opcode the opcode
     * @param operands one value per schema operand: a {@code Long}, {@code Integer}, {@code Short}
     *     or {@code Byte} (or a {@link Boolean} for {@code imm_bool}) for a scalar, taken exactly;
     *     an {@code int[]} (registers 0 to 2^31-1) or a {@code long[]} (registers 0 to 2^32-1, as
     *     the format's u32) for a register list
     * @return the instruction, with pc 0 and its encoded length
     * @throws IllegalArgumentException when the operands do not match the schema in count or kind
     *     (another {@code Number}, such as a {@code BigInteger} or a {@code Double}, which would
     *     have to be narrowed: {@code mov.src needs an integer, got BigInteger}; a {@code Boolean}
     *     for an operand other than {@code imm_bool}), or a value is out of its encoding's range
     */
    public static Instruction of(Opcode opcode, Object... operands) {
        List<Operand> schema = opcode.operands();
        if (operands.length != schema.size()) {
            throw new IllegalArgumentException(opcode.mnemonic() + " takes " + schema.size() + " operands, got "
                    + operands.length);
        }
        long[] values = new long[schema.size()];
        long[][] lists = new long[schema.size()][];
        long widths = 0;
        int[][] listWidths = new int[schema.size()][];
        for (int i = 0; i < operands.length; i++) {
            Operand op = schema.get(i);
            Object o = operands[i];
            if (op.kind() == OperandKind.REG_LIST) {
                long[] l;
                if (o instanceof int[] ints) {
                    l = new long[ints.length];
                    for (int k = 0; k < ints.length; k++) {
                        if (ints[k] < 0) {
                            throw outOfRange(opcode, op, ints[k], U32_MAX);
                        }
                        l[k] = ints[k];
                    }
                } else if (o instanceof long[] longs) {
                    l = longs.clone();
                    for (long r : l) {
                        if ((r >>> 32) != 0) {
                            throw outOfRange(opcode, op, r, U32_MAX);
                        }
                    }
                } else {
                    throw new IllegalArgumentException(opcode.mnemonic() + "." + op.name()
                            + " needs an int[] or a long[]");
                }
                lists[i] = l;
                listWidths[i] = new int[l.length];
                for (int k = 0; k < l.length; k++) {
                    listWidths[i][k] = ByteWriter.ulebSize(l[k]);
                }
                values[i] = l.length;
            } else if (o instanceof Boolean b && op.kind() == OperandKind.IMM_BOOL) {
                values[i] = b ? 1 : 0;
            } else if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
                // exact: another Number (a BigInteger past 64 bits, a double) would be narrowed
                values[i] = ((Number) o).longValue();
            } else {
                throw new IllegalArgumentException(opcode.mnemonic() + "." + op.name() + " needs "
                        + (o instanceof Number || o instanceof Boolean ? "an integer, got " + o.getClass().getSimpleName()
                        : "a number"));
            }
            checkRange(opcode, op, values[i]);
            widths = withWidth(widths, i, canonicalWidth(op.encoding(), values[i]));
        }
        return new Instruction(opcode, 0, 0, values, lists, widths, listWidths).withLength();
    }

    private Instruction withLength() {
        int n = 1;
        for (int i = 0; i < values.length; i++) {
            n += width(i);
            if (listWidths[i] != null) {
                for (int w : listWidths[i]) {
                    n += w;
                }
            }
        }
        return new Instruction(opcode, pc, n, values, lists, widths, listWidths);
    }

    /** The largest u32, the range of registers and of the format's other u32 operands. */
    private static final long U32_MAX = 0xFFFF_FFFFL;

    /**
     * The one message of an operand out of its range, on every path ({@link #of} with a scalar, an
     * {@code int[]} or a {@code long[]} list, {@link #withOperand}; the builder and the assembler
     * reach them through these): {@code mov.dst: register -1 is out of range (0 to 4294967295)}
     * for a register, scalar or in a list, whether it is negative (an {@code int} or a {@code long})
     * or past 2^32-1, and {@code call.func: 4294967296 is out of range (0 to 4294967295)} for
     * another operand (a u8's range is 0 to 255); worded as {@code FunctionBuilder} words its own,
     * narrower, register bound.
     *
     * @param opcode the instruction's opcode
     * @param op the operand (a list's, for an entry of a register list)
     * @param v the value
     * @param max the largest the operand's encoding holds
     * @return the exception to throw
     */
    static IllegalArgumentException outOfRange(Opcode opcode, Operand op, long v, long max) {
        boolean reg = op.kind() == OperandKind.REG || op.kind() == OperandKind.REG_LIST;
        return new IllegalArgumentException(opcode.mnemonic() + "." + op.name() + ": " + (reg ? "register " : "") + v
                + " is out of range (0 to " + max + ")");
    }

    static void checkRange(Opcode opcode, Operand op, long v) {
        switch (op.encoding()) {
            case ULEB32, ULEB32_COUNT_THEN_ULEB32 -> {
                if ((v >>> 32) != 0) {
                    throw outOfRange(opcode, op, v, U32_MAX);
                }
            }
            case U8, U8_BOOL -> {
                if (v < 0 || v > 255) {
                    throw outOfRange(opcode, op, v, 255);
                }
            }
            default -> { }
        }
    }

    /**
     * Computes how many bytes a value takes in its shortest encoding.
     *
     * @param e an operand encoding
     * @param v a value in that encoding's range
     * @return the bytes the value takes in its canonical (minimal) encoding, 1 to 10
     */
    public static int canonicalWidth(OperandEncoding e, long v) {
        return switch (e) {
            case ULEB32, ULEB64, ULEB32_COUNT_THEN_ULEB32 -> ByteWriter.ulebSize(v);
            case SLEB64 -> slebSize(v);
            case U64_LE -> 8;
            case U8, U8_BOOL -> 1;
        };
    }

    static int slebSize(long v) {
        int n = 0;
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            n++;
            if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) {
                return n;
            }
        }
    }

    /**
     * @param widths packed widths
     * @param i an operand position, 0 to 15
     * @param w its width, 1 to 10
     * @return {@code widths} with operand {@code i}'s width set to {@code w}
     */
    static long withWidth(long widths, int i, int w) {
        return widths & ~(0xFL << (4 * i)) | (long) w << (4 * i);
    }

    static Instruction decoded(Opcode opcode, int pc, int length, long[] values, long[][] lists, long widths,
                               int[][] listWidths) {
        return new Instruction(opcode, pc, length, values, lists, widths, listWidths);
    }

    /**
     * Returns a copy of this instruction with one operand replaced (used to patch branch targets).
     *
     * @param index the operand's position in the schema
     * @param value the new scalar value
     * @param width the encoded width in bytes; 0 for canonical
     * @return the new instruction (its pc is kept, its length recomputed)
     * @throws IllegalArgumentException when the operand is a register list, the value is out of
     *     range, or the width is too small for the value
     */
    public Instruction withOperand(int index, long value, int width) {
        Operand op = opcode.operands().get(index);
        if (op.kind() == OperandKind.REG_LIST) {
            throw new IllegalArgumentException("cannot replace a register list");
        }
        checkRange(opcode, op, value);
        int canonical = canonicalWidth(op.encoding(), value);
        int w = width == 0 ? canonical : width;
        if (w < canonical || w > 10) {
            throw new IllegalArgumentException("width " + w + " cannot hold " + value);
        }
        long[] v = values.clone();
        long ws = withWidth(widths, index, w);
        v[index] = value;
        return new Instruction(opcode, pc, 0, v, lists, ws, listWidths).withLength();
    }

    /**
     * Copies this instruction with another pc; the operands and the encoding stay the same.
     *
     * @param pc the byte offset to record
     * @return a copy of this instruction at another byte offset
     */
    public Instruction at(int pc) {
        return new Instruction(opcode, pc, length, values, lists, widths, listWidths);
    }

    /**
     * The instruction's opcode.
     *
     * @return the opcode
     */
    public Opcode opcode() {
        return opcode;
    }

    /**
     * Where the instruction starts in its function's bytecode.
     *
     * @return the byte offset of the instruction in its function's bytecode
     */
    public int pc() {
        return pc;
    }

    /**
     * The instruction's size in bytes when encoded, opcode byte included.
     *
     * @return the encoded length in bytes, opcode byte included
     */
    public int length() {
        return length;
    }

    /**
     * Where the next instruction starts: the pc plus the length.
     *
     * @return the byte offset just past this instruction
     */
    public int nextPc() {
        return pc + length;
    }

    /**
     * The number of operands the opcode's schema has.
     *
     * @return the number of operands in the schema
     */
    public int operandCount() {
        return values.length;
    }

    /**
     * Reads one operand as a scalar (a register list gives its length).
     *
     * @param i the operand's position in the schema
     * @return the scalar value (for a register list, its length); unsigned encodings give their
     *     two's-complement bits
     */
    public long value(int i) {
        return values[i];
    }

    /**
     * Reads one register operand.
     *
     * @param i the position of a {@code reg} operand
     * @return the register index, 0 to {@code Integer.MAX_VALUE}... (values above that are
     *     returned as negative numbers and fail every bounds check)
     */
    public int reg(int i) {
        long v = values[i];
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * Copies out one register-list operand.
     *
     * @param i the position of a {@code reg_list} operand
     * @return a copy of the register indices (an index above {@code Integer.MAX_VALUE} appears as
     *     -1)
     */
    public int[] list(int i) {
        if (lists[i] == null) {
            return null;
        }
        int[] out = new int[lists[i].length];
        for (int k = 0; k < out.length; k++) {
            out[k] = lists[i][k] > Integer.MAX_VALUE ? -1 : (int) lists[i][k];
        }
        return out;
    }

    /**
     * One register of a register list, without copying the list.
     *
     * @param i the position of a {@code reg_list} operand
     * @param k the register's position in the list, 0 to {@code value(i) - 1}
     * @return the register index (an index above {@code Integer.MAX_VALUE} appears as -1)
     * @throws NullPointerException when operand {@code i} is not a register list
     * @throws ArrayIndexOutOfBoundsException when {@code k} is out of range
     */
    public int listReg(int i, int k) {
        long v = lists[i][k];
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * The registers this instruction writes when it runs: its register and register-list operands
     * of write access ({@code spec/opcodes.json}), in operand order (for a {@code call}, its result
     * registers, which the callee's return writes).
     *
     * @return the registers (an index above {@code Integer.MAX_VALUE} appears as -1), possibly empty
     */
    public int[] writes() {
        List<Operand> ops = opcode.operands();
        int n = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() == Access.WRITE) {
                n += ops.get(i).kind() == OperandKind.REG_LIST ? lists[i].length : 1;
            }
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() == Access.WRITE) {
                if (ops.get(i).kind() == OperandKind.REG_LIST) {
                    for (int r : list(i)) {
                        out[k++] = r;
                    }
                } else {
                    out[k++] = reg(i);
                }
            }
        }
        return out;
    }

    /**
     * One register of a register list as the file declares it, without copying the list.
     *
     * @param i the position of a {@code reg_list} operand
     * @param k the register's position in the list, 0 to {@code value(i) - 1}
     * @return the register index as its u32 value, 0 to 2^32-1
     * @throws NullPointerException when operand {@code i} is not a register list
     * @throws ArrayIndexOutOfBoundsException when {@code k} is out of range
     */
    public long listValue(int i, int k) {
        return lists[i][k];
    }

    /** @return the encoded width of register {@code k} of list operand {@code i} */
    int listWidth(int i, int k) {
        return listWidths[i][k];
    }

    /**
     * The encoded size of one operand's value.
     *
     * @param i the operand's position in the schema
     * @return the number of bytes the operand's value takes (for a list, its count)
     */
    public int width(int i) {
        return (int) (widths >>> (4 * i)) & 0xF;
    }

    /**
     * Finds an operand's position by its schema name.
     *
     * @param name an operand name from the schema, for example {@code "dst"}
     * @return its position, or -1 when the opcode has no such operand
     */
    public int indexOf(String name) {
        List<Operand> ops = opcode.operands();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Instruction other)) {
            return false;
        }
        return opcode == other.opcode && pc == other.pc && length == other.length
                && Arrays.equals(values, other.values) && Arrays.deepEquals(lists, other.lists)
                && widths == other.widths && Arrays.deepEquals(listWidths, other.listWidths);
    }

    @Override
    public int hashCode() {
        return (opcode.hashCode() * 31 + pc) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(opcode.mnemonic());
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? " " : ", ");
            if (lists[i] != null) {
                b.append(Arrays.toString(lists[i]));
            } else {
                b.append(values[i]);
            }
        }
        return b.append(" @").append(pc).toString();
    }
}
