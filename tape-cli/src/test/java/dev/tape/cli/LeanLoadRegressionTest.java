package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The loaded program's leaner storage (shared signatures, names as arrays, smaller lowered
 * functions) changes no result: for each of {@link LeanLoadCases}, {@code tape verify},
 * {@code disasm}, {@code inspect} and {@code run} on both tiers and traced give the exit code and
 * output that the build before that change gave (main at d1cf04c; {@code lean-load-expected.txt}
 * holds the SHA-256 of each program and of each command's standard output and error, the folder
 * of the program written as {@code DIR}, captured from that build's {@code tape-cli.jar}).
 */
class LeanLoadRegressionTest {
    @TempDir
    Path tmp;

    /**
     * @param c a case
     * @param file where its program is written
     * @return the command lines run on it
     */
    static List<List<String>> commands(LeanLoadCases.Case c, String file) {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("verify", file));
        out.add(List.of("disasm", file));
        out.add(List.of("inspect", file));
        for (String mode : new String[] {"--tier=interp", "--tier=jit", "--trace=all"}) {
            List<String> run = new ArrayList<>(List.of("run", "--host=test", mode, "--entry=" + c.entry()));
            if (mode.equals("--trace=all")) {
                run.add("--fuel=300");
            }
            for (String a : c.args()) {
                run.add("--arg=" + a);
            }
            run.add(file);
            out.add(run);
        }
        return out;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** @return "exit|sha(out)|sha(err)" of a command line, the folder written as DIR */
    private static String outcome(List<String> args, String dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = TapeCli.execute(o, e, args.toArray(new String[0]));
        o.flush();
        e.flush();
        return code + "|" + sha256(out.toString().replace(dir, "DIR").getBytes(StandardCharsets.UTF_8)) + "|"
                + sha256(err.toString().replace(dir, "DIR").getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String[]> expected() throws IOException {
        Map<String, String[]> out = new LinkedHashMap<>();
        try (InputStream in = LeanLoadRegressionTest.class.getResourceAsStream("lean-load-expected.txt")) {
            assertNotNull(in, "lean-load-expected.txt");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split("\t");
                    out.put(f[0], f);
                }
            }
        }
        return out;
    }

    @Test
    void everyCaseGivesWhatTheBuildBeforeGave() throws IOException {
        Map<String, String[]> expected = expected();
        Map<String, LeanLoadCases.Case> cases = LeanLoadCases.cases();
        assertEquals(expected.keySet(), cases.keySet());
        String dir = tmp.toString();
        for (Map.Entry<String, LeanLoadCases.Case> e : cases.entrySet()) {
            String[] want = expected.get(e.getKey());
            LeanLoadCases.Case c = e.getValue();
            assertEquals(want[1], sha256(c.bytes()), e.getKey() + ": the program the expectations were made of");
            Path file = tmp.resolve(e.getKey() + ".tape");
            Files.write(file, c.bytes());
            List<List<String>> commands = commands(c, file.toString());
            assertEquals(want.length - 2, commands.size(), e.getKey());
            for (int i = 0; i < commands.size(); i++) {
                assertEquals(want[i + 2], outcome(commands.get(i), dir), e.getKey() + ": " + commands.get(i));
            }
        }
    }
}
