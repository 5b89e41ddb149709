package dev.tape.program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shape of an aggregate, as section 11 ({@code function_arg_agg_shapes}) declares it for an
 * {@code agg} argument ({@code reference/README.md}).
 */
public sealed interface AggShape {
    /** @return the encoding tag: 1 tuple, 2 struct, 3 array */
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
     * @param typeId a struct type id (2^31-1 for a declared id of 2^31 to 2^32-1, which no type
     *     table holds: the verifier refuses it)
     * @param declaredTypeId the id as section 11 declares it (a ULEB128 u32: 0 to 2^32-1);
     *     {@code typeId} unless that is 2^31 or more
     */
    record Struct(int typeId, long declaredTypeId) implements AggShape {
        /**
         * @param typeId a struct type id
         * @param declaredTypeId {@code typeId}, or 2^31 to 2^32-1 when {@code typeId} is 2^31-1
         * @throws IllegalArgumentException when {@code declaredTypeId} is neither
         */
        public Struct {
            checkDeclared(typeId, declaredTypeId, Integer.MAX_VALUE);
        }

        /** @param typeId a struct type id, as declared */
        public Struct(int typeId) {
            this(typeId, typeId);
        }

        /**
         * @param declaredTypeId a struct type id as a file declares it, 0 to 2^32-1
         * @return the shape, its {@link #typeId()} 2^31-1 when the id is 2^31 or more
         * @throws IllegalArgumentException when the id is negative or 2^32 or more
         */
        public static Struct declared(long declaredTypeId) {
            return new Struct(capped(declaredTypeId, Integer.MAX_VALUE), declaredTypeId);
        }

        @Override
        public int tag() {
            return 2;
        }
    }

    /**
     * An array shape.
     *
     * @param elemTypeId an array element type id (2^31-1 for a declared id of 2^31 to 2^32-1, which
     *     no type table holds: the verifier refuses it)
     * @param declaredElemTypeId the id as section 11 declares it (a ULEB128 u32: 0 to 2^32-1);
     *     {@code elemTypeId} unless that is 2^31 or more
     */
    record Array(int elemTypeId, long declaredElemTypeId) implements AggShape {
        /**
         * @param elemTypeId an array element type id
         * @param declaredElemTypeId {@code elemTypeId}, or 2^31 to 2^32-1 when {@code elemTypeId} is
         *     2^31-1
         * @throws IllegalArgumentException when {@code declaredElemTypeId} is neither
         */
        public Array {
            checkDeclared(elemTypeId, declaredElemTypeId, Integer.MAX_VALUE);
        }

        /** @param elemTypeId an array element type id, as declared */
        public Array(int elemTypeId) {
            this(elemTypeId, elemTypeId);
        }

        /**
         * @param declaredElemTypeId an array element type id as a file declares it, 0 to 2^32-1
         * @return the shape, its {@link #elemTypeId()} 2^31-1 when the id is 2^31 or more
         * @throws IllegalArgumentException when the id is negative or 2^32 or more
         */
        public static Array declared(long declaredElemTypeId) {
            return new Array(capped(declaredElemTypeId, Integer.MAX_VALUE), declaredElemTypeId);
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
     * @param arg the argument's position (0 = the first value argument, register r1); 2^31-2 for a
     *     declared position of 2^31-2 to 2^32-2 (kept below its function's kept count, which the
     *     verifier refuses)
     * @param shape the aggregate's shape
     * @param declaredArg the position as section 11 declares it (a ULEB128 u32 below the function's
     *     declared {@code arg_count}: 0 to 2^32-2); {@code arg} unless that is 2^31-2 or more
     */
    record ArgShape(int funcId, int arg, AggShape shape, long declaredArg) {
        /**
         * @param funcId the function
         * @param arg the argument's position
         * @param shape the aggregate's shape
         * @param declaredArg {@code arg}, or 2^31-1 to 2^32-1 when {@code arg} is 2^31-2
         * @throws IllegalArgumentException when {@code declaredArg} is neither
         */
        public ArgShape {
            checkDeclared(arg, declaredArg, Integer.MAX_VALUE - 1);
        }

        /**
         * @param funcId the function
         * @param arg the argument's position, as declared
         * @param shape the aggregate's shape
         */
        public ArgShape(int funcId, int arg, AggShape shape) {
            this(funcId, arg, shape, arg);
        }

        /**
         * @param funcId the function
         * @param declaredArg the argument's position as a file declares it, 0 to 2^32-1
         * @param shape the aggregate's shape
         * @return the entry, its {@link #arg()} 2^31-2 when the position is 2^31-2 or more
         * @throws IllegalArgumentException when the position is negative or 2^32 or more
         */
        public static ArgShape declared(int funcId, long declaredArg, AggShape shape) {
            return new ArgShape(funcId, capped(declaredArg, Integer.MAX_VALUE - 1), shape, declaredArg);
        }
    }

    /** {@code declared} as kept: {@code cap} at most; a u32 */
    private static int capped(long declared, int cap) {
        if (declared < 0 || declared >>> 32 != 0) {
            throw new IllegalArgumentException(declared + " is not a u32");
        }
        return (int) Math.min(declared, cap);
    }

    /** a kept value and its declared one agree: equal, or the kept one is {@code cap} and the declared a u32 above */
    private static void checkDeclared(int kept, long declared, int cap) {
        if (declared != kept && (kept != cap || declared <= cap || declared >>> 32 != 0)) {
            throw new IllegalArgumentException("declared value " + declared + " for " + kept);
        }
    }
}
