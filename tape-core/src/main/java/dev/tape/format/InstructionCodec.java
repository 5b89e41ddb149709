package dev.tape.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and encodes instructions by walking each opcode's operand schema
 * ({@link Opcode#operands()}, generated from {@code spec/opcodes.json}); spec section
 * "Instruction encoding (v1)".
 */
public final class InstructionCodec {
    private InstructionCodec() {}

    /** The most operands an opcode has, and shared all-null list arrays for each operand count. */
    private static final int MAX_OPERANDS = maxOperands();
    private static final long[][][] NO_LISTS = new long[MAX_OPERANDS + 1][][];
    private static final int[][][] NO_LIST_WIDTHS = new int[MAX_OPERANDS + 1][][];
    /**
     * each opcode's operands as {@code mnemonic.name}, for error messages: an opcode's made the
     * first time one is asked for (all of them at class initialisation cost a cold start about 2 ms
     * of interpreted string building), then kept
     */
    private static final String[][] LABELS = new String[Opcode.values().length][];
    /** whether each opcode (by ordinal) has a register-list operand */
    private static final boolean[] HAS_LIST = new boolean[Opcode.values().length];

    static {
        for (Opcode op : Opcode.values()) {
            for (Operand o : op.operands()) {
                HAS_LIST[op.ordinal()] |= o.kind() == OperandKind.REG_LIST;
            }
        }
        for (int n = 0; n <= MAX_OPERANDS; n++) {
            NO_LISTS[n] = new long[n][];
            NO_LIST_WIDTHS[n] = new int[n][];
        }
    }

    /** @return operand {@code i} of {@code op} as {@code mnemonic.name}, for error messages (made once) */
    static String label(Opcode op, int i) {
        String[] labels = LABELS[op.ordinal()];
        if (labels == null) {
            labels = new String[op.operands().size()];
            for (int k = 0; k < labels.length; k++) {
                labels[k] = op.mnemonic() + "." + op.operands().get(k).name();
            }
            // published without a lock: another thread may see the array before its elements,
            // and then makes the label itself below
            LABELS[op.ordinal()] = labels;
        }
        String label = labels[i];
        return label != null ? label : op.mnemonic() + "." + op.operands().get(i).name();
    }

    private static int maxOperands() {
        int max = 0;
        for (Opcode op : Opcode.values()) {
            max = Math.max(max, op.operands().size());
        }
        return max;
    }

    /**
     * Reads the opcode byte at the reader's position, the start of the instruction at {@code pc}.
     *
     * @throws DecodeException at {@code pc} when the byte is no opcode
     */
    static Opcode opcode(ByteReader r, int pc) throws DecodeException {
        int b = r.u8();
        Opcode op = Opcode.fromByte(b);
        if (op == null) {
            throw r.errorAt(pc, String.format("unknown opcode byte 0x%02x", b));
        }
        return op;
    }

    /**
     * Decodes the instruction starting at byte {@code pc} of a function's bytecode.
     *
     * @param code the function's bytecode
     * @param pc the byte offset of the opcode, 0 to {@code code.length - 1}
     * @return the instruction
     * @throws DecodeException (section {@code "bytecode"}, offset relative to the start of
     *     {@code code}) when {@code pc} is not inside the code, on an unknown opcode byte, a
     *     truncated operand, or a value too large for its encoding
     */
    public static Instruction decode(byte[] code, int pc) throws DecodeException {
        if (pc < 0 || pc >= code.length) {
            throw new DecodeException("bytecode", pc, "pc " + pc + " is outside the " + code.length + " bytes of code");
        }
        ByteReader r = new ByteReader(code, pc, code.length, 0, "bytecode");
        Opcode op = opcode(r, pc);
        List<Operand> schema = op.operands();
        int n = schema.size();
        long[] values = new long[n];
        // most instructions have no register list: they share arrays of n nulls, never written
        long[][] lists = HAS_LIST[op.ordinal()] ? new long[n][] : NO_LISTS[n];
        long widths = 0;
        int[][] listWidths = HAS_LIST[op.ordinal()] ? new int[n][] : NO_LIST_WIDTHS[n];
        for (int i = 0; i < n; i++) {
            Operand o = schema.get(i);
            int start = r.position();
            switch (o.encoding()) {
                case ULEB32 -> values[i] = r.uleb32();
                case ULEB64 -> values[i] = r.uleb64();
                case SLEB64 -> values[i] = r.sleb64();
                case U64_LE -> values[i] = r.u64le();
                case U8 -> values[i] = r.u8();
                case U8_BOOL -> values[i] = r.u8(); // any non-zero byte is true, as in the reference
                case ULEB32_COUNT_THEN_ULEB32 -> {
                    int count = r.count(label(op, i), 1);
                    widths = Instruction.withWidth(widths, i, r.position() - start);
                    long[] regs = new long[count];
                    int[] regWidths = new int[count];
                    for (int k = 0; k < count; k++) {
                        int at = r.position();
                        regs[k] = r.uleb32();
                        regWidths[k] = r.position() - at;
                    }
                    values[i] = count;
                    lists[i] = regs;
                    listWidths[i] = regWidths;
                    continue;
                }
            }
            widths = Instruction.withWidth(widths, i, r.position() - start);
        }
        return Instruction.decoded(op, pc, r.position() - pc, values, lists, widths, listWidths);
    }

    /**
     * Decodes a whole function body.
     *
     * @param code the function's bytecode
     * @return its instructions in order, each with its pc
     * @throws DecodeException as {@link #decode(byte[], int)} does, for the first bad instruction
     */
    public static List<Instruction> decodeAll(byte[] code) throws DecodeException {
        // about one instruction per 4 bytes: sized once for most functions, never more than the bytes
        List<Instruction> out = new ArrayList<>(code.length / 4 + 1);
        int pc = 0;
        while (pc < code.length) {
            Instruction ins = decode(code, pc);
            out.add(ins);
            pc = ins.nextPc();
        }
        return out;
    }

    /**
     * Appends an instruction's encoding, keeping each operand's and each listed register's recorded
     * width (padded LEB128 where the instruction was decoded from a padded encoding, canonical
     * otherwise), so decoding then encoding gives back the same bytes.
     *
     * @param ins the instruction
     * @param out where to write
     */
    public static void encode(Instruction ins, ByteWriter out) {
        Opcode op = ins.opcode();
        out.u8(op.toByte());
        List<Operand> schema = op.operands();
        for (int i = 0; i < schema.size(); i++) {
            Operand o = schema.get(i);
            long v = ins.value(i);
            int w = ins.width(i);
            switch (o.encoding()) {
                case ULEB32, ULEB64 -> writeUleb(out, v, w);
                case SLEB64 -> writeSleb(out, v, w);
                case U64_LE -> out.u64le(v);
                case U8, U8_BOOL -> out.u8((int) v);
                case ULEB32_COUNT_THEN_ULEB32 -> {
                    writeUleb(out, v, w);
                    for (int k = 0; k < v; k++) {
                        writeUleb(out, ins.listValue(i, k), ins.listWidth(i, k));
                    }
                }
            }
        }
    }

    /**
     * Encodes a list of instructions one after another, as a function body.
     *
     * @param instructions instructions in order
     * @return their concatenated encoding
     */
    public static byte[] encodeAll(List<Instruction> instructions) {
        ByteWriter w = new ByteWriter();
        for (Instruction ins : instructions) {
            encode(ins, w);
        }
        return w.toByteArray();
    }

    private static void writeUleb(ByteWriter out, long v, int width) {
        if (width <= ByteWriter.ulebSize(v)) {
            out.uleb(v);
        } else {
            out.ulebPadded(v, width);
        }
    }

    private static void writeSleb(ByteWriter out, long v, int width) {
        int canonical = Instruction.slebSize(v);
        if (width <= canonical) {
            out.sleb(v);
            return;
        }
        for (int i = 0; i < width; i++) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            out.u8(i + 1 < width ? b | 0x80 : b);
        }
    }
}
