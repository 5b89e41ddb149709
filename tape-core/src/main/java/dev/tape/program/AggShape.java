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

    /** @param typeId a struct type id */
    record Struct(int typeId) implements AggShape {
        @Override
        public int tag() {
            return 2;
        }
    }

    /** @param elemTypeId an array element type id */
    record Array(int elemTypeId) implements AggShape {
        @Override
        public int tag() {
            return 3;
        }
    }

    /**
     * One entry of section 11.
     *
     * @param funcId the function
     * @param arg the argument's position (0 = the first value argument, register r1)
     * @param shape the aggregate's shape
     */
    record ArgShape(int funcId, int arg, AggShape shape) {}
}
