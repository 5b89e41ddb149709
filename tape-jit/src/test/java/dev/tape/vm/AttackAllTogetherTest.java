package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sixth round's changes together: random programs that mix structs the compiled tier keeps
 * in locals (read by field, passed to an inlined leaf, through closures at one
 * {@code call.indirect} site that sees a leaf and a function that is no leaf, put into tuples),
 * tuples and arrays built in loops (an array read past its end traps now and then), a recursion as
 * deep as an argument says (building a tuple per frame; one program in ten past the frame records
 * and register files a context keeps between runs), closures made in the loop, string and
 * byte slices and conversions (ranges out of bounds and off character boundaries trap), decimals
 * (products that overflow, sums of mismatched scales), word host calls that throw for some
 * arguments, divisions by zero and plain block starts. Each program is assembled, ENCODED,
 * decoded and verified, and then {@link AttackAllDriver} writes a transcript of it on the
 * interpreter, on the compiled tier and on the interpreter stepped with an INSTR trace (every fuel
 * limit with each pause restored on the other tier, heap limits near what the run allocates,
 * every call-depth and host-call limit, slices of 1, 3 and 7 fuel; contexts reused across limits).
 * The three must be equal line by line; and when {@code -Dtape.before.jar=FILE} names the build
 * before a change (a tape-bench or tape-core jar), the driver is loaded a second time against it in
 * a class loader of its own and its three transcripts must equal these.
 *
 * <p>It runs 10 programs; {@code -Dattack.all.from=N -Dattack.all.seeds=M} runs others. Nothing
 * differed on 02e690b, between its tiers and stepped runs or against 29710e0 (the build before
 * the round), in 1,020 programs: seeds 1000 to 1399 of an earlier form (no plain programs, no
 * deep recursion, no shared context, no forks), 5000 to 5299 (no deep recursion, shared context or
 * forks), 9000 to 9199 (no forks) and 20000 to 20119 of this form. It stays as a regression test.
 */
class AttackAllTogetherTest {
    /** A generated program and the entry's arguments (n turns, x, recursion depth d). */
    record Generated(String source, long n, long x, long d, boolean plain) {}

    private static final String[] FIELD_VALUES = {"r5", "r4", "r7", "r8"};

