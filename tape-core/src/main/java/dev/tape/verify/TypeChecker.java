package dev.tape.verify;

import dev.tape.format.DecodedCode;
import dev.tape.format.Opcode;
import dev.tape.format.OperandClass;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.StructType;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Register initialisation and type discipline for one function (spec section "Verification
 * (normative)": init-before-use, type discipline, call/return/host-call arity and types).
 *
 * <p>A forward must-analysis gives each register, at each program point, one of: not yet visited
 * (top), uninitialised, ambiguous (two paths disagree), or a concrete {@link ValueType}; aggregate
 * registers also carry a shape when one is known. As in the reference verifier, a register ends
 * up with one fixed type for the whole function, which is what the VM's split register files need.
 */
final class TypeChecker {
    static final int TOP = -3;
    static final int UNINIT = -2;
    static final int AMBIG = -1;

    private final Program program;
    private final int func;
    private final Function fn;
    private final ControlFlow cfg;
    /** the function's decoded instructions ({@link ControlFlow#dc}) */
    private final DecodedCode dc;
    private final int regCount;
    /** obj types by id - {@link #KINDS} (made on the first obj type: most functions have none) */
    private List<ValueType> objTypes;
    /**
     * obj type ids by host type id: an {@link ObjKey}, ordered, so that distinct host type ids of
     * one hash code (a file can name many) cost a logarithm per look-up, not a search of them all
     */
    private Map<ObjKey, Integer> objIds;

    /**
     * A host type id as a key of {@link #objIds}: hashed as a {@link Long} is (so
     * {@code k x 2^32 + k} all hash to 0) and ordered, so that a {@code HashMap} searches colliding
     * keys as a tree. Its own class rather than {@link Long} (which is as ordered and allocates as
     * much for ids over 127) only so that {@link TypesKey#probe} can count its compares and equality
     * tests (one element each) in tests ({@code TypeHashCollisionTest}).
     */
    private record ObjKey(long hostType) implements Comparable<ObjKey> {
        @Override
        public boolean equals(Object o) {
            java.util.function.IntConsumer p = TypesKey.probe;
            if (p != null) {
                p.accept(1);
            }
            return o instanceof ObjKey k && k.hostType == hostType;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hostType);
        }

        @Override
        public int compareTo(ObjKey o) {
            java.util.function.IntConsumer p = TypesKey.probe;
            if (p != null) {
                p.accept(1);
            }
            return Long.compare(hostType, o.hostType);
        }
    }
    /** type ids below this are the other kinds' ordinals ({@link #KIND_TYPES}); obj types come after */
    private static final int KINDS = ValueKind.values().length;
    private static final ValueType[] KIND_TYPES = new ValueType[KINDS];

    static {
        for (ValueKind k : ValueKind.values()) {
            KIND_TYPES[k.ordinal()] = k == ValueKind.OBJ ? null : ValueType.of(k);
        }
    }
    private final AggShape[] argShapes;

    /**
     * fixed type of each register after {@link #run()}: a scratch array of {@link #buffers},
     * overwritten by the next function's run (the lowerer keeps a copy)
     */
    ValueType[] regTypes;
    /** register states one fixpoint pass tracks (reachable blocks x registers) */
    long passCost;
    /**
     * charged {@link #passCost} for each fixpoint pass after the first, and also the reachable
     * blocks' bytecode bytes for each after the second (a pass steps every reachable instruction,
     * at a cost linear in its bytes; the bytecode charge and the first pass's pay for two such
     * walks), and the must-init passes after the second ({@link MustInit}); null for no bound
     */
    AnalysisBudget budget;
    /**
     * Whether shapes follow the reference exactly: known only in the entry block (its arguments'
     * shapes, kept when every edge back into it agrees) and within a block after the instruction
     * that makes them (see {@link #joinNoShapes}). When false, a block's in-state keeps the shape
     * every edge into it agrees on (this project's extension, which {@link Verifier} tries first).
     */
    boolean strict;

    /** @param argShapes the shape of each argument (null entries for none), or null when none has one */
    TypeChecker(Program program, int func, ControlFlow cfg, AggShape[] argShapes) {
        this.program = program;
        this.func = func;
        this.fn = program.functions().get(func);
        this.cfg = cfg;
        this.dc = cfg.dc;
        this.regCount = fn.regCount();
        this.argShapes = argShapes;
    }

    /** @return the type's id: equal ids for equal types, 0 or more */
    private int id(ValueType t) {
        if (t.kind() != ValueKind.OBJ) {
            return t.kind().ordinal();
        }
        if (objIds == null) {
            objTypes = new ArrayList<>();
            objIds = new HashMap<>();
        }
        ObjKey key = new ObjKey(t.hostType());
        Integer i = objIds.get(key);
        if (i == null) {
            i = KINDS + objTypes.size();
            objTypes.add(t);
            objIds.put(key, i);
        }
        return i;
    }

    private ValueType type(int id) {
        return id < KINDS ? KIND_TYPES[id] : objTypes.get(id - KINDS);
    }

    private VerifyException err(String kind, int ins, String reason) {
        return MustInit.err(func, dc, kind, ins, reason);
    }

    private String show(int state) {
        return switch (state) {
            case TOP, UNINIT -> "uninitialised";
            case AMBIG -> "ambiguous (different types on different paths)";
            default -> type(state).toString();
        };
    }

    /** scratch arrays to reuse (the verifier's, for every function); null to allocate */
    Lowerer.Buffers buffers;
    /**
     * The in-state of each reachable block, flat: block {@code b}'s registers at
     * {@code slot[b] * regCount} in {@link #inS} and {@link #inM}, where {@code slot} numbers the
     * reachable blocks in {@link ControlFlow#order}; {@link #has} says whether it is set yet.
     * (reachable blocks x registers entries, what the analysis budget charges per pass)
     */
    private int[] inS;
    private AggShape[] inM;
    private int[] slot;
    private boolean[] has;
    /** {@link #buffers}, or this checker's own when that is null */
    private Lowerer.Buffers scratch;
    /** the state while a block is stepped (registers 0 to regCount - 1; the arrays may be longer) */
    private int[] scratchState;
    private AggShape[] scratchMeta;

    private void states(int nb) throws VerifyException {
        int nr = cfg.order.length;
        // the budget charged passCost = nr * regCount before run(): this size is bounded by it
        long need = (long) nr * regCount;
        if (need > Integer.MAX_VALUE - 8) {
            // only under a budget raised past 2^31 (the states would take over 8 GB anyway)
            throw new VerifyException("AnalysisBudgetExceeded", func, -1, null, "the function's type analysis"
                    + " would track " + need + " register states (reachable blocks x registers), more than"
                    + " one array holds");
        }
        int cells = (int) need;
        Lowerer.Buffers b = buffers != null ? buffers : new Lowerer.Buffers();
        scratch = b;
        if (b.blockStates.length < cells) {
            // exactly what this function needs: a larger function later is charged for its own
            b.blockStates = new int[cells];
            b.blockMeta = new AggShape[b.blockStates.length];
        }
        if (b.blockSlot.length < nb) {
            b.blockSlot = new int[Math.max(nb, 2 * b.blockSlot.length)];
            b.blockHas = new boolean[b.blockSlot.length];
        }
        if (b.regState.length < regCount) {
            b.regState = new int[Math.max(regCount, 2 * b.regState.length)];
            b.regMeta = new AggShape[b.regState.length];
        }
        scratchState = b.regState;
        scratchMeta = b.regMeta;
        inS = b.blockStates;
        inM = b.blockMeta;
        slot = b.blockSlot;
        has = b.blockHas;
        Arrays.fill(has, 0, nb, false);
        for (int i = 0; i < nr; i++) {
            slot[cfg.order[i]] = i;
        }
    }

    /** Copies block {@code b}'s in-state into {@code st} and {@code meta}. */
    private void load(int b, int[] st, AggShape[] meta) {
        int at = slot[b] * regCount;
        System.arraycopy(inS, at, st, 0, regCount);
        System.arraycopy(inM, at, meta, 0, regCount);
    }

    /** Sets block {@code b}'s in-state to {@code st} and {@code meta}. */
    private void store(int b, int[] st, AggShape[] meta) {
        int at = slot[b] * regCount;
        System.arraycopy(st, 0, inS, at, regCount);
        System.arraycopy(meta, 0, inM, at, regCount);
        has[b] = true;
    }

    void run() throws VerifyException {
        int nb = cfg.blockStart.length;
        states(nb);
        // the working state (registers 0 to regCount - 1 of the scratch arrays), first the entry's
        int[] st = scratchState;
        AggShape[] meta = scratchMeta;
        Arrays.fill(st, 0, regCount, UNINIT);
        Arrays.fill(meta, 0, regCount, null);
        st[0] = id(ValueType.UNIT);
        List<ValueType> args = fn.sig().args();
        for (int a = 0; a < args.size() && a + 1 < regCount; a++) {
            st[a + 1] = id(args.get(a));
            meta[a + 1] = argShapes == null ? null : canonical(argShapes[a]);
        }
        if (nb > 0) {
            // block 0 is reachable: the first in the order
            store(0, st, meta);
        }
        // fixpoint over reachable blocks, in reverse post-order; a pass steps every reachable
        // instruction too, so the passes after the second are also charged the reachable code
        long codeCost = 0;
        for (int b : cfg.order) {
            codeCost += dc.nextPc(cfg.blockEnd[b] - 1) - dc.pc(cfg.blockStart[b]);
        }
        boolean changed = true;
        for (int pass = 1; changed; pass++) {
            changed = false;
            if (pass > 1 && budget != null) {
                budget.charge(pass > 2 ? passCost + codeCost : passCost, func);
            }
            for (int b : cfg.order) {
                if (!has[b]) {
                    continue;
                }
                load(b, st, meta);
                for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                    step(i, st, meta, false);
                }
                for (int s : cfg.successors[b]) {
                    // strictly as the reference's solver does, a block other than the entry starts
                    // with no aggregate shape at all (see joinNoShapes)
                    boolean noShapes = strict && s != 0;
                    if (!has[s]) {
                        if (noShapes) {
                            storeNoShapes(s, st);
                        } else {
                            store(s, st, meta);
                        }
                        changed = true;
                    } else if (noShapes ? joinNoShapes(slot[s] * regCount, st) : join(slot[s] * regCount, st, meta)) {
                        changed = true;
                    }
                }
            }
        }
        // the reference's must-init pass first, over every reachable block in block order
        // (verifier.rs, validate_instr_reads_writes): effect registers, call and return arity,
        // then reads before writes; only then the types, so an uninitialised read anywhere is
        // reported before a type error in an earlier block
        MustInit.check(program, func, cfg, slot, budget, scratch);
        // checking pass over reachable blocks in block order (types, as the reference's step 12)
        for (int b = 0; b < nb; b++) {
            if (!cfg.reachable[b]) {
                continue;
            }
            load(b, st, meta);
            for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                step(i, st, meta, true);
            }
        }
        // no ambiguous register in any reachable block's in or out state (step 13)
        for (int b = 0; b < nb; b++) {
            if (!cfg.reachable[b]) {
                continue;
            }
            load(b, st, meta);
            checkStable(st);
            for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                step(i, st, meta, false);
            }
            checkStable(st);
        }
        // one type per register for the whole function (step 14)
        // in a scratch array: kept (copied) only when no function before had the same types
        if (scratch.fixedTypes.length != regCount) {
            scratch.fixedTypes = new ValueType[regCount];
        } else {
            Arrays.fill(scratch.fixedTypes, null);
        }
        ValueType[] fixed = scratch.fixedTypes;
        fixed[0] = ValueType.UNIT;
        for (int a = 0; a < args.size() && a + 1 < regCount; a++) {
            fixed[a + 1] = args.get(a);
        }
        for (int b = 0; b < nb; b++) {
            if (!cfg.reachable[b]) {
                continue;
            }
            load(b, st, meta);
            for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                int ins = i;
                step(ins, st, meta, false);
                fixWrites(ins, st, fixed);
            }
        }
        for (int r = 0; r < regCount; r++) {
            if (fixed[r] == null) {
                fixed[r] = ValueType.UNIT;
            }
        }
        regTypes = fixed;
    }

    /** Step 14 for the registers an instruction writes ({@link dev.tape.format.Instruction#writes()}, without the array). */
    private void fixWrites(int ins, int[] st, ValueType[] fixed) throws VerifyException {
        List<dev.tape.format.Operand> ops = dc.opcode(ins).operands();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() != dev.tape.format.Access.WRITE) {
                continue;
            }
            if (ops.get(i).kind() == dev.tape.format.OperandKind.REG_LIST) {
                for (int k = 0; k < dc.value(ins, i); k++) {
                    fix(ins, dc.listReg(ins, i, k), st, fixed);
                }
            } else {
                fix(ins, dc.reg(ins, i), st, fixed);
            }
        }
    }

    /** Step 14 for one register an instruction writes: its type there is its one fixed type. */
    private void fix(int ins, int r, int[] st, ValueType[] fixed) throws VerifyException {
        int s = st[r];
        if (s < 0) {
            throw err("UnstableRegTypeAt", ins, "r" + r + " is written with an " + show(s) + " value");
        }
        ValueType t = type(s);
        if (fixed[r] == null) {
            fixed[r] = t;
        } else if (!fixed[r].equals(t)) {
            throw err("UnstableRegTypeAt", ins, "r" + r + " already holds " + fixed[r]
                    + " in this function and cannot also hold " + t
                    + " (a register keeps one type for the whole function)");
        }
    }

    private void checkStable(int[] st) throws VerifyException {
        for (int r = 0; r < regCount; r++) {
            if (st[r] == AMBIG) {
                throw new VerifyException("UnstableRegType", func, -1, null, "r" + r
                        + " holds different types on different paths into a block");
            }
        }
    }

    /**
     * The shape a {@code tuple.new} makes from the registers' current types. Every pass over a
     * function steps each tuple.new again, mostly with the same element types: the shape is kept
     * per instruction and made again only when they differ.
     */
    private AggShape tupleShape(int ins, int[] st, boolean check) throws VerifyException {
        int n = (int) dc.value(ins, 1);
        ValueType[] elemScratch = scratch.elemTypes;
        if (elemScratch.length < n) {
            elemScratch = new ValueType[Math.max(n, 2 * elemScratch.length)];
            scratch.elemTypes = elemScratch;
        }
        if (tupleShapes == null) {
            tupleShapes = new AggShape.Tuple[dc.count()];
        }
        AggShape.Tuple old = tupleShapes[ins];
        boolean same = old != null;
        for (int e = 0; e < n; e++) {
            int s = readAny(ins, st, dc.listReg(ins, 1, e), check);
            ValueType t = s >= 0 ? type(s) : null;
            elemScratch[e] = t;
            same = same && java.util.Objects.equals(old.elems().get(e), t);
        }
        if (!same) {
            old = (AggShape.Tuple) canonical(new AggShape.Tuple(Arrays.asList(elemScratch).subList(0, n)));
            tupleShapes[ins] = old;
        }
        return old;
    }

    /**
     * Register list operand {@code i} of instruction {@code ins} as an array, made on the first
     * pass over the function and kept for the later ones ({@code which}: 0 for a call's
     * arguments, 1 for its results). The arrays are never modified.
     */
    private int[] cachedList(int ins, int i, int which) {
        if (lists == null) {
            lists = new int[2 * dc.count()][];
        }
        int[] l = lists[2 * ins + which];
        if (l == null) {
            l = dc.list(ins, i);
            lists[2 * ins + which] = l;
        }
        return l;
    }

    /**
     * The one tuple shape of this function equal to {@code shape} (a tuple shape stands for
     * itself the first time; another shape is returned as it is), so that {@link #join} compares
     * tuple shapes by reference: without it, a join of k registers holding two equal n-element
     * shapes made by two {@code tuple.new} compared k x n elements. Costs O(n) per call, as making
     * the shape did. The shapes are hashed over their elements' type ids modulo the prime
     * 2^61 - 1 at a base drawn at random per function, so no file can make many of them collide
     * (with a fixed hash, as {@code List.hashCode}, one could make every look-up search a chain);
     * the draw changes only the speed, never a decision.
     *
     * <p>Why not the decoder's sharing of small tuple shapes ({@code ProgramDecoder.smallKey}),
     * which also makes equal shapes one object: that one keys a shape of at most five elements
     * without {@code obj} by one exact {@code long}, enough for its purpose (the heap a decoded
     * program keeps per file byte; longer entries keep less per byte anyway). Here every tuple
     * shape must be canonical, of any length and with {@code obj} elements, or {@link #join}
     * would drop the shape of a register meeting an equal shape that is another object; an exact
     * key for those is the list itself, hence the hash. Sharing one interner would either add this
     * map's key and entry per distinct shape to what decoding allocates, or leave this class a
     * second map beside the decoder's key; and the shapes this map sees are mostly made here, from
     * the registers' types at each {@code tuple.new}, not decoded.
     */
    private AggShape canonical(AggShape shape) {
        if (!(shape instanceof AggShape.Tuple t)) {
            return shape;
        }
        if (tuples == null) {
            tuples = new HashMap<>();
            hashBase = java.util.concurrent.ThreadLocalRandom.current().nextLong(2, MERSENNE_61 - 1);
        }
        long h = t.elems().size() + 1L;
        for (ValueType e : t.elems()) {
            h = mulMod(h, hashBase) + (e == null ? 1 : id(e) + 2L);
            if (h >= MERSENNE_61) {
                h -= MERSENNE_61;
            }
        }
        TupleKey key = new TupleKey(t, h);
        AggShape.Tuple had = tuples.putIfAbsent(key, t);
        return had != null ? had : t;
    }

    /** 2^61 - 1, the prime {@link #canonical} hashes modulo */
    private static final long MERSENNE_61 = (1L << 61) - 1;

    /** @return {@code a x b} modulo 2^61 - 1, for {@code a} and {@code b} below it */
    private static long mulMod(long a, long b) {
        long lo = a * b;
        long hi = Math.multiplyHigh(a, b);
        // the product is q x 2^61 + (its low 61 bits), and 2^61 is 1 modulo 2^61 - 1
        long r = (lo & MERSENNE_61) + ((lo >>> 61) | (hi << 3));
        r = (r & MERSENNE_61) + (r >>> 61);
        return r >= MERSENNE_61 ? r - MERSENNE_61 : r;
    }

    /** A tuple shape as a key of {@link #tuples}: equal when the element lists are. */
    private record TupleKey(AggShape.Tuple shape, long hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TupleKey k && k.hash == hash && k.shape.elems().equals(shape.elems());
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hash);
        }
    }

    /** {@link #canonical}'s shapes by their elements; made on the first tuple shape */
    private Map<TupleKey, AggShape.Tuple> tuples;
    /** {@link #canonical}'s hash base, drawn with {@link #tuples} */
    private long hashBase;

    /** {@link #cachedList}'s arrays, two per instruction; made on the first call */
    private int[][] lists;

    /** the shape each {@code tuple.new} made last ({@link #tupleShape}), by instruction; made on the first */
    private AggShape.Tuple[] tupleShapes;

    /**
     * Sets block {@code b}'s in-state to the types {@code st}, with no aggregate shape (for a block
     * other than the entry: see {@link #joinNoShapes}).
     */
    private void storeNoShapes(int b, int[] st) {
        int at = slot[b] * regCount;
        System.arraycopy(st, 0, inS, at, regCount);
        Arrays.fill(inM, at, at + regCount, null);
        has[b] = true;
    }

    /**
     * Joins the types {@code st} into the in-state at {@code at} of {@link #inS}, for a block other
     * than the entry, whose registers carry no aggregate shape. This is the reference's rule, not a
     * choice: its forward solver ({@code analysis/dataflow.rs}, {@code solve_forward}) starts every
     * block but the entry from a state whose shapes are all unknown and meets each predecessor into
     * it, and the shape meet ({@code verifier.rs}, {@code meet_agg}) keeps a shape only when both
     * sides have the same one: so a shape never reaches a block other than the entry, and an
     * aggregate read there ({@code tuple.get}, {@code struct.get}, {@code array.get}) gives a value
     * of unknown type.
     */
    private boolean joinNoShapes(int at, int[] st) {
        int[] into = inS;
        boolean changed = false;
        for (int r = 0; r < regCount; r++) {
            int a = into[at + r];
            int m = meet(a, st[r]);
            if (m != a) {
                into[at + r] = m;
                changed = true;
            }
        }
        return changed;
    }

    /** The reference's {@code meet_value}: top is the identity, then uninitialised, then ambiguous. */
    private static int meet(int a, int b) {
        if (a == TOP) {
            return b;
        } else if (b == TOP) {
            return a;
        } else if (a == UNINIT || b == UNINIT) {
            return UNINIT;
        } else if (a == AMBIG || b == AMBIG) {
            return AMBIG;
        }
        return a == b ? a : AMBIG;
    }

    /** Joins {@code st}/{@code meta} into the in-state at {@code at} of {@link #inS}/{@link #inM}. */
    private boolean join(int at, int[] st, AggShape[] meta) {
        int[] into = inS;
        AggShape[] intoMeta = inM;
        boolean changed = false;
        for (int r = 0; r < regCount; r++) {
            int a = into[at + r];
            int m = meet(a, st[r]);
            AggShape im = intoMeta[at + r];
            // tuple shapes are canonical (equal ones are one object): comparing their elements
            // here would cost registers x elements per join
            AggShape mm = im != null && (im == meta[r] || !(im instanceof AggShape.Tuple) && im.equals(meta[r]))
                    ? im : null;
            if (m != a || mm != im) {
                into[at + r] = m;
                intoMeta[at + r] = mm;
                changed = true;
            }
        }
        return changed;
    }

    /** @return the registers an instruction reads: its register operands of read access */
    static int[] reads(DecodedCode dc, int ins) {
        List<dev.tape.format.Operand> ops = dc.opcode(ins).operands();
        int[] out = new int[0];
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() != dev.tape.format.Access.READ) {
                continue;
            }
            switch (ops.get(i).kind()) {
                case REG -> {
                    out = java.util.Arrays.copyOf(out, out.length + 1);
                    out[out.length - 1] = dc.reg(ins, i);
                }
                case REG_LIST -> {
                    int[] l = dc.list(ins, i);
                    int k = out.length;
                    out = java.util.Arrays.copyOf(out, k + l.length);
                    System.arraycopy(l, 0, out, k, l.length);
                }
                default -> {
                    // an immediate or another operand that names no register
                }
            }
        }
        return out;
    }

    /**
     * @return the registers an instruction writes: its register and register-list operands of
     *     write access, in operand order, as {@link dev.tape.format.Instruction#writes()}
     */
    static int[] writes(DecodedCode dc, int ins) {
        List<dev.tape.format.Operand> ops = dc.opcode(ins).operands();
        int n = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() == dev.tape.format.Access.WRITE) {
                n += ops.get(i).kind() == dev.tape.format.OperandKind.REG_LIST ? (int) dc.value(ins, i) : 1;
            }
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() == dev.tape.format.Access.WRITE) {
                if (ops.get(i).kind() == dev.tape.format.OperandKind.REG_LIST) {
                    for (int e = 0; e < dc.value(ins, i); e++) {
                        out[k++] = dc.listReg(ins, i, e);
                    }
                } else {
                    out[k++] = dc.reg(ins, i);
                }
            }
        }
        return out;
    }

    // ---- per-instruction transfer and checks ------------------------------------------------

    private int readAny(int ins, int[] st, int r, boolean check) throws VerifyException {
        int s = st[r];
        if (check && (s == UNINIT || s == TOP)) {
            throw err("UninitializedRead", ins, "r" + r + " is read before it is written on some path");
        }
        return s;
    }

    private void read(int ins, int[] st, int r, ValueType expected, boolean check) throws VerifyException {
        int s = readAny(ins, st, r, check);
        if (!check) {
            return;
        }
        if (s == AMBIG) {
            throw err("UnknownTypeAtUse", ins, "r" + r + " must be " + expected
                    + " but its type differs between paths (or comes from an aggregate of unknown shape)");
        }
        if (!type(s).equals(expected)) {
            throw err("TypeMismatch", ins, "r" + r + " must be " + expected + " but holds " + type(s));
        }
    }

    private void assignable(int ins, int[] st, int r, ValueType t, boolean check) throws VerifyException {
        if (!check) {
            return;
        }
        int s = st[r];
        if (s == AMBIG) {
            throw err("UnknownTypeAtUse", ins, "result register r" + r + " has an ambiguous type");
        }
        if (s >= 0 && !type(s).equals(t)) {
            throw err("TypeMismatch", ins, "result register r" + r + " holds " + type(s) + " but receives " + t);
        }
    }

    private static void set(int[] st, AggShape[] meta, int r, int type, AggShape shape, boolean keepMeta) {
        st[r] = type;
        if (!keepMeta) {
            meta[r] = shape;
        }
    }

    private void write(int[] st, AggShape[] meta, int r, ValueType t) {
        // An agg result without a shape keeps the register's previous shape, as the reference does.
        set(st, meta, r, id(t), null, t.kind() == ValueKind.AGG);
    }

    /**
     * The type a register operand of a plain opcode reads or writes: its fixed class from the
     * opcode table ({@code spec/opcodes.json}).
     */
    private ValueType plainType(int ins, dev.tape.format.Operand o) throws VerifyException {
        OperandClass c = o.regClass();
        if (!c.isFixed() || c == OperandClass.OBJ || o.kind() != dev.tape.format.OperandKind.REG) {
            throw err("InternalOpcodeSchemaMismatch", ins, "no type rule for " + dc.opcode(ins).mnemonic() + " operand "
                    + o.name());
        }
        return ValueType.of(ValueKind.fromTag(c.ordinal()));
    }

    private void step(int ins, int[] st, AggShape[] meta, boolean check) throws VerifyException {
        Opcode op = dc.opcode(ins);
        switch (op) {
            case MOV -> {
                int s = readAny(ins, st, dc.reg(ins, 1), check);
                int d = dc.reg(ins, 0);
                st[d] = s;
                meta[d] = meta[dc.reg(ins, 1)];
            }
            case SELECT -> {
                read(ins, st, dc.reg(ins, 1), ValueType.BOOL, check);
                int a = readAny(ins, st, dc.reg(ins, 2), check);
                int b = readAny(ins, st, dc.reg(ins, 3), check);
                if (check) {
                    if (a == AMBIG && b == AMBIG) {
                        throw err("UnknownTypeAtSelect", ins, "both operands of select have ambiguous types");
                    }
                    if (a == AMBIG) {
                        throw err("UnknownTypeAtUse", ins, "r" + dc.reg(ins, 2) + " has an ambiguous type");
                    }
                    if (b == AMBIG) {
                        throw err("UnknownTypeAtUse", ins, "r" + dc.reg(ins, 3) + " has an ambiguous type");
                    }
                    if (a != b) {
                        throw err("TypeMismatch", ins, "select operands differ: " + show(a) + " and " + show(b));
                    }
                }
                int d = dc.reg(ins, 0);
                set(st, meta, d, a, null, a >= 0 && type(a).kind() == ValueKind.AGG);
            }
            case CONST_POOL -> {
                Constant c = program.constants().get((int) dc.value(ins, 1));
                write(st, meta, dc.reg(ins, 0), c.type());
            }
            case CALL -> {
                Function callee = program.functions().get((int) dc.value(ins, 1));
                checkEffects(ins, 2, 0, check);
                int[] args = cachedList(ins, 3, 0);
                int[] rets = cachedList(ins, 4, 1);
                if (check && (args.length != callee.argCount() || rets.length != callee.retCount())) {
                    throw err("CallArityMismatch", ins, "function " + dc.value(ins, 1) + " takes "
                            + callee.declaredArgCount() + " arguments and returns " + callee.declaredRetCount()
                            + " values; the call passes "
                            + args.length + " and expects " + rets.length);
                }
                callTypes(ins, st, meta, args, rets, callee.sig().args(), callee.sig().rets(), check);
            }
            case CALL_INDIRECT -> {
                CallSig cs = program.callSigs().get((int) dc.value(ins, 1));
                checkEffects(ins, 3, 0, check);
                int callee = dc.reg(ins, 2);
                int s = readAny(ins, st, callee, check);
                int[] args = cachedList(ins, 4, 0);
                int[] rets = cachedList(ins, 5, 1);
                if (check) {
                    if (args.length != cs.args().size() || rets.length != cs.rets().size()) {
                        throw err("CallArityMismatch", ins, "call signature " + dc.value(ins, 1) + " has "
                                + cs.args().size() + " arguments and " + cs.rets().size() + " results; the call has "
                                + args.length + " and " + rets.length);
                    }
                    if (s == AMBIG) {
                        throw err("UnknownTypeAtUse", ins, "callee r" + callee + " has an ambiguous type");
                    }
                    ValueKind k = type(s).kind();
                    if (k != ValueKind.FUNC && k != ValueKind.CLOSURE) {
                        throw err("TypeMismatch", ins, "callee r" + callee + " must be func or closure but holds "
                                + type(s));
                    }
                }
                callTypes(ins, st, meta, args, rets, cs.args(), cs.rets(), check);
            }
            case HOST_CALL -> {
                HostSig hs = program.hostSigs().get((int) dc.value(ins, 1));
                checkEffects(ins, 2, 0, check);
                int[] args = cachedList(ins, 3, 0);
                int[] rets = cachedList(ins, 4, 1);
                if (check && (args.length != hs.args().size() || rets.length != hs.rets().size())) {
                    throw err("HostCallArityMismatch", ins, "host signature " + dc.value(ins, 1) + " has "
                            + hs.args().size() + " arguments and " + hs.rets().size() + " results; the call has "
                            + args.length + " and " + rets.length);
                }
                callTypes(ins, st, meta, args, rets, hs.args(), hs.rets(), check);
            }
            case RET -> {
                checkEffects(ins, 0, -1, check);
                int n = (int) dc.value(ins, 1);
                if (check && n != fn.retCount()) {
                    throw err("ReturnArityMismatch", ins, "the function returns " + fn.retCount()
                            + " values but ret lists " + n);
                }
                List<ValueType> types = fn.sig().rets();
                for (int i = 0; i < n; i++) {
                    if (i < types.size()) {
                        read(ins, st, dc.listReg(ins, 1, i), types.get(i), check);
                    } else {
                        readAny(ins, st, dc.listReg(ins, 1, i), check);
                    }
                }
            }
            case TUPLE_NEW -> set(st, meta, dc.reg(ins, 0), id(ValueType.AGG), tupleShape(ins, st, check), false);
            case STRUCT_NEW -> {
                int typeId = (int) dc.value(ins, 1);
                StructType t = program.types().structs().get(typeId);
                int[] vals = dc.list(ins, 2);
                if (check && vals.length != t.fields().size()) {
                    throw err("StructArityMismatch", ins, "struct type " + typeId + " has " + t.fields().size()
                            + " fields but " + vals.length + " values are given");
                }
                for (int i = 0; i < vals.length; i++) {
                    if (i < t.fields().size()) {
                        read(ins, st, vals[i], t.fields().get(i).type(), check);
                    } else {
                        readAny(ins, st, vals[i], check);
                    }
                }
                set(st, meta, dc.reg(ins, 0), id(ValueType.AGG), new AggShape.Struct(typeId), false);
            }
            case ARRAY_NEW -> {
                int elemId = (int) dc.value(ins, 1);
                ValueType et = program.types().arrayElems().get(elemId);
                for (int r : dc.list(ins, 2)) {
                    read(ins, st, r, et, check);
                }
                set(st, meta, dc.reg(ins, 0), id(ValueType.AGG), new AggShape.Array(elemId), false);
            }
            case TUPLE_GET -> {
                AggShape shape = aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Tuple.class, "tuple", check);
                int d = dc.reg(ins, 0);
                long idx = dc.value(ins, 2);
                if (shape instanceof AggShape.Tuple t) {
                    if (check && idx >= t.elems().size()) {
                        throw err("TupleIndexOutOfBounds", ins, "index " + idx + " is out of range for a tuple of "
                                + t.elems().size());
                    }
                    ValueType et = idx < t.elems().size() ? t.elems().get((int) idx) : null;
                    projected(st, meta, d, et);
                } else {
                    projected(st, meta, d, null);
                }
            }
            case STRUCT_GET -> {
                AggShape shape = aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Struct.class, "struct", check);
                long idx = dc.value(ins, 2);
                if (shape instanceof AggShape.Struct s) {
                    List<StructType.Field> fields = program.types().structs().get(s.typeId()).fields();
                    if (check && idx >= fields.size()) {
                        throw err("StructFieldIndexOutOfBounds", ins, "field " + idx + " is out of range: struct type "
                                + s.typeId() + " has " + fields.size() + " fields");
                    }
                    projected(st, meta, dc.reg(ins, 0), idx < fields.size() ? fields.get((int) idx).type() : null);
                } else {
                    projected(st, meta, dc.reg(ins, 0), null);
                }
            }
            case ARRAY_GET, ARRAY_GET_IMM -> {
                AggShape shape = aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Array.class, "array", check);
                if (op == Opcode.ARRAY_GET) {
                    read(ins, st, dc.reg(ins, 2), ValueType.U64, check);
                }
                if (shape instanceof AggShape.Array a) {
                    projected(st, meta, dc.reg(ins, 0), program.types().arrayElems().get(a.elemTypeId()));
                } else {
                    projected(st, meta, dc.reg(ins, 0), null);
                }
            }
            case TUPLE_LEN -> {
                aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Tuple.class, "tuple", check);
                write(st, meta, dc.reg(ins, 0), ValueType.U64);
            }
            case STRUCT_FIELD_COUNT -> {
                aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Struct.class, "struct", check);
                write(st, meta, dc.reg(ins, 0), ValueType.U64);
            }
            case ARRAY_LEN -> {
                aggRead(ins, st, meta, dc.reg(ins, 1), AggShape.Array.class, "array", check);
                write(st, meta, dc.reg(ins, 0), ValueType.U64);
            }
            default -> {
                // a plain op: every register operand has one fixed class in the opcode table; the
                // reads are checked in encoding order, then the results written
                List<dev.tape.format.Operand> ops = op.operands();
                for (int i = 0; i < ops.size(); i++) {
                    if (ops.get(i).access() == dev.tape.format.Access.READ) {
                        read(ins, st, dc.reg(ins, i), plainType(ins, ops.get(i)), check);
                    }
                }
                for (int i = 0; i < ops.size(); i++) {
                    if (ops.get(i).access() == dev.tape.format.Access.WRITE) {
                        write(st, meta, dc.reg(ins, i), plainType(ins, ops.get(i)));
                    }
                }
            }
        }
    }

    private void projected(int[] st, AggShape[] meta, int d, ValueType t) {
        if (t == null) {
            st[d] = AMBIG;
            meta[d] = null;
        } else {
            write(st, meta, d, t);
        }
    }

    private AggShape aggRead(int ins, int[] st, AggShape[] meta, int r, Class<? extends AggShape> want,
                             String wantName, boolean check) throws VerifyException {
        read(ins, st, r, ValueType.AGG, check);
        AggShape shape = meta[r];
        if (check && shape != null && !want.isInstance(shape)) {
            throw err("AggKindMismatch", ins, "r" + r + " holds a " + kindName(shape) + ", not a " + wantName);
        }
        return want.isInstance(shape) ? shape : null;
    }

    private static String kindName(AggShape s) {
        return s instanceof AggShape.Tuple ? "tuple" : s instanceof AggShape.Struct ? "struct" : "array";
    }

    private void checkEffects(int ins, int effIn, int effOut, boolean check) throws VerifyException {
        if (check) {
            MustInit.checkEffects(func, dc, ins, effIn, effOut);
        }
    }

    private void callTypes(int ins, int[] st, AggShape[] meta, int[] args, int[] rets,
                           List<ValueType> argTypes, List<ValueType> retTypes, boolean check) throws VerifyException {
        for (int i = 0; i < args.length; i++) {
            if (i < argTypes.size()) {
                read(ins, st, args[i], argTypes.get(i), check);
            } else {
                readAny(ins, st, args[i], check);
            }
        }
        for (int i = 0; i < rets.length && i < retTypes.size(); i++) {
            assignable(ins, st, rets[i], retTypes.get(i), check);
        }
        st[0] = id(ValueType.UNIT);
        for (int i = 0; i < rets.length; i++) {
            if (i < retTypes.size()) {
                write(st, meta, rets[i], retTypes.get(i));
            } else {
                st[rets[i]] = AMBIG;
            }
        }
    }
}
