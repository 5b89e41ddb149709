/**
 * The text assembly format ({@code .tasm}, described in {@code docs/ASSEMBLY.md}):
 * {@link dev.tape.asm.Assembler} turns text into a {@link dev.tape.program.Program},
 * {@link dev.tape.asm.Disassembler} turns a program back into text that assembles to the same
 * bytes, and {@link dev.tape.asm.AsmException} reports a mistake in the text with its file, line
 * and column. This package uses only {@code dev.tape.program} and {@code dev.tape.format}.
 */
package dev.tape.asm;
