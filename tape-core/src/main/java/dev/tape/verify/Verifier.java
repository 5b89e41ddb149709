package dev.tape.verify;

import dev.tape.format.DecodedCode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.verify.internal.Relowering;
import dev.tape.verify.internal.SpanIndex;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verifier (spec section "Verification (normative)"): checks a decoded {@link Program} and
 * lowers it into a {@link VerifiedProgram}. The checks, in order, follow the reference verifier:
 * host signatures (symbol in range, hash), value names, section-11 argument shapes; then for each
 * function: register count limit, signature counts, span table, bytecode decoding, id operands,
 * argument registers, jump targets, terminators, register bounds of reachable code,
 * initialisation and types, one type per register, and lowering, where every instruction,
 * reachable or not, must fit the classes of its registers ({@code UnstableRegTypeAt}; see
 * {@code RegClassCheck}). The first problem found is thrown.
 */
public final class Verifier {
    /** The default maximum registers per function, as in the reference (65,536). */
    public static final int DEFAULT_MAX_REGS = 65_536;

    /**
     * The default analysis budget: 16,777,216 units, where each function costs its bytecode bytes,
     * its span entries, (reachable blocks x registers) for every fixpoint pass of its type
     * analysis, its reachable bytecode bytes for every type pass after the second, and (reachable blocks x registers / 64, rounded up) for every pass of its must-init
     * analysis after the second (only irreducible control flow needs more than two), summed over
     * all functions (a blob or span table shared by several functions counts
     * for each), plus one unit per function-name entry of the names section (the span and name
     * indexes that traps and traces use are built from these). This bounds verification to a few
     * hundred MB and a few seconds however the file is shaped; the reference has no such bound. A program over it is refused with
     * {@code AnalysisBudgetExceeded}.
     */
    public static final long DEFAULT_ANALYSIS_BUDGET = 1L << 24;

    private final int maxRegs;
    private final long analysisBudget;
    private final boolean shapesAcrossBlocks;

    /** A verifier with the default limits. */
    public Verifier() {
        this(DEFAULT_MAX_REGS);
    }

    /**
     * Makes a verifier with a register limit and the default analysis budget.
     *
     * @param maxRegs the most registers a function may declare, 1 or more; above 2^31-2 it acts as
     *     2^31-2 (a function table's count of 2^31 or more is kept as 2^31-1 and refused as
     *     {@code RegCountTooLarge})
     * @throws IllegalArgumentException when {@code maxRegs} is below 1
     */
    public Verifier(int maxRegs) {
        this(maxRegs, DEFAULT_ANALYSIS_BUDGET);
    }

    /**
     * Makes a verifier with a register limit and an analysis budget.
     *
     * @param maxRegs the most registers a function may declare, 1 or more; above 2^31-2 it acts as
     *     2^31-2 (a function table's count of 2^31 or more is kept as 2^31-1 and refused as
     *     {@code RegCountTooLarge})
     * @param analysisBudget the most work verification may do, in the units of
     *     {@link #DEFAULT_ANALYSIS_BUDGET}, 1 or more
     * @throws IllegalArgumentException when a limit is below 1
     */
    public Verifier(int maxRegs, long analysisBudget) {
        this(maxRegs, analysisBudget, false);
    }

    /**
     * A verifier that may also keep aggregate shapes across blocks, an extension of the reference's
     * rule (docs/ASSEMBLY.md, "Shapes across blocks"): with it, a {@code tuple.get},
     * {@code struct.get} or {@code array.get} in a block the shape reaches on every edge (an array
     * read in a loop body, say) is accepted, although the reference refuses such a program; without
     * it (the default, and every other constructor) the decision is the reference's for every
     * program. Both tiers run what either accepts identically.
     *
     * @param maxRegs the most registers a function may declare, 1 or more; above 2^31-2 it acts as
     *     2^31-2 (a function table's count of 2^31 or more is kept as 2^31-1 and refused as
     *     {@code RegCountTooLarge})
     * @param analysisBudget the most work verification may do, in the units of
     *     {@link #DEFAULT_ANALYSIS_BUDGET}, 1 or more
     * @param shapesAcrossBlocks whether shapes are kept across blocks (the extension)
     * @throws IllegalArgumentException when a limit is below 1
     */
    public Verifier(int maxRegs, long analysisBudget, boolean shapesAcrossBlocks) {
        if (maxRegs < 1) {
            throw new IllegalArgumentException("maxRegs must be at least 1");
        }
        if (analysisBudget < 1) {
            throw new IllegalArgumentException("analysisBudget must be at least 1");
        }
        // (a declared count of 2^31 or more decodes as 2^31-1, ProgramDecoder: never within the limit)
        this.maxRegs = Math.min(maxRegs, Integer.MAX_VALUE - 1);
        this.analysisBudget = analysisBudget;
        this.shapesAcrossBlocks = shapesAcrossBlocks;
    }

