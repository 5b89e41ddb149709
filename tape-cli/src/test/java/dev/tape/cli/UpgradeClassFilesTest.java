package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * tape-cli's build step {@code src/build/java/UpgradeClassFiles.java} (run as the pom runs it, with
 * Java's source launcher and ASM on the class path) on small jars made here: class files older than
 * version 50 come out as version 52 with stack map frames whose types come from the jar's own
 * classes, and still run; every other entry keeps its bytes, order and time; {@code jsr}/{@code ret}
 * code, and code that ASM would not write back instruction for instruction, are left as they were;
 * a notice entry lists the changed files (Apache License 2.0, section 4(b)); and a class that fails
 * to verify fails the step without touching the runnable jar of the build before (which
 * {@code ./tape} would otherwise take as up to date).
 */
@Timeout(120)
class UpgradeClassFilesTest {
    private static final Path SCRIPT = DebugCommandTest.example("x").getParent().getParent()
            .resolve("tape-cli/src/build/java/UpgradeClassFiles.java");

    /** What one run of the build step did. */
    private record Step(int code, String out, String err) {}

    private static Step upgrade(Path in, Path out) throws Exception {
        String asm = Path.of(ClassWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Path log = Files.createTempFile(in.getParent(), "step", ".err");
        Path stdout = Files.createTempFile(in.getParent(), "step", ".out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-classpath", asm, SCRIPT.toString(), in.toString(), out.toString())
                .redirectError(log.toFile()).redirectOutput(stdout.toFile()).start();
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), "the step ends");
        Step s = new Step(p.exitValue(), Files.readString(stdout), Files.readString(log));
        Files.delete(log);
        Files.delete(stdout);
        return s;
    }

    /** A public class NAME extending SUPER with a constructor and {@code String m()} returning NAME. */
    private static byte[] named(int version, String name, String superName) {
        ClassWriter w = new ClassWriter(0);
        w.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, superName, null);
        MethodVisitor c = w.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        c.visitCode();
        c.visitVarInsn(Opcodes.ALOAD, 0);
        c.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
        c.visitInsn(Opcodes.RETURN);
        c.visitMaxs(1, 1);
        c.visitEnd();
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC, "m", "()Ljava/lang/String;", null, null);
        m.visitCode();
        m.visitLdcInsn(name);
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(1, 1);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /**
     * Version 49 {@code t/Pick} with {@code static String pick(int x)}: {@code (x > 0 ? new t.B() : new
     * t.C()).m()} through a local, so that the frame at the join needs t.A, the common superclass
     * of two classes found only in the jar (java.lang.Object would not verify the call of A.m).
     */
    private static byte[] pick() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "t/Pick", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "pick", "(I)Ljava/lang/String;",
                null, null);
        m.visitCode();
        Label other = new Label();
        Label join = new Label();
        m.visitVarInsn(Opcodes.ILOAD, 0);
        m.visitJumpInsn(Opcodes.IFLE, other);
        m.visitTypeInsn(Opcodes.NEW, "t/B");
        m.visitInsn(Opcodes.DUP);
        m.visitMethodInsn(Opcodes.INVOKESPECIAL, "t/B", "<init>", "()V", false);
        m.visitVarInsn(Opcodes.ASTORE, 1);
        m.visitJumpInsn(Opcodes.GOTO, join);
        m.visitLabel(other);
        m.visitTypeInsn(Opcodes.NEW, "t/C");
        m.visitInsn(Opcodes.DUP);
        m.visitMethodInsn(Opcodes.INVOKESPECIAL, "t/C", "<init>", "()V", false);
        m.visitVarInsn(Opcodes.ASTORE, 1);
        m.visitLabel(join);
        m.visitVarInsn(Opcodes.ALOAD, 1);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "t/A", "m", "()Ljava/lang/String;", false);
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(2, 2);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /** Version 49 {@code t/Jsr} whose {@code static int f()} calls a subroutine (jsr/ret) that returns 7. */
    private static byte[] jsr() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "t/Jsr", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "()I", null, null);
        m.visitCode();
        Label sub = new Label();
        m.visitJumpInsn(Opcodes.JSR, sub);
        m.visitVarInsn(Opcodes.ILOAD, 1);
        m.visitInsn(Opcodes.IRETURN);
        m.visitLabel(sub);
        m.visitVarInsn(Opcodes.ASTORE, 0);
        m.visitIntInsn(Opcodes.BIPUSH, 7);
        m.visitVarInsn(Opcodes.ISTORE, 1);
        m.visitVarInsn(Opcodes.RET, 0);
        m.visitMaxs(1, 2);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /**
     * Version 49 {@code t/Dead} whose {@code static int f()} returns 1 and has two instructions after
     * that no path reaches (ASM, computing frames, would write them as nop ... athrow).
     */
    private static byte[] dead() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "t/Dead", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "()I", null, null);
        m.visitCode();
        m.visitInsn(Opcodes.ICONST_1);
        m.visitInsn(Opcodes.IRETURN);
        m.visitInsn(Opcodes.ICONST_2);
        m.visitInsn(Opcodes.IRETURN);
        m.visitMaxs(1, 0);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /** Version 49 {@code t/Bad} whose {@code static Object bad()} returns an int: no verifier accepts it. */
    private static byte[] bad() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "t/Bad", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "bad", "()Ljava/lang/Object;",
                null, null);
        m.visitCode();
        m.visitInsn(Opcodes.ICONST_0);
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(1, 0);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /** Writes a jar of the entries in order, each stored with the given time (deflated, as the shade step does). */
    private static void jar(Path path, Map<String, byte[]> entries, long time) throws IOException {
        try (OutputStream f = Files.newOutputStream(path); ZipOutputStream z = new ZipOutputStream(f)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setTime(time);
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    private record Entry(String name, long time, byte[] bytes) {}

    private static List<Entry> entries(Path jar) throws IOException {
        List<Entry> list = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                list.add(new Entry(e.getName(), e.getTime(), z.getInputStream(e).readAllBytes()));
            }
        }
        return list;
    }

    private static int version(byte[] b) {
        return ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }

    private static int frames(byte[] b) {
        int[] n = {0};
        new ClassReader(b).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFrame(int type, int locals, Object[] local, int stack, Object[] st) {
                        n[0]++;
                    }
                };
            }
        }, 0);
        return n[0];
    }

    private static Map<String, byte[]> goodEntries() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        m.put("t/", new byte[0]);
        m.put("t/A.class", named(Opcodes.V1_5, "t/A", "java/lang/Object"));
        m.put("t/B.class", named(Opcodes.V1_5, "t/B", "t/A"));
        m.put("t/C.class", named(Opcodes.V1_5, "t/C", "t/A"));
        m.put("t/Pick.class", pick());
        m.put("t/Jsr.class", jsr());
        m.put("t/Dead.class", dead());
        m.put("t/New.class", named(Opcodes.V17, "t/New", "java/lang/Object"));
        m.put("t/notes.txt", "kept as it is\n".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    @Test
    void oldClassFilesBecomeVersion52WithFramesAndStillRun(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("shaded.jar");
        Path out = dir.resolve("runnable.jar");
        long time = 1_000_000_000_000L;
        jar(in, goodEntries(), time);
        Step s = upgrade(in, out);
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("2 class files older than version 50 left as they were"), s.out());
        List<Entry> before = entries(in);
        List<Entry> after = entries(out);
        Map<String, Entry> got = new LinkedHashMap<>();
        for (Entry e : after) {
            got.put(e.name(), e);
        }
        for (int i = 0; i < before.size(); i++) {
            Entry b = before.get(i);
            Entry a = after.get(i);
            assertEquals(b.name(), a.name(), "the entries' order");
            assertEquals(b.time(), a.time(), b.name() + "'s time");
            boolean upgraded = List.of("t/A.class", "t/B.class", "t/C.class", "t/Pick.class").contains(b.name());
            if (upgraded) {
                assertEquals(52, version(a.bytes()), b.name());
            } else {
                assertArrayEquals(b.bytes(), a.bytes(), b.name() + " kept byte for byte");
            }
        }
        // Apache License 2.0, section 4(b): changed files carry a notice saying so (last, with the
        // manifest's time)
        assertEquals(before.size() + 1, after.size(), "one entry more");
        Entry notice = after.get(after.size() - 1);
        assertEquals("META-INF/CHANGED-CLASS-FILES.txt", notice.name());
        assertEquals(before.get(0).time(), notice.time());
        String text = new String(notice.bytes(), StandardCharsets.UTF_8);
        assertTrue(text.contains("section 4(b)") && text.contains("version 49") && text.contains("version 52"), text);
        assertTrue(text.endsWith("\n\nt/A.class\nt/B.class\nt/C.class\nt/Pick.class\n"), text);
        assertTrue(frames(got.get("t/Pick.class").bytes()) > 0, "Pick has stack map frames");
        assertEquals(49, version(got.get("t/Jsr.class").bytes()), "jsr/ret: left as version 49");
        assertEquals(49, version(got.get("t/Dead.class").bytes()), "code ASM would change: left as version 49");
        try (URLClassLoader l = new URLClassLoader(new URL[] {out.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> pick = Class.forName("t.Pick", true, l);
            assertEquals("t/B", pick.getMethod("pick", int.class).invoke(null, 1));
            assertEquals("t/C", pick.getMethod("pick", int.class).invoke(null, -1));
            assertEquals(7, Class.forName("t.Jsr", true, l).getMethod("f").invoke(null));
            assertEquals(1, Class.forName("t.Dead", true, l).getMethod("f").invoke(null));
        }
        assertFalse(Files.exists(dir.resolve("runnable.jar.upgrade.tmp")), "no temporary file left");
    }

    @Test
    void aFailedUpgradeLeavesTheRunnableJarOfTheBuildBeforeAsItWas(@TempDir Path dir) throws Exception {
        // the runnable jar of an earlier build, older than the sources ./tape compares it with
        Path out = dir.resolve("runnable.jar");
        jar(out, goodEntries(), 1_000_000_000_000L);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(out, old);
        byte[] was = Files.readAllBytes(out);
        // this build's shade output, with a class no verifier accepts
        Map<String, byte[]> m = goodEntries();
        m.put("t/Bad.class", bad());
        Path in = dir.resolve("shaded.jar");
        jar(in, m, 1_000_000_000_000L);
        Step s = upgrade(in, out);
        assertNotEquals(0, s.code(), "the step fails");
        assertTrue(s.err().contains("t.Bad fails to verify after the upgrade"), s.err());
        assertArrayEquals(was, Files.readAllBytes(out), "the runnable jar is the build before's");
        assertEquals(old, Files.getLastModifiedTime(out), "and as old: ./tape builds again next time");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("runnable.jar", "shaded.jar"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void noShadedJarNoStep(@TempDir Path dir) throws Exception {
        Step s = upgrade(dir.resolve("shaded.jar"), dir.resolve("runnable.jar"));
        assertEquals(0, s.code(), s.err());
        assertFalse(Files.exists(dir.resolve("runnable.jar")));
    }
}
