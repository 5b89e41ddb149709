package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.format.Op;
import dev.tape.host.HostRegistry;
import dev.tape.program.Program;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ArrayRun}, the loop of its own that runs {@code array.get} into a word register and the
 * array and word instructions after it, changes nothing observable. Random programs shaped as the
 * bench's array_loop (an outer loop builds an i64 array of 0, 1, 2, 16 or 200 to 300 elements and
 * calls a function whose entry block is an indexed loop over it) put, after the loop's first
 * {@code array.get}, random items: further reads at the index, one past it and one before it (out of
 * range at either end: {@code agg_error}), {@code array.len}, word {@code mov}, constants,
 * {@code i64.add/sub/mul}, constant + {@code i64.add}, and ones the run leaves to {@code execute}
 * ({@code i64.xor}, {@code array.get_imm}, a plain {@code i64.lt}); the loop's latch is
 * {@code u64.lt}+{@code br} or {@code i64.add}+{@code i64.lt}+{@code br}, the start index 0, the
 * last element, the length or 2^64-1, the bound the length or one more. They run through
 * {@link StepSweep#sweep} (the interpreter untraced, stepped one instruction at a time and the
 * compiled tier end alike under every fuel budget, and pause alike at fuel slices, snapshots
 * included), and end alike on all three under heap limits around each array's allocation (same
 * trap, pc, fuel and heap charge).
 */
class ArrayRunTiersTest {
    /** The program's text for {@code seed}: function 0 is {@code main(n: i64) -> (i64)}. */
    static String source(long seed) {
        Random rnd = new Random(seed);
        int[] lengths = {0, 1, 2, 16, 16, 16, 200 + rnd.nextInt(101)};
        int len = lengths[rnd.nextInt(lengths.length)];
        StringBuilder s = new StringBuilder("program arrays\n\narray ints = i64\n\n");
        s.append("func main(n: i64) -> (total: i64) {\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 1\n");
        s.append("    i64.lt r6, r3, r1\n    br r6, build, done\nbuild:\n");
        int[] elems = new int[len];
        for (int i = 0; i < len; i++) {
            elems[i] = 7 + i;
            s.append("    i64.add r").append(7 + i).append(", r").append(i == 0 ? 3 : 6 + i).append(", r4\n");
        }
        int a = 7 + len;
        s.append("    array.new r").append(a).append(", ints, [");
        for (int i = 0; i < len; i++) {
            s.append(i == 0 ? "r" : ", r").append(elems[i]);
        }
        s.append("]\n    array.len r").append(a + 1).append(", r").append(a).append('\n');
        // the start index: mostly 0, else the last element, the length (out of range) or 2^64-1
        int pick = rnd.nextInt(12);
        String startIndex = len > 16 ? Integer.toString(len - 2 - rnd.nextInt(2))
                : pick == 0 ? Integer.toString(len) : pick == 1 ? "18446744073709551615"
                : pick == 2 && len > 0 ? Integer.toString(len - 1) : "0";
        s.append("    const.u64 r").append(a + 2).append(", ").append(startIndex).append('\n');
        // the bound: the length, or one more (the last trip reads out of range)
        if (rnd.nextInt(8) == 0) {
            s.append("    const.u64 r").append(a + 4).append(", 1\n");
            s.append("    u64.add r").append(a + 3).append(", r").append(a + 1).append(", r").append(a + 4).append('\n');
        } else {
            s.append("    mov r").append(a + 3).append(", r").append(a + 1).append('\n');
        }
        // an i64 trip counter for the other latch: as many trips as the u64 one would make
        s.append("    const.i64 r").append(a + 5).append(", 0\n");
        s.append("    const.i64 r").append(a + 6).append(", ").append(Math.min(len, 3)).append('\n');
        s.append("    call r0, sum, r0, [r").append(a).append(", r").append(a + 2).append(", r2, r").append(a + 3)
                .append(", r").append(a + 5).append(", r").append(a + 6).append(", r4] -> [r2]\n");
        // reads in the block that built the array, right after each other
        if (len > 0 && rnd.nextBoolean()) {
            s.append("    const.u64 r").append(a + 7).append(", ").append(rnd.nextInt(len)).append('\n');
            s.append("    array.get r").append(a + 8).append(", r").append(a).append(", r").append(a + 7).append('\n');
            s.append("    array.get r").append(a + 9).append(", r").append(a).append(", r").append(a + 7).append('\n');
            s.append("    i64.add r2, r2, r").append(a + 8).append('\n');
        }
        s.append("    i64.add r3, r3, r4\n    i64.lt r6, r3, r1\n    br r6, build, done\ndone:\n    ret r0, [r2]\n}\n\n");
        // sum(xs, j, acc, bound, k, trips, one): the indexed loop is the entry block (shapes across blocks)
        s.append("func sum(xs: agg array ints, j: u64, acc: i64, bound: u64, k: i64, trips: i64, one: i64)")
                .append(" -> (total: i64) {\ntop:\n    array.get r8, r1, r2\n");
        int items = 1 + rnd.nextInt(5);
        for (int i = 0; i < items; i++) {
            switch (rnd.nextInt(14)) {
                case 0, 1 -> s.append("    array.get r9, r1, r2\n    i64.add r3, r3, r9\n");
                case 2 -> s.append("    i64.sub r3, r3, r8\n");
                case 3 -> s.append("    i64.mul r10, r8, r8\n    i64.add r3, r3, r10\n");
                case 4 -> s.append(rnd.nextBoolean() ? "    mov r10, r3\n" : "    const.u64 r12, 7\n");
                case 5 -> s.append("    const.i64 r11, ").append(rnd.nextInt(9) - 4).append("\n    i64.add r3, r3, r11\n");
                case 6 -> s.append("    array.len r4, r1\n"); // the bound, now the length
                case 7 -> {
                    // one past the index: out of range on the last trip
                    if (rnd.nextInt(3) == 0) {
                        s.append("    const.u64 r13, 1\n    u64.add r14, r2, r13\n    array.get r9, r1, r14\n");
                    } else {
                        s.append("    mov r9, r8\n");
                    }
                }
                case 8 -> {
                    // one before the index: 2^64-1 (out of range) on the first trip from 0
                    if (rnd.nextInt(3) == 0) {
                        s.append("    const.u64 r13, 1\n    u64.sub r14, r2, r13\n    array.get r9, r1, r14\n");
                    } else {
                        s.append("    i64.add r3, r3, r8\n");
                    }
                }
                // ones the run leaves to execute
                case 9 -> s.append("    i64.xor r3, r3, r8\n");
                case 10 -> s.append("    array.get_imm r9, r1, 0\n    i64.add r3, r3, r9\n");
                case 11 -> s.append("    i64.lt r15, r8, r3\n");
                default -> s.append("    i64.add r3, r3, r8\n");
            }
        }
        s.append("    const.u64 r17, 1\n    u64.add r2, r2, r17\n");
        if (rnd.nextBoolean()) {
            s.append("    u64.lt r18, r2, r4\n    br r18, top, out\n");
        } else {
            s.append("    i64.add r5, r5, r7\n    i64.lt r16, r5, r6\n    br r16, top, out\n");
        }
        s.append("out:\n    ret r0, [r3]\n}\n");
        return s.toString();
    }

