package dev.tape.bench;

import dev.tape.program.ProgramEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the twelve {@link Workload}s as binary programs, so that another implementation of
 * execution_tape v1 (the Rust reference, docs/PERFORMANCE-LOG.md, twenty-seventh round) can run
 * exactly what the benchmarks run.
 *
 * <p>{@code java -cp benchmarks.jar dev.tape.bench.WorkloadFiles DIR} creates DIR if needed and
 * writes {@code DIR/LABEL.tape} for each workload (its {@link Workload#program()} encoded by
 * {@link ProgramEncoder}; entry function 0 takes {@code n: i64}) and {@code DIR/}{@value #INDEX}: one
 * line per workload, {@code LABEL N RESULT}, where N is {@link Workload#n()} and RESULT the value
 * literal (conformance README syntax, for example {@code i64:75025}) of the Java version's result
 * for that n. {@link Workload#HOST_LOOP} calls the host function {@value Workload#HOST_ID}, the
 * identity on i64, which the running side provides.
 */
public final class WorkloadFiles {
    private WorkloadFiles() {}

    /** The index file's name. */
    static final String INDEX = "workloads.txt";

    /**
     * Writes the files (see the class comment); prints one line per file written. A missing
     * argument or an I/O error prints one line to standard error and exits with status 2.
     *
     * @param args one argument: the directory
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: WorkloadFiles DIR (writes DIR/LABEL.tape and DIR/" + INDEX + ")");
            System.exit(2);
            return;
        }
        try {
            for (Path p : write(Path.of(args[0]))) {
                System.out.println(p);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("WorkloadFiles: cannot write " + Table.escape(args[0]) + ": " + Table.escape(e.toString()));
            System.exit(2);
        }
    }

    /**
     * @param dir the directory, created with its parents when missing
     * @return the files written: each workload's {@code .tape} in {@link Workload} order, then the
     *     index
     * @throws IOException when a directory or file cannot be written
     */
    static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        StringBuilder index = new StringBuilder();
        for (Workload w : Workload.values()) {
            Path file = dir.resolve(w.label() + ".tape");
            Files.write(file, ProgramEncoder.encode(w.program()));
            written.add(file);
            index.append(w.label()).append(' ').append(w.n()).append(' ').append(w.java(w.n())).append('\n');
        }
        Path file = dir.resolve(INDEX);
        Files.writeString(file, index, StandardCharsets.UTF_8);
        written.add(file);
        return written;
    }
}
