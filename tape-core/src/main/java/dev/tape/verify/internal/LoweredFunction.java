package dev.tape.verify.internal;

import dev.tape.format.DecodeException;
import dev.tape.format.DecodedCode;
import dev.tape.format.Opcode;
import dev.tape.program.Function;
import dev.tape.program.ValueType;

import java.util.Arrays;

/**
 * A verified function in execution form (see {@code ARCHITECTURE.md}, "The pipeline"): pre-decoded
 * instructions in one {@code int[]}, branch targets resolved to indices into that array, constants
 * in side pools, and where each instruction starts, so traps report byte pcs and spans (the pcs
 * are found from the bytecode on first use).
 *
 * <p>Instruction layouts ({@code op} is a v1 opcode byte or an {@link LOp} constant; registers are
 * frame-relative indices; {@code T} are code indices; {@code c(r)} is a register with its class,
 * {@code r << 2 | class}, see {@link LOp#WORD_CLASS}):
 * <ul>
 *   <li>simple arithmetic, comparison, conversion, bytes and string ops: [op, dst, operands...] with
 *       register and immediate operands in schema order; a compare fused with the br after it
 *       ({@link LOp#I64_LT_BR} and the like) keeps this layout, and the br follows unchanged;</li>
 *   <li>{@code nop} [op]; {@code trap} [op, code]; {@code br} [op, cond, T_true, T_false];
 *       {@code jmp} [op, T];</li>
 *   <li>word constants [CONST_W, dst, low 32 bits, high 32 bits]; reference constants
 *       [CONST_R, dst, index into {@link #refs()}];</li>
 *   <li>{@code call} [op, func, argc, c(args)..., retc, rets...]; {@code ret} [op, retc,
 *       c(rets)...]; {@code host_call} [op, hostSig, argc, args..., retc, rets...];
 *       {@code call.indirect} [op, callSig, callee, argc, c(args)..., retc, rets...];</li>
 *   <li>{@code tuple.new} [op, dst, tags, n, regs...]; {@code struct.new} and {@code array.new}
 *       [op, dst, typeId, tags, n, regs...] where {@code tags} indexes {@link #tags()};</li>
 *   <li>projections [op, dst, agg, index (immediate or register), expected tag];</li>
 *   <li>an empty body (0 bytes of bytecode) [{@link LOp#NO_CODE}, 0], at pc 0.</li>
 * </ul>
 * Instances are immutable once built and shared between threads; the arrays returned by the
 * accessors must not be modified.
 */
public final class LoweredFunction {
    private final int id;
    /**
     * The lowered code until {@link CodeImage} copies it into the image; then null until
     * {@link #code()} first rebuilds it from the image (so a verified program keeps one copy of
     * its code, not two).
     */
    private volatile int[] code;
    private final int codeLength;
    /** the image holding this function's code once placed, and where ({@link #placed}) */
    private int[] image;
    private int entry;
    private int refBase;
    private int tagBase;
    /**
     * the code index of each instruction, in order: in {@link #narrowStarts} when the code is
     * shorter than 65,536 ints (2 bytes an instruction), else in {@link #wideStarts}
     */
    private final char[] narrowStarts;
    private final int[] wideStarts;
    /**
     * the function whose bytecode gives each instruction's byte pc and opcode byte when
     * {@link #pcOf()} or {@link #opcodeAt(int)} first needs them (the verified program keeps the
     * bytecode anyway); null for an empty body, whose one synthetic instruction is a {@code trap}
     * at pc 0
     */
    private final Function source;
    /** {@link #pcOf()} and the opcode of each code index, made from the above on first use */
    private volatile int[] pcOf;
    private volatile byte[] opcodeOf;
    private final Object[] refs;
    private final byte[][] tags;
    private final int regCount;
    private final int argCount;
    private final ValueType[] regTypes;
    private final int instructionCount;
    /** the function's span table, indexed by pc (set by the verifier once the table is checked) */
    private SpanIndex spans = SpanIndex.EMPTY;
    /** code positions holding a code index (branch targets), for {@link CodeImage} */
    final int[] targetSlots;
    /** code positions holding an index into {@link #refs()} */
    final int[] refSlots;
    /** code positions holding an index into {@link #tags()} */
    final int[] tagSlots;

