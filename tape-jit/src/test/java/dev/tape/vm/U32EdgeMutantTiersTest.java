package dev.tape.vm;

import dev.tape.format.ByteWriter;
import dev.tape.program.ConformanceFiles;
import dev.tape.program.TapeBytes;
import dev.tape.verify.VerifiedProgram;
import dev.tape.fuzz.FuzzChecks;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every LEB128 value inside the conformance vectors' bytecode (operands: registers, counts, ids,
 * immediates, branch targets) replaced, one at a time, by a u32 at an edge (0, 1, 2^31-2, 2^31-1,
 * 2^31, 2^31+1, 2^32-2, 2^32-1), its blob's length and the section's framing fixed: every mutant
 * that verifies runs alike on both tiers ({@link JitFuzzTest#check}: the interpreter, the compiled
 * tier, the compiled tier on a reused context; no {@code internal_error}; every function that fits
 * compiled). Every sixth vector; many mutants verify (a register, type or id at 2^31 or more is
 * refused, the immediates and counts of 0 and 1 mostly are not).
 */
class U32EdgeMutantTiersTest {
    private static final long[] EDGES = {0, 1, (1L << 31) - 2, (1L << 31) - 1, 1L << 31, (1L << 31) + 1,
        (1L << 32) - 2, (1L << 32) - 1};
    private static final int BLOBS = 5;

    @Test
    void everyVerifiedEdgeMutantOfTheBytecodeRunsAlikeOnBothTiers() throws Exception {
        int mutants = 0;
        int verified = 0;
        List<Path> tapes = ConformanceFiles.tapes();
        for (int t = 0; t < tapes.size(); t += 6) {
            byte[] f = Files.readAllBytes(tapes.get(t));
            int at = 12;
            while (at < f.length) {
                int tag = f[at] & 0xFF;
                int[] len = leb(f, at + 1);
                int from = at + 1 + len[1];
                int to = from + len[0];
                if (tag == BLOBS) {
                    for (byte[] m : blobMutants(f, at, from, to)) {
                        mutants++;
                        VerifiedProgram vp = FuzzChecks.verify(m);
                        if (vp != null && !vp.program().functions().isEmpty()) {
                            verified++;
                            try {
                                JitFuzzTest.check(m);
                            } catch (AssertionError e) {
                                throw new AssertionError(tapes.get(t).getFileName() + " mutant " + mutants + ": "
                                        + e.getMessage(), e);
                            }
                        }
                    }
                }
                at = to;
            }
        }
        assertTrue(mutants > 5_000, "mutants: " + mutants);
        assertTrue(verified > 300, "mutants that verify: " + verified + " of " + mutants);
    }

    /** @return the value (a length or count in a file that decoded) and the length of the LEB128 at {@code at} */
    private static int[] leb(byte[] b, int at) {
        long[] r = TapeBytes.readUleb(b, at);
        return new int[] {Math.toIntExact(r[0]), (int) r[1]};
    }

    /** every LEB128 start inside each blob of the section at {@code sec}, at every edge */
    private static List<byte[]> blobMutants(byte[] f, int sec, int from, int to) {
        List<byte[]> out = new java.util.ArrayList<>();
        int[] count = leb(f, from);
        int p = from + count[1];
        for (int b = 0; b < count[0]; b++) {
            int[] len = leb(f, p);
            int start = p + len[1];
            int end = start + len[0];
            for (int i = start; i < end; i++) {
                int n = TapeBytes.ulebLength(f, i, end) - 1;
                if (n < 0) {
                    continue;
                }
                for (long v : EDGES) {
                    ByteWriter blob = new ByteWriter();
                    blob.bytes(Arrays.copyOfRange(f, start, i));
                    blob.uleb(v);
                    blob.bytes(Arrays.copyOfRange(f, i + n + 1, end));
                    ByteWriter payload = new ByteWriter();
                    payload.bytes(Arrays.copyOfRange(f, from, p));
                    payload.uleb(blob.size());
                    payload.bytes(blob.toByteArray());
                    payload.bytes(Arrays.copyOfRange(f, end, to));
                    ByteWriter file = new ByteWriter();
                    file.bytes(Arrays.copyOfRange(f, 0, sec));
                    file.u8(BLOBS);
                    file.uleb(payload.size());
                    file.bytes(payload.toByteArray());
                    file.bytes(Arrays.copyOfRange(f, to, f.length));
                    out.add(file.toByteArray());
                }
            }
            p = end;
        }
        return out;
    }
}
