package dev.tape.program;

import java.util.ArrayList;
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

    /**
     * Finds a struct type by its field names. The v1 container gives struct types no names (the
     * assembler's {@code struct Stats = {...}} name is not written to the binary), so a struct type
     * is known by its ordered field names: {@code structId("min", "max")}.
     *
     * <p>Costs O(total fields of the table); look an id up once (for example when the host is
     * made), not per call.
     *
     * @param fieldNames the struct's field names, in order
     * @return the type id of the only struct type with exactly those field names
     * @throws IllegalArgumentException when no struct type, or more than one, has those field
     *     names; the message lists the candidates (at most 8)
     */
    public int structId(String... fieldNames) {
        List<String> want = List.of(fieldNames);
        int found = -1;
        List<Integer> all = new ArrayList<>();
        for (int id = 0; id < structs.size(); id++) {
            if (fieldNames(id).equals(want)) {
                all.add(id);
                if (found < 0) {
                    found = id;
                }
            }
        }
        if (all.size() == 1) {
            return found;
        }
        StringBuilder sb = new StringBuilder();
        if (all.isEmpty()) {
            sb.append("the program has no struct type with fields ").append(want).append("; its struct types are:");
            for (int id = 0; id < Math.min(structs.size(), 8); id++) {
                sb.append(id == 0 ? " " : ", ").append("@").append(id).append(' ').append(fieldNames(id));
            }
            if (structs.isEmpty()) {
                sb.append(" none");
            } else if (structs.size() > 8) {
                sb.append(", and ").append(structs.size() - 8).append(" more");
            }
        } else {
            sb.append("struct types ").append(all.subList(0, Math.min(all.size(), 8))).append(" all have fields ")
                    .append(want).append(": use a type id");
        }
        throw new IllegalArgumentException(sb.toString());
    }

    /**
     * The field names of a struct type.
     *
     * @param structId a struct type id
     * @return its field names, in field order
     * @throws IndexOutOfBoundsException when there is no such struct type
     */
    public List<String> fieldNames(int structId) {
        List<StructType.Field> fields = structs.get(structId).fields();
        List<String> out = new ArrayList<>(fields.size());
        for (StructType.Field f : fields) {
            out.add(f.nameId() >= 0 && f.nameId() < fieldNames.size() ? fieldNames.get(f.nameId()) : "#" + f.nameId());
        }
        return out;
    }

    /**
     * Finds a field's index in a struct type by its name.
     *
     * @param structId a struct type id
     * @param field a field name
     * @return the field's index in the struct (what {@code struct_get} and
     *     {@link dev.tape.program.StructType#fields()} index by)
     * @throws IndexOutOfBoundsException when there is no such struct type
     * @throws IllegalArgumentException when the struct has no such field
     */
    public int fieldIndex(int structId, String field) {
        int i = fieldNames(structId).indexOf(field);
        if (i < 0) {
            throw new IllegalArgumentException("struct type " + structId + " has no field " + field + "; its fields are "
                    + fieldNames(structId).subList(0, Math.min(fieldNames(structId).size(), 8))
                    + (fieldNames(structId).size() > 8 ? " ..." : ""));
        }
        return i;
    }

    /**
     * Finds the array element type id a program declares for an element type.
     *
     * @param elem an element type
     * @return the first array element type id of that type
     * @throws IllegalArgumentException when the program has no array element type {@code elem}
     */
    public int arrayElemId(ValueType elem) {
        int i = arrayElems.indexOf(elem);
        if (i < 0) {
            throw new IllegalArgumentException("the program has no array element type " + elem + "; it has "
                    + arrayElems.subList(0, Math.min(arrayElems.size(), 8)) + (arrayElems.size() > 8 ? " ..." : ""));
        }
        return i;
    }
}
