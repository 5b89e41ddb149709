package dev.tape.program;

import dev.tape.format.DecodedCode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * A decoded program's functions hold their bytecode as ranges of arrays the decoder packs blobs
 * into; each behaves as a function made with its own copy: equal, with equal hash codes, the same
 * {@code code()} (a fresh copy each call, of the range only), length and decoded instructions.
 * Checked on 200 random programs, whose functions' blobs share arrays.
 */
class FunctionRangeTest {
    @Test
    void decodedFunctionsBehaveAsFunctionsWithTheirOwnBytecode() throws Exception {
        int shared = 0;
        for (long seed = 0; seed < 200; seed++) {
            Program built = RandomPrograms.program(seed);
            Program decoded = ProgramDecoder.decode(ProgramEncoder.encode(built));
            assertEquals(built.functions().size(), decoded.functions().size());
            for (int i = 0; i < built.functions().size(); i++) {
                Function b = built.functions().get(i);
                Function d = decoded.functions().get(i);
                Function own = new Function(d.argCount(), d.retCount(), d.regCount(), d.code(), d.spans(), d.sig());
                assertEquals(b, d, "seed " + seed + " function " + i);
                assertEquals(own, d);
                assertEquals(d, own);
                assertEquals(own.hashCode(), d.hashCode());
                assertEquals(b.hashCode(), d.hashCode());
                assertArrayEquals(b.code(), d.code());
                assertNotSame(d.code(), d.code());
                assertEquals(b.codeLength(), d.codeLength());
                assertEquals(d.toString(), own.toString());
                DecodedCode x = own.decode(new DecodedCode());
                DecodedCode y = d.decode(new DecodedCode());
                assertEquals(x.count(), y.count());
                assertEquals(x.codeLength(), y.codeLength());
                for (int k = 0; k < x.count(); k++) {
                    assertEquals(x.instruction(k), y.instruction(k));
                }
                if (i > 0) {
                    // a range of an array another function's bytecode is in
                    shared++;
                }
            }
            // a change to one function's copy changes nothing decoded
            if (!decoded.functions().isEmpty() && decoded.functions().get(0).codeLength() > 0) {
                byte[] c = decoded.functions().get(0).code();
                Arrays.fill(c, (byte) 0);
                assertArrayEquals(built.functions().get(0).code(), decoded.functions().get(0).code());
            }
        }
        assertEquals(true, shared > 100, "functions after the first: " + shared);
    }

    @Test
    void aFunctionMadeFromAnArrayKeepsACopy() {
        byte[] code = {0x00};
        Function f = new Function(0, 0, 1, code, List.of(), RandomPrograms.program(0).functions().get(0).sig());
        code[0] = 1;
        assertArrayEquals(new byte[] {0x00}, f.code());
    }
}
