package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.verify.internal.CodeImage;
import org.junit.jupiter.api.Test;

/**
 * The bound on the code image's length (mend25): {@link CodeImage#HOT} marks an entry with bit 30,
 * so every entry must stay below it. The verifier refuses a program whose lowered code would be
 * {@link CodeImage#MAX_LENGTH} ints or more. (An image at the bound would need 4 GiB of heap, so
 * the check itself is tested.)
 */
class ExecutionFormBoundTest {
    @Test
    void theVerifierRefusesAnImageOf2To30CodeIntsOrMore() {
        assertEquals(1L << 30, CodeImage.MAX_LENGTH);
        assertEquals(CodeImage.HOT, CodeImage.MAX_LENGTH);
        assertDoesNotThrow(() -> Verifier.imageFits(CodeImage.MAX_LENGTH - 1));
        assertDoesNotThrow(() -> Verifier.imageFits(0));
        for (long length : new long[] {CodeImage.MAX_LENGTH, CodeImage.MAX_LENGTH + 1, Integer.MAX_VALUE,
            1L << 31, Long.MAX_VALUE}) {
            VerifyException e = assertThrows(VerifyException.class, () -> Verifier.imageFits(length));
            assertEquals("ExecutionFormTooLarge", e.kind());
            assertEquals(-1, e.func());
        }
    }
}
