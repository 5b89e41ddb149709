package dev.tape.verify;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A small model of the reference verifier's register typing, written from the reference's source
 * ({@code forest-rs/execution}, {@code execution_tape/src/verifier.rs} and
 * {@code analysis/dataflow.rs}), not from this project's verifier, for the instructions
 * {@link AggShapeSweepTest} generates; with one switch for this project's extension (shapes that
 * cross blocks, see the constructor). It follows the reference's order: the must-init pass
 * ({@code compute_must_init} + {@code validate_instr_reads_writes}: {@code UninitializedRead}), the
 * must-type fixpoint ({@code compute_must_types} through {@code dataflow::solve_forward}), the
 * checking pass ({@code validate_instr_types} then {@code transfer_types}, block by block), the
 * block-boundary check ({@code UnstableRegType}) and the one-type-per-register pass
 * ({@code UnstableRegTypeAt}).
 *
 * <p>Types are strings ({@code "i64"}, {@code "bool"}, {@code "u64"}, {@code "unit"}, {@code "agg"},
 * {@code "func"}, {@code "closure"}); shapes are {@link Meta} values.
 */
final class ReferenceAggModel {
    /** An aggregate shape ({@code AggMeta}): kind 0 tuple (elems, null entries unknown), 1 struct, 2 array. */
    record Meta(int kind, List<String> elems, int id) {}

    /** A register's type ({@code Option<RegType>}): null is top (None). */
    record RegType(String concrete, boolean uninit, boolean ambiguous) {
        static final RegType UNINIT = new RegType(null, true, false);
        static final RegType AMBIG = new RegType(null, false, true);

        static RegType of(String t) {
            return new RegType(t, false, false);
        }
    }

    /**
     * One instruction: {@code op} (the mnemonic), {@code dst} (-1 for none), {@code srcs} (the
     * registers it reads, in the reference's check order), {@code imm} (a struct type, array element
     * type, index, function or call signature), {@code rets} (call results), {@code targets}
     * (branch target instruction indexes).
     */
    record Ins(String op, int dst, int[] srcs, int imm, int[] rets, int[] targets) {}

    /** A function: argument types, their shapes (null for none), result types, register count, code. */
    record Fn(List<String> args, List<Meta> argShapes, List<String> rets, int regs, List<Ins> code) {}

    /** The verdict: null kind for accepted; else the error, its function and instruction (-1 for none). */
    record Verdict(String kind, int func, int ins) {
        static final Verdict OK = new Verdict(null, -1, -1);
    }

    private final List<Fn> fns;
    private final List<List<String>> structs;
    private final List<String> arrayElems;
    private final List<List<String>> sigArgs;
    private final List<List<String>> sigRets;

    /**
     * false for the reference exactly; true for this project's extension, the one change: a
     * block's first incoming edge brings its shapes (a register still at top takes the incoming
     * shape) instead of meeting them with none, so a shape every edge agrees on crosses blocks
     */
    private final boolean shapesCrossBlocks;

    ReferenceAggModel(List<Fn> fns, List<List<String>> structs, List<String> arrayElems,
                      List<List<String>> sigArgs, List<List<String>> sigRets, boolean shapesCrossBlocks) {
        this.shapesCrossBlocks = shapesCrossBlocks;
        this.fns = fns;
        this.structs = structs;
        this.arrayElems = arrayElems;
        this.sigArgs = sigArgs;
        this.sigRets = sigRets;
    }

    Verdict verify() {
        for (int f = 0; f < fns.size(); f++) {
            Verdict v = function(f);
            if (v != Verdict.OK) {
                return v;
            }
        }
        return Verdict.OK;
    }

    private static final class Fail extends Exception {
        private static final long serialVersionUID = 1L;
        final String kind;
        final int ins;

        Fail(String kind, int ins) {
            super(kind, null, false, false);
            this.kind = kind;
            this.ins = ins;
        }
    }

    private static final class State {
        RegType[] values;
        Meta[] aggs;

        State(int n) {
            values = new RegType[n];
            aggs = new Meta[n];
        }

