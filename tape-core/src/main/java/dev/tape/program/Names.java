package dev.tape.program;

import java.util.List;

/**
 * Optional debug names (spec section "Names (optional)").
 *
 * @param programName the symbol id of the program's name, or -1 when absent
 * @param functions function names
 * @param labels label names
 */
public record Names(int programName, List<FunctionName> functions, List<LabelName> labels) {
    /** No names at all. */
    public static final Names NONE = new Names(-1, List.of(), List.of());

    /** Copies the lists. */
    public Names {
        functions = List.copyOf(functions);
        labels = List.copyOf(labels);
    }

    /** @return whether there is nothing to encode (the section is then omitted) */
    public boolean isEmpty() {
        return programName < 0 && functions.isEmpty() && labels.isEmpty();
    }

    /**
     * @param funcId a function id
     * @param nameSymbol the symbol id of its name
     */
    public record FunctionName(int funcId, int nameSymbol) {}

    /**
     * @param funcId a function id
     * @param pc a byte offset in that function's bytecode
     * @param nameSymbol the symbol id of the label's name
     */
    public record LabelName(int funcId, int pc, int nameSymbol) {}
}
