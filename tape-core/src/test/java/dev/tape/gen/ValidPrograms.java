package dev.tape.gen;

import dev.tape.format.Opcode;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates random programs that the verifier must accept, with {@link ProgramBuilder}.
 *
 * <p>Each function gives every register one type for its whole life: r0 is the effect token,
 * r1..rN the arguments (never written), then {@value #PER_TYPE} pool registers of each type in
 * {@link #POOL}, all initialised at entry, then dedicated registers: the i64 constants 0 and 1,
 * one loop counter per nesting level, and scratch registers for a tuple, an array, a struct and a
 * function value. Statements are random arithmetic, comparisons and conversions of every scalar
 * type (division, casts and decimals may trap, which is fine), string and byte-string operations,
 * {@code mov} and {@code select}, if/else, loops bounded by a counter, calls to later functions
 * (directly and through {@code call.indirect}, so the call graph has no cycle), host calls to
 * {@link dev.tape.fuzz.FuzzHost}, aggregates (each projection right after its constructor, so the
 * verifier knows the shape), comparisons of one pool constant loaded twice (see
 * {@link #sharedCompare(int)}) and, rarely, a {@code trap}. The same seed always gives the same
 * program.
 *
 * <p>Counted loops ({@link #countedLoop(int)}, the compiled tier's {@code CountedLoop} form: a
 * straight-line body of word instructions (f64 ones too) and leaf calls, the index raised by a step register and
 * compared with an end register right before the latch) are put between statements from a random
 * source of their own, so every other choice is the one the seed made before they existed; their
 * bodies call the program's last two functions: a leaf that runs inline (two paths of different
 * fuel) and a function that divides (a trap in the callee, no chunk), and are now and then
 * spoiled by a division (a trap inside the loop, no chunk). Most run 0 to 40 trips; a few, at
 * depth 0, just over a chunk (65,536 trips).
 */
public final class ValidPrograms {
    static final ValueType B = ValueType.BOOL;
    static final ValueType I = ValueType.I64;
    static final ValueType U = ValueType.U64;
    static final ValueType F = ValueType.F64;
    static final ValueType D = ValueType.DECIMAL;
    static final ValueType S = ValueType.STR;
    static final ValueType BY = ValueType.BYTES;
    static final ValueType A = ValueType.AGG;
    /** The types of pool registers and of function arguments and results. */
    static final List<ValueType> POOL = List.of(B, I, U, F, D, S, BY, A);
    static final int PER_TYPE = 3;
    static final int MAX_DEPTH = 3;

    private static final long[] LONGS = {0, 1, -1, 2, 3, 10, 63, 64, Long.MAX_VALUE, Long.MIN_VALUE, 255};
    private static final long[] F64_BITS = {0L, 0x8000_0000_0000_0000L, 0x3ff0_0000_0000_0000L,
        0x4000_0000_0000_0000L, 0x7ff8_0000_0000_0000L, 0x7ff0_0000_0000_0000L, 0xc024_0000_0000_0000L};
    private static final String[] STRINGS = {"", "a", "héllo", "日本語", "🙂"};

    /** one binary operation: opcode, operand type, result type */
    private record Bin(Opcode op, ValueType in, ValueType out) {}

    private static final List<Bin> BINARY = new ArrayList<>();
    private static final List<Bin> UNARY = new ArrayList<>();

    static {
        for (Opcode op : new Opcode[] {Opcode.I64_ADD, Opcode.I64_SUB, Opcode.I64_MUL, Opcode.I64_AND, Opcode.I64_OR,
            Opcode.I64_XOR, Opcode.I64_SHL, Opcode.I64_SHR, Opcode.I64_DIV, Opcode.I64_REM}) {
            BINARY.add(new Bin(op, I, I));
        }
        for (Opcode op : new Opcode[] {Opcode.U64_ADD, Opcode.U64_SUB, Opcode.U64_MUL, Opcode.U64_AND, Opcode.U64_OR,
            Opcode.U64_XOR, Opcode.U64_SHL, Opcode.U64_SHR, Opcode.U64_DIV, Opcode.U64_REM}) {
            BINARY.add(new Bin(op, U, U));
        }
        for (Opcode op : new Opcode[] {Opcode.F64_ADD, Opcode.F64_SUB, Opcode.F64_MUL, Opcode.F64_DIV, Opcode.F64_MIN,
            Opcode.F64_MAX, Opcode.F64_MIN_NUM, Opcode.F64_MAX_NUM, Opcode.F64_REM}) {
            BINARY.add(new Bin(op, F, F));
        }
        for (Opcode op : new Opcode[] {Opcode.I64_EQ, Opcode.I64_LT, Opcode.I64_GT, Opcode.I64_LE, Opcode.I64_GE}) {
            BINARY.add(new Bin(op, I, B));
        }
        for (Opcode op : new Opcode[] {Opcode.U64_EQ, Opcode.U64_LT, Opcode.U64_GT, Opcode.U64_LE, Opcode.U64_GE}) {
            BINARY.add(new Bin(op, U, B));
        }
        for (Opcode op : new Opcode[] {Opcode.F64_EQ, Opcode.F64_LT, Opcode.F64_GT, Opcode.F64_LE, Opcode.F64_GE}) {
            BINARY.add(new Bin(op, F, B));
        }
        BINARY.add(new Bin(Opcode.DEC_ADD, D, D));
        BINARY.add(new Bin(Opcode.DEC_SUB, D, D));
        BINARY.add(new Bin(Opcode.DEC_MUL, D, D));
        BINARY.add(new Bin(Opcode.BOOL_AND, B, B));
        BINARY.add(new Bin(Opcode.BOOL_OR, B, B));
        BINARY.add(new Bin(Opcode.BOOL_XOR, B, B));
        BINARY.add(new Bin(Opcode.STR_CONCAT, S, S));
        BINARY.add(new Bin(Opcode.BYTES_CONCAT, BY, BY));
        BINARY.add(new Bin(Opcode.STR_EQ, S, B));
        BINARY.add(new Bin(Opcode.BYTES_EQ, BY, B));
        UNARY.add(new Bin(Opcode.F64_NEG, F, F));
        UNARY.add(new Bin(Opcode.F64_ABS, F, F));
        UNARY.add(new Bin(Opcode.F64_TO_BITS, F, U));
        UNARY.add(new Bin(Opcode.F64_FROM_BITS, U, F));
        UNARY.add(new Bin(Opcode.U64_TO_I64, U, I));
        UNARY.add(new Bin(Opcode.I64_TO_U64, I, U));
        UNARY.add(new Bin(Opcode.I64_TO_F64, I, F));
        UNARY.add(new Bin(Opcode.U64_TO_F64, U, F));
        UNARY.add(new Bin(Opcode.F64_TO_I64, F, I));
        UNARY.add(new Bin(Opcode.F64_TO_U64, F, U));
        UNARY.add(new Bin(Opcode.DEC_TO_I64, D, I));
        UNARY.add(new Bin(Opcode.DEC_TO_U64, D, U));
        UNARY.add(new Bin(Opcode.BOOL_NOT, B, B));
        UNARY.add(new Bin(Opcode.BYTES_LEN, BY, U));
        UNARY.add(new Bin(Opcode.STR_LEN, S, U));
        UNARY.add(new Bin(Opcode.STR_TO_BYTES, S, BY));
        UNARY.add(new Bin(Opcode.BYTES_TO_STR, BY, S));
        UNARY.add(new Bin(Opcode.TUPLE_LEN, A, U));
    }

    private final Random rnd;
    /** the counted loops' own random source ({@link #countedLoop(int)}) */
    private final Random counted;
    /** the leaf and the dividing function the counted loops call: the program's last two */
    private final int leafFunc;
    private final int divFunc;
    private final ProgramBuilder pb = new ProgramBuilder();
    private final int nFuncs;
    private final List<List<ValueType>> argTypes = new ArrayList<>();
    private final List<List<ValueType>> retTypes = new ArrayList<>();
    private final int[] hostSigs;
    private final List<List<ValueType>> hostArgs;
    private final List<List<ValueType>> hostRets;
    private final int structId;
    private final List<ValueType> structFields;
    private final ValueType arrayElemType;
    private final int arrayElemId;

    // per function
    private FunctionBuilder f;
    private int func;
    private int[][] pool;
    private int[][] readable;
    private int zero;
    private int one;
    private int firstCounter;
    private int tmpTuple;
    private int tmpArray;
    private int tmpStruct;
    private int tmpFunc;
    /** registers only {@link #sharedCompare(int)} writes: its first load of a str and of a bytes constant */
    private int keepStr;
    private int keepBytes;
    /** the counted loops' index, end and step registers, i64 and u64, and their compare's */
    private int[] countedI;
    private int[] countedU;
    private int countedCond;
    /** whether a {@link #sharedCompare(int)} is being generated (its block makes no other) */
    private boolean inShared;
    private int budget;

    private ValidPrograms(long seed) {
        rnd = new Random(seed);
        counted = new Random(seed ^ 0x636F756E746564L);
        nFuncs = 1 + rnd.nextInt(4);
        for (int i = 0; i < nFuncs; i++) {
            argTypes.add(types(3));
            retTypes.add(types(2));
            pb.declareFunction(argTypes.get(i), retTypes.get(i));
        }
        leafFunc = pb.declareFunction(List.of(I, I), List.of(I));
        divFunc = pb.declareFunction(List.of(I, I), List.of(I));
        List<Integer> sigs = new ArrayList<>();
        List<List<ValueType>> ha = new ArrayList<>();
        List<List<ValueType>> hr = new ArrayList<>();
        sigs.add(pb.hostSig("test.add_i64", List.of(I, I), List.of(I)));
        ha.add(List.of(I, I));
        hr.add(List.of(I));
        List<ValueType> idTypes = types(3);
        sigs.add(pb.hostSig("test.id", idTypes, idTypes));
        ha.add(idTypes);
        hr.add(idTypes);
        List<ValueType> mixArgs = types(3);
        List<ValueType> mixRets = types(3);
        sigs.add(pb.hostSig("gen.mix", mixArgs, mixRets));
        ha.add(mixArgs);
        hr.add(mixRets);
        sigs.add(pb.hostSig("test.charge", List.of(U), List.of()));
        ha.add(List.of(U));
        hr.add(List.of());
        sigs.add(pb.hostSig("test.fail", List.of(), List.of()));
        ha.add(List.of());
        hr.add(List.of());
        hostSigs = sigs.stream().mapToInt(Integer::intValue).toArray();
        hostArgs = ha;
        hostRets = hr;
        structFields = new ArrayList<>();
        List<Map.Entry<String, ValueType>> fields = new ArrayList<>();
        for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
            ValueType t = POOL.get(rnd.nextInt(POOL.size() - 1)); // no agg fields
            structFields.add(t);
            fields.add(Map.entry("f" + i, t));
        }
        structId = pb.structType(fields);
        arrayElemType = POOL.get(rnd.nextInt(POOL.size() - 1));
        arrayElemId = pb.arrayElem(arrayElemType);
    }

    /**
     * @param seed the seed
     * @return a program that verifies; function 0 is the entry
     */
    public static Program program(long seed) {
        return new ValidPrograms(seed).generate();
    }

    private List<ValueType> types(int max) {
        List<ValueType> out = new ArrayList<>();
        for (int i = rnd.nextInt(max + 1); i > 0; i--) {
            out.add(POOL.get(rnd.nextInt(POOL.size())));
        }
        return out;
    }

    private long anyLong() {
        return rnd.nextInt(4) == 0 ? rnd.nextLong() >> rnd.nextInt(64) : LONGS[rnd.nextInt(LONGS.length)];
    }

    private Program generate() {
        for (int i = 0; i < nFuncs; i++) {
            function(i);
        }
        // leaf(x, y): x ^ y, plus 1 more when it is odd (two paths of different fuel)
        FunctionBuilder leaf = pb.function(leafFunc);
        leaf.constI64(3, 1).binary(Opcode.I64_XOR, 4, 1, 2).binary(Opcode.I64_AND, 5, 4, 3);
        FunctionBuilder.Label odd = leaf.newLabel();
        FunctionBuilder.Label even = leaf.newLabel();
        leaf.constI64(6, 0).binary(Opcode.I64_EQ, 7, 5, 6).br(7, even, odd)
                .place(odd).binary(Opcode.I64_ADD, 4, 4, 3).binary(Opcode.I64_ADD, 4, 4, 3).ret(0, new int[] {4})
                .place(even).ret(0, new int[] {4});
        // div(x, y): x / y (traps when y is 0, or for MIN / -1)
        pb.function(divFunc).binary(Opcode.I64_DIV, 3, 1, 2).ret(0, new int[] {3});
        return pb.build();
    }

    private void function(int id) {
        func = id;
        f = pb.function(id);
        List<ValueType> args = argTypes.get(id);
        int next = 1 + args.size();
        pool = new int[POOL.size()][PER_TYPE];
        readable = new int[POOL.size()][];
        for (int t = 0; t < POOL.size(); t++) {
            List<Integer> rs = new ArrayList<>();
            for (int k = 0; k < PER_TYPE; k++) {
                pool[t][k] = next++;
                rs.add(pool[t][k]);
            }
            for (int a = 0; a < args.size(); a++) {
                if (args.get(a).equals(POOL.get(t))) {
                    rs.add(1 + a);
                }
            }
            readable[t] = rs.stream().mapToInt(Integer::intValue).toArray();
        }
        zero = next++;
        one = next++;
        firstCounter = next;
        next += MAX_DEPTH;
        tmpTuple = next++;
        tmpArray = next++;
        tmpStruct = next++;
        tmpFunc = next++;
        keepStr = next++;
        keepBytes = next++;
        countedI = new int[] {next, next + 1, next + 2};
        countedU = new int[] {next + 3, next + 4, next + 5};
        countedCond = next + 6;
        next += 7;
        f.constI64(zero, 0).constI64(one, 1);
        for (int k = 0; k < 3; k++) {
            f.constI64(countedI[k], 0).constU64(countedU[k], 0);
        }
        f.constBool(countedCond, false);
        for (int t = 0; t < POOL.size(); t++) {
            for (int r : pool[t]) {
                constant(POOL.get(t), r);
            }
        }
        budget = 10 + rnd.nextInt(40);
        block(0);
        List<ValueType> rets = retTypes.get(id);
        int[] rr = new int[rets.size()];
        for (int i = 0; i < rr.length; i++) {
            rr[i] = read(rets.get(i));
        }
        f.ret(0, rr);
    }

    private int ti(ValueType t) {
        return POOL.indexOf(t);
    }

    private int read(ValueType t) {
        int[] rs = readable[ti(t)];
        return rs[rnd.nextInt(rs.length)];
    }

    private int write(ValueType t) {
        int[] rs = pool[ti(t)];
        return rs[rnd.nextInt(rs.length)];
    }

    private void constant(ValueType t, int r) {
        switch (t.kind()) {
            case BOOL -> f.constBool(r, rnd.nextBoolean());
            case I64 -> f.constI64(r, anyLong());
            case U64 -> f.constU64(r, rnd.nextInt(3) == 0 ? anyLong() : rnd.nextInt(8));
            case F64 -> f.constF64Bits(r, rnd.nextInt(4) == 0 ? rnd.nextLong() : F64_BITS[rnd.nextInt(F64_BITS.length)]);
            case DECIMAL -> f.constDecimal(r, anyLong() % 100_000, rnd.nextInt(3));
            case STR -> f.constPool(r, pb.constant(new Constant.Str(STRINGS[rnd.nextInt(STRINGS.length)])));
            case BYTES -> {
                byte[] b = new byte[rnd.nextInt(5)];
                rnd.nextBytes(b);
                f.constPool(r, pb.constant(new Constant.Bytes(b)));
            }
            case AGG -> f.tupleNew(r);
            default -> throw new IllegalStateException(t.toString());
        }
    }

    private void block(int depth) {
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n && budget > 0; i++) {
            budget--;
            if (counted.nextInt(8) == 0 && !inShared) {
                countedLoop(depth);
            }
            statement(depth);
        }
    }

    private void statement(int depth) {
        int k = rnd.nextInt(100);
        if (k >= 27 && k < 30 && !inShared) {
            sharedCompare(depth);
        } else if (k < 30) {
            Bin b = BINARY.get(rnd.nextInt(BINARY.size()));
            f.binary(b.op(), write(b.out()), read(b.in()), read(b.in()));
        } else if (k < 42) {
            Bin b = UNARY.get(rnd.nextInt(UNARY.size()));
            f.unary(b.op(), write(b.out()), read(b.in()));
        } else if (k < 48) {
            textOp();
        } else if (k < 52) {
            ValueType t = POOL.get(rnd.nextInt(POOL.size() - 1));
            f.mov(write(t), read(t));
        } else if (k < 56) {
            ValueType t = POOL.get(rnd.nextInt(POOL.size() - 1));
            f.select(write(t), read(B), read(t), read(t));
        } else if (k < 60) {
            ValueType t = POOL.get(rnd.nextInt(POOL.size()));
            constant(t, write(t));
        } else if (k < 68 && depth < MAX_DEPTH) {
            ifElse(depth);
        } else if (k < 76 && depth < MAX_DEPTH) {
            loop(depth);
        } else if (k < 83) {
            call();
        } else if (k < 90) {
            hostCall();
        } else if (k < 99) {
            aggregate();
        } else if (depth > 0) {
            FunctionBuilder.Label die = f.newLabel();
            FunctionBuilder.Label live = f.newLabel();
            f.br(read(B), die, live).place(die).trap(rnd.nextInt(100)).place(live);
        }
    }

    /**
     * One pool constant (a non-empty str or bytes) loaded into a register of its own, a block of
     * statements, the constant loaded again (half the time passed through the host
     * {@code gen.pass}, which returns its argument), and {@code str.eq}/{@code bytes.eq} of the
     * two. Within one run both loads give the pool's own object; a run restored from a snapshot
     * taken in the block holds a copy of the first, so a comparison whose cost depended on the
     * two being one object would count differently there (the seventeenth round's
     * {@code Texts.eq} defect).
     */
    private void sharedCompare(int depth) {
        boolean str = rnd.nextBoolean();
        ValueType t = str ? S : BY;
        int c;
        if (str) {
            c = pb.constant(new Constant.Str(STRINGS[1 + rnd.nextInt(STRINGS.length - 1)]));
        } else {
            byte[] b = new byte[1 + rnd.nextInt(4)];
            rnd.nextBytes(b);
            c = pb.constant(new Constant.Bytes(b));
        }
        int keep = str ? keepStr : keepBytes;
        f.constPool(keep, c);
        inShared = true;
        block(depth);
        inShared = false;
        int again = write(t);
        f.constPool(again, c);
        if (rnd.nextBoolean()) {
            int passed = write(t);
            f.hostCall(0, pb.hostSig("gen.pass", List.of(t), List.of(t)), 0, new int[] {again}, new int[] {passed});
            again = passed;
        }
        f.binary(str ? Opcode.STR_EQ : Opcode.BYTES_EQ, write(B), keep, again);
    }

    private void textOp() {
        switch (rnd.nextInt(6)) {
            case 0 -> f.emit(Opcode.I64_TO_DEC, write(D), read(I), rnd.nextInt(21));
            case 1 -> f.emit(Opcode.U64_TO_DEC, write(D), read(U), rnd.nextInt(21));
            case 2 -> f.emit(Opcode.BYTES_GET, write(U), read(BY), read(U));
            case 3 -> f.emit(Opcode.BYTES_GET_IMM, write(U), read(BY), rnd.nextInt(5));
            case 4 -> f.emit(Opcode.BYTES_SLICE, write(BY), read(BY), read(U), read(U));
            default -> f.emit(Opcode.STR_SLICE, write(S), read(S), read(U), read(U));
        }
    }

    private void ifElse(int depth) {
        FunctionBuilder.Label then = f.newLabel();
        FunctionBuilder.Label other = f.newLabel();
        FunctionBuilder.Label end = f.newLabel();
        f.br(read(B), then, other);
        f.place(then);
        block(depth + 1);
        f.jmp(end);
        f.place(other);
        if (rnd.nextBoolean()) {
            block(depth + 1);
        }
        f.jmp(end);
        f.place(end);
    }

    private void loop(int depth) {
        int ctr = firstCounter + depth;
        int cond = write(B);
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label exit = f.newLabel();
        f.constI64(ctr, rnd.nextInt(5)).jmp(head);
        f.place(head).i64Gt(cond, ctr, zero).br(cond, body, exit);
        f.place(body);
        block(depth + 1);
        f.i64Sub(ctr, ctr, one).jmp(head);
        f.place(exit);
    }

    /**
     * A loop of the compiled tier's counted form ({@code CountedLoop}), drawn from
     * {@link #counted}: the index {@code i}, end and step (i64 or u64, dedicated registers) set
     * from constants, entered with a test or not, a body of 1 to 6 word instructions (arithmetic,
     * compares, {@code bool.not}, {@code mov}, constants, f64 arithmetic, compares and
     * conversions, reading the index too) and calls of the
     * leaf, {@code i += s}, and {@code i < end} (or {@code end > i}) right before the latch. One
     * loop in eight is spoiled: a division in the body or a call of the dividing function (either
     * may trap, and the loop has no chunk); steps are mostly 1 to 3, now and then past the
     * largest a chunk takes (2^20 + 1).
     */
    private void countedLoop(int depth) {
        boolean u = counted.nextBoolean();
        ValueType t = u ? U : I;
        int[] regs = u ? countedU : countedI;
        int i = regs[0];
        int end = regs[1];
        int step = regs[2];
        long s = counted.nextInt(16) == 0 ? (1 << 20) + 1 : 1 + counted.nextInt(3);
        long start = u ? counted.nextInt(6) : counted.nextInt(4) == 0 ? Long.MAX_VALUE - 40 * s : counted.nextInt(-3, 4);
        long trips = depth == 0 && func == 0 && counted.nextInt(20) == 0 ? (1 << 16) + counted.nextInt(3)
                : counted.nextInt(41);
        long stop = start + trips * s - counted.nextInt(2);
        if (u) {
            f.constU64(i, start).constU64(end, stop).constU64(step, s);
        } else {
            f.constI64(i, start).constI64(end, stop).constI64(step, s);
        }
        Opcode lt = u ? Opcode.U64_LT : Opcode.I64_LT;
        Opcode gt = u ? Opcode.U64_GT : Opcode.I64_GT;
        boolean swapped = counted.nextBoolean();
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label exit = f.newLabel();
        if (counted.nextBoolean()) {
            f.jmp(head);
        } else {
            f.binary(lt, countedCond, i, end).br(countedCond, head, exit);
        }
        f.place(head);
        boolean spoil = counted.nextInt(8) == 0;
        int spoilAt = spoil ? counted.nextInt(2) : -1;
        for (int k = 0, n = 1 + counted.nextInt(6); k < n; k++) {
            countedStatement(t, i, k == 0 && spoilAt == 0);
            if (k == 0 && spoilAt == 1) {
                f.call(0, divFunc, 0, new int[] {countedRead(I, i, false), countedRead(I, i, false)},
                        new int[] {countedWrite(I)});
            }
        }
        if (counted.nextBoolean()) {
            f.binary(u ? Opcode.U64_ADD : Opcode.I64_ADD, i, step, i);
        } else {
            f.binary(u ? Opcode.U64_ADD : Opcode.I64_ADD, i, i, step);
        }
        if (swapped) {
            f.binary(gt, countedCond, end, i);
        } else {
            f.binary(lt, countedCond, i, end);
        }
        f.br(countedCond, head, exit);
        f.place(exit);
    }

    /** A pool register of type {@code t} to write in a counted loop's body (never its index, end or step). */
    private int countedWrite(ValueType t) {
        int[] rs = pool[ti(t)];
        return rs[counted.nextInt(rs.length)];
    }

    /** A register of type {@code t} to read in a counted loop's body: the index now and then when it is of that type. */
    private int countedRead(ValueType t, int index, boolean indexOfT) {
        int[] rs = readable[ti(t)];
        return indexOfT && counted.nextInt(3) == 0 ? index : rs[counted.nextInt(rs.length)];
    }

    /** One instruction of a counted loop's body over words of type {@code t} ({@code div}: a division instead). */
    private void countedStatement(ValueType t, int index, boolean div) {
        boolean u = t == U;
        if (div) {
            f.binary(u ? Opcode.U64_DIV : Opcode.I64_DIV, countedWrite(t), countedRead(t, index, true), countedRead(t, index, true));
            return;
        }
        Opcode[] arith = u
                ? new Opcode[] {Opcode.U64_ADD, Opcode.U64_SUB, Opcode.U64_MUL, Opcode.U64_AND, Opcode.U64_OR,
                    Opcode.U64_XOR, Opcode.U64_SHL, Opcode.U64_SHR}
                : new Opcode[] {Opcode.I64_ADD, Opcode.I64_SUB, Opcode.I64_MUL, Opcode.I64_AND, Opcode.I64_OR,
                    Opcode.I64_XOR, Opcode.I64_SHL, Opcode.I64_SHR};
        Opcode[] cmp = u
                ? new Opcode[] {Opcode.U64_EQ, Opcode.U64_LT, Opcode.U64_GT, Opcode.U64_LE, Opcode.U64_GE}
                : new Opcode[] {Opcode.I64_EQ, Opcode.I64_LT, Opcode.I64_GT, Opcode.I64_LE, Opcode.I64_GE};
        switch (counted.nextInt(10)) {
            case 0, 1, 2 -> f.binary(arith[counted.nextInt(arith.length)], countedWrite(t), countedRead(t, index, true),
                    countedRead(t, index, true));
            case 3 -> f.binary(cmp[counted.nextInt(cmp.length)], countedWrite(B), countedRead(t, index, true),
                    countedRead(t, index, true));
            case 4 -> f.unary(Opcode.BOOL_NOT, countedWrite(B), countedRead(B, index, false));
            case 5 -> f.mov(countedWrite(t), countedRead(t, index, true));
            case 6 -> {
                if (u) {
                    f.constU64(countedWrite(U), counted.nextInt(100));
                } else {
                    f.constI64(countedWrite(I), counted.nextInt(-50, 50));
                }
            }
            case 7, 8 -> countedF64(t, index);
            default -> f.call(0, leafFunc, 0, new int[] {countedRead(I, index, !u), countedRead(I, index, !u)},
                    new int[] {countedWrite(I)});
        }
    }

    private static final Opcode[] F64_ARITH = {Opcode.F64_ADD, Opcode.F64_SUB, Opcode.F64_MUL, Opcode.F64_DIV,
        Opcode.F64_REM, Opcode.F64_MIN, Opcode.F64_MAX, Opcode.F64_MIN_NUM, Opcode.F64_MAX_NUM};
    private static final Opcode[] F64_CMP = {Opcode.F64_EQ, Opcode.F64_LT, Opcode.F64_GT, Opcode.F64_LE,
        Opcode.F64_GE};

    /**
     * One f64 instruction of a counted loop's body (the compiled tier runs them in chunks too,
     * twentieth round): arithmetic, a compare, neg, abs, the bit moves, or a conversion of the
     * index (of type {@code t}) or of a pool word, on pool registers that hold NaNs and
     * infinities now and then.
     */
    private void countedF64(ValueType t, int index) {
        switch (counted.nextInt(6)) {
            case 0, 1 -> f.binary(F64_ARITH[counted.nextInt(F64_ARITH.length)], countedWrite(F),
                    countedRead(F, index, false), countedRead(F, index, false));
            case 2 -> f.binary(F64_CMP[counted.nextInt(F64_CMP.length)], countedWrite(B), countedRead(F, index, false),
                    countedRead(F, index, false));
            case 3 -> f.unary(counted.nextBoolean() ? Opcode.F64_NEG : Opcode.F64_ABS, countedWrite(F),
                    countedRead(F, index, false));
            case 4 -> {
                boolean u = counted.nextBoolean();
                f.unary(u ? Opcode.U64_TO_F64 : Opcode.I64_TO_F64, countedWrite(F),
                        countedRead(u ? U : I, index, t == (u ? U : I)));
            }
            default -> {
                if (counted.nextBoolean()) {
                    f.unary(Opcode.F64_TO_BITS, countedWrite(U), countedRead(F, index, false));
                } else {
                    f.unary(Opcode.F64_FROM_BITS, countedWrite(F), countedRead(U, index, t == U));
                }
            }
        }
    }

    private int[] readAll(List<ValueType> ts) {
        int[] out = new int[ts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = read(ts.get(i));
        }
        return out;
    }

    private int[] writeAll(List<ValueType> ts) {
        // distinct destinations: two results into one register would leave the earlier one unused
        int[] out = new int[ts.size()];
        int[] used = new int[POOL.size()];
        for (int i = 0; i < out.length; i++) {
            int t = ti(ts.get(i));
            out[i] = pool[t][used[t]++ % PER_TYPE];
        }
        return out;
    }

    private void call() {
        if (func + 1 >= nFuncs) {
            return;
        }
        int callee = func + 1 + rnd.nextInt(nFuncs - func - 1);
        int[] args = readAll(argTypes.get(callee));
        int[] rets = writeAll(retTypes.get(callee));
        if (rnd.nextInt(3) == 0) {
            int sig = pb.callSig(argTypes.get(callee), retTypes.get(callee));
            f.constFunc(tmpFunc, callee).callIndirect(0, sig, tmpFunc, 0, args, rets);
        } else {
            f.call(0, callee, 0, args, rets);
        }
    }

    private void hostCall() {
        int h = rnd.nextInt(20);
        int which = h < 5 ? 0 : h < 10 ? 1 : h < 17 ? 2 : h < 19 ? 3 : 4;
        if (which == 3) {
            // charge a small amount of extra fuel
            int u = write(U);
            f.constU64(u, rnd.nextInt(50));
            f.hostCall(0, hostSigs[3], 0, new int[] {u}, new int[0]);
            return;
        }
        f.hostCall(0, hostSigs[which], 0, readAll(hostArgs.get(which)), writeAll(hostRets.get(which)));
    }

    private void aggregate() {
        switch (rnd.nextInt(3)) {
            case 0 -> {
                int n = rnd.nextInt(4);
                List<ValueType> ts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ts.add(POOL.get(rnd.nextInt(POOL.size())));
                }
                f.tupleNew(tmpTuple, readAll(ts));
                if (n > 0) {
                    int i = rnd.nextInt(n);
                    f.tupleGet(write(ts.get(i)), tmpTuple, i);
                }
                if (rnd.nextBoolean()) {
                    f.tupleNew(write(A), readAll(ts));
                }
            }
            case 1 -> {
                int n = rnd.nextInt(4);
                int[] vs = new int[n];
                for (int i = 0; i < n; i++) {
                    vs[i] = read(arrayElemType);
                }
                f.arrayNew(tmpArray, arrayElemId, vs);
                switch (rnd.nextInt(3)) {
                    case 0 -> f.arrayLen(write(U), tmpArray);
                    case 1 -> f.arrayGetImm(write(arrayElemType), tmpArray, rnd.nextInt(4));
                    default -> f.arrayGet(write(arrayElemType), tmpArray, read(U));
                }
            }
            default -> {
                f.structNew(tmpStruct, structId, readAll(structFields));
                int i = rnd.nextInt(structFields.size());
                if (rnd.nextBoolean()) {
                    f.structGet(write(structFields.get(i)), tmpStruct, i);
                } else {
                    f.emit(Opcode.STRUCT_FIELD_COUNT, write(U), tmpStruct);
                }
            }
        }
    }
}
