package dev.tape.host;

import dev.tape.program.ValueType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link ConformanceHost#SYMBOLS} names exactly the symbols the host provides: each resolves with
 * its documented signature ({@code ../shared/conformance/README.md}), and no other symbol does.
 */
class ConformanceHostTest {
    private static final Map<String, List<List<ValueType>>> SIGNATURES = Map.of(
            "test.id", List.of(List.of(I64, U64), List.of(I64, U64)),
            "test.add_i64", List.of(List.of(I64, I64), List.of(I64)),
            "test.fail", List.of(List.of(), List.of()),
            "test.charge", List.of(List.of(U64), List.of()),
            "test.sum_tuple2", List.of(List.of(AGG), List.of(I64)));

    @Test
    void symbolsAreTheProvidedOnes() {
        ConformanceHost host = new ConformanceHost();
        assertEquals(SIGNATURES.keySet(), ConformanceHost.SYMBOLS);
        for (String symbol : ConformanceHost.SYMBOLS) {
            List<List<ValueType>> sig = SIGNATURES.get(symbol);
            assertNotNull(host.resolve(symbol, 0, sig.get(0), sig.get(1)), symbol);
        }
        assertNull(host.resolve("test.other", 0, List.of(), List.of()));
        assertNull(host.resolve("test.add_i64", 0, List.of(I64), List.of(I64)), "another signature");
    }
}
