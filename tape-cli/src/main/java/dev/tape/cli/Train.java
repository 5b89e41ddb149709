package dev.tape.cli;

import dev.tape.asm.Assembler;
import dev.tape.program.ProgramEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run of the {@code tape} launcher's class-data sharing archive (JDK 17 to 24) and AOT
 * cache (JDK 25 and later): one JVM that runs the common command lines one after the other, as
 * {@link TapeCli#main} runs one, so that the classes each loads (and on JDK 25 the lambdas and
 * method-handle forms each links) are in the archive or cache. With the fib run alone, every
 * other command read its classes from the jar, parsed and verified at each start: {@code verify},
 * {@code asm} and {@code disasm} 25 to 42 classes and 69 to 73 of the JDK's (picocli's annotation
 * reflection), {@code --tier=interp} 5, a {@code .tape} file 12, a trap 4 (JDK 17). It starts
 * the exit watch, as {@link TapeCli#main} does when it returns (code 0), and ends by
 * {@link System#exit(int)}, as {@code main} does for any other code.
 *
 * <p>Usage (the launcher's): {@code java ... dev.tape.cli.Train FIB.tasm OUT.tape}, where FIB.tasm
 * is {@code examples/fib.tasm} and OUT.tape a scratch file the run writes ({@code tape asm -o}) and
 * the launcher removes. The first command line is the one the archive was trained on before
 * ({@code run FIB.tasm --arg i64:20}); the others run {@code run} on the interpreter, into a trap and
 * on a {@code .tape} file, {@code verify}, {@code asm}, {@code disasm}, {@code inspect},
 * {@code --version}, {@code --help} and {@code help run} (which builds every subcommand, where
 * {@code --help} alone builds none), {@code completion bash} and {@code bench --help} ({@link #LINES}),
 * and last {@link #PRINTS}, a program that prints through the std host (written over OUT.tape): a run that
 * prints goes as a {@link dev.tape.vm.Run}, watched for write failures ({@link RunCommand}), whose
 * classes the fib runs do not load. Their output goes where the launcher sends it (nowhere); their
 * exit codes are ignored. The real runs of {@code debug}, {@code dap}, {@code profile},
 * {@code replay} and of {@code run --record} or {@code --pause-at} are not trained: the JVM
 * relocates the whole archive at every start, so each class more costs every cold run
 * (docs/PERFORMANCE-LOG.md, "Cold start, twenty-sixth round").
 */
final class Train {
    private Train() {}

    /**
     * The command lines run after the first, with {@code F} standing for FIB.tasm and {@code T} for
     * OUT.tape. The last two load classes that none before them does, and that a cold run of
     * theirs otherwise read from the jar or the runtime image (JDK 17 and 25, {@code -Xlog:class+load}
     * of each launcher-test command line with and without them): {@code completion bash} 8 of the
     * jar's (picocli's script generator) and 28 of the JDK's (13 on JDK 25), {@code bench --help} the
     * JDK's field accessors of {@code long} and {@code int} options (picocli showing their default
     * values), which {@code resume}, {@code debug}, {@code profile} and {@code replay --help} load
     * too. Every other path of {@link TapeCli#commandLine(java.io.PrintWriter, java.io.PrintWriter,
     * String)} (no argument, {@code --help run}, an unknown name, each other {@code NAME --help})
     * loads no class these lines do not ({@code TrainTest} runs each in a JVM of its own): trained,
     * they only made the archive and its training longer.
     */
    static final String[][] LINES = {
        {"run", "F", "--arg", "i64:20", "--tier=interp"},
        {"run", "F", "--arg", "i64:20", "--fuel", "10"},
        {"verify", "F"},
        {"asm", "F", "-o", "T"},
        {"run", "T", "--arg", "i64:20"},
        {"disasm", "T"},
        {"inspect", "T"},
        {"--version"},
        {"--help"},
        // --help alone builds no subcommand (TapeCli.listed); help run builds them all
        {"help", "run"},
        {"completion", "bash"},
        {"bench", "--help"},
    };

    /**
     * The printing program of the last training command line, {@code run OUT.tape}: a string and an
     * i64 printed through the std host, as {@code examples/hello_host.tasm}.
     */
    static final String PRINTS = """
            program prints
            host print_str = "std.print_str" (str) -> ()
            host print_i64 = "std.print_i64" (i64) -> ()
            func main() -> () {
                const.pool r1, str:"6 * 7 ="
                host_call r0, print_str, r0, [r1] -> []
                const.i64 r2, 42
                host_call r0, print_i64, r0, [r2] -> []
                ret r0, []
            }
            """;

    /**
     * Runs the training command lines.
     *
     * @param args FIB.tasm and OUT.tape; anything else exits 2 with one line on stderr
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("tape: usage: java -cp tape-cli.jar dev.tape.cli.Train FIB.tasm OUT.tape");
            System.exit(ExitCodes.ERROR);
        }
        int code = TapeCli.run(new String[] {"run", args[0], "--arg", "i64:20"});
        for (String[] line : LINES) {
            String[] a = line.clone();
            for (int i = 0; i < a.length; i++) {
                a[i] = a[i].equals("F") ? args[0] : a[i].equals("T") ? args[1] : a[i];
            }
            TapeCli.run(a);
        }
        try {
            Files.write(Path.of(args[1]), ProgramEncoder.encode(Assembler.assemble(PRINTS, "prints.tasm")));
            TapeCli.run(new String[] {"run", args[1]});
        } catch (IOException | RuntimeException e) {
            // (training only: the command lines above trained what they could)
            System.err.println("tape: training: " + ProgramFiles.describe(e));
        }
        // both ends of TapeCli.main: the exit watch it starts when it returns (code 0), and
        // System.exit (any other code, a trap's 1), which from JDK 21 on looks up the
        // java.lang.Runtime system logger first (Shutdown.logRuntimeExit): 28 JDK classes that a cold
        // trap's exit loaded from the runtime image, in the AOT cache so. (The watch waits for this
        // thread, which System.exit never lets end.)
        ExitWatch.start(Thread.currentThread());
        System.exit(code);
    }
}
