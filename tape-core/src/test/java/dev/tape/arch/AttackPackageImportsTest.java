package dev.tape.arch;

import dev.tape.TapeException;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ../shared/ARCHITECTURE.md}'s import rule ("no two packages import each other"), read from
 * tape-core's class files (every class a class names, also by its full name without an import):
 * the packages that reach each other through their references, grouped (strongly connected
 * components). The rule does not hold today: the groups below are the ones there are, pinned so
 * that a new cycle (or a wider one) fails here, and a cycle broken fails here too until this list
 * is brought down with it. The host package's own independence of the VM is
 * {@code HostCallDetailTest}'s.
 */
class AttackPackageImportsTest {
    /**
     * The cycles tape-core has (2026-12-07, mend26), each as its packages, sorted: {@code vm} and
     * {@code vm.internal} ({@code vm.internal} names {@code Vm} and {@code VmOptions}: the
     * compiler's interface, whose implementations live in {@code vm}), and {@code verify} and
     * {@code verify.internal} (the lowered form and its verifier). Before mend26 they were one
     * group of nine packages: {@code program}, {@code asm} and {@code jfr} named
     * {@code vm.internal.ClassInit}, and {@code vm.internal} reaches them back; {@code ClassInit}
     * now has a package of its own that names none of tape's ({@link #classInitNamesNoPackageOfTapes}).
     */
    private static final Set<String> KNOWN = Set.of("dev.tape.verify dev.tape.verify.internal",
            "dev.tape.vm dev.tape.vm.internal");

    private static final Pattern REF = Pattern.compile("dev/tape/((?:[a-z0-9_]+/)*)[A-Za-z0-9_$]+");

    /** @return package -> packages it names (dev.tape packages only, itself left out) */
    static Map<String, Set<String>> graph() throws Exception {
        URI where = TapeException.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(where);
        Map<String, Set<String>> g = new TreeMap<>();
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root, Map.of())) {
            Path base = (jar == null ? root : jar.getPath("/"));
            Path dir = base.resolve("dev/tape");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!f.toString().endsWith(".class")) {
                        continue;
                    }
                    String rel = base.relativize(f.getParent()).toString().replace('\\', '/');
                    String pkg = rel.replace('/', '.');
                    Set<String> out = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                    try (InputStream in = Files.newInputStream(f)) {
                        // class names in the constant pool are modified UTF-8, plain ASCII here
                        String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        Matcher m = REF.matcher(text);
                        while (m.find()) {
                            String p = ("dev/tape/" + m.group(1));
                            p = p.substring(0, p.length() - 1).replace('/', '.');
                            if (!p.equals(pkg)) {
                                out.add(p);
                            }
                        }
                    }
                }
            }
        }
        return g;
    }

    /** @return the strongly connected components of more than one package (Tarjan's algorithm) */
    static Set<String> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> on = new TreeSet<>();
        Set<String> out = new TreeSet<>();
        int[] next = {0};
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, g, index, low, stack, on, out, next);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> on, Set<String> out,
                                int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]++);
        stack.push(v);
        on.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, on, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (on.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> comp = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                on.remove(w);
                comp.add(w);
            } while (!w.equals(v));
            if (comp.size() > 1) {
                out.add(String.join(" ", new TreeSet<>(comp)));
            }
        }
    }

    @Test
    void thePackageCyclesAreTheKnownOnes() throws Exception {
        Map<String, Set<String>> g = graph();
        assertTrue(g.size() > 8, "packages found: " + g.keySet());
        assertEquals(new TreeSet<>(KNOWN), cycles(g), "package cycles of tape-core: " + g);
    }

    /**
     * {@code dev.tape.classinit} names no package of tape's (its lists are binary names in strings),
     * so the packages that call it ({@code program}, {@code asm}, {@code jfr}, {@code vm}) import
     * one way; and each of those names it.
     */
    @Test
    void classInitNamesNoPackageOfTapes() throws Exception {
        Map<String, Set<String>> g = graph();
        assertEquals(Set.of(), g.get("dev.tape.classinit"), "what dev.tape.classinit names");
        for (String caller : List.of("dev.tape.program", "dev.tape.asm", "dev.tape.jfr", "dev.tape.vm")) {
            assertTrue(g.get(caller).contains("dev.tape.classinit"), caller + " names " + g.get(caller));
        }
    }

    /** The finder finds a cycle it is given (so the test above can fail). */
    @Test
    void theFinderFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        g.put("d", Set.of("a"));
        assertEquals(Set.of("a b c"), cycles(g));
    }
}