        State copy() {
            State s = new State(0);
            s.values = values.clone();
            s.aggs = aggs.clone();
            return s;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(values, s.values) && Arrays.equals(aggs, s.aggs);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    private Verdict function(int f) {
        Fn fn = fns.get(f);
        List<Ins> code = fn.code();
        int n = code.size();
        // basic blocks: leaders at 0, at branch targets and after terminators
        boolean[] leader = new boolean[n + 1];
        leader[0] = true;
        for (int i = 0; i < n; i++) {
            Ins in = code.get(i);
            if (terminator(in.op())) {
                leader[i + 1] = true;
                for (int t : in.targets()) {
                    leader[t] = true;
                }
            }
        }
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && !leader[j]) {
                j++;
            }
            blocks.add(new int[] {i, j});
            i = j;
        }
        int nb = blocks.size();
        int[] blockOf = new int[n];
        for (int b = 0; b < nb; b++) {
            for (int i = blocks.get(b)[0]; i < blocks.get(b)[1]; i++) {
                blockOf[i] = b;
            }
        }
        int[][] succs = new int[nb][];
        for (int b = 0; b < nb; b++) {
            Ins last = code.get(blocks.get(b)[1] - 1);
            int[] s = new int[last.targets().length];
            for (int k = 0; k < s.length; k++) {
                s[k] = blockOf[last.targets()[k]];
            }
            succs[b] = s;
        }
        boolean[] reach = new boolean[nb];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        reach[0] = true;
        work.add(0);
        while (!work.isEmpty()) {
            for (int s : succs[work.poll()]) {
                if (!reach[s]) {
                    reach[s] = true;
                    work.add(s);
                }
            }
        }
        try {
            mustInit(fn, code, blocks, succs, reach);
            types(fn, code, blocks, succs, reach);
        } catch (Fail e) {
            return new Verdict(e.kind, f, e.ins);
        }
        return Verdict.OK;
    }

    private static boolean terminator(String op) {
        return op.equals("ret") || op.equals("jmp") || op.equals("br");
    }

    private static int[] writes(Ins in) {
        if (in.op().equals("call") || in.op().equals("call.indirect")) {
            int[] w = new int[in.rets().length + 1];
            w[0] = 0;
            System.arraycopy(in.rets(), 0, w, 1, in.rets().length);
            return w;
        }
        return in.dst() >= 0 ? new int[] {in.dst()} : new int[0];
    }

    /** compute_must_init + validate_instr_reads_writes (reads before writes, block order). */
    private void mustInit(Fn fn, List<Ins> code, List<int[]> blocks, int[][] succs, boolean[] reach) throws Fail {
        int nb = blocks.size();
        int regs = fn.regs();
        boolean[][] in = new boolean[nb][];
        boolean[][] out = new boolean[nb][];
        boolean[] entry = new boolean[regs];
        entry[0] = true;
        for (int a = 0; a < fn.args().size(); a++) {
            entry[a + 1] = true;
        }
        for (int b = 0; b < nb; b++) {
            in[b] = new boolean[regs];
            Arrays.fill(in[b], true);
            out[b] = in[b].clone();
        }
        in[0] = entry;
        out[0] = initOut(code, blocks.get(0), entry);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        while (!work.isEmpty()) {
            int b = work.poll();
            for (int s : succs[b]) {
                boolean[] ni = in[s].clone();
                for (int r = 0; r < regs; r++) {
                    ni[r] &= out[b][r];
                }
                if (!Arrays.equals(ni, in[s])) {
                    in[s] = ni;
                    boolean[] no = initOut(code, blocks.get(s), ni);
                    if (!Arrays.equals(no, out[s])) {
                        out[s] = no;
                        work.add(s);
                    }
                }
            }
        }
        for (int b = 0; b < nb; b++) {
            if (!reach[b]) {
                continue;
            }
            boolean[] st = in[b].clone();
            for (int i = blocks.get(b)[0]; i < blocks.get(b)[1]; i++) {
                Ins ins = code.get(i);
                for (int r : ins.srcs()) {
                    if (!st[r]) {
                        throw new Fail("UninitializedRead", i);
                    }
                }
                for (int w : writes(ins)) {
                    st[w] = true;
                }
            }
        }
    }

