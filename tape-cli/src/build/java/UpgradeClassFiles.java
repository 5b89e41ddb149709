import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step of tape-cli (run by the pom after the shade plugin, with Java's single-file source
 * launcher: {@code java -cp ASM UpgradeClassFiles.java SHADED RUNNABLE}; not part of any jar):
 * writes the runnable jar {@code tape-cli/target/tape-cli.jar} from the shade plugin's
 * {@code tape-cli-shaded.jar}, every class file older than version 50 (Java 6) rewritten as a
 * version 52 (Java 8) class file with the stack map frames ASM computes, every other entry's bytes,
 * name, order, time and extra fields as they were, and last a notice entry listing the changed
 * class files ({@code META-INF/CHANGED-CLASS-FILES.txt}, as Apache License 2.0 section 4(b) asks).
 *
 * <p>Why (docs/PERFORMANCE-LOG.md, "Cold start, tenth round"): picocli and ASM ship class-file
 * version 49, which JDK 17 verifies with its old type-inferring verifier at every start, even
 * for the classes a class-data sharing archive holds (the archive stores such classes unverified):
 * 149 classes, about 15 ms of a cold {@code tape run}'s CPU, 10 of them on the main thread. A
 * version 52 class with stack map frames is verified once, by the type-checking verifier, when
 * {@code ./tape} makes the archive, and not again at run time; without the archive the
 * type-checking verifier is also the faster one. The code itself is unchanged: only the version
 * and the frames (a description of the types the verifier checks) are new; version 52 adds no
 * rule the old code could break (the rule on final static fields is version 53's). A class whose
 * frames cannot be computed (old {@code jsr}/{@code ret} code), or that ASM would not write back
 * instruction for instruction (code no path reaches), is left as it was.
 *
 * <p>The result is checked before it replaces the runnable jar: each rewritten class is loaded
 * from it in a class loader of its own and linked (which verifies it with the type-checking
 * verifier); a {@link VerifyError} or {@link ClassFormatError} fails the build. The runnable jar
 * appears (by an atomic rename) only when every step before it succeeded: a build that fails or
 * is stopped on the way leaves the runnable jar of the build before, older than the sources, so
 * {@code ./tape} builds again instead of running a jar made half-way. The rewrite is deterministic
 * (same input, same JDK: same bytes), so the jar stays reproducible.
 */
public final class UpgradeClassFiles {
    /** the first class-file version the JVM verifies by type checking (with a fallback) */
    private static final int OLDEST_KEPT = 50;
    /** the entry that lists the changed class files */
    private static final String NOTICE = "META-INF/CHANGED-CLASS-FILES.txt";

    private UpgradeClassFiles() {}

    /**
     * Writes the runnable jar from the shaded one; does nothing when there is no shaded jar.
     *
     * @param args the shaded jar's path, then the runnable jar's
     * @throws Exception when a jar cannot be read or written, or a rewritten class fails to
     *     verify (the runnable jar is then left as it was, and no temporary file)
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: UpgradeClassFiles SHADED-JAR RUNNABLE-JAR");
        }
        Path shaded = Path.of(args[0]);
        Path jar = Path.of(args[1]);
        if (!Files.isRegularFile(shaded)) {
            // no shaded jar made (the shade step skipped): nothing to upgrade
            return;
        }
        Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrade.tmp");
        try {
            write(shaded, tmp, jar);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the upgraded copy of SHADED to TMP, checks it, and renames it to JAR. */
    private static void write(Path shaded, Path tmp, Path jar) throws Exception {
        List<String> upgraded = new ArrayList<>();
        int left = 0;
        long firstTime = -1;
        try (URLClassLoader types = new URLClassLoader(new URL[] {shaded.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
                ZipFile in = new ZipFile(shaded.toFile());
                OutputStream file = Files.newOutputStream(tmp);
                ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                firstTime = firstTime == -1 ? e.getTime() : firstTime;
                byte[] bytes = in.getInputStream(e).readAllBytes();
                byte[] now = bytes;
                if (e.getName().endsWith(".class") && bytes.length > 8 && version(bytes) < OLDEST_KEPT) {
                    now = upgrade(bytes, types);
                    if (now == null) {
                        now = bytes;
                        left++;
                    } else {
                        upgraded.add(e.getName());
                    }
                }
                // the entry as it was (time, extra fields, comment, method); sizes and checksum
                // of the bytes written now
                ZipEntry copy = new ZipEntry(e);
                CRC32 crc = new CRC32();
                crc.update(now);
                copy.setSize(now.length);
                copy.setCrc(crc.getValue());
                copy.setCompressedSize(e.getMethod() == ZipEntry.STORED ? now.length : -1);
                out.putNextEntry(copy);
                out.write(now);
                out.closeEntry();
            }
            if (!upgraded.isEmpty()) {
                // last, with the first entry's time (the shade step's fixed one: reproducible)
                ZipEntry notice = new ZipEntry(NOTICE);
                notice.setTime(firstTime);
                out.putNextEntry(notice);
                out.write(notice(upgraded).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        check(tmp, upgraded);
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (left > 0) {
            // (quiet otherwise, as the build's other steps are under -q)
            System.out.println("UpgradeClassFiles: " + left + " class files older than version 50 left as they were"
                    + " (no stack map frames could be computed, or ASM would change their code); " + upgraded.size()
                    + " upgraded");
        }
    }

    /**
     * The changed-files notice: Apache License 2.0, section 4(b), asks that modified files carry a
     * prominent notice that they were changed (picocli's are under that license; ASM's, under the
     * BSD 3-Clause License, are listed too).
     *
     * @param upgraded the rewritten entries' names, in the jar's order
     * @return the notice's text
     */
    private static String notice(List<String> upgraded) {
        StringBuilder b = new StringBuilder();
        b.append("Changed files (Apache License 2.0, section 4(b))\n\n");
        b.append("tape-cli's build (tape-cli/src/build/java/UpgradeClassFiles.java) changed the class files\n");
        b.append("listed below, from the libraries this jar bundles (picocli, Apache License 2.0; ASM, BSD\n");
        b.append("3-Clause License), when it made this jar: each was rewritten from class-file version 49 to\n");
        b.append("version 52 with the stack map frames ASM computes for it; its code and attributes are\n");
        b.append("otherwise those of the original file (its constant pool in another order).\n\n");
        for (String n : upgraded) {
            b.append(n).append('\n');
        }
        return b.toString();
    }

    /**
     * The class file as ASM writes what it reads without frames, as version 52, with every
     * method's maximum stack and locals 0: two class files with the same code, constants and
     * attributes give the same bytes.
     *
     * @param bytes the class file
     * @return its canonical form
     */
    private static byte[] canonical(byte[] bytes) {
        ClassWriter w = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(0, 0);
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }

    /** the class file's major version */
    private static int version(byte[] b) {
        return ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }

    /**
     * The class as version 52 with computed frames, or null when ASM cannot compute them or would
     * not write the class back as it was otherwise: read again without its frames, with its
     * version, maximum stack and locals set aside, the result must make the same class file as
     * the original read the same way (ASM writes code no path reaches as nop ... athrow, for one).
     *
     * @param bytes the class file
     * @param types the loader ASM asks for two types' common superclass
     */
    private static byte[] upgrade(byte[] bytes, ClassLoader types) {
        try {
            ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
                @Override
                protected ClassLoader getClassLoader() {
                    return types;
                }
            };
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, w) {
                @Override
                public void visit(int version, int access, String name, String signature, String superName,
                        String[] interfaces) {
                    super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
                }
            }, 0);
            byte[] now = w.toByteArray();
            return Arrays.equals(canonical(bytes), canonical(now)) ? now : null;
        } catch (RuntimeException e) {
            // jsr/ret, or a type ASM cannot load: the class stays as it was
            return null;
        }
    }

    /**
     * Loads and links (so verifies) each upgraded class from the new jar.
     *
     * @param jar the new jar
     * @param names the upgraded entries' names
     * @throws IOException when the jar cannot be read
     */
    private static void check(Path jar, List<String> names) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String n : names) {
                String name = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                try {
                    // getDeclaredMethods links the class (HotSpot), which verifies it; no initialisation
                    Class.forName(name, false, loader).getDeclaredMethods();
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("UpgradeClassFiles: " + name + " is missing from the new jar", e);
                } catch (VerifyError | ClassFormatError e) {
                    throw new IllegalStateException("UpgradeClassFiles: " + name + " fails to verify after the upgrade: " + e, e);
                } catch (LinkageError e) {
                    // a type the class names is missing from the jar (an optional dependency): as before
                }
            }
        }
    }
}
