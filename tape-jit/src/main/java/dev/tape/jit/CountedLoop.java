package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.NB;
import static dev.tape.jit.JitCompiler.TMP;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.I2L;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFGT;
import static org.objectweb.asm.Opcodes.IFLE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LDIV;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;

/**
 * Runs the trips of a counted loop of the method's own code that cannot stop the run in chunks
 * with no fuel test: a third copy of the loop's blocks (the "inner copy") that C2 can make a
 * counted {@code int} loop of, and fold when the loop has no other effect (issue 14, eighteenth
 * round in {@code docs/PERFORMANCE-LOG.md}).
 *
 * <p><b>Which loops</b> ({@link #of}: every one of the form, each with its own preambles and inner
 * copy; their ranges are disjoint). A reachable
 * {@code br c, head, out} (the latch) whose true target {@code head} is at or before it, such that
 * the code from {@code head} to the latch is straight-line: no other {@code br}, no {@code jmp},
 * {@code ret} or {@code trap}, every instruction a word move or constant, i64/u64 add, sub, mul,
 * and, or, xor or shift, an integer compare, {@code bool.not}, an f64 add, sub, mul, div, rem, min,
 * max, min_num, max_num, neg, abs, compare, {@code to_bits} or {@code from_bits}, an
 * {@code i64.to_f64} or {@code u64.to_f64} (none traps; twentieth round; in the inner copy the
 * f64 registers of the arithmetic are held in {@code double} locals and runs of it tested for NaN
 * once, {@link F64Locals}, twenty-first round; the bits are the interpreter's {@code Numerics}'
 * either way, a NaN's included), a direct {@code call} of a leaf ({@link LeafInliner}) with word arguments and
 * results, or, in a method that keeps the heap room in a local ({@link HeapLocal}) and in a loop
 * with no f64 register held in a {@code double} local, a {@code tuple.new} of words (charged on
 * that local) or a {@code tuple.get} into a word register (twenty-seventh round, swing27: before,
 * each trip of {@code tuple_loop} tested the fuel, and C2's register allocation of its unrolled
 * trips, each with its own deoptimization state, put the sum's chain through an xmm register in
 * about half the JVMs, 3.5x Java instead of 2.0x), or, in a loop with no f64 register held in a
 * {@code double} local, a {@code host_call} of a one-to-three-word function ({@link HostCount})
 * of word registers into a word register (twenty-eighth round, host28: each trip of
 * {@code host_loop} tested the fuel against the host-call threshold, and the same bytecode ran
 * 1.2x Java in most JVMs and 1.85x in about one in six). So every trip from the head runs exactly
 * those instructions, none but such a host call can call out, none reads the context (a tuple
 * read of a stale shape can trap, review27's repro, and so can a host function that throws: each
 * charges and refunds in its block as the blocks' copy does, which holds no {@code double} local
 * then, since a loop with any tuple instruction or host call holds none; such a function cannot
 * charge fuel, suspend or start a run on the context), and the only way out is the latch or such
 * a trap. Right before the latch, in its
 * block, a compare sets {@code c} to {@code i < end} ({@code i64.lt}/{@code u64.lt}, plain or
 * fused, or {@code gt} with the operands swapped); {@code i} is written on the loop only by one {@code i64.add}/{@code u64.add} of
 * {@code i} and a register {@code s} before the compare; {@code end} and {@code s} are not written
 * on the loop; {@code c}, {@code i}, {@code end} and {@code s} are distinct. Bounded: one pass over
 * the code to find latches, each looked at over its range, which is at most {@link #MAX_INTS}
 * ints of code, so linear in the function's length.
 *
 * <p><b>At the head</b> (in each copy of the method's blocks, before the head block's fuel test;
 * {@link #preamble}): with {@code i0} the index now, when {@code 1 <= s <= }{@link
 * LoopBounds#MAX_STEP} and {@code i0 < end} (signed or unsigned as the latch compares), the trips
 * that stay on the loop from here are {@code t = (end - i0 - 1) / s} (the trip j stays when {@code
 * i0 + j * s < end}; no value on the way wraps, in the compare's order), taken at most {@link
 * #CHUNK}; with {@code k} a bound on the fuel one trip charges (its instructions and the leaves'
 * costliest paths), {@code m = min(t, fuel / k)}, or {@code m = min(t, (fuel - threshold) / k)}
 * with the host-call threshold ({@link HostCount}; none when it is -1, not current) when the loop
 * makes host calls, and with {@code h} the heap bytes one trip's
 * tuples charge, {@code m = min(m, room / h)} (a room not current, -1, gives 0); when
 * {@code m >= 1} (and the leaves' room holds, as {@link LeafRoom#fits} tests it: the room does not change on
 * the loop) the inner copy runs m trips, then goes back to the head. Else, and after the chunk,
 * the blocks as before run.
 *
 * <p><b>The inner copy</b> ({@link MethodEmitter}) is the blocks' instructions with each block's
 * charge of its length but not its fuel test, the leaves' bodies with their per-block charges but
 * not their guards, the latch's compare replaced by writing 1 to {@code c} (what it computes on a
 * trip that stays) and the latch's {@code br} by a count down of {@code m} in an {@code int}
 * local. Exact: the fuel at the start of trip j of the chunk is at least {@code (m - j) * k} (over
 * the host-call threshold, when the loop makes host calls) and the room at least
 * {@code (m - j) * h}, so every fuel, host-call and heap test left out would pass (and the
 * heap threshold stays sound: each trip charges at most the method's rate in bytes per unit of
 * fuel; the host-call threshold too: each host call is one of the instructions charged); the
 * leaves' guards would pass (fuel, and the room tested first); every trip stays on the
 * loop; so the instructions run, the registers written, the host calls counted and the fuel
 * charged are those of the blocks as before, trip for trip. Nothing but a trap of a tuple read or
 * a host function can stop a run inside the chunk (no pause or hand-over point), and such a trap
 * leaves through the method's trap handler with the fuel, the pending host calls, the pc and the
 * span the blocks' copy has there; else no one sees the chunk but through its result; the trip
 * that leaves the loop, a trip short of fuel or host-call room and every pause and hand-over run
 * in the blocks as before.
 *
 * <p><b>Charged at once</b> (twenty-ninth round, callc29; {@link Plan#once}, {@link Plan#add}): when
 * the loop calls at least one leaf, every leaf it calls charges the same fuel on every path, and it
 * has no tuple instruction and no host call (so nothing in the chunk can trap or read the fuel),
 * every trip charges exactly {@code k}: the preamble charges {@code m * k} as it enters the chunk
 * and the inner copy charges nothing. When, besides, no instruction of the loop but the index's
 * add (and the latch's compare, which the inner copy replaces) reads the index and no f64
 * register is held in a {@code double} local, the preamble also adds {@code m * s} to the index
 * and the inner copy leaves the add out. The fuel and the index after the chunk are those the
 * trips leave (no test, pause, trap or read of either comes between), so the chunk's trips carry
 * only the values the loop computes and the count: C2 made {@code call_loop}'s chunk about
 * twice hand-written Java's adds before (JDK 17 replaces only {@code int} induction variables).
 */
