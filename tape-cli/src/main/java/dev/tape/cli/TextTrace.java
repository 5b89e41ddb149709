package dev.tape.cli;

import dev.tape.format.Opcode;
import dev.tape.program.Program;
import dev.tape.trace.TraceSink;
import dev.tape.vm.Trap;

import java.io.PrintWriter;

/**
 * A trace sink that writes one line per event, each starting {@code trace }:
 *
 * <pre>
 * trace run start entry 0 args 1
 * trace call enter func 1 (fib) depth 2
 * trace instr func 1 (fib) pc 4 span none i64.lt
 * trace host enter std.print_i64 sig 0 from func 0 (main) pc 12
 * trace host exit std.print_i64 sig 0
 * trace call exit func 1 (fib) depth 2
 * trace run end ok fuel_used 1234
 * </pre>
 *
 * A function's name appears in parentheses when the program's names section gives it one; a span
 * is its id (1 to 18446744073709551615) or {@code none}; fuel is in fuel units. The {@code run end}
 * line says {@code ok} or {@code trapped}. Names and host symbols are escaped
 * ({@link Escape#text(String)}), so each event stays one line; they are looked up and escaped once
 * per function, not per event.
 */
final class TextTrace implements TraceSink {
    private final PrintWriter err;
    private final int mask;
    /** Each function's "id (name)" or "id", escaped, made once: an event costs no name lookup. */
    private final String[] funcs;
    /** Each host signature's symbol, escaped when first traced. */
    private final String[] symbols;

    /**
     * @param err where the lines go (the command's stderr)
     * @param mask the {@link dev.tape.trace.TraceMask} bits wanted
     * @param program the program being traced, for function names
     */
    TextTrace(PrintWriter err, int mask, Program program) {
        this.err = err;
        this.mask = mask;
        this.funcs = new String[program.functions().size()];
        for (int i = 0; i < funcs.length; i++) {
            String name = program.functionName(i);
            funcs[i] = name == null ? Integer.toString(i) : i + " (" + Escape.text(name) + ")";
        }
        this.symbols = new String[program.hostSigs().size()];
    }

    @Override
    public int mask() {
        return mask;
    }

    private String func(int id) {
        return id >= 0 && id < funcs.length ? funcs[id] : Integer.toString(id);
    }

    private String symbol(int hostSig, String symbol) {
        if (hostSig < 0 || hostSig >= symbols.length) {
            return Escape.text(symbol);
        }
        String s = symbols[hostSig];
        if (s == null) {
            s = Escape.text(symbol);
            symbols[hostSig] = s;
        }
        return s;
    }

    @Override
    public void runStart(Program program, int entry, int argCount) {
        err.println("trace run start entry " + entry + " args " + argCount);
    }

    @Override
    public void runEnd(Program program, boolean trapped, long fuelUsed) {
        err.println("trace run end " + (trapped ? "trapped" : "ok") + " fuel_used " + Long.toUnsignedString(fuelUsed));
    }

    @Override
    public void instr(int func, int pc, long span, int opcode) {
        Opcode op = Opcode.fromByte(opcode);
        err.println("trace instr func " + func(func) + " pc " + pc + " span " + Trap.spanText(span) + " "
                + (op == null ? String.format("0x%02x", opcode) : op.mnemonic()));
    }

    @Override
    public void callEnter(int func, int depth) {
        err.println("trace call enter func " + func(func) + " depth " + depth);
    }

    @Override
    public void callExit(int func, int depth) {
        err.println("trace call exit func " + func(func) + " depth " + depth);
    }

    @Override
    public void hostEnter(int hostSig, String symbol, int func, int pc) {
        err.println("trace host enter " + symbol(hostSig, symbol) + " sig " + hostSig + " from func " + func(func)
                + " pc " + pc);
    }

    @Override
    public void hostExit(int hostSig, String symbol) {
        err.println("trace host exit " + symbol(hostSig, symbol) + " sig " + hostSig);
    }
}
