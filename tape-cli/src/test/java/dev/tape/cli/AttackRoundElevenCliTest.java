package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The eleventh round's changes together, through the command line: {@code golden/all11/p1.tasm}
 * (decimal constants from {@code dec:} literals and {@code const.pool}, an f64 from its bits, all
 * read by the hand-written literal matchers) runs dec_loop's line in a loop that calls an
 * array-summing callee the compiled tier inlines with its range-checked-away fast copy
 * ({@code LoopBounds}), a decimal twin of it, and a host print, so the interpreter holds the
 * decimals unboxed around calls and host calls. {@code tape run} (both tiers, slices, fuel and scale
 * traps, a decimal overflow), {@code --pause-at} and {@code resume} on both tiers, {@code --record}
 * and {@code replay}, {@code --trace call,host}, {@code debug} (live and from a recording) stepping
 * through both loops ({@code golden/all11/dbg1.txt}:
 * registers at each step, a watch, reverse steps) and {@code profile --collapsed} must print what the
 * build before the round printed (3d628c2's {@code tape-cli.jar}): each case's exit code, stdout and
 * stderr (the temporary folder's path taken out) by SHA-256 (first 128 bits), and the file it writes
 * (snapshot, recording, collapsed stacks) by SHA-256 (first 64 bits). The same digest on both tiers
 * is the tiers' agreement.
 */
class AttackRoundElevenCliTest {
    /** command line (files relative to the folder), digest of code, stdout and stderr, digest of the file written */
    private static final String[][] CASES = {
            {"run p1.tasm --arg 200 --arg 1.25", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --tier interp", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --slice 7", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --slice 7 --tier interp", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"run p1.tasm --arg 20 --arg 1.25 --trace all", "d7790a51b96064e2ec47708104da02fb", ""},
            {"run p1.tasm --arg 30 --arg 1.25 --trace call,host", "ebd672d4c4f5e453a02cb10ea147a07a", ""},
            {"run p1.tasm --arg 30 --arg 1.25 --trace call,host --tier interp", "ebd672d4c4f5e453a02cb10ea147a07a", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --fuel 3001", "fdc013a5a0b05fbae68e9be3e10c3313", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --fuel 3001 --tier interp", "fdc013a5a0b05fbae68e9be3e10c3313", ""},
            {"run p1.tasm --arg 200 --arg 1.255", "d96734b6a9d94e3b91a6ddf076f6a40e", ""},
            {"run p1.tasm --arg 200000 --arg 92233720368547758.07 --tier interp",
                "f6a5229a88dcdd36621af4082d935625", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --pause-at 1234 -o snap.1234",
                "360aabfa8946ebb009d68855db1ae190", "7410035c66356fdd"},
            {"resume snap.1234 p1.tasm", "de163bc2b84debe35f9e825f882ce48c", ""},
            {"resume snap.1234 p1.tasm --tier interp", "de163bc2b84debe35f9e825f882ce48c", ""},
            {"run p1.tasm --arg 200 --arg 1.25 --record rec.1", "e793748d5ede9c135ffd52711b01a44f", "490357938492186e"},
            {"replay rec.1 p1.tasm", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"replay rec.1 p1.tasm --tier interp", "e793748d5ede9c135ffd52711b01a44f", ""},
            {"run p1.tasm --arg 5 --arg 1.25 --record rec.5", "d0662af74a69a56f14811f4af00192d6", "4aff8de7ea804563"},
            {"debug p1.tasm --arg 5 --arg 1.25 --replay rec.5 -x dbg1.txt", "5db8ae065010e7fa5515ec26815df346", ""},
            {"debug p1.tasm --arg 5 --arg 1.25 -x dbg1.txt", "5db8ae065010e7fa5515ec26815df346", ""},
            {"debug p1.tasm --arg 5 --arg 1.25 -x dbg1.txt --tier interp", "5db8ae065010e7fa5515ec26815df346", ""},
            {"profile p1.tasm --arg 200 --arg 1.25 --collapsed prof.txt",
                "b35fa914b56790888243d8e24a005cfd", "8b4479d2f2f4f248"},
    };

    @TempDir
    Path dir;

    private static String sha(byte[] b, int hex) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, hex);
    }

    private void copy(String name) throws Exception {
        try (InputStream in = AttackRoundElevenCliTest.class.getResourceAsStream("golden/all11/" + name)) {
            assertNotNull(in, name);
            Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    @Test
    void sameAsTheBuildBeforeOnBothTiers() throws Exception {
        copy("p1.tasm");
        copy("dbg1.txt");
        String prefix = dir.toString() + File.separator;
        for (String[] c : CASES) {
            String[] args = c[0].split(" ");
            String written = null;
            for (int i = 0; i < args.length; i++) {
                if (args[i].contains(".")) {
                    if (args[i].matches("snap\\.1234|rec\\.[15]|prof\\.txt")) {
                        written = args[i];
                    }
                    if (!args[i].matches("[0-9.]+")) {
                        args[i] = prefix + args[i];
                    }
                }
            }
            Cli.Result r = Cli.run(args);
            String all = r.code() + "\n" + r.out().replace(prefix, "") + "\n" + r.err().replace(prefix, "");
            assertEquals(c[1], sha(all.getBytes(StandardCharsets.UTF_8), 32), () -> c[0] + "\n" + all);
            if (!c[2].isEmpty()) {
                assertEquals(c[2], sha(Files.readAllBytes(dir.resolve(written)), 16), c[0] + ": " + written);
            }
        }
    }
}