final class CountedLoop {
    /** Most trips one chunk runs (so the trip count stays well inside an {@code int}). */
    static final int CHUNK = 1 << 16;
    /** Most ints of code from the head to the latch. */
    static final int MAX_INTS = 64;
    /** Most registers the inner copy's blocks clear in all ({@code DeadAggregates}, 5 bytes each at most). */
    static final int MAX_CLEARS = 16;
    /** Most bytecode the leaves of the inner copy may add ({@link LeafInliner.Leaf#bytes} each). */
    static final int MAX_LEAF_BYTES = LeafInliner.MAX_SITE_BYTES;
    /** Bytecode one {@link #preamble} takes at most. */
    static final int PREAMBLE_BYTES = 200;
    /**
     * A bound on the bytecode the plan adds to a method: a preamble in each of two copies
     * ({@link LoopPeel}), the inner copy's instructions (at most 80 bytes per int of code, as
     * {@link MethodSize} counts them), its charges and clears, its leaves and its latch, and its
     * f64 registers' moves between {@code long} and {@code double} locals with the pool's set-up
     * ({@link F64Locals}).
     */
    static final int MAX_BYTES = 2 * PREAMBLE_BYTES + 80 * MAX_INTS + 24 * MAX_INTS + MAX_LEAF_BYTES + 64
            + F64Locals.CHUNK_BYTES + F64Locals.PROLOGUE_BYTES;

