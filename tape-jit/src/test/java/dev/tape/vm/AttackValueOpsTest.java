package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the instructions the compiled tier runs through {@code ValueOps} ({@code bytes.get},
 * {@code bytes.get_imm}, {@code bytes.slice}, {@code str.slice}, {@code str.to_bytes},
 * {@code bytes.to_str}, {@code tuple.len}, {@code struct.field_count}, {@code closure.new}) inside
 * a loop, with the rest of the compiled tier around them: destinations equal to an operand
 * ({@code str.slice r5, r5, r9, r16}, {@code bytes.get r7, r17, r7}), a string grown by in-place
 * append and then sliced and converted (its spare room must not leak), texts from host calls and
 * from a tuple, closures over a struct kept in locals (its field count read too), a tuple and an
 * array, each called indirectly (inlined leaves), {@code tuple.len} on an {@code agg} register holding a struct
 * ({@code agg_error}), a decimal register live across the loop. Every argument set traps somewhere
 * different (a split character, an empty host result, invalid UTF-8, an index past the end, the
 * wrong aggregate) or returns; both tiers ({@code Jit.compile} and {@code Jit.compileFramed}, the
 * program loaded from its bytes) agree at every fuel limit and every heap limit, with the stepped
 * interpreter (an INSTR trace), when the run starts interpreted and is handed over at every
 * instruction count, and paused at every slice with snapshots restored on both tiers. Nothing here
 * differed on 8165c1d: it stays as a regression test.
 */
class AttackValueOpsTest {
    static final String SOURCE = """
            program vops
            struct P = { x: i64, s: str }
            struct Q = { a: i64, b: i64 }
            array A = i64
            callsig unary = (i64) -> (i64)
            host hs = "t.str" (str) -> (str)
            host hb = "t.bytes" (i64) -> (bytes)
            
            func main(n: i64, t: str, b: bytes, k: i64, s: u64, g: u64) -> (str, bytes, u64, u64, i64, dec, u64, str) {
                const.pool r7, str:""
                const.i64 r8, 0
                const.u64 r9, 0
                const.i64 r10, 1
                const.u64 r11, 1
                const.i64 r12, 0
                i64.to_dec r13, r8, 2
                const.func r14, tenv
                const.func r15, senv
                const.func r16, aenv
                const.pool r17, bytes:00
                const.u64 r18, 0
                const.u64 r19, 0
                const.pool r20, str:"-"
                jmp head
            head:
                i64.lt r21, r8, r1
                br r21, body, done
            body:
                str.concat r7, r7, r2
                str.len r18, r7
                str.to_bytes r17, r7
                bytes.len r22, r17
                u64.sub r23, r18, r22
                u64.add r9, r9, r23
                str.slice r7, r7, r5, r18
                host_call r0, hs, r0, [r7] -> [r20]
                str.len r24, r20
                const.u64 r25, 0
                str.slice r20, r20, r25, r24
                u64.add r26, r6, r25
                bytes.get r26, r17, r26
                u64.add r9, r9, r26
                host_call r0, hb, r0, [r8] -> [r27]
                bytes.get_imm r28, r27, 0
                u64.add r9, r9, r28
                bytes.len r29, r3
                bytes.slice r27, r3, r11, r29
                bytes.to_str r30, r27
                tuple.new r31, [r30, r27, r8]
                tuple.len r19, r31
                u64.add r9, r9, r19
                tuple.get r32, r31, 0
                str.to_bytes r33, r32
                struct.new r34, P, [r8, r32]
                struct.field_count r35, r34
                u64.add r9, r9, r35
                struct.new r36, Q, [r8, r10]
                closure.new r37, r15, r36
                call.indirect r0, unary, r37, r0, [r8] -> [r38]
                struct.field_count r47, r36
                u64.add r9, r9, r47
                tuple.new r39, [r8]
                closure.new r40, r14, r39
                call.indirect r0, unary, r40, r0, [r38] -> [r41]
                array.new r42, A, [r8, r10, r41]
                closure.new r43, r16, r42
                call.indirect r0, unary, r43, r0, [r41] -> [r12]
                i64.eq r44, r8, r4
                br r44, wrong, next
            wrong:
                call r0, tcount, r0, [r34] -> [r45]
                u64.add r9, r9, r45
                jmp next
            next:
                i64.to_dec r46, r12, 2
                dec.add r13, r13, r46
                i64.add r8, r8, r10
                jmp head
            done:
                ret r0, [r7, r17, r9, r18, r12, r13, r19, r20]
            }
            
            func tcount(a: agg) -> (u64) {
                tuple.len r2, r1
                ret r0, [r2]
            }
            
            func tenv(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r3, r2
                ret r0, [r4]
            }
            
            func senv(env: agg struct Q, x: i64) -> (i64) {
                struct.get r3, r1, 0
                struct.get r5, r1, 1
                i64.mul r4, r3, r2
                i64.add r4, r4, r5
                ret r0, [r4]
            }
            
            func aenv(env: agg array A, x: i64) -> (i64) {
                array.get_imm r3, r1, 2
                i64.xor r4, r3, r2
                ret r0, [r4]
            }
            """;

