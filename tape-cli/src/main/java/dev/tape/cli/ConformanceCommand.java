package dev.tape.cli;

import dev.tape.conformance.ConformanceResult;
import dev.tape.conformance.ConformanceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tape conformance DIR [--tier jit|interp]}: runs every case of a {@code tape-conformance-v1} manifest
 * ({@code DIR/manifest.json}) with the conformance host, and prints one line per failing case,
 * {@code FAIL NAME: WHY; got ACTUAL}, then {@code N passed, M failed} alone on the last line. Exits
 * 0 when no case failed, 1 when some did, 2 when the manifest cannot be read. A limit a case leaves out
 * ({@code fuel}, {@code max_call_depth}, {@code max_host_calls}) is the reference's default, as
 * {@link dev.tape.conformance.ConformanceCase} documents.
 */
@Command(name = "conformance",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every case passed", "1:some cases failed", "2:bad usage, or a missing or malformed manifest"},
        description = {"Run every case of a conformance manifest folder and report 'N passed, M failed'.",
            "Reads DIR/manifest.json; prints one line per failing case, then the totals alone on the last line.",
            "A limit a case leaves out is the reference's default: 1,000,000 fuel, 256 frames, 1,000,000 host calls.",
            "Exits 0 only when nothing failed."})
public final class ConformanceCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its parameters. */
    public ConformanceCommand() {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "A folder holding manifest.json and its .tape files.")
    Path dir;

    @Option(names = "--tier", paramLabel = "jit|interp",
            description = "Run the cases on compiled code (jit) or on the interpreter (interp) "
                    + "(default: ${DEFAULT-VALUE}).")
    Tier tier = Tier.jit;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(dir)) {
            throw new CliException(Escape.path(dir) + (Files.exists(dir) ? ": not a folder" : ": no such folder"));
        }
        if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
            throw new CliException(Escape.path(dir) + ": no manifest.json in this folder");
        }
        List<ConformanceResult> results;
        try {
            results = ConformanceRunner.runAll(dir, tier == Tier.jit);
        } catch (IOException | RuntimeException e) {
            throw new CliException(Escape.path(dir.resolve("manifest.json")) + ": cannot read the manifest: "
                    + Escape.text(e.getMessage()));
        }
        int passed = 0;
        int failed = 0;
        for (ConformanceResult r : results) {
            if (r.passed()) {
                passed++;
            } else {
                failed++;
                out.println("FAIL " + Escape.text(r.testCase().name()) + ": " + Escape.text(r.mismatch()) + "; got "
                        + Escape.text(r.actual()));
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