    private CountedLoop() {}

    /**
     * A bound on the bytecode the plan adds for the {@code br} at {@code at} of a function's lowered
     * code (targets are indices into that code): 0 unless it branches back at most {@link
     * #MAX_INTS} ints (only then can it be a latch, {@link #of}); else the two preambles, the
     * leaves, the clears, the latch, the f64 registers' moves and the {@code double} pool's set-up
     * ({@link F64Locals#CHUNK_BYTES}, {@link F64Locals#PROLOGUE_BYTES}), plus 104 bytes per int
     * from the head to the latch (80 for the instructions, as {@link MethodSize} counts them, 24
     * for the blocks' charges). For {@link MethodSize#bound}, a tests' oracle.
     *
     * @param code a lowered function's code
     * @param at the index of a {@code br} in it
     * @return the bound, in bytes of bytecode: 0, or 2,432 to 9,088 (the clears counted apart, 5 bytes
     *     each)
     */
    static int bytesAt(int[] code, int at) {
        int t = code[at + 2];
        if (t > at || at - t > MAX_INTS) {
            return 0;
        }
        return 2 * PREAMBLE_BYTES + MAX_LEAF_BYTES + 5 * MAX_CLEARS + 64 + F64Locals.CHUNK_BYTES
                + F64Locals.PROLOGUE_BYTES + (80 + 24) * (at - t);
    }

    /**
     * A loop whose trips can run in chunks.
     *
     * @param head the code index of the loop's head block
     * @param compare the code index of the latch's compare
     * @param latch the code index of the latch's {@code br}
     * @param cond the compare's register
     * @param index the index register {@code i}
     * @param end the end register
     * @param step the step register {@code s}
     * @param unsigned whether the compare is unsigned
     * @param fuel a bound on the fuel one trip charges ({@code k})
     * @param heap the heap bytes one trip charges on the heap room's local (its {@code tuple.new}s of
     *     words, {@link HeapLocal#bytes} each), 0 when it builds none
     * @param hosts whether the loop makes one-to-three-word host calls ({@link HostCount}), so that
     *     the chunk is bounded by the fuel over the host-call threshold
     * @param leafRegs the most registers a leaf called on the loop has, 0 when none is called
     * @param doubles the f64 registers the inner copy holds in {@code double} locals ({@link
     *     F64Locals#choose}: index k in the pool's local k), possibly none
     * @param inner the inner copy's entry label (where its registers' {@code double} locals are set)
     * @param body the inner copy's head label (each trip's start)
     * @param once whether the preamble charges the chunk's fuel at once ({@code m * k}) and the
     *     inner copy charges none: the loop calls at least one leaf, every leaf called charges the
     *     same on every path ({@link LeafInliner.Leaf#best} equal to its worst, so every trip
     *     charges exactly {@code k}), and nothing in the chunk can trap (no tuple instruction, no
     *     host call) or read the fuel (twenty-ninth round, callc29)
     * @param add with {@code once}, the code index of the index's add when no other instruction of
     *     the loop reads the index and no f64 register is held in a {@code double} local: the
     *     preamble then adds {@code m * s} to the index and the inner copy leaves the add out;
     *     else -1
     */
    record Plan(int head, int compare, int latch, int cond, int index, int end, int step, boolean unsigned,
                long fuel, long heap, boolean hosts, int leafRegs, int[] doubles, Label inner, Label body,
                boolean once, int add) {}

    /**
     * The plans of the method's loops of that form, in code order, or null when it has none. Their
     * ranges (head to latch) are disjoint: a loop whose range held another's latch would have a
     * second {@code br} (so nested loops are never both of the form, and an inner loop of the form
     * nested in another loop is found as any other).
     *
     * @param e the method
     * @param reachable per block leader, whether the block is reachable
     * @param clear per code index, the registers its block clears ({@code DeadAggregates}), or null
     * @return the plans, or null
     */
    static java.util.List<Plan> of(MethodEmitter e, boolean[] reachable, int[][] clear) {
        int[] code = e.code;
        int len = e.labels.length;
        boolean live = true;
        java.util.List<Plan> plans = null;
        for (int i = 0; i < len; i = e.next(i)) {
            if (e.labels[i] != null) {
                live = reachable[i];
            }
            int g = e.entry + i;
            if (live && code[g] == Op.BR) {
                int t = code[g + 2] - e.entry;
                if (t <= i && i - t <= MAX_INTS && t >= 0 && e.labels[t] != null && reachable[t]) {
                    Plan plan = plan(e, t, i, clear);
                    if (plan != null) {
                        plans = plans == null ? new java.util.ArrayList<>() : plans;
                        plans.add(plan);
                    }
                }
            }
        }
        return plans;
    }

