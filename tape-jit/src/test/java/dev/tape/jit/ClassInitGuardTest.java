package dev.tape.jit;

import dev.tape.vm.Vm;
import dev.tape.vm.internal.ClassInit;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
 * the entry does. {@code FirstUseDeepTest} shows what happens otherwise.
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
            "dev.tape.jit.Jit", "dev.tape.jit.ClassInitList", "dev.tape.vm.internal.ClassInit");

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

    /** no stale name: each listed class exists, and each of tape's has a static initialiser */
    @Test
    void everyListedClassExistsAndHasAStaticInitialiser() throws Exception {
        Set<String> listed = listed();
        for (String name : listed) {
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
            ClassInit.JIT, ClassInit.JIT_CODE, ClassInit.BUILDER, ClassInit.ASSEMBLER, ClassInit.DISASSEMBLER, ClassInitList.COMPILE,
            ClassInitList.GENERATE}) {
            all.addAll(Arrays.asList(list.split(" ")));
        }
        out.addAll(all);
        assertEquals(all.size(), out.size(), "a class is in two lists: " + all);
        return out;
    }

    /** whether the class file of {@code name} (tape-core's or tape-jit's) has a {@code <clinit>} */
    static boolean hasStaticInitialiser(String name) throws IOException {
        boolean[] found = {false};
        try (InputStream in = classFile(name)) {
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
