package dev.tape.program;

import java.util.List;

/**
 * The program's type table (spec section "Types"): interned field names, struct layouts and array
 * element types.
 *
 * @param fieldNames field names, referenced by {@link StructType.Field#nameId()}
 * @param structs struct layouts; a struct's type id is its position
 * @param arrayElems array element types; an element type id is its position
 */
public record TypeTable(List<String> fieldNames, List<StructType> structs, List<ValueType> arrayElems) {
    /** An empty table. */
    public static final TypeTable EMPTY = new TypeTable(List.of(), List.of(), List.of());

    /**
     * Copies the lists.
     *
     * @param fieldNames field names, referenced by {@link StructType.Field#nameId()}
     * @param structs struct layouts; a struct's type id is its position
     * @param arrayElems array element types; an element type id is its position
     */
    public TypeTable {
        fieldNames = List.copyOf(fieldNames);
        structs = List.copyOf(structs);
        arrayElems = List.copyOf(arrayElems);
    }
}
