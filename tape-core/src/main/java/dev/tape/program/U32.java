package dev.tape.program;

/**
 * The one form of a u32 value a file declares and the program keeps ({@link Function}'s counts,
 * {@link HostSig}'s symbol id, {@link AggShape}'s type ids and argument position): the value's 32
 * bits in an {@code int} (0 to 2^31-1 as such, 2^31 to 2^32-1 as a negative {@code int}), given as
 * declared by {@link #declared(int)} and as kept by {@link #capped(int)} (2^31-1 for 2^31 and
 * more, which no table in a file reaches and every check of the verifier refuses). No field needs
 * more than its {@code int}, whatever the value.
 */
final class U32 {
    private U32() {}

    /**
     * @param value a u32 as declared, 0 to 2^32-1
     * @param what the field as the spec names it ({@code arg_count}, {@code symbol_id}; section 11's
     *     {@code arg}, {@code type_id}, {@code elem_type_id} as {@code reference/README.md} does), for
     *     the message, which reads as the decoder's ({@code has_arg_names must be 0 or 1})
     * @return the value's 32 bits
     * @throws IllegalArgumentException when {@code value} is negative or 2^32 or more
     */
    static int of(long value, String what) {
        if (value < 0 || value >>> 32 != 0) {
            throw new IllegalArgumentException(what + " " + value + " is not a u32");
        }
        return (int) value;
    }

    /** @return the u32 whose bits {@code u32} holds, 0 to 2^32-1 */
    static long declared(int u32) {
        return Integer.toUnsignedLong(u32);
    }

    /** @return the u32 whose bits {@code u32} holds, kept as 2^31-1 when it is 2^31 or more */
    static int capped(int u32) {
        return u32 < 0 ? Integer.MAX_VALUE : u32;
    }
}
