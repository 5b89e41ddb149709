package dev.tape.cli;

import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SpanEntry;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;

/**
 * The programs of {@link LeanLoadRegressionTest}: a function of 65,534 to 65,538 lowered code ints
 * (where instruction starts and relocated positions go from 2-byte to 4-byte entries) with a far
 * branch, reference constants, tag lists and a trap past the boundary; signature tables of equal
 * signatures, signatures differing only in results or names, full hash collisions and many
 * distinct ones; names absent, duplicated and huge; no functions; empty bodies.
 */
final class LeanLoadCases {
    private LeanLoadCases() {}

    /** A case: the program's bytes, the entry function and its arguments. */
    record Case(byte[] bytes, int entry, List<String> args) {}

    /**
     * The lowered length of the big function without adds or nops, by trap kind (0 returns, 1 a
     * {@code trap}, 2 a division by zero) and whether it jumps over them ({@code [kind][skip]}).
     */
    private static final int[][] BASE = {{66, 68}, {65, 67}, {74, 76}};

    /** @return every case by name, in a fixed order */
    static Map<String, Case> cases() {
        Map<String, Case> out = new LinkedHashMap<>();
        for (int kind = 0; kind < 3; kind++) {
            boolean skip = kind != 1;
            for (int len = 65_534; len <= 65_538; len++) {
                int room = len - BASE[kind][skip ? 1 : 0];
                out.put("big_t" + kind + (skip ? "_skip_" : "_run_") + len,
                        new Case(ProgramEncoder.encode(big(room / 4, room % 4, skip, kind)), 0, List.of("i64:5")));
            }
        }
        Program small = smallProgram();
        out.put("sig_base", new Case(ProgramEncoder.encode(small), 0, List.of("i64:4")));
        List<Function> fs = small.functions();
        for (int j = 0; j < 2; j++) {
            List<Function> g = new ArrayList<>();
            for (Function f : fs) {
                g.add(resig(f, fs.get(j).sig()));
            }
            out.put("sig_all" + j, new Case(ProgramEncoder.encode(with(small, g, small.names())), 0, List.of("i64:4")));
        }
        FunctionSig s0 = fs.get(0).sig();
        List<FunctionSig> variants = List.of(
                new FunctionSig(s0.args(), null, List.of(BOOL), null),
                new FunctionSig(s0.args(), null, List.of(I64, I64), null),
                new FunctionSig(s0.args(), null, List.of(), null),
                new FunctionSig(List.of(U64), null, s0.rets(), null),
                new FunctionSig(s0.args(), List.of(0), s0.rets(), List.of(0)),
                new FunctionSig(s0.args(), List.of(1), s0.rets(), null));
        for (int v = 0; v < variants.size(); v++) {
            for (int at = 0; at < fs.size(); at++) {
                List<Function> g = new ArrayList<>(fs);
                g.set(at, resig(fs.get(at), variants.get(v)));
                out.put("sig_var" + v + "_at" + at,
                        new Case(ProgramEncoder.encode(with(small, g, small.names())), 0, List.of("i64:4")));
            }
        }
        for (int mode = 0; mode < 6; mode++) {
            byte[] b = ProgramEncoder.encode(many(mode));
            out.put("sig_many" + mode, new Case(b, 0, List.of("i64:4")));
            out.put("sig_many" + mode + "_e7", new Case(b, 7, List.of("i64:4")));
        }
        for (int mode = 0; mode < 7; mode++) {
            out.put("names" + mode, new Case(ProgramEncoder.encode(named(small, mode)), 0, List.of("i64:4")));
        }
        Program none = new Program(List.of(""), List.of(), small.types(), List.of(), List.of(), List.of(), List.of(),
                Names.NONE);
        out.put("zero_functions", new Case(ProgramEncoder.encode(none), 0, List.of()));
        Function empty = new Function(1, 1, 2, new byte[0], List.of(new SpanEntry(0, 9)),
                new FunctionSig(List.of(I64), null, List.of(I64), null));
        byte[] e = ProgramEncoder.encode(with(small, List.of(empty, empty, fs.get(0)), Names.NONE));
        out.put("empty_entry", new Case(e, 0, List.of("i64:1")));
        out.put("empty_entry_e2", new Case(e, 2, List.of("i64:1")));
        return out;
    }

    private static Program with(Program p, List<Function> fs, Names names) {
        return new Program(p.symbols(), p.constants(), p.types(), fs, p.hostSigs(), p.callSigs(), p.argShapes(), names);
    }

    private static Function resig(Function f, FunctionSig s) {
        return new Function(f.argCount(), f.retCount(), f.regCount(), f.code(), f.spans(), s);
    }