    /**
     * Verifies with the default limits.
     *
     * @param program the program
     * @return the verified, lowered program
     * @throws VerifyException when the program breaks a rule
     */
    public static VerifiedProgram verify(Program program) {
        return new Verifier().check(program);
    }

    /**
     * Verifies with the default limits and the extension that keeps aggregate shapes across blocks
     * ({@link #Verifier(int, long, boolean)}): accepts every program {@link #verify} accepts, and
     * also reads of aggregates whose shape reaches their block on every edge, which the reference
     * refuses.
     *
     * @param program the program
     * @return the verified, lowered program
     * @throws VerifyException when the program breaks a rule
     */
    public static VerifiedProgram verifyWithShapesAcrossBlocks(Program program) {
        return new Verifier(DEFAULT_MAX_REGS, DEFAULT_ANALYSIS_BUDGET, true).check(program);
    }

    /**
     * Checks a program against every rule of the spec and lowers it for execution.
     *
     * @param program the program
     * @return the verified, lowered program
     * @throws VerifyException when the program breaks a rule
     */
    public VerifiedProgram check(Program program) {
        return check(program, false);
    }

    /**
     * {@link #check}, with new scratch arrays for every function instead of one set reused for
     * all of them (for tests: the decision and every result must be the same).
     */
    VerifiedProgram checkWithFreshScratch(Program program) {
        return check(program, true);
    }

    private VerifiedProgram check(Program program, boolean freshScratch) {
        List<String> symbols = program.symbols();
        for (int i = 0; i < program.hostSigs().size(); i++) {
            HostSig h = program.hostSigs().get(i);
            if (h.symbolId() <= 0 || h.symbolId() >= symbols.size()) {
                throw new VerifyException("HostSigMalformed", -1, -1, null, "host signature " + i + " names symbol "
                        + h.declaredSymbolId() + ", which does not exist (" + symbols.size() + " symbols)");
            }
            long expect = HostSig.hash(h.args(), h.rets());
            if (expect != h.sigHash()) {
                throw new VerifyException("HostSigHashMismatch", -1, -1, null, String.format(
                        "host signature %d (%s) has hash 0x%016x but its types hash to 0x%016x", i,
                        symbols.get(h.symbolId()), h.sigHash(), expect));
            }
        }
        List<Function> fns = program.functions();
        for (int f = 0; f < fns.size(); f++) {
            checkNames(f, fns.get(f).sig().argNames(), symbols, "argument");
            checkNames(f, fns.get(f).sig().retNames(), symbols, "result");
        }
        AggShape[][] shapes = new AggShape[fns.size()][];
        // a function's row is made when one of its arguments has a shape (most have none: null)
        for (AggShape.ArgShape s : program.argShapes()) {
            int f = s.funcId();
            if (f < 0 || f >= fns.size()) {
                throw new VerifyException("FunctionArgAggShapeFuncOutOfBounds", f, -1, null,
                        "an argument shape names function " + f + ", which does not exist");
            }
            List<ValueType> args = fns.get(f).sig().args();
            if (s.arg() < 0 || s.arg() >= args.size()) {
                throw new VerifyException("FunctionArgAggShapeArgOutOfBounds", f, -1, null,
                        "an argument shape names argument " + s.declaredArg() + " of a function with " + args.size());
            }
            if (shapes[f] == null) {
                shapes[f] = new AggShape[args.size()];
            }
            if (shapes[f][s.arg()] != null) {
                throw new VerifyException("FunctionArgAggShapeDuplicate", f, -1, null,
                        "argument " + s.arg() + " has two shapes");
            }
            if (args.get(s.arg()).kind() != ValueKind.AGG) {
                throw new VerifyException("FunctionArgAggShapeOnNonAggArg", f, -1, null, "argument " + s.arg()
                        + " has type " + args.get(s.arg()) + ", so it cannot have an aggregate shape");
            }
            if (s.shape() instanceof AggShape.Struct st && st.typeId() >= program.types().structs().size()) {
                throw new VerifyException("FunctionArgAggShapeStructTypeOutOfBounds", f, -1, null,
                        "argument " + s.arg() + " names struct type " + st.declaredTypeId() + ", which does not exist");
            }
            if (s.shape() instanceof AggShape.Array a && a.elemTypeId() >= program.types().arrayElems().size()) {
                throw new VerifyException("FunctionArgAggShapeArrayElemTypeOutOfBounds", f, -1, null,
                        "argument " + s.arg() + " names array element type " + a.declaredElemTypeId() + ", which does not exist");
            }
            shapes[f][s.arg()] = s.shape();
        }
        LoweredFunction[] lowered = new LoweredFunction[fns.size()];
        AnalysisBudget budget = new AnalysisBudget(analysisBudget);
        // rows that share a span table share its index, as they share the decoded table
        Map<List<SpanEntry>, SpanIndex> spanIndexes = new IdentityHashMap<>();
        Lowerer.Buffers buffers = new Lowerer.Buffers();
        Relowering again = f -> relower(program, f, lowered[f]);
        long imageLength = 0;
        for (int f = 0; f < fns.size(); f++) {
            lowered[f] = function(program, f, shapes[f], budget, freshScratch ? new Lowerer.Buffers() : buffers);
            // refused as soon as the image would reach its bound, before more code is lowered
            imageLength += lowered[f].codeLength();
            imageFits(imageLength);
            lowered[f].spans(spanIndexes.computeIfAbsent(fns.get(f).spans(), SpanIndex::of));
            lowered[f].relowering(again);
        }
        chargeNames(program, budget);
        int[] nameSymbols = nameSymbols(program);
        Map<TypesKey, Integer> keys = new HashMap<>();
        int[] funcKey = new int[fns.size()];
        int[] closureKey = new int[fns.size()];
        for (int f = 0; f < fns.size(); f++) {
            List<ValueType> args = fns.get(f).sig().args();
            List<ValueType> rets = fns.get(f).sig().rets();
            funcKey[f] = key(keys, args, rets);
            closureKey[f] = !args.isEmpty() && args.get(0).kind() == ValueKind.AGG
                    ? key(keys, args.subList(1, args.size()), rets) : -2;
        }
        int[] callKey = new int[program.callSigs().size()];
        for (int s = 0; s < callKey.length; s++) {
            CallSig cs = program.callSigs().get(s);
            callKey[s] = key(keys, cs.args(), cs.rets());
        }
        return new VerifiedProgram(program, lowered, funcKey, closureKey, callKey, nameSymbols);
    }

