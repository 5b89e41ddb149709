package dev.tape.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape profile --measure wall}: sampled stacks of a compiled run. No assertion is about how
 * many samples a stack gets, only that the stacks a run spends its time in get some and that no
 * stack the run never had appears.
 */
class WallProfileCommandTest {
    /** main calls spin once; spin loops n times: nearly all the time is spin's, under main. */
    static final String SPIN = """
            program spin

            func main(n: i64) -> (total: i64) {
                call r0, spin, r0, [r1] -> [r2]
                ret r0, [r2]
            }

            func spin(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                i64.xor r3, r3, r2
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            """;

    /** main calls work once; work makes n host calls of test.add_i64. */
    static final String HOSTY = """
            program hosty
            host add = "test.add_i64" (i64, i64) -> (i64)

            func main(n: i64) -> (total: i64) {
                call r0, work, r0, [r1] -> [r2]
                ret r0, [r2]
            }

            func work(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                host_call r0, add, r0, [r3, r2] -> [r3]
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            """;

    /** @return the collapsed stacks as stack to count */
    static Map<String, Long> stacks(Path folded) throws Exception {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(folded)) {
            int sp = line.lastIndexOf(' ');
            m.merge(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)), Long::sum);
        }
        return m;
    }

    /** stderr's summary: "profile: N samples over M ms (asked: one every I microseconds) in F frames" */
    static final Pattern SUMMARY = Pattern.compile(
            "profile: ([0-9]+) samples? over ([0-9]+) ms \\(asked: one every ([0-9]+) microseconds\\) in [0-9]+ frames\n");

    /** @return the sample count and milliseconds of stderr's summary line, which it checks */
    static long[] summary(Cli.Result r) {
        Matcher m = SUMMARY.matcher(r.err());
        assertTrue(m.find(), r.err());
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    static boolean samplerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("tape-profile-sampler") && t.isAlive());
    }

    @Test
    void aLoopCalledFromTheEntryGetsTheSamples(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("spin.tasm"), SPIN);
        Path folded = dir.resolve("spin.folded");
        Path svg = dir.resolve("spin.svg");
        Path json = dir.resolve("spin.json");
        // 200 million iterations: a few hundred ms compiled, longer before HotSpot compiles the loop
        Cli.Result r = Cli.run("profile", src.toString(), "--arg", "200000000", "--fuel", "10000000000",
                "--measure", "wall", "--interval-us", "500", "--collapsed", folded.toString(), "-o", svg.toString(),
                "--speedscope", json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("i64:0\n", r.out());
        assertFalse(samplerAlive(), "the sampler thread ended with the run");
        long[] sum = summary(r);
        assertEquals(500, sum[2]);

        // weights are microseconds: they add up to the time the summary gives
        Map<String, Long> s = stacks(folded);
        assertTrue(s.getOrDefault("main;spin", 0L) > 0, s.toString());
        // nothing but the run's own stacks, and the compiler's time at its start
        for (String stack : s.keySet()) {
            assertTrue(List.of("main;spin", "main", "[compiling]", "main;[compiling]").contains(stack), s.toString());
        }
        long micros = s.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(sum[1], micros / 1000);
        assertTrue(sum[0] > 0);

        // the SVG: weights are microseconds, the root has them all
        Document d = ProfileCommandTest.parse(svg);
        NodeList groups = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        long root = -1;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent();
            assertTrue(title.matches(".* \\([0-9]+ \u00b5s, [0-9.]+%\\)"), title);
            if (title.startsWith("all (")) {
                root = Long.parseLong(g.getAttribute("data-us"));
            }
        }
        assertEquals(micros, root);
        String text = Files.readString(svg);
        assertTrue(text.contains("Wall-time flame graph of spin.tasm, by function"), text);
        assertTrue(text.contains(sum[0] + " samples over " + sum[1] + " ms (asked: one every 500 \u00b5s)"), text);

        // speedscope: weights in microseconds
        JsonNode p = new ObjectMapper().readTree(json.toFile()).get("profiles").get(0);
        assertEquals("microseconds", p.get("unit").asText());
        assertEquals(micros, p.get("endValue").asLong());
    }

    @Test
    void samplesInHostCallsEndInALeafNamedAfterTheSymbol(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("hosty.tasm"), HOSTY);
        Path folded = dir.resolve("hosty.folded");
        Cli.Result r = Cli.run("profile", src.toString(), "--host", "test", "--arg", "1000000", "--fuel",
                "10000000000", "--measure", "wall", "--interval-us", "200", "--collapsed", folded.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("i64:499999500000\n", r.out());
        Map<String, Long> s = stacks(folded);
        assertTrue(s.getOrDefault("main;work;[host] test.add_i64", 0L) > 0, s.toString());
        for (String stack : s.keySet()) {
            // (a sample in the VM's code just before the first host function ran names no symbol)
            assertTrue(List.of("main;work;[host] test.add_i64", "main;work;[host]", "main;work", "main",
                    "[compiling]", "main;[compiling]", "main;work;[compiling]").contains(stack), s.toString());
        }
    }

    @Test
    void aTrappingRunIsProfiledAndTheSamplerStops(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("spin.tasm"), SPIN);
        Path folded = dir.resolve("t.folded");
        Cli.Result r = Cli.run("profile", src.toString(), "--arg", "200000000", "--fuel", "50000000",
                "--measure", "wall", "--collapsed", folded.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("trap: fuel_exceeded"), r.err());
        assertTrue(Files.exists(folded));
        assertFalse(samplerAlive(), "the sampler thread ended with the run");
        assertEquals(summary(r)[1], stacks(folded).values().stream().mapToLong(Long::longValue).sum() / 1000);
    }

    @Test
    void aRunShorterThanTheIntervalSaysSo(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("h.folded");
        // a few milliseconds of run, one sample a second
        Cli.Result r = Cli.run("profile", "../examples/hello_host.tasm", "--measure", "wall", "--interval-us",
                "1000000", "--collapsed", folded.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("6 * 7 =\n42\n", r.out());
        assertEquals("profile: 0 samples over 0 ms (asked: one every 1000000 microseconds) in 0 frames; the run "
                + "ended before the first sample (a smaller --interval-us takes more)\n", r.err());
        assertEquals("", Files.readString(folded));
    }

    @Test
    void badOptionsAreOneLineErrors() {
        String fib = "../examples/fib.tasm";
        assertEquals("--measure must be fuel or wall, got 'time\\u001b'", Cli.run("profile", fib, "--arg", "1",
                "--measure", "time\u001b", "-o", "/dev/null").oneErrorOf("profile", 2));
        assertEquals("--interval-us must be from 100 to 1000000", Cli.run("profile", fib, "--arg", "1",
                "--measure", "wall", "--interval-us", "99", "-o", "/dev/null").oneErrorOf("profile", 2));
        assertEquals("--interval-us must be from 100 to 1000000", Cli.run("profile", fib, "--arg", "1",
                "--measure", "wall", "--interval-us", "1000001", "-o", "/dev/null").oneErrorOf("profile", 2));
        assertEquals("--interval-us applies to --measure wall only", Cli.run("profile", fib, "--arg", "1",
                "--interval-us", "500", "-o", "/dev/null").oneErrorOf("profile", 2));
        assertEquals("--by span needs --measure fuel (wall-time samples see functions, not spans)",
                Cli.run("profile", fib, "--arg", "1", "--measure", "wall", "--by", "span", "-o", "/dev/null")
                        .oneErrorOf("profile", 2));
        assertEquals("--measure wall samples compiled code and needs --tier jit; use --measure fuel to profile "
                + "the interpreter", Cli.run("profile", fib, "--arg", "1", "--measure", "wall", "--tier", "interp",
                "-o", "/dev/null").oneErrorOf("profile", 2));
        assertTrue(Cli.run("profile", fib, "--arg", "1", "--measure", "wall", "--interval-us", "abc", "-o",
                "/dev/null").oneErrorOf("profile", 2).startsWith("Invalid value for option '--interval-us'"));
    }
}
