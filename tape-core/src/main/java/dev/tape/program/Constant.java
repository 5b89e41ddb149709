package dev.tape.program;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An entry of the constant pool (spec section "Constant pool"; tags in
 * {@code reference/README.md}: 0 unit, 1 bool, 2 i64, 3 u64, 4 f64, 5 decimal, 6 bytes, 7 str).
 */
public sealed interface Constant {
    /**
     * The constant's kind, as the tag that starts its encoding in the constant pool.
     *
     * @return the constant's encoding tag, 0 to 7
     */
    int tag();

    /**
     * The value type of this constant when an instruction loads it into a register.
     *
     * @return the type a register holding this constant has
     */
    ValueType type();

    /** The unit constant. */
    record Unit() implements Constant {
        @Override
        public int tag() {
            return 0;
        }

        @Override
        public ValueType type() {
            return ValueType.UNIT;
        }
    }

    /**
     * A {@code bool} constant.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements Constant {
        @Override
        public int tag() {
            return 1;
        }

        @Override
        public ValueType type() {
            return ValueType.BOOL;
        }
    }

    /**
     * An {@code i64} constant.
     *
     * @param value the signed 64-bit integer
     */
    record I64(long value) implements Constant {
        @Override
        public int tag() {
            return 2;
        }

        @Override
        public ValueType type() {
            return ValueType.I64;
        }
    }

    /**
     * A {@code u64} constant.
     *
     * @param value the unsigned 64-bit integer, as two's-complement bits
     */
    record U64(long value) implements Constant {
        @Override
        public int tag() {
            return 3;
        }

        @Override
        public ValueType type() {
            return ValueType.U64;
        }
    }

    /**
     * An {@code f64} constant, kept as its bits so that every NaN payload and the sign of zero survive.
     *
     * @param bits the IEEE-754 bits of the f64 (NaN payloads and the sign of zero kept)
     */
    record F64(long bits) implements Constant {
        @Override
        public int tag() {
            return 4;
        }

        @Override
        public ValueType type() {
            return ValueType.F64;
        }
    }

    /**
     * A {@code decimal} constant: {@code mantissa * 10^-scale}.
     *
     * @param mantissa the signed mantissa
     * @param scale the number of decimal places, 0 to 255
     */
    record Decimal(long mantissa, int scale) implements Constant {
        /**
         * Checks the scale.
         *
         * @param mantissa the signed mantissa
         * @param scale the number of decimal places, 0 to 255
         * @throws IllegalArgumentException when the scale is not 0 to 255
         */
        public Decimal {
            if (scale < 0 || scale > 255) {
                throw new IllegalArgumentException("decimal scale must be 0 to 255");
            }
        }

        @Override
        public int tag() {
            return 5;
        }

        @Override
        public ValueType type() {
            return ValueType.DECIMAL;
        }
    }

    /** A byte string; the array is copied in and out, so the constant stays immutable. */
    final class Bytes implements Constant {
        private final byte[] value;

        /**
         * Makes a {@code bytes} constant from a copy of the array.
         *
         * @param value the bytes (copied)
         */
        public Bytes(byte[] value) {
            this.value = value.clone();
        }

        /**
         * Copies out the constant's bytes.
         *
         * @return a copy of the bytes
         */
        public byte[] value() {
            return value.clone();
        }

        /**
         * The length of the constant in bytes.
         *
         * @return the number of bytes
         */
        public int length() {
            return value.length;
        }

        @Override
        public int tag() {
            return 6;
        }

        @Override
        public ValueType type() {
            return ValueType.BYTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[" + HexFormat.of().formatHex(value) + "]";
        }
    }

    /**
     * A {@code str} constant.
     *
     * @param value the string
     */
    record Str(String value) implements Constant {
        /**
         * Checks that the string is present.
         *
         * @param value the string
         * @throws IllegalArgumentException when the value is null
         */
        public Str {
            if (value == null) {
                throw new IllegalArgumentException("string constant is null");
            }
        }

        @Override
        public int tag() {
            return 7;
        }

        @Override
        public ValueType type() {
            return ValueType.STR;
        }
    }
}
