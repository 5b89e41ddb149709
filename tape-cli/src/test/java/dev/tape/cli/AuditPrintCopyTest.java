package dev.tape.cli;

import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audit of issue 14 (twelfth round): a {@code std.print_str} that the output limit refuses copies
 * nothing. It used to copy the whole string out of its value (n bytes no limit charges) before
 * checking the limit, so a program's last, refused print of a string near the heap limit held
 * twice the string's bytes (three times for a string with append room) for nothing.
 */
class AuditPrintCopyTest {
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aRefusedPrintCopiesNothing() throws Exception {
        int n = 8 << 20;
        byte[] text = new byte[n];
        Arrays.fill(text, (byte) 'a');
        Value big = Value.Str.fromUtf8(text);
        StringWriter sink = new StringWriter();
        HostRegistry host = StdHost.create(new PrintWriter(sink), 1 << 20);
        Signature sig = Signature.of(List.of(ValueType.STR), List.of());
        HostFunction f = host.resolve("std.print_str", sig.hash(), sig.args(), sig.rets());
        Value[] none = new Value[0];
        // warm up the failing path (class loading, the exception's message)
        Value small = Value.Str.fromUtf8(new byte[(1 << 20) + 1]);
        assertThrows(StdHost.OutputLimitExceeded.class, () -> f.call(new Value[] {small}, none, (HostContext) null));
        long before = allocated();
        assertThrows(StdHost.OutputLimitExceeded.class, () -> f.call(new Value[] {big}, none, (HostContext) null));
        long used = allocated() - before;
        assertEquals("", sink.toString());
        assertTrue(used < n / 16, "a refused print of " + n + " bytes allocated " + used);
    }
}