    /**
     * Made by the verifier's lowering pass only; the arrays are kept, not copied.
     *
     * @param id the function id
     * @param code the lowered instruction stream (layouts above)
     * @param starts the code index of each instruction, in increasing order, in its first
     *     {@code startCount} entries (copied: 2 bytes an entry when the code is shorter than 65,536
     *     ints, else 4)
     * @param startCount the number of instructions, {@code instructionCount} or 1 for an empty
     *     body's synthetic one
     * @param source the verified function this is the execution form of: its bytecode gives each
     *     instruction's byte pc and opcode byte, decoded when {@link #pcOf()} or
     *     {@link #opcodeAt(int)} is first called; null for an empty body (one synthetic
     *     {@code trap} at pc 0)
     * @param refs the reference constants
     * @param tags element kind-tag lists for aggregate construction
     * @param regCount registers per frame, r0 included
     * @param argCount value arguments
     * @param regTypes each register's fixed type
     * @param instructionCount the number of v1 instructions
     * @param targetSlots code positions holding a code index (relocated by {@link CodeImage})
     * @param refSlots code positions holding an index into {@code refs}
     * @param tagSlots code positions holding an index into {@code tags}
     */
    public LoweredFunction(int id, int[] code, int[] starts, int startCount, Function source, Object[] refs, byte[][] tags,
                           int regCount, int argCount, ValueType[] regTypes, int instructionCount,
                           int[] targetSlots, int[] refSlots, int[] tagSlots) {
        this.targetSlots = targetSlots;
        this.refSlots = refSlots;
        this.tagSlots = tagSlots;
        this.id = id;
        this.code = code;
        this.codeLength = code.length;
        if (code.length <= Character.MAX_VALUE) {
            this.narrowStarts = new char[startCount];
            for (int i = 0; i < startCount; i++) {
                narrowStarts[i] = (char) starts[i];
            }
            this.wideStarts = null;
        } else {
            this.narrowStarts = null;
            this.wideStarts = Arrays.copyOf(starts, startCount);
        }
        this.source = source;
        this.refs = refs;
        this.tags = tags;
        this.regCount = regCount;
        this.argCount = argCount;
        this.regTypes = regTypes;
        this.instructionCount = instructionCount;
    }

    /**
     * Sets the function's span index. The verifier calls it once, after checking the span table and
     * before the function is published in a {@code VerifiedProgram} (whose final fields then make it
     * visible to every thread); nothing calls it later.
     *
     * @param index the index of the function's checked span table
     */
    public void spans(SpanIndex index) {
        this.spans = index;
    }

    /** @return the function's span index (functions that share a span table share its index) */
    public SpanIndex spans() {
        return spans;
    }

    /** @return the function id */
    public int id() {
        return id;
    }

    /**
     * Records that {@link CodeImage} copied this function's code into its image at {@code entry},
     * relocated by {@code entry} (branch targets), {@code refBase} (reference constants) and
     * {@code tagBase} (tag lists), and drops the function's own copy. Called once, while the
     * verified program is being made, before it is published.
     */
    void placed(int[] image, int entry, int refBase, int tagBase) {
        this.image = image;
        this.entry = entry;
        this.refBase = refBase;
        this.tagBase = tagBase;
        this.code = null;
    }

    /**
     * The function's lowered code, with code indices relative to the function. Once the program's
     * {@link CodeImage} is made, the first call rebuilds it from the image (in time linear in its
     * length) and keeps it; later calls return the same array.
     *
     * @return the lowered instruction stream (do not modify)
     */
    public int[] code() {
        int[] c = code;
        if (c == null) {
            // a race rebuilds it twice at worst: equal arrays, published through the volatile field
            c = Arrays.copyOfRange(image, entry, entry + codeLength);
            for (int slot : targetSlots) {
                c[slot] -= entry;
            }
            for (int slot : refSlots) {
                c[slot] -= refBase;
            }
            for (int slot : tagSlots) {
                c[slot] -= tagBase;
            }
            code = c;
        }
        return c;
    }

