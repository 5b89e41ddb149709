/**
 * execution-tape's compiled tier: {@link dev.tape.jit.Jit} makes VMs whose runs execute JVM bytecode
 * generated with ASM from the verified program, with the same outcomes as the interpreter. It reads
 * tape-core's internal interface ({@code dev.tape.vm.internal}, exported to this module alone).
 */
module dev.tape.jit {
    requires transitive dev.tape.core;
    requires org.objectweb.asm;

    exports dev.tape.jit;
}