    /**
     * t.str(s) = s + "!"; t.bytes(i) = 1 + i % 3 bytes (i, i + 1, ...), but none for i = 3, where
     * {@code bytes.get_imm} traps.
     */
    static HostRegistry host() {
        return new HostRegistry()
                .register("t.str", Signature.of(List.of(ValueType.STR), List.of(ValueType.STR)),
                        args -> new Value[] {Value.str(((Value.Str) args[0]).asString() + "!")})
                .register("t.bytes", Signature.of(List.of(ValueType.I64), List.of(ValueType.BYTES)), args -> {
                    long i = ((Value.I64) args[0]).value();
                    byte[] b = new byte[i == 3 ? 0 : 1 + Math.floorMod(i, 3)];
                    for (int j = 0; j < b.length; j++) {
                        b[j] = (byte) (i + j);
                    }
                    return new Value[] {Value.bytes(b)};
                });
    }

    static VerifiedProgram loaded() throws Exception {
        return Verifier.verifyWithShapesAcrossBlocks(ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(SOURCE, "vops.tasm"))));
    }

    private static final String[] TEXTS = {"", "a", "ab", "\u00e9", "x\u00e9", "\u65e5\u672cz", "0123456789"};
    private static final byte[][] BYTES = {{}, {9}, {9, 'h', 'i'}, {9, (byte) 0xC3, (byte) 0xA9},
        {9, (byte) 0xC3}, {9, (byte) 0xFF, 'a'}};

    /**
     * Argument sets: n iterations, the text appended, the bytes sliced from 1, the iteration with
     * the wrong aggregate (or -1), the start of the slice of the grown string, the index read from
     * its bytes.
     */
    static List<List<Value>> cases() {
        List<List<Value>> out = new ArrayList<>();
        int i = 0;
        for (String t : TEXTS) {
            for (byte[] b : BYTES) {
                for (long n : new long[] {0, 1, 3, 5}) {
                    long k = i % 3 == 0 ? n - 1 : -1;
                    long s = i % 5 == 1 ? 1 : 0;
                    long g = i % 7 == 3 ? Long.MIN_VALUE + i : i % 11 == 5 ? 0xFFFF_FFFFL : i % 2;
                    i++;
                    out.add(List.of(Value.i64(n), Value.str(t), Value.bytes(b), Value.i64(k), new Value.U64(s),
                            new Value.U64(g)));
                }
            }
        }
        return out;
    }


    @Test
    void everyFuelAndHeapLimitOnBothTiersAndTheSteppedInterpreter() throws Exception {
        Map<String, Integer> ends = new TreeMap<>();
        for (boolean framed : new boolean[] {false, true}) {
            VerifiedProgram p = loaded();
            Tiers t = framed ? Tiers.of(p.program(), host(), true) : Tiers.of(p, host());
            Jit.precompile(t.compiled);
            int c = 0;
            for (List<Value> args : cases()) {
                if (framed && c % 4 != 0 || !framed && c % 2 != 0 && Math.floorMod(c, 7) != 3) {
                    c++;
                    continue;
                }
                c++;
                String what = (framed ? "framed " : "") + args;
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                String end = full.trapped() ? full.kind().toString() : "returned";
                ends.merge(end, 1, Integer::sum);
                long used = full.used(Limits.DEFAULT);
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    Limits limits = Limits.DEFAULT.withFuel(fuel);
                    t.check(0, args, limits, what + " fuel " + fuel);
                    if (!framed && fuel % 7 == 0) {
                        Tiers.Outcome o = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits,
                                null);
                        Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args,
                                limits, new StepSweep.Steps());
                        Tiers.assertSame("stepped", stepped, "interpreted", o, () -> what + " fuel " + limits);
                    }
                }
                for (long heap = 0; heap <= full.heapBytes() + 1; heap += heap < 400 || full.trapped() ? 1 : 7) {
                    Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
                    if (heap < full.heapBytes()) {
                        assertTrue(o.trapped(), () -> what + " heap " + o);
                    }
                }
            }
            assertEquals(5, Jit.compiledFunctions(t.compiled), "no function fell back to the interpreter");
        }
        assertTrue(ends.size() >= 5, "the runs end in many ways: " + ends);
        assertTrue(ends.getOrDefault("returned", 0) >= 20, "and many return: " + ends);
    }

    @Test
    void handedOverAtEveryInstructionAndPausedAtEverySlice() throws Exception {
        VerifiedProgram p = loaded();
        Tiers t = Tiers.of(p, host());
        Tiers framed = Tiers.of(p.program(), host(), true);
        int pauses = 0;
        int n = 0;
        for (List<Value> args : cases()) {
            if (n++ % 3 != 0) {
                continue;
            }
            String what = args.toString();
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            long used = full.used(Limits.DEFAULT);
            Tiers.Outcome unlogged = new Tiers.Outcome(full.results(), full.literals(), full.trap(),
                    full.fuelRemaining(), full.hostCalls(), full.heapBytes(), List.of());
            for (long stop = 0; stop <= used; stop++) {
                long at = stop;
                Resumer r = new Resumer(t.compiled, stop, 0);
                Tiers.Outcome o = r.run(null, 0, args, Limits.DEFAULT, stop);
                Tiers.assertSame("one-shot", unlogged, "handed over", o, () -> what + " stop " + at);
            }
            for (long slice = 1; slice <= 9; slice += 4) {
                pauses += t.lockstep(0, args, slice, 2, what + " slice " + slice, (a, b, q) -> { });
            }
            if (n % 2 == 0) {
                pauses += framed.lockstep(0, args, 3, 2, "framed " + what, (a, b, q) -> { });
            }
        }
        assertTrue(pauses >= 1000, "pauses: " + pauses);
    }
}
