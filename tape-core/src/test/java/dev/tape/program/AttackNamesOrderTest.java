package dev.tape.program;

import dev.tape.asm.Disassembler;
import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.TapeBytes.CONSTS;
import static dev.tape.program.TapeBytes.HOSTS;
import static dev.tape.program.TapeBytes.TYPES;
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
import static dev.tape.program.TapeBytes.uleb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attack-a18: a names section out of order in which one key is named twice (a function named
 * twice, two functions with one name, a pc labelled twice, one label name at two pcs of a
 * function). The reference ({@code execution_tape/src/program.rs}: {@code decode_names} keeps the
 * file's order, {@code Program::function_name} and {@code label_name} take the first entry in it)
 * and this decoder before the eighteenth round name a function by its first entry in the file;
 * sorting such a section changed which name a function shows and which function a name finds
 * ({@code tape run --entry}, {@code Vm.function(name)}). A section whose keys are all distinct is
 * still kept sorted, so it decodes to the program its re-encoding decodes to.
 */
class AttackNamesOrderTest {
    /** Symbols "", "a", "b", "c", "main", "d". */
    private static final String SYMS = "06 00 01 61 01 62 01 63 04 6d 61 69 6e 01 64";

    /** Three functions {@code ret r0} (3 bytes of code each), the names section given. */
    private static byte[] file(String namesPayload) {
        return minimal(SYMS, CONSTS, TYPES, "03 03 51 00 00 03 51 00 00 03 51 00 00", "03 00 00 00",
                "03 00 00 01 00 00 00 00 01 01 01 00 00 01 02 02", "03 00 00 00 00 00 00 00 00 00 00 00 00", HOSTS,
                section(9, namesPayload));
    }

    @Test
    void aFunctionNamedTwiceOutOfOrderKeepsItsFirstNameInTheFile() throws DecodeException {
        // function 0 named "c" then "a"
        Program p = ProgramDecoder.decode(file("00 02 00 03 00 01 00"));
        assertEquals("c", p.functionName(0), "the reference's function_name: the first entry in the file");
        assertTrue(Disassembler.disassemble(p).contains("func c("), Disassembler.disassemble(p));
    }

    @Test
    void twoFunctionsWithOneNameOutOfOrderKeepTheFirstInTheFile() throws DecodeException {
        // function 2 then function 0 named "main"; function 1 named "b"
        Program p = ProgramDecoder.decode(file("00 03 02 04 00 04 01 02 00"));
        assertEquals(2, p.functionId("main"), "as before: the entry run by --entry main is the file's first");
        assertEquals("main", p.functionName(0));
        assertEquals("main", p.functionName(2));
    }

    /**
     * Two symbols with one text (the reference's symbol table allows it): two functions named by
     * them out of order share a name, so the file's order is kept, and so for two labels of one
     * function.
     */
    @Test
    void oneTextUnderTwoSymbolIdsIsOneName() throws DecodeException {
        // symbols "", "main", "x", "main"; function 1 named by symbol 3, function 0 by symbol 1
        String syms = "04 00 04 6d 61 69 6e 01 78 04 6d 61 69 6e";
        byte[] f = minimal(syms, CONSTS, TYPES, "02 03 51 00 00 03 51 00 00", "02 00 00",
                "02 00 00 01 00 00 00 00 01 01 01", "02 00 00 00 00 00 00 00 00", HOSTS,
                section(9, "00 02 01 03 00 01 02 00 03 03 00 00 01"));
        Program p = ProgramDecoder.decode(f);
        assertEquals(1, p.functionId("main"), "the file's first entry named main");
        assertEquals(List.of(new Names.FunctionName(1, 3), new Names.FunctionName(0, 1)), p.names().functions());
        assertEquals(List.of(new Names.LabelName(0, 3, 3), new Names.LabelName(0, 0, 1)), p.names().labels());
    }

    /** The decoder's text comparison on the symbol table's bytes, with texts whose hashes collide. */
    @Test
    void leastWithSameTextGroupsEqualTextsWhateverTheirHash() throws DecodeException {
        // "Aa" and "BB" hash alike; so does every string of 12 such blocks (4096 of them)
        List<String> texts = new ArrayList<>(List.of("", "Aa", "BB", "Aa", "BB", "x"));
        for (int m = 0; m < 4096; m++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < 12; k++) {
                b.append((m >> k & 1) == 0 ? "Aa" : "BB");
            }
            texts.add(b.toString());
        }
        texts.add(texts.get(6 + 4095));
        StringBuilder syms = new StringBuilder(uleb(texts.size()));
        for (String t : texts) {
            syms.append(uleb(t.length())).append(java.util.HexFormat.of().formatHex(t.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
        Program p = ProgramDecoder.decode(minimal(syms.toString(), CONSTS, TYPES, TapeBytes.BLOBS, TapeBytes.SPANS,
                TapeBytes.FUNCS, TapeBytes.SIGS, HOSTS));
        SymbolList list = (SymbolList) p.symbols();
        int last = texts.size() - 1;
        assertArrayEquals(new int[] {2, 1, 2, 1, 5, 1, 6, last, 7},
                list.leastWithSameText(new int[] {2, 1, 4, 3, 5, 1, 6, last, 7}));
        assertArrayEquals(new int[] {6 + 4095, 6 + 4095}, list.leastWithSameText(new int[] {last, 6 + 4095}));
        assertArrayEquals(new int[0], list.leastWithSameText(new int[0]));
    }

    @Test
    void aPcLabelledTwiceOutOfOrderKeepsTheFileOrder() throws DecodeException {
        // function 1: (pc 0, "b"), (pc 0, "a"); function 0: (pc 3, "c")
        Program p = ProgramDecoder.decode(file("00 00 03 01 00 02 01 00 01 00 03 03"));
        List<Names.LabelName> at = p.names().labels().stream().filter(l -> l.funcId() == 1).toList();
        assertEquals(List.of(new Names.LabelName(1, 0, 2), new Names.LabelName(1, 0, 1)), at,
                "the reference's label_name(1, 0) is \"b\", the first in the file");
    }

    @Test
    void oneLabelNameAtTwoPcsOutOfOrderKeepsTheFileOrder() throws DecodeException {
        // function 0: (pc 3, "a"), (pc 0, "a"): the debugger's 'break a' found pc 3 before the round
        Program p = ProgramDecoder.decode(file("00 00 02 00 03 01 00 00 01"));
        assertEquals(new Names.LabelName(0, 3, 1), p.names().labels().get(0));
    }

    @Test
    void distinctKeysInAnyOrderStillDecodeToTheSortedProgram() throws DecodeException {
        List<String> fns = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            fns.add(uleb(f, f + 1));
            for (int pc = 0; pc <= 3; pc += 3) {
                labels.add(uleb(f, pc, pc == 0 ? 4 : 5));
            }
        }
        Program sorted = ProgramDecoder.decode(file("00 " + uleb(fns.size()) + String.join("", fns)
                + uleb(labels.size()) + String.join("", labels)));
        Random r = new Random(1818);
        for (int round = 0; round < 40; round++) {
            Collections.shuffle(fns, r);
            Collections.shuffle(labels, r);
            Program p = ProgramDecoder.decode(file("00 " + uleb(fns.size()) + String.join("", fns)
                    + uleb(labels.size()) + String.join("", labels)));
            assertEquals(sorted, p, "round " + round);
            assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)), "round " + round);
        }
    }

    /**
     * Random sections (entries drawn from a few functions, pcs and names, so keys repeat about half
     * the time, in random order) against a model of the reference: each lookup takes the first
     * entry in the file (a function's name; the function a name finds; the first label at a pc;
     * the first pc of a label name in a function). When no key repeats, the program also equals
     * the one decoded from its re-encoding; when one does, the names keep the file's order.
     */
    @Test
    void lookupsAreTheReferencesFirstEntryInTheFile() throws DecodeException {
        String[] text = {"", "a", "b", "c", "main", "d"};
        Random r = new Random(18_18);
        int repeated = 0;
        int distinct = 0;
        for (int round = 0; round < 400; round++) {
            int nf = r.nextInt(5);
            int nl = r.nextInt(6);
            int[][] fns = new int[nf][];
            int[][] labels = new int[nl][];
            StringBuilder hex = new StringBuilder("00 ").append(uleb(nf));
            for (int i = 0; i < nf; i++) {
                fns[i] = new int[] {r.nextInt(3), 1 + r.nextInt(5)};
                hex.append(uleb(fns[i][0], fns[i][1]));
            }
            hex.append(uleb(nl));
            for (int i = 0; i < nl; i++) {
                labels[i] = new int[] {r.nextInt(3), r.nextInt(4), 1 + r.nextInt(5)};
                hex.append(uleb(labels[i][0], labels[i][1], labels[i][2]));
            }
            Program p = ProgramDecoder.decode(file(hex.toString()));
            Set<Integer> fnIds = new HashSet<>();
            Set<Integer> fnSyms = new HashSet<>();
            Set<List<Integer>> pcs = new HashSet<>();
            Set<List<Integer>> labelSyms = new HashSet<>();
            boolean fnRepeats = false;
            boolean labelRepeats = false;
            for (int[] f : fns) {
                fnRepeats |= !fnIds.add(f[0]) | !fnSyms.add(f[1]);
            }
            for (int[] l : labels) {
                labelRepeats |= !pcs.add(List.of(l[0], l[1])) | !labelSyms.add(List.of(l[0], l[2]));
            }
            for (int f = 0; f < 3; f++) {
                String want = null;
                for (int[] e : fns) {
                    if (e[0] == f) {
                        want = text[e[1]];
                        break;
                    }
                }
                assertEquals(want, p.functionName(f), "round " + round + " function " + f);
            }
            for (int sym = 1; sym < text.length; sym++) {
                int want = -1;
                for (int[] e : fns) {
                    if (e[1] == sym) {
                        want = e[0];
                        break;
                    }
                }
                assertEquals(want, p.functionId(text[sym]), "round " + round + " name " + text[sym]);
            }
            Map<List<Integer>, Integer> firstAt = new HashMap<>();
            Map<List<Integer>, Integer> firstPc = new HashMap<>();
            for (Names.LabelName l : p.names().labels()) {
                firstAt.putIfAbsent(List.of(l.funcId(), l.pc()), l.nameSymbol());
                firstPc.putIfAbsent(List.of(l.funcId(), l.nameSymbol()), l.pc());
            }
            Map<List<Integer>, Integer> wantAt = new HashMap<>();
            Map<List<Integer>, Integer> wantPc = new HashMap<>();
            for (int[] l : labels) {
                wantAt.putIfAbsent(List.of(l[0], l[1]), l[2]);
                wantPc.putIfAbsent(List.of(l[0], l[2]), l[1]);
            }
            assertEquals(wantAt, firstAt, "round " + round);
            assertEquals(wantPc, firstPc, "round " + round);
            Program q = ProgramDecoder.decode(ProgramEncoder.encode(p));
            for (int i = 0; i < nf && fnRepeats; i++) {
                assertEquals(new Names.FunctionName(fns[i][0], fns[i][1]), p.names().functions().get(i), "round " + round);
            }
            for (int i = 0; i < nl && labelRepeats; i++) {
                assertEquals(new Names.LabelName(labels[i][0], labels[i][1], labels[i][2]), p.names().labels().get(i),
                        "round " + round);
            }
            if (fnRepeats || labelRepeats) {
                repeated++;
            } else {
                distinct++;
                assertEquals(p, q, "round " + round);
            }
        }
        assertTrue(repeated > 100 && distinct > 100, repeated + " with a repeated key, " + distinct + " without");
    }
}
