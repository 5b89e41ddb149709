package dev.tape.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.CommandLineOptionException;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Table}'s own option, its exclude pattern and its interpreter table. */
class TableTest {
    private static List<String> args(String... a) {
        return new ArrayList<>(List.of(a));
    }

    @Test
    void generalForksOptionIsTakenOutOfJmhArguments() throws Exception {
        List<String> a = args("InterpreterBench\\.", "-f", "1", "--general-forks", "3", "-wi", "3");
        assertEquals(3, Table.takeGeneralForks(a));
        assertEquals(List.of("InterpreterBench\\.", "-f", "1", "-wi", "3"), a);
        a = args("--general-forks=0", "-f", "2");
        assertEquals(0, Table.takeGeneralForks(a));
        assertEquals(List.of("-f", "2"), a);
        a = args("InterpreterBench\\.", "-f", "1");
        assertEquals(Table.DEFAULT_GENERAL_FORKS, Table.takeGeneralForks(a));
        assertEquals(List.of("InterpreterBench\\.", "-f", "1"), a);
        assertEquals(5, Table.takeGeneralForks(args("--general-forks", "2", "--general-forks=5")));
    }

    @Test
    void badGeneralForksAreRejected() {
        for (List<String> a : List.of(args("--general-forks"), args("--general-forks", "x"),
            args("--general-forks=-1"), args("--general-forks=101"), args("--general-forks="),
            args("--general-forks", "99999999999"))) {
            assertThrows(CommandLineOptionException.class, () -> Table.takeGeneralForks(a), a.toString());
        }
    }

    @Test
    void excludePatternKeepsOnlyTheInterpreterBenchmark() {
        Pattern p = Pattern.compile(Table.ALL_BUT_INTERPRETER);
        assertFalse(p.matcher("dev.tape.bench.InterpreterBench.tape").find());
        assertTrue(p.matcher("dev.tape.bench.InterpreterBench.compiled").find());
        assertTrue(p.matcher("dev.tape.bench.InterpreterBench.java").find());
        assertTrue(p.matcher("dev.tape.bench.TracedBench.tape").find());
        assertTrue(p.matcher("dev.tape.bench.InterpreterBench.tapeX").find());
    }

    private static String[] cells(String line) {
        String[] c = line.split("\\|", -1);
        String[] out = new String[c.length - 2];
        for (int i = 1; i < c.length - 1; i++) {
            out[i - 1] = c[i].trim();
        }
        return out;
    }

    @Test
    void targetsAreCheckedForBothModes() {
        Map<String, Table.Row> rows = new LinkedHashMap<>();
        Table.Row sum = new Table.Row();
        sum.add("tape", false, new Forks(4, 6.25, 6.1, 12.5));
        sum.add("tape", true, new Forks(1, 12.0, 12.0, 12.0));
        sum.add("compiled", false, new Forks(4, 1.0, 1.0, 1.0));
        sum.add("compiled", true, new Forks(1, 9.0, 9.0, 9.0));
        sum.add("java", false, new Forks(4, 0.5, 0.5, 0.5));
        rows.put("sum_loop", sum);
        Table.Row fastOnly = new Table.Row();
        fastOnly.add("tape", false, new Forks(1, 5.0, 5.0, 5.0));
        rows.put("fib", fastOnly);
        List<String> lines = Table.interpreterTable(rows);
        String[] header = cells(lines.get(2));
        assertEquals(lines.size(), 4 + 2);
        Map<String, String> s = new LinkedHashMap<>();
        String[] c = cells(lines.get(4));
        assertEquals(header.length, c.length);
        for (int i = 0; i < header.length; i++) {
            s.put(header[i], c[i]);
        }
        assertEquals("sum_loop", s.get("workload"));
        assertEquals("12.000", s.get("interp general ms"));
        assertEquals("6.250", s.get("interp fast ms"));
        assertEquals("4", s.get("fast forks"));
        assertEquals("6.100..12.500", s.get("fast min..max ms"));
        assertEquals("1", s.get("general forks"));
        assertEquals("12.000..12.000", s.get("general min..max ms"));
        assertEquals("1.000", s.get("compiled ms"), "the run without general is kept");
        assertEquals("24.0", s.get("general/Java"));
        assertEquals("12.5", s.get("fast/Java"));
        assertEquals("2.0", s.get("compiled/Java"));
        assertEquals("30.0", s.get("reference ms"));
        assertEquals("0.40", s.get("general/ref"));
        assertEquals("0.21", s.get("fast/ref"));
        assertEquals("10.0", s.get("interp target ms"));
        assertEquals("NO", s.get("general met"));
        assertEquals("yes", s.get("fast met"));
        assertEquals("yes", s.get("compiled met"));
        String[] fib = cells(lines.get(5));
        assertEquals("fib", fib[0]);
        assertEquals("-", fib[1], "no general-mode figure");
        assertEquals("5.000", fib[List.of(header).indexOf("interp fast ms")]);
        assertEquals("-", fib[List.of(header).indexOf("general forks")]);
        assertEquals("-", fib[List.of(header).indexOf("general met")]);
        assertEquals("yes", fib[List.of(header).indexOf("fast met")], "5.0 <= 18.4 / 3");
        assertEquals("-", fib[List.of(header).indexOf("compiled met")]);
    }

