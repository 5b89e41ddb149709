package dev.tape.program;

import java.util.List;

/**
 * A struct layout of the type table: its fields in order (spec section "Struct types").
 *
 * @param fields the fields, in declaration order (field index = position)
 */
public record StructType(List<Field> fields) {
    /**
     * Copies the list.
     *
     * @param fields the fields, in declaration order (field index = position)
     */
    public StructType {
        fields = List.copyOf(fields);
    }

    /**
     * One field of a struct.
     *
     * @param nameId index into {@link TypeTable#fieldNames()}
     * @param type the field's type
     */
    public record Field(int nameId, ValueType type) {}
}
