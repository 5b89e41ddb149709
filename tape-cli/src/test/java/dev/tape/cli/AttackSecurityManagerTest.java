package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@link TapeCli}'s security manager check (twenty-second round): a security manager
 * whose policy grants what {@code tape} needs ({@code AllPermission}, as a policy file for trusted
 * code on the class path gives) ran every command on the branch point, and was refused with
 * "it denies the reads of files and system properties" and code 2 after cold22's check, which
 * refused every security manager; a policy that grants less still gives one line and code 2, never
 * a stack trace. JDK 24 and later refuse the option themselves, before {@code main}. The child
 * JVMs are bounded ({@link ChildJvm}).
 */
class AttackSecurityManagerTest {
    @TempDir
    Path tmp;

    /** Runs {@code TapeCli.main(args)} in a child JVM ({@link ChildJvm}) with {@code jvmOptions}. */
    private ChildJvm.Result child(List<String> jvmOptions, String... args) throws Exception {
        return ChildJvm.in(tmp).options(jvmOptions).tape(args);
    }

    /** The JVM's two warnings when a command-line option enables a security manager (JDK 17 to 23). */
    private static String withoutWarnings(String err) {
        StringBuilder b = new StringBuilder();
        for (String line : err.split("\n", -1)) {
            if (!line.startsWith("WARNING: ")) {
                b.append(line).append('\n');
            }
        }
        return b.toString().strip();
    }

    private Path program() throws Exception {
        Path one = tmp.resolve("one.tasm");
        Files.writeString(one, ChildJvm.ONE);
        return one;
    }

    /** Fails before the fix: code 2 and "tape: cannot run under a security manager ...". */
    @Test
    void aPolicyThatGrantsEverythingRuns() throws Exception {
        program();
        Path policy = tmp.resolve("all.policy");
        Files.writeString(policy, "grant { permission java.security.AllPermission; };\n");
        List<String> sm = List.of("-Djava.security.manager", "-Djava.security.policy==" + policy);
        ChildJvm.Result run = child(sm, "run", "one.tasm");
        ChildJvm.Result verify = child(sm, "verify", "one.tasm");
        if (Runtime.version().feature() < 24) {
            assertEquals(0, run.status(), run.err());
            assertEquals("i64:1\n", run.out());
            assertEquals("", withoutWarnings(run.err()));
            assertEquals(0, verify.status(), verify.err());
            assertTrue(verify.out().startsWith("ok: 1 function"), verify.out());
        } else {
            assertNotEquals(0, run.status(), run.err());
            assertFalse(run.err().contains("dev.tape"), run.err());
        }
    }

    /**
     * A policy that grants the system properties and the descriptors but no file: the command
     * starts and its read is refused, one line and code 2 (as every error of a command), no stack
     * trace; the default policy (which grants neither) stays {@link TapeCli#SECURITY_MANAGER}.
     */
    @Test
    void aPolicyThatGrantsLessIsOneLine() throws Exception {
        program();
        Path policy = tmp.resolve("some.policy");
        Files.writeString(policy, "grant { permission java.util.PropertyPermission \"*\", \"read,write\";\n"
                + " permission java.lang.RuntimePermission \"writeFileDescriptor\";\n"
                + " permission java.lang.RuntimePermission \"readFileDescriptor\"; };\n");
        ChildJvm.Result run = child(List.of("-Djava.security.manager", "-Djava.security.policy==" + policy), "run", "one.tasm");
        ChildJvm.Result plain = child(List.of("-Djava.security.manager"), "run", "one.tasm");
        if (Runtime.version().feature() < 24) {
            String line = withoutWarnings(run.err());
            assertEquals(2, run.status(), run.err());
            assertFalse(line.contains("\n"), line);
            assertFalse(line.contains("\tat "), line);
            assertTrue(line.startsWith("tape"), line);
            assertEquals("", run.out());
            assertEquals(2, plain.status(), plain.err());
            assertEquals(TapeCli.SECURITY_MANAGER, withoutWarnings(plain.err()));
        } else {
            assertNotEquals(0, run.status(), run.err());
            assertNotEquals(0, plain.status(), plain.err());
        }
    }
}