    /** The plan of the loop from code index {@code head} to the latch at {@code latch}, or null. */
    private static Plan plan(MethodEmitter e, int head, int latch, int[][] clear) {
        int[] code = e.code;
        int gl = e.entry + latch;
        int cond = code[gl + 1];
        // the compare right before the latch, in its block
        int compare = -1;
        for (int i = head; i < latch; i = e.next(i)) {
            compare = i;
        }
        if (compare < 0 || e.labels[latch] != null) {
            return null;
        }
        int gc = e.entry + compare;
        int cop = LOp.unfused(LOp.plain(code[gc]));
        if (code[gc + 1] != cond || !(cop == Op.I64_LT || cop == Op.U64_LT || cop == Op.I64_GT || cop == Op.U64_GT)) {
            return null;
        }
        boolean swapped = cop == Op.I64_GT || cop == Op.U64_GT;
        int index = code[gc + (swapped ? 3 : 2)];
        int end = code[gc + (swapped ? 2 : 3)];
        int step = -1;
        int adds = 0;
        long fuel = 0;
        long heap = 0;
        boolean tuples = false;
        boolean hosts = false;
        int leafRegs = 0;
        int leafBytes = 0;
        Writes written = new Writes();
        int clears = 0;
        boolean calls = false;
        boolean uniform = true;
        boolean indexRead = false;
        int addAt = -1;
        for (int i = head; i <= latch; i = e.next(i)) {
            int g = e.entry + i;
            clears += clear == null || clear[i] == null ? 0 : clear[i].length;
            int op = LOp.plain(code[g]);
            fuel++;
            if (i == latch) {
                break;
            }
            if (i == compare) {
                written.add(cond);
                continue;
            }
            switch (op) {
                case Op.NOP -> {
                }
                case LOp.MOV_W, LOp.CONST_W, Op.I64_SUB, Op.U64_SUB, Op.I64_MUL, Op.U64_MUL, Op.I64_AND,
                        Op.U64_AND, Op.BOOL_AND, Op.I64_OR, Op.U64_OR, Op.BOOL_OR, Op.I64_XOR, Op.U64_XOR,
                        Op.BOOL_XOR, Op.I64_SHL, Op.U64_SHL, Op.I64_SHR, Op.U64_SHR, Op.I64_EQ, Op.U64_EQ,
                        Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, Op.U64_GT, Op.U64_LE, Op.U64_GE,
                        Op.BOOL_NOT, Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV, Op.F64_REM, Op.F64_MIN,
                        Op.F64_MAX, Op.F64_MIN_NUM, Op.F64_MAX_NUM, Op.F64_NEG, Op.F64_ABS, Op.F64_TO_BITS,
                        Op.F64_FROM_BITS, Op.I64_TO_F64, Op.U64_TO_F64, Op.F64_EQ, Op.F64_LT, Op.F64_GT,
                        Op.F64_LE, Op.F64_GE -> written.add(code[g + 1]);
                case Op.I64_ADD, Op.U64_ADD -> {
                    int dst = code[g + 1];
                    written.add(dst);
                    if (dst == index) {
                        adds++;
                        addAt = i;
                        step = code[g + 2] == index ? code[g + 3] : code[g + 3] == index ? code[g + 2] : -1;
                    }
                }
                case LOp.TUPLE_NEW_W -> {
                    // charged on the heap room's local (HeapLocal), which the preamble bounds the chunk by
                    if (e.heap < 0) {
                        return null;
                    }
                    heap += e.heapCharge(i);
                    tuples = true;
                    written.add(code[g + 1]);
                }
                case LOp.TUPLE_GET_W -> {
                    // only where tuple.new may be (a method with the heap room's local), as documented
                    if (e.heap < 0) {
                        return null;
                    }
                    tuples = true;
                    written.add(code[g + 1]);
                }
                case Op.HOST_CALL -> {
                    // a one-to-three-word call (HostCount): the preamble bounds the chunk by the threshold
                    int dst = fewHostResult(e, i, g);
                    if (dst < 0) {
                        return null;
                    }
                    hosts = true;
                    written.add(dst);
                }
                case Op.CALL -> {
                    LeafInliner.Leaf leaf = leaf(e, g);
                    if (leaf == null) {
                        return null;
                    }
                    fuel += leaf.worst();
                    calls = true;
                    uniform &= leaf.best() == leaf.worst();
                    leafRegs = Math.max(leafRegs, leaf.regs());
                    leafBytes += leaf.bytes() + 8 * code[g + 2];
                    int pos = g + 3 + code[g + 2];
                    for (int j = 0; j < code[pos]; j++) {
                        written.add(code[pos + 1 + j]);
                    }
                }
                default -> {
                    return null;
                }
            }
            indexRead |= i != addAt && reads(e, i, index);
        }
        if (adds != 1 || step < 0 || step == cond || index == end || index == cond || end == cond
                || written.count(index) != 1 || written.count(end) != 0 || written.count(step) != 0
                || written.count(cond) != 1
                || leafBytes > MAX_LEAF_BYTES || leafRegs > 0 && e.leafRoom < 0 || clears > MAX_CLEARS) {
            return null;
        }
        for (int reg : new int[] {index, end, step, cond}) {
            if (e.regClass(reg) != LOp.WORD_CLASS || e.dec[reg]) {
                return null;
            }
        }
        boolean unsigned = cop == Op.U64_LT || cop == Op.U64_GT;
        int[] doubles = F64Locals.choose(e, head, latch);
        if ((tuples || hosts) && doubles.length > 0) {
            // a tuple read's slow path (a stale shape's type_mismatch trap) reads the registers' long
            // locals, which the double ones are ahead of; a loop that only reads tuples included (review27);
            // so may a host function's trap
            return null;
        }
        boolean once = calls && uniform && !tuples && !hosts;
        int add = once && !indexRead && doubles.length == 0 ? addAt : -1;
        return new Plan(head, compare, latch, cond, index, end, step, unsigned, fuel, heap, hosts, leafRegs,
                doubles, new Label(), new Label(), once, add);
    }

