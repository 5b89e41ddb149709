package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A snapshot written here restores in another JVM and ends exactly as the run ends here. */
class SnapshotForkTest {
    @Test
    void restoresInAFreshJvm(@TempDir Path dir) throws Exception {
        Vm vm = new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotPrograms.host());
        List<Value> args = List.of(Value.i64(9));
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, args, Limits.DEFAULT);
        assertTrue(Paused.step(vm, c, 60));
        assertTrue(c.depth > 2, "paused inside the recursion");
        Path prog = dir.resolve("kinds.tasm");
        Path snap = dir.resolve("kinds.snap");
        Files.writeString(prog, SnapshotPrograms.KINDS);
        Files.write(snap, Snapshots.write(vm, c));
        String expected = Paused.finish(vm, c);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), SnapshotMain.class.getName(), "restore", prog.toString(),
                snap.toString(), dir.resolve("out.txt").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertEquals(expected, Files.readString(dir.resolve("out.txt")));
        assertTrue(new File(snap.toString()).length() > 0);
    }

    /**
     * Through the public API: a run suspended in a host call, {@link Run#snapshot()} here,
     * {@link Vm#restore} in a fresh JVM, answered there and run to the end, ends exactly as the run
     * answered here (results, fuel left, host calls), and as the run with a host that answers at
     * once.
     */
    @Test
    void aRunSuspendedInAHostCallResumesInAFreshJvm(@TempDir Path dir) throws Exception {
        Vm vm = new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotMain.suspendingHost());
        Run run = vm.start(0, List.of(Value.i64(9)), Limits.DEFAULT);
        Outcome o = run.resume();
        assertTrue(o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended, o.toString());
        Path prog = dir.resolve("kinds.tasm");
        Path snap = dir.resolve("kinds.snap");
        Files.writeString(prog, SnapshotPrograms.KINDS);
        Files.write(snap, run.snapshot());
        String expected = SnapshotMain.finish(run, run.resumeWith(List.of(SnapshotMain.answer(run.suspendedCall()))));
        Vm plain = new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotPrograms.host());
        Run alone = plain.start(0, List.of(Value.i64(9)), Limits.DEFAULT);
        assertEquals(expected, SnapshotMain.finish(alone, alone.resume()), "as a host that answers at once");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), SnapshotMain.class.getName(), "api", prog.toString(),
                snap.toString(), dir.resolve("out.txt").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertEquals(expected, Files.readString(dir.resolve("out.txt")));
    }
}