    /**
     * Charges the names section's function-name entries against the analysis budget, one unit
     * each: traps and traces look names up through the index {@code Names} built of them.
     */
    private static void chargeNames(Program program, AnalysisBudget budget) throws VerifyException {
        budget.charge(program.names().functions().size(), -1);
    }

    /**
     * The name symbol of each function, for a program whose names section names a function with a
     * symbol it does not have (a built program: the decoder refuses one). {@code Names} steps over
     * such entries on every look-up, so a function named many times that way would make each of
     * its look-ups (each trap frame, each run's start) cost the section's size.
     *
     * @return null when every entry for an existing function names an existing symbol (then
     *     {@link Program#functionName(int)} costs O(log n)), else each function's first entry's
     *     symbol that exists, -1 for none, as {@link Program#functionName(int)} finds it
     */
    private static int[] nameSymbols(Program program) {
        int n = program.functions().size();
        int symbols = program.symbols().size();
        List<Names.FunctionName> entries = program.names().functions();
        boolean unknown = false;
        for (int i = 0; i < entries.size() && !unknown; i++) {
            Names.FunctionName e = entries.get(i);
            unknown = e.funcId() >= 0 && e.funcId() < n && (e.nameSymbol() < 0 || e.nameSymbol() >= symbols);
        }
        if (!unknown) {
            return null;
        }
        int[] out = new int[n];
        Arrays.fill(out, -1);
        for (Names.FunctionName e : entries) {
            int f = e.funcId();
            if (f >= 0 && f < n && out[f] < 0 && e.nameSymbol() >= 0 && e.nameSymbol() < symbols) {
                out[f] = e.nameSymbol();
            }
        }
        return out;
    }

    private static int key(Map<TypesKey, Integer> keys, List<ValueType> args, List<ValueType> rets) {
        // ordered keys: distinct signatures of one hash code cost a logarithm each (see TypesKey)
        return keys.computeIfAbsent(new TypesKey(List.copyOf(args), List.copyOf(rets)), k -> keys.size());
    }