    /**
     * Function 0 calls function 1, which sets r9, jumps to its end when {@code skip}, makes
     * {@code k} adds and {@code m} nops, then at its end: a string constant, a loop of tuple.new,
     * tuple.get and compares, a last tuple.new, and a return, a {@code trap 3} (kind 1) or a
     * division by zero (kind 2).
     */
    private static Program big(int k, int m, boolean skip, int kind) {
        ProgramBuilder pb = new ProgramBuilder();
        int s = pb.constant(new Constant.Str("far"));
        pb.addFunction(List.of(I64), List.of(I64)).call(0, 1, 0, new int[] {1}, new int[] {2}).ret(0, 2);
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        Label end = f.newLabel();
        f.constI64(9, 1);
        if (skip) {
            f.jmp(end);
        }
        for (int i = 0; i < k; i++) {
            f.i64Add(1, 1, 9);
        }
        for (int i = 0; i < m; i++) {
            f.nop();
        }
        f.jmp(end);
        Label loop = f.newLabel();
        Label done = f.newLabel();
        f.place(end).constI64(2, 0).constI64(3, 1).constPool(4, s).i64Lt(5, 2, 1).br(5, loop, done);
        f.place(loop).tupleNew(6, 2, 3).tupleGet(7, 6, 0).i64Add(2, 7, 3).constPool(8, s)
                .i64Lt(5, 2, 1).br(5, loop, done);
        f.place(done).tupleNew(10, 2, 4, 3).tupleGet(11, 10, 0);
        if (kind == 1) {
            f.trap(3);
        } else if (kind == 2) {
            f.constI64(12, 0).i64Div(13, 1, 12).ret(0, 13);
        } else {
            f.ret(0, 11);
        }
        return pb.build();
    }

    /** main(i64) -> i64 calls times10 and an add; a bool function; two function names, an argument name. */
    private static Program smallProgram() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f0 = pb.addFunction(List.of(I64), List.of(I64));
        f0.call(0, 1, 0, new int[] {1}, new int[] {2}).call(0, 2, 0, new int[] {2}, new int[] {3}).ret(0, 3);
        pb.addFunction(List.of(I64), List.of(I64)).constI64(2, 10).i64Mul(1, 1, 2).ret(0, 1);
        pb.addFunction(List.of(I64), List.of(I64)).constI64(2, 1).i64Add(1, 1, 2).ret(0, 1);
        pb.addFunction(List.of(BOOL), List.of(BOOL)).boolNot(1, 1).ret(0, 1);
        pb.functionName(0, "main");
        pb.functionName(1, "times10");
        pb.argName(1, 0, "x");
        return pb.build();
    }

    /**
     * The small program and 400 more functions whose signatures are: 0 all equal; 1 distinct by
     * argument names; 2 hashing equal but unequal (result names {@code [a + j, b - 31 j]}); 3
     * alternately equal and colliding; 4 random host object types; 5 random names from a few.
     */
    private static Program many(int mode) {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < 5000; i++) {
            pb.symbol("s" + i);
        }
        Program small = smallProgram();
        Program base = new Program(pb.build().symbols(), small.constants(), small.types(), small.functions(),
                small.hostSigs(), small.callSigs(), small.argShapes(), small.names());
        List<Function> fs = new ArrayList<>(base.functions());
        Function f1 = fs.get(1);
        Random r = new Random(mode);
        for (int i = 0; i < 400; i++) {
            FunctionSig s = switch (mode) {
                case 0 -> new FunctionSig(List.of(I64), null, List.of(I64), null);
                case 1 -> new FunctionSig(List.of(I64), List.of(1 + i), List.of(I64), null);
                case 2 -> new FunctionSig(List.of(I64), null, List.of(I64, I64), List.of(100 + i, 4000 - 31 * (i % 120)));
                case 3 -> i % 2 == 0 ? new FunctionSig(List.of(I64), null, List.of(I64), null)
                        : new FunctionSig(List.of(I64), null, List.of(I64, I64), List.of(100 + i % 7, 4000 - 31 * (i % 7)));
                case 4 -> new FunctionSig(List.of(ValueType.obj(r.nextInt(100))), null, List.of(I64), null);
                default -> new FunctionSig(List.of(I64), List.of(r.nextInt(3)), List.of(I64), List.of(r.nextInt(3) * 31));
            };
            if (s.args().equals(List.of(I64)) && s.rets().size() == 1) {
                fs.add(resig(f1, s));
            } else {
                fs.add(new Function(s.args().size(), s.rets().size(), s.args().size() + 1, new byte[0], List.of(), s));
            }
        }
        return with(base, fs, base.names());
    }

    /**
     * Names: 0 none; 1 one function twice; 2 one name for three functions; 3 100,000 entries; 4 a
     * program name only; 5 an entry of symbol 0 and a label; 6 every function, in reverse.
     */
    private static Program named(Program p, int mode) {
        int n = p.functions().size();
        List<Names.FunctionName> fns = new ArrayList<>();
        int prog = -1;
        List<Names.LabelName> labels = new ArrayList<>();
        switch (mode) {
            case 0 -> {
                return with(p, p.functions(), Names.NONE);
            }
            case 1 -> {
                fns.add(new Names.FunctionName(0, 1));
                fns.add(new Names.FunctionName(0, 2));
            }
            case 2 -> {
                fns.add(new Names.FunctionName(1, 1));
                fns.add(new Names.FunctionName(2, 1));
                fns.add(new Names.FunctionName(0, 1));
            }
            case 3 -> {
                for (int i = 0; i < 100_000; i++) {
                    fns.add(new Names.FunctionName(i % n, 1 + i % 2));
                }
            }
            case 4 -> prog = 1;
            case 5 -> {
                fns.add(new Names.FunctionName(3, 2));
                fns.add(new Names.FunctionName(0, 0));
                labels.add(new Names.LabelName(0, 0, 1));
            }
            default -> {
                for (int i = n - 1; i >= 0; i--) {
                    fns.add(new Names.FunctionName(i, 1 + (i % 2)));
                }
            }
        }
        return with(p, p.functions(), new Names(prog, fns, labels));
    }
}
