package dev.tape.vm;

import dev.tape.value.Value;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs in a fresh JVM for {@link SnapshotForkTest}: {@code restore PROGRAM.tasm SNAPSHOT OUT} restores
 * the snapshot into a VM of the program (with {@link SnapshotPrograms#host()}), runs it to the end
 * and writes the outcome to OUT (UTF-8); {@code seed PROGRAM.tasm ARG STEPS OUT} pauses a run after STEPS
 * instructions and writes its snapshot (used to make the fuzz target's seed inputs).
 */
public final class SnapshotMain {
    private SnapshotMain() {}

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Vm vm = new Vm(SnapshotPrograms.verified(Files.readString(Path.of(args[1]))), SnapshotPrograms.host());
        if (args[0].equals("seed")) {
            ExecutionContext c = new ExecutionContext();
            Paused.start(vm, c, 0, List.of(Value.i64(Long.parseLong(args[2]))), SnapshotChecks.CEILING);
            if (!Paused.step(vm, c, Long.parseLong(args[3]))) {
                throw new IllegalStateException("the run ended");
            }
            Files.write(Path.of(args[4]), Snapshots.write(vm, c));
            return;
        }
        ExecutionContext c = new ExecutionContext();
        SnapshotReader.read(vm, Files.readAllBytes(Path.of(args[2])), c);
        Files.writeString(Path.of(args[3]), Paused.finish(vm, c));
    }
}
