package dev.tape.program;

import dev.tape.classinit.ClassInit;

import java.util.List;

/**
 * A decoded {@code execution_tape} v1 program: the container model, before verification (spec
 * section "Container format (sections)"). Immutable and safe to share between threads.
 *
 * <p>Make one with {@link ProgramDecoder#decode(byte[])}, with {@link ProgramBuilder}, or with the
 * text assembler; turn it into bytes with {@link ProgramEncoder#encode(Program)}. Nothing here is
 * checked beyond what decoding checks: run the verifier before executing.
 *
 * @param symbols the symbol table; symbol 0 is the empty string
 * @param constants the constant pool
 * @param types the type table
 * @param functions the functions; a function id is a position in this list
 * @param hostSigs the host signatures; a host signature id is a position
 * @param callSigs the call signatures (optional section; empty when absent)
 * @param argShapes aggregate shapes of {@code agg} arguments (section 11; empty when absent)
 * @param names debug names (optional section; {@link Names#NONE} when absent)
 */
public record Program(List<String> symbols, List<Constant> constants, TypeTable types, List<Function> functions,
                      List<HostSig> hostSigs, List<CallSig> callSigs, List<AggShape.ArgShape> argShapes,
                      Names names) {
    /**
     * Copies the lists (a decoded program's symbol list, unmodifiable already, is kept as it is).
     *
     * @param symbols the symbol table; symbol 0 is the empty string
     * @param constants the constant pool
     * @param types the type table
     * @param functions the functions; a function id is a position in this list
     * @param hostSigs the host signatures; a host signature id is a position
     * @param callSigs the call signatures (optional section; empty when absent)
     * @param argShapes aggregate shapes of {@code agg} arguments (section 11; empty when absent)
     * @param names debug names (optional section; {@link Names#NONE} when absent)
     * @throws IllegalArgumentException when a component is null, symbols is empty or symbol 0 is not
     *     the empty string
     */
    public Program {
        // every verifier, VM, run and snapshot comes after a program: their classes, initialised up front
        ClassInit.core();
        if (symbols == null || constants == null || types == null || functions == null || hostSigs == null
                || callSigs == null || argShapes == null || names == null) {
            throw new IllegalArgumentException("every program component is required (use empty lists and Names.NONE)");
        }
        // the decoder's symbols are immutable already, and kept packed
        symbols = symbols instanceof SymbolList ? symbols : List.copyOf(symbols);
        constants = List.copyOf(constants);
        functions = List.copyOf(functions);
        hostSigs = List.copyOf(hostSigs);
        callSigs = List.copyOf(callSigs);
        argShapes = List.copyOf(argShapes);
        if (symbols.isEmpty() || !symbols.get(0).isEmpty()) {
            throw new IllegalArgumentException("symbol 0 must exist and be the empty string");
        }
    }

    /**
     * Looks a function's name up by its id.
     *
     * @param funcId a function id
     * @return the function's name from the names section (its first entry there), or {@code null}
     *     when it has none or the id is out of range; O(log n) in the names section's size, through
     *     the index {@link Names} builds once
     */
    public String functionName(int funcId) {
        int sym = names.functionNameSymbol(funcId, symbols.size());
        return sym < 0 ? null : symbols.get(sym);
    }

    /**
     * Looks a function's id up by its name.
     *
     * @param name a function name from the names section
     * @return the id of the first function with that name, in section order, or -1; a scan of the
     *     names section, so look a name up once, not per event
     */
    public int functionId(String name) {
        for (Names.FunctionName n : names.functions()) {
            if (n.nameSymbol() >= 0 && n.nameSymbol() < symbols.size() && symbols.get(n.nameSymbol()).equals(name)) {
                return n.funcId();
            }
        }
        return -1;
    }
}
