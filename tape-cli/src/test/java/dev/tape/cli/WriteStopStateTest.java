package dev.tape.cli;

import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The std host's stop ({@link StdHost}, "A failed standard output") is bound to its own writer's
 * stream when the host is made, with no state outside the command line: a host whose stream
 * failed stops, another host (another command line in the same JVM, before, after or at once) does
 * not, and a command line run after one whose stdout failed prints all it prints. Before the
 * twenty-fourth round {@link TapeCli} held the streams and the stop's flag as statics, set and
 * cleared around {@link TapeCli#run}, and a command line run by {@link TapeCli#execute} with
 * writers of its own had no stop at all: the first command line here ran on to its end and exited
 * 0.
 */
class WriteStopStateTest {
    private static final Signature I64 = Signature.of(List.of(ValueType.I64), List.of());

    @TempDir
    Path tmp;

    /** A disk that is full: every write fails, as to {@code /dev/full}; counts the writes tried. */
    private static final class Full extends OutputStream {
        int tried;

        @Override
        public void write(int b) throws IOException {
            tried++;
            throw new IOException("No space left on device");
        }
    }

    private static CheckedWriter writer(OutputStream target) {
        return new CheckedWriter(new CheckedStream(target));
    }

    private static void print(HostRegistry host, long v) throws Exception {
        HostFunction f = host.resolve("std.print_i64", I64.hash(), I64.args(), I64.rets());
        f.call(new Value[] {Value.i64(v)}, new Value[0], (HostContext) null);
    }

    @Test
    void aHostStopsOnItsOwnStreamOnly() throws Exception {
        Full full = new Full();
        CheckedWriter failing = writer(full);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CheckedWriter good = writer(bytes);
        HostRegistry stops = StdHost.create(failing, 1 << 20, true);
        HostRegistry other = StdHost.create(good, 1 << 20, true);
        HostRegistry goesOn = StdHost.create(failing, 1 << 20, false);
        print(stops, 1);
        failing.flush();
        assertEquals(1, full.tried, "the one write that failed");
        assertThrows(StdHost.OutputFailed.class, () -> print(stops, 2));
        print(goesOn, 3);
        print(other, 4);
        good.flush();
        assertEquals("4\n", bytes.toString(StandardCharsets.UTF_8));
        assertEquals(1, full.tried, "no write after the failure reaches the stream");
    }

    @Test
    void aCommandLineAfterOneWhoseStdoutFailedPrintsAll() throws Exception {
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        String file = tmp.resolve("many.tasm").toString();
        for (String tier : new String[] {"jit", "interp"}) {
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            CheckedWriter err = writer(errBytes);
            int first = TapeCli.execute(writer(new Full()), err, "run", file, "--arg", "i64:5000", "--tier", tier);
            assertEquals(2, first, tier);
            assertEquals("", errBytes.toString(StandardCharsets.UTF_8), tier + ": nothing but the write error's"
                    + " line, which TapeCli.run prints");
            ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
            int second = TapeCli.execute(writer(outBytes), err, "run", file, "--arg", "i64:5000", "--tier", tier);
            assertEquals(0, second, tier + ": " + errBytes);
            String out = outBytes.toString(StandardCharsets.UTF_8);
            assertEquals(5001, out.lines().count(), tier);
            assertTrue(out.startsWith("0\n1\n2\n") && out.endsWith("4999\ni64:5000\n"), tier);
        }
    }
}