    private static boolean[] initOut(List<Ins> code, int[] block, boolean[] in) {
        boolean[] out = in.clone();
        for (int i = block[0]; i < block[1]; i++) {
            for (int w : writes(code.get(i))) {
                out[w] = true;
            }
        }
        return out;
    }

    private void types(Fn fn, List<Ins> code, List<int[]> blocks, int[][] succs, boolean[] reach) throws Fail {
        int nb = blocks.size();
        int regs = fn.regs();
        State entry = new State(regs);
        Arrays.fill(entry.values, RegType.UNINIT);
        entry.values[0] = RegType.of("unit");
        for (int a = 0; a < fn.args().size(); a++) {
            entry.values[a + 1] = RegType.of(fn.args().get(a));
            if (fn.args().get(a).equals("agg")) {
                entry.aggs[a + 1] = fn.argShapes().get(a);
            }
        }
        // dataflow::solve_forward with bottom = all None
        State[] in = new State[nb];
        State[] out = new State[nb];
        for (int b = 0; b < nb; b++) {
            in[b] = new State(regs);
            out[b] = new State(regs);
        }
        in[0] = entry;
        out[0] = transferBlock(code, blocks.get(0), entry);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        while (!work.isEmpty()) {
            int b = work.poll();
            State o = out[b].copy();
            for (int s : succs[b]) {
                State ni = in[s].copy();
                for (int r = 0; r < regs; r++) {
                    boolean top = ni.values[r] == null;
                    ni.values[r] = meetValue(ni.values[r], o.values[r]);
                    if (ni.values[r] != null && "agg".equals(ni.values[r].concrete())) {
                        if (top && shapesCrossBlocks) {
                            ni.aggs[r] = o.aggs[r];
                        } else {
                            ni.aggs[r] = ni.aggs[r] != null && ni.aggs[r].equals(o.aggs[r]) ? ni.aggs[r] : null;
                        }
                    } else {
                        ni.aggs[r] = null;
                    }
                }
                if (!ni.equals(in[s])) {
                    in[s] = ni;
                    State no = transferBlock(code, blocks.get(s), ni);
                    if (!no.equals(out[s])) {
                        out[s] = no;
                        work.add(s);
                    }
                }
            }
        }
        for (int b = 0; b < nb; b++) {
            if (!reach[b]) {
                continue;
            }
            State st = in[b].copy();
            for (int i = blocks.get(b)[0]; i < blocks.get(b)[1]; i++) {
                validate(fn, code.get(i), i, st);
                transfer(code.get(i), st);
            }
        }
        for (int b = 0; b < nb; b++) {
            if (!reach[b]) {
                continue;
            }
            for (RegType t : in[b].values) {
                if (t != null && t.ambiguous()) {
                    throw new Fail("UnstableRegType", -1);
                }
            }
            for (RegType t : out[b].values) {
                if (t != null && t.ambiguous()) {
                    throw new Fail("UnstableRegType", -1);
                }
            }
        }
        String[] fixed = new String[regs];
        fixed[0] = "unit";
        for (int a = 0; a < fn.args().size(); a++) {
            fixed[a + 1] = fn.args().get(a);
        }
        for (int b = 0; b < nb; b++) {
            if (!reach[b]) {
                continue;
            }
            State st = in[b].copy();
            for (int i = blocks.get(b)[0]; i < blocks.get(b)[1]; i++) {
                transfer(code.get(i), st);
                for (int w : writes(code.get(i))) {
                    RegType t = st.values[w];
                    if (t == null) {
                        continue;
                    }
                    if (t.concrete() == null) {
                        throw new Fail("UnstableRegTypeAt", i);
                    }
                    if (fixed[w] == null) {
                        fixed[w] = t.concrete();
                    } else if (!fixed[w].equals(t.concrete())) {
                        throw new Fail("UnstableRegTypeAt", i);
                    }
                }
            }
        }
    }

    private State transferBlock(List<Ins> code, int[] block, State in) {
        State s = in.copy();
        for (int i = block[0]; i < block[1]; i++) {
            transfer(code.get(i), s);
        }
        return s;
    }

