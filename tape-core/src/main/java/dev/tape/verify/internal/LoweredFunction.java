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
 *       ({@link LOp#I64_LT_BR} and the like) keeps this layout, and the br follows unchanged; so does
 *       the first instruction of a superinstruction ({@link LOp#I64_ADD_LT_BR} and the like, whose
 *       op {@link LOp#plain} maps back to the instruction's own), and the instructions it covers
 *       follow unchanged;</li>
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
    private final int codeLength;
    /**
     * What the image does not keep: a {@link Pending} until {@link CodeImage} copies the code into
     * the image; then null until {@link #code()}, {@link #pcOf()}, {@link #opcodeAt(int)},
     * {@link #instructionStart(int)}, {@link #refs()} or {@link #tags()} first needs it, when it
     * holds a {@link Derived} made by lowering the function again (so a verified program keeps one
     * copy of its code, not two, and no per-instruction table it does not use).
     */
    private volatile Object state;
    /**
     * the function whose bytecode gives each instruction's byte pc and opcode byte, and its
     * register and argument counts; an empty body (0 bytes) has one synthetic instruction, a
     * {@code trap} at pc 0
     */
    private final Function source;
    private final ValueType[] regTypes;
    /** the function's span table, indexed by pc (set by the verifier once the table is checked) */
    private SpanIndex spans = SpanIndex.EMPTY;
    /** lowers this function again once placed (set by the verifier before publication), or null */
    private Relowering again;

    /**
     * Made by the verifier's lowering pass only. {@code code} is kept; the other arrays are read
     * in their first {@code n} entries and copied into one array.
     *
     * @param id the function id
     * @param code the lowered instruction stream (layouts above)
     * @param starts the code index of each instruction, in increasing order, in its first
     *     {@code startCount} entries (kept with the slots below, 2 bytes an entry when the code is
     *     shorter than 65,536 ints, else 4, until the function is placed in an image)
     * @param startCount the number of instructions, {@code instructionCount} or 1 for an empty
     *     body's synthetic one
     * @param source the verified function this is the execution form of: its bytecode gives each
     *     instruction's byte pc and opcode byte, decoded when {@link #pcOf()} or
     *     {@link #opcodeAt(int)} is first called, and its register and argument counts; an empty
     *     body (0 bytes of bytecode) has one synthetic {@code trap} at pc 0, and 0 instructions
     * @param refs the reference constants
     * @param tags element kind-tag lists for aggregate construction
     * @param regTypes each register's fixed type
     * @param targetSlots code positions holding a code index (relocated by {@link CodeImage}), in
     *     the first {@code nTargets} entries
     * @param nTargets the number of them
     * @param refSlots code positions holding an index into {@code refs}, in the first {@code nRefs}
     * @param nRefs the number of them
     * @param tagSlots code positions holding an index into {@code tags}, in the first {@code nTags}
     * @param nTags the number of them
     */
    public LoweredFunction(int id, int[] code, int[] starts, int startCount, Function source, Object[] refs, byte[][] tags,
                           ValueType[] regTypes, int[] targetSlots, int nTargets,
                           int[] refSlots, int nRefs, int[] tagSlots, int nTags) {
        this.id = id;
        this.codeLength = code.length;
        // every entry is a code index or a count of code positions: below the code length
        int size = startCount + nTargets + nRefs + nTags + 3;
        Object meta;
        if (code.length <= Character.MAX_VALUE) {
            char[] m = new char[size];
            int at = 0;
            for (int i = 0; i < startCount; i++) {
                m[at++] = (char) starts[i];
            }
            for (int i = 0; i < nTargets; i++) {
                m[at++] = (char) targetSlots[i];
            }
            for (int i = 0; i < nRefs; i++) {
                m[at++] = (char) refSlots[i];
            }
            for (int i = 0; i < nTags; i++) {
                m[at++] = (char) tagSlots[i];
            }
            m[at++] = (char) nTargets;
            m[at++] = (char) nRefs;
            m[at] = (char) nTags;
            meta = m;
        } else {
            int[] m = new int[size];
            System.arraycopy(starts, 0, m, 0, startCount);
            System.arraycopy(targetSlots, 0, m, startCount, nTargets);
            System.arraycopy(refSlots, 0, m, startCount + nTargets, nRefs);
            System.arraycopy(tagSlots, 0, m, startCount + nTargets + nRefs, nTags);
            m[size - 3] = nTargets;
            m[size - 2] = nRefs;
            m[size - 1] = nTags;
            meta = m;
        }
        this.state = new Pending(code, meta, refs, tags);
        this.source = source;
        this.regTypes = regTypes;
    }

    private static int meta(Object meta, int k) {
        return meta instanceof char[] c ? c[k] : ((int[]) meta)[k];
    }

    private static int metaSize(Object meta) {
        return meta instanceof char[] c ? c.length : ((int[]) meta).length;
    }

    /** @return the number of instruction starts at the front of {@code meta} */
    private static int startCount(Object meta) {
        int size = metaSize(meta);
        return size - 3 - meta(meta, size - 3) - meta(meta, size - 2) - meta(meta, size - 1);
    }

    /**
     * Adds {@code codeBase} to the code positions of {@code c} (from {@code at}) that hold a code
     * index, {@code refBase} to those holding a reference-constant index and {@code tagBase} to
     * those holding a tag-list index: {@link CodeImage} relocates into the image with positive
     * bases. Only before {@link #placed}.
     */
    void relocate(int[] c, int at, int codeBase, int refBase, int tagBase) {
        Object m = pending().meta();
        int size = metaSize(m);
        int nTargets = meta(m, size - 3);
        int nRefs = meta(m, size - 2);
        int nTags = meta(m, size - 1);
        int k = size - 3 - nTargets - nRefs - nTags;
        for (int end = k + nTargets; k < end; k++) {
            c[at + meta(m, k)] += codeBase;
        }
        for (int end = k + nRefs; k < end; k++) {
            c[at + meta(m, k)] += refBase;
        }
        for (int end = k + nTags; k < end; k++) {
            c[at + meta(m, k)] += tagBase;
        }
    }

    /**
     * Sets how the function is lowered again once placed. The verifier calls it once, before the
     * function is placed in a {@link CodeImage} and published in a {@code VerifiedProgram}; without
     * it the function keeps its own code and instruction table.
     *
     * @param again lowers this function (by id) to the same execution form
     */
    public void relowering(Relowering again) {
        this.again = again;
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

    /**
     * The index that maps the function's pcs to span ids.
     *
     * @return the function's span index (functions that share a span table share its index)
     */
    public SpanIndex spans() {
        return spans;
    }

    /**
     * The id of the function in its program.
     *
     * @return the function id
     */
    public int id() {
        return id;
    }

    /**
     * Records that {@link CodeImage} copied this function's code into its image, relocated, and
     * drops the function's own copy and its instruction table when {@link #relowering} was set
     * (they are made again on first use). Called once, while the verified program is being made,
     * before it is published.
     */
    void placed() {
        if (again != null) {
            this.state = null;
        }
    }

    /**
     * The function's own lowered code, its instruction table: the code index of each instruction,
     * in order, then the code positions {@link CodeImage} relocates: those holding a code index
     * (branch targets), an index into {@link #refs()} and an index into {@link #tags()}, then the
     * three counts of those positions, in that order (a {@code char[]}, 2 bytes an entry, when the
     * code is shorter than 65,536 ints, else an {@code int[]}), and its constants.
     */
    private record Pending(int[] code, Object meta, Object[] refs, byte[][] tags) {}

    /** The above, with the byte pc and the opcode byte of each code index. */
    private record Derived(Pending own, int[] pcOf, byte[] opcodeOf) {}

    private Pending pending() {
        Object s = state;
        return s instanceof Pending p ? p : s instanceof Derived d ? d.own() : derived().own();
    }

    private Derived derived() {
        Object s = state;
        if (s instanceof Derived d) {
            return d;
        }
        // once: threads that ask at once wait for the first (each would lower the function with
        // scratch of its own), then all read the one result through the volatile field
        synchronized (this) {
            return derive();
        }
    }

    /** {@link #derived()}'s work, under the function's lock. */
    private Derived derive() {
        Object s = state;
        if (s instanceof Derived d) {
            return d;
        }
        Pending own;
        if (s instanceof Pending p) {
            // not placed (or not droppable): the function's own code and table
            own = p;
        } else {
            // placed: lower it again
            LoweredFunction fresh = again.lower(id);
            own = fresh.pending();
            if (fresh.codeLength != codeLength) {
                throw new IllegalStateException("function " + id + " lowers differently");
            }
        }
        int[] p = new int[codeLength];
        byte[] o = new byte[codeLength];
        Arrays.fill(p, -1);
        DecodedCode dc = decoded();
        for (int i = 0, n = startCount(own.meta()); i < n; i++) {
            int at = meta(own.meta(), i);
            p[at] = dc == null ? 0 : dc.pc(i);
            o[at] = (byte) (dc == null ? Opcode.TRAP.toByte() : dc.opcode(i).toByte());
        }
        Derived d = new Derived(own, p, o);
        state = d;
        return d;
    }

    /**
     * The function's lowered code, with code indices relative to the function. Once the program's
     * {@link CodeImage} is made, the first call (or the first of {@link #pcOf()},
     * {@link #opcodeAt(int)}, {@link #instructionStart(int)}) lowers the function again, in time
     * and memory linear in its code (once, however many threads ask at once), and keeps the
     * result; later calls return the same array.
     *
     * @return the lowered instruction stream (do not modify)
     * @throws IllegalStateException when the function no longer lowers as it did (never: a
     *     verified program is immutable)
     */
    public int[] code() {
        return pending().code();
    }

    /**
     * The length of the function's lowered code, in code ints.
     *
     * @return the length of {@link #code()}, without making it
     */
    public int codeLength() {
        return codeLength;
    }

    /**
     * For each code index, the byte pc of the instruction that starts there, -1 where none does.
     * The verified program keeps no per-instruction table; this array ({@link #codeLength()}
     * entries) is made on the first call of this, {@link #code()}, {@link #opcodeAt(int)} or
     * {@link #instructionStart(int)}, with the opcode table, by lowering the function again (as
     * {@link #code()} says), and kept.
     *
     * @return for each code index that starts an instruction, its byte pc, else -1 (do not modify)
     */
    public int[] pcOf() {
        return derived().pcOf();
    }

    /**
     * Where one instruction starts in the function's lowered code.
     *
     * @param i an instruction's place in the function, 0 to {@link #instructionCount()} - 1 (0
     *     for the synthetic instruction of an empty body)
     * @return the code index where it starts (the first call may make the tables of
     *     {@link #pcOf()})
     * @throws ArrayIndexOutOfBoundsException when {@code i} is out of range
     */
    public int instructionStart(int i) {
        Object m = pending().meta();
        if (i < 0 || i >= startCount(m)) {
            throw new ArrayIndexOutOfBoundsException(i);
        }
        return meta(m, i);
    }

    /** @return the source function's bytecode, decoded (null for an empty body) */
    private DecodedCode decoded() {
        if (source.codeLength() == 0) {
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
     * The opcode at a code index; the first call of this or {@link #pcOf()} makes a table of
     * {@link #codeLength()} bytes (as {@link #pcOf()} says) and keeps it.
     *
     * @param ip a code index that starts an instruction
     * @return the v1 opcode byte of the instruction there (as written in the bytecode: a lowered
     *     {@code nop} may stand for {@code const.unit}, a fused op for a compare, and so on)
     */
    public int opcodeAt(int ip) {
        return derived().opcodeOf()[ip] & 0xFF;
    }

    /**
     * The reference constants the function's code loads by index.
     *
     * @return the reference constants, {@code dev.tape.value.Value} objects (do not modify); once
     *     the function is placed in an image, the first call may lower it again (as {@link #code()})
     *     and these are then equal values, not the image's objects
     */
    public Object[] refs() {
        return pending().refs();
    }

    /**
     * The aggregate kind-tag lists the function's code uses by index.
     *
     * @return element kind-tag lists for aggregate construction (do not modify; as
     *     {@link #refs()}, equal lists once placed)
     */
    public byte[][] tags() {
        return pending().tags();
    }

    /**
     * The function's register count.
     *
     * @return registers per frame, r0 included
     */
    public int regCount() {
        return source.regCount();
    }

    /**
     * The function's argument count.
     *
     * @return value arguments (in r1..rN)
     */
    public int argCount() {
        return source.argCount();
    }

    /**
     * The type of one register, fixed for the whole function.
     *
     * @param r a register index
     * @return the register's fixed type
     */
    public ValueType regType(int r) {
        return regTypes[r];
    }

    /**
     * Counts the function's instructions.
     *
     * @return the number of v1 instructions in the function; once the function is placed in an
     *     image and until its tables are made, found by decoding its bytecode again (in time
     *     linear in its length, keeping nothing)
     */
    public int instructionCount() {
        if (source.codeLength() == 0) {
            // an empty body has one synthetic instruction and counts 0
            return 0;
        }
        Object s = state;
        if (s instanceof Pending p) {
            return startCount(p.meta());
        }
        if (s instanceof Derived d) {
            return startCount(d.own().meta());
        }
        return decoded().count();
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
