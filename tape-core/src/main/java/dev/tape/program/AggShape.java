package dev.tape.program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shape of an aggregate, as section 11 ({@code function_arg_agg_shapes}) declares it for an
 * {@code agg} argument ({@code reference/README.md}).
 */
public sealed interface AggShape {
    /**
     * The shape's kind, as the tag that starts its encoding.
     *
     * @return the encoding tag: 1 tuple, 2 struct, 3 array
     */
    int tag();

    /**
     * A tuple whose element types may be unknown.
     *
     * @param elems element types in order; a {@code null} element is unknown
     */
    record Tuple(List<ValueType> elems) implements AggShape {
        /**
         * Copies the list (which may hold nulls).
         *
         * @param elems element types in order; a {@code null} element is unknown
         */
        public Tuple {
            elems = Collections.unmodifiableList(new ArrayList<>(elems));
        }

        @Override
        public int tag() {
            return 1;
        }
    }

    /**
     * A struct shape.
     *
     * @param u32TypeId the struct type id as section 11 declares it (a ULEB128 u32) in an
     *     {@code int}'s 32 bits: 0 to 2^31-1 as such, 2^31 to 2^32-1 as a negative {@code int}
     *     ({@link #declaredTypeId()} gives it as a {@code long}, {@link #typeId()} as kept)
     */
    record Struct(int u32TypeId) implements AggShape {
        /**
         * Makes a struct shape from a type id as read from a file, keeping the declared id.
         *
         * @param declaredTypeId a struct type id as a file declares it, 0 to 2^32-1
         * @return the shape
         * @throws IllegalArgumentException when the id is negative or 2^32 or more
         */
        public static Struct declared(long declaredTypeId) {
            return new Struct(U32.of(declaredTypeId, "type_id"));
        }

        /**
         * The struct type id, as an int the VM can index by.
         *
         * @return the struct type id: the declared one, kept as 2^31-1 when it is 2^31 to 2^32-1
         *     (no type table that large fits in a file: the verifier refuses it)
         */
        public int typeId() {
            return U32.capped(u32TypeId);
        }

        /**
         * The struct type id exactly as the file declares it.
         *
         * @return the struct type id as declared, 0 to 2^32-1
         */
        public long declaredTypeId() {
            return U32.declared(u32TypeId);
        }

        @Override
        public int tag() {
            return 2;
        }
    }

    /**
     * An array shape.
     *
     * @param u32ElemTypeId the array element type id as section 11 declares it (a ULEB128 u32) in
     *     an {@code int}'s 32 bits: 0 to 2^31-1 as such, 2^31 to 2^32-1 as a negative {@code int}
     *     ({@link #declaredElemTypeId()} gives it as a {@code long}, {@link #elemTypeId()} as kept)
     */
    record Array(int u32ElemTypeId) implements AggShape {
        /**
         * Makes an array shape from an element type id as read from a file, keeping the declared id.
         *
         * @param declaredElemTypeId an array element type id as a file declares it, 0 to 2^32-1
         * @return the shape
         * @throws IllegalArgumentException when the id is negative or 2^32 or more
         */
        public static Array declared(long declaredElemTypeId) {
            return new Array(U32.of(declaredElemTypeId, "elem_type_id"));
        }

        /**
         * The array element type id, as an int the VM can index by.
         *
         * @return the array element type id: the declared one, kept as 2^31-1 when it is 2^31 to
         *     2^32-1 (no type table that large fits in a file: the verifier refuses it)
         */
        public int elemTypeId() {
            return U32.capped(u32ElemTypeId);
        }

        /**
         * The array element type id exactly as the file declares it.
         *
         * @return the array element type id as declared, 0 to 2^32-1
         */
        public long declaredElemTypeId() {
            return U32.declared(u32ElemTypeId);
        }

        @Override
        public int tag() {
            return 3;
        }
    }

    /**
     * One entry of section 11.
     *
     * @param funcId the function
     * @param u32Arg the argument's position (0 = the first value argument, register r1) as section
     *     11 declares it (a ULEB128 u32 below the function's declared {@code arg_count}, so at most
     *     2^32-2 in a file) in an {@code int}'s 32 bits: 0 to 2^31-1 as such, 2^31 to 2^32-1 as a
     *     negative {@code int}
     *     ({@link #declaredArg()} gives it as a {@code long}, {@link #arg()} as kept)
     * @param shape the aggregate's shape
     */
    record ArgShape(int funcId, int u32Arg, AggShape shape) {
        /**
         * Makes an argument shape entry from a position as read from a file, keeping the declared position.
         *
         * @param funcId the function
         * @param declaredArg the argument's position as a file declares it, 0 to 2^32-1
         * @param shape the aggregate's shape
         * @return the entry
         * @throws IllegalArgumentException when the position is negative or 2^32 or more
         */
        public static ArgShape declared(int funcId, long declaredArg, AggShape shape) {
            return new ArgShape(funcId, U32.of(declaredArg, "arg"), shape);
        }

        /**
         * The argument's position, as an int the VM can index by.
         *
         * @return the argument's position: the declared one, kept as 2^31-2 when it is 2^31-1 to
         *     2^32-1, below its function's kept count (2^31-1 at most; the verifier refuses either)
         */
        public int arg() {
            return Math.min(U32.capped(u32Arg), Integer.MAX_VALUE - 1);
        }

        /**
         * The argument's position exactly as the file declares it.
         *
         * @return the argument's position as declared, 0 to 2^32-1
         */
        public long declaredArg() {
            return U32.declared(u32Arg);
        }
    }
}
