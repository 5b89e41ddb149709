package dev.tape.verify;

import dev.tape.asm.Assembler;
import dev.tape.format.DecodedCode;
import dev.tape.program.Program;
import dev.tape.verify.ReferenceAggModel.Fn;
import dev.tape.verify.ReferenceAggModel.Ins;
import dev.tape.verify.ReferenceAggModel.Meta;
import dev.tape.verify.ReferenceAggModel.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random nestings of tuples, structs and arrays, read in the block that builds them and in other
 * blocks, through calls, closures, {@code mov} and a back edge into the entry block: the verifier's
 * decision (accept, or the error's kind, function and instruction) is that of
 * {@link ReferenceAggModel}, a model of the reference verifier written from its source: accepted
 * when the reference accepts or when this project's one extension (shapes that cross blocks)
 * accepts; refused with the reference's error otherwise.
 */
class AggShapeSweepTest {
    private static final int[] I = {4, 5, 6};
    private static final int[] A = {2, 3, 8, 9, 10, 11, 12};
    private static final int[] X = {4, 5, 6, 7, 8, 9, 10, 11, 12};

    private static final String HEADER = """
            program sweep
            struct @0 = { x: i64, flag: bool }
            struct @1 = { inner: agg, n: i64 }
            array @0 = i64
            array @1 = agg
            callsig @0 = (i64) -> (i64)

            """;
    private static final String HELPERS = """

            func mk(x: i64) -> (agg) {
                const.bool r2, true
                struct.new r3, @0, [r1, r2]
                ret r0, [r3]
            }

            func envf(env: agg tuple(i64), y: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r3, r2
                ret r0, [r4]
            }
            """;

    /** One generated main function: its text lines (labels resolved) and its model instructions. */
    private static final class Gen {
        final Random rnd;
        final List<String> lines = new ArrayList<>();
        final List<Ins> code = new ArrayList<>();
        /** per instruction: its branch targets as label names, resolved after generation */
        final List<String[]> targetNames = new ArrayList<>();
        final List<String> labelAt = new ArrayList<>();
        final java.util.Map<String, Integer> labels = new java.util.HashMap<>();

        Gen(long seed) {
            rnd = new Random(seed);
        }

        int pick(int[] pool) {
            return pool[rnd.nextInt(pool.length)];
        }

        void label(String l) {
            labels.put(l, code.size());
        }

        void emit(String text, String op, int dst, int[] srcs, int imm, int[] rets, String... targets) {
            lines.add((labels.containsValue(code.size()) ? nameAt(code.size()) + ":\n" : "") + "    " + text);
            code.add(new Ins(op, dst, srcs, imm, rets, new int[targets.length]));
            targetNames.add(targets);
        }

        String nameAt(int i) {
            return labels.entrySet().stream().filter(e -> e.getValue() == i).findFirst().orElseThrow().getKey();
        }

        List<Ins> resolved() {
            List<Ins> out = new ArrayList<>();
            for (int i = 0; i < code.size(); i++) {
                Ins in = code.get(i);
                int[] t = Arrays.stream(targetNames.get(i)).mapToInt(labels::get).toArray();
                out.add(new Ins(in.op(), in.dst(), in.srcs(), in.imm(), in.rets(), t));
            }
            return out;
        }

        String regs(int[] rs) {
            StringBuilder b = new StringBuilder("[");
            for (int k = 0; k < rs.length; k++) {
                b.append(k == 0 ? "" : ", ").append('r').append(rs[k]);
            }
            return b.append(']').toString();
        }

        void op() {
            int d;
            int a;
            switch (rnd.nextInt(14)) {
                case 0 -> {
                    int n = 1 + rnd.nextInt(3);
                    int[] v = new int[n];
                    for (int k = 0; k < n; k++) {
                        v[k] = rnd.nextInt(3) == 0 ? pick(A) : rnd.nextBoolean() ? pick(I) : 7;
                    }
                    d = pick(A);
                    emit("tuple.new r" + d + ", " + regs(v), "tuple.new", d, v, 0, new int[0]);
                }
                case 1 -> {
                    int[] v = rnd.nextInt(5) == 0 ? new int[] {pick(X), pick(X)} : new int[] {pick(I), 7};
                    d = pick(A);
                    emit("struct.new r" + d + ", @0, " + regs(v), "struct.new", d, v, 0, new int[0]);
                }
                case 2 -> {
                    int[] v = {pick(A), pick(I)};
                    d = pick(A);
                    emit("struct.new r" + d + ", @1, " + regs(v), "struct.new", d, v, 1, new int[0]);
                }
                case 3 -> {
                    int[] v = {pick(I), pick(I)};
                    d = pick(A);
                    emit("array.new r" + d + ", @0, " + regs(v), "array.new", d, v, 0, new int[0]);
                }
                case 4 -> {
                    int[] v = {pick(A)};
                    d = pick(A);
                    emit("array.new r" + d + ", @1, " + regs(v), "array.new", d, v, 1, new int[0]);
                }
                case 5, 6, 7 -> {
                    String[] ops = {"tuple.get", "struct.get", "array.get_imm"};
                    String o = ops[rnd.nextInt(3)];
                    d = rnd.nextBoolean() ? pick(A) : pick(X);
                    a = pick(A);
                    int idx = rnd.nextInt(3);
                    emit(o + " r" + d + ", r" + a + ", " + idx, o, d, new int[] {a}, idx, new int[0]);
                }
                case 8 -> {
                    String[] ops = {"tuple.len", "struct.field_count", "array.len"};
                    String o = ops[rnd.nextInt(3)];
                    a = pick(A);
                    emit(o + " r16, r" + a, o, 16, new int[] {a}, 0, new int[0]);
                }
                case 9 -> {
                    boolean agg = rnd.nextInt(4) != 0;
                    d = agg ? pick(A) : pick(I);
                    a = agg ? pick(A) : pick(I);
                    emit("mov r" + d + ", r" + a, "mov", d, new int[] {a}, 0, new int[0]);
                }
                case 10 -> {
                    a = pick(I);
                    d = pick(A);
                    emit("call r0, mk, r0, [r" + a + "] -> [r" + d + "]", "call", -1, new int[] {a}, 1,
                            new int[] {d});
                }
                case 11 -> {
                    a = pick(A);
                    emit("closure.new r14, r15, r" + a, "closure.new", 14, new int[] {15, a}, 0, new int[0]);
                }
                case 12 -> {
                    a = pick(I);
                    d = pick(I);
                    emit("call.indirect r0, @0, r14, r0, [r" + a + "] -> [r" + d + "]", "call.indirect", -1,
                            new int[] {14, a}, 0, new int[] {d});
                }
                default -> {
                    d = pick(I);
                    int[] v = {pick(I), pick(I)};
                    emit("i64.add r" + d + ", r" + v[0] + ", r" + v[1], "i64.add", d, v, 0, new int[0]);
                }
            }
        }

        void ops() {
            if (rnd.nextInt(3) == 0) {
                // a field read after a block boundary: typed only where a struct shape is known
                int a = pick(A);
                emit("struct.get r6, r" + a + ", 0", "struct.get", 6, new int[] {a}, 0, new int[0]);
            }
            int n = rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                op();
            }
            if (rnd.nextInt(3) == 0) {
                // a length read after a block boundary: its kind is checked only where a shape is known
                String[] lens = {"tuple.len", "struct.field_count", "array.len"};
                String o = lens[rnd.nextInt(3)];
                int a = pick(A);
                emit(o + " r16, r" + a, o, 16, new int[] {a}, 0, new int[0]);
            }
        }

        void ret() {
            int r = pick(I);
            emit("ret r0, [r" + r + "]", "ret", -1, new int[] {r}, 0, new int[0]);
        }

        void main() {
            label("top");
            emit("const.i64 r4, 1", "const.i64", 4, new int[0], 0, new int[0]);
            emit("const.i64 r5, 2", "const.i64", 5, new int[0], 0, new int[0]);
            emit("const.bool r7, true", "const.bool", 7, new int[0], 0, new int[0]);
            emit("const.func r15, envf", "const.func", 15, new int[0], 2, new int[0]);
            // most registers start with a value (and a shape): programs are refused for their
            // aggregate reads more often than for reading nothing
            emit("const.i64 r6, 3", "const.i64", 6, new int[0], 0, new int[0]);
            if (rnd.nextBoolean()) {
                emit("tuple.new r8, [r4, r7]", "tuple.new", 8, new int[] {4, 7}, 0, new int[0]);
                emit("struct.new r9, @0, [r4, r7]", "struct.new", 9, new int[] {4, 7}, 0, new int[0]);
                emit("array.new r10, @0, [r4, r5]", "array.new", 10, new int[] {4, 5}, 0, new int[0]);
                emit("tuple.new r11, [r8]", "tuple.new", 11, new int[] {8}, 0, new int[0]);
                emit("struct.new r12, @1, [r9, r4]", "struct.new", 12, new int[] {9, 4}, 1, new int[0]);
            }
            int n = 1 + rnd.nextInt(6);
            for (int k = 0; k < n; k++) {
                op();
            }
            switch (rnd.nextInt(4)) {
                case 0 -> ret();
                case 1 -> {
                    emit("br r7, l1, l2", "br", -1, new int[] {7}, 0, new int[0], "l1", "l2");
                    label("l1");
                    ops();
                    ret();
                    label("l2");
                    ops();
                    ret();
                }
                case 2 -> {
                    emit("jmp l1", "jmp", -1, new int[0], 0, new int[0], "l1");
                    label("l1");
                    ops();
                    emit("br r7, l3, top", "br", -1, new int[] {7}, 0, new int[0], "l3", "top");
                    label("l3");
                    ops();
                    ret();
                }
                default -> {
                    emit("br r7, l1, top", "br", -1, new int[] {7}, 0, new int[0], "l1", "top");
                    label("l1");
                    ops();
                    ret();
                }
            }
        }
    }

    /** What the verifier decides for {@code p}, by default or with shapes across blocks. */
    private static Verdict verdict(Program p, boolean acrossBlocks) {
        try {
            if (acrossBlocks) {
                Verifier.verifyWithShapesAcrossBlocks(p);
            } else {
                Verifier.verify(p);
            }
            return Verdict.OK;
        } catch (VerifyException e) {
            int ins = -1;
            if (e.pc() >= 0) {
                DecodedCode dc = new DecodedCode().decode(p.functions().get(e.func()).code());
                for (int k = 0; k < dc.count(); k++) {
                    if (dc.pc(k) == e.pc()) {
                        ins = k;
                    }
                }
            }
            return new Verdict(e.kind(), e.func(), ins);
        }
    }

    @Test
    void theVerifierDecidesAsTheReferenceModelDoes() throws Exception {
        List<List<String>> structs = List.of(List.of("i64", "bool"), List.of("agg", "i64"));
        List<String> elems = List.of("i64", "agg");
        Meta argShape = new Meta(0, Arrays.asList("i64", "agg"), -1);
        List<Fn> helpers = List.of(
                new Fn(List.of("i64"), Arrays.asList((Meta) null), List.of("agg"), 4, List.of(
                        new Ins("const.bool", 2, new int[0], 0, new int[0], new int[0]),
                        new Ins("struct.new", 3, new int[] {1, 2}, 0, new int[0], new int[0]),
                        new Ins("ret", -1, new int[] {3}, 0, new int[0], new int[0]))),
                new Fn(List.of("agg", "i64"), Arrays.asList(new Meta(0, List.of("i64"), -1), null), List.of("i64"),
                        5, List.of(
                        new Ins("tuple.get", 3, new int[] {1}, 0, new int[0], new int[0]),
                        new Ins("i64.add", 4, new int[] {3, 2}, 0, new int[0], new int[0]),
                        new Ins("ret", -1, new int[] {4}, 0, new int[0], new int[0]))));
        int accepted = 0;
        int extensionOnly = 0;
        int referenceOnly = 0;
        int cases = 6000;
        for (int c = 0; c < cases; c++) {
            long seed = c;
            Gen g = new Gen(seed);
            g.main();
            String text = HEADER + "func main(n: i64, t: agg tuple(i64, agg), u: agg) -> (i64) regs 17 {\n"
                    + String.join("\n", g.lines) + "\n}\n" + HELPERS;
            List<Fn> fns = new ArrayList<>();
            fns.add(new Fn(List.of("i64", "agg", "agg"), Arrays.asList(null, argShape, null), List.of("i64"), 17,
                    g.resolved()));
            fns.addAll(helpers);
            Verdict reference = new ReferenceAggModel(fns, structs, elems, List.of(List.of("i64")),
                    List.of(List.of("i64")), false).verify();
            Verdict extended = new ReferenceAggModel(fns, structs, elems, List.of(List.of("i64")),
                    List.of(List.of("i64")), true).verify();
            // accepted when either accepts; refused with the reference's error
            Verdict want = extended == Verdict.OK ? Verdict.OK : reference;
            if (reference != Verdict.OK && extended == Verdict.OK) {
                extensionOnly++;
            }
            if (reference == Verdict.OK && extended != Verdict.OK) {
                referenceOnly++;
            }
            Program p = Assembler.assemble(text, "sweep.tasm");
            // by default exactly the reference's decision; with the extension, accepted when either
            // rule accepts
            assertEquals(reference, verdict(p, false), () -> "seed " + seed + ", default:\n" + text);
            assertEquals(want, verdict(p, true), () -> "seed " + seed + ", with the extension:\n" + text);
            if (want == Verdict.OK) {
                accepted++;
            }
        }
        // the sweep covers both outcomes and both classes where the two rules differ
        assertTrue(extensionOnly > 0, "no program accepted only with shapes across blocks (accepted " + accepted
                + ")");
        assertTrue(referenceOnly > 0, "no program accepted only by the reference's rule");
        assertTrue(accepted > cases / 20, "accepted " + accepted);
        assertTrue(cases - accepted > cases / 20, "refused " + (cases - accepted));
    }
}