    static Program program(long seed) throws Exception {
        return Assembler.assemble(source(seed), "arrays-" + seed + ".tasm");
    }

    private static final List<Value> ARGS = List.of(Value.i64(3));

    @Test
    void randomArrayRunsEndAsTheirInstructionsOneAtATimeOnBothTiers() throws Exception {
        long total = 0;
        int trapped = 0;
        Set<Integer> after = new HashSet<>();
        Set<Integer> all = new HashSet<>();
        for (long seed = 1; seed <= 60; seed++) {
            Tiers t = Tiers.of(Tiers.verified(program(seed)), new HostRegistry());
            followers(t.interpreted, after, all);
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            if (full.trapped()) {
                assertTrue(full.trap().kind() == TrapKind.AGG_ERROR, "seed " + seed + ": " + full);
                trapped++;
            }
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(total > 60 * 40, "the programs ran " + total + " instructions");
        assertTrue(trapped >= 5 && trapped <= 45, trapped + " of 60 trapped (an index out of range)");
        // an array.get right before each shape the run handles, and before some it leaves
        for (int op : new int[] {LOp.ARRAY_GET_W, Op.ARRAY_LEN, LOp.MOV_W, LOp.CONST_W, LOp.CONST_ADD, Op.I64_ADD,
            Op.I64_SUB, Op.I64_MUL, Op.I64_XOR, LOp.ARRAY_GET_IMM_W, Op.I64_LT}) {
            assertTrue(after.contains(op), "no array.get before op 0x" + Integer.toHexString(op) + " in " + after);
        }
        // and both latches, which the run reaches after the constant + u64.add before them
        for (int op : new int[] {LOp.U64_LT_BR, LOp.I64_ADD_LT_BR, Op.U64_ADD}) {
            assertTrue(all.contains(op), "no op 0x" + Integer.toHexString(op) + " in " + all);
        }
    }

    @Test
    void heapLimitsAroundEachArrayEndAlikeOnBothTiers() throws Exception {
        int hits = 0;
        for (long seed = 1; seed <= 30; seed++) {
            Tiers t = Tiers.of(Tiers.verified(program(seed)), new HostRegistry());
            Tiers.Outcome whole = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
            // each array is charged 32 + 9 * length bytes (Ops.aggregateBytes): limits just below,
            // at and above each of the run's allocations, and in between
            Set<Long> limits = new HashSet<>();
            long each = whole.heapBytes() / 3;
            for (long k = 0; k <= 3; k++) {
                for (long d = -1; d <= 1; d++) {
                    limits.add(Math.max(0, k * each + d));
                }
            }
            for (long limit = 0; limit <= whole.heapBytes(); limit += 1 + limit / 8) {
                limits.add(limit);
            }
            for (long limit : limits) {
                Limits l = Limits.DEFAULT.withMaxHeapBytes(limit);
                Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, l,
                        new StepSweep.Steps());
                Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, l, null);
                Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, ARGS, l, null);
                String at = "seed " + seed + " heap " + limit;
                Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
                Tiers.assertSame(fast, compiled, () -> at);
                if (fast.trapped() && fast.trap().kind() == TrapKind.HEAP_LIMIT_EXCEEDED) {
                    hits++;
                }
            }
        }
        assertTrue(hits > 60, "heap limits hit " + hits + " times");
    }

    /**
     * Adds the ops that follow a word {@code array.get} in the program's lowered code to
     * {@code into}, and every op of it to {@code all} (also {@link AttackArrayRunTest}'s).
     */
    static void followers(Vm vm, Set<Integer> into, Set<Integer> all) {
        for (LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            boolean get = false;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    all.add(code[i]);
                    if (get) {
                        into.add(code[i]);
                    }
                    get = code[i] == LOp.ARRAY_GET_W;
                }
            }
        }
    }
}
