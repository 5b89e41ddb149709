package dev.tape.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's {@code --help} exit-code list names the reasons for code 2 that no command
 * declares itself, {@link ExitCodes#PROCESS_ERRORS}: stdout or stderr that could not be written
 * ({@link TapeCli#writeErrors}) and a security manager ({@link TapeCli#securityManagerDenies}),
 * which the README and {@link ExitCodes#ERROR} name. Fails without {@link TapeCli#processErrors}:
 * no list named them.
 */
class HelpExitCodesTest {
    /**
     * The entries of a help text's exit-code list, one string each (its wrapped lines joined with
     * single spaces), in order.
     */
    static List<String> exitCodes(String help) {
        int at = help.indexOf("\nExit codes:\n");
        assertTrue(at >= 0, help);
        List<String> entries = new ArrayList<>();
        for (String line : help.substring(at + "\nExit codes:\n".length()).split("\n")) {
            if (line.matches("  [0-9]+ .*")) {
                entries.add(line.strip().replaceAll("\\s+", " "));
            } else if (line.startsWith("        ") && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
            } else {
                break;
            }
        }
        return entries;
    }

    private static void check(String what, Cli.Result help) {
        assertEquals(0, help.code(), what + ": " + help.err());
        List<String> codes = exitCodes(help.out());
        List<String> twos = codes.stream().filter(c -> c.startsWith("2 ")).toList();
        assertEquals(1, twos.size(), what + ": " + codes);
        String two = twos.get(0);
        assertTrue(two.endsWith(ExitCodes.PROCESS_ERRORS), what + ": " + two);
        assertEquals(two.indexOf(ExitCodes.PROCESS_ERRORS), two.lastIndexOf(ExitCodes.PROCESS_ERRORS), what + ": " + two);
        assertTrue(codes.get(0).startsWith("0 "), what + ": " + codes);
    }

    /** Each subcommand's {@code --help}, built alone (as {@code tape CMD --help} builds it) and with the rest. */
    @Test
    void everyCommandsHelpNamesTheWriteErrorsAndTheSecurityManager() {
        for (String name : TapeCli.SUBCOMMANDS) {
            check(name + " --help", Cli.lazy(name, "--help"));
            check(name + " --help, every command", Cli.run(name, "--help"));
            check("help " + name, Cli.lazy("help", name));
        }
        check("--help", Cli.lazy("--help"));
        check("help", Cli.lazy("help"));
        check("-h", Cli.run("-h"));
    }

    /** The line is added once, however often the command line is built in one JVM. */
    @Test
    void theLineIsAddedOnce() {
        for (int i = 0; i < 3; i++) {
            check("verify --help " + i, Cli.lazy("verify", "--help"));
            check("run --help " + i, Cli.run("run", "--help"));
        }
    }
}
