package dev.tape.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The hostile benchmark of issue 12 (run it with {@code bench/hostile}): writes the worst shape of each
 * hole ({@link HostileShapes}) into a folder, then runs each, and each of {@code examples/hostile/}, in a
 * fresh JVM through the real CLI jar on both tiers, under {@code /usr/bin/time}, and prints one markdown
 * table: wall time, CPU time (user + system, all JVM threads), peak resident memory, exit code, fuel used (from {@code --trace run}), stderr lines
 * that are not trace events, and the first of them (or the embedded case's summary).
 *
 * <p>Arguments: {@code CLI_JAR BENCH_JAR WORK_DIR [--cap SECONDS] [--only REGEX]}. A case still running
 * after the cap (60 s by default) is killed and reported as {@code KILLED}: that is a finding.
 */
public final class HostileBench {
    private record Case(String name, String hole, String size, String command, String file, List<String> args,
                        String xmx, boolean tiered) {}

    private final List<Case> cases = new ArrayList<>();
    private final Path dir;

    private HostileBench(Path dir) {
        this.dir = dir;
    }

    /**
     * @param args CLI_JAR BENCH_JAR WORK_DIR [--cap SECONDS] [--only REGEX]
     * @throws Exception when the files cannot be written or a process cannot start
     */
    public static void main(String[] args) throws Exception {
        Path cli = Path.of(args[0]);
        Path benchJar = Path.of(args[1]);
        Path dir = Path.of(args[2]);
        long cap = 60;
        Pattern only = Pattern.compile(".*");
        for (int i = 3; i + 1 < args.length; i += 2) {
            if (args[i].equals("--cap")) {
                cap = Long.parseLong(args[i + 1]);
            } else if (args[i].equals("--only")) {
                only = Pattern.compile(args[i + 1]);
            }
        }
        Files.createDirectories(dir);
        HostileBench b = new HostileBench(dir);
        b.define();
        System.out.println("| case | hole | size | command | tier | exit | wall s | cpu s | peak RSS MB | fuel used "
                + "| msg lines | first message line (or summary) |");
        System.out.println("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (Case c : b.cases) {
            if (!only.matcher(c.name).find()) {
                continue;
            }
            for (String tier : c.tiered ? List.of("jit", "interp") : List.of("-")) {
                System.out.println(b.measure(c, tier, cli, benchJar, cap));
            }
        }
    }

    private String write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p.toString();
    }

    private void add(String name, String hole, String size, String command, String file, String xmx,
                     boolean tiered, String... args) {
        cases.add(new Case(name, hole, size, command, file, List.of(args), xmx, tiered));
    }

    private static String kb(String file) throws IOException {
        long n = Files.size(Path.of(file));
        return n >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", n / 1048576.0) : (n + 1023) / 1024 + " KB";
    }

    private void define() throws IOException {
        String g = "1g";
        String f = write("shared_blob_hot.tape", HostileShapes.sharedBlob(15_000, 16));
        add("shared_blob_hot", "1", "15,000 rows, 1 blob, " + kb(f) + "; 16 rows x 2,000", "run", f, g, true,
                "--arg", "2000");
        f = write("shared_blob_all.tape", HostileShapes.sharedBlob(15_000, 15_000));
        add("shared_blob_all", "1", "15,000 rows, 1 blob, " + kb(f) + "; every row once", "run", f, g, true,
                "--arg", "1");
        f = write("deep_trap_names.tape", HostileShapes.deepTrapNames(20_000, 100));
        add("deep_trap_names", "2", "100,001-deep trap, 20,000 x 100-char names, " + kb(f), "run", f, g, true,
                "--arg", "100000", "--max-call-depth", "100002");
        f = write("deep_trap_spans.tape", HostileShapes.deepTrapSpans(400_000));
        add("deep_trap_spans", "2", "100,001-deep trap, 400,000 spans, " + kb(f), "run", f, g, true,
                "--arg", "100000", "--max-call-depth", "100002");
        add("trace_instr_spans", "2", "--trace instr, 100,000 fuel, 400,000 spans", "run", f, g, true,
                "--arg", "100000", "--max-call-depth", "100002", "--fuel", "100000", "--trace", "instr");
        f = write("wide_calls.tape", HostileShapes.wideCalls());
        add("wide_calls", "3", "call/ret of 65,535 args/results, 200,000 fuel", "run", f, g, true,
                "--fuel", "200000");
        f = write("wide_host_calls.tape", HostileShapes.wideHostCalls());
        add("wide_host_calls", "3", "test.id of 65,535 args/results, 10,000 fuel", "run", f, g, true,
                "--host", "test", "--fuel", "10000");
        f = write("output_flood.tape", HostileShapes.outputFlood(19));
        add("output_flood", "4", "print_str of 1 MiB in a loop, 1,000 fuel", "run", f, g, true, "--fuel", "1000");
        add("output_flood_unlimited", "4", "same, --max-output-bytes 2^63-1 (1 GB written)", "run", f, g, true,
                "--fuel", "1000", "--max-output-bytes", Long.toString(Long.MAX_VALUE));
        f = write("big_result.tape", HostileShapes.bigResult(23));
        add("big_result", "5", "returns a 16 Mi-char string, -Xmx256m", "run", f, "256m", true);
        add("evil_names", "6", "examples/hostile/evil_names.tape, --trace call", "run",
                "examples/hostile/evil_names.tape", g, true, "--trace", "call");
        f = write("evil_text.tape", HostileShapes.evilText());
        add("evil_text", "6", "function, argument, host symbol with escapes", "run", f, g, true, "--arg", "1",
                "--trace", "call,host");
        add("evil_text_no_arg", "6", "same, missing argument", "run", f, g, true);
        add("evil_text_verify", "6", "same, tape verify", "verify", f, g, false);
        f = write(HostileShapes.EVIL.replace('\u0007', '_') + ".tape", new byte[] {0x7f, 1, 2});
        add("evil_file_name", "6", "file name with escapes, bad magic", "verify", f, g, false);
        f = write("named_chain.tape", HostileShapes.namedChain(160_000));
        add("named_chain_verify", "7", "160,000 named functions, " + kb(f), "verify", f, g, false);
        add("named_chain_trace", "7", "same, run 160,000 deep with --trace call", "run", f, g, true,
                "--max-call-depth", "160000", "--trace", "call");
        add("named_chain_disasm", "7", "same, tape disasm", "disasm", f, g, false);
        f = write("one_register_recursion.tape", HostileShapes.oneRegisterRecursion());
        add("one_register_recursion", "8", "f() = f(), depth limit 10M, 20M fuel, -Xmx256m", "run", f, "256m", true,
                "--max-call-depth", "10000000", "--fuel", "20000000");
        f = write("unit_constants.tape", HostileShapes.unitConstants(12_000_000));
        add("unit_constants", "8", "12,000,000 one-byte constants, " + kb(f) + ", -Xmx256m", "run", f, "256m",
                true);
        add("reuse", "9", HostileEmbedded.REUSE_LEVELS + "-deep run, then " + HostileEmbedded.TRIVIAL_RUNS
                + " trivial runs in its context", "embed", null, g, true);
        add("nest", "10", HostileEmbedded.NEST_LEVELS + " nested runs via a host call, 1 MiB stack, x"
                + HostileEmbedded.NEST_REPEATS, "embed", null, g, true);
        defineExamples(g);
    }

    private void defineExamples(String g) throws IOException {
        Path ex = Path.of("examples/hostile");
        List<String> names = new ArrayList<>();
        try (var s = Files.list(ex)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tape")).sorted().forEach(names::add);
        }
        for (String n : names) {
            String file = ex.resolve(n).toString();
            String name = n.substring(0, n.length() - 5);
            add(name, "ex", "examples/hostile, defaults, " + kb(file), "run", file, g, true);
            if (name.equals("deep_recursion")) {
                add(name + "_deep", "ex", "same, --max-call-depth 1000002", "run", file, g, true,
                        "--max-call-depth", "1000002");
            } else if (name.equals("many_functions")) {
                add(name + "_deep", "ex", "same, --max-call-depth 100000", "run", file, g, true,
                        "--max-call-depth", "100000");
            }
        }
    }

    private String measure(Case c, String tier, Path cli, Path benchJar, long cap) throws Exception {
        Path timeFile = Files.createTempFile(dir, "time", ".txt");
        Path errFile = Files.createTempFile(dir, "err", ".txt");
        Path outFile = Files.createTempFile(dir, "out", ".txt");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", timeFile.toString(),
                "java", "-Xmx" + c.xmx));
        boolean embed = c.command.equals("embed");
        if (embed) {
            cmd.addAll(List.of("-cp", benchJar.toString(), HostileEmbedded.class.getName(), c.name, tier));
        } else {
            cmd.addAll(List.of("-jar", cli.toString(), c.command, c.file));
            cmd.addAll(c.args);
            if (c.command.equals("run")) {
                int t = c.args.indexOf("--trace");
                if (t < 0) {
                    cmd.addAll(List.of("--trace", "run"));
                } else {
                    cmd.set(cmd.size() - c.args.size() + t + 1, c.args.get(t + 1) + ",run");
                }
                cmd.addAll(List.of("--tier", tier));
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(errFile.toFile());
        // run's stdout is the program's output (up to a GB here): discarded; the rest is read
        boolean keepOut = !c.command.equals("run");
        pb.redirectOutput(keepOut ? ProcessBuilder.Redirect.to(outFile.toFile()) : ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        boolean killed = !p.waitFor(cap, TimeUnit.SECONDS);
        if (killed) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.waitFor();
        }
        String[] time = Files.readString(timeFile).trim().split("\\s+");
        // the last line is "wall user sys maxrss_kb" (a killed run has a "Command terminated" line first)
        int n = time.length;
        String wall = n >= 4 ? time[n - 4] : "?";
        String cpu = n >= 4 ? String.format(Locale.ROOT, "%.2f", Double.parseDouble(time[n - 3])
                + Double.parseDouble(time[n - 2])) : "?";
        String rss = n >= 4 ? Long.toString(Long.parseLong(time[n - 1]) / 1024) : "?";
        String[] err = scanErrors(errFile);
        if (keepOut && !embed && scanErrors(outFile)[2].endsWith("+ctl")) {
            err[2] += " (stdout +ctl)";
        }
        String message = embed && !Files.readString(outFile).isBlank() ? Files.readString(outFile).trim() : err[0];
        Files.delete(timeFile);
        Files.delete(errFile);
        Files.delete(outFile);
        String exit = killed ? "KILLED after " + cap + " s" : Integer.toString(p.exitValue());
        return "| " + c.name + " | " + c.hole + " | " + c.size + " | " + c.command + " | " + tier + " | " + exit
                + " | " + wall + " | " + cpu + " | " + rss + " | " + err[1] + " | " + err[2] + " | "
                + cell(message, embed ? 400 : 110) + " |";
    }

    /**
     * @return the first stderr line that is not a trace event, the fuel of the last
     *     {@code trace run end} line ("-" when none), and how many lines are not trace events (with a
     *     "+ctl" mark when any line holds a raw control character)
     */
    private static String[] scanErrors(Path errFile) throws IOException {
        String first = "";
        String fuel = "-";
        int lines = 0;
        boolean control = false;
        try (BufferedReader r = Files.newBufferedReader(errFile, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                control |= line.chars().anyMatch(ch -> ch < 0x20 && ch != '\t' || ch == 0x7f);
                if (line.startsWith("trace run end ")) {
                    fuel = line.substring(line.lastIndexOf(' ') + 1);
                } else if (!line.startsWith("trace ")) {
                    lines++;
                    if (first.isEmpty()) {
                        first = line;
                    }
                }
            }
        }
        return new String[] {first, fuel, lines + (control ? " +ctl" : "")};
    }

    /** @return text for one markdown cell: control characters as \xNN, pipes escaped, at most max chars */
    private static String cell(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch < 0x20 || ch == 0x7f) {
                sb.append(String.format("\\x%02x", (int) ch));
            } else if (ch == '|') {
                sb.append("\\|");
            } else {
                sb.append(ch);
            }
        }
        return sb.length() > max ? sb.substring(0, max - 3) + "..." : sb.toString();
    }
}
