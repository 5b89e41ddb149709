package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.format.Op;
import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@link ArrayRun} (attack-a29): shapes {@code ArrayRunTiersTest}'s array_loop programs
 * do not have. Random programs whose walk over an array reaches the run with a parameter typed
 * {@code agg array ints} holding an i64 array (mostly), a u64, f64 or bool array, an empty array, a
 * tuple or a struct (the verifier does not check the shape a caller passes: {@code type_mismatch}
 * or {@code agg_error} at the read, on the slow path);
 * indices 2<sup>63</sup>-1, 2<sup>63</sup>, 2<sup>64</sup>-1, the length and the last element; a
 * second array of u64 read in the same run; reads after a direct call of a leaf that reads the
 * array (a callee CallLoop takes), after a call of a small leaf (LeafLoop), after a
 * {@code call.indirect} of a closure whose environment is the array and whose body reads it
 * (ClosureLoop), inside those callees (each loop hands the read back), after a {@code tuple.new} of
 * words (chained to the read in {@code execute}'s outer {@code switch}), after a branch within the
 * body and after ops the run leaves to {@code execute}. Each program runs through {@link StepSweep#sweep} (every fuel budget stepped,
 * untraced and compiled alike; pauses with snapshots restored).
 */
class AttackArrayRunTest {
    /** Indices the walk's extra reads use: in range, then out of range at both ends. */
    private static final String[] INDICES = {"0", "1", "9223372036854775807", "9223372036854775808",
        "18446744073709551615"};

    /** The program's text for {@code seed}: function 0 is {@code main(n: i64) -> (i64)}. */
    static String source(long seed) {
        Random rnd = new Random(seed);
        int len = new int[] {0, 1, 2, 3, 5, 8, 40}[rnd.nextInt(7)];
        StringBuilder s = new StringBuilder("program arrays\n\narray ints = i64\narray uints = u64\n")
                .append("array flts = f64\narray bools = bool\nstruct P = { a: i64, b: i64 }\n")
                .append("callsig rd = (u64) -> (i64)\n\n");
        s.append("func main(n: i64) -> (total: i64) {\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 1\n    const.u64 r5, 0\n");
        s.append("    const.f64 r6, 1.5\n    const.bool r7, true\n");
        StringBuilder ints = new StringBuilder();
        StringBuilder uints = new StringBuilder();
        for (int i = 0; i < len; i++) {
            s.append("    const.i64 r").append(20 + i).append(", ").append(rnd.nextInt(2001) - 1000).append('\n');
            s.append("    const.u64 r").append(20 + len + i).append(", ").append(rnd.nextInt(100)).append('\n');
            ints.append(i == 0 ? "r" : ", r").append(20 + i);
            uints.append(i == 0 ? "r" : ", r").append(20 + len + i);
        }
        s.append("    array.new r8, ints, [").append(ints).append("]\n");
        s.append("    array.new r9, uints, [").append(uints).append("]\n");
        s.append("    array.new r10, flts, [r6, r6]\n    array.new r11, bools, [r7]\n");
        s.append("    tuple.new r12, [r2, r4]\n    struct.new r13, P, [r2, r4]\n    array.new r14, ints, []\n");
        // what the walk reads as its i64 array: mostly the i64 array
        int pick = rnd.nextInt(20);
        int xs = pick < 14 ? 8 : new int[] {9, 10, 11, 12, 13, 14}[pick - 14];
        s.append("    const.u64 r15, ").append(len).append('\n');
        s.append("    jmp loop\nloop:\n    i64.lt r16, r3, r1\n    br r16, body, done\nbody:\n");
        s.append("    call r0, walk, r0, [r").append(xs).append(", r9, r5, r2, r15] -> [r2]\n");
        s.append("    i64.add r3, r3, r4\n    jmp loop\ndone:\n    ret r0, [r2]\n}\n\n");

        // walk(xs: agg, ys: agg, j: u64, acc: i64, bound: u64)
        s.append("func walk(xs: agg array ints, ys: agg array uints, j: u64, acc: i64, bound: u64) -> (total: i64) {\n");
        s.append("    const.u64 r6, 1\n    const.func r7, reader\n    closure.new r8, r7, r1\n")
                .append("    const.u64 r13, 0\n");
        s.append("    u64.lt r9, r3, r5\n    br r9, top, out\ntop:\n    array.get r10, r1, r3\n");
        int items = 1 + rnd.nextInt(6);
        int label = 0;
        for (int i = 0; i < items; i++) {
            switch (rnd.nextInt(18)) {
                case 0, 1 -> s.append("    array.get r11, r1, r3\n    i64.add r4, r4, r11\n");
                case 2 -> s.append("    array.get r12, r2, r3\n    u64.add r13, r13, r12\n");
                case 3 -> s.append("    i64.mul r11, r10, r10\n    i64.sub r4, r4, r11\n");
                case 4 -> {
                    // an index far out of range, rarely: the read traps on the slow path
                    String k = rnd.nextInt(4) == 0 ? INDICES[2 + rnd.nextInt(3)] : INDICES[rnd.nextInt(2)];
                    s.append("    const.u64 r14, ").append(k).append("\n    array.get r11, r1, r14\n");
                }
                case 5 -> s.append("    array.len r15, r1\n    u64.sub r16, r15, r6\n    array.get r11, r1, r16\n");
                case 6 -> s.append(rnd.nextInt(3) == 0 ? "    array.len r15, r1\n    array.get r11, r1, r15\n"
                        : "    array.len r15, r1\n");
                case 7 -> s.append("    call r0, leaf, r0, [r1, r3] -> [r11]\n    array.get r11, r1, r3\n");
                case 8 -> s.append("    call.indirect r0, rd, r8, r0, [r3] -> [r11]\n    array.get r17, r1, r3\n")
                        .append("    i64.add r4, r4, r11\n");
                case 9 -> s.append("    tuple.new r18, [r10, r4]\n    array.get r11, r1, r3\n    i64.add r4, r4, r11\n");
                case 10 -> {
                    // a branch inside the body, then a read
                    s.append("    u64.lt r19, r3, r6\n    br r19, b").append(label).append(", c").append(label)
                            .append("\nb").append(label).append(":\n    array.get r11, r1, r3\n    jmp c")
                            .append(label).append("\nc").append(label).append(":\n");
                    label++;
                }
                case 11 -> s.append("    i64.xor r4, r4, r10\n    array.get r11, r1, r3\n");
                case 12 -> s.append("    array.get_imm r11, r1, 0\n    array.get r11, r1, r3\n");
                case 13 -> s.append("    mov r11, r10\n    const.i64 r20, 3\n    i64.add r4, r4, r20\n");
                case 14 -> s.append("    i64.lt r21, r10, r4\n    array.get r11, r1, r3\n    i64.add r4, r4, r11\n");
                case 15 -> s.append("    array.get r11, r1, r3\n    array.get r17, r1, r3\n    array.get r11, r1, r3\n");
                case 16 -> s.append("    call r0, inc, r0, [r4] -> [r4]\n    array.get r11, r1, r3\n    i64.add r4, r4, r11\n");
                default -> s.append("    i64.add r4, r4, r10\n");
            }
        }
        s.append("    u64.add r3, r3, r6\n    u64.lt r9, r3, r5\n    br r9, top, out\nout:\n    ret r0, [r4]\n}\n\n");
        // a callee CallLoop takes (a constant first), and a closure's ClosureLoop takes: each hands its
        // array.get back to execute, which starts an ArrayRun there
        s.append("func leaf(xs: agg array ints, j: u64) -> (v: i64) {\n    const.i64 r4, 1\n    array.get r3, r1, r2\n")
                .append("    i64.add r3, r3, r4\n    ret r0, [r3]\n}\n\n");
        s.append("func reader(env: agg array ints, j: u64) -> (v: i64) {\n    const.i64 r5, 0\n    array.get r3, r1, r2\n")
                .append("    array.len r4, r1\n    array.get r3, r1, r2\n    ret r0, [r3]\n}\n\n");
        // a small leaf (LeafLoop runs its call and what follows, up to the array.get after it)
        s.append("func inc(x: i64) -> (v: i64) {\n    const.i64 r2, 1\n    i64.add r3, r1, r2\n    ret r0, [r3]\n}\n");
        return s.toString();
    }

    /** The programs each run checks. */
    private static final int SEEDS = 100;

    private static final List<Value> ARGS = List.of(Value.i64(3));

    @Test
    void randomWalksEndAsTheirInstructionsOneAtATimeOnBothTiers() throws Exception {
        Map<TrapKind, Integer> kinds = new EnumMap<>(TrapKind.class);
        Set<Integer> after = new HashSet<>();
        Set<Integer> all = new HashSet<>();
        long total = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            String text = source(seed);
            Tiers t = Tiers.of(Tiers.verified(Assembler.assemble(text, "walk-" + seed + ".tasm")), new HostRegistry());
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed + "\n" + text);
            if (full.trapped()) {
                kinds.merge(full.kind(), 1, Integer::sum);
            }
            ArrayRunTiersTest.followers(t.interpreted, after, all);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        // an array.get right before each shape these programs add
        for (int op : new int[] {LOp.ARRAY_GET_W, Op.ARRAY_LEN, Op.U64_ADD, Op.I64_MUL, Op.I64_ADD, LOp.MOV_W,
            LOp.CONST_W, Op.CALL, LOp.CALL_INDIRECT_CLOSURE, LOp.TUPLE_NEW_W, LOp.U64_LT_BR, Op.I64_XOR,
            LOp.ARRAY_GET_IMM_W, Op.I64_LT}) {
            assertTrue(after.contains(op), "no array.get before op 0x" + Integer.toHexString(op) + " in " + after);
        }
        // 100 seeds: 18 agg_error, 19 type_mismatch, 30,088 instructions
        assertTrue(kinds.getOrDefault(TrapKind.AGG_ERROR, 0) >= 10, kinds.toString());
        assertTrue(kinds.getOrDefault(TrapKind.TYPE_MISMATCH, 0) >= 10, kinds.toString());
        assertTrue(total > SEEDS * 100, "the programs ran " + total + " instructions");
    }


    /**
     * The same programs on both tiers at every heap limit from 400 bytes under what each run
     * allocates (its arrays, the walk's closures and tuples) to one past it, and at every fuel
     * limit ({@link Tiers#fuelAndHeapSweep}).
     */
    @Test
    void heapLimitsAroundTheWalksEndAlikeOnBothTiers() throws Exception {
        int traps = Tiers.fuelAndHeapSweep(1, 31, seed -> new Tiers.Generated(source(seed), ARGS),
                (g, vp, t, full, what) -> { });
        assertTrue(traps > 30 * 100, traps + " heap traps");
    }
}
