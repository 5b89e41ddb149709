package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRecording;
import dev.tape.host.HostRegistry;
import dev.tape.host.RecordingHost;
import dev.tape.host.ReplayHost;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueInternals;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on strings that append in place (issue 14): an older, shorter string over a buffer that
 * a later append filled further is fed to every reader (instructions on both tiers, a host that
 * keeps it, host recording and replay, snapshots, the value API and literal), and programs that
 * append run on both tiers at every heap limit around their traps with the same outcome.
 */
class AttackStrAppendTest {
    private static final ValueInternals V = ValueInternals.get(MethodHandles.lookup());

    /**
     * main(a): r3 = a ++ "x" (in place when a has room), r5 = r3 ++ "yyyy" (in place on r3's
     * buffer), then reads the older r3 in every way an instruction can, and passes it to a host
     * that keeps it and returns it, and appends "!" to what the host returned.
     */
    private static final String SOURCE = """
            program older
            host keep = "t.keep" (str) -> (str)
            func main(a: str) -> (str, str, str, bytes, str, str, u64, bool, bool, bool, u64, bool, u64) {
                const.pool r2, str:"x"
                str.concat r3, r1, r2
                const.pool r4, str:"yyyy"
                str.concat r5, r3, r4
                str.len r6, r3
                str.eq r7, r3, r5
                const.pool r8, str:"base-ax"
                str.eq r9, r3, r8
                const.u64 r10, 0
                str.slice r11, r3, r10, r6
                str.eq r12, r11, r3
                str.to_bytes r13, r3
                bytes.len r14, r13
                const.pool r15, bytes:626173652d6178
                bytes.eq r16, r13, r15
                host_call r0, keep, r0, [r3] -> [r17]
                const.pool r18, str:"!"
                str.concat r19, r17, r18
                const.u64 r20, 6
                bytes.get r21, r13, r20
                ret r0, [r3, r5, r11, r13, r17, r19, r6, r7, r9, r12, r14, r16, r21]
            }
            func get_past(a: str) -> (u64) {
                const.pool r2, str:"x"
                str.concat r3, r1, r2
                const.pool r4, str:"yyyy"
                str.concat r5, r3, r4
                str.to_bytes r6, r3
                str.len r7, r3
                bytes.get r8, r6, r7
                ret r0, [r8]
            }
            func slice_past(a: str) -> (str) {
                const.pool r2, str:"x"
                str.concat r3, r1, r2
                const.pool r4, str:"yyyy"
                str.concat r5, r3, r4
                str.len r7, r3
                const.u64 r8, 1
                u64.add r9, r7, r8
                str.slice r10, r3, r7, r9
                ret r0, [r10]
            }
            func snap(a: str) -> (str) {
                const.pool r2, str:"x"
                str.concat r3, r1, r2
                const.pool r4, str:"yyyy"
                str.concat r5, r3, r4
                const.pool r5, str:"z"
                const.pool r4, str:"z"
                const.pool r2, str:"z"
                const.pool r6, str:"z"
                const.pool r7, str:"z"
                const.pool r8, str:"z"
                const.pool r9, str:"z"
                const.pool r10, str:"z"
                const.pool r11, str:"z"
                const.pool r12, str:"z"
                ret r0, [r3]
            }
            """;

    private static final Signature KEEP = Signature.of(List.of(ValueType.STR), List.of(ValueType.STR));

