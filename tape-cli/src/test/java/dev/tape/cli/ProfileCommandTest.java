package dev.tape.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape profile}: a flame graph, collapsed stacks and speedscope JSON that add up to the run's fuel. */
class ProfileCommandTest {
    /** fib(20)'s fuel, from {@code tape run --trace run} (it prints fuel_used) in the test below. */
    static long fuelOf(String... runArgs) {
        List<String> a = new ArrayList<>(List.of("run"));
        a.addAll(List.of(runArgs));
        a.add("--trace");
        a.add("run");
        Cli.Result r = Cli.run(a.toArray(new String[0]));
        String err = r.err();
        int at = err.indexOf("fuel_used ");
        assertTrue(at >= 0, err);
        return Long.parseLong(err.substring(at + 10).trim().split("\\s")[0]);
    }

    static Document parse(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(svg.toFile());
    }

    @Test
    void fibProfileAddsUpToTheRunsFuel(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("fib.svg");
        Path folded = dir.resolve("fib.folded");
        Path json = dir.resolve("fib.json");
        Cli.Result r = Cli.run("profile", "../examples/fib.tasm", "--arg", "20", "-o", svg.toString(),
                "--collapsed", folded.toString(), "--speedscope", json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("i64:6765\n", r.out());
        long fuel = fuelOf("../examples/fib.tasm", "--arg", "20");
        assertEquals(153_234, fuel);
        assertTrue(r.err().startsWith("profile: " + fuel + " fuel units in "), r.err());

        // the SVG is well-formed XML, names fib, and the frames above the root share out all the fuel
        Document d = parse(svg);
        assertEquals("svg", d.getDocumentElement().getLocalName());
        NodeList groups = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        Set<String> names = new HashSet<>();
        long rootFuel = -1;
        double rootWidth = -1;
        long bottomY = -1;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent();
            names.add(title.substring(0, title.indexOf(" (")));
            Element rect = (Element) g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").item(0);
            if (title.startsWith("all (")) {
                rootFuel = Long.parseLong(g.getAttribute("data-fuel"));
                rootWidth = Double.parseDouble(rect.getAttribute("width"));
                bottomY = Math.round(Double.parseDouble(rect.getAttribute("y")));
            }
        }
        assertTrue(names.contains("fib"), names.toString());
        assertEquals(fuel, rootFuel);
        assertEquals(ProfileWriters.WIDTH - 20, rootWidth, 0.01);
        // each frame is as wide as its fuel, and a caller as wide as its callees and its own fuel:
        // the frames on each level sum to at most the root, the first level above it to exactly its fuel
        double scale = rootWidth / rootFuel;
        long levelAbove = 0;
        double widthAbove = 0;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            Element rect = (Element) g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").item(0);
            long f = Long.parseLong(g.getAttribute("data-fuel"));
            double w = Double.parseDouble(rect.getAttribute("width"));
            assertEquals(f * scale, w, 0.01);
            if (Math.round(Double.parseDouble(rect.getAttribute("y"))) == bottomY - ProfileWriters.FRAME_HEIGHT) {
                levelAbove += f;
                widthAbove += w;
            }
        }
        assertEquals(fuel, levelAbove);
        assertEquals(rootWidth, widthAbove, 0.01);

        // collapsed stacks: fib recursion 20 deep, lines summing to the fuel
        long sum = 0;
        List<String> lines = Files.readAllLines(folded);
        for (String line : lines) {
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(fuel, sum);
        assertEquals(20, lines.size());
        assertEquals("fib 10", lines.get(0));
        assertEquals("fib;fib 20", lines.get(1));

        // speedscope: the file format's shape, weights summing to the fuel
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals("https://www.speedscope.app/file-format-schema.json", root.get("$schema").asText());
        assertEquals("fib", root.get("shared").get("frames").get(0).get("name").asText());
        JsonNode p = root.get("profiles").get(0);
        assertEquals("sampled", p.get("type").asText());
        assertEquals("none", p.get("unit").asText());
        assertEquals(0, p.get("startValue").asLong());
        assertEquals(fuel, p.get("endValue").asLong());
        assertEquals(p.get("samples").size(), p.get("weights").size());
        long w = 0;
        for (JsonNode x : p.get("weights")) {
            w += x.asLong();
        }
        assertEquals(fuel, w);
        for (JsonNode s : p.get("samples")) {
            for (JsonNode i : s) {
                assertTrue(i.asInt() >= 0 && i.asInt() < root.get("shared").get("frames").size());
            }
        }
        assertEquals(0, root.get("activeProfileIndex").asInt());
    }