    /**
     * Whether the instruction at code index {@code i} (not the latch's compare or {@code br}) may
     * read register {@code reg}: a call's argument ({@code reg << 2 | class} in its list,
     * {@code LoweredFunction}'s layouts), or any operand after the destination of another
     * instruction the loop admits (registers and immediates in schema order: an immediate equal to
     * {@code reg} counts too, a conservative answer, never a read missed).
     */
    private static boolean reads(MethodEmitter e, int i, int reg) {
        int[] code = e.code;
        int g = e.entry + i;
        if (LOp.plain(code[g]) == Op.CALL) {
            for (int j = 0; j < code[g + 2]; j++) {
                if (code[g + 3 + j] >>> 2 == reg) {
                    return true;
                }
            }
            return false;
        }
        for (int j = g + 2; j < e.entry + e.next(i); j++) {
            if (code[j] == reg) {
                return true;
            }
        }
        return false;
    }

    /**
     * The registers the instructions from a loop's head to its latch write, with how often each
     * is written. A list, not an array indexed by register: the range is at most
     * {@link #MAX_INTS} ints of code, so it writes at most that many registers, and an array of
     * the function's register count made for every candidate latch would cost latches times
     * registers per generation (review of the eighteenth round).
     */
    private static final class Writes {
        /** the registers written, in first-write order */
        private final int[] regs = new int[MAX_INTS];
        /** per entry of {@link #regs}, its write count */
        private final int[] counts = new int[MAX_INTS];
        /** entries in use */
        private int size;

        /** Counts one write of {@code reg}. */
        void add(int reg) {
            for (int k = 0; k < size; k++) {
                if (regs[k] == reg) {
                    counts[k]++;
                    return;
                }
            }
            regs[size] = reg;
            counts[size++] = 1;
        }

        /** @return how often {@code reg} was written, 0 or more */
        int count(int reg) {
            for (int k = 0; k < size; k++) {
                if (regs[k] == reg) {
                    return counts[k];
                }
            }
            return 0;
        }
    }

