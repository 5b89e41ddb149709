package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.value.ValueInternals;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code str.concat} appends in place to the longest string of a buffer with room (issue 14):
 * random straight-line sequences of concat, slice, len and eq over six string registers, two of
 * them the run's arguments (strings with spare room, shared by every run of the test, so that
 * runs append to the same base and all but the first must copy), end on both tiers exactly as a
 * model on Java strings says (results, traps, heap bytes charged: 16 + length per new string),
 * and the same on both tiers in every field; runs paused by fuel at random points, snapshotted
 * and restored into a fresh VM of a random tier end the same, and a restored run writes the same
 * snapshot bytes as the run it came from (so a snapshot holds each string's bytes only, never the
 * spare room of its buffer); and runs on many threads appending to one shared string at once
 * each get their own right result.
 */
class StrAppendTiersTest {
    private static final ValueInternals V = ValueInternals.get(MethodHandles.lookup());
    /** the six string registers */
    private static final int SLOTS = 6;
    private static final int FIRST = 3;
    /** the longest string a generated sequence makes */
    private static final int MAX_LEN = 3000;

    /** A generated program and what the model says it returns. */
    private record Case(String source, List<String> expected, long checksum, long heap, boolean traps) {}

    /** A string with spare room after its bytes: the result of an append, as a run would return it. */
    static Value.Str roomy(String head, String tail) {
        Value.Str s = V.append(V.append(Value.str(head), Value.str(""), 0), Value.str(tail), 1 << 16);
        assertTrue(V.utf8(s).length > s.length(), "the string has room");
        return s;
    }