    private static void checkNames(int f, List<Integer> ids, List<String> symbols, String what)
            throws VerifyException {
        if (ids == null) {
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            if (id == 0) {
                continue;
            }
            if (id >= symbols.size() || symbols.get(id).isEmpty()) {
                throw new VerifyException(what.equals("argument") ? "FunctionInputNameEmpty" : "FunctionOutputNameEmpty",
                        f, -1, null, what + " " + i + " has an empty name");
            }
            if (!seen.add(id)) {
                throw new VerifyException(what.equals("argument") ? "FunctionInputNameDuplicate"
                        : "FunctionOutputNameDuplicate", f, -1, null, "two " + what + "s are named '"
                        + symbols.get(id) + "'");
            }
        }
    }

    /**
     * Lowers function {@code f} of a program this verifier accepted again, to what {@link #check}
     * lowered it to: the lowering reads only the decoded bytecode, its control flow and the type
     * the analysis fixed for each register, which the function keeps ({@code placed}). So this
     * decodes it, builds its control flow and lowers it, in time and memory linear in its code,
     * without the type analysis (reachable blocks x registers, up to the analysis budget) or the
     * argument shapes; the checks passed the first time, and a verified program never changes.
     */
    private static LoweredFunction relower(Program program, int f, LoweredFunction placed) {
        Function fn = program.functions().get(f);
        ValueType[] regTypes = new ValueType[fn.regCount()];
        for (int r = 0; r < regTypes.length; r++) {
            regTypes[r] = placed.regType(r);
        }
        try {
            Lowerer.Buffers buffers = new Lowerer.Buffers();
            buffers.indexAtPc = new int[fn.codeLength() + 1];
            DecodedCode dc = ControlFlow.decode(f, fn, buffers.decoded);
            ControlFlow cfg = ControlFlow.build(f, dc, fn.codeLength(), buffers);
            return new Lowerer(program, f, cfg, regTypes, buffers).lower();
        } catch (VerifyException e) {
            throw new IllegalStateException("a verified function no longer lowers", e);
        }
    }