    /** @return the length of {@link #code()}, without making it */
    public int codeLength() {
        return codeLength;
    }

    /**
     * For each code index, the byte pc of the instruction that starts there, -1 where none does.
     * The verified program keeps a pc per instruction only; this array ({@link #codeLength()}
     * entries) is made on the first call, in time linear in the code length, and kept.
     *
     * @return for each code index that starts an instruction, its byte pc, else -1 (do not modify)
     */
    public int[] pcOf() {
        int[] p = pcOf;
        if (p == null) {
            // a race makes it twice at worst: equal arrays, published through the volatile field
            p = new int[codeLength];
            Arrays.fill(p, -1);
            DecodedCode d = decoded();
            int n = startCount();
            for (int i = 0; i < n; i++) {
                p[instructionStart(i)] = d == null ? 0 : d.pc(i);
            }
            pcOf = p;
        }
        return p;
    }

    /**
     * @param i an instruction's place in the function, 0 to {@link #instructionCount()} - 1 (0
     *     for the synthetic instruction of an empty body)
     * @return the code index where it starts
     * @throws ArrayIndexOutOfBoundsException when {@code i} is out of range
     */
    public int instructionStart(int i) {
        return narrowStarts != null ? narrowStarts[i] : wideStarts[i];
    }

    private int startCount() {
        return narrowStarts != null ? narrowStarts.length : wideStarts.length;
    }

    /** @return the source function's bytecode, decoded (null for an empty body) */
    private DecodedCode decoded() {
        if (source == null) {
            return null;
        }
        try {
            return source.decode(new DecodedCode());
        } catch (DecodeException e) {
            // the verifier decoded these very bytes (a Function never changes)
            throw new IllegalStateException("a verified function does not decode", e);
        }
    }

    /**
     * The opcode at a code index; the first call makes a table of {@link #codeLength()} bytes
     * (in time linear in the code length) and keeps it.
     *
     * @param ip a code index that starts an instruction
     * @return the v1 opcode byte of the instruction there (as written in the bytecode: a lowered
     *     {@code nop} may stand for {@code const.unit}, a fused op for a compare, and so on)
     */
    public int opcodeAt(int ip) {
        byte[] o = opcodeOf;
        if (o == null) {
            o = new byte[codeLength];
            DecodedCode d = decoded();
            int n = startCount();
            for (int i = 0; i < n; i++) {
                o[instructionStart(i)] = (byte) (d == null ? Opcode.TRAP.toByte() : d.opcode(i).toByte());
            }
            opcodeOf = o;
        }
        return o[ip] & 0xFF;
    }

    /** @return the reference constants, {@code dev.tape.value.Value} objects (do not modify) */
    public Object[] refs() {
        return refs;
    }

    /** @return element kind-tag lists for aggregate construction (do not modify) */
    public byte[][] tags() {
        return tags;
    }

    /** @return registers per frame, r0 included */
    public int regCount() {
        return regCount;
    }

    /** @return value arguments (in r1..rN) */
    public int argCount() {
        return argCount;
    }

    /**
     * @param r a register index
     * @return the register's fixed type
     */
    public ValueType regType(int r) {
        return regTypes[r];
    }

    /** @return the number of v1 instructions in the function */
    public int instructionCount() {
        return instructionCount;
    }

    /**
     * Finds the span in force at a byte pc: the last span-table entry whose cumulative pc is at
     * most {@code pc} (spec section "Span table encoding (compact)"), by bisection over an index
     * the verifier built once, in O(log entries).
     *
     * @param pc a byte offset in the function
     * @return the span id, an unsigned 64-bit number (2^63 and up are negative as a {@code long}),
     *     or 0 when no entry covers the pc: span ids are never 0
     *     ({@link dev.tape.program.SpanEntry})
     */
    public long spanAt(int pc) {
        return spans.at(pc);
    }
}
