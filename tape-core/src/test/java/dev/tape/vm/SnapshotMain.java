package dev.tape.vm;

import dev.tape.value.Value;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs in a fresh JVM for {@link SnapshotForkTest}: {@code restore PROGRAM.tasm SNAPSHOT OUT} restores
 * the snapshot into a VM of the program (with {@link SnapshotPrograms#host()}), runs it to the end
 * and writes the outcome to OUT (UTF-8); {@code seed PROGRAM.tasm ARG STEPS OUT} pauses a run after STEPS
 * instructions and writes its snapshot (used to make the fuzz target's seed inputs);
 * {@code api PROGRAM.tasm SNAPSHOT OUT} restores through the public API ({@link Vm#restore}) with
 * {@link #suspendingHost()} and finishes the run with {@link #finish}.
 */
public final class SnapshotMain {
    private SnapshotMain() {}

    /**
     * The host of {@link SnapshotPrograms#KINDS} whose {@code t.obj} suspends the run: the embedder
     * answers with {@link #answer}.
     */
    static dev.tape.host.HostRegistry suspendingHost() {
        dev.tape.host.HostRegistry h = new dev.tape.host.HostRegistry();
        h.register("t.obj", dev.tape.host.Signature.of(List.of(dev.tape.program.ValueType.I64),
                List.of(dev.tape.program.ValueType.obj(7))), (dev.tape.host.HostFunction) (a, out, ctx) -> ctx.suspend());
        return h;
    }

    /** The embedder's answer to a suspended {@code t.obj(x)}: the handle x * 1000, as the plain host gives. */
    static Value answer(PauseReason.HostSuspended s) {
        return new Value.Obj(7, ((Value.I64) s.args().get(0)).value() * 1000);
    }

    /** Resumes a run to its end, answering each suspension; its outcome and counters as text. */
    static String finish(Run run, Outcome o) {
        while (o instanceof Outcome.Paused p) {
            o = p.reason() instanceof PauseReason.HostSuspended s ? run.resumeWith(List.of(answer(s))) : run.resume();
        }
        return o + " fuel left " + run.fuelRemaining() + " host calls " + run.hostCallsMade();
    }

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Vm vm = new Vm(SnapshotPrograms.verified(Files.readString(Path.of(args[1]))), SnapshotPrograms.host());
        if (args[0].equals("api")) {
            Vm api = new Vm(SnapshotPrograms.verified(Files.readString(Path.of(args[1]))), suspendingHost());
            Run run = api.restore(Files.readAllBytes(Path.of(args[2])));
            Files.writeString(Path.of(args[3]), finish(run, run.resumeWith(List.of(answer(run.suspendedCall())))));
            return;
        }
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