    /**
     * Appends the operation kinds both this test's and {@code AttackRoundSevenTogetherTest}'s
     * generators make: 0 a kept struct built and read, 1 a direct leaf call, 2 a
     * {@code call.indirect} of one of two closures picked by a branch.
     *
     * @param s the function's text so far
     * @param kind the operation kind drawn
     * @param u the operation's index (labels)
     * @param fields the struct's field count
     * @param rnd the generator's random source (kind 0 draws the field read)
     * @return whether {@code kind} is one of these (and was appended)
     */
    static boolean commonOp(StringBuilder s, int kind, int u, int fields, SplittableRandom rnd) {
        switch (kind) {
            case 0 -> {
                s.append("    struct.new r20, S, [");
                for (int j = 0; j < fields; j++) {
                    s.append(j == 0 ? "" : ", ").append(FIELD_VALUES[(j + u) % 4]);
                }
                s.append("]\n    struct.get r21, r20, ").append(rnd.nextInt(fields))
                        .append("\n    i64.add r4, r4, r21\n");
            }
            case 1 -> s.append("    call r0, leaf, r0, [r20] -> [r21]\n    i64.xor r4, r4, r21\n");
            case 2 -> {
                s.append("    i64.rem r21, r5, r9\n    const.i64 r8, 0\n    i64.eq r14, r21, r8\n");
                s.append("    br r14, pa").append(u).append(", pb").append(u).append('\n');
                s.append("pa").append(u).append(":\n    mov r34, r10\n    jmp c").append(u).append('\n');
                s.append("pb").append(u).append(":\n    mov r34, r11\n    jmp c").append(u).append('\n');
                s.append("c").append(u).append(":\n    call.indirect r0, one, r34, r0, [r20] -> [r21]\n");
                s.append("    i64.add r4, r4, r21\n");
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int fields = 1 + rnd.nextInt(4);
        // a plain main has only instructions HeapLocal covers: it keeps the heap room in a local
        boolean plain = rnd.nextInt(3) == 0;
        StringBuilder s = new StringBuilder("program together\nhost hf = \"w.f\" (i64) -> (i64)\narray ints = i64\n");
        s.append("struct S = { ");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append("f").append(j).append(": i64");
        }
        s.append(" }\ncallsig one = (agg) -> (i64)\n");
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        AttackPrograms.mainStart(s, rnd);
        if (plain) {
            // function values instead of closures, the struct made by a call
            s.append("    const.func r10, leaf\n    const.func r11, heavy\n    call r0, mk, r0, [r2, r6] -> [r20]\n");
        } else {
            s.append("    tuple.new r12, [r2]\n    const.func r13, cl0\n    const.func r15, heavyc\n");
            s.append("    closure.new r10, r13, r12\n    closure.new r11, r15, r12\n");
            s.append("    struct.new r20, S, [");
            for (int j = 0; j < fields; j++) {
                s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r2" : "r6");
            }
            s.append("]\n    const.pool r24, str:\"h\u00e9llo \u65e5\u672c\"\n    str.to_bytes r25, r24\n");
            s.append("    i64.to_dec r32, r6, 0\n");
        }
        s.append("    tuple.new r22, [r7, r8]\n    array.new r23, ints, [r7, r8, r6]\n");
        s.append("    const.u64 r28, 0\n    const.u64 r29, 0\n    const.u64 r30, 0\n    mov r34, r10\n");
        s.append("    jmp loop\nloop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n");
        s.append("    i64.add r7, r7, r5\n    i64.to_u64 r29, r5\n");
        int ops = 3 + rnd.nextInt(7);
        for (int u = 0; u < ops; u++) {
            int kind = rnd.nextInt(15);
            if (plain && (kind == 0 || kind >= 7 && kind <= 11)) {
                switch (kind) {
                    case 0 -> s.append("    call r0, mk, r0, [r7, r4] -> [r20]\n");
                    case 7, 8 -> s.append("    array.len r28, r23\n    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n");
                    default -> s.append("    tuple.new r35, [r20, r7]\n    tuple.get r21, r35, 1\n")
                            .append("    i64.add r4, r4, r21\n    tuple.get r36, r35, 0\n");
                }
                continue;
            }
            if (commonOp(s, kind, u, fields, rnd)) {
                continue;
            }
            switch (kind) {
                case 3 -> s.append("    tuple.new r22, [r7, r4]\n    tuple.get r8, r22, ").append(rnd.nextInt(2))
                        .append(plain ? "\n" : "\n    tuple.len r28, r22\n    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n");
                case 4 -> s.append("    array.new r23, ints, [r7, r8, r5]\n    const.u64 r28, ")
                        .append(rnd.nextInt(10) == 0 ? 3 : rnd.nextInt(3)).append("\n    array.get r8, r23, r28\n");
                case 5 -> s.append("    host_call r0, hf, r0, [r").append(7 + rnd.nextInt(2)).append("] -> [r8]\n");
                case 6 -> s.append("    call r0, rec, r0, [r3, r7] -> [r8]\n    i64.add r4, r4, r8\n");
                case 7 -> {
                    // a slice of the string from i to a constant end (out of range or off a boundary traps)
                    s.append("    const.u64 r30, ").append(rnd.nextInt(4) == 0 ? rnd.nextInt(14) : 12).append('\n');
                    s.append("    str.slice r26, r24, r29, r30\n    str.len r28, r26\n    u64.to_i64 r21, r28\n");
                    s.append("    i64.add r4, r4, r21\n    str.to_bytes r27, r26\n    bytes.len r28, r27\n");
                }
                case 8 -> {
                    s.append("    const.u64 r30, ").append(1 + rnd.nextInt(12)).append('\n');
                    s.append("    bytes.slice r27, r25, r29, r30\n    const.u64 r28, 0\n    bytes.get r28, r27, r28\n");
                    s.append("    u64.to_i64 r21, r28\n    i64.add r4, r4, r21\n");
                    if (rnd.nextBoolean()) {
                        s.append("    bytes.to_str r26, r27\n    str.len r28, r26\n");
                    }
                    if (rnd.nextBoolean()) {
                        s.append("    bytes.get_imm r28, r27, ").append(rnd.nextInt(3)).append('\n');
                    }
                }
                case 9 -> {
                    boolean odd = rnd.nextInt(6) == 0;
                    s.append("    i64.to_dec r31, r7, ").append(odd ? 2 : 0).append('\n');
                    s.append("    dec.add r32, r32, r31\n    dec.mul r33, r31, r32\n    dec.mul r33, r33, r33\n");
                    s.append("    dec.to_i64 r21, r33\n    i64.add r4, r4, r21\n");
                }
                case 10 -> s.append("    closure.new r34, r13, r12\n    call.indirect r0, one, r34, r0, [r20] -> [r21]\n")
                        .append("    i64.sub r4, r4, r21\n");
                case 11 -> s.append("    struct.field_count r28, r20\n    tuple.new r35, [r20, r7]\n")
                        .append("    tuple.get r21, r35, 1\n    i64.add r4, r4, r21\n    tuple.get r36, r35, 0\n");
                case 12 -> s.append("    jmp n").append(u).append("\nn").append(u).append(":\n");
                case 13 -> s.append("    i64.div r8, r4, r8\n");
                default -> s.append("    i64.").append(rnd.nextBoolean() ? "add" : "mul").append(" r")
                        .append(7 + rnd.nextInt(2)).append(", r7, r8\n");
            }
        }
        s.append("    i64.add r4, r4, r8\n    i64.add r5, r5, r6\n    jmp loop\ndone:\n    ret r0, [r4]\n}\n");
        s.append("func leaf(s: agg struct S) -> (i64) {\n    struct.get r2, r1, ").append(rnd.nextInt(fields))
                .append("\n    struct.get r3, r1, ").append(rnd.nextInt(fields)).append('\n');
        s.append("    i64.lt r4, r2, r3\n    br r4, a, b\na:\n    i64.mul r2, r2, r3\n    jmp b\nb:\n    ret r0, [r2]\n}\n");
        s.append("func cl0(env: agg tuple(i64), s: agg struct S) -> (i64) {\n    tuple.get r3, r1, 0\n")
                .append("    struct.get r4, r2, ").append(rnd.nextInt(fields)).append("\n    i64.add r4, r4, r3\n")
                .append("    ret r0, [r4]\n}\n");
        s.append("func heavyc(env: agg tuple(i64), s: agg struct S) -> (i64) {\n    struct.get r3, r2, 0\n")
                .append("    const.i64 r4, 5\n    i64.div r3, r3, r4\n    call r0, leaf, r0, [r2] -> [r5]\n")
                .append("    i64.add r3, r3, r5\n    ret r0, [r3]\n}\n");
        s.append("func heavy(s: agg struct S) -> (i64) {\n    struct.get r2, r1, ").append(rnd.nextInt(fields))
                .append("\n    const.i64 r3, 3\n    i64.div r2, r2, r3\n    call r0, leaf, r0, [r1] -> [r4]\n")
                .append("    i64.add r2, r2, r4\n    ret r0, [r2]\n}\n");
        s.append("func mk(a: i64, b: i64) -> (agg) {\n    struct.new r3, S, [");
        for (int j = 0; j < fields; j++) {
            s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r1" : "r2");
        }
        s.append("]\n    ret r0, [r3]\n}\n");
        s.append(AttackPrograms.REC_TUPLE);
        long d = rnd.nextInt(10) == 0 ? 4100 + rnd.nextInt(8) : rnd.nextInt(12);
        return new Generated(s.toString(), 1 + rnd.nextInt(5), rnd.nextLong(1000), d, plain);
    }

    /** @return how many times main's generated method calls {@code JitRuntime.heapThreshold} */
    private static int heapThresholds(String source) {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "p"));
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE, Tiers.LAZY).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "heapThreshold");
    }

    @Test
    void tiersSteppedAndTheBuildBeforeAgree() throws Exception {
        int traps = 0;
        int results = 0;
        int compiled = 0;
        int plains = 0;
        String[] names = {"interpreted", "compiled", "stepped"};
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.all", 10);
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                Generated g = program(seed);
                long[] argv = {g.n(), g.x(), g.d()};
                boolean pre = seed % 2 == 0;
                String what = "seed " + seed + " args " + java.util.Arrays.toString(argv) + "\n" + g.source();
                String[] now;
                try {
                    now = AttackAllDriver.transcripts(g.source(), argv, g.d() + 4, pre);
                } catch (RuntimeException e) {
                    throw new AssertionError(what, e);
                }
                TierCompare.assertLines(names[0], now[0], names[1], now[1], what);
                TierCompare.assertLines(names[0], now[0], names[2], now[2], what);
                if (old.run() != null) {
                    // the four-argument transcripts: no register limits, no framed VM
                    String[] then = (String[]) old.run().invoke(null, g.source(), argv, g.d() + 4, pre, 0, false);
                    for (int k = 0; k < 3; k++) {
                        TierCompare.assertLines("before " + names[k], then[k], "now " + names[k], now[k], what);
                    }
                }
                if (pre ? now[3].equals("7") : !now[3].equals("0")) {
                    compiled++;
                }
                if (g.plain()) {
                    plains++;
                    // main keeps the heap room in a local (it tests the threshold)
                    assertTrue(heapThresholds(g.source()) > 0, what);
                }
                if (now[0].startsWith("full trap")) {
                    traps++;
                } else {
                    results++;
                }
            }
        }
        // all seven functions compiled when compiled first, and at least main when compiled on first use
        assertTrue(compiled == seeds.count(), "programs compiled: " + compiled);
        assertTrue(plains >= seeds.count() / 8, "plain programs: " + plains);
        assertTrue(traps >= seeds.count() / 8 && results >= seeds.count() / 8, "traps " + traps + ", results " + results);
    }
}