    /**
     * The result register of the host call at code index {@code i} (global index {@code g}) when
     * the inner copy can make it as the blocks do: a one-to-three-word call ({@link HostCount},
     * {@code HostCallEmitter.fewWords}: it cannot charge fuel, suspend or start a run on the
     * context, and does not end its block) of word registers into a word register; else -1.
     */
    private static int fewHostResult(MethodEmitter e, int i, int g) {
        int[] code = e.code;
        int argc = code[g + 2];
        if (!e.fewHostCall(i) || code[g + 3 + argc] != 1) {
            return -1;
        }
        for (int j = 0; j < argc; j++) {
            if (e.regClass(code[g + 3 + j]) != LOp.WORD_CLASS) {
                return -1;
            }
        }
        int dst = code[g + 4 + argc];
        return e.regClass(dst) == LOp.WORD_CLASS && !e.dec[dst] ? dst : -1;
    }

    /**
     * The leaf the direct call at global index {@code g} can run inline in the inner copy: as
     * {@code CallSiteEmitter.inlinable} admits it, but for the method's allowance (the inner copy
     * has its own, {@link #MAX_LEAF_BYTES}), with word arguments only (so it reads no aggregate).
     */
    private static LeafInliner.Leaf leaf(MethodEmitter e, int g) {
        int[] code = e.code;
        int callee = code[g + 1];
        LeafInliner.Leaf leaf = e.leaves.get(callee);
        if (!e.inlining.leaves() || leaf == null || leaf.bytes() > e.inlining.leafCap()
                || e.linking && e.view.failed(callee)) {
            return null;
        }
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        if (!e.view.movesFree(argc + code[pos])) {
            return null;
        }
        for (int j = 0; j < argc; j++) {
            if ((code[g + 3 + j] & 3) != LOp.WORD_CLASS) {
                return null;
            }
        }
        for (int j = 0; j < code[pos]; j++) {
            int dst = code[pos + 1 + j];
            if (e.regClass(dst) != LOp.WORD_CLASS || e.dec[dst]) {
                return null;
            }
        }
        return leaf;
    }

