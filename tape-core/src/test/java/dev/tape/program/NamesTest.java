package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The function-name index of {@link Names} and {@link Program#functionName(int)} (issue 12, hole 7). */
class NamesTest {
    private static Program program(List<String> symbols, Names names) {
        return new Program(symbols, List.of(), TypeTable.EMPTY, List.of(), List.of(), List.of(), List.of(), names);
    }

    @Test
    void theFirstEntryInSectionOrderWithAValidSymbolNamesAFunction() {
        Names n = new Names(-1, List.of(new Names.FunctionName(5, 9), new Names.FunctionName(3, 1),
                new Names.FunctionName(5, 2), new Names.FunctionName(5, 3), new Names.FunctionName(-4, 3),
                new Names.FunctionName(Integer.MAX_VALUE, 1), new Names.FunctionName(Integer.MIN_VALUE, 2)), List.of());
        assertEquals(1, n.functionNameSymbol(3, 4));
        assertEquals(2, n.functionNameSymbol(5, 4), "symbol 9 is out of range, so the next entry names it");
        assertEquals(9, n.functionNameSymbol(5, 10));
        assertEquals(3, n.functionNameSymbol(-4, 4));
        assertEquals(1, n.functionNameSymbol(Integer.MAX_VALUE, 4));
        assertEquals(2, n.functionNameSymbol(Integer.MIN_VALUE, 4));
        assertEquals(-1, n.functionNameSymbol(4, 4));
        assertEquals(-1, n.functionNameSymbol(0, 4));
        assertEquals(-1, Names.NONE.functionNameSymbol(0, 4));
        Program p = program(List.of("", "three", "five", "x"), n);
        assertEquals("three", p.functionName(3));
        assertEquals("five", p.functionName(5));
        assertNull(p.functionName(4));
        assertEquals(3, p.functionId("three"));
        assertEquals(5, p.functionId("five"), "the first entry in section order with that name");
    }

    @Test
    void lookupsAgreeWithAScanOfTheSectionOnRandomNames() {
        Random r = new Random(12);
        for (int round = 0; round < 50; round++) {
            int functions = 1 + r.nextInt(300);
            int symbolCount = 1 + r.nextInt(40);
            List<String> symbols = new ArrayList<>();
            symbols.add("");
            for (int i = 1; i < symbolCount; i++) {
                symbols.add("s" + i);
            }
            List<Names.FunctionName> entries = new ArrayList<>();
            int count = r.nextInt(2 * functions);
            for (int i = 0; i < count; i++) {
                // duplicates, ids past the end, and symbols out of range on purpose
                entries.add(new Names.FunctionName(r.nextInt(functions + 5) - 2, r.nextInt(symbolCount + 3) - 1));
            }
            Program p = program(symbols, new Names(-1, entries, List.of()));
            for (int f = -3; f < functions + 6; f++) {
                String expected = null;
                for (Names.FunctionName e : entries) {
                    if (e.funcId() == f && e.nameSymbol() >= 0 && e.nameSymbol() < symbols.size()) {
                        expected = symbols.get(e.nameSymbol());
                        break;
                    }
                }
                assertEquals(expected, p.functionName(f), "function " + f + " of " + entries);
            }
        }
    }

    @Test
    void namesCompareByTheirComponents() {
        Names a = new Names(1, List.of(new Names.FunctionName(0, 2)), List.of(new Names.LabelName(0, 4, 3)));
        Names b = new Names(1, new ArrayList<>(List.of(new Names.FunctionName(0, 2))),
                List.of(new Names.LabelName(0, 4, 3)));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new Names(-1, a.functions(), a.labels()));
        assertNotEquals(a, new Names(1, List.of(new Names.FunctionName(1, 2)), a.labels()));
        assertEquals("Names[programName=1, functions=[FunctionName[funcId=0, nameSymbol=2]], "
                + "labels=[LabelName[funcId=0, pc=4, nameSymbol=3]]]", a.toString());
    }
}
