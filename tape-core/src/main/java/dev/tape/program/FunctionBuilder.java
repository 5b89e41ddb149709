package dev.tape.program;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the bytecode of one function of a {@link ProgramBuilder}: instructions, labels, spans
 * and the register count. Get one from {@link ProgramBuilder#function(int)}; the program builder
 * collects its result when {@link ProgramBuilder#build()} runs, so a function body may be added to
 * at any time before that.
 *
 * <p><b>Operands.</b> Registers, ids, counts and immediates are written as canonical (minimal)
 * LEB128, as the reference builder writes them. A branch target given as a {@link Label} is written
 * as a fixed five-byte ULEB128 (for example {@code 8f 80 80 80 00} for pc 15), exactly as the
 * reference builder reserves and patches it, so the same instruction sequence gives the same bytes
 * as the Rust toolchain ({@code notes/container-format.md} section 2.3). A branch target given as
 * a number is written canonically (useful for making deliberately odd programs).
 *
 * <p><b>Registers.</b> A register index is 0 to {@code Integer.MAX_VALUE - 1}; r0 holds the effect
 * token and r1..rN the N arguments (spec section "Calling convention"). The register count written
 * to the function table is, unless set with {@link #regCount(int)}: the highest register used by
 * any operand plus one, at least 1, and at least the argument count plus one.
 *
 * <p><b>Spans.</b> {@link #span(long)} marks the span in force from the current pc on; the span
 * table stores each mark as a pc delta from the previous mark (the first from 0), spec section
 * "Span table encoding (compact)".
 *
 * <p><b>Errors.</b> Every emitting method returns this builder and throws
 * {@link IllegalArgumentException} at the call when an operand is malformed: a wrong operand count
 * for the opcode, a {@code null}, a negative or too large register, a value out of its encoding's
 * range, or a label that belongs to another function. Problems that can only be seen once the
 * function is complete (a label never placed, an id with no table entry) are reported by
 * {@link ProgramBuilder#build()} as {@link IllegalStateException}. Not thread-safe.
 */
public final class FunctionBuilder {
    /** The width in bytes of a branch target written for a label, as the reference builder does. */
    public static final int LABEL_PC_WIDTH = 5;

    /**
     * A branch target inside one function. Make one with {@link FunctionBuilder#newLabel()} or
     * {@link FunctionBuilder#namedLabel(String)}, refer to it from {@code br}/{@code jmp} before or
     * after placing it, and place it exactly once with {@link FunctionBuilder#place(Label)}.
     */
    public static final class Label {
        private final FunctionBuilder owner;
        private final int index;
        private final String name;

        private Label(FunctionBuilder owner, int index, String name) {
            this.owner = owner;
            this.index = index;
            this.name = name;
        }

        /**
         * The label's place among its function's labels.
         *
         * @return the label's number within its function, from 0 in order of creation
         */
        public int index() {
            return index;
        }

        /**
         * The label's name as the source gives it.
         *
         * @return the label's name, or {@code null} for an unnamed label
         */
        public String name() {
            return name;
        }

        /** @return the name, or {@code L<index>} for an unnamed label */
        @Override
        public String toString() {
            return name != null ? name : "L" + index;
        }
    }

    /**
     * What a finished body contributes to the program.
     *
     * @param code the bytecode
     * @param instructions the instructions, each with its pc
     * @param spans the span table
     * @param labelNames (pc, name symbol id) pairs of the named labels, in creation order
     * @param regCount the register count
     */
    record Parts(byte[] code, List<Instruction> instructions, List<SpanEntry> spans, List<int[]> labelNames,
                 int regCount) {}

    private final ProgramBuilder owner;
    private final int funcId;
    private final int argCount;
    private final List<Instruction> instructions = new ArrayList<>();
    /** The labels, their pcs and names, and the operands that target them. */
    private final FunctionLabels labels;
    private final List<long[]> spanMarks = new ArrayList<>();
    private int pc;
    private long maxRegPlusOne;
    private int regCountOverride = -1;

    FunctionBuilder(ProgramBuilder owner, int funcId, int argCount) {
        this.owner = owner;
        this.funcId = funcId;
        this.argCount = argCount;
        this.labels = new FunctionLabels(funcId);
    }

    /**
     * The function whose body this builder writes.
     *
     * @return the id of the function this builder assembles
     */
    public int funcId() {
        return funcId;
    }

    /**
     * The pc the next emitted instruction will start at.
     *
     * @return the byte offset the next instruction will get, 0 or more
     */
    public int pc() {
        return pc;
    }

    /**
     * Counts the instructions emitted so far.
     *
     * @return the number of instructions emitted so far
     */
    public int instructionCount() {
        return instructions.size();
    }

    /**
     * Makes a label that branches may target before it is placed with {@link #place(Label)}.
     *
     * @return a new, unplaced, unnamed label of this function
     */
    public Label newLabel() {
        return labels.add(new Label(this, labels.size(), null), 0);
    }

    /**
     * Makes a new, unplaced label with a name. Once placed, the name is recorded in the names
     * section (spec section "Names (optional)") as a label of this function at the label's pc. The
     * name is interned in the symbol table by this call.
     *
     * @param name the label's name
     * @return the label
     * @throws IllegalArgumentException when {@code name} is null or has an unpaired surrogate
     */
    public Label namedLabel(String name) {
        if (name == null) {
            throw new IllegalArgumentException("label name is null");
        }
        int symbol = owner.symbol(name);
        return labels.add(new Label(this, labels.size(), name), symbol);
    }

    /**
     * Places a label at the current pc: branches to it jump to the next instruction emitted.
     *
     * @param label a label of this function
     * @return this builder
     * @throws IllegalArgumentException when the label is null or belongs to another function
     * @throws IllegalStateException when the label has already been placed
     */
    public FunctionBuilder place(Label label) {
        checkLabel(label);
        labels.place(label, pc);
        return this;
    }

    /**
     * Looks up where a label has been placed.
     *
     * @param label a label of this function
     * @return its pc, or -1 while it is unplaced
     * @throws IllegalArgumentException when the label is null or belongs to another function
     */
    public int pcOf(Label label) {
        checkLabel(label);
        return labels.pcOf(label);
    }

    private void checkLabel(Label label) {
        if (label == null) {
            throw new IllegalArgumentException("label is null");
        }
        if (label.owner != this) {
            throw new IllegalArgumentException("label " + label + " belongs to function " + label.owner.funcId
                    + ", not function " + funcId);
        }
    }

    /**
     * Marks {@code spanId} as the span in force from the current pc until the next mark. A second
     * mark at the same pc replaces the first, so the table's pc deltas stay valid.
     *
     * @param spanId the span id, an unsigned 64-bit number other than 0
     * @return this builder
     * @throws IllegalArgumentException when {@code spanId} is 0 (span ids are non-zero)
     */
    public FunctionBuilder span(long spanId) {
        if (spanId == 0) {
            throw new IllegalArgumentException("span id 0 is reserved (span ids are non-zero)");
        }
        if (!spanMarks.isEmpty() && spanMarks.get(spanMarks.size() - 1)[0] == pc) {
            spanMarks.get(spanMarks.size() - 1)[1] = spanId;
        } else {
            spanMarks.add(new long[] {pc, spanId});
        }
        return this;
    }

    /**
     * Sets the register count instead of inferring it. {@link ProgramBuilder#build()} rejects a
     * count below the inferred one (highest register + 1, argument count + 1, 1);
     * {@link ProgramBuilder#buildUnchecked()} writes it as it is.
     *
     * @param regCount registers, r0 included, 0 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code regCount} is negative
     */
    public FunctionBuilder regCount(int regCount) {
        if (regCount < 0) {
            throw new IllegalArgumentException("register count must not be negative, got " + regCount);
        }
        regCountOverride = regCount;
        return this;
    }

    /**
     * The register count the function will declare.
     *
     * @return the register count the function table will get: the override when set, else the
     *     inferred count (highest register used + 1, at least 1 and at least the argument count + 1)
     */
    public int regCount() {
        return regCountOverride >= 0 ? regCountOverride : inferredRegCount();
    }

    private int inferredRegCount() {
        long n = Math.max(Math.max(maxRegPlusOne, 1), (long) argCount + 1);
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /**
     * Emits one instruction from its opcode and operands in schema order ({@link Opcode#operands()},
     * spec section "Opcode set (v1)").
     *
     * <p>Operand values by kind: a register is an {@link Integer} or {@link Long} from 0 to
     * {@code Integer.MAX_VALUE - 1}; a register list is an {@code int[]}; a branch target
     * ({@code pc}) is a {@link Label} of this function (written as a five-byte padded ULEB128) or an
     * integer byte offset (written canonically); an {@code imm_bool} is a {@link Boolean} (or an
     * integer 0 to 255, written as that raw byte); every other operand is an integer
     * ({@link Byte}, {@link Short}, {@link Integer} or {@link Long}) in the range of its encoding: u32
     * for ids, counts and {@code imm_u32}, u8 for {@code imm_u8}, any 64-bit value for
     * {@code imm_i64}, {@code imm_u64} (two's-complement bits) and {@code imm_f64} (IEEE-754 bits).
     *
     * @param opcode the opcode
     * @param operands the operands, one per schema entry
     * @return this builder
     * @throws IllegalArgumentException when the opcode or an operand is null, the operand count is
     *     wrong, an operand has the wrong Java type, a register is out of range, a value does not fit
     *     its encoding, or a label belongs to another function
     */
    public FunctionBuilder emit(Opcode opcode, Object... operands) {
        if (opcode == null) {
            throw new IllegalArgumentException("opcode is null");
        }
        if (operands == null) {
            throw new IllegalArgumentException(opcode.mnemonic() + ": operand array is null");
        }
        List<Operand> schema = opcode.operands();
        if (operands.length != schema.size()) {
            throw new IllegalArgumentException(opcode.mnemonic() + " takes " + schema.size() + " operand"
                    + (schema.size() == 1 ? "" : "s") + " " + OperandChecks.operandNames(schema) + ", got "
                    + operands.length);
        }
        Object[] values = new Object[operands.length];
        List<FunctionLabels.Fixup> pending = new ArrayList<>();
        long maxReg = -1;
        for (int i = 0; i < operands.length; i++) {
            Operand o = schema.get(i);
            Object v = operands[i];
            String where = opcode.mnemonic() + "." + o.name();
            if (v == null) {
                throw new IllegalArgumentException(where + " is null");
            }
            switch (o.kind()) {
                case PC -> {
                    if (v instanceof Label l) {
                        checkLabel(l);
                        pending.add(new FunctionLabels.Fixup(instructions.size(), i, l));
                        values[i] = 0L;
                    } else {
                        values[i] = OperandChecks.integral(where, v);
                    }
                }
                case REG -> {
                    long r = OperandChecks.integral(where, v);
                    OperandChecks.checkReg(where, r);
                    maxReg = Math.max(maxReg, r);
                    values[i] = r;
                }
                case REG_LIST -> {
                    if (!(v instanceof int[] regs)) {
                        throw new IllegalArgumentException(where + " needs an int[] of registers, got "
                                + v.getClass().getSimpleName());
                    }
                    for (int r : regs) {
                        OperandChecks.checkReg(where, r);
                        maxReg = Math.max(maxReg, r);
                    }
                    values[i] = regs.clone();
                }
                case IMM_BOOL -> values[i] = v instanceof Boolean b ? b : OperandChecks.integral(where, v);
                default -> values[i] = OperandChecks.integral(where, v);
            }
        }
        Instruction ins = Instruction.of(opcode, values);
        for (FunctionLabels.Fixup f : pending) {
            ins = ins.withOperand(f.operand(), 0, LABEL_PC_WIDTH);
        }
        instructions.add(ins.at(pc));
        labels.refer(pending);
        pc += ins.length();
        maxRegPlusOne = Math.max(maxRegPlusOne, maxReg + 1);
        return this;
    }

    /**
     * Resolves labels and collects the body.
     *
     * @param checked whether to apply the checks of {@link ProgramBuilder#build()}
     * @return the parts
     * @throws IllegalStateException when a referenced or named label is unplaced; when checked,
     *     also when a branch target is not the start of an instruction or the register count
     *     override is below the inferred count
     */
    Parts finish(boolean checked) {
        List<Instruction> out = new ArrayList<>(instructions);
        List<int[]> names = labels.resolve(out);
        if (checked) {
            labels.checkTargets(out);
            if (regCountOverride >= 0 && regCountOverride < inferredRegCount()) {
                throw new IllegalStateException("function " + funcId + ": register count " + regCountOverride
                        + " is below the " + inferredRegCount() + " its registers and arguments need");
            }
        }
        List<SpanEntry> spans = new ArrayList<>(spanMarks.size());
        long prev = 0;
        for (long[] m : spanMarks) {
            spans.add(new SpanEntry(m[0] - prev, m[1]));
            prev = m[0];
        }
        return new Parts(InstructionCodec.encodeAll(out), out, spans, names, regCount());
    }

    // ---------------------------------------------------------------------------------------------
    // Typed helpers. Each emits one instruction; see the class comment for the shared errors.

    /**
     * Emits {@code nop}.
     *
     * @return this builder
     */
    public FunctionBuilder nop() {
        return emit(Opcode.NOP);
    }

    /**
     * Emits {@code mov dst, src}.
     *
     * @param dst the register written
     * @param src the register read
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder mov(int dst, int src) {
        return emit(Opcode.MOV, dst, src);
    }

    /**
     * Emits {@code trap code}: the run stops with trap kind {@code trap_code(code)}.
     *
     * @param code the trap code, 0 or more (for a code above {@code Integer.MAX_VALUE}, pass a
     *     {@link Long} to {@link #emit(Opcode, Object...)})
     * @return this builder
     * @throws IllegalArgumentException when {@code code} is negative
     */
    public FunctionBuilder trap(int code) {
        return emit(Opcode.TRAP, code);
    }

    /**
     * Emits {@code const.unit dst}.
     *
     * @param dst the register written
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constUnit(int dst) {
        return emit(Opcode.CONST_UNIT, dst);
    }

    /**
     * Emits {@code const.bool dst, imm}, the immediate written as the byte 0 or 1.
     *
     * @param dst the register written
     * @param value the boolean
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constBool(int dst, boolean value) {
        return emit(Opcode.CONST_BOOL, dst, value);
    }

    /**
     * Emits {@code const.i64 dst, imm} (immediate as canonical SLEB128).
     *
     * @param dst the register written
     * @param value the signed 64-bit value
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constI64(int dst, long value) {
        return emit(Opcode.CONST_I64, dst, value);
    }

    /**
     * Emits {@code const.u64 dst, imm} (immediate as canonical ULEB128).
     *
     * @param dst the register written
     * @param value the unsigned 64-bit value, as two's-complement bits
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constU64(int dst, long value) {
        return emit(Opcode.CONST_U64, dst, value);
    }

    /**
     * Emits {@code const.f64 dst, bits} with the bits of {@code value} ({@link Double#doubleToRawLongBits},
     * so a NaN keeps its payload).
     *
     * @param dst the register written
     * @param value the number
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constF64(int dst, double value) {
        return constF64Bits(dst, Double.doubleToRawLongBits(value));
    }

    /**
     * Emits {@code const.f64 dst, bits} (eight little-endian bytes).
     *
     * @param dst the register written
     * @param bits the IEEE-754 bits
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range
     */
    public FunctionBuilder constF64Bits(int dst, long bits) {
        return emit(Opcode.CONST_F64, dst, bits);
    }

    /**
     * Emits {@code const.decimal dst, mantissa, scale}: the value mantissa * 10^-scale.
     *
     * @param dst the register written
     * @param mantissa the signed mantissa
     * @param scale decimal places, 0 to 255 (one raw byte)
     * @return this builder
     * @throws IllegalArgumentException when the register or the scale is out of range
     */
    public FunctionBuilder constDecimal(int dst, long mantissa, int scale) {
        return emit(Opcode.CONST_DECIMAL, dst, mantissa, scale);
    }

    /**
     * Emits {@code const.pool dst, const}.
     *
     * @param dst the register written
     * @param constId a constant id from {@link ProgramBuilder#constant(Constant)}
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range or the id negative
     */
    public FunctionBuilder constPool(int dst, int constId) {
        return emit(Opcode.CONST_POOL, dst, constId);
    }

    /**
     * Emits {@code const.func dst, func}: a first-class reference to a function.
     *
     * @param dst the register written
     * @param funcId a function id from {@link ProgramBuilder#declareFunction(List, List)}
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range or the id negative
     */
    public FunctionBuilder constFunc(int dst, int funcId) {
        return emit(Opcode.CONST_FUNC, dst, funcId);
    }

    /**
     * Emits an instruction of the shape {@code op dst, a} (one register written, one read), for
     * example {@code bool.not} or {@code i64.to_f64}.
     *
     * @param opcode an opcode whose operands are exactly (reg write, reg read)
     * @param dst the register written
     * @param a the register read
     * @return this builder
     * @throws IllegalArgumentException when the opcode has another operand shape or a register is
     *     out of range
     */
    public FunctionBuilder unary(Opcode opcode, int dst, int a) {
        OperandChecks.requireRegShape(opcode, 2);
        return emit(opcode, dst, a);
    }

    /**
     * Emits an instruction of the shape {@code op dst, a, b} (one register written, two read), for
     * example {@code i64.add}, {@code u64.lt} or {@code str.concat}.
     *
     * @param opcode an opcode whose operands are exactly (reg write, reg read, reg read)
     * @param dst the register written
     * @param a the first register read
     * @param b the second register read
     * @return this builder
     * @throws IllegalArgumentException when the opcode has another operand shape or a register is
     *     out of range
     */
    public FunctionBuilder binary(Opcode opcode, int dst, int a, int b) {
        OperandChecks.requireRegShape(opcode, 3);
        return emit(opcode, dst, a, b);
    }

    /**
     * Emits {@code i64.add dst, a, b} (wrapping).
     *
     * @param dst the register written
     * @param a the first addend
     * @param b the second addend
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Add(int dst, int a, int b) {
        return emit(Opcode.I64_ADD, dst, a, b);
    }

    /**
     * Emits {@code i64.sub dst, a, b} (wrapping a - b).
     *
     * @param dst the register written
     * @param a the minuend
     * @param b the subtrahend
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Sub(int dst, int a, int b) {
        return emit(Opcode.I64_SUB, dst, a, b);
    }

    /**
     * Emits {@code i64.mul dst, a, b} (wrapping).
     *
     * @param dst the register written
     * @param a the first factor
     * @param b the second factor
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Mul(int dst, int a, int b) {
        return emit(Opcode.I64_MUL, dst, a, b);
    }

    /**
     * Emits {@code i64.div dst, a, b} (a / b truncated; traps on zero and MIN / -1).
     *
     * @param dst the register written
     * @param a the dividend
     * @param b the divisor
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Div(int dst, int a, int b) {
        return emit(Opcode.I64_DIV, dst, a, b);
    }

    /**
     * Emits {@code i64.rem dst, a, b} (remainder with the sign of a; traps on zero and MIN % -1).
     *
     * @param dst the register written
     * @param a the dividend
     * @param b the divisor
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Rem(int dst, int a, int b) {
        return emit(Opcode.I64_REM, dst, a, b);
    }

    /**
     * Emits {@code i64.eq dst, a, b} (Bool).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Eq(int dst, int a, int b) {
        return emit(Opcode.I64_EQ, dst, a, b);
    }

    /**
     * Emits {@code i64.lt dst, a, b} (Bool: a &lt; b, signed).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Lt(int dst, int a, int b) {
        return emit(Opcode.I64_LT, dst, a, b);
    }

    /**
     * Emits {@code i64.gt dst, a, b} (Bool: a &gt; b, signed).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Gt(int dst, int a, int b) {
        return emit(Opcode.I64_GT, dst, a, b);
    }

    /**
     * Emits {@code i64.le dst, a, b} (Bool: a &lt;= b, signed).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Le(int dst, int a, int b) {
        return emit(Opcode.I64_LE, dst, a, b);
    }

    /**
     * Emits {@code i64.ge dst, a, b} (Bool: a &gt;= b, signed).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder i64Ge(int dst, int a, int b) {
        return emit(Opcode.I64_GE, dst, a, b);
    }

    /**
     * Emits {@code u64.add dst, a, b} (wrapping).
     *
     * @param dst the register written
     * @param a the first addend
     * @param b the second addend
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder u64Add(int dst, int a, int b) {
        return emit(Opcode.U64_ADD, dst, a, b);
    }

    /**
     * Emits {@code u64.sub dst, a, b} (wrapping a - b).
     *
     * @param dst the register written
     * @param a the minuend
     * @param b the subtrahend
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder u64Sub(int dst, int a, int b) {
        return emit(Opcode.U64_SUB, dst, a, b);
    }

    /**
     * Emits {@code u64.lt dst, a, b} (Bool: a &lt; b, unsigned).
     *
     * @param dst the register written
     * @param a the left operand
     * @param b the right operand
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder u64Lt(int dst, int a, int b) {
        return emit(Opcode.U64_LT, dst, a, b);
    }

    /**
     * Emits {@code f64.add dst, a, b} (IEEE-754).
     *
     * @param dst the register written
     * @param a the first addend
     * @param b the second addend
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder f64Add(int dst, int a, int b) {
        return emit(Opcode.F64_ADD, dst, a, b);
    }

    /**
     * Emits {@code bool.not dst, a}.
     *
     * @param dst the register written
     * @param a the Bool read
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder boolNot(int dst, int a) {
        return emit(Opcode.BOOL_NOT, dst, a);
    }

    /**
     * Emits {@code select dst, cond, a, b}: a when the Bool cond is true, else b.
     *
     * @param dst the register written
     * @param cond the Bool condition
     * @param a the value when true
     * @param b the value when false
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder select(int dst, int cond, int a, int b) {
        return emit(Opcode.SELECT, dst, cond, a, b);
    }

    /**
     * Emits {@code br cond, then, else} with both targets as five-byte padded pcs.
     *
     * @param cond the Bool register read
     * @param ifTrue where to go when cond is true
     * @param ifFalse where to go when cond is false
     * @return this builder
     * @throws IllegalArgumentException when the register is out of range or a label is null or of
     *     another function
     */
    public FunctionBuilder br(int cond, Label ifTrue, Label ifFalse) {
        return emit(Opcode.BR, cond, ifTrue, ifFalse);
    }

    /**
     * Emits {@code jmp target} with the target as a five-byte padded pc.
     *
     * @param target where to go
     * @return this builder
     * @throws IllegalArgumentException when the label is null or of another function
     */
    public FunctionBuilder jmp(Label target) {
        return emit(Opcode.JMP, target);
    }

    /**
     * Emits {@code call eff_out, func, eff_in, args, rets}.
     *
     * @param effOut the register that receives the effect token (usually 0)
     * @param funcId the callee's function id
     * @param effIn the register holding the effect token (usually 0)
     * @param args the argument registers, in order
     * @param rets the registers that receive the results, in order
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range, the id is negative or a
     *     list is null
     */
    public FunctionBuilder call(int effOut, int funcId, int effIn, int[] args, int[] rets) {
        return emit(Opcode.CALL, effOut, funcId, effIn, args, rets);
    }

    /**
     * Emits {@code ret eff_in, rets}.
     *
     * @param effIn the register holding the effect token (usually 0)
     * @param rets the result registers, in order
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder ret(int effIn, int... rets) {
        return emit(Opcode.RET, effIn, rets);
    }

    /**
     * Emits {@code host_call eff_out, host_sig, eff_in, args, rets}.
     *
     * @param effOut the register that receives the effect token
     * @param hostSigId a host signature id from {@link ProgramBuilder#hostSig(int, List, List)}
     * @param effIn the register holding the effect token
     * @param args the argument registers
     * @param rets the registers that receive the results
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range, the id is negative or a
     *     list is null
     */
    public FunctionBuilder hostCall(int effOut, int hostSigId, int effIn, int[] args, int[] rets) {
        return emit(Opcode.HOST_CALL, effOut, hostSigId, effIn, args, rets);
    }

    /**
     * Emits {@code call.indirect eff_out, call_sig, callee, eff_in, args, rets}. When the callee
     * is a closure, its environment is passed as the callee's first argument and is not part of
     * {@code args} or the call signature.
     *
     * @param effOut the register that receives the effect token
     * @param callSigId a call signature id from {@link ProgramBuilder#callSig(List, List)}
     * @param callee the register holding the Func or Closure
     * @param effIn the register holding the effect token
     * @param args the argument registers
     * @param rets the registers that receive the results
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range, the id is negative or a
     *     list is null
     */
    public FunctionBuilder callIndirect(int effOut, int callSigId, int callee, int effIn, int[] args, int[] rets) {
        return emit(Opcode.CALL_INDIRECT, effOut, callSigId, callee, effIn, args, rets);
    }

    /**
     * Emits {@code closure.new dst, func, env}.
     *
     * @param dst the register written
     * @param func the register holding the Func
     * @param env the register holding the environment aggregate
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder closureNew(int dst, int func, int env) {
        return emit(Opcode.CLOSURE_NEW, dst, func, env);
    }

    /**
     * Emits {@code tuple.new dst, values}.
     *
     * @param dst the register written
     * @param values the element registers, in order
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder tupleNew(int dst, int... values) {
        return emit(Opcode.TUPLE_NEW, dst, values);
    }

    /**
     * Emits {@code tuple.get dst, tuple, index}.
     *
     * @param dst the register written
     * @param tuple the register holding the tuple
     * @param index the element index, an unsigned 32-bit number
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range or the index negative
     */
    public FunctionBuilder tupleGet(int dst, int tuple, int index) {
        return emit(Opcode.TUPLE_GET, dst, tuple, index);
    }

    /**
     * Emits {@code struct.new dst, type, values}.
     *
     * @param dst the register written
     * @param typeId a struct type id from {@link ProgramBuilder#structType(List)}
     * @param values the field registers, in declared order
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range or the id negative
     */
    public FunctionBuilder structNew(int dst, int typeId, int... values) {
        return emit(Opcode.STRUCT_NEW, dst, typeId, values);
    }

    /**
     * Emits {@code struct.get dst, st, field_index}.
     *
     * @param dst the register written
     * @param struct the register holding the struct
     * @param fieldIndex the field's position, an unsigned 32-bit number
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range or the index negative
     */
    public FunctionBuilder structGet(int dst, int struct, int fieldIndex) {
        return emit(Opcode.STRUCT_GET, dst, struct, fieldIndex);
    }

    /**
     * Emits {@code array.new dst, elem_type, values}.
     *
     * @param dst the register written
     * @param elemTypeId an element type id from {@link ProgramBuilder#arrayElem(ValueType)}
     * @param values the element registers, in order
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range or the id negative
     */
    public FunctionBuilder arrayNew(int dst, int elemTypeId, int... values) {
        return emit(Opcode.ARRAY_NEW, dst, elemTypeId, values);
    }

    /**
     * Emits {@code array.len dst, arr} (u64).
     *
     * @param dst the register written
     * @param array the register holding the array
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder arrayLen(int dst, int array) {
        return emit(Opcode.ARRAY_LEN, dst, array);
    }

    /**
     * Emits {@code array.get dst, arr, index} with the index in a u64 register.
     *
     * @param dst the register written
     * @param array the register holding the array
     * @param index the register holding the u64 index
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range
     */
    public FunctionBuilder arrayGet(int dst, int array, int index) {
        return emit(Opcode.ARRAY_GET, dst, array, index);
    }

    /**
     * Emits {@code array.get_imm dst, arr, index} with an immediate index.
     *
     * @param dst the register written
     * @param array the register holding the array
     * @param index the element index, an unsigned 32-bit number
     * @return this builder
     * @throws IllegalArgumentException when a register is out of range or the index negative
     */
    public FunctionBuilder arrayGetImm(int dst, int array, int index) {
        return emit(Opcode.ARRAY_GET_IMM, dst, array, index);
    }
}