    /**
     * At the head block's start, in any copy (after its label and frame, before its fuel test):
     * the chunk's trip count into {@code NB} and a jump to the inner copy when it is at least 1;
     * else on to the code after this.
     */
    static void preamble(MethodEmitter e, Plan p) {
        MethodVisitor mv = e.mv;
        Label skip = new Label();
        if (p.leafRegs() > 0) {
            // room >= the leaves' registers: JitRuntime.leafFits, the guards' room test
            mv.visitVarInsn(LLOAD, e.leafRoom);
            mv.visitLdcInsn((long) p.leafRegs());
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, skip);
        }
        // 1 <= s <= MAX_STEP
        e.loadW(p.step());
        mv.visitInsn(LCONST_1);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, skip);
        e.loadW(p.step());
        mv.visitLdcInsn(LoopBounds.MAX_STEP);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGT, skip);
        // i < end, in the compare's order
        e.loadW(p.index());
        e.loadW(p.end());
        compare(mv, p.unsigned());
        mv.visitJumpInsn(IFGE, skip);
        // d = end - i - 1, in [0, 2^64 - 2] unsigned; t = d / s, at most CHUNK
        e.loadW(p.end());
        e.loadW(p.index());
        mv.visitInsn(LSUB);
        mv.visitInsn(LCONST_1);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, TMP);
        Label few = new Label();
        Label trips = new Label();
        mv.visitVarInsn(LLOAD, TMP);
        e.loadW(p.step());
        mv.visitLdcInsn((long) CHUNK);
        mv.visitInsn(LMUL);
        compare(mv, true);
        mv.visitJumpInsn(IFLT, few);
        mv.visitLdcInsn((long) CHUNK);
        mv.visitVarInsn(LSTORE, TMP);
        mv.visitJumpInsn(GOTO, trips);
        mv.visitLabel(few);
        e.frame();
        // d < CHUNK * s <= 2^36: a signed division
        mv.visitVarInsn(LLOAD, TMP);
        e.loadW(p.step());
        mv.visitInsn(LDIV);
        mv.visitVarInsn(LSTORE, TMP);
        mv.visitLabel(trips);
        e.frame();
        if (p.hosts()) {
            // a host-call threshold not current (-1) fails every block's test: no chunk
            mv.visitVarInsn(LLOAD, e.hosts + 2);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, skip);
        }
        // m = min(t, fuel / k)
        mv.visitVarInsn(LLOAD, FUEL);
        if (p.hosts()) {
            // m = min(t, (fuel - threshold) / k): every block test of every trip (fuel - len >= the
            // host-call threshold, HostCount) would pass; the threshold is 0 or more here and the fuel
            // -1 or more, so the difference does not wrap (below 0 when the fuel is short: no chunk)
            mv.visitVarInsn(LLOAD, e.hosts + 2);
            mv.visitInsn(LSUB);
        }
        mv.visitLdcInsn(p.fuel());
        mv.visitInsn(LDIV);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(JJ)J", false);
        mv.visitInsn(L2I);
        mv.visitVarInsn(ISTORE, NB);
        if (p.heap() > 0) {
            // m = min(m, room / h): the room covers every trip's charges; a room not current (-1) gives 0
            Label covered = new Label();
            roomTrips(e, p);
            mv.visitVarInsn(ILOAD, NB);
            mv.visitInsn(I2L);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, covered);
            // room / h < m <= CHUNK: an int
            roomTrips(e, p);
            mv.visitInsn(L2I);
            mv.visitVarInsn(ISTORE, NB);
            mv.visitLabel(covered);
            e.frame();
        }
        mv.visitVarInsn(ILOAD, NB);
        mv.visitJumpInsn(IFLE, skip);
        if (p.once()) {
            // fuel -= m * k: every trip charges exactly k (m * k <= fuel, no wrap), and nothing in the
            // chunk traps, pauses or reads the fuel, so it is the fuel the trips' charges leave
            mv.visitVarInsn(LLOAD, FUEL);
            mv.visitVarInsn(ILOAD, NB);
            mv.visitInsn(I2L);
            mv.visitLdcInsn(p.fuel());
            mv.visitInsn(LMUL);
            mv.visitInsn(LSUB);
            mv.visitVarInsn(LSTORE, FUEL);
        }
        if (p.add() >= 0) {
            // i += m * s (m * s <= 2^36): what the m trips' adds leave, wrapping alike; nothing else reads i
            e.loadW(p.index());
            mv.visitVarInsn(ILOAD, NB);
            mv.visitInsn(I2L);
            e.loadW(p.step());
            mv.visitInsn(LMUL);
            mv.visitInsn(LADD);
            e.storeW(p.index());
        }
        mv.visitJumpInsn(GOTO, p.inner());
        mv.visitLabel(skip);
        e.frame();
    }

    /** Pushes the trips the heap room covers: the room's local over the bytes one trip charges, a long. */
    private static void roomTrips(MethodEmitter e, Plan p) {
        e.mv.visitVarInsn(LLOAD, e.heap);
        e.mv.visitLdcInsn(p.heap());
        e.mv.visitInsn(LDIV);
    }

    /** Compares the two longs on the stack, signed or unsigned, to an int. */
    private static void compare(MethodVisitor mv, boolean unsigned) {
        if (unsigned) {
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
        } else {
            mv.visitInsn(LCMP);
        }
    }

    /**
     * The inner copy's latch: the trip's end for the {@code double} locals, one trip fewer to
     * run; back to the inner head while trips are left, else the registers' {@code long} locals
     * written back from the {@code double} ones ({@link F64Locals.Trip#leave}) and on to {@code
     * head} (the head block of the copy the back edges go to).
     */
    static void latch(MethodEmitter e, Plan p, F64Locals.Trip trip, Label head) {
        MethodVisitor mv = e.mv;
        trip.tripEnd();
        mv.visitIincInsn(NB, -1);
        mv.visitVarInsn(ILOAD, NB);
        mv.visitJumpInsn(IFGT, p.body());
        trip.leave();
        mv.visitJumpInsn(GOTO, head);
    }

    /** The inner copy's compare: writes 1, what the latch's compare finds on a trip that stays. */
    static void compareHolds(MethodEmitter e, Plan p) {
        e.mv.visitInsn(LCONST_1);
        e.storeW(p.cond());
    }
}