    private static VerifiedProgram program() {
        return Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(SOURCE, "older.tasm"));
    }

    /** A host that keeps every string it is given and returns it. */
    private static HostRegistry keeper(List<Value.Str> kept) {
        return new HostRegistry().register("t.keep", KEEP, (args, results, ctx) -> {
            Value.Str s = (Value.Str) args[0];
            kept.add(s);
            results[0] = s;
        });
    }

    /** The reader checks on a string the program saw as "base-ax". */
    private static void assertOlderView(Value.Str s, String what) {
        byte[] want = "base-ax".getBytes(StandardCharsets.UTF_8);
        assertEquals("base-ax", s.value(), what);
        assertEquals(7, s.length(), what);
        assertArrayEquals(want, s.toUtf8(), what);
        assertEquals(Arrays.hashCode(want), s.hashCode(), what);
        assertEquals(Value.str("base-ax"), s, what);
        assertEquals(s, Value.str("base-ax"), what);
        assertFalse(s.equals(Value.str("base-axyyyy")), what);
        assertEquals("str:\"base-ax\"", s.toString(), what);
        assertEquals("str:\"base-ax\"", ValueLiteral.format(s, 100), what);
    }

    @Test
    void anOlderViewOfAFullerBufferReadsAsItselfEverywhereOnBothTiers() {
        List<Value.Str> kept = Collections.synchronizedList(new ArrayList<>());
        Tiers t = Tiers.of(program(), keeper(kept));
        Value.Str a = StrAppendTiersTest.roomy("base", "-a");
        Tiers.Outcome o = t.check(0, List.of(a), Limits.DEFAULT, "older view");
        assertNull(o.trap(), o.toString());
        List<Value> r = o.results();
        assertOlderView((Value.Str) r.get(0), "r3");
        assertEquals(Value.str("base-axyyyy"), r.get(1));
        assertOlderView((Value.Str) r.get(2), "the slice");
        assertEquals(Value.bytes("base-ax".getBytes(StandardCharsets.UTF_8)), r.get(3));
        assertOlderView((Value.Str) r.get(4), "what the host returned");
        assertEquals(Value.str("base-ax!"), r.get(5));
        assertEquals(List.of(Value.u64(7), Value.bool(false), Value.bool(true), Value.bool(true), Value.u64(7),
                Value.bool(true), Value.u64('x')), r.subList(6, 13));
        assertEquals("base-a", a.value(), "the argument never changes");
        // one string per tier reached the host, and it is an older view of a buffer a later append filled
        assertEquals(2, kept.size());
        boolean sawFuller = false;
        for (Value.Str s : kept) {
            assertOlderView(s, "kept by the host");
            byte[] buf = V.utf8(s);
            if (buf.length >= 11 && new String(buf, 0, 11, StandardCharsets.UTF_8).equals("base-axyyyy")) {
                sawFuller = true;
            }
        }
        assertTrue(sawFuller, "the attack needs a buffer that holds more than the older view");
        // the 16 + length per new string: two concats (7, 11), a slice (7), to_bytes (7), a concat (8)
        assertEquals(5 * 16 + 7 + 11 + 7 + 7 + 8, o.heapBytes());
    }

    @Test
    void readingPastAnOlderViewTrapsAsForAnyStringOfItsLength() {
        Tiers t = Tiers.of(program(), keeper(new ArrayList<>()));
        Tiers.Outcome get = t.check(1, List.of(StrAppendTiersTest.roomy("base", "-a")), Limits.DEFAULT, "get");
        assertEquals(TrapKind.INDEX_OUT_OF_BOUNDS, get.kind(), get.toString());
        Tiers.Outcome slice = t.check(2, List.of(StrAppendTiersTest.roomy("base", "-a")), Limits.DEFAULT, "slice");
        assertEquals(TrapKind.INDEX_OUT_OF_BOUNDS, slice.kind(), slice.toString());
    }

    /** The host's kept older view is recorded, and the replay answers with the same string. */
    @Test
    void recordingAndReplayingAHostCallWithAnOlderViewSeeOnlyItsBytes() throws Exception {
        VerifiedProgram p = program();
        for (boolean compiled : new boolean[] {false, true}) {
            List<Value.Str> kept = new ArrayList<>();
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            RecordingHost rec = new RecordingHost(keeper(kept), p.hash(), file);
            Value.Str a = StrAppendTiersTest.roomy("base", "-a");
            rec.run(0, List.of(a));
            Vm vm = compiled ? Jit.compile(p, rec) : new Vm(p, rec);
            List<Value> live = vm.run(0, List.of(a), Limits.DEFAULT);
            rec.finish();
            HostRecording r = HostRecording.read(file.toByteArray());
            assertEquals(List.of("str:\"base-ax\""), r.calls().get(0).args());
            assertEquals(List.of("str:\"base-ax\""), r.calls().get(0).results());
            Vm again = compiled ? Jit.compile(p, new ReplayHost(r, null)) : new Vm(p, new ReplayHost(r, null));
            assertEquals(live, again.run(0, List.of(StrAppendTiersTest.roomy("base", "-a")), Limits.DEFAULT));
        }
    }

    /**
     * A run paused when only the older view is live (the fuller string's registers overwritten)
     * writes a snapshot without the bytes past it, on both tiers, and a restored run ends the same.
     */
    @Test
    void aSnapshotOfAnOlderViewHoldsOnlyItsBytes() {
        VerifiedProgram p = program();
        byte[] tail = "yyyy".getBytes(StandardCharsets.UTF_8);
        for (boolean compiled : new boolean[] {false, true}) {
            Vm vm = compiled ? Jit.compile(p, keeper(new ArrayList<>())) : new Vm(p, keeper(new ArrayList<>()));
            ExecutionContext ctx = new ExecutionContext();
            Value.Str a = StrAppendTiersTest.roomy("base", "-a");
            Run run = vm.start(ctx, 3, List.of(a), Limits.DEFAULT.withFuel(14), null);
            assertInstanceOf(Outcome.Paused.class, run.resume(), "paused before the ret");
            byte[] snap = run.snapshot();
            assertEquals(-1, indexOf(snap, tail), "tier " + compiled + ": the snapshot holds no byte past the view");
            assertTrue(indexOf(snap, "base-ax".getBytes(StandardCharsets.UTF_8)) >= 0);
            Run restored = new Vm(p, keeper(new ArrayList<>())).restore(new ExecutionContext(), snap,
                    Limits.DEFAULT, null);
            restored.addFuel(10);
            Outcome.Done done = assertInstanceOf(Outcome.Done.class, restored.resume());
            assertEquals(List.of(Value.str("base-ax")), done.values());
            run.addFuel(10);
            assertEquals(done.values(), assertInstanceOf(Outcome.Done.class, run.resume()).values());
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Appends that grow a string past the heap limit: at every limit around the traps, both tiers
     * end the same (results or trap with pc and span, fuel, heap charged), appending to a shared
     * string with room or to a fresh one.
     */
    @Test
    void bothTiersAgreeAtEveryHeapLimitAroundTheAppends() {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble("""
                program grow
                func main(s: str, t: str, n: i64) -> (str, str, u64) {
                    mov r4, r1
                    mov r8, r1
                    const.i64 r5, 0
                    const.i64 r6, 1
                    jmp loop
                loop:
                    i64.lt r7, r5, r3
                    br r7, body, done
                body:
                    str.concat r4, r4, r2
                    str.concat r8, r1, r2
                    i64.add r5, r5, r6
                    jmp loop
                done:
                    str.len r9, r4
                    ret r0, [r4, r8, r9]
                }
                """, "grow.tasm"));
        Tiers t = Tiers.of(p, keeper(new ArrayList<>()));
        int checked = 0;
        for (long limit = 0; limit <= 1400; limit += 7) {
            for (int shared = 0; shared < 2; shared++) {
                Value.Str s = shared == 0 ? Value.str("ab") : StrAppendTiersTest.roomy("ab", "c");
                Tiers.Outcome o = t.check(0, List.of(s, Value.str("0123456789"), Value.i64(20)),
                        Limits.DEFAULT.withMaxHeapBytes(limit), "limit " + limit + " shared " + shared);
                if (o.trap() != null) {
                    assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o.toString());
                }
                assertTrue(o.heapBytes() <= limit || o.trap() != null, o.toString());
                checked++;
            }
        }
        assertTrue(checked > 300);
    }
}
