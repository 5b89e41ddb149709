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
    /** whether a {@link #sharedCompare(int)} is being generated (its block makes no other) */
    private boolean inShared;
    private int budget;

    private ValidPrograms(long seed) {
        rnd = new Random(seed);
        nFuncs = 1 + rnd.nextInt(4);
        for (int i = 0; i < nFuncs; i++) {
            argTypes.add(types(3));
            retTypes.add(types(2));
            pb.declareFunction(argTypes.get(i), retTypes.get(i));
        }
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
        f.constI64(zero, 0).constI64(one, 1);
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
