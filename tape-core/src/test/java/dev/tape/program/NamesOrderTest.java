package dev.tape.program;

import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.tape.program.TapeBytes.BLOBS;
import static dev.tape.program.TapeBytes.CONSTS;
import static dev.tape.program.TapeBytes.FUNCS;
import static dev.tape.program.TapeBytes.HOSTS;
import static dev.tape.program.TapeBytes.SIGS;
import static dev.tape.program.TapeBytes.SPANS;
import static dev.tape.program.TapeBytes.TYPES;
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
import static dev.tape.program.TapeBytes.uleb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A names section whose entries are not in the encoder's order (function names by function id then
 * symbol id, labels by function id, pc, then symbol id). The reference decoder accepts any order
 * and its encoder writes that order, so the decoder accepts the section and keeps its entries in
 * that order when no key repeats: the program decoded from such a file equals the one decoded from
 * its re-encoding. When a key repeats, the file's order decides the entry a lookup finds and is
 * kept, as the reference keeps it.
 */
class NamesOrderTest {
    /** Symbols "", "a", "b", "c"; one function {@code ret r0} (3 bytes of code). */
    private static final String SYMS = "04 00 01 61 01 62 01 63";

    private static byte[] file(String namesPayload) {
        return minimal(SYMS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, namesPayload));
    }

    @Test
    void anOutOfOrderSectionDecodesToItsSortedForm() throws DecodeException {
        // labels (pc 3, "a"), (pc 0, "b"), (pc 1, "c"): no key repeats
        Program p = ProgramDecoder.decode(file("00 00 03 00 03 01 00 00 02 00 01 03"));
        assertEquals(List.of(new Names.LabelName(0, 0, 2), new Names.LabelName(0, 1, 3), new Names.LabelName(0, 3, 1)),
                p.names().labels());
        byte[] again = ProgramEncoder.encode(p);
        Program q = ProgramDecoder.decode(again);
        assertEquals(p, q);
        assertEquals(p.names(), q.names());
        assertArrayEquals(again, ProgramEncoder.encode(q));
    }

    /**
     * attack-a18: a function named twice, "c" then "a", keeps the file's order, which names it "c"
     * as the reference's {@code function_name} does (its first entry in the file); the re-encoding
     * is sorted by both encoders, so the program decoded from it is named "a" and is not equal.
     */
    @Test
    void aRepeatedKeyKeepsTheFilesOrder() throws DecodeException {
        // function 0 named "c" then "a"; labels (pc 3, "a"), (pc 0, "b"), (pc 0, "a")
        Program p = ProgramDecoder.decode(file("00 02 00 03 00 01 03 00 03 01 00 00 02 00 00 01"));
        assertEquals(List.of(new Names.FunctionName(0, 3), new Names.FunctionName(0, 1)), p.names().functions());
        assertEquals(List.of(new Names.LabelName(0, 3, 1), new Names.LabelName(0, 0, 2), new Names.LabelName(0, 0, 1)),
                p.names().labels());
        assertEquals("c", p.functionName(0), "the first entry in the file names the function");
        byte[] again = ProgramEncoder.encode(p);
        Program q = ProgramDecoder.decode(again);
        assertEquals("a", q.functionName(0));
        assertNotEquals(p, q);
        assertArrayEquals(again, ProgramEncoder.encode(q));
    }

    @Test
    void everyOrderOfOneSetOfEntriesDecodesToTheSameProgram() throws DecodeException {
        // no key repeats: one function name, labels at distinct pcs with distinct names
        List<String> labels = new ArrayList<>();
        for (int pc = 0; pc <= 2; pc++) {
            labels.add(uleb(0, pc == 2 ? 3 : pc, 3 - pc));
        }
        Program sorted = ProgramDecoder.decode(file("01 02 01 00 01 " + uleb(labels.size()) + String.join("", labels)));
        Random r = new Random(18);
        for (int round = 0; round < 40; round++) {
            Collections.shuffle(labels, r);
            byte[] bytes = file("01 02 01 00 01 " + uleb(labels.size()) + String.join("", labels));
            Program p = ProgramDecoder.decode(bytes);
            assertEquals(sorted, p, "round " + round);
            assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)), "round " + round);
        }
    }
}
