package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on the twelfth-round audit's chunked UTF-8 check of {@code bytes.to_str}
 * ({@link Texts#validUtf8}, {@link Texts#CHECK_CHARS} chars at a time): its verdicts against a
 * hand model of RFC 3629 (no overlong forms, no surrogates D800-DFFF, nothing past U+10FFFF, no
 * truncated sequence) and against the check before the audit (the JDK's strict decoder over the
 * whole array), on sequences placed across the first two chunk boundaries (after 8,192 and 16,384
 * chars of ASCII, two-, three- or four-byte chars, up to 4 chars either side; and after runs of
 * four-byte sequences shifted by 0 to 3 ASCII bytes), on random
 * arrays of mostly multi-byte sequences, and on arrays longer than the bytes checked; then the
 * same inputs' outcomes (result or trap, pc, fuel) on both tiers.
 */
class AttackAuditUtf8Test {
    /** RFC 3629, by hand. */
    static boolean model(byte[] b, int len) {
        int i = 0;
        while (i < len) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int cp;
            int min;
            if (c >= 0xC0 && c <= 0xDF) {
                n = 1;
                cp = c & 0x1f;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                cp = c & 0x0f;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF7) {
                n = 3;
                cp = c & 0x07;
                min = 0x10000;
            } else {
                return false;
            }
            for (int j = 1; j <= n; j++) {
                if (i + j >= len || (b[i + j] & 0xC0) != 0x80) {
                    return false;
                }
                cp = cp << 6 | b[i + j] & 0x3f;
            }
            if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }

    /** The check before the audit: the strict decoder over the whole array. */
    static boolean before(byte[] b, int len) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static final byte[][] TAILS = {
        {}, {'a'}, {(byte) 0xC2, (byte) 0x80}, {(byte) 0xDF, (byte) 0xBF}, {(byte) 0xE0, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}, {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xEE, (byte) 0x80, (byte) 0x80},
        {(byte) 0xEF, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
        // refused: overlong, surrogates, past U+10FFFF, stray and truncated
        {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF},
        {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xED, (byte) 0xB0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0x80},
        {(byte) 0xBF}, {(byte) 0xC2}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
        {(byte) 0xF0, (byte) 0x9F}, {(byte) 0xF0}, {(byte) 0xC2, 'a'}, {(byte) 0xE2, (byte) 0x82, 'a'},
        {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, 'a'}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, (byte) 0x80},
    };

    /** Prefixes of {@code chars} chars of one kind (1 to 4 bytes each, 4 = 2 chars) around each chunk boundary. */
    static List<byte[]> boundaryInputs() {
        byte[][] units = {{'z'}, {(byte) 0xC3, (byte) 0xA9}, {(byte) 0xE2, (byte) 0x82, (byte) 0xAC},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}};
        List<byte[]> out = new ArrayList<>();
        int k = Texts.CHECK_CHARS;
        for (byte[] unit : units) {
            int charsPer = unit.length == 4 ? 2 : 1;
            List<Integer> counts = new ArrayList<>();
            for (int base : new int[] {0, k, 2 * k}) {
                for (int d = -4; d <= 4; d++) {
                    int chars = base + d;
                    if (chars >= 0 && chars % charsPer == 0) {
                        counts.add(chars / charsPer);
                    }
                }
            }
            for (int units0 : counts) {
                for (byte[] tail : TAILS) {
                    ByteArrayOutputStream s = new ByteArrayOutputStream();
                    for (int i = 0; i < units0; i++) {
                        s.writeBytes(unit);
                    }
                    s.writeBytes(tail);
                    // and ASCII after it, so the bad sequence is not last
                    byte[] a = s.toByteArray();
                    out.add(a);
                    s.writeBytes(new byte[] {'y', 'y', 'y'});
                    out.add(s.toByteArray());
                }
            }
        }
        // mixed: a 1-byte char shifts a 4-byte sequence to straddle the boundary at odd char counts
        for (int shift = 0; shift < 4; shift++) {
            for (byte[] tail : TAILS) {
                ByteArrayOutputStream s = new ByteArrayOutputStream();
                for (int i = 0; i < shift; i++) {
                    s.write('q');
                }
                while (s.size() < 4 * k + 8) {
                    s.writeBytes(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80});
                }
                s.writeBytes(tail);
                out.add(s.toByteArray());
            }
        }
        return out;
    }

    /** Random arrays: valid sequences of every length, with one mutation in some. */
    static List<byte[]> randomInputs(long seed, int count) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            int target = r.nextInt(4) == 0 ? r.nextInt(40_000) : r.nextInt(64);
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            while (s.size() < target) {
                int cp;
                switch (r.nextInt(4)) {
                    case 0 -> cp = r.nextInt(0x80);
                    case 1 -> cp = 0x80 + r.nextInt(0x800 - 0x80);
                    case 2 -> {
                        cp = 0x800 + r.nextInt(0x10000 - 0x800);
                        if (cp >= 0xD800 && cp <= 0xDFFF) {
                            cp = 0xE000;
                        }
                    }
                    default -> cp = 0x10000 + r.nextInt(0x110000 - 0x10000);
                }
                s.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
            byte[] a = s.toByteArray();
            int mutations = r.nextInt(3);
            for (int m = 0; m < mutations && a.length > 0; m++) {
                a[r.nextInt(a.length)] = (byte) r.nextInt(256);
            }
            if (a.length > 0 && r.nextInt(5) == 0) {
                a = java.util.Arrays.copyOf(a, r.nextInt(a.length)); // truncated anywhere
            }
            out.add(a);
        }
        return out;
    }

    @Test
    void chunkedCheckAgreesWithTheModelAndTheCheckBefore() {
        List<byte[]> inputs = new ArrayList<>(boundaryInputs());
        inputs.addAll(randomInputs(12, 3_000));
        int refused = 0;
        for (byte[] a : inputs) {
            boolean want = model(a, a.length);
            assertEquals(want, before(a, a.length), "the model and the JDK disagree on " + a.length + " bytes");
            assertEquals(want, Texts.validUtf8(a, a.length), "validUtf8 on " + a.length + " bytes");
            // a longer backing array: only len bytes are checked
            for (int cut : new int[] {a.length - 1, a.length / 2}) {
                if (cut >= 0) {
                    assertEquals(model(a, cut), Texts.validUtf8(a, cut), "validUtf8 of the first " + cut + " of " + a.length);
                }
            }
            refused += want ? 0 : 1;
        }
        // the inputs exercise both verdicts
        assertEquals(true, refused > inputs.size() / 5 && refused < inputs.size() * 4 / 5, refused + " of " + inputs.size());
    }

    private static final String SOURCE = """
            func main(b: bytes) -> (u64) {
                const.u64 r4, 1
                bytes.to_str r2, r1
                str.len r3, r2
                u64.add r3, r3, r4
                ret r0, [r3]
            }
            """;

    /** What a run of main(a) gave: its results, or its trap's kind, pc and fuel; and the fuel left. */
    private static String outcome(Vm vm, byte[] a) {
        ExecutionContext c = new ExecutionContext();
        try {
            return vm.run(c, 0, List.of(Value.bytes(a)), Limits.DEFAULT, null) + " fuel " + c.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " at " + t.func() + ":" + t.pc() + " fuel " + t.fuelRemaining();
        }
    }

    @Test
    void bothTiersAgreeWithTheModel() throws Exception {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(SOURCE, "to_str.tasm"));
        Vm interp = new Vm(p, Host.NONE);
        Vm jit = Jit.compile(p, Host.NONE);
        List<byte[]> inputs = new ArrayList<>(boundaryInputs());
        inputs.addAll(randomInputs(34, 400));
        for (byte[] a : inputs) {
            String i = outcome(interp, a);
            assertEquals(i, outcome(jit, a), a.length + " bytes");
            assertEquals(model(a, a.length), i.startsWith(List.of(Value.u64(a.length + 1L)) + " fuel "), i);
        }
        assertEquals(1, Jit.compiledFunctions(jit));
    }
}
