package dev.tape.jit;

import dev.tape.classinit.ClassInit;
import dev.tape.program.ProgramBuilder;
import dev.tape.testing.SwitchMaps;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps {@link ClassInit}'s lists complete: every class of tape-core and tape-jit whose class file has
 * a static initialiser ({@code <clinit>}: javac writes one only for work beyond compile-time
 * constants, such as an enum's constants, an array, an object, a switch on an enum) must be in one
 * of them, so that it is initialised up front on a thread with a full stack, or in
 * {@link #ALLOWED}, with the reason it need not be. And the classes whose methods are the entries
 * that start that initialisation must have none: their own would run on the caller's thread before
 * the entry does. No static initialiser of tape's reaches an entry, directly or through other
 * methods of tape's, and every class of ASM's with one is listed too. {@code FirstUseDeepTest} shows
 * what happens otherwise.
 */
class ClassInitGuardTest {
    /** classes with static initialisers in no list, and why that is safe */
    static final Map<String, String> ALLOWED = Map.of(
            "dev.tape.jit.Warmup$Work", "initialised only by the warm-up's own thread (Warmup.run), never by a caller's");

    /**
     * the classes whose methods or constructors start the initialisation (ClassInit's group methods,
     * ClassInitList's), and the two that do it
     */
    static final List<String> ENTRIES = List.of("dev.tape.program.ProgramDecoder", "dev.tape.program.Program",
            "dev.tape.program.ProgramBuilder", "dev.tape.asm.Assembler", "dev.tape.asm.Disassembler",
            "dev.tape.jit.Jit", "dev.tape.jit.ClassInitList", "dev.tape.classinit.ClassInit");

    @Test
    void everyStaticInitialiserIsListedOrAllowed() throws Exception {
        Set<String> listed = listed();
        List<String> missing = new ArrayList<>();
        Set<String> withInit = new TreeSet<>();
        for (String name : FirstUseDeepTest.tapeClasses()) {
            if (hasStaticInitialiser(name)) {
                withInit.add(name);
                if (!listed.contains(name) && !ALLOWED.containsKey(name)) {
                    missing.add(name);
                }
            }
        }
        assertEquals(List.of(), missing, "classes with a static initialiser in none of ClassInit's lists");
        // the scan sees them: an enum, the decoder's tables, the interpreter's tables
        assertTrue(withInit.containsAll(List.of("dev.tape.vm.TrapKind", "dev.tape.program.DecoderTables",
                "dev.tape.vm.Interpreter", "dev.tape.format.Opcode")), withInit.toString());
        for (String name : ALLOWED.keySet()) {
            assertTrue(withInit.contains(name), name + " is allowed but has no static initialiser");
        }
    }

    @Test
    void theEntriesHaveNoStaticInitialiser() throws Exception {
        for (String name : ENTRIES) {
            assertTrue(!hasStaticInitialiser(name), name + " has a static initialiser");
        }
    }

    /** every JFR event class of tape's is in {@link ClassInit#EVENTS}, and nothing else is */
    @Test
    void everyEventClassIsInEvents() throws Exception {
        Set<String> events = new TreeSet<>();
        for (String name : FirstUseDeepTest.tapeClasses()) {
            if (jdk.jfr.Event.class.isAssignableFrom(Class.forName(name, false, getClass().getClassLoader()))) {
                events.add(name);
            }
        }
        assertEquals(events, new TreeSet<>(Arrays.asList(ClassInit.EVENTS.split(" "))));
        assertTrue(events.contains("dev.tape.jfr.HostCallEvent"), events.toString());
    }

    /** no stale name: each listed class exists, and each of tape's has a static initialiser */
    @Test
    void everyListedClassExistsAndHasAStaticInitialiser() throws Exception {
        Set<String> listed = listed();
        for (String name : listed) {
            if (!SwitchMaps.present(name, getClass().getClassLoader())) {
                assertTrue(SwitchMaps.notGenerated(name, getClass().getClassLoader()),
                        name + ": no such class, and not a switch map this javac leaves out");
                continue;
            }
            assertNotNull(Class.forName(name, false, getClass().getClassLoader()), name);
            if (name.startsWith("dev.tape.")) {
                assertTrue(hasStaticInitialiser(name), name + " is listed but has no static initialiser");
            }
        }
        assertTrue(listed.size() > 60, listed.toString());
    }

    /**
     * No static initialiser of tape's calls an entry that starts the initialising thread: its caller
     * holds the class's initialisation lock, which the thread may need, while it waits for the thread
     * (a deadlock). Direct calls only: a call through another method is not seen.
     */
    @Test
    void noStaticInitialiserCallsAnEntry() throws Exception {
        List<String> calls = new ArrayList<>();
        for (String name : FirstUseDeepTest.tapeClasses()) {
            for (String call : clinitCalls(name)) {
                String owner = call.substring(0, call.indexOf('.')).replace('/', '.');
                if (ENTRIES.contains(owner)) {
                    calls.add(name + " -> " + call);
                }
            }
        }
        assertEquals(List.of(), calls);
        // the scan sees calls: Lowerer's initialiser calls ValueInternals.get
        assertTrue(clinitCalls("dev.tape.verify.Lowerer").contains("dev/tape/value/ValueInternals.get"),
                clinitCalls("dev.tape.verify.Lowerer").toString());
    }

    /**
     * As {@link #noStaticInitialiserCallsAnEntry}, through any chain of calls of tape's own methods
     * (a virtual or interface call is followed to the method it names, not to overrides): no static
     * initialiser of tape's reaches a call of {@link ClassInit}'s or {@link ClassInitList}'s.
     */
    @Test
    void noStaticInitialiserReachesAnEntryThroughOtherMethods() throws Exception {
        Map<String, Set<String>> graph = new HashMap<>();
        List<String> names = FirstUseDeepTest.tapeClasses();
        for (String name : names) {
            addCalls(graph, classFile(name));
        }
        List<String> chains = new ArrayList<>();
        for (String name : names) {
            List<String> chain = chainToClassInit(graph, name.replace('.', '/') + ".<clinit>()V");
            if (chain != null) {
                chains.add(String.join(" -> ", chain));
            }
        }
        assertEquals(List.of(), chains);
        // the scan follows chains: ReachesAnEntry's initialiser makes a program through a method of its own
        addCalls(graph, ClassInitGuardTest.class.getResourceAsStream("ClassInitGuardTest$ReachesAnEntry.class"));
        List<String> chain = chainToClassInit(graph, "dev/tape/jit/ClassInitGuardTest$ReachesAnEntry.<clinit>()V");
        assertEquals(List.of("dev/tape/jit/ClassInitGuardTest$ReachesAnEntry.<clinit>()V",
                "dev/tape/jit/ClassInitGuardTest$ReachesAnEntry.make()Ldev/tape/program/ProgramBuilder;",
                "dev/tape/program/ProgramBuilder.<init>()V", "dev/tape/classinit/ClassInit.builder()V"), chain);
    }

    /** never initialised: what {@link #noStaticInitialiserReachesAnEntryThroughOtherMethods} must see */
    static final class ReachesAnEntry {
        static final ProgramBuilder B = make();

        private ReachesAnEntry() {}

        static ProgramBuilder make() {
            return new ProgramBuilder();
        }
    }

    /**
     * Every class of ASM's with a static initialiser is in {@link ClassInitList#ASM}: the code
     * generator uses them from a run's thread, which may be deep in a program's recursion (a function
     * is compiled when first called), and an ASM class left erroneous there would leave the compiled
     * tier unable to compile anything for good in that class loader, unseen (functions run
     * interpreted, with the same outcomes). So that a new version of ASM's with a new one is seen.
     */
    @Test
    void everyStaticInitialiserOfAsmIsListed() throws Exception {
        Set<String> listed = listed();
        List<String> missing = new ArrayList<>();
        Set<String> withInit = new TreeSet<>();
        Path jar = Path.of(ClassWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> files = new ArrayList<>();
        if (Files.isDirectory(jar)) {
            try (Stream<Path> s = Files.walk(jar)) {
                s.forEach(p -> files.add(jar.relativize(p).toString().replace('\\', '/')));
            }
        } else {
            try (JarFile j = new JarFile(jar.toFile())) {
                j.stream().forEach(e -> files.add(e.getName()));
            }
        }
        for (String f : files) {
            if (!f.startsWith("org/objectweb/asm/") || !f.endsWith(".class")) {
                continue;
            }
            String name = f.substring(0, f.length() - ".class".length()).replace('/', '.');
            try (InputStream in = ClassWriter.class.getResourceAsStream("/" + f)) {
                assertNotNull(in, f);
                if (hasStaticInitialiser(in)) {
                    withInit.add(name);
                    if (!listed.contains(name)) {
                        missing.add(name);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "ASM's classes with a static initialiser in none of the lists");
        // the scan sees them
        assertTrue(withInit.containsAll(List.of("org.objectweb.asm.Type", "org.objectweb.asm.Opcodes")),
                withInit.toString());
    }

    /** Adds the calls of each method of a class file: its key (owner/name+descriptor) to its callees' keys. */
    private static void addCalls(Map<String, Set<String>> graph, InputStream in) throws IOException {
        assertNotNull(in);
        try (in) {
            new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
                private String owner;

                @Override
                public void visit(int v, int access, String n, String sig, String sup, String[] itfs) {
                    owner = n;
                }

                @Override
                public MethodVisitor visitMethod(int access, String n, String d, String s, String[] e) {
                    Set<String> out = graph.computeIfAbsent(owner + "." + n + d, k -> new TreeSet<>());
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int op, String o, String m, String desc, boolean itf) {
                            out.add(o + "." + m + desc);
                        }
                    };
                }
            }, 0);
        }
    }

    /**
     * @return the chain of calls from {@code from} to a method of {@link ClassInit}'s or
     *     {@link ClassInitList}'s (a shortest one), or null when there is none
     */
    private static List<String> chainToClassInit(Map<String, Set<String>> graph, String from) {
        if (!graph.containsKey(from)) {
            return null;
        }
        Map<String, String> parent = new HashMap<>();
        parent.put(from, null);
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
        while (!queue.isEmpty()) {
            String m = queue.poll();
            for (String callee : graph.getOrDefault(m, Set.of())) {
                if (parent.containsKey(callee)) {
                    continue;
                }
                parent.put(callee, m);
                if (callee.startsWith(ClassInit.class.getName().replace('.', '/') + ".") || callee.startsWith("dev/tape/jit/ClassInitList.")) {
                    List<String> chain = new ArrayList<>();
                    for (String at = callee; at != null; at = parent.get(at)) {
                        chain.add(0, at);
                    }
                    return chain;
                }
                queue.add(callee);
            }
        }
        return null;
    }

    /** the methods (owner/name) and constructors a class's static initialiser calls */
    private static Set<String> clinitCalls(String name) throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream in = classFile(name)) {
            new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String n, String d, String s, String[] e) {
                    if (!n.equals("<clinit>")) {
                        return null;
                    }
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int op, String owner, String m, String desc, boolean itf) {
                            out.add(owner + "." + m);
                        }
                    };
                }
            }, 0);
        }
        return out;
    }

    private static InputStream classFile(String name) {
        Class<?> anchor = name.startsWith("dev.tape.jit.") ? Jit.class : Vm.class;
        String resource = "/" + name.replace('.', '/') + ".class";
        InputStream in = anchor.getResourceAsStream(resource);
        assertNotNull(in, resource);
        return in;
    }

    /** every name in ClassInit's and ClassInitList's lists */
    private static Set<String> listed() {
        Set<String> out = new TreeSet<>();
        List<String> all = new ArrayList<>();
        for (String list : new String[] {ClassInit.CORE, ClassInit.DECODER, ClassInit.INTERPRETER, ClassInit.RUNS,
            ClassInit.JIT, ClassInit.JIT_CODE, ClassInit.INDIRECT, ClassInit.BUILDER, ClassInit.ASSEMBLER, ClassInit.DISASSEMBLER, ClassInitList.COMPILE,
            ClassInitList.GENERATE, ClassInitList.ASM}) {
            all.addAll(Arrays.asList(list.split(" ")));
        }
        out.addAll(all);
        assertEquals(all.size(), out.size(), "a class is in two lists: " + all);
        return out;
    }

    /** whether the class file of {@code name} (tape-core's or tape-jit's) has a {@code <clinit>} */
    static boolean hasStaticInitialiser(String name) throws IOException {
        return hasStaticInitialiser(classFile(name));
    }

    /** whether a class file has a {@code <clinit>}; closes {@code in} */
    private static boolean hasStaticInitialiser(InputStream in) throws IOException {
        boolean[] found = {false};
        try (in) {
            new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String n, String d, String s, String[] e) {
                    found[0] |= n.equals("<clinit>");
                    return null;
                }
            }, ClassReader.SKIP_CODE);
        }
        return found[0];
    }
}