    private static RegType meetValue(RegType a, RegType b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.uninit() || b.uninit()) {
            return RegType.UNINIT;
        }
        if (a.ambiguous() || b.ambiguous()) {
            return RegType.AMBIG;
        }
        return a.concrete().equals(b.concrete()) ? a : RegType.AMBIG;
    }

    // ---- transfer_types -----------------------------------------------------------------------

    private static void setRegType(State s, int r, RegType t) {
        s.values[r] = t;
        if (!(t != null && "agg".equals(t.concrete()))) {
            s.aggs[r] = null;
        }
    }

    private static void setValue(State s, int r, String t) {
        setRegType(s, r, RegType.of(t));
    }

    private static void setAgg(State s, int r, Meta m) {
        setValue(s, r, "agg");
        s.aggs[r] = m;
    }

    private void transfer(Ins in, State s) {
        int d = in.dst();
        switch (in.op()) {
            case "jmp", "br", "ret" -> {
            }
            case "mov" -> {
                RegType t = s.values[in.srcs()[0]];
                s.values[d] = t;
                s.aggs[d] = s.aggs[in.srcs()[0]];
                if (!(t != null && "agg".equals(t.concrete()))) {
                    s.aggs[d] = null;
                }
            }
            case "const.i64" -> setValue(s, d, "i64");
            case "const.bool" -> setValue(s, d, "bool");
            case "const.func" -> setValue(s, d, "func");
            case "i64.add" -> setValue(s, d, "i64");
            case "closure.new" -> setValue(s, d, "closure");
            case "call" -> {
                setValue(s, 0, "unit");
                List<String> t = fns.get(in.imm()).rets();
                for (int k = 0; k < in.rets().length && k < t.size(); k++) {
                    setValue(s, in.rets()[k], t.get(k));
                }
            }
            case "call.indirect" -> {
                setValue(s, 0, "unit");
                List<String> t = sigRets.get(in.imm());
                for (int k = 0; k < in.rets().length && k < t.size(); k++) {
                    setValue(s, in.rets()[k], t.get(k));
                }
            }
            case "tuple.new" -> {
                List<String> elems = new ArrayList<>();
                for (int r : in.srcs()) {
                    RegType t = s.values[r];
                    elems.add(t != null && t.concrete() != null ? t.concrete() : null);
                }
                setAgg(s, d, new Meta(0, elems, -1));
            }
            case "struct.new" -> setAgg(s, d, new Meta(1, null, in.imm()));
            case "array.new" -> setAgg(s, d, new Meta(2, null, in.imm()));
            case "tuple.get" -> {
                Meta m = s.aggs[in.srcs()[0]];
                String out = m != null && m.kind() == 0 && in.imm() < m.elems().size() ? m.elems().get(in.imm()) : null;
                setRegType(s, d, out == null ? RegType.AMBIG : RegType.of(out));
            }
            case "struct.get" -> {
                Meta m = s.aggs[in.srcs()[0]];
                List<String> f = m != null && m.kind() == 1 ? structs.get(m.id()) : null;
                setRegType(s, d, f != null && in.imm() < f.size() ? RegType.of(f.get(in.imm())) : RegType.AMBIG);
            }
            case "array.get_imm" -> {
                Meta m = s.aggs[in.srcs()[0]];
                setRegType(s, d, m != null && m.kind() == 2 ? RegType.of(arrayElems.get(m.id())) : RegType.AMBIG);
            }
            case "tuple.len", "struct.field_count", "array.len" -> setValue(s, d, "u64");
            default -> throw new IllegalArgumentException(in.op());
        }
    }

    // ---- validate_instr_types -------------------------------------------------------------------

    private static void expect(int ins, RegType t, String expected) throws Fail {
        if (t == null || t.uninit()) {
            throw new Fail("UninitializedRead", ins);
        }
        if (t.ambiguous()) {
            throw new Fail("UnknownTypeAtUse", ins);
        }
        if (!t.concrete().equals(expected)) {
            throw new Fail("TypeMismatch", ins);
        }
    }

    private static void assignable(int ins, RegType t, String expected) throws Fail {
        if (t == null || t.uninit()) {
            return;
        }
        if (t.ambiguous()) {
            throw new Fail("UnknownTypeAtUse", ins);
        }
        if (!t.concrete().equals(expected)) {
            throw new Fail("TypeMismatch", ins);
        }
    }

    private static void kind(int ins, Meta m, int want) throws Fail {
        if (m != null && m.kind() != want) {
            throw new Fail("AggKindMismatch", ins);
        }
    }

    private void validate(Fn fn, Ins in, int i, State s) throws Fail {
        int[] r = in.srcs();
        switch (in.op()) {
            case "jmp", "mov", "const.i64", "const.bool", "const.func", "tuple.new" -> {
            }
            case "br" -> expect(i, s.values[r[0]], "bool");
            case "i64.add" -> {
                expect(i, s.values[r[0]], "i64");
                expect(i, s.values[r[1]], "i64");
            }
            case "ret" -> {
                for (int k = 0; k < r.length; k++) {
                    expect(i, s.values[r[k]], fn.rets().get(k));
                }
            }
            case "call" -> {
                Fn callee = fns.get(in.imm());
                for (int k = 0; k < r.length; k++) {
                    expect(i, s.values[r[k]], callee.args().get(k));
                }
                for (int k = 0; k < in.rets().length; k++) {
                    assignable(i, s.values[in.rets()[k]], callee.rets().get(k));
                }
            }
            case "call.indirect" -> {
                // srcs: the callee, then the arguments
                RegType c = s.values[r[0]];
                if (c != null) {
                    if (c.uninit()) {
                        throw new Fail("UninitializedRead", i);
                    }
                    if (c.ambiguous()) {
                        throw new Fail("UnknownTypeAtUse", i);
                    }
                    if (!c.concrete().equals("func") && !c.concrete().equals("closure")) {
                        throw new Fail("TypeMismatch", i);
                    }
                }
                List<String> a = sigArgs.get(in.imm());
                for (int k = 1; k < r.length; k++) {
                    expect(i, s.values[r[k]], a.get(k - 1));
                }
                List<String> t = sigRets.get(in.imm());
                for (int k = 0; k < in.rets().length; k++) {
                    assignable(i, s.values[in.rets()[k]], t.get(k));
                }
            }
            case "closure.new" -> {
                expect(i, s.values[r[0]], "func");
                expect(i, s.values[r[1]], "agg");
            }
            case "tuple.get" -> {
                expect(i, s.values[r[0]], "agg");
                Meta m = s.aggs[r[0]];
                kind(i, m, 0);
                if (m != null && in.imm() >= m.elems().size()) {
                    throw new Fail("TupleIndexOutOfBounds", i);
                }
            }
            case "tuple.len" -> {
                expect(i, s.values[r[0]], "agg");
                kind(i, s.aggs[r[0]], 0);
            }
            case "struct.new" -> {
                List<String> f = structs.get(in.imm());
                if (r.length != f.size()) {
                    throw new Fail("StructArityMismatch", i);
                }
                for (int k = 0; k < r.length; k++) {
                    expect(i, s.values[r[k]], f.get(k));
                }
            }
            case "struct.get" -> {
                expect(i, s.values[r[0]], "agg");
                Meta m = s.aggs[r[0]];
                kind(i, m, 1);
                if (m != null && in.imm() >= structs.get(m.id()).size()) {
                    throw new Fail("StructFieldIndexOutOfBounds", i);
                }
            }
            case "struct.field_count" -> {
                expect(i, s.values[r[0]], "agg");
                kind(i, s.aggs[r[0]], 1);
            }
            case "array.new" -> {
                for (int k : r) {
                    expect(i, s.values[k], arrayElems.get(in.imm()));
                }
            }
            case "array.len", "array.get_imm" -> {
                expect(i, s.values[r[0]], "agg");
                kind(i, s.aggs[r[0]], 2);
            }
            default -> throw new IllegalArgumentException(in.op());
        }
    }

    static boolean same(Verdict a, Verdict b) {
        return Objects.equals(a, b);
    }
}
