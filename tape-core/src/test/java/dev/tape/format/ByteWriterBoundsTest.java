package dev.tape.format;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ByteWriter} near its largest size ({@link ByteWriter#MAX_BYTES}): a write past it throws
 * {@link OutOfMemoryError} (which the snapshot writer reports as its documented error, a
 * {@code SnapshotException}; the program encoders let it through), where the length's {@code int}
 * sum overflowed before and the write failed with an index error. The length is set by reflection: no test allocates 2 GiB.
 */
class ByteWriterBoundsTest {
    @Test
    void aWritePastTheLargestBufferIsAnOutOfMemoryError() throws ReflectiveOperationException {
        ByteWriter w = new ByteWriter();
        Field len = ByteWriter.class.getDeclaredField("len");
        len.setAccessible(true);
        len.setInt(w, Integer.MAX_VALUE - 10);
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> w.bytes(new byte[16]));
        assertTrue(e.getMessage().contains(String.valueOf(ByteWriter.MAX_BYTES)), e.getMessage());
        assertEquals(Integer.MAX_VALUE - 10, w.size());
        len.setInt(w, 0);
        w.bytes(new byte[100]);
        assertEquals(100, w.size());
    }
}