    private LoweredFunction function(Program program, int f, AggShape[] argShapes, AnalysisBudget budget,
                                     Lowerer.Buffers buffers) throws VerifyException {
        Function fn = program.functions().get(f);
        if (fn.regCount() > maxRegs) {
            throw new VerifyException("RegCountTooLarge", f, -1, null, "the function declares " + fn.declaredRegCount()
                    + " registers; the limit is " + maxRegs);
        }
        if (fn.sig().args().size() != fn.argCount() || fn.sig().rets().size() != fn.retCount()) {
            throw new VerifyException("FunctionSigCountMismatch", f, -1, null, "the function table says "
                    + fn.declaredArgCount() + " arguments and " + fn.declaredRetCount() + " results but the signature has "
                    + fn.sig().args().size() + " and " + fn.sig().rets().size());
        }
        // rows may share one blob and span table, so charge each function's share of the work
        budget.charge((long) fn.codeLength() + fn.spans().size(), f);
        long at = 0;
        List<SpanEntry> spans = fn.spans();
        for (int i = 0; i < spans.size(); i++) {
            long d = spans.get(i).pcDelta();
            if ((i > 0 && d == 0) || d < 0 || at + d > fn.codeLength()) {
                throw new VerifyException("BadSpanDeltas", f, -1, null, "span table entry " + i
                        + " has pc delta " + Long.toUnsignedString(d) + " (deltas after the first must be non-zero"
                        + " and stay within the " + fn.codeLength() + "-byte bytecode)");
            }
            at += d;
        }
        int codeLength = fn.codeLength();
        DecodedCode dc = ControlFlow.decode(f, fn, buffers.decoded);
        for (int ins = 0; ins < dc.count(); ins++) {
            checkIds(program, f, dc, ins);
        }
        if (fn.regCount() == 0 || (long) fn.argCount() + 1 > fn.regCount()) {
            throw new VerifyException("ArgCountExceedsRegs", f, -1, null, "the function takes " + fn.argCount()
                    + " arguments (in r1..r" + fn.argCount() + ") but declares only " + fn.regCount() + " registers");
        }
        if (buffers.indexAtPc.length <= codeLength) {
            buffers.indexAtPc = new int[Math.max(codeLength + 1, 2 * buffers.indexAtPc.length)];
        }
        ControlFlow cfg = ControlFlow.build(f, dc, codeLength, buffers);
        // registers of reachable code are in range before its types are analysed; those of
        // unreachable code are checked, as in the reference, when they are lowered
        for (int k = 0; k < dc.count(); k++) {
            if (!cfg.reachable[cfg.blockOf[k]]) {
                continue;
            }
            int ins = k;
            List<Operand> ops = dc.opcode(ins).operands();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).kind() == OperandKind.REG) {
                    RegClassCheck.checkReg(f, dc, ins, dc.reg(ins, i), fn.regCount());
                } else if (ops.get(i).kind() == OperandKind.REG_LIST) {
                    for (int e = 0; e < dc.value(ins, i); e++) {
                        RegClassCheck.checkReg(f, dc, ins, dc.listReg(ins, i, e), fn.regCount());
                    }
                }
            }
        }
        TypeChecker types = types(program, f, cfg, argShapes, budget, buffers, !shapesAcrossBlocks);
        try {
            types.run();
        } catch (VerifyException e) {
            if (!shapesAcrossBlocks || e.kind().equals("AnalysisBudgetExceeded")) {
                throw e;
            }
            // Refused with shapes that cross blocks: decide exactly as the reference does. If it
            // accepts (a tuple.len, struct.field_count or array.len whose kind is checked at run
            // time there), so do we, with its types; if it refuses, its error is the one reported.
            types = types(program, f, cfg, argShapes, budget, buffers, true);
            types.run();
        }
        return new Lowerer(program, f, cfg, types.regTypes, buffers).lower();
    }

    /** A type checker for function {@code f}, its first pass charged to {@code budget}. */
    private static TypeChecker types(Program program, int f, ControlFlow cfg, AggShape[] argShapes,
                                     AnalysisBudget budget, Lowerer.Buffers buffers, boolean strict)
            throws VerifyException {
        TypeChecker types = new TypeChecker(program, f, cfg, argShapes);
        types.passCost = (long) Math.max(1, cfg.order.length) * program.functions().get(f).regCount();
        types.budget = budget;
        types.buffers = buffers;
        types.strict = strict;
        budget.charge(types.passCost, f);
        return types;
    }

    /** The id operand kinds, in the order the reference checks them (shared: never modified). */
    private static final OperandKind[] ID_ORDER = {OperandKind.CONST_ID, OperandKind.HOST_SIG_ID,
        OperandKind.TYPE_ID, OperandKind.ELEM_TYPE_ID, OperandKind.FUNC_ID, OperandKind.CALL_SIG_ID};

    private static void checkIds(Program p, int f, DecodedCode dc, int ins) throws VerifyException {
        List<Operand> ops = dc.opcode(ins).operands();
        for (OperandKind k : ID_ORDER) {
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).kind() != k) {
                    continue;
                }
                long v = dc.value(ins, i);
                int size;
                String kind;
                String what;
                switch (k) {
                    case CONST_ID -> {
                        size = p.constants().size();
                        kind = "ConstOutOfBounds";
                        what = "constant";
                    }
                    case HOST_SIG_ID -> {
                        size = p.hostSigs().size();
                        kind = "HostSigOutOfBounds";
                        what = "host signature";
                    }
                    case TYPE_ID -> {
                        size = p.types().structs().size();
                        kind = "StructTypeOutOfBounds";
                        what = "struct type";
                    }
                    case ELEM_TYPE_ID -> {
                        size = p.types().arrayElems().size();
                        kind = "ArrayElemTypeOutOfBounds";
                        what = "array element type";
                    }
                    case FUNC_ID -> {
                        size = p.functions().size();
                        kind = "FuncIdOutOfBounds";
                        what = "function";
                    }
                    default -> {
                        size = p.callSigs().size();
                        kind = "CallSigOutOfBounds";
                        what = "call signature";
                    }
                }
                if (v < 0 || v >= size) {
                    throw new VerifyException(kind, f, dc.pc(ins), dc.opcode(ins).mnemonic(), what + " " + v
                            + " does not exist (the program has " + size + ")");
                }
            }
        }
    }

    /**
     * Refuses a program whose execution form (its functions' lowered code laid end to end,
     * {@link CodeImage}) would be {@link CodeImage#MAX_LENGTH} ({@code 2^30}) code ints or more: the
     * interpreter marks entries with bit 30 ({@link CodeImage#HOT}). A Java bound the reference does
     * not have, reached only far past the decoder's default 16 MiB cap and the default analysis
     * budget (each function costs at least its bytecode's bytes), and with a JVM heap of more than
     * 4 GiB for the image alone. Checked as each function is lowered, on the running total, so a
     * program past it is refused before the rest of its code is lowered.
     *
     * @param length the image's length so far, in code ints
     * @throws VerifyException {@code ExecutionFormTooLarge} (program level) when it is too long
     */
    static void imageFits(long length) throws VerifyException {
        if (length >= CodeImage.MAX_LENGTH) {
            throw new VerifyException("ExecutionFormTooLarge", -1, -1, null, "the program's lowered code would be at least "
                    + length + " ints; the execution form holds at most " + (CodeImage.MAX_LENGTH - 1));
        }
    }
}