    /**
     * main(a, b): r3..r8 hold a, b, "", "xy", "q" and a; r9 a checksum of lens and eqs. Returns
     * r3..r8 and r9.
     */
    private static Case generate(long seed, String a, String b) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder src = new StringBuilder("""
                program strmix
                func main(a: str, b: str) -> (str, str, str, str, str, str, i64) {
                    mov r3, r1
                    mov r4, r2
                    const.pool r5, str:""
                    const.pool r6, str:"xy"
                    const.pool r7, str:"q"
                    mov r8, r1
                    const.i64 r9, 0
                    const.i64 r10, 1
                    const.i64 r11, 0
                    const.i64 r16, 31
                """);
        String[] m = {a, b, "", "xy", "q", a};
        long sum = 0;
        long heap = 0;
        boolean traps = false;
        int ops = 5 + rnd.nextInt(60);
        for (int k = 0; k < ops && !traps; k++) {
            int d = rnd.nextInt(SLOTS);
            int i = rnd.nextBoolean() ? d : rnd.nextInt(SLOTS);
            int j = rnd.nextInt(SLOTS);
            int what = rnd.nextInt(10);
            if (what < 5 && m[i].length() + m[j].length() <= MAX_LEN) {
                if (what == 0) {
                    // append to the same base twice: the second must copy
                    int e = rnd.nextInt(SLOTS);
                    int f = rnd.nextInt(SLOTS);
                    if (m[i].length() + m[f].length() > MAX_LEN) {
                        continue;
                    }
                    src.append("    str.concat r").append(FIRST + e).append(", r").append(FIRST + i).append(", r")
                            .append(FIRST + f).append('\n');
                    String first = m[i] + m[f];
                    heap += 16 + first.length();
                    String base = m[i];
                    m[e] = first;
                    if (base.length() + m[j].length() > MAX_LEN) {
                        continue;
                    }
                    // the base's register may have been overwritten by the first append
                    src.append("    str.concat r").append(FIRST + d).append(", r").append(FIRST + (e == i ? e : i))
                            .append(", r").append(FIRST + j).append('\n');
                    String second = (e == i ? first : base) + m[j];
                    heap += 16 + second.length();
                    m[d] = second;
                } else {
                    src.append("    str.concat r").append(FIRST + d).append(", r").append(FIRST + i).append(", r")
                            .append(FIRST + j).append('\n');
                    m[d] = m[i] + m[j];
                    heap += 16 + m[d].length();
                }
            } else if (what < 7) {
                int n = m[i].length();
                boolean bad = rnd.nextInt(40) == 0;
                int s = rnd.nextInt(n + 1);
                int t = bad ? n + 1 + rnd.nextInt(3) : s + rnd.nextInt(n - s + 1);
                src.append("    const.u64 r12, ").append(s).append("\n    const.u64 r13, ").append(t)
                        .append("\n    str.slice r").append(FIRST + d).append(", r").append(FIRST + i)
                        .append(", r12, r13\n");
                if (bad) {
                    traps = true;
                } else {
                    m[d] = m[i].substring(s, t);
                    heap += 16 + m[d].length();
                }
            } else if (what < 8) {
                src.append("    str.len r12, r").append(FIRST + i)
                        .append("\n    u64.to_i64 r15, r12\n    i64.mul r9, r9, r16\n    i64.add r9, r9, r15\n");
                sum = sum * 31 + m[i].length();
            } else {
                src.append("    str.eq r14, r").append(FIRST + i).append(", r").append(FIRST + j)
                        .append("\n    select r15, r14, r10, r11\n    i64.mul r9, r9, r16\n    i64.add r9, r9, r15\n");
                sum = sum * 31 + (m[i].equals(m[j]) ? 1 : 0);
            }
        }
        src.append("    ret r0, [r3, r4, r5, r6, r7, r8, r9]\n}\n");
        return new Case(src.toString(), List.of(m), sum, heap, traps);
    }

    private static List<Value> expected(Case c) {
        List<Value> out = new ArrayList<>();
        for (String s : c.expected) {
            out.add(Value.str(s));
        }
        out.add(Value.i64(c.checksum));
        return out;
    }

    @Test
    void randomSequencesOnSharedRoomyStringsEndAsTheModelSaysOnBothTiers() {
        Value.Str a = roomy("base", "-a");
        Value.Str b = roomy("", "B");
        List<Value> args = List.of(a, b);
        int trapped = 0;
        for (long seed = 0; seed < 300; seed++) {
            Case c = generate(seed, "base-a", "B");
            Tiers t = Tiers.of(Assembler.assemble(c.source, "strmix.tasm"), Host.NONE);
            // twice each: the second runs find the arguments' room taken by the first and copy
            for (int round = 0; round < 2; round++) {
                Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, "seed " + seed + " round " + round);
                if (c.traps) {
                    assertEquals(TrapKind.INDEX_OUT_OF_BOUNDS, o.kind(), "seed " + seed);
                    trapped++;
                } else {
                    assertNull(o.trap(), "seed " + seed + ": " + o);
                    assertEquals(expected(c), o.results(), "seed " + seed + "\n" + c.source);
                    assertEquals(c.heap, o.heapBytes(), "heap charged: 16 + length per new string");
                }
            }
            assertEquals("base-a", a.value(), "the shared arguments never change");
            assertEquals("B", b.value());
        }
        assertTrue(trapped > 0, "some sequences end in a slice trap");
    }

    @Test
    void runsSnapshottedAndRestoredMidSequenceEndTheSameAndWriteTheSameBytes() {
        Limits ceiling = Limits.DEFAULT.withFuel(Limits.MAX_UNSIGNED);
        int hops = 0;
        for (long seed = 1000; seed < 1080; seed++) {
            Case c = generate(seed, "base-a", "B");
            if (c.traps) {
                continue;
            }
            VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(c.source, "strmix.tasm"));
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Value> args = List.of(roomy("base", "-a"), roomy("", "B"));
            Vm vm = rnd.nextBoolean() ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
            ExecutionContext ctx = new ExecutionContext();
            Run run = vm.start(ctx, 0, args, Limits.DEFAULT.withFuel(1 + rnd.nextInt(8)), null);
            Outcome o = run.resume();
            while (o instanceof Outcome.Paused) {
                byte[] snap = run.snapshot();
                Vm next = rnd.nextBoolean() ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
                ExecutionContext into = new ExecutionContext();
                Run restored = next.restore(into, snap, ceiling, null);
                assertArrayEquals(snap, restored.snapshot(), "seed " + seed + ": a restored run writes the same bytes");
                hops++;
                // go on in the original or in the restored run
                if (rnd.nextBoolean()) {
                    run = restored;
                    ctx = into;
                }
                run.addFuel(1 + rnd.nextInt(8));
                o = run.resume();
            }
            Outcome.Done done = assertInstanceOf(Outcome.Done.class, o, "seed " + seed);
            assertEquals(expected(c), done.values(), "seed " + seed + "\n" + c.source);
            assertEquals(c.heap, ctx.heapBytesAllocated(), "seed " + seed + ": heap charged");
        }
        assertTrue(hops > 100, "runs paused and hopped " + hops + " times");
    }

    /**
     * Threads start runs at once that each append their own suffix to one shared string with room
     * (an argument) and to a shared pool constant, then go on appending to their own result:
     * exactly one of them may take the room, the others copy, and every result is right.
     */
    @Test
    void concurrentRunsAppendingToOneSharedStringEachGetTheirOwnResult() throws Exception {
        String source = """
                program race
                func main(s: str, t: str) -> (str, str) {
                    str.concat r3, r1, r2
                    str.concat r3, r3, r2
                    const.pool r4, str:"const"
                    str.concat r5, r4, r2
                    str.concat r5, r5, r2
                    ret r0, [r3, r5]
                }
                """;
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "race.tasm"));
        int threads = 4;
        Vm[] vms = {new Vm(p, Host.NONE), Jit.compile(p, Host.NONE)};
        Jit.precompile(vms[1]);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            Value.Str[] shared = new Value.Str[1];
            int rounds = 400;
            List<Future<Integer>> done = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int id = th;
                done.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int r = 0; r < rounds; r++) {
                        if (id == 0) {
                            shared[0] = roomy("shared", "-" + r);
                        }
                        barrier.await();
                        Value.Str s = shared[0];
                        barrier.await();
                        String suffix = "<" + id + ">";
                        List<Value> got = vms[(id + r) % 2].run(0, List.of(s, Value.str(suffix)), Limits.DEFAULT);
                        String want = "shared-" + r + suffix + suffix;
                        if (!got.equals(List.of(Value.str(want), Value.str("const" + suffix + suffix)))) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(0, f.get(), "runs that got a wrong string");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A string that never had room is appended to by copying; its bytes are never touched. */
    @Test
    void appendsNeverChangeTheBytesOfAnyEarlierString() {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble("""
                program twice
                func main(s: str, t: str, u: str) -> (str, str, str) {
                    str.concat r4, r1, r2
                    str.concat r5, r1, r3
                    str.concat r6, r4, r3
                    ret r0, [r4, r5, r6]
                }
                """, "twice.tasm"));
        Value.Str s = roomy("ab", "c");
        Tiers t = Tiers.of(p, Host.NONE);
        for (int k = 0; k < 3; k++) {
            Tiers.Outcome o = t.check(0, List.of(s, Value.str("XY"), Value.str("z")), Limits.DEFAULT, "twice " + k);
            assertEquals(List.of(Value.str("abcXY"), Value.str("abcz"), Value.str("abcXYz")), o.results());
            assertEquals(3 * 16 + 5 + 4 + 6, o.heapBytes());
        }
        assertEquals("abc", s.value());
        assertEquals(3, s.toUtf8().length);
        assertEquals(Arrays.hashCode("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)), s.hashCode());
    }
}
