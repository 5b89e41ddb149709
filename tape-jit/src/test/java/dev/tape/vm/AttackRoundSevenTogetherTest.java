package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seventh round's changes together (the compiled tier's lazy image reads, the inlined leaves'
 * register room in a local and the closure kept per {@code call.indirect} site, unchecked leaf
 * element reads, the interpreter's f64 superinstructions): random programs whose loop calls
 * closures through {@code call.indirect} sites (leaves over i64 and f64 environments, a function
 * that is no leaf, a leaf over an environment too short for its reads, closures made again in the
 * loop), runs dense f64 {@code sub}/{@code add} pairs and {@code to_f64}/{@code mul}/{@code add}
 * triples (some split by a block start, some over {@code const.pool} values such as -0.0, NaN and
 * infinities, divisions making more), keeps structs and passes them to an inlined leaf, builds
 * tuples and arrays, calls a word host function that throws for some arguments, reads
 * {@code const.pool} strings and recurses as deep as an argument says (now and then just past the
 * default call depth). Each program is assembled, ENCODED, decoded and verified, and
 * {@link AttackAllDriver} writes its transcripts on the interpreter, the compiled tier and the
 * interpreter stepped with an INSTR trace (every fuel limit with each pause restored on the other
 * tier, every heap, call-depth, host-call and register limit near what the run uses, contexts
 * shared across limits, slices with restores and forks). The three must agree line by line, no run
 * may end in {@code internal_error}, and with {@code -Dtape.before.jar=FILE} (a build before the
 * round) the old build's transcripts must equal these.
 *
 * <p>It runs 3 programs; {@code -Dattack.seven.from=N -Dattack.seven.seeds=M} runs others. Main is
 * over the leaf inliner's size limit, so the kept closure is reached in {@code spin}, a small
 * function main calls; f64 leaves are never inlined (their closures take the real path). Nothing
 * differed on db7697a, between its tiers and stepped runs or against c59fb7d (the build before the
 * round), in about 1,020 programs: 450 with the old build's transcripts (200 of an earlier form
 * without {@code spin}) and the rest between the tiers and stepped runs only. It stays as a
 * regression test.
 */
class AttackRoundSevenTogetherTest {
    private static final String[] F64_POOL = {"f64:1.5", "f64:-0.5", "f64:0x8000000000000000", "f64:0x7ff8000000000001",
        "f64:0x7ff0000000000000", "f64:0xfff0000000000000", "f64:1e300", "f64:3", "f64:0x0000000000000001"};
    private static final String[] FREGS = {"r40", "r41", "r42", "r43", "r54"};

