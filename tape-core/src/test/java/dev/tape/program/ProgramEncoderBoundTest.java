package dev.tape.program;

import dev.tape.asm.Assembler;
import dev.tape.format.ByteWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The program encoder's bound: an encoding longer than its writer holds ({@link ByteWriter#MAX_BYTES},
 * here a small bound through {@link ProgramEncoder#encode(Program, int)}) is the encoder's documented
 * {@link IllegalArgumentException} ({@link ProgramEncoder#TOO_LARGE}), not the writer's
 * {@code OutOfMemoryError}.
 */
class ProgramEncoderBoundTest {
    private static final String SOURCE = """
            program p
            func main(a: i64) -> (i64) {
                const.i64 r2, 7
                i64.add r1, r1, r2
                ret r0, [r1]
            }
            """;

    @Test
    void anEncodingPastTheBoundIsTheDocumentedError() throws Exception {
        Program p = Assembler.assemble(SOURCE, "p.tasm");
        byte[] whole = ProgramEncoder.encode(p);
        assertArrayEquals(whole, ProgramEncoder.encode(p, whole.length));
        for (int max : new int[] {0, 1, 12, whole.length / 2, whole.length - 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProgramEncoder.encode(p, max), "bound " + max);
            assertEquals(ProgramEncoder.TOO_LARGE, e.getMessage());
        }
    }

    @Test
    void aWritersBoundIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ByteWriter(-1));
        ByteWriter w = new ByteWriter(3);
        w.u16le(7);
        w.u8(1);
        assertThrows(OutOfMemoryError.class, () -> w.u8(2));
        assertEquals(3, w.size());
        assertArrayEquals(new byte[] {7, 0, 1}, w.toByteArray());
    }
}
