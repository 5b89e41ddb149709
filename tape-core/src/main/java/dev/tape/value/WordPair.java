package dev.tape.value;

/**
 * A two-element {@link Aggregate} whose elements are both stored as words, with the two words in
 * the object itself instead of a {@code long[2]}: building one is one allocation (48 bytes)
 * instead of two (32 + 32). Made only by the VM ({@link ValueInternals#pair}) for a
 * {@code tuple.new} of two word registers; it behaves exactly as the aggregate with
 * {@code bits = {w0, w1}} (elements, words, equality, hash, text, index errors).
 */
final class WordPair extends Aggregate {
    private final long w0;
    private final long w1;

    WordPair(Kind kind, int typeId, byte[] tags, long w0, long w1) {
        super(kind, typeId, tags, null, null);
        this.w0 = w0;
        this.w1 = w1;
    }

    /**
     * @param i an index
     * @return word {@code i}
     * @throws ArrayIndexOutOfBoundsException when {@code i} is not 0 or 1, as for a {@code long[2]}
     */
    long pairWord(int i) {
        if (i == 0) {
            return w0;
        }
        if (i == 1) {
            return w1;
        }
        throw new ArrayIndexOutOfBoundsException("Index " + i + " out of bounds for length 2");
    }
}
