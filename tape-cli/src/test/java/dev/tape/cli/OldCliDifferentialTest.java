package dev.tape.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape} answers 747 command lines exactly as the annotated command line did before
 * {@link TapeSpec} and {@link RunSpec} (main at d1cf04c): the same exit code, stdout and stderr.
 *
 * <p>{@code golden/differential.txt} was printed by that commit's {@code tape-cli.jar}, through
 * {@code TapeCli.execute} in the {@code tape-cli} folder, for command lines of every kind: each
 * option of {@code tape run} as {@code --opt value}, {@code --opt=value}, without its value, before and
 * after the file and repeated, with values empty, negative, hexadecimal, out of range, huge, non-ASCII
 * or option-like; help and version options clustered, repeated and mixed with errors; {@code --}
 * separators; unknown, abbreviated and wrongly cased options; a missing {@code @argfile}; every other
 * command's help and usage errors; {@code tape help CMD}; and random combinations. Only lines whose
 * answer was the same twice, writes no file and does not print the version (a jar's, not the test
 * classes') are kept, at most ten per shape of answer. Each case is four lines: {@code args} and the
 * arguments, then {@code code}, {@code out} and {@code err}, tab-separated and escaped ({@code \\},
 * {@code \n}, {@code \t}, {@code \}{@code uXXXX}). The 12 help answers among them have had
 * {@link ExitCodes#PROCESS_ERRORS} appended to their code 2 line since (twenty-third round), checked
 * to differ from the printed ones by that text alone.
 */
class OldCliDifferentialTest {
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case '\\' -> b.append('\\');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape in " + s);
            }
        }
        return b.toString();
    }

    private static String field(String line, String name) {
        assertTrue(line.startsWith(name + " "), line);
        return unescape(line.substring(name.length() + 1));
    }

    @Test
    void everyCommandLineIsAnsweredAsBefore() throws IOException {
        String text;
        try (InputStream in = OldCliDifferentialTest.class.getResourceAsStream("golden/differential.txt")) {
            assertNotNull(in);
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = text.split("\n", -1);
        List<String> differ = new ArrayList<>();
        int cases = 0;
        for (int i = 0; i + 3 < lines.length; i += 4) {
            String[] head = lines[i].split("\t", -1);
            assertEquals("args", head[0], lines[i]);
            String[] args = new String[head.length - 1];
            for (int k = 1; k < head.length; k++) {
                args[k - 1] = unescape(head[k]);
            }
            Cli.Result want = new Cli.Result(Integer.parseInt(field(lines[i + 1], "code")), field(lines[i + 2], "out"),
                    field(lines[i + 3], "err"));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = TapeCli.execute(new PrintWriter(out), new PrintWriter(err), args);
            Cli.Result got = new Cli.Result(code, out.toString(), err.toString());
            got.assertNoStackTrace();
            if (!want.equals(got)) {
                differ.add(lines[i] + "\n  want " + want + "\n  got  " + got);
            }
            cases++;
        }
        assertEquals(747, cases, "cases read");
        assertEquals(List.of(), differ);
    }
}
