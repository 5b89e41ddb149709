package dev.tape.cli;

import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on the twelfth-round audit's {@code std.print_str} (the output limit counted from the
 * string's length before its bytes are copied): at limits of n - 1, n and n + 1 bytes for a line
 * of n bytes (the string's UTF-8 and its newline), alone and after other lines, a print is refused
 * exactly when it would pass the limit, writes nothing then, and else writes exactly the string's
 * UTF-8 and a newline, for ASCII, 2-, 3- and 4-byte chars (surrogate pairs across the host's
 * 8,192-char chunks), NUL, backslashes and newlines inside the string.
 */
class AttackAuditPrintTest {
    private static final Signature STR = Signature.of(List.of(ValueType.STR), List.of());
    private static final Signature I64 = Signature.of(List.of(ValueType.I64), List.of());

    private static List<String> strings() {
        List<String> out = new ArrayList<>(List.of("", "a", "\u0000", "\\n\\\\", "line\nbreak\r\n", "\"q\"", "\u00e9",
                "\u20ac", "\ud83d\ude00", "\uffff\ud800\udc00\udbff\udfff"));
        int k = StdHost.CHUNK_CHARS;
        for (int lead = 0; lead < 3; lead++) {
            for (String unit : new String[] {"\ud83d\ude00", "\u20ac", "\u00e9"}) {
                for (int chars = k - 3; chars <= k + 3; chars += unit.length()) {
                    out.add("a".repeat(lead) + unit.repeat(chars / unit.length()));
                }
            }
        }
        out.add("\ud83d\ude00".repeat(k) + "x"); // 2 chunks of pairs
        return out;
    }

    private static final class Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintWriter writer = new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8));
        final HostRegistry host;

        Sink(long max) {
            host = StdHost.create(writer, max);
        }

        /** @return whether the print was accepted */
        boolean printStr(String s) {
            return call("std.print_str", STR, Value.Str.fromUtf8(s.getBytes(StandardCharsets.UTF_8)));
        }

        boolean printI64(long v) {
            return call("std.print_i64", I64, Value.i64(v));
        }

        private boolean call(String symbol, Signature sig, Value arg) {
            HostFunction f = host.resolve(symbol, sig.hash(), sig.args(), sig.rets());
            try {
                f.call(new Value[] {arg}, new Value[0], (HostContext) null);
                return true;
            } catch (StdHost.OutputLimitExceeded e) {
                return false;
            } catch (Exception e) {
                throw new AssertionError(symbol + ": " + e, e);
            }
        }

        byte[] written() {
            writer.flush();
            return bytes.toByteArray();
        }
    }

    private static byte[] line(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        byte[] l = Arrays.copyOf(u, u.length + 1);
        l[u.length] = '\n';
        return l;
    }

    @Test
    void aLineIsWrittenWholeExactlyWhenItFits() {
        for (String s : strings()) {
            byte[] want = line(s);
            int n = want.length;
            for (long max : new long[] {n - 1L, n, n + 1L}) {
                Sink sink = new Sink(max);
                boolean ok = sink.printStr(s);
                assertEquals(n <= max, ok, n + " bytes at a limit of " + max);
                assertArrayEquals(ok ? want : new byte[0], sink.written(), n + " bytes at a limit of " + max);
            }
        }
    }

    @Test
    void theLimitCountsEveryLineBefore() {
        for (String s : strings()) {
            byte[] want = line(s);
            int n = want.length;
            // "-12345\n" is 7 bytes
            for (long slack : new long[] {-1, 0, 1}) {
                Sink sink = new Sink(7 + 2L * n + slack);
                assertEquals(true, sink.printI64(-12345));
                assertEquals(true, sink.printStr(s));
                assertEquals(slack >= 0, sink.printStr(s), n + " bytes twice, slack " + slack);
                // refused once, still refused: nothing was counted for it
                assertEquals(n <= slack, sink.printStr(s), "third, slack " + slack);
                ByteArrayOutputStream expect = new ByteArrayOutputStream();
                expect.writeBytes("-12345\n".getBytes(StandardCharsets.US_ASCII));
                expect.writeBytes(want);
                if (slack >= 0) {
                    expect.writeBytes(want);
                }
                if (n <= slack) {
                    expect.writeBytes(want);
                }
                assertArrayEquals(expect.toByteArray(), sink.written());
            }
        }
    }

    @Test
    void aRefusedLineLeavesItsRoomForShorterOnes() {
        Sink sink = new Sink(9);
        assertEquals(false, sink.printStr("\u20ac\u20ac\u20ac")); // 9 bytes and the newline
        assertEquals(true, sink.printStr("\u20ac\u20ac")); // 7
        assertEquals(false, sink.printStr("ab")); // 3 of the 2 left
        assertEquals(true, sink.printStr("\u0000")); // 2: exactly the limit
        assertEquals(false, sink.printStr(""));
        assertEquals(false, sink.printI64(0));
        assertArrayEquals("\u20ac\u20ac\n\u0000\n".getBytes(StandardCharsets.UTF_8), sink.written());
    }
}
