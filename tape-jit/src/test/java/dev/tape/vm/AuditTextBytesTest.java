package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audit of issue 14 (twelfth round): the JVM memory of {@code bytes.to_str}, counted in bytes the
 * running thread allocates, against the heap limit's charge of 16 + n for a result of n bytes.
 * Checking the bytes' UTF-8 used to decode them whole into a {@code char[]} of n chars (2n bytes,
 * charged nothing) before the result's copy (n bytes): about 3 JVM bytes per charged byte, past
 * docs/SECURITY.md's ceiling of about 2 for strings. Both tiers run the same helper; both are
 * checked, with a valid input (the result) and an input whose last byte breaks UTF-8 (the trap).
 */
class AuditTextBytesTest {
    /** 8 MiB: large enough that the check's buffers dwarf anything else the run allocates */
    private static final int N = 8 << 20;

    private static final String SOURCE = """
            func main(b: bytes) -> (u64) {
                bytes.to_str r2, r1
                str.len r3, r2
                ret r0, [r3]
            }
            """;

    private static VerifiedProgram program() throws Exception {
        return Verifier.verify(ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(SOURCE, "to_str.tasm"))));
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Bytes the current thread allocates running main(arg) once on a warmed VM (the run's outcome checked by {@code check}). */
    private static long run(Vm vm, Value arg, java.util.function.Consumer<Object> check) {
        ExecutionContext ctx = new ExecutionContext();
        Limits limits = Limits.DEFAULT.withMaxHeapBytes(4L * N);
        long before = allocated();
        Object outcome;
        try {
            outcome = vm.run(ctx, 0, List.of(arg), limits, null);
        } catch (Trap t) {
            outcome = t;
        }
        long used = allocated() - before;
        check.accept(outcome);
        return used;
    }

    @Test
    void toStrAllocatesAboutItsResultOnBothTiers() throws Exception {
        VerifiedProgram p = program();
        byte[] ascii = new byte[N];
        Arrays.fill(ascii, (byte) 'a');
        byte[] bad = ascii.clone();
        bad[N - 1] = (byte) 0xC3; // a lead byte with nothing after it
        Value good = Value.bytes(ascii);
        Value broken = Value.bytes(bad);
        for (boolean compiled : new boolean[] {false, true}) {
            Vm vm = compiled ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
            // warm up (class loading, compiling main) on a small input
            vm.run(0, List.of(Value.bytes(new byte[] {'x'})), Limits.DEFAULT);
            String tier = compiled ? "compiled" : "interpreted";
            long ok = run(vm, good, o -> assertEquals(List.of(Value.u64(N)), o, tier));
            // the result's copy (n bytes and a header) and a few KiB; the check itself nothing near n
            assertTrue(ok < N + N / 4, tier + ": bytes.to_str of " + N + " bytes allocated " + ok);
            long trapped = run(vm, broken, o -> {
                assertTrue(o instanceof Trap, tier + ": " + o);
                assertEquals(TrapKind.INVALID_UTF8, ((Trap) o).kind(), tier);
            });
            // invalid input: nothing is copied, the check needs nothing near n
            assertTrue(trapped < N / 4, tier + ": a failing bytes.to_str of " + N + " bytes allocated " + trapped);
        }
    }

    @Test
    void toStrKeepsTheDecodersVerdicts() throws Exception {
        // the check must refuse and accept exactly what a strict UTF-8 decoder does (the reference's
        // from_utf8): overlong forms, surrogates, code points past U+10FFFF, truncated sequences
        VerifiedProgram p = program();
        byte[][] refused = {
            {(byte) 0xC0, (byte) 0x80}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8}, {(byte) 0x80}, {'a', (byte) 0xE2, (byte) 0x82},
        };
        byte[][] accepted = {
            {}, {'a'}, {(byte) 0xC2, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}, {(byte) 0xED, (byte) 0x9F, (byte) 0xBF},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
        };
        for (boolean compiled : new boolean[] {false, true}) {
            Vm vm = compiled ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
            for (byte[] b : refused) {
                // also across the check's chunk boundary: 8,191 ASCII bytes first
                for (int pad : new int[] {0, 8191, 8190}) {
                    byte[] in = new byte[pad + b.length];
                    Arrays.fill(in, 0, pad, (byte) 'z');
                    System.arraycopy(b, 0, in, pad, b.length);
                    Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.bytes(in)), Limits.DEFAULT),
                            Arrays.toString(b) + " after " + pad);
                    assertEquals(TrapKind.INVALID_UTF8, t.kind());
                }
            }
            for (byte[] b : accepted) {
                for (int pad : new int[] {0, 8191, 8190}) {
                    byte[] in = new byte[pad + b.length];
                    Arrays.fill(in, 0, pad, (byte) 'z');
                    System.arraycopy(b, 0, in, pad, b.length);
                    assertEquals(List.of(Value.u64(in.length)), vm.run(0, List.of(Value.bytes(in)), Limits.DEFAULT),
                            Arrays.toString(b) + " after " + pad);
                }
            }
        }
    }
}
