package dev.tape.host;

import dev.tape.TapeException;
import dev.tape.program.ValueType;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HostFailedException#detailOf} and {@link TapeException#hostCallDetail()}: the one rule for
 * the detail of the {@code host_call_failed} trap of a host function that throws, which the VM's
 * host call and {@link RecordingHost} share, and an embedder's own recording host can call; and the
 * host package's independence of the VM ({@code ../shared/ARCHITECTURE.md}: {@code vm} uses
 * {@code host}, never the other way round), which sharing the rule through {@code dev.tape} made
 * possible.
 */
class HostCallDetailTest {
    /** What the host throws: each kind of exception the rule tells apart. */
    private static List<Exception> thrown() {
        List<Exception> out = new ArrayList<>();
        out.add(new IllegalStateException("plain words"));
        out.add(new IllegalArgumentException());
        out.add(new HostFailedException("word for word"));
        out.add(new IOException("two\nlines"));
        out.add(new RecordingException(5, "a recording's own failure"));
        out.add(new TapeException("an anonymous subclass") {
            private static final long serialVersionUID = 1L;
        });
        out.add(new Trap(TrapKind.DIV_BY_ZERO, 0, 3, "f", 12, Trap.NO_SPAN, null, 0, null, List.of(), 0));
        out.add(new Trap(TrapKind.HOST_CALL_FAILED, 0, 0, null, 0, Trap.NO_SPAN, "h", 0,
                "in nested run (depth 41): a", List.of(), 0));
        out.add(new Trap(TrapKind.HOST_CALL_FAILED, 0, 0, null, 0, Trap.NO_SPAN, "h", 0,
                "in nested run (depth +7): a", List.of(), 0));
        return out;
    }

    /** A host whose {@code env.next} throws {@code e} at once. */
    private static Host throwing(Exception e) {
        HostFunction fails = (args, results, ctx) -> {
            throw e;
        };
        return new HostRegistry().register("env.next", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)), fails);
    }

    @Test
    void theLiveRunsDetailIsTheRulesForEveryException() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        String[] expected = {"IllegalStateException: plain words", "IllegalArgumentException", "word for word",
            "IOException: two\nlines", "RecordingException: " + new RecordingException(5, "a recording's own failure").getMessage(), ": an anonymous subclass",
            "in nested run (depth 1): trap: div_by_zero at 3 (f) pc 12 span none", "in nested run (depth 42): a",
            "in nested run (depth 8): a"};
        List<Exception> all = thrown();
        for (int i = 0; i < all.size(); i++) {
            Exception e = all.get(i);
            assertEquals(expected[i], HostFailedException.detailOf(e));
            if (e instanceof TapeException t) {
                assertEquals(expected[i], t.hostCallDetail());
            }
            RecordReplayTest.Outcome live = RecordReplayTest.run(p, throwing(e), 5);
            assertEquals("host_call_failed " + expected[i], live.trap());
            // the recording host's copy of the rule is the rule (RecordingHost.detail)
            assertEquals(expected[i], RecordingHost.detail(e));
        }
    }

    /** No class of {@code dev.tape.host} names a class of {@code dev.tape.vm} (or its subpackages). */
    @Test
    void theHostPackageNamesNothingOfTheVm() throws Exception {
        URI where = HostFailedException.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(where);
        List<String> offenders = new ArrayList<>();
        int classes = 0;
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root, Map.of())) {
            Path dir = (jar == null ? root : jar.getPath("/")).resolve("dev/tape/host");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!f.toString().endsWith(".class")) {
                        continue;
                    }
                    classes++;
                    try (InputStream in = Files.newInputStream(f)) {
                        // class names in the constant pool are modified UTF-8, plain ASCII here
                        String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        if (text.contains("dev/tape/vm/")) {
                            offenders.add(f.getFileName().toString());
                        }
                    }
                }
            }
        }
        assertTrue(classes > 10, "host classes found: " + classes);
        assertEquals(List.of(), offenders, "classes of dev.tape.host that name dev.tape.vm");
    }
}