    @Test
    void referenceFileReplacesTheIssuesFigures(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("ref.txt");
        Files.writeString(file, "# measured beside the run\n\nsum_loop 45.5\n  fib\t12  \ncall_loop 1e2\n");
        List<String> a = args("-f", "1", "--reference", file.toString(), "-wi", "3");
        Map<String, Double> ref = Table.takeReference(a);
        assertEquals(List.of("-f", "1", "-wi", "3"), a);
        assertEquals(Map.of("sum_loop", 45.5, "fib", 12.0, "call_loop", 100.0), ref);
        assertEquals(List.of("sum_loop", "fib", "call_loop"), List.copyOf(ref.keySet()));
        assertEquals(ref, Table.takeReference(args("--reference=" + file)));
        assertSame(Table.REFERENCE_MS, Table.takeReference(args("-f", "1")));

        Map<String, Table.Row> rows = new LinkedHashMap<>();
        for (String w : List.of("sum_loop", "host_loop")) {
            Table.Row r = new Table.Row();
            r.add("tape", false, new Forks(1, 15.0, 15.0, 15.0));
            rows.put(w, r);
        }
        List<String> lines = Table.interpreterTable(rows, ref);
        assertTrue(lines.get(0).endsWith("reference: the --reference file."), lines.get(0));
        List<String> header = List.of(cells(lines.get(2)));
        String[] sum = cells(lines.get(4));
        assertEquals("45.5", sum[header.indexOf("reference ms")]);
        assertEquals("0.33", sum[header.indexOf("fast/ref")]);
        assertEquals("15.2", sum[header.indexOf("interp target ms")]);
        assertEquals("yes", sum[header.indexOf("fast met")], "15.0 <= 45.5 / 3");
        String[] host = cells(lines.get(5));
        assertEquals("-", host[header.indexOf("reference ms")], "not in the file: no issue figure either");
        assertEquals("-", host[header.indexOf("fast met")]);
        assertTrue(Table.interpreterTable(rows).get(0).endsWith("reference: issue 14's figures."));
    }

    @Test
    void badReferenceLinesAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("sum_loop", "2: expected \"workload ms\", got \"sum_loop\"");
        bad.put("sum_loop 1 2", "2: expected \"workload ms\"");
        bad.put("loop 3.0", "2: unknown workload, got \"loop 3.0\"");
        bad.put("fib 1.0", "2: workload given twice");
        bad.put("sum_loop 0", "2: ms is not a positive number");
        bad.put("sum_loop -3", "2: ms is not a positive number");
        bad.put("sum_loop NaN", "2: ms is not a positive number");
        bad.put("sum_loop Infinity", "2: ms is not a positive number");
        bad.put("sum_loop 1e999", "2: ms is not a positive number");
        bad.put("sum_loop 0x10p0", "2: ms is not a positive number");
        bad.put("sum_loop 12ms", "2: ms is not a positive number");
        bad.put("sum_loop \u0007", "2: ms is not a positive number, got \"sum_loop \\u0007\"");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            List<String> lines = List.of("fib 18.4", e.getKey());
            CommandLineOptionException x = assertThrows(CommandLineOptionException.class,
                () -> Table.parseReference(lines, "r.txt"), e.getKey());
            assertTrue(x.getMessage().startsWith("r.txt:" + e.getValue()), x.getMessage());
            assertFalse(x.getMessage().contains("\n"), x.getMessage());
        }
        CommandLineOptionException x = assertThrows(CommandLineOptionException.class,
            () -> Table.parseReference(List.of("fib " + "9".repeat(100) + "x"), "r.txt"));
        assertTrue(x.getMessage().endsWith("99...\""), x.getMessage());
        x = assertThrows(CommandLineOptionException.class, () -> Table.takeReference(args("--reference")));
        assertEquals("--reference needs a file of \"workload ms\" lines", x.getMessage());
        x = assertThrows(CommandLineOptionException.class,
            () -> Table.takeReference(args("--reference", tmp.resolve("none").toString())));
        assertTrue(x.getMessage().endsWith("none: cannot read it (NoSuchFileException)"), x.getMessage());
    }
}
