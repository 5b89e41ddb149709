/**
 * execution-tape's core: the container format, the assembler, the verifier, the interpreter, the host
 * ABI, values, tracing and JFR events. No dependencies beyond the JDK ({@code jdk.jfr} is a module of
 * the JDK).
 *
 * <p>Every package it exports is API except {@code dev.tape.vm.internal},
 * {@code dev.tape.verify.internal} and {@code dev.tape.classinit}, which it exports to the compiled
 * tier ({@code dev.tape.jit}) alone: the narrow interface through which the code generator reads a
 * program's lowered code and tape-core defines the classes it generates, the lowered execution form
 * itself, and the up-front initialisation of classes with static initialisers.
 */
@SuppressWarnings("module") // the qualified export names dev.tape.jit, which tape-core is built without
module dev.tape.core {
    // transitive: the exported events of dev.tape.jfr extend jdk.jfr.Event
    requires transitive jdk.jfr;

    exports dev.tape;
    exports dev.tape.asm;
    exports dev.tape.classinit to dev.tape.jit;
    exports dev.tape.format;
    exports dev.tape.host;
    exports dev.tape.jfr;
    exports dev.tape.program;
    exports dev.tape.trace;
    exports dev.tape.value;
    exports dev.tape.verify;
    exports dev.tape.verify.internal to dev.tape.jit;
    exports dev.tape.vm;
    exports dev.tape.vm.internal to dev.tape.jit;
}
