package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tape-core and tape-jit are real JPMS modules: a consumer module that requires {@code dev.tape.core}
 * and {@code dev.tape.jit} compiles against them on the module path and runs fib on both tiers there
 * ({@code java --module-path ... -m consumer/consumer.Main}); and tape-core's internal interface is
 * exported to {@code dev.tape.jit} alone, and so is the lowered execution form
 * ({@code dev.tape.verify.internal}), so the consumer cannot compile against either.
 *
 * <p>The module path is where the test's own class path found the two modules and ASM: the jars in
 * a reactor build that has packaged them ({@code mvn verify}), else the modules' {@code target/classes}
 * (exploded modules, with the same {@code module-info.class}). A package split between the two
 * modules again, a package no longer exported, or a module descriptor that does not resolve fails
 * the compile or the launch, and so this test.
 */
class ModularConsumerTest {
    private static final String MODULE_INFO = "module consumer {\n"
            + "    requires dev.tape.core;\n"
            + "    requires dev.tape.jit;\n"
            + "}\n";

    private static final String MAIN = "package consumer;\n"
            + "\n"
            + "import dev.tape.asm.Assembler;\n"
            + "import dev.tape.host.Host;\n"
            + "import dev.tape.jit.Jit;\n"
            + "import dev.tape.value.Value;\n"
            + "import dev.tape.verify.VerifiedProgram;\n"
            + "import dev.tape.verify.Verifier;\n"
            + "import dev.tape.vm.Limits;\n"
            + "import dev.tape.vm.Vm;\n"
            + "import java.nio.file.Files;\n"
            + "import java.nio.file.Path;\n"
            + "import java.util.List;\n"
            + "\n"
            + "public final class Main {\n"
            + "    public static void main(String[] args) throws Exception {\n"
            + "        String source = Files.readString(Path.of(args[0]));\n"
            + "        VerifiedProgram p = Verifier.verify(Assembler.assemble(source, \"fib.tasm\"));\n"
            + "        Vm interpreted = new Vm(p, Host.NONE);\n"
            + "        Vm compiled = Jit.compile(p, Host.NONE);\n"
            + "        List<Value> n = List.of(Value.of(20L));\n"
            + "        System.out.println(\"interpreted \" + interpreted.run(0, n, Limits.DEFAULT).get(0).asLong()\n"
            + "                + \" compiled functions \" + Jit.compiledFunctions(interpreted));\n"
            + "        System.out.println(\"compiled \" + compiled.run(0, n, Limits.DEFAULT).get(0).asLong()\n"
            + "                + \" compiled functions \" + Jit.compiledFunctions(compiled));\n"
            + "        System.out.println(Main.class.getModule().getName() + \" \" + Vm.class.getModule().getName()\n"
            + "                + \" \" + Jit.class.getModule().getName());\n"
            + "    }\n"
            + "}\n";

    /** A consumer that reaches for tape-core's internal interface, which is not exported to it. */
    private static final String SNEAK = "package consumer;\n"
            + "\n"
            + "public final class Sneak {\n"
            + "    static Object access() {\n"
            + "        return dev.tape.vm.internal.CompilerAccess.get();\n"
            + "    }\n"
            + "}\n";

    /** A consumer that reaches for the lowered execution form, which is not exported to it either. */
    private static final String SNEAK_LOWERED = "package consumer;\n"
            + "\n"
            + "public final class Sneak {\n"
            + "    static Object access(dev.tape.verify.VerifiedProgram p) {\n"
            + "        return dev.tape.verify.internal.Lowered.image(p);\n"
            + "    }\n"
            + "}\n";

    /** @return the jar or class directory a class was loaded from */
    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String modulePath() throws URISyntaxException {
        return String.join(File.pathSeparator, location(Vm.class), location(Jit.class), location(ClassWriter.class));
    }

    /** Compiles a consumer module; returns javac's exit code and diagnostics. */
    private static Compiled compile(Path src, Path out, String... extra) throws URISyntaxException, IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // an empty class path: in process, javac would otherwise take this JVM's (the test's) class path
        Path noClasses = Files.createDirectories(out.resolveSibling("empty"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-Xlint:all", "-Werror",
                "--class-path", noClasses.toString(),
                "--module-path", modulePath(), "-d", out.toString(), src.resolve("module-info.java").toString(),
                src.resolve("consumer/Main.java").toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = javac.run(null, null, err, args.toArray(String[]::new));
        return new Compiled(code, err.toString(StandardCharsets.UTF_8));
    }

    private record Compiled(int code, String diagnostics) {}

    private static Path write(Path dir, String sneak) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("consumer/Main.java"), MAIN);
        if (sneak != null) {
            Files.writeString(src.resolve("consumer/Sneak.java"), sneak);
        }
        return src;
    }

    @Test
    void aConsumerModuleCompilesAndRunsBothTiersOnTheModulePath(@TempDir Path dir) throws Exception {
        Path src = write(dir, null);
        Path out = dir.resolve("out");
        Compiled c = compile(src, out);
        assertEquals(0, c.code(), c.diagnostics());

        Path fib = Path.of(System.getProperty("tape.root.dir", ".."), "examples", "fib.tasm").toAbsolutePath();
        assertTrue(Files.isRegularFile(fib), fib.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--module-path", out + File.pathSeparator + modulePath(),
                "-m", "consumer/consumer.Main", fib.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the consumer did not end");
        assertEquals(0, p.exitValue(), output);
        assertEquals(List.of(
                "interpreted 6765 compiled functions 0",
                "compiled 6765 compiled functions 1",
                "consumer dev.tape.core dev.tape.jit"), output.lines().toList());
    }

    @Test
    void theInternalInterfaceIsExportedToTheCompiledTierAlone(@TempDir Path dir) throws Exception {
        Path src = write(dir, SNEAK);
        Compiled c = compile(src, dir.resolve("out"), src.resolve("consumer/Sneak.java").toString());
        assertNotEquals(0, c.code(), "a consumer compiled against dev.tape.vm.internal");
        assertTrue(c.diagnostics().contains("package dev.tape.vm.internal is declared in module dev.tape.core, "
                + "which does not export it to module consumer"), c.diagnostics());
    }

    @Test
    void theLoweredExecutionFormIsExportedToTheCompiledTierAlone(@TempDir Path dir) throws Exception {
        Path src = write(dir, SNEAK_LOWERED);
        Compiled c = compile(src, dir.resolve("out"), src.resolve("consumer/Sneak.java").toString());
        assertNotEquals(0, c.code(), "a consumer compiled against dev.tape.verify.internal");
        assertTrue(c.diagnostics().contains("package dev.tape.verify.internal is declared in module dev.tape.core, "
                + "which does not export it to module consumer"), c.diagnostics());
    }
}