    private static String freg(SplittableRandom rnd) {
        return FREGS[rnd.nextInt(FREGS.length)];
    }

    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int fields = 1 + rnd.nextInt(4);
        StringBuilder s = new StringBuilder("program seven\nhost hf = \"w.f\" (i64) -> (i64)\narray ints = i64\n");
        s.append("struct S = { ");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append("f").append(j).append(": i64");
        }
        s.append(" }\ncallsig one = (agg) -> (i64)\ncallsig fl = (f64) -> (f64)\n");
        s.append("callsig ione = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64, d: i64) -> (i64, f64, u64) {\n");
        AttackPrograms.mainStart(s, rnd);
        s.append("    const.pool r40, ").append(F64_POOL[rnd.nextInt(F64_POOL.length)]).append('\n');
        s.append("    const.pool r41, ").append(F64_POOL[rnd.nextInt(F64_POOL.length)]).append('\n');
        s.append("    const.f64 r42, ").append(rnd.nextInt(9) / 4.0 - 1).append('\n');
        s.append("    i64.to_f64 r43, r2\n    const.f64 r54, 0.25\n    const.u64 r45, 0\n");
        s.append("    const.pool r44, str:\"h\u00e9llo \u65e5\u672c\"\n");
        s.append("    tuple.new r12, [r2]\n    const.func r13, cl0\n    const.func r15, heavyc\n");
        s.append("    closure.new r10, r13, r12\n    closure.new r11, r15, r12\n");
        // f64 environments: full, another order, short; and an i64 one given to the f64 leaf
        s.append("    tuple.new r46, [r40, r41, r42]\n    tuple.new r47, [r42, r40, r41]\n    tuple.new r48, [r41]\n");
        s.append("    tuple.new r49, [r2, r6, r2]\n");
        s.append("    const.func r50, fl0\n    const.func r51, fl1\n    const.func r52, fheavy\n");
        s.append("    closure.new r55, r50, r46\n    closure.new r56, r50, r47\n    closure.new r57, r51, r46\n");
        s.append("    closure.new r58, r52, r46\n    closure.new r59, r50, r48\n");
        if (rnd.nextInt(4) == 0) {
            s.append("    closure.new r59, r51, r49\n");
        }
        // one program in two keeps no struct in main (a method keeping one keeps no closure)
        boolean structs = rnd.nextBoolean();
        if (structs) {
            s.append("    struct.new r20, S, [");
            for (int j = 0; j < fields; j++) {
                s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r2" : "r6");
            }
            s.append("]\n");
        }
        s.append("    tuple.new r22, [r7, r8]\n    array.new r23, ints, [r7, r8, r6]\n");
        s.append("    const.u64 r28, 0\n    const.u64 r29, 0\n    mov r34, r10\n    mov r60, r55\n");
        s.append("    jmp loop\nloop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n");
        s.append("    i64.add r7, r7, r5\n    i64.to_u64 r29, r5\n");
        long depth = rnd.nextInt(10) == 0 ? 1020 + rnd.nextInt(6) : rnd.nextInt(12);
        if (depth >= 1020) {
            // deep: the recursion near the default call depth (1,024) each turn
            s.append("    call r0, rec, r0, [r3, r7] -> [r8]\n    i64.add r4, r4, r8\n");
        }
        int ops = structs ? 4 + rnd.nextInt(9) : 2 + rnd.nextInt(4);
        String[] fclosures = {"r55", "r56", "r57", "r58", "r55", "r56", "r59"};
        for (int u = 0; u < ops; u++) {
            int kind = rnd.nextInt(20);
            if (!structs && kind <= 2) {
                // spin: a small loop (its leaves inlined) over an i64 call.indirect site
                s.append("    call r0, spin, r0, [r5, r7] -> [r21]\n    i64.add r4, r4, r21\n");
                continue;
            }
            if (AttackAllTogetherTest.commonOp(s, kind, u, fields, rnd)) {
                continue;
            }
            switch (kind) {
                case 3, 4, 5 -> {
                    // an f64 call.indirect site picking among closures by i mod m
                    int m = 1 + rnd.nextInt(4);
                    s.append("    const.i64 r61, ").append(m).append("\n    i64.rem r62, r5, r61\n");
                    s.append("    mov r60, ").append(fclosures[rnd.nextInt(fclosures.length - 1)]).append('\n');
                    for (int k = 1; k < m; k++) {
                        s.append("    const.i64 r61, ").append(k).append("\n    i64.eq r63, r62, r61\n");
                        s.append("    br r63, t").append(u).append('_').append(k).append(", f").append(u).append('_')
                                .append(k).append('\n');
                        s.append('t').append(u).append('_').append(k).append(":\n    mov r60, ")
                                .append(fclosures[rnd.nextInt(fclosures.length)]).append("\n    jmp f").append(u)
                                .append('_').append(k).append('\n');
                        s.append('f').append(u).append('_').append(k).append(":\n");
                    }
                    String acc = freg(rnd);
                    s.append("    call.indirect r0, fl, r60, r0, [").append(freg(rnd)).append("] -> [r53]\n");
                    s.append("    f64.sub r53, r53, ").append(freg(rnd)).append("\n    f64.add ").append(acc).append(", ")
                            .append(acc).append(", r53\n");
                    if (rnd.nextInt(3) == 0) {
                        s.append("    closure.new r").append(55 + rnd.nextInt(2)).append(", r50, r4")
                                .append(6 + rnd.nextInt(2)).append('\n');
                    }
                }
                case 6, 7 -> {
                    // f64.sub + f64.add, the difference through its register (sometimes split)
                    String d = freg(rnd);
                    String acc = freg(rnd);
                    s.append("    f64.sub ").append(d).append(", ").append(freg(rnd)).append(", ").append(freg(rnd))
                            .append('\n');
                    if (rnd.nextInt(5) == 0) {
                        s.append("    jmp s").append(u).append("\ns").append(u).append(":\n");
                    }
                    s.append("    f64.add ").append(acc).append(", ").append(rnd.nextBoolean() ? acc : d).append(", ")
                            .append(rnd.nextBoolean() ? d : freg(rnd)).append('\n');
                }
                case 8, 9 -> {
                    // i64.to_f64 + f64.mul + f64.add (sometimes split)
                    String x = freg(rnd);
                    String p = freg(rnd);
                    s.append("    i64.to_f64 ").append(x).append(", r").append(rnd.nextBoolean() ? 5 : 7).append('\n');
                    s.append("    f64.mul ").append(p).append(", ").append(rnd.nextBoolean() ? x : freg(rnd)).append(", ")
                            .append(freg(rnd)).append('\n');
                    if (rnd.nextInt(5) == 0) {
                        s.append("    jmp m").append(u).append("\nm").append(u).append(":\n");
                    }
                    s.append("    f64.add ").append(freg(rnd)).append(", ").append(freg(rnd)).append(", ").append(p)
                            .append('\n');
                }
                case 10 -> s.append("    f64.div ").append(freg(rnd)).append(", ").append(freg(rnd)).append(", ")
                        .append(freg(rnd)).append('\n');
                case 11 -> s.append("    f64.to_bits r64, ").append(freg(rnd)).append("\n    u64.xor r45, r45, r64\n");
                case 12 -> s.append("    tuple.new r22, [r7, r4]\n    tuple.get r8, r22, ").append(rnd.nextInt(2))
                        .append("\n    tuple.len r28, r22\n    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n");
                case 13 -> s.append("    array.new r23, ints, [r7, r8, r5]\n    const.u64 r28, ")
                        .append(rnd.nextInt(10) == 0 ? 3 : rnd.nextInt(3)).append("\n    array.get r8, r23, r28\n");
                case 14 -> s.append("    host_call r0, hf, r0, [r").append(7 + rnd.nextInt(2)).append("] -> [r8]\n");
                case 15 -> s.append("    call r0, rec, r0, [r3, r7] -> [r8]\n    i64.add r4, r4, r8\n");
                case 16 -> s.append("    str.len r28, r44\n    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n");
                case 17 -> {
                    if (rnd.nextInt(4) == 0) {
                        // NaN, infinities and values out of range trap
                        s.append("    f64.to_i64 r21, ").append(freg(rnd)).append("\n    i64.add r4, r4, r21\n");
                    } else {
                        s.append("    f64.lt r63, ").append(freg(rnd)).append(", ").append(freg(rnd))
                                .append("\n    br r63, lt").append(u).append(", ge").append(u).append("\nlt").append(u)
                                .append(":\n    i64.add r4, r4, r6\n    jmp ge").append(u).append("\nge").append(u)
                                .append(":\n");
                    }
                }
                case 18 -> s.append("    i64.div r8, r4, r").append(rnd.nextInt(3) == 0 ? 8 : 9).append('\n');
                default -> s.append("    i64.").append(rnd.nextBoolean() ? "add" : "mul").append(" r")
                        .append(7 + rnd.nextInt(2)).append(", r7, r8\n");
            }
        }
        s.append("    i64.add r4, r4, r8\n    i64.add r5, r5, r6\n    jmp loop\ndone:\n");
        s.append("    f64.to_bits r64, r40\n    u64.xor r45, r45, r64\n    ret r0, [r4, r41, r45]\n}\n");
        s.append("func leaf(s: agg struct S) -> (i64) {\n    struct.get r2, r1, ").append(rnd.nextInt(fields))
                .append("\n    struct.get r3, r1, ").append(rnd.nextInt(fields)).append('\n');
        s.append("    i64.lt r4, r2, r3\n    br r4, a, b\na:\n    i64.mul r2, r2, r3\n    jmp b\nb:\n    ret r0, [r2]\n}\n");
        s.append("func cl0(env: agg tuple(i64), s: agg struct S) -> (i64) {\n    tuple.get r3, r1, 0\n")
                .append("    struct.get r4, r2, ").append(rnd.nextInt(fields)).append("\n    i64.add r4, r4, r3\n")
                .append("    ret r0, [r4]\n}\n");
        s.append("func heavyc(env: agg tuple(i64), s: agg struct S) -> (i64) {\n    struct.get r3, r2, 0\n")
                .append("    const.i64 r4, 5\n    i64.div r3, r3, r4\n    call r0, leaf, r0, [r2] -> [r5]\n")
                .append("    i64.add r3, r3, r5\n    ret r0, [r3]\n}\n");
        s.append("func il0(env: agg tuple(i64, i64, i64), x: i64) -> (i64) {\n    mov r3, r2\n");
        for (int j = 0, reads = 1 + rnd.nextInt(4); j < reads; j++) {
            s.append("    tuple.get r4, r1, ").append(rnd.nextInt(3)).append("\n    i64.")
                    .append(j % 2 == 0 ? "mul" : "add").append(" r3, r3, r4\n");
        }
        s.append("    i64.lt r5, r3, r2\n    br r5, a, b\na:\n    i64.sub r3, r3, r2\n    jmp b\nb:\n    ret r0, [r3]\n}\n");
        s.append("func il1(env: agg tuple(i64, i64, i64), x: i64) -> (i64) {\n"
                + "    tuple.get r3, r1, 1\n    i64.sub r3, r2, r3\n    ret r0, [r3]\n}\n");
        s.append("func ihv(env: agg tuple(i64, i64, i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n"
                + "    call r0, il1, r0, [r1, r2] -> [r4]\n    i64.div r4, r4, r3\n    ret r0, [r4]\n}\n");
        // f64 leaves: reads of the environment, a sub/add pair and a triple
        s.append("func fl0(env: agg tuple(f64, f64, f64), x: f64) -> (f64) {\n");
        int reads = 1 + rnd.nextInt(3);
        s.append("    mov r3, r2\n");
        for (int j = 0; j < reads; j++) {
            s.append("    tuple.get r4, r1, ").append(rnd.nextInt(3)).append('\n');
            s.append("    f64.sub r5, r3, r4\n    f64.add r3, r5, r2\n");
        }
        s.append("    ret r0, [r3]\n}\n");
        s.append("func fl1(env: agg tuple(f64, f64, f64), x: f64) -> (f64) {\n    tuple.get r3, r1, ")
                .append(rnd.nextInt(3)).append("\n    const.i64 r4, 3\n    i64.to_f64 r5, r4\n")
                .append("    f64.mul r6, r5, r3\n    f64.add r6, r6, r2\n    f64.lt r7, r6, r2\n    br r7, a, b\n")
                .append("a:\n    f64.neg r6, r6\n    jmp b\nb:\n    ret r0, [r6]\n}\n");
        s.append("func fheavy(env: agg tuple(f64, f64, f64), x: f64) -> (f64) {\n    tuple.get r3, r1, 0\n")
                .append("    call r0, fl0, r0, [r1, r2] -> [r4]\n    f64.sub r4, r4, r3\n    f64.add r4, r4, r2\n")
                .append("    ret r0, [r4]\n}\n");
        // spin(k, x): 1 + k mod 3 turns of a site picking by turn among closures over inlined
        // leaves (kept per site), one that is no leaf, one over a short environment
        String[] iclosures = {"r7", "r9", "r10", "r7", "r11", "r8"};
        s.append("func spin(k: i64, x: i64) -> (i64) {\n    tuple.new r3, [r2, r1, r2]\n    tuple.new r4, [r1]\n")
                .append("    const.func r5, il0\n    const.func r6, il1\n    closure.new r7, r5, r3\n")
                .append("    closure.new r8, r5, r4\n    closure.new r9, r6, r3\n    const.func r12, ihv\n")
                .append("    closure.new r10, r12, r3\n    tuple.new r13, [r1, r1, r2]\n    closure.new r11, r5, r13\n")
                .append("    const.i64 r14, 3\n    i64.rem r15, r1, r14\n    const.i64 r16, 0\n    const.i64 r17, 1\n")
                .append("    i64.add r15, r15, r17\n    mov r18, r2\n    mov r22, r7\n    jmp top\ntop:\n")
                .append("    i64.lt r19, r16, r15\n    br r19, go, out\ngo:\n");
        int m = 1 + rnd.nextInt(4);
        s.append("    const.i64 r20, ").append(m).append("\n    i64.rem r21, r16, r20\n");
        s.append("    mov r22, ").append(iclosures[rnd.nextInt(iclosures.length - 1)]).append('\n');
        for (int k = 1; k < m; k++) {
            s.append("    const.i64 r20, ").append(k).append("\n    i64.eq r19, r21, r20\n");
            s.append("    br r19, t").append(k).append(", f").append(k).append("\nt").append(k).append(":\n    mov r22, ")
                    .append(iclosures[rnd.nextInt(rnd.nextInt(8) == 0 ? iclosures.length : iclosures.length - 1)])
                    .append("\n    jmp f").append(k).append("\nf").append(k).append(":\n");
        }
        s.append("    call.indirect r0, ione, r22, r0, [r18] -> [r23]\n    i64.xor r18, r18, r23\n");
        if (rnd.nextInt(3) == 0) {
            s.append("    closure.new r7, r5, r3\n");
        }
        s.append("    i64.add r16, r16, r17\n    jmp top\nout:\n    ret r0, [r18]\n}\n");
        s.append(AttackPrograms.REC_TUPLE);
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(6), rnd.nextLong(1000), depth);
    }


    /** @return how many instructions of the interpreter's lowered code have lowered op {@code op} */
    private static int lowered(VerifiedProgram p, int op) {
        int n = 0;
        for (LoweredFunction lf : new Vm(p, Host.NONE, Tiers.LAZY).funcs) {
            int[] code = lf.code();
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0 && code[i] == op) {
                    n++;
                }
            }
        }
        return n;
    }

    /** @return how many closures function {@code f}'s generated method keeps (its {@code if_acmpne}s) */
    static int cachedSites(VerifiedProgram p, int f) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE, Tiers.LAZY).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, f).bytes();
        int[] n = {0};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitJumpInsn(int op, org.objectweb.asm.Label label) {
                        if (op == Opcodes.IF_ACMPNE) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    @Test
    void tiersSteppedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.seven", 3);
        int[] traps = {0};
        int[] results = {0};
        int[] subAdds = {0};
        int[] triples = {0};
        int[] cached = {0};
        TierCompare.sweep(seeds, AttackRoundSevenTogetherTest::program, g -> (int) (g.d() + 2) * 14 + 120,
                (seed, g, what, now) -> {
                    VerifiedProgram vp = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(g.source(), "seven.tasm"));
                    subAdds[0] += lowered(vp, LOp.F64_SUB_ADD);
                    triples[0] += lowered(vp, LOp.I64_TO_F64_MUL_ADD);
                    cached[0] += cachedSites(vp, vp.functionCount() - 2) > 0 ? 1 : 0;
                    if (now[0].startsWith("full trap")) {
                        traps[0]++;
                    } else {
                        results[0]++;
                    }
                });
        long count = seeds.count();
        assertTrue(traps[0] >= count / 8 && results[0] >= count / 8, "traps " + traps[0] + ", results " + results[0]);
        // the round's features are reached: both superinstructions, and sites that keep a closure
        assertTrue(subAdds[0] >= count && triples[0] >= count / 2,
                "sub/add pairs " + subAdds[0] + ", triples " + triples[0]);
        assertTrue(cached[0] >= count / 2, "programs whose main keeps a closure: " + cached[0]);
    }
}
