package dev.tape.format;

import java.util.Arrays;
import java.util.List;

/**
 * A function body decoded into a few flat arrays instead of one {@link Instruction} object per
 * instruction: for the verifier, which walks every instruction several times and would otherwise
 * allocate an object and an operand array for each (issue 14: decode and verify a large program
 * allocating under 20 bytes per input byte). Instructions are numbered 0 to {@link #count()} - 1
 * in bytecode order; an operand is read with {@link #value(int, int)} (or {@link #reg(int, int)},
 * {@link #listReg(int, int, int)}), as on {@link Instruction}, which {@link #instruction(int)}
 * still makes on request.
 *
 * <p>{@link #decode(byte[])} fills the object and may be called again for another body: the
 * arrays are kept and grown as needed, so one object decodes every function of a program with
 * no allocation once it has grown to the largest body. Each array holds at most one entry per
 * bytecode byte (an instruction takes at least its opcode byte, an operand and each register of a
 * list at least one byte), so the memory is linear in the largest body's length. Not thread-safe.
 */
public final class DecodedCode {
    /** the bytecode last decoded (not copied), in its first {@link #length} bytes */
    private byte[] code = new byte[0];
    private int length;
    /** a copy of the last body {@link #decode(byte[], int, int)} decoded, reused */
    private byte[] copy = new byte[0];
    private int count;
    /** per instruction: its opcode's ordinal, its pc, and where its operands start in {@link #vals} */
    private byte[] ops = new byte[16];
    private int[] pcs = new int[17];
    private int[] starts = new int[17];
    /**
     * every instruction's operand values in schema order (a register list's count in its place),
     * followed by the registers of its lists, list by list
     */
    private long[] vals = new long[64];
    private int nVals;

    private static final Opcode[] OPCODES = Opcode.values();
    /** reads each body decoded (its section name is always {@code "bytecode"}, its base offset 0) */
    private final ByteReader reader = new ByteReader(new byte[0], "bytecode");

    /** An empty table; {@link #decode(byte[])} fills it. */
    public DecodedCode() {}

    /**
     * Decodes a whole function body into this object, replacing what it held; as
     * {@link InstructionCodec#decodeAll(byte[])} but without an object per instruction.
     *
     * @param bytecode the function's bytecode (kept, not copied: do not change it while this
     *     object is in use)
     * @return this object
     * @throws DecodeException exactly as {@link InstructionCodec#decodeAll(byte[])} throws it (the
     *     first bad instruction; section {@code "bytecode"}, offset relative to the body's start,
     *     the same reason); the object then holds no instruction
     */
    public DecodedCode decode(byte[] bytecode) throws DecodeException {
        return decode(bytecode, bytecode.length);
    }

    /**
     * Decodes a function body that is a range of a larger array, as {@link #decode(byte[])} decodes
     * a copy of the range (pcs and error offsets relative to {@code from}). The range is copied
     * into an array this object keeps and reuses (it grows to the largest body decoded).
     *
     * @param bytes the array holding the body
     * @param from where the body starts
     * @param length its length in bytes
     * @return this object
     * @throws DecodeException as {@link #decode(byte[])}
     * @throws IndexOutOfBoundsException when the range is not inside {@code bytes}
     */
    public DecodedCode decode(byte[] bytes, int from, int length) throws DecodeException {
        java.util.Objects.checkFromIndexSize(from, length, bytes.length);
        if (copy.length < length) {
            copy = new byte[(int) Math.max(length, Math.min(Integer.MAX_VALUE - 8, 2L * copy.length))];
        }
        System.arraycopy(bytes, from, copy, 0, length);
        return decode(copy, length);
    }

    private DecodedCode decode(byte[] bytecode, int length) throws DecodeException {
        code = bytecode;
        this.length = length;
        count = 0;
        nVals = 0;
        ByteReader r = reader;
        r.restart(bytecode, length);
        try {
            while (r.position() < length) {
                one(r);
            }
        } catch (DecodeException e) {
            count = 0;
            nVals = 0;
            throw e;
        }
        if (pcs.length <= count) {
            grow(count);
        }
        pcs[count] = length;
        starts[count] = nVals;
        return this;
    }

