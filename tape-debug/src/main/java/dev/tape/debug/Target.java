package dev.tape.debug;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.asm.Disassembler;
import dev.tape.asm.LineTable;
import dev.tape.host.Host;
import dev.tape.host.RecordingHost;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;

import dev.tape.format.DecodeException;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What to debug: a verified program, where its text came from, the function to run with its
 * arguments and limits, and the host. Each (re)start of the program makes a fresh run of it
 * ({@link #start()}), and each copy of a run goes on from where it was copied
 * ({@link #resume(Debuggee)}); all share one in-memory {@link RecordingHost} (rewound to the call
 * they are at),
 * so the real host answers each host call once.
 */
public final class Target {
    private final VerifiedProgram program;
    private final String sourceName;
    private final List<String> sourceLines;
    private final LineTable lines;
    private final int entry;
    private final List<Value> args;
    private final Limits limits;
    private final RecordingHost host;
    private final Vm vm;
    private static final int[] NO_REGISTERS = new int[0];
    /** per function, made on first use: the registers each instruction writes, by byte pc */
    private final Map<Integer, Map<Integer, int[]>> writes = new HashMap<>();
    private List<String> disasmLines;
    private LineTable disasmTable;

    /**
     * Makes a target from a verified program, its source and how to run it.
     *
     * @param program the verified program
     * @param sourceName the file the program came from, as it is shown (for example
     *     {@code examples/fib.tasm})
     * @param source the program's {@code .tasm} text, or {@code null} for a binary program
     * @param lines where each instruction of {@code source} is ({@link Assembler#assembleWithLines}),
     *     or {@link LineTable#EMPTY} for a binary program
     * @param entry the function to run, a valid function id
     * @param args its arguments, already checked against its signature
     * @param limits the run's limits
     * @param host the host that answers host calls
     */
    public Target(VerifiedProgram program, String sourceName, String source, LineTable lines, int entry,
            List<Value> args, Limits limits, Host host) {
        this.program = program;
        this.sourceName = sourceName;
        this.sourceLines = source == null ? null : List.of(source.split("\r?\n", -1));
        this.lines = lines == null ? LineTable.EMPTY : lines;
        this.entry = entry;
        this.args = List.copyOf(args);
        this.limits = limits;
        this.host = new RecordingHost(host);
        this.vm = new Vm(program, this.host);
    }

    /**
     * The program to debug.
     *
     * @return the program
     */
    public VerifiedProgram program() {
        return program;
    }

    /**
     * The name of the file the program came from.
     *
     * @return the file the program came from, as shown
     */
    public String sourceName() {
        return sourceName;
    }

    /**
     * Where each instruction is in the source.
     *
     * @return the source's line table ({@link LineTable#EMPTY} for a binary program)
     */
    public LineTable lines() {
        return lines;
    }

    /**
     * Reads one line of the program's source.
     *
     * @param line a source line, 1 or more
     * @return its text (not escaped), or {@code null} when there is no source or no such line
     */
    public String sourceLine(int line) {
        return sourceLines == null || line < 1 || line > sourceLines.size() ? null : sourceLines.get(line - 1);
    }

    /**
     * The function a run starts in.
     *
     * @return the entry function id
     */
    public int entry() {
        return entry;
    }

    /**
     * The values a run passes to the entry function.
     *
     * @return the entry function's arguments
     */
    public List<Value> args() {
        return args;
    }

    /**
     * The limits every run of the target has.
     *
     * @return the limits of each run
     */
    public Limits limits() {
        return limits;
    }

    /**
     * A name for a function: its name from the names section, or {@code @ID} when it has none.
     *
     * @param func a function id
     * @return the name
     */
    public String functionName(int func) {
        String n = program.functionName(func);
        return n == null ? "@" + func : n;
    }

    /**
     * Starts a fresh run of the entry function, paused before its first instruction; host calls are
     * numbered from the first again, so ones an earlier run made are replayed.
     *
     * @return the run
     */
    Debuggee start() {
        host.rewind();
        return RunDebuggee.start(vm, entry, args, limits);
    }

    /**
     * Goes on from a checkpoint: a copy ({@link Debuggee#fork()}) of a paused run of this target,
     * whose host calls are numbered from the checkpoint's on, so that the ones runs made after it
     * are replayed. The checkpoint itself is not moved and can be resumed from again.
     *
     * @param checkpoint a paused run this target started (or a copy of one)
     * @return the copy, paused where the checkpoint is
     */
    Debuggee resume(Debuggee checkpoint) {
        Debuggee d = checkpoint.fork();
        host.rewind(d.hostCalls());
        return d;
    }

    /**
     * The registers an instruction writes when it runs (its register operands of write access;
     * a {@code call}'s results are written when the callee returns, not by the call). The function's
     * code is decoded once, on first use, in time linear in its length; later lookups are O(1).
     *
     * @param func a function id
     * @param pc the byte pc of one of its instructions
     * @return the registers, possibly empty (also for a pc where no instruction starts)
     */
    int[] writes(int func, int pc) {
        Map<Integer, int[]> byPc = writes.get(func);
        if (byPc == null) {
            byPc = new HashMap<>();
            try {
                for (Instruction i : InstructionCodec.decodeAll(program.program().functions().get(func).code())) {
                    byPc.put(i.pc(), i.writes());
                }
            } catch (DecodeException e) {
                // a verified function decodes; none is known written then
            }
            writes.put(func, byPc);
        }
        int[] w = byPc.get(pc);
        return w == null ? NO_REGISTERS : w;
    }


    /**
     * The program's disassembly ({@link Disassembler}) as lines, with a line table that places each
     * instruction in it (the disassembly assembles back to the same bytes, so its pcs are the
     * program's). Made on first use.
     *
     * @return the lines (not escaped)
     */
    List<String> disassembly() {
        if (disasmLines == null) {
            String text = Disassembler.disassemble(program.program());
            disasmLines = List.of(text.split("\n", -1));
            try {
                disasmTable = Assembler.assembleWithLines(text, "<disassembly>").lines();
            } catch (AsmException e) {
                disasmTable = LineTable.EMPTY;
            }
        }
        return disasmLines;
    }

    /** @return the line table of {@link #disassembly()} */
    LineTable disassemblyLines() {
        disassembly();
        return disasmTable;
    }
}
