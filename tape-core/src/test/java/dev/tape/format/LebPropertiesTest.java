package dev.tape.format;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** LEB128 writers and readers agree on every value, canonical and padded. */
class LebPropertiesTest {
    @Property
    void ulebRoundTrips(@ForAll long v) throws DecodeException {
        ByteWriter w = new ByteWriter();
        w.uleb(v);
        byte[] b = w.toByteArray();
        assertEquals(ByteWriter.ulebSize(v), b.length);
        ByteReader r = new ByteReader(b, "t");
        assertEquals(v, r.uleb64());
        assertEquals(b.length, r.position());
    }

    @Property
    void paddedUlebRoundTrips(@ForAll long v, @ForAll @IntRange(min = 1, max = 10) int extra) throws DecodeException {
        int width = Math.min(10, ByteWriter.ulebSize(v) + extra - 1);
        ByteWriter w = new ByteWriter();
        w.ulebPadded(v, width);
        byte[] b = w.toByteArray();
        assertEquals(width, b.length);
        assertEquals(v, new ByteReader(b, "t").uleb64());
    }

    @Property
    void slebRoundTrips(@ForAll long v) throws DecodeException {
        ByteWriter w = new ByteWriter();
        w.sleb(v);
        byte[] b = w.toByteArray();
        assertEquals(Instruction.slebSize(v), b.length);
        ByteReader r = new ByteReader(b, "t");
        assertEquals(v, r.sleb64());
        assertEquals(b.length, r.position());
    }
}