    private void one(ByteReader r) throws DecodeException {
        int pc = r.position();
        Opcode op = InstructionCodec.opcode(r, pc);
        List<Operand> schema = op.operands();
        int n = schema.size();
        if (count + 1 >= pcs.length) {
            grow(count + 1);
        }
        ensureVals(nVals + n);
        int base = nVals;
        int listEnd = base + n;
        for (int i = 0; i < n; i++) {
            Operand o = schema.get(i);
            long v;
            switch (o.encoding()) {
                case ULEB32 -> v = r.uleb32();
                case ULEB64 -> v = r.uleb64();
                case SLEB64 -> v = r.sleb64();
                case U64_LE -> v = r.u64le();
                case U8, U8_BOOL -> v = r.u8(); // any non-zero byte is true, as in the reference
                default -> {
                    int c = r.count(InstructionCodec.label(op, i), 1);
                    // count() checked that c bytes remain: the list fits in the body's length
                    ensureVals(listEnd + c);
                    for (int k = 0; k < c; k++) {
                        vals[listEnd + k] = r.uleb32();
                    }
                    listEnd += c;
                    v = c;
                }
            }
            vals[base + i] = v;
        }
        ops[count] = (byte) op.ordinal();
        pcs[count] = pc;
        starts[count] = base;
        count++;
        nVals = listEnd;
    }

    private void grow(int need) {
        int n = Math.max(need + 2, pcs.length * 2);
        ops = Arrays.copyOf(ops, n);
        pcs = Arrays.copyOf(pcs, n);
        starts = Arrays.copyOf(starts, n);
    }

    private void ensureVals(int need) {
        if (need > vals.length) {
            vals = Arrays.copyOf(vals, Math.max(need, vals.length * 2));
        }
    }

    /**
     * The number of instructions in the decoded body.
     *
     * @return the number of instructions decoded
     */
    public int count() {
        return count;
    }

    /**
     * The length in bytes of the bytecode that was decoded.
     *
     * @return the length of the decoded bytecode in bytes
     */
    public int codeLength() {
        return length;
    }

    /**
     * The opcode of one decoded instruction.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @return its opcode
     */
    public Opcode opcode(int k) {
        return OPCODES[ops[k] & 0xFF];
    }

    /**
     * Where one decoded instruction starts in the body.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @return its byte offset in the body
     */
    public int pc(int k) {
        return pcs[k];
    }

    /**
     * Where one decoded instruction ends in the body.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @return the byte offset just past it (the next instruction's pc, or the body's length)
     */
    public int nextPc(int k) {
        return pcs[k + 1];
    }

    /**
     * Reads one scalar operand (or a register list's length) of one decoded instruction.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @param i an operand's position in its opcode's schema
     * @return the scalar value (for a register list, its length), as {@link Instruction#value(int)}
     */
    public long value(int k, int i) {
        return vals[starts[k] + i];
    }

    /**
     * Reads one register operand of one decoded instruction.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @param i the position of a {@code reg} operand
     * @return the register index; a value above {@code Integer.MAX_VALUE} is -1, as
     *     {@link Instruction#reg(int)}
     */
    public int reg(int k, int i) {
        long v = vals[starts[k] + i];
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** @return where the registers of list operand {@code i} of instruction {@code k} start in {@link #vals} */
    private int listStart(int k, int i) {
        int s = starts[k];
        List<Operand> schema = opcode(k).operands();
        int at = s + schema.size();
        for (int j = 0; j < i; j++) {
            if (schema.get(j).kind() == OperandKind.REG_LIST) {
                at += (int) vals[s + j];
            }
        }
        return at;
    }

    /**
     * One register of a register list, as {@link Instruction#listReg(int, int)}.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @param i the position of a {@code reg_list} operand
     * @param e the register's position in the list, 0 to {@code value(k, i) - 1}
     * @return the register index (an index above {@code Integer.MAX_VALUE} appears as -1)
     */
    public int listReg(int k, int i, int e) {
        long v = vals[listStart(k, i) + e];
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * Copies out one register-list operand of one decoded instruction.
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @param i the position of a {@code reg_list} operand
     * @return a new array of the list's registers (an index above {@code Integer.MAX_VALUE}
     *     appears as -1), as {@link Instruction#list(int)}
     */
    public int[] list(int k, int i) {
        int at = listStart(k, i);
        int[] out = new int[(int) vals[starts[k] + i]];
        for (int e = 0; e < out.length; e++) {
            long v = vals[at + e];
            out[e] = v > Integer.MAX_VALUE ? -1 : (int) v;
        }
        return out;
    }

    /**
     * Makes instruction {@code k} as an object, equal to what {@link InstructionCodec#decode(byte[],
     * int)} gives at its pc (operand widths included).
     *
     * @param k an instruction number, 0 to {@link #count()} - 1
     * @return the instruction
     */
    public Instruction instruction(int k) {
        try {
            return InstructionCodec.decode(code, pcs[k]);
        } catch (DecodeException e) {
            // it decoded when this object was filled, from the same bytes
            throw new IllegalStateException("decoded bytecode no longer decodes", e);
        }
    }
}
