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
 * is its id (1 to 18446744073709551615) or {@code none}; fuel is in fuel units. The
 * {@code run end} line says {@code ok} or {@code trapped}.
 */
final class TextTrace implements TraceSink {
    private final PrintWriter err;
    private final int mask;
    private final String[] names;

    /**
     * @param err where the lines go (the command's stderr)
     * @param mask the {@link dev.tape.trace.TraceMask} bits wanted
     * @param program the program being traced, for function names
     */
    TextTrace(PrintWriter err, int mask, Program program) {
        this.err = err;
        this.mask = mask;
        this.names = new String[program.functions().size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = program.functionName(i);
        }
    }

    @Override
    public int mask() {
        return mask;
    }

    private String func(int id) {
        String name = id >= 0 && id < names.length ? names[id] : null;
        return name == null ? Integer.toString(id) : id + " (" + name + ")";
    }

    @Override
    public void runStart(Program program, int entry, int argCount) {
        err.println("trace run start entry " + entry + " args " + argCount);
    }

    @Override
    public void runEnd(Program program, boolean trapped, long fuelUsed) {
        err.println("trace run end " + (trapped ? "trapped" : "ok") + " fuel_used " + fuelUsed);
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
        err.println("trace host enter " + symbol + " sig " + hostSig + " from func " + func(func) + " pc " + pc);
    }

    @Override
    public void hostExit(int hostSig, String symbol) {
        err.println("trace host exit " + symbol + " sig " + hostSig);
    }
}