    @Test
    void hostCallsAreLeavesNamedAfterTheirSymbol(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("h.folded");
        Cli.Result r = Cli.run("profile", "../examples/hello_host.tasm", "--collapsed", folded.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("6 * 7 =\n42\n", r.out());
        List<String> lines = Files.readAllLines(folded);
        assertEquals(List.of("main 5", "main;[host] std.print_i64 1", "main;[host] std.print_str 1"), lines);
        assertEquals(7, fuelOf("../examples/hello_host.tasm"));
    }

    @Test
    void bySpanNamesSpans(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("s.folded");
        Cli.Result r = Cli.run("profile", "../examples/fib.tasm", "--arg", "5", "--by", "span", "--collapsed",
                folded.toString());
        assertEquals(0, r.code(), r.err());
        long sum = 0;
        for (String line : Files.readAllLines(folded)) {
            assertTrue(line.startsWith("fib @"), line);
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(fuelOf("../examples/fib.tasm", "--arg", "5"), sum);
    }

    @Test
    void deepRecursionIsCutAtMaxDepthAndTheFuelStillAddsUp(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("d.folded");
        // fib(25): 25 frames deep; keep 3
        Cli.Result r = Cli.run("profile", "../examples/fib.tasm", "--arg", "25", "--max-depth", "3",
                "--collapsed", folded.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(folded);
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(3).startsWith("fib;fib;fib;[deeper frames] "), lines.toString());
        long sum = 0;
        for (String line : lines) {
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(fuelOf("../examples/fib.tasm", "--arg", "25"), sum);
    }

    @Test
    void aTrappingRunIsProfiledToo(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("t.folded");
        Cli.Result r = Cli.run("profile", "../examples/fib.tasm", "--arg", "20", "--fuel", "1000", "--collapsed",
                folded.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("trap: fuel_exceeded"), r.err());
        long sum = 0;
        for (String line : Files.readAllLines(folded)) {
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(1000, sum);
    }

    @Test
    void usageErrorsAreOneLine() {
        Cli.Result none = Cli.run("profile", "../examples/fib.tasm", "--arg", "1");
        assertEquals(2, none.code());
        assertEquals("tape profile: say where to write the profile: -o OUT.svg, --collapsed FILE or --speedscope FILE\n",
                none.err());
        Cli.Result by = Cli.run("profile", "../examples/fib.tasm", "--arg", "1", "--by", "x\u001b", "-o", "/dev/null");
        assertEquals(2, by.code());
        assertEquals("tape profile: --by must be function or span, got 'x\\u001b'\n", by.err());
        assertFalse(Cli.run("profile", "../examples/fib.tasm", "--arg", "1", "--max-depth", "0", "-o", "/dev/null")
                .err().contains("\tat "));
    }

    @Test
    void anOutputThatCannotBeWrittenIsReportedAsForEveryCommand(@TempDir Path dir) {
        Path svg = dir.resolve("no-such-dir").resolve("p.svg");
        Cli.Result r = Cli.run("profile", "../examples/fib.tasm", "--arg", "1", "-o", svg.toString());
        assertEquals(2, r.code());
        assertEquals("i64:1\ntape profile: " + svg + ": no such directory\n", r.out() + r.err());
        r = Cli.run("profile", "../examples/fib.tasm", "--arg", "1", "--collapsed", dir.toString());
        assertEquals("tape profile: " + dir + ": is a directory, not a file\n", r.err());
    }
}
